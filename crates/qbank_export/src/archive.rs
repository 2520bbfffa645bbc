//! Deterministic zip archives: members sorted by path, then the manifest as the last member, a
//! fixed timestamp (1980-01-01, the earliest zip can write) and fixed permissions.

use std::io::{Cursor, Write};

use rayon::prelude::*;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use crate::ExportError;
use crate::manifest::{MANIFEST_NAME, Manifest};

/// Zips `files` (path, bytes), sorted by path, followed by `manifest` as
/// [`MANIFEST_NAME`].
pub(crate) fn zip(
    mut files: Vec<(String, Vec<u8>)>,
    manifest: &Manifest,
) -> Result<Vec<u8>, ExportError> {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.push((MANIFEST_NAME.to_owned(), manifest.to_bytes()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        // The fastest level: packs of a hundred thousand items compress in a second, and
        // levels above it save little on text this repetitive.
        .compression_level(Some(1))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let error = |e: &dyn std::fmt::Display| ExportError::Zip(e.to_string());
    // Deflating is most of the work: groups of members are deflated in parallel, each into an
    // archive of its own, then copied still compressed into one archive in order. The groups
    // have a fixed size, so the bytes do not depend on the number of threads.
    let mut groups: Vec<Vec<u8>> = files
        .par_chunks(GROUP)
        .map(|group| {
            let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
            for (path, bytes) in group {
                writer
                    .start_file(path.as_str(), options)
                    .map_err(|e| error(&e))?;
                writer.write_all(bytes).map_err(|e| error(&e))?;
            }
            let cursor = writer.finish().map_err(|e| error(&e))?;
            Ok(cursor.into_inner())
        })
        .collect::<Result<_, ExportError>>()?;
    if groups.len() == 1
        && let Some(only) = groups.pop()
    {
        return Ok(only);
    }
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for group in groups {
        let archive = ZipArchive::new(Cursor::new(group)).map_err(|e| error(&e))?;
        writer.merge_archive(archive).map_err(|e| error(&e))?;
    }
    let cursor = writer.finish().map_err(|e| error(&e))?;
    Ok(cursor.into_inner())
}

/// Members deflated by one task.
const GROUP: usize = 512;
