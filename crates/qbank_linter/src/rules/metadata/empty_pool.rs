use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a blueprint in force for whose exam the bank holds no approved item.
    ///
    /// ## Why is this bad?
    /// No form can be assembled and no pack exported for the exam; usually the items name the
    /// exam differently from the blueprint, or none has been approved yet.
    ///
    /// ## Example
    /// ```toml
    /// exam = "cism" # the blueprint, while every item says exam = "cism-2022"
    /// ```
    ///
    /// Use instead: approve items of the exam, or correct their `exam`.
    pub(crate) struct EmptyPool {
        code: "QB420",
        name: "empty-pool",
        severity: Warning,
        summary: "A blueprint's exam has no approved items",
    }
}
