//! From a checked bank to a pack: the profile's selection, the sample draw and the refusals.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use crate::ExportError;
use qbank_blueprint::largest_remainder;
use qbank_model::Decimal;
use rayon::prelude::*;

use crate::pack::{
    Pack, PackBlueprint, PackConcept, PackItem, PackItemType, PackMapping, PackMeta, PackOption,
    PackStatus,
};
use crate::profile::Profile;
use crate::rng::SplitMix64;

/// An item of the bank with what the check found in its file.
#[derive(Clone, Debug)]
pub struct BankItem {
    /// The item.
    pub item: PackItem,
    /// Its file as shown to the user.
    pub path: String,
    /// Error-level findings in its file.
    pub errors: usize,
}

/// A checked bank, as export needs it.
#[derive(Clone, Debug, Default)]
pub struct BankInput {
    /// The bank's name.
    pub name: String,
    /// Items that passed the schema.
    pub items: Vec<BankItem>,
    /// Blueprints that passed the schema.
    pub blueprints: Vec<PackBlueprint>,
    /// The ids of the blueprints in force, one per exam, as `qbank check` weighs the bank
    /// against them (`qbank_blueprint::in_force`): a pack made without `--blueprint` follows
    /// these. An exam with none here follows its first blueprint by id.
    pub in_force: Vec<String>,
    /// The glossary.
    pub concepts: Vec<PackConcept>,
    /// The bank's `media/` folder.
    pub media_dir: Option<PathBuf>,
    /// Files other than items with error-level findings, as shown to the user.
    pub files_with_errors: Vec<String>,
}

/// What to export.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The profile.
    pub profile: Profile,
    /// `--blueprint`: this blueprint's items, in its domains (overrides the profile's).
    pub blueprint: Option<String>,
    /// `--allow-findings`: leave items with findings out instead of refusing.
    pub allow_findings: bool,
    /// `--no-keys`.
    pub no_keys: bool,
    /// The version written into the pack.
    pub tool_version: String,
    /// The bank's commit.
    pub commit: Option<String>,
}

/// An item the profile would take but the export left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeftOut {
    /// The item.
    pub id: String,
    /// Its file.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// A pack and what it left out.
#[derive(Clone, Debug)]
pub struct Built {
    /// The pack.
    pub pack: Pack,
    /// Items left out because of findings (only with `allow_findings`), or because no domain
    /// of the pack's blueprint takes them.
    pub left_out: Vec<LeftOut>,
}

/// Selects the items of `request` from `bank` and builds the pack.
///
/// With a blueprint (`--blueprint` or the profile's `blueprint`), the pack holds that
/// blueprint's items: those of its exam, and those of the exams its `[[crosswalk]]` entries
/// come from, each placed in one of the blueprint's domains (see `place`). An item that no
/// domain of the blueprint takes is left out and listed in [`Built::left_out`].
pub fn build(bank: BankInput, request: &Request) -> Result<Built, ExportError> {
    let profile = &request.profile;
    let blueprint_id = request
        .blueprint
        .clone()
        .or_else(|| profile.blueprint.clone());
    let selected: Option<PackBlueprint> = match &blueprint_id {
        Some(id) => Some(
            bank.blueprints
                .iter()
                .find(|b| &b.id == id)
                .cloned()
                .ok_or_else(|| unknown_blueprint(id, &bank.blueprints))?,
        ),
        None => None,
    };
    let exam = selected.as_ref().map(|b| b.exam.clone());
    let name = bank.name.clone();

    let mut items = if profile.glossary {
        glossary_items(&bank, exam.as_deref(), profile.seed)
    } else {
        let mut refused = bank.files_with_errors.clone();
        let mut left_out = Vec::new();
        // Most items of a bank are chosen; a pack item is a few hundred bytes, and a list grown
        // by doubling copies itself into fresh pages at every doubling.
        let mut chosen = Vec::with_capacity(bank.items.len());
        for mut entry in bank.items {
            if !profile.admits(&entry.item) {
                continue;
            }
            if let Some(blueprint) = &selected {
                match place(blueprint, &bank.blueprints, &entry.item) {
                    Placement::OutOfScope => continue,
                    Placement::Unmapped => {
                        left_out.push(LeftOut {
                            id: entry.item.id.clone(),
                            path: entry.path.clone(),
                            reason: format!(
                                "domain `{}` is not in blueprint `{}` and no crosswalk entry maps it",
                                entry.item.domain, blueprint.id
                            ),
                        });
                        continue;
                    }
                    Placement::Placed { domain, task } => {
                        entry.item.exam.clone_from(&blueprint.exam);
                        entry.item.domain = domain;
                        entry.item.task = task;
                    }
                }
            }
            if entry.errors > 0 {
                refused.push(entry.path.clone());
                left_out.push(LeftOut {
                    id: entry.item.id.clone(),
                    path: entry.path.clone(),
                    reason: format!("{} error-level finding(s)", entry.errors),
                });
                continue;
            }
            chosen.push(entry.item);
        }
        if !refused.is_empty() && !request.allow_findings {
            refused.sort();
            return Err(ExportError::Findings(refused));
        }
        let mut built = finish(
            chosen,
            left_out,
            bank.blueprints,
            &bank.in_force,
            bank.concepts,
            bank.media_dir,
            request,
            blueprint_id,
            exam.as_deref(),
        )?;
        built.pack.meta.bank = name;
        return Ok(built);
    };
    if !bank.files_with_errors.is_empty() && !request.allow_findings {
        return Err(ExportError::Findings(bank.files_with_errors));
    }
    items.retain(|i| profile.admits(i));
    let mut built = finish(
        items,
        Vec::new(),
        bank.blueprints,
        &bank.in_force,
        bank.concepts,
        bank.media_dir,
        request,
        blueprint_id,
        exam.as_deref(),
    )?;
    built.pack.meta.bank = name;
    Ok(built)
}

