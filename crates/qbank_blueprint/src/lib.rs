//! Blueprint weighting, crosswalks and exam-form assembly.
//!
//! A blueprint says what share of an exam each domain has. This crate answers three questions
//! about a bank that `qbank_linter::check` has read:
//!
//! - **Does the bank follow the blueprint?** [`report`] counts the items of each domain and
//!   task, compares each domain's share with its weight, and says how many disjoint forms the
//!   pool can fill. [`findings`] turns that into plain-data [`Finding`]s for `qbank check`.
//! - **How would it spread under a newer outline?** [`crosswalk_report`] re-counts the items of
//!   one blueprint through another's `[[crosswalk]]` entries.
//! - **Which items go on each form?** [`assemble::assemble`] builds forms that meet every quota
//!   and constraint, and [`assemble::verify`] checks any set of forms against them.
//!
//! Counted items are, by default, those with `status = "approved"` ([`StatusFilter`]).
//! Quotas come from [`largest_remainder`], the one function every part of qbank uses.
//!
//! ```
//! use qbank_blueprint::largest_remainder;
//! use qbank_model::Decimal;
//!
//! let w = |t| Decimal::parse(t).unwrap();
//! assert_eq!(largest_remainder(&[("1", w("0.5")), ("2", w("0.5"))], 3), vec![2, 1]);
//! ```
#![warn(missing_docs)]

pub mod assemble;
mod crosswalk;
mod quota;
pub mod render;
mod report;
mod rng;

use std::cmp::Ordering;
use std::fmt;

use qbank_model::{Blueprint, Item, Status};

pub use crosswalk::crosswalk_report;
pub use quota::{form_length, form_quotas, largest_remainder};
pub use report::{
    BlueprintReport, CrosswalkSummary, DomainRow, Finding, FindingKind, PoolDepth, TaskRow, report,
};

/// The item statuses that count toward a blueprint. The default is `approved` alone: items in
/// draft or review may still change, and retired items are no longer delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusFilter(Vec<Status>);

impl Default for StatusFilter {
    fn default() -> Self {
        Self(vec![Status::Approved])
    }
}

impl StatusFilter {
    /// The given statuses, in workflow order and without repeats.
    pub fn new(statuses: impl IntoIterator<Item = Status>) -> Self {
        let mut list: Vec<Status> = statuses.into_iter().collect();
        list.sort();
        list.dedup();
        Self(list)
    }

    /// Reads a comma-separated list such as `approved,review`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut list = Vec::new();
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let Some(status) = Status::parse(name) else {
                return Err(format!(
                    "unknown status `{name}`: use `draft`, `review`, `approved` or `retired`"
                ));
            };
            list.push(status);
        }
        if list.is_empty() {
            return Err("no status given".to_owned());
        }
        Ok(Self::new(list))
    }

    /// Whether `status` counts.
    pub fn contains(&self, status: Status) -> bool {
        self.0.contains(&status)
    }

    /// The statuses, in workflow order.
    pub fn statuses(&self) -> &[Status] {
        &self.0
    }

    /// The statuses as words: `approved`, `approved or review`.
    pub fn describe(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|s| s.as_str()).collect();
        match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

impl fmt::Display for StatusFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|s| s.as_str()).collect();
        f.write_str(&names.join(","))
    }
}

/// The ids of the blueprints in force: for each exam, the one with the latest `effective`
/// date (a blueprint without one counts as oldest), then the greatest id. This is the rule the
/// linter uses to check an item's domain and task.
pub fn in_force(blueprints: &[Blueprint]) -> Vec<&str> {
    let mut best: Vec<&Blueprint> = Vec::new();
    let key = |b: &Blueprint| (b.effective.as_ref().map(|d| d.value), b.id.value.clone());
    for blueprint in blueprints {
        match best
            .iter_mut()
            .find(|b| b.exam.value == blueprint.exam.value)
        {
            Some(current) => {
                if key(blueprint) > key(current) {
                    *current = blueprint;
                }
            }
            None => best.push(blueprint),
        }
    }
    best.iter().map(|b| b.id.value.as_str()).collect()
}

/// The findings `qbank check` reports: for each blueprint in force, the report's findings with
/// approved items counted, then crosswalk entries of any blueprint that name something that
/// does not exist. Blueprints that are not in force are reported by `qbank blueprint` only.
pub fn findings(blueprints: &[Blueprint], items: &[&Item]) -> Vec<Finding> {
    let statuses = StatusFilter::default();
    let live = in_force(blueprints);
    let mut out: Vec<Finding> = blueprints
        .iter()
        .filter(|b| live.contains(&b.id.value.as_str()))
        .flat_map(|b| report(blueprints, b, items, &statuses).findings)
        .collect();
    out.extend(crosswalk::entry_findings(blueprints));
    out
}

/// Compares ids naturally: runs of digits by value, so `2` < `10` and `1B` < `1C` < `10A`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let run = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (run(a), run(b));
                let (da, db) = (&a[..na], &b[..nb]);
                let trim = |s: &'_ [u8]| {
                    let zeros = s.iter().take_while(|c| **c == b'0').count();
                    s[zeros..].to_vec()
                };
                let (ta, tb) = (trim(da), trim(db));
                let order = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(&tb));
                if order != Ordering::Equal {
                    return order;
                }
                a = &a[na..];
                b = &b[nb..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

/// Reports for every blueprint (sorted by exam, then effective date, then id), or for the one
/// with `only`, counting `statuses`. Returns `None` when `only` names no blueprint.
pub fn reports(
    blueprints: &[Blueprint],
    items: &[&Item],
    statuses: &StatusFilter,
    only: Option<&str>,
) -> Option<Vec<BlueprintReport>> {
    let mut chosen: Vec<&Blueprint> = blueprints
        .iter()
        .filter(|b| only.is_none_or(|id| b.id.value == id))
        .collect();
    if chosen.is_empty() && only.is_some() {
        return None;
    }
    chosen.sort_by(|a, b| {
        a.exam
            .value
            .cmp(&b.exam.value)
            .then_with(|| {
                a.effective
                    .as_ref()
                    .map(|d| d.value)
                    .cmp(&b.effective.as_ref().map(|d| d.value))
            })
            .then_with(|| natural_cmp(&a.id.value, &b.id.value))
    });
    Some(
        chosen
            .into_iter()
            .map(|b| report(blueprints, b, items, statuses))
            .collect(),
    )
}

#[cfg(test)]
mod tests;
