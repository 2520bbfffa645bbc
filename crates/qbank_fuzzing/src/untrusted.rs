//! The targets for input qbank did not write: files to import, and packs to verify that
//! anyone may have changed.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::Path;

use qbank_export::{ExportError, ImportFormat, Manifest, SecretKey, item_toml, verify};

/// The key the signed seeds of `fuzz/corpus/verify_pack/` were made with. It signs nothing
/// else: it is here so that mutations of a signed pack reach the checks after the signature.
const SEED_KEY: &str = "qbank ed25519 secret key v1\n\
                        238a5b5a490030015bc1d17e2c754a451c3893a6516880dc21ccf7da4cc8aede\n";

/// The first byte picks the format (`json`, `gift`, `moodle`, `csv`), the rest is the file.
///
/// - Import never panics; input that is not UTF-8 is refused before it (as the command does).
/// - An error names a line of the file (or none, 0): never one past its end.
/// - Every item it returns can be written as an item file.
///
/// # Panics
///
/// When an importer panics, or any of the above does not hold.
pub fn import_files(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let format = match selector % 4 {
        0 => ImportFormat::Json,
        1 => ImportFormat::Gift,
        2 => ImportFormat::Moodle,
        _ => ImportFormat::Csv,
    };
    match qbank_export::import(Path::new("in"), text, format) {
        Ok(items) => {
            for item in &items {
                let _ = item_toml(item, "../../schemas/item.schema.json");
            }
        }
        Err(ExportError::Parse { line, .. }) => {
            // Line breaks as the readers count them: `\n`, `\r\n` or a lone `\r`.
            let lines = 1 + text.replace("\r\n", "\n").matches(['\n', '\r']).count();
            assert!(
                line <= lines,
                "{format:?}: an error on line {line} of a file of {lines} lines"
            );
        }
        Err(_) => {}
    }
}

/// The bytes as a pack to verify. The first byte picks a single-file pack (then four bytes of
/// the pack's length, the pack, and its manifest) or an archive (the rest).
///
/// - Verification never panics, with or without a key.
/// - An archive that verifies against the seed key holds, for every reader, the files its
///   manifest lists: walked as a streaming reader walks it, local header after local header
///   from the first byte, its members are exactly the manifest's (and the manifest itself),
///   each with the listed size and digest. This is what keeps a tampered archive from
///   showing an app other files than the ones `qbank verify` checked.
///
/// # Panics
///
/// When verification panics, or an archive that verifies holds other files for a streaming
/// reader.
pub fn verify_pack(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let key = SecretKey::parse(Path::new("seed.key"), SEED_KEY)
        .expect("the seed key parses")
        .public();
    if selector % 2 == 0 {
        let pack = dir.path().join("pack.zip");
        if std::fs::write(&pack, rest).is_err() {
            return;
        }
        let _ = verify(&pack, None);
        if verify(&pack, Some(&key)).is_ok() {
            assert_streamed_members_match(rest);
        }
        return;
    }
    let Some((length, rest)) = rest.split_first_chunk::<4>() else {
        return;
    };
    let length = usize::try_from(u32::from_le_bytes(*length)).unwrap_or(usize::MAX);
    let (pack_bytes, manifest) = rest.split_at(length.min(rest.len()));
    let pack = dir.path().join("pack.csv");
    let sidecar = dir.path().join("pack.csv.manifest.json");
    if std::fs::write(&pack, pack_bytes).is_err() || std::fs::write(&sidecar, manifest).is_err() {
        return;
    }
    let _ = verify(&pack, None);
    let _ = verify(&pack, Some(&key));
}

/// Reads `archive` as a streaming zip reader does and checks that it holds exactly the files
/// of its manifest member, each as listed.
fn assert_streamed_members_match(archive: &[u8]) {
    let members = streamed_members(archive);
    let manifest = members
        .get(qbank_export::MANIFEST_NAME)
        .expect("a verified archive has a manifest a streaming reader finds");
    let (manifest, _) = Manifest::parse(manifest).expect("a verified manifest parses");
    let mut listed: BTreeMap<&str, (u64, &str)> = manifest
        .files
        .iter()
        .map(|e| (e.path.as_str(), (e.bytes, e.sha256.as_str())))
        .collect();
    for (name, bytes) in &members {
        if name == qbank_export::MANIFEST_NAME {
            continue;
        }
        let Some((size, sha256)) = listed.remove(name.as_str()) else {
            panic!("a streaming reader finds {name:?}, which the manifest does not list");
        };
        assert_eq!(bytes.len() as u64, size, "{name:?}: size");
        assert_eq!(qbank_export::sha256_hex(bytes), sha256, "{name:?}: digest");
    }
    assert!(
        listed.is_empty(),
        "listed but not found by a streaming reader: {:?}",
        listed.keys()
    );
}

/// The members of `archive` by local header, from the first byte until something else than a
/// local header: each name with its decompressed bytes. A name met twice panics.
fn streamed_members(archive: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let field16 = |at: usize| u16::from_le_bytes([archive[at], archive[at + 1]]);
    let field32 = |at: usize| u32::from_le_bytes(archive[at..at + 4].try_into().expect("4"));
    let field64 = |at: usize| u64::from_le_bytes(archive[at..at + 8].try_into().expect("8"));
    let mut members = BTreeMap::new();
    let mut at = 0;
    while archive.len() >= at + 30 && field32(at) == 0x0403_4b50 {
        let method = field16(at + 8);
        let name_len = usize::from(field16(at + 26));
        let extra_len = usize::from(field16(at + 28));
        let name_at = at + 30;
        let name = String::from_utf8_lossy(&archive[name_at..name_at + name_len]).into_owned();
        let extra_at = name_at + name_len;
        let mut compressed = u64::from(field32(at + 18));
        if compressed == u64::from(u32::MAX) {
            // The local zip64 field: uncompressed size, then compressed size.
            assert!(extra_len >= 20 && field16(extra_at) == 1, "{name:?}: zip64");
            compressed = field64(extra_at + 12);
        }
        let data_at = extra_at + extra_len;
        let end = data_at + usize::try_from(compressed).expect("a size in memory");
        let data = &archive[data_at..end];
        let bytes = match method {
            0 => data.to_vec(),
            8 => {
                let mut out = Vec::new();
                flate2::read::DeflateDecoder::new(data)
                    .read_to_end(&mut out)
                    .expect("a verified member inflates");
                out
            }
            other => panic!("{name:?}: method {other} in a verified archive"),
        };
        assert!(
            members.insert(name.clone(), bytes).is_none(),
            "a streaming reader finds {name:?} twice"
        );
        at = end;
    }
    members
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use qbank_export::{SecretKey, verify};

    use super::{SEED_KEY, streamed_members};

    /// The signed archive seeds verify against the seed key, so the fuzzer starts past the
    /// signature, where the streaming reader's check runs; and that reader finds every file.
    #[test]
    fn signed_seeds_verify_and_stream() {
        let key = SecretKey::parse(Path::new("seed.key"), SEED_KEY)
            .unwrap()
            .public();
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/verify_pack");
        for name in ["signed-qti3", "signed-qti21", "signed-anki"] {
            let bytes = std::fs::read(corpus.join(name)).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let pack = dir.path().join("pack.zip");
            std::fs::write(&pack, &bytes[1..]).unwrap();
            let verified = verify(&pack, Some(&key)).unwrap();
            assert!(verified.signature_checked, "{name}");
            assert_eq!(
                streamed_members(&bytes[1..]).len(),
                verified.files + 1,
                "{name}: the files and the manifest"
            );
            super::assert_streamed_members_match(&bytes[1..]);
        }
    }
}
