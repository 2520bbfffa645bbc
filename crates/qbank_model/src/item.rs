//! Items: one exam question per file.

use qbank_diagnostics::TextRange;
use serde_json::{Map, Value};

use crate::access::{self, Date, Spanned};
use crate::document::Document;
use crate::tree::Table;

/// Single or multiple response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemType {
    /// Exactly one key.
    Single,
    /// Two or more keys, not all options.
    Multiple,
}

/// Where an item is in its workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Being written.
    Draft,
    /// Waiting for review.
    Review,
    /// Ready for forms and packs.
    Approved,
    /// No longer used.
    Retired,
}

impl Status {
    /// The status as written in the item.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Approved => "approved",
            Status::Retired => "retired",
        }
    }

    /// Reads a status name.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "draft" => Status::Draft,
            "review" => Status::Review,
            "approved" => Status::Approved,
            "retired" => Status::Retired,
            _ => return None,
        })
    }
}

/// One answer option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemOption {
    /// The option's text.
    pub text: Spanned<String>,
    /// Whether it is a key, with the range of `correct` when present.
    pub correct: Option<Spanned<bool>>,
    /// Feedback for this option.
    pub feedback: Option<Spanned<String>>,
    /// Whether it keeps its place when options are shuffled.
    pub fixed: Option<Spanned<bool>>,
    /// The option's `[[options]]` header or inline table.
    pub range: TextRange,
}

impl ItemOption {
    /// Whether this option is a key.
    pub fn is_key(&self) -> bool {
        self.correct.as_ref().is_some_and(|c| c.value)
    }
}

/// A file shown with the stem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exhibit {
    /// Path relative to `media/`.
    pub file: Spanned<String>,
    /// Alternative text.
    pub alt: Spanned<String>,
    /// The exhibit's table.
    pub range: TextRange,
}

/// An item as its file describes it, with the range of every value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// Unique id.
    pub id: Spanned<String>,
    /// Exam name.
    pub exam: Spanned<String>,
    /// Domain id.
    pub domain: Spanned<String>,
    /// Task id.
    pub task: Option<Spanned<String>>,
    /// Single or multiple response.
    pub item_type: Spanned<ItemType>,
    /// Workflow state.
    pub status: Spanned<Status>,
    /// 1 to 5.
    pub difficulty: Option<Spanned<i64>>,
    /// Whether delivery may shuffle options (default true).
    pub shuffle: Option<Spanned<bool>>,
    /// Whether the item must stay out of public packs (default false).
    pub secure: Option<Spanned<bool>>,
    /// The question.
    pub stem: Spanned<String>,
    /// Explanation of the key and distractors.
    pub rationale: Option<Spanned<String>>,
    /// Supporting sources.
    pub references: Vec<Spanned<String>>,
    /// Topic tags.
    pub tags: Vec<Spanned<String>>,
    /// Concept ids.
    pub concepts: Vec<Spanned<String>>,
    /// Items that must not share a form with this one.
    pub enemies: Vec<Spanned<String>>,
    /// Files shown with the stem.
    pub exhibits: Vec<Exhibit>,
    /// Writers.
    pub authors: Vec<Spanned<String>>,
    /// Reviewers.
    pub reviewers: Vec<Spanned<String>>,
    /// Date written.
    pub created: Option<Spanned<Date>>,
    /// Date last changed.
    pub updated: Option<Spanned<Date>>,
    /// Answer options in order.
    pub options: Vec<ItemOption>,
    /// Each top-level key present, as its index in [`ITEM_KEYS`], with its range: every item
    /// keeps this, so it is stored at its exact length.
    keys: Box<[(u8, TextRange)]>,
}

/// The top-level keys an item may have (the schema rejects any other), in the canonical order
/// of `qbank fmt` and of the item format.
pub const ITEM_KEYS: &[&str] = &[
    "id",
    "exam",
    "domain",
    "task",
    "type",
    "status",
    "difficulty",
    "shuffle",
    "secure",
    "stem",
    "rationale",
    "references",
    "tags",
    "concepts",
    "enemies",
    "exhibits",
    "authors",
    "reviewers",
    "created",
    "updated",
    "options",
];

