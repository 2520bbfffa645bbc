//! Finds a qbank bank, reads its `qbank.toml`, and collects and reads the bank's files.
//!
//! A bank is a folder with `qbank.toml` (optional), `blueprints/`, `items/`, `concepts.toml`
//! (optional) and `media/`. [`Workspace::discover`] finds it from a starting path; then
//! [`Workspace::files`] lists its files and [`read_file`] reads one (the linter reads each file
//! on the thread that checks it). Nothing here
//! judges content: problems with a file's bytes are returned as data for the linter to report.
//!
//! ```no_run
//! use qbank_workspace::{Workspace, read_files};
//!
//! let workspace = Workspace::discover(std::path::Path::new("."), None)?;
//! let files = read_files(workspace.files(), workspace.max_file_size());
//! # Ok::<(), qbank_workspace::WorkspaceError>(())
//! ```
#![warn(missing_docs)]

mod options;

use std::collections::HashSet;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

pub use options::{
    DupesMetric, DupesOptions, Level, LintOptions, Options, ProfileOptions, ProfileStatus,
    config_schema,
};

/// Files and folders of a bank that a run reports on: the paths named on the command line, or
/// the files changed since a git revision.
///
/// [`Targets::contains`] costs one hash lookup per level of the path, however many targets
/// there are, so that a check of a pull request's few hundred files against a bank of a
/// hundred thousand does not compare every file with every target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Targets {
    paths: HashSet<PathBuf>,
    /// The length of the shortest target, in bytes of its OS string: no shorter ancestor of a
    /// path can be a target, so the lookups stop there.
    shortest: usize,
}

impl Targets {
    /// The targets `paths`: absolute and normalized, as [`Workspace::absolute`] gives them.
    pub fn new(paths: impl IntoIterator<Item = PathBuf>) -> Self {
        // Rebuilt from their components: without a trailing separator or inner `.`, each is
        // as short as any spelling of it.
        let paths: HashSet<PathBuf> = paths
            .into_iter()
            .map(|p| p.components().collect())
            .collect();
        let shortest = paths
            .iter()
            .map(|p| p.as_os_str().len())
            .min()
            .unwrap_or(usize::MAX);
        Self { paths, shortest }
    }

    /// Whether `path` is a target or lies inside a target folder, comparing whole components
    /// as [`Path::starts_with`] does.
    pub fn contains(&self, path: &Path) -> bool {
        path.ancestors()
            .take_while(|a| a.as_os_str().len() >= self.shortest)
            .any(|a| self.paths.contains(a))
    }

    /// Whether there is no target.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// The number of targets.
    pub fn len(&self) -> usize {
        self.paths.len()
    }
}

/// The names a configuration file may have, in order of preference.
pub const CONFIG_FILE_NAMES: &[&str] = &["qbank.toml", ".qbank.toml"];

/// The default of `max_file_size`.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1 << 20;

/// Failures that stop a run before any file is checked.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// No bank was found from the starting path.
    #[error(
        "no bank found at `{}`: no `qbank.toml` there or in a parent folder, and no `bank/qbank.toml`",
        start.display()
    )]
    NotFound {
        /// Where the search started.
        start: PathBuf,
    },
    /// A path could not be read.
    #[error("failed to read `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `qbank.toml` is not valid.
    #[error("invalid configuration in `{}`: {message}", path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// The parser's explanation, with the place.
        message: String,
    },
}

/// What role a file plays in the bank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// A blueprint under `blueprints/`.
    Blueprint,
    /// The concept glossary, `concepts.toml`.
    Concepts,
    /// The duplicate allowlist, `dupes-allowlist.toml` unless `qbank.toml` names another.
    Allowlist,
    /// An item under `items/`.
    Item,
    /// A file under `items/` that is not TOML.
    Stray,
}

/// A file of the bank, not yet read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// Absolute path.
    pub path: PathBuf,
    /// Path as shown to the user: relative to the working directory where possible.
    pub display: PathBuf,
    /// Role in the bank.
    pub kind: FileKind,
    /// Set when the walk itself failed here (a symlink loop, an unreadable folder).
    pub walk_error: Option<String>,
}

