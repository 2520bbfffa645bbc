use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an id in `enemies` that no item of the bank has.
    ///
    /// ## Why is this bad?
    /// Form assembly keeps enemies apart; an enemy that does not exist (a typo, or a deleted item)
    /// protects nothing, and the pair it was meant to separate can meet on a form.
    ///
    /// ## Example
    /// ```toml
    /// enemies = ["CISM-0420"]   # no such item
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// enemies = ["CISM-0042"]
    /// ```
    pub(crate) struct UnknownEnemy {
        code: "QB404",
        name: "unknown-enemy",
        severity: Error,
        summary: "An enemy names no item",
    }
}
