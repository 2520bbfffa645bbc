use std::io::{self, Write};

use serde::Serialize;

use super::{Report, display_path};
use crate::{Diagnostic, Severity, Summary};

/// The JSON output document. Field names and meanings are stable within a `version`.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// The format version, currently 1.
    pub version: u32,
    /// Every finding, in printing order.
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
    /// The closing counts.
    pub summary: Summary,
}

/// One finding as a flat record: 1-based lines, 1-based columns counted in characters.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    /// Rule code, such as `QB301`.
    pub code: &'a str,
    /// Rule name, such as `duplicate-option`.
    pub name: &'a str,
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// What is wrong.
    pub message: &'a str,
    /// The file, relative to the working directory, with `/` separators.
    pub file: String,
    /// Start line.
    pub line: usize,
    /// Start column.
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column (exclusive).
    pub end_column: usize,
    /// What to do about it.
    pub help: Option<&'a str>,
}

impl<'a> JsonDiagnostic<'a> {
    /// The flat record of `diagnostic`.
    pub fn new(diagnostic: &'a Diagnostic) -> Self {
        let start = diagnostic.location();
        let end = diagnostic.end_location();
        Self {
            code: diagnostic.code,
            name: diagnostic.name,
            severity: diagnostic.severity,
            message: &diagnostic.message,
            file: display_path(diagnostic),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            help: diagnostic.help.as_deref(),
        }
    }
}

pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let document = JsonReport {
        version: 1,
        diagnostics: report.diagnostics.iter().map(JsonDiagnostic::new).collect(),
        summary: report.summary,
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use crate::render::DiagnosticFormat;
    use crate::render::test_support::render;

    #[test]
    fn flat_records_and_summary() {
        insta::assert_snapshot!(render(DiagnosticFormat::Json));
    }
}
