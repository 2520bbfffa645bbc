use qbank_diagnostics::Annotation;
use qbank_model::Item;
use qbank_model::schema::option_label;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports two options of an item whose text is the same after trimming and folding case
    /// and inner whitespace.
    ///
    /// ## Why is this bad?
    /// Candidates cannot tell the options apart, and the item cannot be scored fairly.
    ///
    /// ## Example
    /// ```toml
    /// [[options]]
    /// text = "Accept the risk"
    ///
    /// [[options]]
    /// text = "Accept  the risk "
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[options]]
    /// text = "Accept the risk"
    ///
    /// [[options]]
    /// text = "Transfer the risk"
    /// ```
    pub(crate) struct DuplicateOption {
        code: "QB301",
        name: "duplicate-option",
        severity: Error,
        summary: "Two options have the same text",
    }
}

impl ItemRule for DuplicateOption {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        // Items have a handful of options: comparing each pair without allocating beats hashing.
        for (index, option) in item.options.iter().enumerate() {
            let Some(first) = item.options[..index]
                .iter()
                .position(|earlier| same_text(&earlier.text.value, &option.text.value))
            else {
                continue;
            };
            let first_option = &item.options[first];
            ctx.report(
                Self::META
                    .diagnostic(
                        ctx.file,
                        option.text.range,
                        format!(
                            "option {} repeats option {}: `{}`",
                            option_label(index),
                            option_label(first),
                            option.text.value.trim()
                        ),
                    )
                    .with_secondary(Annotation::labelled(
                        ctx.file.clone(),
                        first_option.text.range,
                        "first written here",
                    ))
                    .with_help("reword one of the options so each is a distinct answer"),
            );
        }
    }
}

/// Whether two texts are equal after trimming, collapsing inner whitespace and folding case.
fn same_text(a: &str, b: &str) -> bool {
    // Compared as they are first, without building the folded words.
    let same_word = |l: &str, r: &str| {
        if l.is_ascii() && r.is_ascii() {
            l.eq_ignore_ascii_case(r)
        } else {
            l.chars()
                .flat_map(char::to_lowercase)
                .eq(r.chars().flat_map(char::to_lowercase))
        }
    };
    let (mut left, mut right) = (a.split_whitespace(), b.split_whitespace());
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(l), Some(r)) if same_word(l, r) => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::same_text;

    #[test]
    fn folds_case_and_whitespace_but_keeps_word_breaks() {
        assert!(same_text(" Accept  the RISK ", "accept the risk"));
        assert!(!same_text("ab c", "a bc"));
        assert!(!same_text("accept the risk", "accept the risks"));
        assert!(same_text("ÉTAPE une", "étape UNE"));
        assert!(!same_text("étape", "etape"));
    }
}
