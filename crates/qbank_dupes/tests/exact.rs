//! The contract: `find_pairs` equals brute force over every pair, for every metric, with and
//! without group scoping and in query mode.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail loudly too"
)]

use proptest::prelude::*;
use qbank_dupes::{
    Entry, Metric, Options, Pair, Threshold, find_pairs, normalize, reference_pairs,
};

/// Words the generated stems are written from: common phrases, as real stems are, plus a few
/// non-ASCII and punctuated words so that normalization and rare symbols are exercised.
const WORDS: &[&str] = &[
    "which",
    "of",
    "the",
    "following",
    "best",
    "describes",
    "risk",
    "control",
    "security",
    "policy",
    "management",
    "information",
    "an",
    "a",
    "is",
    "most",
    "likely",
    "to",
    "reduce",
    "data",
    "access",
    "review",
    "audit",
    "incident",
    "response",
    "plan",
    "asset",
    "owner",
    "should",
    "first",
    "when",
    "ISO-27001",
    "Ωmega",
    "naïve",
    "ﬁrewall",
    "straße",
    "ＦＵＬＬ",
    "résumé",
    "x",
    "42",
    "?",
    "(a)",
];

fn stem_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..40).prop_map(|w| w.join(" "))
}

/// An edit applied to a planted copy: position (scaled to the text), kind, letter.
fn edits_strategy() -> impl Strategy<Value = Vec<(f64, u8, char)>> {
    prop::collection::vec(
        (
            0.0..1.0_f64,
            0_u8..3,
            prop::sample::select(vec!['a', 'e', 'z', ' ', 'é', 'ω', '9', '-']),
        ),
        0..30,
    )
}

fn mutate(text: &str, edits: &[(f64, u8, char)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(at, kind, c) in edits {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "at is in [0, 1)"
        )]
        let i = (at * chars.len() as f64) as usize;
        match kind {
            0 => chars.insert(i.min(chars.len()), c),
            1 if i < chars.len() => {
                chars.remove(i);
            }
            _ if i < chars.len() => chars[i] = c,
            _ => chars.push(c),
        }
    }
    chars.into_iter().collect()
}

/// A bank: base stems, and planted copies of random earlier entries with a few edits each.
fn bank_strategy() -> impl Strategy<Value = Vec<Entry>> {
    (
        prop::collection::vec((stem_strategy(), 0_u8..2), 1..30),
        prop::collection::vec(
            (any::<prop::sample::Index>(), edits_strategy(), 0_u8..2),
            0..30,
        ),
    )
        .prop_map(|(bases, copies)| {
            let mut entries: Vec<Entry> = bases
                .into_iter()
                .map(|(s, g)| Entry::new(format!("g{g}"), s))
                .collect();
            for (source, edits, g) in copies {
                let source = source.index(entries.len());
                let stem = mutate(&entries[source].stem, &edits);
                entries.push(Entry::new(format!("g{g}"), stem));
            }
            entries
        })
}

fn threshold_strategy() -> impl Strategy<Value = Threshold> {
    prop::sample::select(vec![
        "0.85", "0.9", "0.8", "0.7", "0.5", "0.95", "1", "0", "0.333",
    ])
    .prop_map(|t| Threshold::parse(t).unwrap())
}

/// Compares the fast result with [`reference_pairs`]: every pair in scope that involves a
/// query (or every pair in scope), compared with `strsim`.
fn check(entries: &[Entry], options: &Options) -> Result<(), TestCaseError> {
    let found = find_pairs(entries, options).unwrap();
    let norm: Vec<String> = entries.iter().map(|e| normalize(&e.stem)).collect();
    let reference = reference_pairs(entries, options);
    let got: Vec<(usize, usize)> = found
        .iter()
        .map(|p| (p.a, p.b))
        .filter(|ab| !reference.undecided.contains(ab))
        .collect();
    prop_assert_eq!(
        &got,
        &reference.pairs,
        "metric {}, threshold {}",
        options.metric,
        options.threshold
    );
    for p in &found {
        prop_assert!(p.a < p.b);
        check_pair(options.metric, &norm, p)?;
    }
    Ok(())
}

