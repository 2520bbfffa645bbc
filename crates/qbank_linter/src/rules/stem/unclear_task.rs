use qbank_model::Item;

use super::is_one_of;
use crate::registry::declare_rule;
use crate::rules::text::{value_span, words};
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::TASK_VERBS;

declare_rule! {
    /// ## What it does
    /// Reports a stem that asks no question: it has no question mark, and its last sentence
    /// neither ends in a colon or a blank (`___`, or an ellipsis) nor starts with an imperative
    /// task verb such as "Select" or "Identify". An instruction such as "(Choose TWO.)" after the
    /// question is not its last sentence.
    ///
    /// The task verbs are choose, select, identify, determine, indicate, pick, rank, arrange,
    /// match, complete, calculate and classify; this rule has no settings.
    ///
    /// ## Why is this bad?
    /// A stem that only describes a situation leaves candidates to guess what is asked (the
    /// cause? the first step? the best control?), so they answer different questions and the
    /// item no longer measures one thing. A stem should pose the problem fully, so that a
    /// candidate who covers the options could still answer it.
    ///
    /// ## Example
    /// ```toml
    /// stem = "A bank's business units deploy cloud services without telling the security team."
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// stem = """
    /// A bank's business units deploy cloud services without telling the security team. What
    /// should the information security manager do FIRST?"""
    /// ```
    pub(crate) struct UnclearTask {
        code: "QB202",
        name: "unclear-task",
        severity: Warning,
        summary: "The stem asks no clear question",
    }
}

impl ItemRule for UnclearTask {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let stem = &item.stem.value;
        // A blank stem is QB115's finding.
        if stem.trim().is_empty() || asks_a_question(stem) {
            return;
        }
        let range = ctx.words.question();
        let last = stem[range.clone()].trim_end();
        let first = words(last).next().map(|(_, w)| w);
        if last.ends_with(':')
            || ends_in_blank(last)
            || first.is_some_and(|w| is_one_of(w, TASK_VERBS))
        {
            return;
        }
        ctx.report(
            Self::META
                .diagnostic(
                    ctx.file,
                    value_span(
                        ctx.file.text(),
                        &item.stem,
                        range.start..range.start + last.len(),
                    ),
                    "stem asks no question and does not end in a colon or blank",
                )
                .with_help(
                    "end the stem with the question candidates answer, or with a colon if the \
                     options complete it",
                ),
        );
    }
}

/// Whether the stem has a question mark that ends a sentence of its own, not one inside a
/// quotation ("The auditor asked, \"Why?\"") or a name.
fn asks_a_question(stem: &str) -> bool {
    stem.match_indices('?').any(|(at, _)| {
        let rest = &stem[at + 1..];
        let quoted = rest.starts_with(['"', '”', '\'', '’']);
        !quoted
            && (rest.is_empty() || rest.starts_with(char::is_whitespace) || rest.starts_with(')'))
    })
}

/// Whether a sentence ends in a blank for the candidate to fill: three or more underscores, or
/// an ellipsis, before any final punctuation.
fn ends_in_blank(sentence: &str) -> bool {
    let body = sentence.trim_end_matches(['.', '?', '!', ' ']);
    body.ends_with("___") || body.ends_with('…') || sentence.trim_end().ends_with("...")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_sentences_ending_in_a_question_mark() {
        assert!(asks_a_question("What is BEST?"));
        assert!(asks_a_question("What is BEST? (Choose TWO.)"));
        assert!(!asks_a_question("The auditor asked \"why?\" and left."));
        assert!(!asks_a_question("The page http://x.test/?a=1 loads."));
    }

    #[test]
    fn blanks_and_ellipses_end_a_completion_stem() {
        assert!(ends_in_blank("The owner of the risk is the ___."));
        assert!(ends_in_blank("The risk owner is..."));
        assert!(ends_in_blank("The risk owner is …"));
        assert!(!ends_in_blank("The risk owner is the manager."));
    }
}
