use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `# qbank: allow ...` comment that gives no reason after `--`, or that is not of
    /// the form `# qbank: allow CODE[, CODE...] -- reason`.
    ///
    /// ## Why is this bad?
    /// A silenced rule is a decision a reviewer must be able to understand later; without a
    /// reason, nobody can tell a deliberate exception from a shortcut.
    ///
    /// ## Example
    /// ```toml
    /// # qbank: allow QB301
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// # qbank: allow QB301 -- both options quote the statute; candidates must tell them apart
    /// ```
    pub(crate) struct UnexplainedSuppression {
        code: "QB112",
        name: "unexplained-suppression",
        severity: Error,
        summary: "A suppression comment without a reason",
    }
}
