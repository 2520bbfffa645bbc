//! Exact search under Jaro-Winkler and Sørensen-Dice similarity.
//!
//! Both reproduce the integer parts of the `strsim` definitions and decide the threshold from
//! them exactly. Candidates are every pair of the scope, pruned by an upper bound on the
//! similarity that can never be below the true value.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::{Entry, Metric, Options, Pair, Progress, Scope, SearchStats, Threshold, normalize};

/// A stem prepared for Jaro-Winkler: its characters and their counts.
struct JwStem {
    chars: Vec<char>,
    counts: HashMap<char, u32>,
}

/// A stem prepared for Dice: whitespace removed, its byte length and its sorted bigrams.
struct DiceStem {
    text: String,
    bigrams: Vec<(char, char)>,
}

enum Prepared {
    JaroWinkler(Vec<JwStem>),
    Dice(Vec<DiceStem>),
}

pub(crate) fn find(
    entries: &[Entry],
    scopes: &[Scope],
    options: &Options,
    progress: Progress<'_>,
) -> (Vec<Pair>, SearchStats) {
    // A query search compares only the scopes that hold a query; other stems stay empty.
    let active = |s: &&Scope| s.queries.as_ref().is_none_or(|q| !q.is_empty());
    let mut needed = vec![false; entries.len()];
    for scope in scopes.iter().filter(active) {
        for &i in &scope.members {
            needed[i] = true;
        }
    }
    let stems: Vec<String> = entries
        .par_iter()
        .zip(&needed)
        .map(|(e, &n)| if n { normalize(&e.stem) } else { String::new() })
        .collect();
    let prepared = match options.metric {
        Metric::Dice => Prepared::Dice(stems.par_iter().map(|s| dice_stem(s)).collect()),
        Metric::JaroWinkler | Metric::Levenshtein => Prepared::JaroWinkler(
            stems
                .par_iter()
                .map(|s| {
                    let chars: Vec<char> = s.chars().collect();
                    let mut counts = HashMap::new();
                    for &c in &chars {
                        *counts.entry(c).or_default() += 1;
                    }
                    JwStem { chars, counts }
                })
                .collect(),
        ),
    };
    let threshold = options.threshold;
    let total: usize = scopes
        .iter()
        .map(|s| s.queries.as_ref().map_or(s.members.len(), Vec::len))
        .sum();
    let done = AtomicUsize::new(0);
    let compared = AtomicU64::new(0);
    let mut pairs = Vec::new();
    for scope in scopes.iter().filter(active) {
        let mut is_query = vec![false; entries.len()];
        let queries: Vec<usize> = match &scope.queries {
            Some(q) => {
                for &i in q {
                    is_query[i] = true;
                }
                q.clone()
            }
            None => scope.members.clone(),
        };
        let all = scope.queries.is_none();
        let found: Vec<Pair> = queries
            .par_iter()
            .flat_map_iter(|&i| {
                let mut out = Vec::new();
                let mut n = 0;
                for &j in &scope.members {
                    // Each unordered pair once: in all-pairs mode from its larger index, in
                    // query mode from its query (from the larger index if both are queries).
                    if j == i || ((all || is_query[j]) && j > i) {
                        continue;
                    }
                    let (a, b) = (i.min(j), i.max(j));
                    n += 1;
                    let accepted = match &prepared {
                        Prepared::Dice(p) => dice_accepts(&p[a], &p[b], threshold),
                        Prepared::JaroWinkler(p) => jw_accepts(&p[a], &p[b], threshold),
                    };
                    if accepted {
                        out.push(Pair {
                            a,
                            b,
                            similarity: options.metric.similarity(&stems[a], &stems[b]),
                            distance: None,
                        });
                    }
                }
                compared.fetch_add(n, Ordering::Relaxed);
                let now = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(now, total);
                out
            })
            .collect();
        pairs.extend(found);
    }
    let n = compared.into_inner();
    let stats = SearchStats {
        window_pairs: n,
        after_characters: n,
        after_bigrams: n,
        after_trigram_sketch: n,
        verified: n,
    };
    (pairs, stats)
}

fn dice_stem(s: &str) -> DiceStem {
    let text: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let chars: Vec<char> = text.chars().collect();
    let mut bigrams: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    bigrams.sort_unstable();
    DiceStem { text, bigrams }
}

