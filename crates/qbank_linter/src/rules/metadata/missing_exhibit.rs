use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an exhibit whose `file` does not exist under the bank's `media/` folder.
    ///
    /// ## Why is this bad?
    /// The candidate would see a broken image, and exports would fail or ship without it.
    ///
    /// ## Example
    /// ```toml
    /// exhibits = [{ file = "network-zone.png", alt = "Three zones" }]
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// exhibits = [{ file = "network-zones.png", alt = "Three zones" }]
    /// ```
    pub(crate) struct MissingExhibit {
        code: "QB410",
        name: "missing-exhibit",
        severity: Error,
        summary: "An exhibit file does not exist",
    }
}

impl ItemRule for MissingExhibit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        for exhibit in &item.exhibits {
            if crate::rules::exhibit_location(ctx.bank, &exhibit.file.value)
                != crate::rules::ExhibitLocation::Missing
            {
                continue;
            }
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        exhibit.file.range,
                        format!(
                            "exhibit `{}` does not exist in `media/`",
                            exhibit.file.value
                        ),
                    )
                    .with_help("add the file to the bank's `media/` folder, or correct the path"),
            );
        }
    }
}
