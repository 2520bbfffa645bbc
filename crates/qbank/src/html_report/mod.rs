//! The HTML report of `qbank report`: one self-contained page (inline CSS and SVG, no script,
//! no network) that shows a bank at a glance.
//!
//! [`render`] turns a [`ReportData`], gathered by the command from the check pipeline, the
//! blueprint reports and the duplicate findings, into the page. Everything in it that comes
//! from the bank (ids, titles, stems, authors, paths, messages) is untrusted text and goes
//! through [`escape`]; nothing else in this module writes bank text. The output depends only
//! on the data: the same bank gives the same bytes.
//!
//! Elements carry stable ids and classes (`blueprint-chart-N`, `rect.bar`, `rect.heat-cell`,
//! `findings-by-rule`, ...) that `ci/report-browser.sh` looks for in the rendered DOM.

mod charts;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use qbank_blueprint::BlueprintReport;
use qbank_diagnostics::Severity;
use qbank_dupes::{DiffKind, DiffRun};
use qbank_model::{Decimal, Status};

use charts::{Bar, Segment};

/// Rows of the findings-by-file table; the rest are counted in a note.
const MAX_FILE_ROWS: usize = 100;
/// Bars of the author chart; the table lists every author.
const MAX_AUTHOR_BARS: usize = 20;

/// The statuses in workflow order, as the report lists them.
const STATUSES: [Status; 4] = [
    Status::Draft,
    Status::Review,
    Status::Approved,
    Status::Retired,
];

/// Everything the page shows.
pub(crate) struct ReportData {
    /// The bank's name, shown in the title.
    pub(crate) bank: String,
    /// The qbank version, shown in the footer.
    pub(crate) version: String,
    /// Files read.
    pub(crate) files: usize,
    /// One report per blueprint, in the order of `qbank blueprint`.
    pub(crate) blueprints: Vec<BlueprintReport>,
    /// Every finding of `qbank check`, in its order.
    pub(crate) findings: Vec<FindingRow>,
    /// How near-duplicates were found, e.g. `levenshtein similarity at or above 0.85`.
    pub(crate) dupes_rule: String,
    /// Clusters of near-duplicate stems.
    pub(crate) clusters: Vec<Cluster>,
    /// Sets of cloned items (ids).
    pub(crate) clones: Vec<Vec<String>>,
    /// Every item that passed the schema.
    pub(crate) items: Vec<ItemRow>,
}

/// One finding, reduced to what the report counts.
pub(crate) struct FindingRow {
    /// Rule code, such as `QB301`.
    pub(crate) code: String,
    /// Rule name, such as `duplicate-option`.
    pub(crate) name: String,
    /// Level after `qbank.toml`.
    pub(crate) severity: Severity,
    /// The file, relative to the bank.
    pub(crate) file: String,
}

/// Items whose stems are near-duplicates of each other, directly or through other members.
pub(crate) struct Cluster {
    /// The pairs found, smaller index first.
    pub(crate) pairs: Vec<PairRow>,
}

/// Two near-duplicate items and how their stems differ.
pub(crate) struct PairRow {
    /// The first item's id.
    pub(crate) a: String,
    /// The second item's id.
    pub(crate) b: String,
    /// The first item's file, relative to the bank.
    pub(crate) a_file: String,
    /// The second item's file, relative to the bank.
    pub(crate) b_file: String,
    /// Similarity of the normalized stems.
    pub(crate) similarity: f64,
    /// Word diff from the first stem to the second; `None` when either item is secure, whose
    /// text the page, which may be published, never shows.
    pub(crate) diff: Option<Vec<DiffRun>>,
}

/// The facts of one item that the report counts.
pub(crate) struct ItemRow {
    /// The exam.
    pub(crate) exam: String,
    /// Workflow status.
    pub(crate) status: Status,
    /// Authors, as written.
    pub(crate) authors: Vec<String>,
    /// Writer's difficulty estimate, 1 to 5.
    pub(crate) difficulty: Option<i64>,
}

