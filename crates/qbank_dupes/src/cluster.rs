//! Grouping pairs into clusters, and finding cloned items.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use rayon::prelude::*;

use crate::{Entry, Pair, normalize};

/// The connected components of the graph whose edges are `pairs`, over entries `0..n`.
///
/// Only components of two or more entries are returned; each is sorted ascending and the
/// components are sorted by their smallest entry. Pairs naming an entry at or beyond `n` are
/// ignored.
pub fn clusters(n: usize, pairs: &[Pair]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..n).collect();
    for p in pairs {
        if p.a >= n || p.b >= n {
            continue;
        }
        let (ra, rb) = (root(&mut parent, p.a), root(&mut parent, p.b));
        // The smaller root wins, so a component's root is its smallest member.
        parent[ra.max(rb)] = ra.min(rb);
    }
    let mut components: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for x in 0..n {
        let r = root(&mut parent, x);
        components.entry(r).or_default().push(x);
    }
    components.into_values().filter(|c| c.len() > 1).collect()
}

/// The root of `x` in a union-find forest, halving paths on the way.
fn root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Cloned items: sets of two or more entries whose stems differ but whose options are the same.
///
/// Two entries have the same options when the multisets of their normalized option texts are
/// equal and the sets of normalized texts of their key options are equal. Entries without
/// options are never clones. A set is reported when its members have at least two distinct
/// normalized stems; it then lists every member with those options (including any that share a
/// stem). Unless `across_groups`, only entries of the same group are put together. Each set is
/// sorted ascending, and the sets are sorted by their smallest entry.
pub fn clones(entries: &[Entry], across_groups: bool) -> Vec<Vec<usize>> {
    // Each entry with options, keyed by its group and normalized options, in parallel. The
    // hash of the key comes first so that sorting compares integers and looks at the texts
    // only on equal hashes; equal keys sort next to each other, their entries ascending.
    let mut keyed: Vec<(u64, OptionsKey<'_>, usize)> = entries
        .par_iter()
        .enumerate()
        .filter(|(_, e)| !e.options.is_empty())
        .map(|(i, e)| {
            let normalized: Vec<(String, bool)> = e
                .options
                .iter()
                .map(|o| (normalize(&o.text), o.key))
                .collect();
            let mut keys: Vec<String> = normalized
                .iter()
                .filter(|(_, key)| *key)
                .map(|(text, _)| text.clone())
                .collect();
            let mut texts: Vec<String> = normalized.into_iter().map(|(text, _)| text).collect();
            texts.sort_unstable();
            keys.sort_unstable();
            keys.dedup();
            let group = if across_groups { "" } else { e.group.as_str() };
            let key = (group, texts, keys);
            let mut hasher = DefaultHasher::new();
            key.hash(&mut hasher);
            (hasher.finish(), key, i)
        })
        .collect();
    keyed.par_sort_unstable();
    let sets: Vec<Vec<usize>> = keyed
        .chunk_by(|x, y| x.0 == y.0 && x.1 == y.1)
        .filter(|run| run.len() > 1)
        .map(|run| run.iter().map(|&(_, _, i)| i).collect())
        .collect();
    let mut out: Vec<Vec<usize>> = sets
        .into_par_iter()
        .filter(|members| {
            let first = normalize(&entries[members[0]].stem);
            members[1..]
                .iter()
                .any(|&m| normalize(&entries[m].stem) != first)
        })
        .collect();
    out.sort_unstable();
    out
}

/// What makes two entries clones: their group (empty across groups), their normalized option
/// texts sorted, and the distinct normalized texts of their keys sorted.
type OptionsKey<'a> = (&'a str, Vec<String>, Vec<String>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ItemOption;

    fn pair(a: usize, b: usize) -> Pair {
        Pair {
            a,
            b,
            similarity: 1.0,
            distance: None,
        }
    }

    #[test]
    fn components_are_sorted_and_transitive() {
        let pairs = [pair(5, 7), pair(0, 3), pair(3, 7), pair(2, 4)];
        assert_eq!(clusters(8, &pairs), vec![vec![0, 3, 5, 7], vec![2, 4]]);
        assert!(clusters(3, &[]).is_empty());
    }

    fn item(group: &str, stem: &str, options: &[(&str, bool)]) -> Entry {
        Entry {
            group: group.into(),
            stem: stem.into(),
            options: options
                .iter()
                .map(|&(t, key)| ItemOption {
                    text: t.into(),
                    key,
                })
                .collect(),
        }
    }

    #[test]
    fn clones_need_equal_options_and_key_but_different_stems() {
        let entries = vec![
            item("x", "What is A?", &[("Alpha", true), ("Beta", false)]),
            item(
                "x",
                "Name the first letter.",
                &[("beta", false), ("ALPHA.", true)],
            ),
            item("x", "What is B?", &[("Alpha", false), ("Beta", true)]),
            item("x", "What is A?", &[("Gamma", true)]),
            item("x", "What is A ", &[("Gamma", true)]),
            item("y", "Something else", &[("Alpha", true), ("Beta", false)]),
            item("x", "No options", &[]),
            item("x", "No options either", &[]),
        ];
        assert_eq!(clones(&entries, false), vec![vec![0, 1]]);
        assert_eq!(clones(&entries, true), vec![vec![0, 1, 5]]);
    }

    /// The grouping by a sorted map, one entry at a time: the definition [`clones`] follows.
    fn clones_by_map(entries: &[Entry], across_groups: bool) -> Vec<Vec<usize>> {
        let mut by_options: BTreeMap<OptionsKey<'_>, Vec<usize>> = BTreeMap::new();
        for (i, e) in entries.iter().enumerate() {
            if e.options.is_empty() {
                continue;
            }
            let mut texts: Vec<String> = e.options.iter().map(|o| normalize(&o.text)).collect();
            let mut keys: Vec<String> = e
                .options
                .iter()
                .filter(|o| o.key)
                .map(|o| normalize(&o.text))
                .collect();
            texts.sort();
            keys.sort();
            keys.dedup();
            let group = if across_groups { "" } else { e.group.as_str() };
            by_options.entry((group, texts, keys)).or_default().push(i);
        }
        let mut out: Vec<Vec<usize>> = by_options
            .into_values()
            .filter(|m| {
                m[1..]
                    .iter()
                    .any(|&x| normalize(&entries[x].stem) != normalize(&entries[m[0]].stem))
            })
            .collect();
        out.sort();
        out
    }

    proptest::proptest! {
        #[test]
        fn clones_match_the_definition(
            raw in proptest::collection::vec(
                (
                    0_u8..2,
                    0_u8..3,
                    proptest::collection::vec((0_u8..4, proptest::bool::ANY), 0..4),
                ),
                0..60,
            )
        ) {
            // Few groups, stems and option texts, so that equal option sets are common.
            let texts = ["Alpha", "alpha.", "Beta", "Gamma"];
            let entries: Vec<Entry> = raw
                .iter()
                .map(|(group, stem, options)| {
                    let options: Vec<(&str, bool)> = options
                        .iter()
                        .map(|&(t, key)| (texts[usize::from(t)], key))
                        .collect();
                    item(["x", "y"][usize::from(*group)], ["One?", "one", "Two?"][usize::from(*stem)], &options)
                })
                .collect();
            for across in [false, true] {
                proptest::prop_assert_eq!(clones(&entries, across), clones_by_map(&entries, across));
            }
        }
    }
}
