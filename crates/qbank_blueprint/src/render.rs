//! Renderers of blueprint reports: `text` for the terminal, `json` for tools and `markdown`
//! for a pull-request comment. All are plain ASCII except the markdown verdict marks, and all
//! are deterministic.

use std::fmt::Write;

use qbank_diagnostics::Severity;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::report::{BlueprintReport, DomainRow, percent, points_beyond};

/// A map that keeps the order it is given (`serde_json`'s own map sorts its keys, which would put
/// domain `10` before `2`).
pub(crate) struct Ordered<'a, T>(pub(crate) &'a [(String, T)]);

impl<T: Serialize> Serialize for Ordered<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// Width of the share bars in text output.
const BAR: usize = 30;

/// A domain's deviation in points, signed; one outside the tolerance `tolerance` (a fraction)
/// with as many decimals as it takes to read as outside it (see [`points_beyond`]).
fn signed_points(deviation: f64, ok: bool, tolerance: f64) -> String {
    let points = deviation * 100.0;
    if !ok && points != 0.0 {
        let sign = if points > 0.0 { '+' } else { '-' };
        return format!("{sign}{}", points_beyond(points.abs(), tolerance * 100.0));
    }
    // `-0.0` would print as "-0.0"; a zero deviation has no sign.
    if points.abs() < 0.05 {
        "0.0".to_owned()
    } else {
        format!("{points:+.1}")
    }
}

/// A domain's deviation as the tables show it: none when no item is counted, as there are no
/// shares to judge (QB420 reports the empty pool).
fn deviation(report: &BlueprintReport, d: &DomainRow) -> String {
    if report.total > 0 {
        signed_points(d.deviation, d.ok, report.tolerance.to_f64())
    } else {
        "-".to_owned()
    }
}

fn items(n: usize) -> String {
    format!("{n} item{}", if n == 1 { "" } else { "s" })
}

fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn totals(reports: &[BlueprintReport]) -> (usize, usize) {
    let findings = reports.iter().flat_map(|r| &r.findings);
    let errors = findings
        .clone()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.filter(|f| f.severity == Severity::Warning).count();
    (errors, warnings)
}

fn header_line(report: &BlueprintReport) -> String {
    let force = match (report.in_force, report.effective) {
        (true, Some(date)) => format!("in force since {date}"),
        (true, None) => "in force".to_owned(),
        (false, Some(date)) => format!("effective {date}, superseded"),
        (false, None) => "superseded".to_owned(),
    };
    format!(
        "exam `{}`, {force}; {} {} items; forms of {}, tolerance ±{} points",
        report.exam,
        report.total,
        report.statuses.describe(),
        report.form_length,
        percent(report.tolerance),
    )
}

fn depth_line(report: &BlueprintReport) -> String {
    let forms = report.depth.forms;
    let limit = report
        .depth
        .limiting_domain
        .as_ref()
        .and_then(|id| report.domains.iter().find(|d| &d.id == id))
        .map(|d| {
            format!(
                " (domain {} limits: {} items, {} per form)",
                d.id, d.count, d.quota
            )
        })
        .unwrap_or_default();
    format!(
        "{forms} disjoint form{} of {}{limit}",
        if forms == 1 { "" } else { "s" },
        report.form_length
    )
}

fn status_line(report: &BlueprintReport) -> String {
    let all: usize = report.status_counts.iter().map(|(_, n)| n).sum();
    let parts: Vec<String> = report
        .status_counts
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    format!(
        "{all} items of exam `{}`: {}; counted: {}",
        report.exam,
        parts.join(", "),
        report.statuses.describe()
    )
}

fn crosswalk_lines(report: &BlueprintReport) -> Vec<String> {
    let Some(cw) = &report.crosswalk else {
        return Vec::new();
    };
    let mut lines = vec![format!(
        "items of `{}` re-counted under `{}` through its crosswalk:",
        cw.from, report.id
    )];
    for (from, to, n) in &cw.moves {
        lines.push(format!("{from} -> {to}: {}", items(*n)));
    }
    lines.push(format!(
        "{} kept their domain id; {} unmapped{}",
        items(cw.kept),
        cw.unmapped.iter().map(|(_, n)| n).sum::<usize>(),
        if cw.unmapped.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = cw
                .unmapped
                .iter()
                .map(|(d, n)| format!("domain {d}: {n}"))
                .collect();
            format!(" ({})", list.join(", "))
        }
    ));
    lines
}

fn bar(share: f64, weight: f64, scale: f64) -> String {
    let cells = |x: f64| {
        let raw = (x / scale * BAR as f64).round();
        if raw <= 0.0 {
            0
        } else {
            #[expect(clippy::cast_possible_truncation, reason = "at most BAR")]
            #[expect(clippy::cast_sign_loss, reason = "positive here")]
            let cells = raw.min(BAR as f64) as usize;
            cells
        }
    };
    let (filled, target) = (cells(share), cells(weight));
    let mut out: String = (0..BAR.max(target + 1))
        .map(|i| {
            if i == target {
                '|'
            } else if i < filled {
                '#'
            } else {
                ' '
            }
        })
        .collect();
    out.truncate(out.trim_end().len());
    out
}

