//! Ed25519 keys and manifest signatures.
//!
//! A key file is two lines of text: a header naming what it holds, then the key's 32 bytes in
//! lowercase hex:
//!
//! ```text
//! qbank ed25519 secret key v1
//! 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
//! ```
//!
//! The public key has the header `qbank ed25519 public key v1`. The secret key is the RFC 8032
//! seed, which is what other Ed25519 libraries take too. A key's id is the first 16 hex digits of
//! the sha256 of its public key; a signed manifest names it, so a wrong key is told apart from a
//! changed manifest.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use crate::ExportError;
use crate::manifest::{Manifest, ManifestSignature, hex, sha256_hex, unhex};

/// The first line of a secret key file.
pub const SECRET_KEY_HEADER: &str = "qbank ed25519 secret key v1";
/// The first line of a public key file.
pub const PUBLIC_KEY_HEADER: &str = "qbank ed25519 public key v1";
/// The `algorithm` of a manifest signature.
pub const SIGNATURE_ALGORITHM: &str = "ed25519";

/// A secret key that signs manifests.
pub struct SecretKey(SigningKey);

/// A public key that checks manifest signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl SecretKey {
    /// A new key from the operating system's random number generator.
    pub fn generate() -> Result<Self, ExportError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| ExportError::Random(e.to_string()))?;
        let key = SigningKey::from_bytes(&seed);
        seed.fill(0);
        Ok(Self(key))
    }

    /// The key of a secret key file's text; `path` names the file in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ExportError> {
        let bytes = parse_key_file(path, text, SECRET_KEY_HEADER, PUBLIC_KEY_HEADER)?;
        Ok(Self(SigningKey::from_bytes(&bytes)))
    }

    /// Reads a secret key file.
    pub fn read(path: &Path) -> Result<Self, ExportError> {
        let text = read_key_text(path)?;
        Self::parse(path, &text)
    }

    /// Its public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// The text of its key file.
    pub fn to_text(&self) -> String {
        format!("{SECRET_KEY_HEADER}\n{}\n", hex(self.0.as_bytes()))
    }

    /// Signs `manifest`: sets its `signature` to the signature of its canonical bytes.
    pub fn sign(&self, manifest: &mut Manifest) {
        let signature = self.0.sign(&manifest.signed_bytes());
        manifest.signature = Some(ManifestSignature {
            algorithm: SIGNATURE_ALGORITHM.to_owned(),
            key_id: self.public().id(),
            value: hex(&signature.to_bytes()),
        });
    }
}

impl PublicKey {
    /// The key of a public key file's text; `path` names the file in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ExportError> {
        let bytes = parse_key_file(path, text, PUBLIC_KEY_HEADER, SECRET_KEY_HEADER)?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| ExportError::Key {
                path: path.to_path_buf(),
                line: 2,
                message: "not a valid Ed25519 public key".to_owned(),
            })
    }

    /// Reads a public key file.
    pub fn read(path: &Path) -> Result<Self, ExportError> {
        let text = read_key_text(path)?;
        Self::parse(path, &text)
    }

    /// The key's id: the first 16 hex digits of the sha256 of its 32 bytes.
    pub fn id(&self) -> String {
        let mut id = sha256_hex(self.0.as_bytes());
        id.truncate(16);
        id
    }

    /// The text of its key file.
    pub fn to_text(&self) -> String {
        format!("{PUBLIC_KEY_HEADER}\n{}\n", hex(self.0.as_bytes()))
    }

    /// Checks `signature` over `signed` (a manifest's canonical bytes). The error says what
    /// is wrong, in words for the person running the check.
    pub fn check(&self, signature: &ManifestSignature, signed: &[u8]) -> Result<(), String> {
        if signature.algorithm != SIGNATURE_ALGORITHM {
            return Err(format!(
                "the signature's algorithm is {}, expected \"{SIGNATURE_ALGORITHM}\"",
                crate::json::brief(&serde_json::Value::from(signature.algorithm.as_str()))
            ));
        }
        if signature.key_id != self.id() {
            return Err(format!(
                "the manifest is signed by key `{}`, not by the given key `{}`",
                signature.key_id,
                self.id()
            ));
        }
        let bytes = unhex(&signature.value).ok_or_else(|| {
            "the signature's `value` is not hexadecimal of even length".to_owned()
        })?;
        let bytes: [u8; 64] = bytes.as_slice().try_into().map_err(|_| {
            format!(
                "the signature is {} bytes long, an Ed25519 signature is 64 (truncated?)",
                bytes.len()
            )
        })?;
        self.0
            .verify_strict(signed, &Signature::from_bytes(&bytes))
            .map_err(|_| {
                "the signature does not match the manifest: the manifest was changed after it was signed"
                    .to_owned()
            })
    }
}

