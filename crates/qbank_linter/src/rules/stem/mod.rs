//! Stem wording rules (`QB2xx`).

mod double_negative;
mod fill_in_the_blank;
mod grammatical_cue;
mod multi_response_count;
mod unclear_task;
mod undefined_acronym;
mod unemphasized_negative;
mod window_dressing;

pub(crate) use double_negative::DoubleNegative;
pub(crate) use fill_in_the_blank::FillInTheBlank;
pub(crate) use grammatical_cue::GrammaticalCue;
pub(crate) use multi_response_count::MultiResponseCount;
pub(crate) use unclear_task::UnclearTask;
pub(crate) use undefined_acronym::UndefinedAcronym;
pub(crate) use unemphasized_negative::UnemphasizedNegative;
pub(crate) use window_dressing::WindowDressing;

use std::ops::Range;

use qbank_diagnostics::Diagnostic;

use crate::CheckedItem;
use crate::rules::text::{question_range, words};
use crate::settings::Settings;
use crate::words::{COUNT_CUES, NEGATIVE_IDIOMS, NUMBER_WORDS, STEM_NEGATIVES, SUBORDINATORS};

/// The stem rules that need every item of the bank (QB204).
pub(crate) fn check_bank(
    items: &[CheckedItem],
    settings: &Settings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if settings.enabled(WindowDressing::META.code) {
        window_dressing::window_dressing(items, &settings.lint, diagnostics);
    }
}

/// Whether `word` is one of `list` (lowercase words), ignoring ASCII case.
fn is_one_of(word: &str, list: &[&str]) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// Whether `word` has letters and all of them are capitals: "NOT", "ISC2".
fn is_capitals(word: &str) -> bool {
    word.chars().any(char::is_alphabetic) && !word.chars().any(char::is_lowercase)
}

/// The number that `word` writes, as a digit or a number word: "TWO" and "2" are 2.
fn number(word: &str) -> Option<usize> {
    if let Ok(n) = word.parse::<usize>() {
        return Some(n);
    }
    NUMBER_WORDS
        .iter()
        .position(|w| w.eq_ignore_ascii_case(word))
        .map(|i| i + 1)
}

/// The byte range of the question a stem asks, as [`question_range`] finds it, and also skipping a
/// final instruction sentence without parentheses, as in "Which are BEST? Choose TWO.".
pub(crate) fn question(stem: &str) -> Range<usize> {
    let last = question_range(stem);
    let sentence: Vec<&str> = words(&stem[last.clone()]).map(|(_, w)| w).collect();
    let is_instruction = sentence.len() <= 6
        && sentence
            .first()
            .is_some_and(|w| is_one_of(w, COUNT_CUES) && !is_one_of(w, &["which", "what"]))
        && sentence.iter().any(|w| number(w).is_some());
    if !is_instruction || last.start == 0 {
        return last;
    }
    let before = stem[..last.start].trim_end();
    let earlier = question_range(before);
    if earlier.is_empty() { last } else { earlier }
}

/// The negative words (`not`, `except`, `least`, `false`) that negate the question a stem asks,
/// with their byte ranges in the stem, in any case.
///
/// A negative in the scenario before the question does not count, nor one in an idiom such as
/// "at least" or "false positives", nor one after a word that opens a subordinate clause
/// ("Which control protects data that is not encrypted?"): these describe the situation, they do
/// not turn the question around.
fn question_negatives(stem: &str, range: Range<usize>) -> Vec<(Range<usize>, &str)> {
    let found: Vec<(usize, &str)> = words(&stem[range.clone()]).collect();
    let mut negatives = Vec::new();
    for (index, &(offset, word)) in found.iter().enumerate() {
        if !is_one_of(word, STEM_NEGATIVES) {
            continue;
        }
        let before = index.checked_sub(1).map(|i| found[i].1);
        let after = found.get(index + 1).map(|&(_, w)| w);
        let in_idiom = |first: Option<&str>, second: Option<&str>| {
            let (Some(first), Some(second)) = (first, second) else {
                return false;
            };
            NEGATIVE_IDIOMS
                .iter()
                .any(|idiom| idiom.eq_ignore_ascii_case(&format!("{first} {second}")))
        };
        if in_idiom(before, Some(word)) || in_idiom(Some(word), after) {
            continue;
        }
        // The question's first word ("Which", "What") is interrogative, not a subordinator.
        if found
            .get(1..index)
            .is_some_and(|between| between.iter().any(|&(_, w)| is_one_of(w, SUBORDINATORS)))
        {
            continue;
        }
        let start = range.start + offset;
        negatives.push((start..start + word.len(), word));
    }
    negatives
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod helper_tests {
    use super::*;

    fn negatives(stem: &str) -> Vec<&str> {
        question_negatives(stem, question(stem))
            .into_iter()
            .map(|(_, w)| w)
            .collect()
    }

    #[test]
    fn negatives_of_the_question_only() {
        assert_eq!(
            negatives("The plan was not tested. Which step is not needed?"),
            ["not"]
        );
        assert_eq!(negatives("Which is NOT a control? (Choose TWO.)"), ["NOT"]);
        assert_eq!(
            negatives("Which is the least costly, except for X?"),
            ["least", "except"]
        );
    }

    #[test]
    fn idioms_and_subordinate_clauses_do_not_negate() {
        assert!(negatives("Which control reduces false positives?").is_empty());
        assert!(negatives("Which log must be kept for at least a year?").is_empty());
        assert!(negatives("Which control protects data that is not encrypted?").is_empty());
        assert!(negatives("Which NOTE is relevant?").is_empty());
        assert!(negatives("Which control not only detects but also blocks?").is_empty());
    }

    #[test]
    fn a_final_instruction_sentence_is_not_the_question() {
        let stem = "A bank merged. Which steps are not needed? Choose TWO.";
        assert_eq!(&stem[question(stem)], "Which steps are not needed?");
        let stem = "Select the BEST answer.";
        assert_eq!(&stem[question(stem)], "Select the BEST answer.");
    }

    #[test]
    fn numbers_as_digits_or_words() {
        assert_eq!(number("TWO"), Some(2));
        assert_eq!(number("3"), Some(3));
        assert_eq!(number("twice"), None);
    }
}
