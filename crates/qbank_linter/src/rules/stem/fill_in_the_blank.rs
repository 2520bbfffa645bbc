use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::text::value_span;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a blank (three or more underscores, `___`) anywhere in a stem but at its end.
    /// A blank followed only by punctuation, or by an instruction such as "(Choose TWO.)", is at
    /// the end and is fine. This rule has no settings.
    ///
    /// ## Why is this bad?
    /// With a blank in the middle, candidates must hold the start of the sentence, read each
    /// option into the gap and reread the rest, which tests reading and working memory instead
    /// of knowledge. Item-writing guides ask for a direct question, or for a completion stem
    /// whose blank comes last.
    ///
    /// ## Example
    /// ```toml
    /// stem = "The ___ is accountable for accepting a risk that exceeds tolerance."
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// stem = "Who is accountable for accepting a risk that exceeds tolerance?"
    /// ```
    pub(crate) struct FillInTheBlank {
        code: "QB203",
        name: "fill-in-the-blank",
        severity: Warning,
        summary: "A blank in the middle of the stem",
    }
}

impl ItemRule for FillInTheBlank {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let stem = &item.stem.value;
        let end = ctx.words.question().end;
        for blank in blanks(stem) {
            let rest = stem.get(blank.end..end.max(blank.end)).unwrap_or_default();
            if rest
                .chars()
                .all(|c| c.is_whitespace() || ".?!:;)\"'”’".contains(c))
            {
                continue;
            }
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        value_span(ctx.file.text(), &item.stem, blank),
                        "blank in the middle of the stem",
                    )
                    .with_help(
                        "ask a direct question, or reword the stem so that the blank comes last",
                    ),
            );
        }
    }
}

/// The byte ranges of the blanks in `stem`: runs of three or more underscores.
fn blanks(stem: &str) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let mut start = None;
    for (at, byte) in stem.bytes().enumerate().chain([(stem.len(), 0)]) {
        match (byte == b'_', start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                if at - from >= 3 {
                    found.push(from..at);
                }
                start = None;
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::blanks;

    #[test]
    fn blanks_are_runs_of_three_underscores() {
        assert_eq!(blanks("The ___ owns the _____."), [4..7, 17..22]);
        assert!(blanks("Run __init__ or a_b").is_empty());
        assert_eq!(blanks("end ___"), vec![4..7]);
    }
}
