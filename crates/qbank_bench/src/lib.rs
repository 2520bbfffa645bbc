//! Synthetic question banks for benchmarking and stress-testing qbank.
//!
//! [`Generator`] plans a bank of any size from the sample bank's two blueprints and concept
//! glossary (embedded at build time), then renders each item file on demand. Items follow the
//! item format exactly, are spread over exams, domains and tasks as the blueprints weight them,
//! and read like scenario questions composed from security-management word lists. A chosen
//! share of them is broken in one realistic way each ([`Defect`]), and another share are planted
//! near-duplicates of other items, listed so that duplicate detection can be scored for recall.
//!
//! ```
//! use qbank_bench::{GenOptions, Generator};
//!
//! let generator = Generator::new(GenOptions { items: 20, ..GenOptions::default() }).unwrap();
//! let item = generator.item(0);
//! assert!(item.text.starts_with("#:schema ../../../../schemas/item.schema.json\n"));
//! assert!(item.path.starts_with("items"));
//! ```
//!
//! The output is a pure function of [`GenOptions`]: every item draws from its own seeded
//! streams, so files can be written in parallel and the same options always give the same
//! bytes. The `qbank-gen` binary is a thin command line over [`Generator::write`].
#![warn(missing_docs)]

mod compose;
mod date;
mod item;
mod rng;
mod vocab;

use std::fmt::{self, Write as _};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use item::Defect;

use crate::compose::Stem;
use crate::item::ItemSpec;
use crate::rng::{Rng, Stream};
use crate::vocab::Area;

/// The first line of the `qbank.toml` that the generator writes; `--force` only overwrites a
/// directory whose `qbank.toml` starts with it.
pub const MARKER: &str =
    "# Synthetic bank written by qbank-gen; regenerate it rather than edit it.";

const BLUEPRINTS: [(&str, &str); 2] = [
    (
        "cism-2022.toml",
        include_str!("../../../bank/blueprints/cism-2022.toml"),
    ),
    (
        "issmp-2023.toml",
        include_str!("../../../bank/blueprints/issmp-2023.toml"),
    ),
];

const CONCEPTS: &str = include_str!("../../../bank/concepts.toml");

/// The exams of the generated bank: name, id prefix and share of the items in per mille.
const EXAMS: [(&str, &str, usize); 2] = [("cism", "CISM", 550), ("issmp", "ISSMP", 450)];

/// Share of items, in per mille, that are given an enemy (in symmetric pairs).
const ENEMIES_PER_MILLE: usize = 40;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenOptions {
    /// Number of item files.
    pub items: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Share of invalid items, in per mille (at most 1000).
    pub invalid_per_mille: usize,
    /// Share of items that are planted near-duplicates of another item, in per mille.
    pub dupes_per_mille: usize,
}

impl Default for GenOptions {
    fn default() -> Self {
        Self {
            items: 1000,
            seed: 0,
            invalid_per_mille: 10,
            dupes_per_mille: 0,
        }
    }
}

/// Why a bank could not be generated or written.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// An embedded sample-bank file does not have the expected shape.
    #[error("embedded `{file}` is not usable: {message}")]
    Embedded {
        /// The file.
        file: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The requested invalid items and duplicate pairs need more items than there are.
    #[error(
        "{invalid} invalid items and {copies} planted duplicates (each with its own source) do not fit in {items} items"
    )]
    TooMany {
        /// Invalid items asked for.
        invalid: usize,
        /// Planted copies asked for.
        copies: usize,
        /// Items asked for.
        items: usize,
    },
    /// The output directory has files and `--force` was not given.
    #[error("`{}` exists and is not empty; pass --force to overwrite a generated bank", .0.display())]
    NotEmpty(PathBuf),
    /// `--force` was given for a directory that the generator did not write.
    #[error("`{}` does not hold a bank written by qbank-gen; refusing to overwrite it", .0.display())]
    NotGenerated(PathBuf),
    /// A file or directory could not be read, created or written.
    #[error("failed to write `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> GenError + '_ {
    move |source| GenError::Io {
        path: path.to_owned(),
        source,
    }
}

