//! qbank's export packs and importers.
//!
//! Export runs after the check: [`build`] takes the checked bank ([`BankInput`]) and a
//! [`Request`] (the profile from `qbank.toml`, `--blueprint`, `--no-keys`), selects the items
//! the profile admits, refuses items with error-level findings, and returns a [`Pack`]. Then
//! [`export_to`] writes the pack in one [`Format`], deterministically, into place at a
//! path, crash-safely; [`export`] makes it in memory, and [`write_pack`] puts such a pack in
//! place. [`import`] reads a file of another tool back into [`PackItem`]s, and
//! [`item_toml`] writes one as a bank item file.
//!
//! ```
//! use qbank_export::{Format, Pack, PackItem, PackOption, export};
//!
//! let mut pack = Pack::default();
//! pack.meta.keys = true;
//! pack.items.push(PackItem {
//!     id: "Q-1".into(),
//!     stem: "Which?".into(),
//!     options: vec![
//!         PackOption { text: "This".into(), correct: Some(true), ..PackOption::default() },
//!         PackOption { text: "That".into(), correct: Some(false), ..PackOption::default() },
//!     ],
//!     ..PackItem::default()
//! });
//! let out = export(&pack, Format::Gift)?;
//! assert!(String::from_utf8(out.bytes)?.contains("::Q-1::[html]Which?{"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod anki;
mod archive;
mod build;
mod csv;
#[cfg(target_os = "linux")]
mod direct;
mod error;
mod gift;
mod import;
mod import_gift;
mod import_moodle;
mod json;
mod manifest;
mod moodle;
mod output;
mod pack;
mod profile;
mod qti;
mod rng;
mod sign;
#[cfg(test)]
mod tests;
mod text;
mod toml_item;
mod verify;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use output::{Finished, Output};

pub use build::{BankInput, BankItem, Built, LeftOut, Request, build};
pub use error::ExportError;
pub use import::{
    DEFAULT_MAX_IMPORT_SIZE, ImportDefaults, ImportFormat, import, prepare, read_import,
};
pub use manifest::{
    MANIFEST_FORMAT, MANIFEST_NAME, MANIFEST_VERSION, Manifest, ManifestEntry, ManifestSignature,
    sha256_hex, sidecar_path,
};
pub use pack::{
    PACK_FORMAT, PACK_VERSION, Pack, PackBlueprint, PackConcept, PackDomain, PackExhibit, PackItem,
    PackItemType, PackMapping, PackMeta, PackOption, PackStatus, label,
};
pub use profile::{DEFAULT_PROFILE, Profile};
pub use sign::{
    KeyFiles, PUBLIC_KEY_HEADER, PublicKey, SECRET_KEY_HEADER, SIGNATURE_ALGORITHM, SecretKey,
    write_key_pair,
};
pub use toml_item::item_toml;
pub use verify::{Verified, VerifyFailure, verify};

/// The formats a pack can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// The JSON pack for apps, with its manifest.
    Json,
    /// IMS/1EdTech QTI 3.0 content package.
    Qti3,
    /// IMS QTI 2.1 content package.
    Qti21,
    /// Moodle XML.
    Moodle,
    /// Moodle GIFT text.
    Gift,
    /// CSV, one row per item.
    Csv,
    /// Anki `.apkg` deck.
    Anki,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 7] = [
        Format::Json,
        Format::Qti3,
        Format::Qti21,
        Format::Moodle,
        Format::Gift,
        Format::Csv,
        Format::Anki,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Qti3 => "qti3",
            Format::Qti21 => "qti21",
            Format::Moodle => "moodle",
            Format::Gift => "gift",
            Format::Csv => "csv",
            Format::Anki => "anki",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Qti3 | Format::Qti21 => "zip",
            Format::Moodle => "xml",
            Format::Gift => "gift",
            Format::Csv => "csv",
            Format::Anki => "apkg",
        }
    }

    /// Whether the format can leave the keys out.
    pub fn supports_no_keys(self) -> bool {
        matches!(
            self,
            Format::Json | Format::Csv | Format::Qti3 | Format::Qti21
        )
    }
}

