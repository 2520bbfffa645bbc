//! Files changed since a git revision, for `--changed-since`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// What differs in a bank's repository from a revision.
pub(crate) struct Changed {
    /// Files changed, added or renamed in commits since the revision or in the working tree,
    /// and new files that git does not ignore. Absolute.
    pub(crate) paths: Vec<PathBuf>,
    /// Files deleted since the revision (a renamed file counts as deleted and added).
    /// Absolute.
    pub(crate) deleted: Vec<PathBuf>,
}

/// The files of the repository that holds `root` that differ from revision `rev` (all of them:
/// a configuration outside the bank matters too).
pub(crate) fn changed_since(root: &Path, rev: &str) -> anyhow::Result<Changed> {
    let root = &root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let toplevel = git(root, &["rev-parse", "--show-toplevel"])
        .with_context(|| format!("`{}` is not inside a git repository", root.display()))?;
    let toplevel = PathBuf::from(toplevel.trim_end_matches(['\n', '\r']));
    // `rev` must name a commit; `--end-of-options` keeps a revision such as `--output=x` from
    // being read as an option.
    git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .with_context(|| format!("`{rev}` is not a revision of this repository"))?;
    let diff = |filter: &str| {
        git(
            &toplevel,
            &[
                "diff",
                "--name-only",
                "--no-renames",
                filter,
                "-z",
                "--end-of-options",
                rev,
                "--",
            ],
        )
    };
    let changed = diff("--diff-filter=d")?;
    let deleted = diff("--diff-filter=D")?;
    let untracked = git(
        &toplevel,
        &["ls-files", "--others", "--exclude-standard", "-z"],
    )?;
    let under_root = |list: &str| -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = list
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(|p| toplevel.join(p))
            .collect();
        paths.sort();
        paths.dedup();
        paths
    };
    Ok(Changed {
        paths: under_root(&format!("{changed}\0{untracked}")),
        deleted: under_root(&deleted),
    })
}

/// Runs git in `dir` and returns its standard output.
fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .context("cannot run `git`; `--changed-since` needs git on PATH")?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr);
        bail!("`git {}` failed: {}", args.join(" "), message.trim());
    }
    String::from_utf8(output.stdout).context("git printed a path that is not UTF-8")
}
