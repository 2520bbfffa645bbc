use insta_cmd::assert_cmd_snapshot;
use test_case::test_case;

use crate::{CliTest, filters, item};

/// The demo bank with one more item in domain 1, which puts both domains out of tolerance.
fn unbalanced() -> CliTest {
    let test = CliTest::new();
    test.write("bank/items/d1/DEMO-3.toml", &item("DEMO-3", "1"));
    let draft = item("DEMO-4", "2").replace("status = \"approved\"", "status = \"draft\"");
    test.write("bank/items/d2/DEMO-4.toml", &draft);
    test
}

/// A bank with `per_domain` approved items in each of the demo blueprint's two domains.
fn pool(per_domain: usize) -> CliTest {
    let test = CliTest::new();
    for domain in ["1", "2"] {
        for n in 0..per_domain {
            let id = format!("POOL-{domain}{n:03}");
            let file = item(&id, domain).replace(
                "status = \"approved\"",
                &format!("status = \"approved\"\ndifficulty = {}", 1 + n % 5),
            );
            test.write(&format!("bank/items/d{domain}/{id}.toml"), &file);
        }
    }
    test
}

#[test_case("text")]
#[test_case("json")]
#[test_case("markdown")]
fn output_format(format: &str) {
    let test = unbalanced();
    insta::with_settings!({ filters => filters(), snapshot_suffix => format }, {
        assert_cmd_snapshot!(test.command().args(["blueprint", "--format", format]));
    });
}

