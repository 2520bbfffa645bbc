//! The pack: what an export holds, independent of any format.

use crate::output::Output;
use std::collections::BTreeMap;

use qbank_model::{Blueprint, Concept, Item, ItemType, Status};
use serde::{Deserialize, Serialize};

/// The version of the JSON pack format; within a version, fields are only ever added.
pub const PACK_VERSION: u32 = 1;

/// The `format` value of every JSON pack.
pub const PACK_FORMAT: &str = "qbank-pack";

/// A selection of items ready to be written in any format.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Pack {
    /// Where the pack comes from and what it holds.
    pub meta: PackMeta,
    /// The blueprints of the exams in the pack.
    #[serde(default)]
    pub blueprints: Vec<PackBlueprint>,
    /// The glossary entries of the exams in the pack.
    #[serde(default)]
    pub concepts: Vec<PackConcept>,
    /// The items, sorted by exam, domain and id.
    pub items: Vec<PackItem>,
    /// Exhibit files by path under `media/`, as the items name them.
    #[serde(skip)]
    pub media: BTreeMap<String, Vec<u8>>,
}

/// Where a pack comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackMeta {
    /// The bank's name: its folder's name.
    pub bank: String,
    /// The profile the pack was made with (`default` without `--profile`).
    pub profile: String,
    /// The profile's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the pack may leave the program (no secure, draft or retired item).
    pub public: bool,
    /// Whether keys, feedback and rationale are in the pack.
    pub keys: bool,
    /// The blueprint the pack was restricted to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blueprint: Option<String>,
    /// `qbank`.
    pub tool: String,
    /// The version of qbank that wrote the pack.
    pub tool_version: String,
    /// The bank's git commit, when the bank is in a git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// A blueprint, as far as delivery needs it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PackBlueprint {
    /// Its id.
    pub id: String,
    /// The exam.
    pub exam: String,
    /// Title.
    pub title: String,
    /// Items on one form.
    pub form_length: i64,
    /// Minutes for one form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_minutes: Option<i64>,
    /// Domains in the blueprint's order.
    pub domains: Vec<PackDomain>,
    /// How items tagged for earlier blueprints move into this one's domains; used to select
    /// a pack's items, not written into it.
    #[serde(skip)]
    pub crosswalk: Vec<PackMapping>,
}

/// One `[[crosswalk]]` entry of a blueprint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackMapping {
    /// The earlier blueprint's id.
    pub blueprint: String,
    /// A domain or task id of the earlier blueprint.
    pub from: String,
    /// The domain or task id of this blueprint it moves to.
    pub to: String,
}

/// A domain of a blueprint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PackDomain {
    /// Its id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Share of a form, as the decimal the blueprint writes (such as `"0.17"`).
    pub weight: String,
    /// Weight in billionths, for exact arithmetic.
    #[serde(skip)]
    pub billionths: u64,
    /// Task ids, for placing items; not written into a pack.
    #[serde(skip)]
    pub tasks: Vec<String>,
}

/// A glossary entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackConcept {
    /// Kebab-case id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Exams where it is tested.
    #[serde(default)]
    pub exam: Vec<String>,
    /// Definition.
    pub definition: String,
    /// Related concept ids.
    #[serde(default)]
    pub related: Vec<String>,
}

/// Single or multiple response.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum PackItemType {
    /// Exactly one key.
    #[default]
    Single,
    /// Two or more keys.
    Multiple,
}

impl PackItemType {
    /// The name as written in an item.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Multiple => "multiple",
        }
    }
}

/// An item's workflow state.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum PackStatus {
    /// Being written.
    #[default]
    Draft,
    /// Waiting for review.
    Review,
    /// Ready for forms and packs.
    Approved,
    /// No longer used.
    Retired,
}

impl PackStatus {
    /// The name as written in an item.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Review => "review",
            Self::Approved => "approved",
            Self::Retired => "retired",
        }
    }
}

impl From<Status> for PackStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Draft => Self::Draft,
            Status::Review => Self::Review,
            Status::Approved => Self::Approved,
            Status::Retired => Self::Retired,
        }
    }
}

