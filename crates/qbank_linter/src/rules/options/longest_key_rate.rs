use qbank_diagnostics::Diagnostic;
use qbank_model::{Item, ItemType};

use crate::CheckedItem;
use crate::registry::declare_rule;
use crate::words::{LONGEST_KEY_MIN_ITEMS, LintSettings};

declare_rule! {
    /// ## What it does
    /// For each exam, counts the single-response items (retired ones left out) whose key is
    /// strictly the longest option, in characters after trimming, and reports the exam when
    /// their share is above `longest_key_rate` (default 0.35). With four options a key is the
    /// longest about a quarter of the time by chance. Exams with fewer than 10 single-response
    /// items are not judged, since on a handful of items the share swings by chance.
    ///
    /// One finding per exam gives the numbers and points at the first such item, by path.
    /// QB306 reports the single items whose key is longer by a clear margin; this rule catches
    /// the bank-wide habit even when each difference is small.
    ///
    /// The rate is set in `qbank.toml`:
    ///
    /// ```toml
    /// [lint]
    /// longest_key_rate = 0.3
    /// ```
    ///
    /// ## Why is this bad?
    /// Writers qualify the key until it is unarguable and leave the distractors short. Across an
    /// exam that pattern becomes a rule candidates learn, "pick the longest", which lets them
    /// score without the knowledge the exam is meant to measure.
    ///
    /// ## Example
    /// Ten single-response items of exam `cism`, six of them written like this:
    ///
    /// ```toml
    /// [[options]]
    /// text = "Assess the risk to the business before choosing a response"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Block the service"
    /// ```
    ///
    /// Use instead: write distractors as complete and qualified as the key, or trim the key:
    ///
    /// ```toml
    /// [[options]]
    /// text = "Assess the risk to the business"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Block the service at the proxy"
    /// ```
    pub(crate) struct LongestKeyRate {
        code: "QB320",
        name: "longest-key-rate",
        severity: Warning,
        summary: "Too many keys are the longest option",
    }
}

/// Reports each exam where too many single-response keys are the longest option.
pub(super) fn longest_key_rate(
    items: &[CheckedItem],
    lint: &LintSettings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let exams = super::live_items_by_exam(items, |item| item.item_type.value == ItemType::Single);
    for (exam, group) in exams {
        if group.len() < LONGEST_KEY_MIN_ITEMS {
            continue;
        }
        let longest: Vec<(&CheckedItem, usize)> = group
            .iter()
            .filter_map(|c| Some((*c, c.option_facts.longest_key?)))
            .collect();
        let rate = longest.len() as f64 / group.len() as f64;
        if rate <= lint.longest_key_rate {
            continue;
        }
        // Reported at the first item in path order.
        let Some(&(first, key)) = longest.iter().min_by(|a, b| a.0.path.cmp(&b.0.path)) else {
            continue;
        };
        diagnostics.push(
            LongestKeyRate::META
                .diagnostic(
                    &first.file,
                    first.item.options[key].text.range,
                    format!(
                        "the key is the longest option in {} of {} single-response `{exam}` \
                         items ({:.0}%, above {:.0}%)",
                        longest.len(),
                        group.len(),
                        rate * 100.0,
                        lint.longest_key_rate * 100.0,
                    ),
                )
                .with_help(
                    "write distractors as long and as qualified as the keys, or trim the keys, \
                     so that length does not predict the answer",
                )
                .about_exam(exam),
        );
    }
}

/// The key of a single-response item if it is strictly longer than every other option.
pub(super) fn longest_key(item: &Item) -> Option<usize> {
    let mut keys = item.key_indices();
    let key = keys.next()?;
    if keys.next().is_some() {
        return None;
    }
    let length = |index: usize| item.options[index].text.value.trim().chars().count();
    let key_length = length(key);
    let strictly_longest = (0..item.options.len())
        .filter(|&i| i != key)
        .all(|i| length(i) < key_length);
    (item.options.len() > 1 && strictly_longest).then_some(key)
}
