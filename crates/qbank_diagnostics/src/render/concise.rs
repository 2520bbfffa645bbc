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
        let count = super::super::LINE_BATCH + 2 * super::super::LINE_CHUNK + 3;
        let out = crate::render::test_support::render_many(DiagnosticFormat::Concise, count);
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