fn unknown_blueprint(id: &str, blueprints: &[PackBlueprint]) -> ExportError {
    let mut known: Vec<&str> = blueprints.iter().map(|b| b.id.as_str()).collect();
    known.sort_unstable();
    ExportError::UnknownBlueprint {
        id: id.to_owned(),
        known: if known.is_empty() {
            "none".to_owned()
        } else {
            known.join(", ")
        },
    }
}

/// Where an item lands in a blueprint.
#[derive(Debug, PartialEq, Eq)]
enum Placement {
    /// The item is of an exam the blueprint neither covers nor crosswalks from.
    OutOfScope,
    /// The item is in scope, but no domain of the blueprint takes it.
    Unmapped,
    /// The blueprint's domain and task that take the item.
    Placed {
        domain: String,
        task: Option<String>,
    },
}

/// Places `item` in `blueprint` by the rule of `qbank blueprint --crosswalk`: a crosswalk
/// entry for the item's task wins, then one for its domain (entries count when the earlier
/// blueprint they name is of the item's exam); without an entry the item keeps its domain
/// when the blueprint has a domain with that id, and its task when that domain has a task with
/// that id. A `to` names a task first, then a domain; a task places the item in its domain.
fn place(blueprint: &PackBlueprint, all: &[PackBlueprint], item: &PackItem) -> Placement {
    let entries: Vec<&PackMapping> = blueprint
        .crosswalk
        .iter()
        .filter(|m| {
            all.iter()
                .any(|b| b.id == m.blueprint && b.exam == item.exam)
        })
        .collect();
    if item.exam != blueprint.exam && entries.is_empty() {
        return Placement::OutOfScope;
    }
    let by_task = item
        .task
        .as_ref()
        .and_then(|t| entries.iter().find(|m| &m.from == t));
    let entry = by_task.or_else(|| entries.iter().find(|m| m.from == item.domain));
    if let Some(entry) = entry {
        for domain in &blueprint.domains {
            if domain.tasks.contains(&entry.to) {
                return Placement::Placed {
                    domain: domain.id.clone(),
                    task: Some(entry.to.clone()),
                };
            }
        }
        return match blueprint.domain(&entry.to) {
            Some(domain) => Placement::Placed {
                domain: domain.id.clone(),
                task: None,
            },
            None => Placement::Unmapped,
        };
    }
    match blueprint.domain(&item.domain) {
        Some(domain) => Placement::Placed {
            domain: domain.id.clone(),
            task: item
                .task
                .clone()
                .filter(|t| domain.tasks.iter().any(|x| x == t)),
        },
        None => Placement::Unmapped,
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "the parts of one pack, passed once"
)]
#[expect(
    clippy::needless_pass_by_value,
    reason = "the parts are handed over whole"
)]
fn finish(
    mut items: Vec<PackItem>,
    mut left_out: Vec<LeftOut>,
    blueprints: Vec<PackBlueprint>,
    in_force: &[String],
    concepts: Vec<PackConcept>,
    media_dir: Option<PathBuf>,
    request: &Request,
    blueprint_id: Option<String>,
    exam: Option<&str>,
) -> Result<Built, ExportError> {
    let profile = &request.profile;
    let mut blueprints: Vec<PackBlueprint> = blueprints
        .into_iter()
        .filter(|b| blueprint_id.as_ref().is_none_or(|id| &b.id == id))
        .collect();
    // One blueprint per exam: the one asked for, or the one in force, or the first by id.
    let rank = |b: &PackBlueprint| !in_force.contains(&b.id);
    blueprints.sort_by(|a, b| {
        (a.exam.as_str(), rank(a), a.id.as_str()).cmp(&(b.exam.as_str(), rank(b), b.id.as_str()))
    });
    blueprints.dedup_by(|b, a| a.exam == b.exam);
    if let Some(count) = profile.sample {
        items = sample(items, &blueprints, count, profile.seed);
    }
    // An enemy outside the pack is nothing a delivery app can keep off a form, and its id may
    // be one that the pack must not reveal: a secure, draft or retired item of a public pack.
    let ids: HashSet<String> = items.iter().map(|i| i.id.clone()).collect();
    for item in &mut items {
        item.enemies.retain(|enemy| ids.contains(enemy));
    }
    sort_items(&mut items, &blueprints);
    if request.no_keys || profile.no_keys {
        items.iter_mut().for_each(PackItem::strip_keys);
    }
    let exams: BTreeSet<&str> = items.iter().map(|i| i.exam.as_str()).collect();
    blueprints.retain(|b| exams.contains(b.exam.as_str()));
    let tested: BTreeSet<&str> = items
        .iter()
        .flat_map(|i| i.concepts.iter().map(String::as_str))
        .collect();
    let mut concepts: Vec<PackConcept> = concepts
        .into_iter()
        .filter(|c| {
            tested.contains(c.id.as_str())
                || c.exam.iter().any(|e| exams.contains(e.as_str()))
                || (exam.is_none() && c.exam.is_empty())
        })
        .collect();
    concepts.sort_by(|a, b| a.id.cmp(&b.id));
    let mut media = BTreeMap::new();
    if let Some(dir) = &media_dir {
        for exhibit in items.iter().flat_map(|i| &i.exhibits) {
            if media.contains_key(&exhibit.file) {
                continue;
            }
            let path = dir.join(&exhibit.file);
            let bytes = std::fs::read(&path).map_err(|e| ExportError::io(&path, e))?;
            media.insert(exhibit.file.clone(), bytes);
        }
    }
    left_out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Built {
        pack: Pack {
            meta: PackMeta {
                bank: String::new(),
                profile: profile.name.clone(),
                description: profile.description.clone(),
                public: profile.is_public(),
                keys: !(request.no_keys || profile.no_keys),
                blueprint: blueprint_id,
                tool: "qbank".to_owned(),
                tool_version: request.tool_version.clone(),
                commit: request.commit.clone(),
            },
            blueprints,
            concepts,
            items,
            media,
        },
        left_out,
    })
}