/// The bytes of a file, or why there are none.
#[derive(Debug)]
pub enum Content {
    /// The file's bytes.
    Bytes(Vec<u8>),
    /// The file is larger than `max_file_size`.
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// It could not be read.
    Unreadable(String),
}

/// A file of the bank with its content.
#[derive(Debug)]
pub struct BankFile {
    /// Where it is and what it is.
    pub entry: FileEntry,
    /// What was read.
    pub content: Content,
}

/// A bank: its root folder and its settings.
#[derive(Clone, Debug)]
pub struct Workspace {
    root: PathBuf,
    config_path: Option<PathBuf>,
    options: Options,
    exclude: GlobSet,
    cwd: PathBuf,
}

impl Workspace {
    /// Finds the bank that `start` is in or holds, with its settings from `config` when given
    /// and from the bank's own configuration file otherwise.
    ///
    /// From the starting folder (a file's parent folder), the first folder upward with a
    /// configuration file is the bank. Failing that, a `bank/` folder with one beside the
    /// starting folder is; then, as the file is optional, the starting folder itself if it has
    /// `items/` or `blueprints/`, a `bank/` folder beside it that has them, and the first
    /// folder upward that has them. A `config` given explicitly does not move the bank; only when no bank is
    /// found this way is the folder that holds `config` taken, if it has `items/` or
    /// `blueprints/`.
    pub fn discover(start: &Path, config: Option<&Path>) -> Result<Self, WorkspaceError> {
        let cwd = std::env::current_dir().map_err(|source| WorkspaceError::Io {
            path: PathBuf::from("."),
            source,
        })?;
        let absolute = |path: &Path| normalize(&cwd.join(path));
        let given = config.map(absolute);
        let start = absolute(start);
        if !start.exists() {
            return Err(WorkspaceError::Io {
                path: start,
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        let start_dir = if start.is_dir() {
            start.clone()
        } else {
            start
                .parent()
                .map_or_else(|| cwd.clone(), Path::to_path_buf)
        };
        let settings = |found: Option<PathBuf>| given.clone().or(found);
        for dir in start_dir.ancestors() {
            if let Some(found) = config_in(dir) {
                return Self::load(dir.to_path_buf(), settings(Some(found)), cwd);
            }
        }
        let nested = start_dir.join("bank");
        if let Some(found) = config_in(&nested) {
            return Self::load(nested, settings(Some(found)), cwd);
        }
        // A bank without `qbank.toml` (which is optional): the folder itself, its `bank`
        // folder, or the nearest folder above that holds one, as for a file inside a bank.
        if is_bank_folder(&start_dir) {
            return Self::load(start_dir, settings(None), cwd);
        }
        if is_bank_folder(&nested) {
            return Self::load(nested, settings(None), cwd);
        }
        if let Some(dir) = start_dir
            .ancestors()
            .skip(1)
            .find(|dir| is_bank_folder(dir))
        {
            return Self::load(dir.to_path_buf(), settings(None), cwd);
        }
        if let Some(config) = &given
            && let Some(dir) = config.parent()
            && is_bank_folder(dir)
        {
            return Self::load(dir.to_path_buf(), given.clone(), cwd);
        }
        Err(WorkspaceError::NotFound { start })
    }

    fn load(
        root: PathBuf,
        config_path: Option<PathBuf>,
        cwd: PathBuf,
    ) -> Result<Self, WorkspaceError> {
        let options = match &config_path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| WorkspaceError::Io {
                    path: path.clone(),
                    source,
                })?;
                let options =
                    toml::from_str::<Options>(&text).map_err(|error| WorkspaceError::Config {
                        path: relative_to(&cwd, path),
                        message: error.to_string().trim_end().to_owned(),
                    })?;
                options
                    .check_ranges()
                    .map_err(|message| WorkspaceError::Config {
                        path: relative_to(&cwd, path),
                        message,
                    })?;
                options
            }
            None => Options::default(),
        };
        let mut exclude = GlobSetBuilder::new();
        for pattern in options.exclude.iter().flatten() {
            let glob = Glob::new(pattern).map_err(|error| WorkspaceError::Config {
                path: config_path
                    .as_deref()
                    .map(|p| relative_to(&cwd, p))
                    .unwrap_or_default(),
                message: format!("invalid `exclude` pattern `{pattern}`: {error}"),
            })?;
            exclude.add(glob);
        }
        let exclude = exclude.build().map_err(|error| WorkspaceError::Config {
            path: config_path.clone().unwrap_or_default(),
            message: error.to_string(),
        })?;
        Ok(Self {
            root,
            config_path,
            options,
            exclude,
            cwd,
        })
    }

