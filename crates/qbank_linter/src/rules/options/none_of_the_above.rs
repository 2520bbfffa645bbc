use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::options::all_of_the_above::collective_phrase;
use crate::rules::text::value_span;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an option that says none of the other options is right: "none of the above",
    /// "none the above", "none above", "none of these", "none of them", "none of the options"
    /// (or answers, choices, responses, alternatives, statements), "none of the preceding",
    /// "none are correct", and the same with "neither", in any case and with any punctuation.
    ///
    /// A lone "None", a real answer to "How many ...?", is not reported, nor is "None of these
    /// controls", which describes something else.
    ///
    /// ## Why is this bad?
    /// As a distractor it is rarely plausible, so the item has one option fewer than it seems.
    /// As the key it rewards a candidate for knowing what is wrong, not what is right, and it
    /// invites arguments that some unlisted answer is better. It also stops making sense when
    /// delivery shuffles it away from the last place.
    ///
    /// Some programs allow the option. They can turn the rule off in `qbank.toml`:
    ///
    /// ```toml
    /// [rules]
    /// none-of-the-above = "off"
    /// ```
    ///
    /// and keep the option last with `fixed = true` (or `shuffle = false` on the item).
    ///
    /// ## Example
    /// ```toml
    /// [[options]]
    /// text = "Recovery time objective"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Recovery point objective"
    ///
    /// [[options]]
    /// text = "Maximum tolerable downtime"
    ///
    /// [[options]]
    /// text = "None of the above"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[options]]
    /// text = "Service delivery objective"
    /// ```
    pub(crate) struct NoneOfTheAbove {
        code: "QB305",
        name: "none-of-the-above",
        severity: Warning,
        summary: "An option says \"none of the above\"",
    }
}

impl ItemRule for NoneOfTheAbove {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        for (index, option) in item.options.iter().enumerate() {
            let Some(phrase) = collective_phrase(&ctx.words.options[index], &["none", "neither"])
            else {
                continue;
            };
            let said = &option.text.value[phrase.clone()];
            let range = value_span(ctx.file.text(), &option.text, phrase.clone());
            let stays_last = !item.shuffles() || option.fixed.as_ref().is_some_and(|f| f.value);
            let help = if stays_last {
                "replace this option with a plausible distractor"
            } else {
                "replace this option with a plausible distractor; if your program allows it, \
                 keep it last with `fixed = true`"
            };
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        range,
                        format!("option {} says `{said}`", option_label(index)),
                    )
                    .with_help(help),
            );
        }
    }
}