/// The verified distance and the similarity agree with `strsim` on every reported pair.
fn check_pair(metric: Metric, norm: &[String], p: &Pair) -> Result<(), TestCaseError> {
    let (a, b) = (&norm[p.a], &norm[p.b]);
    prop_assert!((p.similarity - metric.similarity(a, b)).abs() < 1e-12);
    if metric == Metric::Levenshtein {
        prop_assert_eq!(p.distance, Some(strsim::levenshtein(a, b)));
    } else {
        prop_assert_eq!(p.distance, None);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn levenshtein_equals_brute_force(entries in bank_strategy(), threshold in threshold_strategy(), across in any::<bool>()) {
        check(&entries, &Options { threshold, metric: Metric::Levenshtein, across_groups: across, queries: None })?;
    }

    #[test]
    fn jaro_winkler_equals_brute_force(entries in bank_strategy(), threshold in threshold_strategy(), across in any::<bool>()) {
        check(&entries, &Options { threshold, metric: Metric::JaroWinkler, across_groups: across, queries: None })?;
    }

    #[test]
    fn dice_equals_brute_force(entries in bank_strategy(), threshold in threshold_strategy(), across in any::<bool>()) {
        check(&entries, &Options { threshold, metric: Metric::Dice, across_groups: across, queries: None })?;
    }

    #[test]
    fn query_mode_is_the_subset_involving_queries(
        entries in bank_strategy(),
        threshold in threshold_strategy(),
        across in any::<bool>(),
        metric in prop::sample::select(Metric::ALL.to_vec()),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let queries: Vec<usize> = picks.iter().map(|p| p.index(entries.len())).collect();
        let full = find_pairs(&entries, &Options { threshold, metric, across_groups: across, queries: None }).unwrap();
        let options = Options { threshold, metric, across_groups: across, queries: Some(queries.clone()) };
        let subset = find_pairs(&entries, &options).unwrap();
        let expected: Vec<(usize, usize)> = full
            .iter()
            .filter(|p| queries.contains(&p.a) || queries.contains(&p.b))
            .map(|p| (p.a, p.b))
            .collect();
        let got: Vec<(usize, usize)> = subset.iter().map(|p| (p.a, p.b)).collect();
        prop_assert_eq!(got, expected);
        check(&entries, &options)?;
    }
}

/// Stems over a three-letter alphabet repeat the same trigrams many times (past the saturated
/// occurrence index of the trigram bounds) and share most of their bigrams, so every stage of
/// the search is pushed to its edge.
fn repetitive_bank_strategy() -> impl Strategy<Value = Vec<Entry>> {
    let letters = prop::sample::select(vec!['a', 'b', ' ']);
    (
        prop::collection::vec(prop::collection::vec(letters, 20..160), 1..8),
        prop::collection::vec((any::<prop::sample::Index>(), edits_strategy()), 0..16),
    )
        .prop_map(|(bases, copies)| {
            let mut entries: Vec<Entry> = bases
                .into_iter()
                .map(|chars| Entry::new("g", chars.into_iter().collect::<String>()))
                .collect();
            for (source, edits) in copies {
                let source = source.index(entries.len());
                let stem = mutate(&entries[source].stem, &edits);
                entries.push(Entry::new("g", stem));
            }
            entries
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn repetitive_stems_equal_brute_force(entries in repetitive_bank_strategy(), threshold in threshold_strategy()) {
        check(&entries, &Options { threshold, ..Options::default() })?;
    }
}

/// `sources` stems of `words` (a minimum and a spread) random words, each followed by
/// `copies` copies with edits on a share of its characters (a minimum and a spread, in per
/// cent), all in one group; the same bank for the same seed.
fn bank_of_copies(
    seed: u64,
    sources: usize,
    words: (usize, usize),
    copies: usize,
    edits: (usize, usize),
) -> Vec<Entry> {
    let mut seed = seed;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % n as u64).unwrap()
    };
    let mut entries = Vec::new();
    for _ in 0..sources {
        let source: Vec<&str> = (0..words.0 + next(words.1))
            .map(|_| WORDS[next(WORDS.len())])
            .collect();
        let source = source.join(" ");
        entries.push(Entry::new("g", source.clone()));
        let len = source.chars().count();
        for _ in 0..copies {
            let k = (len * (edits.0 + next(edits.1))) / 100;
            let edits: Vec<(f64, u8, char)> = (0..k)
                .map(|_| {
                    (
                        next(1000) as f64 / 1000.0,
                        u8::try_from(next(3)).unwrap(),
                        ['q', 'k', ' ', 'é'][next(4)],
                    )
                })
                .collect();
            entries.push(Entry::new("g", mutate(&source, &edits)));
        }
    }
    entries
}

/// Long stems near the threshold, where the filters matter most: many planted copies of a few
/// long sources with edit counts on both sides of the largest allowed distance.
#[test]
fn long_stems_near_the_threshold_equal_brute_force() {
    let entries = bank_of_copies(0x2545_f491_4f6c_dd1d, 8, (30, 40), 8, (5, 20));
    for t in ["0.85", "0.8"] {
        let options = Options {
            threshold: Threshold::parse(t).unwrap(),
            ..Options::default()
        };
        check(&entries, &options).unwrap();
    }
}

/// A scope of 200 stems: the all-pairs scan takes them in four blocks, so pairs across blocks
/// and candidates before a block's first position are compared too.
#[test]
fn scopes_of_several_blocks_equal_brute_force() {
    let entries = bank_of_copies(0x9e37_79b9_7f4a_7c15, 25, (8, 8), 7, (0, 25));
    for t in ["0.85", "0.7"] {
        let options = Options {
            threshold: Threshold::parse(t).unwrap(),
            ..Options::default()
        };
        check(&entries, &options).unwrap();
    }
}

/// A scope of 1,300 short stems: the all-pairs scan gives each task 512 positions in blocks
/// of 64, so pairs across tasks, a last task and block only partly filled, and candidates
/// whole tasks before a block's first position are compared too.
#[test]
fn scopes_of_several_tasks_equal_brute_force() {
    let entries = bank_of_copies(0xd1b5_4a32_d192_ed03, 260, (3, 3), 4, (0, 25));
    assert_eq!(entries.len(), 1300);
    for t in ["0.85", "0.7"] {
        let options = Options {
            threshold: Threshold::parse(t).unwrap(),
            ..Options::default()
        };
        check(&entries, &options).unwrap();
    }
}

/// Banks with more than 256 distinct characters take the wide-symbol path, and symbols beyond
/// the 63 most frequent share a bigram code.
#[test]
fn large_alphabets_equal_brute_force() {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |n: u32| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        u32::try_from(seed % u64::from(n)).unwrap()
    };
    let mut entries = Vec::new();
    for _ in 0..10 {
        let source: String = (0..60 + next(80))
            .map(|_| {
                if next(6) == 0 {
                    ' '
                } else {
                    char::from_u32(0x4e00 + next(400)).unwrap()
                }
            })
            .collect();
        entries.push(Entry::new("g", source.clone()));
        for _ in 0..5 {
            let edits: Vec<(f64, u8, char)> = (0..next(30))
                .map(|_| {
                    (
                        f64::from(next(1000)) / 1000.0,
                        u8::try_from(next(3)).unwrap(),
                        char::from_u32(0x4e00 + next(400)).unwrap(),
                    )
                })
                .collect();
            entries.push(Entry::new("g", mutate(&source, &edits)));
        }
    }
    for t in ["0.85", "0.7"] {
        let options = Options {
            threshold: Threshold::parse(t).unwrap(),
            ..Options::default()
        };
        check(&entries, &options).unwrap();
    }
}