/// Pack order: by exam, then by the domain's place in the blueprint (unknown domains last, by
/// id), then by item id. Each item's place is looked up once, and the items are moved once,
/// after their order is found: a comparison that looked the places up took a tenth of a second
/// of one core at 100k items.
fn sort_items(items: &mut Vec<PackItem>, blueprints: &[PackBlueprint]) {
    let rank = |item: &PackItem| -> usize {
        blueprints
            .iter()
            .find(|b| b.exam == item.exam)
            .and_then(|b| b.domains.iter().position(|d| d.id == item.domain))
            .unwrap_or(usize::MAX)
    };
    let ranks: Vec<usize> = items.par_iter().map(rank).collect();
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.par_sort_unstable_by(|&a, &b| {
        let (x, y) = (&items[a], &items[b]);
        x.exam
            .cmp(&y.exam)
            .then(ranks[a].cmp(&ranks[b]))
            .then_with(|| x.domain.cmp(&y.domain))
            .then_with(|| x.id.cmp(&y.id))
            // Items that tie keep their order, as a stable sort would keep it.
            .then(a.cmp(&b))
    });
    permute(items, order);
}

/// Puts `items` in `order` (the item at `order[k]` goes to place `k`) in place, one cycle of
/// the permutation at a time, so that no second list of items is allocated.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..order.len() {
        let mut place = start;
        // Each swap settles `place` and carries the item that was at `start` along the cycle,
        // to the one place whose item it is.
        while order[place] != DONE {
            let from = std::mem::replace(&mut order[place], DONE);
            if from == start {
                break;
            }
            items.swap(place, from);
            place = from;
        }
    }
}

