//! Escaping shared by the writers.

use std::fmt::Write as _;

use rayon::prelude::*;

use crate::ExportError;
use crate::pack::{Pack, PackItem};

/// Whether XML 1.0 can carry `c` at all.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Fails on the first text of the pack that XML 1.0 cannot carry (control characters other
/// than tab and line ends, U+FFFE, U+FFFF).
pub(crate) fn check_xml(pack: &Pack, format: &'static str) -> Result<(), ExportError> {
    // Most packs are clean: scan the bytes first, and name the field only for an item that
    // fails.
    let Some(item) = pack
        .items
        .par_iter()
        .find_first(|item| texts(item).iter().any(|(_, t)| !xml_text(t)))
    else {
        return Ok(());
    };
    for (field, text) in texts(item) {
        if let Some(c) = text.chars().find(|c| !xml_char(*c)) {
            return Err(ExportError::Unrepresentable {
                item: item.id.clone(),
                field: field.to_string(),
                format,
                reason: format!("holds U+{:04X}, which XML cannot carry", u32::from(c)),
            });
        }
    }
    Ok(())
}

/// Whether XML 1.0 can carry all of `text`, on its bytes: no C0 control other than tab and line
/// ends (single bytes below 0x20), no U+FFFE or U+FFFF (`EF BF BE`, `EF BF BF`).
fn xml_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.iter().enumerate().any(|(i, &b)| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || (b == 0xEF
                && bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)))
    })
}

/// The name of a text of an item, for messages: `` `options[1].text` ``.
pub(crate) struct Field {
    name: &'static str,
    index: Option<usize>,
    part: &'static str,
}

impl Field {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            index: None,
            part: "",
        }
    }

    fn at(name: &'static str, index: usize, part: &'static str) -> Self {
        Self {
            name,
            index: Some(index),
            part,
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(i) => write!(f, "`{}[{i}]{}`", self.name, self.part),
            None => write!(f, "`{}`", self.name),
        }
    }
}

/// Every text of an item with a name for messages.
pub(crate) fn texts(item: &PackItem) -> Vec<(Field, &str)> {
    let mut out = Vec::with_capacity(8 + 2 * item.options.len());
    out.extend([
        (Field::new("id"), item.id.as_str()),
        (Field::new("exam"), item.exam.as_str()),
        (Field::new("domain"), item.domain.as_str()),
        (Field::new("stem"), item.stem.as_str()),
    ]);
    if let Some(task) = &item.task {
        out.push((Field::new("task"), task));
    }
    if let Some(r) = &item.rationale {
        out.push((Field::new("rationale"), r));
    }
    for (name, list) in [
        ("references", &item.references),
        ("tags", &item.tags),
        ("concepts", &item.concepts),
        ("authors", &item.authors),
        ("reviewers", &item.reviewers),
    ] {
        for (i, text) in list.iter().enumerate() {
            out.push((Field::at(name, i, ""), text));
        }
    }
    for (i, e) in item.exhibits.iter().enumerate() {
        out.push((Field::at("exhibits", i, ".file"), &e.file));
        out.push((Field::at("exhibits", i, ".alt"), &e.alt));
    }
    for (i, o) in item.options.iter().enumerate() {
        out.push((Field::at("options", i, ".text"), &o.text));
        if let Some(f) = &o.feedback {
            out.push((Field::at("options", i, ".feedback"), f));
        }
    }
    out
}

/// Escapes text for XML element content and attribute values. A carriage return becomes a
/// character reference, which XML parsers keep, where a literal one would be normalized away.
pub(crate) fn xml(text: &str, out: &mut String) {
    // Runs without a special character are copied whole; every special character is ASCII,
    // so each index found is a character boundary.
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            b'\r' => "&#13;",
            b'\t' => "&#9;",
            _ => continue,
        };
        out.push_str(&text[run..i]);
        out.push_str(entity);
        run = i + 1;
    }
    out.push_str(&text[run..]);
}

/// Escapes text for XML, returning a new string.
pub(crate) fn xml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    xml(text, &mut out);
    out
}

