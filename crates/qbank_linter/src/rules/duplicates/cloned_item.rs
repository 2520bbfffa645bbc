use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports items of one exam whose stems differ but whose options are the same: the same
    /// option texts (after the normalization of QB501, in any order) and the same key. The
    /// finding is on each later item, in path order, and points at the first.
    ///
    /// ## Why is this bad?
    /// An item copied to start a new one and given a new stem, but not new options, is either
    /// an unfinished item or two questions with one answer; a candidate who meets both on a
    /// form answers the second from the first.
    ///
    /// ## Example
    /// ```toml
    /// # CISM-0101.toml
    /// stem = "Who should accept a residual risk?"
    /// # CISM-0202.toml: new stem, same options and key
    /// stem = "Who owns the decision to retire a legacy system?"
    /// ```
    ///
    /// Use instead: write options that answer the new stem.
    pub(crate) struct ClonedItem {
        code: "QB502",
        name: "cloned-item",
        severity: Warning,
        summary: "Two items have different stems but the same options and key",
    }
}
