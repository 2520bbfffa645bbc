//! Checking a pack on disk against its manifest and, given a public key, its signature.
//!
//! An archive pack (a zip: `qti3`, `qti21`, `anki`) is read in place: its members are hashed as
//! they are decompressed, never extracted. Any other file is a single-file pack whose manifest is
//! `<file>.manifest.json` beside it. The manifest's paths are names to look up, never paths to
//! open: one that is absolute, climbs with `..` or is otherwise unusual is refused before
//! anything else is read, and so is a manifest that lists a file twice.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::manifest::{MANIFEST_NAME, Manifest, ManifestEntry, hex, sidecar_path};
use crate::sign::PublicKey;

/// A pack that passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Where the manifest is: `PACK!qbank-manifest.json` or `PACK.manifest.json`.
    pub manifest: String,
    /// How many files matched their digests.
    pub files: usize,
    /// The id of the key the manifest names as its signer, if it is signed.
    pub signed_by: Option<String>,
    /// Whether the signature was checked (a key was given).
    pub signature_checked: bool,
}

/// Why a pack failed. The first problem found is reported; files are checked in path order.
#[derive(Debug, thiserror::Error)]
pub enum VerifyFailure {
    /// The pack or its manifest could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A single-file pack has no manifest beside it.
    #[error("no manifest: `{}` does not exist", .0.display())]
    NoSidecar(PathBuf),
    /// An archive pack has no manifest member.
    #[error("no manifest: the archive has no `{MANIFEST_NAME}`")]
    NoMember,
    /// The archive cannot be read as a zip file.
    #[error("the archive cannot be read: {0}")]
    Archive(String),
    /// The manifest is not a valid version 1 manifest.
    #[error("the manifest `{manifest}` is invalid: {message}")]
    InvalidManifest {
        /// Where the manifest is.
        manifest: String,
        /// What is wrong.
        message: String,
    },
    /// A path in the manifest could escape the pack.
    #[error("the manifest `{manifest}` lists the unsafe path {path:?}: {reason}")]
    UnsafePath {
        /// Where the manifest is.
        manifest: String,
        /// The path as written.
        path: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A key was given but the manifest carries no signature.
    #[error("the manifest `{0}` is not signed")]
    Unsigned(String),
    /// The signature does not verify.
    #[error("bad signature on `{manifest}`: {message}")]
    Signature {
        /// Where the manifest is.
        manifest: String,
        /// What is wrong.
        message: String,
    },
    /// A file's bytes differ from its manifest entry.
    #[error("`{path}` does not match the manifest: {detail}")]
    Mismatch {
        /// The file.
        path: String,
        /// How it differs.
        detail: String,
    },
    /// A file the manifest lists is not in the pack.
    #[error("`{0}` is in the manifest but missing from the pack")]
    Missing(String),
    /// A file of the pack is not in the manifest.
    #[error("`{0}` is in the pack but not in the manifest")]
    Extra(String),
}

/// A manifest larger than this is refused unread: the manifest of a pack of a million items
/// is about 150 MB, far beyond any real pack.
const MAX_MANIFEST: u64 = 256 << 20;

/// Checks the pack at `path`: its manifest's structure, then the signature when `key` is given,
/// then every file's size and sha256, and that the pack holds no file the manifest does not list.
pub fn verify(path: &Path, key: Option<&PublicKey>) -> Result<Verified, VerifyFailure> {
    let read_error = |source| VerifyFailure::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(read_error)?;
    let mut magic = Vec::with_capacity(4);
    (&mut file)
        .take(4)
        .read_to_end(&mut magic)
        .map_err(read_error)?;
    if magic == b"PK\x03\x04" || magic == b"PK\x05\x06" {
        verify_archive(path, file, key)
    } else {
        verify_single(path, file, key)
    }
}

fn verify_single(
    path: &Path,
    file: File,
    key: Option<&PublicKey>,
) -> Result<Verified, VerifyFailure> {
    let sidecar = sidecar_path(path);
    let shown = sidecar.display().to_string();
    let bytes = match File::open(&sidecar) {
        Ok(f) => read_limited(f, MAX_MANIFEST).map_err(|source| VerifyFailure::Read {
            path: sidecar.clone(),
            source,
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(VerifyFailure::NoSidecar(sidecar));
        }
        Err(source) => {
            return Err(VerifyFailure::Read {
                path: sidecar,
                source,
            });
        }
    };
    let (manifest, signed) = parse(&shown, &bytes)?;
    let [entry] = manifest.files.as_slice() else {
        return Err(VerifyFailure::InvalidManifest {
            manifest: shown,
            message: format!(
                "the manifest of a single-file pack lists exactly one file, this one lists {}",
                manifest.files.len()
            ),
        });
    };
    if entry.path.contains('/') {
        return Err(VerifyFailure::UnsafePath {
            manifest: shown,
            path: entry.path.clone(),
            reason: "the manifest of a single-file pack names a file, not a folder",
        });
    }
    check_signature(&shown, &manifest, &signed, key)?;
    let name = path
        .file_name()
        .map_or_else(|| entry.path.clone(), |n| n.to_string_lossy().into_owned());
    let mut file = file;
    file.seek(SeekFrom::Start(0))
        .map_err(|source| VerifyFailure::Read {
            path: path.to_path_buf(),
            source,
        })?;
    compare(&name, entry, file)?;
    Ok(Verified {
        manifest: shown,
        files: 1,
        signed_by: manifest.signature.map(|s| s.key_id),
        signature_checked: key.is_some(),
    })
}

fn verify_archive(
    path: &Path,
    file: File,
    key: Option<&PublicKey>,
) -> Result<Verified, VerifyFailure> {
    let shown = format!("{}!{MANIFEST_NAME}", path.display());
    let mut file = file;
    // The members are read from the entries the layout check found, where it found them:
    // no second reader of the archive (which could settle on another end record) is asked.
    let members: BTreeMap<String, DirectoryEntry> = check_layout(&mut file)
        .map_err(VerifyFailure::Archive)?
        .into_iter()
        .map(|entry| (String::from_utf8_lossy(&entry.name).into_owned(), entry))
        .collect();
    let Some(entry) = members.get(MANIFEST_NAME) else {
        return Err(VerifyFailure::NoMember);
    };
    let bytes = {
        let mut reader = Crc32Reader {
            inner: member_reader(&mut file, entry)
                .map_err(|e| VerifyFailure::Archive(e.to_string()))?,
            hasher: crc32fast::Hasher::new(),
        };
        let bytes = read_limited(&mut reader, MAX_MANIFEST)
            .map_err(|e| VerifyFailure::Archive(e.to_string()))?;
        if bytes.len() as u64 != entry.size || reader.hasher.finalize() != entry.crc {
            return Err(VerifyFailure::Archive(format!(
                "its member `{MANIFEST_NAME}` does not match the size or CRC-32 the archive \
                 gives it"
            )));
        }
        bytes
    };
    let (manifest, signed) = parse(&shown, &bytes)?;
    if manifest.files.iter().any(|e| e.path == MANIFEST_NAME) {
        return Err(VerifyFailure::InvalidManifest {
            manifest: shown,
            message: format!("it lists itself (`{MANIFEST_NAME}`)"),
        });
    }
    check_signature(&shown, &manifest, &signed, key)?;
    let listed: BTreeMap<&str, &ManifestEntry> = manifest
        .files
        .iter()
        .map(|e| (e.path.as_str(), e))
        .collect();
    let names: BTreeSet<&str> = listed
        .keys()
        .copied()
        .chain(members.keys().map(String::as_str))
        .filter(|n| *n != MANIFEST_NAME)
        .collect();
    for name in names {
        match (listed.get(name), members.get(name)) {
            (Some(listed), Some(entry)) => {
                // The size the archive declares is the one other readers trust.
                if entry.size != listed.bytes {
                    return Err(VerifyFailure::Mismatch {
                        path: name.to_owned(),
                        detail: format!(
                            "the archive gives it {} bytes, the manifest lists {}",
                            entry.size, listed.bytes
                        ),
                    });
                }
                let member =
                    member_reader(&mut file, entry).map_err(|e| VerifyFailure::Mismatch {
                        path: name.to_owned(),
                        detail: format!("it cannot be read: {e}"),
                    })?;
                let mut member = Crc32Reader {
                    inner: member,
                    hasher: crc32fast::Hasher::new(),
                };
                compare(name, listed, &mut member)?;
                // The digest matched; a CRC that does not would make other readers refuse it.
                if member.hasher.finalize() != entry.crc {
                    return Err(VerifyFailure::Mismatch {
                        path: name.to_owned(),
                        detail: "its CRC-32 in the archive is wrong".to_owned(),
                    });
                }
            }
            (Some(_), None) => return Err(VerifyFailure::Missing(name.to_owned())),
            (None, _) => return Err(VerifyFailure::Extra(name.to_owned())),
        }
    }
    Ok(Verified {
        manifest: shown,
        files: manifest.files.len(),
        signed_by: manifest.signature.map(|s| s.key_id),
        signature_checked: key.is_some(),
    })
}

/// A reader that computes the CRC-32 of what it reads.
struct Crc32Reader<R> {
    inner: R,
    hasher: crc32fast::Hasher,
}

impl<R: Read> Read for Crc32Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// The decompressed bytes of a checked member, read where its data starts.
fn member_reader<'f>(
    file: &'f mut File,
    entry: &DirectoryEntry,
) -> std::io::Result<Box<dyn Read + 'f>> {
    file.seek(SeekFrom::Start(entry.data))?;
    let data = file.take(entry.compressed);
    Ok(if entry.method == 8 {
        Box::new(flate2::read::DeflateDecoder::new(data))
    } else {
        Box::new(data)
    })
}

