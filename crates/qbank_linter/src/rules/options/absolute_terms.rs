use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::options::all_of_the_above::collective_phrase;
use crate::rules::text::value_span;
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::WordList;

declare_rule! {
    /// ## What it does
    /// Reports a distractor that uses an absolute word that no key uses. The words are
    /// `always`, `never`, `all`, `none`, `only`, `must`, `every`, `entirely` and `completely`,
    /// matched as whole words in any case: "all" in "allocate" or "all-hands" does not count,
    /// and neither does a word right after "not" ("not always" is a hedge). Options that say
    /// "all of the above" or "none of the above" are left to QB304 and QB305.
    ///
    /// ## Why is this bad?
    /// Few statements about management practice hold always or never, and candidates learn to
    /// eliminate options that claim so. When only distractors are absolute, the wording rules
    /// them out without any knowledge of the content.
    ///
    /// ## Example
    /// ```toml
    /// [[options]]
    /// text = "Review access rights when a role changes"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Always require two approvers for every access request"
    ///
    /// [[options]]
    /// text = "Grant access after the owner approves it"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[options]]
    /// text = "Require two approvers for access requests"
    /// ```
    ///
    /// ## Configuration
    /// Add words to the list in `qbank.toml`:
    /// ```toml
    /// [lint]
    /// absolute_words = ["solely", "invariably"]
    /// ```
    pub(crate) struct AbsoluteTerms {
        code: "QB307",
        name: "absolute-terms",
        severity: Warning,
        summary: "Absolute words only in distractors",
    }
}

impl ItemRule for AbsoluteTerms {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let list = &ctx.lint.absolute_words;
        let in_keys: Vec<String> = item
            .options
            .iter()
            .zip(&ctx.words.options)
            .filter(|(o, _)| o.is_key())
            .flat_map(|(_, words)| listed_words(words.words(), list))
            .map(|(_, w)| w.to_lowercase())
            .collect();
        for (index, option) in item.options.iter().enumerate() {
            if option.is_key()
                || collective_phrase(&ctx.words.options[index], &["all", "none", "neither"])
                    .is_some()
            {
                continue;
            }
            let Some((offset, word)) = listed_words(ctx.words.options[index].words(), list)
                .find(|(_, w)| !in_keys.iter().any(|k| k.eq_ignore_ascii_case(w)))
            else {
                continue;
            };
            let range = value_span(ctx.file.text(), &option.text, offset..offset + word.len());
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        range,
                        format!(
                            "distractor {} says `{word}`, an absolute word that no key uses",
                            option_label(index)
                        ),
                    )
                    .with_help(format!(
                        "word the distractor without `{}`, as carefully as the key",
                        word.to_lowercase()
                    )),
            );
        }
    }
}

/// The `words` (of one text, as `text::words` gives them) that are in `list`, with their offsets,
/// except those right after "not".
pub(super) fn listed_words<'w, 't: 'w>(
    words: &'w [(usize, &'t str)],
    list: &'w WordList,
) -> impl Iterator<Item = (usize, &'t str)> + 'w {
    let mut previous = "";
    words.iter().copied().filter(move |&(_, word)| {
        let negated = previous.eq_ignore_ascii_case("not");
        previous = word;
        !negated && list.contains(word)
    })
}

#[cfg(test)]
mod tests {
    use super::listed_words;
    use crate::rules::text::words;
    use crate::words::{ABSOLUTE_WORDS, WordList};

    fn found(text: &str) -> Vec<&str> {
        let list = WordList::new(ABSOLUTE_WORDS.iter().map(|w| (*w).to_owned()));
        let words: Vec<(usize, &str)> = words(text).collect();
        listed_words(&words, &list).map(|(_, w)| w).collect()
    }

    #[test]
    fn matches_whole_words_outside_negations() {
        assert_eq!(
            found("Allocate budget to all-hands training"),
            Vec::<&str>::new()
        );
        assert_eq!(found("ALWAYS log every change"), ["ALWAYS", "every"]);
        assert_eq!(
            found("Not all findings need a fix, but never skip one"),
            ["never"]
        );
    }
}