/// `strsim::sorensen_dice` is `2 * common / (bytes_a + bytes_b - 2)` over whitespace-free
/// texts, 1 for equal texts and 0 when either has fewer than two bytes.
fn dice_accepts(a: &DiceStem, b: &DiceStem, threshold: Threshold) -> bool {
    if a.text == b.text {
        return true;
    }
    if a.text.len() < 2 || b.text.len() < 2 {
        return threshold.numerator() == 0;
    }
    let den = (a.text.len() + b.text.len() - 2) as u128;
    // Upper bound first: the common bigrams are at most the bigrams of the shorter text.
    let most = a.bigrams.len().min(b.bigrams.len()) as u128;
    if !threshold.accepts_ratio(2 * most, den) {
        return false;
    }
    let common = sorted_common(&a.bigrams, &b.bigrams) as u128;
    threshold.accepts_ratio(2 * common, den)
}

/// Size of the multiset intersection of two sorted lists.
fn sorted_common<T: Ord>(left: &[T], right: &[T]) -> usize {
    let (mut x, mut y, mut common) = (0, 0, 0);
    while x < left.len() && y < right.len() {
        match left[x].cmp(&right[y]) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                x += 1;
                y += 1;
            }
        }
    }
    common
}

/// Decides `strsim::jaro_winkler(a, b) >= threshold` exactly.
#[expect(
    clippy::many_single_char_names,
    clippy::similar_names,
    reason = "the names follow the Jaro formula"
)]
fn jw_accepts(a: &JwStem, b: &JwStem, threshold: Threshold) -> bool {
    let (la, lb) = (a.chars.len(), b.chars.len());
    if la == 0 && lb == 0 {
        return true;
    }
    if la == 0 || lb == 0 {
        return threshold.numerator() == 0;
    }
    // Upper bound: matches pair equal characters one to one, so they are at most the common
    // character count `h`; Jaro is then at most `(h/la + h/lb + 1) / 3`, and the Winkler boost
    // (a prefix of at most 4) at most `0.6 * jaro + 0.4`. In exact integers over `30 * la * lb`:
    // `jw <= (6 * (h * lb + h * la + la * lb) + 12 * la * lb) / (30 * la * lb)`.
    let h: u128 = a
        .counts
        .iter()
        .map(|(c, &n)| u128::from(n.min(b.counts.get(c).copied().unwrap_or(0))))
        .sum();
    let (la128, lb128) = (la as u128, lb as u128);
    let bound_num = 6 * (h * lb128 + h * la128 + la128 * lb128) + 12 * la128 * lb128;
    if !threshold.accepts_ratio(bound_num, 30 * la128 * lb128) {
        return false;
    }
    let (matches, transpositions) = jaro_parts(&a.chars, &b.chars);
    if matches == 0 {
        return threshold.numerator() == 0;
    }
    let (m, t) = (matches as u128, transpositions as u128);
    // jaro = (m/la + m/lb + (m - t)/m) / 3 = n / d.
    let n = m * m * lb128 + m * m * la128 + (m - t) * la128 * lb128;
    let d = 3 * la128 * lb128 * m;
    // strsim applies the boost only when its floating-point Jaro exceeds 0.7. That value is
    // computed here the same way: a Jaro of exactly 7/10 (`"p"` against `"p markdown"`) comes
    // out of it as 0.7000000000000001 and is boosted, so an exact `10 n > 7 d` would not agree.
    let jaro = ((matches as f64 / la as f64)
        + (matches as f64 / lb as f64)
        + ((matches - transpositions) as f64 / matches as f64))
        / 3.0;
    if jaro > 0.7 {
        let prefix = a
            .chars
            .iter()
            .take(4)
            .zip(&b.chars)
            .take_while(|(x, y)| x == y)
            .count() as u128;
        // jw = jaro + prefix / 10 * (1 - jaro) = (n * (10 - prefix) + prefix * d) / (10 d).
        threshold.accepts_ratio(n * (10 - prefix) + prefix * d, 10 * d)
    } else {
        threshold.accepts_ratio(n, d)
    }
}

