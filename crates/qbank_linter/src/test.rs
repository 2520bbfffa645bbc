//! The fixture harness: each fixture file holds several bank files, written into a copy of the
//! fixture bank in `resources/test/bank` and checked with one rule enabled.
//!
//! A fixture is split into files at lines that start with `# ---`. A file goes to
//! `items/<id>.toml` (the id read from its `id = "..."` line), or where a `# file: PATH` line in
//! it says. Files before the line `# OK` must produce findings; files after it are near misses
//! that must produce none. All findings are rendered as plain text for the snapshot.
//!
//! [`check_fixture_with`] enables several rules, for rules that need another one to show their
//! effect (an unused suppression needs a rule to suppress). [`TempBank`] and [`check_files`]
//! build a bank from bytes, for what a text fixture cannot hold: invalid UTF-8, a byte order
//! mark, CRLF line endings, files that are not TOML, symbolic links, or a bank without the
//! fixture bank's configuration, blueprint and glossary.

use std::path::{Path, PathBuf};

use qbank_diagnostics::render::{self, DiagnosticFormat, RenderOptions, Report};
use qbank_diagnostics::{Diagnostic, Summary};
use qbank_workspace::Workspace;

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
    let flush = |text: &mut String, must_fire: bool, files: &mut Vec<FixtureFile>| {
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
    check_fixture_with(family, name, &[code])
}

/// Checks the fixture `family/name` with the rules `codes` enabled, for rules that only show
/// their effect next to another rule (a suppression needs a rule to suppress). Every file before
/// `# OK` must get a finding of the first code; files after it must get no finding at all.
/// Returns the rendered findings.
pub(crate) fn check_fixture_with(family: &str, name: &str, codes: &[&str]) -> String {
    let code = codes[0];
    let fixture = std::fs::read_to_string(Path::new(FIXTURES).join(family).join(name)).unwrap();
    let bank = TempBank::new();
    let files = split(&fixture);
    for file in &files {
        bank.write(&file.path, file.text.as_bytes());
    }
    let (workspace, diagnostics) = bank.run(codes);
    for file in &files {
        let in_file = |d: &&Diagnostic| workspace.absolute(d.file().path()).ends_with(&file.path);
        let fired = if file.must_fire {
            diagnostics.iter().filter(in_file).any(|d| d.code == code)
        } else {
            diagnostics.iter().any(|d| in_file(&d))
        };
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
            render_plain(&diagnostics),
        );
    }
    for diagnostic in &diagnostics {
        assert!(
            codes.contains(&diagnostic.code),
            "{} fired, but only {codes:?} are enabled",
            diagnostic.code
        );
    }
    bank.render(&diagnostics)
}

/// A bank in a temporary folder, for tests that need what a text fixture cannot hold: raw
/// bytes, symbolic links, or a bank without the fixture bank's files.
pub(crate) struct TempBank {
    // Kept for its `Drop`, which deletes the folder.
    _temp: tempfile::TempDir,
    root: PathBuf,
}

impl TempBank {
    /// A copy of the fixture bank in `resources/test/bank`.
    pub(crate) fn new() -> Self {
        let bank = Self::empty();
        copy_dir(Path::new(BANK), &bank.root);
        bank
    }

    /// An empty bank folder: no `qbank.toml`, no blueprint, no glossary.
    pub(crate) fn empty() -> Self {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("bank");
        std::fs::create_dir_all(&root).unwrap();
        Self { _temp: temp, root }
    }

    /// The bank's root folder.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `bytes` to `path`, relative to the bank's root, creating folders as needed.
    pub(crate) fn write(&self, path: impl AsRef<Path>, bytes: &[u8]) -> &Self {
        let path = self.root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
        self
    }

