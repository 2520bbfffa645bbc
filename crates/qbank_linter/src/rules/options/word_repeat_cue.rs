use std::borrow::Cow;

use qbank_diagnostics::Annotation;
use qbank_model::schema::option_label;
use qbank_model::{Item, ItemOption};

use crate::registry::declare_rule;
use crate::rules::text::{is_content_word, value_span, without_possessive};
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::WordList;

declare_rule! {
    /// ## What it does
    /// Reports a key that repeats a content word of the stem that no distractor uses (a
    /// "clang" association). Words are compared by a crude stem, so "policies" in the key
    /// matches "policy" in the stem. Content words have at least four letters and are not on
    /// the stop list: function words, and words every item of a security-management bank uses,
    /// such as "manager", "organization", "information", "security", "risk", "data" and
    /// "business".
    ///
    /// In a multiple-response item the word must be in every key and in no distractor. With
    /// two or three keys the chance that some stem word lands in one key alone is high, and a
    /// word shared by one key is a weak cue to a candidate who must choose a set; a word shared
    /// by the whole set and missing from every distractor singles out the answer.
    ///
    /// ## Why is this bad?
    /// Candidates who cannot answer look for an option that echoes the question. When only the
    /// key does, the item measures that habit instead of the content.
    ///
    /// ## Example
    /// ```toml
    /// stem = "A vendor will process payroll data. What should the manager review FIRST?"
    ///
    /// [[options]]
    /// text = "The vendor's independent audit report"
    /// correct = true
    ///
    /// [[options]]
    /// text = "The service price list"
    ///
    /// [[options]]
    /// text = "The payroll system's user manual"
    /// ```
    ///
    /// Use instead (the word appears in a distractor too, or in none of the options):
    /// ```toml
    /// [[options]]
    /// text = "The vendor's independent audit report"
    /// correct = true
    ///
    /// [[options]]
    /// text = "The vendor's price list"
    ///
    /// [[options]]
    /// text = "The payroll system's user manual"
    /// ```
    ///
    /// ## Configuration
    /// Add the words every item of your bank uses to the neutral list in `qbank.toml`:
    /// ```toml
    /// [lint]
    /// neutral_words = ["network", "patient"]
    /// ```
    pub(crate) struct WordRepeatCue {
        code: "QB309",
        name: "word-repeat-cue",
        severity: Warning,
        summary: "The key repeats a stem word no distractor uses",
    }
}

impl ItemRule for WordRepeatCue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let keys: Vec<usize> = item.key_indices().collect();
        let Some(&first_key) = keys.first() else {
            return;
        };
        let neutral = &ctx.lint.neutral_words;
        let distractor_words: Vec<&Cow<'_, str>> = item
            .options
            .iter()
            .zip(&ctx.words.options)
            .filter(|(o, _)| !o.is_key())
            .flat_map(|(_, words)| words.roots())
            .collect();
        if item.options.iter().all(ItemOption::is_key) {
            return;
        }
        // Each key's words in the compared form, computed once rather than per stem word.
        let key_words: Vec<Vec<(usize, &str, &Cow<'_, str>)>> = keys
            .iter()
            .map(|&key| {
                let words = &ctx.words.options[key];
                words
                    .words()
                    .iter()
                    .zip(words.roots())
                    .map(|(&(offset, w), root)| (offset, w, root))
                    .collect()
            })
            .collect();
        let in_key = |key: usize, base: &str| {
            let position = keys.iter().position(|&k| k == key)?;
            key_words[position]
                .iter()
                .find(|(_, _, b)| *b == base)
                .map(|&(offset, w, _)| (offset, w))
        };
        // Stem order, once per word. Whether every key has the word is asked first: a few
        // comparisons with the keys' short lists rule out most words.
        let stem = &ctx.words.stem;
        let stem_words = stem.words().iter().zip(stem.roots()).zip(stem.content());
        let mut cues: Vec<(usize, &str, &Cow<'_, str>)> = Vec::new();
        for ((&(offset, word), base), &whole_is_content) in stem_words {
            if !keys.iter().all(|&key| in_key(key, base).is_some())
                || !is_cue_word(word, base, whole_is_content, neutral)
                || cues.iter().any(|(_, _, b)| *b == base)
                || distractor_words.contains(&base)
            {
                continue;
            }
            cues.push((offset, word, base));
        }
        let Some(&(stem_offset, _, base)) = cues.first() else {
            return;
        };
        let Some((key_offset, key_word)) = in_key(first_key, base) else {
            return;
        };
        let key_text = &item.options[first_key].text;
        let range = value_span(
            ctx.file.text(),
            key_text,
            key_offset..key_offset + key_word.len(),
        );
        let in_stem = cues[0].1;
        let stem_range = value_span(
            ctx.file.text(),
            &item.stem,
            stem_offset..stem_offset + in_stem.len(),
        );
        let who = if keys.len() == 1 {
            format!("key {}", option_label(first_key))
        } else {
            "every key".to_owned()
        };
        let quoted: Vec<String> = cues.iter().map(|(_, w, _)| format!("`{w}`")).collect();
        let message = match quoted.as_slice() {
            [one] => format!("{who} repeats the stem word {one}, which no distractor uses"),
            many => format!(
                "{who} repeats stem words that no distractor uses: {}",
                many.join(", ")
            ),
        };
        ctx.report(
            Self::META
                .diagnostic(ctx.file, range, message)
                .with_secondary(Annotation::labelled(
                    ctx.file.clone(),
                    stem_range,
                    "in the stem",
                ))
                .with_help(
                    "reword the key, or use the word in a distractor too, so that echoing the \
                     stem does not point to the answer",
                ),
        );
    }
}

/// Whether a stem word can be a cue: a content word, in its written form (without a
/// possessive) and in its compared form `base`, and neither form `neutral`. `whole_is_content`
/// is whether `word` as written is a content word.
fn is_cue_word(word: &str, base: &str, whole_is_content: bool, neutral: &WordList) -> bool {
    let written = without_possessive(word);
    let written_is_content = if written.len() == word.len() {
        whole_is_content
    } else {
        is_content_word(written)
    };
    written_is_content
        && is_content_word(base)
        && !neutral.contains(written)
        && !neutral.contains(base)
}

#[cfg(test)]
mod tests {
    use super::is_cue_word;
    use crate::rules::text::{TextWords, root};
    use crate::words::LintSettings;

    #[test]
    fn possessives_and_plurals_compare_equal() {
        assert_eq!(root("vendor's"), root("vendors"));
        assert_eq!(root("Policies"), root("policy"));
    }

    #[test]
    fn stop_words_are_not_content_even_when_inflected() {
        let neutral = LintSettings::default().neutral_words;
        let text = "The organizations' manager reviews the vendor's risks within a week";
        let words = TextWords::new(text);
        let found: Vec<&str> = words
            .words()
            .iter()
            .zip(words.roots())
            .zip(words.content())
            .filter(|&((&(_, w), base), &content)| is_cue_word(w, base, content, &neutral))
            .map(|((&(_, w), _), _)| w)
            .collect();
        assert_eq!(found, ["reviews", "vendor's", "week"]);
    }
}
