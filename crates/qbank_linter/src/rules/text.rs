//! Text helpers shared by the wording rules: words with their offsets, the question sentence of
//! a stem, content words.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::ops::Range;

use qbank_diagnostics::TextRange;
use qbank_model::Spanned;

use crate::words::{
    CURRENCIES, DURATION_UNITS, MONTHS, MULTIPLIERS, ORDINAL_WORDS, OpenEnd, POINT_QUALIFIERS,
    QUANTITY_NUMBER_WORDS, RANGE_PREFIXES, RANGE_SUFFIXES, STOP_WORDS,
};

/// The words of `text` with their byte offsets. A word is a run of letters, digits, `'` and `-`
/// that starts with a letter or digit.
pub(crate) fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// The iterator of [`words`].
pub(crate) struct Words<'t> {
    text: &'t str,
    at: usize,
}

/// A character that continues a word: a letter, a digit, `'`, `-` or `’`.
const IN_WORD: u8 = 1;
/// A character that starts a word: a letter or a digit.
const STARTS_WORD: u8 = 2;
/// An ASCII letter.
const LETTER: u8 = 4;
/// An ASCII capital.
const CAPITAL: u8 = 8;
/// A hyphen.
const HYPHEN: u8 = 16;
/// A byte of a non-ASCII character, whose class [`non_ascii_class`] finds.
const NON_ASCII: u8 = 32;
/// An ASCII character of a word that is not a letter: a digit, `'` or `-`.
const NOT_LETTER: u8 = 64;

/// The classes of each byte, as bits. Most text is ASCII, so most characters are classified
/// by one table lookup; the bytes of other characters are only marked [`NON_ASCII`].
const BYTE_CLASS: [u8; 256] = {
    let mut table = [NON_ASCII; 256];
    let mut c: u8 = 0;
    while c < 128 {
        table[c as usize] = if c.is_ascii_uppercase() {
            IN_WORD | STARTS_WORD | LETTER | CAPITAL
        } else if c.is_ascii_lowercase() {
            IN_WORD | STARTS_WORD | LETTER
        } else if c.is_ascii_digit() {
            IN_WORD | STARTS_WORD | NOT_LETTER
        } else if c == b'-' {
            IN_WORD | HYPHEN | NOT_LETTER
        } else if c == b'\'' {
            IN_WORD | NOT_LETTER
        } else {
            0
        };
        c += 1;
    }
    table
};

/// The classes of the non-ASCII character that starts `rest` (see [`BYTE_CLASS`]; never
/// [`LETTER`] or [`CAPITAL`], which are for ASCII) and its length in bytes.
#[cold]
fn non_ascii_class(rest: &str) -> (u8, usize) {
    match rest.chars().next() {
        Some(c) if c.is_alphanumeric() => (IN_WORD | STARTS_WORD, c.len_utf8()),
        Some(c) => (if c == '’' { IN_WORD } else { 0 }, c.len_utf8()),
        None => (0, 1),
    }
}

/// What the tokenizer learns about a word while it reads it, so that [`is_content_word`] and
/// [`root`] need not read the word again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Whether every byte is ASCII.
    ascii: bool,
    /// Whether an ASCII capital occurs.
    upper: bool,
    /// ASCII letters, counted up to 255.
    letters: u8,
    /// Whether a hyphen occurs.
    hyphen: bool,
}

impl Shape {
    /// Whether the word contains a hyphen.
    pub(crate) fn has_hyphen(self) -> bool {
        self.hyphen
    }

    /// The shape of `word`, read anew.
    fn of(word: &str) -> Self {
        let mut shape = Self {
            ascii: true,
            ..Self::default()
        };
        for &byte in word.as_bytes() {
            shape.add(byte);
        }
        shape
    }

    #[inline]
    fn add(&mut self, byte: u8) {
        self.ascii &= byte.is_ascii();
        self.upper |= byte.is_ascii_uppercase();
        self.hyphen |= byte == b'-';
        self.letters = self
            .letters
            .saturating_add(u8::from(byte.is_ascii_alphabetic()));
    }
}

/// The next word of `text` at or after byte `at`: its start, its end (without trailing
/// apostrophes and hyphens), where reading stopped, and its [`Shape`].
#[expect(
    clippy::inline_always,
    reason = "inlined into the loop that splits a text, which then needs no call per word: \
              2.5 M fewer instructions for a lint of the 1k bank"
)]
#[inline(always)]
fn next_word(text: &str, mut at: usize) -> Option<(usize, usize, usize, Shape)> {
    let bytes = text.as_bytes();
    // To the first letter or digit.
    loop {
        let class = BYTE_CLASS[usize::from(*bytes.get(at)?)];
        if class & STARTS_WORD != 0 {
            break;
        }
        if class & NON_ASCII == 0 {
            at += 1;
            continue;
        }
        let (class, len) = non_ascii_class(text.get(at..).unwrap_or_default());
        if class & STARTS_WORD != 0 {
            break;
        }
        at += len;
    }
    let start = at;
    let mut ascii = true;
    let mut classes = 0;
    // Through letters, digits, apostrophes and hyphens.
    while let Some(&byte) = bytes.get(at) {
        let class = BYTE_CLASS[usize::from(byte)];
        if class & IN_WORD != 0 {
            classes |= class;
            at += 1;
            continue;
        }
        if class & NON_ASCII == 0 {
            break;
        }
        let (class, len) = non_ascii_class(text.get(at..).unwrap_or_default());
        if class == 0 {
            break;
        }
        ascii = false;
        at += len;
    }
    let word = &bytes[start..at];
    // A word of ASCII letters only has as many letters as bytes; others are counted.
    let letters = if ascii && classes & NOT_LETTER == 0 {
        word.len()
    } else {
        word.iter().filter(|b| b.is_ascii_alphabetic()).count()
    };
    let mut shape = Shape {
        ascii,
        upper: classes & CAPITAL != 0,
        letters: u8::try_from(letters).unwrap_or(u8::MAX),
        hyphen: classes & HYPHEN != 0,
    };
    // Without trailing apostrophes and hyphens.
    let mut end = at;
    if let Some(b'\'' | b'-' | 0x99) = word.last() {
        loop {
            let word = &bytes[start..end];
            if word.ends_with(b"'") || word.ends_with(b"-") {
                end -= 1;
            } else if word.ends_with("’".as_bytes()) {
                end -= "’".len();
                // The word may be ASCII without it.
                shape = Shape::of(text.get(start..end).unwrap_or_default());
            } else {
                break;
            }
        }
        // What was cut off may have been the word's only hyphen.
        shape.hyphen = bytes[start..end].contains(&b'-');
        shape.letters = Shape::of(text.get(start..end).unwrap_or_default()).letters;
    }
    Some((start, end, at, shape))
}

