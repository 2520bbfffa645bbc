//! `qbank fmt`: items in the canonical layout.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use qbank_model::format::format_item;
use qbank_workspace::{FileKind, Targets, Workspace};
use rayon::prelude::*;

use crate::ExitStatus;
use crate::args::FmtArgs;
use crate::printer;

/// What formatting one file came to.
enum Outcome {
    Unchanged,
    /// The text read, and the text formatted.
    Changed(String, String),
    Failed(String),
}

pub(crate) fn run(args: &FmtArgs) -> anyhow::Result<ExitStatus> {
    let start = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
    let workspace = Workspace::discover(start, args.config.as_deref())?;
    // A path that is not there, or not in the bank, would format nothing and pass a check.
    for path in &args.paths {
        let absolute = workspace.absolute(path);
        if !absolute.exists() {
            anyhow::bail!("`{}` does not exist", path.display());
        }
        if !absolute.starts_with(workspace.root()) && !workspace.root().starts_with(&absolute) {
            anyhow::bail!(
                "`{}` is not in the bank at `{}`",
                path.display(),
                workspace.root().display()
            );
        }
    }
    let targets = Targets::new(
        args.paths
            .iter()
            .map(|p| workspace.absolute(p))
            .filter(|p| !workspace.root().starts_with(p)),
    );
    let files: Vec<PathBuf> = workspace
        .files()
        .into_iter()
        .filter(|e| e.kind == FileKind::Item && e.walk_error.is_none())
        .map(|e| e.path)
        .filter(|p| targets.is_empty() || targets.contains(p))
        .collect();
    let outcomes: Vec<(PathBuf, Outcome)> = files
        .into_par_iter()
        .map(|path| {
            let outcome = match std::fs::read_to_string(&path) {
                Err(error) => Outcome::Failed(format!("cannot read: {error}")),
                Ok(text) => match format_item(&text) {
                    Err(error) => Outcome::Failed(error.message),
                    Ok(formatted) if formatted == text => Outcome::Unchanged,
                    Ok(formatted) => Outcome::Changed(text, formatted),
                },
            };
            (path, outcome)
        })
        .collect();

    let (mut unchanged, mut changed, mut failed) = (0, 0, 0);
    for (path, outcome) in &outcomes {
        let shown = workspace.display_path(path).display().to_string();
        match outcome {
            Outcome::Unchanged => unchanged += 1,
            Outcome::Changed(read, formatted) => {
                if args.check {
                    changed += 1;
                    printer::line(&format!("would reformat {shown}"))?;
                } else if let Some(problem) = unwritable(path, read) {
                    failed += 1;
                    printer::error_line(&format!("{shown}: {problem}; not reformatted"))?;
                } else if let Err(error) = printer::emit(formatted.as_bytes(), Some(path)) {
                    failed += 1;
                    printer::error_line(&format!("{shown}: {error:#}"))?;
                } else {
                    changed += 1;
                    printer::line(&format!("reformatted {shown}"))?;
                }
            }
            Outcome::Failed(message) => {
                failed += 1;
                printer::error_line(&format!("{shown}: {message}"))?;
            }
        }
    }
    // Every file is counted once: formatted already, (to be) reformatted, or failed.
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut summary = match (args.check, changed) {
        (_, 0) => format!("{unchanged} item{} already formatted", plural(unchanged)),
        (true, n) => format!(
            "{n} item{} would be reformatted, {unchanged} already formatted",
            plural(n)
        ),
        (false, n) => format!(
            "{n} item{} reformatted, {unchanged} already formatted",
            plural(n)
        ),
    };
    if failed > 0 {
        let _ = write!(summary, ", {failed} could not be formatted");
    }
    printer::line(&summary)?;
    Ok(if failed > 0 {
        ExitStatus::Error
    } else if args.check && changed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// Why the formatted text of `path` must not replace it: the file is read-only, or it changed
/// since `read` was read from it (an editor saved it meanwhile), and writing would lose that.
/// Checked just before each write, so the window for a change is that of one write.
fn unwritable(path: &Path, read: &str) -> Option<&'static str> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.permissions().readonly() {
        return Some("the file is read-only");
    }
    match std::fs::read(path) {
        Ok(now) if now == read.as_bytes() => None,
        Ok(_) => Some("the file changed while it was being formatted; run `qbank fmt` again"),
        Err(_) => Some("the file can no longer be read"),
    }
}

#[cfg(test)]
mod tests {
    use super::unwritable;

    /// A file an editor saved while `fmt` ran is not overwritten with the formatting of what
    /// it held before.
    #[test]
    fn a_file_changed_since_it_was_read_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("X-1.toml");
        std::fs::write(&path, "id = \"X-1\"\n").unwrap();
        assert_eq!(unwritable(&path, "id = \"X-1\"\n"), None);
        std::fs::write(&path, "id = \"X-1\"\nstem = \"edited\"\n").unwrap();
        assert!(
            unwritable(&path, "id = \"X-1\"\n").is_some_and(|p| p.contains("changed")),
            "{:?}",
            unwritable(&path, "id = \"X-1\"\n")
        );
    }
}
