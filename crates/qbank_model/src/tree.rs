//! The parsed form of a TOML document: tables and values in file order, each with its range.
//!
//! [`Document::parse`](crate::Document::parse) builds the tree straight from `toml_parser`'s
//! events for the documents a bank is made of: `key = value` lines, `[name]` and `[[name]]`
//! headers of one key, and any values. Strings without escapes borrow from the text. Anything
//! else (dotted keys, headers of several keys, and every document with an error) is left to
//! `toml`'s own document builder, whose table is then converted, so that both paths give the
//! same tree and every error reads as `toml` words it.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use qbank_diagnostics::TextRange;
use toml::Spanned as TomlSpanned;
use toml::de::{DeTable, DeValue};
use toml::value::Datetime;
use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::parser::{Event, EventKind, EventReceiver, RecursionGuard, ValidateWhitespace};
use toml_parser::{ErrorSink, ParseError, Source, Span};

/// The nesting of arrays and inline tables past which `toml` reports an error, as it does.
const RECURSION_LIMIT: u32 = 80;

/// A TOML table: its entries in file order, keys unique.
#[derive(Clone, Debug, Default)]
pub struct Table<'a> {
    entries: Vec<(Key<'a>, Value<'a>)>,
    /// The position of each key, for a table of more than [`INDEXED_FROM`] entries: a file
    /// of a hundred thousand keys is read and searched in linear time, not quadratic.
    index: Option<HashMap<String, usize>>,
}

/// The size from which a table keeps an index of its keys. Items and blueprints have a few
/// dozen keys at most, which a scan finds faster than a hash.
const INDEXED_FROM: usize = 32;

impl PartialEq for Table<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

/// A table's key: its decoded name and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Key<'a> {
    /// The key, unquoted and unescaped.
    pub name: Cow<'a, str>,
    /// The key as written, quotes included.
    pub range: TextRange,
}

/// A value with its range: for a `[name]` or `[[name]]` table, its header; for an array of
/// tables, the header of its first table.
#[derive(Clone, Debug, PartialEq)]
pub struct Value<'a> {
    /// What the value is.
    pub kind: ValueKind<'a>,
    /// Where it is written.
    pub range: TextRange,
}

/// The kinds of TOML value.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind<'a> {
    /// A string, unescaped.
    String(Cow<'a, str>),
    /// An integer: its digits as written without the radix prefix's meaning applied (sign,
    /// underscores and prefix included), and the radix.
    Integer {
        /// The digits as `toml` decodes them.
        digits: Cow<'a, str>,
        /// 2, 8, 10 or 16.
        radix: u32,
    },
    /// A float as written (underscores included), or `inf`/`nan` with a sign.
    Float(Cow<'a, str>),
    /// A boolean.
    Boolean(bool),
    /// An offset or local date-time, date or time.
    Datetime(Datetime),
    /// An array, inline or of tables.
    Array(Vec<Value<'a>>),
    /// A table, inline or with a header.
    Table(Table<'a>),
}

impl<'a> Table<'a> {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.get_key_value(key).map(|(_, value)| value)
    }

    /// The entry of `key`.
    pub fn get_key_value(&self, key: &str) -> Option<(&Key<'a>, &Value<'a>)> {
        self.entries.get(self.position(key)?).map(|(k, v)| (k, v))
    }

    /// The entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&Key<'a>, &Value<'a>)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| k.name == key),
        }
    }

    /// Adds an entry whose key is not in the table yet.
    fn push(&mut self, key: Key<'a>, value: Value<'a>) {
        let position = self.entries.len();
        if let Some(index) = &mut self.index {
            index.insert(key.name.to_string(), position);
        } else if position == INDEXED_FROM {
            self.index = Some(
                self.entries
                    .iter()
                    .map(|(k, _)| k.name.to_string())
                    .chain([key.name.to_string()])
                    .zip(0..)
                    .collect(),
            );
        }
        self.entries.push((key, value));
    }
}

