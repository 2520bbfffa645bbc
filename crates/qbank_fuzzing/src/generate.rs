//! Packs of valid items built from fuzz bytes.
//!
//! "Valid" is what an export can be given: items that pass the item schema and the rules that
//! a pack depends on (an exam with a blueprint, a domain of that blueprint, one key for a
//! single-response item and two or more for a multiple-response one), blueprints whose weights
//! add up to 1, exhibits that name files of the pack's media. Within that, every text is as
//! hostile as the schema allows: markup and GIFT's special characters, format markers, line
//! ends of every kind, control characters, right-to-left marks, astral characters, and runs long
//! enough to reach the schema's length limits.

use std::collections::BTreeSet;

use arbitrary::{Result, Unstructured};
use qbank_export::{
    Pack, PackBlueprint, PackConcept, PackDomain, PackExhibit, PackItem, PackItemType, PackOption,
    PackStatus,
};

/// Pieces that mean something to some format.
const SPECIALS: &[&str] = &[
    "~",
    "=",
    "#",
    "{",
    "}",
    ":",
    "\\",
    "\\n",
    "<",
    ">",
    "&",
    "&amp;",
    "&#32;",
    "&#13;",
    "&lt;",
    "\"",
    "'",
    "]]>",
    "<![CDATA[",
    "<br>",
    "<p>",
    "</p>",
    "%",
    "%50%",
    "[html]",
    "[markdown]",
    "[",
    "]",
    "::",
    "//",
    "$CATEGORY:",
    "$course$/top/",
    "/",
    ",",
    ";",
    "\n",
    "\r",
    "\r\n",
    "\n\n",
    "\t",
    " ",
    "  ",
    "\u{a0}",
    "\u{b}",
    "\u{c}",
    "\u{0}",
    "\u{1b}",
    "\u{7f}",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}",
    "\u{200b}",
    "\u{200f}",
    "\u{202e}",
    "\u{2066}",
    "😀",
    "𝔄",
    "\u{10ffff}",
    "\u{fffd}",
    "\u{fffe}",
    "\u{ffff}",
    "é",
    "e\u{301}",
    "ﬁ",
    "ß",
    "İ",
    "References:",
    "\n\nReferences:\n- ",
    "\n- ",
    "- ",
    "{{Front}}",
    "{{c1::x}}",
    "\u{1f}",
    "=SUM(A1)",
    "\"\"",
    "--",
    "#!",
];

/// Ordinary words, so that texts also look like texts.
const WORDS: &[&str] = &[
    "Which",
    "of",
    "the",
    "following",
    "is",
    "BEST",
    "risk",
    "control",
    "NOT",
    "audit",
    "a",
    "an",
    "policy",
    "first",
    "data",
    "MOST",
    "likely",
    "security",
    "manager",
    "should",
];

/// Non-empty text of at most `max` characters.
pub(crate) fn text(u: &mut Unstructured<'_>, max: usize) -> Result<String> {
    let text = any_text(u, max)?;
    Ok(if text.is_empty() {
        "x".to_owned()
    } else {
        text
    })
}

/// Text of at most `max` characters, possibly empty.
pub(crate) fn any_text(u: &mut Unstructured<'_>, max: usize) -> Result<String> {
    let mut out = String::new();
    let pieces = u.int_in_range(0..=12)?;
    for _ in 0..pieces {
        match u.int_in_range(0..=15)? {
            0..=5 => out.push_str(u.choose(SPECIALS)?),
            6..=9 => out.push_str(u.choose(WORDS)?),
            10 => out.push(u.arbitrary::<char>()?),
            11 => out.push_str(u.arbitrary::<&str>()?),
            12 => {
                // A long run, to reach the length limits.
                let piece = if u.arbitrary()? {
                    u.choose(SPECIALS)?
                } else {
                    u.choose(WORDS)?
                };
                let times = u.int_in_range(1..=6000)?;
                out.push_str(&piece.repeat(times));
            }
            _ => out.push(' '),
        }
        if out.chars().count() >= max {
            break;
        }
    }
    Ok(out.chars().take(max).collect())
}

/// `[a-z0-9]+(-[a-z0-9]+)*`.
fn kebab(u: &mut Unstructured<'_>) -> Result<String> {
    segments(u, b"abcdefghijklmnopqrstuvwxyz0123456789")
}