/// An item with every value of its file, without source ranges. Defaults are resolved:
/// `shuffle` and `secure` are always present.
///
/// Fields are declared in the sorted order of their JSON names, so that serializing an item
/// writes its keys sorted, as the canonical form of the JSON pack needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackItem {
    /// Writers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// Concept ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub concepts: Vec<String>,
    /// Date written, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Writer's estimate, 1 to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<i64>,
    /// Domain id.
    pub domain: String,
    /// Items never to share a form with this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enemies: Vec<String>,
    /// Exam.
    pub exam: String,
    /// Files shown with the stem.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exhibits: Vec<PackExhibit>,
    /// Unique id.
    pub id: String,
    /// Answer options, labelled A, B, C… in this order.
    pub options: Vec<PackOption>,
    /// Why the key is right; absent in a pack without keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// Sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Reviewers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviewers: Vec<String>,
    /// Whether the item stays out of public packs.
    pub secure: bool,
    /// Whether delivery may shuffle the options.
    pub shuffle: bool,
    /// Workflow state.
    pub status: PackStatus,
    /// The question.
    pub stem: String,
    /// Topic tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Task id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Single or multiple response.
    #[serde(rename = "type")]
    pub item_type: PackItemType,
    /// Date last changed, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

/// An answer option.
///
/// Fields are in the sorted order of their JSON names (see [`PackItem`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackOption {
    /// Whether it is a key; absent in a pack without keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<bool>,
    /// Feedback shown when it is chosen; absent in a pack without keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
    /// Whether it keeps its place when the options are shuffled.
    pub fixed: bool,
    /// The text.
    pub text: String,
}

/// A file shown with the stem.
///
/// Fields are in the sorted order of their JSON names (see [`PackItem`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackExhibit {
    /// Alternative text.
    pub alt: String,
    /// Path under `media/`.
    pub file: String,
}

impl PackItem {
    /// The item's values without their source ranges.
    pub fn from_item(item: &Item) -> Self {
        Self::from_owned_item(item.clone())
    }

    /// [`PackItem::from_item`] of an item that is no longer needed: its text moves into the
    /// pack item rather than being copied (a large bank's export converts every item).
    pub fn from_owned_item(item: Item) -> Self {
        fn strings(list: Vec<qbank_model::Spanned<String>>) -> Vec<String> {
            list.into_iter().map(|s| s.value).collect()
        }
        let shuffle = item.shuffles();
        let secure = item.is_secure();
        let Item {
            id,
            exam,
            domain,
            task,
            item_type,
            status,
            difficulty,
            stem,
            rationale,
            references,
            tags,
            concepts,
            enemies,
            exhibits,
            authors,
            reviewers,
            created,
            updated,
            options,
            ..
        } = item;
        Self {
            id: id.value,
            exam: exam.value,
            domain: domain.value,
            task: task.map(|t| t.value),
            item_type: match item_type.value {
                ItemType::Single => PackItemType::Single,
                ItemType::Multiple => PackItemType::Multiple,
            },
            status: status.value.into(),
            difficulty: difficulty.map(|d| d.value),
            shuffle,
            secure,
            stem: stem.value,
            rationale: rationale.map(|r| r.value),
            references: strings(references),
            tags: strings(tags),
            concepts: strings(concepts),
            enemies: strings(enemies),
            exhibits: exhibits
                .into_iter()
                .map(|e| PackExhibit {
                    file: e.file.value,
                    alt: e.alt.value,
                })
                .collect(),
            authors: strings(authors),
            reviewers: strings(reviewers),
            created: created.map(|d| d.value.to_string()),
            updated: updated.map(|d| d.value.to_string()),
            options: options
                .into_iter()
                .map(|o| PackOption {
                    correct: Some(o.is_key()),
                    text: o.text.value,
                    feedback: o.feedback.map(|f| f.value),
                    fixed: o.fixed.is_some_and(|f| f.value),
                })
                .collect(),
        }
    }

    /// The indices of the keys.
    pub fn key_indices(&self) -> Vec<usize> {
        self.options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.correct == Some(true))
            .map(|(i, _)| i)
            .collect()
    }

    /// Leaves out the keys, the option feedback and the rationale.
    pub fn strip_keys(&mut self) {
        self.rationale = None;
        for option in &mut self.options {
            option.correct = None;
            option.feedback = None;
        }
    }
}