/// Draws `count` items: over exams in proportion to their eligible items, then over each
/// exam's domains by the blueprint weights; a domain with too few items passes its shortfall
/// to the others by their weights ([`fill_by_weight`]).
fn sample(
    items: Vec<PackItem>,
    blueprints: &[PackBlueprint],
    count: usize,
    seed: u64,
) -> Vec<PackItem> {
    let mut by_exam: BTreeMap<String, BTreeMap<String, Vec<PackItem>>> = BTreeMap::new();
    for item in items {
        by_exam
            .entry(item.exam.clone())
            .or_default()
            .entry(item.domain.clone())
            .or_default()
            .push(item);
    }
    let sizes: Vec<u64> = by_exam
        .values()
        .map(|d| d.values().map(|v| v.len() as u64).sum())
        .collect();
    let total: u64 = sizes.iter().sum();
    let exam_weights: Vec<(&str, u64)> = by_exam
        .keys()
        .map(String::as_str)
        .zip(sizes.iter().copied())
        .collect();
    let exam_shares = apportion(&exam_weights, (count as u64).min(total));
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::new();
    for ((exam, mut domains), share) in by_exam.into_iter().zip(exam_shares) {
        let mut order: Vec<(String, u64)> = match blueprints.iter().find(|b| b.exam == exam) {
            Some(b) => b
                .domains
                .iter()
                .filter(|d| domains.contains_key(&d.id))
                .map(|d| (d.id.clone(), d.billionths))
                .collect(),
            None => Vec::new(),
        };
        for id in domains.keys() {
            if !order.iter().any(|(d, _)| d == id) {
                order.push((id.clone(), 0));
            }
        }
        // Without a blueprint (or with weights only for domains that have no items), the
        // domains share equally.
        let weighted = order.iter().any(|(_, w)| *w > 0);
        let weights: Vec<(&str, u64)> = order
            .iter()
            .map(|(d, w)| (d.as_str(), if weighted { *w } else { 1 }))
            .collect();
        let available: Vec<u64> = order
            .iter()
            .map(|(d, _)| domains.get(d).map_or(0, |v| v.len() as u64))
            .collect();
        let wanted = fill_by_weight(&weights, &available, share);
        for ((domain, _), take) in order.iter().zip(wanted) {
            let Some(mut pool) = domains.remove(domain) else {
                continue;
            };
            pool.sort_by(|a, b| a.id.cmp(&b.id));
            rng.shuffle(&mut pool);
            pool.truncate(usize::try_from(take).unwrap_or(usize::MAX));
            out.extend(pool);
        }
    }
    out
}

/// `share` items over domains of `weights` that hold `available` items each: by weight, and
/// what a domain cannot give goes to the others by their weights in turn (a domain of half
/// the weight does not take all of a short domain's part). With 10 items over weights 0.5,
/// 0.3 and 0.2 and a domain of 0.3 holding one item: 5, 1, 2, then the 2 left by 0.5 and
/// 0.2, 1 and 1; so 6, 1 and 3. Domains whose weights are all zero share equally.
fn fill_by_weight(weights: &[(&str, u64)], available: &[u64], share: u64) -> Vec<u64> {
    let mut wanted = vec![0; weights.len()];
    let mut left = share.min(available.iter().sum());
    while left > 0 {
        let open: Vec<(&str, u64)> = weights
            .iter()
            .zip(wanted.iter().zip(available))
            .map(|(&(id, w), (got, have))| (id, if got < have { w } else { 0 }))
            .collect();
        let mut quotas = apportion(&open, left);
        if quotas.iter().all(|&q| q == 0) {
            let equal: Vec<(&str, u64)> = open
                .iter()
                .zip(wanted.iter().zip(available))
                .map(|(&(id, _), (got, have))| (id, u64::from(got < have)))
                .collect();
            quotas = apportion(&equal, left);
        }
        let mut given = 0;
        for ((got, have), quota) in wanted.iter_mut().zip(available).zip(quotas) {
            let take = quota.min(have - *got);
            *got += take;
            given += take;
        }
        if given == 0 {
            break;
        }
        left -= given;
    }
    wanted
}

/// [`largest_remainder`] over plain counts: the same quotas, with its tie rule (the larger
/// weight, then the lower id).
fn apportion(weights: &[(&str, u64)], total: u64) -> Vec<u64> {
    let weights: Vec<(&str, Decimal)> = weights
        .iter()
        .map(|(id, w)| {
            let billionths = i64::try_from(*w).unwrap_or(i64::MAX);
            (*id, Decimal { billionths })
        })
        .collect();
    let total = u32::try_from(total).unwrap_or(u32::MAX);
    largest_remainder(&weights, total)
        .into_iter()
        .map(u64::from)
        .collect()
}

