use qbank_diagnostics::Annotation;
use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::text::{bounded_levenshtein, words};
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
        let texts: Vec<Normalized> = item
            .options
            .iter()
            .map(|o| Normalized::new(&o.text.value))
            .collect();
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
struct Normalized {
    /// Lowercase words joined by single spaces, without punctuation.
    words: String,
    /// `words` between two spaces, for finding one option's words inside another's.
    padded: String,
    count: usize,
    /// Case and runs of whitespace folded, punctuation kept: QB301's notion of equality.
    folded: String,
    /// The runs of digits, in order.
    numbers: Vec<String>,
}

impl Normalized {
    fn new(text: &str) -> Self {
        let list: Vec<String> = words(text).map(|(_, w)| w.to_lowercase()).collect();
        let numbers = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|run| !run.is_empty())
            .map(str::to_owned)
            .collect();
        let words = list.join(" ");
        Self {
            count: list.len(),
            padded: format!(" {words} "),
            words,
            folded: text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase(),
            numbers,
        }
    }

    fn has_negation(&self) -> bool {
        self.words.split(' ').any(|w| OPTION_NEGATIVES.contains(&w))
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

/// How `a` and `b` (an earlier and a later option) overlap, if they do.
fn overlap(a: &Normalized, b: &Normalized) -> Option<Overlap> {
    if a.folded == b.folded || a.words.is_empty() || b.words.is_empty() {
        return None;
    }
    if a.words == b.words {
        return Some(Overlap::SameWords);
    }
    // An outer option that adds a negation ("Do not accept the risk") is the inner one's
    // opposite, not an overlap.
    let contains = |outer: &Normalized, inner: &Normalized| {
        inner.count >= CONTAINED_OPTION_MIN_WORDS
            && outer.count > inner.count
            && (inner.has_negation() || !outer.has_negation())
            && outer.padded.contains(&inner.padded)
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
    if a.numbers != b.numbers {
        return None;
    }
    // The edit distance is at least the difference in length, so most pairs are ruled out
    // without computing it (this runs for every pair of options of every item).
    let (la, lb) = (a.words.chars().count(), b.words.chars().count());
    let longer = la.max(lb) as f64;
    if (la.abs_diff(lb) as f64) > (1.0 - OPTION_SIMILARITY) * longer {
        return None;
    }
    // Only distances up to this bound can reach the similarity, so the distance is computed
    // within it and given up as soon as it is exceeded.
    // (One more than the bound, so that rounding in the float comparison below decides.)
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let bound = ((1.0 - OPTION_SIMILARITY) * longer).ceil() as usize + 1;
    let distance = bounded_levenshtein(&a.words, &b.words, bound)?;
    let similarity = 1.0 - distance as f64 / longer;
    (similarity >= OPTION_SIMILARITY).then(|| Overlap::Similar((similarity * 100.0).floor()))
}

#[cfg(test)]
mod tests {
    use super::{Normalized, Overlap, overlap};

    fn check(a: &str, b: &str) -> Option<Overlap> {
        overlap(&Normalized::new(a), &Normalized::new(b))
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
}
