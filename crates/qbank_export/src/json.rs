//! The JSON pack for apps, and its reader.
//!
//! The document is one JSON object with sorted keys: `format`, `version`, `meta`,
//! `blueprints`, `concepts`, `items` and `manifest`. The manifest lists, for each of `meta`,
//! `blueprints`, `concepts` and `items`, the sha256 and size of the member's canonical form
//! (RFC 8785: sorted keys, no insignificant whitespace), so an app can check the content
//! without trusting the file's layout.

use std::io::Write;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ExportError;
use crate::manifest::ManifestEntry;
use crate::pack::{
    PACK_FORMAT, PACK_VERSION, Pack, PackBlueprint, PackConcept, PackItem, PackMeta,
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

/// Writes `pack` as a JSON pack.
pub(crate) fn write(pack: &Pack, w: &mut dyn Write) -> Result<Vec<ManifestEntry>, ExportError> {
    let mut value = serde_json::json!({
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "meta": pack.meta,
        "blueprints": pack.blueprints,
        "concepts": pack.concepts,
        "items": pack.items,
    });
    let manifest = manifest_of(&value);
    if let Value::Object(map) = &mut value {
        map.insert(
            "manifest".to_owned(),
            serde_json::to_value(&manifest).unwrap_or(Value::Null),
        );
    }
    let mut bytes =
        serde_json::to_vec_pretty(&value).map_err(|e| ExportError::Zip(e.to_string()))?;
    bytes.push(b'\n');
    w.write_all(&bytes)
        .map_err(|e| ExportError::io("<output>", e))?;
    Ok(manifest)
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

/// Reads a JSON pack, checking its format, version and manifest.
pub(crate) fn read(text: &str) -> Result<Pack, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match value.get("format").and_then(Value::as_str) {
        Some(PACK_FORMAT) => {}
        other => return Err(format!("`format` is {other:?}, expected \"{PACK_FORMAT}\"")),
    }
    match value.get("version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(PACK_VERSION) => {}
        other => {
            return Err(format!(
                "pack version {other:?} is not supported (this qbank reads version {PACK_VERSION})"
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
