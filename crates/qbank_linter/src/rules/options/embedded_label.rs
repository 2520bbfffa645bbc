use std::ops::Range;

use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::text::value_span;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an option whose text starts with a label: a letter of one of the item's options
    /// followed by `.`, `)` or `:`, or in parentheses, and then a space: "A. Accept the risk",
    /// "b) Transfer", "(C) Avoid", "D: Mitigate". Both an option's own label and another
    /// option's count. A letter beyond the item's options ("J. Smith" in a four-option item)
    /// and abbreviations such as "U.S." or "e.g." are not labels.
    ///
    /// The label styles are built in and not configurable.
    ///
    /// ## Why is this bad?
    /// Delivery writes its own labels, so candidates see "A. A. Accept the risk". When options
    /// are shuffled the written label no longer matches the position, and a rationale or
    /// another option that refers to it points at the wrong answer.
    ///
    /// ## Example
    /// ```toml
    /// [[options]]
    /// text = "A. Accept the risk"
    /// correct = true
    ///
    /// [[options]]
    /// text = "B. Transfer the risk"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[options]]
    /// text = "Accept the risk"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Transfer the risk"
    /// ```
    pub(crate) struct EmbeddedLabel {
        code: "QB317",
        name: "embedded-label",
        severity: Error,
        summary: "An option starts with its own label",
    }
}

impl ItemRule for EmbeddedLabel {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        for (index, option) in item.options.iter().enumerate() {
            let Some((span, labelled)) = leading_label(&option.text.value, item.options.len())
            else {
                continue;
            };
            let written = &option.text.value[span.clone()];
            let message = if labelled == index {
                format!(
                    "option {} starts with its own label `{written}`",
                    option_label(index)
                )
            } else {
                format!(
                    "option {} starts with the label `{written}` of option {}",
                    option_label(index),
                    option_label(labelled)
                )
            };
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        value_span(ctx.file.text(), &option.text, span),
                        message,
                    )
                    .with_help(
                        "remove the label: delivery labels the options itself, and shuffling \
                         makes a written label wrong",
                    ),
            );
        }
    }
}

/// The byte range of a label at the start of `text` ("A.", "b)", "(C)", "D:") that names one of
/// `count` options and is followed by whitespace, and the index of the option it names.
fn leading_label(text: &str, count: usize) -> Option<(Range<usize>, usize)> {
    let start = text.len() - text.trim_start().len();
    let bytes = &text.as_bytes()[start..];
    let (letter, len) = match bytes {
        [b'(', letter, b')', ..] => (*letter, 3),
        [letter, b'.' | b')' | b':', ..] => (*letter, 2),
        _ => return None,
    };
    if !letter.is_ascii_alphabetic() {
        return None;
    }
    let index = usize::from(letter.to_ascii_uppercase() - b'A');
    let followed_by_space = bytes.get(len).is_some_and(u8::is_ascii_whitespace);
    (index < count && followed_by_space).then_some((start..start + len, index))
}

#[cfg(test)]
mod tests {
    use super::leading_label;

    #[test]
    fn finds_labels_in_every_style() {
        assert_eq!(leading_label("A. Accept", 4), Some((0..2, 0)));
        assert_eq!(leading_label("  b) Transfer", 4), Some((2..4, 1)));
        assert_eq!(leading_label("(C) Avoid", 4), Some((0..3, 2)));
        assert_eq!(leading_label("d: Mitigate", 4), Some((0..2, 3)));
    }

    #[test]
    fn ignores_abbreviations_words_and_letters_beyond_the_options() {
        for text in [
            "U.S. federal law",
            "e.g. a firewall",
            "A risk register",
            "J. Smith, the auditor",
            "C:\\Windows",
            "A.",
            "I) Identify assets",
            "(1) Identify assets",
        ] {
            assert_eq!(leading_label(text, 4), None, "{text}");
        }
    }
}
