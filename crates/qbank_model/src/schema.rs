//! The bank's JSON Schemas, and validation that reports errors at the TOML source range.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::LazyLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use qbank_diagnostics::TextRange;
use serde_json::Value;

use crate::conform::Conformance;
use crate::document::{Document, Segment};

/// The item schema, `schemas/item.schema.json`.
pub const ITEM_SCHEMA: &str = include_str!("../../../schemas/item.schema.json");
/// The blueprint schema, `schemas/blueprint.schema.json`.
pub const BLUEPRINT_SCHEMA: &str = include_str!("../../../schemas/blueprint.schema.json");
/// The concept glossary schema, `schemas/concepts.schema.json`.
pub const CONCEPTS_SCHEMA: &str = include_str!("../../../schemas/concepts.schema.json");
/// The duplicate allowlist schema, `schemas/allowlist.schema.json`.
pub const ALLOWLIST_SCHEMA: &str = include_str!("../../../schemas/allowlist.schema.json");

/// Which of the bank's file kinds a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// An item under `items/`.
    Item,
    /// A blueprint under `blueprints/`.
    Blueprint,
    /// The concept glossary, `concepts.toml`.
    Concepts,
    /// The duplicate allowlist, `dupes-allowlist.toml`.
    Allowlist,
}

impl SchemaKind {
    /// The schema's JSON text.
    pub fn source(self) -> &'static str {
        match self {
            SchemaKind::Item => ITEM_SCHEMA,
            SchemaKind::Blueprint => BLUEPRINT_SCHEMA,
            SchemaKind::Concepts => CONCEPTS_SCHEMA,
            SchemaKind::Allowlist => ALLOWLIST_SCHEMA,
        }
    }

    /// Top-level keys that hold TOML dates: a quoted string there is an error even though the
    /// JSON form of a date is a string.
    fn date_keys(self) -> &'static [&'static str] {
        match self {
            SchemaKind::Item => &["created", "updated"],
            SchemaKind::Blueprint => &["effective"],
            SchemaKind::Concepts | SchemaKind::Allowlist => &[],
        }
    }

    /// How messages name the top-level table of such a file.
    fn noun(self) -> &'static str {
        match self {
            SchemaKind::Item => "the item",
            SchemaKind::Blueprint => "the blueprint",
            SchemaKind::Concepts => "the glossary",
            SchemaKind::Allowlist => "the allowlist",
        }
    }

    fn compiled(self) -> &'static Compiled {
        static ITEM: LazyLock<Compiled> = LazyLock::new(|| Compiled::new(ITEM_SCHEMA));
        static BLUEPRINT: LazyLock<Compiled> = LazyLock::new(|| Compiled::new(BLUEPRINT_SCHEMA));
        static CONCEPTS: LazyLock<Compiled> = LazyLock::new(|| Compiled::new(CONCEPTS_SCHEMA));
        static ALLOWLIST: LazyLock<Compiled> = LazyLock::new(|| Compiled::new(ALLOWLIST_SCHEMA));
        match self {
            SchemaKind::Item => &ITEM,
            SchemaKind::Blueprint => &BLUEPRINT,
            SchemaKind::Concepts => &CONCEPTS,
            SchemaKind::Allowlist => &ALLOWLIST,
        }
    }
}

struct Compiled {
    schema: Value,
    validator: Validator,
    /// The same schema checked on the TOML tree, for the files that pass it.
    conformance: Option<Conformance>,
}

impl Compiled {
    fn new(source: &str) -> Self {
        // The schemas are compiled into the binary and covered by tests, so failing here is a
        // build defect, not a user error.
        #[expect(clippy::expect_used, reason = "embedded schemas are tested constants")]
        let schema: Value = serde_json::from_str(source).expect("embedded schema is valid JSON");
        #[expect(clippy::expect_used, reason = "embedded schemas are tested constants")]
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .expect("embedded schema compiles");
        let conformance = Conformance::compile(&schema);
        Self {
            schema,
            validator,
            conformance,
        }
    }
}

/// What kind of schema violation an error is; each has its own rule code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaErrorKind {
    /// A required key is missing.
    MissingKey,
    /// A key the schema does not define.
    UnknownKey,
    /// A value of the wrong type, form or size.
    InvalidValue,
}

/// A schema violation at a source range, with a message written for item writers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    /// Which kind of violation.
    pub kind: SchemaErrorKind,
    /// What is wrong.
    pub message: String,
    /// What to do about it, from the schema's description of the key.
    pub help: Option<String>,
    /// Where it is wrong.
    pub range: TextRange,
}

