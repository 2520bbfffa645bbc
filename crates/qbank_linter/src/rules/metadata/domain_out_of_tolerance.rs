use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a domain of a blueprint in force whose share of the exam's approved items is
    /// further from the domain's weight than the blueprint's `tolerance` allows. The share is
    /// the domain's approved items over all approved items of the exam; the deviation and the
    /// bound are compared exactly. The blueprint in force for an exam is the one with the
    /// latest `effective` date; `qbank blueprint` shows every blueprint, in force or not.
    ///
    /// ## Why is this bad?
    /// Forms are assembled by the blueprint's quotas. A bank whose weighting drifts from the
    /// outline runs out of items in the under-filled domains first, and its pool depth is lower
    /// than its size suggests; reviewers should know which domains need writing.
    ///
    /// ## Example
    /// ```toml
    /// # blueprint: domain 1 weight 0.17, tolerance 0.03
    /// # bank: 31 of 100 approved items in domain 1 (share 0.31)
    /// ```
    ///
    /// Use instead: write or approve items in the domains under their weight, or retire some
    /// in those over it, until every share is within the tolerance.
    pub(crate) struct DomainOutOfTolerance {
        code: "QB418",
        name: "domain-out-of-tolerance",
        severity: Error,
        summary: "A domain's share of the bank is outside the blueprint's tolerance",
    }
}
