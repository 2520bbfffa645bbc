use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an item whose `exam` is not the `exam` of any blueprint in `blueprints/`.
    ///
    /// ## Why is this bad?
    /// Without a blueprint the item can be weighted, assembled and exported nowhere; it is usually
    /// a typo (`cims`) or a blueprint that was never added.
    ///
    /// ## Example
    /// ```toml
    /// exam = "cims"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// exam = "cism"
    /// ```
    pub(crate) struct UnknownExam {
        code: "QB401",
        name: "unknown-exam",
        severity: Error,
        summary: "The exam names no blueprint",
    }
}

impl ItemRule for UnknownExam {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        if ctx.bank.has_exam(&item.exam.value)
            || ctx.bank.blueprints.is_empty()
            || ctx.bank.exam_unsure(&item.exam.value)
        {
            return;
        }
        let exams = ctx.bank.exam_names();
        ctx.report(
            Self::META
                .diagnostic(
                    ctx.file,
                    item.exam.range,
                    format!("no blueprint is for exam `{}`", item.exam.value),
                )
                .with_help(format!(
                    "use one of the exams the blueprints define: {exams}"
                )),
        );
    }
}