/// Plain text as HTML that a browser shows as the same text: entities for the markup
/// characters, `<br>` before each line feed, and character references for leading and trailing
/// white space, which HTML would drop.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    push_html(&mut out, text, b"");
    out
}

/// Appends [`html`] of `text` to `out`, with each ASCII byte of `extra` also written as a
/// character reference. Runs between the characters to escape are copied whole.
pub(crate) fn push_html(out: &mut String, text: &str, extra: &[u8]) {
    debug_assert!(extra.is_ascii(), "only ASCII bytes are escaped by value");
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len().max(start);
    push_white_space(out, &text[..start]);
    // Every character escaped here is ASCII, so each index below is a character boundary.
    let middle = &text[start..end];
    let mut copied = 0;
    for (at, &byte) in middle.as_bytes().iter().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\n' => "<br>\n",
            _ if extra.contains(&byte) => "",
            _ => continue,
        };
        out.push_str(&middle[copied..at]);
        if entity.is_empty() {
            let _ = write!(out, "&#{byte};");
        } else {
            out.push_str(entity);
        }
        copied = at + 1;
    }
    out.push_str(&middle[copied..]);
    push_white_space(out, &text[end..]);
}

/// Leading or trailing white space as character references (line feeds as `<br>`).
fn push_white_space(out: &mut String, space: &str) {
    for c in space.chars() {
        if c == '\n' {
            out.push_str("<br>\n");
        } else {
            let _ = write!(out, "&#{};", u32::from(c));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_edges_and_line_breaks() {
        assert_eq!(html(" a<b>\n& c "), "&#32;a&lt;b&gt;<br>\n&amp; c&#32;");
        assert_eq!(html("  "), "&#32;&#32;");
        assert_eq!(html("\n\u{a0}x\u{2003}\n"), "<br>\n&#160;x&#8195;<br>\n");
        assert_eq!(html("caf\u{e9} \"q\""), "caf\u{e9} &quot;q&quot;");
        let mut out = String::from("<li>");
        push_html(&mut out, "\r{a}\r b}\r", b"{}\r");
        assert_eq!(out, "<li>&#13;&#123;a&#125;&#13; b&#125;&#13;");
    }

    #[test]
    fn the_byte_check_agrees_with_the_character_check_on_every_character() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let mut text = String::from("a");
            text.push(c);
            text.push('b');
            assert_eq!(xml_text(&text), xml_char(c), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn xml_escapes_markup_and_carriage_returns() {
        assert_eq!(
            xml_string("]]> & <x a='1'>\r"),
            "]]&gt; &amp; &lt;x a=&apos;1&apos;&gt;&#13;"
        );
    }
}

/// Elements that end a line of the text an HTML fragment shows (besides `<br>` and `</p>`):
/// their words would otherwise run into the next ones.
const BLOCKS: &[&str] = &[
    "li",
    "ul",
    "ol",
    "div",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "dt",
    "dd",
];

/// The text an HTML fragment shows, for importers: `<br>`, paragraph ends and the ends of
/// other blocks (list items, table rows, …) become line feeds, cells are separated by a space,
/// other tags go, and every HTML5 entity is decoded. The inverse of [`html`] for its output.
/// An image becomes `[image: SRC]` where it stood.
pub(crate) fn html_to_text(fragment: &str) -> String {
    let mut out = String::with_capacity(fragment.len());
    let mut rest = fragment;
    // The length of `out` just after a separator this reader added, while it is the last.
    let mut synthetic: Option<usize> = None;
    while let Some(at) = rest.find(['<', '&']) {
        if at > 0 {
            out.push_str(&rest[..at]);
            synthetic = None;
        }
        rest = &rest[at..];
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else {
                out.push_str(rest);
                return out;
            };
            let tag = rest[1..end].trim().to_ascii_lowercase();
            let name = tag
                .trim_start_matches('/')
                .split([' ', '/'])
                .next()
                .unwrap_or("");
            // `html` writes a line feed after each `<br>`; only a bare one adds its own.
            let after = &rest[end + 1..];
            let closing = tag.starts_with('/');
            let line_break = (name == "br" && !after.starts_with('\n'))
                || (name == "p" && closing && !after.is_empty());
            // The separators of other blocks and cells are the reader's, not the text's: one
            // at the very end is taken back, and a line end replaces a cell's space.
            let block_end = BLOCKS.contains(&name) && closing && !out.is_empty();
            let cell_end = matches!(name, "td" | "th") && closing && !out.is_empty();
            if name == "img" {
                // An image cannot be text, and the bank's exhibits are files of its own: it is
                // named where it stood, for the writer to add as an exhibit.
                let src = attribute(&rest[1..end], "src").unwrap_or_default();
                let _ = write!(out, "[image: {src}]");
                synthetic = None;
            } else if line_break {
                out.push('\n');
            } else if block_end && !out.ends_with('\n') {
                if synthetic == Some(out.len()) {
                    out.pop();
                }
                out.push('\n');
                synthetic = Some(out.len());
            } else if cell_end && !out.ends_with([' ', '\n']) {
                out.push(' ');
                synthetic = Some(out.len());
            }
            rest = after;
            continue;
        }
        // Only the next 34 bytes (the longest HTML5 entity name has 31 letters): a search to
        // the end for every `&` would be quadratic.
        let end = rest.as_bytes().iter().take(34).position(|b| *b == b';');
        let Some(end) = end else {
            out.push('&');
            synthetic = None;
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded = match quick_xml::escape::resolve_html5_entity(name) {
            Some(text) => Some(text.to_owned()),
            None => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32)
                .map(String::from),
        };
        if let Some(text) = decoded {
            out.push_str(&text);
            synthetic = None;
            rest = &rest[end + 1..];
        } else {
            out.push('&');
            synthetic = None;
            rest = &rest[1..];
        }
    }
    if rest.is_empty() && synthetic == Some(out.len()) {
        out.pop();
    }
    out.push_str(rest);
    out
}

/// The value of the attribute `name` (lower case) of a tag's text `tag` (without `<` and `>`).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let at = lower
        .match_indices(name)
        .find(|(at, _)| {
            lower[..*at].ends_with(char::is_whitespace)
                && lower[at + name.len()..].trim_start().starts_with('=')
        })?
        .0;
    let value = tag[at + name.len()..].trim_start()[1..].trim_start();
    let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''));
    let value = quote.map_or(value, |q| &value[q.len_utf8()..]);
    let stop = value
        .find(|c: char| Some(c) == quote || (quote.is_none() && (c.is_whitespace() || c == '/')))
        .unwrap_or(value.len());
    Some(html_to_text(&value[..stop]))
}

