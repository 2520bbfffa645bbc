use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a value that the JSON Schema in `schemas/` does not allow: the wrong type, a
    /// value outside an enumeration or range, text of the wrong form, an empty string, a list
    /// with repeated entries, a date written as a quoted string, or options with no key.
    ///
    /// ## Why is this bad?
    /// The schema is the contract between item writers, qbank and the delivery apps; a value it
    /// rejects means something different from what the writer intended, or nothing at all.
    ///
    /// ## Example
    /// ```toml
    /// status = "aproved"
    /// difficulty = 7
    /// created = "2026-11-21"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// status = "approved"
    /// difficulty = 4
    /// created = 2026-11-21
    /// ```
    pub(crate) struct InvalidValue {
        code: "QB101",
        name: "invalid-value",
        severity: Error,
        summary: "A value breaks the schema",
    }
}
