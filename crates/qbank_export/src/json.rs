//! The JSON pack for apps, and its reader.
//!
//! The document is one JSON object with sorted keys: `format`, `version`, `meta`,
//! `blueprints`, `concepts`, `items` and `manifest`. The manifest lists, for each of `meta`,
//! `blueprints`, `concepts` and `items`, the sha256 and size of the member's canonical form
//! (RFC 8785: sorted keys, no insignificant whitespace), so an app can check the content
//! without trusting the file's layout.

use std::fmt::Write as _;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::ser::Formatter;
use sha2::{Digest, Sha256};

use crate::ExportError;
use crate::manifest::ManifestEntry;
use crate::output::Output;
use crate::pack::{
    PACK_FORMAT, PACK_VERSION, Pack, PackBlueprint, PackConcept, PackItem, PackMeta, expected_size,
    pipelined,
};

/// The document as written.
#[derive(Serialize, Deserialize)]
struct Document {
    format: String,
    version: u32,
    meta: PackMeta,
    blueprints: Vec<PackBlueprint>,
    concepts: Vec<PackConcept>,
    items: Vec<PackItem>,
    manifest: Vec<ManifestEntry>,
}

/// The members the manifest covers, in manifest order.
const MEMBERS: [&str; 4] = ["blueprints", "concepts", "items", "meta"];

/// Items serialized per task when the items are written in parallel.
pub(crate) const CHUNK: usize = 1024;

/// Chunks made in parallel before they are copied out and freed.
pub(crate) const WAVE: usize = 8;

/// Writes `pack` as a JSON pack.
///
/// The document is what `serde_json::to_vec_pretty` makes of the sorted JSON value (see
/// [`read`], which checks the manifest on that value), written without building the value:
/// the top level by hand in sorted key order, the small members through a value, and the items
/// straight from [`PackItem`], whose fields are declared in sorted order. Each member's
/// canonical form is its pretty form without the white space outside strings, so it is hashed
/// from the bytes already written instead of being serialized a second time.
///
/// The output is settled (hashed, and written out if it goes to a file) wave by wave while
/// the items are written.
pub(crate) fn write(pack: &Pack, output: &mut Output) -> Result<(), ExportError> {
    let error = |e: serde_json::Error| ExportError::Zip(e.to_string());
    // The small members go through `Value` for their sorted keys.
    let blueprints = serde_json::to_value(&pack.blueprints).map_err(error)?;
    let concepts = serde_json::to_value(&pack.concepts).map_err(error)?;
    let meta = serde_json::to_value(&pack.meta).map_err(error)?;

    let mut entries = Vec::with_capacity(MEMBERS.len());
    let out = output.buffer();
    out.extend_from_slice(b"{\n  \"blueprints\": ");
    entries.push(pretty_member("blueprints", &blueprints, out).map_err(error)?);
    out.extend_from_slice(b",\n  \"concepts\": ");
    entries.push(pretty_member("concepts", &concepts, out).map_err(error)?);
    out.extend_from_slice(b",\n  \"format\": ");
    serde_json::to_writer(&mut *out, PACK_FORMAT).map_err(error)?;
    out.extend_from_slice(b",\n  \"items\": ");
    entries.push(items(&pack.items, output)?);
    let meta_entry = {
        let mut bytes = Vec::new();
        let entry = pretty_member("meta", &meta, &mut bytes).map_err(error)?;
        (entry, bytes)
    };
    entries.push(meta_entry.0);
    let out = output.buffer();
    out.extend_from_slice(b",\n  \"manifest\": ");
    let manifest = serde_json::to_value(&entries).map_err(error)?;
    manifest
        .serialize(&mut serde_json::Serializer::with_formatter(
            &mut *out,
            Indented::new(1),
        ))
        .map_err(error)?;
    out.extend_from_slice(b",\n  \"meta\": ");
    out.extend_from_slice(&meta_entry.1);
    out.extend_from_slice(b",\n  \"version\": ");
    serde_json::to_writer(&mut *out, &PACK_VERSION).map_err(error)?;
    out.extend_from_slice(b"\n}\n");
    Ok(())
}

/// Writes `value` pretty at the document's second level and returns its manifest entry.
fn pretty_member(
    name: &str,
    value: &Value,
    out: &mut Vec<u8>,
) -> Result<ManifestEntry, serde_json::Error> {
    let start = out.len();
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut *out,
        Indented::new(1),
    ))?;
    let mut digest = Canonical::default();
    digest.update(&out[start..]);
    Ok(digest.entry(name))
}