impl<'t> Words<'t> {
    /// The next word with its offset and [`Shape`].
    #[inline]
    pub(crate) fn next_shaped(&mut self) -> Option<(usize, &'t str, Shape)> {
        let (start, end, at, shape) = next_word(self.text, self.at)?;
        self.at = at;
        Some((start, self.text.get(start..end).unwrap_or_default(), shape))
    }
}

impl<'t> Iterator for Words<'t> {
    type Item = (usize, &'t str);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.next_shaped().map(|(start, word, _)| (start, word))
    }
}

/// The words of a text with their offsets, and the shape of each.
type ShapedWords<'t> = (Vec<(usize, &'t str)>, Vec<Shape>);

/// The words of one text of an item, and their [`root`]s, each computed on first use and then
/// shared by every rule that reads them: most wording rules split the same stem and options
/// into words, and several compare the words' roots.
pub(crate) struct TextWords<'t> {
    text: &'t str,
    words: OnceCell<ShapedWords<'t>>,
    roots: OnceCell<Vec<Cow<'t, str>>>,
    content: OnceCell<Vec<bool>>,
    quantity: OnceCell<Option<Quantity>>,
}

impl<'t> TextWords<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Self {
            text,
            words: OnceCell::new(),
            roots: OnceCell::new(),
            content: OnceCell::new(),
            quantity: OnceCell::new(),
        }
    }

    /// The text.
    pub(crate) fn text(&self) -> &'t str {
        self.text
    }

    /// [`words`] of the text, with their byte offsets.
    pub(crate) fn words(&self) -> &[(usize, &'t str)] {
        &self.shaped().0
    }

    /// The [`Shape`] of each word, in the order of [`TextWords::words`].
    pub(crate) fn shapes(&self) -> &[Shape] {
        &self.shaped().1
    }

    /// How many words the text has, if they have been split already.
    pub(crate) fn split_len(&self) -> Option<usize> {
        self.words.get().map(|(words, _)| words.len())
    }

    /// The words and their shapes, read in one pass.
    fn shaped(&self) -> &ShapedWords<'t> {
        self.words.get_or_init(|| {
            // About one word in six bytes of prose: most texts need no second allocation.
            let capacity = self.text.len() / 6 + 1;
            let mut found = Vec::with_capacity(capacity);
            let mut shapes = Vec::with_capacity(capacity);
            let text = self.text;
            let mut at = 0;
            while let Some((start, end, next, shape)) = next_word(text, at) {
                found.push((start, text.get(start..end).unwrap_or_default()));
                shapes.push(shape);
                at = next;
            }
            (found, shapes)
        })
    }

    /// Whether each word is a content word ([`is_content_word`]), in the order of
    /// [`TextWords::words`].
    pub(crate) fn content(&self) -> &[bool] {
        self.content.get_or_init(|| {
            let (words, shapes) = self.shaped();
            words
                .iter()
                .zip(shapes)
                .map(|(&(_, word), &shape)| is_content_shaped(word, shape))
                .collect()
        })
    }

    /// The [`quantity`] that the text consists of, if it is one.
    pub(crate) fn quantity(&self) -> Option<&Quantity> {
        self.quantity.get_or_init(|| quantity(self.text)).as_ref()
    }

    /// The [`root`] of each word, in the order of [`TextWords::words`].
    pub(crate) fn roots(&self) -> &[Cow<'t, str>] {
        self.roots.get_or_init(|| {
            let (words, shapes) = self.shaped();
            words
                .iter()
                .zip(shapes)
                .map(|(&(_, word), &shape)| root_shaped(word, shape))
                .collect()
        })
    }
}

/// The form in which words are compared across the texts of an item: the crude [`stem_word`]
/// of the word without a possessive `'s`, so that "vendor's" matches "vendors" and "vendor",
/// and "policies" matches "policy".
pub(crate) fn root(word: &str) -> Cow<'_, str> {
    stem_word(without_possessive(word))
}

/// [`root`] of a word whose [`Shape`] the tokenizer found.
fn root_shaped(word: &str, shape: Shape) -> Cow<'_, str> {
    // Without `'s` an ASCII word keeps its shape, but for the letter count, which stemming
    // does not read.
    match word.strip_suffix("'s") {
        Some(stripped) if shape.ascii => stem_ascii(stripped, shape.upper),
        None if shape.ascii => stem_ascii(word, shape.upper),
        _ => root(word),
    }
}

/// `word` without a possessive `'s` or `’s`.
pub(crate) fn without_possessive(word: &str) -> &str {
    word.strip_suffix("'s")
        .or_else(|| word.strip_suffix("’s"))
        .unwrap_or(word)
}

/// The byte range of the question a stem asks: its last sentence, ending at the final `?` or `:`
/// (an instruction such as "(Choose TWO.)" after it is not part of it).
pub(crate) fn question_range(stem: &str) -> Range<usize> {
    let trimmed = stem.trim_end();
    let without_instruction = match trimmed.rfind('(') {
        Some(open)
            if trimmed.ends_with(')') && trimmed[open..].to_lowercase().contains("choose") =>
        {
            trimmed[..open].trim_end()
        }
        _ => trimmed,
    };
    let end = without_instruction.len();
    let body = without_instruction.trim_end_matches(['?', ':']);
    let start = body
        .char_indices()
        .rev()
        .find(|&(i, c)| {
            matches!(c, '.' | '?' | '!' | '\n')
                && body[i + c.len_utf8()..].starts_with(char::is_whitespace)
                && (c != '\n' || body[..i].trim_end().ends_with(['.', '?', '!', ':']))
        })
        .map_or(0, |(i, c)| i + c.len_utf8());
    let start = start + (body[start..].len() - body[start..].trim_start().len());
    start..end
}

/// The stop words by length in bytes and first byte, for a lookup that compares a word with the
/// few stop words of its length and initial only.
static STOP: std::sync::LazyLock<Vec<[Vec<&'static str>; 128]>> = std::sync::LazyLock::new(|| {
    let mut table = vec![std::array::from_fn(|_| Vec::new()); LONGEST_STOP_WORD + 1];
    for word in STOP_WORDS {
        if let Some(&first) = word.as_bytes().first().filter(|b| b.is_ascii()) {
            table[word.len()][usize::from(first)].push(*word);
        }
    }
    table
});

/// The length in bytes of the longest stop word: a longer word is none.
const LONGEST_STOP_WORD: usize = lengths(STOP_WORDS).1;