/// Escapes text for HTML content and quoted attribute values alike.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `text`, with an ellipsis when cut; for labels in charts, where
/// text does not wrap. The full text goes in a tooltip.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `n` and the noun, singular when `n` is 1.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A decimal fraction as a percentage, exactly: `0.17` → `17`, `0.025` → `2.5`.
fn percent(value: Decimal) -> String {
    Decimal {
        billionths: value.billionths.saturating_mul(100),
    }
    .to_string()
}

/// The page.
pub(crate) fn render(data: &ReportData) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("Question bank report: {}", data.bank);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"qbank {}\">\n<title>{}</title>\n<style>\n{}</style>\n\
         </head>\n<body>\n",
        escape(&data.version),
        escape(&title),
        STYLE
    );
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", escape(&title));
    let _ = writeln!(
        out,
        "<p class=\"lede\">{} in {}. Every chart has a table with its numbers below it.</p>",
        count(data.items.len(), "item", "items"),
        count(data.files, "file", "files")
    );
    out.push_str(
        "<nav><a href=\"#blueprints\">Blueprint fit</a> <a href=\"#coverage\">Task coverage</a> \
         <a href=\"#duplicates\">Duplicates</a> <a href=\"#findings\">Findings</a> \
         <a href=\"#items\">Items</a></nav>\n</header>\n<main>\n",
    );
    overview(&mut out, data);
    blueprints(&mut out, data);
    coverage(&mut out, data);
    duplicates(&mut out, data);
    findings(&mut out, data);
    items(&mut out, data);
    let _ = write!(
        out,
        "</main>\n<footer>Made by qbank {} from the bank's files alone; run <code>qbank report</code> \
         again to refresh it.</footer>\n</body>\n</html>\n",
        escape(&data.version)
    );
    out
}

/// The tiles at the top: one number per question a manager asks first.
fn overview(out: &mut String, data: &ReportData) {
    let approved = data
        .items
        .iter()
        .filter(|i| i.status == Status::Approved)
        .count();
    let fitting = data.blueprints.iter().filter(|b| !b.has_errors()).count();
    let tasks: usize = data.blueprints.iter().map(|b| b.tasks.len()).sum();
    let covered: usize = data
        .blueprints
        .iter()
        .map(|b| b.tasks.iter().filter(|t| t.count > 0).count())
        .sum();
    let (errors, warnings, infos) = severity_counts(data.findings.iter());
    let pairs: usize = data.clusters.iter().map(|c| c.pairs.len()).sum();

    out.push_str("<section id=\"overview\" aria-label=\"Overview\">\n<div class=\"tiles\">\n");
    let status_line = STATUSES
        .iter()
        .map(|s| {
            let n = data.items.iter().filter(|i| i.status == *s).count();
            format!("{n} {}", s.as_str())
        })
        .collect::<Vec<_>>()
        .join(" · ");
    tile(
        out,
        "tile-items",
        "neutral",
        "Items",
        &format!("{approved} approved"),
        &status_line,
    );
    tile(
        out,
        "tile-blueprints",
        if fitting == data.blueprints.len() {
            "good"
        } else {
            "bad"
        },
        "Blueprint fit",
        &format!("{fitting} of {} fit", data.blueprints.len()),
        "every domain's share within the tolerance of its target",
    );
    tile(
        out,
        "tile-coverage",
        if covered == tasks { "good" } else { "warn" },
        "Task coverage",
        &format!("{covered} of {tasks} tasks"),
        "have at least one counted item",
    );
    tile(
        out,
        "tile-duplicates",
        if pairs == 0 && data.clones.is_empty() {
            "good"
        } else {
            "bad"
        },
        "Near-duplicates",
        &count(data.clusters.len(), "cluster", "clusters"),
        &format!(
            "{} · {}",
            count(pairs, "pair", "pairs"),
            count(data.clones.len(), "cloned set", "cloned sets")
        ),
    );
    tile(
        out,
        "tile-findings",
        if errors > 0 {
            "bad"
        } else if warnings > 0 {
            "warn"
        } else {
            "good"
        },
        "Check findings",
        &count(errors, "error", "errors"),
        &format!(
            "{} · {}",
            count(warnings, "warning", "warnings"),
            count(infos, "info", "infos")
        ),
    );
    out.push_str("</div>\n</section>\n");
}

