use std::hash::{DefaultHasher, Hash, Hasher};

use qbank_diagnostics::{Annotation, Diagnostic};
use qbank_model::{Item, Status};
use rayon::prelude::*;

use crate::CheckedItem;
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an item whose options are the same set of texts as an earlier item's (in any
    /// order, ignoring case, inner whitespace and a final period) but whose key is a different
    /// option. Items are taken in path order; each later item is reported once, against the
    /// first earlier item it conflicts with, which is annotated too. Retired items are left
    /// out, so an item retired for a wrong key does not conflict with its corrected successor.
    ///
    /// ## Why is this bad?
    /// Option sets are often copied from one item to write the next. If the copy kept the
    /// options but the key was changed, or the key was left behind when the stem changed, one
    /// of the two items is probably scored wrong. When the stems really ask different
    /// questions ("Which is a preventive control?" and "Which is a detective control?") the
    /// reuse is deliberate: say so with a suppression comment.
    ///
    /// ## Example
    /// ```toml
    /// # items/CISM-0001.toml
    /// [[options]]
    /// text = "Accept the risk"
    /// correct = true
    ///
    /// [[options]]
    /// text = "Transfer the risk"
    ///
    /// # items/CISM-0002.toml
    /// [[options]]
    /// text = "Accept the risk"
    ///
    /// [[options]]
    /// text = "Transfer the risk"
    /// correct = true
    /// ```
    ///
    /// Use instead: correct the key that is wrong, or explain the deliberate reuse:
    /// ```toml
    /// # qbank: allow QB321 -- asks for the response to a risk above appetite, CISM-0001 below
    /// ```
    pub(crate) struct ReusedOptionSet {
        code: "QB321",
        name: "reused-option-set",
        severity: Warning,
        summary: "The same options are reused with a different key",
    }
}

/// Reports items that reuse an earlier item's options with another key.
pub(super) fn reused_option_set(items: &[CheckedItem], diagnostics: &mut Vec<Diagnostic>) {
    let mut sorted: Vec<&CheckedItem> = items
        .iter()
        .filter(|c| c.item.status.value != Status::Retired && c.item.options.len() > 1)
        .collect();
    sorted.par_sort_by(|a, b| a.path.cmp(&b.path));
    let found = reused_pairs(&sorted, |checked| checked.option_facts.set_hash);
    diagnostics.extend(
        found
            .into_iter()
            .map(|(later, first)| reused(sorted[later], sorted[first])),
    );
}

/// The pairs `(later, first)` of positions in `sorted` (items in path order) where item
/// `later` has the option set of the earlier item `first` and another key, `first` the earliest
/// such item; in the order of `later`.
///
/// Items are grouped by `hash` of their option set (see [`set_hash`]: each item's is found
/// while its file is checked); only the items of a group of two or more, which on most banks
/// are few, have their option and key texts compared in full, so a hash collision never makes
/// a finding.
fn reused_pairs(
    sorted: &[&CheckedItem],
    hash: impl Fn(&CheckedItem) -> u64,
) -> Vec<(usize, usize)> {
    let hashes: Vec<u64> = sorted.iter().map(|checked| hash(checked)).collect();
    let mut order: Vec<usize> = (0..sorted.len()).collect();
    order.par_sort_unstable_by_key(|&a| (hashes[a], a));
    let mut found: Vec<(usize, usize)> = Vec::new();
    for group in order.chunk_by(|&a, &b| hashes[a] == hashes[b]) {
        if group.len() < 2 {
            continue;
        }
        let texts: Vec<(Vec<String>, Vec<String>)> = group
            .iter()
            .map(|&position| {
                let item = &sorted[position].item;
                (
                    sorted_texts(item, |_| true),
                    sorted_texts(item, |index| item.options[index].is_key()),
                )
            })
            .collect();
        // In path order within the group: each item against the first earlier one with the
        // same options and other keys.
        for (k, (options, keys)) in texts.iter().enumerate() {
            if let Some(first) = texts[..k]
                .iter()
                .position(|(o, other_keys)| o == options && other_keys != keys)
            {
                found.push((group[k], group[first]));
            }
        }
    }
    found.sort_unstable();
    found
}

/// A hash of the option set of `item` in the compared form ([`normalized`]): the hash of the
/// sorted hashes of its option texts, so that equal sets in any order hash equally. `buffer`
/// is scratch space, reused from item to item.
pub(super) fn set_hash(item: &Item, buffer: &mut String) -> u64 {
    let mut hashes: Vec<u64> = item
        .options
        .iter()
        .map(|option| {
            buffer.clear();
            normalize_into(&option.text.value, buffer);
            let mut hasher = DefaultHasher::new();
            buffer.hash(&mut hasher);
            hasher.finish()
        })
        .collect();
    hashes.sort_unstable();
    let mut set = DefaultHasher::new();
    hashes.hash(&mut set);
    set.finish()
}

fn reused(later: &CheckedItem, earlier: &CheckedItem) -> Diagnostic {
    // Texts, not labels: the two items may list the same options in different orders.
    let keys = |item: &Item| {
        let keys: Vec<String> = item
            .key_indices()
            .map(|key| format!("`{}`", item.options[key].text.value.trim()))
            .collect();
        if keys.is_empty() {
            "none".to_owned()
        } else {
            keys.join(", ")
        }
    };
    let at = |item: &Item| {
        item.key_indices()
            .next()
            .map_or(item.id.range, |key| item.options[key].text.range)
    };
    ReusedOptionSet::META
        .diagnostic(
            &later.file,
            at(&later.item),
            format!(
                "same options as item `{}` but a different key: {} here, {} there",
                earlier.item.id.value,
                keys(&later.item),
                keys(&earlier.item),
            ),
        )
        .with_secondary(Annotation::labelled(
            earlier.file.clone(),
            at(&earlier.item),
            format!("key of `{}`", earlier.item.id.value),
        ))
        .with_help(
            "check both keys; if the stems ask different questions, keep them and say why in \
             `# qbank: allow QB321 -- reason`",
        )
}

