//! Tests that run the real `qbank` binary.
#![expect(clippy::unwrap_used, reason = "test helpers fail the test loudly")]
#![allow(
    clippy::similar_names,
    reason = "tests name paired values alike: a pack and its packed copy, a key and its keys"
)]

mod blueprint;
mod check;
mod commands;
mod confidentiality;
mod dupes;
mod export;
mod fmt;
mod hostile_input;
mod import_safety;
mod lsp;
mod new;
mod report;
mod sign;

use std::path::{Path, PathBuf};
use std::process::Command;

use insta_cmd::get_cargo_bin;

/// A temporary folder holding a bank, in which `qbank` runs.
pub(crate) struct CliTest {
    dir: tempfile::TempDir,
}

pub(crate) const BLUEPRINT: &str = r#"#:schema ../../schemas/blueprint.schema.json
id = "demo-2026"
exam = "demo"
title = "Demo outline"
form_length = 10
tolerance = 0.05
options_per_item = 4

[[domains]]
id = "1"
title = "Governance"
weight = 0.5
tasks = [{ id = "1A", title = "Strategy" }]

[[domains]]
id = "2"
title = "Risk"
weight = 0.5
"#;

/// Scenarios for the stems of test items, and a distractor for each, different enough that no
/// two items are near-duplicates (QB501) or clones (QB502).
const SCENARIOS: [(&str, &str); 10] = [
    (
        "A business unit adopted a cloud service without review.",
        "Rewrite the cloud policy at once",
    ),
    (
        "A vendor lost a laptop that held customer records.",
        "Replace the vendor at once",
    ),
    (
        "An auditor found that user access is never recertified.",
        "Remove the accounts at once",
    ),
    (
        "The board asked how the security program supports business goals.",
        "Send the board the full budget",
    ),
    (
        "A phishing test showed that one employee in three clicks on links.",
        "Block external mail at the gateway",
    ),
    (
        "A merger brings two incident response teams under one manager.",
        "Dismiss one of the two teams",
    ),
    (
        "Backups of the payroll system were never restored in a test.",
        "Buy a second backup product",
    ),
    (
        "A regulator announced new breach notification deadlines.",
        "Ask the regulator for an exemption",
    ),
    (
        "Developers keep production secrets in a shared spreadsheet.",
        "Forbid spreadsheets company-wide",
    ),
    (
        "A key supplier refuses to answer a security questionnaire.",
        "Sue the supplier for breach",
    ),
];

/// A valid approved item with id `id` in domain `domain`; the stem's scenario depends on the
/// id's last digit.
pub(crate) fn item(id: &str, domain: &str) -> String {
    let digit = id.chars().rev().find_map(|c| c.to_digit(10)).unwrap_or(0);
    let (scenario, distractor) = SCENARIOS[digit as usize];
    // Items of domain 1 cover the demo blueprint's task 1A (QB419).
    let task = if domain == "1" { "task = \"1A\"\n" } else { "" };
    format!(
        r#"#:schema ../../../schemas/item.schema.json
id = "{id}"
exam = "demo"
domain = "{domain}"
{task}type = "single"
status = "approved"
stem = "{scenario} What should the manager do FIRST?"
rationale = "Assessing the risk comes before any decision to stop, report or rewrite policy. Option D is out of proportion."
references = ["ISO/IEC 27001:2022, clause 6.1.2"]
authors = ["j.doe"]
reviewers = ["a.roe"]
created = 2026-01-05
updated = 2026-02-01

[[options]]
text = "Assess the risk it creates first"
correct = true

[[options]]
text = "Order the unit to stop using it"

[[options]]
text = "Report the unit to the audit committee"

[[options]]
text = "{distractor}"
"#
    )
}

impl CliTest {
    /// A bank with the demo blueprint and two valid items.
    pub(crate) fn new() -> Self {
        let test = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        test.write("bank/qbank.toml", "# demo bank\n");
        test.write("bank/blueprints/demo-2026.toml", BLUEPRINT);
        test.write("bank/items/d1/DEMO-1.toml", &item("DEMO-1", "1"));
        test.write("bank/items/d2/DEMO-2.toml", &item("DEMO-2", "2"));
        test
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn write(&self, path: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `qbank` in the test folder, without colour.
    pub(crate) fn command(&self) -> Command {
        let mut command = Command::new(get_cargo_bin("qbank"));
        command.current_dir(self.dir.path()).env("NO_COLOR", "1");
        command
    }

    /// Runs `qbank check -f concise` with `extra` arguments: its standard output and exit code.
    pub(crate) fn concise(&self, extra: &[&str]) -> (String, Option<i32>) {
        let output = self
            .command()
            .args(["check", "-f", "concise"])
            .args(extra)
            .output()
            .unwrap();
        (
            String::from_utf8(output.stdout).unwrap(),
            output.status.code(),
        )
    }

    /// A bank with one item of every common defect, for output-format tests.
    pub(crate) fn with_findings() -> Self {
        let test = Self::new();
        let broken = item("DEMO-3", "1")
            .replace("status = \"approved\"", "status = \"aproved\"")
            .replace("stem = ", "stme = \"typo\"\nstem = ");
        test.write("bank/items/d1/DEMO-3.toml", &broken);
        let misplaced =
            item("DEMO-4", "9").replace("reviewers = [\"a.roe\"]", "reviewers = [\"j.doe\"]");
        test.write("bank/items/d2/DEMO-4.toml", &misplaced);
        test.write(
            "bank/items/d2/DEMO-5.toml",
            "id = \"DEMO-5\"\nstem = \"unterminated\n",
        );
        test
    }
}

/// Filters that make snapshots independent of the machine and version. Paths are written with
/// `\` on Windows only: elsewhere a backslash is output (an escape in JSON, SARIF or a
/// message) and stays in the snapshot.
pub(crate) fn filters() -> Vec<(&'static str, &'static str)> {
    let mut filters = vec![
        (r#""version": "\d+\.\d+\.\d+""#, r#""version": "[VERSION]""#),
        (r"qbank \d+\.\d+\.\d+", "qbank [VERSION]"),
    ];
    if cfg!(windows) {
        filters.push((r"\\", "/"));
    }
    filters
}
