//! The text normalization applied to stems and option texts before any comparison.

use icu_casemap::CaseMapper;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Normalizes `text` for comparison; see the crate documentation for the exact contract.
///
/// In order: Unicode normalization form NFKC; full Unicode case folding (`CaseFolding.txt`,
/// statuses C and F), then NFKC again where folding left the text outside it; every character that is neither
/// alphanumeric (`char::is_alphanumeric`) nor whitespace (`char::is_whitespace`) is dropped;
/// every run of whitespace becomes one space (U+0020); leading and trailing whitespace is
/// removed.
///
/// ```
/// assert_eq!(qbank_dupes::normalize("  Which ﬁrewall-rule\tapplies?  "), "which firewallrule applies");
/// ```
pub fn normalize(text: &str) -> String {
    // Most stems are ASCII, which is already in NFKC; the byte loop below gives the same
    // result as the general path and is most of the search's set-up time on big banks.
    if text.is_ascii() {
        fold_ascii(text)
    } else if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        fold(text)
    } else {
        fold(&text.nfkc().collect::<String>())
    }
}

/// The length in `char`s of [`normalize`]`(text)`. Counts without building the text when
/// `text` is ASCII, which lets a query search skip stems whose length rules them out.
pub(crate) fn normalized_len(text: &str) -> usize {
    if !text.is_ascii() {
        return normalize(text).chars().count();
    }
    // The same state machine as `fold_ascii`: a space is counted before an alphanumeric byte
    // when whitespace separates it from an earlier one.
    // The flags are integers rather than `bool`s so that the loop stays free of branches, and
    // `seen` (an alphanumeric byte came before) is kept apart from `len` so that the only
    // dependency from one byte to the next is the two flags.
    let (mut len, mut pending_space, mut seen) = (0, 0, 0);
    for &b in text.as_bytes() {
        let class = ASCII_CLASS[usize::from(b & 0x7f)];
        let alnum = usize::from(class > 1);
        len += alnum + (alnum & pending_space);
        seen |= alnum;
        pending_space = (pending_space | (usize::from(class == 1) & seen)) & (alnum ^ 1);
    }
    len
}

/// For each ASCII byte: 0 to drop it, 1 for whitespace (`char::is_whitespace`: U+0009 to
/// U+000D and U+0020), otherwise the lowercase of an alphanumeric byte.
const ASCII_CLASS: [u8; 128] = {
    let mut table = [0_u8; 128];
    let mut byte = 0_u8;
    while byte < 128 {
        table[byte as usize] = if byte.is_ascii_alphanumeric() {
            byte.to_ascii_lowercase()
        } else if matches!(byte, b'\t'..=b'\r' | b' ') {
            1
        } else {
            0
        };
        byte += 1;
    }
    table
};

/// Steps 2 to 4 of the normalization on ASCII text, where `char::is_whitespace` is
/// U+0009 to U+000D and U+0020.
///
/// Without branches on the bytes: each byte writes a space and its lowercase form at the
/// output cursor, which moves past them only when they belong to the result. The output is
/// never longer than the input (a space is written only for an earlier whitespace byte), so
/// both writes stay inside a buffer one byte longer than the input.
fn fold_ascii(text: &str) -> String {
    let mut out = vec![0_u8; text.len() + 1];
    // The flags are integers rather than `bool`s so that the loop stays free of branches; see
    // `normalized_len` for `seen`.
    let (mut n, mut pending_space, mut seen) = (0, 0, 0);
    for &b in text.as_bytes() {
        let class = ASCII_CLASS[usize::from(b & 0x7f)];
        let alnum = usize::from(class > 1);
        out[n] = b' ';
        n += alnum & pending_space;
        out[n] = class;
        n += alnum;
        seen |= alnum;
        pending_space = (pending_space | (usize::from(class == 1) & seen)) & (alnum ^ 1);
    }
    out.truncate(n);
    // Only ASCII bytes were kept, so the conversion cannot fail; the lossy fallback is
    // never taken.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Steps 2 to 4 of the normalization, on NFKC text.
fn fold(nfkc: &str) -> String {
    let folded = CaseMapper::new().fold_string(nfkc);
    // Folding can leave text outside NFKC (a fold may need composing again), which step 2
    // puts back.
    if is_nfkc_quick(folded.chars()) == IsNormalized::Yes {
        collapse(folded.chars())
    } else {
        collapse(folded.nfkc())
    }
}

/// Steps 3 and 4 of the normalization.
fn collapse(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    let mut pending_space = false;
    for c in chars {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else if c.is_alphanumeric() {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_width_and_compatibility_forms() {
        assert_eq!(normalize("ＡＢＣ ①"), "abc 1");
        assert_eq!(normalize("ÉCOLE"), "école");
        assert_eq!(normalize("E\u{301}cole"), "école");
    }

    #[test]
    fn folds_case_fully_not_only_to_lower_case() {
        // Each of these differs from its pair under lower-casing alone.
        assert_eq!(normalize("Straße"), normalize("STRASSE"));
        assert_eq!(normalize("Straße"), "strasse");
        assert_eq!(normalize("ẞ"), "ss");
        assert_eq!(normalize("σίσυφος"), normalize("σίσυφοσ"));
        assert_eq!(normalize("ᾈ"), normalize("ἀι"));
        for (a, b) in [("Straße", "STRASSE"), ("σίσυφος", "σίσυφοσ"), ("ᾈ", "ἀι")]
        {
            assert_ne!(a.to_lowercase(), b.to_lowercase());
        }
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_general_path() {
        let all_ascii: String = (0_u8..128).map(char::from).collect();
        for text in [
            all_ascii.as_str(),
            " A\u{b}b\u{c}C\r\n\td-e_f ",
            "\u{1c}x\u{1f}",
        ] {
            assert_eq!(fold_ascii(text), fold(text), "{text:?}");
            assert_eq!(normalized_len(text), fold_ascii(text).len(), "{text:?}");
        }
    }

    #[test]
    fn normalized_len_counts_chars_of_the_normalized_text() {
        for text in [
            "",
            " -- ",
            "  Which ﬁrewall-rule\tapplies?  ",
            "ÉCOLE  a",
            "a  b\n",
        ] {
            assert_eq!(
                normalized_len(text),
                normalize(text).chars().count(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn drops_punctuation_and_collapses_whitespace() {
        assert_eq!(
            normalize("What is  the\n\n\"best\" answer?"),
            "what is the best answer"
        );
        assert_eq!(normalize("well-known, (ISO) 27001."), "wellknown iso 27001");
        assert_eq!(normalize(" -- "), "");
        assert_eq!(normalize("a - b"), "a b");
    }
}
