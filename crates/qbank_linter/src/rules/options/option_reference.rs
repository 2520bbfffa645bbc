use std::ops::Range;

use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::text::{value_span, words};
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::{OPTION_REFERENCE_PREFIXES, OPTION_REFERENCE_TAILS};

declare_rule! {
    /// ## What it does
    /// Reports an option that names other options by their labels, in an item whose options
    /// delivery may shuffle: "Both A and B", "A and C", "A, B and C", "A & D", "Options A and
    /// B", "Answers B and D are correct", "Neither A nor B".
    ///
    /// The labels are capital letters of options the item has. A bare list ("A and C") counts
    /// at the start of the option, alone or followed by words such as "are correct" or "only";
    /// after "both", "neither", "either", "only", "options", "answers", "choices" or
    /// "responses" it counts anywhere. "Type A and B extinguishers" is not a reference.
    ///
    /// Items with `shuffle = false`, and references whose named options all have
    /// `fixed = true`, are fine: the labels keep pointing at the same options. So are letters
    /// that the stem defines itself ("Statement A: ... Statement B: ..."), which name
    /// statements rather than options.
    ///
    /// ## Why is this bad?
    /// Delivery shuffles options, so the option that was A when the item was written can be
    /// shown as C: "Both A and B" then names the wrong options and the key is wrong. Even
    /// unshuffled, such options reward partial knowledge: a candidate who knows that A is right
    /// and C is wrong can often pick the key.
    ///
    /// ## Example
    /// ```toml
    /// [[options]]
    /// text = "Encrypt the backups"
    ///
    /// [[options]]
    /// text = "Store the backups offsite"
    ///
    /// [[options]]
    /// text = "Both A and B"
    /// correct = true
    /// ```
    ///
    /// Use instead (or ask for the one best answer):
    /// ```toml
    /// shuffle = false
    ///
    /// [[options]]
    /// text = "Encrypt the backups"
    ///
    /// [[options]]
    /// text = "Store the backups offsite"
    ///
    /// [[options]]
    /// text = "Both A and B"
    /// correct = true
    /// ```
    pub(crate) struct OptionReference {
        code: "QB311",
        name: "option-reference",
        severity: Error,
        summary: "An option refers to other options by letter",
    }
}

impl ItemRule for OptionReference {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        if !item.shuffles() {
            return;
        }
        for (index, option) in item.options.iter().enumerate() {
            let words = ctx.words.options[index].words();
            let Some((phrase, named)) =
                option_reference(&option.text.value, words, item.options.len())
            else {
                continue;
            };
            let all_fixed = named.iter().all(|&n| {
                item.options[n]
                    .fixed
                    .as_ref()
                    .is_some_and(|fixed| fixed.value)
            });
            let labels: Vec<String> = named.iter().map(|&n| option_label(n)).collect();
            if all_fixed || labelled_in_stem(&item.stem.value, &labels) {
                continue;
            }
            let said = &option.text.value[phrase.clone()];
            let range = value_span(ctx.file.text(), &option.text, phrase.clone());
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        range,
                        format!(
                            "option {} names options {} by label: `{said}`",
                            option_label(index),
                            join_labels(&labels)
                        ),
                    )
                    .with_help(
                        "shuffling moves the named options: write the option out in full, or \
                         set `shuffle = false` on the item",
                    ),
            );
        }
    }
}

/// Whether the stem defines the letters itself, as in "Statement A: ... Statement B: ...", so
/// that "Both A and B" names statements, not options. "A" and "I" are left out of the test, since
/// they are also words; the other letters must all stand alone in the stem.
fn labelled_in_stem(stem: &str, labels: &[String]) -> bool {
    let letters: Vec<&String> = labels.iter().filter(|l| *l != "A" && *l != "I").collect();
    !letters.is_empty()
        && letters
            .iter()
            .all(|letter| words(stem).any(|(_, w)| w == letter.as_str()))
}

