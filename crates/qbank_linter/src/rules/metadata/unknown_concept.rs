use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an id in an item's `concepts`, or in a concept's `related`, that
    /// `concepts.toml` does not define.
    ///
    /// ## Why is this bad?
    /// Apps build glossary pages and quizzes from concepts; an unknown id is a page with no
    /// definition, or an item missing from its concept's quiz.
    ///
    /// ## Example
    /// ```toml
    /// concepts = ["risk-apetite"]
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// concepts = ["risk-appetite"]
    /// ```
    pub(crate) struct UnknownConcept {
        code: "QB413",
        name: "unknown-concept",
        severity: Error,
        summary: "A concept id is not in the glossary",
    }
}

impl ItemRule for UnknownConcept {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        if ctx.bank.concepts_broken {
            return;
        }
        for concept in &item.concepts {
            if ctx.bank.concepts.contains(&concept.value) {
                continue;
            }
            let help = match ctx.bank.closest_concept(&concept.value) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "add the concept to `concepts.toml`, or use an id defined there".to_owned(),
            };
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        concept.range,
                        format!("concept `{}` is not in `concepts.toml`", concept.value),
                    )
                    .with_help(help),
            );
        }
    }
}
