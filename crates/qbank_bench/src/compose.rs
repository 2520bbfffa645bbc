//! Composing stems and rationales from the word lists, wrapping them for a TOML file, and
//! planting near-duplicates by editing characters.

use std::fmt::Write as _;

use crate::rng::Rng;
use crate::vocab::{
    ACTIVITIES, Area, BECAUSES, CLAUSES, CLOSINGS, COMPLICATIONS, CONTEXTS, DATA, DAYS,
    DISCOVERIES, DISMISSALS, FEW, MULTIPLE_QUESTIONS, OPTION_SCOPES, ORGANIZATIONS, REGULATIONS,
    ROLES, SINGLE_QUESTIONS, SIZES, SYSTEMS, TOOLS, UNITS, VENDORS,
};

/// Stems are kept within this many characters, as item writers are asked to.
pub(crate) const STEM_CHARS: std::ops::RangeInclusive<usize> = 150..=450;

/// Lines of stems and rationales are wrapped before this column, as in the sample bank.
const WRAP_COLUMN: usize = 96;

/// A composed stem, and what the rest of the item takes from it.
#[derive(Clone, Debug)]
pub(crate) struct Stem {
    pub(crate) text: String,
    /// The sector tag of the organization in the scenario.
    pub(crate) sector: &'static str,
}

/// Replaces each `{slot}` of `template` with a draw from its list; `short` fills `{short}`.
pub(crate) fn fill(template: &str, short: &str, rng: &mut Rng, out: &mut String) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return;
        };
        let slot = &rest[open + 1..open + close];
        match slot {
            "unit" => out.push_str(rng.pick(UNITS)),
            "system" => out.push_str(rng.pick(SYSTEMS)),
            "data" => out.push_str(rng.pick(DATA)),
            "vendor" => out.push_str(rng.pick(VENDORS)),
            "reg" => out.push_str(rng.pick(REGULATIONS)),
            "tool" => out.push_str(rng.pick(TOOLS)),
            "few" => out.push_str(rng.pick(FEW)),
            "days" => out.push_str(rng.pick(DAYS)),
            "short" => out.push_str(short),
            "pct" => out.push_str(&(5 * rng.range(1, 14)).to_string()),
            "count" => {
                let thousands = rng.range(2, 950);
                let _ = write!(out, "{thousands},000");
            }
            _ => {}
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
}

