use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::options::absolute_terms::listed_words;
use crate::rules::text::value_span;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a key that uses a hedge word that no distractor uses. The words are `usually`,
    /// `generally`, `may`, `might`, `often`, `typically`, `sometimes`, `frequently` and
    /// `probably`, matched as whole words in any case. A capitalized word inside the text, such
    /// as the month in "in May", is a name and does not count.
    ///
    /// ## Why is this bad?
    /// Writers qualify the right answer to make it defensible and leave the distractors bold.
    /// Candidates learn that the cautious option is usually the key, and choose it without
    /// knowing the content.
    ///
    /// ## Example
    /// ```toml
    /// [[options]]
    /// text = "Patching generally reduces the exposure to known exploits"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Patching removes the need for vulnerability scans"
    ///
    /// [[options]]
    /// text = "Patching guarantees compliance with the standard"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[options]]
    /// text = "Patching reduces the exposure to known exploits"
    /// correct = true
    /// ```
    ///
    /// ## Configuration
    /// Add words to the list in `qbank.toml`:
    /// ```toml
    /// [lint]
    /// hedge_words = ["likely", "tends"]
    /// ```
    pub(crate) struct HedgedKey {
        code: "QB308",
        name: "hedged-key",
        severity: Warning,
        summary: "Hedge words only in the key",
    }
}

impl ItemRule for HedgedKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let list = &ctx.lint.hedge_words;
        let hedges = |index: usize| {
            listed_words(ctx.words.options[index].words(), list)
                .filter(|&(offset, word)| offset == 0 || !is_capitalized(word))
                .map(|(offset, word)| (offset, word.to_owned()))
                .collect::<Vec<_>>()
        };
        let in_distractors: Vec<String> = item
            .options
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.is_key())
            .flat_map(|(index, _)| hedges(index))
            .map(|(_, w)| w)
            .collect();
        for key in item.key_indices() {
            let text = &item.options[key].text;
            let Some((offset, word)) = hedges(key)
                .into_iter()
                .find(|(_, w)| !in_distractors.iter().any(|d| d.eq_ignore_ascii_case(w)))
            else {
                continue;
            };
            let range = value_span(ctx.file.text(), text, offset..offset + word.len());
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        range,
                        format!(
                            "key {} hedges with `{word}`, which no distractor does",
                            option_label(key)
                        ),
                    )
                    .with_help(format!(
                        "state the key without `{}`, or qualify a distractor as carefully",
                        word.to_lowercase()
                    )),
            );
        }
    }
}

/// Whether `word` is written as a name: a capital followed by small letters.
fn is_capitalized(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.all(|c| !c.is_uppercase())
}

#[cfg(test)]
mod tests {
    use super::is_capitalized;

    #[test]
    fn names_are_capitalized_but_emphasis_is_not() {
        assert!(is_capitalized("May"));
        assert!(!is_capitalized("MAY"));
        assert!(!is_capitalized("may"));
    }
}
