use insta_cmd::assert_cmd_snapshot;

use crate::CliTest;

#[test]
fn rule_prints_its_documentation() {
    let test = CliTest::new();
    assert_cmd_snapshot!(test.command().args(["rule", "QB301"]));
}

#[test]
fn rule_accepts_names_and_rejects_unknown_codes() {
    let test = CliTest::new();
    let by_name = test
        .command()
        .args(["rule", "duplicate-option"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&by_name.stdout).starts_with("# duplicate-option (QB301)"));
    let unknown = test.command().args(["rule", "QB999"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn rules_lists_every_rule() {
    let test = CliTest::new();
    assert_cmd_snapshot!(test.command().arg("rules"));
}

#[test]
fn rules_json_carries_docs() {
    let test = CliTest::new();
    let output = test
        .command()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    assert!(rules.len() > 30);
    assert!(
        rules
            .iter()
            .all(|r| r["docs"].as_str().unwrap().contains("## Why is this bad?"))
    );
}

#[test]
fn schemas_are_printed_as_json() {
    let test = CliTest::new();
    for kind in ["item", "blueprint", "concepts", "config"] {
        let output = test.command().args(["schema", kind]).output().unwrap();
        assert!(output.status.success());
        let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{kind}"
        );
    }
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = CliTest::new()
            .command()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        for subcommand in ["check", "dupes", "blueprint", "export", "new"] {
            assert!(script.contains(subcommand), "{shell} lacks {subcommand}");
        }
    }
}

#[test]
fn manpage_is_roff_with_every_subcommand() {
    let output = CliTest::new().command().arg("manpage").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(page.contains(".TH qbank 1"), "{page}");
    for subcommand in [
        "check",
        "dupes",
        "blueprint",
        "assemble",
        "export",
        "import",
        "new",
    ] {
        assert!(page.contains(subcommand), "{subcommand}");
    }
}

/// `qbank manpage --dir` writes the main page and every page it refers to.
#[test]
fn manpage_dir_holds_every_page_the_main_page_names() {
    let test = CliTest::new();
    let output = test
        .command()
        .args(["manpage", "--dir", "man"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let main = std::fs::read_to_string(test.root().join("man/qbank.1")).unwrap();
    for subcommand in ["check", "dupes", "export", "import", "assemble"] {
        assert!(
            main.contains(&format!("qbank\\-{subcommand}(1)")),
            "{subcommand}"
        );
        assert!(
            test.root()
                .join(format!("man/qbank-{subcommand}.1"))
                .is_file(),
            "{subcommand}"
        );
    }
}

/// The README's listing of the rules is what `qbank rules` prints.
#[test]
fn readme_lists_every_rule() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let start = readme.find("$ qbank rules\n").unwrap() + "$ qbank rules\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let output = crate::CliTest::new()
        .command()
        .arg("rules")
        .output()
        .unwrap();
    assert_eq!(
        &readme[start..end],
        String::from_utf8(output.stdout).unwrap(),
        "update the listing under `qbank rules` in README.md"
    );
}