/// Parses a manifest and checks its structure: safe, distinct paths and well-formed digests.
fn parse(shown: &str, bytes: &[u8]) -> Result<(Manifest, Vec<u8>), VerifyFailure> {
    let invalid = |message: String| VerifyFailure::InvalidManifest {
        manifest: shown.to_owned(),
        message,
    };
    let (manifest, signed) = Manifest::parse(bytes).map_err(invalid)?;
    let mut seen = BTreeSet::new();
    for entry in &manifest.files {
        if let Err(reason) = safe_path(&entry.path) {
            return Err(VerifyFailure::UnsafePath {
                manifest: shown.to_owned(),
                path: entry.path.clone(),
                reason,
            });
        }
        if !seen.insert(entry.path.as_str()) {
            return Err(invalid(format!("it lists `{}` twice", entry.path)));
        }
        if entry.sha256.len() != 64
            || !entry
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(invalid(format!(
                "the sha256 of `{}` is not 64 lowercase hexadecimal digits",
                entry.path
            )));
        }
    }
    Ok((manifest, signed))
}

/// Whether a manifest path is a plain relative path inside the pack.
fn safe_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("it is empty");
    }
    if path.chars().any(char::is_control) {
        return Err("it holds a control character");
    }
    if path.contains('\\') {
        return Err("it holds a backslash");
    }
    if path.starts_with('/') {
        return Err("it is absolute");
    }
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err("it starts with a drive letter");
    }
    for part in path.split('/') {
        match part {
            "" => return Err("it has an empty segment"),
            "." | ".." => return Err("it has a `.` or `..` segment"),
            _ => {}
        }
    }
    Ok(())
}

