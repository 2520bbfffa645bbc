use std::collections::BTreeMap;
use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::{Report, line_path};
use crate::Severity;

/// Writes a JUnit XML report: one test suite per file with findings, one failing test case per
/// error and one passing case (with the finding as output) per warning or info. A clean run is one
/// suite with one passing case, so dashboards show the check ran.
pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut junit = JunitReport::new("qbank");
    let mut suites: BTreeMap<String, TestSuite> = BTreeMap::new();
    for diagnostic in report.diagnostics {
        let path = line_path(diagnostic);
        let start = diagnostic.location();
        let name = format!(
            "{} {} at {}:{}",
            diagnostic.code, diagnostic.name, start.line, start.column
        );
        let mut description = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            description.push_str("\nhelp: ");
            description.push_str(help);
        }
        let case = if diagnostic.severity == Severity::Error {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(diagnostic.message.as_str());
            status.set_type(diagnostic.code);
            status.set_description(format!(
                "{path}:{}:{}: {description}",
                start.line, start.column
            ));
            let mut case = TestCase::new(name, status);
            case.set_classname(path.as_str());
            case
        } else {
            let mut case = TestCase::new(name, TestCaseStatus::success());
            case.set_classname(path.as_str());
            case.set_system_out(format!("{}: {description}", diagnostic.severity));
            case
        };
        suites
            .entry(path.clone())
            .or_insert_with(|| TestSuite::new(path))
            .add_test_case(case);
    }
    if suites.is_empty() {
        let mut suite = TestSuite::new("qbank");
        let mut case = TestCase::new("check", TestCaseStatus::success());
        case.set_system_out(super::summary_line(&report.summary));
        suite.add_test_case(case);
        junit.add_test_suite(suite);
    }
    junit.add_test_suites(suites.into_values());
    junit
        .serialize(&mut *out)
        .map_err(|error| io::Error::other(error.to_string()))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use crate::render::DiagnosticFormat;
    use crate::render::test_support::render;

    #[test]
    fn a_suite_per_file_and_a_failure_per_error() {
        insta::assert_snapshot!(render(DiagnosticFormat::Junit));
    }
}