    /// The bank's root folder, absolute.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The configuration file, when there is one.
    pub fn config_path(&self) -> Option<&Path> {
        self.config_path.as_deref()
    }

    /// The options as read.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The largest file that is read.
    pub fn max_file_size(&self) -> u64 {
        self.options.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE)
    }

    /// A path as it should be shown: relative to the working directory where possible.
    pub fn display_path(&self, path: &Path) -> PathBuf {
        relative_to(&self.cwd, path)
    }

    /// An absolute, normalized form of a path given on the command line.
    pub fn absolute(&self, path: &Path) -> PathBuf {
        normalize(&self.cwd.join(path))
    }

    /// Where the duplicate allowlist is: `allowlist` under `[dupes]` in `qbank.toml`, relative
    /// to the bank root, or `dupes-allowlist.toml`. The file need not exist.
    pub fn allowlist_path(&self) -> PathBuf {
        let name = self
            .options
            .dupes
            .as_ref()
            .and_then(|d| d.allowlist.as_deref())
            .unwrap_or("dupes-allowlist.toml");
        self.root.join(name)
    }

    /// Lists the bank's files in a stable order: blueprints, the glossary, the allowlist, then
    /// items.
    pub fn files(&self) -> Vec<FileEntry> {
        let mut files = Vec::new();
        let concepts = self.root.join("concepts.toml");
        if concepts.is_file() && !self.is_excluded(&concepts) {
            files.push(self.entry(concepts, FileKind::Concepts, None));
        }
        let allowlist = self.allowlist_path();
        if allowlist.is_file() && !self.is_excluded(&allowlist) {
            files.push(self.entry(allowlist, FileKind::Allowlist, None));
        }
        self.walk(
            &self.root.join("blueprints"),
            FileKind::Blueprint,
            &mut files,
        );
        self.walk(&self.root.join("items"), FileKind::Item, &mut files);
        // Byte order of the paths is stable and much cheaper than comparing path components.
        // The walk's threads find files in any order; the error text breaks the one tie a
        // walk can produce, two errors on one path (an ignore file's errors are all reported
        // on the folder walked), which the serial walk left in the order it met them.
        files.sort_by(|a, b| {
            (a.kind, a.path.as_os_str().as_encoded_bytes(), &a.walk_error).cmp(&(
                b.kind,
                b.path.as_os_str().as_encoded_bytes(),
                &b.walk_error,
            ))
        });
        files
    }

    /// Walks `dir` on several threads (the order does not matter: [`Workspace::files`] sorts).
    fn walk(&self, dir: &Path, kind: FileKind, files: &mut Vec<FileEntry>) {
        if !dir.is_dir() {
            return;
        }
        let walker = ignore::WalkBuilder::new(dir)
            .follow_links(true)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(false)
            .git_global(false)
            .require_git(false)
            .build_parallel();
        let found = Mutex::new(Vec::new());
        walker.run(|| {
            let mut batch = Batch {
                entries: Vec::new(),
                found: &found,
            };
            Box::new(move |result| {
                if let Some(entry) = self.walk_entry(dir, kind, result) {
                    batch.entries.push(entry);
                }
                if batch.entries.len() >= 1024 {
                    batch.hand_over();
                }
                ignore::WalkState::Continue
            })
        });
        files.extend(found.into_inner().unwrap_or_else(PoisonError::into_inner));
    }

    /// The entry for one result of the walk of `dir`, if it is one.
    fn walk_entry(
        &self,
        dir: &Path,
        kind: FileKind,
        result: Result<ignore::DirEntry, ignore::Error>,
    ) -> Option<FileEntry> {
        match result {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if !is_file || self.is_excluded(entry.path()) {
                    return None;
                }
                let path = entry.into_path();
                let is_toml = path.extension().is_some_and(|e| e == "toml");
                let kind = match kind {
                    FileKind::Item if !is_toml => FileKind::Stray,
                    // Only TOML files are blueprints; anything else there is ignored.
                    FileKind::Blueprint if !is_toml => return None,
                    other => other,
                };
                Some(self.entry(path, kind, None))
            }
            Err(error) => {
                let path = error_path(&error).unwrap_or_else(|| dir.to_path_buf());
                if self.is_excluded(&path) {
                    return None;
                }
                Some(self.entry(path, kind, Some(describe_walk_error(&error))))
            }
        }
    }

    fn entry(&self, path: PathBuf, kind: FileKind, walk_error: Option<String>) -> FileEntry {
        FileEntry {
            display: self.display_path(&path),
            path,
            kind,
            walk_error,
        }
    }

    fn is_excluded(&self, path: &Path) -> bool {
        path.strip_prefix(&self.root)
            .is_ok_and(|relative| self.exclude.is_match(relative))
    }
}

