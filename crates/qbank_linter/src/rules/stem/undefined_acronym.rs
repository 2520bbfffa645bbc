use std::collections::HashSet;
use std::ops::Range;

use qbank_model::{Item, Spanned};

use crate::registry::declare_rule;
use crate::rules::text::{TextWords, value_span, words};
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::{CAPITALIZED_LABELS, EMPHASIS_WORDS};

declare_rule! {
    /// ## What it does
    /// Reports an acronym in the stem or an option that the item never spells out: an
    /// all-capitals term of two or more letters, digits allowed (`BIA`, `ISC2`; `SLAs` and
    /// `CISO's` count as `SLA` and `CISO`; `AES-256` as `AES`). Each acronym is reported once per
    /// item, at its first use.
    ///
    /// An acronym is defined when the stem or an option spells it out, as "business impact
    /// analysis (BIA)" (a preceding word starts with its first letter) or "BIA (business impact
    /// analysis)" (the words in parentheses start with its first letter); when a title in
    /// `concepts.toml` defines it, as `title = "Business impact analysis (BIA)"`; or when it is
    /// one of the built-in acronyms that security programs use without expansion (executive
    /// titles such as `CEO` and `CISO`, `IT`, `HR`, standards and laws such as `ISO`, `NIST`,
    /// `GDPR`, `HIPAA` and `PCI DSS`, the certifying bodies, and `VPN`, `USB`, `URL`, `API`,
    /// `SQL`, `PDF`, `IP`), or is listed in `qbank.toml`:
    ///
    /// ```toml
    /// [lint]
    /// acronyms = ["SOC", "SIEM"]
    /// ```
    ///
    /// Capitalized emphasis words (`NOT`, `FIRST`, `BEST`, `MOST`, `TWO`, and any ending in
    /// "-EST" or "-LY", such as `LARGEST` or `PRIMARILY`), labels and markings (`NOTE`,
    /// `CONFIDENTIAL`, `AMBER`, `SHALL`, ...) and Roman numerals are not acronyms.
    ///
    /// ## Why is this bad?
    /// An exam tests the concept, not whether the candidate has met one organization's
    /// abbreviation for it. An unexpanded acronym can also be ambiguous (`SOC`: security
    /// operations center or System and Organization Controls report), and it is a hurdle for
    /// candidates who take the exam in a second language.
    ///
    /// ## Example
    /// ```toml
    /// stem = "Which of the following is the PRIMARY output of a BIA?"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// stem = "Which of the following is the PRIMARY output of a business impact analysis (BIA)?"
    /// ```
    pub(crate) struct UndefinedAcronym {
        code: "QB208",
        name: "undefined-acronym",
        severity: Warning,
        summary: "An acronym that is never spelled out",
    }
}

impl ItemRule for UndefinedAcronym {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        if ctx.bank.concepts_broken {
            return;
        }
        let texts: Vec<(&Spanned<String>, &TextWords<'_>)> =
            std::iter::once((&item.stem, &ctx.words.stem))
                .chain(item.options.iter().map(|o| &o.text).zip(&ctx.words.options))
                .collect();
        let mut uses: Vec<(&Spanned<String>, Range<usize>, &str)> = Vec::new();
        let mut defined: HashSet<&str> = HashSet::new();
        for &(text, words) in &texts {
            for (range, acronym, spelled_out) in acronyms(words) {
                if spelled_out {
                    defined.insert(acronym);
                }
                uses.push((text, range, acronym));
            }
        }
        let mut reported: HashSet<&str> = HashSet::new();
        for (text, range, acronym) in uses {
            if defined.contains(acronym)
                || ctx.lint.acronyms.contains(acronym)
                || ctx.bank.glossary_acronyms.contains(acronym)
                || !reported.insert(acronym)
            {
                continue;
            }
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        value_span(ctx.file.text(), text, range),
                        format!("acronym `{acronym}` is not spelled out"),
                    )
                    .with_help(format!(
                        "spell it out at its first use, as \"... ({acronym})\"; if every candidate \
                         knows it, add it to `acronyms` under `[lint]` in `qbank.toml`"
                    )),
            );
        }
    }
}

/// The acronyms of `text`: the byte range of each use, the acronym (without a plural `s`, a
/// possessive `'s` or a hyphenated suffix), and whether this use spells it out.
fn acronyms<'t>(words: &TextWords<'t>) -> Vec<(Range<usize>, &'t str, bool)> {
    let text = words.text();
    let found = words.words();
    let mut out = Vec::new();
    for (index, &(offset, word)) in found.iter().enumerate() {
        let Some(acronym) = acronym(word) else {
            continue;
        };
        let end = offset + acronym.len();
        let spelled_out = expanded_before(text, &found[..index], offset, end, acronym)
            || expanded_after(text, end, acronym);
        out.push((offset..end, acronym, spelled_out));
    }
    out
}