/// A written pack.
#[derive(Clone, Debug)]
pub struct Exported {
    /// The pack file's bytes.
    pub bytes: Vec<u8>,
    /// Its manifest: every member of an archive, or the single file.
    pub manifest: Manifest,
    /// Whether the pack is a zip archive holding its manifest as [`MANIFEST_NAME`]; otherwise
    /// the manifest is written beside the file ([`sidecar_path`]).
    pub archive: bool,
}

impl Exported {
    /// The manifest file to write beside a single-file pack; `None` for an archive.
    pub fn sidecar(&self) -> Option<Vec<u8>> {
        (!self.archive).then(|| self.manifest.to_bytes())
    }
}

/// How [`export_with`] writes a pack.
#[derive(Default)]
pub struct ExportOptions<'a> {
    /// The file name a single-file pack's manifest lists (default: `pack.` and the format's
    /// extension).
    pub file_name: Option<String>,
    /// The key that signs the manifest; unsigned without one.
    pub key: Option<&'a SecretKey>,
}

/// Writes `pack` in `format`, unsigned.
pub fn export(pack: &Pack, format: Format) -> Result<Exported, ExportError> {
    export_with(pack, format, &ExportOptions::default())
}

/// Writes `pack` in `format` with its manifest, signed when `options` holds a key.
pub fn export_with(
    pack: &Pack,
    format: Format,
    options: &ExportOptions<'_>,
) -> Result<Exported, ExportError> {
    if format.is_archive() {
        return archive_pack(pack, format, options);
    }
    let finished = output::in_memory(true, |output| write_single(pack, format, output))?;
    let manifest = single_manifest(format, options, &finished);
    Ok(Exported {
        bytes: finished.bytes,
        manifest,
        archive: false,
    })
}

/// Writes `pack` in `format` into place at `out`, crash-safely (see [`write_pack`]), and
/// returns its manifest, signed when `options` holds a key. The pack goes to its temporary
/// file as it is made (an archive once its members are compressed, as it is laid out), so
/// the file never has to be held in memory whole and the disk writes it while the rest is
/// made.
pub fn export_to(
    pack: &Pack,
    format: Format,
    options: &ExportOptions<'_>,
    out: &Path,
) -> Result<Manifest, ExportError> {
    if format.is_archive() {
        let (members, manifest) = archive_members(pack, format, options, Some(out))?;
        let temp = Temp::beside(out)?;
        output::into_file(temp.file.as_file(), temp.file.path(), false, |output| {
            members.zip_into(&manifest, output)
        })?;
        temp.complete(out)?;
        persist_all(vec![(temp.into(), out)])?;
        return Ok(manifest);
    }
    let temp = Temp::beside(out)?;
    let finished = output::into_file(temp.file.as_file(), temp.file.path(), true, |output| {
        write_single(pack, format, output)
    })?;
    let manifest = single_manifest(format, options, &finished);
    temp.complete(out)?;
    let sidecar = sidecar_path(out);
    let manifest_temp = Temp::holding(&sidecar, &manifest.to_bytes())?;
    persist_all(vec![(manifest_temp.into(), &sidecar), (temp.into(), out)])?;
    Ok(manifest)
}

impl Format {
    /// Whether the pack is a zip archive, which holds its manifest inside.
    fn is_archive(self) -> bool {
        matches!(self, Self::Qti3 | Self::Qti21 | Self::Anki)
    }
}

/// A zip pack: its members compressed, then laid out after the manifest is signed.
fn archive_pack(
    pack: &Pack,
    format: Format,
    options: &ExportOptions<'_>,
) -> Result<Exported, ExportError> {
    let (members, manifest) = archive_members(pack, format, options, None)?;
    let bytes = members.zip(&manifest)?;
    Ok(Exported {
        bytes,
        manifest,
        archive: true,
    })
}