/// The chunks of one wave of items, each in its pretty and its canonical form.
type Wave = Vec<(Vec<u8>, Vec<u8>)>;

/// Writes the items as the `items` member, serializing chunks of them in parallel, and returns
/// the member's manifest entry.
fn items(items: &[PackItem], output: &mut Output) -> Result<ManifestEntry, ExportError> {
    let error = |e: serde_json::Error| ExportError::Zip(e.to_string());
    if items.is_empty() {
        output.buffer().extend_from_slice(b"[]");
        let mut digest = Canonical::default();
        digest.update(b"[]");
        return Ok(digest.entry("items"));
    }
    let mut digest = Canonical::default();
    output.buffer().push(b'[');
    digest.update(b"[");
    // The items go in waves of chunks, each chunk serialized and stripped on a worker; a wave
    // is copied and settled in order while the workers make the next one, so that at most two
    // waves' buffers exist at a time rather than a second copy of the whole member.
    let waves: Vec<&[PackItem]> = items.chunks(CHUNK * WAVE).collect();
    // Each chunk in its pretty and its canonical form. A chunk starts and ends between two
    // items, outside any string, so it is stripped on its own.
    let serialize_wave = |wave_index: usize| -> Result<Wave, ExportError> {
        waves[wave_index]
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(index, chunk)| {
                let mut bytes = Vec::with_capacity(chunk.len() * 2048);
                for item in chunk {
                    bytes.extend_from_slice(b",\n    ");
                    item.serialize(&mut serde_json::Serializer::with_formatter(
                        &mut bytes,
                        Indented::new(2),
                    ))
                    .map_err(error)?;
                }
                // Every item is preceded by `,\n    `; the first one's comma goes.
                if wave_index == 0 && index == 0 {
                    bytes.remove(0);
                }
                let mut canonical = Vec::new();
                Strip::default().strip(&bytes, &mut canonical);
                Ok((bytes, canonical))
            })
            .collect()
    };
    pipelined(waves.len(), serialize_wave, |wave_index, wave| {
        if wave_index == 0 {
            let written = wave.iter().map(|(pretty, _)| pretty.len()).sum();
            output.expect(expected_size(written, waves[0].len(), items.len()));
        }
        for (pretty, canonical) in wave {
            output.buffer().extend_from_slice(&pretty);
            digest.update_stripped(&canonical);
        }
        output.settle()
    })?;
    output.buffer().extend_from_slice(b"\n  ]");
    digest.update(b"\n  ]");
    Ok(digest.entry("items"))
}

/// The sha256 and size of a member's canonical form, fed with its pretty form: white space
/// outside strings is left out (pretty JSON has only spaces and line feeds there).
#[derive(Default)]
struct Canonical {
    hasher: Sha256,
    bytes: u64,
    state: Strip,
    buffer: Vec<u8>,
}

impl Canonical {
    fn update(&mut self, pretty: &[u8]) {
        self.buffer.clear();
        self.state.strip(pretty, &mut self.buffer);
        self.hasher.update(&self.buffer);
        self.bytes += self.buffer.len() as u64;
    }

    /// Feeds bytes already in canonical form, stripped by a [`Strip`] of their own that began
    /// where this one stands (outside a string, between two items).
    fn update_stripped(&mut self, canonical: &[u8]) {
        self.hasher.update(canonical);
        self.bytes += canonical.len() as u64;
    }

    fn entry(self, name: &str) -> ManifestEntry {
        let digest = self.hasher.finalize();
        let mut sha256 = String::with_capacity(64);
        for byte in digest {
            let _ = write!(sha256, "{byte:02x}");
        }
        ManifestEntry {
            path: name.to_owned(),
            sha256,
            bytes: self.bytes,
        }
    }
}

/// Removes the white space outside strings from pretty JSON, which may arrive in pieces: where
/// the last piece ended, inside a string or after a backslash in one, is kept.
#[derive(Default)]
struct Strip {
    in_string: bool,
    escaped: bool,
}

impl Strip {
    /// Appends `pretty` without its white space outside strings to `out`. Strings, most of the
    /// bytes, are crossed by searching for the next quote or backslash.
    fn strip(&mut self, pretty: &[u8], out: &mut Vec<u8>) {
        out.reserve(pretty.len());
        let mut at = 0;
        // The start of the bytes not yet copied.
        let mut run = 0;
        while at < pretty.len() {
            if self.escaped {
                self.escaped = false;
                at += 1;
            } else if self.in_string {
                match memchr::memchr2(b'"', b'\\', &pretty[at..]) {
                    Some(offset) => {
                        at += offset;
                        if pretty[at] == b'"' {
                            self.in_string = false;
                        } else {
                            self.escaped = true;
                        }
                        at += 1;
                    }
                    None => at = pretty.len(),
                }
            } else {
                match pretty[at] {
                    b'"' => self.in_string = true,
                    b' ' | b'\n' => {
                        out.extend_from_slice(&pretty[run..at]);
                        run = at + 1;
                    }
                    _ => {}
                }
                at += 1;
            }
        }
        out.extend_from_slice(&pretty[run..]);
    }
}

