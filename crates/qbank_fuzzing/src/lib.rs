//! The bodies of qbank's fuzz targets.
//!
//! Each target is a function from bytes to nothing that panics when qbank misbehaves: a crash
//! in qbank itself, or a broken invariant (a diagnostic outside its file, a pack that its own
//! importer reads back differently, a duplicate search that disagrees with brute force). The
//! fuzz binaries in `fuzz/fuzz_targets/` call these functions, and so does the regression test
//! in `tests/corpus.rs`, which feeds every file of `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/` through them in a normal `cargo test`.
//!
//! ```
//! // An item that is not TOML gets a finding, not a panic.
//! qbank_fuzzing::item_lint(b"id = \"CISM-1\"\nstem = ");
//! ```
//!
//! The targets:
//!
//! - [`item_lint`]: the bytes as an item file of the sample bank, through decoding, TOML
//!   parsing, schema validation, the typed item, every item and bank rule, one diagnostic
//!   format chosen by the bytes, and `qbank fmt`'s canonical layout;
//! - [`bank_files`]: the bytes as a blueprint, the concept glossary, the duplicate allowlist or
//!   `qbank.toml`, chosen by the first byte, then a check of the bank with it;
//! - [`export_roundtrip`]: the bytes drive the structure of a pack of valid items with
//!   hostile texts, written in every export format and read back by qbank's importers;
//! - [`dupes`]: normalization and the exact near-duplicate search against `strsim`;
//! - [`import_files`]: the bytes as a file to import, in a format the first byte picks;
//! - [`verify_pack`]: the bytes as a pack, archive or single file with its manifest, verified
//!   with and without a key; an archive that verifies must hold, for a streaming zip reader
//!   too, exactly the files its manifest lists.
#![warn(missing_docs)]

mod bank;
mod dupes;
mod export;
mod generate;
mod untrusted;

pub use bank::{bank_files, item_lint};
pub use dupes::dupes;
pub use export::export_roundtrip;
pub use untrusted::{import_files, verify_pack};

/// A fuzz target: its name (the file in `fuzz/fuzz_targets/` and the folders under
/// `fuzz/corpus/` and `fuzz/regressions/`) and its body.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// What one input is put through.
    pub run: fn(&[u8]),
}

/// Every fuzz target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "item_lint",
        run: item_lint,
    },
    Target {
        name: "bank_files",
        run: bank_files,
    },
    Target {
        name: "export_roundtrip",
        run: export_roundtrip,
    },
    Target {
        name: "dupes",
        run: dupes,
    },
    Target {
        name: "import_files",
        run: import_files,
    },
    Target {
        name: "verify_pack",
        run: verify_pack,
    },
];
