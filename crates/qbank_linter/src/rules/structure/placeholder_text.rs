use qbank_model::{Item, Spanned};

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports text that is blank or still a placeholder: `TODO`, `TBD`, `FIXME`, `XXX`,
    /// `lorem ipsum` or `???`, in the stem, rationale, options, feedback, references or
    /// exhibit alt text (blank alt text is left to QB412, missing-alt-text).
    ///
    /// ## Why is this bad?
    /// Placeholders are notes to the writer; delivered to a candidate they make the item
    /// unanswerable and the program look careless.
    ///
    /// ## Example
    /// ```toml
    /// rationale = "TODO explain why the other options are wrong"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// rationale = "The risk owner decides; the auditor and the manager advise."
    /// ```
    pub(crate) struct PlaceholderText {
        code: "QB115",
        name: "placeholder-text",
        severity: Error,
        summary: "Blank or placeholder text",
    }
}

/// Markers matched as whole words, in capitals, so that "todo" in prose is not flagged.
pub(crate) const MARKERS: &[&str] = &["TODO", "TBD", "FIXME", "XXX"];

impl ItemRule for PlaceholderText {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let mut fields: Vec<(&str, &Spanned<String>)> = vec![("stem", &item.stem)];
        fields.extend(item.rationale.iter().map(|r| ("rationale", r)));
        fields.extend(item.references.iter().map(|r| ("reference", r)));
        fields.extend(item.exhibits.iter().map(|e| ("exhibit alt text", &e.alt)));
        for option in &item.options {
            fields.push(("option", &option.text));
            fields.extend(option.feedback.iter().map(|f| ("feedback", f)));
        }
        for (field, text) in fields {
            let Some(found) = placeholder(&text.value) else {
                continue;
            };
            // Blank alt text is QB412's to report, with help on what to write.
            if found.is_empty() && field == "exhibit alt text" {
                continue;
            }
            let message = if found.is_empty() {
                format!("{field} is blank")
            } else {
                format!("{field} contains the placeholder `{found}`")
            };
            let help = if field.ends_with(" text") {
                format!("write the final {field}")
            } else {
                format!("write the final {field} text")
            };
            ctx.report(
                Self::META
                    .diagnostic(ctx.file, text.range, message)
                    .with_help(help),
            );
        }
    }
}

/// The placeholder in `text`: `Some("")` when it is blank.
///
/// This runs on every text of every item, so it scans for the rare bytes that can start a
/// marker (`?`, `l`, `L`, and the capitals that start the word markers) instead of splitting
/// the text into words.
fn placeholder(text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        return Some("");
    }
    let bytes = text.as_bytes();
    if memchr::memmem::find(bytes, b"???").is_some() {
        return Some("???");
    }
    let lorem = b"lorem ipsum";
    if memchr::memchr2_iter(b'l', b'L', bytes).any(|at| {
        bytes
            .get(at..at + lorem.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(lorem))
    }) {
        return Some("lorem ipsum");
    }
    let is_word = |b: u8| b.is_ascii_alphanumeric();
    for at in memchr::memchr3_iter(b'T', b'F', b'X', bytes) {
        if at > 0 && is_word(bytes[at - 1]) {
            continue;
        }
        for marker in MARKERS {
            let end = at + marker.len();
            if bytes.get(at..end) == Some(marker.as_bytes())
                && bytes.get(end).is_none_or(|&b| !is_word(b))
            {
                return Some(marker);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::placeholder;

    #[test]
    fn finds_markers_as_whole_capital_words() {
        assert_eq!(placeholder("TODO: write"), Some("TODO"));
        assert_eq!(placeholder("  \n"), Some(""));
        assert_eq!(placeholder("Which of these???"), Some("???"));
        assert_eq!(placeholder("Lorem Ipsum dolor"), Some("lorem ipsum"));
        assert_eq!(placeholder("a todo list for the TBDX team"), None);
        assert_eq!(placeholder("Which is BEST?"), None);
        assert_eq!(placeholder("FIXME"), Some("FIXME"));
        assert_eq!(placeholder("see XXX."), Some("XXX"));
        assert_eq!(placeholder("the XXXL size, a TODOS list"), None);
    }
}