impl Item {
    /// Reads an item from a document that passed the item schema, moving the text out of
    /// `json`, the document's JSON form, when it was built, and otherwise copying it from the
    /// document. Without a JSON form, the document must be one that
    /// [`schema::conforms`](crate::schema::conforms) accepted: the JSON form of a string
    /// written with CRLF line ends has LF ones. Returns `None` only when a required key is
    /// absent or of the wrong type, which the schema reports.
    pub fn from_document(document: &Document<'_>, json: Option<Value>) -> Option<Self> {
        let root = document.root();
        let mut json = match json {
            Some(Value::Object(map)) => Some(map),
            Some(_) => return None,
            None => None,
        };
        let item_type = access::string(root, "type")?;
        let status = access::string(root, "status")?;
        let options = {
            let tables = access::tables(root, "options");
            match json.as_mut() {
                Some(json) => {
                    let values = match json.get_mut("options").map(Value::take) {
                        Some(Value::Array(values)) => values,
                        _ => Vec::new(),
                    };
                    tables
                        .into_iter()
                        .zip(values)
                        .filter_map(|((table, range), value)| match value {
                            Value::Object(mut map) => option(table, Some(&mut map), range),
                            _ => None,
                        })
                        .collect()
                }
                None => tables
                    .into_iter()
                    .filter_map(|(table, range)| option(table, None, range))
                    .collect(),
            }
        };
        Some(Self {
            id: access::take_string(root, json.as_mut(), "id")?,
            exam: access::take_string(root, json.as_mut(), "exam")?,
            domain: access::take_string(root, json.as_mut(), "domain")?,
            task: access::take_string(root, json.as_mut(), "task"),
            item_type: Spanned::new(
                match item_type.as_str() {
                    "multiple" => ItemType::Multiple,
                    _ => ItemType::Single,
                },
                item_type.range,
            ),
            status: Spanned::new(Status::parse(status.as_str())?, status.range),
            difficulty: access::integer(root, "difficulty"),
            shuffle: access::boolean(root, "shuffle"),
            secure: access::boolean(root, "secure"),
            stem: access::take_string(root, json.as_mut(), "stem")?,
            rationale: access::take_string(root, json.as_mut(), "rationale"),
            references: access::take_strings(root, json.as_mut(), "references"),
            tags: access::take_strings(root, json.as_mut(), "tags"),
            concepts: access::take_strings(root, json.as_mut(), "concepts"),
            enemies: access::take_strings(root, json.as_mut(), "enemies"),
            exhibits: access::tables(root, "exhibits")
                .into_iter()
                .filter_map(|(table, range)| {
                    Some(Exhibit {
                        file: access::string(table, "file")?,
                        alt: access::string(table, "alt")?,
                        range,
                    })
                })
                .collect(),
            authors: access::take_strings(root, json.as_mut(), "authors"),
            reviewers: access::take_strings(root, json.as_mut(), "reviewers"),
            created: access::date(root, "created"),
            updated: access::date(root, "updated"),
            options,
            keys: root
                .iter()
                .filter_map(|(k, _)| {
                    let index = ITEM_KEYS.iter().position(|known| *known == k.name)?;
                    Some((u8::try_from(index).ok()?, k.range))
                })
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        })
    }

    /// The range of a top-level key's name, such as `rationale` in `rationale = "..."`.
    pub fn key_range(&self, key: &str) -> Option<TextRange> {
        let index = ITEM_KEYS.iter().position(|known| *known == key)?;
        self.keys
            .iter()
            .find(|(k, _)| usize::from(*k) == index)
            .map(|(_, r)| *r)
    }

    /// Whether delivery may shuffle the options.
    pub fn shuffles(&self) -> bool {
        self.shuffle.as_ref().is_none_or(|s| s.value)
    }

    /// Whether the item is secure.
    pub fn is_secure(&self) -> bool {
        self.secure.as_ref().is_some_and(|s| s.value)
    }

    /// The indices of the keys.
    pub fn key_indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_key())
            .map(|(i, _)| i)
    }
}

fn option(
    table: &Table<'_>,
    mut json: Option<&mut Map<String, Value>>,
    range: TextRange,
) -> Option<ItemOption> {
    Some(ItemOption {
        text: access::take_string(table, json.as_deref_mut(), "text")?,
        correct: access::boolean(table, "correct"),
        feedback: access::take_string(table, json, "feedback"),
        fixed: access::boolean(table, "fixed"),
        range,
    })
}

/// Reads the `id` of a document even when the rest of it is invalid, so that a broken item
/// still takes part in bank-wide checks such as id uniqueness and enemies.
pub fn peek_id(document: &Document<'_>) -> Option<Spanned<String>> {
    access::string(document.root(), "id")
}

#[cfg(test)]
mod tests {
    use super::{ITEM_KEYS, Item};
    use crate::Document;
    use crate::schema::SchemaKind;

    #[test]
    fn texts_written_with_crlf_read_with_lf() {
        let text = concat!(
            "id = \"Q-1\"\r\nexam = \"cism\"\r\ndomain = \"1\"\r\ntype = \"single\"\r\n",
            "status = \"draft\"\r\nstem = \"\"\"\r\nWhich\r\none?\"\"\"\r\n",
            "rationale = '''\r\nBecause\r\nso.'''\r\nreferences = [\"\"\"a\r\nb\"\"\"]\r\n",
            "options = [{ text = \"\"\"x\r\ny\"\"\", correct = true }, { text = \"p\\r\\nq\" }]\r\n",
        );
        let document = Document::parse(text).unwrap();
        let json = document.to_json().unwrap();
        let item = Item::from_document(&document, Some(json)).unwrap();
        assert_eq!(item.stem.value, "Which\none?");
        assert_eq!(item.rationale.unwrap().value, "Because\nso.");
        assert_eq!(item.references[0].value, "a\nb");
        assert_eq!(item.options[0].text.value, "x\ny");
        // An escaped CRLF is part of the value.
        assert_eq!(item.options[1].text.value, "p\r\nq");
    }

    #[test]
    fn item_keys_are_the_schema_properties() {
        let schema: serde_json::Value =
            serde_json::from_str(SchemaKind::Item.source()).expect("the item schema is JSON");
        let mut properties: Vec<&str> = schema["properties"]
            .as_object()
            .expect("the item schema lists its properties")
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = ITEM_KEYS.to_vec();
        properties.sort_unstable();
        keys.sort_unstable();
        assert_eq!(keys, properties);
    }
}