/// Whether `document` is valid against `kind`'s schema, decided on its TOML tree without
/// building its JSON form. `true` only when [`validate`] would find no error; `false` when it
/// would, or when the tree alone cannot tell (a float, a string with a carriage return): then
/// validate the JSON form, which also finds the errors to report.
pub fn conforms(kind: SchemaKind, document: &Document<'_>) -> bool {
    let root = document.root();
    kind.compiled()
        .conformance
        .as_ref()
        .is_some_and(|c| c.conforms(root))
        && kind
            .date_keys()
            .iter()
            .all(|key| root.get(key).is_none_or(|value| value.as_str().is_none()))
}

/// Validates `json` (the JSON form of `document`) against the schema of `kind`.
pub fn validate(kind: SchemaKind, document: &Document<'_>, json: &Value) -> Vec<SchemaError> {
    let compiled = kind.compiled();
    let mut errors = Vec::new();
    if !compiled.validator.is_valid(json) {
        for error in compiled.validator.iter_errors(json) {
            map_error(&compiled.schema, kind.noun(), document, &error, &mut errors);
        }
    }
    for key in kind.date_keys() {
        let Some((k, value)) = document.root().get_key_value(key) else {
            continue;
        };
        if let Some(text) = value.as_str() {
            errors.push(SchemaError {
                kind: SchemaErrorKind::InvalidValue,
                message: format!("`{key}` must be a TOML date, not a string"),
                help: Some(format!("remove the quotes: `{} = {text}`", k.name)),
                range: value.range,
            });
        }
    }
    errors.sort_by_key(|error| (error.range.start, error.range.end));
    errors.dedup_by(|a, b| a.range == b.range && a.message == b.message);
    errors
}

#[expect(
    clippy::too_many_lines,
    reason = "one arm per schema keyword reads best as a single table"
)]
fn map_error(
    schema: &Value,
    noun: &str,
    document: &Document<'_>,
    error: &ValidationError<'_>,
    out: &mut Vec<SchemaError>,
) {
    let path: Vec<Segment<'_>> = error
        .instance_path()
        .iter()
        .map(|segment| match segment {
            LocationSegment::Property(p) => Segment::Key(Cow::Owned(p.into_owned())),
            LocationSegment::Index(i) => Segment::Index(i),
        })
        .collect();
    let name = display_name(&path);
    let node_schema = schema_at(schema, &path);
    let description = node_schema
        .and_then(|s| s.get("description"))
        .and_then(Value::as_str);
    let value_range = document
        .locate(&path)
        .map_or_else(|| document.table_anchor(&[]), |node| node.value);
    let found = describe_found(error.instance());

    let invalid = |message: String, help: Option<String>| SchemaError {
        kind: SchemaErrorKind::InvalidValue,
        message,
        help,
        range: value_range,
    };
    let described = || description.map(str::to_owned);

    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().unwrap_or_default();
            let property_description = node_schema
                .and_then(|s| property_schema(schema, s, property))
                .and_then(|s| s.get("description"))
                .and_then(Value::as_str);
            let what = if path.is_empty() {
                noun.to_owned()
            } else {
                name.clone()
            };
            out.push(SchemaError {
                kind: SchemaErrorKind::MissingKey,
                message: format!("missing required key `{property}` in {what}"),
                help: Some(match property_description {
                    Some(d) => format!("add `{property}`: {d}"),
                    None => format!("add `{property}`"),
                }),
                range: document.table_anchor(&path),
            });
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed: Vec<&str> = node_schema
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            for key in unexpected {
                let mut key_path = path.clone();
                key_path.push(Segment::Key(Cow::Borrowed(key.as_str())));
                let range = document
                    .locate(&key_path)
                    .and_then(|node| node.key)
                    .unwrap_or(value_range);
                let help = match closest(key, allowed.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("allowed keys here: {}", backticked(allowed.iter())),
                };
                out.push(SchemaError {
                    kind: SchemaErrorKind::UnknownKey,
                    message: format!("unknown key `{key}`"),
                    help: Some(help),
                    range,
                });
            }
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => article(&t.to_string()),
                TypeKind::Multiple(set) => {
                    let names: Vec<String> = set.iter().map(|t| t.to_string()).collect();
                    names.join(" or ")
                }
            };
            out.push(invalid(
                format!("{name} must be {expected}, found {found}"),
                described(),
            ));
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<&str> = options
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let help = error
                .instance()
                .as_str()
                .and_then(|v| closest(v, allowed.iter().copied()))
                .map_or_else(described, |best| Some(format!("did you mean `{best}`?")));
            out.push(invalid(
                format!(
                    "{name} must be one of {}, found {found}",
                    backticked(allowed.iter())
                ),
                help,
            ));
        }
        ValidationErrorKind::Contains if is_options(&path) => {
            let range = document
                .locate(&path)
                .and_then(|node| node.key)
                .unwrap_or(value_range);
            out.push(SchemaError {
                kind: SchemaErrorKind::InvalidValue,
                message: "no option is marked as the key".to_owned(),
                help: Some("add `correct = true` to the option(s) that answer the item".to_owned()),
                range,
            });
        }
        ValidationErrorKind::Pattern { .. } => {
            out.push(invalid(
                format!("{name} has the wrong form: {found}"),
                described(),
            ));
        }
        ValidationErrorKind::Format { format } if format == "date" => {
            out.push(invalid(
                format!("{name} must be a date such as 2026-11-21, found {found}"),
                described(),
            ));
        }
        ValidationErrorKind::Minimum { limit } => {
            out.push(invalid(
                format!("{name} must be at least {limit}, found {found}"),
                described(),
            ));
        }
        ValidationErrorKind::Maximum { limit } => {
            out.push(invalid(
                format!("{name} must be at most {limit}, found {found}"),
                described(),
            ));
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            out.push(invalid(
                format!("{name} must be greater than {limit}, found {found}"),
                described(),
            ));
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            out.push(invalid(
                format!("{name} must be less than {limit}, found {found}"),
                described(),
            ));
        }
        ValidationErrorKind::MinLength { limit } => {
            let message = if *limit == 1 {
                format!("{name} must not be empty")
            } else {
                format!("{name} must be at least {limit} characters long")
            };
            out.push(invalid(message, described()));
        }
        ValidationErrorKind::MaxLength { limit } => {
            out.push(invalid(
                format!("{name} is longer than {limit} characters"),
                described(),
            ));
        }
        ValidationErrorKind::MinItems { limit } => {
            let count = error.instance().as_array().map_or(0, Vec::len);
            out.push(invalid(
                format!("{name} needs at least {limit} entries, found {count}"),
                described(),
            ));
        }
        ValidationErrorKind::MaxItems { limit } => {
            let count = error.instance().as_array().map_or(0, Vec::len);
            out.push(invalid(
                format!("{name} allows at most {limit} entries, found {count}"),
                described(),
            ));
        }
        ValidationErrorKind::UniqueItems => {
            out.push(invalid(
                format!("{name} lists the same value more than once"),
                Some("remove the repeated entries".to_owned()),
            ));
        }
        _ => {
            out.push(invalid(
                format!("{name} is invalid: {}", error.masked()),
                described(),
            ));
        }
    }
}

