use insta_cmd::assert_cmd_snapshot;
use test_case::test_case;

use crate::{CliTest, filters, item};

/// The demo bank with DEMO-3, a reworded copy of DEMO-1's stem, and DEMO-5, an exact copy of
/// DEMO-2's stem with other options.
fn bank_with_duplicates() -> CliTest {
    let test = CliTest::new();
    let reworded = item("DEMO-3", "1").replace(
        "The board asked how the security program supports business goals.",
        "A vendor has lost a laptop that holds customer records.",
    );
    test.write("bank/items/d1/DEMO-3.toml", &reworded);
    let copy = item("DEMO-5", "2").replace(
        "A merger brings two incident response teams under one manager.",
        "An auditor found that user access is never recertified.",
    );
    test.write("bank/items/d2/DEMO-5.toml", &copy);
    test
}

/// `qbank dupes -f json EXTRA...` in `test`: its document.
fn dupes_json(test: &CliTest, extra: &[&str]) -> serde_json::Value {
    let output = test
        .command()
        .args(["dupes", "-f", "json"])
        .args(extra)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `qbank dupes --color never EXTRA...` in `test`: its text.
fn dupes_text(test: &CliTest, extra: &[&str]) -> String {
    let output = test
        .command()
        .args(["dupes", "--color", "never"])
        .args(extra)
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

#[test_case("text")]
#[test_case("json")]
#[test_case("concise")]
fn output_format(format: &str) {
    let test = bank_with_duplicates();
    insta::with_settings!({ filters => filters(), snapshot_suffix => format }, {
        assert_cmd_snapshot!(test.command().args(["dupes", "--color", "never", "-f", format]));
    });
}

#[test]
fn allowlisted_pairs_are_not_reported_and_stale_entries_are() {
    let test = bank_with_duplicates();
    test.write(
        "bank/dupes-allowlist.toml",
        "[[allow]]\nitems = [\"DEMO-1\", \"DEMO-3\"]\nreason = \"Reviewed: different tasks\"\n\n\
         [[allow]]\nitems = [\"DEMO-1\", \"DEMO-2\"]\nreason = \"Never similar\"\n",
    );
    let output = test
        .command()
        .args(["check", "-f", "concise"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains("DEMO-3.toml"), "{stdout}");
    assert!(stdout.contains("DEMO-5.toml"), "{stdout}");
    assert!(
        stdout.contains("dupes-allowlist.toml:5:1: warning[QB503] `DEMO-1` and `DEMO-2` are no longer near-duplicates"),
        "{stdout}"
    );
    let json = dupes_json(&test, &[]);
    assert_eq!(json["allowed"][0]["a"], "DEMO-1");
    assert_eq!(json["pairs"].as_array().unwrap().len(), 1);
    // `qbank dupes` reports the stale entry too, in its own formats.
    let stale = &json["stale_allowlist"];
    assert_eq!(stale.as_array().unwrap().len(), 1, "{json}");
    assert_eq!(stale[0]["file"], "bank/dupes-allowlist.toml");
    assert_eq!(
        (&stale[0]["line"], &stale[0]["column"]),
        (&5.into(), &1.into())
    );
    assert_eq!(stale[0]["severity"], "warning");
    let text = dupes_text(&test, &[]);
    assert!(
        text.contains(
            "\nAllowlist entries that allow nothing:\n  bank/dupes-allowlist.toml:5:1: warning[QB503] `DEMO-1` and `DEMO-2` are no longer near-duplicates\n    help: remove the entry: the stems now differ enough\n"
        ),
        "{text}"
    );
    // A search of some items judges the entries that name one of them, as `check` does.
    let stale_ids = |path: &str| {
        dupes_json(&test, &[path])["stale_allowlist"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(stale_ids("bank/items/d1/DEMO-3.toml"), 0);
    assert_eq!(stale_ids("bank/items/d2/DEMO-2.toml"), 1);
    // Naming the allowlist judges every entry, which takes every pair.
    assert_eq!(stale_ids("bank/dupes-allowlist.toml"), 1);
    let (concise, _) = test.concise(&["bank/dupes-allowlist.toml"]);
    assert!(
        concise.contains("dupes-allowlist.toml:5:1: warning[QB503] `DEMO-1` and `DEMO-2`"),
        "{concise}"
    );
    assert!(!concise.contains("QB501"), "{concise}");
    let (concise, _) = test.concise(&["bank/items/d2/DEMO-2.toml"]);
    assert!(
        concise.contains("dupes-allowlist.toml:5:1: warning[QB503] `DEMO-1` and `DEMO-2`"),
        "{concise}"
    );
    let (concise, _) = test.concise(&["bank/items/d1/DEMO-3.toml"]);
    assert!(!concise.contains("QB503"), "{concise}");
}

#[test]
fn suppressed_pairs_and_clones_are_left_out_as_check_leaves_them_out() {
    let test = bank_with_duplicates();
    // DEMO-3 is the later item of its pair, so its file is where the finding is filed; DEMO-1's
    // file silences nothing of it.
    let silenced = item("DEMO-3", "1")
        .replace(
            "The board asked how the security program supports business goals.",
            "A vendor has lost a laptop that holds customer records.",
        )
        .replace(
            "id = ",
            "# qbank: allow near-duplicate-stem -- the same case, asked of another role\nid = ",
        );
    test.write("bank/items/d1/DEMO-3.toml", &silenced);
    let json = dupes_json(&test, &[]);
    assert_eq!(json["silenced"][0]["b"], "DEMO-3", "{json}");
    let pairs: Vec<&serde_json::Value> = json["pairs"].as_array().unwrap().iter().collect();
    assert_eq!(pairs.len(), 1, "{json}");
    assert_eq!(pairs[0]["b"], "DEMO-5");
    let (concise, _) = test.concise(&[]);
    assert!(!concise.contains("QB501] stem of `DEMO-3`"), "{concise}");
    assert!(concise.contains("QB501] stem of `DEMO-5`"), "{concise}");
    let text = dupes_text(&test, &[]);
    assert!(
        text.contains("\n1 pair silenced by `# qbank: allow QB501` in its later item\n"),
        "{text}"
    );
    assert!(!text.contains("DEMO-1 ~ DEMO-3"), "{text}");
}

#[test]
fn an_allowlist_that_does_not_load_stops_the_search() {
    let test = bank_with_duplicates();
    test.write(
        "bank/dupes-allowlist.toml",
        "[[allow]]\nitems = [\"DEMO-1\", \"DEMO-3\"]\nreasn = \"typo\"\n",
    );
    for format in ["text", "json", "concise", "sarif"] {
        let output = test
            .command()
            .args(["dupes", "-f", format])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{format}: {stderr}");
        assert!(
            stderr.contains("the allowlist `bank/dupes-allowlist.toml` does not load"),
            "{stderr}"
        );
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn threshold_and_scope_come_from_the_command_line() {
    let test = bank_with_duplicates();
    let other_exam = item("OTHER-1", "1").replace("exam = \"demo\"", "exam = \"other\"");
    test.write("bank/items/x/OTHER-1.toml", &other_exam);
    let pairs = |args: &[&str]| {
        let output = test
            .command()
            .args(["dupes", "-f", "json"])
            .args(args)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        json["pairs"].as_array().unwrap().len()
    };
    assert_eq!(pairs(&[]), 2);
    assert_eq!(pairs(&["--threshold", "1"]), 1);
    // OTHER-1 repeats DEMO-1's stem in another exam.
    assert_eq!(pairs(&["--across-exams"]), 4);
    let output = test
        .command()
        .args(["dupes", "--threshold", "1.2"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn cloned_items_are_listed() {
    let test = CliTest::new();
    // DEMO-1's options and key under DEMO-4's stem.
    let stem = |id: &str| {
        item(id, "1")
            .lines()
            .find(|l| l.starts_with("stem = "))
            .unwrap()
            .to_owned()
    };
    let clone = item("DEMO-1", "1")
        .replace("DEMO-1", "DEMO-6")
        .replace(&stem("DEMO-1"), &stem("DEMO-4"));
    test.write(
        "bank/items/d2/DEMO-6.toml",
        &clone.replace("domain = \"1\"\ntask = \"1A\"\n", "domain = \"2\"\n"),
    );
    let stdout = dupes_text(&test, &[]);
    assert!(
        stdout
            .contains("Cloned items (same options and key, different stems):\n  DEMO-1, DEMO-6\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("Found 1 cloned set among 3 items.\n"),
        "{stdout}"
    );
    // QB502 is a warning: the run passes.
    assert_eq!(
        test.command().arg("dupes").output().unwrap().status.code(),
        Some(0)
    );
    // Silenced in the later item's file, the set is no longer a clone, in either command.
    test.write(
        "bank/items/d2/DEMO-6.toml",
        &format!(
            "# qbank: allow QB502 -- the same options answer both stems\n{}",
            clone.replace("domain = \"1\"\ntask = \"1A\"\n", "domain = \"2\"\n")
        ),
    );
    let stdout = dupes_text(&test, &[]);
    assert!(
        stdout.ends_with("No near-duplicates among 3 items.\n"),
        "{stdout}"
    );
    let (concise, _) = test.concise(&[]);
    assert!(!concise.contains("QB502"), "{concise}");
    // A second file with the same id, not silenced and after the silenced one in path order,
    // is still a clone in both commands.
    test.write(
        "bank/items/d3/DEMO-6.toml",
        &clone.replace("domain = \"1\"\ntask = \"1A\"\n", "domain = \"2\"\n"),
    );
    let (concise, _) = test.concise(&[]);
    assert!(
        concise.contains("d3/DEMO-6.toml:") && concise.contains("QB502"),
        "{concise}"
    );
    let stdout = dupes_text(&test, &[]);
    assert!(stdout.contains("\n  DEMO-1, DEMO-6\n"), "{stdout}");
}

/// A copied file holds the same id as its original: QB110 names both files, and no item is
/// reported as a near-duplicate or clone of itself.
#[test]
fn a_copied_file_is_a_duplicate_id_not_a_pair_with_itself() {
    let test = CliTest::new();
    let original = std::fs::read_to_string(test.root().join("bank/items/d1/DEMO-1.toml")).unwrap();
    test.write("bank/items/d1/DEMO-9.toml", &original);
    let (stdout, _) = test.concise(&[]);
    assert!(stdout.contains("error[QB110]"), "{stdout}");
    assert!(
        !stdout.contains("QB501") && !stdout.contains("QB502"),
        "{stdout}"
    );
    let json = dupes_json(&test, &[]);
    assert_eq!(json["pairs"], serde_json::json!([]), "{json}");
    assert_eq!(
        test.command().arg("dupes").output().unwrap().status.code(),
        Some(0)
    );
}