fn check_signature(
    shown: &str,
    manifest: &Manifest,
    signed: &[u8],
    key: Option<&PublicKey>,
) -> Result<(), VerifyFailure> {
    let Some(key) = key else {
        return Ok(());
    };
    let Some(signature) = &manifest.signature else {
        return Err(VerifyFailure::Unsigned(shown.to_owned()));
    };
    key.check(signature, signed)
        .map_err(|message| VerifyFailure::Signature {
            manifest: shown.to_owned(),
            message,
        })
}

/// Hashes `reader` (reading at most one byte more than the entry's size) and compares.
fn compare(name: &str, entry: &ManifestEntry, reader: impl Read) -> Result<(), VerifyFailure> {
    let mismatch = |detail: String| VerifyFailure::Mismatch {
        path: name.to_owned(),
        detail,
    };
    let mut reader = reader.take(entry.bytes.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(mismatch(format!("it cannot be read: {e}"))),
        };
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    if size > entry.bytes {
        return Err(mismatch(format!(
            "it is longer than the {} bytes the manifest lists",
            entry.bytes
        )));
    }
    if size < entry.bytes {
        return Err(mismatch(format!(
            "it is {size} bytes, the manifest lists {}",
            entry.bytes
        )));
    }
    let digest = hex(&hasher.finalize());
    if digest != entry.sha256 {
        return Err(mismatch(format!(
            "its sha256 is {digest}, the manifest lists {}",
            entry.sha256
        )));
    }
    Ok(())
}

/// Reads at most `limit` bytes, failing on more.
fn read_limited(reader: impl Read, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "larger than {limit} bytes, too large for a manifest"
        )));
    }
    Ok(bytes)
}

/// One central-directory entry: what its local header must repeat, and where it is.
struct DirectoryEntry {
    name: Vec<u8>,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    /// Where its local header starts.
    offset: u64,
    /// Where its data starts, after the local header (found by [`check_layout`]).
    data: u64,
}

/// Little-endian fields of a header held in a byte slice; a field past the end reads as an
/// error, not a panic.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    fn bytes<const N: usize>(&self, at: usize) -> Result<[u8; N], String> {
        self.0
            .get(at..at + N)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| "a header is cut short".to_owned())
    }
    fn u16(&self, at: usize) -> Result<u16, String> {
        self.bytes(at).map(u16::from_le_bytes)
    }
    fn u32(&self, at: usize) -> Result<u32, String> {
        self.bytes(at).map(u32::from_le_bytes)
    }
    fn u64(&self, at: usize) -> Result<u64, String> {
        self.bytes(at).map(u64::from_le_bytes)
    }
}

/// Reads `len` bytes of `file` at `offset`.
fn read_at(file: &mut File, offset: u64, len: u64) -> Result<Vec<u8>, String> {
    let io = |e: std::io::Error| e.to_string();
    file.seek(SeekFrom::Start(offset)).map_err(io)?;
    let mut bytes = Vec::new();
    (&mut *file).take(len).read_to_end(&mut bytes).map_err(io)?;
    if (bytes.len() as u64) < len {
        return Err("it ends inside a header".to_owned());
    }
    Ok(bytes)
}

/// Bit 11 of the general-purpose flags: the name is UTF-8.
const UTF8_NAME: u16 = 1 << 11;

/// The general-purpose flags qbank may set: bit 11, a UTF-8 name. Encryption (bit 0) and data
/// descriptors (bit 3) are refused.
const ALLOWED_FLAGS: u16 = UTF8_NAME;

/// Where the central directory is and how many entries it holds, by the end records.
struct Directory {
    count: u64,
    size: u64,
    offset: u64,
    /// Where the end records begin.
    end: u64,
}

