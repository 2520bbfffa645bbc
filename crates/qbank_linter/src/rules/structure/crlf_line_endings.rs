use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a file with Windows line endings (CRLF). Positions in diagnostics are right
    /// either way; this is advice, off the failing path.
    ///
    /// ## Why is this bad?
    /// Mixed line endings make diffs noisy and multi-line stems carry a stray `\r` into packs.
    /// Set `* text=auto eol=lf` in `.gitattributes` to keep them out.
    ///
    /// ## Example
    /// ```toml
    /// id = "CISM-0001"\r\n
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// id = "CISM-0001"\n
    /// ```
    pub(crate) struct CrlfLineEndings {
        code: "QB108",
        name: "crlf-line-endings",
        severity: Info,
        summary: "The file uses CRLF line endings",
    }
}