/// `serde_json`'s pretty layout (two-space indent) starting at a given depth, so that a member
/// can be written on its own where the whole document would have put it.
struct Indented {
    level: usize,
    has_value: bool,
}

impl Indented {
    fn new(level: usize) -> Self {
        Self {
            level,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
        for _ in 0..self.level {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(bracket)
    }

    fn next<W: ?Sized + std::io::Write>(&self, writer: &mut W, first: bool) -> std::io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(writer)
    }
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.next(writer, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        _writer: &mut W,
    ) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.next(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        _writer: &mut W,
    ) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The manifest of a pack document: each member's canonical bytes.
fn manifest_of(document: &Value) -> Vec<ManifestEntry> {
    MEMBERS
        .iter()
        .map(|name| {
            let member = document.get(*name).cloned().unwrap_or(Value::Null);
            ManifestEntry::of(*name, &canonical(&member))
        })
        .collect()
}

/// RFC 8785 canonical JSON of a value without floating-point numbers: `serde_json`'s compact form
/// with its sorted maps, which escapes exactly the characters RFC 8785 escapes.
fn canonical(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// A JSON value as an error message shows it: at most 40 characters of it.
pub(crate) fn brief(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// Reads a JSON pack, checking its format, version and manifest.
pub(crate) fn read(text: &str) -> Result<Pack, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match value.get("format") {
        Some(Value::String(format)) if format == PACK_FORMAT => {}
        Some(other) => {
            return Err(format!(
                "not a qbank pack: `format` is {}, expected \"{PACK_FORMAT}\"",
                brief(other)
            ));
        }
        None => {
            return Err(format!(
                "not a qbank pack: it has no `format` (\"{PACK_FORMAT}\")"
            ));
        }
    }
    match value.get("version") {
        Some(v) if v.as_u64() == Some(u64::from(PACK_VERSION)) => {}
        Some(other) => {
            return Err(format!(
                "pack version {} is not supported (this qbank reads version {PACK_VERSION})",
                brief(other)
            ));
        }
        None => {
            return Err(format!(
                "the pack has no `version` (this qbank reads version {PACK_VERSION})"
            ));
        }
    }
    let expected = manifest_of(&value);
    let document: Document = serde_json::from_value(value).map_err(|e| e.to_string())?;
    for entry in &expected {
        match document.manifest.iter().find(|m| m.path == entry.path) {
            Some(m) if m == entry => {}
            Some(_) => {
                return Err(format!(
                    "`{}` does not match its manifest digest",
                    entry.path
                ));
            }
            None => return Err(format!("the manifest has no entry for `{}`", entry.path)),
        }
    }
    Ok(Pack {
        meta: document.meta,
        blueprints: document.blueprints,
        concepts: document.concepts,
        items: document.items,
        media: std::collections::BTreeMap::new(),
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::Serialize;

    use super::{Indented, Strip, canonical};

    proptest! {
        /// The canonical form stripped from the pretty form, fed in arbitrary pieces (cut
        /// inside strings, escapes and characters), is the compact form.
        #[test]
        fn stripping_pretty_json_in_pieces_gives_its_canonical_form(
            texts in prop::collection::vec("[ a\"\\\\\n\t{}:,é/]{0,12}", 0..6),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..5),
        ) {
            let value = serde_json::json!({
                "texts": texts,
                "first": { "a key": texts.first(), "n": 12, "ok": [true, null] },
            });
            let mut pretty = Vec::new();
            value
                .serialize(&mut serde_json::Serializer::with_formatter(
                    &mut pretty,
                    Indented::new(1),
                ))
                .unwrap();
            let mut ends: Vec<usize> = cuts.iter().map(|c| c.index(pretty.len() + 1)).collect();
            ends.sort_unstable();
            ends.push(pretty.len());
            let mut strip = Strip::default();
            let mut stripped = Vec::new();
            let mut from = 0;
            for end in ends {
                strip.strip(&pretty[from..end], &mut stripped);
                from = end;
            }
            let compact = canonical(&value);
            prop_assert_eq!(
                String::from_utf8_lossy(&stripped),
                String::from_utf8_lossy(&compact)
            );
        }
    }
}
