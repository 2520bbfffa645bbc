use std::ops::Range;

use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::text::{TextWords, value_span};
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::{COLLECTIVE_ABOVE, COLLECTIVE_CONTINUATIONS, COLLECTIVE_NOUNS};

declare_rule! {
    /// ## What it does
    /// Reports an option that stands for all the other options: "all of the above", "all the
    /// above", "all above", "all of these", "all of them", "all of the options" (or answers,
    /// choices, responses, alternatives, statements), "all of the preceding" and "all are
    /// correct", in any case and with any punctuation.
    ///
    /// The phrase counts when it ends the option or is followed by words such as "are correct"
    /// or "except C"; "Protect all of the above assets" or "Encrypt all of these files" describe
    /// something else and are not reported.
    ///
    /// ## Why is this bad?
    /// A candidate who recognizes two correct options can choose "all of the above" without
    /// knowing the third, and one who spots a single wrong option can rule it out: the option
    /// tests partial knowledge and test-taking skill rather than the content. When it is the
    /// key, the item has several right answers to a question that asks for one; it also stops
    /// making sense when delivery shuffles it away from the last place.
    ///
    /// ## Example
    /// ```toml
    /// [[options]]
    /// text = "Encrypt the backup media"
    ///
    /// [[options]]
    /// text = "Store the backups offsite"
    ///
    /// [[options]]
    /// text = "Test restores every quarter"
    ///
    /// [[options]]
    /// text = "All of the above"
    /// correct = true
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// # Ask for the one BEST practice, and replace the option with a plausible distractor.
    /// [[options]]
    /// text = "Keep the backups on the same storage array as production"
    /// ```
    pub(crate) struct AllOfTheAbove {
        code: "QB304",
        name: "all-of-the-above",
        severity: Error,
        summary: "An option says \"all of the above\"",
    }
}

impl ItemRule for AllOfTheAbove {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        for (index, option) in item.options.iter().enumerate() {
            let Some(phrase) = collective_phrase(&ctx.words.options[index], &["all"]) else {
                continue;
            };
            let said = &option.text.value[phrase.clone()];
            let range = value_span(ctx.file.text(), &option.text, phrase.clone());
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        range,
                        format!("option {} says `{said}`", option_label(index)),
                    )
                    .with_help(
                        "ask for the one best answer and replace this option with a distractor \
                         that is plausible on its own",
                    ),
            );
        }
    }
}

/// The byte range in `text` of a phrase that stands for all the other options and starts with
/// one of `leads`: "all of the above" for `["all"]`, "none of these" for `["none", "neither"]`.
///
/// After the lead come an optional "of" and then "the above" (or "preceding", ...), "the options"
/// (or "answers", ...), "these", "those", "them", or "are correct". The phrase must end the
/// option, be followed by punctuation, or be followed by a word of `COLLECTIVE_CONTINUATIONS`:
/// "all of the above assets" is about assets, not about the options.
pub(super) fn collective_phrase(words: &TextWords<'_>, leads: &[&str]) -> Option<Range<usize>> {
    let text = words.text();
    let found = words.words();
    found
        .iter()
        .enumerate()
        .find_map(|(index, &(start, lead))| {
            if !leads.iter().any(|l| lead.eq_ignore_ascii_case(l)) {
                return None;
            }
            let length = phrase_length(&found[index + 1..])?;
            let (last_start, last) = found[index + length];
            let end = last_start + last.len();
            if let Some(&(next_start, next)) = found.get(index + length + 1) {
                let joined = text[end..next_start].chars().all(char::is_whitespace);
                if joined && !is_one_of(next, COLLECTIVE_CONTINUATIONS) {
                    return None;
                }
            }
            Some(start..end)
        })
}

/// How many words after the lead belong to the phrase, if they make one.
fn phrase_length(rest: &[(usize, &str)]) -> Option<usize> {
    let at = |k: usize, list: &[&str]| rest.get(k).is_some_and(|&(_, w)| is_one_of(w, list));
    let of = usize::from(at(0, &["of"]));
    let the = usize::from(at(of, &["the"]));
    if at(of + the, COLLECTIVE_ABOVE) {
        return Some(of + the + 1);
    }
    if the == 1 && at(of + 1, COLLECTIVE_NOUNS) {
        return Some(of + 2);
    }
    if at(of, &["these", "those"]) || (of == 1 && at(1, &["them"])) {
        return Some(of + 1);
    }
    if of == 0 && at(0, &["are", "is"]) && at(1, &["correct", "true", "right"]) {
        return Some(2);
    }
    None
}

fn is_one_of(word: &str, list: &[&str]) -> bool {
    list.iter().any(|w| word.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::collective_phrase;
    use crate::rules::text::TextWords;

    fn phrase<'t>(text: &'t str, leads: &[&str]) -> Option<&'t str> {
        collective_phrase(&TextWords::new(text), leads).map(|r| &text[r])
    }

    #[test]
    fn finds_common_phrasings() {
        let all = ["all"];
        assert_eq!(phrase("All of the above", &all), Some("All of the above"));
        assert_eq!(phrase("all the above.", &all), Some("all the above"));
        assert_eq!(phrase("(D) All above", &all), Some("All above"));
        assert_eq!(phrase("All of these", &all), Some("All of these"));
        assert_eq!(
            phrase("All of the options are correct", &all),
            Some("All of the options")
        );
        assert_eq!(phrase("All are correct", &all), Some("All are correct"));
        assert_eq!(
            phrase("ALL OF THE ABOVE except C", &all),
            Some("ALL OF THE ABOVE")
        );
        assert_eq!(
            phrase("All of the above. Each helps", &all),
            Some("All of the above")
        );
        let none = ["none", "neither"];
        assert_eq!(
            phrase("None of the preceding", &none),
            Some("None of the preceding")
        );
        assert_eq!(phrase("Neither of them", &none), Some("Neither of them"));
    }

    #[test]
    fn ignores_phrases_about_something_else() {
        let all = ["all"];
        assert_eq!(phrase("Protect all of the above assets", &all), None);
        assert_eq!(phrase("Encrypt all of these files", &all), None);
        assert_eq!(phrase("Allocate the above budget", &all), None);
        assert_eq!(phrase("All staff", &all), None);
        assert_eq!(phrase("All are encrypted", &all), None);
        assert_eq!(phrase("None", &["none"]), None);
    }
}
