use qbank_diagnostics::TextRange;
use qbank_model::{Item, Spanned};

use crate::registry::declare_rule;
use crate::rules::text::value_span;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an invisible control character in a text of an item (stem, rationale, options,
    /// feedback, references, authors, reviewers, exhibits): a C0 control other than tab and
    /// line ends (most often written as an escape such as `\u0007`), DEL, a C1 control
    /// (U+0080 to U+009F), or a Unicode noncharacter such as U+FFFE.
    ///
    /// ## Why is this bad?
    /// Candidates cannot see these characters, screen readers stumble on them, and the QTI and
    /// Moodle exports refuse a pack that holds the ones XML cannot carry. C1 controls usually
    /// come from text pasted through the wrong encoding: U+0092 is the Windows-1252 byte of a
    /// right quotation mark (`’`) read as Latin-1, and the help names the character it stood for.
    ///
    /// ## Example
    /// ```toml
    /// stem = "Which control BEST reduces the organization\u0092s exposure?"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// stem = "Which control BEST reduces the organization’s exposure?"
    /// ```
    pub(crate) struct ControlCharacter {
        code: "QB116",
        name: "control-character",
        severity: Error,
        summary: "An invisible control character in a text",
    }
}

impl ItemRule for ControlCharacter {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let exhibits = item
            .exhibits
            .iter()
            .flat_map(|e| [("exhibit file", &e.file), ("exhibit alt text", &e.alt)]);
        let options = item.options.iter().flat_map(|o| {
            std::iter::once(("option", &o.text)).chain(o.feedback.iter().map(|f| ("feedback", f)))
        });
        let fields = std::iter::once(("stem", &item.stem))
            .chain(item.rationale.iter().map(|r| ("rationale", r)))
            .chain(item.references.iter().map(|r| ("reference", r)))
            .chain(item.authors.iter().map(|a| ("author", a)))
            .chain(item.reviewers.iter().map(|r| ("reviewer", r)))
            .chain(exhibits)
            .chain(options);
        for (field, text) in fields {
            // Texts are clean nearly always: one pass over the bytes decides.
            if !has_suspect_byte(&text.value) {
                continue;
            }
            let Some((at, c)) = text.value.char_indices().find(|&(_, c)| is_control(c)) else {
                continue;
            };
            let count = text.value.chars().filter(|&c| is_control(c)).count();
            let code = format!("U+{:04X}", u32::from(c));
            let message = if count == 1 {
                format!("{field} holds the invisible control character {code}")
            } else {
                format!("{field} holds {count} invisible control characters, the first {code}")
            };
            let help = match windows_1252(c) {
                Some(meant) => format!(
                    "in pasted text, {code} is most likely `{meant}` in Windows-1252 read as \
                     Latin-1: write `{meant}`, or delete it"
                ),
                None if xml_forbids(c) => format!(
                    "delete {code}: candidates cannot see it, and the QTI and Moodle exports \
                     cannot carry it"
                ),
                None => format!("delete {code}: candidates cannot see it"),
            };
            let range = char_span(ctx.file.text(), text, at, c);
            ctx.report(
                Self::META
                    .diagnostic(ctx.file, range, message)
                    .with_help(help),
            );
        }
    }
}

/// Whether `c` is a control character or noncharacter that no item text should hold.
pub(crate) fn is_control(c: char) -> bool {
    let n = u32::from(c);
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || (0xFDD0..=0xFDEF).contains(&n)
        || n & 0xFFFE == 0xFFFE
}

