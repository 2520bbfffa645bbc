use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use qbank_diagnostics::render::{self, RenderOptions, Report, RuleInfo};
use qbank_diagnostics::{Diagnostic, Summary};
use qbank_linter::{RULES, Settings};
use qbank_workspace::{FileKind, Targets, Workspace};

use crate::ExitStatus;
use crate::args::CheckArgs;
use crate::{changes, printer};

pub(crate) fn run(args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    run_with(args, Widen::Everything, |settings| settings)
}

/// Runs `qbank check` with the settings from `qbank.toml` changed by `adjust`, which is how
/// `qbank dupes` reports only its own rules in the diagnostic formats.
pub(crate) fn run_with(
    args: &CheckArgs,
    widen: Widen,
    adjust: impl FnOnce(Settings) -> Settings,
) -> anyhow::Result<ExitStatus> {
    let start = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
    let workspace = Workspace::discover(start, args.config.as_deref())?;
    let settings = load_settings(&workspace)?;
    let settings = adjust(settings);
    let chosen = selection(
        &workspace,
        &args.paths,
        args.changed_since.as_deref(),
        widen,
    )?;
    let (targets, deleted_ids) = (&chosen.targets, &chosen.deleted_ids);
    let in_targets = |path: &Path| {
        targets
            .as_ref()
            .is_none_or(|targets| targets.contains(path))
    };

    let entries = workspace.files();
    let mut files = entries.iter().filter(|e| in_targets(&e.path)).count();
    let mut items = entries
        .iter()
        .filter(|e| e.kind == FileKind::Item && in_targets(&e.path))
        .count();
    // For counting the files outside the targets that findings are kept on.
    let item_files: Option<HashSet<PathBuf>> = targets.is_some().then(|| {
        entries
            .iter()
            .filter(|e| e.kind == FileKind::Item)
            .map(|e| e.path.clone())
            .collect()
    });
    let outcome = qbank_linter::check_focused(&workspace, entries, &settings, targets.as_ref());

    // The exams of the items reported on: a finding about a whole exam (a blueprint's fit, the
    // balance of its keys) is theirs too, as a changed item may be what moved it. A deleted
    // item's exam is not known, so a deletion bears on every exam.
    let exams: Option<HashSet<&str>> = (targets.is_some() && deleted_ids.is_empty()).then(|| {
        outcome
            .items
            .iter()
            .filter(|c| in_targets(&c.path))
            .map(|c| c.item.exam.value.as_str())
            .collect()
    });
    let mut diagnostics: Vec<Diagnostic> = outcome.diagnostics;
    // Only a check of some files drops findings about others (each path made absolute first,
    // which for a whole bank's findings is a tenth of a second of one core for nothing).
    if targets.is_some() {
        diagnostics.retain(|d| chosen.keeps(&workspace, exams.as_ref(), d));
        // Files outside the targets that findings are kept on are counted as checked too.
        let others: HashSet<PathBuf> = diagnostics
            .iter()
            .map(|d| workspace.absolute(d.file().path()))
            .filter(|path| !in_targets(path))
            .collect();
        files += others.len();
        items += others
            .iter()
            .filter(|path| item_files.as_ref().is_some_and(|f| f.contains(*path)))
            .count();
    }
    // The checked items are not needed any more. Freeing a hundred thousand of them one by one
    // takes a noticeable share of a run, and the process is about to exit anyway.
    std::mem::forget(outcome.items);
    let summary = Summary::new(files, items, &diagnostics);
    let rules: Vec<RuleInfo> = RULES.iter().map(|r| r.info()).collect();
    let report = Report {
        diagnostics: &diagnostics,
        summary,
        rules: &rules,
        tool_version: env!("CARGO_PKG_VERSION"),
    };
    let options = RenderOptions {
        color: printer::use_color(args.color, args.output.is_some()),
    };
    let mut out = Vec::new();
    render::render(args.format, &report, options, &mut out)?;
    printer::emit(&out, args.output.as_deref())?;
    // As with the items above: tens of thousands of findings need not be freed one by one.
    std::mem::forget(diagnostics);
    Ok(if summary.errors > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The settings of `workspace`'s `qbank.toml`, or an error naming the file. Its export
/// profiles are checked too, so that a bank's checks catch a profile that would stop an export.
pub(crate) fn load_settings(workspace: &Workspace) -> anyhow::Result<Settings> {
    let config = || {
        workspace
            .config_path()
            .map(|p| workspace.display_path(p).display().to_string())
            .unwrap_or_default()
    };
    let settings = Settings::from_options(workspace.options())
        .with_context(|| format!("invalid configuration in `{}`", config()))?;
    qbank_export::Profile::all(workspace.options())
        .with_context(|| format!("invalid export profile in `{}`", config()))?;
    Ok(settings)
}

/// What a check reports on.
pub(crate) struct Selection {
    /// The files to report on; `None` is the whole bank.
    pub(crate) targets: Option<Targets>,
    /// The paths named on the command line, when there are any.
    pub(crate) named: Option<Targets>,
    /// The ids of items whose files were deleted since the revision of `--changed-since`.
    pub(crate) deleted_ids: HashSet<String>,
}

impl Selection {
    /// Whether a check of these targets reports `diagnostic`: its file or a file it also
    /// points at is a target, it is about one of `exams` (the exams of the items reported on;
    /// `None` for every exam), or it names an item the change deleted (in a named file, when
    /// paths were named).
    pub(crate) fn keeps(
        &self,
        workspace: &Workspace,
        exams: Option<&HashSet<&str>>,
        diagnostic: &Diagnostic,
    ) -> bool {
        let Some(targets) = &self.targets else {
            return true;
        };
        let file = workspace.absolute(diagnostic.file().path());
        targets.contains(&file)
            || diagnostic
                .secondary
                .iter()
                .any(|a| targets.contains(&workspace.absolute(a.file.path())))
            || diagnostic
                .exam
                .as_deref()
                .is_some_and(|exam| exams.is_none_or(|exams| exams.contains(exam)))
            || (names_deleted_item(diagnostic, &self.deleted_ids)
                && self.named.as_ref().is_none_or(|n| n.contains(&file)))
    }
}

/// Which changed files, besides items, bear on what a run reports (see [`selection`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Widen {
    /// Every rule: blueprints, the glossary, the allowlist, the configuration and deleted
    /// exhibits.
    Everything,
    /// The duplicate search: the allowlist and the configuration.
    Duplicates,
}

/// What to report on: the files named, or those changed since a revision (`None` is the whole
/// bank), and what a change did beyond its files. A finding counts when its file or any file
/// it also points at is a target, so a duplicate of a changed item is reported even when the
/// other item did not change. A change to a file that bears on every item (see [`Widen`])
/// makes every named path, or the whole bank, the target. A deleted item is no target, but the
/// items that still name it as an enemy (QB404), and allowlist entries that name it (QB503),
/// are reported.
pub(crate) fn selection(
    workspace: &Workspace,
    paths: &[PathBuf],
    changed_since: Option<&str>,
    widen: Widen,
) -> anyhow::Result<Selection> {
    let named = Targets::new(
        paths
            .iter()
            .map(|p| workspace.absolute(p))
            .filter(|p| !workspace.root().starts_with(p)),
    );
    let named = (!named.is_empty()).then_some(named);
    let Some(rev) = changed_since else {
        return Ok(Selection {
            targets: named.clone(),
            named,
            deleted_ids: HashSet::new(),
        });
    };
    let changed = changes::changed_since(workspace.root(), rev)?;
    let root = workspace
        .root()
        .canonicalize()
        .unwrap_or_else(|_| workspace.root().to_path_buf());
    // The configuration in use may lie outside the bank (`--config`).
    let config = workspace
        .config_path()
        .map(|c| c.canonicalize().unwrap_or_else(|_| c.to_path_buf()));
    let config_changed = config
        .as_ref()
        .is_some_and(|c| changed.paths.contains(c) || changed.deleted.contains(c));
    // Back to the workspace's own spelling of the root, which may differ from git's.
    let in_workspace = |paths: &[PathBuf]| -> Vec<PathBuf> {
        paths
            .iter()
            .filter_map(|p| p.strip_prefix(&root).ok())
            .map(|p| workspace.root().join(p))
            .collect()
    };
    let (changed, deleted) = (in_workspace(&changed.paths), in_workspace(&changed.deleted));
    let items = workspace.root().join("items");
    let deleted_ids = deleted
        .iter()
        .filter(|p| p.starts_with(&items) && p.extension().is_some_and(|e| e == "toml"))
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect();
    let root = workspace.root();
    let shared = config_changed
        || changed.iter().chain(&deleted).any(|p| match widen {
            Widen::Everything => {
                p.starts_with(root.join("blueprints"))
                    || *p == root.join("concepts.toml")
                    || *p == workspace.allowlist_path()
            }
            Widen::Duplicates => *p == workspace.allowlist_path(),
        })
        || (widen == Widen::Everything
            && deleted.iter().any(|p| p.starts_with(root.join("media"))));
    let targets = if shared {
        named.clone()
    } else {
        Some(Targets::new(
            changed
                .into_iter()
                .filter(|p| named.as_ref().is_none_or(|n| n.contains(p))),
        ))
    };
    Ok(Selection {
        targets,
        named,
        deleted_ids,
    })
}

/// Whether `diagnostic` names an item of `deleted`: as an enemy (QB404), or in an allowlist
/// entry (QB503).
fn names_deleted_item(diagnostic: &Diagnostic, deleted: &HashSet<String>) -> bool {
    if deleted.is_empty() || !matches!(diagnostic.code, "QB404" | "QB503") {
        return false;
    }
    let text = diagnostic.file().text();
    text.get(diagnostic.primary.range.to_range())
        .map(|quoted| quoted.trim_matches(['"', '\'']))
        .is_some_and(|id| deleted.contains(id))
}
