use test_case::test_case;

use crate::test::{
    ITEM, TempBank, assert_fixture, assert_rendered, check_files, check_fixture_with,
};

#[test_case("QB100")]
#[test_case("QB101")]
#[test_case("QB102")]
#[test_case("QB103")]
#[test_case("QB106")]
#[test_case("QB110")]
#[test_case("QB111")]
#[test_case("QB112")]
#[test_case("QB113")]
#[test_case("QB114")]
#[test_case("QB115")]
#[test_case("QB116")]
fn rules(code: &str) {
    assert_fixture("structure", code);
}

/// A suppression is only unused when the rule it names runs, so QB114 needs a second rule.
#[test]
fn unused_suppression_of_an_enabled_rule() {
    let rendered = check_fixture_with("structure", "QB114-QB301.toml", &["QB114", "QB301"]);
    assert_rendered("structure", "QB114_QB114-QB301.toml", &rendered);
}

/// `ITEM` with `stem` replaced by `stem`'s bytes.
fn item_with_stem(stem: &[u8]) -> Vec<u8> {
    let (before, after) = ITEM
        .split_once("Which response BEST fits the scenario?")
        .unwrap();
    [before.as_bytes(), stem, after.as_bytes()].concat()
}

#[test]
fn control_character_in_a_string() {
    let item = item_with_stem(b"Which response\x01 BEST fits the scenario?");
    let rendered = check_files(&[("items/T-1.toml", &item)], "QB100");
    assert_rendered("structure", "QB100_control_character", &rendered);
}

#[test]
fn invalid_utf8() {
    // "résumé" in Latin-1: 0xE9 is not UTF-8 on its own.
    let item = item_with_stem(b"Which r\xE9sum\xE9 check is BEST?");
    let rendered = check_files(&[("items/T-1.toml", &item)], "QB104");
    assert_rendered("structure", "QB104_latin1", &rendered);
}

#[test]
fn valid_utf8_is_readable() {
    let item = item_with_stem("Which résumé check is BEST?".as_bytes());
    assert_eq!(check_files(&[("items/T-1.toml", &item)], "QB104"), "");
}

#[cfg(unix)]
#[test]
fn symbolic_link_loop() {
    let bank = TempBank::new();
    bank.write("items/a/T-1.toml", ITEM.as_bytes());
    std::os::unix::fs::symlink(bank.root().join("items"), bank.root().join("items/a/loop"))
        .unwrap();
    assert_rendered("structure", "QB104_symlink_loop", &bank.check("QB104"));
}

#[cfg(unix)]
#[test]
fn symbolic_link_to_a_file_is_readable() {
    let bank = TempBank::new();
    bank.write("drafts/T-1.toml", ITEM.as_bytes());
    std::fs::create_dir_all(bank.root().join("items")).unwrap();
    std::os::unix::fs::symlink(
        bank.root().join("drafts/T-1.toml"),
        bank.root().join("items/T-1.toml"),
    )
    .unwrap();
    assert_eq!(bank.check("QB104"), "");
}

/// A bank with `max_file_size = 64` and an item file of exactly `size` bytes. The bank has no
/// blueprint or glossary, which would be larger than the limit too.
fn bank_with_item_of_size(size: usize) -> TempBank {
    let bank = TempBank::empty();
    bank.write("qbank.toml", b"max_file_size = 64\n");
    let head = "id = \"T-1\"\n# ";
    let item = format!("{head}{}\n", "x".repeat(size - head.len() - 1));
    assert_eq!(item.len(), size);
    bank.write("items/T-1.toml", item.as_bytes());
    bank
}

#[test]
fn file_over_the_size_limit() {
    let rendered = bank_with_item_of_size(65).check("QB105");
    assert_rendered("structure", "QB105_over_limit", &rendered);
}

#[test]
fn file_at_the_size_limit() {
    assert_eq!(bank_with_item_of_size(64).check("QB105"), "");
}

#[test]
fn files_without_content() {
    let rendered = check_files(
        &[("items/T-1.toml", b""), ("items/T-2.toml", b"\n   \n\t\n")],
        "QB106",
    );
    assert_rendered("structure", "QB106_no_bytes", &rendered);
}

#[test]
fn byte_order_mark() {
    let item = [b"\xEF\xBB\xBF", ITEM.as_bytes()].concat();
    let blueprint = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/resources/test/bank/blueprints/test-2026.toml"
    ))
    .unwrap();
    let blueprint = [b"\xEF\xBB\xBF", blueprint.as_slice()].concat();
    let rendered = check_files(
        &[
            ("items/T-1.toml", &item),
            ("blueprints/test-2026.toml", &blueprint),
        ],
        "QB107",
    );
    assert_rendered("structure", "QB107_item_and_blueprint", &rendered);
}

#[test]
fn byte_order_mark_inside_a_string() {
    // U+FEFF anywhere but at the start is a zero-width no-break space, not a BOM.
    let item = item_with_stem("Which response\u{feff} BEST fits the scenario?".as_bytes());
    assert_eq!(check_files(&[("items/T-1.toml", &item)], "QB107"), "");
}

#[test]
fn crlf_line_endings() {
    let crlf = ITEM.replace('\n', "\r\n");
    // LF until the stem, then one CRLF: the finding points at the first one.
    let mixed = ITEM.replace("id = \"T-1\"", "id = \"T-2\"").replacen(
        "scenario?\"\n",
        "scenario?\"\r\n",
        1,
    );
    let rendered = check_files(
        &[
            ("items/T-1.toml", crlf.as_bytes()),
            ("items/T-2.toml", mixed.as_bytes()),
        ],
        "QB108",
    );
    assert_rendered("structure", "QB108_crlf", &rendered);
}

#[test]
fn escaped_crlf_in_a_string() {
    let item = item_with_stem(br"Which response\r\nBEST fits the scenario?");
    assert_eq!(check_files(&[("items/T-1.toml", &item)], "QB108"), "");
}

#[test]
fn stray_files_under_items() {
    let rendered = check_files(
        &[
            ("items/T-1.toml.bak", ITEM.as_bytes()),
            ("items/d1/notes.txt", b"ask the SME about option C"),
            ("items/T-2.TOML", ITEM.as_bytes()),
        ],
        "QB109",
    );
    assert_rendered("structure", "QB109_stray", &rendered);
}

#[test]
fn ignored_and_excluded_files_are_not_stray() {
    let rendered = check_files(
        &[
            ("qbank.toml", b"exclude = [\"**/*.orig\"]\n"),
            ("items/T-1.toml", ITEM.as_bytes()),
            // Excluded in `qbank.toml`.
            ("items/T-1.toml.orig", ITEM.as_bytes()),
            // Hidden files are skipped.
            ("items/.DS_Store", b"\0\0\0\x01Bud1"),
            // Ignored by `.gitignore`, even outside a Git repository.
            ("items/.gitignore", b"*.log\n"),
            ("items/export.log", b"exported 1 item"),
            // Only `items/` is checked for strays.
            ("blueprints/README.md", b"# Blueprints"),
            ("media/README.md", b"# Media"),
        ],
        "QB109",
    );
    assert_eq!(rendered, "");
}
