//! `qbank new`: a new item file with the next free id, ready to be written.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use qbank_linter::Settings;
use qbank_model::Blueprint;
use qbank_workspace::Workspace;

use crate::ExitStatus;
use crate::args::{ItemTypeArg, NewArgs};
use crate::printer;

pub(crate) fn run(args: &NewArgs) -> anyhow::Result<ExitStatus> {
    let start = args.bank.as_deref().unwrap_or(Path::new("."));
    let workspace = Workspace::discover(start, args.config.as_deref())?;
    // The items are read only for their ids and places; no rule runs.
    let outcome = qbank_linter::check(
        &workspace,
        workspace.files(),
        &Settings::defaults().only(&[]),
    );
    let blueprint = in_force(&outcome.blueprints, &args.exam)?;
    check_place(blueprint, &args.domain, args.task.as_deref())?;

    // Ids and folders of the valid items; every item file's name counts as a taken id too.
    let file_ids: Vec<String> = workspace
        .files()
        .iter()
        .filter_map(|e| Some(e.path.file_stem()?.to_string_lossy().into_owned()))
        .collect();
    let items: Vec<(String, String, String, PathBuf)> = outcome
        .items
        .iter()
        .map(|c| {
            (
                c.item.id.value.clone(),
                c.item.exam.value.clone(),
                c.item.domain.value.clone(),
                c.path.clone(),
            )
        })
        .collect();
    let taken: HashSet<&str> = items
        .iter()
        .map(|(id, ..)| id.as_str())
        .chain(file_ids.iter().map(String::as_str))
        .collect();
    let same_domain: Vec<&(String, String, String, PathBuf)> = items
        .iter()
        .filter(|(_, exam, domain, _)| *exam == args.exam && *domain == args.domain)
        .collect();
    let same_exam: Vec<&(String, String, String, PathBuf)> = items
        .iter()
        .filter(|(_, exam, ..)| *exam == args.exam)
        .collect();
    // Items of the domain number on from their own highest id (the sample bank gives each
    // domain its own thousand); an empty domain numbers on from the exam's.
    let numbered_like = if same_domain.is_empty() {
        &same_exam
    } else {
        &same_domain
    };
    let folder = most_common_folder(same_domain.iter().map(|(.., path)| path.as_path()))
        .or_else(|| {
            most_common_folder(same_exam.iter().map(|(.., path)| path.as_path()))
                .map(|p| p.parent().map_or(p.clone(), Path::to_path_buf))
        })
        .unwrap_or_else(|| workspace.root().join("items").join(&args.exam));
    let date = match &args.date {
        Some(date) if is_date(date) => date.clone(),
        Some(date) => bail!("`--date {date}` is not a date in the form YYYY-MM-DD"),
        None => today(),
    };
    let author = match &args.author {
        Some(author) => author.clone(),
        None => git_author().unwrap_or_else(|| "TODO".to_owned()),
    };
    let options = usize::try_from(
        blueprint
            .options_per_item
            .as_ref()
            .map_or(4, |n| n.value)
            .max(2),
    )
    .unwrap_or(4);
    let schema = schema_path(workspace.root(), &folder);
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create `{}`", folder.display()))?;
    let path = create_new(
        &folder,
        |lost| {
            let mut taken = taken.clone();
            taken.extend(lost.iter().map(String::as_str));
            next_id(
                numbered_like.iter().map(|(id, ..)| id.as_str()),
                &args.exam,
                &taken,
            )
        },
        |id| {
            item_text(&ItemTemplate {
                schema: &schema,
                id,
                exam: &args.exam,
                domain: &args.domain,
                task: args.task.as_deref(),
                multiple: args.item_type == ItemTypeArg::Multiple,
                date: &date,
                author: &author,
                options,
            })
        },
    )?;
    printer::line(&workspace.display_path(&path).display().to_string())?;
    Ok(ExitStatus::Success)
}

