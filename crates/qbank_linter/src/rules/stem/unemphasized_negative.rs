use qbank_model::Item;

use super::{is_capitals, question_negatives};
use crate::registry::declare_rule;
use crate::rules::text::value_span;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a negative word in the question a stem asks (`not`, `except`, `least`, `false`)
    /// that is not written in capitals.
    ///
    /// Only the question counts: its last sentence, before an instruction such as
    /// "(Choose TWO.)". A negative in the scenario before it is fine ("The plan was not
    /// tested."), and so is one in an idiom ("at least", "not only", "false positives") or in a
    /// subordinate clause of the question ("Which control protects data that is not
    /// encrypted?"), because there it does not turn the question around. "NOTE" or "leastwise"
    /// are other words.
    ///
    /// The negative words are built in; this rule has no settings.
    ///
    /// ## Why is this bad?
    /// Candidates read fast and expect a positive question. A lowercase negative is easy to miss,
    /// so the item measures reading care instead of knowledge. Item-writing guides ask for the
    /// negative in capitals (or for a positive question).
    ///
    /// ## Example
    /// ```toml
    /// stem = "Which of the following is not a preventive control?"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// stem = "Which of the following is NOT a preventive control?"
    /// ```
    pub(crate) struct UnemphasizedNegative {
        code: "QB201",
        name: "unemphasized-negative",
        severity: Warning,
        summary: "A negative in the question is not in capitals",
    }
}

impl ItemRule for UnemphasizedNegative {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        for (range, word) in question_negatives(&item.stem.value, ctx.words.question()) {
            if is_capitals(word) {
                continue;
            }
            let upper = word.to_uppercase();
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        value_span(ctx.file.text(), &item.stem, range),
                        format!("negative `{word}` in the question is not in capitals"),
                    )
                    .with_help(format!(
                        "write `{upper}` so candidates cannot miss it, or ask the question \
                         positively"
                    )),
            );
        }
    }
}
