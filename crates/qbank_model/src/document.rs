//! A parsed TOML document that remembers where every key and value came from.

use std::borrow::Cow;

use qbank_diagnostics::TextRange;
use serde_json::{Map, Number, Value};
use toml::de::DeTable;

use crate::tree::{self, Table, Value as TomlValue, ValueKind};

/// A TOML syntax error with the range it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// The parser's message, lowercase.
    pub message: String,
    /// Where the parser stopped.
    pub range: TextRange,
}

/// A value that TOML allows but JSON (and so the schema) cannot hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError {
    /// What is wrong with the value.
    pub message: String,
    /// The value's range.
    pub range: TextRange,
}

/// One step of a path into a document: a table key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment<'p> {
    /// A key of a table.
    Key(Cow<'p, str>),
    /// An index into an array.
    Index(usize),
}

/// Where a node of the document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    /// The key that names the node, when it is a table entry.
    pub key: Option<TextRange>,
    /// The value: for a `[[table]]` element, its header.
    pub value: TextRange,
}

/// A TOML document parsed with the range of every key and value.
pub struct Document<'a> {
    text: &'a str,
    root: Table<'a>,
}

impl<'a> Document<'a> {
    /// Parses `text`, collecting every syntax error the parser can recover from.
    pub fn parse(text: &'a str) -> Result<Self, Vec<SyntaxError>> {
        match tree::parse(text) {
            Some(root) => Ok(Self { text, root }),
            None => Self::parse_with_toml(text),
        }
    }

    /// Parses `text` with `toml`'s own document builder, as [`Document::parse`] does for what
    /// its faster builder leaves to `toml`; both give the same document and errors, which the
    /// fuzz targets check.
    pub fn parse_with_toml(text: &'a str) -> Result<Self, Vec<SyntaxError>> {
        let (root, errors) = DeTable::parse_recoverable(text);
        if errors.is_empty() {
            return Ok(Self {
                text,
                root: tree::from_de(root.get_ref()),
            });
        }
        Err(errors
            .into_iter()
            .map(|error| {
                let range = error.span().map_or(TextRange::empty(0), |span| {
                    TextRange::new(span.start, span.end)
                });
                SyntaxError {
                    message: error.message().trim_end_matches('\n').to_owned(),
                    range,
                }
            })
            .collect())
    }

