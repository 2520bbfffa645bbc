//! Output formats for diagnostics, one module each.

mod concise;
mod full;
mod github;
mod gitlab;
mod json;
mod junit;
mod sarif;

use std::io::{self, Write};

use crate::{Diagnostic, Severity, Summary};

pub use json::{JsonDiagnostic, JsonReport};

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// Source snippets with the offending range underlined, then a summary line (default)
    #[default]
    #[value(alias = "full")]
    Text,
    /// One line per finding: `path:line:col: severity[CODE] message`
    Concise,
    /// A stable JSON document (version 1) with every finding and a summary
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
    /// GitHub Actions workflow commands, shown as annotations on pull requests
    Github,
    /// A JUnit XML report, one test case per finding
    Junit,
    /// A GitLab Code Quality report (JSON), shown in merge requests
    Gitlab,
}

/// What the renderers need to know about a rule, for formats that describe rules (SARIF).
#[derive(Clone, Copy, Debug)]
pub struct RuleInfo {
    /// The rule code, such as `QB301`.
    pub code: &'static str,
    /// The kebab-case name.
    pub name: &'static str,
    /// One line saying what the rule checks.
    pub summary: &'static str,
    /// The level the rule has when no configuration changes it.
    pub default_severity: Severity,
}

/// Everything one run prints.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    /// The findings, already sorted.
    pub diagnostics: &'a [Diagnostic],
    /// The closing counts.
    pub summary: Summary,
    /// The rule catalogue, for formats that describe rules.
    pub rules: &'a [RuleInfo],
    /// The version of the tool, for formats that record it.
    pub tool_version: &'a str,
}

/// Presentation choices that do not change the content.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    /// Use ANSI colours (text format only).
    pub color: bool,
}

/// Writes `report` to `out` in `format`.
pub fn render(
    format: DiagnosticFormat,
    report: &Report<'_>,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        DiagnosticFormat::Text => full::render(report, options, out),
        DiagnosticFormat::Concise => concise::render(report, out),
        DiagnosticFormat::Json => json::render(report, out),
        DiagnosticFormat::Sarif => sarif::render(report, out),
        DiagnosticFormat::Github => github::render(report, out),
        DiagnosticFormat::Junit => junit::render(report, out),
        DiagnosticFormat::Gitlab => gitlab::render(report, out),
    }
}

/// Diagnostics formatted by one task of [`write_each`].
const LINE_CHUNK: usize = 1024;
/// Diagnostics whose lines [`write_each`] holds at once.
const LINE_BATCH: usize = 64 * LINE_CHUNK;

