//! The blueprint report: how the bank's items spread over a blueprint's domains and tasks.

use qbank_diagnostics::{Severity, TextRange};
use qbank_model::{Blueprint, Date, Decimal, Item, Status};

use crate::quota::{form_length, form_quotas};
use crate::{StatusFilter, in_force};

/// One domain's line of the report.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainRow {
    /// Domain id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Target share, exact.
    pub weight: Decimal,
    /// Items that count toward the domain.
    pub count: usize,
    /// `count` over the items counted for the blueprint (0 when there are none).
    pub share: f64,
    /// `share - weight`.
    pub deviation: f64,
    /// Items of this domain on one form.
    pub quota: u32,
    /// Whether the share is within the blueprint's tolerance of the weight, compared exactly.
    pub ok: bool,
    /// The domain's `[[domains]]` table in the blueprint file.
    pub range: TextRange,
}

/// One task's line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskRow {
    /// The domain the task belongs to.
    pub domain: String,
    /// Task id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Items tagged with the task.
    pub count: usize,
    /// The task's `id` value in the blueprint file.
    pub range: TextRange,
}

/// How many disjoint forms the counted items can fill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolDepth {
    /// The minimum over domains of `count / quota`, rounded down.
    pub forms: usize,
    /// The domain that sets the minimum (the first such in blueprint order).
    pub limiting_domain: Option<String>,
}

/// Items re-counted under a newer outline through a crosswalk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrosswalkSummary {
    /// The blueprint the items are tagged for.
    pub from: String,
    /// Per crosswalk entry used: `(from, to, items moved)`, in the order of the entries.
    pub moves: Vec<(String, String, usize)>,
    /// Items whose domain id exists in both outlines and that no entry maps: they keep it.
    pub kept: usize,
    /// Items no entry maps and whose domain is not in the new outline, by old domain id.
    pub unmapped: Vec<(String, usize)>,
}

/// What kind of problem a [`Finding`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    /// A domain's share of the bank is further from its weight than the tolerance.
    DomainOutOfTolerance,
    /// A task of the blueprint has no items.
    UncoveredTask,
    /// No item counts toward the blueprint.
    EmptyPool,
    /// A crosswalk entry names a blueprint, domain or task that does not exist.
    UnknownCrosswalkEntry,
}

impl FindingKind {
    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::DomainOutOfTolerance => "domain-out-of-tolerance",
            FindingKind::UncoveredTask => "uncovered-task",
            FindingKind::EmptyPool => "empty-pool",
            FindingKind::UnknownCrosswalkEntry => "unknown-crosswalk-entry",
        }
    }

    /// The default severity.
    pub fn severity(self) -> Severity {
        match self {
            FindingKind::DomainOutOfTolerance | FindingKind::UnknownCrosswalkEntry => {
                Severity::Error
            }
            FindingKind::UncoveredTask | FindingKind::EmptyPool => Severity::Warning,
        }
    }
}

/// A problem with the bank's fit to a blueprint, as plain data: the blueprint file is the
/// place, `range` the span inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What kind of problem.
    pub kind: FindingKind,
    /// How serious ([`FindingKind::severity`]).
    pub severity: Severity,
    /// The blueprint's id.
    pub blueprint: String,
    /// The domain concerned.
    pub domain: Option<String>,
    /// The task concerned.
    pub task: Option<String>,
    /// One short phrase with the numbers, code identifiers in backticks.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
    /// Where in the blueprint's file: the domain's table, the task's id, the crosswalk value,
    /// or the blueprint's id.
    pub range: TextRange,
}

/// The report for one blueprint.
#[derive(Clone, Debug, PartialEq)]
pub struct BlueprintReport {
    /// Blueprint id.
    pub id: String,
    /// The exam.
    pub exam: String,
    /// Title.
    pub title: String,
    /// Effective date.
    pub effective: Option<Date>,
    /// Whether it is the blueprint in force for its exam (latest `effective`, then greatest id).
    pub in_force: bool,
    /// Items on one form.
    pub form_length: u32,
    /// Allowed absolute deviation of a share from its weight.
    pub tolerance: Decimal,
    /// The statuses counted.
    pub statuses: StatusFilter,
    /// Items counted: of the exam, with a counted status, in a domain of the blueprint.
    pub total: usize,
    /// Items of the exam with a counted status whose domain is not in the blueprint.
    pub unplaced: usize,
    /// Domains in blueprint order.
    pub domains: Vec<DomainRow>,
    /// Tasks in blueprint order.
    pub tasks: Vec<TaskRow>,
    /// Counted items without a task.
    pub untasked: usize,
    /// Items of the exam by status, whatever `statuses` says: draft, review, approved, retired.
    pub status_counts: Vec<(Status, usize)>,
    /// How many disjoint forms the counted items can fill.
    pub depth: PoolDepth,
    /// Problems found, in blueprint order.
    pub findings: Vec<Finding>,
    /// Set when the report re-counts another outline's items through a crosswalk.
    pub crosswalk: Option<CrosswalkSummary>,
}

