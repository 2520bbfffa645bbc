use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an item that lists its own id in `enemies`.
    ///
    /// ## Why is this bad?
    /// It is always a copy-paste slip, and it hides the enemy the writer meant to name.
    ///
    /// ## Example
    /// ```toml
    /// id = "CISM-0001"
    /// enemies = ["CISM-0001"]
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// id = "CISM-0001"
    /// enemies = ["CISM-0042"]
    /// ```
    pub(crate) struct SelfEnemy {
        code: "QB405",
        name: "self-enemy",
        severity: Error,
        summary: "An item lists itself as an enemy",
    }
}

impl ItemRule for SelfEnemy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        for enemy in item.enemies.iter().filter(|e| e.value == item.id.value) {
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        enemy.range,
                        format!("item `{}` lists itself as an enemy", item.id.value),
                    )
                    .with_help("name the other item, or remove the entry"),
            );
        }
    }
}