/// "A and B", "A, B and C".
fn join_labels(labels: &[String]) -> String {
    match labels {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The first reference to options by label in `text`, as the byte range of the phrase and the
/// indices of the options it names; `count` is the number of options.
fn option_reference(
    text: &str,
    found: &[(usize, &str)],
    count: usize,
) -> Option<(Range<usize>, Vec<usize>)> {
    let is_prefix = |w: &str| {
        OPTION_REFERENCE_PREFIXES
            .iter()
            .any(|p| w.eq_ignore_ascii_case(p))
    };
    let mut start = 0;
    while start < found.len() {
        let prefixes = found[start..]
            .iter()
            .take_while(|(_, w)| is_prefix(w))
            .count();
        let first = start + prefixes;
        if let Some((last, named)) = label_list(text, found, first, count) {
            let (end_offset, end_word) = found[last];
            let end = end_offset + end_word.len();
            let tail_ok = found.get(last + 1).is_none_or(|&(next_offset, next)| {
                !text[end..next_offset].chars().all(char::is_whitespace)
                    || OPTION_REFERENCE_TAILS
                        .iter()
                        .any(|t| next.eq_ignore_ascii_case(t))
            });
            if prefixes > 0 || (first == 0 && tail_ok) {
                return Some((found[start].0..end, named));
            }
        }
        start += prefixes.max(1);
    }
    None
}

/// A list of two or more labels starting at word `first` and joined by "and", "or", "nor",
/// "plus", commas, `&` or `/`: the index of its last word and the options it names.
fn label_list(
    text: &str,
    found: &[(usize, &str)],
    first: usize,
    count: usize,
) -> Option<(usize, Vec<usize>)> {
    let label = |at: usize| {
        let (_, word) = *found.get(at)?;
        let &[letter] = word.as_bytes() else {
            return None;
        };
        let index = usize::from(letter.checked_sub(b'A')?);
        (letter.is_ascii_uppercase() && index < count).then_some(index)
    };
    // The label is read before the vector is made: `vec![label(first)?]` allocates the vector's
    // memory first and frees it again when there is no label, at every word of every option.
    let first_label = label(first)?;
    let mut named = vec![first_label];
    let mut last = first;
    let mut joined_by_word = false;
    loop {
        let (last_offset, last_word) = found[last];
        let gap_start = last_offset + last_word.len();
        if let Some(next) = label(last + 1) {
            let gap = &text[gap_start..found[last + 1].0];
            if !gap.contains([',', '&', '/']) {
                break;
            }
            joined_by_word |= gap.contains('&');
            named.push(next);
            last += 1;
            continue;
        }
        let is_conjunction = found.get(last + 1).is_some_and(|(_, w)| {
            ["and", "or", "nor", "plus"]
                .iter()
                .any(|c| w.eq_ignore_ascii_case(c))
        });
        let Some(next) = label(last + 2).filter(|_| is_conjunction) else {
            break;
        };
        joined_by_word = true;
        named.push(next);
        last += 2;
    }
    (named.len() >= 2 && joined_by_word).then_some((last, named))
}

#[cfg(test)]
mod tests {
    use super::{labelled_in_stem, option_reference};
    use crate::rules::text::words;

    fn reference(text: &str) -> Option<(&str, Vec<usize>)> {
        let found: Vec<(usize, &str)> = words(text).collect();
        option_reference(text, &found, 4).map(|(range, named)| (&text[range], named))
    }

    #[test]
    fn finds_label_lists() {
        assert_eq!(
            reference("Both A and B"),
            Some(("Both A and B", vec![0, 1]))
        );
        assert_eq!(reference("A and C"), Some(("A and C", vec![0, 2])));
        assert_eq!(
            reference("A, B, and C."),
            Some(("A, B, and C", vec![0, 1, 2]))
        );
        assert_eq!(reference("A & D"), Some(("A & D", vec![0, 3])));
        assert_eq!(
            reference("Options A and B are correct"),
            Some(("Options A and B", vec![0, 1]))
        );
        assert_eq!(
            reference("Neither A nor B"),
            Some(("Neither A nor B", vec![0, 1]))
        );
        assert_eq!(
            reference("Answers B and D only"),
            Some(("Answers B and D", vec![1, 3]))
        );
    }

    #[test]
    fn ignores_letters_that_are_names() {
        assert_eq!(reference("Type A and B extinguishers"), None);
        assert_eq!(reference("A and B extinguishers"), None);
        assert_eq!(reference("A and E"), None, "there is no option E");
        assert_eq!(reference("a and b"), None);
        assert_eq!(reference("Plan A, B"), None);
        assert_eq!(reference("Accept the risk"), None);
    }

    #[test]
    fn letters_the_stem_defines_are_not_option_labels() {
        let labels = ["A".to_owned(), "B".to_owned()];
        assert!(labelled_in_stem(
            "Statement A: x. Statement B: y. Which is true?",
            &labels
        ));
        assert!(!labelled_in_stem(
            "A bank merged. Which step is BEST?",
            &labels
        ));
        let only_a = ["A".to_owned(), "I".to_owned()];
        assert!(!labelled_in_stem(
            "A bank, as I said. Which is BEST?",
            &only_a
        ));
    }
}
