use qbank_diagnostics::Annotation;
use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::text::{TextWords, bounded_levenshtein};
use crate::rules::{ItemContext, ItemRule, RuleMeta};
use crate::words::{CONTAINED_OPTION_MIN_WORDS, OPTION_NEGATIVES, OPTION_SIMILARITY};

declare_rule! {
    /// ## What it does
    /// Reports two options that overlap: one contains the whole text of the other ("Accept the
    /// risk" and "Accept the risk after a review"), or the two are near-identical (a normalized
    /// Levenshtein similarity of 0.9 or more, as in "Inherent risk" and "Inherent risks").
    ///
    /// Texts are compared as lowercase words without punctuation. A contained option needs at
    /// least two words, since single terms such as "Risk" and "Residual risk" are usually
    /// distinct concepts. An option that adds a negation to the other ("Do not accept the
    /// risk") is its opposite, not an overlap. Options that differ in their numbers ("RPO of 4
    /// hours", "RPO of 8 hours") are never near-identical. Options with the same words and
    /// different punctuation are reported; options that are the same apart from case and
    /// spacing are QB301's.
    ///
    /// ## Why is this bad?
    /// When one option includes another, both are right or both are wrong, or a candidate can
    /// argue for either; test-wise candidates also learn that the broader option tends to be the
    /// key. Near-identical options are usually a copy-and-edit slip, and leave the candidate
    /// guessing which difference matters.
    ///
    /// ## Example
    /// ```toml
    /// [[options]]
    /// text = "Accept the risk"
    ///
    /// [[options]]
    /// text = "Accept the risk and monitor it quarterly"
    /// correct = true
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[options]]
    /// text = "Transfer the risk to an insurer"
    ///
    /// [[options]]
    /// text = "Accept the risk and monitor it quarterly"
    /// correct = true
    /// ```
    pub(crate) struct OverlappingOptions {
        code: "QB310",
        name: "overlapping-options",
        severity: Warning,
        summary: "One option contains or nearly repeats another",
    }
}

impl ItemRule for OverlappingOptions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let texts: Vec<Normalized> = ctx.words.options.iter().map(Normalized::new).collect();
        for later in 1..texts.len() {
            for earlier in 0..later {
                let Some(overlap) = overlap(&texts[earlier], &texts[later]) else {
                    continue;
                };
                let (primary, secondary) = match overlap {
                    Overlap::Contains { outer_is_later } if !outer_is_later => (earlier, later),
                    _ => (later, earlier),
                };
                let (message, label, help) = match overlap {
                    Overlap::Contains { .. } => (
                        format!(
                            "option {} contains the whole of option {}, `{}`",
                            option_label(primary),
                            option_label(secondary),
                            item.options[secondary].text.value.trim()
                        ),
                        "contained here".to_owned(),
                        "make the options exclusive: reword one so that it does not include \
                         the other",
                    ),
                    Overlap::Similar(percent) => (
                        format!(
                            "option {} is near-identical to option {} ({percent}% similar)",
                            option_label(primary),
                            option_label(secondary)
                        ),
                        "nearly the same".to_owned(),
                        "make the options clearly different, or replace one of them",
                    ),
                    Overlap::SameWords => (
                        format!(
                            "option {} differs from option {} only in punctuation",
                            option_label(primary),
                            option_label(secondary)
                        ),
                        "the same words".to_owned(),
                        "make the options clearly different, or replace one of them",
                    ),
                };
                ctx.report(
                    Self::META
                        .diagnostic(ctx.file, item.options[primary].text.range, message)
                        .with_secondary(Annotation::labelled(
                            ctx.file.clone(),
                            item.options[secondary].text.range,
                            label,
                        ))
                        .with_help(help),
                );
            }
        }
    }
}

/// An option's text in the forms it is compared in.
struct Normalized<'t> {
    text: &'t str,
    /// Lowercase words joined by single spaces, without punctuation, between two spaces (for
    /// finding one option's words inside another's on word boundaries).
    padded: String,
    count: usize,
    /// Characters in the words, without the padding.
    chars: usize,
    /// Whether a word is one of [`OPTION_NEGATIVES`].
    negated: bool,
    /// For ASCII text, how often each byte occurs in [`Normalized::words`], counted by its low
    /// six bits (which keep letters, digits and the space apart) and capped at 255.
    bytes: Option<[u8; 64]>,
}

impl<'t> Normalized<'t> {
    fn new(words: &TextWords<'t>) -> Self {
        let text = words.text();
        let mut padded = String::with_capacity(text.len() + 2);
        padded.push(' ');
        let mut count = 0;
        let mut negated = false;
        for &(_, word) in words.words() {
            let start = padded.len();
            if word.is_ascii() {
                padded.push_str(word);
                padded[start..].make_ascii_lowercase();
            } else {
                padded.push_str(&word.to_lowercase());
            }
            negated |= OPTION_NEGATIVES.contains(&&padded[start..]);
            padded.push(' ');
            count += 1;
        }
        if count == 0 {
            padded.push(' ');
        }
        let chars = padded.chars().count() - 2;
        let bytes = padded.is_ascii().then(|| {
            let mut bytes = [0_u8; 64];
            for &byte in &padded.as_bytes()[1..padded.len() - 1] {
                let bin = &mut bytes[usize::from(byte & 63)];
                *bin = bin.saturating_add(1);
            }
            bytes
        });
        Self {
            text,
            padded,
            count,
            chars,
            negated,
            bytes,
        }
    }

