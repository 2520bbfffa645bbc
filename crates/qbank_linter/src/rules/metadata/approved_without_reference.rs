use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an item with `status = "approved"` and no entry in `references`.
    ///
    /// ## Why is this bad?
    /// A key that no published source supports cannot be defended when a candidate challenges it.
    ///
    /// ## Example
    /// ```toml
    /// status = "approved"
    /// references = []
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// status = "approved"
    /// references = ["ISO/IEC 27001:2022, clause 6.1.3"]
    /// ```
    pub(crate) struct ApprovedWithoutReference {
        code: "QB408",
        name: "approved-without-reference",
        severity: Error,
        summary: "An approved item has no reference",
    }
}

impl ItemRule for ApprovedWithoutReference {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        if item.status.value != qbank_model::Status::Approved || !item.references.is_empty() {
            return;
        }
        let range = item.key_range("references").unwrap_or(item.status.range);
        ctx.report(
            Self::META
                .diagnostic(ctx.file, range, "approved item has no reference")
                .with_help("cite a source for the key, such as `ISO/IEC 27001:2022, clause 6.1.3`"),
        );
    }
}
