use qbank_model::{Item, ItemType};

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an item whose number of keys (`correct = true`) does not fit its `type`: a
    /// `single` item needs exactly one key; a `multiple` item needs at least two, and not all.
    ///
    /// ## Why is this bad?
    /// Delivery scores a single-response item against one key; two keys make one of them
    /// unreachable. A multiple-response item whose every option is a key needs no thought.
    ///
    /// ## Example
    /// ```toml
    /// type = "single"
    ///
    /// [[options]]
    /// text = "Accept the risk"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Transfer the risk"
    /// correct = true
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// type = "multiple"   # and say in the stem how many to choose
    /// ```
    pub(crate) struct WrongKeyCount {
        code: "QB302",
        name: "wrong-key-count",
        severity: Error,
        summary: "The number of keys does not fit the item type",
    }
}

impl ItemRule for WrongKeyCount {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let keys = item.key_indices().count();
        let options = item.options.len();
        let (message, help) = match item.item_type.value {
            ItemType::Single if keys != 1 => (
                format!("a `single` item needs exactly one key, found {keys}"),
                "keep `correct = true` on one option, or set `type = \"multiple\"`",
            ),
            ItemType::Multiple if keys < 2 => (
                format!("a `multiple` item needs at least two keys, found {keys}"),
                "mark every key with `correct = true`, or set `type = \"single\"`",
            ),
            ItemType::Multiple if keys == options => (
                format!("every one of the {options} options is a key"),
                "add a plausible distractor, or remove `correct = true` from an option",
            ),
            _ => return,
        };
        ctx.report(
            Self::META
                .diagnostic(ctx.file, item.item_type.range, message)
                .with_help(help),
        );
    }
}