fn is_options(path: &[Segment<'_>]) -> bool {
    matches!(path, [Segment::Key(k)] if k == "options")
}

/// A path as an item writer reads it: `stem`, `text` of option B, `exhibits[2].alt`.
fn display_name(path: &[Segment<'_>]) -> String {
    if let [Segment::Key(options), Segment::Index(i), rest @ ..] = path
        && options == "options"
    {
        let label = option_label(*i);
        return match rest {
            [] => format!("option {label}"),
            _ => format!("{} of option {label}", display_name(rest)),
        };
    }
    let mut name = String::from("`");
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if name.len() > 1 {
                    name.push('.');
                }
                name.push_str(key);
            }
            Segment::Index(i) => {
                let _ = write!(name, "[{i}]");
            }
        }
    }
    name.push('`');
    name
}

/// The label of the option at `index`: A, B, ... Z, then numbers.
pub fn option_label(index: usize) -> String {
    u8::try_from(index).ok().filter(|i| *i < 26).map_or_else(
        || (index + 1).to_string(),
        |i| char::from(b'A' + i).to_string(),
    )
}

fn describe_found(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_owned(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::String(s) => {
            let mut shown: String = s.chars().take(40).collect();
            if shown.len() < s.len() {
                shown.push('…');
            }
            format!("{shown:?}")
        }
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "a table".to_owned(),
    }
}

fn article(json_type: &str) -> String {
    match json_type {
        "object" => "a table".to_owned(),
        "array" => "an array".to_owned(),
        "integer" => "an integer".to_owned(),
        other => format!("a {other}"),
    }
}

