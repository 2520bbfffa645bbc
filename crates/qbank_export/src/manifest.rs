//! The manifest of a pack: the sha256 digest and size of every file, which a signature covers.
//!
//! Every pack has one, in the same shape whatever the format: an archive pack (`qti3`, `qti21`,
//! `anki`) holds it as the member [`MANIFEST_NAME`]; a single-file pack (`json`, `moodle`,
//! `gift`, `csv`) has it beside the file, as `<file>.manifest.json` ([`sidecar_path`]). What a
//! signature signs is [`Manifest::signed_bytes`]: the manifest without its `signature`, as RFC
//! 8785 canonical JSON, so the layout of the stored file does not matter.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// One file of a pack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    /// The file: a member of an archive, a member of a JSON pack, or the pack's file name.
    pub path: String,
    /// Lowercase hex sha256 of its bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
}

impl ManifestEntry {
    /// The entry of `bytes` at `path`.
    pub fn of(path: impl Into<String>, bytes: &[u8]) -> Self {
        Self {
            path: path.into(),
            sha256: sha256_hex(bytes),
            bytes: bytes.len() as u64,
        }
    }
}

/// Lowercase hex sha256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

/// The bytes of lowercase (or uppercase) hex, or `None` when `text` is not hex of even length.
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some((digit(pair[0])? << 4) | digit(pair[1])?))
        .collect()
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The value of `format` in every manifest.
pub const MANIFEST_FORMAT: &str = "qbank-manifest";

/// The manifest version this qbank writes and reads.
pub const MANIFEST_VERSION: u32 = 1;

/// The manifest of a pack (`qbank-manifest`, version 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `qbank-manifest`.
    pub format: String,
    /// 1.
    pub version: u32,
    /// Every file of the pack but the manifest, sorted by path.
    pub files: Vec<ManifestEntry>,
    /// The Ed25519 signature of [`Manifest::signed_bytes`], when the pack is signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<ManifestSignature>,
}

/// A signature of a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSignature {
    /// `ed25519`.
    pub algorithm: String,
    /// The signing key's id: the first 16 hex digits of the sha256 of its public key.
    pub key_id: String,
    /// The 64-byte signature, lowercase hex.
    pub value: String,
}

/// The name of the manifest inside an archive pack.
pub const MANIFEST_NAME: &str = "qbank-manifest.json";

/// The manifest beside a single-file pack: `<file>.manifest.json`.
pub fn sidecar_path(pack: &Path) -> PathBuf {
    let mut name = pack.file_name().unwrap_or_default().to_os_string();
    name.push(".manifest.json");
    pack.with_file_name(name)
}

impl Manifest {
    /// The unsigned manifest of `files`.
    pub fn new(mut files: Vec<ManifestEntry>) -> Self {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Self {
            format: MANIFEST_FORMAT.to_owned(),
            version: MANIFEST_VERSION,
            files,
            signature: None,
        }
    }

    /// The manifest as pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// What a signature signs: the manifest without `signature`, as RFC 8785 canonical JSON.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let unsigned = Manifest {
            signature: None,
            ..self.clone()
        };
        let value = serde_json::to_value(&unsigned).unwrap_or(Value::Null);
        // A manifest holds only strings and integers, which canonical form always takes.
        canonical(&value).unwrap_or_default()
    }

    /// Parses a stored manifest and returns it with the bytes its signature must cover: every
    /// member but `signature`, canonical, so that members a later version adds are signed too.
    pub fn parse(bytes: &[u8]) -> Result<(Self, Vec<u8>), String> {
        // A member written twice is refused: the signature covers one of them (the last), and
        // a reader that takes the first would see values nobody signed.
        let UniqueKeys(mut value) = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let Value::Object(map) = &mut value else {
            return Err("the manifest is not a JSON object".to_owned());
        };
        let signature = map.remove("signature");
        let signed = canonical(&value)?;
        if let (Value::Object(map), Some(signature)) = (&mut value, signature) {
            map.insert("signature".to_owned(), signature);
        }
        match value.get("format") {
            Some(Value::String(format)) if format == MANIFEST_FORMAT => {}
            other => {
                return Err(format!(
                    "`format` is {}, expected \"{MANIFEST_FORMAT}\"",
                    other.map_or_else(|| "missing".to_owned(), crate::json::brief)
                ));
            }
        }
        match value.get("version") {
            Some(v) if v.as_u64() == Some(u64::from(MANIFEST_VERSION)) => {}
            other => {
                return Err(format!(
                    "manifest version {} is not supported (this qbank reads version {MANIFEST_VERSION})",
                    other.map_or_else(|| "missing".to_owned(), crate::json::brief)
                ));
            }
        }
        let manifest: Manifest = serde_json::from_value(value).map_err(|e| e.to_string())?;
        Ok((manifest, signed))
    }
}

/// A JSON value in which no object has a member name twice.
struct UniqueKeys(Value);

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(UniqueKeysVisitor)
            .map(UniqueKeys)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut values = Vec::new();
        while let Some(UniqueKeys(value)) = seq.next_element()? {
            values.push(value);
        }
        Ok(Value::Array(values))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = serde_json::Map::new();
        while let Some(name) = map.next_key::<String>()? {
            let UniqueKeys(value) = map.next_value()?;
            if members.insert(name.clone(), value).is_some() {
                return Err(serde::de::Error::custom(format!(
                    "the member `{name}` appears twice in one object"
                )));
            }
        }
        Ok(Value::Object(members))
    }
}

