use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `[[crosswalk]]` entry of a blueprint that names a blueprint that does not
    /// exist, a `from` that is no domain or task of that earlier blueprint, or a `to` that is
    /// no domain or task of this one.
    ///
    /// ## Why is this bad?
    /// `qbank blueprint --crosswalk FROM TO` moves items along the entries to show how the
    /// bank would fit a new outline. An entry that names nothing moves nothing, so the report
    /// would understate the new domains without saying why.
    ///
    /// ## Example
    /// ```toml
    /// [[crosswalk]]
    /// blueprint = "cism-2022"
    /// from = "5" # cism-2022 has domains 1 to 4
    /// to = "2"
    /// ```
    ///
    /// Use instead: correct the ids, or remove the entry.
    pub(crate) struct UnknownCrosswalkEntry {
        code: "QB421",
        name: "unknown-crosswalk-entry",
        severity: Error,
        summary: "A crosswalk entry names a blueprint, domain or task that does not exist",
    }
}