/// The 32 key bytes of a key file's text, checking its header.
fn parse_key_file(
    path: &Path,
    text: &str,
    header: &str,
    other: &str,
) -> Result<[u8; 32], ExportError> {
    let error = |line: usize, message: String| ExportError::Key {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut lines = text.lines().map(str::trim_end);
    let first = lines.next().unwrap_or_default();
    if first == other {
        let (found, wanted) = if header == SECRET_KEY_HEADER {
            ("a public key", "the secret key (`NAME.key`)")
        } else {
            ("a secret key", "the public key (`NAME.pub`)")
        };
        return Err(error(
            1,
            format!("this is {found}; give {wanted} that `qbank keygen` wrote"),
        ));
    }
    if first != header {
        return Err(error(
            1,
            format!("expected the header `{header}` that `qbank keygen` writes"),
        ));
    }
    let second = lines.next().unwrap_or_default().trim_start();
    let bytes = unhex(second)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| error(2, "expected the key as 64 hexadecimal digits".to_owned()))?;
    if let Some((n, _)) = lines.enumerate().find(|(_, l)| !l.trim().is_empty()) {
        return Err(error(n + 3, "unexpected text after the key".to_owned()));
    }
    Ok(bytes)
}

/// Key files are small; anything larger than this is not one, and is not read whole.
const MAX_KEY_FILE: u64 = 4096;