#[cfg(test)]
mod html_tests {
    use super::*;

    #[test]
    fn html_to_text_decodes_every_entity_and_ends_blocks() {
        assert_eq!(
            html_to_text(
                "<p>The CISO&rsquo;s caf&eacute; policy lists:</p><ul><li>Alpha</li><li>Beta</li></ul><p>Which is BEST&hellip;?</p>"
            ),
            "The CISO\u{2019}s caf\u{e9} policy lists:\nAlpha\nBeta\nWhich is BEST\u{2026}?"
        );
        assert_eq!(
            html_to_text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"),
            "a b\nc"
        );
        assert_eq!(
            html_to_text("&CounterClockwiseContourIntegral; &unknown; &#x41;"),
            "\u{2233} &unknown; A"
        );
        assert_eq!(
            html_to_text(
                "<p>See <IMG alt='x' SRC=\"zones.png\"> and <img data-src=x src=b.png/></p>"
            ),
            "See [image: zones.png] and [image: b.png]"
        );
    }

    #[test]
    fn html_to_text_inverts_html() {
        for text in [" a<b>\n& c ", "x\r\ny", "&#32;literal", "<p>", "a\n\nb"] {
            assert_eq!(html_to_text(&html(text)), text);
        }
        assert_eq!(
            html_to_text("<p>One</p><p>Two<br/>three &amp; &#x41;</p>"),
            "One\nTwo\nthree & A"
        );
    }
}