/// The lengths in bytes of the shortest and the longest word of `list`, for skipping the
/// words that cannot be in it.
pub(crate) const fn lengths(list: &[&str]) -> (usize, usize) {
    let mut shortest = usize::MAX;
    let mut longest = 0;
    let mut i = 0;
    while i < list.len() {
        let len = list[i].len();
        if len < shortest {
            shortest = len;
        }
        if len > longest {
            longest = len;
        }
        i += 1;
    }
    (shortest, longest)
}

/// Whether `lower`, in lower case, is a stop word.
fn is_stop(lower: &str) -> bool {
    let Some(&first) = lower.as_bytes().first() else {
        return false;
    };
    STOP.get(lower.len())
        .and_then(|by_first| by_first.get(usize::from(first)))
        .is_some_and(|list| list.contains(&lower))
}

/// Whether `word` carries content: not a stop word, and at least four letters.
pub(crate) fn is_content_word(word: &str) -> bool {
    // Four letters take at least four bytes.
    word.len() >= 4 && is_content_shaped(word, Shape::of(word))
}

/// [`is_content_word`] of a word whose [`Shape`] is known.
fn is_content_shaped(word: &str, shape: Shape) -> bool {
    if shape.ascii {
        if shape.letters < 4 {
            return false;
        }
        if word.len() > LONGEST_STOP_WORD {
            return true;
        }
        if !shape.upper {
            return !is_stop(word);
        }
        let mut lower = [0; LONGEST_STOP_WORD];
        let lower = &mut lower[..word.len()];
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        return !is_stop(std::str::from_utf8(lower).unwrap_or_default());
    }
    if word.chars().filter(|c| c.is_alphabetic()).count() < 4 {
        return false;
    }
    if word.chars().any(char::is_uppercase) {
        !is_stop(&word.to_lowercase())
    } else {
        !is_stop(word)
    }
}

/// The endings [`stem_word`] takes off, in the order it tries them.
const STEM_SUFFIXES: [&str; 5] = ["ies", "ing", "ed", "es", "s"];
/// Whether an ASCII byte is the last letter of some ending of [`STEM_SUFFIXES`], made from them
/// when compiling: a word ending in any other byte has none of the endings.
const STEM_SUFFIX_LAST: [bool; 128] = {
    let mut table = [false; 128];
    let mut i = 0;
    while i < STEM_SUFFIXES.len() {
        let suffix = STEM_SUFFIXES[i].as_bytes();
        table[suffix[suffix.len() - 1] as usize] = true;
        i += 1;
    }
    table
};

/// A crude stem of an English word, so that "policy" and "policies" or "assess" and
/// "assessing" compare equal: the word in lower case without the first of [`STEM_SUFFIXES`] it
/// ends with that leaves at least four characters, "ies" becoming "y". It borrows from `word`
/// when it can: for lower-case ASCII words, the common case, the stem is a prefix of the word.
pub(crate) fn stem_word(word: &str) -> Cow<'_, str> {
    let shape = Shape::of(word);
    if shape.ascii {
        stem_ascii(word, shape.upper)
    } else {
        stem_lower(word.to_lowercase())
    }
}

/// [`stem_word`] of an ASCII word, which has a capital if `upper`.
fn stem_ascii(word: &str, upper: bool) -> Cow<'_, str> {
    // In ASCII a byte is a character, and lower case keeps every byte in place. Most words end
    // in a letter that no ending ends in, and are settled by their last byte.
    let suffix = match word.as_bytes().last().map(u8::to_ascii_lowercase) {
        Some(last) if STEM_SUFFIX_LAST.get(usize::from(last)) == Some(&true) => STEM_SUFFIXES
            .into_iter()
            .find(|suffix| word.len() >= suffix.len() + 4 && ends_with_lower(word, suffix)),
        _ => None,
    };
    match (suffix, upper) {
        (None, false) => Cow::Borrowed(word),
        (Some(suffix), false) if suffix != "ies" => {
            Cow::Borrowed(&word[..word.len() - suffix.len()])
        }
        (suffix, _) => {
            let mut lower = word.to_ascii_lowercase();
            if let Some(suffix) = suffix {
                lower.truncate(word.len() - suffix.len());
                if suffix == "ies" {
                    lower.push('y');
                }
            }
            Cow::Owned(lower)
        }
    }
}

/// Whether ASCII `word` ends with `suffix` (lower case) in any case.
fn ends_with_lower(word: &str, suffix: &str) -> bool {
    word.len() >= suffix.len()
        && word.as_bytes()[word.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// [`stem_word`] of a word already in lower case, in any script.
fn stem_lower(lower: String) -> Cow<'static, str> {
    for suffix in STEM_SUFFIXES {
        if let Some(base) = lower.strip_suffix(suffix)
            && base.chars().count() >= 4
        {
            return Cow::Owned(if suffix == "ies" {
                format!("{base}y")
            } else {
                base.to_owned()
            });
        }
    }
    Cow::Owned(lower)
}

/// The Levenshtein distance between `a` and `b` in characters, as `strsim::levenshtein` counts
/// it, if it is at most `bound`; `None` when it exceeds it. `rapidfuzz`'s bit-parallel
/// distance with a cutoff, over bytes when both texts are ASCII (where a byte is a character).
pub(crate) fn bounded_levenshtein(a: &str, b: &str, bound: usize) -> Option<usize> {
    use rapidfuzz::distance::levenshtein;
    let args = levenshtein::Args::default().score_cutoff(bound);
    if a.is_ascii() && b.is_ascii() {
        return levenshtein::distance_with_args(a.bytes(), b.bytes(), &args);
    }
    levenshtein::distance_with_args(a.chars(), b.chars(), &args)
}

/// The range of `within` (byte offsets into `text`'s value) in the source file, for a diagnostic
/// that points at a word inside a string. The value's range covers the whole TOML string with its
/// quotes; the sub-span is only exact when the value is the raw source between the quotes (no
/// escapes, no line-ending backslash), so otherwise this falls back to the whole value's range.
pub(crate) fn value_span(source: &str, text: &Spanned<String>, within: Range<usize>) -> TextRange {
    let range = text.range.to_range();
    let Some(raw) = source.get(range.clone()) else {
        return text.range;
    };
    let quotes = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else if raw.starts_with(['"', '\'']) {
        1
    } else {
        return text.range;
    };
    let Some(inner) = raw.get(quotes..raw.len().saturating_sub(quotes)) else {
        return text.range;
    };
    // TOML drops a newline that directly follows the opening `"""` or `'''`.
    let trimmed = if quotes == 3 {
        inner
            .strip_prefix("\r\n")
            .or_else(|| inner.strip_prefix('\n'))
            .unwrap_or(inner)
    } else {
        inner
    };
    if trimmed != text.value || within.end > trimmed.len() || within.start > within.end {
        return text.range;
    }
    let start = range.start + quotes + (inner.len() - trimmed.len());
    TextRange::new(start + within.start, start + within.end)
}

/// What a quantity in an option measures. Quantities compare only with quantities of the same
/// kind: "10%" and "10 days" are in no order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum QuantityKind {
    /// A bare number: "12", "1,500", "2.5 million", "three".
    Number,
    /// "25%", "25 percent".
    Percent,
    /// Money, under its currency sign: "$1,000", "500 euros".
    Amount(&'static str),
    /// A length of time, in seconds: "4 hours", "2 weeks".
    Duration,
    /// A calendar date, as `yyyymmdd`: "2024-03-01", "March 2024", "1 March 2024".
    Date,
    /// A position: "first", "2nd".
    Ordinal,
}

/// One end of a range: its value and whether the range includes it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Bound {
    pub(crate) value: f64,
    pub(crate) inclusive: bool,
}

