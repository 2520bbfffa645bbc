//! Rendering one item file, and planting its defect if it has one.

use std::fmt::Write as _;

use crate::compose::{self, Stem};
use crate::date::{days_from_civil, format_day};
use crate::rng::Rng;
use crate::vocab::{AUTHORS, Area};

/// One way in which a generated item is invalid; each invalid item has exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Defect {
    /// A misspelled key, such as `stme` for `stem`.
    UnknownKey,
    /// A required key left out.
    MissingKey,
    /// A value outside an enumeration, such as `status = "aproved"`.
    BadEnumValue,
    /// `difficulty` outside 1..=5.
    DifficultyOutOfRange,
    /// A `single` item with two options marked `correct`.
    TwoKeysOnSingle,
    /// An `id` that does not match the file name.
    IdMismatch,
    /// `created` or `updated` written as a quoted string instead of a TOML date.
    QuotedDate,
    /// A file that is not valid TOML.
    SyntaxError,
}

impl Defect {
    /// Every defect, in the order used to draw them.
    pub const ALL: [Defect; 8] = [
        Defect::UnknownKey,
        Defect::MissingKey,
        Defect::BadEnumValue,
        Defect::DifficultyOutOfRange,
        Defect::TwoKeysOnSingle,
        Defect::IdMismatch,
        Defect::QuotedDate,
        Defect::SyntaxError,
    ];

    /// The kebab-case name written to `invalid-items.txt`.
    pub fn name(self) -> &'static str {
        match self {
            Defect::UnknownKey => "unknown-key",
            Defect::MissingKey => "missing-key",
            Defect::BadEnumValue => "bad-enum-value",
            Defect::DifficultyOutOfRange => "difficulty-out-of-range",
            Defect::TwoKeysOnSingle => "two-keys-on-single",
            Defect::IdMismatch => "id-mismatch",
            Defect::QuotedDate => "quoted-date",
            Defect::SyntaxError => "syntax-error",
        }
    }
}

/// Everything the plan fixes about an item before it is rendered.
pub(crate) struct ItemSpec<'a> {
    pub(crate) id: &'a str,
    pub(crate) exam: &'a str,
    pub(crate) domain: &'a str,
    pub(crate) task: &'a str,
    pub(crate) area: Area,
    pub(crate) multiple: bool,
    pub(crate) stem: Stem,
    /// Concept ids of the area that the exam tests.
    pub(crate) concepts: &'a [&'static str],
    pub(crate) enemy: Option<&'a str>,
    pub(crate) defect: Option<Defect>,
}

struct Field {
    key: String,
    value: String,
}

/// The item as key/value lines and options, before it becomes text; defects edit this.
struct Draft {
    fields: Vec<Field>,
    options: Vec<(String, bool)>,
}

impl Draft {
    fn set(&mut self, key: &str, value: String) {
        if let Some(field) = self.fields.iter_mut().find(|field| field.key == key) {
            field.value = value;
        }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|field| field.key == key)
            .map(|field| field.value.as_str())
    }

    fn to_toml(&self) -> String {
        let mut out = String::with_capacity(2600);
        out.push_str("#:schema ../../../../schemas/item.schema.json\n");
        for field in &self.fields {
            let _ = writeln!(out, "{} = {}", field.key, field.value);
        }
        for (text, correct) in &self.options {
            let _ = write!(out, "\n[[options]]\ntext = {}\n", quote(text));
            if *correct {
                out.push_str("correct = true\n");
            }
        }
        out
    }
}

/// A TOML basic string; the word lists hold no quotes or backslashes, but escape anyway.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn multiline(text: &str) -> String {
    format!("\"\"\"\n{}\"\"\"", compose::wrap(text))
}

fn array(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|value| quote(value)).collect();
    format!("[{}]", quoted.join(", "))
}

fn draw<'a>(rng: &mut Rng, pool: &[&'a str], low: usize, high: usize) -> Vec<&'a str> {
    let count = rng.range(low, high).min(pool.len());
    rng.distinct(pool.len(), count)
        .into_iter()
        .map(|index| pool[index])
        .collect()
}

