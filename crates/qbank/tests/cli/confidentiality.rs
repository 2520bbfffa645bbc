//! Proof that no public pack ever holds a secure, draft or retired item, in any format, with
//! any public profile and any flags; and that a pack without keys holds no key, feedback or
//! rationale.
//!
//! The bank has, for each of two exams, one item of every status, each once plain and once
//! secure, and each with an exhibit. Every item carries a marker of its own in its stem, its
//! options, its option feedback, its rationale and its exhibit file. Each export is searched
//! byte for byte: the pack itself, every member of a zip (QTI packages, the `.apkg`), and
//! every value of every table of the Anki collection inside the `.apkg`. An internal profile
//! that takes every item shows that the search finds each marker in each format.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::CliTest;

/// The formats of `qbank export`, and whether each accepts `--no-keys`.
const FORMATS: [(&str, bool); 7] = [
    ("json", true),
    ("qti3", true),
    ("qti21", true),
    ("moodle", false),
    ("gift", false),
    ("csv", true),
    ("anki", false),
];

const STATUSES: [&str; 4] = ["draft", "review", "approved", "retired"];

/// One item of the test bank.
#[derive(Clone, Debug)]
struct Fixture {
    id: String,
    exam: &'static str,
    status: &'static str,
    secure: bool,
    /// The marker's number, unique in the bank.
    n: usize,
}

impl Fixture {
    fn marker(&self, part: &str) -> String {
        format!("mk{:02}{part}zz", self.n)
    }

    /// Markers of the parts every format carries.
    fn content_markers(&self) -> Vec<String> {
        vec![
            self.marker("stem"),
            self.marker("opta"),
            self.marker("optb"),
        ]
    }

    /// Markers of the parts a pack without keys leaves out.
    fn key_markers(&self) -> Vec<String> {
        vec![self.marker("rationale"), self.marker("feedback")]
    }

    fn all_markers(&self) -> Vec<String> {
        let mut all = self.content_markers();
        all.extend(self.key_markers());
        all.push(self.marker("media"));
        all
    }

    /// Whether a public profile that asks for the item's status may hold it.
    fn publishable(&self) -> bool {
        !self.secure && matches!(self.status, "review" | "approved")
    }

    fn toml(&self) -> String {
        let secure = if self.secure { "secure = true\n" } else { "" };
        format!(
            r#"id = "{id}"
exam = "{exam}"
domain = "{domain}"
type = "single"
status = "{status}"
{secure}stem = "Case {stem}: a supplier lost a backup tape. What should the manager do FIRST?"
rationale = "Because {rationale} assessing the exposure comes first."
references = ["ISO/IEC 27001:2022, clause 6.1.2"]
exhibits = [{{ file = "{id}.png", alt = "Tape label" }}]
authors = ["j.doe"]
reviewers = ["a.roe"]
created = 2026-01-05
updated = 2026-02-01

[[options]]
text = "Assess the exposure of {opta}"
correct = true
feedback = "Right, {feedback}"

[[options]]
text = "Replace the supplier of {optb}"

[[options]]
text = "Report the supplier to the board"

[[options]]
text = "Buy a second tape library"
"#,
            id = self.id,
            exam = self.exam,
            domain = 1 + self.n % 2,
            status = self.status,
            stem = self.marker("stem"),
            rationale = self.marker("rationale"),
            opta = self.marker("opta"),
            optb = self.marker("optb"),
            feedback = self.marker("feedback"),
        )
    }
}

fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    for exam in ["alpha", "beta"] {
        for status in STATUSES {
            for secure in [false, true] {
                let n = out.len() + 1;
                out.push(Fixture {
                    id: format!(
                        "{}-{}-{}",
                        exam.to_uppercase(),
                        status.to_uppercase(),
                        if secure { "S" } else { "P" }
                    ),
                    exam,
                    status,
                    secure,
                    n,
                });
            }
        }
    }
    out
}

fn blueprint(exam: &str) -> String {
    format!(
        r#"id = "{exam}-2026"
exam = "{exam}"
title = "{exam} outline"
form_length = 4
tolerance = 0.5
options_per_item = 4

[[domains]]
id = "1"
title = "Governance"
weight = 0.5

[[domains]]
id = "2"
title = "Risk"
weight = 0.5
"#
    )
}

