use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports two items of one exam whose stems are near-duplicates: their similarity, after
    /// normalization, is at or above `threshold` under `[dupes]` in `qbank.toml` (default
    /// 0.85). The finding is on the later item, in path order, and points at the earlier one.
    ///
    /// Stems are compared after Unicode NFKC normalization, case folding, dropping punctuation
    /// and collapsing whitespace. The default measure is normalized Levenshtein similarity:
    /// 1 − edits ÷ characters of the longer stem, decided in whole numbers, so at 0.85 a pair
    /// 15 edits apart in 100 characters is reported and one 16 edits apart is not. `metric`
    /// under `[dupes]` picks `jaro-winkler` or `dice` instead. Items of different exams are
    /// compared only with `across_exams = true`. Every pair is found: the search prunes only
    /// pairs that provably fall below the threshold.
    ///
    /// A pair that reviewers accepted as two distinct questions goes in the bank's
    /// `dupes-allowlist.toml` with a reason, and is no longer reported. `qbank dupes` shows
    /// the pairs grouped into clusters, with a word-level diff of each pair.
    ///
    /// ## Why is this bad?
    /// The same question under two ids inflates the pool: the blueprint's pool depth counts
    /// it twice, and a form that draws both gives a candidate the answer to one from the
    /// other. A retired item that comes back reworded brings its exposure with it.
    ///
    /// ## Example
    /// ```toml
    /// # CISM-0101.toml
    /// stem = "What should an information security manager do FIRST after a breach?"
    /// # CISM-0202.toml
    /// stem = "What should the information security manager do FIRST after a breach?"
    /// ```
    ///
    /// Use instead: retire one of the two, or make them test different things, or, when
    /// they do, record that in the allowlist:
    /// ```toml
    /// # dupes-allowlist.toml
    /// [[allow]]
    /// items = ["CISM-0101", "CISM-0202"]
    /// reason = "Same opening, different scenarios in the options; reviewed by a.roe"
    /// ```
    pub(crate) struct NearDuplicateStem {
        code: "QB501",
        name: "near-duplicate-stem",
        severity: Error,
        summary: "Two items have near-duplicate stems",
    }
}
