use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a rule code or name in a `# qbank: allow` comment that names no rule.
    ///
    /// ## Why is this bad?
    /// The comment silences nothing, so the finding it was meant for still fails the run, or a
    /// mistyped code hides which rule the writer meant.
    ///
    /// ## Example
    /// ```toml
    /// # qbank: allow QB3O1 -- the letter O instead of a zero
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// # qbank: allow QB301 -- both options quote the statute
    /// ```
    pub(crate) struct UnknownSuppression {
        code: "QB113",
        name: "unknown-suppression",
        severity: Error,
        summary: "A suppression names no rule",
    }
}