fn concepts() -> String {
    let mut out = String::new();
    for exam in ["alpha", "beta"] {
        for (i, title) in ["Risk appetite", "Residual risk", "Control", "Threat"]
            .iter()
            .enumerate()
        {
            write!(
                out,
                "[[concepts]]\nid = \"{exam}-c{i}\"\ntitle = \"{title} {exam}\"\nexam = [\"{exam}\"]\ndefinition = \"Definition {i} of {exam}.\"\n\n"
            )
            .unwrap();
        }
    }
    out
}

/// The public profiles, each exercising one option, and one internal profile that takes
/// everything.
const CONFIG: &str = r#"[rules]
# The wording rules are beside the point here; structure and metadata stay errors.
QB2 = "off"
QB3 = "off"
QB5 = "off"

[profiles.reviewed]
description = "Review and approved items"
statuses = ["review", "approved"]

[profiles.explicit]
internal = false
secure = false
statuses = ["approved"]

[profiles.sample]
statuses = ["review", "approved"]
sample = 3
seed = 7

[profiles.alpha]
statuses = ["review", "approved"]
blueprint = "alpha-2026"

[profiles.keyless]
statuses = ["review", "approved"]
no_keys = true

[profiles.glossary]
glossary = true

[profiles.vault]
internal = true
secure = true
statuses = ["draft", "review", "approved", "retired"]
"#;

const PUBLIC_PROFILES: [Option<&str>; 8] = [
    None,
    Some("default"),
    Some("reviewed"),
    Some("explicit"),
    Some("sample"),
    Some("alpha"),
    Some("keyless"),
    Some("glossary"),
];

/// The test bank; with `broken`, also an unreadable secure item and a draft, a secure and a
/// publishable item with error-level findings, so that `--allow-findings` matters.
fn bank(broken: bool) -> CliTest {
    let test = CliTest::new();
    std::fs::remove_dir_all(test.root().join("bank")).unwrap();
    test.write("bank/qbank.toml", CONFIG);
    test.write("bank/blueprints/alpha-2026.toml", &blueprint("alpha"));
    test.write("bank/blueprints/beta-2026.toml", &blueprint("beta"));
    test.write("bank/concepts.toml", &concepts());
    for f in fixtures() {
        test.write(&format!("bank/items/{}/{}.toml", f.exam, f.id), &f.toml());
        test.write(
            &format!("bank/media/{}.png", f.id),
            &format!("not a picture: {}", f.marker("media")),
        );
    }
    if broken {
        for f in broken_fixtures() {
            // An item from another exam's domain: an error-level metadata finding.
            let text = f.toml().replace("domain = ", "domain = \"9\"\n#");
            test.write(&format!("bank/items/broken/{}.toml", f.id), &text);
            test.write(
                &format!("bank/media/{}.png", f.id),
                &format!("not a picture: {}", f.marker("media")),
            );
        }
        // A secure item that does not parse.
        test.write(
            "bank/items/broken/ALPHA-UNREADABLE-S.toml",
            "id = \"ALPHA-UNREADABLE-S\"\nsecure = true\nstem = \"mk99stemzz\n",
        );
    }
    test
}

/// Items with error-level findings: never in any pack.
fn broken_fixtures() -> Vec<Fixture> {
    [("draft", false), ("approved", true), ("approved", false)]
        .into_iter()
        .enumerate()
        .map(|(i, (status, secure))| Fixture {
            id: format!(
                "ALPHA-BROKEN-{}-{}",
                status.to_uppercase(),
                if secure { "S" } else { "P" }
            ),
            exam: "alpha",
            status,
            secure,
            n: 50 + i,
        })
        .collect()
}

/// Every byte an export produced, with zips opened and the Anki collection read table by
/// table.
fn searchable(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let mut out = bytes.clone();
    if !bytes.starts_with(b"PK") {
        return out;
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).unwrap();
        let name = member.name().to_owned();
        out.extend_from_slice(name.as_bytes());
        let mut content = Vec::new();
        member.read_to_end(&mut content).unwrap();
        if name.starts_with("collection.anki2") {
            out.extend(sqlite_values(path, &content));
        }
        out.extend(content);
    }
    out
}

