use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a blueprint whose domain weights do not add up to exactly 1. The sum is computed
    /// exactly in decimal, so 0.17 + 0.20 + 0.33 + 0.30 is 1.
    ///
    /// ## Why is this bad?
    /// Form quotas come from the weights; weights that do not sum to 1 make every quota wrong.
    ///
    /// ## Example
    /// ```toml
    /// [[domains]]
    /// id = "1"
    /// weight = 0.6
    ///
    /// [[domains]]
    /// id = "2"
    /// weight = 0.5
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[domains]]
    /// id = "1"
    /// weight = 0.5
    ///
    /// [[domains]]
    /// id = "2"
    /// weight = 0.5
    /// ```
    pub(crate) struct BlueprintWeightsNotOne {
        code: "QB414",
        name: "blueprint-weights-not-one",
        severity: Error,
        summary: "Domain weights do not sum to 1",
    }
}
