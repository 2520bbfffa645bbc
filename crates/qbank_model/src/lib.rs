//! The qbank bank model: items, blueprints and the concept glossary, read from TOML with the
//! source range of every key and value.
//!
//! Reading a file is three steps, each of which can stop with errors that carry ranges:
//! [`Document::parse`] (TOML syntax), [`schema::validate`] (the JSON Schema in `schemas/`), then
//! [`Item::from_document`] or [`Blueprint::from_document`] for the typed view the lint rules use.
//!
//! ```
//! use qbank_model::{Document, Item, schema};
//!
//! let text = "id = \"Q-1\"\nexam = \"cism\"\ndomain = \"1\"\ntype = \"single\"\n\
//!             status = \"draft\"\nstem = \"Which?\"\nauthors = [\"a\"]\ncreated = 2026-01-02\n\
//!             options = [{ text = \"x\", correct = true }, { text = \"y\" }]\n";
//! let document = Document::parse(text).unwrap();
//! let json = document.to_json().unwrap();
//! assert!(schema::validate(schema::SchemaKind::Item, &document, &json).is_empty());
//! let item = Item::from_document(&document, Some(json)).unwrap();
//! assert_eq!(item.options.len(), 2);
//! ```
#![warn(missing_docs)]

mod access;
mod blueprint;
mod concepts;
mod conform;
mod document;
pub mod format;
mod item;
pub mod schema;
pub mod tree;

pub use access::{Date, Decimal, Spanned};
pub use blueprint::{Blueprint, Domain, Mapping, Task};
pub use concepts::{AllowedPair, Concept, allowlist_from_document, concepts_from_document};
pub use document::{Document, Node, Segment, SyntaxError, ValueError};
pub use item::{Exhibit, ITEM_KEYS, Item, ItemOption, ItemType, Status, peek_id};
