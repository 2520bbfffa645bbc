//! Exact near-duplicate detection for question-bank item stems.
//!
//! Given the items of a bank (an id-free [`Entry`] per item: its group, that is its exam, its
//! raw stem and its options), [`find_pairs`] reports every pair of items whose normalized stems
//! are at least as similar as a [`Threshold`] under a [`Metric`]. The result is **exact**: it is
//! the set of pairs that comparing every pair one by one would report, no pair missed and none
//! invented, in a deterministic order whatever the number of threads. [`clusters`] groups the
//! pairs into connected components, [`word_diff`] shows how two stems differ word by word and
//! [`clones`] finds items whose stems differ but whose options and key are the same.
//!
//! ```
//! use qbank_dupes::{Entry, Options, find_pairs, clusters};
//!
//! let entries = vec![
//!     Entry::new("cism", "Which control BEST reduces the risk of data leakage?"),
//!     Entry::new("cism", "Which control best reduces the risk of data leakages?"),
//!     Entry::new("cism", "Who approves the information security strategy?"),
//! ];
//! let pairs = find_pairs(&entries, &Options::default())?;
//! assert_eq!(pairs.len(), 1);
//! assert_eq!((pairs[0].a, pairs[0].b, pairs[0].distance), (0, 1, Some(1)));
//! assert_eq!(clusters(entries.len(), &pairs), vec![vec![0, 1]]);
//! # Ok::<(), qbank_dupes::DupesError>(())
//! ```
//!
//! # Normalization
//!
//! Every stem (and every option text, for [`clones`]) is compared after [`normalize`], which
//! applies, in this order:
//!
//! 1. Unicode normalization form **NFKC** (compatibility forms such as full-width letters,
//!    ligatures and circled digits become their plain equivalents; accents are composed);
//! 2. full Unicode **case folding** of every character (`CaseFolding.txt`, statuses C and F,
//!    which may turn one character into several: `ß` becomes `ss`, a final `ς` becomes `σ`),
//!    then NFKC again where folding left the text outside it;
//! 3. every character that is neither alphanumeric (`char::is_alphanumeric`) nor whitespace
//!    (`char::is_whitespace`) is **dropped**: punctuation and symbols disappear without leaving
//!    a space, so `well-known` becomes `wellknown`;
//! 4. every run of whitespace becomes **one space**, and leading and trailing whitespace is
//!    removed.
//!
//! Lengths and distances are counted in Unicode scalar values (`char`s) of the normalized text.
//!
//! # Metrics
//!
//! * [`Metric::Levenshtein`] (default): `1 - distance / max(len_a, len_b)`, and 1 for two empty
//!   stems (the definition of `strsim::normalized_levenshtein`). A pair is reported when
//!   `distance * q <= (q - p) * max(len_a, len_b)` for the threshold `p / q`, decided in
//!   integers, so a pair exactly at the threshold (33 edits over 220 characters at 0.85) is
//!   reported.
//! * [`Metric::JaroWinkler`]: `strsim::jaro_winkler` of the normalized stems, decided exactly
//!   from its integer parts (matches, transpositions, common prefix).
//! * [`Metric::Dice`]: `strsim::sorensen_dice` of the normalized stems, decided exactly from its
//!   integer parts. Like `strsim`, it ignores whitespace and divides by the byte lengths.
//!
//! A pair `(a, b)` with `a < b` is always evaluated as `metric(stem_a, stem_b)`.
//!
//! # How it stays fast and exact
//!
//! For the default metric, stems are sorted by length and each stem is compared only with the
//! stems in its length window, in tasks of consecutive stems that stream each candidate once.
//! A pair has to pass lower bounds on the edit distance (character counts, bigram counts
//! folded into 256 bins, trigram counts folded into 2,048 bins, then trigram counts hashed
//! into 8,192 codes), each provably at most the distance, before a bit-parallel Levenshtein
//! distance bounded by the largest distance the threshold allows decides it. With
//! [`Options::queries`], only the scopes that hold a query, and within them only the stems
//! whose lengths fall in a query's window, are normalized and sketched. The work is spread
//! over the rayon thread pool and the pairs are sorted at the end. The property tests compare
//! every metric, scope and query mode with brute force. See [`find_pairs`].
#![warn(missing_docs)]

