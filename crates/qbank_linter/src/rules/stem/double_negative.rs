use std::ops::Range;

use qbank_diagnostics::Annotation;
use qbank_model::Item;
use qbank_model::schema::option_label;

use super::{is_one_of, question_negatives};
use crate::registry::declare_rule;
use crate::rules::text::{value_span, words};
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::{NEGATIVE_IDIOMS, OPTION_NEGATIVES};

declare_rule! {
    /// ## What it does
    /// Reports an option with a negative word under a negative stem: the question says `NOT`,
    /// `EXCEPT`, `LEAST` or `FALSE` (in any case, read as QB201 reads it: only in the question,
    /// not in an idiom such as "at least" or a subordinate clause), and the option says `not`,
    /// `no`, `never`, `none`, `without`, `cannot`, `nothing`, `neither` or `nor`, or a
    /// contraction ending in "n't". "not only" in an option is not a negative.
    ///
    /// Each negative option is reported once, at its first negative word. The word lists are
    /// built in; this rule has no settings.
    ///
    /// ## Why is this bad?
    /// "Which is NOT ...?" answered by "Never ..." asks candidates to negate a negation. Many
    /// who know the content still get it wrong, so the item measures logic under time pressure
    /// instead of knowledge.
    ///
    /// ## Example
    /// ```toml
    /// stem = "Which of the following is NOT a sound practice for backups?"
    ///
    /// [[options]]
    /// text = "Never testing restores from the backups"
    /// correct = true
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// stem = "Which of the following practices makes backups LEAST reliable?"
    ///
    /// [[options]]
    /// text = "Skipping restore tests"
    /// correct = true
    /// ```
    pub(crate) struct DoubleNegative {
        code: "QB207",
        name: "double-negative",
        severity: Warning,
        summary: "A negative stem with a negative option",
    }
}

impl ItemRule for DoubleNegative {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let Some((stem_range, stem_word)) =
            question_negatives(&item.stem.value, ctx.words.question())
                .into_iter()
                .next()
        else {
            return;
        };
        for (index, option) in item.options.iter().enumerate() {
            let Some((range, word)) = option_negative(&option.text.value) else {
                continue;
            };
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        value_span(ctx.file.text(), &option.text, range),
                        format!(
                            "option {} says `{word}` under a negative stem (`{stem_word}`)",
                            option_label(index)
                        ),
                    )
                    .with_secondary(Annotation::labelled(
                        ctx.file.clone(),
                        value_span(ctx.file.text(), &item.stem, stem_range.clone()),
                        "the stem is negative here",
                    ))
                    .with_help(
                        "reword the option without the negative, or ask the question positively",
                    ),
            );
        }
    }
}

/// The first negative word of an option, with its byte range.
fn option_negative(text: &str) -> Option<(Range<usize>, &str)> {
    let found: Vec<(usize, &str)> = words(text).collect();
    found
        .iter()
        .enumerate()
        .find_map(|(index, &(offset, word))| {
            let contraction = word.len() > 3
                && (word.to_lowercase().ends_with("n't") || word.to_lowercase().ends_with("n’t"));
            if !contraction && !is_one_of(word, OPTION_NEGATIVES) {
                return None;
            }
            let next = found.get(index + 1).map_or("", |&(_, w)| w);
            let phrase = format!("{word} {next}");
            if NEGATIVE_IDIOMS
                .iter()
                .any(|i| i.eq_ignore_ascii_case(&phrase))
            {
                return None;
            }
            Some((offset..offset + word.len(), word))
        })
}

#[cfg(test)]
mod tests {
    use super::option_negative;

    fn negative(text: &str) -> Option<&str> {
        option_negative(text).map(|(_, w)| w)
    }

    #[test]
    fn finds_negative_words_and_contractions() {
        assert_eq!(negative("Never test restores"), Some("Never"));
        assert_eq!(negative("Staff who don't report"), Some("don't"));
        assert_eq!(negative("Access without approval"), Some("without"));
        assert_eq!(negative("Notify the owner"), None);
        assert_eq!(negative("Not only logs but alerts"), None);
        assert_eq!(negative("Cannot be restored"), Some("Cannot"));
    }
}