fn tile(out: &mut String, id: &str, tone: &str, label: &str, value: &str, detail: &str) {
    let _ = writeln!(
        out,
        "<div class=\"tile {tone}\" id=\"{id}\"><div class=\"tile-label\">{}</div>\
         <div class=\"tile-value\">{}</div><div class=\"tile-detail\">{}</div></div>",
        escape(label),
        escape(value),
        escape(detail)
    );
}

fn severity_counts<'a>(findings: impl Iterator<Item = &'a FindingRow>) -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for finding in findings {
        match finding.severity {
            Severity::Error => counts.0 += 1,
            Severity::Warning => counts.1 += 1,
            Severity::Info => counts.2 += 1,
        }
    }
    counts
}

/// A blueprint's heading: title, id, and whether it is in force.
fn blueprint_heading(out: &mut String, report: &BlueprintReport) {
    let badge = if report.in_force {
        "<span class=\"badge\">in force</span>"
    } else {
        "<span class=\"badge muted\">not in force</span>"
    };
    let effective = report
        .effective
        .map(|d| format!(", effective {d}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<h3>{} <span class=\"muted\">({}{})</span> {badge}</h3>",
        escape(&report.title),
        escape(&report.id),
        escape(&effective)
    );
}

fn blueprints(out: &mut String, data: &ReportData) {
    out.push_str(
        "<section id=\"blueprints\">\n<h2>Blueprint fit</h2>\n<p class=\"explain\">Each bar is a \
         domain's share of the counted items. The black line is the blueprint's target and the \
         shaded band the tolerance around it: a green bar ends inside the band, a red one \
         outside.</p>\n",
    );
    if data.blueprints.is_empty() {
        out.push_str("<p class=\"empty\">The bank has no valid blueprint.</p>\n");
    }
    for (index, report) in data.blueprints.iter().enumerate() {
        let n = index + 1;
        let _ = writeln!(
            out,
            "<article class=\"blueprint\" id=\"blueprint-{n}\" data-blueprint=\"{}\">",
            escape(&report.id)
        );
        blueprint_heading(out, report);
        let depth = match &report.depth.limiting_domain {
            Some(domain) if report.total > 0 => format!(
                " The pool fills {} without reuse (domain {} runs out first).",
                count(report.depth.forms, "form", "forms"),
                escape(domain)
            ),
            _ => String::new(),
        };
        let unplaced = if report.unplaced > 0 {
            format!(
                " {} of exam {} {} a domain the outline does not have.",
                count(report.unplaced, "item", "items"),
                escape(&report.exam),
                if report.unplaced == 1 {
                    "names"
                } else {
                    "name"
                }
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<p>{} {} items of exam <code>{}</code> counted; tolerance ± {} points; \
             {} items per form.{depth}{unplaced}</p>",
            report.total,
            escape(&report.statuses.describe()),
            escape(&report.exam),
            percent(report.tolerance),
            report.form_length
        );
        out.push_str(&charts::blueprint_chart(n, report));
        blueprint_table(out, n, report);
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

fn blueprint_table(out: &mut String, n: usize, report: &BlueprintReport) {
    let _ = writeln!(
        out,
        "<table class=\"data\" id=\"blueprint-table-{n}\">\n<thead><tr><th>Domain</th>\
         <th>Title</th><th class=\"num\">Items</th><th class=\"num\">Share</th>\
         <th class=\"num\">Target</th><th class=\"num\">Off by</th>\
         <th class=\"num\">Per form</th><th>Fit</th></tr></thead>\n<tbody>"
    );
    for domain in &report.domains {
        let verdict = if domain.ok {
            "<td class=\"ok\">within tolerance</td>"
        } else if report.total == 0 {
            "<td class=\"muted\">no items</td>"
        } else if domain.deviation > 0.0 {
            "<td class=\"bad\">too many</td>"
        } else {
            "<td class=\"bad\">too few</td>"
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}%</td>\
             <td class=\"num\">{}%</td><td class=\"num\">{:+.1} pts</td><td class=\"num\">{}</td>\
             {verdict}</tr>",
            escape(&domain.id),
            escape(&domain.title),
            domain.count,
            domain.share * 100.0,
            percent(domain.weight),
            domain.deviation * 100.0,
            domain.quota
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn coverage(out: &mut String, data: &ReportData) {
    out.push_str(
        "<section id=\"coverage\">\n<h2>Task coverage</h2>\n<p class=\"explain\">One row per \
         domain, one cell per task of the outline, with the number of counted items tagged \
         with it: the darker, the more. Red cells are tasks without a single item.</p>\n",
    );
    for (index, report) in data.blueprints.iter().enumerate() {
        let n = index + 1;
        let _ = writeln!(
            out,
            "<article class=\"coverage\" id=\"coverage-{n}\" data-blueprint=\"{}\">",
            escape(&report.id)
        );
        blueprint_heading(out, report);
        if report.tasks.is_empty() {
            out.push_str("<p class=\"empty\">The outline lists no tasks.</p>\n");
        }
        out.push_str(&charts::heatmap(n, report));
        if report.untasked > 0 {
            let _ = writeln!(
                out,
                "<p class=\"note\">{} name no task.</p>",
                count(report.untasked, "counted item", "counted items")
            );
        }
        let _ = writeln!(
            out,
            "<details><summary>Tasks and their titles</summary>\n\
             <table class=\"data\" id=\"coverage-table-{n}\">\n<thead><tr><th>Domain</th>\
             <th>Task</th><th>Title</th><th class=\"num\">Items</th></tr></thead>\n<tbody>"
        );
        for task in &report.tasks {
            let class = if task.count == 0 {
                " class=\"bad\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\"><span{class}>{}</span>\
                 </td></tr>",
                escape(&task.domain),
                escape(&task.id),
                escape(&task.title),
                task.count
            );
        }
        out.push_str("</tbody>\n</table>\n</details>\n</article>\n");
    }
    out.push_str("</section>\n");
}

fn duplicates(out: &mut String, data: &ReportData) {
    let pairs: usize = data.clusters.iter().map(|c| c.pairs.len()).sum();
    let _ = writeln!(
        out,
        "<section id=\"duplicates\" data-clusters=\"{}\" data-clones=\"{}\">\n\
         <h2>Near-duplicate stems</h2>\n<p class=\"explain\">Stems that read almost alike \
         ({}), as <code>qbank check</code> reports them (QB501): words only in the first stem \
         are <del>struck out</del>, words only in the second <ins>underlined</ins>.</p>",
        data.clusters.len(),
        data.clones.len(),
        escape(&data.dupes_rule)
    );
    if data.clusters.is_empty() {
        out.push_str("<p class=\"empty good\">No near-duplicate stems.</p>\n");
    } else {
        let _ = writeln!(
            out,
            "<p>{} in {}.</p>\n<table class=\"data\" id=\"duplicates-table\">\n<thead><tr>\
             <th>Cluster</th><th>Items</th><th class=\"num\">Similarity</th>\
             <th>Differences</th></tr></thead>\n<tbody>",
            count(pairs, "pair", "pairs"),
            count(data.clusters.len(), "cluster", "clusters")
        );
        for (index, cluster) in data.clusters.iter().enumerate() {
            for pair in &cluster.pairs {
                let _ = writeln!(
                    out,
                    "<tr class=\"pair\"><td class=\"num\">{}</td><td class=\"ids\"><span title=\"{}\">{}</span> \
                     ~ <span title=\"{}\">{}</span></td><td class=\"num\">{:.3}</td>\
                     <td class=\"diff\">{}</td></tr>",
                    index + 1,
                    escape(&pair.a_file),
                    escape(&pair.a),
                    escape(&pair.b_file),
                    escape(&pair.b),
                    pair.similarity,
                    pair.diff
                        .as_deref()
                        .map_or_else(|| "<em>not shown: a secure item</em>".to_owned(), diff_html)
                );
            }
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !data.clones.is_empty() {
        out.push_str(
            "<h3>Cloned items</h3>\n<p>Different stems over the same options and key (QB502).\
             </p>\n<table class=\"data\" id=\"clones-table\">\n<thead><tr><th>Set</th>\
             <th>Items</th></tr></thead>\n<tbody>\n",
        );
        for (index, set) in data.clones.iter().enumerate() {
            let ids: Vec<String> = set.iter().map(|id| escape(id)).collect();
            let _ = writeln!(
                out,
                "<tr><td class=\"num\">{}</td><td>{}</td></tr>",
                index + 1,
                ids.join(", ")
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

/// A word diff as text with `<del>` and `<ins>` runs.
fn diff_html(runs: &[DiffRun]) -> String {
    let pieces: Vec<String> = runs
        .iter()
        .map(|run| match run.kind {
            DiffKind::Equal => escape(&run.text),
            DiffKind::Deleted => format!("<del>{}</del>", escape(&run.text)),
            DiffKind::Inserted => format!("<ins>{}</ins>", escape(&run.text)),
        })
        .collect();
    pieces.join(" ")
}

/// A file's findings: counts by level (error, warning, info) and the rules that fired.
type FileCounts<'a> = ([usize; 3], Vec<&'a str>);

/// Findings counted by rule: code, name, the most serious level, count.
struct RuleCount<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    count: usize,
}

fn findings(out: &mut String, data: &ReportData) {
    let (errors, warnings, infos) = severity_counts(data.findings.iter());
    let mut by_rule: BTreeMap<&str, RuleCount<'_>> = BTreeMap::new();
    for finding in &data.findings {
        let entry = by_rule.entry(&finding.code).or_insert(RuleCount {
            code: &finding.code,
            name: &finding.name,
            severity: finding.severity,
            count: 0,
        });
        entry.count += 1;
        entry.severity = entry.severity.min(finding.severity);
    }
    let mut by_file: BTreeMap<&str, FileCounts<'_>> = BTreeMap::new();
    for finding in &data.findings {
        let entry = by_file.entry(&finding.file).or_default();
        entry.0[severity_index(finding.severity)] += 1;
        if !entry.1.contains(&finding.code.as_str()) {
            entry.1.push(&finding.code);
        }
    }
    let _ = writeln!(
        out,
        "<section id=\"findings\" data-findings=\"{}\">\n<h2>Check findings</h2>\n\
         <p class=\"explain\">What <code>qbank check</code> reports: schema and item-writing \
         rules, blueprint fit and duplicates, at the levels set in <code>qbank.toml</code>. \
         <code>qbank rule CODE</code> explains a rule.</p>\n<p>{}, {} and {} in {}.</p>",
        data.findings.len(),
        count(errors, "error", "errors"),
        count(warnings, "warning", "warnings"),
        count(infos, "info", "infos"),
        count(by_file.len(), "file", "files")
    );
    if data.findings.is_empty() {
        out.push_str("<p class=\"empty good\">No findings: every check passes.</p>\n");
        out.push_str("</section>\n");
        return;
    }
    let mut rules: Vec<&RuleCount<'_>> = by_rule.values().collect();
    // Errors first, then the rules that fire most.
    rules.sort_by(|a, b| (a.severity, b.count, a.code).cmp(&(b.severity, a.count, b.code)));
    let bars: Vec<Bar> = rules
        .iter()
        .map(|r| Bar {
            label: format!("{} {}", r.code, r.name),
            segments: vec![Segment {
                class: severity_class(r.severity),
                value: r.count,
            }],
        })
        .collect();
    out.push_str("<h3>By rule</h3>\n");
    out.push_str(&charts::bar_chart(
        "findings-chart",
        "Findings by rule",
        &bars,
    ));
    out.push_str(
        "<table class=\"data\" id=\"findings-by-rule\">\n<thead><tr><th>Rule</th><th>Name</th>\
         <th>Level</th><th class=\"num\">Findings</th></tr></thead>\n<tbody>\n",
    );
    for rule in &rules {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"num\">{}</td></tr>",
            escape(rule.code),
            escape(rule.name),
            severity_class(rule.severity),
            rule.severity,
            rule.count
        );
    }
    out.push_str("</tbody>\n</table>\n");

    findings_by_file(out, &by_file);
    out.push_str("</section>\n");
}

/// Files with findings: counts by level and the rules that fired, most serious first.
fn findings_by_file(out: &mut String, by_file: &BTreeMap<&str, FileCounts<'_>>) {
    let mut files: Vec<(&str, &FileCounts<'_>)> = by_file.iter().map(|(f, c)| (*f, c)).collect();
    // Most serious first: errors, then warnings, then infos; then by path.
    files.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(b.0)));
    out.push_str(
        "<h3>By file</h3>\n<table class=\"data\" id=\"findings-by-file\">\n<thead><tr>\
         <th>File</th><th class=\"num\">Errors</th><th class=\"num\">Warnings</th>\
         <th class=\"num\">Infos</th><th>Rules</th></tr></thead>\n<tbody>\n",
    );
    for (file, (counts, codes)) in files.iter().take(MAX_FILE_ROWS) {
        let codes: Vec<String> = codes.iter().map(|c| escape(c)).collect();
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td></tr>",
            escape(file),
            counts[0],
            counts[1],
            counts[2],
            codes.join(", ")
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if files.len() > MAX_FILE_ROWS {
        let _ = writeln!(
            out,
            "<p class=\"note\">and {} more; <code>qbank check</code> lists them all.</p>",
            count(files.len() - MAX_FILE_ROWS, "file", "files")
        );
    }
}

fn severity_index(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "sev-error",
        Severity::Warning => "sev-warning",
        Severity::Info => "sev-info",
    }
}

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Draft => "st-draft",
        Status::Review => "st-review",
        Status::Approved => "st-approved",
        Status::Retired => "st-retired",
    }
}

fn status_index(status: Status) -> usize {
    STATUSES.iter().position(|s| *s == status).unwrap_or(0)
}

/// A status legend for the stacked charts.
fn status_legend(out: &mut String) {
    out.push_str("<p class=\"legend\">");
    for status in STATUSES {
        let _ = write!(
            out,
            "<span class=\"key {}\"></span>{} ",
            status_class(status),
            status.as_str()
        );
    }
    out.push_str("</p>\n");
}

fn items(out: &mut String, data: &ReportData) {
    let _ = writeln!(
        out,
        "<section id=\"items\" data-items=\"{}\">\n<h2>Items</h2>\n<p class=\"explain\">Every \
         item that passes the schema, whatever its status, by status, author and difficulty.\
         </p>",
        data.items.len()
    );

    out.push_str("<div class=\"cols\">\n");
    items_by_status(out, data);
    items_by_difficulty(out, data);
    out.push_str("</div>\n");
    items_by_author(out, data);
    out.push_str("</section>\n");
}

/// Items by status: a bar per status, and a table per exam.
fn items_by_status(out: &mut String, data: &ReportData) {
    let mut by_exam: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for item in &data.items {
        by_exam.entry(&item.exam).or_default()[status_index(item.status)] += 1;
    }
    let totals = STATUSES.map(|s| data.items.iter().filter(|i| i.status == s).count());
    out.push_str("<div>\n<h3>By status</h3>\n");
    let bars: Vec<Bar> = STATUSES
        .iter()
        .zip(totals)
        .map(|(status, n)| Bar {
            label: status.as_str().to_owned(),
            segments: vec![Segment {
                class: status_class(*status),
                value: n,
            }],
        })
        .collect();
    out.push_str(&charts::bar_chart("status-chart", "Items by status", &bars));
    out.push_str(
        "<table class=\"data\" id=\"status-table\">\n<thead><tr><th>Exam</th>\
         <th class=\"num\">Draft</th><th class=\"num\">Review</th><th class=\"num\">Approved</th>\
         <th class=\"num\">Retired</th><th class=\"num\">Total</th></tr></thead>\n<tbody>\n",
    );
    for (exam, counts) in &by_exam {
        row_of_counts(out, exam, counts);
    }
    if by_exam.len() > 1 {
        row_of_counts(out, "all exams", &totals);
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// Items by difficulty: a bar per level, and a table per exam with the mean.
fn items_by_difficulty(out: &mut String, data: &ReportData) {
    let mut by_level: BTreeMap<&str, [usize; 6]> = BTreeMap::new();
    for item in &data.items {
        by_level.entry(&item.exam).or_default()[difficulty_index(item.difficulty)] += 1;
    }
    let mut level_totals = [0_usize; 6];
    for item in &data.items {
        level_totals[difficulty_index(item.difficulty)] += 1;
    }
    out.push_str("<div>\n<h3>By difficulty</h3>\n");
    let labels = ["1 (easy)", "2", "3", "4", "5 (hard)", "not set"];
    let bars: Vec<Bar> = labels
        .iter()
        .zip(level_totals)
        .map(|(label, n)| Bar {
            label: (*label).to_owned(),
            segments: vec![Segment {
                class: "difficulty",
                value: n,
            }],
        })
        .collect();
    out.push_str(&charts::bar_chart(
        "difficulty-chart",
        "Items by difficulty",
        &bars,
    ));
    out.push_str(
        "<table class=\"data\" id=\"difficulty-table\">\n<thead><tr><th>Exam</th>\
         <th class=\"num\">1</th><th class=\"num\">2</th><th class=\"num\">3</th>\
         <th class=\"num\">4</th><th class=\"num\">5</th><th class=\"num\">Not set</th>\
         <th class=\"num\">Mean</th></tr></thead>\n<tbody>\n",
    );
    for (exam, levels) in &by_level {
        difficulty_row(out, exam, levels);
    }
    if by_level.len() > 1 {
        difficulty_row(out, "all exams", &level_totals);
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// Items by author, stacked by status. An item with two authors counts for both.
fn items_by_author(out: &mut String, data: &ReportData) {
    let mut by_author: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for item in &data.items {
        if item.authors.is_empty() {
            by_author.entry("(none)").or_default()[status_index(item.status)] += 1;
        }
        for author in &item.authors {
            by_author.entry(author).or_default()[status_index(item.status)] += 1;
        }
    }
    let mut authors: Vec<(&str, [usize; 4])> = by_author.into_iter().collect();
    authors.sort_by(|a, b| {
        let total = |c: &[usize; 4]| c.iter().sum::<usize>();
        total(&b.1).cmp(&total(&a.1)).then_with(|| a.0.cmp(b.0))
    });
    out.push_str(
        "<h3>By author</h3>\n<p class=\"note\">An item with several authors counts once for \
         each.</p>\n",
    );
    status_legend(out);
    let bars: Vec<Bar> = authors
        .iter()
        .take(MAX_AUTHOR_BARS)
        .map(|(author, counts)| Bar {
            label: (*author).to_owned(),
            segments: STATUSES
                .iter()
                .zip(counts)
                .map(|(status, &value)| Segment {
                    class: status_class(*status),
                    value,
                })
                .collect(),
        })
        .collect();
    out.push_str(&charts::bar_chart("author-chart", "Items by author", &bars));
    if authors.len() > MAX_AUTHOR_BARS {
        let _ = writeln!(
            out,
            "<p class=\"note\">The chart shows the {MAX_AUTHOR_BARS} authors with the most items; \
             the table lists all {}.</p>",
            authors.len()
        );
    }
    out.push_str(
        "<table class=\"data\" id=\"author-table\">\n<thead><tr><th>Author</th>\
         <th class=\"num\">Draft</th><th class=\"num\">Review</th><th class=\"num\">Approved</th>\
         <th class=\"num\">Retired</th><th class=\"num\">Total</th></tr></thead>\n<tbody>\n",
    );
    for (author, counts) in &authors {
        row_of_counts(out, author, counts);
    }
    out.push_str("</tbody>\n</table>\n");
}

fn row_of_counts(out: &mut String, label: &str, counts: &[usize; 4]) {
    let _ = write!(out, "<tr><td>{}</td>", escape(label));
    for n in counts {
        let _ = write!(out, "<td class=\"num\">{n}</td>");
    }
    let _ = writeln!(
        out,
        "<td class=\"num\"><strong>{}</strong></td></tr>",
        counts.iter().sum::<usize>()
    );
}

/// Index 0-4 for difficulties 1-5, 5 for none or one outside the scale.
fn difficulty_index(difficulty: Option<i64>) -> usize {
    match difficulty {
        Some(level @ 1..=5) => usize::try_from(level - 1).unwrap_or(5),
        _ => 5,
    }
}

fn difficulty_row(out: &mut String, label: &str, levels: &[usize; 6]) {
    let _ = write!(out, "<tr><td>{}</td>", escape(label));
    for n in levels {
        let _ = write!(out, "<td class=\"num\">{n}</td>");
    }
    let rated: usize = levels[..5].iter().sum();
    let weighted: usize = levels[..5]
        .iter()
        .enumerate()
        .map(|(i, n)| (i + 1) * n)
        .sum();
    if rated == 0 {
        out.push_str("<td class=\"num\">–</td></tr>\n");
    } else {
        let _ = writeln!(
            out,
            "<td class=\"num\">{:.2}</td></tr>",
            weighted as f64 / rated as f64
        );
    }
}

/// The page's style sheet: system fonts, print-friendly, no external resources.
const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #d9dee4;
  --good: #2e7d32; --bad: #c62828; --warn: #b26a00; --accent: #1f5f99; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "DejaVu Sans", sans-serif; color: var(--ink); background: #f4f6f8; }
header, main, footer { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 6px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
.lede { margin: 0 0 8px; color: var(--muted); }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; font-weight: 600; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 16px 20px; margin: 16px 0; }
#overview { background: none; border: none; padding: 0; }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; }
.tile { background: #fff; border: 1px solid var(--line); border-top: 5px solid var(--muted);
  border-radius: 8px; padding: 10px 12px; }
.tile.good { border-top-color: var(--good); }
.tile.bad { border-top-color: var(--bad); }
.tile.warn { border-top-color: var(--warn); }
.tile.neutral { border-top-color: var(--accent); }
.tile-label { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.tile-value { font-size: 22px; font-weight: 700; margin: 2px 0; }
.tile-detail { font-size: 12px; color: var(--muted); }
.explain { color: var(--muted); margin-top: 0; }
.muted { color: var(--muted); font-weight: normal; }
.badge { font-size: 12px; font-weight: 600; background: #e3f0e4; color: var(--good);
  border-radius: 10px; padding: 1px 8px; vertical-align: middle; }
.badge.muted { background: #eceff2; color: var(--muted); }
.empty { font-style: italic; }
.empty.good { color: var(--good); font-style: normal; font-weight: 600; }
.note { font-size: 13px; color: var(--muted); }
.ok, .good { color: var(--good); }
.bad { color: var(--bad); font-weight: 600; }
table.data { border-collapse: collapse; width: 100%; margin: 8px 0 4px; font-size: 14px; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 4px 8px;
  text-align: left; vertical-align: top; }
table.data th { background: #f0f3f6; font-weight: 600; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; }
td.diff { line-height: 1.6; }
td.ids { white-space: nowrap; }
del { background: #fbd5d5; color: #8a1c1c; }
ins { background: #d3f0d6; color: #1b5e20; text-decoration: underline; }
details summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 6px 0; }
svg text { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
  fill: var(--ink); }
svg .axis text { fill: var(--muted); font-size: 11px; }
svg .grid { stroke: #e6e9ed; }
svg .band { fill: #cfe0f1; }
svg .bar.ok { fill: #43a047; }
svg .bar.off { fill: #e53935; }
svg .target { stroke: #1f2933; stroke-width: 2.5; }
svg .heat-label { font-size: 12px; }
svg text.value.off { fill: var(--bad); }
svg .sev-error, .key.sev-error { fill: #e53935; background: #e53935; }
svg .sev-warning, .key.sev-warning { fill: #f9a825; background: #f9a825; }
svg .sev-info, .key.sev-info { fill: #64b5f6; background: #64b5f6; }
.st-draft { fill: #b0bec5; background: #b0bec5; }
.st-review { fill: #ffb300; background: #ffb300; }
.st-approved { fill: #43a047; background: #43a047; }
.st-retired { fill: #6d4c41; background: #6d4c41; }
svg .difficulty { fill: #5c7fa8; }
td.sev-error { color: var(--bad); font-weight: 600; }
td.sev-warning { color: var(--warn); font-weight: 600; }
td.sev-info { color: var(--accent); }
.legend { font-size: 13px; color: var(--muted); margin: 4px 0; }
.key { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin: 0 4px 0 10px;
  vertical-align: -1px; }
.key.band { background: #cfe0f1; } .key.target { background: #1f2933; width: 3px; }
.key.ok { background: #43a047; } .key.off { background: #e53935; }
footer { color: var(--muted); font-size: 13px; padding-bottom: 24px; }
@media (max-width: 800px) { .tiles { grid-template-columns: 1fr 1fr; } .cols { grid-template-columns: 1fr; } }
@media print { body { background: #fff; } section { break-inside: avoid-page; } }
"#;
