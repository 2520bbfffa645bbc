//! Tests that run the real `qbank` binary.
#![expect(clippy::unwrap_used, reason = "test helpers fail the test loudly")]

mod check;
mod commands;

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

/// A valid approved item with id `id` in domain `domain`.
pub(crate) fn item(id: &str, domain: &str) -> String {
    format!(
        r#"#:schema ../../../schemas/item.schema.json
id = "{id}"
exam = "demo"
domain = "{domain}"
type = "single"
status = "approved"
stem = "A business unit adopted a cloud service without review. What should the manager do FIRST?"
rationale = "Assessing the risk comes before any decision to stop, report or rewrite policy."
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
text = "Rewrite the cloud policy at once"
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

/// Filters that make snapshots independent of the machine and version.
pub(crate) fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r#""version": "\d+\.\d+\.\d+""#, r#""version": "[VERSION]""#),
        (r"qbank \d+\.\d+\.\d+", "qbank [VERSION]"),
        (r"\\", "/"),
    ]
}
