use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an item (or blueprint) whose file is not named `<id>.toml`.
    ///
    /// ## Why is this bad?
    /// Writers and reviewers find items by file name; a mismatch sends them to the wrong item
    /// and lets two files claim one id unnoticed.
    ///
    /// ## Example
    /// ```toml
    /// # items/cism/d1/CISM-0001.toml
    /// id = "CISM-0011"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// # items/cism/d1/CISM-0011.toml
    /// id = "CISM-0011"
    /// ```
    pub(crate) struct IdFileNameMismatch {
        code: "QB111",
        name: "id-file-name-mismatch",
        severity: Error,
        summary: "The file is not named after the id",
    }
}

impl ItemRule for IdFileNameMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        if let Some(diagnostic) = id_file_name_mismatch(ctx.file, ctx.path, &item.id) {
            ctx.report(diagnostic);
        }
    }
}

/// Builds QB111 when `id` is not the file's stem; shared with the blueprint check.
pub(crate) fn id_file_name_mismatch(
    file: &qbank_diagnostics::SourceFile,
    path: &std::path::Path,
    id: &qbank_model::Spanned<String>,
) -> Option<qbank_diagnostics::Diagnostic> {
    let stem = path.file_stem()?.to_string_lossy();
    if stem == id.value.as_str() {
        return None;
    }
    Some(
        IdFileNameMismatch::META
            .diagnostic(
                file,
                id.range,
                format!(
                    "id `{}` does not match the file name `{stem}.toml`",
                    id.value
                ),
            )
            .with_help(format!(
                "rename the file to `{}.toml`, or change the id",
                id.value
            )),
    )
}
