use qbank_model::Item;

use crate::registry::declare_rule;
use crate::rules::{ItemContext, ItemRule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports an item with `status = "approved"` whose `reviewers` are empty or are all
    /// among its `authors`.
    ///
    /// ## Why is this bad?
    /// Item-writing standards require review by someone other than the writer; self-review misses
    /// the flaws a fresh reader finds.
    ///
    /// ## Example
    /// ```toml
    /// status = "approved"
    /// authors = ["j.doe"]
    /// reviewers = ["j.doe"]
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// status = "approved"
    /// authors = ["j.doe"]
    /// reviewers = ["a.roe"]
    /// ```
    pub(crate) struct UnreviewedApproval {
        code: "QB409",
        name: "unreviewed-approval",
        severity: Error,
        summary: "An approved item has no independent reviewer",
    }
}

impl ItemRule for UnreviewedApproval {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, item: &Item, ctx: &mut ItemContext<'_>) {
        if item.status.value != qbank_model::Status::Approved {
            return;
        }
        let independent = item
            .reviewers
            .iter()
            .any(|r| !item.authors.iter().any(|a| a.value == r.value));
        if independent {
            return;
        }
        let (range, message) = match item.key_range("reviewers") {
            Some(range) if !item.reviewers.is_empty() => {
                (range, "approved item was reviewed only by its own authors")
            }
            Some(range) => (range, "approved item has no reviewer"),
            None => (item.status.range, "approved item has no reviewer"),
        };
        ctx.report(
            Self::META
                .diagnostic(ctx.file, range, message)
                .with_help("add a reviewer who is not one of the `authors`"),
        );
    }
}