/// The compressed members of a zip pack and its manifest, signed when `options` holds a key.
/// A scratch file the pack needs (an Anki collection too large for memory) is made beside
/// `out`, where the pack goes, if it is given, else in the system's temporary folder.
fn archive_members(
    pack: &Pack,
    format: Format,
    options: &ExportOptions<'_>,
    out: Option<&Path>,
) -> Result<(archive::Compressed, Manifest), ExportError> {
    let mut members = match format {
        Format::Qti3 => qti::write(pack, qti::Version::V3)?,
        Format::Qti21 => qti::write(pack, qti::Version::V21)?,
        _ => {
            let mut compressed = archive::Compressed::default();
            anki::write(pack, &mut compressed, out)?;
            compressed
        }
    };
    let manifest = sign(Manifest::new(members.take_entries()), options);
    Ok((members, manifest))
}

/// Writes a single-file pack: each writer settles the output as it goes, which hashes what
/// it has written and, into a file, writes it out.
fn write_single(pack: &Pack, format: Format, output: &mut Output) -> Result<(), ExportError> {
    match format {
        Format::Json => json::write(pack, output),
        Format::Moodle => moodle::write(pack, output),
        Format::Gift => gift::write(pack, output),
        _ => csv::write_to(pack, output),
    }
}

/// The manifest of a single-file pack: one entry, for the file as a whole. (The JSON pack
/// also lists its members' digests inside.)
fn single_manifest(format: Format, options: &ExportOptions<'_>, finished: &Finished) -> Manifest {
    let name = options
        .file_name
        .clone()
        .unwrap_or_else(|| format!("pack.{}", format.extension()));
    let entry = ManifestEntry {
        path: name,
        sha256: finished.sha256.clone(),
        bytes: finished.len,
    };
    sign(Manifest::new(vec![entry]), options)
}

/// `manifest`, signed if `options` holds a key.
fn sign(mut manifest: Manifest, options: &ExportOptions<'_>) -> Manifest {
    if let Some(key) = options.key {
        key.sign(&mut manifest);
    }
    manifest
}

/// Puts a pack in place at `out`, crash-safely: killed at any moment, `out` holds the old pack
/// or the new one, whole.
///
/// An archive is one file, replaced by one rename. A single-file pack and its manifest
/// (`out.manifest.json`) are both written to temporary files and flushed to disk first; then
/// the manifest is renamed into place, then the pack. The rename of the pack is the commit
/// point: a run killed between the two renames leaves the old pack beside the new manifest,
/// which `qbank verify` rejects, and the next export replaces both.
pub fn write_pack(out: &Path, exported: &Exported) -> Result<(), ExportError> {
    match exported.sidecar() {
        Some(sidecar) => {
            write_atomic_all(&[(&sidecar_path(out), &sidecar), (out, &exported.bytes)])
        }
        None => write_atomic_all(&[(out, &exported.bytes)]),
    }
}

/// Writes `bytes` to `path` atomically: to a temporary file beside it, flushed to disk, then
/// renamed over it. On any failure the temporary file is removed and `path` is unchanged.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    write_atomic_all(&[(path, bytes)])
}

/// The end of every temporary file name; the start is `.` and the target's file name.
const TEMP_SUFFIX: &str = ".qbank-tmp";

/// The random characters between a temporary file name's prefix and [`TEMP_SUFFIX`]. A stale
/// file of a target has exactly this many, so the temporary files of `a` are not mistaken
/// for those of `a.b`.
const TEMP_RANDOM: usize = 6;

/// Writes every file to a temporary file beside its target (as [`write_atomic`] does), flushes
/// them all, then renames them in order: a failure before the renames (a file that cannot be written,
/// a target that is not a regular file) leaves every target as it was. A folder is searched
/// for stale temporary files once for all its targets, so writing many files into one folder
/// (the items of an import) reads its listing once, not once a file.
pub fn write_atomic_all(files: &[(&Path, &[u8])]) -> Result<(), ExportError> {
    write_all(files, Replace::Yes)
}

/// [`write_atomic_all`] for files that must not exist yet: a file that appears at one of the
/// paths in the meantime (another run's) is never replaced, and the write fails on it, taking
/// back the files it already put in place, so that it writes all of them or none.
pub fn write_new_files(files: &[(&Path, &[u8])]) -> Result<(), ExportError> {
    write_all(files, Replace::No)
}

/// Whether a rename may replace a file at its target.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Replace {
    Yes,
    No,
}

