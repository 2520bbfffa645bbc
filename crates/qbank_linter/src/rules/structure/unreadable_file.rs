use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a file that cannot be read as text: permission denied, a symbolic link loop, or
    /// bytes that are not UTF-8 (the diagnostic points at the first bad byte).
    ///
    /// ## Why is this bad?
    /// The item cannot be checked, delivered or reviewed; in a repository it usually means a
    /// file saved in a legacy encoding such as Windows-1252.
    ///
    /// ## Example
    /// ```toml
    /// stem = "Which r\xE9sum\xE9 check ..."   # Latin-1 bytes, not UTF-8
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// stem = "Which résumé check ..."         # saved as UTF-8
    /// ```
    pub(crate) struct UnreadableFile {
        code: "QB104",
        name: "unreadable-file",
        severity: Error,
        summary: "The file cannot be read as UTF-8 text",
    }
}