/// The entries one thread of a walk found, handed over in batches, and the rest when the walk
/// drops the thread's visitor.
struct Batch<'a> {
    entries: Vec<FileEntry>,
    found: &'a Mutex<Vec<FileEntry>>,
}

impl Batch<'_> {
    fn hand_over(&mut self) {
        self.found
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .append(&mut self.entries);
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        self.hand_over();
    }
}

/// Reads `files` in parallel, keeping their order.
pub fn read_files(files: Vec<FileEntry>, max_file_size: u64) -> Vec<BankFile> {
    files
        .into_par_iter()
        .map_init(FileReader::default, |reader, entry| {
            reader.read(entry, max_file_size)
        })
        .collect()
}

/// Reads one file, at most `max_file_size` bytes of it.
pub fn read_file(entry: FileEntry, max_file_size: u64) -> BankFile {
    let content = match &entry.walk_error {
        Some(error) => Content::Unreadable(error.clone()),
        None => match std::fs::File::open(&entry.path) {
            Ok(file) => read(&file, max_file_size),
            Err(error) => Content::Unreadable(error.to_string()),
        },
    };
    BankFile { entry, content }
}

/// Reads files one after another, as [`read_file`] does, but opens each file through its
/// folder, kept open from the file before when they share it: the kernel then resolves one
/// name rather than every component of the absolute path. Files of a bank come folder by
/// folder, so a reader per worker opens each folder about once. Keep a reader for one pass
/// over the bank only: a folder replaced in the meantime would still be read through the old
/// one.
#[derive(Debug, Default)]
pub struct FileReader {
    #[cfg(unix)]
    folder: Option<(PathBuf, std::os::fd::OwnedFd)>,
}

impl FileReader {
    /// Reads one file, at most `max_file_size` bytes of it; see [`read_file`].
    pub fn read(&mut self, entry: FileEntry, max_file_size: u64) -> BankFile {
        let content = match &entry.walk_error {
            Some(error) => Content::Unreadable(error.clone()),
            None => match self.open(&entry.path) {
                Ok(file) => read(&file, max_file_size),
                Err(error) => Content::Unreadable(error.to_string()),
            },
        };
        BankFile { entry, content }
    }

