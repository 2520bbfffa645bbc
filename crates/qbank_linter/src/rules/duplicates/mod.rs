//! Duplicate rules (`QB5xx`): near-duplicate stems and cloned items across the bank, and the
//! allowlist of pairs that reviewers accepted.

mod cloned_item;
mod near_duplicate_stem;
mod stale_allowlist_entry;

pub(crate) use cloned_item::ClonedItem;
pub(crate) use near_duplicate_stem::NearDuplicateStem;
pub(crate) use stale_allowlist_entry::StaleAllowlistEntry;

use std::collections::{HashMap, HashSet};

use qbank_diagnostics::{Annotation, Diagnostic, SourceFile};
use qbank_dupes::{Entry, ItemOption, Metric, Options, Pair};
use qbank_model::AllowedPair;

use crate::CheckedItem;
use crate::settings::Settings;

/// The duplicate allowlist as read, with its file.
#[derive(Clone, Debug)]
pub struct Allowlist {
    /// Its entries, in the file's order.
    pub pairs: Vec<AllowedPair>,
    /// The file.
    pub file: SourceFile,
}

impl Allowlist {
    /// The item-id pairs it allows, smaller id first.
    pub fn allowed(&self) -> HashSet<(&str, &str)> {
        allowed_ids(Some(self))
    }

    /// QB503 for the entries that allow none of `pairs`, name a missing item or repeat an
    /// entry; at the rule's level, and none when it is off. `pairs` are those a search found
    /// among `items`; when it searched only the pairs that involve `focus` (indices into
    /// `items`), only the entries with a focused item are judged for whether they still allow
    /// a pair, and repeated entries are not judged.
    pub fn stale_entries(
        &self,
        items: &[CheckedItem],
        pairs: &[Pair],
        settings: &Settings,
        focus: Option<&[usize]>,
    ) -> Vec<Diagnostic> {
        let Some(severity) = settings.level(StaleAllowlistEntry::META.code) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        stale_entries(items, pairs, self, (focus, settings), &mut found);
        for diagnostic in &mut found {
            diagnostic.severity = severity;
        }
        found
    }
}

/// The detector's view of the items: exam, stem, options and keys.
pub(crate) fn entries(items: &[CheckedItem]) -> Vec<Entry> {
    items
        .iter()
        .map(|checked| Entry {
            group: checked.item.exam.value.clone(),
            stem: checked.item.stem.value.clone(),
            options: checked
                .item
                .options
                .iter()
                .map(|o| ItemOption {
                    text: o.text.value.clone(),
                    key: o.is_key(),
                })
                .collect(),
        })
        .collect()
}

/// The options of a search under `settings`, limited to pairs that involve `focus` (indices
/// into the items) when given.
pub(crate) fn search_options(settings: &Settings, focus: Option<&[usize]>) -> Options {
    Options {
        threshold: settings.dupes.threshold,
        metric: settings.dupes.metric,
        across_groups: settings.dupes.across_exams,
        queries: focus.map(<[usize]>::to_vec),
    }
}