/// Issue 6: 33 edits over 220 characters is similarity exactly 0.85, which must be reported
/// (a float cutoff can drop it); 34 edits must not be.
#[test]
fn pair_exactly_at_the_threshold_is_reported() {
    let base: String = (0..220)
        .map(|i| char::from(b'a' + u8::try_from(i % 26).unwrap()))
        .collect();
    let edit = |k: usize| -> String {
        base.chars()
            .enumerate()
            .map(|(i, c)| if i % 6 == 0 && i / 6 < k { '0' } else { c })
            .collect()
    };
    let (tie, over) = (edit(33), edit(34));
    assert_eq!(strsim::levenshtein(&base, &tie), 33);
    assert_eq!(strsim::levenshtein(&base, &over), 34);
    let entries = vec![
        Entry::new("g", base.clone()),
        Entry::new("g", tie),
        Entry::new("g", over),
    ];
    let pairs = find_pairs(&entries, &Options::default()).unwrap();
    let got: Vec<(usize, usize, Option<usize>)> =
        pairs.iter().map(|p| (p.a, p.b, p.distance)).collect();
    // base-tie at 33 edits; tie-over differ in one position.
    assert_eq!(got, vec![(0, 1, Some(33)), (1, 2, Some(1))]);
    assert!((pairs[0].similarity - 0.85).abs() < 1e-12);
}