/// A value or range that an option states, read by [`quantity`]. A single value is the range
/// from it to itself: "15%" runs from 15% to 15%, "10-20%" from 10% to 20%, and "less than 10"
/// has no lower end.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Quantity {
    pub(crate) kind: QuantityKind,
    /// A word such as "within" that came before the value, or "".
    pub(crate) qualifier: &'static str,
    /// `None` when the range has no lower end.
    pub(crate) low: Option<Bound>,
    /// `None` when the range has no upper end.
    pub(crate) high: Option<Bound>,
}

impl Quantity {
    /// Whether this is a single value rather than a range.
    pub(crate) fn is_point(&self) -> bool {
        matches!((self.low, self.high), (Some(l), Some(h)) if l.value.total_cmp(&h.value).is_eq())
    }

    /// Whether the two measure the same thing in the same way, so that their order and overlap
    /// mean something.
    pub(crate) fn comparable(&self, other: &Self) -> bool {
        self.kind == other.kind && self.qualifier == other.qualifier
    }

    /// Whether the two ranges share a value; a shared end counts when both include it.
    pub(crate) fn overlaps(&self, other: &Self) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        // The tighter of two ends: the higher lower end, the lower upper end; on a tie the end
        // is included only if both include it.
        let tighter = |a: Option<Bound>, b: Option<Bound>, want: std::cmp::Ordering| match (a, b) {
            (Some(a), Some(b)) => Some(match a.value.total_cmp(&b.value) {
                Equal => Bound {
                    value: a.value,
                    inclusive: a.inclusive && b.inclusive,
                },
                order if order == want => a,
                _ => b,
            }),
            (a, b) => a.or(b),
        };
        let low = tighter(self.low, other.low, Greater);
        let high = tighter(self.high, other.high, Less);
        match (low, high) {
            (Some(l), Some(h)) => match l.value.total_cmp(&h.value) {
                Less => true,
                Equal => l.inclusive && h.inclusive,
                Greater => false,
            },
            // Both ranges are open on one side, so both reach its infinity.
            _ => true,
        }
    }

    /// The order of options that list quantities: by lower end, then upper end; an open end
    /// counts as infinite.
    pub(crate) fn order(&self, other: &Self) -> std::cmp::Ordering {
        let low = |q: &Self| q.low.map_or(f64::NEG_INFINITY, |b| b.value);
        let high = |q: &Self| q.high.map_or(f64::INFINITY, |b| b.value);
        low(self)
            .total_cmp(&low(other))
            .then(high(self).total_cmp(&high(other)))
    }
}

/// The quantity that `text` consists of, or `None` when the text is anything more: a number,
/// percentage, amount, duration, date or ordinal ("4 hours", "$1.5 million", "March 2024",
/// "second"), a range of them ("10-20%", "10 to 20 percent", "between 1 and 4 hours"), or an
/// open range ("less than 10", "at least 20", "20 or more", "20+"), optionally after a word of
/// [`POINT_QUALIFIERS`] such as "within". Case, inner whitespace and a final period do not
/// matter.
pub(crate) fn quantity(text: &str) -> Option<Quantity> {
    if !may_state_quantity(text) {
        return None;
    }
    let mut normalized = normalize_quantity(text);
    while normalized.ends_with(['.', ';']) {
        normalized.pop();
    }
    let qualifier = POINT_QUALIFIERS
        .iter()
        .copied()
        .filter(|q| strip_phrase(&normalized, q).is_some())
        .max_by_key(|q| q.len())
        .unwrap_or("");
    let rest = strip_phrase(&normalized, qualifier).unwrap_or(&normalized);
    let (kind, low, high) = range(rest)?;
    Some(Quantity {
        kind,
        qualifier,
        low,
        high,
    })
}

/// `text` as [`quantity`] reads it: its words joined by single spaces, in lower case, with
/// every dash a hyphen. ASCII text, nearly every option, is built in one pass into one string.
fn normalize_quantity(text: &str) -> String {
    if !text.is_ascii() {
        return text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
            .replace(['–', '—', '‒', '−'], "-");
    }
    let mut normalized = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !normalized.is_empty() {
            normalized.push(' ');
        }
        normalized.push_str(word);
    }
    normalized.make_ascii_lowercase();
    normalized
}

/// Whether `text` has what every quantity has: an ASCII digit, or a number or ordinal word
/// ("three", "first") between non-alphanumeric characters. Most option texts have neither, and
/// this rules them out without the full parse: in ASCII text, by a pass for digits over whole
/// vectors of bytes, then one over its runs of letters.
fn may_state_quantity(text: &str) -> bool {
    if !text.is_ascii() {
        return may_state_quantity_unicode(text);
    }
    let bytes = text.as_bytes();
    // Without an early exit, so that the test runs on whole vectors of bytes.
    if bytes.iter().fold(false, |any, b| any | b.is_ascii_digit()) {
        return true;
    }
    bytes
        .split(|b| !b.is_ascii_alphabetic())
        .any(is_quantity_word)
}

/// The lengths in bytes of the shortest and the longest number or ordinal word.
const QUANTITY_WORD_LENGTHS: (usize, usize) = {
    let (numbers, ordinals) = (lengths(QUANTITY_NUMBER_WORDS), lengths(ORDINAL_WORDS));
    let shortest = if numbers.0 < ordinals.0 {
        numbers.0
    } else {
        ordinals.0
    };
    let longest = if numbers.1 > ordinals.1 {
        numbers.1
    } else {
        ordinals.1
    };
    (shortest, longest)
};

