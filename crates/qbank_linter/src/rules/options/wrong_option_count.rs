use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an item whose number of options differs from `options_per_item` in its exam's
    /// blueprint.
    ///
    /// ## Why is this bad?
    /// Programs fix the option count so that every item offers the same chance of guessing and
    /// forms look alike; an item with three options where the exam uses four is easier to guess.
    ///
    /// ## Example
    /// ```toml
    /// # blueprint: options_per_item = 4
    /// [[options]]
    /// text = "Accept the risk"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Transfer the risk"
    ///
    /// [[options]]
    /// text = "Avoid the risk"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[options]]
    /// text = "Mitigate the risk"   # a fourth plausible option
    /// ```
    pub(crate) struct WrongOptionCount {
        code: "QB303",
        name: "wrong-option-count",
        severity: Error,
        summary: "The option count differs from the blueprint's `options_per_item`",
    }
}

impl ItemRule for WrongOptionCount {
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
        let Some(required) = &blueprint.options_per_item else {
            return;
        };
        let found = item.options.len();
        if i64::try_from(found).is_ok_and(|found| found == required.value) {
            return;
        }
        let range = item.key_range("options").unwrap_or(item.id.range);
        ctx.report(
            Self::META
                .diagnostic(
                    ctx.file,
                    range,
                    format!(
                        "item has {found} options; blueprint `{}` requires {}",
                        blueprint.id.value, required.value
                    ),
                )
                .with_help(format!("write exactly {} options", required.value)),
        );
    }
}
