use std::fmt::Write as _;

use insta_cmd::assert_cmd_snapshot;

use crate::{CliTest, filters, item};

/// The demo bank with the common defects of `with_findings`, a draft by another author, and
/// DEMO-6, a reworded copy of DEMO-1's stem.
fn bank() -> CliTest {
    let test = CliTest::with_findings();
    let reworded = item("DEMO-6", "2").replace(
        "Backups of the payroll system were never restored in a test.",
        "A vendor has lost a laptop that held customer records.",
    );
    test.write("bank/items/d2/DEMO-6.toml", &reworded);
    let draft = item("DEMO-7", "2")
        .replace(
            "status = \"approved\"",
            "status = \"draft\"\ndifficulty = 4",
        )
        .replace("authors = [\"j.doe\"]", "authors = [\"a.roe\", \"j.doe\"]");
    test.write("bank/items/d2/DEMO-7.toml", &draft);
    test
}

/// The page as text, for a snapshot that shows its structure without the style sheet and the
/// chart geometry: headings, paragraphs and table rows one per line, each element with an id
/// marked `#id`, and each chart summarized by the shapes it holds.
fn outline(html: &str) -> String {
    const BLOCKS: [&str; 12] = [
        "h1", "h2", "h3", "p", "tr", "section", "article", "table", "details", "summary", "div",
        "nav",
    ];
    let body = &html[html.find("<body>").unwrap()..];
    let mut out = String::new();
    let mut line = String::new();
    let mut svg: Option<(String, Vec<String>)> = None;
    let flush = |line: &mut String, out: &mut String| {
        let text = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            out.push_str(&text);
            out.push('\n');
        }
        line.clear();
    };
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        let close = open + rest[open..].find('>').unwrap();
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if svg.is_none() {
            line.push_str(text);
        }
        let name = tag
            .trim_start_matches('/')
            .split_whitespace()
            .next()
            .unwrap_or("");
        let attr = |key: &str| {
            let start = tag.find(&format!(" {key}=\""))? + key.len() + 3;
            Some(tag[start..start + tag[start..].find('"')?].to_owned())
        };
        if tag.starts_with("svg ") {
            flush(&mut line, &mut out);
            svg = Some((attr("id").unwrap_or_default(), Vec::new()));
            continue;
        }
        if tag == "/svg" {
            let (id, shapes) = svg.take().unwrap();
            let _ = writeln!(out, "[svg #{id}: {}]", shapes.join(", "));
            continue;
        }
        if let Some((_, shapes)) = svg.as_mut() {
            if tag.starts_with('/') {
                continue;
            }
            if name == "rect" {
                let class = attr("class").unwrap_or_default().replace(' ', ".");
                match (attr("data-task"), attr("data-count")) {
                    (Some(task), Some(count)) => shapes.push(format!("{class} {task}={count}")),
                    _ => shapes.push(format!("rect.{class}")),
                }
            } else if name == "line" {
                shapes.push(format!("line.{}", attr("class").unwrap_or_default()));
            }
            continue;
        }
        if BLOCKS.contains(&name) {
            flush(&mut line, &mut out);
            if !tag.starts_with('/')
                && let Some(id) = attr("id")
            {
                let _ = write!(line, "#{id} ");
            }
        } else if name == "td" || name == "th" {
            if !tag.starts_with('/') {
                line.push_str(" | ");
            }
        } else if name == "del" || name == "ins" {
            line.push_str(if tag.starts_with('/') { "]" } else { "[" });
            line.push_str(if name == "del" { "-" } else { "+" });
        }
    }
    flush(&mut line, &mut out);
    out
}

