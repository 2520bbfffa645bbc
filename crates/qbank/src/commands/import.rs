use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;
use qbank_export::{ImportDefaults, ImportFormat, item_toml};
use qbank_workspace::{FileKind, Workspace};

use crate::ExitStatus;
use crate::args::{ImportArgs, ImportFrom};
use crate::printer;

pub(crate) fn run(args: &ImportArgs) -> anyhow::Result<ExitStatus> {
    check_prefix_and_folder(&args.prefix, &args.into)?;
    let start = args.bank.as_deref().unwrap_or(Path::new("."));
    let workspace = Workspace::discover(start, None)?;
    let text = qbank_export::read_import(&args.file, args.max_size).map_err(|error| {
        let hint = matches!(error, qbank_export::ExportError::TooLarge { .. })
            .then_some("; pass `--max-size BYTES` to raise the limit")
            .unwrap_or_default();
        anyhow::Error::new(error).context(format!("failed to read `{}`{hint}", args.file.display()))
    })?;
    let format = match args.from {
        ImportFrom::Json => ImportFormat::Json,
        ImportFrom::Csv => ImportFormat::Csv,
        ImportFrom::Gift => ImportFormat::Gift,
        ImportFrom::Moodle => ImportFormat::Moodle,
    };
    let mut items = qbank_export::import(&args.file, &text, format)?;
    let taken: BTreeSet<String> = workspace
        .files()
        .iter()
        .filter(|f| f.kind == FileKind::Item)
        .filter_map(|f| f.path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    check_defaults(&workspace, &items, args)?;
    let defaults = ImportDefaults {
        exam: args.exam.clone(),
        domain: args.domain.clone(),
        author: args.author.clone(),
        created: today(),
    };
    qbank_export::prepare(&mut items, &args.prefix, &taken, &defaults);

    let dir = workspace.root().join(&args.into);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("failed to create `{}`", dir.display()))?;
    let schema = schema_reference(workspace.root(), &args.into);
    // Every file is checked, then all are written together: an import that stops on an
    // existing file or a failed write leaves no item behind, and a file that another run puts
    // at one of the paths meanwhile is never replaced.
    let mut files = Vec::with_capacity(items.len());
    for item in &items {
        let path = dir.join(format!("{}.toml", item.id));
        if path.symlink_metadata().is_ok() {
            anyhow::bail!(
                "`{}` already exists",
                workspace.display_path(&path).display()
            );
        }
        files.push((path, item_toml(item, &schema)));
    }
    let files: Vec<(&Path, &[u8])> = files
        .iter()
        .map(|(path, text)| (path.as_path(), text.as_bytes()))
        .collect();
    qbank_export::write_new_files(&files)?;
    printer::line(&format!(
        "Imported {} item{} from `{}` into `{}` as drafts.",
        items.len(),
        if items.len() == 1 { "" } else { "s" },
        args.file.display(),
        workspace.display_path(&dir).display(),
    ))?;
    Ok(ExitStatus::Success)
}

/// Refuses a prefix that would not make a valid id (the id names the file, so one with `/` or
/// `..` would write elsewhere), and a folder that is absolute or climbs out of the bank.
fn check_prefix_and_folder(prefix: &str, into: &Path) -> anyhow::Result<()> {
    let part = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    // Ids are at most 64 characters, and the number takes five with its hyphen.
    if prefix.len() > 59 || !prefix.split('-').all(part) {
        anyhow::bail!(
            "invalid `--prefix {prefix}`: use capital letters and digits, in parts joined by \
             hyphens (such as `IMP` or `CISM-IMP`), at most 59 characters"
        );
    }
    if !into.components().all(|c| {
        matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    }) {
        anyhow::bail!(
            "invalid `--into {}`: name a folder inside the bank, relative to its root, without `..`",
            into.display()
        );
    }
    Ok(())
}

/// Fails, before anything is written, when an item names no exam or domain and the flag that
/// would supply one is missing, or when a supplied exam or domain is not in the bank's
/// blueprints: such items would be written only to fail `qbank check`.
fn check_defaults(
    workspace: &Workspace,
    items: &[qbank_export::PackItem],
    args: &ImportArgs,
) -> anyhow::Result<()> {
    let count = |missing: fn(&qbank_export::PackItem) -> bool| {
        items.iter().filter(|item| missing(item)).count()
    };
    let (no_exam, no_domain) = (count(|i| i.exam.is_empty()), count(|i| i.domain.is_empty()));
    for (n, value, flag, what) in [
        (no_exam, &args.exam, "--exam EXAM", "exam"),
        (no_domain, &args.domain, "--domain ID", "domain"),
    ] {
        if n > 0 && value.is_empty() {
            anyhow::bail!(
                "{n} of the {} items in `{}` name no {what}; pass `{flag}` for them",
                items.len(),
                args.file.display()
            );
        }
    }
    if no_exam == 0 && no_domain == 0 {
        return Ok(());
    }
    // Read for the blueprints only; no rule runs.
    let outcome = qbank_linter::check(
        workspace,
        workspace.files(),
        &qbank_linter::Settings::defaults().only(&[]),
    );
    let mut places: Vec<(&str, &str)> = items
        .iter()
        .filter(|i| i.exam.is_empty() || i.domain.is_empty())
        .map(|i| {
            let exam = if i.exam.is_empty() {
                &args.exam
            } else {
                &i.exam
            };
            let domain = if i.domain.is_empty() {
                &args.domain
            } else {
                &i.domain
            };
            (exam.as_str(), domain.as_str())
        })
        .collect();
    places.sort_unstable();
    places.dedup();
    for (exam, domain) in places {
        let blueprint = crate::commands::new::in_force(&outcome.blueprints, exam)?;
        crate::commands::new::check_place(blueprint, domain, None)?;
    }
    Ok(())
}

/// The `#:schema` reference of a new item: relative to the repository's `schemas/` when the
/// bank sits beside one, else the published schema.
fn schema_reference(root: &Path, into: &Path) -> String {
    if root.join("../schemas/item.schema.json").is_file() {
        let depth = into.components().count() + 1;
        format!("{}schemas/item.schema.json", "../".repeat(depth))
    } else {
        "https://qbank-dev.github.io/qbank/schemas/item.schema.json".to_owned()
    }
}

/// Today's date in UTC, `YYYY-MM-DD`.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let days = i64::try_from(days).unwrap_or(0);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