/// `[A-Z0-9]+(-[A-Z0-9]+)*`.
fn id_text(u: &mut Unstructured<'_>) -> Result<String> {
    segments(u, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
}

fn segments(u: &mut Unstructured<'_>, alphabet: &[u8]) -> Result<String> {
    let count = u.int_in_range(1..=3)?;
    let mut parts = Vec::with_capacity(count);
    for _ in 0..count {
        let len = u.int_in_range(1..=5)?;
        let mut part = String::with_capacity(len);
        for _ in 0..len {
            part.push(char::from(*u.choose(alphabet)?));
        }
        parts.push(part);
    }
    Ok(parts.join("-"))
}

/// `[A-Za-z0-9.]+`.
fn domain_id(u: &mut Unstructured<'_>) -> Result<String> {
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.";
    let len = u.int_in_range(1..=4)?;
    let mut out = String::with_capacity(len);
    for _ in 0..len {
        out.push(char::from(*u.choose(alphabet)?));
    }
    Ok(out)
}

/// A valid calendar date, `YYYY-MM-DD`.
fn date(u: &mut Unstructured<'_>) -> Result<String> {
    let year: u32 = u.int_in_range(1..=9999)?;
    let month: u32 = u.int_in_range(1..=12)?;
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let day: u32 = u.int_in_range(1..=days)?;
    Ok(format!("{year:04}-{month:02}-{day:02}"))
}

/// Up to `max` distinct values from `make`, in the order drawn.
fn distinct(
    u: &mut Unstructured<'_>,
    max: usize,
    mut make: impl FnMut(&mut Unstructured<'_>) -> Result<String>,
) -> Result<Vec<String>> {
    let count = u.int_in_range(0..=max)?;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for _ in 0..count {
        let value = make(u)?;
        if seen.insert(value.clone()) {
            out.push(value);
        }
    }
    Ok(out)
}

fn blueprint(u: &mut Unstructured<'_>, exam: String) -> Result<PackBlueprint> {
    let count = u.int_in_range(1..=4)?;
    let mut ids = BTreeSet::new();
    let mut domains = Vec::new();
    let mut left: u64 = 1_000_000_000;
    for n in 0..count {
        let id = domain_id(u)?;
        if !ids.insert(id.clone()) {
            continue;
        }
        // Weights are positive and add up to exactly 1, as a valid blueprint's do.
        let billionths = if n + 1 == count || left <= 1 {
            left
        } else {
            u.int_in_range(1..=left - 1)?
        };
        left -= billionths;
        domains.push(PackDomain {
            id,
            title: any_text(u, 200)?,
            weight: decimal(billionths),
            billionths,
            ..PackDomain::default()
        });
        if left == 0 {
            break;
        }
    }
    if left > 0
        && let Some(last) = domains.last_mut()
    {
        last.billionths += left;
        last.weight = decimal(last.billionths);
    }
    Ok(PackBlueprint {
        id: format!("{exam}-{}", u.int_in_range(2000..=2099)?),
        exam,
        title: text(u, 200)?,
        form_length: u.int_in_range(1..=10_000)?,
        time_limit_minutes: if u.arbitrary()? {
            Some(u.int_in_range(1..=600)?)
        } else {
            None
        },
        domains,
        ..PackBlueprint::default()
    })
}

/// `500000000` billionths as `0.5`.
fn decimal(billionths: u64) -> String {
    let whole = billionths / 1_000_000_000;
    let fraction = billionths % 1_000_000_000;
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:09}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

fn options(u: &mut Unstructured<'_>, item_type: PackItemType) -> Result<Vec<PackOption>> {
    let count = u.int_in_range(2..=10)?;
    let mut options = Vec::with_capacity(count);
    for _ in 0..count {
        options.push(PackOption {
            text: text(u, 5000)?,
            correct: Some(u.arbitrary()?),
            feedback: if u.arbitrary()? {
                Some(any_text(u, 5000)?)
            } else {
                None
            },
            fixed: u.arbitrary()?,
        });
    }
    match item_type {
        PackItemType::Single => {
            let key = u.choose_index(count)?;
            for (i, option) in options.iter_mut().enumerate() {
                option.correct = Some(i == key);
            }
        }
        PackItemType::Multiple => {
            let keys = options.iter().filter(|o| o.correct == Some(true)).count();
            if keys < 2 {
                options[0].correct = Some(true);
                options[1].correct = Some(true);
            }
        }
    }
    Ok(options)
}

fn item(
    u: &mut Unstructured<'_>,
    index: usize,
    blueprints: &[PackBlueprint],
    media: &mut std::collections::BTreeMap<String, Vec<u8>>,
) -> Result<PackItem> {
    let blueprint = u.choose(blueprints)?;
    let domain = u.choose(&blueprint.domains)?;
    let item_type = if u.arbitrary()? {
        PackItemType::Multiple
    } else {
        PackItemType::Single
    };
    let exhibit_count = u.int_in_range(0..=2)?;
    let mut exhibits = Vec::with_capacity(exhibit_count);
    for _ in 0..exhibit_count {
        let file = exhibit_file(u)?;
        media.insert(file.clone(), file.as_bytes().to_vec());
        exhibits.push(PackExhibit {
            file,
            alt: any_text(u, 2000)?,
        });
    }
    Ok(PackItem {
        // Ids are unique in a bank.
        id: format!("{}-{index}", id_text(u)?),
        exam: blueprint.exam.clone(),
        domain: domain.id.clone(),
        task: if u.arbitrary()? {
            Some(domain_id(u)?)
        } else {
            None
        },
        item_type,
        status: *u.choose(&[
            PackStatus::Draft,
            PackStatus::Review,
            PackStatus::Approved,
            PackStatus::Retired,
        ])?,
        difficulty: if u.arbitrary()? {
            Some(u.int_in_range(1..=5)?)
        } else {
            None
        },
        shuffle: u.arbitrary()?,
        secure: u.arbitrary()?,
        stem: text(u, 20_000)?,
        rationale: if u.arbitrary()? {
            Some(any_text(u, 20_000)?)
        } else {
            None
        },
        references: {
            let count = u.int_in_range(0..=3)?;
            let mut out = Vec::with_capacity(count);
            for _ in 0..count {
                out.push(text(u, 500)?);
            }
            out
        },
        tags: distinct(u, 3, kebab)?,
        concepts: distinct(u, 2, kebab)?,
        enemies: distinct(u, 2, id_text)?,
        exhibits,
        authors: {
            let mut authors = distinct(u, 2, |u| text(u, 100))?;
            if authors.is_empty() {
                authors.push(text(u, 100)?);
            }
            authors
        },
        reviewers: distinct(u, 2, |u| text(u, 100))?,
        created: Some(date(u)?),
        updated: if u.arbitrary()? { Some(date(u)?) } else { None },
        options: options(u, item_type)?,
    })
}

/// A media file name as a bank can hold one: a relative path inside `media/` (no `..`, no
/// leading slash, no empty segment), with hostile characters otherwise.
fn exhibit_file(u: &mut Unstructured<'_>) -> Result<String> {
    let raw = text(u, 120)?;
    let parts: Vec<String> = raw
        .split(['/', '\\'])
        .map(|p| p.replace('\0', ""))
        .filter(|p| !p.is_empty() && p != "." && p != "..")
        .collect();
    Ok(if parts.is_empty() {
        "exhibit.png".to_owned()
    } else {
        parts.join("/")
    })
}

/// A pack: one to three exams, each with a blueprint, and one to five items. Keys are left
/// out when `meta.keys` is false, as `--no-keys` does.
pub(crate) fn pack(u: &mut Unstructured<'_>) -> Result<Pack> {
    let exams = distinct(u, 3, kebab)?;
    let exams = if exams.is_empty() {
        vec!["cism".to_owned()]
    } else {
        exams
    };
    let mut blueprints = Vec::with_capacity(exams.len());
    for exam in exams {
        blueprints.push(blueprint(u, exam)?);
    }
    let mut pack = Pack::default();
    let count = u.int_in_range(1..=5)?;
    for index in 0..count {
        let item = item(u, index + 1, &blueprints, &mut pack.media)?;
        pack.items.push(item);
    }
    // The order `build` gives: by exam, by the domain's place in its blueprint, then by id.
    pack.items.sort_by_key(|item| {
        let place = blueprints
            .iter()
            .find(|b| b.exam == item.exam)
            .and_then(|b| b.domains.iter().position(|d| d.id == item.domain));
        (item.exam.clone(), place, item.id.clone())
    });
    for _ in 0..u.int_in_range(0..=2)? {
        pack.concepts.push(PackConcept {
            id: kebab(u)?,
            title: text(u, 200)?,
            exam: vec![u.choose(&blueprints)?.exam.clone()],
            definition: text(u, 2000)?,
            related: Vec::new(),
        });
    }
    pack.blueprints = blueprints;
    pack.meta.bank = text(u, 60)?;
    pack.meta.profile = text(u, 60)?;
    pack.meta.description = if u.arbitrary()? {
        Some(any_text(u, 200)?)
    } else {
        None
    };
    pack.meta.public = u.arbitrary()?;
    pack.meta.keys = u.ratio(3, 4)?;
    "qbank".clone_into(&mut pack.meta.tool);
    "0.0.0".clone_into(&mut pack.meta.tool_version);
    Ok(pack)
}
