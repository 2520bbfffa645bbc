//! The fuzz corpora and crash reproducers as regression tests: every file of
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` goes through the same function the
//! fuzz target calls, in a normal `cargo test` with no fuzzing toolchain.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use qbank_fuzzing::{TARGETS, Target};

const FUZZ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz");

/// The files of `fuzz/<kind>/<target>/`, sorted; none when the folder does not exist.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(FUZZ).join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs every corpus input and reproducer of `name`, and fails naming each one that panics.
fn replay(name: &str) {
    let target: &Target = TARGETS
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no fuzz target `{name}`"));
    let corpus = inputs("corpus", name);
    assert!(
        !corpus.is_empty(),
        "fuzz/corpus/{name}/ is empty or missing: the regression test would test nothing"
    );
    let mut failures = Vec::new();
    for path in corpus.iter().chain(&inputs("regressions", name)) {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if catch_unwind(AssertUnwindSafe(|| (target.run)(&bytes))).is_err() {
            failures.push(path.display().to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{} input(s) of `{name}` fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn item_lint_corpus_and_reproducers() {
    replay("item_lint");
}

#[test]
fn bank_files_corpus_and_reproducers() {
    replay("bank_files");
}

#[test]
fn export_roundtrip_corpus_and_reproducers() {
    replay("export_roundtrip");
}

#[test]
fn dupes_corpus_and_reproducers() {
    replay("dupes");
}

#[test]
fn import_files_corpus_and_reproducers() {
    replay("import_files");
}

#[test]
fn verify_pack_corpus_and_reproducers() {
    replay("verify_pack");
}

#[test]
fn every_target_has_a_test_here() {
    let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    assert_eq!(
        names,
        [
            "item_lint",
            "bank_files",
            "export_roundtrip",
            "dupes",
            "import_files",
            "verify_pack"
        ]
    );
}
