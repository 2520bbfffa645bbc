//! Whether a document conforms to a schema, decided on the TOML tree itself.
//!
//! Validating a file with `jsonschema` first needs its JSON form: every key and string copied
//! into a `serde_json::Value`, about fifty allocations for an item. Almost every file of a bank
//! is valid, and for those the answer is all that is needed. [`Conformance`] compiles the
//! keywords a bank's schemas use (types, `enum`, `const`, lengths, `pattern`, the `date`
//! format, bounds, `items`, `contains`, `uniqueItems`, `properties`, `required`,
//! `additionalProperties: false` and local `$ref`s) and checks the tree against them, with
//! the same meaning as on the JSON form.
//!
//! It only ever answers "valid" when `jsonschema` would: a value it cannot judge exactly (a
//! float, a string with a carriage return, whose JSON form has LF line ends) makes it answer
//! "not known", and the caller validates the JSON form as before, which also finds the errors
//! to report. A schema with a keyword it does not know does not compile, and then every file
//! takes that path. The tests and the `item_lint` fuzz target compare both answers.

use std::borrow::Cow;

use regex::Regex;
use serde_json::{Map, Value};

use crate::document::parse_integer;
use crate::tree::{self, Table, ValueKind};

/// A schema compiled for [`Conformance::conforms`].
#[derive(Debug)]
pub(crate) struct Conformance {
    root: Node,
}

impl Conformance {
    /// Compiles `schema`, or `None` when it uses a keyword or form this check does not cover.
    pub(crate) fn compile(schema: &Value) -> Option<Self> {
        Some(Self {
            root: Node::compile(schema, schema, 0)?,
        })
    }

    /// Whether the document whose root is `table` is valid against the schema. `false` means
    /// invalid or not known.
    pub(crate) fn conforms(&self, table: &Table<'_>) -> bool {
        self.root.object(table)
    }
}

/// JSON types a node accepts, as bits; none set means any.
const STRING: u8 = 1;
const INTEGER: u8 = 2;
const BOOLEAN: u8 = 4;
const ARRAY: u8 = 8;
const OBJECT: u8 = 16;

/// How deep local `$ref`s may nest: a bank's schemas need two levels; a cycle stops here.
const MAX_DEPTH: usize = 16;

/// Keywords that do not constrain a value.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "$comment",
    "title",
    "description",
    "examples",
    "default",
    "markdownDescription",
];

#[derive(Debug, Default)]
struct Node {
    types: u8,
    enumeration: Option<Vec<String>>,
    constant: Option<bool>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    pattern: Option<Regex>,
    date: bool,
    minimum: Option<i64>,
    maximum: Option<i64>,
    items: Option<Box<Node>>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    unique: bool,
    contains: Option<Box<Node>>,
    min_contains: Option<usize>,
    properties: Vec<(String, Node)>,
    required: Vec<String>,
    closed: bool,
}

impl Node {
    fn compile(root: &Value, schema: &Value, depth: usize) -> Option<Self> {
        if depth > MAX_DEPTH {
            return None;
        }
        let schema = schema.as_object()?;
        if let Some(reference) = schema.get("$ref") {
            // Beside `$ref`, only annotations.
            if schema
                .keys()
                .any(|k| k != "$ref" && !ANNOTATIONS.contains(&k.as_str()))
            {
                return None;
            }
            let target = root.pointer(reference.as_str()?.strip_prefix('#')?)?;
            return Self::compile(root, target, depth + 1);
        }
        let mut node = Self::default();
        for (keyword, value) in schema {
            match keyword.as_str() {
                "type" => node.types = types(value)?,
                "enum" => {
                    let values = value.as_array()?;
                    node.enumeration = Some(
                        values
                            .iter()
                            .map(|v| v.as_str().map(str::to_owned))
                            .collect::<Option<_>>()?,
                    );
                }
                "const" => node.constant = Some(value.as_bool()?),
                "minLength" => node.min_length = Some(count(value)?),
                "maxLength" => node.max_length = Some(count(value)?),
                "pattern" => node.pattern = Some(pattern(value.as_str()?)?),
                "format" => match value.as_str()? {
                    "date" => node.date = true,
                    _ => return None,
                },
                "minimum" => node.minimum = Some(value.as_i64()?),
                "maximum" => node.maximum = Some(value.as_i64()?),
                "items" => node.items = Some(Box::new(Self::compile(root, value, depth + 1)?)),
                "minItems" => node.min_items = Some(count(value)?),
                "maxItems" => node.max_items = Some(count(value)?),
                "uniqueItems" => node.unique = value.as_bool()?,
                "contains" => {
                    node.contains = Some(Box::new(Self::compile(root, value, depth + 1)?));
                }
                "minContains" => node.min_contains = Some(count(value)?),
                "properties" => {
                    node.properties = properties(root, value.as_object()?, depth)?;
                }
                "required" => {
                    node.required = value
                        .as_array()?
                        .iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect::<Option<_>>()?;
                }
                "additionalProperties" => node.closed = !value.as_bool()?,
                // An `$id` below the root changes how `jsonschema` resolves references.
                "$id" | "$schema" if depth > 0 => return None,
                other if ANNOTATIONS.contains(&other) => {}
                _ => return None,
            }
        }
        Some(node)
    }

