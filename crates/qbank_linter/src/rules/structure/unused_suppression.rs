use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a rule named in a `# qbank: allow` comment that finds nothing in the item.
    ///
    /// ## Why is this bad?
    /// Once the item has been fixed, a stale suppression would silently hide the next real
    /// finding of that rule in the item.
    ///
    /// ## Example
    /// ```toml
    /// # qbank: allow QB301 -- two options were identical (they no longer are)
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// # (remove the comment)
    /// ```
    pub(crate) struct UnusedSuppression {
        code: "QB114",
        name: "unused-suppression",
        severity: Warning,
        summary: "A suppression that silences nothing",
    }
}