/// The acronym that `word` writes, if any: two or more capitals and digits, starting with a
/// capital, before an optional plural `s`, possessive `'s` or hyphenated part.
fn acronym(word: &str) -> Option<&str> {
    // Most words do not start with a capital.
    if !word.as_bytes().first().is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    let head = word.split(['-', '\'', '’']).next()?;
    let head = head
        .strip_suffix('s')
        .filter(|h| h.len() >= 2)
        .unwrap_or(head);
    let capitals = head.chars().filter(char::is_ascii_uppercase).count();
    let shaped = head.starts_with(|c: char| c.is_ascii_uppercase())
        && capitals >= 2
        && head
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    (shaped && !is_emphasis(head)).then_some(head)
}

/// Whether a word in capitals is emphasis ("NOT", "FIRST", "LARGEST", "IMMEDIATELY"), a label
/// ("CONFIDENTIAL") or a Roman numeral, not an acronym.
fn is_emphasis(word: &str) -> bool {
    // A placeholder such as `TODO` is QB115's to report.
    crate::rules::structure::placeholder_text::MARKERS.contains(&word)
        || EMPHASIS_WORDS.contains(&word)
        || CAPITALIZED_LABELS.contains(&word)
        || (word.len() >= 5 && (word.ends_with("EST") || word.ends_with("LY")))
        || word.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
}

/// Whether the use at `start..end` is "words (ACRONYM)": in parentheses, alone or with other
/// acronyms ("(PCI DSS)"), after a word that starts with the acronym's first letter.
fn expanded_before(
    text: &str,
    before: &[(usize, &str)],
    start: usize,
    end: usize,
    acronym: &str,
) -> bool {
    let Some(open) = text[..start].rfind('(') else {
        return false;
    };
    let Some(close) = text[end..].find(')').map(|i| end + i) else {
        return false;
    };
    let inside = &text[open + 1..close];
    if !words(inside).all(|(_, w)| self::acronym(w).is_some()) {
        return false;
    }
    // The spelled-out words end at the parenthesis and are about as many as the letters inside
    // it, give or take words such as "and" or "of".
    let letters = inside.chars().filter(char::is_ascii_alphabetic).count();
    let initial = acronym.chars().next();
    before
        .iter()
        .rev()
        .skip_while(|&&(offset, _)| offset > open)
        .take(letters + 2)
        .any(|&(_, w)| w.chars().next().map(|c| c.to_ascii_uppercase()) == initial)
}

/// Whether the use ending at `end` is followed by "(spelled-out words)" whose first word starts
/// with the acronym's first letter and is not itself in capitals.
fn expanded_after(text: &str, end: usize, acronym: &str) -> bool {
    let Some(inside) = text[end..].trim_start().strip_prefix('(') else {
        return false;
    };
    let Some((_, first)) = words(inside).next() else {
        return false;
    };
    first.chars().any(char::is_lowercase)
        && first.chars().next().map(|c| c.to_ascii_uppercase()) == acronym.chars().next()
        && !first.eq_ignore_ascii_case("see")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, bool)> {
        acronyms(&TextWords::new(text))
            .into_iter()
            .map(|(_, a, d)| (a, d))
            .collect()
    }

    #[test]
    fn acronyms_are_capitals_with_digits() {
        assert_eq!(acronym("BIA"), Some("BIA"));
        assert_eq!(acronym("ISC2"), Some("ISC2"));
        assert_eq!(acronym("SLAs"), Some("SLA"));
        assert_eq!(acronym("CISO's"), Some("CISO"));
        assert_eq!(acronym("AES-256"), Some("AES"));
        assert_eq!(acronym("FIRST"), None);
        assert_eq!(acronym("III"), None);
        assert_eq!(acronym("NOTE"), None);
        assert_eq!(acronym("LARGEST"), None);
        assert_eq!(acronym("IMMEDIATELY"), None);
        assert_eq!(acronym("ISMS"), Some("ISMS"));
        assert_eq!(acronym("Note"), None);
        assert_eq!(acronym("A"), None);
        assert_eq!(acronym("2FA"), None);
        assert_eq!(acronym("SaaS"), None);
        // "Choose SEVEN": a multiple-response item may have up to ten options.
        for count in [
            "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN",
        ] {
            assert_eq!(acronym(count), None, "{count}");
        }
    }

    #[test]
    fn spelled_out_either_way() {
        assert_eq!(found("a business impact analysis (BIA)"), [("BIA", true)]);
        assert_eq!(found("the BIA (business impact analysis)"), [("BIA", true)]);
        assert_eq!(
            found("Payment Card Industry Data Security Standard (PCI DSS)"),
            [("PCI", true), ("DSS", true)]
        );
        assert_eq!(found("call the SOC (today)"), [("SOC", false)]);
        assert_eq!(found("the team (SOC) met"), [("SOC", false)]);
        assert_eq!(found("the BIA and RTO"), [("BIA", false), ("RTO", false)]);
    }
}
