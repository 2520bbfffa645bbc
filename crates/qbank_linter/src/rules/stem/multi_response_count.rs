use std::ops::Range;

use qbank_model::{Item, ItemType};

use super::{is_one_of, number};
use crate::registry::declare_rule;
use crate::rules::text::{value_span, words};
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::{COUNT_CUES, COUNT_FILLERS, NUMBER_WORDS};

declare_rule! {
    /// ## What it does
    /// Checks that the stem of a multiple-response item (`type = "multiple"`) says how many
    /// options to choose, and that the number is the item's key count. Also reports a
    /// single-response item whose stem asks for more than one option.
    ///
    /// A count is a number, as a word or in digits, right after "choose", "select", "pick",
    /// "mark", "identify", "which" or "what", optionally with "the", "any", "exactly" or "only"
    /// between: "(Choose TWO.)", "Select 2.", "Which TWO actions...", "choose any two". Only the
    /// question and what follows it are read, so a number in the scenario ("The team chose two
    /// vendors.") is not a count. "Select all that apply" is not a count. This rule has no
    /// settings.
    ///
    /// ## Why is this bad?
    /// Without the count, candidates cannot tell how many options to mark, and an item scored
    /// all-or-nothing punishes a guess about the format rather than a gap in knowledge. A count
    /// that differs from the key makes the item unanswerable as written; "Choose TWO" on a
    /// single-response item cannot be obeyed.
    ///
    /// ## Example
    /// ```toml
    /// type = "multiple"
    /// stem = "Which actions BEST reduce the risk of phishing?"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// type = "multiple"
    /// stem = "Which actions BEST reduce the risk of phishing? (Choose TWO.)"
    /// ```
    pub(crate) struct MultiResponseCount {
        code: "QB205",
        name: "multi-response-count",
        severity: Error,
        summary: "The stem does not say how many options to choose",
    }
}

impl ItemRule for MultiResponseCount {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let stem = &item.stem.value;
        let keys = item.key_indices().count();
        let counts = counts(stem, ctx.words.question().start);
        let span = |range: Range<usize>| value_span(ctx.file.text(), &item.stem, range);
        match item.item_type.value {
            ItemType::Single => {
                let Some((range, count)) = counts.into_iter().find(|&(_, n)| n > 1) else {
                    return;
                };
                let word = &stem[range.clone()];
                ctx.report(
                    Self::META
                        .diagnostic(
                            ctx.file,
                            span(range),
                            format!(
                                "stem asks for {count} options (`{word}`) but the item is \
                                 `type = \"single\"`"
                            ),
                        )
                        .with_help(
                            "remove the count from the stem, or make the item \
                             `type = \"multiple\"` with that many keys",
                        ),
                );
            }
            ItemType::Multiple => {
                // QB302 reports a multiple-response item with fewer than two keys.
                if keys < 2 {
                    return;
                }
                let say = count_word(keys);
                if counts.is_empty() {
                    let question = ctx.words.question();
                    ctx.report(
                        Self::META
                            .diagnostic(
                                ctx.file,
                                span(question),
                                "multiple-response stem does not say how many options to choose",
                            )
                            .with_help(format!(
                                "add \"(Choose {say}.)\" after the question: the item has {keys} \
                                 keys"
                            )),
                    );
                    return;
                }
                let Some((range, count)) = counts.into_iter().find(|&(_, n)| n != keys) else {
                    return;
                };
                let word = &stem[range.clone()];
                ctx.report(
                    Self::META
                        .diagnostic(
                            ctx.file,
                            span(range),
                            format!(
                                "stem asks for {count} options (`{word}`) but the item has {keys} \
                                 keys"
                            ),
                        )
                        .with_help(format!(
                            "ask for {say} options, or mark {count} options `correct = true`"
                        )),
                );
            }
        }
    }
}

/// The counts of options to choose that the stem states, from its question on, with the byte
/// range of each number in the stem.
fn counts(stem: &str, start: usize) -> Vec<(Range<usize>, usize)> {
    let found: Vec<(usize, &str)> = words(&stem[start..]).collect();
    let mut counts = Vec::new();
    for (index, &(offset, word)) in found.iter().enumerate() {
        let Some(count) = number(word) else {
            continue;
        };
        let cued = found[..index]
            .iter()
            .rev()
            .take(3)
            .map(|&(_, w)| w)
            .find(|w| !is_one_of(w, COUNT_FILLERS))
            .is_some_and(|w| is_one_of(w, COUNT_CUES));
        if cued {
            let at = start + offset;
            counts.push((at..at + word.len(), count));
        }
    }
    counts
}

/// A count as exam instructions write it: "TWO", or digits above ten.
fn count_word(count: usize) -> String {
    count
        .checked_sub(1)
        .and_then(|i| NUMBER_WORDS.get(i))
        .map_or_else(|| count.to_string(), |w| w.to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(stem: &str) -> Vec<(&str, usize)> {
        counts(stem, crate::rules::stem::question(stem).start)
            .into_iter()
            .map(|(range, n)| (&stem[range], n))
            .collect()
    }

    #[test]
    fn counts_follow_a_cue() {
        assert_eq!(found("Which are BEST? (Choose TWO.)"), [("TWO", 2)]);
        assert_eq!(found("Which THREE steps apply?"), [("THREE", 3)]);
        assert_eq!(found("What applies? Select the 2 BEST."), [("2", 2)]);
        assert_eq!(found("Which apply? choose any two"), [("two", 2)]);
    }

    #[test]
    fn numbers_without_a_cue_are_not_counts() {
        assert!(found("The team chose two vendors. Which is BEST?").is_empty());
        assert!(found("Which of the two vendors is BEST?").is_empty());
        assert!(found("Which apply? Select all that apply.").is_empty());
    }

    #[test]
    fn count_words_are_capitals() {
        assert_eq!(count_word(2), "TWO");
        assert_eq!(count_word(12), "12");
    }
}
