use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an item with `status = "approved"` and no `rationale`.
    ///
    /// ## Why is this bad?
    /// The rationale is what reviewers check the key against and what candidates see after
    /// answering; an approved item without one has not really been reviewed.
    ///
    /// ## Example
    /// ```toml
    /// status = "approved"
    /// # no rationale
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// status = "approved"
    /// rationale = "The risk owner decides; the manager advises and the auditor assures."
    /// ```
    pub(crate) struct ApprovedWithoutRationale {
        code: "QB407",
        name: "approved-without-rationale",
        severity: Error,
        summary: "An approved item has no rationale",
    }
}

impl ItemRule for ApprovedWithoutRationale {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        if item.status.value != qbank_model::Status::Approved || item.rationale.is_some() {
            return;
        }
        ctx.report(
            Self::META
                .diagnostic(ctx.file, item.status.range, "approved item has no `rationale`")
                .with_help("explain why the key is right and each distractor is wrong, or set `status = \"review\"`"),
        );
    }
}
