use qbank_blueprint::{BlueprintReport, DomainRow, PoolDepth, StatusFilter, TaskRow};
use qbank_diagnostics::{Severity, TextRange};
use qbank_dupes::word_diff;
use qbank_model::{Decimal, Status};

use super::{Cluster, FindingRow, ItemRow, PairRow, ReportData, clip, escape, render};

const HOSTILE: &str = "<script>alert('x')</script> & \"quoted\"";

fn decimal(text: &str) -> Decimal {
    Decimal::parse(text).unwrap()
}

fn domain(id: &str, title: &str, weight: &str, count: usize, total: usize, ok: bool) -> DomainRow {
    let share = count as f64 / total as f64;
    DomainRow {
        id: id.to_owned(),
        title: title.to_owned(),
        weight: decimal(weight),
        count,
        share,
        deviation: share - decimal(weight).to_f64(),
        quota: 5,
        ok,
        range: TextRange::default(),
    }
}

fn task(domain: &str, id: &str, title: &str, count: usize) -> TaskRow {
    TaskRow {
        domain: domain.to_owned(),
        id: id.to_owned(),
        title: title.to_owned(),
        count,
        range: TextRange::default(),
    }
}

/// A blueprint of three domains over 10 items: domain 1 fits, 2 is over, 3 has no tasks.
fn blueprint(id: &str, title: &str) -> BlueprintReport {
    BlueprintReport {
        id: id.to_owned(),
        exam: "demo".to_owned(),
        title: title.to_owned(),
        effective: None,
        in_force: true,
        form_length: 10,
        tolerance: decimal("0.05"),
        statuses: StatusFilter::default(),
        total: 10,
        unplaced: 0,
        domains: vec![
            domain("1", "Governance", "0.3", 3, 10, true),
            domain("2", title, "0.5", 7, 10, false),
            domain("3", "Risk", "0.2", 0, 10, false),
        ],
        tasks: vec![
            task("1", "1A", "Strategy", 3),
            task("1", "1B", title, 0),
            task("2", "2A", "Programs", 7),
        ],
        untasked: 0,
        status_counts: Vec::new(),
        depth: PoolDepth {
            forms: 0,
            limiting_domain: Some("3".to_owned()),
        },
        findings: Vec::new(),
        crosswalk: None,
    }
}

fn item(status: Status, author: &str, difficulty: Option<i64>) -> ItemRow {
    ItemRow {
        exam: "demo".to_owned(),
        status,
        authors: vec![author.to_owned()],
        difficulty,
    }
}

fn data() -> ReportData {
    let stem_a = "Which control BEST reduces the risk of data leakage?";
    let stem_b = "Which control best limits the risk of data leakage?";
    ReportData {
        bank: "bank".to_owned(),
        version: "1.2.3".to_owned(),
        files: 5,
        blueprints: vec![blueprint("demo-2026", "Demo outline")],
        findings: vec![
            FindingRow {
                code: "QB301".to_owned(),
                name: "duplicate-option".to_owned(),
                severity: Severity::Error,
                file: "items/B.toml".to_owned(),
            },
            FindingRow {
                code: "QB301".to_owned(),
                name: "duplicate-option".to_owned(),
                severity: Severity::Error,
                file: "items/A.toml".to_owned(),
            },
            FindingRow {
                code: "QB205".to_owned(),
                name: "absolute-word".to_owned(),
                severity: Severity::Warning,
                file: "items/A.toml".to_owned(),
            },
        ],
        dupes_rule: "levenshtein similarity at or above 0.85, within each exam".to_owned(),
        clusters: vec![Cluster {
            pairs: vec![PairRow {
                a: "DEMO-1".to_owned(),
                b: "DEMO-2".to_owned(),
                a_file: "items/DEMO-1.toml".to_owned(),
                b_file: "items/DEMO-2.toml".to_owned(),
                similarity: 0.9,
                diff: Some(word_diff(stem_a, stem_b)),
            }],
        }],
        clones: vec![vec!["DEMO-3".to_owned(), "DEMO-4".to_owned()]],
        items: vec![
            item(Status::Approved, "j.doe", Some(3)),
            item(Status::Approved, "j.doe", Some(5)),
            item(Status::Draft, "a.roe", None),
        ],
    }
}

