use std::path::{Path, PathBuf};

use anyhow::Context;
use qbank_diagnostics::render::{self, RenderOptions, Report, RuleInfo};
use qbank_diagnostics::{Diagnostic, Summary};
use qbank_linter::{RULES, Settings};
use qbank_workspace::{FileKind, Workspace};

use crate::ExitStatus;
use crate::args::CheckArgs;
use crate::printer;

pub(crate) fn run(args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let start = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
    let workspace = Workspace::discover(start, args.config.as_deref())?;
    let settings = Settings::from_options(workspace.options()).with_context(|| {
        format!(
            "invalid configuration in `{}`",
            workspace
                .config_path()
                .map(|p| workspace.display_path(p).display().to_string())
                .unwrap_or_default()
        )
    })?;

    let targets: Vec<PathBuf> = args
        .paths
        .iter()
        .map(|p| workspace.absolute(p))
        .filter(|p| !workspace.root().starts_with(p))
        .collect();
    let in_targets =
        |path: &Path| targets.is_empty() || targets.iter().any(|t| path.starts_with(t));

    let entries = workspace.files();
    let files = entries.iter().filter(|e| in_targets(&e.path)).count();
    let items = entries
        .iter()
        .filter(|e| e.kind == FileKind::Item && in_targets(&e.path))
        .count();
    let outcome = qbank_linter::check(&workspace, entries, &settings);

    // The checked items are not needed any more. Freeing a hundred thousand of them one by one
    // takes a noticeable share of a run, and the process is about to exit anyway.
    std::mem::forget(outcome.items);
    let diagnostics: Vec<Diagnostic> = outcome
        .diagnostics
        .into_iter()
        .filter(|d| in_targets(&workspace.absolute(d.file().path())))
        .collect();
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
    Ok(if summary.errors > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
