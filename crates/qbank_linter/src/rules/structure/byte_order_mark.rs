use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a file that starts with a UTF-8 byte order mark (U+FEFF).
    ///
    /// ## Why is this bad?
    /// TOML readers accept it, but many tools that concatenate or diff files do not, and it
    /// shows up as an invisible first character in exports.
    ///
    /// ## Example
    /// ```toml
    /// <U+FEFF>id = "CISM-0001"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// id = "CISM-0001"
    /// ```
    pub(crate) struct ByteOrderMark {
        code: "QB107",
        name: "byte-order-mark",
        severity: Warning,
        summary: "The file starts with a byte order mark",
    }
}
