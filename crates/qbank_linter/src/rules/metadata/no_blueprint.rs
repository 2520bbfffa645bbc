use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a bank whose `blueprints/` folder holds no valid blueprint.
    ///
    /// ## Why is this bad?
    /// Every item names an exam that a blueprint defines; without one, no item can be placed,
    /// weighted or exported.
    ///
    /// ## Example
    /// ```toml
    /// # bank/blueprints/ is empty
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// # bank/blueprints/cism-2022.toml
    /// id = "cism-2022"
    /// exam = "cism"
    /// ```
    pub(crate) struct NoBlueprint {
        code: "QB416",
        name: "no-blueprint",
        severity: Error,
        summary: "The bank has no blueprint",
    }
}