/// One generated item per concept and exam: the definition as the stem, the concept's title as
/// the key, and up to three other titles of the same exam as distractors.
fn glossary_items(bank: &BankInput, exam: Option<&str>, seed: u64) -> Vec<PackItem> {
    let mut concepts: Vec<&PackConcept> = bank.concepts.iter().collect();
    concepts.sort_by(|a, b| a.id.cmp(&b.id));
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::new();
    for concept in &concepts {
        for concept_exam in &concept.exam {
            if exam.is_some_and(|e| e != concept_exam) {
                continue;
            }
            let mut others: Vec<&str> = concepts
                .iter()
                .filter(|c| c.id != concept.id && c.exam.contains(concept_exam))
                .map(|c| c.title.as_str())
                .filter(|t| !t.eq_ignore_ascii_case(&concept.title))
                .collect();
            others.dedup();
            if others.len() < 3 {
                continue;
            }
            rng.shuffle(&mut others);
            let mut options: Vec<PackOption> = others[..3]
                .iter()
                .map(|t| PackOption {
                    text: (*t).to_owned(),
                    correct: Some(false),
                    feedback: None,
                    fixed: false,
                })
                .collect();
            let key = rng.below(4);
            options.insert(
                key,
                PackOption {
                    text: concept.title.clone(),
                    correct: Some(true),
                    feedback: None,
                    fixed: false,
                },
            );
            out.push(PackItem {
                id: format!("GLOSSARY-{}-{}", concept_exam, concept.id).to_uppercase(),
                exam: concept_exam.clone(),
                domain: glossary_domain(bank, concept_exam, &concept.id),
                item_type: PackItemType::Single,
                status: PackStatus::Approved,
                shuffle: true,
                stem: format!(
                    "Which term does this definition describe?\n\n{}",
                    concept.definition
                ),
                rationale: Some(format!("{}: {}", concept.title, concept.definition)),
                concepts: vec![concept.id.clone()],
                options,
                ..PackItem::default()
            });
        }
    }
    out
}

/// The domain in which most of the bank's items on the concept sit, else the blueprint's first.
fn glossary_domain(bank: &BankInput, exam: &str, concept: &str) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in &bank.items {
        if entry.item.exam == exam && entry.item.concepts.iter().any(|c| c == concept) {
            *counts.entry(entry.item.domain.as_str()).or_default() += 1;
        }
    }
    let best = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(d, _)| (*d).to_owned());
    best.or_else(|| {
        bank.blueprints
            .iter()
            .find(|b| b.exam == exam)
            .and_then(|b| b.domains.first())
            .map(|d| d.id.clone())
    })
    .unwrap_or_else(|| "glossary".to_owned())
}

#[cfg(test)]
mod permute_tests {
    use proptest::prelude::*;

    use super::permute;

    proptest! {
        #[test]
        fn permute_puts_each_item_where_its_order_says(
            order in (0..60_usize).prop_flat_map(|n| Just((0..n).collect::<Vec<_>>()).prop_shuffle())
        ) {
            let items: Vec<String> = (0..order.len()).map(|i| format!("item {i}")).collect();
            let expected: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            let mut permuted = items;
            permute(&mut permuted, order);
            prop_assert_eq!(permuted, expected);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fill_by_weight;

    #[test]
    fn a_short_domain_passes_its_part_on_by_weight() {
        let weights = [("1", 500), ("2", 300), ("3", 200)];
        assert_eq!(fill_by_weight(&weights, &[15, 9, 6], 10), [5, 3, 2]);
        // Domain 2 holds one item: its two others go to 1 and 3 by 0.5 to 0.2 (1.43 and 0.57,
        // then the larger remainder), not both to the first domain.
        assert_eq!(fill_by_weight(&weights, &[15, 1, 6], 10), [6, 1, 3]);
        // Short twice over: every item of 2 and 3, the rest from 1.
        assert_eq!(fill_by_weight(&weights, &[15, 1, 1], 10), [8, 1, 1]);
        // Fewer items than asked for: all of them.
        assert_eq!(fill_by_weight(&weights, &[2, 1, 1], 10), [2, 1, 1]);
        // Open domains of weight zero share what is left equally.
        let zero = [("1", 1000), ("2", 0), ("3", 0)];
        assert_eq!(fill_by_weight(&zero, &[1, 5, 5], 7), [1, 3, 3]);
    }
}
