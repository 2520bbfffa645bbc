//! Importers: files of other tools read back as items.

use std::collections::{BTreeMap, BTreeSet};
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
        ImportFormat::Json => {
            let pack = crate::read_pack(path, text)?;
            // A pack for delivery without keys (`--no-keys`) cannot give items back.
            if !pack.meta.keys {
                return Err(parse_error(
                    path,
                    0,
                    "the pack was made without keys (`--no-keys`), so its items would have none; import a pack with keys",
                ));
            }
            Ok(pack.items)
        }
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

/// The key letters of a CSV row's `key` cell (`A, C`); a letter whose option column
/// (`option_a` is `A`, …) is missing or empty in the row is an error.
fn row_keys(
    cell: &str,
    option_columns: &[usize],
    record: &[String],
) -> Result<BTreeSet<String>, String> {
    let keys: BTreeSet<String> = cell
        .split(',')
        .map(|k| k.trim().to_uppercase())
        .filter(|k| !k.is_empty())
        .collect();
    let missing = keys.iter().find(|key| {
        !option_columns.iter().enumerate().any(|(n, &column)| {
            crate::label(n) == **key && record.get(column).is_some_and(|t| !t.is_empty())
        })
    });
    match missing {
        Some(key) => Err(format!("key `{key}` names no option of the row")),
        None => Ok(keys),
    }
}

fn csv(path: &Path, text: &str) -> Result<Vec<PackItem>, ExportError> {
    let records = crate::csv::parse_lines(text).map_err(|(line, m)| parse_error(path, line, m))?;
    let mut records = records.into_iter().map(|(line, record)| {
        let record = record
            .into_iter()
            .map(|cell| crate::csv::unneutralize(&cell).to_owned())
            .collect::<Vec<String>>();
        (line, record)
    });
    let Some((_, header)) = records.next() else {
        return Ok(Vec::new());
    };
    // Each column's index, found once: a header of many columns costs one pass, not one per
    // cell read.
    let mut columns: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, name) in header.iter().enumerate() {
        columns.entry(name.as_str()).or_insert(index);
    }
    let column = |name: &str| columns.get(name).copied();
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
    for (line, record) in records {
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
        let keys = row_keys(&get("key"), &option_columns, &record)
            .map_err(|message| parse_error(path, line, message))?;
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
        // A source without dates (GIFT, Moodle XML, CSV) gives both today's; a JSON pack
        // carries its items' own, `updated` being optional.
        if item.created.is_none() {
            item.created = Some(defaults.created.clone());
            item.updated.get_or_insert_with(|| defaults.created.clone());
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

/// The largest file `qbank import` reads unless told otherwise: 64 MiB, far above any real
/// export of a question bank, and small enough that reading it whole is safe.
pub const DEFAULT_MAX_IMPORT_SIZE: u64 = 64 * 1024 * 1024;

/// Reads the file to import as UTF-8 text, refusing one larger than `limit` bytes before
/// reading it whole: a regular file by its size, anything else (a pipe, a device) once
/// `limit` bytes have been read.
pub fn read_import(path: &Path, limit: u64) -> Result<String, ExportError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| ExportError::io(path, e))?;
    let meta = file.metadata().map_err(|e| ExportError::io(path, e))?;
    if meta.is_dir() {
        return Err(parse_error(path, 0, "is a folder, not a file"));
    }
    if meta.is_file() && meta.len() > limit {
        return Err(ExportError::TooLarge {
            path: path.to_path_buf(),
            size: Some(meta.len()),
            limit,
        });
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ExportError::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(ExportError::TooLarge {
            path: path.to_path_buf(),
            size: None,
            limit,
        });
    }
    // A byte-order mark (Windows editors write one) is not part of the text.
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..at].split(|b| *b == b'\n').count();
        parse_error(
            path,
            line,
            format!(
                "the file is not UTF-8: byte 0x{:02X} at offset {at}; save it as UTF-8 first",
                bytes.get(at).copied().unwrap_or(0)
            ),
        )
    })
}