/// Creates `<id>.toml` in `folder` holding `text(id)`, for the id `next(lost)` gives, `lost`
/// being the ids already tried. The file is created only if no file has its name, so that two
/// runs at once never write one file: a run that finds a file at its id's path (another run's,
/// or one the bank excludes) takes the next id.
fn create_new(
    folder: &Path,
    next: impl Fn(&[String]) -> String,
    text: impl Fn(&str) -> String,
) -> anyhow::Result<PathBuf> {
    let mut lost: Vec<String> = Vec::new();
    loop {
        let id = next(&lost);
        let path = folder.join(format!("{id}.toml"));
        match qbank_export::write_new_files(&[(&path, text(&id).as_bytes())]) {
            Ok(()) => return Ok(path),
            Err(qbank_export::ExportError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::AlreadyExists && lost.len() < 1000 =>
            {
                lost.push(id);
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// Fails unless `domain`, and `task` if any, are a domain and one of its tasks in `blueprint`.
pub(crate) fn check_place(
    blueprint: &Blueprint,
    domain_id: &str,
    task: Option<&str>,
) -> anyhow::Result<()> {
    let domain = blueprint.domain(domain_id).with_context(|| {
        let ids: Vec<String> = blueprint
            .domains
            .iter()
            .map(|d| format!("`{}`", d.id.value))
            .collect();
        format!(
            "blueprint `{}` has no domain `{domain_id}`; its domains are {}",
            blueprint.id.value,
            ids.join(", ")
        )
    })?;
    if let Some(task) = task
        && domain.task(task).is_none()
    {
        let tasks: Vec<String> = domain
            .tasks
            .iter()
            .map(|t| format!("`{}`", t.id.value))
            .collect();
        let known = if tasks.is_empty() {
            "it has none".to_owned()
        } else {
            format!("its tasks are {}", tasks.join(", "))
        };
        bail!(
            "domain `{domain_id}` of blueprint `{}` has no task `{task}`; {known}",
            blueprint.id.value
        );
    }
    Ok(())
}

/// The blueprint in force for `exam`: the latest `effective` date, then the greatest id.
pub(crate) fn in_force<'b>(
    blueprints: &'b [Blueprint],
    exam: &str,
) -> anyhow::Result<&'b Blueprint> {
    blueprints
        .iter()
        .filter(|b| b.exam.value == exam)
        .max_by(|a, b| {
            let key = |b: &Blueprint| (b.effective.as_ref().map(|d| d.value), b.id.value.clone());
            key(a).cmp(&key(b))
        })
        .with_context(|| {
            let mut exams: Vec<String> = blueprints
                .iter()
                .map(|b| format!("`{}`", b.exam.value))
                .collect();
            exams.sort();
            exams.dedup();
            format!(
                "no blueprint is for exam `{exam}`; the bank's exams are {}",
                exams.join(", ")
            )
        })
}

/// The id after the highest of `existing` that ends in digits (same prefix, same width), or
/// `EXAM-0001` when there is none; never one in `taken`.
fn next_id<'a>(
    existing: impl Iterator<Item = &'a str>,
    exam: &str,
    taken: &HashSet<&str>,
) -> String {
    let numbered = existing.filter_map(|id| {
        let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (prefix, number) = id.split_at(id.len() - digits);
        Some((number.parse::<u64>().ok()?, prefix, digits))
    });
    let (mut number, prefix, width) = numbered.max().map_or(
        (0, format!("{}-", exam.to_uppercase()), 4),
        |(n, prefix, width)| (n, prefix.to_owned(), width),
    );
    loop {
        number += 1;
        let id = format!("{prefix}{number:0width$}");
        if !taken.contains(id.as_str()) {
            return id;
        }
    }
}

/// The folder that holds most of `paths`, the first in path order on a tie.
fn most_common_folder<'p>(paths: impl Iterator<Item = &'p Path>) -> Option<PathBuf> {
    let mut counts: HashMap<&Path, usize> = HashMap::new();
    for path in paths {
        if let Some(parent) = path.parent() {
            *counts.entry(parent).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(folder, _)| folder.to_path_buf())
}

/// The `#:schema` path from `folder` to the bank's sibling `schemas/` folder, as the items of
/// the sample bank write it.
fn schema_path(root: &Path, folder: &Path) -> String {
    let depth = folder.strip_prefix(root).map_or(0, |rest| {
        rest.components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .count()
    });
    format!("{}schemas/item.schema.json", "../".repeat(depth + 1))
}

/// Whether `text` is a date `YYYY-MM-DD` as TOML writes one: a real day, read by the same
/// parser that `qbank check` reads the item with.
fn is_date(text: &str) -> bool {
    text.len() == 10
        && qbank_model::Document::parse(&format!("d = {text}")).is_ok_and(|document| {
            document
                .root()
                .get("d")
                .and_then(|value| value.as_datetime())
                .is_some_and(|d| d.date.is_some() && d.time.is_none() && d.offset.is_none())
        })
}

/// Today's date in UTC as `YYYY-MM-DD`.
fn today() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The calendar date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The author from git's `user.email` (the part before `@`) or `user.name`.
fn git_author() -> Option<String> {
    let config = |key: &str| {
        let output = Command::new("git").args(["config", key]).output().ok()?;
        let value = String::from_utf8(output.stdout).ok()?;
        let value = value.trim();
        (output.status.success() && !value.is_empty()).then(|| value.to_owned())
    };
    config("user.email")
        .and_then(|email| email.split('@').next().map(str::to_owned))
        .filter(|local| !local.is_empty())
        .or_else(|| config("user.name"))
}

struct ItemTemplate<'a> {
    schema: &'a str,
    id: &'a str,
    exam: &'a str,
    domain: &'a str,
    task: Option<&'a str>,
    multiple: bool,
    date: &'a str,
    author: &'a str,
    options: usize,
}

/// A draft item whose texts are placeholders that QB115 reports until they are written.
fn item_text(t: &ItemTemplate<'_>) -> String {
    let quote = |s: &str| toml_string(s);
    let mut out = String::new();
    let _ = writeln!(out, "#:schema {}", t.schema);
    let _ = writeln!(out, "id = {}", quote(t.id));
    let _ = writeln!(out, "exam = {}", quote(t.exam));
    let _ = writeln!(out, "domain = {}", quote(t.domain));
    if let Some(task) = t.task {
        let _ = writeln!(out, "task = {}", quote(task));
    }
    let _ = writeln!(
        out,
        "type = \"{}\"",
        if t.multiple { "multiple" } else { "single" }
    );
    out.push_str("status = \"draft\"\n");
    if t.multiple {
        out.push_str(
            "stem = \"TODO: the scenario. Which TWO of the following ...? (Choose TWO.)\"\n",
        );
    } else {
        out.push_str("stem = \"TODO: the scenario. Which of the following ...?\"\n");
    }
    out.push_str("rationale = \"TODO: why the key is right and each distractor is wrong.\"\n");
    out.push_str("references = [\"TODO\"]\n");
    let _ = writeln!(out, "authors = [{}]", quote(t.author));
    let _ = writeln!(out, "created = {}", t.date);
    let _ = writeln!(out, "updated = {}", t.date);
    let keys = if t.multiple { 2 } else { 1 };
    for index in 0..t.options {
        out.push_str("\n[[options]]\n");
        let label = char::from(b'A' + u8::try_from(index % 26).unwrap_or(0));
        if index < keys {
            let _ = writeln!(out, "text = \"Key {label}: TODO\"\ncorrect = true");
        } else {
            let _ = writeln!(out, "text = \"Distractor {label}: TODO\"");
        }
    }
    out
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{civil_from_days, is_date, next_id};

    #[test]
    fn dates_are_real_days() {
        for good in ["2026-02-28", "2024-02-29", "2026-12-31"] {
            assert!(is_date(good), "{good}");
        }
        for bad in [
            "2026-02-30",
            "2025-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-1-01",
            "2026-01-01T10:00:00",
            "2026-01-01 # x",
            "x",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn dates_from_day_counts() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_414), (2025, 11, 22));
    }

    #[test]
    fn next_id_keeps_prefix_and_width_and_skips_taken_ids() {
        let taken: HashSet<&str> = ["CISM-1001", "CISM-1002", "CISM-1003"].into();
        let ids = ["CISM-1001", "CISM-1002"];
        assert_eq!(next_id(ids.into_iter(), "cism", &taken), "CISM-1004");
        assert_eq!(next_id([].into_iter(), "issmp", &taken), "ISSMP-0001");
        assert_eq!(next_id(["Q-9"].into_iter(), "q", &taken), "Q-10");
    }
}