/// Writes one line (or a few) per diagnostic, `line` formatting each into a buffer: the lines
/// are formatted on the thread pool, [`LINE_CHUNK`] diagnostics to a task, and written in order.
/// A large bank has tens of thousands of findings, whose positions and paths cost a few tenths
/// of a microsecond each.
fn write_each(
    diagnostics: &[Diagnostic],
    out: &mut dyn Write,
    line: impl Fn(&Diagnostic, &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    use rayon::prelude::*;

    for batch in diagnostics.chunks(LINE_BATCH) {
        let texts: Vec<Vec<u8>> = batch
            .par_chunks(LINE_CHUNK)
            .map(|chunk| {
                let mut text = Vec::with_capacity(chunk.len() * 128);
                for diagnostic in chunk {
                    line(diagnostic, &mut text)?;
                }
                Ok(text)
            })
            .collect::<io::Result<_>>()?;
        for text in texts {
            out.write_all(&text)?;
        }
    }
    Ok(())
}

/// The path of a diagnostic's file with `/` separators, as machine formats expect.
fn display_path(diagnostic: &Diagnostic) -> String {
    let path = diagnostic.file().path().to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        path.into_owned()
    } else {
        path.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// [`display_path`] for the formats of a finding per line ([`crate::printable`]): a file name
/// may hold a newline.
fn line_path(diagnostic: &Diagnostic) -> String {
    crate::printable_owned(display_path(diagnostic))
}

/// The closing line of the human-readable formats.
fn summary_line(summary: &Summary) -> String {
    let checked = format!(
        "{} {} in {} {}",
        summary.items,
        plural(summary.items, "item", "items"),
        summary.files,
        plural(summary.files, "file", "files")
    );
    if summary.errors + summary.warnings + summary.infos == 0 {
        return format!("All checks passed: {checked}.");
    }
    let mut parts = Vec::new();
    for (count, one, many) in [
        (summary.errors, "error", "errors"),
        (summary.warnings, "warning", "warnings"),
        (summary.infos, "info", "infos"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {}", plural(count, one, many)));
        }
    }
    format!("Found {} in {checked}.", parts.join(", "))
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::{Annotation, Diagnostic, Severity, SourceFile, Summary, TextRange};

    use super::{Report, RuleInfo};

    pub(crate) const RULES: &[RuleInfo] = &[
        RuleInfo {
            code: "QB106",
            name: "duplicate-id",
            summary: "Two items share one id",
            default_severity: Severity::Error,
        },
        RuleInfo {
            code: "QB110",
            name: "duplicate-option",
            summary: "Two options of an item have the same text",
            default_severity: Severity::Error,
        },
    ];

    /// `count` findings `finding 0`, `finding 1`, … in one file of ten lines, finding `n` on
    /// line `n % 10 + 1`, for tests of renderers that format findings in parallel.
    pub(crate) fn many(count: usize) -> Vec<Diagnostic> {
        let text = (1..=10)
            .map(|k| format!("key{k} = \"v\""))
            .collect::<Vec<_>>()
            .join("\n");
        let starts: Vec<usize> = text.match_indices("key").map(|(at, _)| at).collect();
        let file = SourceFile::new("bank/items/Q-1.toml", text);
        (0..count)
            .map(|n| {
                let at = starts[n % 10];
                Diagnostic::new(
                    "QB106",
                    "duplicate-id",
                    Severity::Warning,
                    format!("finding {n}"),
                    Annotation::primary(file.clone(), TextRange::new(at, at + 2)),
                )
            })
            .collect()
    }

    /// Two findings in one file with every feature the renderers handle: a secondary
    /// annotation, help, multi-byte text and characters that need escaping.
    pub(crate) fn diagnostics() -> Vec<Diagnostic> {
        let text = "id = \"Q-1\"\nstem = \"Café, 50% <of> \\\"all\\\"?\"\n\n[[options]]\ntext = \"Paris\"\n\n[[options]]\ntext = \"Paris\"\n";
        let file = SourceFile::new("bank/items/Q-1.toml", text);
        let first = text.find("\"Paris\"").unwrap();
        let second = text.rfind("\"Paris\"").unwrap();
        let stem = text.find("Café").unwrap();
        vec![
            Diagnostic::new(
                "QB106",
                "duplicate-id",
                Severity::Warning,
                "id `Q-1` is used by 2 items: \"50% <of>\", done",
                Annotation::primary(file.clone(), TextRange::new(stem, stem + "Café".len())),
            ),
            Diagnostic::new(
                "QB110",
                "duplicate-option",
                Severity::Error,
                "option `Paris` appears twice",
                Annotation::labelled(
                    file.clone(),
                    TextRange::new(second, second + 7),
                    "duplicate",
                ),
            )
            .with_secondary(Annotation::labelled(
                file,
                TextRange::new(first, first + 7),
                "first defined here",
            ))
            .with_help("remove or reword one of the options"),
        ]
    }

    pub(crate) fn render(format: super::DiagnosticFormat) -> String {
        render_with(format, &diagnostics(), RULES)
    }

    /// [`many`]`(count)` in `format`.
    pub(crate) fn render_many(format: super::DiagnosticFormat, count: usize) -> String {
        render_with(format, &many(count), &[])
    }

    fn render_with(
        format: super::DiagnosticFormat,
        diagnostics: &[Diagnostic],
        rules: &[RuleInfo],
    ) -> String {
        let report = Report {
            diagnostics,
            summary: Summary::new(1, 1, diagnostics),
            rules,
            tool_version: "0.0.0",
        };
        let mut out = Vec::new();
        super::render(format, &report, super::RenderOptions::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }
}