fn embedded(file: &'static str, message: impl Into<String>) -> GenError {
    GenError::Embedded {
        file,
        message: message.into(),
    }
}

struct Domain {
    id: String,
    weight: f64,
    tasks: Vec<String>,
    areas: &'static [Area],
}

struct Exam {
    name: &'static str,
    prefix: &'static str,
    domains: Vec<Domain>,
    /// Concept ids per area (indexed like [`Area::ALL`]) that exist and that this exam tests.
    concepts: Vec<Vec<&'static str>>,
}

/// Which areas a domain's items are written about, by exam and domain id; an area listed twice
/// is drawn twice as often.
fn areas(exam: &str, domain: &str) -> &'static [Area] {
    use Area::{Compliance, Continuity, Governance, Incident, Lifecycle, Program, Risk};
    match (exam, domain) {
        ("cism", "1") => &[Governance, Governance, Compliance],
        ("cism", "2") | ("issmp", "3") => &[Risk],
        ("cism", "3") => &[Program, Program, Lifecycle],
        ("cism", "4") => &[Incident, Incident, Continuity],
        ("issmp", "2") => &[Lifecycle],
        ("issmp", "4") => &[Incident],
        ("issmp", "5") => &[Continuity],
        ("issmp", "6") => &[Compliance],
        _ => &[Governance],
    }
}

fn area_index(area: Area) -> usize {
    Area::ALL.iter().position(|a| *a == area).unwrap_or(0)
}

fn load_exams() -> Result<Vec<Exam>, GenError> {
    let concepts: toml::Table = CONCEPTS
        .parse()
        .map_err(|error: toml::de::Error| embedded("concepts.toml", error.to_string()))?;
    let glossary: Vec<(&str, Vec<&str>)> = concepts
        .get("concepts")
        .and_then(toml::Value::as_array)
        .ok_or_else(|| embedded("concepts.toml", "no `[[concepts]]`"))?
        .iter()
        .filter_map(|concept| {
            let id = concept.get("id")?.as_str()?;
            let exams = concept
                .get("exam")?
                .as_array()?
                .iter()
                .filter_map(toml::Value::as_str)
                .collect();
            Some((id, exams))
        })
        .collect();

    let mut exams = Vec::new();
    for (name, prefix, _) in EXAMS {
        let (file, text) = BLUEPRINTS
            .iter()
            .find(|(_, text)| text.contains(&format!("exam = \"{name}\"")))
            .ok_or_else(|| embedded("blueprints", format!("no blueprint for `{name}`")))?;
        let blueprint: toml::Table = text
            .parse()
            .map_err(|error: toml::de::Error| embedded(file, error.to_string()))?;
        let mut domains = Vec::new();
        for domain in blueprint
            .get("domains")
            .and_then(toml::Value::as_array)
            .ok_or_else(|| embedded(file, "no `[[domains]]`"))?
        {
            let id = domain
                .get("id")
                .and_then(toml::Value::as_str)
                .ok_or_else(|| embedded(file, "a domain has no `id`"))?;
            let weight = domain
                .get("weight")
                .and_then(toml::Value::as_float)
                .ok_or_else(|| embedded(file, format!("domain {id} has no `weight`")))?;
            let tasks: Vec<String> = domain
                .get("tasks")
                .and_then(toml::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|task| task.get("id")?.as_str().map(str::to_owned))
                .collect();
            if tasks.is_empty() {
                return Err(embedded(file, format!("domain {id} has no tasks")));
            }
            domains.push(Domain {
                id: id.to_owned(),
                weight,
                tasks,
                areas: areas(name, id),
            });
        }
        let concepts = Area::ALL
            .iter()
            .map(|area| {
                area.concepts()
                    .iter()
                    .copied()
                    .filter(|id| {
                        glossary
                            .iter()
                            .any(|(known, tested)| known == id && tested.contains(&name))
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>();
        for domain in &domains {
            for area in domain.areas {
                if concepts[area_index(*area)].is_empty() {
                    return Err(embedded(
                        "concepts.toml",
                        format!("no concept of area {area:?} is tested by `{name}`"),
                    ));
                }
            }
        }
        exams.push(Exam {
            name,
            prefix,
            domains,
            concepts,
        });
    }
    Ok(exams)
}

/// Splits `total` by `weights` with the largest-remainder method, so the parts add up exactly.
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let quota = total as f64 * weight / sum;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "the quota is a non-negative share of a usize"
        )]
        let floor = quota.floor() as usize;
        parts.push(floor);
        remainders.push((quota - quota.floor(), index));
    }
    remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let missing = total.saturating_sub(parts.iter().sum());
    for (_, index) in remainders.into_iter().take(missing) {
        parts[index] += 1;
    }
    parts
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Clean,
    Invalid(Defect),
    /// A valid item whose stem a planted duplicate copies.
    Source,
    /// A planted near-duplicate of the item at `source`.
    Copy {
        source: usize,
    },
}