/// The reports as text: a table of domains with a bar per domain (`#` the share, `|` the
/// target), the tasks, the status breakdown, the pool depth and the findings.
pub fn text(reports: &[BlueprintReport]) -> String {
    let mut out = String::new();
    for (index, report) in reports.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}  {}", report.id, report.title);
        let _ = writeln!(out, "{}", header_line(report));
        for line in crosswalk_lines(report) {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
        let title_width = report
            .domains
            .iter()
            .map(|d| d.id.chars().count() + 2 + d.title.chars().count())
            .max()
            .unwrap_or(0)
            .max("domain".len());
        let scale = report
            .domains
            .iter()
            .map(|d| d.share.max(d.weight.to_f64()))
            .fold(0.0_f64, f64::max)
            .max(0.01);
        let _ = writeln!(
            out,
            "  {:<title_width$}  weight  items   share  deviation  quota  verdict",
            "domain"
        );
        let judged = report.total > 0;
        for d in &report.domains {
            let name = format!("{}  {}", d.id, d.title);
            let _ = writeln!(
                out,
                "  {name:<title_width$}  {:>6}  {:>5}  {:>6}  {:>9}  {:>5}  {:<7}  {}",
                format!("{}%", percent(d.weight)),
                d.count,
                format!("{:.1}%", d.share * 100.0),
                deviation(report, d),
                d.quota,
                match (judged, d.ok) {
                    (false, _) => "n/a",
                    (true, true) => "ok",
                    (true, false) => "OUT",
                },
                bar(d.share, d.weight.to_f64(), scale),
            );
        }
        if report.unplaced > 0 {
            let _ = writeln!(
                out,
                "  {} with a domain that is not in `{}`",
                items(report.unplaced),
                report.id
            );
        }
        if !report.tasks.is_empty() {
            out.push('\n');
            let width = report
                .tasks
                .iter()
                .map(|t| t.id.chars().count())
                .max()
                .unwrap_or(0)
                .max("task".len());
            let _ = writeln!(out, "  {:<width$}  items  title", "task");
            for t in &report.tasks {
                let _ = writeln!(
                    out,
                    "  {:<width$}  {:>5}  {}{}",
                    t.id,
                    t.count,
                    t.title,
                    if t.count == 0 { "  (no items)" } else { "" }
                );
            }
            if report.untasked > 0 {
                let _ = writeln!(out, "  {} without a task", items(report.untasked));
            }
        }
        out.push('\n');
        let _ = writeln!(out, "status: {}", status_line(report));
        let _ = writeln!(out, "pool depth: {}", depth_line(report));
        for finding in &report.findings {
            let _ = writeln!(out, "{}: {}", finding.severity, finding.message);
            if let Some(help) = &finding.help {
                let _ = writeln!(out, "  help: {help}");
            }
        }
    }
    let (errors, warnings) = totals(reports);
    let _ = writeln!(
        out,
        "\n{} blueprint{}: {}.",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        counts(errors, warnings)
    );
    out
}

