//! The fixture harness: each fixture file holds several bank files, written into a copy of the
//! fixture bank in `resources/test/bank` and checked with one rule enabled.
//!
//! A fixture is split into files at lines that start with `# ---`. A file goes to
//! `items/<id>.toml` (the id read from its `id = "..."` line), or where a `# file: PATH` line in
//! it says. Files before the line `# OK` must produce findings; files after it are near misses
//! that must produce none. All findings are rendered as plain text for the snapshot.

use std::path::{Path, PathBuf};

use qbank_diagnostics::render::{self, DiagnosticFormat, RenderOptions, Report};
use qbank_diagnostics::{Diagnostic, Summary};
use qbank_workspace::{Workspace, read_files};

use crate::settings::Settings;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/resources/test/fixtures");
const BANK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/resources/test/bank");

/// One file of a fixture.
struct FixtureFile {
    path: PathBuf,
    text: String,
    must_fire: bool,
}

fn split(fixture: &str) -> Vec<FixtureFile> {
    let mut files = Vec::new();
    let mut must_fire = true;
    let mut current = String::new();
    let mut flush = |text: &mut String, must_fire: bool, files: &mut Vec<FixtureFile>| {
        if text
            .lines()
            .any(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let path = text
                .lines()
                .find_map(|l| l.strip_prefix("# file: ").map(|p| PathBuf::from(p.trim())))
                .or_else(|| {
                    text.lines().find_map(|l| {
                        let id = l.strip_prefix("id = \"")?.strip_suffix('"')?;
                        Some(PathBuf::from(format!("items/{id}.toml")))
                    })
                })
                .unwrap_or_else(|| PathBuf::from(format!("items/file-{}.toml", files.len())));
            files.push(FixtureFile {
                path,
                text: std::mem::take(text),
                must_fire,
            });
        }
        text.clear();
    };
    for line in fixture.lines() {
        if line.starts_with("# ---") {
            flush(&mut current, must_fire, &mut files);
        } else if line.trim() == "# OK" {
            flush(&mut current, must_fire, &mut files);
            must_fire = false;
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    flush(&mut current, must_fire, &mut files);
    files
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Checks the fixture `family/name` with only the rule `code` enabled, asserts that every file
/// before `# OK` fires and none after it does, and returns the rendered findings.
pub(crate) fn check_fixture(family: &str, name: &str, code: &str) -> String {
    let fixture = std::fs::read_to_string(Path::new(FIXTURES).join(family).join(name)).unwrap();
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("bank");
    copy_dir(Path::new(BANK), &root);
    let files = split(&fixture);
    for file in &files {
        let path = root.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.text).unwrap();
    }
    let workspace = Workspace::discover(&root, None).unwrap();
    let settings = Settings::defaults().only(&[code]);
    let entries = workspace.files();
    let outcome = crate::check(
        &workspace,
        read_files(entries, workspace.max_file_size()),
        &settings,
    );
    for file in &files {
        let fired = outcome
            .diagnostics
            .iter()
            .any(|d| workspace.absolute(d.file().path()).ends_with(&file.path));
        assert_eq!(
            fired,
            file.must_fire,
            "{code}: `{}` {} in fixture {family}/{name}:\n{}",
            file.path.display(),
            if file.must_fire {
                "did not fire"
            } else {
                "fired but is a near miss"
            },
            render_plain(&outcome.diagnostics),
        );
    }
    for diagnostic in &outcome.diagnostics {
        assert_eq!(diagnostic.code, code, "only {code} is enabled");
    }
    render_plain(&outcome.diagnostics).replace(&format!("{}/", root.display()), "")
}

fn render_plain(diagnostics: &[Diagnostic]) -> String {
    let report = Report {
        diagnostics,
        summary: Summary::new(0, 0, diagnostics),
        rules: &[],
        tool_version: "test",
    };
    let mut out = Vec::new();
    render::render(
        DiagnosticFormat::Text,
        &report,
        RenderOptions::default(),
        &mut out,
    )
    .unwrap();
    // The summary line counts nothing useful here.
    let text = String::from_utf8(out).unwrap();
    text.lines()
        .filter(|l| !l.starts_with("Found ") && !l.starts_with("All checks passed"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Snapshots the findings of a rule's fixture as `{code}_{code}.toml`, in the family's
/// `snapshots/` folder.
pub(crate) fn assert_fixture(family: &str, code: &str) {
    let rendered = check_fixture(family, &format!("{code}.toml"), code);
    insta::with_settings!({
        omit_expression => true,
        prepend_module_to_snapshot => false,
        snapshot_path => format!("rules/{family}/snapshots"),
    }, {
        insta::assert_snapshot!(format!("{code}_{code}.toml"), rendered);
    });
}
