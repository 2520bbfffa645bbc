use std::io::{self, Write};

use super::{Report, line_path, summary_line, write_each};
use crate::Severity;

/// Writes GitHub Actions workflow commands (`::error file=…,line=…::message`).
pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    write_each(report.diagnostics, out, |diagnostic, out| {
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let start = diagnostic.location();
        let end = diagnostic.end_location();
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(
            out,
            "::{command} title={},file={},line={},col={},endLine={},endColumn={}::{}",
            escape_property(&format!("{} {}", diagnostic.code, diagnostic.name)),
            escape_property(&line_path(diagnostic)),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_data(&message),
        )
    })?;
    writeln!(out, "{}", summary_line(&report.summary))
}

/// Escapes a command's message, as the Actions toolkit does.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value, as the Actions toolkit does.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use crate::render::DiagnosticFormat;
    use crate::render::test_support::render;

    #[test]
    fn workflow_commands_are_escaped() {
        insta::assert_snapshot!(render(DiagnosticFormat::Github), @r#"
        ::warning title=QB106 duplicate-id,file=bank/items/Q-1.toml,line=2,col=9,endLine=2,endColumn=13::id `Q-1` is used by 2 items: "50%25 <of>", done
        ::error title=QB110 duplicate-option,file=bank/items/Q-1.toml,line=8,col=8,endLine=8,endColumn=15::option `Paris` appears twice%0Ahelp: remove or reword one of the options
        Found 1 error, 1 warning in 1 item in 1 file.
        "#);
    }
}
