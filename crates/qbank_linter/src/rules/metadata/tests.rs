use test_case::test_case;

use crate::test::{TempBank, assert_fixture, assert_rendered};

#[test_case("QB401")]
#[test_case("QB402")]
#[test_case("QB403")]
#[test_case("QB404")]
#[test_case("QB405")]
#[test_case("QB406")]
#[test_case("QB407")]
#[test_case("QB408")]
#[test_case("QB409")]
#[test_case("QB410")]
#[test_case("QB411")]
#[test_case("QB412")]
#[test_case("QB413")]
#[test_case("QB414")]
#[test_case("QB415")]
#[test_case("QB416")]
#[test_case("QB417")]
fn rules(code: &str) {
    assert_fixture("metadata", code);
}

/// A blueprint that breaks the schema: it has no domains.
const BROKEN_BLUEPRINT: &[u8] = br#"id = "test-2026"
exam = "test"
title = "Fixture exam"
form_length = 10
tolerance = 0.05
"#;

#[test]
fn only_blueprint_is_broken() {
    let bank = TempBank::new();
    bank.write("blueprints/test-2026.toml", BROKEN_BLUEPRINT);
    assert_rendered("metadata", "QB416_broken_blueprint", &bank.check("QB416"));
}

#[test]
fn no_blueprint_and_no_configuration() {
    // Without `qbank.toml` the finding points at the `blueprints/` folder.
    let bank = TempBank::empty();
    bank.write("items/T-1.toml", b"id = \"T-1\"\n");
    assert_rendered("metadata", "QB416_no_configuration", &bank.check("QB416"));
}

#[test]
fn one_valid_blueprint_is_enough() {
    let bank = TempBank::new();
    bank.write("blueprints/broken-2026.toml", BROKEN_BLUEPRINT);
    assert_eq!(bank.check("QB416"), "");
}

#[test]
fn unknown_exam_is_not_reported_without_blueprints() {
    // QB416 reports the missing blueprint once, instead of QB401 on every item.
    let bank = TempBank::empty();
    bank.write(
        "items/T-1.toml",
        br#"id = "T-1"
exam = "test"
domain = "1"
type = "single"
status = "draft"
stem = "Which response BEST fits the scenario?"
authors = ["a"]
created = 2026-01-01

[[options]]
text = "Accept the risk"
correct = true

[[options]]
text = "Transfer the risk"
"#,
    );
    assert_eq!(bank.check("QB401"), "");
}

/// An item whose only exhibit is `media/<file>`.
fn item_with_exhibit(file: &str) -> String {
    format!(
        r#"id = "T-1"
exam = "test"
domain = "1"
type = "single"
status = "draft"
stem = "Which zone should host the web server?"
exhibits = [{{ file = "{file}", alt = "Three network zones" }}]
authors = ["a"]
created = 2026-01-01

[[options]]
text = "The internal zone"
correct = true

[[options]]
text = "The DMZ"

[[options]]
text = "The management zone"

[[options]]
text = "The internet"
"#
    )
}

#[cfg(unix)]
#[test]
fn exhibit_link_leads_outside_media() {
    let bank = TempBank::new();
    bank.write("private/plan.png", b"\x89PNG");
    std::os::unix::fs::symlink(
        bank.root().join("private/plan.png"),
        bank.root().join("media/plan.png"),
    )
    .unwrap();
    bank.write("items/T-1.toml", item_with_exhibit("plan.png").as_bytes());
    assert_rendered("metadata", "QB411_symlink", &bank.check("QB411"));
}

#[cfg(unix)]
#[test]
fn exhibit_link_inside_media() {
    let bank = TempBank::new();
    std::os::unix::fs::symlink(
        bank.root().join("media/zones.png"),
        bank.root().join("media/network.png"),
    )
    .unwrap();
    bank.write(
        "items/T-1.toml",
        item_with_exhibit("network.png").as_bytes(),
    );
    assert_eq!(bank.check("QB411"), "");
}
