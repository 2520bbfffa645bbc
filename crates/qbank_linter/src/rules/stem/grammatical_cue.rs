use std::ops::Range;

use qbank_model::Item;
use qbank_model::schema::option_label;

use super::is_one_of;
use crate::registry::declare_rule;
use crate::rules::text::{value_span, words};
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::{A_BEFORE_VOWEL_LETTER, AN_BEFORE_SILENT_H, DETERMINERS};

declare_rule! {
    /// ## What it does
    /// Reports a stem that ends with the article "a" or "an" (before an optional colon, blank or
    /// ellipsis) when the article fits some options but not others: "an" before "asset" but not
    /// before "risk".
    ///
    /// The article is judged by sound, not spelling: "a user", "a one-time", "an hour",
    /// "an 8-hour". An acronym counts by the name of its first letter when that is clear ("an
    /// AES key", "a DLP tool"); options that start with an acronym whose first letter is F, H,
    /// L, M, N, R, S or X (said as a word or as letters: "a NIST", "an NDA"), or with a number
    /// other than 8, are not judged, nor options that bring their own determiner ("the", "its",
    /// "each"). Other singular/plural mismatches are not detected. The word lists are built in;
    /// this rule has no settings.
    ///
    /// ## Why is this bad?
    /// Test-wise candidates drop every option that does not read on grammatically from the stem,
    /// so the item rewards grammar instead of knowledge, and a distractor that is ruled out by
    /// its first letter does no work.
    ///
    /// ## Example
    /// ```toml
    /// stem = "A documented, time-bound and approved departure from a standard is an:"
    ///
    /// [[options]]
    /// text = "exception"
    /// correct = true
    ///
    /// [[options]]
    /// text = "waiver of audit"
    ///
    /// [[options]]
    /// text = "incident"
    ///
    /// [[options]]
    /// text = "deviation report"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// stem = "A documented, time-bound and approved departure from a standard is:"
    ///
    /// [[options]]
    /// text = "an exception"
    /// correct = true
    ///
    /// [[options]]
    /// text = "a waiver of audit"
    ///
    /// [[options]]
    /// text = "an incident"
    ///
    /// [[options]]
    /// text = "a deviation report"
    /// ```
    pub(crate) struct GrammaticalCue {
        code: "QB206",
        name: "grammatical-cue",
        severity: Warning,
        summary: "The stem's grammar fits only some options",
    }
}

impl ItemRule for GrammaticalCue {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let stem = &item.stem.value;
        let Some((at, article)) = final_article(stem, ctx.words.question()) else {
            return;
        };
        let wants_vowel = article.eq_ignore_ascii_case("an");
        let (mut fit, mut misfit) = (Vec::new(), Vec::new());
        for (index, option) in item.options.iter().enumerate() {
            let Some((_, first)) = words(&option.text.value).next() else {
                continue;
            };
            if is_one_of(first, DETERMINERS) {
                continue;
            }
            let Some(vowel) = vowel_sound(first) else {
                continue;
            };
            if vowel == wants_vowel {
                fit.push(option_label(index));
            } else {
                misfit.push(option_label(index));
            }
        }
        if fit.is_empty() || misfit.is_empty() {
            return;
        }
        ctx.report(
            Self::META
                .diagnostic(
                    ctx.file,
                    value_span(ctx.file.text(), &item.stem, at..at + article.len()),
                    format!(
                        "stem ends with `{article}`, which fits {} but not {}",
                        labels(&fit),
                        labels(&misfit)
                    ),
                )
                .with_help(
                    "end the stem before the article and start each option with the article it \
                     needs (\"a risk\", \"an asset\")",
                ),
        );
    }
}

/// The article "a" or "an" that ends the question of `stem`, before a colon, a blank or an
/// ellipsis, with its byte offset.
fn final_article(stem: &str, range: Range<usize>) -> Option<(usize, &str)> {
    let body = stem[range.clone()]
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '.' | '…' | '_' | '?'));
    let (offset, last) = words(body).last()?;
    // The word must end the text ("is a", not "an A-" cut at a hyphen), in lowercase: a capital
    // "A" at the end is a grade or a label, not an article.
    if offset + last.len() != body.len() || !matches!(last, "a" | "an") {
        return None;
    }
    Some((range.start + offset, last))
}

/// Whether `word` starts with a vowel sound and so takes "an"; `None` when that is unclear.
fn vowel_sound(word: &str) -> Option<bool> {
    let first = word.chars().next()?;
    if first.is_ascii_digit() {
        // "an 8-hour window", "an 80% share"; 11 and 18 ("an 11-day") depend on how the number
        // is read, so other numbers are not judged.
        return (first == '8').then_some(true);
    }
    let letters: String = word.chars().take_while(|c| c.is_alphanumeric()).collect();
    if letters.chars().count() >= 2 && !letters.chars().any(char::is_lowercase) {
        // An acronym: said by its letters ("an SLA") or as a word ("a SIEM"). Only first letters
        // whose name and sound agree either way are judged.
        return match first.to_ascii_uppercase() {
            'A' | 'E' | 'I' | 'O' => Some(true),
            'F' | 'H' | 'L' | 'M' | 'N' | 'R' | 'S' | 'X' => None,
            _ => Some(false),
        };
    }
    let lower = word.to_lowercase();
    let starts = |prefixes: &[&str]| {
        prefixes
            .iter()
            .any(|p| lower.starts_with(p) || lower == p.trim_end_matches('-'))
    };
    if starts(AN_BEFORE_SILENT_H) {
        return Some(true);
    }
    if starts(A_BEFORE_VOWEL_LETTER) {
        return Some(false);
    }
    Some(matches!(
        first.to_ascii_lowercase(),
        'a' | 'e' | 'i' | 'o' | 'u'
    ))
}

/// "option A", "options A and C", "options A, B and D".
fn labels(labels: &[String]) -> String {
    match labels {
        [one] => format!("option {one}"),
        [init @ .., last] => format!("options {} and {last}", init.join(", ")),
        [] => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(stem: &str) -> Option<(usize, &str)> {
        final_article(stem, crate::rules::stem::question(stem))
    }

    #[test]
    fn articles_end_the_question() {
        assert_eq!(
            article("A departure from a standard is an:"),
            Some((31, "an"))
        );
        assert_eq!(article("The owner is a ___."), Some((13, "a")));
        assert_eq!(article("Which is a control?"), None);
        assert_eq!(article("The grade is A"), None);
    }

    #[test]
    fn sounds_not_letters() {
        assert_eq!(vowel_sound("asset"), Some(true));
        assert_eq!(vowel_sound("hour"), Some(true));
        assert_eq!(vowel_sound("user"), Some(false));
        assert_eq!(vowel_sound("unauthorized"), Some(true));
        assert_eq!(vowel_sound("one-time"), Some(false));
        assert_eq!(vowel_sound("one"), Some(false));
        assert_eq!(vowel_sound("onerous"), Some(true));
        assert_eq!(vowel_sound("risk"), Some(false));
        assert_eq!(vowel_sound("AES"), Some(true));
        assert_eq!(vowel_sound("DLP"), Some(false));
        assert_eq!(vowel_sound("NIST"), None);
        assert_eq!(vowel_sound("8-hour"), Some(true));
        assert_eq!(vowel_sound("11-day"), None);
    }

    #[test]
    fn label_lists() {
        let l = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(labels(&l(&["A"])), "option A");
        assert_eq!(labels(&l(&["A", "B", "D"])), "options A, B and D");
    }
}
