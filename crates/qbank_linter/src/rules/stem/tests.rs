use qbank_workspace::Workspace;
use test_case::test_case;

use crate::settings::Settings;
use crate::test::{TempBank, assert_fixture};

#[test_case("QB201")]
#[test_case("QB202")]
#[test_case("QB203")]
#[test_case("QB204")]
#[test_case("QB205")]
#[test_case("QB206")]
#[test_case("QB207")]
#[test_case("QB208")]
fn rules(code: &str) {
    assert_fixture("stem", code);
}

/// An item of the fixture exam with `stem`.
fn item(id: &str, stem: &str) -> String {
    format!(
        "id = \"{id}\"\nexam = \"test\"\ndomain = \"1\"\ntype = \"single\"\nstatus = \"draft\"\n\
         stem = \"{stem}\"\nauthors = [\"a\"]\ncreated = 2026-01-01\n\n\
         [[options]]\ntext = \"Escalate\"\ncorrect = true\n\n[[options]]\ntext = \"Wait\"\n\n\
         [[options]]\ntext = \"Ignore\"\n\n[[options]]\ntext = \"Restart\"\n"
    )
}

/// The messages of rule `code` on `bank`, checked with the settings of its `qbank.toml`.
fn messages(bank: &TempBank, code: &str) -> Vec<String> {
    messages_with(bank, code, &[code])
}

/// The messages of rule `code` on `bank`, checked with the rules `codes` enabled.
fn messages_with(bank: &TempBank, code: &str, codes: &[&str]) -> Vec<String> {
    let workspace = Workspace::discover(bank.root(), None).unwrap();
    let settings = Settings::from_options(workspace.options())
        .unwrap()
        .only(codes);
    crate::check(&workspace, workspace.files(), &settings)
        .diagnostics
        .into_iter()
        .filter(|d| d.code == code)
        .map(|d| d.message)
        .collect()
}

#[test]
fn acronyms_listed_in_qbank_toml_are_defined() {
    let bank = TempBank::new();
    bank.write("qbank.toml", b"[lint]\nacronyms = [\"SOC\"]\n");
    let stem = "Should the SOC or the NOC be told FIRST?";
    bank.write("items/T-1.toml", item("T-1", stem).as_bytes());
    assert_eq!(
        messages(&bank, "QB208"),
        ["acronym `NOC` is not spelled out"]
    );
}

/// Twelve items with a 4-word stem and one with a 42-word stem.
fn window_dressing_bank() -> TempBank {
    let bank = TempBank::new();
    for n in 1..=12 {
        let id = format!("T-{n}");
        bank.write(
            format!("items/{id}.toml"),
            item(&id, "Who owns the risk?").as_bytes(),
        );
    }
    let long = format!("{} Who decides?", ["The bank grew fast."; 10].join(" "));
    bank.write("items/T-13.toml", item("T-13", &long).as_bytes());
    bank
}

#[test]
fn window_dressing_thresholds_come_from_qbank_toml() {
    let bank = window_dressing_bank();
    assert!(
        messages(&bank, "QB204").is_empty(),
        "42 words is under the default minimum of 80"
    );
    bank.write("qbank.toml", b"[lint]\nwindow_dressing_min_words = 40\n");
    assert_eq!(
        messages(&bank, "QB204"),
        ["stem has 42 words, far above the 7-word mean of exam `test` (standard deviation 10)"]
    );
    bank.write(
        "qbank.toml",
        b"[lint]\nwindow_dressing_min_words = 40\nwindow_dressing_sigma = 4.0\n",
    );
    assert!(
        messages(&bank, "QB204").is_empty(),
        "42 words is under mean + 4 deviations"
    );
}

/// QB204 takes the stem's word count from the item rules when one of them split the stem into
/// words (QB208 does), and counts the words itself otherwise: the findings are the same.
#[test]
fn window_dressing_counts_alike_with_and_without_item_rules() {
    let bank = window_dressing_bank();
    bank.write("qbank.toml", b"[lint]\nwindow_dressing_min_words = 40\n");
    let expected =
        ["stem has 42 words, far above the 7-word mean of exam `test` (standard deviation 10)"];
    assert_eq!(messages(&bank, "QB204"), expected);
    assert_eq!(messages_with(&bank, "QB204", &["QB204", "QB208"]), expected);
}