/// RFC 8785 canonical JSON of a value without fractional numbers: object members sorted by
/// their names' UTF-16 code units, no white space, strings escaped as `serde_json` escapes them
/// (only `"`, `\` and control characters, with the short forms and lowercase `\u00xx`), which is
/// what RFC 8785 prescribes.
pub(crate) fn canonical(value: &Value) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    write_canonical(value, &mut out)?;
    Ok(out)
}

fn write_canonical(value: &Value, out: &mut Vec<u8>) -> Result<(), String> {
    match value {
        Value::Null | Value::Bool(_) | Value::String(_) => {
            out.extend_from_slice(&serde_json::to_vec(value).map_err(|e| e.to_string())?);
        }
        Value::Number(n) => {
            if !(n.is_i64() || n.is_u64()) {
                return Err(format!("the manifest holds a fractional number `{n}`"));
            }
            out.extend_from_slice(n.to_string().as_bytes());
        }
        Value::Array(values) => {
            out.push(b'[');
            for (n, v) in values.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                write_canonical(v, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push(b'{');
            for (n, (name, v)) in members.into_iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(&serde_json::to_vec(name).map_err(|e| e.to_string())?);
                out.push(b':');
                write_canonical(v, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn digests_are_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(unhex("00ff7A"), Some(vec![0, 255, 0x7a]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }

    /// A member written twice, at any depth, is refused: what a signature covers would depend
    /// on which of the two a reader keeps.
    #[test]
    fn a_member_written_twice_is_refused() {
        let manifest = Manifest::new(vec![ManifestEntry::of("pack.csv", b"x")]);
        let text = String::from_utf8(manifest.to_bytes()).unwrap();
        assert!(Manifest::parse(text.as_bytes()).is_ok());
        let twice = text.replacen(
            "\"files\"",
            "\"files\": [{\"path\": \"evil.csv\", \"sha256\": \"00\", \"bytes\": 0}],\n  \"files\"",
            1,
        );
        assert_ne!(twice, text);
        let error = Manifest::parse(twice.as_bytes()).unwrap_err();
        assert!(
            error.contains("the member `files` appears twice"),
            "{error}"
        );
        let inner = text.replacen("\"bytes\"", "\"bytes\": 7, \"bytes\"", 1);
        assert_ne!(inner, text);
        let error = Manifest::parse(inner.as_bytes()).unwrap_err();
        assert!(
            error.contains("the member `bytes` appears twice"),
            "{error}"
        );
    }

    #[test]
    fn canonical_form_sorts_by_utf16_and_escapes_as_rfc_8785() {
        // U+E000 sorts after U+1F600 in UTF-8 but before it in UTF-16 (a surrogate pair).
        let value = json!({ "b": [1, "x\u{1}\n\"\\/é"], "a": null, "\u{e000}": 1, "\u{1f600}": 2 });
        let text = String::from_utf8(canonical(&value).unwrap()).unwrap();
        assert_eq!(
            text,
            "{\"a\":null,\"b\":[1,\"x\\u0001\\n\\\"\\\\/é\"],\"\u{1f600}\":2,\"\u{e000}\":1}"
        );
        assert!(canonical(&json!({ "a": 1.5 })).is_err());
    }

    #[test]
    fn signed_bytes_leave_out_the_signature_and_survive_reformatting() {
        let mut manifest = Manifest::new(vec![
            ManifestEntry::of("b.xml", b"b"),
            ManifestEntry::of("a.xml", b"a"),
        ]);
        let unsigned = manifest.signed_bytes();
        assert!(unsigned.starts_with(b"{\"files\":[{\"bytes\":1,\"path\":\"a.xml\""));
        manifest.signature = Some(ManifestSignature {
            algorithm: "ed25519".to_owned(),
            key_id: "0".repeat(16),
            value: "0".repeat(128),
        });
        assert_eq!(manifest.signed_bytes(), unsigned);
        let (parsed, signed) = Manifest::parse(&manifest.to_bytes()).unwrap();
        assert_eq!(parsed, manifest);
        assert_eq!(signed, unsigned);
        // A member a later version adds is covered by the signature.
        let mut value = serde_json::to_value(&manifest).unwrap();
        value["note"] = json!("added");
        let (_, signed) = Manifest::parse(&serde_json::to_vec(&value).unwrap()).unwrap();
        assert_ne!(signed, unsigned);
    }

    #[test]
    fn parse_refuses_other_formats_and_versions() {
        let error = Manifest::parse(br#"{"format":"x","version":1,"files":[]}"#).unwrap_err();
        assert_eq!(error, "`format` is \"x\", expected \"qbank-manifest\"");
        let error =
            Manifest::parse(br#"{"format":"qbank-manifest","version":2,"files":[]}"#).unwrap_err();
        assert!(
            error.starts_with("manifest version 2 is not supported"),
            "{error}"
        );
        assert!(Manifest::parse(b"[]").is_err());
    }
}