/// Reads the end records at the very end of the archive: the classic record and, where one of
/// its values holds the zip64 marker, the zip64 record and its locator right before it.
fn end_records(file: &mut File) -> Result<Directory, String> {
    let len = file.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
    if len < 22 {
        return Err("it is too short for a zip archive".to_owned());
    }
    let eocd_at = len - 22;
    let eocd = read_at(file, eocd_at, 22)?;
    let eocd = Fields(&eocd);
    if eocd.u32(0)? != 0x0605_4b50 {
        return Err(
            "it does not end with an end-of-central-directory record (or has a comment)".to_owned(),
        );
    }
    if eocd.u16(20)? != 0 {
        return Err("its end record announces a comment".to_owned());
    }
    let (disk, directory_disk) = (eocd.u16(4)?, eocd.u16(6)?);
    let (on_disk, total) = (eocd.u16(8)?, eocd.u16(10)?);
    if disk != 0 || directory_disk != 0 || on_disk != total {
        return Err("its end record describes a multi-disk archive".to_owned());
    }
    let (mut count, mut size, mut offset) = (
        u64::from(total),
        u64::from(eocd.u32(12)?),
        u64::from(eocd.u32(16)?),
    );
    let mut directory_end = eocd_at;
    if total == u16::MAX || size == u64::from(u32::MAX) || offset == u64::from(u32::MAX) {
        // Zip64: a 20-byte locator right before the classic record points at the 56-byte
        // zip64 record right before the locator.
        let locator_at = eocd_at
            .checked_sub(20)
            .ok_or("it has no zip64 end-of-central-directory locator")?;
        let locator = read_at(file, locator_at, 20)?;
        let locator = Fields(&locator);
        let record_at = locator.u64(8)?;
        if locator.u32(0)? != 0x0706_4b50
            || locator.u32(4)? != 0
            || locator.u32(16)? != 1
            || record_at.checked_add(56) != Some(locator_at)
        {
            return Err("its zip64 end-of-central-directory locator is invalid".to_owned());
        }
        let record = read_at(file, record_at, 56)?;
        let record = Fields(&record);
        // Made by Unix, version 4.5, needing 4.5: as qbank writes it, and as every zip64
        // reader takes it.
        if record.u32(0)? != 0x0606_4b50
            || record.u64(4)? != 44
            || record.u16(12)? != 0x032d
            || record.u16(14)? != 45
            || record.u32(16)? != 0
            || record.u32(20)? != 0
            || record.u64(24)? != record.u64(32)?
        {
            return Err("its zip64 end-of-central-directory record is invalid".to_owned());
        }
        let wide = (record.u64(32)?, record.u64(40)?, record.u64(48)?);
        // A classic field that does not hold its marker must hold the zip64 value.
        let agrees = |classic: u64, marker: u64, value: u64| classic == marker || classic == value;
        if !agrees(count, u64::from(u16::MAX), wide.0)
            || !agrees(size, u64::from(u32::MAX), wide.1)
            || !agrees(offset, u64::from(u32::MAX), wide.2)
        {
            return Err("its classic and zip64 end records disagree".to_owned());
        }
        (count, size, offset) = wide;
        directory_end = record_at;
    }
    Ok(Directory {
        count,
        size,
        offset,
        end: directory_end,
    })
}

/// Checks that the archive is laid out as qbank lays out a pack, so that every zip reader sees
/// the same members: the members' local headers one after another from the first byte, each
/// repeating its central-directory entry (name, flags, method, CRC and sizes), then the central
/// directory, then the end records (zip64 ones only where a value overflows) and nothing after
/// them, no comment. A second directory entry past the count the end record gives, a local
/// header under another name, data hidden between members or a name used twice would each let
/// a tampered pack show one reader the files that were verified and another reader something
/// else; all are refused. Returns the members' entries, in the order of their data.
fn check_layout(file: &mut File) -> Result<Vec<DirectoryEntry>, String> {
    let Directory {
        count,
        size,
        offset,
        end: directory_end,
    } = end_records(file)?;
    if offset.checked_add(size) != Some(directory_end) {
        return Err("its central directory does not end where the end records begin".to_owned());
    }
    let directory = read_at(file, offset, size)?;
    let mut entries = Vec::new();
    let mut at = 0;
    while at < directory.len() {
        let (entry, next) = directory_entry(&directory, at)?;
        entries.push(entry);
        at = next;
    }
    if entries.len() as u64 != count {
        return Err(format!(
            "its central directory holds {} entries, its end record says {count}",
            entries.len()
        ));
    }
    let mut names = BTreeSet::new();
    for entry in &entries {
        let name = std::str::from_utf8(&entry.name)
            .map_err(|_| "a member name is not UTF-8".to_owned())?;
        if let Err(reason) = safe_path(name) {
            return Err(format!("the member name {name:?} is unsafe: {reason}"));
        }
        if !names.insert(name) {
            return Err(format!("the member name {name:?} appears twice"));
        }
        if entry.flags & !ALLOWED_FLAGS != 0 {
            return Err(format!(
                "the member {name:?} is encrypted or uses a data descriptor"
            ));
        }
        if !matches!(entry.method, 0 | 8) {
            return Err(format!(
                "the member {name:?} is neither stored nor deflated"
            ));
        }
        // Readers take a name without the UTF-8 flag for code page 437, so a name that is
        // not ASCII must carry it, and an ASCII one (as qbank writes them) does not.
        if (entry.flags & UTF8_NAME != 0) == name.is_ascii() {
            return Err(format!(
                "the member {name:?} has a UTF-8 flag that does not fit its name"
            ));
        }
        if entry.method == 0 && entry.compressed != entry.size {
            return Err(format!(
                "the stored member {name:?} has two different sizes"
            ));
        }
    }
    entries.sort_by_key(|e| e.offset);
    let mut next = 0;
    for entry in &mut entries {
        let name = String::from_utf8_lossy(&entry.name).into_owned();
        if entry.offset != next {
            return Err(format!(
                "the member {name:?} does not start where the one before it ends"
            ));
        }
        entry.data = local_data_start(file, entry)
            .map_err(|problem| format!("the local header of {name:?} {problem}"))?;
        next = entry
            .data
            .checked_add(entry.compressed)
            .ok_or_else(|| format!("the member {name:?} gives a size past any file"))?;
    }
    if next != offset {
        return Err("its members do not end where the central directory begins".to_owned());
    }
    Ok(entries)
}