/// Whether a lower-case ASCII letter starts a number or ordinal word. Made from the lists when
/// compiling, which also checks that every word is lower-case ASCII letters, as
/// [`is_quantity_word`] compares them.
const QUANTITY_WORD_INITIALS: [bool; 128] = {
    let mut table = [false; 128];
    let mut i = 0;
    while i < QUANTITY_NUMBER_WORDS.len() + ORDINAL_WORDS.len() {
        let word = if i < QUANTITY_NUMBER_WORDS.len() {
            QUANTITY_NUMBER_WORDS[i]
        } else {
            ORDINAL_WORDS[i - QUANTITY_NUMBER_WORDS.len()]
        }
        .as_bytes();
        let mut k = 0;
        while k < word.len() {
            assert!(
                word[k].is_ascii_lowercase(),
                "number words are lower-case ASCII"
            );
            k += 1;
        }
        table[word[0] as usize] = true;
        i += 1;
    }
    table
};

/// Whether ASCII `letters` spell a word of [`QUANTITY_NUMBER_WORDS`] or [`ORDINAL_WORDS`], in
/// any case.
#[inline]
fn is_quantity_word(letters: &[u8]) -> bool {
    const LONGEST: usize = QUANTITY_WORD_LENGTHS.1;
    // Most words are ruled out by their length and initial before the lists are searched.
    if !(QUANTITY_WORD_LENGTHS.0..=LONGEST).contains(&letters.len())
        || !QUANTITY_WORD_INITIALS[usize::from(letters[0].to_ascii_lowercase() & 0x7f)]
    {
        return false;
    }
    let mut lower = [0; LONGEST];
    let lower = &mut lower[..letters.len()];
    lower.copy_from_slice(letters);
    lower.make_ascii_lowercase();
    QUANTITY_NUMBER_WORDS
        .iter()
        .chain(ORDINAL_WORDS)
        .any(|word| word.as_bytes() == lower)
}

/// [`may_state_quantity`] of text with non-ASCII characters, which may be letters or digits of
/// other scripts: one `char` at a time.
#[cold]
fn may_state_quantity_unicode(text: &str) -> bool {
    let listed = |part: &str| {
        QUANTITY_NUMBER_WORDS
            .iter()
            .chain(ORDINAL_WORDS)
            .any(|word| *word == part)
    };
    text.bytes().any(|b| b.is_ascii_digit())
        || text
            .split(|c: char| !c.is_alphanumeric())
            .any(|part| listed(&part.to_lowercase()))
}

type Range3 = (QuantityKind, Option<Bound>, Option<Bound>);

/// `text` without the leading `phrase` and the space after it; `phrase` "" strips nothing.
fn strip_phrase<'t>(text: &'t str, phrase: &str) -> Option<&'t str> {
    if phrase.is_empty() {
        return Some(text);
    }
    text.strip_prefix(phrase)?.strip_prefix(' ')
}

fn range(text: &str) -> Option<Range3> {
    let included = |value| {
        Some(Bound {
            value,
            inclusive: true,
        })
    };
    if let Some(v) = value(text) {
        let total = v.total();
        return Some((v.kind, included(total), included(total)));
    }
    for (phrase, end) in RANGE_PREFIXES {
        if let Some(rest) = strip_phrase(text, phrase) {
            return Some(open_range(&value(rest)?, *end));
        }
    }
    // Every suffix starts with "or " (a test checks it), so text without " or " has none, and
    // most texts are settled by one search instead of one for each suffix.
    let suffixes = if memchr::memmem::find(text.as_bytes(), b" or ").is_some() {
        RANGE_SUFFIXES
    } else {
        &[]
    };
    for (phrase, end) in suffixes {
        // "20 or more" and "20 or more years" alike.
        let Some(at) = text.find(&format!(" {phrase}")) else {
            continue;
        };
        let after = &text[at + 1 + phrase.len()..];
        if !(after.is_empty() || after.starts_with(' ')) {
            continue;
        }
        return Some(open_range(
            &value(&format!("{}{after}", &text[..at]))?,
            *end,
        ));
    }
    if let Some(at) = text.find('+')
        && text[..at].ends_with(|c: char| c.is_ascii_digit())
    {
        let joined = format!("{}{}", &text[..at], &text[at + 1..]);
        return Some(open_range(&value(&joined)?, OpenEnd::AtLeast));
    }
    let (low, high) = if let Some(inner) = strip_phrase(text, "between") {
        let (a, b) = inner.split_once(" and ")?;
        (value(a)?, value(b)?)
    } else if let Some(inner) = strip_phrase(text, "from") {
        let (a, b) = inner
            .split_once(" to ")
            .or_else(|| inner.split_once(" through "))?;
        (value(a)?, value(b)?)
    } else {
        two_ends(text)?
    };
    let (low, high) = match (low.bare, high.bare) {
        (true, false) => (low.adopt(&high), high),
        (false, true) => {
            let adopted = high.adopt(&low);
            (low, adopted)
        }
        _ => (low, high),
    };
    if low.kind != high.kind || low.total() > high.total() {
        return None;
    }
    Some((
        low.kind.clone(),
        included(low.total()),
        included(high.total()),
    ))
}

/// The two ends of "X to Y", "X through Y" or "X-Y".
fn two_ends(text: &str) -> Option<(Value, Value)> {
    for separator in [" to ", " through "] {
        if let Some((a, b)) = text.split_once(separator) {
            return Some((value(a)?, value(b)?));
        }
    }
    text.char_indices()
        .filter(|&(i, c)| c == '-' && i > 0)
        .find_map(|(i, _)| Some((value(&text[..i])?, value(&text[i + 1..])?)))
}

fn open_range(value: &Value, end: OpenEnd) -> Range3 {
    let bound = |inclusive| {
        Some(Bound {
            value: value.total(),
            inclusive,
        })
    };
    let kind = value.kind.clone();
    match end {
        OpenEnd::Below => (kind, None, bound(false)),
        OpenEnd::UpTo => (kind, None, bound(true)),
        OpenEnd::Above => (kind, bound(false), None),
        OpenEnd::AtLeast => (kind, bound(true), None),
    }
}

/// One value of a quantity, before its unit is applied.
#[derive(Clone, Debug)]
struct Value {
    kind: QuantityKind,
    number: f64,
    /// What the unit or multiplier scales `number` by.
    factor: f64,
    /// A number with nothing around it, which takes the unit of the other end of its range:
    /// the "10" of "10-20%".
    bare: bool,
}

impl Value {
    fn total(&self) -> f64 {
        self.number * self.factor
    }

    fn adopt(&self, other: &Self) -> Self {
        Self {
            kind: other.kind.clone(),
            number: self.number,
            factor: other.factor,
            bare: false,
        }
    }
}