fn write_all(files: &[(&Path, &[u8])], replace: Replace) -> Result<(), ExportError> {
    let mut temps = Vec::with_capacity(files.len());
    let mut stale = StaleTemps::default();
    // Past a few files, each written file is closed (and unlocked) once it is on disk, so
    // that thousands of files never hold thousands of descriptors (1,024 is a common limit).
    let close = files.len() > KEEP_OPEN;
    for &(path, bytes) in files {
        let temp = Temp::holding_with(path, bytes, &mut stale)?;
        temps.push((if close { temp.close() } else { temp.into() }, path));
    }
    persist(temps, replace)
}

/// The most written files [`write_atomic_all`] keeps open (and locked) until their renames.
const KEEP_OPEN: usize = 16;

/// A temporary file beside its target, named `.<target>.<random>.qbank-tmp` and locked while
/// its writer lives; a run killed before its renames leaves unlocked ones, which the next
/// write to the same target removes.
struct Temp {
    file: tempfile::NamedTempFile,
    dir: PathBuf,
}

/// A completed temporary file waiting for its rename: still open (and locked), or closed
/// ([`Temp::close`]), with its folder.
enum Ready {
    Open(Temp),
    Closed(tempfile::TempPath, PathBuf),
}

impl From<Temp> for Ready {
    fn from(temp: Temp) -> Self {
        Self::Open(temp)
    }
}

impl Temp {
    /// A new, empty and locked temporary file for `path`, after the stale ones of earlier
    /// runs are removed.
    fn beside(path: &Path) -> Result<Self, ExportError> {
        Self::beside_with(path, &mut StaleTemps::default())
    }

    /// [`Temp::beside`], with the stale files found through `stale`.
    fn beside_with(path: &Path, stale: &mut StaleTemps) -> Result<Self, ExportError> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .ok_or_else(|| {
                ExportError::io(
                    path,
                    std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"),
                )
            })?
            .to_string_lossy()
            .into_owned();
        refuse_unless_file(path)?;
        stale.remove(dir, &name);
        let prefix = temp_prefix(&name);
        let mut builder = tempfile::Builder::new();
        builder
            .prefix(&prefix)
            .rand_bytes(TEMP_RANDOM)
            .suffix(TEMP_SUFFIX);
        // Created as any new file is, `rw-rw-rw-` less the umask, not private to its owner:
        // a new pack gets the permissions the user's umask gives new files. A file that
        // replaces another is created with the old one's (less the umask) from the start, so
        // that a private pack is never readable by others while its successor is written;
        // [`Temp::complete`] then gives it the old mode exactly.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_or(0o666, |meta| meta.permissions().mode());
            builder.permissions(std::fs::Permissions::from_mode(mode & 0o777));
        }
        let file = builder
            .tempfile_in(dir)
            .map_err(|e| ExportError::io(dir, e))?;
        lock(file.as_file()).map_err(|e| ExportError::io(file.path(), e))?;
        Ok(Self {
            file,
            dir: dir.to_path_buf(),
        })
    }

    /// Closes a completed file, keeping its path (removed if it is never renamed). Its lock
    /// goes with the handle: until the rename, another run writing the same target could
    /// take it for stale and remove it, making this run's rename fail, never mixing files.
    fn close(self) -> Ready {
        Ready::Closed(self.file.into_temp_path(), self.dir)
    }

    /// A completed temporary file for `path` holding `bytes`.
    fn holding(path: &Path, bytes: &[u8]) -> Result<Self, ExportError> {
        Self::holding_with(path, bytes, &mut StaleTemps::default())
    }

    /// [`Temp::holding`], with the stale files found through `stale`.
    fn holding_with(
        path: &Path,
        bytes: &[u8],
        stale: &mut StaleTemps,
    ) -> Result<Self, ExportError> {
        let temp = Self::beside_with(path, stale)?;
        write_contents(temp.file.as_file(), bytes)
            .map_err(|e| ExportError::io(temp.file.path(), e))?;
        temp.complete(path)?;
        Ok(temp)
    }

    /// Gives the written file the owner (where this process may: as root) and permissions of
    /// the file it replaces at `path`, if there is one, and flushes it to disk. Root formatting
    /// or exporting over another user's files leaves them that user's.
    fn complete(&self, path: &Path) -> Result<(), ExportError> {
        let file = self.file.as_file();
        let replaced = std::fs::metadata(path).ok();
        #[cfg(unix)]
        if let Some(old) = &replaced {
            use std::os::unix::fs::MetadataExt;
            let new = file
                .metadata()
                .map_err(|e| ExportError::io(self.file.path(), e))?;
            if (old.uid(), old.gid()) != (new.uid(), new.gid()) {
                // Refused unless this process may give files away; the file is then its own.
                let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
            }
        }
        replaced
            .map_or(Ok(()), |meta| file.set_permissions(meta.permissions()))
            .and_then(|()| file.sync_all())
            .map_err(|e| ExportError::io(self.file.path(), e))
    }
}

