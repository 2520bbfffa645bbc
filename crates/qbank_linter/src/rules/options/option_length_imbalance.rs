use qbank_diagnostics::Annotation;
use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::OPTION_LENGTH_MIN_LONGEST;

declare_rule! {
    /// ## What it does
    /// Reports an item whose longest option, in characters, is at least `option_length_ratio`
    /// times its shortest (default 3.0). Items whose longest option is under 20 characters are
    /// left alone: role names and short numbers differ in length without cueing anything.
    ///
    /// The ratio is set in `qbank.toml`:
    ///
    /// ```toml
    /// [lint]
    /// option_length_ratio = 4.0
    /// ```
    ///
    /// ## Why is this bad?
    /// An option that is far longer or shorter than the others stands out. Test-wise candidates
    /// pick the long, qualified option or rule out the terse one without knowing the content,
    /// and a lopsided set usually means the distractors were written with less care than the
    /// key. QB306 reports the narrower case where the key is the longest option.
    ///
    /// ## Example
    /// ```toml
    /// [[options]]
    /// text = "Escalate to the board, document the exception and set a date to revisit the risk"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Ignore it"
    ///
    /// [[options]]
    /// text = "Accept it"
    ///
    /// [[options]]
    /// text = "Avoid it"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[options]]
    /// text = "Escalate the exception to the risk owner"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Record the exception and take no action"
    ///
    /// [[options]]
    /// text = "Ask the auditor to approve the exception"
    ///
    /// [[options]]
    /// text = "Stop the project until the control exists"
    /// ```
    pub(crate) struct OptionLengthImbalance {
        code: "QB313",
        name: "option-length-imbalance",
        severity: Warning,
        summary: "The longest option is several times the shortest",
    }
}

impl ItemRule for OptionLengthImbalance {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let lengths: Vec<usize> = item
            .options
            .iter()
            .map(|option| length(&option.text.value))
            .collect();
        // The first of equal options, so that the finding does not move when a tie is broken.
        let Some((longest, &long)) = lengths
            .iter()
            .enumerate()
            .max_by_key(|&(i, l)| (*l, std::cmp::Reverse(i)))
        else {
            return;
        };
        let Some((shortest, &short)) = lengths.iter().enumerate().min_by_key(|&(i, l)| (*l, i))
        else {
            return;
        };
        // A blank option is QB115's to report.
        if short == 0 || long < OPTION_LENGTH_MIN_LONGEST {
            return;
        }
        let ratio = long as f64 / short as f64;
        if ratio < ctx.lint.option_length_ratio {
            return;
        }
        ctx.report(
            Self::META
                .diagnostic(
                    ctx.file,
                    item.options[longest].text.range,
                    format!(
                        "option {} is {ratio:.1} times as long as option {} ({long} and {short} \
                         characters)",
                        option_label(longest),
                        option_label(shortest),
                    ),
                )
                .with_secondary(Annotation::labelled(
                    ctx.file.clone(),
                    item.options[shortest].text.range,
                    "shortest option",
                ))
                .with_help(
                    "write the options to a similar length and level of detail, so that none \
                     stands out",
                ),
        );
    }
}

/// The length of an option as a candidate sees it: characters, ignoring surrounding space and
/// runs of inner whitespace.
fn length(text: &str) -> usize {
    let mut count = 0;
    for (index, word) in text.split_whitespace().enumerate() {
        count += usize::from(index > 0) + word.chars().count();
    }
    count
}

#[cfg(test)]
mod tests {
    use super::length;

    #[test]
    fn length_counts_characters_and_single_spaces() {
        assert_eq!(length("  Accept   the\nrisk "), "Accept the risk".len());
        assert_eq!(length("Ä€"), 2);
        assert_eq!(length(""), 0);
    }
}