/// Renders the item described by `spec`, drawing everything else from `rng`; `defect_rng`
/// chooses how a defect is planted.
pub(crate) fn render(spec: &ItemSpec<'_>, rng: &mut Rng, defect_rng: &mut Rng) -> String {
    let mut draft = draft(spec, rng);
    match spec.defect {
        None => draft.to_toml(),
        Some(Defect::SyntaxError) => break_syntax(&draft.to_toml(), defect_rng),
        Some(defect) => {
            plant(&mut draft, defect, spec, defect_rng);
            draft.to_toml()
        }
    }
}

fn draft(spec: &ItemSpec<'_>, rng: &mut Rng) -> Draft {
    let status = match rng.below(100) {
        0..=3 => "draft",
        4..=6 => "review",
        7..=9 => "retired",
        _ => "approved",
    };
    let difficulty = match rng.below(100) {
        0..=5 => 1,
        6..=31 => 2,
        32..=71 => 3,
        72..=92 => 4,
        _ => 5,
    };
    let actions = spec.area.actions();
    let picks = rng.distinct(actions.len(), 4);
    let keys = if spec.multiple { 2 } else { 1 };
    let key_slots = rng.distinct(4, keys);
    let options: Vec<(String, bool)> = picks
        .iter()
        .enumerate()
        .map(|(slot, &action)| {
            let mut text = actions[action].to_owned();
            compose::option_scope(rng, &mut text);
            (text, key_slots.contains(&slot))
        })
        .collect();
    let rationale = compose::rationale(&options, rng);
    let references = draw(rng, spec.area.references(), 1, 2);
    let mut tags = draw(rng, spec.area.tags(), 1, 3);
    if rng.chance(400) && !tags.contains(&spec.stem.sector) {
        tags.push(spec.stem.sector);
    }
    let concepts = draw(rng, spec.concepts, 1, 2);
    let author_count = if rng.chance(150) { 2 } else { 1 };
    let authors = draw(rng, AUTHORS, author_count, author_count);
    let reviewers: Vec<&str> = if status == "draft" && rng.chance(500) {
        Vec::new()
    } else {
        let candidates: Vec<&str> = AUTHORS
            .iter()
            .copied()
            .filter(|name| !authors.contains(name))
            .collect();
        vec![rng.pick(&candidates)]
    };
    let first_day = days_from_civil(2023, 1, 2);
    let last_day = days_from_civil(2026, 6, 30);
    let created = first_day + i64::try_from(rng.below(1200)).unwrap_or(0);
    let span = usize::try_from(last_day - created).unwrap_or(0).min(400);
    let updated = created + i64::try_from(rng.below(span + 1)).unwrap_or(0);

    let mut fields = vec![
        Field::new("id", quote(spec.id)),
        Field::new("exam", quote(spec.exam)),
        Field::new("domain", quote(spec.domain)),
        Field::new("task", quote(spec.task)),
        Field::new(
            "type",
            quote(if spec.multiple { "multiple" } else { "single" }),
        ),
        Field::new("status", quote(status)),
        Field::new("difficulty", difficulty.to_string()),
        Field::new("stem", multiline(&spec.stem.text)),
        Field::new("rationale", multiline(&rationale)),
        Field::new("references", array(&references)),
        Field::new("tags", array(&tags)),
        Field::new("concepts", array(&concepts)),
    ];
    if let Some(enemy) = spec.enemy {
        fields.push(Field::new("enemies", array(&[enemy])));
    }
    fields.extend([
        Field::new("authors", array(&authors)),
        Field::new("reviewers", array(&reviewers)),
        Field::new("created", format_day(created)),
        Field::new("updated", format_day(updated)),
    ]);
    Draft { fields, options }
}

impl Field {
    fn new(key: &str, value: String) -> Self {
        Self {
            key: key.to_owned(),
            value,
        }
    }
}

/// Misspellings an item writer might make, by key.
const TYPOS: &[(&str, &[&str])] = &[
    ("stem", &["stme", "stmen", "setm"]),
    ("rationale", &["rationle", "rationales", "rational"]),
    ("difficulty", &["dificulty", "difficulity"]),
    ("reviewers", &["reveiwers", "reviewer"]),
    ("references", &["refrences", "reference"]),
    ("tags", &["tag", "tgas"]),
    ("concepts", &["concept", "consepts"]),
    ("updated", &["upated", "modified"]),
    ("task", &["taks"]),
    ("authors", &["author"]),
];

/// Required keys whose absence leaves the rest of the file intact.
const REMOVABLE: &[&str] = &[
    "exam", "domain", "type", "status", "stem", "authors", "created",
];

