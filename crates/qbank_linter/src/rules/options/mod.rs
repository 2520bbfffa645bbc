//! Options and answer-key rules (`QB3xx`).

mod absolute_terms;
mod all_of_the_above;
mod distractor_without_rationale;
mod duplicate_option;
mod embedded_label;
mod hedged_key;
mod key_position_imbalance;
mod longest_key_rate;
mod longest_option_key;
mod lost_sequence;
mod none_of_the_above;
mod option_length_imbalance;
mod option_reference;
mod overlapping_options;
mod overlapping_ranges;
mod repeated_option_opening;
mod reused_option_set;
mod true_false_options;
mod word_repeat_cue;
mod wrong_key_count;
mod wrong_option_count;

pub(crate) use absolute_terms::AbsoluteTerms;
pub(crate) use all_of_the_above::AllOfTheAbove;
pub(crate) use distractor_without_rationale::DistractorWithoutRationale;
pub(crate) use duplicate_option::DuplicateOption;
pub(crate) use embedded_label::EmbeddedLabel;
pub(crate) use hedged_key::HedgedKey;
pub(crate) use key_position_imbalance::KeyPositionImbalance;
pub(crate) use longest_key_rate::LongestKeyRate;
pub(crate) use longest_option_key::LongestOptionKey;
pub(crate) use lost_sequence::LostSequence;
pub(crate) use none_of_the_above::NoneOfTheAbove;
pub(crate) use option_length_imbalance::OptionLengthImbalance;
pub(crate) use option_reference::OptionReference;
pub(crate) use overlapping_options::OverlappingOptions;
pub(crate) use overlapping_ranges::OverlappingRanges;
pub(crate) use repeated_option_opening::RepeatedOptionOpening;
pub(crate) use reused_option_set::ReusedOptionSet;
pub(crate) use true_false_options::TrueFalseOptions;
pub(crate) use word_repeat_cue::WordRepeatCue;
pub(crate) use wrong_key_count::WrongKeyCount;
pub(crate) use wrong_option_count::WrongOptionCount;

use qbank_diagnostics::Diagnostic;

use crate::CheckedItem;
use crate::settings::Settings;

/// What the bank-wide option rules need of each item (QB320, QB321). It is found while the
/// item's file is checked, on every core and while its text is in cache, rather than in a pass
/// over the whole bank after the files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct OptionFacts {
    /// A hash of its option set, the same for the same texts in any order (QB321).
    pub(crate) set_hash: u64,
    /// Its key, when it has one key and that is strictly its longest option (QB320).
    pub(crate) longest_key: Option<usize>,
}

impl OptionFacts {
    pub(crate) fn of(item: &qbank_model::Item) -> Self {
        Self {
            set_hash: reused_option_set::set_hash(item, &mut String::new()),
            longest_key: longest_key_rate::longest_key(item),
        }
    }
}

/// The items of each exam, by exam name, that are not retired and pass `keep`. Bank-level
/// rules judge each exam's live items on their own.
fn live_items_by_exam(
    items: &[CheckedItem],
    keep: impl Fn(&qbank_model::Item) -> bool,
) -> std::collections::BTreeMap<&str, Vec<&CheckedItem>> {
    let mut exams: std::collections::BTreeMap<&str, Vec<&CheckedItem>> =
        std::collections::BTreeMap::new();
    for checked in items {
        let item = &checked.item;
        if item.status.value != qbank_model::Status::Retired && keep(item) {
            exams
                .entry(item.exam.value.as_str())
                .or_default()
                .push(checked);
        }
    }
    exams
}

/// The option rules that need every item of the bank (QB319, QB320, QB321).
pub(crate) fn check_bank(
    items: &[CheckedItem],
    settings: &Settings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if settings.enabled(KeyPositionImbalance::META.code) {
        key_position_imbalance::key_position_imbalance(items, &settings.lint, diagnostics);
    }
    if settings.enabled(LongestKeyRate::META.code) {
        longest_key_rate::longest_key_rate(items, &settings.lint, diagnostics);
    }
    if settings.enabled(ReusedOptionSet::META.code) {
        reused_option_set::reused_option_set(items, diagnostics);
    }
}

#[cfg(test)]
mod tests;
