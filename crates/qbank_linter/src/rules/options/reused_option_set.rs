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
    // Each item's option texts and key texts in the compared form, in parallel.
    let texts: Vec<(Vec<String>, Vec<String>)> = sorted
        .par_iter()
        .map(|checked| {
            let item = &checked.item;
            (
                sorted_texts(item, |_| true),
                sorted_texts(item, |index| item.options[index].is_key()),
            )
        })
        .collect();
    // Positions grouped by option set, each group in path order (a parallel sort rather than
    // a map from option sets, which hashed every set on one thread). Within a group, an item
    // is reported against the first earlier one whose keys differ.
    let mut order: Vec<usize> = (0..sorted.len()).collect();
    order.par_sort_unstable_by(|&a, &b| texts[a].0.cmp(&texts[b].0).then(a.cmp(&b)));
    let mut found: Vec<(usize, usize)> = Vec::new();
    for group in order.chunk_by(|&a, &b| texts[a].0 == texts[b].0) {
        for (k, &later) in group.iter().enumerate() {
            if let Some(&first) = group[..k].iter().find(|&&j| texts[j].1 != texts[later].1) {
                found.push((later, first));
            }
        }
    }
    found.sort_unstable();
    diagnostics.extend(
        found
            .into_iter()
            .map(|(later, first)| reused(sorted[later], sorted[first])),
    );
    // Freed on the pool's threads: a hundred thousand small vectors take a while to free.
    texts.into_par_iter().for_each(drop);
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

/// `text` in lowercase, its words separated by single spaces, without final periods. ASCII
/// text, which most options are, is built in one allocation.
fn normalized(text: &str) -> String {
    if !text.is_ascii() {
        let joined = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        return joined.trim_end_matches('.').to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.make_ascii_lowercase();
    out.truncate(out.trim_end_matches('.').len());
    out
}

#[cfg(test)]
mod tests {
    use super::normalized;

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
