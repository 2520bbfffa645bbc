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
    let entries = directory_entries(&mut file).map_err(VerifyFailure::Archive)?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| VerifyFailure::Archive(e.to_string()))?;
    // The zip reader keeps one entry per name; a second entry of the same name, which another
    // reader might take instead, shows only in the count.
    if entries != archive.len() as u64 {
        return Err(VerifyFailure::Archive(format!(
            "its directory lists {entries} entries under {} distinct names: a name appears twice",
            archive.len()
        )));
    }
    let members: BTreeMap<String, usize> = (0..archive.len())
        .filter_map(|i| archive.name_for_index(i).map(|n| (n.to_owned(), i)))
        .collect();
    let Some(&index) = members.get(MANIFEST_NAME) else {
        return Err(VerifyFailure::NoMember);
    };
    let bytes = archive
        .by_index(index)
        .map_err(|e| VerifyFailure::Archive(e.to_string()))
        .and_then(|member| {
            read_limited(member, MAX_MANIFEST).map_err(|e| VerifyFailure::Archive(e.to_string()))
        })?;
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
            (Some(entry), Some(&i)) => {
                let member = archive.by_index(i).map_err(|e| VerifyFailure::Mismatch {
                    path: name.to_owned(),
                    detail: format!("it cannot be read: {e}"),
                })?;
                compare(name, entry, member)?;
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

/// The number of entries the archive's end-of-central-directory record (or its zip64 form)
/// declares: the number of directory entries a zip reader walks.
fn directory_entries(file: &mut File) -> Result<u64, String> {
    let io = |e: std::io::Error| e.to_string();
    let len = file.seek(SeekFrom::End(0)).map_err(io)?;
    let tail_len = len.min(22 + 65_535);
    file.seek(SeekFrom::Start(len - tail_len)).map_err(io)?;
    let mut tail = Vec::new();
    (&mut *file)
        .take(tail_len)
        .read_to_end(&mut tail)
        .map_err(io)?;
    // The record is 22 bytes and a comment whose length it gives, at the very end of the file.
    let eocd = (0..=tail.len().saturating_sub(22))
        .rev()
        .find(|&i| {
            tail[i..].starts_with(b"PK\x05\x06")
                && i + 22 + usize::from(u16::from_le_bytes([tail[i + 20], tail[i + 21]]))
                    == tail.len()
        })
        .ok_or("it has no end-of-central-directory record")?;
    let entries = u16::from_le_bytes([tail[eocd + 10], tail[eocd + 11]]);
    if entries != u16::MAX {
        return Ok(u64::from(entries));
    }
    // Zip64: a 20-byte locator just before the record points at the zip64 record.
    let locator = eocd
        .checked_sub(20)
        .filter(|&l| tail[l..].starts_with(b"PK\x06\x07"))
        .ok_or("it has no zip64 end-of-central-directory locator")?;
    let mut offset = [0u8; 8];
    offset.copy_from_slice(&tail[locator + 8..locator + 16]);
    file.seek(SeekFrom::Start(u64::from_le_bytes(offset)))
        .map_err(io)?;
    let mut record = [0u8; 40];
    file.read_exact(&mut record).map_err(io)?;
    if !record.starts_with(b"PK\x06\x06") {
        return Err("its zip64 end-of-central-directory record is missing".to_owned());
    }
    let mut count = [0u8; 8];
    count.copy_from_slice(&record[32..40]);
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(u64::from_le_bytes(count))
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
        assert!(message.contains("a name appears twice"), "{message}");
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
            changed.push((evil.to_owned(), b"evil".to_vec()));
            rezip(&out, &changed);
            let message = error(&out, &key);
            assert!(
                message.contains(&format!("lists the unsafe path {evil:?}")),
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
