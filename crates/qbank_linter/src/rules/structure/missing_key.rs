use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a table that lacks a key the schema requires, such as an item without `stem` or
    /// an option without `text`. The diagnostic points at the table that lacks it.
    ///
    /// ## Why is this bad?
    /// Delivery and every other check depend on the required keys being there.
    ///
    /// ## Example
    /// ```toml
    /// [[options]]
    /// correct = true
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[options]]
    /// text = "Assess the risk of the service"
    /// correct = true
    /// ```
    pub(crate) struct MissingKey {
        code: "QB102",
        name: "missing-key",
        severity: Error,
        summary: "A required key is missing",
    }
}
