//! qbank's export packs and importers.
//!
//! Export runs after the check: [`build`] takes the checked bank ([`BankInput`]) and a
//! [`Request`] (the profile from `qbank.toml`, `--blueprint`, `--no-keys`), selects the items
//! the profile admits, refuses items with error-level findings, and returns a [`Pack`]. Then
//! [`export`] writes the pack in one [`Format`], deterministically, and [`write_atomic`] puts
//! it in place. [`import`] reads a file of another tool back into [`PackItem`]s, and
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
mod error;
mod gift;
mod import;
mod import_gift;
mod import_moodle;
mod json;
mod manifest;
mod moodle;
mod pack;
mod profile;
mod qti;
mod quotas;
mod rng;
#[cfg(test)]
mod tests;
mod text;
mod toml_item;

use std::io::Write as _;
use std::path::Path;

pub use build::{BankInput, BankItem, Built, LeftOut, Request, build};
pub use error::ExportError;
pub use import::{ImportDefaults, ImportFormat, import, prepare};
pub use manifest::{MANIFEST_NAME, Manifest, ManifestEntry, sha256_hex};
pub use pack::{
    PACK_FORMAT, PACK_VERSION, Pack, PackBlueprint, PackConcept, PackDomain, PackExhibit, PackItem,
    PackItemType, PackMeta, PackOption, PackStatus, label,
};
pub use profile::{DEFAULT_PROFILE, Profile};
pub use toml_item::item_toml;

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
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The parts of the pack with their digests. For an archive, its members; for a JSON pack,
    /// its members' canonical forms; for a single text file, that file (named `pack`).
    pub manifest: Vec<ManifestEntry>,
}

/// Writes `pack` in `format`.
pub fn export(pack: &Pack, format: Format) -> Result<Exported, ExportError> {
    let mut bytes = Vec::new();
    let manifest = match format {
        Format::Json => json::write(pack, &mut bytes)?,
        Format::Qti3 | Format::Qti21 => {
            let version = if format == Format::Qti3 {
                qti::Version::V3
            } else {
                qti::Version::V21
            };
            let (zipped, manifest) = qti::write(pack, version)?;
            bytes = zipped;
            manifest
        }
        Format::Moodle => {
            moodle::write(pack, &mut bytes)?;
            vec![ManifestEntry::of("pack", &bytes)]
        }
        Format::Gift => {
            gift::write(pack, &mut bytes)?;
            vec![ManifestEntry::of("pack", &bytes)]
        }
        Format::Csv => {
            csv::write(pack, &mut bytes)?;
            vec![ManifestEntry::of("pack", &bytes)]
        }
        Format::Anki => {
            let (zipped, manifest) = anki::write(pack)?;
            bytes = zipped;
            manifest
        }
    };
    Ok(Exported { bytes, manifest })
}

/// Writes `bytes` to `path` atomically: to a temporary file beside it, flushed to disk, then
/// renamed over it. On any failure the temporary file is removed and `path` is unchanged.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".qbank-export-")
        .tempfile_in(dir)
        .map_err(|e| ExportError::io(dir, e))?;
    temp.write_all(bytes)
        .and_then(|()| permissions(path, temp.as_file()))
        .and_then(|p| temp.as_file().set_permissions(p))
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| ExportError::io(temp.path(), e))?;
    temp.persist(path)
        .map_err(|e| ExportError::io(path, e.error))?;
    Ok(())
}

/// The permissions of the file being replaced, or `rw-r--r--` for a new one: a temporary
/// file is created private to its owner, which a pack is not.
#[cfg_attr(
    unix,
    expect(
        clippy::unnecessary_wraps,
        reason = "reading the permissions can fail elsewhere"
    )
)]
fn permissions(path: &Path, temp: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    if let Ok(meta) = std::fs::metadata(path) {
        return Ok(meta.permissions());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = temp;
        Ok(std::fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    {
        temp.metadata().map(|m| m.permissions())
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
