use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an item, blueprint or glossary file that holds no keys at all (it may hold
    /// comments).
    ///
    /// ## Why is this bad?
    /// An empty file under `items/` is an item that was never written or was lost in a bad
    /// merge; it would otherwise produce one error per missing key.
    ///
    /// ## Example
    /// ```toml
    /// # CISM-0042
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// #:schema ../../../../schemas/item.schema.json
    /// id = "CISM-0042"
    /// # ...the rest of the item, or delete the file
    /// ```
    pub(crate) struct EmptyFile {
        code: "QB106",
        name: "empty-file",
        severity: Error,
        summary: "The file holds no keys",
    }
}