/// The item-id pairs of the allowlist, smaller id first.
fn allowed_ids(allowlist: Option<&Allowlist>) -> HashSet<(&str, &str)> {
    allowlist
        .map(|list| {
            list.pairs
                .iter()
                .filter_map(|entry| match entry.items.as_slice() {
                    [a, b] => Some(ordered(&a.value, &b.value)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn ordered<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b { (a, b) } else { (b, a) }
}

/// Runs QB501-QB503. With `focus`, only pairs that involve those items are searched, and only
/// the allowlist entries with a focused item are judged for whether they still allow a pair.
pub(crate) fn check_bank(
    items: &[CheckedItem],
    allowlist: Option<&Allowlist>,
    settings: &Settings,
    focus: Option<&[usize]>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let near = settings.enabled(NearDuplicateStem::META.code);
    let stale = settings.enabled(StaleAllowlistEntry::META.code);
    let cloned = settings.enabled(ClonedItem::META.code);
    if !(near || stale || cloned) || items.is_empty() {
        return;
    }
    let entries = entries(items);
    if near || stale {
        let options = search_options(settings, focus);
        // The options come from validated settings; a search error is a defect in them, so
        // it is reported rather than silently finding nothing.
        match qbank_dupes::find_pairs(&entries, &options) {
            Ok(pairs) => {
                let allowed = allowed_ids(allowlist);
                if near {
                    near_duplicates(items, &pairs, &allowed, settings.dupes.metric, diagnostics);
                }
                if stale && let Some(list) = allowlist {
                    stale_entries(items, &pairs, list, (focus, settings), diagnostics);
                }
            }
            Err(error) => diagnostics.push(
                NearDuplicateStem::META
                    .diagnostic(
                        &items[0].file,
                        items[0].item.stem.range,
                        format!("duplicate search failed: {error}"),
                    )
                    .with_help("check `[dupes]` in `qbank.toml`"),
            ),
        }
    }
    if cloned {
        let sets = qbank_dupes::clones(&entries, settings.dupes.across_exams);
        for set in sets {
            let in_focus = |i: &usize| focus.is_none_or(|f| f.contains(i));
            if !set.iter().any(in_focus) {
                continue;
            }
            let first = &items[set[0]];
            for &later in &set[1..] {
                let checked = &items[later];
                if checked.item.id.value == first.item.id.value {
                    continue;
                }
                diagnostics.push(
                    ClonedItem::META
                        .diagnostic(
                            &checked.file,
                            checked.item.stem.range,
                            format!(
                                "`{}` has the same options and key as `{}`, under another stem",
                                checked.item.id.value, first.item.id.value
                            ),
                        )
                        .with_secondary(Annotation::labelled(
                            first.file.clone(),
                            first.item.stem.range,
                            format!("`{}`", first.item.id.value),
                        ))
                        .with_help("write options that answer this stem, or retire one item"),
                );
            }
        }
    }
}

fn near_duplicates(
    items: &[CheckedItem],
    pairs: &[Pair],
    allowed: &HashSet<(&str, &str)>,
    metric: Metric,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for pair in pairs {
        let (first, later) = (&items[pair.a], &items[pair.b]);
        let (a, b) = (&first.item.id.value, &later.item.id.value);
        // Two files with one id (a copied file) are QB110's to report, naming both files; a
        // finding that an item duplicates itself would help no one.
        if a == b || allowed.contains(&ordered(a, b)) {
            continue;
        }
        let measure = match (metric, pair.distance) {
            (Metric::Levenshtein, Some(distance)) => format!(
                "similarity {:.3}, {distance} {} apart",
                pair.similarity,
                if distance == 1 { "edit" } else { "edits" }
            ),
            _ => format!("{} similarity {:.3}", metric.name(), pair.similarity),
        };
        diagnostics.push(
            NearDuplicateStem::META
                .diagnostic(
                    &later.file,
                    later.item.stem.range,
                    format!("stem of `{b}` is a near-duplicate of `{a}` ({measure})"),
                )
                .with_secondary(Annotation::labelled(
                    first.file.clone(),
                    first.item.stem.range,
                    format!("`{a}`"),
                ))
                .with_help(format!(
                    "retire or rewrite one of them; if they are distinct questions, add \
                     `items = [\"{a}\", \"{b}\"]` with a `reason` to the allowlist"
                )),
        );
    }
}

/// The ids all of whose items are in `focus`: a focused search found every pair of those, so
/// an allowlist entry naming one can be judged. (Of an id with a second, unfocused file, the
/// pairs of that file were not searched.) `known` holds each id's first item and count.
fn fully_focused<'i>(
    items: &'i [CheckedItem],
    focus: &[usize],
    known: &HashMap<&str, (usize, usize)>,
) -> HashSet<&'i str> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for &i in focus {
        *counts.entry(items[i].item.id.value.as_str()).or_default() += 1;
    }
    counts
        .into_iter()
        .filter(|(id, count)| known.get(id).is_some_and(|k| k.1 == *count))
        .map(|(id, _)| id)
        .collect()
}

fn stale_entries(
    items: &[CheckedItem],
    pairs: &[Pair],
    allowlist: &Allowlist,
    (focus, settings): (Option<&[usize]>, &Settings),
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Each id's first item, for pointing at its stem, and how many items have it.
    let mut known: HashMap<&str, (usize, usize)> = HashMap::with_capacity(items.len());
    for (index, checked) in items.iter().enumerate() {
        known
            .entry(checked.item.id.value.as_str())
            .or_insert((index, 0))
            .1 += 1;
    }
    let focused = focus.map(|f| fully_focused(items, f, &known));
    let found: HashSet<(&str, &str)> = pairs
        .iter()
        .map(|p| ordered(&items[p.a].item.id.value, &items[p.b].item.id.value))
        .collect();
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for (index, entry) in allowlist.pairs.iter().enumerate() {
        let [a, b] = entry.items.as_slice() else {
            continue;
        };
        let report = |range, message: String, help: &str| {
            StaleAllowlistEntry::META
                .diagnostic(&allowlist.file, range, message)
                .with_help(help.to_owned())
        };
        if let Some(missing) = [a, b]
            .into_iter()
            .find(|id| !known.contains_key(id.value.as_str()))
        {
            diagnostics.push(report(
                missing.range,
                format!("no item has id `{}`", missing.value),
                "remove the entry, or correct the id",
            ));
            continue;
        }
        let key = ordered(&a.value, &b.value);
        // A focused search found every pair of a focused item, and not all of the others.
        if focused
            .as_ref()
            .is_some_and(|f| !f.contains(key.0) && !f.contains(key.1))
        {
            continue;
        }
        if let Some(&first) = seen.get(&key) {
            // A repeat is judged only with the whole list in view.
            if focused.is_some() {
                continue;
            }
            diagnostics.push(report(
                entry.range,
                format!(
                    "`{}` and `{}` are already allowed by entry {}",
                    a.value,
                    b.value,
                    first + 1
                ),
                "remove this entry",
            ));
            continue;
        }
        seen.insert(key, index);
        if !found.contains(&key) {
            let (first, second) = (
                &items[known[a.value.as_str()].0],
                &items[known[b.value.as_str()].0],
            );
            let (exam_a, exam_b) = (&first.item.exam.value, &second.item.exam.value);
            let mut finding = if exam_a == exam_b || settings.dupes.across_exams {
                report(
                    entry.range,
                    format!(
                        "`{}` and `{}` are no longer near-duplicates",
                        a.value, b.value
                    ),
                    "remove the entry: the stems now differ enough",
                )
            } else {
                report(
                    entry.range,
                    format!(
                        "`{}` and `{}` are in different exams (`{exam_a}`, `{exam_b}`), which are compared only with `across_exams = true`",
                        a.value, b.value
                    ),
                    "remove the entry, or set `across_exams = true` under `[dupes]` in `qbank.toml`",
                )
            };
            for (id, checked) in [(a, first), (b, second)] {
                finding = finding.with_secondary(Annotation::labelled(
                    checked.file.clone(),
                    checked.item.stem.range,
                    format!("`{}`", id.value),
                ));
            }
            diagnostics.push(finding);
        }
    }
}

#[cfg(test)]
mod tests;
