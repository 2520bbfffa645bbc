use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an id used by more than one item (or one blueprint id used by two blueprints),
    /// naming both places.
    ///
    /// ## Why is this bad?
    /// Ids are how forms, packs, statistics and enemies refer to items; two items with one id
    /// make every one of those ambiguous.
    ///
    /// ## Example
    /// ```toml
    /// # items/cism/d1/CISM-0001.toml and items/cism/d2/CISM-0001.toml
    /// id = "CISM-0001"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// id = "CISM-0002"   # and rename the file to match
    /// ```
    pub(crate) struct DuplicateId {
        code: "QB110",
        name: "duplicate-id",
        severity: Error,
        summary: "Two items or blueprints share an id",
    }
}