    /// Whether `value` is valid against this node; `false` when it is not, or when its JSON
    /// form is not known exactly.
    fn value(&self, value: &tree::Value<'_>) -> bool {
        match &value.kind {
            // The JSON form of a string with a CR has LF line ends where the file had CRLF.
            ValueKind::String(text) => !text.contains('\r') && self.string(text),
            ValueKind::Integer { digits, radix } => {
                parse_integer(digits, *radix).is_some_and(|n| self.integer(n))
            }
            ValueKind::Boolean(b) => self.boolean(*b),
            // The JSON form of a date-time is its TOML text, which a string node of the schema
            // accepts as any other. Judged only where the schema asks for a date: elsewhere
            // the typed item reads strings only, and a date in a text field must go the way
            // of the JSON form, whose text the item takes.
            ValueKind::Datetime(datetime) if self.date => match date_text(datetime) {
                Some(text) => self.string(std::str::from_utf8(&text).unwrap_or_default()),
                None => self.string(&datetime.to_string()),
            },
            ValueKind::Float(_) | ValueKind::Datetime(_) => false,
            ValueKind::Array(values) => self.array(values),
            ValueKind::Table(table) => self.object(table),
        }
    }

    /// The checks every value takes: its type, `enum` and `const`. `text` is the value when
    /// it is a string.
    fn accepts(&self, kind: u8, text: Option<&str>, boolean: Option<bool>) -> bool {
        (self.types == 0 || self.types & kind != 0)
            && self
                .enumeration
                .as_ref()
                .is_none_or(|values| text.is_some_and(|t| values.iter().any(|v| v == t)))
            && self.constant.is_none_or(|c| boolean == Some(c))
    }

    fn string(&self, text: &str) -> bool {
        if !self.accepts(STRING, Some(text), None) {
            return false;
        }
        // JSON Schema counts characters (code points), not bytes. A UTF-8 text of `n` bytes
        // has between `n / 4` (rounded up) and `n` characters, which settles most texts
        // without counting.
        let (fewest, most) = (text.len().div_ceil(4), text.len());
        if self.min_length.is_some_and(|min| fewest < min)
            || self.max_length.is_some_and(|max| most > max)
        {
            let length = text.chars().count();
            if self.min_length.is_some_and(|min| length < min)
                || self.max_length.is_some_and(|max| length > max)
            {
                return false;
            }
        }
        self.pattern.as_ref().is_none_or(|p| p.is_match(text)) && (!self.date || is_date(text))
    }

    fn integer(&self, n: i64) -> bool {
        self.accepts(INTEGER, None, None)
            && self.minimum.is_none_or(|min| n >= min)
            && self.maximum.is_none_or(|max| n <= max)
    }

    fn boolean(&self, b: bool) -> bool {
        self.accepts(BOOLEAN, None, Some(b))
    }

