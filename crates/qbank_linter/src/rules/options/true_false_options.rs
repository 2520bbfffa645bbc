use qbank_diagnostics::Annotation;
use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::TRUE_FALSE_OPTIONS;

declare_rule! {
    /// ## What it does
    /// Reports an item whose options are only "True" and "False", "Yes" and "No", or "Correct"
    /// and "Incorrect", in any case and with any punctuation ("TRUE", "Yes.", "(No)").
    ///
    /// The word list is built in; a program that deliberately uses two-option items can turn
    /// the rule off with `QB314 = "off"` under `[rules]` in `qbank.toml`.
    ///
    /// ## Why is this bad?
    /// A true/false question dressed as multiple choice gives a candidate a one-in-two chance by
    /// guessing, and it tests recognition of one statement rather than discrimination between
    /// plausible answers. Certification programs that deliver four-option items expect every
    /// item to have real distractors.
    ///
    /// ## Example
    /// ```toml
    /// stem = "Is a business impact analysis required before recovery strategies are chosen?"
    ///
    /// [[options]]
    /// text = "Yes"
    /// correct = true
    ///
    /// [[options]]
    /// text = "No"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// stem = "What should be completed BEFORE recovery strategies are chosen?"
    ///
    /// [[options]]
    /// text = "A business impact analysis"
    /// correct = true
    ///
    /// [[options]]
    /// text = "A tabletop exercise"
    ///
    /// [[options]]
    /// text = "A post-incident review"
    ///
    /// [[options]]
    /// text = "A penetration test"
    /// ```
    pub(crate) struct TrueFalseOptions {
        code: "QB314",
        name: "true-false-options",
        severity: Warning,
        summary: "Options that are only True/False or Yes/No",
    }
}

impl ItemRule for TrueFalseOptions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let [first, rest @ ..] = item.options.as_slice() else {
            return;
        };
        if rest.is_empty()
            || !item
                .options
                .iter()
                .all(|option| is_true_false(&option.text.value))
        {
            return;
        }
        let shown: Vec<String> = item
            .options
            .iter()
            .map(|option| format!("`{}`", option.text.value.trim()))
            .collect();
        let mut diagnostic = Self::META
            .diagnostic(
                ctx.file,
                first.text.range,
                format!(
                    "every option is a bare true/false answer: {}",
                    shown.join(", ")
                ),
            )
            .with_help(
                "ask for the answer itself and write plausible distractors, or state several \
                 claims as options of a multiple-response item",
            );
        for (index, option) in rest.iter().enumerate() {
            diagnostic = diagnostic.with_secondary(Annotation::labelled(
                ctx.file.clone(),
                option.text.range,
                format!("option {}", option_label(index + 1)),
            ));
        }
        ctx.report(diagnostic);
    }
}

/// Whether `text` is only a true/false word, ignoring case and punctuation.
fn is_true_false(text: &str) -> bool {
    // One word, with nothing but punctuation around it; most options fail here, before any
    // allocation.
    let word = text.trim_matches(|c: char| !c.is_alphanumeric());
    if word.is_empty() || word.contains(|c: char| !c.is_alphanumeric()) {
        return false;
    }
    let letters: String = word.chars().flat_map(char::to_lowercase).collect();
    TRUE_FALSE_OPTIONS.contains(&letters.as_str())
}

#[cfg(test)]
mod tests {
    use super::is_true_false;

    #[test]
    fn ignores_case_and_punctuation_but_not_extra_words() {
        for text in ["True", "FALSE.", " yes ", "(No)", "“Correct”", "Incorrect!"] {
            assert!(is_true_false(text), "{text}");
        }
        for text in [
            "Not true",
            "Yes, if the owner agrees",
            "Truest",
            "No-go",
            "",
            "N/A",
        ] {
            assert!(!is_true_false(text), "{text}");
        }
    }
}
