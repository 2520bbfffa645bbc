use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
use serde_json::{Value, json};

use super::{Report, RuleInfo, display_path};
use crate::{Annotation, Diagnostic, Severity};

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
    let document = Document {
        schema: SCHEMA,
        runs: [Run {
            column_kind: "unicodeCodePoints",
            results: Results {
                diagnostics: report.diagnostics,
                index: &index,
            },
            tool: Tool {
                driver: Driver {
                    information_uri: "https://github.com/qbank-dev/qbank",
                    name: "qbank",
                    rules,
                    version: report.tool_version,
                },
            },
        }],
        version: "2.1.0",
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

// The document's members are declared in the order of their keys, the order in which
// `serde_json` writes the keys of a `Value`'s maps, so the report reads the same whether a
// part is typed or a `Value`.

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
struct Run<'a> {
    #[serde(rename = "columnKind")]
    column_kind: &'static str,
    results: Results<'a>,
    tool: Tool<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    #[serde(rename = "informationUri")]
    information_uri: &'static str,
    name: &'static str,
    rules: Vec<Value>,
    version: &'a str,
}

/// The results, each built as it is written: a report of a large bank has tens of thousands,
/// and holding them all as values doubled the memory of a run.
struct Results<'a> {
    diagnostics: &'a [Diagnostic],
    index: &'a BTreeMap<&'a str, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.diagnostics.len()))?;
        for diagnostic in self.diagnostics {
            seq.serialize_element(&result(diagnostic, self.index))?;
        }
        seq.end()
    }
}

fn result(diagnostic: &Diagnostic, index: &BTreeMap<&str, usize>) -> Value {
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
            "artifactLocation": { "uri": uri_reference(path), "uriBaseId": "%SRCROOT%" },
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            },
        },
    })
}

/// A relative path as a URI reference (RFC 3986), as SARIF's `artifactLocation.uri` must be:
/// every byte but the unreserved characters and `/` percent-encoded, so that spaces, `%`, `#`,
/// `?`, a `:` that would read as a scheme, and non-ASCII names (as UTF-8) survive.
fn uri_reference(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for &byte in path.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(char::from(byte));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            uri.push('%');
            uri.push(char::from(HEX[usize::from(byte >> 4)]));
            uri.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::uri_reference;
    use crate::render::DiagnosticFormat;
    use crate::render::test_support::render;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            uri_reference("bank/items/cism/CISM-1001.toml"),
            "bank/items/cism/CISM-1001.toml"
        );
        assert_eq!(
            uri_reference("bank/items/d1 Governance é/a,b:c%d#e?.toml"),
            "bank/items/d1%20Governance%20%C3%A9/a%2Cb%3Ac%25d%23e%3F.toml"
        );
    }

    #[test]
    fn one_run_with_used_rules() {
        insta::assert_snapshot!(render(DiagnosticFormat::Sarif));
    }
}
