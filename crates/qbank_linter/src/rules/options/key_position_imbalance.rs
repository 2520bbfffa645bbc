use qbank_diagnostics::Diagnostic;
use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::CheckedItem;
use crate::registry::declare_rule;
use crate::words::LintSettings;

declare_rule! {
    /// ## What it does
    /// For each exam, looks at the positions of the keys of the items that keep their options
    /// in place (`shuffle = false`, or every option `fixed = true`; retired items are left out).
    /// Once an exam has at least `key_position_min_items` such items (default 20), it reports
    /// the exam when the share of keys at some position (A, B, C, ...) departs from the uniform
    /// share by more than `key_position_tolerance` (default 0.10, that is ten percentage
    /// points). The uniform share of a position allows for items with fewer options: a key of a
    /// four-option item is expected at each of A to D a quarter of the time.
    ///
    /// One finding per exam gives the count of keys at each position; it points at the first
    /// item, by path, whose key sits at the most over-used position (or, when a position is
    /// avoided, at the first unshuffled item).
    ///
    /// Both thresholds are set in `qbank.toml`:
    ///
    /// ```toml
    /// [lint]
    /// key_position_min_items = 40
    /// key_position_tolerance = 0.05
    /// ```
    ///
    /// ## Why is this bad?
    /// Writers favour some positions, often B and C, and avoid putting the key first or last.
    /// Candidates who know this guess better than chance, so the score measures test-taking
    /// skill as well as knowledge. Items that delivery shuffles are immune and are not counted.
    ///
    /// ## Example
    /// Twenty unshuffled items of exam `cism` whose keys are all option B:
    ///
    /// ```toml
    /// shuffle = false
    ///
    /// [[options]]
    /// text = "Accept the risk"
    ///
    /// [[options]]
    /// text = "Transfer the risk"
    /// correct = true
    /// ```
    ///
    /// Use instead: let delivery shuffle the items that have no reason to keep their order, and
    /// spread the keys of the others evenly:
    ///
    /// ```toml
    /// shuffle = true
    /// ```
    pub(crate) struct KeyPositionImbalance {
        code: "QB319",
        name: "key-position-imbalance",
        severity: Warning,
        summary: "Keys of unshuffled items favour some positions",
    }
}

/// Reports each exam whose unshuffled items place their keys unevenly.
pub(super) fn key_position_imbalance(
    items: &[CheckedItem],
    lint: &LintSettings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let exams = super::live_items_by_exam(items, keeps_order);
    for (exam, mut group) in exams {
        if group.len() < lint.key_position_min_items.max(1) {
            continue;
        }
        group.sort_by(|a, b| a.path.cmp(&b.path));
        let Some(balance) = Balance::of(&group) else {
            continue;
        };
        let (position, departure) = balance.worst();
        if departure.abs() <= lint.key_position_tolerance {
            continue;
        }
        // The item to point at: one that adds to the excess, or any when a position is short.
        let at = group
            .iter()
            .find(|c| departure < 0.0 || c.item.key_indices().any(|k| k == position))
            .unwrap_or(&group[0]);
        let Some(key) = at.item.key_indices().next() else {
            continue;
        };
        diagnostics.push(
            KeyPositionImbalance::META
                .diagnostic(
                    &at.file,
                    at.item.options[key].text.range,
                    format!(
                        "keys of the {} unshuffled `{exam}` items {} position {}: {}",
                        group.len(),
                        if departure > 0.0 { "favour" } else { "avoid" },
                        option_label(position),
                        balance.describe(),
                    ),
                )
                .with_help(format!(
                    "let delivery shuffle the items that need no fixed order, or move keys so \
                     that each position holds a similar share (within {:.0} percentage points)",
                    lint.key_position_tolerance * 100.0
                ))
                .about_exam(exam),
        );
    }
}

/// Whether delivery shows the item's options in the order written.
fn keeps_order(item: &Item) -> bool {
    !item.shuffles()
        || item
            .options
            .iter()
            .all(|option| option.fixed.as_ref().is_some_and(|f| f.value))
}

/// Keys counted by position, against the counts a uniform placement would give.
struct Balance {
    counts: Vec<usize>,
    expected: Vec<f64>,
    keys: usize,
}

impl Balance {
    fn of(items: &[&CheckedItem]) -> Option<Self> {
        let width = items.iter().map(|c| c.item.options.len()).max()?;
        let mut balance = Self {
            counts: vec![0; width],
            expected: vec![0.0; width],
            keys: 0,
        };
        for checked in items {
            let options = checked.item.options.len();
            for key in checked.item.key_indices() {
                balance.counts[key] += 1;
                balance.keys += 1;
                for share in &mut balance.expected[..options] {
                    *share += 1.0 / options as f64;
                }
            }
        }
        (balance.keys > 0).then_some(balance)
    }

