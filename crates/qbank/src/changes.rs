//! Files changed since a git revision, for `--changed-since`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// The files under `root` that differ from revision `rev`: changed, added or renamed in
/// commits since `rev` or in the working tree, and new files that git does not ignore. Deleted
/// files are left out: nothing is left of them to check. Paths are absolute.
pub(crate) fn changed_since(root: &Path, rev: &str) -> anyhow::Result<Vec<PathBuf>> {
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
    let diff = git(
        &toplevel,
        &[
            "diff",
            "--name-only",
            "--no-renames",
            "--diff-filter=d",
            "-z",
            "--end-of-options",
            rev,
            "--",
        ],
    )?;
    let untracked = git(
        &toplevel,
        &["ls-files", "--others", "--exclude-standard", "-z"],
    )?;
    let mut paths: Vec<PathBuf> = diff
        .split('\0')
        .chain(untracked.split('\0'))
        .filter(|p| !p.is_empty())
        .map(|p| toplevel.join(p))
        .filter(|p| p.starts_with(root))
        .collect();
    paths.sort();
    paths.dedup();
    Ok(paths)
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
