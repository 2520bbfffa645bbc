use insta_cmd::assert_cmd_snapshot;

use crate::CliTest;

/// DEMO-1 with its keys shuffled, a comment, loose spacing and inline options.
fn messy() -> String {
    r#"# qbank: allow QB409 -- pilot item
stem = "A vendor lost a laptop that held customer records.\nWhat should the manager do FIRST?"
id   =   "DEMO-7"
exam = "demo"   
type = "single"
domain = "1"
task = "1A"
status = "approved"
rationale = "Assessing the risk comes first. Option D is out of proportion."
references = ["ISO/IEC 27001:2022, clause 6.1.2"]
authors = ["j.doe"]
reviewers = ["j.doe"]
created = 2026-01-05
updated = 2026-02-01
options = [
  { correct = true, text = "Assess the risk it creates first" },
  { text = "Order the unit to stop using it" },
  { text = "Report the unit to the audit committee" },
  { text = "Replace the vendor at once" },
]
"#
    .to_owned()
}

#[test]
fn check_lists_files_that_would_change_and_changes_nothing() {
    let test = CliTest::new();
    let path = test.write("bank/items/d1/DEMO-7.toml", &messy());
    assert_cmd_snapshot!(test.command().args(["fmt", "--check"]), @r"
    success: false
    exit_code: 1
    ----- stdout -----
    would reformat bank/items/d1/DEMO-7.toml
    1 item would be reformatted, 2 already formatted

    ----- stderr -----
    ");
    assert_eq!(std::fs::read_to_string(path).unwrap(), messy());
}

#[test]
fn fmt_rewrites_items_canonically_without_changing_their_meaning() {
    let test = CliTest::new();
    let path = test.write("bank/items/d1/DEMO-7.toml", &messy());
    let before = test
        .command()
        .args(["check", "-f", "json"])
        .output()
        .unwrap();
    let output = test.command().arg("fmt").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let formatted = std::fs::read_to_string(&path).unwrap();
    insta::assert_snapshot!(formatted);
    // Same findings (lines aside) before and after: the meaning did not change.
    let after = test
        .command()
        .args(["check", "-f", "json"])
        .output()
        .unwrap();
    let codes = |output: &std::process::Output| {
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["code"].to_string(), d["message"].to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(&before), codes(&after));
    // Formatting is idempotent.
    let again = test.command().args(["fmt", "--check"]).output().unwrap();
    assert_eq!(again.status.code(), Some(0));
}

#[test]
fn files_that_are_not_toml_are_reported_and_the_rest_formatted() {
    let test = CliTest::new();
    test.write("bank/items/d1/BAD.toml", "id = \"BAD\"\nstem = \n");
    test.write(
        "bank/items/d2/DEMO-7.toml",
        &messy().replace("domain = \"1\"", "domain = \"2\""),
    );
    // Each file counts once, and the same way with and without `--check`.
    let output = test.command().args(["fmt", "--check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "would reformat bank/items/d2/DEMO-7.toml\n1 item would be reformatted, 2 already formatted, 1 could not be formatted\n"
    );
    let output = test.command().arg("fmt").output().unwrap();
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .ends_with("1 item reformatted, 2 already formatted, 1 could not be formatted\n")
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("bank/items/d1/BAD.toml: "), "{stderr}");
    assert!(stderr.contains("line 2"), "{stderr}");
    let formatted = std::fs::read_to_string(test.root().join("bank/items/d2/DEMO-7.toml")).unwrap();
    assert!(formatted.starts_with("# qbank: allow QB409 -- pilot item\nid = \"DEMO-7\""));
}

/// A reformatted item keeps its permissions, and no temporary file is left beside it.
#[cfg(unix)]
#[test]
fn fmt_keeps_a_files_permissions() {
    use std::os::unix::fs::PermissionsExt;

    let test = CliTest::new();
    let path = test.write("bank/items/d1/DEMO-7.toml", &messy());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let output = test.command().arg("fmt").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_ne!(std::fs::read_to_string(&path).unwrap(), messy());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let mut names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["DEMO-1.toml", "DEMO-7.toml"]);
}

/// A read-only item is reported and left as it is, and a path that is not in the bank, or not
/// there, is a usage error rather than nothing to format.
#[cfg(unix)]
#[test]
fn fmt_leaves_read_only_files_and_refuses_paths_outside_the_bank() {
    use std::os::unix::fs::PermissionsExt;

    let test = CliTest::new();
    let path = test.write("bank/items/d1/DEMO-7.toml", &messy());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let output = test.command().arg("fmt").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("DEMO-7.toml: the file is read-only; not reformatted"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), messy());

    test.write("elsewhere/X-1.toml", &messy());
    for (path, expected) in [
        ("elsewhere/X-1.toml", "is not in the bank at"),
        ("bank/items/nope.toml", "does not exist"),
    ] {
        for check in [false, true] {
            let mut command = test.command();
            command.args(["fmt", "bank/items/d2", path]);
            if check {
                command.arg("--check");
            }
            let output = command.output().unwrap();
            let stderr = String::from_utf8(output.stderr).unwrap();
            assert_eq!(output.status.code(), Some(2), "{path}: {stderr}");
            assert!(stderr.contains(expected), "{stderr}");
        }
    }
}
