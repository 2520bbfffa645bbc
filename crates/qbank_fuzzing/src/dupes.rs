//! The duplicate-search target: normalization, thresholds and the exact search against a
//! brute force over every pair with `strsim`.

use arbitrary::{Result, Unstructured};
use qbank_dupes::{
    DiffKind, Entry, ItemOption, Metric, Options, Threshold, clones, find_pairs, normalize,
    reference_pairs, word_diff,
};
use unicode_normalization::UnicodeNormalization;

use crate::generate;

/// Normalization as the crate documents it, written the obvious way: NFKC, full case folding,
/// NFKC again, drop what is neither alphanumeric nor white space, one space for each run of
/// white space, none at the ends.
fn reference_normalize(text: &str) -> String {
    let nfkc: String = text.nfkc().collect();
    let folded = icu_casemap::CaseMapper::new().fold_string(&nfkc);
    let kept: String = folded
        .nfkc()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A stem: hostile text, or an edited copy of an earlier stem so that near-duplicates (and
/// pairs right at the threshold) are common.
fn stem(u: &mut Unstructured<'_>, earlier: &[Entry]) -> Result<String> {
    if earlier.is_empty() || u.ratio(1, 3)? {
        return generate::any_text(u, 400);
    }
    let mut chars: Vec<char> = u.choose(earlier)?.stem.chars().collect();
    for _ in 0..u.int_in_range(0..=12)? {
        let at = u.int_in_range(0..=chars.len())?;
        let c = *u.choose(&[
            'a', 'e', 'z', ' ', 'é', 'É', 'ß', 'ω', 'ς', 'Σ', '9', '-', 'ﬁ', '\u{301}',
        ])?;
        match u.int_in_range(0..=2)? {
            0 => chars.insert(at, c),
            1 if at < chars.len() => {
                chars.remove(at);
            }
            _ if at < chars.len() => chars[at] = c,
            _ => chars.push(c),
        }
    }
    Ok(chars.into_iter().collect())
}

fn threshold(u: &mut Unstructured<'_>) -> Result<Threshold> {
    if u.ratio(1, 4)? {
        let text: &str = u.arbitrary()?;
        if let Ok(threshold) = Threshold::parse(text) {
            assert!(
                threshold.numerator() <= threshold.denominator() && threshold.denominator() > 0,
                "threshold {text:?} parsed outside 0 to 1"
            );
            return Ok(threshold);
        }
    }
    let den: u64 = u.int_in_range(1..=1000)?;
    let num = u.int_in_range(0..=den)?;
    Ok(Threshold::new(num, den).unwrap_or_default())
}

/// Builds up to ten stems from `data` and checks:
///
/// - `normalize` against its documented definition, for every stem;
/// - `find_pairs`, for a metric, threshold and scope drawn from `data`, against a comparison
///   of every pair with `strsim` (float ties of the non-Levenshtein metrics excepted), with the
///   reported similarity and distance equal to `strsim`'s;
/// - query mode against the full search restricted to pairs with a query;
/// - `word_diff` gives back both stems' words; `clones` runs.
///
/// # Panics
///
/// When any of these does not hold.
pub fn dupes(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok((entries, options)) = draw(&mut u) else {
        return;
    };
    let norm: Vec<String> = entries.iter().map(|e| normalize(&e.stem)).collect();
    for (entry, normalized) in entries.iter().zip(&norm) {
        assert_eq!(
            *normalized,
            reference_normalize(&entry.stem),
            "normalize({:?})",
            entry.stem
        );
    }
    let found = find_pairs(&entries, &options).expect("no query is out of range");
    let reference = reference_pairs(&entries, &options);
    let got: Vec<(usize, usize)> = found
        .iter()
        .map(|p| (p.a, p.b))
        .filter(|ab| !reference.undecided.contains(ab))
        .collect();
    let expected = reference.pairs;
    assert_eq!(
        got, expected,
        "metric {}, threshold {}, stems {norm:?}",
        options.metric, options.threshold
    );
    for p in &found {
        let (a, b) = (&norm[p.a], &norm[p.b]);
        let similarity = options.metric.similarity(a, b);
        assert!(
            (p.similarity - similarity).abs() < 1e-12,
            "similarity of {a:?} and {b:?}: {} against strsim's {similarity}",
            p.similarity
        );
        let distance = (options.metric == Metric::Levenshtein).then(|| strsim::levenshtein(a, b));
        assert_eq!(p.distance, distance, "distance of {a:?} and {b:?}");
    }
    if let Ok(queries) = draw_queries(&mut u, entries.len()) {
        let narrowed = find_pairs(
            &entries,
            &Options {
                queries: Some(queries.clone()),
                ..options.clone()
            },
        )
        .expect("queries are in range");
        let want: Vec<(usize, usize)> = found
            .iter()
            .filter(|p| queries.contains(&p.a) || queries.contains(&p.b))
            .map(|p| (p.a, p.b))
            .collect();
        let narrowed: Vec<(usize, usize)> = narrowed.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(narrowed, want, "queries {queries:?}");
    }
    for pair in entries.windows(2) {
        assert_diff_gives_back_both(&pair[0].stem, &pair[1].stem);
    }
    let _ = clones(&entries, options.across_groups);
}

fn draw(u: &mut Unstructured<'_>) -> Result<(Vec<Entry>, Options)> {
    let options = Options {
        threshold: threshold(u)?,
        metric: *u.choose(&Metric::ALL)?,
        across_groups: u.arbitrary()?,
        queries: None,
    };
    let count = u.int_in_range(1..=10)?;
    let mut entries: Vec<Entry> = Vec::with_capacity(count);
    for _ in 0..count {
        let stem = stem(u, &entries)?;
        let group = if u.arbitrary()? { "a" } else { "b" };
        let mut entry = Entry::new(group, stem);
        for _ in 0..u.int_in_range(0..=3)? {
            entry.options.push(ItemOption {
                text: generate::any_text(u, 40)?,
                key: u.arbitrary()?,
            });
        }
        entries.push(entry);
    }
    Ok((entries, options))
}

fn draw_queries(u: &mut Unstructured<'_>, len: usize) -> Result<Vec<usize>> {
    let mut queries = Vec::new();
    for i in 0..len {
        if u.arbitrary()? {
            queries.push(i);
        }
    }
    Ok(queries)
}

fn assert_diff_gives_back_both(a: &str, b: &str) {
    let runs = word_diff(a, b);
    let words = |keep: DiffKind| -> Vec<String> {
        runs.iter()
            .filter(|r| r.kind == DiffKind::Equal || r.kind == keep)
            .flat_map(|r| r.text.split(' ').filter(|w| !w.is_empty()))
            .map(normalize)
            .collect()
    };
    let split = |s: &str| -> Vec<String> { s.split_whitespace().map(normalize).collect() };
    assert_eq!(
        words(DiffKind::Deleted),
        split(a),
        "word_diff({a:?}, {b:?})"
    );
    assert_eq!(
        words(DiffKind::Inserted),
        split(b),
        "word_diff({a:?}, {b:?})"
    );
    for pair in runs.windows(2) {
        assert_ne!(pair[0].kind, pair[1].kind, "adjacent runs of one kind");
    }
}