    fn array(&self, values: &[tree::Value<'_>]) -> bool {
        if !self.accepts(ARRAY, None, None)
            || self.min_items.is_some_and(|min| values.len() < min)
            || self.max_items.is_some_and(|max| values.len() > max)
        {
            return false;
        }
        if let Some(items) = &self.items
            && !values.iter().all(|v| items.value(v))
        {
            return false;
        }
        if let Some(contains) = &self.contains {
            let needed = self.min_contains.unwrap_or(1);
            // `minContains: 0` accepts any array; otherwise count the matches until enough.
            if needed > 0
                && values
                    .iter()
                    .filter(|v| contains.value(v))
                    .take(needed)
                    .count()
                    < needed
            {
                return false;
            }
        }
        !self.unique || all_distinct(values)
    }

    fn object(&self, table: &Table<'_>) -> bool {
        if !self.accepts(OBJECT, None, None)
            || !self.required.iter().all(|key| table.get(key).is_some())
        {
            return false;
        }
        // A linear search: names of other lengths are passed over without reading them,
        // which makes it cheaper here than a binary search over the sorted names.
        table.iter().all(|(key, value)| {
            match self.properties.iter().find(|(name, _)| *name == key.name) {
                Some((_, node)) => node.value(value),
                None => !self.closed,
            }
        })
    }
}

fn types(value: &Value) -> Option<u8> {
    let one = |name: &str| match name {
        "string" => Some(STRING),
        "integer" => Some(INTEGER),
        "boolean" => Some(BOOLEAN),
        "array" => Some(ARRAY),
        "object" => Some(OBJECT),
        // "number" would take floats, and "null" has no TOML form: neither is judged here.
        _ => None,
    };
    match value {
        Value::String(name) => one(name),
        Value::Array(names) => names
            .iter()
            .try_fold(0, |bits, name| Some(bits | one(name.as_str()?)?)),
        _ => None,
    }
}

fn count(value: &Value) -> Option<usize> {
    usize::try_from(value.as_u64()?).ok()
}

fn properties(root: &Value, map: &Map<String, Value>, depth: usize) -> Option<Vec<(String, Node)>> {
    map.iter()
        .map(|(name, schema)| Some((name.clone(), Node::compile(root, schema, depth + 1)?)))
        .collect()
}

/// A `pattern` whose meaning is the same under ECMA-262, which JSON Schema specifies, and the
/// `regex` crate: ASCII literals, classes, groups, alternation, anchors and quantifiers. A
/// backslash (`\d` and `\w` differ between them), a `.` outside a class (ECMA's excludes
/// more line ends) or a `(?` group is not compiled.
fn pattern(source: &str) -> Option<Regex> {
    let mut in_class = false;
    let mut previous = '\0';
    for c in source.chars() {
        let allowed = match c {
            '\\' => false,
            // A class inside a class is escaped by `jsonschema` and not by `regex`.
            '[' if in_class => false,
            '[' => {
                in_class = true;
                true
            }
            ']' => {
                in_class = false;
                true
            }
            '.' => in_class,
            '?' => previous != '(',
            c if c.is_ascii_alphanumeric() => true,
            '^' | '$' | '(' | ')' | '+' | '*' | '-' | '|' | '{' | '}' | ',' | '_' | ' ' => true,
            _ => false,
        };
        if !allowed {
            return None;
        }
        previous = c;
    }
    Regex::new(source).ok()
}

/// The text of a local date (`YYYY-MM-DD`, as `Datetime`'s `Display` writes it) without
/// formatting machinery; `None` for a date-time with a time or an offset.
fn date_text(datetime: &toml::value::Datetime) -> Option<[u8; 10]> {
    let date = datetime
        .date
        .filter(|_| datetime.time.is_none() && datetime.offset.is_none())?;
    let mut text = *b"0000-00-00";
    let digits = |out: &mut [u8], mut n: u32| {
        for byte in out.iter_mut().rev() {
            *byte = b'0' + u8::try_from(n % 10).unwrap_or(0);
            n /= 10;
        }
        n == 0
    };
    let fits = digits(&mut text[0..4], u32::from(date.year))
        && digits(&mut text[5..7], u32::from(date.month))
        && digits(&mut text[8..10], u32::from(date.day));
    fits.then_some(text)
}

/// RFC 3339 `full-date`, as the `date` format defines it: `YYYY-MM-DD`, a real day.
fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let last = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=last).contains(&day)
}

/// The JSON form of a value that [`all_distinct`] compares.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Scalar<'a> {
    Boolean(bool),
    Integer(i64),
    String(Cow<'a, str>),
}