mod cluster;
mod diff;
mod levenshtein;
mod metrics;
mod normalize;
mod reference;
mod threshold;

use std::fmt;
use std::str::FromStr;

pub use cluster::{clones, clusters};
pub use diff::{DiffKind, DiffRun, word_diff};
pub use normalize::normalize;
pub use reference::{Reference, reference_accepts, reference_pairs};
pub use threshold::Threshold;

/// Errors of this crate.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DupesError {
    /// The threshold text is not a plain decimal number.
    #[error("invalid threshold `{0}`: expected a decimal number such as `0.85`")]
    InvalidThreshold(String),
    /// The threshold is outside `[0, 1]`.
    #[error("threshold `{0}` is outside the range 0 to 1")]
    ThresholdOutOfRange(String),
    /// The metric name is not one of the known metrics.
    #[error("unknown metric `{0}`: expected `levenshtein`, `jaro-winkler` or `dice`")]
    UnknownMetric(String),
    /// A query index does not name an entry.
    #[error("query index {index} is out of range for {len} entries")]
    QueryOutOfRange {
        /// The offending index.
        index: usize,
        /// The number of entries.
        len: usize,
    },
}

/// The similarity measure applied to normalized stems.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Normalized Levenshtein similarity, `1 - distance / max(len_a, len_b)`.
    #[default]
    Levenshtein,
    /// Jaro-Winkler similarity as defined by `strsim::jaro_winkler`.
    JaroWinkler,
    /// Sørensen-Dice bigram similarity as defined by `strsim::sorensen_dice`.
    Dice,
}

impl Metric {
    /// Every metric, in a stable order.
    pub const ALL: [Metric; 3] = [Metric::Levenshtein, Metric::JaroWinkler, Metric::Dice];

    /// The user-facing name: `levenshtein`, `jaro-winkler` or `dice`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Levenshtein => "levenshtein",
            Metric::JaroWinkler => "jaro-winkler",
            Metric::Dice => "dice",
        }
    }

    /// The similarity of two already normalized texts, as the reference `strsim` function
    /// computes it. Slow but simple: the exact decision is made by [`find_pairs`].
    pub fn similarity(self, a: &str, b: &str) -> f64 {
        match self {
            Metric::Levenshtein => strsim::normalized_levenshtein(a, b),
            Metric::JaroWinkler => strsim::jaro_winkler(a, b),
            Metric::Dice => strsim::sorensen_dice(a, b),
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Metric {
    type Err = DupesError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Metric::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| DupesError::UnknownMetric(s.to_owned()))
    }
}

/// One answer option of an item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemOption {
    /// The raw option text.
    pub text: String,
    /// Whether the option is (part of) the key.
    pub key: bool,
}

/// One item as the detector sees it. Results refer to entries by their index in the slice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// The group of the item, usually its exam; pairs stay inside a group unless
    /// [`Options::across_groups`] is set.
    pub group: String,
    /// The raw stem text.
    pub stem: String,
    /// The options, used by [`clones`] only.
    pub options: Vec<ItemOption>,
}

impl Entry {
    /// An entry with no options.
    pub fn new(group: impl Into<String>, stem: impl Into<String>) -> Self {
        Self {
            group: group.into(),
            stem: stem.into(),
            options: Vec::new(),
        }
    }
}

/// What [`find_pairs`] looks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The similarity a pair must reach; default 0.85.
    pub threshold: Threshold,
    /// The similarity measure; default Levenshtein.
    pub metric: Metric,
    /// Also pair items of different groups; default false.
    pub across_groups: bool,
    /// When set, report only pairs that involve at least one of these entry indices (the
    /// changed items), each compared with the whole bank.
    pub queries: Option<Vec<usize>>,
}

/// Two entries whose stems reach the threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair {
    /// The smaller entry index.
    pub a: usize,
    /// The larger entry index.
    pub b: usize,
    /// The similarity under the chosen metric, as `strsim` computes it.
    pub similarity: f64,
    /// The Levenshtein distance of the normalized stems, for [`Metric::Levenshtein`].
    pub distance: Option<usize>,
}

