use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an exhibit whose `alt` text is empty or blank.
    ///
    /// ## Why is this bad?
    /// Candidates who use screen readers cannot answer an item whose exhibit they cannot perceive,
    /// and accessibility rules for high-stakes exams require a text alternative.
    ///
    /// ## Example
    /// ```toml
    /// exhibits = [{ file = "zones.png", alt = "" }]
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// exhibits = [{ file = "zones.png", alt = "Three network zones separated by two firewalls" }]
    /// ```
    pub(crate) struct MissingAltText {
        code: "QB412",
        name: "missing-alt-text",
        severity: Error,
        summary: "An exhibit has no alternative text",
    }
}

impl ItemRule for MissingAltText {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        for exhibit in item
            .exhibits
            .iter()
            .filter(|e| e.alt.value.trim().is_empty())
        {
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        exhibit.alt.range,
                        format!("exhibit `{}` has no alternative text", exhibit.file.value),
                    )
                    .with_help(
                        "describe what the exhibit shows that the candidate needs to answer",
                    ),
            );
        }
    }
}
