use std::io::{self, Write};

use serde::Serialize;

use super::{Report, display_path};
use crate::Severity;

/// One entry of a GitLab Code Quality report.
#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// Writes a GitLab Code Quality report: a JSON array with one issue per finding, which GitLab
/// shows in merge requests when a job declares it under `artifacts:reports:codequality`.
pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut seen = std::collections::HashMap::new();
    let issues: Vec<Issue<'_>> = report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let path = display_path(diagnostic);
            let start = diagnostic.location();
            let end = diagnostic.end_location();
            // The same finding twice in one file (rare) still needs two fingerprints.
            let base = fingerprint(&[diagnostic.code, &path, &diagnostic.message]);
            let count = seen.entry(base).or_insert(0u32);
            *count += 1;
            let fingerprint = if *count == 1 {
                format!("{base:016x}")
            } else {
                format!("{base:016x}-{count}")
            };
            Issue {
                description: format!("{}: {}", diagnostic.code, diagnostic.message),
                check_name: diagnostic.name,
                fingerprint,
                severity: match diagnostic.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                location: Location {
                    path,
                    lines: Lines {
                        begin: start.line,
                        end: end.line,
                    },
                },
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

/// A stable 64-bit FNV-1a hash of `parts`, so that a finding keeps its fingerprint from one
/// pipeline to the next and GitLab can tell new findings from fixed ones. Line numbers are left
/// out on purpose: an edit above a finding does not make it new.
fn fingerprint(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use crate::render::DiagnosticFormat;
    use crate::render::test_support::render;

    #[test]
    fn code_quality_report() {
        insta::assert_snapshot!(render(DiagnosticFormat::Gitlab));
    }
}