fn backticked<'s>(values: impl Iterator<Item = &'s &'s str>) -> String {
    values
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The allowed value closest to `given`, if it is close enough to be a likely typo.
fn closest<'s>(given: &str, allowed: impl Iterator<Item = &'s str>) -> Option<&'s str> {
    allowed
        .map(|candidate| (strsim::jaro_winkler(given, candidate), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// The schema that describes the node at `path`, following `properties`, `items` and local `$ref`s.
fn schema_at<'s>(root: &'s Value, path: &[Segment<'_>]) -> Option<&'s Value> {
    let mut node = resolve(root, root)?;
    for segment in path {
        node = match segment {
            Segment::Key(key) => property_schema(root, node, key)?,
            Segment::Index(_) => resolve(root, node.get("items")?)?,
        };
    }
    Some(node)
}

fn property_schema<'s>(root: &'s Value, node: &'s Value, key: &str) -> Option<&'s Value> {
    resolve(root, node.get("properties")?.get(key)?)
}

fn resolve<'s>(root: &'s Value, node: &'s Value) -> Option<&'s Value> {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => root.pointer(reference.strip_prefix('#')?),
        None => Some(node),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn errors(kind: SchemaKind, text: &str) -> Vec<(SchemaErrorKind, String, String)> {
        let document = Document::parse(text).unwrap();
        let json = document.to_json().unwrap();
        validate(kind, &document, &json)
            .into_iter()
            .map(|e| (e.kind, e.message, text[e.range.to_range()].to_owned()))
            .collect()
    }

    /// A minimal valid item, for the schema's tests and the tree check's.
    pub(crate) const VALID: &str = r#"id = "Q-1"
exam = "cism"
domain = "1"
type = "single"
status = "draft"
stem = "Which?"
authors = ["a"]
created = 2026-01-02

[[options]]
text = "x"
correct = true

[[options]]
text = "y"
"#;

    #[test]
    fn a_valid_item_has_no_errors() {
        assert!(errors(SchemaKind::Item, VALID).is_empty());
    }

    #[test]
    fn repeated_tags_are_an_error_and_distinct_ones_are_not() {
        let with = |tags: &str| VALID.replace("authors = ", &format!("tags = {tags}\nauthors = "));
        assert!(errors(SchemaKind::Item, &with(r#"["bia", "rto", "rpo"]"#)).is_empty());
        let found = errors(SchemaKind::Item, &with(r#"["bia", "rto", "bia"]"#));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, SchemaErrorKind::InvalidValue);
        assert_eq!(found[0].2, r#"["bia", "rto", "bia"]"#);
    }

    /// A reference may have 500 characters. Written with CRLF line ends, one of exactly 500 has
    /// a CR more per line in the file, but reads with LF ones, as everywhere else.
    #[test]
    fn lengths_count_crlf_line_ends_as_lf() {
        let at_limit = format!("{}\r\n{}", "a".repeat(250), "b".repeat(249));
        let text = VALID.replace('\n', "\r\n").replace(
            "authors = ",
            &format!("references = [\"\"\"{at_limit}\"\"\"]\r\nauthors = "),
        );
        assert!(errors(SchemaKind::Item, &text).is_empty());
        let over = text.replace("\r\nb", "\r\nbb");
        let found = errors(SchemaKind::Item, &over);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, SchemaErrorKind::InvalidValue);
    }

    #[test]
    fn unknown_key_points_at_the_key_and_suggests() {
        let text = VALID.replace("stem = ", "stme = \"?\"\nstem = ");
        let found = errors(SchemaKind::Item, &text);
        assert_eq!(
            found,
            vec![(
                SchemaErrorKind::UnknownKey,
                "unknown key `stme`".to_owned(),
                "stme".to_owned()
            )]
        );
    }

    #[test]
    fn missing_key_in_an_option_points_at_its_header() {
        let text = VALID.replace("text = \"y\"", "feedback = \"y\"");
        let found = errors(SchemaKind::Item, &text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, SchemaErrorKind::MissingKey);
        assert_eq!(found[0].1, "missing required key `text` in option B");
        assert_eq!(found[0].2, "[[options]]");
    }

    #[test]
    fn enum_and_range_errors_point_at_values() {
        let text = VALID
            .replace("\"draft\"", "\"aproved\"")
            .replace("domain = \"1\"", "domain = \"1\"\ndifficulty = 7");
        let found = errors(SchemaKind::Item, &text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].2, "7");
        assert_eq!(found[0].1, "`difficulty` must be at most 5, found `7`");
        assert_eq!(found[1].2, "\"aproved\"");
    }

    #[test]
    fn quoted_dates_and_keyless_options_are_caught() {
        let text = VALID
            .replace("created = 2026-01-02", "created = \"2026-01-02\"")
            .replace("correct = true\n", "");
        let found = errors(SchemaKind::Item, &text);
        let messages: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`created` must be a TOML date, not a string",
                "no option is marked as the key"
            ]
        );
    }

    #[test]
    fn option_labels() {
        assert_eq!(option_label(0), "A");
        assert_eq!(option_label(25), "Z");
        assert_eq!(option_label(26), "27");
    }
}