/// Whether XML 1.0 cannot carry `c` at all (C0 controls other than tab and line ends, U+FFFE,
/// U+FFFF), so that the XML exports refuse the item.
fn xml_forbids(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Whether `text` has a byte that can start such a character: a C0 control other than tab
/// and line ends, DEL, the lead byte of U+0080 to U+009F (`C2`), or `EF` (U+FDD0.., U+FFFE) and
/// the four-byte leads (the noncharacters of the other planes).
///
/// Every text of every item goes through this, so it looks at 32 bytes at a time with
/// branch-free tests the compiler turns into vector compares, and only branches per chunk.
fn has_suspect_byte(text: &str) -> bool {
    // Integer flags rather than `bool`s, so that the tests combine without branches.
    let suspect = |b: u8| {
        u8::from(b < 0x20) & u8::from(b != b'\t') & u8::from(b != b'\n') & u8::from(b != b'\r')
            | u8::from(b == 0x7F)
            | u8::from(b == 0xC2)
            | u8::from(b == 0xEF)
            | u8::from(b >= 0xF0)
    };
    text.as_bytes()
        .chunks(32)
        .any(|chunk| chunk.iter().fold(0, |found, &b| found | suspect(b)) != 0)
}

/// The character that a C1 control stands for when Windows-1252 text was decoded as Latin-1.
fn windows_1252(c: char) -> Option<char> {
    let meant = match u32::from(c) {
        0x80 => '€',
        0x82 => '‚',
        0x83 => 'ƒ',
        0x84 => '„',
        0x85 => '…',
        0x86 => '†',
        0x87 => '‡',
        0x88 => 'ˆ',
        0x89 => '‰',
        0x8A => 'Š',
        0x8B => '‹',
        0x8C => 'Œ',
        0x8E => 'Ž',
        0x91 => '‘',
        0x92 => '’',
        0x93 => '“',
        0x94 => '”',
        0x95 => '•',
        0x96 => '–',
        0x97 => '—',
        0x98 => '˜',
        0x99 => '™',
        0x9A => 'š',
        0x9B => '›',
        0x9C => 'œ',
        0x9E => 'ž',
        0x9F => 'Ÿ',
        _ => return None,
    };
    Some(meant)
}

/// The source range of the character `c` at byte `at` of the value: the character itself when
/// the value is written without escapes, else the first escape in the literal that writes `c`
/// (`\u0007`, `\U00000007`, `\b`, `\f`, `\e`, `\x07`), else the whole value.
fn char_span(source: &str, text: &Spanned<String>, at: usize, c: char) -> TextRange {
    let direct = value_span(source, text, at..at + c.len_utf8());
    if direct != text.range {
        return direct;
    }
    let range = text.range.to_range();
    let Some(raw) = source.get(range.clone()) else {
        return text.range;
    };
    let n = u32::from(c);
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let (len, value) = match bytes.get(i + 1) {
            Some(b'u') => (6, hex(raw, i + 2, 4)),
            Some(b'U') => (10, hex(raw, i + 2, 8)),
            Some(b'x') => (4, hex(raw, i + 2, 2)),
            Some(b'b') => (2, Some(0x08)),
            Some(b'f') => (2, Some(0x0C)),
            Some(b'e') => (2, Some(0x1B)),
            _ => (2, None),
        };
        if value == Some(n) {
            return TextRange::new(range.start + i, (range.start + i + len).min(range.end));
        }
        i += len;
    }
    text.range
}

/// The number written by `digits` hex digits at `at` of `raw`.
fn hex(raw: &str, at: usize, digits: usize) -> Option<u32> {
    let s = raw.get(at..at + digits)?;
    if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::{has_suspect_byte, is_control, windows_1252};

    #[test]
    fn controls_and_noncharacters() {
        for c in [
            '\0', '\u{7}', '\u{1B}', '\u{7F}', '\u{85}', '\u{92}', '\u{FFFE}', '\u{FDD0}',
        ] {
            assert!(is_control(c), "U+{:04X}", u32::from(c));
        }
        for c in [
            '\t', '\n', '\r', ' ', 'é', '’', '\u{A0}', '\u{FFFD}', '\u{200F}',
        ] {
            assert!(!is_control(c), "U+{:04X}", u32::from(c));
        }
        assert!(is_control('\u{1FFFF}'));
        assert!(is_control('\u{10FFFE}'));
    }

    #[test]
    fn the_byte_scan_finds_every_control() {
        // Every code point that `is_control` flags has a byte the scan looks for.
        for c in ('\0'..=char::MAX).filter(|&c| is_control(c)) {
            let n = u32::from(c);
            assert!(has_suspect_byte(c.encode_utf8(&mut [0; 4])), "U+{n:04X}");
        }
        assert!(!has_suspect_byte(
            "Plain text, with a tab\tand a line end\n, café."
        ));
    }

    #[test]
    fn names_what_a_windows_1252_byte_meant() {
        assert_eq!(windows_1252('\u{92}'), Some('’'));
        assert_eq!(windows_1252('\u{96}'), Some('–'));
        assert_eq!(windows_1252('\u{81}'), None);
    }
}