/// Every value of every table of an `SQLite` database, as bytes.
fn sqlite_values(beside: &Path, database: &[u8]) -> Vec<u8> {
    let file = beside.with_extension("sqlite");
    std::fs::write(&file, database).unwrap();
    let connection = rusqlite::Connection::open(&file).unwrap();
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(tables.iter().any(|t| t == "notes"), "{tables:?}");
    let mut out = Vec::new();
    for table in tables {
        let mut statement = connection
            .prepare(&format!("SELECT * FROM \"{table}\""))
            .unwrap();
        let columns = statement.column_count();
        let mut rows = statement.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                        out.extend_from_slice(b);
                    }
                    _ => {}
                }
                out.push(b'\n');
            }
        }
    }
    connection.close().map_err(|(_, e)| e).unwrap();
    std::fs::remove_file(&file).unwrap();
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// One export of the matrix.
struct Export<'a> {
    format: &'a str,
    profile: Option<&'a str>,
    blueprint: Option<&'a str>,
    allow_findings: bool,
    no_keys: bool,
}

impl Export<'_> {
    fn args(&self, out: &str) -> Vec<String> {
        let mut args = vec![
            "export".to_owned(),
            "-f".to_owned(),
            self.format.to_owned(),
            "-o".to_owned(),
            out.to_owned(),
        ];
        if let Some(p) = self.profile {
            args.extend(["--profile".to_owned(), p.to_owned()]);
        }
        if let Some(b) = self.blueprint {
            args.extend(["--blueprint".to_owned(), b.to_owned()]);
        }
        if self.allow_findings {
            args.push("--allow-findings".to_owned());
        }
        if self.no_keys {
            args.push("--no-keys".to_owned());
        }
        args
    }

    fn keyless(&self) -> bool {
        self.no_keys || self.profile == Some("keyless")
    }
}

