use anyhow::bail;
use qbank_linter::{RULES, RuleMeta};
use serde::Serialize;

use crate::ExitStatus;
use crate::args::DocFormat;
use crate::printer;

#[derive(Serialize)]
struct RuleDoc<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    summary: &'a str,
    docs: String,
}

impl<'a> From<&'a RuleMeta> for RuleDoc<'a> {
    fn from(rule: &'a RuleMeta) -> Self {
        Self {
            code: rule.code,
            name: rule.name,
            severity: rule.severity.as_str(),
            summary: rule.summary,
            docs: rule.docs(),
        }
    }
}

pub(crate) fn run_one(code: &str, format: DocFormat) -> anyhow::Result<ExitStatus> {
    let Some(rule) = qbank_linter::rule(code) else {
        bail!("unknown rule `{code}`; run `qbank rules` for the list");
    };
    match format {
        DocFormat::Text => {
            let text = format!(
                "# {} ({})\n\nDefault level: {}\n\n{}",
                rule.name,
                rule.code,
                rule.severity,
                rule.docs()
            );
            printer::emit(text.as_bytes(), None)?;
        }
        DocFormat::Json => {
            let mut text = serde_json::to_string_pretty(&RuleDoc::from(rule))?;
            text.push('\n');
            printer::emit(text.as_bytes(), None)?;
        }
    }
    Ok(ExitStatus::Success)
}

pub(crate) fn run_all(format: DocFormat) -> anyhow::Result<ExitStatus> {
    match format {
        DocFormat::Text => {
            let name_width = RULES.iter().map(|r| r.name.len()).max().unwrap_or(0);
            for rule in RULES {
                printer::line(&format!(
                    "{}  {:<name_width$}  {:<7}  {}",
                    rule.code,
                    rule.name,
                    rule.severity.as_str(),
                    rule.summary
                ))?;
            }
        }
        DocFormat::Json => {
            let docs: Vec<RuleDoc<'_>> = RULES.iter().map(|r| RuleDoc::from(*r)).collect();
            let mut text = serde_json::to_string_pretty(&docs)?;
            text.push('\n');
            printer::emit(text.as_bytes(), None)?;
        }
    }
    Ok(ExitStatus::Success)
}