fn read_key_text(path: &Path) -> Result<String, ExportError> {
    let meta = std::fs::metadata(path).map_err(|e| ExportError::io(path, e))?;
    if meta.len() > MAX_KEY_FILE {
        return Err(ExportError::Key {
            path: path.to_path_buf(),
            line: 0,
            message: format!("{} bytes is too large for a key file", meta.len()),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| ExportError::io(path, e))?;
    String::from_utf8(bytes).map_err(|_| ExportError::Key {
        path: path.to_path_buf(),
        line: 0,
        message: "not UTF-8 text".to_owned(),
    })
}

/// The files `qbank keygen --out NAME` wrote.
#[derive(Clone, Debug)]
pub struct KeyFiles {
    /// `NAME.key`.
    pub secret: PathBuf,
    /// `NAME.pub`.
    pub public: PathBuf,
    /// The new key's id.
    pub id: String,
}

/// `name` with `.key` or `.pub` appended.
fn with_suffix(name: &Path, suffix: &str) -> PathBuf {
    let mut path = OsString::from(name.as_os_str());
    path.push(suffix);
    PathBuf::from(path)
}

/// Generates a key pair and writes `NAME.key` (mode 0600 from its creation: the key is written
/// to a temporary file created with that mode, then renamed) and `NAME.pub` (mode 0644).
/// Refuses to replace either file unless `force`.
pub fn write_key_pair(name: &Path, force: bool) -> Result<KeyFiles, ExportError> {
    let secret_path = with_suffix(name, ".key");
    let public_path = with_suffix(name, ".pub");
    if !force {
        for path in [&secret_path, &public_path] {
            if path.symlink_metadata().is_ok() {
                return Err(ExportError::KeyExists(path.clone()));
            }
        }
    }
    let key = SecretKey::generate()?;
    write_key_file(&secret_path, key.to_text().as_bytes(), 0o600, force)?;
    write_key_file(
        &public_path,
        key.public().to_text().as_bytes(),
        0o644,
        force,
    )?;
    Ok(KeyFiles {
        secret: secret_path,
        public: public_path,
        id: key.public().id(),
    })
}

fn write_key_file(path: &Path, bytes: &[u8], mode: u32, force: bool) -> Result<(), ExportError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".qbank-key-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode is given to open(2), so the file never exists with wider permissions.
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut temp = builder
        .tempfile_in(dir)
        .map_err(|e| ExportError::io(dir, e))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| ExportError::io(temp.path(), e))?;
    if force {
        temp.persist(path)
            .map_err(|e| ExportError::io(path, e.error))?;
    } else {
        // Refuses, without a race, a file that appeared since the check above.
        temp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                ExportError::KeyExists(path.to_path_buf())
            } else {
                ExportError::io(path, e.error)
            }
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::ManifestEntry;

    /// The key of RFC 8032, section 7.1, test 1.
    const RFC_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const RFC_PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    fn rfc_key() -> SecretKey {
        SecretKey::parse(
            Path::new("k.key"),
            &format!("{SECRET_KEY_HEADER}\n{RFC_SEED}\n"),
        )
        .unwrap()
    }

    #[test]
    fn another_algorithm_is_named_in_at_most_forty_characters() {
        let public = rfc_key().public();
        let signature = |algorithm: String| ManifestSignature {
            algorithm,
            key_id: public.id(),
            value: String::new(),
        };
        assert_eq!(
            public.check(&signature("rsa".to_owned()), b"").unwrap_err(),
            "the signature's algorithm is \"rsa\", expected \"ed25519\""
        );
        assert_eq!(
            public
                .check(&signature("x".repeat(10_000)), b"")
                .unwrap_err(),
            format!(
                "the signature's algorithm is \"{}…, expected \"ed25519\"",
                "x".repeat(39)
            )
        );
    }

    #[test]
    fn key_files_round_trip_and_match_rfc_8032() {
        let key = rfc_key();
        assert_eq!(key.to_text(), format!("{SECRET_KEY_HEADER}\n{RFC_SEED}\n"));
        assert_eq!(
            key.public().to_text(),
            format!("{PUBLIC_KEY_HEADER}\n{RFC_PUBLIC}\n")
        );
        let public = PublicKey::parse(Path::new("k.pub"), &key.public().to_text()).unwrap();
        assert_eq!(public, key.public());
        // CRLF line ends, as an editor on Windows may leave them, are accepted.
        let crlf = key.public().to_text().replace('\n', "\r\n");
        assert_eq!(PublicKey::parse(Path::new("k.pub"), &crlf).unwrap(), public);
    }

    #[test]
    fn signs_and_checks_a_manifest() {
        let key = rfc_key();
        let mut manifest = Manifest::new(vec![ManifestEntry::of("a", b"a")]);
        key.sign(&mut manifest);
        let signature = manifest.signature.clone().unwrap();
        assert_eq!(signature.key_id, key.public().id());
        key.public()
            .check(&signature, &manifest.signed_bytes())
            .unwrap();
        // Ed25519 is deterministic: the same manifest gets the same signature.
        let mut again = Manifest::new(vec![ManifestEntry::of("a", b"a")]);
        key.sign(&mut again);
        assert_eq!(again, manifest);

        manifest.files[0].bytes = 2;
        let error = key
            .public()
            .check(&signature, &manifest.signed_bytes())
            .unwrap_err();
        assert!(error.contains("changed after it was signed"), "{error}");
    }

    #[test]
    fn bad_key_files_are_named_with_the_line() {
        let error = |text: &str| {
            PublicKey::parse(Path::new("k.pub"), text)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error(""),
            "`k.pub`, line 1: expected the header `qbank ed25519 public key v1` that `qbank keygen` writes"
        );
        assert_eq!(
            error(&rfc_key().to_text()),
            "`k.pub`, line 1: this is a secret key; give the public key (`NAME.pub`) that `qbank keygen` wrote"
        );
        assert_eq!(
            error(&format!("{PUBLIC_KEY_HEADER}\n{}\n", &RFC_PUBLIC[..62])),
            "`k.pub`, line 2: expected the key as 64 hexadecimal digits"
        );
        assert_eq!(
            error(&format!("{PUBLIC_KEY_HEADER}\n{RFC_PUBLIC}\n\nmore\n")),
            "`k.pub`, line 4: unexpected text after the key"
        );
    }
}