/// The matches and half-transpositions of `strsim::generic_jaro`, computed the same way.
fn jaro_parts(a: &[char], b: &[char]) -> (usize, usize) {
    let search_range = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_flags = vec![false; a.len()];
    let mut b_flags = vec![false; b.len()];
    let mut matches = 0;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(search_range);
        let hi = (i + search_range + 1).min(b.len());
        for j in lo..hi {
            if !b_flags[j] && b[j] == ca {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    let mut transpositions = 0;
    let mut b_matched = b.iter().zip(&b_flags).filter(|(_, f)| **f).map(|(c, _)| c);
    for (ca, _) in a.iter().zip(&a_flags).filter(|(_, f)| **f) {
        if b_matched.next().is_some_and(|cb| cb != ca) {
            transpositions += 1;
        }
    }
    (matches, transpositions / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jw(a: &str, b: &str) -> JwStem {
        let _ = b;
        let chars: Vec<char> = a.chars().collect();
        let mut counts = HashMap::new();
        for &c in &chars {
            *counts.entry(c).or_default() += 1;
        }
        JwStem { chars, counts }
    }

    #[test]
    fn jaro_parts_match_strsim() {
        for (a, b) in [
            ("martha", "marhta"),
            ("dixon", "dicksonx"),
            ("abc", "abc"),
            ("a", "b"),
            ("crate", "trace"),
        ] {
            let (m, t) = jaro_parts(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            );
            let (la, lb) = (a.chars().count() as f64, b.chars().count() as f64);
            let jaro = if m == 0 {
                0.0
            } else {
                (m as f64 / la + m as f64 / lb + (m - t) as f64 / m as f64) / 3.0
            };
            assert!((jaro - strsim::jaro(a, b)).abs() < 1e-12, "{a} {b}");
        }
    }

    #[test]
    fn jaro_winkler_decision_at_known_values() {
        // strsim::jaro_winkler("martha", "marhta") = 0.9611...
        let t = Threshold::parse("0.96").unwrap();
        assert!(jw_accepts(&jw("martha", ""), &jw("marhta", ""), t));
        let t = Threshold::parse("0.962").unwrap();
        assert!(!jw_accepts(&jw("martha", ""), &jw("marhta", ""), t));
    }

    /// The Jaro of "p" and "p markdown" is exactly 7/10, which strsim computes as
    /// 0.7000000000000001 and so boosts (to 0.73). Found by fuzzing: the boost was decided in
    /// exact arithmetic, and the pair was missed.
    #[test]
    fn jaro_of_exactly_seven_tenths_is_boosted_as_strsim_boosts_it() {
        let (a, b) = ("p", "p markdown");
        let similarity = strsim::jaro_winkler(a, b);
        assert!(
            strsim::jaro(a, b) > 0.7 && similarity > 0.72,
            "{similarity}"
        );
        let (a, b) = (jw(a, ""), jw(b, ""));
        assert!(jw_accepts(&a, &b, Threshold::parse("0.72").unwrap()));
        assert!(!jw_accepts(&a, &b, Threshold::parse("0.731").unwrap()));
    }

    /// Every pair of strings over two letters, up to 10 long, is decided as strsim scores it: a
    /// threshold just below its similarity accepts the pair and one just above rejects it. The
    /// lengths reach the Jaro ties of 7/10 (1 against 10 characters, 5 against 6, ...) where
    /// only strsim's floating point decides the boost.
    #[test]
    fn jaro_winkler_decisions_agree_with_strsim_on_every_short_pair() {
        let mut strings = Vec::new();
        for len in 1..=10_u32 {
            for bits in 0..1_u32 << len {
                strings.push(
                    (0..len)
                        .map(|i| if bits >> i & 1 == 1 { 'b' } else { 'a' })
                        .collect::<String>(),
                );
            }
        }
        let stems: Vec<JwStem> = strings.iter().map(|s| jw(s, "")).collect();
        let mut ties = 0;
        for (i, a) in strings.iter().enumerate() {
            // Pairs of more than 14 characters together are skipped to keep the test fast;
            // the ties of 1 against 10 and 5 against 6 characters stay in.
            for (j, b) in strings.iter().enumerate().skip(i + 1) {
                if a.len() + b.len() > 14 {
                    continue;
                }
                let similarity = strsim::jaro_winkler(a, b);
                let below =
                    Threshold::parse(&format!("{:.6}", (similarity - 2e-6).max(0.0))).unwrap();
                let above = Threshold::parse(&format!("{:.6}", (similarity + 2e-6).min(1.0)));
                assert!(
                    jw_accepts(&stems[i], &stems[j], below),
                    "{a} {b} {similarity}"
                );
                if similarity < 0.999_99 {
                    assert!(
                        !jw_accepts(&stems[i], &stems[j], above.unwrap()),
                        "{a} {b} {similarity}"
                    );
                }
                let (m, t) = jaro_parts(&stems[i].chars, &stems[j].chars);
                let (la, lb) = (a.len(), b.len());
                ties += usize::from(
                    10 * (m * m * lb + m * m * la + (m - t) * la * lb) == 21 * la * lb * m,
                );
            }
        }
        assert!(ties > 0, "no pair has a Jaro of exactly 7/10");
    }

    #[test]
    fn dice_decision_at_exact_tie() {
        // "night" / "nacht": bigrams ni ig gh ht / na ac ch ht share 1: 2 * 1 / 8 = 0.25.
        let (a, b) = (dice_stem("night"), dice_stem("nacht"));
        assert!(dice_accepts(&a, &b, Threshold::parse("0.25").unwrap()));
        assert!(!dice_accepts(
            &a,
            &b,
            Threshold::parse("0.2500001").unwrap()
        ));
        assert!((strsim::sorensen_dice("night", "nacht") - 0.25).abs() < 1e-12);
    }
}