impl<'a> Value<'a> {
    /// The string, if the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if the value is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ValueKind::Boolean(b) => Some(b),
            _ => None,
        }
    }

    /// The digits and radix, if the value is an integer.
    pub fn as_integer(&self) -> Option<(&str, u32)> {
        match &self.kind {
            ValueKind::Integer { digits, radix } => Some((digits, *radix)),
            _ => None,
        }
    }

    /// The date-time, if the value is one.
    pub fn as_datetime(&self) -> Option<&Datetime> {
        match &self.kind {
            ValueKind::Datetime(datetime) => Some(datetime),
            _ => None,
        }
    }

    /// The elements, if the value is an array.
    pub fn as_array(&self) -> Option<&[Value<'a>]> {
        match &self.kind {
            ValueKind::Array(values) => Some(values),
            _ => None,
        }
    }

    /// The table, if the value is one.
    pub fn as_table(&self) -> Option<&Table<'a>> {
        match &self.kind {
            ValueKind::Table(table) => Some(table),
            _ => None,
        }
    }
}

/// Parses `text` when it is valid TOML of the shape a bank's files have; `None` when it is not
/// valid, or uses what this builder leaves to `toml` (see the module documentation).
pub(crate) fn parse(text: &str) -> Option<Table<'_>> {
    let source = Source::new(text);
    let tokens = source.lex().into_vec();
    let mut builder = Builder::new(source);
    let mut sink = Failed(false);
    {
        let mut validate = ValidateWhitespace::new(&mut builder, source);
        let mut guard = RecursionGuard::new(&mut validate, RECURSION_LIMIT);
        toml_parser::parser::parse_document(&tokens, &mut guard, &mut sink);
    }
    if sink.0 {
        return None;
    }
    builder.finish()
}

/// Converts `toml`'s table to the tree.
pub(crate) fn from_de<'a>(table: &DeTable<'a>) -> Table<'a> {
    let mut tree = Table::default();
    for (key, value) in table {
        tree.push(
            Key {
                name: key.get_ref().clone(),
                range: range(key.span()),
            },
            value_from_de(value),
        );
    }
    tree
}

fn value_from_de<'a>(value: &TomlSpanned<DeValue<'a>>) -> Value<'a> {
    let kind = match value.get_ref() {
        DeValue::String(s) => ValueKind::String(s.clone()),
        DeValue::Integer(i) => ValueKind::Integer {
            digits: Cow::Owned(i.as_str().to_owned()),
            radix: i.radix(),
        },
        DeValue::Float(f) => ValueKind::Float(Cow::Owned(f.as_str().to_owned())),
        DeValue::Boolean(b) => ValueKind::Boolean(*b),
        DeValue::Datetime(datetime) => ValueKind::Datetime(*datetime),
        DeValue::Array(array) => ValueKind::Array(array.iter().map(value_from_de).collect()),
        DeValue::Table(table) => ValueKind::Table(from_de(table)),
    };
    Value {
        kind,
        range: range(value.span()),
    }
}

fn range(span: std::ops::Range<usize>) -> TextRange {
    TextRange::new(span.start, span.end)
}

fn text_range(span: Span) -> TextRange {
    TextRange::new(span.start(), span.end())
}

/// An error sink that only remembers that there was an error.
struct Failed(bool);

impl ErrorSink for Failed {
    fn report_error(&mut self, _error: ParseError) {
        self.0 = true;
    }
}

/// A `[name]` or `[[name]]` header being read.
struct Header<'a> {
    array: bool,
    start: usize,
    key: Option<Key<'a>>,
}

/// The table of the latest header.
struct Current<'a> {
    array: bool,
    key: Key<'a>,
    range: TextRange,
    table: Table<'a>,
}

/// An array or inline table being read.
enum Frame<'a> {
    Array {
        start: usize,
        values: Vec<Value<'a>>,
    },
    Inline {
        start: usize,
        table: Table<'a>,
        key: Option<Key<'a>>,
    },
}

struct Builder<'a> {
    source: Source<'a>,
    root: Table<'a>,
    /// The indexes of the root's arrays of tables (entries are only ever appended).
    arrays_of_tables: HashSet<usize>,
    current: Option<Current<'a>>,
    header: Option<Header<'a>>,
    /// The key of a `key = value` line at table level, until its value is read.
    key: Option<Key<'a>>,
    stack: Vec<Frame<'a>>,
    /// Set for what this builder leaves to `toml`, and for inconsistent events.
    unsupported: bool,
}

impl<'a> Builder<'a> {
    fn new(source: Source<'a>) -> Self {
        Self {
            source,
            root: Table::default(),
            arrays_of_tables: HashSet::new(),
            current: None,
            header: None,
            key: None,
            stack: Vec::new(),
            unsupported: false,
        }
    }