    #[cfg(unix)]
    fn open(&mut self, path: &Path) -> std::io::Result<std::fs::File> {
        use rustix::fs::{Mode, OFlags, open, openat};
        use rustix::io::{Errno, retry_on_intr};

        let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
            return std::fs::File::open(path);
        };
        if folder.as_os_str().is_empty() {
            return std::fs::File::open(path);
        }
        if self.folder.as_ref().is_none_or(|(open, _)| open != folder) {
            self.folder = None;
            // A folder opened only to open files in it needs no permission to list it.
            #[cfg(any(target_os = "linux", target_os = "android"))]
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            #[cfg(not(any(target_os = "linux", target_os = "android")))]
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            match retry_on_intr(|| open(folder, flags, Mode::empty())) {
                Ok(fd) => self.folder = Some((folder.to_path_buf(), fd)),
                // Whatever stops the folder from opening, the file's own open says it best.
                Err(_) => return std::fs::File::open(path),
            }
        }
        let Some((_, fd)) = &self.folder else {
            return std::fs::File::open(path);
        };
        let flags = OFlags::RDONLY | OFlags::CLOEXEC;
        match retry_on_intr(|| openat(fd, name, flags, Mode::empty())) {
            Ok(file) => Ok(std::fs::File::from(file)),
            // A name the system cannot take (a NUL in it): std's own message.
            Err(Errno::INVAL) => std::fs::File::open(path),
            Err(errno) => Err(errno.into()),
        }
    }

    #[cfg(not(unix))]
    fn open(&mut self, path: &Path) -> std::io::Result<std::fs::File> {
        std::fs::File::open(path)
    }
}

fn read(file: &std::fs::File, limit: u64) -> Content {
    // Read at most one byte past the limit, into a buffer kept by the thread, then copied at
    // its exact size: the size is asked of the file system only for a file over the limit (a
    // `statx` for every file was a tenth of a second of a bank of 100k items), and the copy
    // kept for the run holds no spare capacity.
    SCRATCH.with_borrow_mut(|scratch| {
        scratch.clear();
        match file.take(limit + 1).read_to_end(scratch) {
            Ok(_) if scratch.len() as u64 > limit => Content::TooLarge {
                size: file
                    .metadata()
                    .map_or(scratch.len() as u64, |m| m.len().max(scratch.len() as u64)),
                limit,
            },
            Ok(_) => Content::Bytes(scratch.as_slice().to_vec()),
            Err(error) => Content::Unreadable(error.to_string()),
        }
    })
}

thread_local! {
    /// The buffer each thread reads files into: an item file is a few kilobytes.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(16 * 1024));
}

/// Whether `dir` has a bank's folders.
fn is_bank_folder(dir: &Path) -> bool {
    dir.join("items").is_dir() || dir.join("blueprints").is_dir()
}

fn config_in(dir: &Path) -> Option<PathBuf> {
    CONFIG_FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn describe_walk_error(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => describe_walk_error(err),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symbolic link loop back to `{}`", ancestor.display())
        }
        other => other.to_string(),
    }
}