/// Whether no two of `values` are equal in their JSON form. Arrays and tables, floats and
/// strings with a CR are not compared here: such an array counts as not distinct, and the
/// JSON form decides.
fn all_distinct(values: &[tree::Value<'_>]) -> bool {
    let scalars: Option<Vec<Scalar<'_>>> = values
        .iter()
        .map(|value| match &value.kind {
            ValueKind::String(text) if !text.contains('\r') => {
                Some(Scalar::String(Cow::Borrowed(text.as_ref())))
            }
            ValueKind::Datetime(datetime) => Some(Scalar::String(Cow::Owned(datetime.to_string()))),
            ValueKind::Integer { digits, radix } => {
                parse_integer(digits, *radix).map(Scalar::Integer)
            }
            ValueKind::Boolean(b) => Some(Scalar::Boolean(*b)),
            _ => None,
        })
        .collect();
    let Some(mut scalars) = scalars else {
        return false;
    };
    scalars.sort_unstable();
    scalars.windows(2).all(|pair| pair[0] != pair[1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Document;
    use crate::schema::SchemaKind;
    use crate::schema::tests::VALID;

    /// Items, thousands to a bank, are checked on the tree; blueprints have weights (floats,
    /// JSON numbers) and stay with `jsonschema`.
    #[test]
    fn which_bank_schemas_compile() {
        let compiles = |kind: SchemaKind| {
            let schema: Value = serde_json::from_str(kind.source()).unwrap();
            Conformance::compile(&schema).is_some()
        };
        assert!(compiles(SchemaKind::Item));
        assert!(compiles(SchemaKind::Concepts));
        assert!(compiles(SchemaKind::Allowlist));
        assert!(!compiles(SchemaKind::Blueprint));
    }

    #[test]
    fn unknown_keywords_and_unsafe_patterns_do_not_compile() {
        let compile = |schema: Value| Conformance::compile(&schema).is_some();
        assert!(compile(serde_json::json!({"type": "object"})));
        assert!(!compile(serde_json::json!({"type": "object", "oneOf": []})));
        assert!(!compile(serde_json::json!({"type": "number"})));
        assert!(!compile(serde_json::json!({"format": "email"})));
        for unsafe_pattern in [r"^\d+$", "^a.b$", "^(?i)a$", "^(?=a)", "^é$", "^[[a]]$"] {
            assert!(
                !compile(serde_json::json!({"pattern": unsafe_pattern})),
                "{unsafe_pattern}"
            );
        }
        assert!(compile(
            serde_json::json!({"pattern": "^[A-Za-z0-9.]+(-[a-z]+)*$"})
        ));
        // An `$id` below the root would change what `jsonschema` resolves references against.
        assert!(!compile(
            serde_json::json!({"properties": {"a": {"$id": "x", "type": "string"}}})
        ));
        // A `$ref` cycle stops at the depth limit.
        assert!(!compile(serde_json::json!({"$ref": "#"})));
    }

    /// The date text built by hand is `Datetime`'s own, which the JSON form uses.
    #[test]
    fn date_text_is_the_toml_text() {
        for written in ["2026-01-02", "0999-12-31", "0001-01-01", "9999-09-09"] {
            let text = format!("d = {written}");
            let document = Document::parse(&text).unwrap();
            let datetime = document.root().get("d").unwrap().as_datetime().unwrap();
            let built = date_text(datetime).unwrap();
            assert_eq!(std::str::from_utf8(&built).unwrap(), datetime.to_string());
            assert_eq!(datetime.to_string(), written);
        }
        let document = Document::parse("d = 2026-01-02T10:00:00").unwrap();
        let datetime = document.root().get("d").unwrap().as_datetime().unwrap();
        assert_eq!(date_text(datetime), None);
    }

    #[test]
    fn dates_are_real_days() {
        for good in ["2024-02-29", "2000-02-29", "2023-12-31", "0001-01-01"] {
            assert!(is_date(good), "{good}");
        }
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2023-04-31",
            "2023-13-01",
            "2023-00-10",
            "2023-01-00",
            "2023-1-01",
            "2023/01/01",
            "２０２３-01-01",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    fn item_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                item_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }

    /// Every item of the bundled bank is valid, and the tree check says so without the JSON
    /// form; the item it reads is the one the JSON form gives.
    #[test]
    fn the_bundled_bank_passes_on_the_tree() {
        let mut files = Vec::new();
        item_files(std::path::Path::new("../../bank/items"), &mut files);
        assert!(files.len() >= 40, "{} item files", files.len());
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let document = Document::parse(&text).unwrap();
            assert!(
                crate::schema::conforms(SchemaKind::Item, &document),
                "{}",
                path.display()
            );
            let json = document.to_json().unwrap();
            assert!(crate::schema::validate(SchemaKind::Item, &document, &json).is_empty());
            assert_eq!(
                crate::Item::from_document(&document, None),
                crate::Item::from_document(&document, Some(json)),
                "{}",
                path.display()
            );
        }
    }

    /// Items and whether `jsonschema` accepts them (`None`: a date the TOML parser may refuse).
    /// The tree check must agree with it on every case it can judge (see `agrees_with_jsonschema`).
    fn cases() -> Vec<(String, Option<bool>)> {
        vec![
            (VALID.to_owned(), Some(true)),
            (VALID.replace("Q-1", "q-1"), Some(false)),
            (VALID.replace("\"1\"", "\"1 2\""), Some(false)),
            (VALID.replace("draft", "drafty"), Some(false)),
            (VALID.replace("single", "multi"), Some(false)),
            (VALID.replace("Which?", ""), Some(false)),
            (VALID.replace("Which?", "é"), Some(true)),
            (
                VALID.replace("\"y\"", &format!("\"{}\"", "é".repeat(5000))),
                Some(true),
            ),
            (
                VALID.replace("\"y\"", &format!("\"{}\"", "é".repeat(5001))),
                Some(false),
            ),
            (VALID.replace("2026-01-02", "2026-02-29"), None),
            (VALID.replace("2026-01-02", "2024-02-29"), Some(true)),
            (
                VALID.replace("2026-01-02", "2026-01-02T10:00:00"),
                Some(false),
            ),
            (VALID.replace("2026-01-02", "\"2026-01-02\""), Some(false)),
            (VALID.replace("[\"a\"]", "[\"a\", \"a\"]"), Some(false)),
            (VALID.replace("[\"a\"]", "[\"a\", \"b\"]"), Some(true)),
            (VALID.replace("[\"a\"]", "[]"), Some(false)),
            (VALID.replace("[\"a\"]", "[1]"), Some(false)),
            (
                VALID.replace("correct = true", "correct = false"),
                Some(false),
            ),
            (VALID.replace("correct = true", ""), Some(false)),
            (VALID.replace("correct = true", "correct = 1"), Some(false)),
            (VALID.replace("text = \"y\"", "txt = \"y\""), Some(false)),
            (
                VALID.replace("domain", "difficulty = 3\ndomain"),
                Some(true),
            ),
            (
                VALID.replace("domain", "difficulty = 6\ndomain"),
                Some(false),
            ),
            (
                VALID.replace("domain", "difficulty = 3.0\ndomain"),
                Some(true),
            ),
            (
                VALID.replace("domain", "shuffle = \"no\"\ndomain"),
                Some(false),
            ),
            (VALID.replace("domain", "stme = \"x\"\ndomain"), Some(false)),
            (VALID.replace("exam = \"cism\"\n", ""), Some(false)),
            (
                VALID.replace("\"Which?\"", "\"\"\"Which\r\none?\"\"\""),
                Some(true),
            ),
            (
                VALID.replace("domain", "tags = [\"a\", \"b\", \"a\"]\ndomain"),
                Some(false),
            ),
            (
                VALID.replace(
                    "domain",
                    "exhibits = [{ file = \"a.png\", alt = \"A\" }]\ndomain",
                ),
                Some(true),
            ),
            (
                VALID.replace("domain", "exhibits = [{ file = \"a.png\" }]\ndomain"),
                Some(false),
            ),
            // Dates and times where the schema wants text: valid for `jsonschema` (their JSON
            // form is a string), left to it by the tree check.
            (
                VALID.replace("\"Which?\"", "2026-01-02T10:00:00"),
                Some(true),
            ),
            (VALID.replace("\"Q-1\"", "2026-01-02"), Some(true)),
            (VALID.replace("[\"a\"]", "[2026-01-02]"), Some(true)),
            (VALID.replace("text = \"y\"", "text = 10:00:00"), Some(true)),
        ]
    }

    /// Every case is decided by both checks; where the tree check answers, it agrees with
    /// `jsonschema` on the JSON form.
    #[test]
    fn agrees_with_jsonschema() {
        for (text, expected) in cases() {
            let Ok(document) = Document::parse(&text) else {
                assert_eq!(expected, None, "does not parse:\n{text}");
                continue;
            };
            let fast = crate::schema::conforms(SchemaKind::Item, &document);
            let json = document.to_json().unwrap();
            let full = crate::schema::validate(SchemaKind::Item, &document, &json).is_empty();
            // `None`: a date the TOML parser may refuse or keep; either way both must agree.
            if let Some(expected) = expected {
                assert_eq!(full, expected, "jsonschema on:\n{text}");
            }
            assert!(
                !fast || full,
                "the tree check accepted an invalid item:\n{text}"
            );
            let judged = !text.contains('\r')
                && !text.contains("3.0")
                && !text.contains("T10:")
                && !text.contains("10:00")
                && !text.contains("= 2026-01-02\nexam")
                && !text.contains("[2026");
            if judged {
                assert_eq!(fast, full, "the tree check differs:\n{text}");
            }
            if fast {
                assert_eq!(
                    crate::Item::from_document(&document, None),
                    crate::Item::from_document(&document, Some(json)),
                    "the item reads differently from the tree:\n{text}"
                );
            }
        }
    }
}
