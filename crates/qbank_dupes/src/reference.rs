//! The search by its definition: every pair, one by one, with `strsim`.

use crate::{Entry, Metric, Options, Threshold, normalize};

/// What comparing every pair one by one gives: the pairs [`find_pairs`](crate::find_pairs) must
/// report, and the pairs it may report or not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reference {
    /// Pairs `(a, b)`, `a < b`, at or above the threshold, sorted.
    pub pairs: Vec<(usize, usize)>,
    /// Pairs of a float metric whose `strsim` similarity lies within `1e-9` of the threshold,
    /// where the float alone cannot decide; the exact decision of those is tested on its own.
    pub undecided: Vec<(usize, usize)>,
}

/// Compares every pair in scope (the same group unless [`Options::across_groups`], and with a
/// query when [`Options::queries`] is set) with `strsim` on the [`normalize`]d stems: quadratic,
/// and independent of the fast search, which tests and fuzzing check against it.
///
/// ```
/// use qbank_dupes::{Entry, Options, find_pairs, reference_pairs};
///
/// let entries = vec![
///     Entry::new("cism", "Which control BEST reduces the risk?"),
///     Entry::new("cism", "Which control best reduces the risks?"),
/// ];
/// let options = Options::default();
/// let found: Vec<(usize, usize)> =
///     find_pairs(&entries, &options)?.iter().map(|p| (p.a, p.b)).collect();
/// assert_eq!(found, reference_pairs(&entries, &options).pairs);
/// # Ok::<(), qbank_dupes::DupesError>(())
/// ```
pub fn reference_pairs(entries: &[Entry], options: &Options) -> Reference {
    let norm: Vec<String> = entries.iter().map(|e| normalize(&e.stem)).collect();
    let is_query = |i: usize| options.queries.as_ref().is_none_or(|q| q.contains(&i));
    let mut reference = Reference::default();
    for a in 0..entries.len() {
        for b in a + 1..entries.len() {
            if !options.across_groups && entries[a].group != entries[b].group {
                continue;
            }
            if !is_query(a) && !is_query(b) {
                continue;
            }
            match reference_accepts(options.metric, &norm[a], &norm[b], options.threshold) {
                Some(true) => reference.pairs.push((a, b)),
                Some(false) => {}
                None => reference.undecided.push((a, b)),
            }
        }
    }
    reference
}

/// Whether two normalized stems are at or above `threshold` by `strsim`: the Levenshtein
/// distance compared in integers, the float metrics by their `strsim` value, `None` when that
/// value is within `1e-9` of the threshold.
pub fn reference_accepts(metric: Metric, a: &str, b: &str, threshold: Threshold) -> Option<bool> {
    match metric {
        Metric::Levenshtein => {
            let distance = strsim::levenshtein(a, b) as u128;
            let longer = a.chars().count().max(b.chars().count()) as u128;
            let num = u128::from(threshold.numerator());
            let den = u128::from(threshold.denominator());
            Some(distance * den <= (den - num) * longer)
        }
        Metric::JaroWinkler | Metric::Dice => {
            let similarity = metric.similarity(a, b);
            let threshold = threshold.as_f64();
            ((similarity - threshold).abs() > 1e-9).then_some(similarity >= threshold)
        }
    }
}
