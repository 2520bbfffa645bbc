use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an exhibit path that is absolute, climbs out with `..`, or is a symbolic link
    /// that resolves outside the bank's `media/` folder.
    ///
    /// ## Why is this bad?
    /// Packs bundle `media/` only; a path outside it works on the writer's machine and nowhere
    /// else, and could pull private files into a pack.
    ///
    /// ## Example
    /// ```toml
    /// exhibits = [{ file = "../../secret/plan.png", alt = "Plan" }]
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// exhibits = [{ file = "plan.png", alt = "Plan" }]
    /// ```
    pub(crate) struct ExhibitOutsideMedia {
        code: "QB411",
        name: "exhibit-outside-media",
        severity: Error,
        summary: "An exhibit path leaves the media folder",
    }
}

impl ItemRule for ExhibitOutsideMedia {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        for exhibit in &item.exhibits {
            let crate::rules::ExhibitLocation::Outside(why) =
                crate::rules::exhibit_location(ctx.bank, &exhibit.file.value)
            else {
                continue;
            };
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        exhibit.file.range,
                        format!("exhibit `{}` {why}", exhibit.file.value),
                    )
                    .with_help("give a path relative to `media/`, such as `network-zones.png`"),
            );
        }
    }
}
