//! Crosswalks: how a bank tagged for one outline would spread over a newer one.
//!
//! A blueprint's `[[crosswalk]]` entries map a domain or task id of an earlier blueprint
//! (`blueprint`, `from`) to a domain or task id of this one (`to`). An item of the earlier
//! outline is re-counted as follows: an entry for its task wins, then an entry for its domain;
//! without an entry it keeps its domain when the new outline has a domain with the same id (and
//! its task when that domain has a task with the same id), and is *unmapped* otherwise. A `to`
//! that names a task places the item in that task's domain.

use qbank_model::{Blueprint, Item, Mapping};

use crate::StatusFilter;
use crate::report::{
    BlueprintReport, CrosswalkSummary, Finding, FindingKind, Placement, status_counts, tally,
};

/// Resolves a `to` id in `blueprint`: a task id first, then a domain id.
fn resolve(blueprint: &Blueprint, id: &str) -> Option<Placement> {
    for (d, domain) in blueprint.domains.iter().enumerate() {
        if let Some(t) = domain.tasks.iter().position(|t| t.id.value == id) {
            return Some((d, Some(t)));
        }
    }
    blueprint
        .domains
        .iter()
        .position(|d| d.id.value == id)
        .map(|d| (d, None))
}

/// Whether `id` is a domain or task id of `blueprint`.
fn names(blueprint: &Blueprint, id: &str) -> bool {
    blueprint
        .domains
        .iter()
        .any(|d| d.id.value == id || d.tasks.iter().any(|t| t.id.value == id))
}

/// The report of `to` over the items tagged for `from` (items of `from`'s exam with a counted
/// status), each placed through `to`'s crosswalk entries for `from`.
pub fn crosswalk_report(
    blueprints: &[Blueprint],
    from: &Blueprint,
    to: &Blueprint,
    items: &[&Item],
    statuses: &StatusFilter,
) -> BlueprintReport {
    let entries: Vec<&Mapping> = to
        .crosswalk
        .iter()
        .filter(|m| m.blueprint.value == from.id.value)
        .collect();
    let mut moved = vec![0_usize; entries.len()];
    let mut kept = 0;
    let mut unmapped: Vec<(String, usize)> = Vec::new();
    let exam_items: Vec<&Item> = items
        .iter()
        .copied()
        .filter(|i| i.exam.value == from.exam.value)
        .collect();
    let mut placements = Vec::new();
    for item in exam_items
        .iter()
        .filter(|i| statuses.contains(i.status.value))
    {
        let by_task = item
            .task
            .as_ref()
            .and_then(|t| entries.iter().position(|m| m.from.value == t.value));
        let entry = by_task.or_else(|| {
            entries
                .iter()
                .position(|m| m.from.value == item.domain.value)
        });
        let placement = if let Some(entry) = entry {
            let placement = resolve(to, &entries[entry].to.value);
            if placement.is_some() {
                moved[entry] += 1;
            }
            placement
        } else if let Some(d) = to
            .domains
            .iter()
            .position(|d| d.id.value == item.domain.value)
        {
            kept += 1;
            let task = item.task.as_ref().and_then(|t| {
                to.domains[d]
                    .tasks
                    .iter()
                    .position(|x| x.id.value == t.value)
            });
            Some((d, task))
        } else {
            None
        };
        if placement.is_none() {
            match unmapped.iter_mut().find(|(d, _)| *d == item.domain.value) {
                Some(entry) => entry.1 += 1,
                None => unmapped.push((item.domain.value.clone(), 1)),
            }
        }
        placements.push(placement);
    }
    unmapped.sort_by(|a, b| crate::natural_cmp(&a.0, &b.0));
    let mut report = tally(to, placements.into_iter(), statuses);
    report.status_counts = status_counts(exam_items.iter().copied());
    report.in_force = crate::in_force(blueprints).contains(&to.id.value.as_str());
    report.crosswalk = Some(CrosswalkSummary {
        from: from.id.value.clone(),
        moves: entries
            .iter()
            .zip(moved)
            .map(|(m, n)| (m.from.value.clone(), m.to.value.clone(), n))
            .collect(),
        kept,
        unmapped,
    });
    report
}

/// Crosswalk entries that name a blueprint, domain or task that does not exist.
pub(crate) fn entry_findings(blueprints: &[Blueprint]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for blueprint in blueprints {
        let id = &blueprint.id.value;
        for entry in &blueprint.crosswalk {
            let finding = |message: String, help: String, range| Finding {
                kind: FindingKind::UnknownCrosswalkEntry,
                severity: FindingKind::UnknownCrosswalkEntry.severity(),
                blueprint: id.clone(),
                domain: None,
                task: None,
                message,
                help: Some(help),
                range,
            };
            match blueprints
                .iter()
                .find(|b| b.id.value == entry.blueprint.value)
            {
                None => findings.push(finding(
                    format!(
                        "crosswalk of `{id}` names blueprint `{}`, which is not in the bank",
                        entry.blueprint.value
                    ),
                    "name the id of a blueprint under `blueprints/`".to_owned(),
                    entry.blueprint.range,
                )),
                Some(source) if !names(source, &entry.from.value) => findings.push(finding(
                    format!(
                        "crosswalk of `{id}` maps `{}`, which is no domain or task of `{}`",
                        entry.from.value, source.id.value
                    ),
                    format!("use a domain or task id of `{}`", source.id.value),
                    entry.from.range,
                )),
                Some(_) => {}
            }
            if !names(blueprint, &entry.to.value) {
                findings.push(finding(
                    format!(
                        "crosswalk of `{id}` maps to `{}`, which is no domain or task of `{id}`",
                        entry.to.value
                    ),
                    format!("use a domain or task id of `{id}`"),
                    entry.to.range,
                ));
            }
        }
    }
    findings
}