/// Refuses to put a pack in place of anything but a regular file: a rename would replace a
/// symbolic link (not the file it points to), a device or a named pipe with a plain file, and
/// fails on a folder only after the files renamed before it.
fn refuse_unless_file(path: &Path) -> Result<(), ExportError> {
    let kind = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ExportError::io(path, e)),
        Ok(meta) if meta.is_dir() => "a folder",
        Ok(meta) if meta.is_symlink() => "a symbolic link",
        Ok(_) => "not a regular file",
    };
    Err(ExportError::io(
        path,
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{kind}: only a regular file is replaced; name the file itself, or a path \
                 that does not exist yet"
            ),
        ),
    ))
}

/// Renames every completed temporary file over its target, in order, then flushes their
/// folders. Every file is complete on disk before the first rename, and the locks stay held
/// until the last rename is done, so no other run takes a temporary file of this one for
/// stale.
fn persist_all(temps: Vec<(Ready, &Path)>) -> Result<(), ExportError> {
    persist(temps, Replace::Yes)
}

/// [`persist_all`], or, with [`Replace::No`], failing on a target that exists.
fn persist(temps: Vec<(Ready, &Path)>, replace: Replace) -> Result<(), ExportError> {
    let mut persisted = Vec::with_capacity(temps.len());
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut renamed: Vec<&Path> = Vec::new();
    for (temp, path) in temps {
        let (result, dir) = match (temp, replace) {
            (Ready::Open(temp), Replace::Yes) => (
                temp.file.persist(path).map(Some).map_err(|e| e.error),
                temp.dir,
            ),
            (Ready::Open(temp), Replace::No) => (
                temp.file
                    .persist_noclobber(path)
                    .map(Some)
                    .map_err(|e| e.error),
                temp.dir,
            ),
            (Ready::Closed(temp, dir), Replace::Yes) => {
                (temp.persist(path).map(|()| None).map_err(|e| e.error), dir)
            }
            (Ready::Closed(temp, dir), Replace::No) => (
                temp.persist_noclobber(path)
                    .map(|()| None)
                    .map_err(|e| e.error),
                dir,
            ),
        };
        let file = result.map_err(|e| {
            if replace == Replace::No && !renamed.is_empty() {
                // The files renamed so far did not exist before (the renames never replace),
                // so removing them restores the folder as it was.
                let kept: Vec<String> = renamed
                    .iter()
                    .filter(|p| std::fs::remove_file(p).is_err())
                    .map(|p| format!("`{}`", p.display()))
                    .collect();
                let undone = if kept.is_empty() {
                    format!(
                        "the {} file{} written before it {} removed again",
                        renamed.len(),
                        if renamed.len() == 1 { "" } else { "s" },
                        if renamed.len() == 1 { "was" } else { "were" }
                    )
                } else {
                    format!("{} could not be removed again", kept.join(", "))
                };
                return ExportError::io(
                    path,
                    std::io::Error::new(e.kind(), format!("{e}; {undone}")),
                );
            }
            let error = match renamed.as_slice() {
                [] => e,
                // As after a kill between the renames: what was renamed is new, this is old.
                done => std::io::Error::new(
                    e.kind(),
                    format!(
                        "{}; {} already replaced, so this file and it do not match until an \
                         export succeeds",
                        e,
                        done.iter()
                            .map(|p| format!("`{}`", p.display()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            };
            ExportError::io(path, error)
        })?;
        persisted.extend(file);
        renamed.push(path);
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    for dir in dirs {
        sync_dir(&dir)?;
    }
    Ok(())
}

/// Writes `bytes` into the empty temporary file `file`: on Linux a large pack with direct I/O
/// where the file system takes it (the `direct` module), anything else through the page cache.
fn write_contents(mut file: &std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    if bytes.len() >= direct::DIRECT_MIN {
        return direct::write(file, bytes).map(|_| ());
    }
    file.write_all(bytes)
}

/// Takes the exclusive lock of a fresh temporary file; nobody else has it open yet.
fn lock(file: &std::fs::File) -> std::io::Result<()> {
    file.try_lock().map_err(|e| match e {
        std::fs::TryLockError::Error(e) => e,
        std::fs::TryLockError::WouldBlock => std::io::Error::other("the file is locked"),
    })
}

/// The start of the names of the temporary files for a target named `name`: `.name.`. A name
/// longer than 200 bytes is cut to its first 183 (at a character boundary) and followed by
/// `~` and 16 hexadecimal digits of its SHA-256, so that the temporary name stays within the
/// 255 bytes most file systems allow, and two long names with the same start do not take each
/// other's temporary files for their own.
fn temp_prefix(name: &str) -> String {
    use sha2::{Digest, Sha256};

    if name.len() <= 200 {
        return format!(".{name}.");
    }
    let mut end = 183;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    let digest = Sha256::digest(name.as_bytes());
    let hash = manifest::hex(&digest[..8]);
    format!(".{}~{hash}.", &name[..end])
}

/// The temporary files (by the name pattern of [`Temp`]) of one folder, listed once and then
/// taken off as each target's stale ones are removed: a run killed before its renames leaves
/// them, and the operating system released their locks when it died. Files created after the
/// listing (this run's own) are never in it.
#[derive(Default)]
struct StaleTemps {
    dir: Option<PathBuf>,
    names: Vec<String>,
}

impl StaleTemps {
    /// Removes the temporary files of the target `name` in `dir` that no live run holds.
    /// Failures are ignored; a leftover file is only litter, never read.
    fn remove(&mut self, dir: &Path, name: &str) {
        if self.dir.as_deref() != Some(dir) {
            self.names = std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .flatten()
                        .filter_map(|entry| entry.file_name().into_string().ok())
                        .filter(|n| n.starts_with('.') && n.ends_with(TEMP_SUFFIX))
                        .collect()
                })
                .unwrap_or_default();
            self.dir = Some(dir.to_path_buf());
        }
        let prefix = temp_prefix(name);
        let length = prefix.len() + TEMP_RANDOM + TEMP_SUFFIX.len();
        self.names.retain(|file_name| {
            if file_name.len() != length || !file_name.starts_with(&prefix) {
                return true;
            }
            let path = dir.join(file_name);
            if let Ok(file) = std::fs::File::open(&path)
                && file.try_lock().is_ok()
            {
                drop(file);
                let _ = std::fs::remove_file(&path);
            }
            false
        });
    }
}

/// Flushes a folder's entries, so that the renames survive a power loss. Not every platform
/// can open a folder, and not every file system flushes one (those refuse with "invalid
/// input" or "unsupported"); there the renames are as durable as the file system makes them.
/// Any other failure is an error: the pack is in place, but may not survive a power loss.
fn sync_dir(dir: &Path) -> Result<(), ExportError> {
    let Ok(handle) = std::fs::File::open(dir) else {
        return Ok(());
    };
    match handle.sync_all() {
        Err(e)
            if !matches!(
                e.kind(),
                std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Unsupported
            ) =>
        {
            Err(ExportError::io(dir, e))
        }
        _ => Ok(()),
    }
}

/// Reads a JSON pack.
pub fn read_pack(path: &Path, text: &str) -> Result<Pack, ExportError> {
    json::read(text).map_err(|message| ExportError::Parse {
        path: path.to_path_buf(),
        line: 0,
        message,
    })
}