/// Removes `.` and resolves `..` lexically, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `base` when it is inside it, with `../` steps when they share a prefix.
fn relative_to(base: &Path, path: &Path) -> PathBuf {
    if let Ok(inside) = path.strip_prefix(base) {
        return inside.to_path_buf();
    }
    let base: Vec<Component<'_>> = base.components().collect();
    let target: Vec<Component<'_>> = path.components().collect();
    let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for component in &target[common..] {
        out.push(component);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn targets_contain_their_files_and_everything_under_their_folders() {
        let targets = super::Targets::new([
            std::path::PathBuf::from("/bank/items/cism"),
            std::path::PathBuf::from("/bank/items/issmp/a.toml"),
            std::path::PathBuf::from("/bank/media/"),
        ]);
        for inside in [
            "/bank/items/cism",
            "/bank/items/cism/",
            "/bank/items/cism/x/y.toml",
            "/bank/items/issmp/a.toml",
            "/bank/media/chart.png",
            "/bank/./media//chart.png",
        ] {
            assert!(targets.contains(std::path::Path::new(inside)), "{inside}");
        }
        for outside in [
            "/bank",
            "/bank/items",
            "/bank/items/cism2/x.toml",
            "/bank/items/issmp/a.toml.bak",
            "/bank/items/issmp/b.toml",
            "/other/items/cism/x.toml",
        ] {
            assert!(
                !targets.contains(std::path::Path::new(outside)),
                "{outside}"
            );
        }
        assert!(!super::Targets::default().contains(std::path::Path::new("/")));
        assert_eq!(targets.len(), 3);
    }

    use super::*;

    fn bank(dir: &Path) {
        std::fs::create_dir_all(dir.join("items/a")).unwrap();
        std::fs::create_dir_all(dir.join("blueprints")).unwrap();
        std::fs::write(dir.join("qbank.toml"), "exclude = [\"items/skip/**\"]\n").unwrap();
        std::fs::write(dir.join("items/a/Q-1.toml"), "id = 1").unwrap();
        std::fs::write(dir.join("items/a/notes.txt"), "x").unwrap();
        std::fs::create_dir_all(dir.join("items/skip")).unwrap();
        std::fs::write(dir.join("items/skip/Q-2.toml"), "").unwrap();
        std::fs::write(dir.join("blueprints/b.toml"), "").unwrap();
    }

    /// A configuration given with `--config` replaces the bank's settings but does not move
    /// the bank: a stricter file kept elsewhere checks the same items.
    #[test]
    fn a_given_configuration_keeps_the_discovered_bank() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("bank");
        bank(&root);
        let strict = temp.path().join("ci/strict.toml");
        std::fs::create_dir_all(strict.parent().unwrap()).unwrap();
        std::fs::write(&strict, "exclude = []\n").unwrap();
        let workspace = Workspace::discover(&root, Some(&strict)).unwrap();
        assert_eq!(workspace.root(), root);
        assert_eq!(workspace.config_path(), Some(strict.as_path()));
        // The bank's own file excludes `items/skip/`; the given one does not.
        assert!(
            workspace
                .files()
                .iter()
                .any(|f| f.path.ends_with("skip/Q-2.toml"))
        );
        // From the folder that holds `bank/`, too.
        let workspace = Workspace::discover(temp.path(), Some(&strict)).unwrap();
        assert_eq!(workspace.root(), root);
        // A configuration inside the bank, beside its own.
        let inner = root.join("strict.toml");
        std::fs::write(&inner, "").unwrap();
        let workspace = Workspace::discover(&root.join("items/a"), Some(&inner)).unwrap();
        assert_eq!(workspace.root(), root);
        assert_eq!(workspace.config_path(), Some(inner.as_path()));
        // With no bank around the start, the folder of the configuration only if it is one.
        let elsewhere = tempfile::tempdir().unwrap();
        assert!(matches!(
            Workspace::discover(elsewhere.path(), Some(&strict)),
            Err(WorkspaceError::NotFound { .. })
        ));
        let workspace = Workspace::discover(elsewhere.path(), Some(&inner)).unwrap();
        assert_eq!(workspace.root(), root);
    }

    #[test]
    fn discovers_the_bank_upward_and_lists_files() {
        let temp = tempfile::tempdir().unwrap();
        bank(temp.path());
        let workspace = Workspace::discover(&temp.path().join("items/a/Q-1.toml"), None).unwrap();
        assert_eq!(workspace.root(), temp.path());
        let files = workspace.files();
        let kinds: Vec<(FileKind, String)> = files
            .iter()
            .map(|f| {
                let name = f.path.file_name().unwrap().to_string_lossy().into_owned();
                (f.kind, name)
            })
            .collect();
        assert_eq!(
            kinds,
            [
                (FileKind::Blueprint, "b.toml".to_owned()),
                (FileKind::Item, "Q-1.toml".to_owned()),
                (FileKind::Stray, "notes.txt".to_owned()),
            ]
        );
    }

    #[test]
    fn a_walk_on_several_threads_lists_every_file_once_in_byte_order() {
        let temp = tempfile::tempdir().unwrap();
        bank(temp.path());
        // More files than one batch of a walking thread, over folders the threads share out.
        let mut expected = vec![temp.path().join("items/a/Q-1.toml")];
        for folder in 0..30 {
            let dir = temp.path().join(format!("items/f{folder}"));
            std::fs::create_dir_all(&dir).unwrap();
            for file in 0..100 {
                let path = dir.join(format!("Q-{folder}-{file}.toml"));
                std::fs::write(&path, "").unwrap();
                expected.push(path);
            }
        }
        expected.sort_by(|a, b| {
            a.as_os_str()
                .as_encoded_bytes()
                .cmp(b.as_os_str().as_encoded_bytes())
        });
        let workspace = Workspace::discover(temp.path(), None).unwrap();
        let items: Vec<PathBuf> = workspace
            .files()
            .into_iter()
            .filter(|f| f.kind == FileKind::Item)
            .map(|f| f.path)
            .collect();
        assert_eq!(items.len(), 3001);
        assert_eq!(items, expected);
    }

    #[test]
    fn finds_a_nested_bank_folder() {
        let temp = tempfile::tempdir().unwrap();
        bank(&temp.path().join("bank"));
        let workspace = Workspace::discover(temp.path(), None).unwrap();
        assert_eq!(workspace.root(), temp.path().join("bank"));
    }

    #[test]
    fn finds_a_bank_without_a_configuration_file() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("bank");
        bank(&root);
        std::fs::remove_file(root.join("qbank.toml")).unwrap();
        let item = root.join("items/cism/d1/X-1.toml");
        std::fs::create_dir_all(item.parent().unwrap()).unwrap();
        std::fs::write(&item, "id = \"X-1\"\n").unwrap();
        // From beside it, from inside it, and from a file deep in it.
        for start in [temp.path(), root.as_path(), item.as_path()] {
            let workspace = Workspace::discover(start, None).unwrap();
            assert_eq!(workspace.root(), root, "from {}", start.display());
            assert!(workspace.config_path().is_none());
        }
    }

    #[test]
    fn reports_a_missing_bank() {
        let temp = tempfile::tempdir().unwrap();
        let error = Workspace::discover(temp.path(), None).unwrap_err();
        assert!(matches!(error, WorkspaceError::NotFound { .. }));
    }

    #[test]
    fn numbers_outside_their_documented_ranges_are_refused() {
        let temp = tempfile::tempdir().unwrap();
        bank(temp.path());
        for (config, expected) in [
            (
                "[lint]\noption_length_ratio = -3\n",
                "`option_length_ratio` under `[lint]` must be a number of at least 1, found -3",
            ),
            (
                "[lint]\nlongest_option_margin = -1\n",
                "`longest_option_margin` under `[lint]` must be a number of at least 0, found -1",
            ),
            (
                "[lint]\nwindow_dressing_sigma = inf\n",
                "`window_dressing_sigma` under `[lint]` must be a number of at least 0, found inf",
            ),
            (
                "[lint]\nkey_position_tolerance = 5\n",
                "`key_position_tolerance` under `[lint]` must be a number from 0 to 1, found 5",
            ),
            (
                "[lint]\nlongest_key_rate = nan\n",
                "`longest_key_rate` under `[lint]` must be a number from 0 to 1, found NaN",
            ),
            (
                "max_file_size = 0\n",
                "`max_file_size` must be at least 1 byte, found 0",
            ),
            (
                "[profiles.free]\nsample = 0\n",
                "`sample` under `[profiles.free]` must be at least 1, found 0",
            ),
        ] {
            std::fs::write(temp.path().join("qbank.toml"), config).unwrap();
            let message = Workspace::discover(temp.path(), None)
                .unwrap_err()
                .to_string();
            assert!(message.contains("qbank.toml"), "{message}");
            assert!(message.contains(expected), "{message}");
        }
        // The bounds themselves are allowed.
        std::fs::write(
            temp.path().join("qbank.toml"),
            "max_file_size = 1\n[lint]\noption_length_ratio = 1\nlongest_key_rate = 1\nkey_position_tolerance = 0\n",
        )
        .unwrap();
        assert!(Workspace::discover(temp.path(), None).is_ok());
    }

    #[test]
    fn bad_configuration_names_the_file_and_key() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("qbank.toml"), "[rulez]\n").unwrap();
        let error = Workspace::discover(temp.path(), None).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("qbank.toml"), "{message}");
        assert!(message.contains("unknown field `rulez`"), "{message}");
    }

    fn entry(path: &Path) -> FileEntry {
        FileEntry {
            path: path.to_path_buf(),
            display: path.to_path_buf(),
            kind: FileKind::Item,
            walk_error: None,
        }
    }

    #[test]
    fn oversized_files_are_not_read() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("big.toml");
        std::fs::write(&path, vec![b'a'; 100]).unwrap();
        let mut reader = FileReader::default();
        for content in [
            read_file(entry(&path), 10).content,
            reader.read(entry(&path), 10).content,
        ] {
            assert!(matches!(
                content,
                Content::TooLarge {
                    size: 100,
                    limit: 10
                }
            ));
        }
        assert!(
            matches!(read_file(entry(&path), 100).content, Content::Bytes(b) if b.len() == 100)
        );
    }

    #[test]
    fn a_reader_reads_what_each_file_holds_across_folders() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        let mut paths = Vec::new();
        for folder in ["a", "b", "a/c"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
            for name in ["1.toml", "2.toml"] {
                let path = root.join(folder).join(name);
                std::fs::write(&path, format!("{folder}/{name}")).unwrap();
                paths.push(path);
            }
        }
        // Back and forth between folders, and a folder after its subfolder.
        let order = [0, 1, 2, 4, 5, 3, 0];
        let mut reader = FileReader::default();
        for index in order {
            let path = &paths[index];
            let Content::Bytes(bytes) = reader.read(entry(path), 1000).content else {
                panic!("{} was not read", path.display());
            };
            let expected = path
                .strip_prefix(root)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            assert_eq!(String::from_utf8(bytes).unwrap(), expected);
        }
    }

    #[test]
    fn a_reader_reports_a_missing_file_or_folder_as_opening_it_would() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("there.toml"), "x").unwrap();
        let mut reader = FileReader::default();
        for missing in [
            temp.path().join("gone.toml"),
            temp.path().join("gone/x.toml"),
            temp.path().join("there.toml/x.toml"),
        ] {
            let expected = std::fs::File::open(&missing).unwrap_err().to_string();
            let Content::Unreadable(error) = reader.read(entry(&missing), 10).content else {
                panic!("{} was read", missing.display());
            };
            assert_eq!(error, expected, "{}", missing.display());
        }
        // The folder of a missing file stays usable for the next.
        let there = temp.path().join("there.toml");
        assert!(matches!(reader.read(entry(&there), 10).content, Content::Bytes(b) if b == b"x"));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_become_entries_with_an_error() {
        let temp = tempfile::tempdir().unwrap();
        bank(temp.path());
        std::os::unix::fs::symlink(temp.path().join("items"), temp.path().join("items/a/loop"))
            .unwrap();
        let workspace = Workspace::discover(temp.path(), None).unwrap();
        let files = workspace.files();
        let looped: Vec<&FileEntry> = files.iter().filter(|f| f.walk_error.is_some()).collect();
        assert_eq!(looped.len(), 1, "{files:?}");
        assert!(looped[0].walk_error.as_deref().unwrap().contains("loop"));
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_to(Path::new("/a/b"), Path::new("/a/b/c/d")),
            Path::new("c/d")
        );
        assert_eq!(
            relative_to(Path::new("/a/b"), Path::new("/a/x/y")),
            Path::new("../x/y")
        );
    }
}
