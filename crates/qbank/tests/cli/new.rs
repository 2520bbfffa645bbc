use crate::CliTest;

#[test]
fn new_writes_a_draft_with_the_next_id_that_lint_flags_until_written() {
    let test = CliTest::new();
    let output = test
        .command()
        .args([
            "new",
            "--exam",
            "demo",
            "--domain",
            "1",
            "--task",
            "1A",
            "--author",
            "j.doe",
            "--date",
            "2026-11-22",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    // DEMO-1 is the highest id of domain 1; the file goes beside it.
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "bank/items/d1/DEMO-3.toml\n"
    );
    let written = std::fs::read_to_string(test.root().join("bank/items/d1/DEMO-3.toml")).unwrap();
    insta::assert_snapshot!(written);

    let check = test
        .command()
        .args(["check", "-f", "concise", "bank/items/d1/DEMO-3.toml"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    let stdout = String::from_utf8(check.stdout).unwrap();
    for place in [
        "8:8: error[QB115]",
        "9:13: error[QB115]",
        "10:15: error[QB115]",
    ] {
        assert!(stdout.contains(place), "{place} in {stdout}");
    }
    // Nothing but the placeholders and what follows from them is wrong.
    for line in stdout.lines().filter(|l| l.contains('[')) {
        assert!(
            ["QB115", "QB310"].iter().any(|code| line.contains(code)),
            "{line}"
        );
    }
}

#[test]
fn new_multiple_response_item_has_two_keys() {
    let test = CliTest::new();
    let output = test
        .command()
        .args([
            "new", "--exam", "demo", "--domain", "2", "--type", "multiple", "--author", "a",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let written = std::fs::read_to_string(test.root().join("bank/items/d2/DEMO-3.toml")).unwrap();
    assert_eq!(written.matches("correct = true").count(), 2);
    assert!(written.contains("type = \"multiple\""));
    assert!(written.contains("(Choose TWO.)"));
}

#[test]
fn new_rejects_unknown_exams_domains_tasks_and_dates() {
    let test = CliTest::new();
    for (args, message) in [
        (
            &["--exam", "cism", "--domain", "1"][..],
            "no blueprint is for exam `cism`; the bank's exams are `demo`",
        ),
        (
            &["--exam", "demo", "--domain", "7"][..],
            "blueprint `demo-2026` has no domain `7`; its domains are `1`, `2`",
        ),
        (
            &["--exam", "demo", "--domain", "1", "--task", "9Z"][..],
            "domain `1` of blueprint `demo-2026` has no task `9Z`",
        ),
        (
            &["--exam", "demo", "--domain", "1", "--date", "22.11.2026"][..],
            "`--date 22.11.2026` is not a date",
        ),
    ] {
        let output = test.command().arg("new").args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(message), "{stderr}");
    }
}

/// Runs at once never write one file: each that finds its id taken meanwhile takes the next,
/// so every run that says it wrote a file has a file of its own.
#[test]
fn runs_at_once_each_write_their_own_file() {
    let test = CliTest::new();
    let runs: Vec<std::process::Child> = (0..6)
        .map(|_| {
            test.command()
                .args(["new", "--exam", "demo", "--domain", "1", "--author", "a"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut written = Vec::new();
    for run in runs {
        let output = run.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        written.push(String::from_utf8(output.stdout).unwrap().trim().to_owned());
    }
    written.sort();
    written.dedup();
    assert_eq!(written.len(), 6, "{written:?}");
    for path in &written {
        assert!(test.root().join(path).is_file(), "{path}");
    }
}
