use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a file that is not valid TOML: a syntax error, a duplicate key, a table defined
    /// twice, a string with a control character, or nesting too deep to read.
    ///
    /// ## Why is this bad?
    /// Nothing else about the file can be checked until it parses, and delivery tools cannot read it.
    ///
    /// ## Example
    /// ```toml
    /// stem = "Which control is MOST effective?
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// stem = "Which control is MOST effective?"
    /// ```
    pub(crate) struct InvalidToml {
        code: "QB100",
        name: "invalid-toml",
        severity: Error,
        summary: "The file is not valid TOML",
    }
}