    /// Whether the edit distance between the words of ASCII texts may be at most `bound`, by
    /// their byte counts: one edit changes them by two at most (a substitution takes one byte
    /// and adds another), so the distance is at least half the sum of their differences.
    /// Merging bytes into one count and capping counts only lower that sum, which keeps it a
    /// bound. Text that is not ASCII is not ruled out.
    fn may_be_within(&self, other: &Self, bound: usize) -> bool {
        let (Some(ours), Some(theirs)) = (&self.bytes, &other.bytes) else {
            return true;
        };
        let differences: usize = ours
            .iter()
            .zip(theirs)
            .map(|(a, b)| usize::from(a.abs_diff(*b)))
            .sum();
        differences <= 2 * bound
    }

    /// The lowercase words joined by single spaces.
    fn words(&self) -> &str {
        &self.padded[1..self.padded.len() - 1]
    }

    /// The runs of digits of the text, in order. (Split by bytes: a digit is one ASCII byte,
    /// and no byte of a multi-byte character is one.)
    fn numbers(&self) -> impl Iterator<Item = &'t [u8]> {
        self.text
            .as_bytes()
            .split(|b| !b.is_ascii_digit())
            .filter(|run| !run.is_empty())
    }

    /// Whether the texts are equal once case and runs of whitespace are folded, punctuation
    /// kept: QB301's notion of equality.
    fn folded_eq(&self, other: &Self) -> bool {
        let mut ours = self.text.split_whitespace();
        let mut theirs = other.text.split_whitespace();
        loop {
            match (ours.next(), theirs.next()) {
                (None, None) => return true,
                (Some(a), Some(b)) if a.is_ascii() && b.is_ascii() => {
                    if !a.eq_ignore_ascii_case(b) {
                        return false;
                    }
                }
                (Some(a), Some(b)) => {
                    let lower = |word: &'t str| word.chars().flat_map(char::to_lowercase);
                    if !lower(a).eq(lower(b)) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Overlap {
    /// One option's words contain the other's; `outer_is_later` says which contains which.
    Contains { outer_is_later: bool },
    /// The same words, different punctuation.
    SameWords,
    /// Near-identical, with the similarity in whole percent (rounded down).
    Similar(f64),
}

/// Whether `haystack` holds `needle`, both padded word lists (" a b "). `str::contains` prepares
/// a two-way searcher first, which costs more than the search on texts of option length; here
/// only the word starts whose first letter matches are compared.
fn contains_words(haystack: &[u8], needle: &[u8]) -> bool {
    if needle.len() > haystack.len() {
        return false;
    }
    if needle.len() < 2 {
        return needle.first().is_none_or(|b| haystack.contains(b));
    }
    // A match starting at `s` has `needle[1]` at `s + 1`, for `s` up to `last`.
    let last = haystack.len() - needle.len();
    memchr::memchr_iter(needle[1], &haystack[1..last + 2])
        .any(|s| haystack[s..].starts_with(needle))
}

/// How `a` and `b` (an earlier and a later option) overlap, if they do.
fn overlap(a: &Normalized<'_>, b: &Normalized<'_>) -> Option<Overlap> {
    if a.count == 0 || b.count == 0 || a.folded_eq(b) {
        return None;
    }
    if a.padded == b.padded {
        return Some(Overlap::SameWords);
    }
    // An outer option that adds a negation ("Do not accept the risk") is the inner one's
    // opposite, not an overlap.
    let contains = |outer: &Normalized<'_>, inner: &Normalized<'_>| {
        inner.count >= CONTAINED_OPTION_MIN_WORDS
            && outer.count > inner.count
            && (inner.negated || !outer.negated)
            && contains_words(outer.padded.as_bytes(), inner.padded.as_bytes())
    };
    if contains(b, a) {
        return Some(Overlap::Contains {
            outer_is_later: true,
        });
    }
    if contains(a, b) {
        return Some(Overlap::Contains {
            outer_is_later: false,
        });
    }
    // The edit distance is at least the difference in length, so most pairs are ruled out
    // without computing it (this runs for every pair of options of every item).
    let (la, lb) = (a.chars, b.chars);
    let longer = la.max(lb) as f64;
    if (la.abs_diff(lb) as f64) > (1.0 - OPTION_SIMILARITY) * longer {
        return None;
    }
    if !a.numbers().eq(b.numbers()) {
        return None;
    }
    // Only distances up to this bound can reach the similarity, so the distance is computed
    // within it and given up as soon as it is exceeded.
    // (One more than the bound, so that rounding in the float comparison below decides.)
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let bound = ((1.0 - OPTION_SIMILARITY) * longer).ceil() as usize + 1;
    if !a.may_be_within(b, bound) {
        return None;
    }
    let distance = bounded_levenshtein(a.words(), b.words(), bound)?;
    let similarity = 1.0 - distance as f64 / longer;
    (similarity >= OPTION_SIMILARITY).then(|| Overlap::Similar((similarity * 100.0).floor()))
}

#[cfg(test)]
mod tests {
    use super::{Normalized, Overlap, contains_words, overlap};

    #[test]
    fn word_containment_agrees_with_str_contains() {
        let texts = [
            "",
            " ",
            "a",
            " a ",
            " a b ",
            " b a b c ",
            " ab a b ",
            " a b c d ",
            "abc",
            " x a b",
        ];
        for haystack in texts {
            for needle in texts {
                assert_eq!(
                    contains_words(haystack.as_bytes(), needle.as_bytes()),
                    haystack.contains(needle),
                    "{haystack:?} holds {needle:?}"
                );
            }
        }
    }
    use crate::rules::text::TextWords;

    fn check(a: &str, b: &str) -> Option<Overlap> {
        let (a, b) = (TextWords::new(a), TextWords::new(b));
        overlap(&Normalized::new(&a), &Normalized::new(&b))
    }

    #[test]
    fn finds_containment_on_word_boundaries() {
        assert_eq!(
            check("Accept the risk", "Accept the risk after a review"),
            Some(Overlap::Contains {
                outer_is_later: true
            })
        );
        assert_eq!(
            check("Ask the data owner to decide", "the data owner"),
            Some(Overlap::Contains {
                outer_is_later: false
            })
        );
        assert_eq!(check("Accept the risk", "Accept the risky plan"), None);
        assert_eq!(check("Risk", "Residual risk"), None);
        assert_eq!(check("Accept the risk", "Do not accept the risk"), None);
    }

    #[test]
    fn finds_near_identical_text_but_not_equal_or_renumbered() {
        assert_eq!(
            check("Inherent risk", "Inherent risks"),
            Some(Overlap::Similar(92.0))
        );
        assert_eq!(
            check("Accept the risk.", "Accept the risk"),
            Some(Overlap::SameWords)
        );
        assert_eq!(check("Accept  the RISK", "accept the risk"), None);
        assert_eq!(check("RPO of 4 hours", "RPO of 8 hours"), None);
        assert_eq!(check("Encrypt the backups", "Test the restores"), None);
    }

    proptest::proptest! {
        /// The byte counts never rule out a pair within the bound: near-copies of a text with a
        /// few edits, compared with `strsim`'s distance at every bound up to it.
        #[test]
        fn byte_counts_never_rule_out_a_pair_within_the_bound(
            a in "[a-z0-9 ]{0,40}",
            edits in proptest::collection::vec((0_usize..40, "[a-z0-9 ]{0,2}"), 0..6),
            bound in 0_usize..12,
        ) {
            let b = crate::rules::text::tests::edited(&a, edits);
            let (words_a, words_b) = (TextWords::new(&a), TextWords::new(&b));
            let (na, nb) = (Normalized::new(&words_a), Normalized::new(&words_b));
            if strsim::levenshtein(na.words(), nb.words()) <= bound {
                proptest::prop_assert!(na.may_be_within(&nb, bound));
            }
        }

        /// The normalized words and QB301's folded equality, both of which take a shortcut
        /// for ASCII, agree with lowercasing every character.
        #[test]
        fn ascii_shortcuts_match_full_lowercasing(
            a in "[a-zA-Z0-9 .İßÉé\u{212A}]{0,12}",
            other in "[a-zA-Z0-9 .İßÉé\u{212A}]{0,12}",
            recased in proptest::prelude::any::<bool>(),
        ) {
            // Half the time the other text is the first in other capitals, so that texts which
            // fold to the same words are common.
            let b: String = if recased {
                a.chars()
                    .zip(other.chars().chain(std::iter::repeat(' ')))
                    .flat_map(|(c, d)| {
                        if d.is_uppercase() {
                            c.to_uppercase().collect::<Vec<_>>()
                        } else {
                            c.to_lowercase().collect()
                        }
                    })
                    .collect()
            } else {
                other
            };
            let folded = |t: &str| {
                t.split_whitespace()
                    .map(|w| w.chars().flat_map(char::to_lowercase).collect::<String>())
                    .collect::<Vec<_>>()
            };
            let (words_a, words_b) = (TextWords::new(&a), TextWords::new(&b));
            let (na, nb) = (Normalized::new(&words_a), Normalized::new(&words_b));
            proptest::prop_assert_eq!(na.folded_eq(&nb), folded(&a) == folded(&b));
            let lowered: Vec<String> = words_a.words().iter().map(|(_, w)| w.to_lowercase()).collect();
            proptest::prop_assert_eq!(na.words(), lowered.join(" "));
            let numbers = |t: &str| {
                t.split(|c: char| !c.is_ascii_digit())
                    .filter(|run| !run.is_empty())
                    .map(|run| run.as_bytes().to_vec())
                    .collect::<Vec<_>>()
            };
            let found: Vec<Vec<u8>> = na.numbers().map(<[u8]>::to_vec).collect();
            proptest::prop_assert_eq!(found, numbers(&a));
        }
    }
}
