use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an item whose `domain` is not a domain id of its exam's blueprint.
    ///
    /// ## Why is this bad?
    /// Blueprint coverage, form assembly and per-domain exports count items by domain; an item in
    /// a domain the blueprint lacks is invisible to all of them.
    ///
    /// ## Example
    /// ```toml
    /// exam = "cism"
    /// domain = "5"   # cism-2022 has domains 1 to 4
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// domain = "4"
    /// ```
    pub(crate) struct UnknownDomain {
        code: "QB402",
        name: "unknown-domain",
        severity: Error,
        summary: "The domain is not in the exam's blueprint",
    }
}

impl ItemRule for UnknownDomain {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        if ctx.bank.exam_unsure(&item.exam.value) {
            return;
        }
        let Some(blueprint) = ctx.bank.blueprint_for(&item.exam.value) else {
            return;
        };
        if blueprint.domain(&item.domain.value).is_some() {
            return;
        }
        let domains: Vec<String> = blueprint
            .domains
            .iter()
            .map(|d| format!("`{}`", d.id.value))
            .collect();
        ctx.report(
            Self::META
                .diagnostic(
                    ctx.file,
                    item.domain.range,
                    format!(
                        "domain `{}` is not in blueprint `{}`",
                        item.domain.value, blueprint.id.value
                    ),
                )
                .with_help(format!("use one of {}", domains.join(", "))),
        );
    }
}
