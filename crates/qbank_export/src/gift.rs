//! GIFT: Moodle's text format. A `$CATEGORY:` per exam and domain, one multiple-choice question
//! per item, titled with its id.
//!
//! Texts are `[html]`, the only GIFT text format whose readers keep line breaks. Each text is
//! first written as HTML that shows the same text ([`crate::text::html`], with `[` and `%`
//! as character references so that no text can read as a format or a weight), then every
//! `~ = # { } :` and backslash is escaped and each line feed becomes `\n`, so a question stays
//! on one line and no text can end it.

use crate::output::Output;
use std::fmt::Write as _;

use crate::ExportError;
use crate::moodle::{category, fractions, general_feedback};
use crate::pack::{Pack, PackItem, PackItemType, write_groups};

/// Escapes GIFT's special characters and line feeds.
pub(crate) fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("&\\#13;"),
            _ => out.push(c),
        }
    }
}

/// Plain text as a GIFT `[html]` text: what [`crate::text::html`] writes, with `[` and `%` as
/// character references, then escaped by [`escape`]; in one pass, without the intermediate
/// strings.
fn rich(text: &str, out: &mut String) {
    let edge_start = text.len() - text.trim_start().len();
    let edge_end = text.trim_end().len().max(edge_start);
    let mut run = 0;
    for (at, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\n' => "<br>\\n",
            c if (at < edge_start || at >= edge_end) && c.is_whitespace() => {
                out.push_str(&text[run..at]);
                let _ = write!(out, "&\\#{};", u32::from(c));
                run = at + c.len_utf8();
                continue;
            }
            '[' => "&\\#91;",
            '%' => "&\\#37;",
            '\r' => "&\\#13;",
            '~' => "\\~",
            '=' => "\\=",
            '#' => "\\#",
            '{' => "\\{",
            '}' => "\\}",
            ':' => "\\:",
            '\\' => "\\\\",
            _ => continue,
        };
        out.push_str(&text[run..at]);
        out.push_str(replacement);
        run = at + c.len_utf8();
    }
    out.push_str(&text[run..]);
}

/// Writes `pack` as GIFT to `out`.
pub(crate) fn write(pack: &Pack, out: &mut Output) -> Result<(), ExportError> {
    if !pack.meta.keys {
        return Err(ExportError::KeysRequired("gift"));
    }
    let prelude = format!("// qbank pack: profile {}\n", comment(&pack.meta.profile));
    let header = |exam: &str, domain: &str, out: &mut String| {
        out.push_str("\n$CATEGORY: ");
        out.push_str(&category(exam, &pack.domain_title(exam, domain)));
        out.push_str("\n\n");
    };
    write_groups(pack, &prelude, header, question, "", out)
}

/// Text for a `//` comment: one line, no `]` that could end a `[tag:…]`.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || c == ']' { ' ' } else { c })
        .collect()
}

fn question(item: &PackItem, out: &mut String) -> Result<(), ExportError> {
    let fractions = fractions(item, "gift")?;
    let single = item.item_type == PackItemType::Single && item.key_indices().len() == 1;
    out.push_str("// [id:");
    out.push_str(&comment(&item.id));
    out.push(']');
    for tag in &item.tags {
        out.push_str(" [tag:");
        out.push_str(&comment(tag));
        out.push(']');
    }
    out.push_str("\n::");
    escape(&item.id, out);
    out.push_str("::[html]");
    rich(&item.stem, out);
    out.push_str("{\n");
    for (option, fraction) in item.options.iter().zip(&fractions) {
        out.push('\t');
        if single {
            out.push(if fraction == "100" { '=' } else { '~' });
        } else {
            out.push_str("~%");
            out.push_str(fraction);
            out.push('%');
        }
        rich(&option.text, out);
        if let Some(feedback) = option.feedback.as_deref().filter(|f| !f.is_empty()) {
            out.push('#');
            rich(feedback, out);
        }
        out.push('\n');
    }
    let general = general_feedback(item);
    if !general.is_empty() {
        out.push_str("\t####");
        rich(&general, out);
        out.push('\n');
    }
    out.push_str("}\n\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    use crate::text::html;

    proptest! {
        /// The one-pass writer gives exactly what HTML, the references for `[` and `%`, and
        /// GIFT's escapes give one after the other.
        #[test]
        fn rich_is_html_then_references_then_escapes(
            text in "[ \t\r\n\u{3000}a-z~=#{}:\\\\\\[\\]%&<>\"'é😀]{0,24}"
        ) {
            let mut fused = String::new();
            rich(&text, &mut fused);
            let mut staged = String::new();
            escape(&html(&text).replace('[', "&#91;").replace('%', "&#37;"), &mut staged);
            prop_assert_eq!(fused, staged);
        }
    }

    #[test]
    fn every_special_character_is_escaped() {
        let mut out = String::new();
        rich("a~b=c#d{e}f:g\\h\n[i]%", &mut out);
        assert_eq!(out, "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h<br>\\n&\\#91;i]&\\#37;");
    }
}
