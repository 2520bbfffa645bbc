use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a file under `items/` whose name does not end in `.toml`.
    ///
    /// ## Why is this bad?
    /// qbank reads only TOML items, so an item saved as `CISM-0001.tml` or `CISM-0001.toml.bak`
    /// silently leaves the bank. Exclude intended files with `exclude` in `qbank.toml`.
    ///
    /// ## Example
    /// ```toml
    /// # items/cism/CISM-0001.toml.orig, left over from a merge
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// # delete the file, or in qbank.toml:
    /// exclude = ["**/*.orig"]
    /// ```
    pub(crate) struct StrayFile {
        code: "QB109",
        name: "stray-file",
        severity: Warning,
        summary: "A file under `items/` that is not TOML",
    }
}