    /// The position whose share of keys departs most from uniform, and the signed departure
    /// (positive when the position has too many keys); the first position wins a tie.
    fn worst(&self) -> (usize, f64) {
        let keys = self.keys as f64;
        let departure = |p: usize| (self.counts[p] as f64 - self.expected[p]) / keys;
        (0..self.counts.len())
            .map(|p| (p, departure(p)))
            .fold((0, 0.0), |best, next| {
                if next.1.abs() > best.1.abs() {
                    next
                } else {
                    best
                }
            })
    }

    /// "A 12, B 4, C 5, D 3 (uniform: 6 each)".
    fn describe(&self) -> String {
        let counts: Vec<String> = self
            .counts
            .iter()
            .enumerate()
            .map(|(p, count)| format!("{} {count}", option_label(p)))
            .collect();
        let same = self
            .expected
            .windows(2)
            .all(|pair| (pair[0] - pair[1]).abs() < 1e-9);
        let uniform = if same {
            format!("{} each", share(self.expected[0]))
        } else {
            self.expected
                .iter()
                .enumerate()
                .map(|(p, e)| format!("{} {}", option_label(p), share(*e)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!("{} (uniform: {uniform})", counts.join(", "))
    }
}

/// An expected count, without decimals when it is whole: "5", "5.3".
fn share(expected: f64) -> String {
    let rounded = format!("{expected:.1}");
    rounded
        .strip_suffix(".0")
        .map_or_else(|| rounded.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use qbank_workspace::LintOptions;

    use super::{Balance, key_position_imbalance};
    use crate::CheckedItem;
    use crate::test::checked_item;
    use crate::words::LintSettings;

    fn unshuffled(id: &str, key: usize) -> CheckedItem {
        let options = ["Accept", "Transfer", "Avoid", "Mitigate"];
        checked_item(id, &options, key, "shuffle = false\n")
    }

    fn findings(items: &[CheckedItem], options: &LintOptions) -> usize {
        let mut diagnostics = Vec::new();
        key_position_imbalance(items, &LintSettings::new(options), &mut diagnostics);
        diagnostics.len()
    }

    #[test]
    fn thresholds_come_from_the_lint_settings() {
        // Keys A, A, A, B: A holds 75% where 25% is uniform.
        let items: Vec<CheckedItem> = [0, 0, 0, 1]
            .iter()
            .enumerate()
            .map(|(i, &key)| unshuffled(&format!("T-{i}"), key))
            .collect();
        assert_eq!(
            findings(&items, &LintOptions::default()),
            0,
            "under 20 items"
        );
        let four = LintOptions {
            key_position_min_items: Some(4),
            ..LintOptions::default()
        };
        assert_eq!(findings(&items, &four), 1);
        let five = LintOptions {
            key_position_min_items: Some(5),
            ..LintOptions::default()
        };
        assert_eq!(findings(&items, &five), 0);
        let lenient = LintOptions {
            key_position_min_items: Some(4),
            key_position_tolerance: Some(0.5),
            ..LintOptions::default()
        };
        assert_eq!(
            findings(&items, &lenient),
            0,
            "75% is within 50 points of 25%"
        );
    }

    fn balance(counts: &[usize], expected: &[f64]) -> Balance {
        Balance {
            counts: counts.to_vec(),
            expected: expected.to_vec(),
            keys: counts.iter().sum(),
        }
    }

    #[test]
    fn worst_position_is_signed_and_first_on_ties() {
        let b = balance(&[12, 4, 5, 3], &[6.0; 4]);
        assert_eq!(b.worst().0, 0);
        assert!((b.worst().1 - 0.25).abs() < 1e-9);
        let b = balance(&[8, 8, 8, 0], &[6.0; 4]);
        assert_eq!(b.worst().0, 3);
        assert!(b.worst().1 < 0.0);
        let b = balance(&[5, 5, 5, 5], &[5.0; 4]);
        assert_eq!(b.worst(), (0, 0.0));
    }

    #[test]
    fn describes_counts_and_the_uniform_share() {
        assert_eq!(
            balance(&[12, 4, 5, 3], &[6.0; 4]).describe(),
            "A 12, B 4, C 5, D 3 (uniform: 6 each)"
        );
        assert_eq!(
            balance(&[3, 1, 1], &[2.4, 1.4, 1.2]).describe(),
            "A 3, B 1, C 1 (uniform: A 2.4, B 1.4, C 1.2)"
        );
    }
}
