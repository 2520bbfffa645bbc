use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use qbank_diagnostics::Severity;
use qbank_export::{
    BankInput, BankItem, ExportError, ExportOptions, Format, PackBlueprint, PackConcept, PackItem,
    Profile, Request, SecretKey,
};
use qbank_linter::Settings;
use qbank_model::Document;
use qbank_workspace::{Content, FileKind, Workspace, read_file};
use rayon::prelude::*;

use crate::ExitStatus;
use crate::args::{ExportArgs, ExportFormat};
use crate::commands::check;
use crate::printer;

impl ExportFormat {
    fn format(self) -> Format {
        match self {
            ExportFormat::Json => Format::Json,
            ExportFormat::Qti3 => Format::Qti3,
            ExportFormat::Qti21 => Format::Qti21,
            ExportFormat::Moodle => Format::Moodle,
            ExportFormat::Gift => Format::Gift,
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Anki => Format::Anki,
        }
    }
}

pub(crate) fn run(args: &ExportArgs) -> anyhow::Result<ExitStatus> {
    let start = args.bank.as_deref().unwrap_or(Path::new("."));
    let workspace = Workspace::discover(start, args.config.as_deref())?;
    let config = || {
        workspace
            .config_path()
            .map(|p| workspace.display_path(p).display().to_string())
            .unwrap_or_default()
    };
    // The lint rules gate an export, as `qbank lint` runs them, but only their errors do: the
    // rules that can find no error are not run. The duplicate search is `qbank check`'s and
    // `qbank dupes`'s to report, and would make every export of a large bank wait for it.
    // Every profile is judged, as `qbank check` judges them, not only the one asked for.
    let settings = check::load_settings(&workspace)?
        .except(&["QB5"])
        .errors_only();
    let profile = Profile::resolve(workspace.options(), args.profile.as_deref())
        .with_context(|| format!("invalid export profile in `{}`", config()))?;
    let format = args.format.format();
    if (args.no_keys || profile.no_keys) && !format.supports_no_keys() {
        return Err(ExportError::KeysRequired(format.name()).into());
    }
    // A key that cannot be read stops the export before the bank is loaded.
    let key = args.sign.as_deref().map(SecretKey::read).transpose()?;

    let bank = load_bank(&workspace, &settings);
    let request = Request {
        profile,
        blueprint: args.blueprint.clone(),
        allow_findings: args.allow_findings,
        no_keys: args.no_keys,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        commit: commit(workspace.root()),
    };
    let built = match qbank_export::build(bank, &request) {
        Ok(built) => built,
        Err(error @ ExportError::Findings(_)) => {
            refuse(&error);
            return Ok(ExitStatus::Failure);
        }
        Err(error) => return Err(error.into()),
    };
    let options = ExportOptions {
        file_name: args
            .out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
        key: key.as_ref(),
    };
    let manifest = qbank_export::export_to(&built.pack, format, &options, &args.out)?;

    for left in &built.left_out {
        printer::line(&format!(
            "left out {} ({}): {}",
            left.id, left.path, left.reason
        ))?;
    }
    let meta = &built.pack.meta;
    printer::line(&format!(
        "Exported {} item{} to `{}` ({}, profile `{}`, {}{}).",
        built.pack.items.len(),
        if built.pack.items.len() == 1 { "" } else { "s" },
        args.out.display(),
        format.name(),
        meta.profile,
        if meta.public { "public" } else { "internal" },
        if meta.keys { "" } else { ", no keys" },
    ))?;
    if let Some(signature) = &manifest.signature {
        printer::line(&format!(
            "Signed its manifest with key {}.",
            signature.key_id
        ))?;
    }
    // The pack's items are not needed any more. Freeing a hundred thousand items one by one
    // takes a noticeable share of a run, and the process is about to exit anyway.
    std::mem::forget(built);
    Ok(ExitStatus::Success)
}

/// The bank as export needs it: checked items with their error counts, blueprints, glossary.
fn load_bank(workspace: &Workspace, settings: &Settings) -> BankInput {
    let files = workspace.files();
    let concepts = load_concepts(workspace, &files);
    // Findings in blueprints and the glossary do not stop an export: it uses only what passed
    // the schema. An item file with an error does, since it may hide an item the pack needs.
    let outcome = qbank_linter::check(workspace, files, settings);
    let mut errors: HashMap<PathBuf, usize> = HashMap::new();
    for d in &outcome.diagnostics {
        if d.severity == Severity::Error {
            *errors
                .entry(workspace.absolute(d.file().path()))
                .or_default() += 1;
        }
    }
    // Item files with an error and no item: files that did not parse or pass the schema.
    let mut files_with_errors: Vec<String> = outcome
        .unloaded_items
        .iter()
        .filter(|p| errors.contains_key(*p))
        .map(|p| workspace.display_path(p).display().to_string())
        .collect();
    files_with_errors.sort();
    // In parallel, each checked item's text moved into its pack item and the rest freed on a
    // worker: on a large bank, converting and freeing the items one by one was a second of a
    // single busy core.
    let items: Vec<BankItem> = outcome
        .items
        .into_par_iter()
        .map(|checked| BankItem {
            path: workspace.display_path(&checked.path).display().to_string(),
            errors: errors.get(&checked.path).copied().unwrap_or(0),
            item: PackItem::from_owned_item(*checked.item),
        })
        .collect();
    let name = workspace
        .root()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    BankInput {
        name,
        items,
        blueprints: outcome
            .blueprints
            .iter()
            .map(PackBlueprint::from_blueprint)
            .collect(),
        in_force: qbank_blueprint::in_force(&outcome.blueprints)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        concepts,
        media_dir: Some(workspace.root().join("media")),
        files_with_errors,
    }
}

/// The glossary; a glossary that does not parse is reported by the check and left empty here.
fn load_concepts(workspace: &Workspace, files: &[qbank_workspace::FileEntry]) -> Vec<PackConcept> {
    let Some(entry) = files.iter().find(|f| f.kind == FileKind::Concepts) else {
        return Vec::new();
    };
    let file = read_file(entry.clone(), workspace.max_file_size());
    let Content::Bytes(bytes) = file.content else {
        return Vec::new();
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Vec::new();
    };
    let Ok(document) = Document::parse(text) else {
        return Vec::new();
    };
    qbank_model::concepts_from_document(&document)
        .iter()
        .map(PackConcept::from_concept)
        .collect()
}

/// The commit of the bank's git checkout, when there is one.
fn commit(root: &Path) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

#[expect(
    clippy::print_stderr,
    reason = "a refused export is reported on standard error"
)]
fn refuse(error: &ExportError) {
    eprintln!("qbank refused to export: {error}");
    eprintln!(
        "help: run `qbank check` and fix them, or pass `--allow-findings` to leave those items out"
    );
}