/// How many pairs each stage of a search let through, for reports and tuning.
///
/// For [`Metric::Levenshtein`]: pairs in the length windows, then those passing the character
/// bound, the folded bigram bound, the folded trigram bound and the trigram bound (whose
/// distance is then computed). For the other metrics, every stage counts the pairs compared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SearchStats {
    /// Pairs of the same scope whose lengths allow the threshold.
    pub window_pairs: u64,
    /// Of those, pairs passing the character-count bound.
    pub after_characters: u64,
    /// Of those, pairs passing the folded bigram bound.
    pub after_bigrams: u64,
    /// Of those, pairs passing the folded trigram bound (all of them in a query search, which
    /// computes trigrams on demand and has no trigram sketches).
    pub after_trigram_sketch: u64,
    /// Of those, pairs passing the trigram bound, whose distance is computed.
    pub verified: u64,
}

/// Progress of a running search: `(done, total)` in units of compared stems. Called from worker
/// threads, with `done` increasing up to `total`.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Every pair of entries whose normalized stems reach `options.threshold` under
/// `options.metric`, sorted by `(a, b)` with `a < b`.
///
/// The result equals that of comparing every pair (of the same group, unless
/// `options.across_groups`) one by one. With `options.queries`, it equals the subset of the full
/// result whose pairs involve at least one query.
pub fn find_pairs(entries: &[Entry], options: &Options) -> Result<Vec<Pair>, DupesError> {
    find_pairs_with_progress(entries, options, &|_, _| {})
}

/// [`find_pairs`] with a progress callback, for a progress bar.
pub fn find_pairs_with_progress(
    entries: &[Entry],
    options: &Options,
    progress: Progress<'_>,
) -> Result<Vec<Pair>, DupesError> {
    find_pairs_with_stats(entries, options, progress).map(|(pairs, _)| pairs)
}

/// [`find_pairs_with_progress`], also returning how many pairs each stage let through.
pub fn find_pairs_with_stats(
    entries: &[Entry],
    options: &Options,
    progress: Progress<'_>,
) -> Result<(Vec<Pair>, SearchStats), DupesError> {
    if let Some(queries) = &options.queries
        && let Some(&index) = queries.iter().find(|&&i| i >= entries.len())
    {
        return Err(DupesError::QueryOutOfRange {
            index,
            len: entries.len(),
        });
    }
    let scopes = scopes(entries, options);
    let (mut pairs, stats) = match options.metric {
        Metric::Levenshtein => levenshtein::find(entries, &scopes, options, progress),
        Metric::JaroWinkler | Metric::Dice => metrics::find(entries, &scopes, options, progress),
    };
    pairs.sort_by_key(|p| (p.a, p.b));
    pairs.dedup_by_key(|p| (p.a, p.b));
    Ok((pairs, stats))
}

/// The comparison scopes: groups of entry indices (ascending) whose members may pair, each with
/// the subset of its members that are queries (all of them when there are no queries).
pub(crate) struct Scope {
    pub(crate) members: Vec<usize>,
    pub(crate) queries: Option<Vec<usize>>,
}

fn scopes(entries: &[Entry], options: &Options) -> Vec<Scope> {
    let mut by_group: Vec<Vec<usize>> = if options.across_groups {
        vec![(0..entries.len()).collect()]
    } else {
        let mut map: std::collections::BTreeMap<&str, Vec<usize>> =
            std::collections::BTreeMap::new();
        for (i, e) in entries.iter().enumerate() {
            map.entry(e.group.as_str()).or_default().push(i);
        }
        map.into_values().collect()
    };
    by_group.retain(|members| !members.is_empty());
    let query_flags: Option<Vec<bool>> = options.queries.as_ref().map(|queries| {
        let mut flags = vec![false; entries.len()];
        for &q in queries {
            flags[q] = true;
        }
        flags
    });
    by_group
        .into_iter()
        .map(|members| {
            let queries = query_flags
                .as_ref()
                .map(|flags| members.iter().copied().filter(|&i| flags[i]).collect());
            Scope { members, queries }
        })
        .collect()
}
