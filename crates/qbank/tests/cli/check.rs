use insta_cmd::assert_cmd_snapshot;
use test_case::test_case;

use crate::{CliTest, filters, item};

#[test]
fn clean_bank_passes() {
    let test = CliTest::new();
    assert_cmd_snapshot!(test.command().arg("check"), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    All checks passed: 2 items in 3 files.

    ----- stderr -----
    ");
}

#[test_case("text")]
#[test_case("concise")]
#[test_case("json")]
#[test_case("sarif")]
#[test_case("github")]
#[test_case("junit")]
#[test_case("gitlab")]
fn output_format(format: &str) {
    let test = CliTest::with_findings();
    insta::with_settings!({ filters => filters(), snapshot_suffix => format }, {
        assert_cmd_snapshot!(test.command().args(["check", "--format", format]));
    });
}

#[test]
fn json_output_has_the_documented_shape() {
    let test = CliTest::with_findings();
    let output = test
        .command()
        .args(["lint", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["version"], 1);
    let first = &json["diagnostics"][0];
    for key in [
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "help",
    ] {
        assert!(first.get(key).is_some(), "missing `{key}` in {first}");
    }
    assert_eq!(json["summary"]["items"], 5);
    assert!(json["summary"]["errors"].as_u64().unwrap() >= 4);
}

#[test]
fn file_arguments_report_only_those_files() {
    let test = CliTest::with_findings();
    let output = test
        .command()
        .args(["check", "-f", "concise", "bank/items/d1/DEMO-3.toml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("DEMO-3.toml"), "{stdout}");
    assert!(!stdout.contains("DEMO-4.toml"), "{stdout}");
    assert!(stdout.ends_with("in 1 item in 1 file.\n"), "{stdout}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn folder_and_file_arguments_run_item_rules_on_their_items_only() {
    let test = CliTest::new();
    // The same wording finding (a placeholder in the stem) in three folders.
    let placeholder =
        |id: &str, domain: &str| item(id, domain).replace("stem = \"", "stem = \"TODO: ");
    test.write("bank/items/d1/sub/DEMO-6.toml", &placeholder("DEMO-6", "1"));
    test.write("bank/items/d2/DEMO-7.toml", &placeholder("DEMO-7", "2"));
    test.write("bank/items/d2/DEMO-8.toml", &placeholder("DEMO-8", "2"));
    let output = test
        .command()
        .args([
            "check",
            "-f",
            "concise",
            "bank/items/d1/",
            "bank/items/d2/DEMO-8.toml",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("DEMO-6.toml"), "{stdout}");
    assert!(stdout.contains("DEMO-8.toml"), "{stdout}");
    assert!(!stdout.contains("DEMO-7.toml"), "{stdout}");
    assert_eq!(stdout.matches("QB115").count(), 2, "{stdout}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn bank_wide_rules_see_every_item_when_one_file_is_checked() {
    let test = CliTest::new();
    test.write(
        "bank/items/d2/DEMO-9.toml",
        &item("DEMO-1", "2").replace("DEMO-1", "DEMO-9"),
    );
    test.write("bank/items/d2/copy/DEMO-1.toml", &item("DEMO-1", "2"));
    let output = test
        .command()
        .args(["check", "-f", "concise", "bank/items/d2/copy/DEMO-1.toml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("QB110"), "{stdout}");
}

#[test]
fn configuration_changes_levels() {
    let test = CliTest::with_findings();
    test.write(
        "bank/qbank.toml",
        "[rules]\nQB1 = \"off\"\nQB4 = \"warning\"\n",
    );
    let output = test
        .command()
        .args(["check", "-f", "concise"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains("QB1"), "{stdout}");
    assert!(stdout.contains("warning[QB402]"), "{stdout}");
    assert_eq!(output.status.code(), Some(0));
}

/// `--config` replaces the bank's settings; the bank is still the one found from the path,
/// wherever the configuration file lives.
#[test]
fn a_configuration_elsewhere_checks_the_same_bank() {
    let test = CliTest::with_findings();
    test.write("ci/strict.toml", "[rules]\nQB4 = \"warning\"\n");
    for args in [
        &["bank", "--config", "ci/strict.toml"][..],
        &["--config", "ci/strict.toml"],
    ] {
        let (stdout, code) = test.concise(args);
        assert!(stdout.contains("error[QB101]"), "{args:?}: {stdout}");
        assert!(stdout.contains("warning[QB402]"), "{args:?}: {stdout}");
        assert_eq!(code, Some(1), "{args:?}: {stdout}");
    }
}

#[test]
fn excluded_paths_are_skipped() {
    let test = CliTest::with_findings();
    test.write(
        "bank/qbank.toml",
        "exclude = [\"items/d1/DEMO-3.toml\", \"items/d2/DEMO-[45].toml\"]\n",
    );
    assert_cmd_snapshot!(test.command().arg("check"), @"
    success: true
    exit_code: 0
    ----- stdout -----
    All checks passed: 2 items in 3 files.

    ----- stderr -----
    ");
}

#[test]
fn suppression_with_a_reason_silences_a_rule() {
    let test = CliTest::new();
    let self_reviewed =
        item("DEMO-7", "1").replace("reviewers = [\"a.roe\"]", "reviewers = [\"j.doe\"]");
    let suppressed = format!(
        "# qbank: allow QB409 -- single-author pilot item, reviewed in the pilot board\n{self_reviewed}"
    );
    test.write("bank/items/d1/DEMO-7.toml", &suppressed);
    // Its counterpart in domain 2 keeps the bank within the blueprint's tolerance (QB418).
    test.write("bank/items/d2/DEMO-8.toml", &item("DEMO-8", "2"));
    let output = test
        .command()
        .args(["check", "-f", "concise"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// A file that fails the schema gives no item, so its item rules do not run: its suppressions
/// are not unused (QB114), though a suppression without a reason still is a finding.
#[test]
fn suppressions_of_an_item_that_does_not_load_are_not_unused() {
    let test = CliTest::new();
    let text = item("DEMO-1", "1").replace(
        "authors = ",
        "bogus = 1 # qbank: allow QB201 -- a negative the question needs\n\
         # qbank: allow QB309\nauthors = ",
    );
    test.write("bank/items/d1/DEMO-1.toml", &text);
    let (stdout, _) = test.concise(&["bank/items/d1/DEMO-1.toml"]);
    assert!(
        stdout.contains("error[QB103] unknown key `bogus`"),
        "{stdout}"
    );
    assert!(!stdout.contains("QB114"), "{stdout}");
    assert!(stdout.contains("QB112"), "{stdout}");
    // Once the file loads, the unused one is reported.
    test.write("bank/items/d1/DEMO-1.toml", &text.replace("bogus = 1 ", ""));
    let (stdout, _) = test.concise(&["bank/items/d1/DEMO-1.toml"]);
    assert!(stdout.contains("QB114"), "{stdout}");
}

#[test]
fn report_file_is_written_whole() {
    let test = CliTest::with_findings();
    let output = test
        .command()
        .args(["check", "-f", "sarif", "-o", "out/report.sarif"])
        .output();
    // The folder does not exist: a clear error, exit 2, nothing half-written.
    let output = output.unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("out/.report.sarif"));
    std::fs::create_dir(test.root().join("out")).unwrap();
    let output = test
        .command()
        .args(["check", "-f", "sarif", "-o", "out/report.sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(test.root().join("out/report.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let leftovers: Vec<_> = std::fs::read_dir(test.root().join("out"))
        .unwrap()
        .collect();
    assert_eq!(leftovers.len(), 1);
}

#[test]
fn missing_bank_is_a_usage_error() {
    let test = CliTest::new();
    std::fs::remove_dir_all(test.root().join("bank")).unwrap();
    insta::with_settings!({ filters => vec![(r"at `[^`]+`", "at `[TMP]`")] }, {
        assert_cmd_snapshot!(test.command().arg("check"), @r"
        success: false
        exit_code: 2
        ----- stdout -----

        ----- stderr -----
        qbank failed
          Cause: no bank found at `[TMP]`: no `qbank.toml` there or in a parent folder, and no `bank/qbank.toml`
        ");
    });
}

#[test]
fn invalid_configuration_is_a_usage_error() {
    let test = CliTest::new();
    test.write("bank/qbank.toml", "[rules]\nQB999 = \"off\"\n");
    let output = test.command().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown rule `QB999`"), "{stderr}");
}

#[test]
fn sarif_output_is_valid_against_the_oasis_schema() {
    let schema_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/schemas/sarif-schema-2.1.0.json"
    );
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap();
    for test in [CliTest::new(), CliTest::with_findings()] {
        let output = test
            .command()
            .args(["check", "-f", "sarif"])
            .output()
            .unwrap();
        let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

/// Every malformed file the lint issue names, side by side with a valid item: each gets one
/// clear finding, nothing panics, and the valid items are still checked.
#[test]
fn hostile_files_each_get_one_finding_and_the_rest_is_checked() {
    let test = CliTest::new();
    let write_bytes = |path: &str, bytes: &[u8]| {
        let path = test.root().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    write_bytes("bank/items/h/LATIN1.toml", b"id = \"caf\xe9\"\n");
    let mut bom = b"\xef\xbb\xbf".to_vec();
    // One more item in each domain keeps the bank within the blueprint's tolerance (QB418).
    bom.extend_from_slice(item("BOM-3", "2").as_bytes());
    write_bytes("bank/items/h/BOM-3.toml", &bom);
    write_bytes(
        "bank/items/h/CRLF-4.toml",
        item("CRLF-4", "1").replace('\n', "\r\n").as_bytes(),
    );
    write_bytes("bank/items/h/EMPTY.toml", b"");
    write_bytes("bank/items/h/notes.md", b"# notes\n");
    write_bytes("bank/items/h/HUGE.toml", &vec![b'#'; 10 * 1024 * 1024]);
    let deep = format!(
        "id = \"DEEP\"\nx = {}1{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    write_bytes("bank/items/h/DEEP.toml", deep.as_bytes());
    let nested = format!(
        "id = \"NEST\"\nx = {}1{}\n",
        "{a = ".repeat(50_000),
        "}".repeat(50_000)
    );
    write_bytes("bank/items/h/NEST.toml", nested.as_bytes());
    write_bytes("bank/items/h/NUL.toml", b"id = \"a\0b\"\n");
    write_bytes(
        "bank/items/h/BIG-INT.toml",
        b"id = \"BIG\"\ndifficulty = 99999999999999999999999\n",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        test.root().join("bank/items"),
        test.root().join("bank/items/h/loop"),
    )
    .unwrap();
    // A broken copy of a valid item, to show later items are still checked.
    test.write("bank/items/z/LAST.toml", &item("LAST", "7"));

    let output = test
        .command()
        .args(["check", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut found: Vec<(String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let file = d["file"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned();
            (file, d["code"].as_str().unwrap().to_owned())
        })
        .collect();
    found.sort();
    let mut expected = vec![
        ("BIG-INT.toml", "QB101"),
        ("BOM-3.toml", "QB107"),
        ("CRLF-4.toml", "QB108"),
        ("DEEP.toml", "QB100"),
        ("EMPTY.toml", "QB106"),
        ("HUGE.toml", "QB105"),
        ("LAST.toml", "QB402"),
        ("LATIN1.toml", "QB104"),
        ("NEST.toml", "QB100"),
        ("NUL.toml", "QB100"),
        ("notes.md", "QB109"),
    ];
    if cfg!(unix) {
        expected.push(("loop", "QB104"));
    }
    let mut expected: Vec<(String, String)> = expected
        .into_iter()
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
        .collect();
    expected.sort();
    assert_eq!(found, expected);
}

/// A broken glossary, blueprint or item file gets its own finding, and the items that depend
/// on it are not reported for what it would have defined.
#[test_case("bank/concepts.toml", "[[concepts]]\nid = \"rto\"\ntitle = [", "QB100", &["QB413", "QB208"]; "glossary")]
#[test_case("bank/blueprints/demo-2026.toml", "id = \"demo-2026\"\nexam = \"demo\"\nform_length = \"10\"\n", "QB101", &["QB401", "QB402", "QB403", "QB303"]; "blueprint schema")]
#[test_case("bank/blueprints/demo-2026.toml", "exam = [", "QB100", &["QB401", "QB402"]; "blueprint syntax")]
#[test_case("bank/items/d2/DEMO-2.toml", "id = \"demo-2\"\n", "QB101", &["QB404"]; "enemy file")]
fn a_broken_file_gets_one_finding_not_one_per_item(
    path: &str,
    text: &str,
    own: &str,
    not: &[&str],
) {
    let test = CliTest::new();
    test.write(
        "bank/concepts.toml",
        "[[concepts]]\nid = \"rto\"\ntitle = \"Recovery time objective (RTO)\"\ndefinition = \"How long a process may be down.\"\n",
    );
    let with = |id: &str, domain: &str| {
        item(id, domain)
            .replace(
                "authors = ",
                "concepts = [\"rto\"]\nenemies = [\"DEMO-2\"]\nauthors = ",
            )
            .replace("What should", "Given the RTO, what should")
    };
    test.write("bank/items/d1/DEMO-1.toml", &with("DEMO-1", "1"));
    test.write("bank/items/d1/DEMO-3.toml", &with("DEMO-3", "1"));
    test.write("bank/items/d2/DEMO-4.toml", &with("DEMO-4", "2"));
    // A second exam's blueprint, so that the bank still has one when the demo's breaks.
    test.write(
        "bank/blueprints/other-2026.toml",
        &crate::BLUEPRINT
            .replace("demo", "other")
            .replace("Demo", "Other"),
    );
    test.write(
        "bank/items/d1/OTHER-1.toml",
        &item("OTHER-1", "1").replace("\"demo\"", "\"other\""),
    );
    test.write(
        "bank/items/d2/OTHER-2.toml",
        &item("OTHER-2", "2").replace("\"demo\"", "\"other\""),
    );
    let (stdout, code) = test.concise(&[]);
    assert_eq!(code, Some(0), "{stdout}");

    test.write(path, text);
    let (stdout, _) = test.concise(&[]);
    assert!(stdout.contains(&format!("[{own}]")), "{stdout}");
    for code in not {
        assert!(!stdout.contains(&format!("[{code}]")), "{code}: {stdout}");
    }
}

/// Only an item file (`.toml`) that does not load keeps its name known to QB404: a stray
/// file of the same name does not.
#[test]
fn a_stray_file_does_not_stand_for_a_missing_item() {
    let test = CliTest::new();
    test.write(
        "bank/items/d1/DEMO-1.toml",
        &item("DEMO-1", "1").replace("authors = ", "enemies = [\"DEMO-2\"]\nauthors = "),
    );
    std::fs::remove_file(test.root().join("bank/items/d2/DEMO-2.toml")).unwrap();
    test.write("bank/items/d2/DEMO-2.md", "notes");
    let (stdout, _) = test.concise(&[]);
    assert!(
        stdout.contains("[QB404] no item has id `DEMO-2`"),
        "{stdout}"
    );
}

/// Runs git in the test folder, failing the test on error.
fn git(test: &CliTest, args: &[&str]) {
    let status = std::process::Command::new("git")
        .current_dir(test.root())
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn changed_since_reports_changed_and_new_files_only() {
    let test = CliTest::new();
    // A committed defect that the run must not report.
    test.write(
        "bank/items/d2/DEMO-2.toml",
        &item("DEMO-2", "2").replace("status = \"approved\"", "status = \"aproved\""),
    );
    git(&test, &["init", "--quiet"]);
    git(&test, &["add", "."]);
    git(&test, &["commit", "--quiet", "-m", "bank"]);
    // A changed item and a new one, both broken.
    test.write(
        "bank/items/d1/DEMO-1.toml",
        &item("DEMO-1", "1").replace("type = \"single\"", "type = \"singel\""),
    );
    test.write(
        "bank/items/d1/DEMO-7.toml",
        &item("DEMO-7", "1").replace("domain = \"1\"", "domain = \"7\""),
    );
    let output = test
        .command()
        .args(["check", "-f", "concise", "--changed-since", "HEAD"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("DEMO-1.toml"), "{stdout}");
    assert!(stdout.contains("DEMO-7.toml"), "{stdout}");
    assert!(!stdout.contains("DEMO-2.toml"), "{stdout}");
    // With DEMO-1 broken and DEMO-7 outside the blueprint, no approved demo item is in a
    // domain any more: a finding about the exam, filed on its blueprint.
    assert!(
        stdout.contains("demo-2026.toml:2:6: warning[QB420]"),
        "{stdout}"
    );
    assert!(stdout.ends_with("in 2 items in 3 files.\n"), "{stdout}");
    assert_eq!(output.status.code(), Some(1));

    // Nothing changed since the working tree's own state: nothing to report.
    git(&test, &["add", "."]);
    git(&test, &["commit", "--quiet", "-m", "more"]);
    let output = test
        .command()
        .args(["check", "-f", "concise", "--changed-since", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "All checks passed: 0 items in 0 files.\n"
    );
    assert_eq!(output.status.code(), Some(0));
}

/// Deleting an item breaks the items that name it as an enemy, and changing a blueprint can
/// break any item: a pull request that does either is reported on what it breaks.
#[test]
fn changed_since_reports_what_a_deletion_or_a_blueprint_change_breaks() {
    let test = CliTest::new();
    test.write(
        "bank/items/d1/DEMO-1.toml",
        &item("DEMO-1", "1").replace("authors = ", "enemies = [\"DEMO-2\"]\nauthors = "),
    );
    git(&test, &["init", "--quiet"]);
    git(&test, &["add", "."]);
    git(&test, &["commit", "--quiet", "-m", "bank"]);
    std::fs::remove_file(test.root().join("bank/items/d2/DEMO-2.toml")).unwrap();
    let check = || test.concise(&["--changed-since", "HEAD"]);
    let (stdout, code) = check();
    assert!(
        stdout.contains("DEMO-1.toml") && stdout.contains("error[QB404] no item has id `DEMO-2`"),
        "{stdout}"
    );
    assert_eq!(code, Some(1), "{stdout}");

    // A blueprint whose domain 2 is renamed: the unchanged item of domain 2 no longer fits.
    git(&test, &["checkout", "--quiet", "--", "."]);
    let blueprint = test.root().join("bank/blueprints/demo-2026.toml");
    let text = std::fs::read_to_string(&blueprint).unwrap();
    assert!(text.contains("id = \"2\""), "{text}");
    std::fs::write(&blueprint, text.replace("id = \"2\"", "id = \"5\"")).unwrap();
    let (stdout, code) = check();
    assert!(
        stdout.contains("DEMO-2.toml") && stdout.contains("error[QB402]"),
        "{stdout}"
    );
    assert_eq!(code, Some(1), "{stdout}");
    // With paths, every named item is reported, changed or not.
    let (stdout, _) = test.concise(&["bank/items/d2", "--changed-since", "HEAD"]);
    assert!(stdout.contains("DEMO-2.toml:"), "{stdout}");
    assert!(!stdout.contains("DEMO-1.toml:"), "{stdout}");

    // A configuration outside the bank, given with `--config`, is a shared file too.
    git(&test, &["checkout", "--quiet", "--", "."]);
    test.write("ci/strict.toml", "[rules]\nQB4 = \"warning\"\n");
    git(&test, &["add", "."]);
    git(&test, &["commit", "--quiet", "-m", "strict"]);
    test.write(
        "ci/strict.toml",
        "[rules]\nQB4 = \"warning\"\nQB208 = \"error\"\n",
    );
    let (stdout, _) = test.concise(&["--changed-since", "HEAD", "--config", "ci/strict.toml"]);
    assert!(
        stdout.contains("2 items in 3 files"),
        "the whole bank: {stdout}"
    );
}

/// An allowlist entry naming a deleted item is reported by a check of the change, by `check`
/// and by `dupes`, though the allowlist itself did not change.
#[test]
fn changed_since_reports_allowlist_entries_naming_a_deleted_item() {
    let test = CliTest::new();
    test.write(
        "bank/dupes-allowlist.toml",
        "[[allow]]\nitems = [\"DEMO-1\", \"DEMO-2\"]\nreason = \"Reviewed\"\n",
    );
    git(&test, &["init", "--quiet"]);
    git(&test, &["add", "."]);
    git(&test, &["commit", "--quiet", "-m", "bank"]);
    let (stdout, _) = test.concise(&["--changed-since", "HEAD"]);
    assert!(!stdout.contains("QB503"), "nothing changed: {stdout}");
    std::fs::remove_file(test.root().join("bank/items/d2/DEMO-2.toml")).unwrap();
    let (stdout, _) = test.concise(&["--changed-since", "HEAD"]);
    assert!(
        stdout.contains("dupes-allowlist.toml:2:20: warning[QB503] no item has id `DEMO-2`"),
        "{stdout}"
    );
    let output = test
        .command()
        .args(["dupes", "-f", "json", "--changed-since", "HEAD"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["stale_allowlist"][0]["message"], "no item has id `DEMO-2`",
        "{json}"
    );
}

/// A change can move a whole exam out of its blueprint's weights: the finding is filed on the
/// unchanged blueprint, and a check of the changed files reports it, but not for another exam.
#[test]
fn changed_files_report_the_fit_of_their_exam() {
    let test = CliTest::new();
    test.write(
        "bank/blueprints/other-2026.toml",
        &crate::BLUEPRINT
            .replace("demo-2026", "other-2026")
            .replace("exam = \"demo\"", "exam = \"other\""),
    );
    let other =
        |id: &str, domain: &str| item(id, domain).replace("exam = \"demo\"", "exam = \"other\"");
    test.write("bank/items/o1/OTHER-1.toml", &other("OTHER-1", "1"));
    test.write("bank/items/o2/OTHER-2.toml", &other("OTHER-2", "2"));
    git(&test, &["init", "--quiet"]);
    git(&test, &["add", "."]);
    git(&test, &["commit", "--quiet", "-m", "bank"]);
    let (stdout, code) = test.concise(&[]);
    assert_eq!(code, Some(0), "{stdout}");

    // DEMO-2 moves to domain 1, which then holds every demo item.
    test.write("bank/items/d2/DEMO-2.toml", &item("DEMO-2", "1"));
    for args in [
        &["--changed-since", "HEAD"][..],
        &["bank/items/d2/DEMO-2.toml"][..],
    ] {
        let (stdout, code) = test.concise(args);
        assert!(
            stdout.contains("demo-2026.toml") && stdout.contains("error[QB418]"),
            "{args:?}: {stdout}"
        );
        assert!(!stdout.contains("other-2026.toml"), "{args:?}: {stdout}");
        assert!(
            stdout.contains("in 1 item in 2 files."),
            "{args:?}: {stdout}"
        );
        assert_eq!(code, Some(1), "{args:?}: {stdout}");
    }

    // Committed, the demo exam's misfit is no business of a change to the other exam.
    git(&test, &["add", "."]);
    git(&test, &["commit", "--quiet", "-m", "move"]);
    test.write(
        "bank/items/o1/OTHER-1.toml",
        &other("OTHER-1", "1").replace("created = 2026-01-05", "created = 2026-01-06"),
    );
    let (stdout, code) = test.concise(&["--changed-since", "HEAD"]);
    assert_eq!(stdout, "All checks passed: 1 item in 1 file.\n");
    assert_eq!(code, Some(0));
    let (stdout, code) = test.concise(&[]);
    assert!(stdout.contains("error[QB418]"), "{stdout}");
    assert_eq!(code, Some(1));
}

/// A key may hold any character, and findings quote it: in no format may it break the line
/// of its finding, forge another, start a GitHub workflow command, send a terminal escape or
/// put a character in XML that XML cannot hold.
#[test]
fn bank_text_cannot_forge_findings_or_commands() {
    let test = CliTest::new();
    let key = r#""x\nother.toml:1:1: error[QB999] forged\r\n::error file=evil.toml::pwn\u001b[31m\uFFFE\u202E" = 1"#;
    // The key goes before the first table, where it is a key of the item.
    let text = item("DEMO-1", "1").replacen("authors = ", &format!("{key}\nauthors = "), 1);
    test.write("bank/items/d1/DEMO-1.toml", &text);
    for format in [
        "concise", "text", "github", "junit", "gitlab", "json", "sarif",
    ] {
        let output = test
            .command()
            .args(["check", "-f", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{format}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.contains("QB103"), "{format}: {stdout}");
        for bad in ['\u{1b}', '\u{fffe}', '\u{202e}', '\r'] {
            assert!(!stdout.contains(bad), "{format}: {bad:?} in {stdout}");
        }
        assert!(
            !stdout
                .lines()
                .any(|line| line.trim_start().starts_with("::error file=evil")),
            "{format}: {stdout}"
        );
        if format == "concise" {
            // One line per finding, each on a file of the bank, and the summary.
            let mut lines: Vec<&str> = stdout.lines().collect();
            assert!(
                lines.pop().is_some_and(|l| l.starts_with("Found ")),
                "{stdout}"
            );
            for line in lines {
                assert!(line.starts_with("bank/"), "{line}");
            }
            assert!(
                stdout.contains(r"unknown key `x\nother.toml:1:1"),
                "{stdout}"
            );
        }
    }
}

#[test]
fn changed_since_an_unknown_revision_is_a_usage_error() {
    let test = CliTest::new();
    git(&test, &["init", "--quiet"]);
    let output = test
        .command()
        .args(["check", "--changed-since", "no-such-rev"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("`no-such-rev` is not a revision"),
        "{stderr}"
    );
}