struct Planned {
    exam: usize,
    domain: usize,
    task: usize,
    area: Area,
    number: usize,
    multiple: bool,
    role: Role,
    enemy: Option<usize>,
}

/// One rendered item file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedItem {
    /// The item id, which is also the file stem.
    pub id: String,
    /// The path relative to the bank root: `items/<exam>/d<domain>/<id>.toml`.
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
    /// The defect planted in the item, if it is one of the invalid ones.
    pub defect: Option<Defect>,
}

/// What [`Generator::write`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Item files written.
    pub items: usize,
    /// Items per exam.
    pub per_exam: Vec<(&'static str, usize)>,
    /// Invalid items among them.
    pub invalid: usize,
    /// Planted near-duplicate pairs.
    pub planted: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exams: Vec<String> = self
            .per_exam
            .iter()
            .map(|(exam, count)| format!("{count} {exam}"))
            .collect();
        write!(
            f,
            "{} items ({}), {} invalid, {} planted duplicate pairs",
            self.items,
            exams.join(", "),
            self.invalid,
            self.planted
        )
    }
}

/// A planned synthetic bank; items are rendered on demand by index.
pub struct Generator {
    options: GenOptions,
    exams: Vec<Exam>,
    items: Vec<Planned>,
}

impl Generator {
    /// Plans a bank: exams, domains, tasks and ids of every item, which items are invalid and
    /// how, which are planted duplicates of which, and which are enemies.
    pub fn new(options: GenOptions) -> Result<Self, GenError> {
        let exams = load_exams()?;
        let total = options.items;
        let invalid = (total * options.invalid_per_mille.min(1000) + 500) / 1000;
        let copies = (total * options.dupes_per_mille.min(1000) + 500) / 1000;
        if invalid + 2 * copies > total {
            return Err(GenError::TooMany {
                invalid,
                copies,
                items: total,
            });
        }
        let mut rng = Rng::stream(options.seed, 0, Stream::Plan);

        // Exams, then domains by the blueprint weights, both exact; then a shuffle so that ids
        // do not follow domains.
        let exam_counts = {
            let first = (total * EXAMS[0].2 + 500) / 1000;
            [first, total - first]
        };
        let mut slots: Vec<(usize, usize)> = Vec::with_capacity(total);
        for (exam_index, exam) in exams.iter().enumerate() {
            let weights: Vec<f64> = exam.domains.iter().map(|domain| domain.weight).collect();
            for (domain, count) in apportion(exam_counts[exam_index], &weights)
                .into_iter()
                .enumerate()
            {
                slots.extend(std::iter::repeat_n((exam_index, domain), count));
            }
        }
        rng.shuffle(&mut slots);
        let mut numbers = vec![0; exams.len()];
        let mut items: Vec<Planned> = slots
            .into_iter()
            .map(|(exam, domain)| {
                numbers[exam] += 1;
                let spec = &exams[exam].domains[domain];
                Planned {
                    exam,
                    domain,
                    task: rng.below(spec.tasks.len()),
                    area: rng.pick(spec.areas),
                    number: numbers[exam],
                    multiple: rng.chance(100),
                    role: Role::Clean,
                    enemy: None,
                }
            })
            .collect();

        // One walk over a random order assigns, disjointly: the invalid items, then duplicate
        // pairs, then enemy pairs. Pairs stay inside one exam and domain, as a copied item or
        // a cueing pair would in a real bank.
        let mut order: Vec<usize> = (0..total).collect();
        rng.shuffle(&mut order);
        let mut walk = order.into_iter();
        for index in walk.by_ref().take(invalid) {
            let defect = rng.pick(&Defect::ALL);
            let item = &mut items[index];
            item.role = Role::Invalid(defect);
            if defect == Defect::TwoKeysOnSingle {
                item.multiple = false;
            }
        }
        let buckets: Vec<usize> = exams
            .iter()
            .scan(0, |offset, exam| {
                let start = *offset;
                *offset += exam.domains.len();
                Some(start)
            })
            .collect();
        let bucket = |item: &Planned| buckets[item.exam] + item.domain;
        let bucket_count = exams.iter().map(|exam| exam.domains.len()).sum();
        let mut pending: Vec<Option<usize>> = vec![None; bucket_count];
        let mut planted = 0;
        let enemy_pairs = total * ENEMIES_PER_MILLE / 2000;
        let mut enemies = 0;
        for index in walk {
            if planted == copies && enemies == enemy_pairs {
                break;
            }
            let b = bucket(&items[index]);
            let Some(partner) = pending[b].take() else {
                pending[b] = Some(index);
                continue;
            };
            if planted < copies {
                planted += 1;
                let (multiple, area) = (items[partner].multiple, items[partner].area);
                items[partner].role = Role::Source;
                let copy = &mut items[index];
                copy.role = Role::Copy { source: partner };
                copy.multiple = multiple;
                copy.area = area;
            } else {
                enemies += 1;
                items[partner].enemy = Some(index);
                items[index].enemy = Some(partner);
            }
        }
        Ok(Self {
            options,
            exams,
            items,
        })
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the bank has no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The id of item `index`, such as `CISM-000042`.
    pub fn id(&self, index: usize) -> String {
        let item = &self.items[index];
        format!("{}-{:06}", self.exams[item.exam].prefix, item.number)
    }

    fn stem(&self, index: usize) -> Stem {
        let item = &self.items[index];
        let mut rng = Rng::stream(self.options.seed, index, Stream::Stem);
        compose::stem(item.area, item.multiple, &mut rng)
    }

    /// Renders item `index` (below [`Generator::len`]).
    pub fn item(&self, index: usize) -> GeneratedItem {
        let planned = &self.items[index];
        let exam = &self.exams[planned.exam];
        let domain = &exam.domains[planned.domain];
        let id = self.id(index);
        let stem = match planned.role {
            Role::Copy { source } => {
                let original = self.stem(source);
                let mut rng = Rng::stream(self.options.seed, index, Stream::Mutation);
                Stem {
                    text: compose::mutate(&original.text, &mut rng),
                    sector: original.sector,
                }
            }
            _ => self.stem(index),
        };
        let defect = match planned.role {
            Role::Invalid(defect) => Some(defect),
            _ => None,
        };
        let enemy = planned.enemy.map(|other| self.id(other));
        let spec = ItemSpec {
            id: &id,
            exam: exam.name,
            domain: &domain.id,
            task: &domain.tasks[planned.task],
            area: planned.area,
            multiple: planned.multiple,
            stem,
            concepts: &exam.concepts[area_index(planned.area)],
            enemy: enemy.as_deref(),
            defect,
        };
        let text = item::render(
            &spec,
            &mut Rng::stream(self.options.seed, index, Stream::Body),
            &mut Rng::stream(self.options.seed, index, Stream::Defect),
        );
        let path = Path::new("items")
            .join(exam.name)
            .join(format!("d{}", domain.id))
            .join(format!("{id}.toml"));
        GeneratedItem {
            id,
            path,
            text,
            defect,
        }
    }

    /// The planted near-duplicates as `(source id, copy id)`, sorted.
    pub fn planted_duplicates(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| match item.role {
                Role::Copy { source } => Some((self.id(source), self.id(index))),
                _ => None,
            })
            .collect();
        pairs.sort();
        pairs
    }