fn plant(draft: &mut Draft, defect: Defect, spec: &ItemSpec<'_>, rng: &mut Rng) {
    match defect {
        Defect::UnknownKey => {
            let (key, typos) = rng.pick(TYPOS);
            let typo = rng.pick(typos);
            if let Some(field) = draft.fields.iter_mut().find(|field| field.key == *key) {
                typo.clone_into(&mut field.key);
            }
        }
        Defect::MissingKey => {
            let key = rng.pick(REMOVABLE);
            draft.fields.retain(|field| field.key != *key);
        }
        Defect::BadEnumValue => {
            if rng.chance(700) {
                let value = rng.pick(&["aproved", "Approved", "approve", "published", "active"]);
                draft.set("status", quote(value));
            } else {
                let value = rng.pick(&["singel", "multi", "multiple-choice", "Single"]);
                draft.set("type", quote(value));
            }
        }
        Defect::DifficultyOutOfRange => {
            let value = rng.pick(&[0, 6, 7, 10]);
            draft.set("difficulty", value.to_string());
        }
        Defect::TwoKeysOnSingle => {
            // The plan makes every item with this defect a `single` one.
            if let Some(option) = draft.options.iter_mut().find(|(_, correct)| !*correct) {
                option.1 = true;
            }
        }
        Defect::IdMismatch => {
            let (prefix, number) = spec.id.split_once('-').unwrap_or((spec.id, ""));
            // Both forms are injective and never produce another item's id: ids have six
            // digits and the real prefixes.
            let wrong = if rng.chance(500) {
                let typo = match prefix {
                    "CISM" => "CSIM".to_owned(),
                    "ISSMP" => "ISMSP".to_owned(),
                    other => format!("{other}X"),
                };
                format!("{typo}-{number}")
            } else {
                format!("{prefix}-0{number}")
            };
            draft.set("id", quote(&wrong));
        }
        Defect::QuotedDate => {
            let key = if rng.chance(500) {
                "created"
            } else {
                "updated"
            };
            if let Some(value) = draft.get(key).map(quote) {
                draft.set(key, value);
            }
        }
        Defect::SyntaxError => {}
    }
}

/// Makes `text` invalid TOML in one of several ways writers do by hand.
fn break_syntax(text: &str, rng: &mut Rng) -> String {
    let mut out = text.to_owned();
    let done = match rng.below(6) {
        // An unterminated string: `status = "approved`.
        0 => edit_line(&mut out, "status = ", |line| {
            line.pop();
        }),
        // A missing `=`: `difficulty 3`.
        1 => edit_line(&mut out, "difficulty = ", |line| {
            *line = line.replacen(" = ", " ", 1);
        }),
        // An unclosed array: `tags = ["a", "b"`.
        2 => edit_line(&mut out, "tags = ", |line| {
            line.pop();
        }),
        // A missing comma between array elements.
        3 => edit_line(&mut out, "tags = ", |line| {
            *line = line.replacen("\", \"", "\" \"", 1);
        }),
        // A broken table header.
        4 => match out.find("[[options]]") {
            Some(at) => {
                out.replace_range(at..at + 11, "[[options]");
                true
            }
            None => false,
        },
        // An unterminated multi-line stem, which swallows the following key.
        _ => match out.find("stem = \"\"\"\n") {
            Some(start) => match out[start + 11..].find("\"\"\"") {
                Some(end) => {
                    let at = start + 11 + end;
                    out.replace_range(at..at + 3, "");
                    true
                }
                None => false,
            },
            None => false,
        },
    };
    if !done || out == text {
        // Fall back to the unterminated string, which every item allows.
        text.clone_into(&mut out);
        edit_line(&mut out, "id = ", |line| {
            line.pop();
        });
    }
    out
}

/// Applies `edit` to the first line that starts with `prefix`; false if there is none.
fn edit_line(text: &mut String, prefix: &str, edit: impl FnOnce(&mut String)) -> bool {
    let start = if text.starts_with(prefix) {
        Some(0)
    } else {
        text.find(&format!("\n{prefix}")).map(|at| at + 1)
    };
    let Some(start) = start else {
        return false;
    };
    let end = text[start..].find('\n').map_or(text.len(), |at| start + at);
    let mut line = text[start..end].to_owned();
    edit(&mut line);
    text.replace_range(start..end, &line);
    true
}
