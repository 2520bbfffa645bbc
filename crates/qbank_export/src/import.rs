//! Importers: files of other tools read back as items.

use std::collections::BTreeSet;
use std::path::Path;

use crate::ExportError;
use crate::pack::{PackItem, PackItemType, PackOption, PackStatus};

/// The formats `qbank import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImportFormat {
    /// A qbank JSON pack.
    Json,
    /// CSV with the columns `qbank export --format csv` writes.
    Csv,
    /// Moodle GIFT: multiple-choice questions.
    Gift,
    /// Moodle XML: `multichoice` questions.
    Moodle,
}

/// Reads the items of `text`, the content of `path`, in `format`. Values a format does not
/// carry (exam, domain, authors, dates) are left empty for the caller to fill in.
pub fn import(path: &Path, text: &str, format: ImportFormat) -> Result<Vec<PackItem>, ExportError> {
    match format {
        ImportFormat::Json => Ok(crate::read_pack(path, text)?.items),
        ImportFormat::Csv => csv(path, text),
        ImportFormat::Gift => crate::import_gift::gift(path, text),
        ImportFormat::Moodle => crate::import_moodle::moodle(path, text),
    }
}

pub(crate) fn parse_error(path: &Path, line: usize, message: impl Into<String>) -> ExportError {
    ExportError::Parse {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

fn csv(path: &Path, text: &str) -> Result<Vec<PackItem>, ExportError> {
    let records = crate::csv::parse(text).map_err(|(line, m)| parse_error(path, line, m))?;
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        return Ok(Vec::new());
    };
    let column = |name: &str| header.iter().position(|h| h == name);
    let Some(stem_at) = column("stem") else {
        return Err(parse_error(path, 1, "no `stem` column"));
    };
    let option_columns: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.starts_with("option_"))
        .map(|(i, _)| i)
        .collect();
    if option_columns.len() < 2 {
        return Err(parse_error(path, 1, "fewer than two `option_` columns"));
    }
    let mut items = Vec::new();
    for (row, record) in records.enumerate() {
        let line = row + 2;
        let get = |name: &str| -> String {
            column(name)
                .and_then(|i| record.get(i))
                .cloned()
                .unwrap_or_default()
        };
        let list = |name: &str| -> Vec<String> {
            get(name)
                .split('\n')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        if record.iter().all(String::is_empty) {
            continue;
        }
        let keys: BTreeSet<String> = get("key")
            .split(',')
            .map(|k| k.trim().to_uppercase())
            .filter(|k| !k.is_empty())
            .collect();
        let options: Vec<PackOption> = option_columns
            .iter()
            .enumerate()
            .filter_map(|(n, &i)| {
                let text = record.get(i).filter(|t| !t.is_empty())?;
                Some(PackOption {
                    text: text.clone(),
                    correct: Some(keys.contains(&crate::label(n))),
                    feedback: None,
                    fixed: false,
                })
            })
            .collect();
        let stem = record.get(stem_at).cloned().unwrap_or_default();
        if stem.is_empty() {
            return Err(parse_error(path, line, "empty `stem`"));
        }
        let item_type = match get("type").as_str() {
            "multiple" => PackItemType::Multiple,
            "single" => PackItemType::Single,
            _ if keys.len() > 1 => PackItemType::Multiple,
            _ => PackItemType::Single,
        };
        let difficulty = get("difficulty").parse().ok();
        let rationale = Some(get("rationale")).filter(|r| !r.is_empty());
        items.push(PackItem {
            id: get("id"),
            exam: get("exam"),
            domain: get("domain"),
            task: Some(get("task")).filter(|t| !t.is_empty()),
            item_type,
            status: PackStatus::Draft,
            difficulty,
            shuffle: get("shuffle") != "false",
            secure: get("secure") == "true",
            stem,
            rationale,
            references: list("references"),
            tags: list("tags"),
            concepts: list("concepts"),
            options,
            ..PackItem::default()
        });
    }
    Ok(items)
}

/// Gives imported items new ids `PREFIX-0001`, … that `taken` does not hold, status draft,
/// and the values the source did not carry.
pub fn prepare(
    items: &mut [PackItem],
    prefix: &str,
    taken: &BTreeSet<String>,
    defaults: &ImportDefaults,
) {
    let mut next = 1usize;
    for item in items.iter_mut() {
        let id = loop {
            let candidate = format!("{prefix}-{next:04}");
            next += 1;
            if !taken.contains(&candidate) {
                break candidate;
            }
        };
        item.id = id;
        item.status = PackStatus::Draft;
        if item.exam.is_empty() {
            item.exam.clone_from(&defaults.exam);
        }
        if item.domain.is_empty() {
            item.domain.clone_from(&defaults.domain);
        }
        if item.authors.is_empty() {
            item.authors = vec![defaults.author.clone()];
        }
        if item.created.is_none() {
            item.created = Some(defaults.created.clone());
        }
    }
}

/// Values for imported items whose source does not carry them.
#[derive(Clone, Debug, Default)]
pub struct ImportDefaults {
    /// Exam.
    pub exam: String,
    /// Domain id.
    pub domain: String,
    /// Author.
    pub author: String,
    /// Date written, `YYYY-MM-DD`.
    pub created: String,
}