    /// The source text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The top-level table.
    pub fn root(&self) -> &Table<'a> {
        &self.root
    }

    /// The document as JSON for schema validation. Dates and times become strings in RFC 3339
    /// form, so the schema can require `format: date`. A line end inside a multi-line string
    /// is LF in the value, also where the file has CRLF (TOML leaves that choice to the
    /// reader): a bank checked out with Windows line ends reads as it does elsewhere. Errors
    /// come in the order of their ranges in the file.
    pub fn to_json(&self) -> Result<Value, Vec<ValueError>> {
        let mut errors = Vec::new();
        let value = table_to_json(self.text, &self.root, &mut errors);
        if errors.is_empty() {
            Ok(value)
        } else {
            errors.sort_by_key(|error| (error.range.start, error.range.end));
            Err(errors)
        }
    }

    /// Finds the node at `path`.
    pub fn locate(&self, path: &[Segment<'_>]) -> Option<Node> {
        // The top-level table has no range of its own.
        let mut node = Node {
            key: None,
            value: TextRange::empty(0),
        };
        let mut current: Option<&TomlValue<'a>> = None;
        for segment in path {
            match segment {
                Segment::Key(key) => {
                    let table = match current {
                        None => &self.root,
                        Some(value) => value.as_table()?,
                    };
                    let (k, v) = table.get_key_value(key.as_ref())?;
                    node = Node {
                        key: Some(k.range),
                        value: v.range,
                    };
                    current = Some(v);
                }
                Segment::Index(index) => {
                    let element = current?.as_array()?.get(*index)?;
                    node = Node {
                        key: None,
                        value: element.range,
                    };
                    current = Some(element);
                }
            }
        }
        Some(node)
    }

    /// The range to point at for a table that lacks a key: the table's header or inline braces,
    /// and for the top-level table its first entry (the whole file would be unreadable).
    pub fn table_anchor(&self, path: &[Segment<'_>]) -> TextRange {
        if let Some(node) = (!path.is_empty()).then(|| self.locate(path)).flatten() {
            return node.value;
        }
        self.root
            .iter()
            .map(|(key, value)| {
                if value.range.start >= key.range.start {
                    TextRange::new(key.range.start as usize, value.range.end as usize)
                } else {
                    key.range
                }
            })
            .min_by_key(|range| range.start)
            .unwrap_or(TextRange::empty(0))
    }
}

fn table_to_json(text: &str, table: &Table<'_>, errors: &mut Vec<ValueError>) -> Value {
    let mut map = Map::new();
    for (key, value) in table.iter() {
        map.insert(key.name.to_string(), value_to_json(text, value, errors));
    }
    Value::Object(map)
}

/// A multi-line string written with CRLF line ends, decoded with LF ones: `raw` is the string
/// as written, quotes included. A CR byte in a TOML string can only be part of a line end
/// (escapes such as `\r` are written without one), so replacing CRLF in the written form
/// changes the line ends and nothing else.
fn with_lf_line_ends(raw: &str) -> Option<String> {
    if !(raw.starts_with("\"\"\"") || raw.starts_with("\'\'\'")) || !raw.contains('\r') {
        return None;
    }
    let written = format!("v = {}", raw.replace("\r\n", "\n"));
    let document = Document::parse(&written).ok()?;
    document.root().get("v")?.as_str().map(str::to_owned)
}

fn value_to_json(text: &str, value: &TomlValue<'_>, errors: &mut Vec<ValueError>) -> Value {
    match &value.kind {
        ValueKind::String(s) => {
            // Only a string that holds a CR can have been written with CRLF line ends.
            let lf = s
                .contains('\r')
                .then(|| text.get(value.range.to_range()))
                .flatten();
            Value::String(
                lf.and_then(with_lf_line_ends)
                    .unwrap_or_else(|| s.to_string()),
            )
        }
        ValueKind::Integer { digits, radix } => {
            if let Some(n) = parse_integer(digits, *radix) {
                Value::Number(n.into())
            } else {
                errors.push(ValueError {
                    message: format!("integer `{digits}` does not fit in 64 bits"),
                    range: value.range,
                });
                Value::Null
            }
        }
        ValueKind::Float(f) => {
            let number = f.replace('_', "").parse::<f64>().ok();
            if let Some(n) = number.and_then(Number::from_f64) {
                Value::Number(n)
            } else {
                errors.push(ValueError {
                    message: format!("float `{f}` is not a finite number"),
                    range: value.range,
                });
                Value::Null
            }
        }
        ValueKind::Boolean(b) => Value::Bool(*b),
        ValueKind::Datetime(datetime) => Value::String(datetime.to_string()),
        ValueKind::Array(array) => Value::Array(
            array
                .iter()
                .map(|v| value_to_json(text, v, errors))
                .collect(),
        ),
        ValueKind::Table(table) => table_to_json(text, table, errors),
    }
}

/// Parses a TOML integer's digits (sign included for decimal) in `radix`.
pub(crate) fn parse_integer(digits: &str, radix: u32) -> Option<i64> {
    let digits = digits.replace('_', "");
    let digits = match radix {
        16 => digits.trim_start_matches("0x"),
        8 => digits.trim_start_matches("0o"),
        2 => digits.trim_start_matches("0b"),
        _ => digits.as_str(),
    };
    i64::from_str_radix(digits.trim_start_matches('+'), radix).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_inside_multi_line_strings_read_as_lf() {
        let text =
            "a = \"\"\"\r\nOne\r\ntwo\\r\\n\"\"\"\r\nb = '''\r\nx\r\ny'''\r\nc = \"p\\r\\nq\"\r\n";
        let json = Document::parse(text).unwrap().to_json().unwrap();
        // Written CRLF line ends read as LF; escaped ones are kept.
        assert_eq!(json["a"], "One\ntwo\r\n");
        assert_eq!(json["b"], "x\ny");
        assert_eq!(json["c"], "p\r\nq");
        let lf = Document::parse(&text.replace("\r\n", "\n"))
            .unwrap()
            .to_json()
            .unwrap();
        assert_eq!(json, lf);
    }

    #[test]
    fn locates_keys_values_and_array_tables() {
        let text = "id = \"Q-1\"\n\n[[options]]\ntext = \"a\"\n\n[[options]]\ntext = \"b\"\n";
        let document = Document::parse(text).unwrap();
        let id = document.locate(&[Segment::Key("id".into())]).unwrap();
        assert_eq!(&text[id.key.unwrap().to_range()], "id");
        assert_eq!(&text[id.value.to_range()], "\"Q-1\"");
        let second = document
            .locate(&[Segment::Key("options".into()), Segment::Index(1)])
            .unwrap();
        assert_eq!(&text[second.value.to_range()], "[[options]]");
        assert!(second.value.start > 20);
        let text_b = document
            .locate(&[
                Segment::Key("options".into()),
                Segment::Index(1),
                Segment::Key("text".into()),
            ])
            .unwrap();
        assert_eq!(&text[text_b.value.to_range()], "\"b\"");
    }

    #[test]
    fn converts_to_json_with_dates_as_strings() {
        let text = "a = 0x1F\nb = 1_000\nc = 2026-11-21\nd = [1.5, true]\n";
        let json = Document::parse(text).unwrap().to_json().unwrap();
        assert_eq!(
            json,
            serde_json::json!({"a": 31, "b": 1000, "c": "2026-11-21", "d": [1.5, true]})
        );
    }

    #[test]
    fn oversized_integers_and_infinities_are_errors() {
        let text = "b = 99999999999999999999\na = inf\n";
        let errors = Document::parse(text).unwrap().to_json().unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].message.contains("64 bits"));
        assert_eq!(&text[errors[1].range.to_range()], "inf");
    }

    #[test]
    fn syntax_errors_have_ranges() {
        let errors = Document::parse("a = 1\na = 2\n").err().unwrap();
        assert_eq!(errors[0].message, "duplicate key");
        assert_eq!(errors[0].range, TextRange::new(6, 7));
    }

    #[test]
    fn root_anchor_is_the_first_entry() {
        let text = "#:schema x\nid = \"Q\"\nexam = \"e\"\n";
        let document = Document::parse(text).unwrap();
        assert_eq!(&text[document.table_anchor(&[]).to_range()], "id = \"Q\"");
    }
}
