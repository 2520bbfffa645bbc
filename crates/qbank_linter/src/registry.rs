//! Rule metadata, the `declare_rule!` macro and the registry of every rule.

use qbank_diagnostics::render::RuleInfo;
use qbank_diagnostics::{Annotation, Diagnostic, Severity, SourceFile, TextRange};

/// What a rule is: its code, name, default level and documentation.
#[derive(Debug)]
pub struct RuleMeta {
    /// `QB` and three digits.
    pub code: &'static str,
    /// Kebab-case name of the flaw.
    pub name: &'static str,
    /// One line saying what the rule finds.
    pub summary: &'static str,
    /// The level when the configuration does not set one.
    pub severity: Severity,
    /// The rule's documentation in Markdown, from its doc comment.
    docs: &'static str,
}

impl RuleMeta {
    #[doc(hidden)]
    pub const fn new(
        code: &'static str,
        name: &'static str,
        summary: &'static str,
        severity: Severity,
        docs: &'static str,
    ) -> Self {
        Self {
            code,
            name,
            summary,
            severity,
            docs,
        }
    }

    /// The documentation as Markdown.
    pub fn docs(&self) -> String {
        let mut out = String::new();
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// A diagnostic of this rule at `range` of `file`, at the rule's default level.
    pub(crate) fn diagnostic(
        &'static self,
        file: &SourceFile,
        range: TextRange,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(
            self.code,
            self.name,
            self.severity,
            message,
            Annotation::primary(file.clone(), range),
        )
    }

    /// What the renderers need to describe the rule.
    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            code: self.code,
            name: self.name,
            summary: self.summary,
            default_severity: self.severity,
        }
    }
}

/// Declares a rule: a unit struct whose doc comment is the rule's documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        $vis:vis struct $name:ident {
            code: $code:literal,
            name: $rule_name:literal,
            severity: $severity:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        #[derive(Clone, Copy, Debug, Default)]
        $vis struct $name;

        impl $name {
            pub(crate) const META: $crate::registry::RuleMeta = $crate::registry::RuleMeta::new(
                $code,
                $rule_name,
                $summary,
                qbank_diagnostics::Severity::$severity,
                concat!($($doc, "\n"),+),
            );
        }
    };
}
pub(crate) use declare_rule;

#[cfg(test)]
mod tests {
    use crate::rules::RULES;

    #[test]
    fn codes_are_unique_sorted_and_well_formed() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for rule in RULES {
            let digits = rule.code.strip_prefix("QB").unwrap();
            assert!(
                digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                rule.code
            );
            assert!(
                rule.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                rule.name
            );
        }
        let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len(), "rule names are unique");
    }

    #[test]
    fn every_rule_has_all_doc_sections() {
        for rule in RULES {
            let docs = rule.docs();
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "```toml",
            ] {
                assert!(docs.contains(section), "{} lacks `{section}`", rule.code);
            }
            assert!(
                !rule.summary.ends_with('.'),
                "{} summary ends with a period",
                rule.code
            );
        }
    }
}
