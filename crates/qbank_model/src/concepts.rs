//! The concept glossary (`concepts.toml`) and the duplicate allowlist (`dupes-allowlist.toml`).

use qbank_diagnostics::TextRange;

use crate::access::{self, Spanned};
use crate::document::Document;

/// One concept that items can test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Concept {
    /// Kebab-case id.
    pub id: Spanned<String>,
    /// Display title; may define an acronym in parentheses.
    pub title: Spanned<String>,
    /// Exams where it is tested.
    pub exam: Vec<Spanned<String>>,
    /// Definition.
    pub definition: Spanned<String>,
    /// Related concept ids.
    pub related: Vec<Spanned<String>>,
    /// The `[[concepts]]` header.
    pub range: TextRange,
}

/// Reads the glossary from a document that passed the concepts schema.
pub fn concepts_from_document(document: &Document<'_>) -> Vec<Concept> {
    access::tables(document.root(), "concepts")
        .into_iter()
        .filter_map(|(table, range)| {
            Some(Concept {
                id: access::string(table, "id")?,
                title: access::string(table, "title")?,
                exam: access::strings(table, "exam"),
                definition: access::string(table, "definition")?,
                related: access::strings(table, "related"),
                range,
            })
        })
        .collect()
}

/// One pair in the duplicate allowlist: two items that reviewers accepted as distinct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedPair {
    /// The two item ids, as written.
    pub items: Vec<Spanned<String>>,
    /// Why the pair is accepted.
    pub reason: Spanned<String>,
    /// The `[[allow]]` header.
    pub range: TextRange,
}

/// Reads the duplicate allowlist from a document that passed the allowlist schema.
pub fn allowlist_from_document(document: &Document<'_>) -> Vec<AllowedPair> {
    access::tables(document.root(), "allow")
        .into_iter()
        .filter_map(|(table, range)| {
            Some(AllowedPair {
                items: access::strings(table, "items"),
                reason: access::string(table, "reason")?,
                range,
            })
        })
        .collect()
}
