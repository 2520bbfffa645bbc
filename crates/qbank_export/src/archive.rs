//! Deterministic zip archives: members sorted by path, a fixed timestamp (1980-01-01, the
//! earliest zip can write) and fixed permissions, then the manifest of every member.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::ExportError;
use crate::manifest::{MANIFEST_NAME, Manifest, ManifestEntry};

/// Zips `files` (path, bytes) and adds `qbank-manifest.json`; returns the archive and the
/// manifest entries.
pub(crate) fn zip(
    mut files: Vec<(String, Vec<u8>)>,
    with_manifest: bool,
) -> Result<(Vec<u8>, Vec<ManifestEntry>), ExportError> {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let entries: Vec<ManifestEntry> = files
        .iter()
        .map(|(path, bytes)| ManifestEntry::of(path.clone(), bytes))
        .collect();
    if with_manifest {
        let manifest = Manifest::new(entries.clone());
        files.push((MANIFEST_NAME.to_owned(), manifest.to_bytes()));
    }
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        // The fastest level: packs of a hundred thousand items compress in a second, and
        // levels above it save little on text this repetitive.
        .compression_level(Some(1))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let error = |e: &dyn std::fmt::Display| ExportError::Zip(e.to_string());
    for (path, bytes) in &files {
        writer
            .start_file(path.as_str(), options)
            .map_err(|e| error(&e))?;
        writer.write_all(bytes).map_err(|e| error(&e))?;
    }
    let cursor = writer.finish().map_err(|e| error(&e))?;
    Ok((cursor.into_inner(), entries))
}