#[test]
fn json_has_the_documented_fields() {
    let test = CliTest::new();
    let output = test
        .command()
        .args(["blueprint", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let domain = &json["blueprints"][0]["domains"][0];
    for key in ["id", "weight", "count", "share", "quota", "ok"] {
        assert!(domain.get(key).is_some(), "missing `{key}` in {domain}");
    }
    assert_eq!(domain["quota"], 5);
    assert_eq!(domain["ok"], true);
}

#[test]
fn status_flag_counts_other_statuses() {
    let test = unbalanced();
    let output = test
        .command()
        .args(["blueprint", "-f", "json", "--status", "approved,draft"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["blueprints"][0]["items"], 4);
    assert_eq!(json["statuses"], serde_json::json!(["draft", "approved"]));
    // 2 of 4 in each domain: balanced.
    assert_eq!(output.status.code(), Some(0));
    let bad = test
        .command()
        .args(["blueprint", "--status", "aproved"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// With no item counted, the domains have no shares to judge: the table says so rather than
/// showing every domain out of tolerance beside a warning-only result.
#[test]
fn a_blueprint_without_counted_items_judges_no_domain() {
    let test = unbalanced();
    for format in ["text", "markdown"] {
        let output = test
            .command()
            .args(["blueprint", "-f", format, "--status", "retired"])
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            !stdout.contains("OUT") && !stdout.contains("out of tolerance"),
            "{stdout}"
        );
        assert!(
            stdout.contains("n/a") || stdout.contains("no items counted"),
            "{stdout}"
        );
        assert_eq!(output.status.code(), Some(0), "{stdout}");
    }
}

#[test]
fn unknown_blueprint_is_a_usage_error() {
    let test = CliTest::new();
    assert_cmd_snapshot!(test.command().args(["blueprint", "--blueprint", "demo-1999"]), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    qbank failed
      Cause: unknown blueprint `demo-1999`: the bank has `demo-2026`
    ");
}

/// A blueprint whose weights do not sum to 1 (QB414), or whose file does not load, is not
/// reported on or assembled from as if it were sound: each command says why.
#[test]
fn a_blueprint_that_is_not_sound_is_refused() {
    let test = pool(5);
    let path = "bank/blueprints/demo-2026.toml";
    test.write(
        path,
        &crate::BLUEPRINT.replace("weight = 0.5\ntasks", "weight = 0.3\ntasks"),
    );
    let assemble = [
        "assemble",
        "--blueprint",
        "demo-2026",
        "--forms",
        "1",
        "--out",
        "forms",
    ];
    assert_cmd_snapshot!(test.command().args(assemble), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    qbank failed
      Cause: blueprint `demo-2026` cannot be used: its domain weights sum to 0.8, not 1 (QB414)
    ");
    assert!(!test.root().join("forms").exists());
    let output = test.command().args(["blueprint"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8(output.stderr).unwrap().contains(
        "warning: blueprint `demo-2026` is left out: its domain weights sum to 0.8, not 1 (QB414)"
    ));

    test.write(
        path,
        &crate::BLUEPRINT.replace("form_length = 10", "form_length = \"10\""),
    );
    assert_cmd_snapshot!(test.command().args(assemble), @r"
    success: false
    exit_code: 2
    ----- stdout -----

    ----- stderr -----
    qbank failed
      Cause: blueprint `demo-2026` cannot be used: `bank/blueprints/demo-2026.toml` does not load; `qbank check` reports why
    ");
}

const NEXT: &str = r#"#:schema ../../schemas/blueprint.schema.json
id = "demo-2027"
exam = "demo"
title = "Demo outline (2027)"
effective = 2027-01-01
form_length = 10
tolerance = 0.05

[[domains]]
id = "1"
title = "Governance and risk"
weight = 0.7
tasks = [{ id = "1A", title = "Strategy" }, { id = "1R", title = "Risk" }]

[[domains]]
id = "3"
title = "Operations"
weight = 0.3

[[crosswalk]]
blueprint = "demo-2026"
from = "2"
to = "1R"
"#;

#[test]
fn crosswalk_reports_the_bank_under_the_new_outline() {
    let test = unbalanced();
    test.write("bank/blueprints/demo-2027.toml", NEXT);
    insta::with_settings!({ filters => filters() }, {
        assert_cmd_snapshot!(test
            .command()
            .args(["blueprint", "--crosswalk", "demo-2026", "demo-2027"]));
    });
}

#[test]
fn assemble_writes_verified_reproducible_forms() {
    let test = pool(20);
    let run = |out: &str| {
        test.command()
            .args([
                "assemble",
                "--blueprint",
                "demo-2026",
                "--forms",
                "3",
                "--seed",
                "7",
                "--out",
                out,
            ])
            .output()
            .unwrap()
    };
    let output = run("forms");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    insta::with_settings!({ filters => filters() }, {
        insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
    });
    assert!(run("again").status.success());
    let mut seen = std::collections::HashSet::new();
    for name in [
        "form-01.json",
        "form-02.json",
        "form-03.json",
        "summary.json",
    ] {
        let first = std::fs::read(test.root().join("forms").join(name)).unwrap();
        let second = std::fs::read(test.root().join("again").join(name)).unwrap();
        assert_eq!(first, second, "{name} differs between runs");
        if name == "summary.json" {
            continue;
        }
        let manifest: serde_json::Value = serde_json::from_slice(&first).unwrap();
        assert_eq!(manifest["blueprint"], "demo-2026");
        assert_eq!(manifest["seed"], 7);
        assert_eq!(manifest["domains"], serde_json::json!({"1": 5, "2": 5}));
        let items = manifest["items"].as_array().unwrap();
        assert_eq!(items.len(), 10);
        for id in items {
            assert!(seen.insert(id.as_str().unwrap().to_owned()), "{id} reused");
        }
    }
}

#[test]
fn assemble_names_the_constraint_it_cannot_meet() {
    let test = pool(12);
    assert_cmd_snapshot!(test.command().args([
        "assemble", "--blueprint", "demo-2026", "--forms", "3", "--out", "forms",
    ]), @r"
    success: false
    exit_code: 1
    ----- stdout -----

    ----- stderr -----
    cannot assemble 3 forms of `demo-2026`:
      - domain 1 needs 5 items on each of 3 forms with no overlap; the pool has 13
      - domain 2 needs 5 items on each of 3 forms with no overlap; the pool has 13
    ");
    assert!(!test.root().join("forms").exists());
}

/// The number of forms is bounded: each pair of forms is compared, so a mistyped count
/// would otherwise run out of memory instead of failing.
#[test]
fn assemble_refuses_more_than_a_thousand_forms() {
    let test = CliTest::new();
    let output = test
        .command()
        .args([
            "assemble",
            "--blueprint",
            "demo-2026",
            "--forms",
            "1001",
            "--out",
            "forms",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("1001 is not in 1..=1000"), "{stderr}");
}

/// A blueprint in a file not named after its id loads (QB111 flags the name only), and is not
/// called one that does not load.
#[test]
fn a_misnamed_blueprint_file_still_loads() {
    let test = CliTest::new();
    std::fs::rename(
        test.root().join("bank/blueprints/demo-2026.toml"),
        test.root().join("bank/blueprints/demo.toml"),
    )
    .unwrap();
    let output = test.command().arg("blueprint").output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("left out"), "{stderr}");
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("demo-2026")
    );
}