fn value(text: &str) -> Option<Value> {
    let text = text.trim();
    let fixed = |kind, number| {
        Some(Value {
            kind,
            number,
            factor: 1.0,
            bare: false,
        })
    };
    if let Some(date) = date(text) {
        return fixed(QuantityKind::Date, date);
    }
    if let Some(position) = ordinal(text) {
        return fixed(QuantityKind::Ordinal, position);
    }
    let mut currency = None;
    let mut rest = text;
    for (name, sign) in CURRENCIES {
        let Some(after) = rest.strip_prefix(name) else {
            continue;
        };
        // A sign may touch the number ("$5"); a name must be a word of its own ("USD 5").
        if name.starts_with(char::is_alphabetic) && !after.starts_with(' ') {
            continue;
        }
        currency = Some(*sign);
        rest = after.trim_start();
        break;
    }
    let (number, after) = leading_number(rest)?;
    let mut rest = after;
    let mut kind = QuantityKind::Number;
    let mut factor = 1.0;
    let mut bare = currency.is_none();
    if let Some(after) = rest.strip_prefix('%') {
        kind = QuantityKind::Percent;
        rest = after;
        bare = false;
    } else {
        if let Some((after, scale)) = MULTIPLIERS
            .iter()
            .find_map(|(word, scale)| Some((strip_word(rest.trim_start(), word)?, *scale)))
        {
            factor = scale;
            rest = after;
            bare = false;
        }
        let unit = rest.trim();
        if let Some(after) = strip_word(unit, "percent").or_else(|| strip_word(unit, "per cent")) {
            kind = QuantityKind::Percent;
            rest = after;
            bare = false;
        } else if let Some((_, sign)) = CURRENCIES
            .iter()
            .find(|(name, _)| name.starts_with(char::is_alphabetic) && *name == unit)
        {
            currency = currency.or(Some(*sign));
            rest = "";
        } else if let Some((_, seconds)) = DURATION_UNITS
            .iter()
            .find(|(name, _)| *name == unit || unit.strip_suffix('s') == Some(name))
        {
            kind = QuantityKind::Duration;
            factor *= seconds;
            rest = "";
            bare = false;
        }
    }
    if !rest.trim().is_empty() {
        return None;
    }
    if let Some(sign) = currency {
        if kind != QuantityKind::Number {
            return None;
        }
        kind = QuantityKind::Amount(sign);
        bare = false;
    }
    Some(Value {
        kind,
        number,
        factor,
        bare,
    })
}

/// `text` without the leading `word`, which must end at a word boundary.
fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let after = text.strip_prefix(word)?;
    (!after.starts_with(char::is_alphanumeric)).then_some(after)
}

/// The number at the start of `text` ("1,500.5" or a word such as "three") and what follows.
fn leading_number(text: &str) -> Option<(f64, &str)> {
    if let Some((index, word)) = QUANTITY_NUMBER_WORDS
        .iter()
        .enumerate()
        .find(|(_, word)| strip_word(text, word).is_some())
    {
        return Some((index as f64, &text[word.len()..]));
    }
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .unwrap_or(text.len());
    let token = &text[..end];
    if !token.starts_with(|c: char| c.is_ascii_digit()) || token.ends_with([',', '.']) {
        return None;
    }
    let (whole, fraction) = token.split_once('.').unwrap_or((token, ""));
    let mut groups = whole.split(',');
    // Thousands separators only: "1,500" but not "1,5" or "2,3".
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) || !whole.contains(','));
    if !first_ok || groups.any(|g| g.len() != 3) || fraction.contains([',', '.']) {
        return None;
    }
    let number = token.replace(',', "").parse().ok()?;
    Some((number, &text[end..]))
}

/// A date as `yyyymmdd`: "2024-03-01", "March 2024", "March 1, 2024", "1 March 2024".
fn date(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let year: u32 = text[..4].parse().ok()?;
        let month: u32 = text[5..7].parse().ok()?;
        let day: u32 = text[8..].parse().ok()?;
        return ((1..=12).contains(&month) && (1..=31).contains(&day))
            .then(|| f64::from(year * 10_000 + month * 100 + day));
    }
    let month = |word: &str| {
        let word = word.trim_end_matches('.');
        MONTHS
            .iter()
            .position(|(name, short)| *name == word || *short == word)
            .and_then(|i| u32::try_from(i + 1).ok())
    };
    let year = |word: &str| {
        (word.len() == 4)
            .then(|| word.parse::<u32>().ok())
            .flatten()
    };
    let day = |word: &str| {
        word.trim_end_matches(',')
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=31).contains(d))
    };
    let words: Vec<&str> = text.split(' ').collect();
    let (y, m, d) = match words.as_slice() {
        [m, y] => (year(y)?, month(m)?, 0),
        [m, d, y] if month(m).is_some() => (year(y)?, month(m)?, day(d)?),
        [d, m, y] => (year(y)?, month(m)?, day(d)?),
        _ => return None,
    };
    Some(f64::from(y * 10_000 + m * 100 + d))
}

