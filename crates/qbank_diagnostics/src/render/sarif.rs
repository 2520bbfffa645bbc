use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Report, RuleInfo, display_path};
use crate::{Annotation, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes one SARIF 2.1.0 run. Columns are Unicode code points, as the run's `columnKind` says.
pub(super) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    // Only the rules that fired are described, each once, in code order.
    let mut used: BTreeMap<&str, RuleInfo> = BTreeMap::new();
    for diagnostic in report.diagnostics {
        let info = report
            .rules
            .iter()
            .find(|rule| rule.code == diagnostic.code)
            .copied()
            .unwrap_or(RuleInfo {
                code: diagnostic.code,
                name: diagnostic.name,
                summary: "",
                default_severity: diagnostic.severity,
            });
        used.insert(diagnostic.code, info);
    }
    let index: BTreeMap<&str, usize> = used.keys().enumerate().map(|(i, c)| (*c, i)).collect();
    let rules: Vec<Value> = used
        .values()
        .map(|rule| {
            let mut value = json!({
                "id": rule.code,
                "name": rule.name,
                "defaultConfiguration": { "level": level(rule.default_severity) },
                "help": { "text": format!("Run `qbank rule {}` for the rule's documentation.", rule.code) },
            });
            if !rule.summary.is_empty() {
                value["shortDescription"] = json!({ "text": rule.summary });
            }
            value
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let mut text = diagnostic.message.clone();
            if let Some(help) = &diagnostic.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut result = json!({
                "ruleId": diagnostic.code,
                "ruleIndex": index[diagnostic.code],
                "level": level(diagnostic.severity),
                "message": { "text": text },
                "locations": [location(&display_path(diagnostic), &diagnostic.primary)],
            });
            if !diagnostic.secondary.is_empty() {
                result["relatedLocations"] = diagnostic
                    .secondary
                    .iter()
                    .enumerate()
                    .map(|(id, annotation)| {
                        let path = annotation.file.path().to_string_lossy().replace('\\', "/");
                        let mut related = location(&path, annotation);
                        related["id"] = json!(id);
                        if let Some(label) = &annotation.label {
                            related["message"] = json!({ "text": label });
                        }
                        related
                    })
                    .collect();
            }
            result
        })
        .collect();
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "qbank",
                "version": report.tool_version,
                "informationUri": "https://github.com/qbank-dev/qbank",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn location(path: &str, annotation: &Annotation) -> Value {
    let start = annotation.file.line_column(annotation.range.start);
    let end = annotation.file.line_column(annotation.range.end);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": path, "uriBaseId": "%SRCROOT%" },
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use crate::render::DiagnosticFormat;
    use crate::render::test_support::render;

    #[test]
    fn one_run_with_used_rules() {
        insta::assert_snapshot!(render(DiagnosticFormat::Sarif));
    }
}