/// The number of times `needle` occurs in `haystack`.
fn occurrences(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn escape_replaces_every_markup_character() {
    assert_eq!(
        escape(HOSTILE),
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"
    );
    assert_eq!(escape("plain é text"), "plain é text");
}

#[test]
fn clip_counts_characters_not_bytes() {
    assert_eq!(clip("ééééé", 5), "ééééé");
    assert_eq!(clip("éééééé", 5), "éééé…");
}

#[test]
fn bank_text_with_markup_is_escaped_everywhere() {
    let mut data = data();
    data.bank = HOSTILE.to_owned();
    data.blueprints = vec![blueprint(HOSTILE, HOSTILE)];
    data.findings[0].file = HOSTILE.to_owned();
    data.items[0].authors = vec![HOSTILE.to_owned()];
    data.items[0].exam = HOSTILE.to_owned();
    let stem = format!("Which of these is {HOSTILE} the BEST answer here?");
    data.clusters[0].pairs[0].a = HOSTILE.to_owned();
    data.clusters[0].pairs[0].a_file = HOSTILE.to_owned();
    data.clusters[0].pairs[0].diff =
        Some(word_diff(&stem, "Which of these is the BEST answer here?"));
    data.clones = vec![vec![HOSTILE.to_owned()]];
    let html = render(&data);
    assert!(!html.contains("<script"), "unescaped markup in:\n{html}");
    assert!(!html.contains("alert('x')"));
    // The stem's words reach the page, escaped, inside the deletion mark.
    assert!(html.contains(
        "<del>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;</del>"
    ));
    // Every place that shows bank text shows the escaped form.
    assert!(occurrences(&html, "&lt;script&gt;") >= 10);
    // Nothing outside the style sheet's own `&` is an unescaped ampersand from the bank.
    assert!(!html.contains(" & \""));
}

#[test]
fn page_is_self_contained() {
    let html = render(&data());
    for needle in [
        "<script", "http://", "https://", "<link", "@import", "url(", "<img",
    ] {
        let allowed = if needle == "http://" {
            // The SVG namespace is a name, never fetched.
            occurrences(&html, "xmlns=\"http://www.w3.org/2000/svg\"")
        } else {
            0
        };
        assert_eq!(occurrences(&html, needle), allowed, "found `{needle}`");
    }
}

#[test]
fn blueprint_chart_has_a_bar_band_and_target_per_domain() {
    let html = render(&data());
    let start = html
        .find("<svg class=\"chart blueprint-chart\" id=\"blueprint-chart-1\"")
        .unwrap();
    let chart = &html[start..start + html[start..].find("</svg>").unwrap()];
    // Three domains, plus one swatch of each kind in the legend.
    assert_eq!(occurrences(chart, "<g class=\"domain\""), 3);
    assert_eq!(occurrences(chart, "<rect class=\"bar ok\""), 1 + 1);
    assert_eq!(occurrences(chart, "<rect class=\"bar off\""), 2 + 1);
    assert_eq!(occurrences(chart, "<rect class=\"band\""), 3 + 1);
    assert_eq!(occurrences(chart, "<line class=\"target\""), 3 + 1);
    // Shares reach 70% and the band of domain 2 reaches 55%: the axis runs to 70%, so the
    // 70% bar fills the plot (1000 - 330 - 210 = 460 units) and the 30% target sits at 3/7.
    assert!(chart.contains("<rect class=\"bar off\" x=\"330.0\" y=\"68.0\" width=\"460.0\""));
    assert!(chart.contains("<line class=\"target\" x1=\"527.1\""));
    assert!(chart.contains(">70%</text>"));
    assert!(!chart.contains(">80%</text>"));
}

#[test]
fn heatmap_has_a_cell_per_task_and_marks_empty_tasks() {
    let html = render(&data());
    assert_eq!(occurrences(&html, "<rect class=\"heat-cell\""), 3);
    assert!(html.contains("data-task=\"1B\" data-count=\"0\""));
    // An empty task is red; the fullest one is the deepest blue.
    assert!(html.contains("data-task=\"1B\" data-count=\"0\" x=\"430.0\" y=\"4.0\" width=\"96.0\" height=\"34.0\" rx=\"3\" fill=\"#f6c9c9\""));
    assert!(html.contains("data-task=\"2A\" data-count=\"7\" x=\"330.0\" y=\"42.0\" width=\"96.0\" height=\"34.0\" rx=\"3\" fill=\"#0b4f8a\""));
    assert!(html.contains("no tasks in the outline"));
}

#[test]
fn duplicates_show_the_word_diff() {
    let html = render(&data());
    assert!(
        html.contains("<del>reduces</del> <ins>limits</ins>"),
        "{html}"
    );
    assert!(html.contains("id=\"duplicates-table\""));
    assert!(html.contains("id=\"clones-table\""));
    assert!(html.contains("data-clusters=\"1\" data-clones=\"1\""));
}

#[test]
fn findings_are_counted_by_rule_and_by_file() {
    let html = render(&data());
    assert!(html.contains(
        "<tr><td>QB301</td><td>duplicate-option</td><td class=\"sev-error\">error</td><td class=\"num\">2</td></tr>"
    ));
    assert!(html.contains(
        "<code>items/A.toml</code></td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td><td>QB301, QB205</td>"
    ));
    // Files with errors come first, then by path: a file with only a warning follows them
    // although its path sorts first.
    let mut with_warnings = data();
    with_warnings.findings.push(FindingRow {
        code: "QB205".to_owned(),
        name: "absolute-word".to_owned(),
        severity: Severity::Warning,
        file: "items/0.toml".to_owned(),
    });
    let html = render(&with_warnings);
    let at = |file: &str| html.find(&format!("<code>{file}</code>")).unwrap();
    assert!(at("items/A.toml") < at("items/B.toml"));
    assert!(at("items/B.toml") < at("items/0.toml"));
}

#[test]
fn no_findings_and_no_duplicates_say_so() {
    let mut data = data();
    data.findings.clear();
    data.clusters.clear();
    data.clones.clear();
    let html = render(&data);
    assert!(html.contains("No findings: every check passes."));
    assert!(html.contains("No near-duplicate stems."));
    assert!(!html.contains("id=\"findings-chart\""));
    assert!(!html.contains("id=\"duplicates-table\""));
}

#[test]
fn items_are_counted_by_status_author_and_difficulty() {
    let html = render(&data());
    // j.doe: two approved; a.roe: one draft. Most items first.
    assert!(html.contains(
        "<tr><td>j.doe</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">2</td><td class=\"num\">0</td><td class=\"num\"><strong>2</strong></td></tr>"
    ));
    assert!(html.find("<tr><td>j.doe</td>").unwrap() < html.find("<tr><td>a.roe</td>").unwrap());
    // Difficulty: one 3, one 5, one unset; mean 4.00 over the rated.
    assert!(html.contains(
        "<tr><td>demo</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">4.00</td></tr>"
    ));
    for id in [
        "status-chart",
        "status-table",
        "author-chart",
        "author-table",
        "difficulty-chart",
        "difficulty-table",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "missing {id}");
    }
}

#[test]
fn same_data_gives_the_same_bytes() {
    assert_eq!(render(&data()), render(&data()));
}
