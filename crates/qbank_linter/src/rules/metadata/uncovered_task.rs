use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a task of a blueprint in force that no approved item of its exam is tagged with.
    ///
    /// ## Why is this bad?
    /// The outline promises candidates that every task may be tested. A task without items is
    /// never on a form, and a program cannot show that the exam covers its outline.
    ///
    /// ## Example
    /// ```toml
    /// [[domains]]
    /// id = "1"
    /// tasks = [{ id = "1A", title = "Enterprise governance" }] # no item has task = "1A"
    /// ```
    ///
    /// Use instead: write items for the task, or tag existing items that test it.
    pub(crate) struct UncoveredTask {
        code: "QB419",
        name: "uncovered-task",
        severity: Warning,
        summary: "A blueprint task has no approved items",
    }
}