/// The normalized texts of the options that `keep` selects, sorted: lowercase, single spaces,
/// no final period.
fn sorted_texts(item: &Item, keep: impl Fn(usize) -> bool) -> Vec<String> {
    let mut texts: Vec<String> = item
        .options
        .iter()
        .enumerate()
        .filter(|(index, _)| keep(*index))
        .map(|(_, option)| normalized(&option.text.value))
        .collect();
    texts.sort_unstable();
    texts
}

/// `text` in lowercase, its words separated by single spaces, without final periods.
fn normalized(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// [`normalized`] `text`, appended to `out`, which is empty. ASCII text, which most options
/// are, is built in place, with no other allocation.
fn normalize_into(text: &str, out: &mut String) {
    if !text.is_ascii() {
        let joined = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        out.push_str(joined.trim_end_matches('.'));
        return;
    }
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.make_ascii_lowercase();
    out.truncate(out.trim_end_matches('.').len());
}

#[cfg(test)]
mod tests {
    use super::{normalized, reused_pairs, set_hash};
    use crate::CheckedItem;
    use crate::test::checked_item;

    fn checked(id: &str, options: &[&str], key: usize) -> CheckedItem {
        checked_item(id, options, key, "")
    }

    /// Items are compared in full within a group of equal hashes, so a hash under which every
    /// set collides finds exactly the pairs the real hash finds.
    #[test]
    fn collisions_never_make_a_finding() {
        let items = [
            checked("T-1", &["Accept", "Transfer", "Avoid"], 0),
            checked("T-2", &["Avoid", "accept.", "Transfer"], 1),
            checked("T-3", &["Transfer", "Accept", "Avoid"], 2),
            checked("T-4", &["Accept", "Transfer", "Mitigate"], 1),
            checked("T-5", &["Mitigate", "Transfer", "Accept"], 1),
            checked("T-6", &["Accept", "Transfer", "Mitigate"], 0),
            checked("T-7", &["Accept", "Transfer", "Avoid"], 1),
        ];
        let sorted: Vec<&CheckedItem> = items.iter().collect();
        let real = reused_pairs(&sorted, |c| set_hash(&c.item, &mut String::new()));
        // T-3 (key "Avoid") and T-7 ("Transfer") against T-1 ("Accept"); T-6 ("Accept")
        // against T-4 ("Transfer"). T-2 and T-5 repeat an earlier key.
        assert_eq!(real, [(2, 0), (5, 3), (6, 0)]);
        assert_eq!(reused_pairs(&sorted, |_| 7), real);
    }

    /// The option facts a check records for each item file are those of its item.
    #[test]
    fn checked_files_record_their_option_facts() {
        let bank = crate::test::TempBank::new();
        for (id, options, key) in [
            (
                "T-1",
                "\"Accept\", \"Transfer the risk to an insurer\", \"Avoid\"",
                1,
            ),
            (
                "T-2",
                "\"Avoid\", \"accept.\", \"Transfer the risk to an insurer\"",
                0,
            ),
            ("T-3", "\"Yes\", \"No\"", 0),
        ] {
            let options: Vec<String> = options
                .split(", ")
                .enumerate()
                .map(|(i, text)| format!("{{ text = {text}, correct = {} }}", i == key))
                .collect();
            let text = format!(
                "id = \"{id}\"\nexam = \"test\"\ndomain = \"1\"\ntype = \"single\"\n\
                 status = \"draft\"\nstem = \"Which?\"\nauthors = [\"a\"]\ncreated = 2026-01-01\n\
                 options = [{}]\n",
                options.join(", ")
            );
            bank.write(format!("items/{id}.toml"), text.as_bytes());
        }
        let workspace = qbank_workspace::Workspace::discover(bank.root(), None).unwrap();
        let outcome = crate::check(&workspace, workspace.files(), &crate::Settings::defaults());
        assert_eq!(outcome.items.len(), 3, "{:?}", outcome.diagnostics);
        for checked in &outcome.items {
            assert_eq!(
                checked.option_facts,
                crate::rules::options::OptionFacts {
                    set_hash: set_hash(&checked.item, &mut String::new()),
                    longest_key: super::super::longest_key_rate::longest_key(&checked.item),
                },
                "{}",
                checked.item.id.value
            );
        }
    }

    /// The normalization as first written, for every text.
    fn reference(text: &str) -> String {
        let joined = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        joined.trim_end_matches('.').to_owned()
    }

    #[test]
    fn normalizes_case_spaces_and_final_periods() {
        assert_eq!(normalized("  Accept the  RISK..\t"), "accept the risk");
        assert_eq!(normalized("ÉTAPE  ΟΔΟΣ."), "étape οδος");
        assert_eq!(normalized(" \u{b} . "), "");
    }

    proptest::proptest! {
        #[test]
        fn the_ascii_path_matches_the_reference(text in "[a-zA-Z .,\t\n\u{b}\u{c}\r\u{a0}é]{0,30}") {
            proptest::prop_assert_eq!(normalized(&text), reference(&text));
        }
    }
}
