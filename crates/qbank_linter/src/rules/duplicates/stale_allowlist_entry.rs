use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an entry of `dupes-allowlist.toml` that no longer allows anything: an id that
    /// no item has, or a pair whose stems are no longer near-duplicates (QB501 would not
    /// report it), or a pair already listed above. A pair of items of two exams allows
    /// nothing unless `across_exams = true` under `[dupes]`, since only then are they
    /// compared; the finding says so.
    ///
    /// A check of some items (paths, `--changed-since`) judges the entries that name one of
    /// them, or an item the change deleted; repeated entries are judged by a full check.
    ///
    /// ## Why is this bad?
    /// An entry outlives the pair it was written for when an item is deleted, renumbered or
    /// reworded. Left in place, it would silently accept a new near-duplicate that reuses the
    /// ids, without anyone reviewing it.
    ///
    /// ## Example
    /// ```toml
    /// [[allow]]
    /// items = ["CISM-0101", "CISM-0999"] # CISM-0999 was deleted
    /// reason = "Reviewed 2026-03-02"
    /// ```
    ///
    /// Use instead: remove the entry.
    pub(crate) struct StaleAllowlistEntry {
        code: "QB503",
        name: "stale-allowlist-entry",
        severity: Warning,
        summary: "An allowlist entry matches no near-duplicate pair",
    }
}