    /// The invalid items and their defects, sorted by id.
    pub fn invalid_items(&self) -> Vec<(String, Defect)> {
        let mut invalid: Vec<(String, Defect)> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| match item.role {
                Role::Invalid(defect) => Some((self.id(index), defect)),
                _ => None,
            })
            .collect();
        invalid.sort_by(|a, b| a.0.cmp(&b.0));
        invalid
    }

    /// The bank's files other than items, as `(path relative to the bank root, text)`:
    /// `qbank.toml`, the blueprints, `concepts.toml`, and the answer keys for benchmarks,
    /// `planted-duplicates.txt` (`SOURCE COPY` per line) and `invalid-items.txt` (`ID defect`).
    pub fn support_files(&self) -> Vec<(PathBuf, String)> {
        let mut files = vec![(PathBuf::from("qbank.toml"), format!("{MARKER}\n"))];
        for (name, text) in BLUEPRINTS {
            files.push((Path::new("blueprints").join(name), text.to_owned()));
        }
        files.push((PathBuf::from("concepts.toml"), CONCEPTS.to_owned()));
        let mut planted = String::new();
        for (source, copy) in self.planted_duplicates() {
            let _ = writeln!(planted, "{source} {copy}");
        }
        files.push((PathBuf::from("planted-duplicates.txt"), planted));
        let mut invalid = String::new();
        for (id, defect) in self.invalid_items() {
            let _ = writeln!(invalid, "{id} {}", defect.name());
        }
        files.push((PathBuf::from("invalid-items.txt"), invalid));
        files
    }

    /// Counts of what the bank holds.
    pub fn summary(&self) -> Summary {
        let per_exam = self
            .exams
            .iter()
            .enumerate()
            .map(|(index, exam)| {
                let count = self.items.iter().filter(|item| item.exam == index).count();
                (exam.name, count)
            })
            .collect();
        let count =
            |wanted: fn(&Role) -> bool| self.items.iter().filter(|i| wanted(&i.role)).count();
        Summary {
            items: self.items.len(),
            per_exam,
            invalid: count(|role| matches!(role, Role::Invalid(_))),
            planted: count(|role| matches!(role, Role::Copy { .. })),
        }
    }

    /// Writes the bank under `dir` (which [`prepare_dir`] has checked), items in parallel.
    pub fn write(&self, dir: &Path) -> Result<Summary, GenError> {
        for (path, text) in self.support_files() {
            let path = dir.join(path);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            fs::write(&path, text).map_err(io_error(&path))?;
        }
        for exam in &self.exams {
            for domain in &exam.domains {
                let folder = dir
                    .join("items")
                    .join(exam.name)
                    .join(format!("d{}", domain.id));
                fs::create_dir_all(&folder).map_err(io_error(&folder))?;
            }
        }
        (0..self.items.len())
            .into_par_iter()
            .try_for_each(|index| {
                let item = self.item(index);
                let path = dir.join(&item.path);
                fs::write(&path, item.text).map_err(io_error(&path))
            })?;
        Ok(self.summary())
    }
}

/// Makes `dir` ready for a new bank: creates it if missing; refuses a non-empty one unless
/// `force` is set and it holds a bank written by this generator, whose `items/` is then
/// removed so that no stale item survives.
pub fn prepare_dir(dir: &Path, force: bool) -> Result<(), GenError> {
    if !dir.exists() {
        return fs::create_dir_all(dir).map_err(io_error(dir));
    }
    let mut entries = fs::read_dir(dir).map_err(io_error(dir))?;
    if entries.next().is_none() {
        return Ok(());
    }
    if !force {
        return Err(GenError::NotEmpty(dir.to_owned()));
    }
    let config = dir.join("qbank.toml");
    let generated = fs::read_to_string(&config).is_ok_and(|text| text.starts_with(MARKER));
    if !generated {
        return Err(GenError::NotGenerated(dir.to_owned()));
    }
    let items = dir.join("items");
    if items.exists() {
        fs::remove_dir_all(&items).map_err(io_error(&items))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