    fn finish(mut self) -> Option<Table<'a>> {
        self.finish_table();
        let complete = self.header.is_none() && self.key.is_none() && self.stack.is_empty();
        (complete && !self.unsupported).then_some(self.root)
    }

    /// Moves the latest header's table into the root.
    fn finish_table(&mut self) {
        let Some(current) = self.current.take() else {
            return;
        };
        let value = Value {
            kind: ValueKind::Table(current.table),
            range: current.range,
        };
        let existing = self.root.position(&current.key.name);
        match (current.array, existing) {
            (true, Some(index)) if self.arrays_of_tables.contains(&index) => {
                if let Some((
                    _,
                    Value {
                        kind: ValueKind::Array(tables),
                        ..
                    },
                )) = self.root.entries.get_mut(index)
                {
                    tables.push(value);
                } else {
                    self.unsupported = true;
                }
            }
            (true, None) => {
                self.arrays_of_tables.insert(self.root.entries.len());
                self.root.push(
                    current.key,
                    Value {
                        kind: ValueKind::Array(vec![value]),
                        range: current.range,
                    },
                );
            }
            (false, None) => self.root.push(current.key, value),
            // A table defined twice, or a key that is not an array of tables extended as one.
            (_, Some(_)) => self.unsupported = true,
        }
    }

    fn key(&self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) -> Key<'a> {
        let range = text_range(span);
        let event = Event::new_unchecked(EventKind::SimpleKey, encoding, span);
        let Some(raw) = self.source.get(event) else {
            return Key {
                name: Cow::Borrowed(""),
                range,
            };
        };
        let text = raw.as_str();
        let bare = encoding.is_none()
            && !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        let name = if bare {
            Cow::Borrowed(text)
        } else {
            let mut decoded = Cow::Borrowed("");
            raw.decode_key(&mut decoded, error);
            decoded
        };
        Key { name, range }
    }

    fn scalar_value(
        &self,
        span: Span,
        encoding: Option<Encoding>,
        error: &mut dyn ErrorSink,
    ) -> Option<Value<'a>> {
        let raw = self
            .source
            .get(Event::new_unchecked(EventKind::Scalar, encoding, span))?;
        let range = text_range(span);
        if let Some(encoding) = encoding
            && let Some(text) = plain_string(raw.as_str(), encoding)
        {
            return Some(Value {
                kind: ValueKind::String(Cow::Borrowed(text)),
                range,
            });
        }
        let mut decoded = Cow::Borrowed("");
        let kind = match raw.decode_scalar(&mut decoded, error) {
            ScalarKind::String => ValueKind::String(decoded),
            ScalarKind::Boolean(value) => ValueKind::Boolean(value),
            ScalarKind::DateTime => ValueKind::Datetime(decoded.parse::<Datetime>().ok()?),
            ScalarKind::Float => ValueKind::Float(decoded),
            ScalarKind::Integer(radix) => ValueKind::Integer {
                digits: decoded,
                radix: radix.value(),
            },
        };
        Some(Value { kind, range })
    }

    /// Puts a complete value where the events say it belongs.
    fn place(&mut self, value: Value<'a>) {
        match self.stack.last_mut() {
            Some(Frame::Array { values, .. }) => values.push(value),
            Some(Frame::Inline { table, key, .. }) => match key.take() {
                Some(key) => self.unsupported |= !insert(table, key, value),
                None => self.unsupported = true,
            },
            None => match self.key.take() {
                Some(key) => {
                    let table = match &mut self.current {
                        Some(current) => &mut current.table,
                        None => &mut self.root,
                    };
                    self.unsupported |= !insert(table, key, value);
                }
                None => self.unsupported = true,
            },
        }
    }

    fn open_header(&mut self, array: bool, span: Span) {
        if self.header.is_some() || self.key.is_some() || !self.stack.is_empty() {
            self.unsupported = true;
        }
        self.finish_table();
        self.header = Some(Header {
            array,
            start: span.start(),
            key: None,
        });
    }

    fn close_header(&mut self, array: bool, span: Span) {
        let Some(Header {
            array: opened_as_array,
            start,
            key: Some(key),
        }) = self.header.take()
        else {
            self.unsupported = true;
            return;
        };
        let existing = self.root.position(&key.name);
        let allowed = match existing {
            None => true,
            Some(index) => array && self.arrays_of_tables.contains(&index),
        };
        if opened_as_array != array || !allowed {
            self.unsupported = true;
            return;
        }
        self.current = Some(Current {
            array,
            key,
            range: TextRange::new(start, span.end()),
            table: Table::default(),
        });
    }
}