impl PackBlueprint {
    /// The blueprint's values that delivery needs.
    pub fn from_blueprint(blueprint: &Blueprint) -> Self {
        Self {
            id: blueprint.id.value.clone(),
            exam: blueprint.exam.value.clone(),
            title: blueprint.title.value.clone(),
            form_length: blueprint.form_length.value,
            time_limit_minutes: blueprint.time_limit_minutes.as_ref().map(|t| t.value),
            domains: blueprint
                .domains
                .iter()
                .map(|d| PackDomain {
                    id: d.id.value.clone(),
                    title: d.title.value.clone(),
                    weight: decimal_text(d.weight.value.billionths),
                    billionths: u64::try_from(d.weight.value.billionths).unwrap_or(0),
                    tasks: d.tasks.iter().map(|t| t.id.value.clone()).collect(),
                })
                .collect(),
            crosswalk: blueprint
                .crosswalk
                .iter()
                .map(|m| PackMapping {
                    blueprint: m.blueprint.value.clone(),
                    from: m.from.value.clone(),
                    to: m.to.value.clone(),
                })
                .collect(),
        }
    }

    /// The domain with `id`.
    pub fn domain(&self, id: &str) -> Option<&PackDomain> {
        self.domains.iter().find(|d| d.id == id)
    }
}

impl PackConcept {
    /// A glossary entry without source ranges.
    pub fn from_concept(concept: &Concept) -> Self {
        Self {
            id: concept.id.value.clone(),
            title: concept.title.value.clone(),
            exam: concept.exam.iter().map(|e| e.value.clone()).collect(),
            definition: concept.definition.value.clone(),
            related: concept.related.iter().map(|r| r.value.clone()).collect(),
        }
    }
}

impl Pack {
    /// The blueprint of `exam`, the first by id when several exist.
    pub fn blueprint_of(&self, exam: &str) -> Option<&PackBlueprint> {
        self.blueprints.iter().find(|b| b.exam == exam)
    }

    /// A title for the domain of an item: `1 Information Security Governance`, or the domain
    /// id alone when no blueprint names it.
    pub fn domain_title(&self, exam: &str, domain: &str) -> String {
        match self.blueprint_of(exam).and_then(|b| b.domain(domain)) {
            Some(d) => format!("{} {}", d.id, d.title),
            None => domain.to_owned(),
        }
    }

    /// The items grouped by exam and domain, in pack order.
    pub fn groups(&self) -> Vec<(&str, &str, &[PackItem])> {
        let mut groups = Vec::new();
        let mut start = 0;
        for end in 1..=self.items.len() {
            let split = end == self.items.len()
                || self.items[end].exam != self.items[start].exam
                || self.items[end].domain != self.items[start].domain;
            if split {
                let first = &self.items[start];
                groups.push((
                    first.exam.as_str(),
                    first.domain.as_str(),
                    &self.items[start..end],
                ));
                start = end;
            }
        }
        groups
    }
}