    /// Checks the bank with only the rules `codes` enabled.
    fn run(&self, codes: &[&str]) -> (Workspace, Vec<Diagnostic>) {
        let workspace = Workspace::discover(&self.root, None).unwrap();
        let settings = Settings::defaults().only(codes);
        let entries = workspace.files();
        let outcome = crate::check(&workspace, entries, &settings);
        (workspace, outcome.diagnostics)
    }

    /// Renders findings with paths relative to the bank's root. Paths are shown relative to the
    /// working directory when the two share a prefix (`../../.tmpX/bank/...`) and absolute
    /// otherwise, depending on where the checkout is; both forms are removed.
    fn render(&self, diagnostics: &[Diagnostic]) -> String {
        let shown = Workspace::discover(&self.root, None)
            .map_or_else(|_| self.root.clone(), |w| w.display_path(&self.root));
        render_plain(diagnostics)
            .replace(&format!("{}/", shown.display()), "")
            .replace(&format!("{}/", self.root.display()), "")
    }

    /// Checks the bank with only the rule `code` enabled, asserts that no other rule fired, and
    /// returns the rendered findings (empty when there are none).
    pub(crate) fn check(&self, code: &str) -> String {
        let (_, diagnostics) = self.run(&[code]);
        for diagnostic in &diagnostics {
            assert_eq!(diagnostic.code, code, "only {code} is enabled");
        }
        self.render(&diagnostics)
    }
}

/// Checks a copy of the fixture bank with `files` (bank-relative path and bytes) written into it
/// and only the rule `code` enabled, and returns the rendered findings (empty when there are none).
pub(crate) fn check_files(files: &[(&str, &[u8])], code: &str) -> String {
    let bank = TempBank::new();
    for (path, bytes) in files {
        bank.write(path, bytes);
    }
    bank.check(code)
}

/// A valid item of the fixture bank's exam, for tests that change its bytes.
pub(crate) const ITEM: &str = r#"id = "T-1"
exam = "test"
domain = "1"
type = "single"
status = "draft"
stem = "Which response BEST fits the scenario?"
authors = ["a"]
created = 2026-01-01

[[options]]
text = "Accept the risk"
correct = true

[[options]]
text = "Transfer the risk"

[[options]]
text = "Avoid the risk"

[[options]]
text = "Mitigate the risk"
"#;

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
    assert_rendered(family, &format!("{code}_{code}.toml"), &rendered);
}

/// Snapshots rendered findings as `name` in the family's `snapshots/` folder.
pub(crate) fn assert_rendered(family: &str, name: &str, rendered: &str) {
    insta::with_settings!({
        omit_expression => true,
        prepend_module_to_snapshot => false,
        snapshot_path => format!("rules/{family}/snapshots"),
    }, {
        insta::assert_snapshot!(name, rendered);
    });
}

/// A checked single-response item `id` of exam `test` with `options`, of which option `key` is
/// the key, and the lines `extra` (such as `shuffle = false\n`), for the bank-wide rules' tests.
pub(crate) fn checked_item(
    id: &str,
    options: &[&str],
    key: usize,
    extra: &str,
) -> crate::CheckedItem {
    let options: Vec<String> = options
        .iter()
        .enumerate()
        .map(|(i, text)| format!("{{ text = \"{text}\", correct = {} }}", i == key))
        .collect();
    let text = format!(
        "id = \"{id}\"\nexam = \"test\"\ndomain = \"1\"\ntype = \"single\"\n\
         status = \"draft\"\nstem = \"Which?\"\n{extra}options = [{}]\n",
        options.join(", ")
    );
    let document = qbank_model::Document::parse(&text).unwrap();
    let json = document.to_json().unwrap();
    let item = qbank_model::Item::from_document(&document, Some(json)).unwrap();
    crate::CheckedItem {
        option_facts: crate::rules::options::OptionFacts::of(&item),
        item: Box::new(item),
        file: qbank_diagnostics::SourceFile::new(format!("{id}.toml"), text.clone()),
        path: format!("{id}.toml").into(),
        stem_words: None,
    }
}
