use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an item whose `updated` date is earlier than its `created` date.
    ///
    /// ## Why is this bad?
    /// One of the dates is wrong, and review and retirement schedules that depend on them go wrong
    /// with it.
    ///
    /// ## Example
    /// ```toml
    /// created = 2026-03-01
    /// updated = 2026-01-15
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// created = 2026-01-15
    /// updated = 2026-03-01
    /// ```
    pub(crate) struct UpdatedBeforeCreated {
        code: "QB406",
        name: "updated-before-created",
        severity: Error,
        summary: "`updated` is before `created`",
    }
}

impl ItemRule for UpdatedBeforeCreated {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let (Some(created), Some(updated)) = (&item.created, &item.updated) else {
            return;
        };
        if updated.value >= created.value {
            return;
        }
        ctx.report(
            Self::META
                .diagnostic(
                    ctx.file,
                    updated.range,
                    format!(
                        "`updated` ({}) is before `created` ({})",
                        updated.value, created.value
                    ),
                )
                .with_secondary(qbank_diagnostics::Annotation::labelled(
                    ctx.file.clone(),
                    created.range,
                    "created here",
                ))
                .with_help("correct whichever date is wrong"),
        );
    }
}
