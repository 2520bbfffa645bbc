use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a file larger than `max_file_size` in `qbank.toml` (default 1 MiB) and skips it.
    ///
    /// ## Why is this bad?
    /// No item needs a megabyte of text; such a file is usually an export or a binary saved
    /// under `items/` by mistake, and reading it would slow every run.
    ///
    /// ## Example
    /// ```toml
    /// # items/cism/d1/CISM-0001.toml, 12 MB
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// # keep large assets in media/ and reference them as exhibits
    /// exhibits = [{ file = "diagram.png", alt = "Network zones" }]
    /// ```
    pub(crate) struct FileTooLarge {
        code: "QB105",
        name: "file-too-large",
        severity: Error,
        summary: "The file is larger than `max_file_size`",
    }
}
