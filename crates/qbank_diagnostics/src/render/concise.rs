use std::io::{self, Write};

use super::{Report, line_path, summary_line, write_each};

pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    write_each(report.diagnostics, out, |diagnostic, out| {
        let start = diagnostic.location();
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            line_path(diagnostic),
            start.line,
            start.column,
            diagnostic.severity,
            diagnostic.code,
            diagnostic.message
        )
    })?;
    writeln!(out, "{}", summary_line(&report.summary))
}

#[cfg(test)]
mod tests {
    use crate::render::DiagnosticFormat;
    use crate::render::test_support::render;

    #[test]
    fn many_findings_print_in_their_order_across_tasks() {
        use crate::render::{Report, Summary};
        use crate::{Annotation, Diagnostic, Severity, SourceFile, TextRange};

        let text = (1..=10)
            .map(|k| format!("key{k} = \"v\""))
            .collect::<Vec<_>>()
            .join("\n");
        let starts: Vec<usize> = text.match_indices("key").map(|(at, _)| at).collect();
        let file = SourceFile::new("bank/items/Q-1.toml", text);
        let count = super::super::LINE_BATCH + 2 * super::super::LINE_CHUNK + 3;
        let diagnostics: Vec<Diagnostic> = (0..count)
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
            .collect();
        let report = Report {
            diagnostics: &diagnostics,
            summary: Summary::new(1, 1, &diagnostics),
            rules: &[],
            tool_version: "0.0.0",
        };
        let mut out = Vec::new();
        super::render(&report, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), count + 1);
        for (n, line) in lines[..count].iter().enumerate() {
            assert_eq!(
                *line,
                format!(
                    "bank/items/Q-1.toml:{}:1: warning[QB106] finding {n}",
                    n % 10 + 1
                )
            );
        }
    }

    #[test]
    fn one_line_per_finding() {
        insta::assert_snapshot!(render(DiagnosticFormat::Concise), @r#"
        bank/items/Q-1.toml:2:9: warning[QB106] id `Q-1` is used by 2 items: "50% <of>", done
        bank/items/Q-1.toml:8:8: error[QB110] option `Paris` appears twice
        Found 1 error, 1 warning in 1 item in 1 file.
        "#);
    }
}