/// The central-directory entry at `at` in `directory`, and where the next one starts.
fn directory_entry(directory: &[u8], at: usize) -> Result<(DirectoryEntry, usize), String> {
    let header = Fields(directory.get(at..).unwrap_or_default());
    if header.u32(0)? != 0x0201_4b50 {
        return Err("its central directory holds something other than entries".to_owned());
    }
    let name_len = usize::from(header.u16(28)?);
    let extra_len = usize::from(header.u16(30)?);
    let comment_len = usize::from(header.u16(32)?);
    if header.u16(34)? != 0 {
        return Err("an entry sits on another disk".to_owned());
    }
    let name = header
        .0
        .get(46..46 + name_len)
        .ok_or("a directory entry is cut short")?
        .to_vec();
    let extra = header
        .0
        .get(46 + name_len..46 + name_len + extra_len)
        .ok_or("a directory entry is cut short")?;
    if comment_len > 0 {
        return Err("a directory entry has a comment".to_owned());
    }
    let mut entry = DirectoryEntry {
        name,
        flags: header.u16(8)?,
        method: header.u16(10)?,
        crc: header.u32(16)?,
        compressed: u64::from(header.u32(20)?),
        size: u64::from(header.u32(24)?),
        offset: u64::from(header.u32(42)?),
        data: 0,
    };
    // The zip64 field holds, in this order, the values whose classic field holds its marker.
    let wide = zip64_field(extra)?;
    let mut wide = wide.iter().copied();
    let max = u64::from(u32::MAX);
    for value in [&mut entry.size, &mut entry.compressed, &mut entry.offset] {
        if *value == max {
            *value = wide
                .next()
                .ok_or("a directory entry lacks its zip64 values")?;
        }
    }
    if wide.next().is_some() {
        return Err("a directory entry has zip64 values it does not need".to_owned());
    }
    Ok((entry, at + 46 + name_len + extra_len))
}

/// The 64-bit values of the zip64 extra field (id 1) in `extra`, the only extra field qbank
/// writes; none when `extra` is empty.
fn zip64_field(extra: &[u8]) -> Result<Vec<u64>, String> {
    if extra.is_empty() {
        return Ok(Vec::new());
    }
    let fields = Fields(extra);
    let len = usize::from(fields.u16(2)?);
    if fields.u16(0)? != 1 || len % 8 != 0 || len + 4 != extra.len() {
        return Err("a header has an extra field other than one zip64 field".to_owned());
    }
    (0..len / 8).map(|k| fields.u64(4 + 8 * k)).collect()
}

