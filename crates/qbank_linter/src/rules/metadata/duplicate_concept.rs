use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a concept id defined twice in `concepts.toml`.
    ///
    /// ## Why is this bad?
    /// Items name concepts by id; two definitions make the glossary page ambiguous.
    ///
    /// ## Example
    /// ```toml
    /// [[concepts]]
    /// id = "risk-appetite"
    ///
    /// [[concepts]]
    /// id = "risk-appetite"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[concepts]]
    /// id = "risk-appetite"
    ///
    /// [[concepts]]
    /// id = "risk-tolerance"
    /// ```
    pub(crate) struct DuplicateConcept {
        code: "QB417",
        name: "duplicate-concept",
        severity: Error,
        summary: "A concept id appears more than once in the glossary",
    }
}