#[test]
fn report_of_a_small_bank() {
    let test = bank();
    insta::with_settings!({ filters => filters() }, {
        assert_cmd_snapshot!(test.command().args(["report", "--out", "report.html"]));
    });
    let html = std::fs::read_to_string(test.root().join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    let outline = outline(&html).replace(env!("CARGO_PKG_VERSION"), "[VERSION]");
    insta::assert_snapshot!(outline);
}

#[test]
fn same_bank_gives_the_same_bytes_from_any_folder() {
    let test = bank();
    let run = |dir: &str, args: &[&str]| {
        let output = test
            .command()
            .current_dir(test.root().join(dir))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    };
    run(".", &["report", "bank", "--out", "first.html"]);
    run(".", &["report", "--out", "second.html"]);
    run("bank/items", &["report", "-o", "../../third.html"]);
    let read = |name: &str| std::fs::read(test.root().join(name)).unwrap();
    assert_eq!(read("first.html"), read("second.html"));
    assert_eq!(read("first.html"), read("third.html"));
    // Written through a temporary file beside the target, which the rename removed: the
    // folder holds the bank and the three reports, nothing else.
    let mut names: Vec<String> = std::fs::read_dir(test.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bank", "first.html", "second.html", "third.html"]);
}

/// The page `qbank report --out report.html` writes, which must exit 0.
fn written_report(test: &CliTest) -> String {
    let output = test
        .command()
        .args(["report", "--out", "report.html"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    std::fs::read_to_string(test.root().join("report.html")).unwrap()
}

#[test]
fn markup_in_items_is_shown_as_text() {
    let test = CliTest::new();
    let stem = "A <script>alert(1)</script> & <b>bold</b> vendor lost a laptop that held records.";
    let hostile = |id: &str, domain: &str, stem: &str| {
        item(id, domain)
            .replace(
                "A vendor lost a laptop that held customer records.",
                &stem.replace('"', "\\\""),
            )
            .replace("j.doe", "<img src=x onerror=alert(2)>")
    };
    test.write("bank/items/d1/DEMO-1.toml", &hostile("DEMO-1", "1", stem));
    test.write(
        "bank/items/d1/DEMO-11.toml",
        &hostile("DEMO-11", "1", &stem.replace("held", "kept")),
    );
    let html = written_report(&test);
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    assert!(html.contains(
        "A &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; vendor lost a \
         laptop that <del>held</del> <ins>kept</ins> records."
    ));
    assert!(html.contains("<tr><td>&lt;img src=x onerror=alert(2)&gt;</td>"));
}

#[test]
fn secure_items_text_is_never_shown() {
    // DEMO-1 and DEMO-11 are near-duplicates; the page shows their ids and similarity, and
    // their words only while neither is secure.
    let test = CliTest::new();
    let stem = "A vendor lost a laptop that held customer records.";
    test.write(
        "bank/items/d1/DEMO-11.toml",
        &item("DEMO-11", "1").replace(stem, &stem.replace("held", "kept")),
    );
    let html = written_report(&test);
    assert!(html.contains("<del>held</del> <ins>kept</ins>"), "{html}");
    for secure in ["DEMO-1", "DEMO-11"] {
        let path = format!("bank/items/d1/{secure}.toml");
        let text = std::fs::read_to_string(test.root().join(&path)).unwrap();
        test.write(
            &path,
            &text.replace("status = ", "secure = true\nstatus = "),
        );
        let html = written_report(&test);
        assert!(html.contains("DEMO-1</span> ~ "), "{html}");
        assert!(html.contains("<em>not shown: a secure item</em>"), "{html}");
        assert!(!html.contains("laptop"), "{secure}: {html}");
        test.write(&path, &text);
    }
}

#[test]
fn bad_arguments_and_unwritable_outputs_are_usage_errors() {
    let test = CliTest::new();
    let output = test
        .command()
        .args(["report", "--out", "missing/dir/report.html"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("missing/dir"), "{stderr}");
    let output = test
        .command()
        .args(["report", "--out", "r.html", "--status", "aproved"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unknown status `aproved`"), "{stderr}");
    assert!(!test.root().join("r.html").exists());
}

#[test]
fn status_flag_changes_what_the_blueprint_charts_count() {
    let test = bank();
    let output = test
        .command()
        .args(["report", "--out", "all.html", "--status", "draft,approved"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let html = std::fs::read_to_string(test.root().join("all.html")).unwrap();
    assert!(
        html.contains("<p>4 draft or approved items of exam <code>demo</code> counted"),
        "{html}"
    );
}

#[test]
fn completions_and_manpage_know_the_command() {
    let test = CliTest::new();
    let output = test.command().arg("manpage").output().unwrap();
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(page.contains("qbank\\-report"), "{page}");
    let output = test
        .command()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    let script = String::from_utf8(output.stdout).unwrap();
    assert!(script.contains("qbank__subcmd__report"), "{script}");
}