impl BlueprintReport {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Where an item falls in a blueprint: a domain index and maybe a task index in it.
pub(crate) type Placement = (usize, Option<usize>);

/// Places an item in `blueprint` by its own domain and task ids.
pub(crate) fn place(blueprint: &Blueprint, item: &Item) -> Option<Placement> {
    let domain = blueprint
        .domains
        .iter()
        .position(|d| d.id.value == item.domain.value)?;
    let task = item.task.as_ref().and_then(|t| {
        blueprint.domains[domain]
            .tasks
            .iter()
            .position(|x| x.id.value == t.value)
    });
    Some((domain, task))
}

/// The report of `blueprint` over `items` (all items of the bank; those of other exams are
/// skipped), counting the statuses in `statuses`.
pub fn report(
    blueprints: &[Blueprint],
    blueprint: &Blueprint,
    items: &[&Item],
    statuses: &StatusFilter,
) -> BlueprintReport {
    let exam_items = items
        .iter()
        .filter(|i| i.exam.value == blueprint.exam.value);
    let placements = exam_items
        .clone()
        .filter(|i| statuses.contains(i.status.value))
        .map(|i| place(blueprint, i));
    let mut report = tally(blueprint, placements, statuses);
    report.status_counts = status_counts(exam_items.copied());
    report.in_force = in_force(blueprints).contains(&blueprint.id.value.as_str());
    report
}

pub(crate) fn status_counts<'a>(items: impl Iterator<Item = &'a Item>) -> Vec<(Status, usize)> {
    let mut counts = [
        (Status::Draft, 0),
        (Status::Review, 0),
        (Status::Approved, 0),
        (Status::Retired, 0),
    ];
    for item in items {
        if let Some(entry) = counts.iter_mut().find(|(s, _)| *s == item.status.value) {
            entry.1 += 1;
        }
    }
    counts.to_vec()
}