/// The position an ordinal names: "first" or "1st" is 1.
fn ordinal(text: &str) -> Option<f64> {
    if let Some(index) = ORDINAL_WORDS.iter().position(|w| *w == text) {
        return Some((index + 1) as f64);
    }
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| text.strip_suffix(suffix))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod quantity_tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        quantity(text).unwrap_or_else(|| panic!("`{text}` is not a quantity"))
    }

    fn ends(text: &str) -> (Option<f64>, Option<f64>) {
        let q = q(text);
        (q.low.map(|b| b.value), q.high.map(|b| b.value))
    }

    #[test]
    fn reads_values_of_every_kind() {
        assert_eq!(q("1,500").kind, QuantityKind::Number);
        assert_eq!(ends("1,500"), (Some(1500.0), Some(1500.0)));
        assert_eq!(q("25%").kind, QuantityKind::Percent);
        assert_eq!(q("25 percent.").kind, QuantityKind::Percent);
        assert_eq!(q("$1.5 million").kind, QuantityKind::Amount("$"));
        assert_eq!(ends("$1.5 million"), (Some(1.5e6), Some(1.5e6)));
        assert_eq!(q("500 euros").kind, QuantityKind::Amount("€"));
        assert_eq!(ends("4 hours"), (Some(14_400.0), Some(14_400.0)));
        assert_eq!(ends("Three business days"), ends("72 hours"));
        assert_eq!(ends("2024-03-01"), (Some(20_240_301.0), Some(20_240_301.0)));
        assert_eq!(ends("March 1, 2024"), ends("1 March 2024"));
        assert_eq!(q("Second").kind, QuantityKind::Ordinal);
        assert_eq!(ends("3rd"), (Some(3.0), Some(3.0)));
        assert_eq!(q("Within 24 hours").qualifier, "within");
    }

    #[test]
    fn range_suffixes_start_with_or() {
        // `range` looks for the suffixes only in text that has " or ".
        for (phrase, _) in RANGE_SUFFIXES {
            assert!(phrase.starts_with("or "), "{phrase}");
        }
    }

    #[test]
    fn reads_ranges_and_open_ranges() {
        assert_eq!(ends("10-20%"), (Some(10.0), Some(20.0)));
        assert_eq!(q("10–20%").kind, QuantityKind::Percent);
        assert_eq!(ends("10 to 20 percent"), (Some(10.0), Some(20.0)));
        assert_eq!(
            ends("between 1 and 4 hours"),
            (Some(3_600.0), Some(14_400.0))
        );
        assert_eq!(ends("$10-20"), (Some(10.0), Some(20.0)));
        assert_eq!(ends("less than 10"), (None, Some(10.0)));
        assert!(!q("less than 10").high.is_some_and(|b| b.inclusive));
        assert_eq!(ends("20 or more years"), (Some(20.0 * 31_536_000.0), None));
        assert_eq!(ends("20+"), (Some(20.0), None));
        assert_eq!(
            ends("2024-01-01 to 2024-03-31"),
            (Some(20_240_101.0), Some(20_240_331.0))
        );
    }

    #[test]
    fn rejects_text_that_is_more_than_a_quantity() {
        for text in [
            "SHA-256",
            "256-bit keys",
            "TLS 1.2",
            "ISO 27001",
            "2,3",
            "Review 10 logs",
            "Accept the risk",
            "20-10",
            "5%-10 days",
            "first responder",
        ] {
            assert_eq!(quantity(text), None, "{text}");
        }
    }

    #[test]
    fn overlap_counts_shared_ends_only_when_both_include_them() {
        assert!(q("10-20%").overlaps(&q("15-25%")));
        assert!(q("10-20%").overlaps(&q("20-30%")));
        assert!(!q("10-20%").overlaps(&q("21-30%")));
        assert!(!q("less than 10").overlaps(&q("10-20")));
        assert!(q("at least 20").overlaps(&q("10-20")));
        assert!(!q("more than 20").overlaps(&q("10-20")));
        assert!(q("less than 10").overlaps(&q("less than 20")));
        assert!(q("15%").overlaps(&q("10-20%")));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn bounded_levenshtein_agrees_with_strsim_within_the_bound() {
        // Every pair over a small alphabet up to length 5 (with a non-ASCII letter), at every
        // bound: the distance when it is within the bound, `None` exactly when it is not.
        let alphabet = ['a', 'b', 'é'];
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.chars().count() == texts.last().map_or(0, |l| l.chars().count()))
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        for a in texts.iter().step_by(7) {
            for b in texts.iter().step_by(5) {
                let exact = strsim::levenshtein(a, b);
                for bound in 0..=6 {
                    let expected = (exact <= bound).then_some(exact);
                    assert_eq!(
                        bounded_levenshtein(a, b, bound),
                        expected,
                        "{a:?} {b:?} {bound}"
                    );
                }
            }
        }
    }

    #[test]
    fn quantities_without_digits_are_number_or_ordinal_words() {
        assert!(quantity("three to five").is_some());
        assert!(quantity("Three-Five").is_some());
        assert!(quantity("FIRST").is_some());
        assert!(quantity("threefold").is_none());
        assert!(!may_state_quantity(
            "Assess the risk firsthand, then report"
        ));
        assert!(may_state_quantity("the 2nd"));
    }

    /// The screen of [`may_state_quantity`] as first written, one `char` at a time, for the
    /// property test below.
    fn may_state_quantity_reference(text: &str) -> bool {
        let listed = |part: &str| {
            QUANTITY_NUMBER_WORDS
                .iter()
                .chain(ORDINAL_WORDS)
                .any(|word| word.eq_ignore_ascii_case(part))
        };
        text.chars().any(|c| c.is_ascii_digit())
            || text
                .split(|c: char| !c.is_alphanumeric())
                .any(|part| listed(&part.to_lowercase()))
    }

    /// The definition of [`words`], one `char` at a time, for the property test below.
    fn reference_words(text: &str) -> Vec<(usize, &str)> {
        let is_word = |c: char| c.is_alphanumeric() || c == '\'' || c == '’' || c == '-';
        let mut found = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some(&(start, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                chars.next();
                continue;
            }
            let mut end = start;
            while let Some(&(at, c)) = chars.peek() {
                if !is_word(c) {
                    break;
                }
                end = at + c.len_utf8();
                chars.next();
            }
            found.push((start, text[start..end].trim_end_matches(['\'', '’', '-'])));
        }
        found
    }

    /// `text` with each `(at, replacement)` of `edits` in turn: the character at `at` (or the end,
    /// past it) replaced by `replacement`, which may be empty. A near-copy for tests of bounds on
    /// the edit distance.
    pub(crate) fn edited(text: &str, edits: Vec<(usize, String)>) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        for (at, replacement) in edits {
            let at = at.min(chars.len());
            chars.splice(at..(at + 1).min(chars.len()), replacement.chars());
        }
        chars.into_iter().collect()
    }

    proptest::proptest! {
        /// Longer texts than the exhaustive test reaches, past the 64 characters of one machine
        /// word of the bit-parallel distance, near-copies of each other as the rule compares.
        #[test]
        fn bounded_levenshtein_agrees_with_strsim_on_long_texts(
            a in "[ab é]{0,150}",
            edits in proptest::collection::vec((0_usize..150, "[ab é]{0,2}"), 0..12),
            bound in 0_usize..20,
        ) {
            let b = edited(&a, edits);
            let exact = strsim::levenshtein(&a, &b);
            proptest::prop_assert_eq!(bounded_levenshtein(&a, &b, bound), (exact <= bound).then_some(exact));
            let (a, b) = (a.replace('é', "e"), b.replace('é', "e"));
            let exact = strsim::levenshtein(&a, &b);
            proptest::prop_assert_eq!(bounded_levenshtein(&a, &b, bound), (exact <= bound).then_some(exact));
        }

        #[test]
        fn quantity_text_is_normalized_as_defined(
            text in r"([a-zA-Z0-9]{1,4}|[ \t\n\x0b\x0c\r,.%$'\-–—İ€\u{a0}\u{2003}])*"
        ) {
            let defined = text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
                .replace(['–', '—', '‒', '−'], "-");
            proptest::prop_assert_eq!(normalize_quantity(&text), defined);
        }

        #[test]
        fn the_quantity_screen_matches_its_definition(
            text in "(one|First|THIRD|seven|twelve|tenth|hundred|[a-zA-Z]{1,5}|[ ,.'’\\-é1İ€])*"
        ) {
            proptest::prop_assert_eq!(may_state_quantity(&text), may_state_quantity_reference(&text));
        }

        /// ASCII text, which the screen reads byte by byte without the `char` path.
        #[test]
        fn the_ascii_quantity_screen_matches_its_definition(
            text in "(one|First|THIRD|sEvEn|twelve|tenth|eights|zer|[a-zA-Z]{1,8}|[ ,.'\\-1_])*"
        ) {
            proptest::prop_assert_eq!(may_state_quantity(&text), may_state_quantity_reference(&text));
        }

        #[test]
        fn words_match_their_definition(text in "[a-zA-Z0-9 '’\\-.,é€ßİ\u{300}\n]{0,40}") {
            proptest::prop_assert_eq!(words(&text).collect::<Vec<_>>(), reference_words(&text));
            // What the tokenizer learns about each word is what reading the word again gives.
            let mut split = words(&text);
            while let Some((_, word, shape)) = split.next_shaped() {
                proptest::prop_assert_eq!(shape, Shape::of(word), "{}", word);
            }
        }

        /// The roots and content flags that a text's words share are those of each word read
        /// on its own, though the tokenizer's shapes let them skip reading it again.
        #[test]
        fn shared_roots_and_content_flags_are_each_words_own(
            text in "([a-zA-Z'’\\-éİ]{1,12}(ies|ING|ed|'s|’s|S)? ?){0,8}",
        ) {
            let shared = TextWords::new(&text);
            let roots: Vec<Cow<'_, str>> = shared.words().iter().map(|&(_, w)| root(w)).collect();
            let content: Vec<bool> = shared
                .words()
                .iter()
                .map(|&(_, w)| is_content_word_reference(w))
                .collect();
            proptest::prop_assert_eq!(shared.roots(), roots.as_slice());
            proptest::prop_assert_eq!(shared.content(), content.as_slice());
        }
    }

    #[test]
    fn words_keep_offsets_and_apostrophes() {
        let found: Vec<(usize, &str)> = words("The CISO's plan -- NOT (BIA).").collect();
        assert_eq!(
            found,
            [
                (0, "The"),
                (4, "CISO's"),
                (11, "plan"),
                (19, "NOT"),
                (24, "BIA")
            ]
        );
    }

    #[test]
    fn the_question_is_the_last_sentence() {
        let stem = "A bank was not ready. The board asks. Which is NOT a control? (Choose TWO.)";
        assert_eq!(&stem[question_range(stem)], "Which is NOT a control?");
        let stem = "Complete the sentence:";
        assert_eq!(&stem[question_range(stem)], "Complete the sentence:");
        let stem = "Audit found v1.2 was used.\nWhat should\nthe manager do FIRST?";
        assert_eq!(
            &stem[question_range(stem)],
            "What should\nthe manager do FIRST?"
        );
    }

    /// The stem as first written, for the property below.
    fn stem_word_reference(word: &str) -> Cow<'_, str> {
        let lower: Cow<'_, str> =
            if word.is_ascii() && !word.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Borrowed(word)
            } else {
                Cow::Owned(word.to_lowercase())
            };
        for suffix in ["ies", "ing", "ed", "es", "s"] {
            if let Some(base) = lower.strip_suffix(suffix)
                && base.chars().count() >= 4
            {
                return match (&lower, suffix) {
                    (_, "ies") => Cow::Owned(format!("{base}y")),
                    (Cow::Borrowed(word), _) => Cow::Borrowed(&word[..base.len()]),
                    (Cow::Owned(_), _) => Cow::Owned(base.to_owned()),
                };
            }
        }
        lower
    }

    /// Content words as first written, for the property below.
    fn is_content_word_reference(word: &str) -> bool {
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        letters >= 4 && !STOP_WORDS.contains(&word.to_lowercase().as_str())
    }

    proptest::proptest! {
        #[test]
        fn stems_and_content_words_match_their_plain_definitions(
            word in "([A-Za-z'-]{0,9}(ies|IES|ing|Ing|ING|ed|eD|ED|es|ES|S|s)?)|[a-zéİßΣ]{1,8}|\\PC{0,6}",
            stop in proptest::sample::select(STOP_WORDS),
            capitals in proptest::bool::ANY,
        ) {
            proptest::prop_assert_eq!(stem_word(&word), stem_word_reference(&word));
            proptest::prop_assert_eq!(is_content_word(&word), is_content_word_reference(&word));
            let stop = if capitals { stop.to_ascii_uppercase() } else { (*stop).to_owned() };
            proptest::prop_assert_eq!(is_content_word(&stop), is_content_word_reference(&stop));
            proptest::prop_assert_eq!(stem_word(&stop), stem_word_reference(&stop));
        }
    }

    #[test]
    fn stems_fold_simple_suffixes() {
        assert_eq!(stem_word("policies"), stem_word("policy"));
        assert_eq!(stem_word("Assessing"), "assess");
        assert_eq!(stem_word("risk"), "risk");
    }

    /// A string written as `raw` in `source`, read by the model as `value`.
    fn spanned(source: &str, raw: &str, value: &str) -> Spanned<String> {
        let start = source.find(raw).unwrap();
        Spanned::new(value.to_owned(), TextRange::new(start, start + raw.len()))
    }

    #[test]
    fn value_spans_skip_quotes_and_the_trimmed_newline() {
        let source = "a = \"all of it\"\nb = \"\"\"\nnone here\"\"\"\nc = 'x y'\n";
        let a = spanned(source, "\"all of it\"", "all of it");
        assert_eq!(&source[value_span(source, &a, 4..6).to_range()], "of");
        let b = spanned(source, "\"\"\"\nnone here\"\"\"", "none here");
        assert_eq!(&source[value_span(source, &b, 0..4).to_range()], "none");
        let c = spanned(source, "'x y'", "x y");
        assert_eq!(&source[value_span(source, &c, 2..3).to_range()], "y");
    }

    #[test]
    fn value_spans_fall_back_to_the_whole_value_after_escapes() {
        let source = "a = \"say \\\"all\\\"\"\n";
        let a = spanned(source, "\"say \\\"all\\\"\"", "say \"all\"");
        assert_eq!(value_span(source, &a, 5..8), a.range);
    }

    #[test]
    fn listed_words_match_whole_words_only() {
        let list = crate::words::WordList::new(["all".to_owned(), "never".to_owned()]);
        let found: Vec<&str> = words("Allocate funds to all-hands; review ALL logs")
            .map(|(_, w)| w)
            .filter(|w| list.contains(w))
            .collect();
        assert_eq!(found, ["ALL"]);
    }
}