/// The reports as GitHub-flavoured markdown, for a pull-request comment.
pub fn markdown(reports: &[BlueprintReport]) -> String {
    let mut out = String::new();
    let (errors, warnings) = totals(reports);
    let _ = writeln!(out, "## Blueprint report\n");
    let _ = writeln!(
        out,
        "{} blueprint{}: {}.",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        counts(errors, warnings)
    );
    for report in reports {
        let _ = writeln!(out, "\n### `{}` {}\n", report.id, report.title);
        let _ = writeln!(out, "{}.\n", capitalize(&header_line(report)));
        for line in crosswalk_lines(report) {
            let _ = writeln!(out, "- {line}");
        }
        if report.crosswalk.is_some() {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "| Domain | Weight | Items | Share | Deviation | Quota | Verdict |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---|");
        for d in &report.domains {
            let _ = writeln!(
                out,
                "| {} {} | {}% | {} | {:.1}% | {} | {} | {} |",
                d.id,
                escape(&d.title),
                percent(d.weight),
                d.count,
                d.share * 100.0,
                deviation(report, d),
                d.quota,
                match (report.total > 0, d.ok) {
                    (false, _) => "no items counted",
                    (true, true) => "✅ ok",
                    (true, false) => "❌ out of tolerance",
                },
            );
        }
        if !report.tasks.is_empty() {
            let _ = writeln!(out, "\n<details><summary>Tasks</summary>\n");
            let _ = writeln!(out, "| Task | Items | Title |");
            let _ = writeln!(out, "|---|---:|---|");
            for t in &report.tasks {
                let _ = writeln!(out, "| {} | {} | {} |", t.id, t.count, escape(&t.title));
            }
            let _ = writeln!(out, "\n</details>");
        }
        let _ = writeln!(out, "\n**Status:** {}.  ", status_line(report));
        let _ = writeln!(out, "**Pool depth:** {}.", depth_line(report));
        if !report.findings.is_empty() {
            out.push('\n');
            for f in &report.findings {
                let mark = match f.severity {
                    Severity::Error => "❌",
                    Severity::Warning => "⚠️",
                    Severity::Info => "ℹ️",
                };
                let help = f
                    .help
                    .as_ref()
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                let _ = writeln!(out, "- {mark} **{}**: {}{help}", f.severity, f.message);
            }
        }
    }
    out
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

fn round6(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    statuses: Vec<&'a str>,
    blueprints: Vec<JsonBlueprint<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonSummary {
    blueprints: usize,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonBlueprint<'a> {
    id: &'a str,
    exam: &'a str,
    title: &'a str,
    effective: Option<String>,
    in_force: bool,
    form_length: u32,
    tolerance: f64,
    items: usize,
    unplaced: usize,
    untasked: usize,
    domains: Vec<JsonDomain<'a>>,
    tasks: Vec<JsonTask<'a>>,
    statuses: Ordered<'a, usize>,
    pool_depth: JsonDepth<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crosswalk: Option<JsonCrosswalk<'a>>,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonDomain<'a> {
    id: &'a str,
    title: &'a str,
    weight: f64,
    count: usize,
    share: f64,
    deviation: f64,
    quota: u32,
    ok: bool,
}

#[derive(Serialize)]
struct JsonTask<'a> {
    domain: &'a str,
    id: &'a str,
    title: &'a str,
    count: usize,
}

#[derive(Serialize)]
struct JsonDepth<'a> {
    forms: usize,
    limiting_domain: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonCrosswalk<'a> {
    from: &'a str,
    moves: Vec<JsonMove<'a>>,
    kept: usize,
    unmapped: Ordered<'a, usize>,
}

#[derive(Serialize)]
struct JsonMove<'a> {
    from: &'a str,
    to: &'a str,
    items: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    kind: &'a str,
    severity: &'a str,
    domain: Option<&'a str>,
    task: Option<&'a str>,
    message: &'a str,
    help: Option<&'a str>,
}

/// The reports as a versioned JSON document. Within version 1, fields are only ever added.
pub fn json(reports: &[BlueprintReport]) -> String {
    let statuses: Vec<Vec<(String, usize)>> = reports
        .iter()
        .map(|r| {
            r.status_counts
                .iter()
                .map(|(s, n)| (s.as_str().to_owned(), *n))
                .collect()
        })
        .collect();
    let (errors, warnings) = totals(reports);
    let document = JsonReport {
        version: 1,
        statuses: reports.first().map_or_else(
            || vec!["approved"],
            |r| r.statuses.statuses().iter().map(|s| s.as_str()).collect(),
        ),
        blueprints: reports
            .iter()
            .zip(&statuses)
            .map(|(r, statuses)| JsonBlueprint {
                id: &r.id,
                exam: &r.exam,
                title: &r.title,
                effective: r.effective.map(|d| d.to_string()),
                in_force: r.in_force,
                form_length: r.form_length,
                tolerance: r.tolerance.to_f64(),
                items: r.total,
                unplaced: r.unplaced,
                untasked: r.untasked,
                domains: r
                    .domains
                    .iter()
                    .map(|d| JsonDomain {
                        id: &d.id,
                        title: &d.title,
                        weight: d.weight.to_f64(),
                        count: d.count,
                        share: round6(d.share),
                        deviation: round6(d.deviation),
                        quota: d.quota,
                        ok: d.ok,
                    })
                    .collect(),
                tasks: r
                    .tasks
                    .iter()
                    .map(|t| JsonTask {
                        domain: &t.domain,
                        id: &t.id,
                        title: &t.title,
                        count: t.count,
                    })
                    .collect(),
                statuses: Ordered(statuses),
                pool_depth: JsonDepth {
                    forms: r.depth.forms,
                    limiting_domain: r.depth.limiting_domain.as_deref(),
                },
                crosswalk: r.crosswalk.as_ref().map(|c| JsonCrosswalk {
                    from: &c.from,
                    moves: c
                        .moves
                        .iter()
                        .map(|(from, to, items)| JsonMove {
                            from,
                            to,
                            items: *items,
                        })
                        .collect(),
                    kept: c.kept,
                    unmapped: Ordered(&c.unmapped),
                }),
                findings: r
                    .findings
                    .iter()
                    .map(|f| JsonFinding {
                        kind: f.kind.name(),
                        severity: f.severity.as_str(),
                        domain: f.domain.as_deref(),
                        task: f.task.as_deref(),
                        message: &f.message,
                        help: f.help.as_deref(),
                    })
                    .collect(),
            })
            .collect(),
        summary: JsonSummary {
            blueprints: reports.len(),
            errors,
            warnings,
        },
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