/// Adds an entry, unless the key is already in the table.
fn insert<'a>(table: &mut Table<'a>, key: Key<'a>, value: Value<'a>) -> bool {
    if table.position(&key.name).is_some() {
        return false;
    }
    table.push(key, value);
    true
}

/// The content of a string token that has no escapes and nothing `toml` would reject or
/// change: every byte a printable character, a tab, or (in a multi-line string) a line feed.
/// A carriage return, a backslash in a basic string, or a control character leaves the string
/// to `toml_parser`'s decoder.
fn plain_string(raw: &str, encoding: Encoding) -> Option<&str> {
    let (delimiter, multi_line, escapes) = match encoding {
        Encoding::BasicString => ("\"", false, true),
        Encoding::LiteralString => ("'", false, false),
        Encoding::MlBasicString => ("\"\"\"", true, true),
        Encoding::MlLiteralString => ("'''", true, false),
    };
    let content = raw.strip_prefix(delimiter)?.strip_suffix(delimiter)?;
    let content = if multi_line {
        content.strip_prefix('\n').unwrap_or(content)
    } else {
        content
    };
    let backslash = if escapes { b'\\' } else { 0x7f };
    let line_feed = if multi_line { b'\n' } else { b'\t' };
    // Flags accumulated without branches, so that the compiler checks many bytes at once:
    // strings are most of an item's text.
    let bad = |b: u8| {
        let control = u8::from(b < 0x20) & u8::from(b != b'\t') & u8::from(b != line_feed);
        control | u8::from(b == 0x7f) | u8::from(b == backslash)
    };
    let bytes = content.as_bytes();
    let blocks = bytes.chunks_exact(32);
    let rest = blocks.remainder();
    let plain = blocks
        .map(|block| block.iter().fold(0, |flags, &b| flags | bad(b)))
        .chain(rest.iter().map(|&b| bad(b)))
        .all(|flags| flags == 0);
    plain.then_some(content)
}

impl EventReceiver for Builder<'_> {
    fn std_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.open_header(false, span);
    }

    fn std_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.close_header(false, span);
    }

    fn array_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.open_header(true, span);
    }

    fn array_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.close_header(true, span);
    }

    fn inline_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) -> bool {
        self.stack.push(Frame::Inline {
            start: span.start(),
            table: Table::default(),
            key: None,
        });
        true
    }

    fn inline_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        match self.stack.pop() {
            Some(Frame::Inline {
                start, table, key, ..
            }) => {
                // A key without a value is an error the parser reports.
                self.unsupported |= key.is_some();
                self.place(Value {
                    kind: ValueKind::Table(table),
                    range: TextRange::new(start, span.end()),
                });
            }
            _ => self.unsupported = true,
        }
    }

    fn array_open(&mut self, span: Span, _error: &mut dyn ErrorSink) -> bool {
        self.stack.push(Frame::Array {
            start: span.start(),
            values: Vec::new(),
        });
        true
    }

    fn array_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        match self.stack.pop() {
            Some(Frame::Array { start, values }) => self.place(Value {
                kind: ValueKind::Array(values),
                range: TextRange::new(start, span.end()),
            }),
            _ => self.unsupported = true,
        }
    }

    fn simple_key(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) {
        let key = self.key(span, encoding, error);
        let slot = if let Some(header) = &mut self.header {
            &mut header.key
        } else {
            match self.stack.last_mut() {
                Some(Frame::Inline { key, .. }) => key,
                Some(Frame::Array { .. }) => {
                    self.unsupported = true;
                    return;
                }
                None => &mut self.key,
            }
        };
        // A second key before a value or a header's end is a dotted key.
        if slot.replace(key).is_some() {
            self.unsupported = true;
        }
    }

    fn key_sep(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        // Dotted keys are left to `toml`.
        self.unsupported = true;
    }

    fn scalar(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) {
        match self.scalar_value(span, encoding, error) {
            Some(value) => self.place(value),
            None => self.unsupported = true,
        }
    }

    fn error(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.unsupported = true;
    }
}

#[cfg(test)]
mod tests;
