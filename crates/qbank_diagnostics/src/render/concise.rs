use std::io::{self, Write};

use super::{Report, line_path, summary_line};

pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for diagnostic in report.diagnostics {
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
        )?;
    }
    writeln!(out, "{}", summary_line(&report.summary))
}

#[cfg(test)]
mod tests {
    use crate::render::DiagnosticFormat;
    use crate::render::test_support::render;

    #[test]
    fn one_line_per_finding() {
        insta::assert_snapshot!(render(DiagnosticFormat::Concise), @r#"
        bank/items/Q-1.toml:2:9: warning[QB106] id `Q-1` is used by 2 items: "50% <of>", done
        bank/items/Q-1.toml:8:8: error[QB110] option `Paris` appears twice
        Found 1 error, 1 warning in 1 item in 1 file.
        "#);
    }
}