fn article(phrase: &str) -> &'static str {
    let vowel = phrase.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']);
    // "a university", "a user", "an SaaS" is read "a SaaS"; "an IT" stays "an".
    if !vowel || phrase.starts_with("uni") || phrase.starts_with("use") {
        "a"
    } else {
        "an"
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Composes a scenario stem for `area`; `multiple` asks for a "(Choose TWO.)" question.
///
/// The stem is built from about ten independent choices (skeleton, organization, context,
/// role, discovery, event and its slots, complications, question), which gives well over 10^9
/// distinct stems per area, so two random stems are almost never near-duplicates.
pub(crate) fn stem(area: Area, multiple: bool, rng: &mut Rng) -> Stem {
    loop {
        let candidate = stem_candidate(area, multiple, rng);
        // About nine in ten candidates fit; the loop ends after a few draws.
        if STEM_CHARS.contains(&candidate.text.len()) {
            return candidate;
        }
    }
}

fn stem_candidate(area: Area, multiple: bool, rng: &mut Rng) -> Stem {
    let (kind, sector) = rng.pick(ORGANIZATIONS);
    let size = rng.pick(SIZES);
    let org = format!("{} {size} {kind}", article(size));
    let (role, short) = rng.pick(ROLES);
    let discovery = rng.pick(DISCOVERIES);
    let mut text = String::with_capacity(480);
    let mut scratch = String::new();
    match rng.below(5) {
        0 => {
            fill(rng.pick(CONTEXTS), short, rng, &mut scratch);
            let _ = write!(
                text,
                "{} {scratch}. {} {discovery} that ",
                capitalize(&org),
                capitalize(role)
            );
        }
        1 => {
            fill(rng.pick(CLAUSES), short, rng, &mut scratch);
            let activity = rng.pick(ACTIVITIES);
            let _ = write!(
                text,
                "During {activity} at {org} {scratch}, {role} {discovery} that "
            );
        }
        2 => {
            fill(rng.pick(CLAUSES), short, rng, &mut scratch);
            let _ = write!(
                text,
                "{} of {org} {scratch} {discovery} that ",
                capitalize(role)
            );
        }
        3 => {
            fill(rng.pick(CONTEXTS), short, rng, &mut scratch);
            let activity = rng.pick(ACTIVITIES);
            let _ = write!(
                text,
                "{} {scratch}. During {activity}, {role} {discovery} that ",
                capitalize(&org)
            );
        }
        _ => {
            let _ = write!(text, "{} at {org} {discovery} that ", capitalize(role));
        }
    }
    fill(rng.pick(area.events()), short, rng, &mut text);
    text.push('.');
    // At least one complication: stems that share a slot-free event and question would
    // otherwise differ only in the organization and role, and be near-duplicates by chance.
    let complications = rng.range(1, 2);
    for index in rng.distinct(COMPLICATIONS.len(), complications) {
        text.push(' ');
        fill(COMPLICATIONS[index], short, rng, &mut text);
    }
    text.push(' ');
    let questions = if multiple {
        MULTIPLE_QUESTIONS
    } else {
        SINGLE_QUESTIONS
    };
    fill(rng.pick(questions), short, rng, &mut text);
    Stem { text, sector }
}

/// Writes why the key(s) are right and each distractor wrong, as the bank's rules ask of an
/// approved item (QB318): a distractor is named by its label or by its own words.
/// `options` holds each option's text and whether it is a key, in the item's order.
pub(crate) fn rationale(options: &[(String, bool)], rng: &mut Rng) -> String {
    let keys: Vec<&str> = options
        .iter()
        .filter(|(_, correct)| *correct)
        .map(|(text, _)| text.as_str())
        .collect();
    let because = rng.pick(BECAUSES);
    let mut text = match keys.as_slice() {
        [key] => match rng.below(3) {
            0 => format!("The best answer is to {}: {because}.", lowercase_first(key)),
            1 => format!(
                "Choosing to {} is correct because {because}.",
                lowercase_first(key)
            ),
            _ => format!(
                "The key is to {}. {}.",
                lowercase_first(key),
                capitalize(because)
            ),
        },
        keys => {
            let joined: Vec<String> = keys.iter().map(|key| lowercase_first(key)).collect();
            // "it gives ..." becomes "each gives ...": the verb agrees either way.
            format!(
                "The keys are to {}, because each {}.",
                joined.join(" and to "),
                because.strip_prefix("it ").unwrap_or(because)
            )
        }
    };
    let distractors: Vec<(usize, &str)> = options
        .iter()
        .enumerate()
        .filter(|(_, (_, correct))| !*correct)
        .map(|(slot, (text, _))| (slot, text.as_str()))
        .collect();
    let dismissals = rng.distinct(DISMISSALS.len(), distractors.len());
    for ((slot, distractor), dismissal) in distractors.into_iter().zip(dismissals) {
        let why = DISMISSALS[dismissal];
        text.push(' ');
        match rng.below(3) {
            0 => {
                let label = char::from(b'A' + u8::try_from(slot).unwrap_or(0));
                let _ = write!(text, "Option {label} falls short: {}", lowercase_first(why));
            }
            1 => {
                let _ = write!(
                    text,
                    "To {} is not enough. {why}",
                    lowercase_first(distractor)
                );
            }
            _ => {
                let _ = write!(
                    text,
                    "{} would be premature. {why}",
                    capitalize(&gerund_phrase(distractor))
                );
            }
        }
    }
    let closing = rng.pick(CLOSINGS);
    if !closing.is_empty() {
        text.push(' ');
        text.push_str(closing);
    }
    text
}

/// "Perform a risk assessment" as "Performing a risk assessment": the first word of an
/// imperative action turned into its -ing form, for a sentence about the action.
fn gerund_phrase(action: &str) -> String {
    let (verb, rest) = action.split_once(' ').unwrap_or((action, ""));
    let verb = verb.to_lowercase();
    let stem = if let Some(base) = verb.strip_suffix("ie") {
        format!("{base}y")
    } else if verb.ends_with("ee") {
        verb.clone()
    } else if let Some(base) = verb.strip_suffix('e') {
        base.to_owned()
    } else if is_short_closed(&verb) {
        let last = verb.chars().last().map(String::from).unwrap_or_default();
        format!("{verb}{last}")
    } else {
        verb.clone()
    };
    if rest.is_empty() {
        format!("{stem}ing")
    } else {
        format!("{stem}ing {rest}")
    }
}

/// One-syllable verbs that double their last consonant before -ing ("stop", "plan").
fn is_short_closed(verb: &str) -> bool {
    matches!(
        verb,
        "stop" | "plan" | "set" | "put" | "cut" | "run" | "get" | "ban" | "let"
    )
}

/// An optional scope for an option, drawn for each option on its own, so that options built
/// from the same action differ between items as they do in a written bank.
pub(crate) fn option_scope(rng: &mut Rng, out: &mut String) {
    if rng.below(100) < 45 {
        return;
    }
    fill(rng.pick(OPTION_SCOPES), "", rng, out);
}

/// Breaks `text` into lines shorter than [`WRAP_COLUMN`] at spaces, as writers do in the
/// sample bank; the TOML value keeps the line breaks, which duplicate detection normalizes.
pub(crate) fn wrap(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut line = 0;
    let mut words = text.split_whitespace().peekable();
    while let Some(first) = words.next() {
        // "(Choose TWO.)" stays on one line, so that it is found at the end of the raw text.
        let glued;
        let word = if first == "(Choose" && words.peek() == Some(&"TWO.)") {
            words.next();
            glued = format!("{first} TWO.)");
            glued.as_str()
        } else {
            first
        };
        if line > 0 && line + 1 + word.len() > WRAP_COLUMN {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out
}

/// Plants a near-duplicate: changes between 1 % and 10 % of the characters of `source` by
/// substituting, inserting or deleting lower-case letters, so the Levenshtein distance to the
/// source is at most a tenth of its length (similarity of 0.9 or more).
///
/// The last 16 characters (the question mark and any "(Choose TWO.)") are left alone, and the
/// length stays inside [`STEM_CHARS`].
pub(crate) fn mutate(source: &str, rng: &mut Rng) -> String {
    const PROTECTED_TAIL: usize = 16;
    let mut bytes = source.as_bytes().to_vec();
    let per_mille = rng.range(10, 100);
    let edits = (source.len() * per_mille / 1000).max(1);
    for _ in 0..edits {
        let editable = bytes.len().saturating_sub(PROTECTED_TAIL);
        if editable == 0 {
            break;
        }
        let at = rng.below(editable);
        let letter = b'a' + u8::try_from(rng.below(26)).unwrap_or(0);
        match rng.below(4) {
            0 if bytes.len() < *STEM_CHARS.end() => bytes.insert(at, letter),
            1 if bytes.len() > *STEM_CHARS.start() => {
                bytes.remove(at);
            }
            _ => {
                // Substitute with a different letter so that every edit counts.
                bytes[at] = if bytes[at] == letter {
                    b'a' + (letter - b'a' + 1) % 26
                } else {
                    letter
                };
            }
        }
    }
    // Only ASCII letters were written into an ASCII source.
    String::from_utf8(bytes).unwrap_or_else(|_| source.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_every_slot() {
        let mut rng = Rng::new(3);
        for area in Area::ALL {
            for template in area.events() {
                let mut out = String::new();
                fill(template, "CISO", &mut rng, &mut out);
                assert!(!out.contains(['{', '}']), "{out}");
            }
        }
    }

    #[test]
    fn articles_fit_the_phrase() {
        assert_eq!(article("regional"), "a");
        assert_eq!(article("insurance company"), "an");
        assert_eq!(article("university"), "a");
    }

    #[test]
    fn wrap_keeps_choose_two_together() {
        let text = format!("{} Which TWO? (Choose TWO.)", "x".repeat(80));
        assert!(wrap(&text).ends_with("\n(Choose TWO.)"), "{}", wrap(&text));
    }

    #[test]
    fn wrap_keeps_words_and_width() {
        let text = "word ".repeat(100);
        let wrapped = wrap(&text);
        assert!(wrapped.lines().all(|line| line.len() < WRAP_COLUMN));
        assert_eq!(wrapped.split_whitespace().count(), 100);
    }

    #[test]
    fn mutation_stays_close_and_in_range() {
        let mut rng = Rng::new(11);
        for _ in 0..200 {
            let source = stem(Area::Risk, rng.chance(500), &mut rng).text;
            let copy = mutate(&source, &mut rng);
            assert_ne!(copy, source);
            assert!(STEM_CHARS.contains(&copy.len()));
            let distance = strsim::levenshtein(&source, &copy);
            assert!(
                distance * 10 <= source.len(),
                "{distance} edits in {source}"
            );
            assert_eq!(source[source.len() - 16..], copy[copy.len() - 16..]);
        }
    }

    #[test]
    fn stem_space_exceeds_a_billion_per_area() {
        // A lower bound: the simplest skeleton, one complication, and slot fills ignored.
        for area in Area::ALL {
            let space = SIZES.len()
                * ORGANIZATIONS.len()
                * ROLES.len()
                * DISCOVERIES.len()
                * area.events().len()
                * COMPLICATIONS.len()
                * SINGLE_QUESTIONS.len()
                * CONTEXTS.len().min(CLAUSES.len());
            assert!(space > 1_000_000_000, "{area:?}: {space}");
        }
    }
}
