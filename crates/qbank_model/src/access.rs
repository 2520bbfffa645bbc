//! Typed reads from a parsed TOML table. The schema has already checked the types, so a value
//! of the wrong type reads as absent instead of failing.

use std::fmt;

use crate::document::parse_integer;
use crate::tree::{Table, ValueKind};
use qbank_diagnostics::TextRange;
use serde_json::{Map, Value};

/// A value with the range it was read from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it is in the file.
    pub range: TextRange,
}

impl<T> Spanned<T> {
    /// A value at `range`.
    pub fn new(value: T, range: TextRange) -> Self {
        Self { value, range }
    }
}

impl Spanned<String> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A calendar date, as TOML writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day, 1 to 31.
    pub day: u8,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A decimal read exactly from its TOML text, in billionths, so sums of weights such as
/// 0.17 + 0.20 + 0.33 + 0.30 are exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal {
    /// The value times 10^9.
    pub billionths: i64,
}

impl Decimal {
    /// One, in billionths.
    pub const ONE: i64 = 1_000_000_000;

    /// Reads a TOML float's text exactly when it has at most nine decimals, and rounds otherwise.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.replace('_', "");
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.trim_start_matches('+')),
        };
        let exact = (|| {
            let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
            if fraction.len() > 9
                || !whole
                    .bytes()
                    .chain(fraction.bytes())
                    .all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let whole: i64 = if whole.is_empty() {
                0
            } else {
                whole.parse().ok()?
            };
            let scale = 10_i64.pow(9 - u32::try_from(fraction.len()).ok()?);
            let fraction: i64 = if fraction.is_empty() {
                0
            } else {
                fraction.parse().ok()?
            };
            whole.checked_mul(Self::ONE)?.checked_add(fraction * scale)
        })();
        let magnitude = if let Some(value) = exact {
            value
        } else {
            let float: f64 = digits.parse().ok()?;
            if !float.is_finite() || float.abs() > 9e9 {
                return None;
            }
            #[expect(clippy::cast_possible_truncation, reason = "bounded above")]
            let rounded = (float * 1e9).round() as i64;
            rounded
        };
        Some(Self {
            billionths: if negative { -magnitude } else { magnitude },
        })
    }

    /// The value as a float, for display and statistics.
    pub fn to_f64(self) -> f64 {
        self.billionths as f64 / 1e9
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.billionths < 0 { "-" } else { "" };
        let abs = self.billionths.unsigned_abs();
        let whole = abs / 1_000_000_000;
        let fraction = abs % 1_000_000_000;
        if fraction == 0 {
            return write!(f, "{sign}{whole}");
        }
        let digits = format!("{fraction:09}");
        write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// Reads a string value.
pub(crate) fn string(table: &Table<'_>, key: &str) -> Option<Spanned<String>> {
    let value = table.get(key)?;
    Some(Spanned::new(value.as_str()?.to_owned(), value.range))
}

/// Moves a string out of `json` (the JSON form of `table`), with its range from `table`, or
/// reads it from `table` when there is no JSON form. Moving instead of copying matters: items
/// are mostly text, and this runs for every item of a bank.
pub(crate) fn take_string(
    table: &Table<'_>,
    json: Option<&mut Map<String, Value>>,
    key: &str,
) -> Option<Spanned<String>> {
    let Some(json) = json else {
        return string(table, key);
    };
    let range = table.get(key)?.range;
    match json.get_mut(key)?.take() {
        Value::String(text) => Some(Spanned::new(text, range)),
        _ => None,
    }
}

/// Moves an array of strings out of `json`, with ranges from `table`, or reads it from
/// `table` when there is no JSON form; non-strings are skipped.
pub(crate) fn take_strings(
    table: &Table<'_>,
    json: Option<&mut Map<String, Value>>,
    key: &str,
) -> Vec<Spanned<String>> {
    let Some(json) = json else {
        return strings(table, key);
    };
    let (Some(array), Some(Value::Array(values))) = (
        table.get(key).and_then(|v| v.as_array()),
        json.get_mut(key).map(Value::take),
    ) else {
        return Vec::new();
    };
    // Reserved for every element, at most what is kept (non-strings are dropped): collecting a
    // filtered iterator reserves four entries (128 bytes) for lists that mostly hold one or
    // two, in every item of a bank held in memory.
    let mut strings = Vec::with_capacity(array.len().min(values.len()));
    strings.extend(
        array
            .iter()
            .zip(values)
            .filter_map(|(spanned, value)| match value {
                Value::String(text) => Some(Spanned::new(text, spanned.range)),
                _ => None,
            }),
    );
    strings
}

/// Reads an array of strings; non-strings are skipped.
pub(crate) fn strings(table: &Table<'_>, key: &str) -> Vec<Spanned<String>> {
    let Some(array) = table.get(key).and_then(|v| v.as_array()) else {
        return Vec::new();
    };
    // As in `take_strings`: reserved for every element, not four at a time.
    let mut strings = Vec::with_capacity(array.len());
    strings.extend(
        array
            .iter()
            .filter_map(|v| Some(Spanned::new(v.as_str()?.to_owned(), v.range))),
    );
    strings
}

/// Reads a boolean.
pub(crate) fn boolean(table: &Table<'_>, key: &str) -> Option<Spanned<bool>> {
    let value = table.get(key)?;
    Some(Spanned::new(value.as_bool()?, value.range))
}

/// Reads an integer.
pub(crate) fn integer(table: &Table<'_>, key: &str) -> Option<Spanned<i64>> {
    let value = table.get(key)?;
    let (digits, radix) = value.as_integer()?;
    Some(Spanned::new(parse_integer(digits, radix)?, value.range))
}

/// Reads a number (integer or float) exactly.
pub(crate) fn decimal(table: &Table<'_>, key: &str) -> Option<Spanned<Decimal>> {
    let value = table.get(key)?;
    let decimal = match &value.kind {
        ValueKind::Float(f) => Decimal::parse(f)?,
        ValueKind::Integer { digits, radix } => Decimal {
            billionths: parse_integer(digits, *radix)?.checked_mul(Decimal::ONE)?,
        },
        _ => return None,
    };
    Some(Spanned::new(decimal, value.range))
}

/// Reads a TOML local date.
pub(crate) fn date(table: &Table<'_>, key: &str) -> Option<Spanned<Date>> {
    let value = table.get(key)?;
    let date = value.as_datetime()?.date?;
    Some(Spanned::new(
        Date {
            year: date.year,
            month: date.month,
            day: date.day,
        },
        value.range,
    ))
}

/// The tables of an array of tables, with each table's range (its header, or its braces).
pub(crate) fn tables<'t, 'a>(table: &'t Table<'a>, key: &str) -> Vec<(&'t Table<'a>, TextRange)> {
    let Some(array) = table.get(key).and_then(|v| v.as_array()) else {
        return Vec::new();
    };
    array
        .iter()
        .filter_map(|v| Some((v.as_table()?, v.range)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        let sum: i64 = ["0.17", "0.20", "0.33", "0.30"]
            .iter()
            .map(|t| Decimal::parse(t).unwrap().billionths)
            .sum();
        assert_eq!(sum, Decimal::ONE);
        assert_eq!(Decimal::parse("1e-1").unwrap().billionths, 100_000_000);
        assert_eq!(Decimal::parse("-0.5").unwrap().to_string(), "-0.5");
        assert_eq!(Decimal::parse("2").unwrap().to_string(), "2");
        assert_eq!(Decimal::parse("inf"), None);
    }
}