/// Checks the local header of `entry` against it; returns where the member's data starts.
fn local_data_start(file: &mut File, entry: &DirectoryEntry) -> Result<u64, String> {
    let header = read_at(file, entry.offset, 30).map_err(|_| "is cut short".to_owned())?;
    let header = Fields(&header);
    if header.u32(0)? != 0x0403_4b50 {
        return Err("is missing".to_owned());
    }
    let name_len = u64::from(header.u16(26)?);
    let extra_len = u64::from(header.u16(28)?);
    let rest = read_at(file, entry.offset + 30, name_len + extra_len)
        .map_err(|_| "is cut short".to_owned())?;
    let (name, extra) = rest.split_at(usize::from(header.u16(26)?));
    let max = u64::from(u32::MAX);
    let (mut compressed, mut size) = (u64::from(header.u32(18)?), u64::from(header.u32(22)?));
    // A local zip64 field holds both sizes, uncompressed first.
    match zip64_field(extra)?.as_slice() {
        [] => {}
        [wide_size, wide_compressed] if compressed == max && size == max => {
            (size, compressed) = (*wide_size, *wide_compressed);
        }
        _ => return Err("has a zip64 field that does not hold both sizes".to_owned()),
    }
    if name != entry.name.as_slice() {
        return Err(format!(
            "names {:?}, not the name of its directory entry",
            String::from_utf8_lossy(name)
        ));
    }
    if header.u16(6)? != entry.flags
        || header.u16(8)? != entry.method
        || header.u32(14)? != entry.crc
        || compressed != entry.compressed
        || size != entry.size
    {
        return Err("disagrees with its directory entry (flags, method, CRC or sizes)".to_owned());
    }
    Ok(entry.offset + 30 + name_len + extra_len)
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write as _};

    use zip::write::SimpleFileOptions;

    use super::{VerifyFailure, safe_path, verify};
    use crate::manifest::{MANIFEST_NAME, Manifest, ManifestEntry, sidecar_path};
    use crate::sign::{PUBLIC_KEY_HEADER, PublicKey, SecretKey};
    use crate::tests::fixture;
    use crate::{ExportOptions, Format, export_with, write_pack};

    #[test]
    fn unsafe_paths_are_refused() {
        for path in [
            "",
            "../evil",
            "a/../../evil",
            "/etc/passwd",
            "C:/evil",
            "c:evil",
            "a\\..\\evil",
            "a//b",
            "./a",
            "a/",
            "a\u{0}b",
        ] {
            assert!(safe_path(path).is_err(), "{path:?} was accepted");
        }
        for path in [
            "items/I_1.xml",
            "collection.anki2",
            "0",
            "media/a b.png",
            "..a",
        ] {
            assert!(safe_path(path).is_ok(), "{path:?} was refused");
        }
    }

    fn key() -> SecretKey {
        SecretKey::generate().unwrap()
    }

    /// Writes the fixture pack signed with `key` into `dir`; returns its path.
    fn write(dir: &std::path::Path, format: Format, key: &SecretKey) -> std::path::PathBuf {
        let out = dir.join(format!("pack.{}", format.extension()));
        let options = ExportOptions {
            file_name: Some(format!("pack.{}", format.extension())),
            key: Some(key),
        };
        write_pack(&out, &export_with(&fixture(), format, &options).unwrap()).unwrap();
        out
    }

    fn members(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
        let bytes = std::fs::read(path).unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut member = archive.by_index(i).unwrap();
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut member, &mut bytes).unwrap();
                (member.name().to_owned(), bytes)
            })
            .collect()
    }

    fn rezip(path: &std::path::Path, members: &[(String, Vec<u8>)]) {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in members {
            writer
                .start_file(name.as_str(), SimpleFileOptions::default())
                .unwrap();
            writer.write_all(bytes).unwrap();
        }
        std::fs::write(path, writer.finish().unwrap().into_inner()).unwrap();
    }

    fn error(path: &std::path::Path, key: &SecretKey) -> String {
        verify(path, Some(&key.public())).unwrap_err().to_string()
    }

    #[test]
    fn every_format_round_trips_signed() {
        let dir = tempfile::tempdir().unwrap();
        let key = key();
        for format in Format::ALL {
            let out = write(dir.path(), format, &key);
            let verified = verify(&out, Some(&key.public())).unwrap();
            assert!(verified.signature_checked);
            assert_eq!(verified.signed_by, Some(key.public().id()));
            let archive = matches!(format, Format::Qti3 | Format::Qti21 | Format::Anki);
            assert_eq!(sidecar_path(&out).exists(), !archive, "{format:?}");
            assert!(verified.files >= 1);
            // Without a key the digests are still checked.
            assert!(!verify(&out, None).unwrap().signature_checked);
        }
    }

    #[test]
    fn a_flipped_byte_in_any_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let key = key();
        for format in [Format::Qti3, Format::Qti21, Format::Anki] {
            let out = write(dir.path(), format, &key);
            let original = members(&out);
            for (n, (name, _)) in original.iter().enumerate() {
                if name == MANIFEST_NAME {
                    continue;
                }
                let mut changed = original.clone();
                changed[n].1[0] ^= 1;
                rezip(&out, &changed);
                assert_eq!(
                    error(&out, &key).split(':').next().unwrap(),
                    format!("`{name}` does not match the manifest"),
                    "{format:?}"
                );
            }
        }
        for format in [Format::Json, Format::Moodle, Format::Gift, Format::Csv] {
            let out = write(dir.path(), format, &key);
            let mut bytes = std::fs::read(&out).unwrap();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 1;
            std::fs::write(&out, bytes).unwrap();
            let message = error(&out, &key);
            assert!(
                message.starts_with(&format!(
                    "`pack.{}` does not match the manifest: its sha256 is ",
                    format.extension()
                )),
                "{message}"
            );
        }
    }

    #[test]
    fn a_wrong_key_is_told_apart_from_a_bad_signature() {
        let dir = tempfile::tempdir().unwrap();
        let key = key();
        let other = SecretKey::generate().unwrap();
        for format in [Format::Qti3, Format::Csv] {
            let out = write(dir.path(), format, &key);
            let message = verify(&out, Some(&other.public())).unwrap_err().to_string();
            assert!(
                message.contains(&format!(
                    "the manifest is signed by key `{}`, not by the given key `{}`",
                    key.public().id(),
                    other.public().id()
                )),
                "{message}"
            );
        }
        // A key with the same id but other bytes cannot be made; a forged key id can.
        let out = write(dir.path(), Format::Gift, &other);
        let sidecar = sidecar_path(&out);
        let text = std::fs::read_to_string(&sidecar)
            .unwrap()
            .replace(&other.public().id(), &key.public().id());
        std::fs::write(&sidecar, text).unwrap();
        let message = error(&out, &key);
        assert!(message.contains("changed after it was signed"), "{message}");
    }

    #[test]
    fn a_tampered_manifest_fails_its_signature() {
        let dir = tempfile::tempdir().unwrap();
        let key = key();
        // The attacker changes a file and fixes its digest in the manifest.
        let out = write(dir.path(), Format::Qti3, &key);
        let mut changed = members(&out);
        let (name, bytes) = &mut changed[1];
        bytes.extend_from_slice(b"<!-- changed -->");
        let entry = ManifestEntry::of(name.clone(), bytes);
        let last = changed.len() - 1;
        let (mut manifest, _) = Manifest::parse(&changed[last].1).unwrap();
        for e in &mut manifest.files {
            if e.path == entry.path {
                *e = entry.clone();
            }
        }
        changed[last].1 = manifest.to_bytes();
        rezip(&out, &changed);
        let message = error(&out, &key);
        assert!(
            message.starts_with(&format!(
                "bad signature on `{}!qbank-manifest.json`",
                out.display()
            )) && message.ends_with("the manifest was changed after it was signed"),
            "{message}"
        );
        // Unsigned, the digests alone match: only a key protects against this.
        assert!(verify(&out, None).is_ok());
    }

    #[test]
    fn a_truncated_or_missing_signature_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = key();
        let out = write(dir.path(), Format::Csv, &key);
        let sidecar = sidecar_path(&out);
        let (mut manifest, _) = Manifest::parse(&std::fs::read(&sidecar).unwrap()).unwrap();
        let signature = manifest.signature.as_mut().unwrap();
        signature.value.truncate(126);
        std::fs::write(&sidecar, manifest.to_bytes()).unwrap();
        let message = error(&out, &key);
        assert!(
            message.ends_with(
                "the signature is 63 bytes long, an Ed25519 signature is 64 (truncated?)"
            ),
            "{message}"
        );
        manifest.signature = None;
        std::fs::write(&sidecar, manifest.to_bytes()).unwrap();
        assert_eq!(
            error(&out, &key),
            format!("the manifest `{}` is not signed", sidecar.display())
        );
    }

    #[test]
    fn missing_and_extra_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let key = key();
        let out = write(dir.path(), Format::Anki, &key);
        let original = members(&out);
        let without: Vec<_> = original
            .iter()
            .filter(|(n, _)| n != "media")
            .cloned()
            .collect();
        rezip(&out, &without);
        assert_eq!(
            error(&out, &key),
            "`media` is in the manifest but missing from the pack"
        );
        let mut with = original.clone();
        with.insert(0, ("extra.txt".to_owned(), b"x".to_vec()));
        rezip(&out, &with);
        assert_eq!(
            error(&out, &key),
            "`extra.txt` is in the pack but not in the manifest"
        );
        // A second member of the same name, which another reader might take instead.
        // The zip writer refuses duplicate names, so the second `media` is written as `medib`
        // and renamed in the bytes.
        let mut twice = original.clone();
        twice.push(("medib".to_owned(), b"{}".to_vec()));
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in &twice {
            writer
                .start_file(name.as_str(), SimpleFileOptions::default())
                .unwrap();
            writer.write_all(bytes).unwrap();
        }
        let mut bytes = writer.finish().unwrap().into_inner();
        let at = |bytes: &[u8], needle: &[u8]| {
            bytes
                .windows(needle.len())
                .rposition(|w| w == needle)
                .unwrap()
        };
        // Rename both the local header's and the central directory's copy of the name.
        for _ in 0..2 {
            let i = at(&bytes, b"medib");
            bytes[i + 4] = b'a';
        }
        std::fs::write(&out, bytes).unwrap();
        let message = error(&out, &key);
        assert!(
            message.contains("the member name \"media\" appears twice"),
            "{message}"
        );
        // A single-file pack whose manifest is gone.
        let out = write(dir.path(), Format::Gift, &key);
        std::fs::remove_file(sidecar_path(&out)).unwrap();
        assert_eq!(
            error(&out, &key),
            format!(
                "no manifest: `{}` does not exist",
                sidecar_path(&out).display()
            )
        );
    }

    /// Every way a tampered archive could show one zip reader the verified members and another
    /// reader something else is refused: the layout must be the one qbank writes.
    #[test]
    fn archives_not_laid_out_as_qbank_lays_them_out_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = key();
        let out = write(dir.path(), Format::Qti3, &key);
        let good = std::fs::read(&out).unwrap();
        let eocd = good.len() - 22;
        let field = |bytes: &[u8], at: usize| {
            u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize
        };
        let (size, offset) = (field(&good, eocd + 12), field(&good, eocd + 16));
        let refused = |bytes: &[u8], what: &str| {
            std::fs::write(&out, bytes).unwrap();
            let message = error(&out, &key);
            assert!(message.contains(what), "{what}: {message}");
        };

        // A directory entry past the count of the end record, which one reader walks and
        // another does not: the first entry again, the directory's size grown to hold it.
        let first_len = 46
            + usize::from(u16::from_le_bytes([good[offset + 28], good[offset + 29]]))
            + usize::from(u16::from_le_bytes([good[offset + 30], good[offset + 31]]));
        let mut bytes = good[..offset + size].to_vec();
        bytes.extend_from_slice(&good[offset..offset + first_len]);
        let mut end = good[eocd..].to_vec();
        end[12..16].copy_from_slice(&u32::try_from(size + first_len).unwrap().to_le_bytes());
        bytes.extend_from_slice(&end);
        refused(&bytes, "end record says");

        // The two counts of the end record disagree (a reader picks one).
        let mut bytes = good.clone();
        bytes[eocd + 8] = bytes[eocd + 8].wrapping_add(1);
        refused(&bytes, "multi-disk");

        // The first local header names another file than its directory entry.
        let mut bytes = good.clone();
        bytes[30] ^= 0x20;
        refused(&bytes, "not the name of its directory entry");

        // A byte hidden between the members and the directory.
        let mut bytes = good[..offset].to_vec();
        bytes.push(0);
        bytes.extend_from_slice(&good[offset..eocd + 16]);
        bytes.extend_from_slice(&u32::try_from(offset + 1).unwrap().to_le_bytes());
        bytes.extend_from_slice(&good[eocd + 20..]);
        refused(&bytes, "do not end where the central directory begins");

        // A size or CRC-32 the headers agree on but the data does not: other readers refuse
        // such a member, so verify does too.
        for (local, central, what) in [(22, 24, "the archive gives it"), (14, 16, "CRC-32")] {
            let mut bytes = good.clone();
            bytes[local] ^= 1;
            bytes[offset + central] ^= 1;
            std::fs::write(&out, &bytes).unwrap();
            let message = error(&out, &key);
            assert!(
                message.contains(what) || message.contains("size or CRC-32"),
                "{what}: {message}"
            );
        }

        // Anything after the end record, a comment included.
        let mut bytes = good.clone();
        bytes.push(b'x');
        refused(
            &bytes,
            "does not end with an end-of-central-directory record",
        );

        // Files too short to hold an end record are refused, never read past their end.
        for bytes in [
            &b"PK\x05\x06"[..],
            b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        ] {
            refused(bytes, "too short for a zip archive");
        }

        std::fs::write(&out, &good).unwrap();
        assert!(verify(&out, Some(&key.public())).is_ok());
    }

    #[test]
    fn a_forged_manifest_with_an_escaping_path_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = key();
        let out = write(dir.path(), Format::Qti21, &key);
        let original = members(&out);
        for evil in ["../../etc/passwd", "/etc/passwd", "items/../../x", "C:\\x"] {
            let mut changed = original.clone();
            let last = changed.len() - 1;
            assert_eq!(changed[last].0, MANIFEST_NAME);
            let (mut manifest, _) = Manifest::parse(&changed[last].1).unwrap();
            manifest.files.push(ManifestEntry::of(evil, b"evil"));
            // Signed with the right key, so only the path check stands in the way.
            key.sign(&mut manifest);
            changed[last].1 = manifest.to_bytes();
            rezip(&out, &changed);
            let message = error(&out, &key);
            assert!(
                message.contains(&format!("lists the unsafe path {evil:?}")),
                "{message}"
            );
            // A member of the archive under such a name is refused with the archive itself.
            let mut with_member = original.clone();
            with_member.insert(0, (evil.to_owned(), b"evil".to_vec()));
            rezip(&out, &with_member);
            let message = error(&out, &key);
            assert!(
                message.contains(&format!("the member name {evil:?} is unsafe")),
                "{message}"
            );
        }
        // The same for a single file's manifest, which must name a file beside it.
        let out = write(dir.path(), Format::Json, &key);
        let sidecar = sidecar_path(&out);
        let mut manifest = Manifest::new(vec![ManifestEntry::of(
            "sub/pack.json",
            &std::fs::read(&out).unwrap(),
        )]);
        key.sign(&mut manifest);
        std::fs::write(&sidecar, manifest.to_bytes()).unwrap();
        assert!(error(&out, &key).contains("names a file, not a folder"));
    }

    #[test]
    fn manifests_follow_their_schema() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../../schemas/manifest.schema.json")).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let key = key();
        for format in Format::ALL {
            let options = ExportOptions {
                file_name: None,
                key: Some(&key),
            };
            let exported = export_with(&fixture(), format, &options).unwrap();
            let value = serde_json::to_value(&exported.manifest).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{format:?}: {errors:?}");
        }
        for evil in ["../x", "/x", "a/./b", "a\\b", "C:x", "a//b", "a/"] {
            let value =
                serde_json::to_value(Manifest::new(vec![ManifestEntry::of(evil, b"")])).unwrap();
            assert!(!validator.is_valid(&value), "{evil:?} passed the schema");
        }
    }

    #[test]
    fn a_public_key_file_round_trips() {
        let key = key();
        let text = key.public().to_text();
        assert!(text.starts_with(PUBLIC_KEY_HEADER));
        let parsed = PublicKey::parse(std::path::Path::new("k.pub"), &text).unwrap();
        assert_eq!(parsed, key.public());
        assert!(matches!(
            verify(std::path::Path::new("/nonexistent/pack.csv"), None),
            Err(VerifyFailure::Read { .. })
        ));
    }
}
