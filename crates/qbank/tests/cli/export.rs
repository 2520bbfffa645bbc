use std::fmt::Write as _;
use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};
use test_case::test_case;

use crate::{CliTest, filters, item};

/// A bank with one item each that a public pack must never hold.
fn with_confidential_items() -> CliTest {
    let test = CliTest::new();
    let marked = |id: &str, domain: &str| {
        item(id, domain).replace("What should", &format!("MARKER-{id} What should"))
    };
    test.write(
        "bank/items/d1/DEMO-7.toml",
        &marked("DEMO-7", "1").replace(
            "status = \"approved\"",
            "status = \"approved\"\nsecure = true",
        ),
    );
    test.write(
        "bank/items/d1/DEMO-8.toml",
        &marked("DEMO-8", "1").replace("status = \"approved\"", "status = \"draft\""),
    );
    test.write(
        "bank/items/d2/DEMO-9.toml",
        &marked("DEMO-9", "2").replace("status = \"approved\"", "status = \"retired\""),
    );
    test
}

#[test_case("json")]
#[test_case("qti3")]
#[test_case("qti21")]
#[test_case("moodle")]
#[test_case("gift")]
#[test_case("csv")]
#[test_case("anki")]
fn export_format(format: &str) {
    let test = with_confidential_items();
    insta::with_settings!({ filters => filters(), snapshot_suffix => format }, {
        assert_cmd_snapshot!(test.command().args(["export", "--format", format, "--out", "pack.out"]));
    });
    let bytes = std::fs::read(test.root().join("pack.out")).unwrap();
    assert!(!bytes.is_empty());
    // Determinism: the same bank gives the same bytes.
    test.command()
        .args(["export", "--format", format, "--out", "again.out"])
        .output()
        .unwrap();
    assert_eq!(bytes, std::fs::read(test.root().join("again.out")).unwrap());
    if format == "json" || format == "csv" || format == "gift" || format == "moodle" {
        let content = String::from_utf8(bytes).unwrap();
        assert!(content.contains("DEMO-1") && content.contains("DEMO-2"));
        assert!(
            !content.contains("MARKER"),
            "a secure, draft or retired item leaked:\n{content}"
        );
    }
}

#[test]
fn findings_refuse_the_export_and_keep_the_old_pack() {
    let test = CliTest::with_findings();
    test.write("pack.json", "old pack\n");
    insta::with_settings!({ filters => filters() }, {
        assert_cmd_snapshot!(test.command().args(["export", "-f", "json", "-o", "pack.json"]));
    });
    assert_eq!(
        std::fs::read_to_string(test.root().join("pack.json")).unwrap(),
        "old pack\n"
    );
    let allowed = test
        .command()
        .args([
            "export",
            "-f",
            "json",
            "-o",
            "pack.json",
            "--allow-findings",
        ])
        .output()
        .unwrap();
    assert_eq!(
        allowed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&allowed.stdout)
    );
    let pack: serde_json::Value =
        serde_json::from_slice(&std::fs::read(test.root().join("pack.json")).unwrap()).unwrap();
    let ids: Vec<&str> = pack["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["DEMO-1", "DEMO-2"]);
}