/// Counts `placements` (one per counted item; `None` for an item outside the blueprint's
/// domains) and derives shares, verdicts, depth and findings.
#[expect(
    clippy::too_many_lines,
    reason = "one pass that builds each row with its finding keeps the wording beside the numbers"
)]
pub(crate) fn tally(
    blueprint: &Blueprint,
    placements: impl Iterator<Item = Option<Placement>>,
    statuses: &StatusFilter,
) -> BlueprintReport {
    let mut domain_counts = vec![0_usize; blueprint.domains.len()];
    let mut task_counts: Vec<Vec<usize>> = blueprint
        .domains
        .iter()
        .map(|d| vec![0; d.tasks.len()])
        .collect();
    let (mut total, mut unplaced, mut untasked) = (0, 0, 0);
    for placement in placements {
        let Some((domain, task)) = placement else {
            unplaced += 1;
            continue;
        };
        total += 1;
        domain_counts[domain] += 1;
        match task {
            Some(task) => task_counts[domain][task] += 1,
            None => untasked += 1,
        }
    }

    let quotas = form_quotas(blueprint);
    let tolerance = blueprint.tolerance.value;
    let id = blueprint.id.value.clone();
    let mut findings = Vec::new();
    let domains: Vec<DomainRow> = blueprint
        .domains
        .iter()
        .zip(&domain_counts)
        .zip(&quotas)
        .map(|((domain, &count), &quota)| {
            let weight = domain.weight.value;
            let share = if total == 0 {
                0.0
            } else {
                count as f64 / total as f64
            };
            let ok = total > 0 && within(count, total, weight, tolerance);
            if total > 0 && !ok {
                let deviation = (share - weight.to_f64()) * 100.0;
                let side = if deviation > 0.0 { "over" } else { "under" };
                findings.push(Finding {
                    kind: FindingKind::DomainOutOfTolerance,
                    severity: FindingKind::DomainOutOfTolerance.severity(),
                    blueprint: id.clone(),
                    domain: Some(domain.id.value.clone()),
                    task: None,
                    message: format!(
                        "domain `{}` of `{id}` holds {:.1}% of the items ({count} of {total}), \
                         target {}% ± {} points: {} points {side}",
                        domain.id.value,
                        share * 100.0,
                        percent(weight),
                        percent(tolerance),
                        points_beyond(deviation.abs(), tolerance.to_f64() * 100.0),
                    ),
                    help: Some(if deviation > 0.0 {
                        format!(
                            "write items for the other domains, or retire some of domain `{}`",
                            domain.id.value
                        )
                    } else {
                        format!("write more items for domain `{}`", domain.id.value)
                    }),
                    range: domain.range,
                });
            }
            DomainRow {
                id: domain.id.value.clone(),
                title: domain.title.value.clone(),
                weight,
                count,
                share,
                deviation: share - weight.to_f64(),
                quota,
                ok,
                range: domain.range,
            }
        })
        .collect();

    let mut tasks = Vec::new();
    for (domain, counts) in blueprint.domains.iter().zip(&task_counts) {
        for (task, &count) in domain.tasks.iter().zip(counts) {
            if count == 0 && total > 0 {
                findings.push(Finding {
                    kind: FindingKind::UncoveredTask,
                    severity: FindingKind::UncoveredTask.severity(),
                    blueprint: id.clone(),
                    domain: Some(domain.id.value.clone()),
                    task: Some(task.id.value.clone()),
                    message: format!(
                        "task `{}` of `{id}` has no {} items",
                        task.id.value,
                        statuses.describe()
                    ),
                    help: Some(format!(
                        "write items with `task = \"{}\"` in domain `{}`",
                        task.id.value, domain.id.value
                    )),
                    range: task.id.range,
                });
            }
            tasks.push(TaskRow {
                domain: domain.id.value.clone(),
                id: task.id.value.clone(),
                title: task.title.value.clone(),
                count,
                range: task.id.range,
            });
        }
    }
    if total == 0 {
        findings.push(Finding {
            kind: FindingKind::EmptyPool,
            severity: FindingKind::EmptyPool.severity(),
            blueprint: id.clone(),
            domain: None,
            task: None,
            message: format!(
                "no {} items of exam `{}` fall in a domain of `{id}`",
                statuses.describe(),
                blueprint.exam.value
            ),
            help: Some(format!(
                "items join the blueprint with `exam = \"{}\"` and one of its domain ids",
                blueprint.exam.value
            )),
            range: blueprint.id.range,
        });
    }

    let depth = pool_depth(&domains);
    BlueprintReport {
        id,
        exam: blueprint.exam.value.clone(),
        title: blueprint.title.value.clone(),
        effective: blueprint.effective.as_ref().map(|d| d.value),
        in_force: false,
        form_length: form_length(blueprint),
        tolerance,
        statuses: statuses.clone(),
        total,
        unplaced,
        domains,
        tasks,
        untasked,
        status_counts: Vec::new(),
        depth,
        findings,
        crosswalk: None,
    }
}

/// Whether `count / total` is within `tolerance` of `weight`, exactly:
/// `|count − weight × total| ≤ tolerance × total`, all in billionths.
fn within(count: usize, total: usize, weight: Decimal, tolerance: Decimal) -> bool {
    let count = i128::try_from(count).unwrap_or(i128::MAX);
    let total = i128::try_from(total).unwrap_or(i128::MAX);
    let one = i128::from(Decimal::ONE);
    let gap = (count * one - i128::from(weight.billionths) * total).abs();
    gap <= i128::from(tolerance.billionths) * total
}

fn pool_depth(domains: &[DomainRow]) -> PoolDepth {
    let mut best: Option<(usize, &str)> = None;
    for domain in domains.iter().filter(|d| d.quota > 0) {
        let forms = domain.count / domain.quota as usize;
        if best.is_none_or(|(b, _)| forms < b) {
            best = Some((forms, &domain.id));
        }
    }
    PoolDepth {
        forms: best.map_or(0, |(f, _)| f),
        limiting_domain: best.map(|(_, d)| d.to_owned()),
    }
}

/// A decimal fraction as a percentage, exactly: `0.17` → `17`, `0.025` → `2.5`.
/// `points`, a deviation found beyond `tolerance` points, with one decimal, or as many more
/// (up to twelve) as it takes to read as beyond it: 3.005 points over a tolerance of 3 would
/// read "3.0", which the tolerance allows.
pub(crate) fn points_beyond(points: f64, tolerance: f64) -> String {
    (1..=12)
        .map(|decimals| format!("{points:.decimals$}"))
        .find(|text| text.parse::<f64>().is_ok_and(|shown| shown > tolerance))
        .unwrap_or_else(|| format!("{points:.12}"))
}

pub(crate) fn percent(value: Decimal) -> String {
    Decimal {
        billionths: value.billionths.saturating_mul(100),
    }
    .to_string()
}
