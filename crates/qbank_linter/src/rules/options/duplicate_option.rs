use std::collections::HashMap;

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
        let mut seen = HashMap::new();
        for (index, option) in item.options.iter().enumerate() {
            let normalized = option
                .text
                .value
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            let Some(first) = seen.insert(normalized, index) else {
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