#[test]
fn a_failed_export_leaves_no_partial_pack() {
    let test = CliTest::new();
    test.write("pack.xml", "old pack\n");
    test.write(
        "bank/items/d1/DEMO-3.toml",
        &item("DEMO-3", "1").replace("Order the unit", "Order the \\u0007 unit"),
    );
    let refused_with = |code: i32, message: &str| {
        let output = test
            .command()
            .args(["export", "-f", "moodle", "-o", "pack.xml"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
    };
    // The check refuses the control character first (QB116)...
    refused_with(
        1,
        "error-level findings in 1 file(s): bank/items/d1/DEMO-3.toml",
    );
    // ...and with that rule off, the Moodle writer refuses it, after the items were loaded.
    test.write("bank/qbank.toml", "[rules]\ncontrol-character = \"off\"\n");
    refused_with(2, "item `DEMO-3`: `options[1].text` holds U+0007");
    assert_eq!(
        std::fs::read_to_string(test.root().join("pack.xml")).unwrap(),
        "old pack\n"
    );
    // Nothing but the old pack beside the bank: no temporary file left behind.
    let mut names: Vec<String> = std::fs::read_dir(test.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bank", "pack.xml"]);
}

/// A pack replaces only a regular file: a folder, or a symbolic link, at the target (or at its
/// manifest's place) is refused before anything is written, so no new manifest lands beside
/// an old pack.
#[test]
fn an_export_refuses_to_replace_a_folder_or_a_link() {
    let test = CliTest::new();
    let names = || {
        let mut names: Vec<String> = std::fs::read_dir(test.root())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let refused = |out: &str, path: &str, kind: &str| {
        let output = test
            .command()
            .args(["export", "-f", "json", "-o", out])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("failed to access `{path}`"))
                && stderr.contains(&format!("{kind}: only a regular file is replaced")),
            "{stderr}"
        );
    };
    std::fs::create_dir(test.root().join("packs")).unwrap();
    refused("packs", "packs", "a folder");
    assert_eq!(names(), ["bank", "packs"]);
    // The manifest's place is checked before the pack is renamed too.
    std::fs::create_dir(test.root().join("pack.json.manifest.json")).unwrap();
    refused("pack.json", "pack.json.manifest.json", "a folder");
    assert_eq!(names(), ["bank", "pack.json.manifest.json", "packs"]);
    #[cfg(unix)]
    {
        test.write("real.json", "the old pack\n");
        std::os::unix::fs::symlink("real.json", test.root().join("link.json")).unwrap();
        refused("link.json", "link.json", "a symbolic link");
        assert_eq!(
            std::fs::read_to_string(test.root().join("real.json")).unwrap(),
            "the old pack\n"
        );
        assert!(
            std::fs::symlink_metadata(test.root().join("link.json"))
                .unwrap()
                .is_symlink()
        );
    }
}

/// A new pack and its manifest get the permissions the user's umask gives new files; a pack
/// that replaces another keeps the old one's.
#[cfg(unix)]
#[test]
fn new_packs_follow_the_umask_and_replaced_packs_keep_their_mode() {
    use std::os::unix::fs::PermissionsExt;
    let test = CliTest::new();
    let mode = |name: &str| {
        std::fs::metadata(test.root().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    let export_with_umask = |umask: &str, out: &str| {
        let qbank = get_cargo_bin("qbank");
        let output = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask} && exec \"$0\" export -f json -o {out}"
            ))
            .arg(&qbank)
            .current_dir(test.root())
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
    };
    export_with_umask("077", "private.json");
    assert_eq!(mode("private.json"), 0o600);
    assert_eq!(mode("private.json.manifest.json"), 0o600);
    export_with_umask("022", "shared.json");
    assert_eq!(mode("shared.json"), 0o644);
    // Replaced: the old mode stays, whatever the umask.
    std::fs::set_permissions(
        test.root().join("shared.json"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    export_with_umask("077", "shared.json");
    assert_eq!(mode("shared.json"), 0o640);
    assert_eq!(mode("shared.json.manifest.json"), 0o644);
}

/// Only item files gate an export: an error in a stray file under `items/` (no item can hide
/// there) or in a second blueprint does not stop it, while an item file that gives no item
/// does, by name.
#[test]
fn only_item_files_with_errors_refuse_the_export() {
    let test = CliTest::new();
    test.write(
        "bank/qbank.toml",
        "[rules]
QB109 = \"error\"\n",
    );
    test.write("bank/items/d1/notes.txt", "not an item\n");
    test.write(
        "bank/blueprints/broken.toml",
        "id = \"broken\"\nweights = [\n",
    );
    let export = || {
        test.command()
            .args(["export", "-f", "csv", "-o", "pack.csv"])
            .output()
            .unwrap()
    };
    let (concise, code) = test.concise(&[]);
    assert_eq!(code, Some(1), "{concise}");
    assert!(concise.contains("QB109"), "{concise}");
    let exported = export();
    assert_eq!(
        exported.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&exported.stdout),
        "Exported 2 items to `pack.csv` (csv, profile `default`, public).\n"
    );
    test.write("bank/items/d2/DEMO-9.toml", "id = \"DEMO-9\"\nstem = 1\n");
    let refused = export();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error-level findings in 1 file(s): bank/items/d2/DEMO-9.toml\n"),
        "{stderr}"
    );
}

#[test]
fn profiles_select_and_public_profiles_cannot_ask_for_drafts() {
    let test = with_confidential_items();
    test.write(
        "bank/qbank.toml",
        "[profiles.one]\nsample = 1\nseed = 3\n\n[profiles.board]\ninternal = true\nsecure = true\nstatuses = [\"draft\", \"approved\", \"retired\"]\n",
    );
    let one = test
        .command()
        .args(["export", "-f", "csv", "-o", "one.csv", "--profile", "one"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&one.stdout),
        "Exported 1 item to `one.csv` (csv, profile `one`, public).\n"
    );
    let board = test
        .command()
        .args([
            "export",
            "-f",
            "json",
            "-o",
            "board.json",
            "--profile",
            "board",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&board.stdout),
        "Exported 5 items to `board.json` (json, profile `board`, internal).\n"
    );
    let unknown = test
        .command()
        .args(["export", "-f", "csv", "-o", "x.csv", "--profile", "nope"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    test.write(
        "bank/qbank.toml",
        "[profiles.leaky]\nstatuses = [\"draft\"]\n",
    );
    insta::with_settings!({ filters => filters() }, {
        assert_cmd_snapshot!(test.command().args(["export", "-f", "csv", "-o", "x.csv", "--profile", "leaky"]));
    });
}

#[test]
fn the_default_profile_of_qbank_toml_applies_and_check_judges_every_profile() {
    let test = with_confidential_items();
    test.write(
        "bank/qbank.toml",
        "[profiles.default]\nsample = 1\nseed = 3\n",
    );
    let export = test
        .command()
        .args(["export", "-f", "csv", "-o", "one.csv"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&export.stdout),
        "Exported 1 item to `one.csv` (csv, profile `default`, public).\n"
    );
    // The default profile is what an export takes unasked, so it cannot be internal; and a
    // check of the bank refuses the profile before any export does.
    for config in [
        "[profiles.default]\ninternal = true\nsecure = true\n",
        "[profiles.leaky]\nstatuses = [\"draft\"]\n",
    ] {
        test.write("bank/qbank.toml", config);
        let check = test.command().args(["check"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&check.stderr);
        assert_eq!(check.status.code(), Some(2), "{config}: {stderr}");
        assert!(
            stderr.contains("invalid export profile in `bank/qbank.toml`"),
            "{config}: {stderr}"
        );
    }
    let export = test
        .command()
        .args(["export", "-f", "csv", "-o", "x.csv"])
        .output()
        .unwrap();
    assert_eq!(export.status.code(), Some(2));
    assert!(!test.root().join("x.csv").exists());
}

#[test]
fn no_keys_leaves_keys_out_where_the_format_allows() {
    let test = CliTest::new();
    let ok = test
        .command()
        .args(["export", "-f", "json", "-o", "p.json", "--no-keys"])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    let pack = std::fs::read_to_string(test.root().join("p.json")).unwrap();
    assert!(!pack.contains("\"correct\"") && !pack.contains("\"rationale\""));
    let refused = test
        .command()
        .args(["export", "-f", "gift", "-o", "p.gift", "--no-keys"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
}

#[test]
fn json_pack_imports_back_as_draft_items() {
    let test = CliTest::new();
    test.command()
        .args(["export", "-f", "json", "-o", "pack.json"])
        .output()
        .unwrap();
    insta::with_settings!({ filters => filters() }, {
        assert_cmd_snapshot!(test.command().args(["import", "pack.json", "--from", "json", "--prefix", "NEW"]));
    });
    let imported =
        std::fs::read_to_string(test.root().join("bank/items/imported/NEW-0001.toml")).unwrap();
    let original = std::fs::read_to_string(test.root().join("bank/items/d1/DEMO-1.toml")).unwrap();
    let body = |text: &str| -> String {
        text.lines()
            .filter(|l| {
                !l.starts_with("#:schema") && !l.starts_with("id =") && !l.starts_with("status =")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&imported), body(&original));
    // The imported drafts pass the schema and the item rules like every other item; only
    // bank-wide rules may see them as copies of the items they came from.
    let check = test
        .command()
        .args(["check", "-f", "concise", "bank/items/imported"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        !report.contains("error[QB1") && !report.contains("error[QB3"),
        "{report}"
    );
}

/// A GIFT file of `count` questions for the demo exam's domain 1.
fn gift_questions(count: usize) -> String {
    let mut text = String::new();
    for n in 0..count {
        let _ = write!(
            text,
            "::Q{n}::Which control comes first in case {n}?{{=Assess ~Buy ~Sell}}\n\n"
        );
    }
    text
}

/// An import writes all its items or none: a file already at one of the new ids stops it
/// before any item is written.
#[test]
fn an_import_writes_every_item_or_none() {
    let test = CliTest::new();
    test.write("questions.gift", &gift_questions(3));
    // A file the bank excludes, so its id is not taken; but the file is there.
    test.write(
        "bank/qbank.toml",
        "exclude = [\"items/imported/IMP-0002.toml\"]\n",
    );
    test.write("bank/items/imported/IMP-0002.toml", "not an item\n");
    let output = test
        .command()
        .args(["import", "questions.gift", "--from", "gift"])
        .args(["--exam", "demo", "--domain", "1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("IMP-0002.toml` already exists"), "{stderr}");
    let names: Vec<String> = std::fs::read_dir(test.root().join("bank/items/imported"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["IMP-0002.toml"]);
}

/// The prefix makes ids and file names, and the folder is inside the bank: neither can send
/// files elsewhere. A byte-order mark is not text, and items from GIFT get today's date as
/// both `created` and `updated`.
#[test]
fn an_import_stays_in_the_bank_and_reads_a_byte_order_mark() {
    let test = CliTest::new();
    test.write(
        "questions.gift",
        &format!(
            "\u{feff}// written by Moodle\n$CATEGORY: $course$/top/demo\n\n{}",
            gift_questions(1)
        ),
    );
    let import = |extra: &[&str]| {
        test.command()
            .args(["import", "questions.gift", "--from", "gift"])
            .args(["--exam", "demo", "--domain", "1"])
            .args(extra)
            .output()
            .unwrap()
    };
    for (flag, value) in [
        ("--prefix", "../../PWN"),
        ("--prefix", "bad id"),
        ("--prefix", "imp"),
        ("--into", "../escape"),
        ("--into", "/tmp/qbank-import-escape"),
    ] {
        let output = import(&[flag, value]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(
            stderr.contains(&format!("invalid `{flag} {value}`")),
            "{stderr}"
        );
    }
    assert!(!test.root().join("PWN-0001.toml").exists());
    assert!(!test.root().join("escape").exists());
    let output = import(&["--prefix", "CISM-IMP"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let item = std::fs::read_to_string(test.root().join("bank/items/imported/CISM-IMP-0001.toml"))
        .unwrap();
    assert!(
        item.contains("stem = \"Which control comes first in case 0?\""),
        "{item}"
    );
    let created = item.lines().find(|l| l.starts_with("created = ")).unwrap();
    let updated = item.lines().find(|l| l.starts_with("updated = ")).unwrap();
    assert_eq!(
        created["created = ".len()..],
        updated["updated = ".len()..],
        "{item}"
    );
}

/// Hundreds of items import under a limit of 256 open files: the written files are closed
/// before their renames, not held open together.
#[cfg(unix)]
#[test]
fn a_large_import_stays_within_the_open_file_limit() {
    let test = CliTest::new();
    test.write("questions.gift", &gift_questions(600));
    let output = Command::new("sh")
        .arg("-c")
        .arg(
            "ulimit -n 256 && exec \"$0\" import questions.gift --from gift --exam demo --domain 1",
        )
        .arg(get_cargo_bin("qbank"))
        .current_dir(test.root())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let dir = test.root().join("bank/items/imported");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 600);
    assert!(dir.join("IMP-0600.toml").is_file());
}

/// The outline of the demo exam's successor, `demo2`, whose crosswalk moves domain `2` of
/// `demo-2026` into task `1R`. (A new outline of the same exam would be the one in force, and
/// the items of domain `2` would then fail the check.)
const NEXT_OUTLINE: &str = r#"#:schema ../../schemas/blueprint.schema.json
id = "demo-2027"
exam = "demo2"
title = "Demo outline (2027)"
effective = 2027-01-01
form_length = 10
tolerance = 0.05

[[domains]]
id = "3"
title = "Operations"
weight = 0.3

[[domains]]
id = "1"
title = "Governance and risk"
weight = 0.7
tasks = [{ id = "1A", title = "Strategy" }, { id = "1R", title = "Risk" }]

[[crosswalk]]
blueprint = "demo-2026"
from = "2"
to = "1R"
"#;

#[test]
fn blueprint_exports_its_items_in_its_domains_and_names_an_unknown_id() {
    let test = CliTest::new();
    test.write("bank/blueprints/demo-2027.toml", NEXT_OUTLINE);
    let output = test
        .command()
        .args([
            "export",
            "-f",
            "json",
            "-o",
            "next.json",
            "--blueprint",
            "demo-2027",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pack: serde_json::Value =
        serde_json::from_slice(&std::fs::read(test.root().join("next.json")).unwrap()).unwrap();
    let placed: Vec<String> = pack["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| format!("{} {} {} {}", i["id"], i["exam"], i["domain"], i["task"]))
        .collect();
    assert_eq!(
        placed,
        [
            "\"DEMO-1\" \"demo2\" \"1\" \"1A\"",
            "\"DEMO-2\" \"demo2\" \"1\" \"1R\""
        ]
    );
    assert_eq!(pack["meta"]["blueprint"], "demo-2027");
    assert_eq!(pack["blueprints"].as_array().unwrap().len(), 1);

    insta::with_settings!({ filters => filters() }, {
        assert_cmd_snapshot!(test.command().args(["export", "-f", "csv", "-o", "x.csv", "--blueprint", "demo-1999"]), @r"
        success: false
        exit_code: 2
        ----- stdout -----

        ----- stderr -----
        qbank failed
          Cause: no blueprint `demo-1999` in the bank (known: demo-2026, demo-2027)
        ");
    });
    assert!(!test.root().join("x.csv").exists());
}

/// The `sample` profile of the bundled bank: which items it draws from each exam's domains.
#[test]
fn sample_profile_of_the_bundled_bank() {
    let test = CliTest::new();
    let bank = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bank");
    let output = test
        .command()
        .arg("export")
        .arg(&bank)
        .args(["-f", "json", "-o", "sample.json", "--profile", "sample"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pack: serde_json::Value =
        serde_json::from_slice(&std::fs::read(test.root().join("sample.json")).unwrap()).unwrap();
    let drawn = pack["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{} {} {}\n",
                i["exam"].as_str().unwrap(),
                i["domain"].as_str().unwrap(),
                i["id"].as_str().unwrap()
            )
        })
        .collect::<Vec<String>>()
        .concat();
    insta::assert_snapshot!(drawn);
}

/// Only errors stop an export, so it runs only the rules that can find one: a warning does not
/// stop it, a warning raised to an error does, and so does an unused suppression when QB114 is
/// an error (the rule it names must run to show that it finds nothing).
#[test]
fn only_error_level_findings_refuse_the_export() {
    let test = CliTest::new();
    test.write(
        "bank/items/d1/DEMO-3.toml",
        &item("DEMO-3", "1").replace("Order the unit", "Always order the unit"),
    );
    let lint = test
        .command()
        .args(["lint", "-f", "concise"])
        .output()
        .unwrap();
    let findings = String::from_utf8_lossy(&lint.stdout);
    assert!(findings.contains("QB307"), "{findings}");
    let export = |config: &str| {
        test.write("bank/qbank.toml", config);
        let output = test
            .command()
            .args(["export", "-f", "json", "-o", "pack.json"])
            .output()
            .unwrap();
        let text =
            String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
        (output.status.code(), text.into_owned())
    };
    let (code, out) = export("# demo bank\n");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("Exported 3 items"), "{out}");

    let (code, out) = export("[rules]\nQB307 = \"error\"\n");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("DEMO-3.toml"), "{out}");

    test.write(
        "bank/items/d1/DEMO-1.toml",
        &format!(
            "# qbank: allow QB309 -- the key may repeat the stem\n{}",
            item("DEMO-1", "1")
        ),
    );
    let (code, out) = export("# demo bank\n");
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = export("[rules]\nQB114 = \"error\"\n");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("DEMO-1.toml") && !out.contains("DEMO-3.toml"),
        "{out}"
    );
}
