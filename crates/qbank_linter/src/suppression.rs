//! Per-item suppressions: `# qbank: allow QB301, QB302 -- reason`.
//!
//! A comment anywhere in an item file silences the named rules for that file. The reason after
//! `--` is required; a suppression without one still applies, and is itself a finding.

use qbank_diagnostics::{SourceFile, TextRange};
use toml_parser::lexer::TokenKind;

/// The marker that starts a suppression comment.
const MARKER: &str = "qbank:";

/// One `# qbank: allow ...` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Suppression {
    /// The codes or names as written, each with its range.
    pub(crate) rules: Vec<(String, TextRange)>,
    /// The reason after `--`, if any.
    pub(crate) reason: Option<String>,
    /// The whole comment.
    pub(crate) range: TextRange,
    /// A problem with the comment's form.
    pub(crate) malformed: Option<String>,
    /// The file the comment is in.
    pub(crate) file: SourceFile,
}

/// Finds the suppression comments of a TOML file. Comments are found with the TOML lexer, so a
/// `#` inside a string is never mistaken for one.
pub(crate) fn parse(file: &SourceFile) -> Vec<Suppression> {
    let text = file.text();
    if !text.contains(MARKER) {
        return Vec::new();
    }
    toml_parser::Source::new(text)
        .lex()
        .filter(|token| token.kind() == TokenKind::Comment)
        .filter_map(|token| {
            let span = token.span();
            let range = span.start()..span.end();
            parse_comment(&text[range.clone()], range.start, file)
        })
        .collect()
}

fn parse_comment(comment: &str, offset: usize, file: &SourceFile) -> Option<Suppression> {
    let body = comment.trim_start_matches('#').trim_start();
    let rest = body.strip_prefix(MARKER)?.trim_start();
    let range = TextRange::new(offset, offset + comment.len());
    let Some(rest) = rest.strip_prefix("allow") else {
        return Some(Suppression {
            rules: Vec::new(),
            reason: None,
            range,
            malformed: Some("expected `allow` after `qbank:`".to_owned()),
            file: file.clone(),
        });
    };
    let (list, reason) = match rest.split_once("--") {
        Some((list, reason)) => (list, Some(reason.trim()).filter(|r| !r.is_empty())),
        None => (rest, None),
    };
    let list_start = offset + (comment.len() - rest.len());
    let mut rules = Vec::new();
    let mut position = 0;
    for part in list.split([',', ' ', '\t']) {
        if !part.is_empty() {
            let start = list_start + position;
            rules.push((part.to_owned(), TextRange::new(start, start + part.len())));
        }
        position += part.len() + 1;
    }
    let malformed = rules
        .is_empty()
        .then(|| "name at least one rule after `allow`".to_owned());
    Some(Suppression {
        rules,
        reason: reason.map(str::to_owned),
        range,
        malformed,
        file: file.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Suppression> {
        super::parse(&SourceFile::new("x.toml", text))
    }

    #[test]
    fn parses_codes_names_and_reason() {
        let text =
            "id = \"x\" # qbank: allow QB301, lost-sequence -- options follow the law's order\n";
        let found = parse(text);
        assert_eq!(found.len(), 1);
        let rules: Vec<&str> = found[0].rules.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(rules, ["QB301", "lost-sequence"]);
        assert_eq!(&text[found[0].rules[1].1.to_range()], "lost-sequence");
        assert_eq!(
            found[0].reason.as_deref(),
            Some("options follow the law's order")
        );
    }

    #[test]
    fn ignores_markers_inside_strings_and_other_comments() {
        let text = "stem = \"\"\"\n# qbank: allow QB301 -- no\n\"\"\"\n# an ordinary comment\n";
        assert!(parse(text).is_empty());
    }

    #[test]
    fn a_missing_reason_or_rule_is_recorded() {
        let found = parse("# qbank: allow QB301\n# qbank: allow -- why\n# qbank: deny QB1\n");
        assert_eq!(found[0].reason, None);
        assert!(found[0].malformed.is_none());
        assert!(found[1].malformed.is_some());
        assert!(found[2].malformed.is_some());
    }
}