/// Runs one export and checks it; returns whether a pack was written.
fn check_export(test: &CliTest, export: &Export<'_>, out: &str, broken: bool) -> bool {
    let path = test.root().join(out);
    let _ = std::fs::remove_file(&path);
    let args = export.args(out);
    let output = test.command().args(&args).output().unwrap();
    let context = format!(
        "qbank {}\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let code = output.status.code();
    let all = fixtures();
    let broken_items = broken_fixtures();
    // Messages never quote a forbidden item's content.
    for f in all.iter().chain(&broken_items) {
        if !f.publishable() {
            for m in f.all_markers() {
                assert!(!contains(&output.stdout, &m), "{m} in output: {context}");
                assert!(!contains(&output.stderr, &m), "{m} in output: {context}");
            }
        }
    }
    let format_keyless = FORMATS.iter().any(|(f, ok)| *f == export.format && *ok);
    if export.keyless() && !format_keyless {
        assert_eq!(code, Some(2), "{context}");
        assert!(!path.exists(), "{context}");
        return false;
    }
    if broken && !export.allow_findings {
        assert_eq!(code, Some(1), "{context}");
        assert!(!path.exists(), "{context}");
        return false;
    }
    assert_eq!(code, Some(0), "{context}");
    let bytes = searchable(&path);

    let statuses: &[&str] = match export.profile {
        Some("reviewed" | "sample" | "alpha" | "keyless") => &["review", "approved"],
        Some("glossary") => &[],
        _ => &["approved"],
    };
    let exam = match (export.blueprint, export.profile) {
        (Some(b), _) => b.strip_suffix("-2026"),
        (None, Some("alpha")) => Some("alpha"),
        _ => None,
    };
    let mut present = 0;
    let mut eligible = 0;
    for f in all.iter().chain(&broken_items) {
        let wanted = f.publishable()
            && statuses.contains(&f.status)
            && exam.is_none_or(|e| e == f.exam)
            && f.n < 50;
        for m in f.all_markers() {
            let found = contains(&bytes, &m);
            if !wanted {
                assert!(!found, "{} ({}) leaked: {m}\n{context}", f.id, f.status);
            }
        }
        if !wanted {
            assert!(!contains(&bytes, &f.id), "{} leaked\n{context}", f.id);
            continue;
        }
        let shown = f.content_markers().iter().all(|m| contains(&bytes, m));
        eligible += 1;
        if export.profile == Some("sample") {
            present += usize::from(shown);
            continue;
        }
        assert!(shown, "{} is missing\n{context}", f.id);
        for m in f.key_markers() {
            if export.keyless() {
                assert!(
                    !contains(&bytes, &m),
                    "{m} in a pack without keys\n{context}"
                );
            } else if m.ends_with("rationalezz") {
                assert!(contains(&bytes, &m), "{m} is missing\n{context}");
            }
        }
    }
    if export.profile == Some("sample") {
        assert_eq!(present, eligible.min(3), "{context}");
    }
    if export.keyless() {
        assert_no_keys(export.format, &bytes, &context);
    }
    true
}

/// No trace of which option is right in a pack without keys.
fn assert_no_keys(format: &str, bytes: &[u8], context: &str) {
    let text = String::from_utf8_lossy(bytes);
    let forbidden: &[&str] = match format {
        "json" => &["\"correct\"", "\"rationale\"", "\"feedback\""],
        "qti3" => &[
            "qti-correct-response",
            "qti-response-processing",
            "qti-modal-feedback",
        ],
        "qti21" => &["correctResponse", "responseProcessing", "modalFeedback"],
        "csv" => &["rationale"],
        _ => &[],
    };
    for word in forbidden {
        assert!(!text.contains(word), "`{word}` without keys\n{context}");
    }
    if format == "csv" {
        let header = text.lines().next().unwrap_or_default();
        assert!(
            !header.split(',').any(|h| h == "key"),
            "{header}\n{context}"
        );
    }
}

/// Every public profile, with and without `--blueprint`, `--allow-findings` and `--no-keys`,
/// in every format, on a clean bank and on one with broken items. The exports run on four
/// threads, each writing its own file.
#[test]
fn public_packs_never_hold_secure_draft_or_retired_items() {
    let written = AtomicUsize::new(0);
    let refused = AtomicUsize::new(0);
    for broken in [false, true] {
        let test = bank(broken);
        let mut exports = Vec::new();
        for (format, _) in FORMATS {
            for profile in PUBLIC_PROFILES {
                // `alpha` restricts to the other blueprint, and `--blueprint` overrides it.
                for blueprint in [None, Some("beta-2026")] {
                    for allow_findings in [false, true] {
                        for no_keys in [false, true] {
                            exports.push(Export {
                                format,
                                profile,
                                blueprint,
                                allow_findings,
                                no_keys,
                            });
                        }
                    }
                }
            }
        }
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        let Some(export) = exports.get(n) else { break };
                        let out = format!("pack-{n}.out");
                        if check_export(&test, export, &out, broken) {
                            written.fetch_add(1, Ordering::Relaxed);
                        } else {
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
    }
    // The matrix really exported: nothing passes by refusing everything.
    let (written, refused) = (written.into_inner(), refused.into_inner());
    assert!(written >= 300, "{written} packs written, {refused} refused");
}

/// The internal profile takes every item that passed the check: the search finds each marker
/// in each format, so its absence above means something.
#[test]
fn the_search_finds_every_marker_in_every_format() {
    let test = bank(false);
    for (format, _) in FORMATS {
        let output = test
            .command()
            .args([
                "export",
                "-f",
                format,
                "-o",
                "vault.out",
                "--profile",
                "vault",
            ])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let bytes = searchable(&test.root().join("vault.out"));
        let mut missing = BTreeSet::new();
        for f in fixtures() {
            let mut wanted = f.content_markers();
            wanted.push(f.marker("rationale"));
            wanted.push(f.id.clone());
            if matches!(format, "qti3" | "qti21" | "anki") {
                wanted.push(f.marker("media"));
            }
            missing.extend(wanted.into_iter().filter(|m| !contains(&bytes, m)));
        }
        assert!(missing.is_empty(), "{format}: {missing:?}");
    }
}

/// A public profile that asks for drafts, retired or secure items is refused whole: no pack.
#[test]
fn public_profiles_that_ask_for_confidential_items_are_refused() {
    let test = bank(false);
    for (name, body) in [
        ("drafts", "statuses = [\"draft\", \"approved\"]"),
        ("retired", "statuses = [\"retired\"]"),
        ("secure", "secure = true"),
        ("public-secure", "internal = false\nsecure = true"),
    ] {
        test.write(
            "bank/qbank.toml",
            &format!("{CONFIG}\n[profiles.{name}]\n{body}\n"),
        );
        for (format, _) in FORMATS {
            let output = test
                .command()
                .args(["export", "-f", format, "-o", "x.out", "--profile", name])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{name} {format}: {stderr}");
            assert!(stderr.contains("a public profile cannot hold"), "{stderr}");
            assert!(!test.root().join("x.out").exists());
        }
    }
}
