use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a domain id, or a task id, used twice in one blueprint.
    ///
    /// ## Why is this bad?
    /// Items name domains and tasks by id; a repeated id makes it ambiguous which one an item
    /// belongs to.
    ///
    /// ## Example
    /// ```toml
    /// [[domains]]
    /// id = "1"
    /// tasks = [{ id = "1A", title = "Governance" }, { id = "1A", title = "Strategy" }]
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[domains]]
    /// id = "1"
    /// tasks = [{ id = "1A", title = "Governance" }, { id = "1B", title = "Strategy" }]
    /// ```
    pub(crate) struct DuplicateBlueprintEntry {
        code: "QB415",
        name: "duplicate-blueprint-entry",
        severity: Error,
        summary: "A domain or task id appears more than once in a blueprint",
    }
}
