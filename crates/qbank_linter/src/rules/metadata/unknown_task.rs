use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an item whose `task` is not a task id of its domain in the exam's blueprint.
    ///
    /// ## Why is this bad?
    /// Task coverage reports and reviewers rely on the task; a task from another domain usually
    /// means the item sits in the wrong domain.
    ///
    /// ## Example
    /// ```toml
    /// domain = "1"
    /// task = "2A"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// domain = "2"
    /// task = "2A"
    /// ```
    pub(crate) struct UnknownTask {
        code: "QB403",
        name: "unknown-task",
        severity: Error,
        summary: "The task is not in the item's domain",
    }
}

impl ItemRule for UnknownTask {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        let Some(task) = &item.task else {
            return;
        };
        if ctx.bank.exam_unsure(&item.exam.value) {
            return;
        }
        let Some(blueprint) = ctx.bank.blueprint_for(&item.exam.value) else {
            return;
        };
        let Some(domain) = blueprint.domain(&item.domain.value) else {
            return;
        };
        if domain.task(&task.value).is_some() {
            return;
        }
        let tasks: Vec<String> = domain
            .tasks
            .iter()
            .map(|t| format!("`{}`", t.id.value))
            .collect();
        let help = if tasks.is_empty() {
            format!("domain `{}` has no tasks; remove `task`", domain.id.value)
        } else {
            format!("use one of {}", tasks.join(", "))
        };
        ctx.report(
            Self::META
                .diagnostic(
                    ctx.file,
                    task.range,
                    format!(
                        "task `{}` is not in domain `{}` of blueprint `{}`",
                        task.value, domain.id.value, blueprint.id.value
                    ),
                )
                .with_help(help),
        );
    }
}