#[test]
fn groups_are_kept_apart_unless_asked() {
    let entries = vec![
        Entry::new("cism", "Which control best reduces risk?"),
        Entry::new("issmp", "Which control best reduces risk?"),
        Entry::new("cism", "which control best reduces risk"),
    ];
    let within: Vec<(usize, usize)> = find_pairs(&entries, &Options::default())
        .unwrap()
        .iter()
        .map(|p| (p.a, p.b))
        .collect();
    assert_eq!(within, vec![(0, 2)]);
    let options = Options {
        across_groups: true,
        ..Options::default()
    };
    let across: Vec<(usize, usize)> = find_pairs(&entries, &options)
        .unwrap()
        .iter()
        .map(|p| (p.a, p.b))
        .collect();
    assert_eq!(across, vec![(0, 1), (0, 2), (1, 2)]);
}

#[test]
fn rejects_out_of_range_queries() {
    let entries = vec![Entry::new("g", "a")];
    let options = Options {
        queries: Some(vec![1]),
        ..Options::default()
    };
    assert!(find_pairs(&entries, &options).is_err());
}

#[test]
fn empty_stems_pair_with_each_other_only() {
    let entries = vec![
        Entry::new("g", "?!"),
        Entry::new("g", ""),
        Entry::new("g", "a"),
    ];
    let pairs = find_pairs(&entries, &Options::default()).unwrap();
    assert_eq!(
        pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(),
        vec![(0, 1)]
    );
    assert!((pairs[0].similarity - 1.0).abs() < f64::EPSILON);
}

#[test]
fn progress_reaches_the_total() {
    let entries: Vec<Entry> = (0..100)
        .map(|i| Entry::new("g", format!("stem number {i}")))
        .collect();
    let last = std::sync::Mutex::new((0, 0));
    qbank_dupes::find_pairs_with_progress(&entries, &Options::default(), &|done, total| {
        let mut l = last.lock().unwrap();
        l.0 = l.0.max(done);
        l.1 = total;
    })
    .unwrap();
    assert_eq!(*last.lock().unwrap(), (100, 100));
}

/// A query search normalizes only the stems in its queries' length windows; the stems at both
/// edges of a window must still be compared. For a query of 85 characters at 0.85, the window
/// is 73 to 100 characters (12 edits over 85, 15 over 100).
#[test]
fn query_search_keeps_both_edges_of_the_length_window() {
    let stem = |n: usize| "a".repeat(n);
    let entries = vec![
        Entry::new("g", stem(85)),
        Entry::new("g", stem(100)),
        Entry::new("g", stem(101)),
        Entry::new("g", stem(73)),
        Entry::new("g", stem(72)),
        Entry::new("h", stem(85)),
    ];
    let options = Options {
        queries: Some(vec![0]),
        ..Options::default()
    };
    let got: Vec<(usize, usize, Option<usize>)> = find_pairs(&entries, &options)
        .unwrap()
        .iter()
        .map(|p| (p.a, p.b, p.distance))
        .collect();
    assert_eq!(got, vec![(0, 1, Some(15)), (0, 3, Some(12))]);
    check(&entries, &options).unwrap();
}