/// `170000000` billionths as `0.17`.
fn decimal_text(billionths: i64) -> String {
    let sign = if billionths < 0 { "-" } else { "" };
    let value = billionths.unsigned_abs();
    let whole = value / 1_000_000_000;
    let fraction = value % 1_000_000_000;
    if fraction == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{fraction:09}");
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

/// Option labels: A, B, … Z, then AA, AB, ….
pub fn label(index: usize) -> String {
    let mut n = index;
    let mut out = Vec::new();
    loop {
        // `n % 26` is below 26, so the letter is in A..=Z.
        out.push(b'A' + u8::try_from(n % 26).unwrap_or(0));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Runs `steps` steps in order, each made by `make` on the thread pool and then taken by
/// `take`: step `k` is taken while step `k + 1` is made, so the serial work of taking one step
/// (copying it into a file, hashing it) overlaps the parallel work of making the next, and at
/// most two steps exist at a time. Stops at the first step that fails to be made or taken.
pub(crate) fn pipelined<T: Send, E: Send>(
    steps: usize,
    make: impl Fn(usize) -> Result<T, E> + Sync,
    mut take: impl FnMut(usize, T) -> Result<(), E> + Send,
) -> Result<(), E> {
    if steps == 0 {
        return Ok(());
    }
    let mut step = make(0)?;
    for next in 1..steps {
        let (following, taken) = rayon::join(|| make(next), || take(next - 1, step));
        taken?;
        step = following?;
    }
    take(steps - 1, step)
}

/// The capacity to give, once, a buffer that will hold the text of `total` items, after `done`
/// of them took `written` bytes: their mean size and an eighth more, for items longer than
/// these, and 64 KiB for what comes between and after them. Doubling a buffer this large would
/// copy it and fault in fresh pages each time (0.3 s at the end of a 270 MB Moodle pack);
/// capacity that is never written costs address space, not memory.
pub(crate) fn expected_size(written: usize, done: usize, total: usize) -> usize {
    let per_item = (written / done.max(1)).saturating_add(1);
    let items = per_item.saturating_mul(total);
    items.saturating_add(items / 8).saturating_add(64 << 10)
}

/// Writes the questions of `pack` to `out` after `prelude`, group by group (see
/// [`Pack::groups`]), each group after its `header`, then `trailer`.
///
/// The questions go in waves of at most [`crate::json::WAVE`] chunks of [`crate::csv::CHUNK`],
/// none across two groups: each chunk is written on the thread pool into one string (not one
/// string per question: a large pack would otherwise allocate, copy and free a string for
/// every item), and a wave is copied into the output and settled there (hashed, and written
/// out if it goes to a file), in order, while the workers write the next one. Waves rather
/// than whole groups keep the two in step however unequal the groups are.
pub(crate) fn write_groups(
    pack: &Pack,
    prelude: &str,
    header: impl Fn(&str, &str, &mut String) + Sync,
    question: impl Fn(&PackItem, &mut String) -> Result<(), crate::ExportError> + Sync,
    trailer: &str,
    out: &mut Output,
) -> Result<(), crate::ExportError> {
    use rayon::prelude::*;
    let chunk_size = crate::csv::CHUNK;
    let groups = pack.groups();
    // Each wave: its group, whether it opens the group, and its items.
    let waves: Vec<(usize, bool, &[PackItem])> = groups
        .iter()
        .enumerate()
        .flat_map(|(group, (_, _, items))| {
            items
                .chunks(chunk_size * crate::json::WAVE)
                .enumerate()
                .map(move |(index, wave)| (group, index == 0, wave))
        })
        .collect();
    let write = |wave: usize| -> Result<Vec<String>, crate::ExportError> {
        waves[wave]
            .2
            .par_chunks(chunk_size)
            .map(|chunk| {
                let capacity = chunk.iter().map(|item| item.stem.len() * 3 + 1024).sum();
                let mut text = String::with_capacity(capacity);
                for item in chunk {
                    question(item, &mut text)?;
                }
                Ok(text)
            })
            .collect()
    };
    out.push_str(prelude);
    let mut heading = String::new();
    pipelined(waves.len(), write, |wave, written| {
        let (group, opens, items) = waves[wave];
        if wave == 0 {
            let bytes = written.iter().map(String::len).sum();
            out.expect(expected_size(bytes, items.len(), pack.items.len()));
        }
        if opens {
            let (exam, domain, _) = groups[group];
            heading.clear();
            header(exam, domain, &mut heading);
            out.push_str(&heading);
        }
        for text in written {
            out.push_str(&text);
        }
        out.settle()
    })?;
    out.push_str(trailer);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_read_as_written() {
        assert_eq!(decimal_text(170_000_000), "0.17");
        assert_eq!(decimal_text(1_000_000_000), "1");
        assert_eq!(decimal_text(33_333_333), "0.033333333");
    }

    #[test]
    fn expected_size_is_the_mean_with_an_eighth_more() {
        // 101 bytes per item (the mean rounded up), 100 items, an eighth more, 64 KiB.
        assert_eq!(expected_size(1_000, 10, 100), 10_100 + 1_262 + 65_536);
        assert_eq!(expected_size(0, 0, 0), 65_536);
        assert_eq!(expected_size(usize::MAX, 1, usize::MAX), usize::MAX);
    }

    #[test]
    fn labels_continue_past_z() {
        assert_eq!(label(0), "A");
        assert_eq!(label(25), "Z");
        assert_eq!(label(26), "AA");
    }
}
