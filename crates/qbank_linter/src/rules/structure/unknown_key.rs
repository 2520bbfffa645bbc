use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a key that the schema does not define, and suggests the nearest known key.
    ///
    /// ## Why is this bad?
    /// An unknown key is almost always a typo: the value the writer meant to set is silently
    /// missing, so `stme = "..."` leaves the item without a stem.
    ///
    /// ## Example
    /// ```toml
    /// rationle = "The business owner accepts the risk."
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// rationale = "The business owner accepts the risk."
    /// ```
    pub(crate) struct UnknownKey {
        code: "QB103",
        name: "unknown-key",
        severity: Error,
        summary: "A key the schema does not define",
    }
}
