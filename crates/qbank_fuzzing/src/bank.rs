//! The bank targets: bytes as one file of the sample bank, checked with the rest of it.
//!
//! The sample bank in `bank/` gives the blueprints, the glossary and the configuration; two of
//! its items stay in the bank beside the fuzzed file, so that the bank-wide rules (unique ids,
//! enemies, near-duplicates, clones, key balance, blueprint fit) have something to compare.
//! The fuzzed file is handed to the check as an editor buffer (`check_overlaid`), so nothing is
//! written into the bank; only bytes that are not UTF-8, which no buffer can hold, go through a
//! temporary file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use qbank_diagnostics::render::{self, DiagnosticFormat, RenderOptions, Report};
use qbank_diagnostics::{Diagnostic, SourceFile, Summary, TextRange};
use qbank_export::{PackItem, item_toml};
use qbank_linter::{CheckOutcome, Settings, check_overlaid};
use qbank_model::format::format_item;
use qbank_model::{Document, Item, schema};
use qbank_workspace::{FileEntry, FileKind, Targets, Workspace};

/// The sample bank of the repository.
const SAMPLE_BANK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bank");

/// The sample items that stay in the bank beside the fuzzed file.
const PEERS: &[&str] = &["CISM-1001.toml", "ISSMP-1001.toml"];

/// Where the fuzzed item file is, relative to the bank.
const ITEM_PATH: &str = "items/fuzz/FUZZ-0001.toml";

/// Every diagnostic format. Each input is rendered in one of them, chosen by its bytes
/// ([`format_for`]), so that every renderer sees every kind of finding over a run without each
/// input paying for seven renderers.
const FORMATS: [DiagnosticFormat; 7] = [
    DiagnosticFormat::Text,
    DiagnosticFormat::Concise,
    DiagnosticFormat::Json,
    DiagnosticFormat::Sarif,
    DiagnosticFormat::Github,
    DiagnosticFormat::Junit,
    DiagnosticFormat::Gitlab,
];

/// The sample bank, loaded once per process.
struct Sample {
    workspace: Workspace,
    settings: Settings,
    /// Blueprints, glossary and allowlist.
    support: Vec<FileEntry>,
    /// The items of [`PEERS`].
    peers: Vec<FileEntry>,
}

impl Sample {
    fn entry(&self, path: PathBuf, kind: FileKind) -> FileEntry {
        FileEntry {
            display: self.workspace.display_path(&path),
            path,
            kind,
            walk_error: None,
        }
    }

    /// The support files, the peers and `extra`.
    fn files(&self, extra: Option<FileEntry>) -> Vec<FileEntry> {
        let mut files = self.support.clone();
        files.extend(extra);
        files.extend(self.peers.iter().cloned());
        files
    }
}

fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let workspace = Workspace::discover(Path::new(SAMPLE_BANK), None)
            .expect("the sample bank in `bank/` is readable");
        let settings = Settings::from_options(workspace.options())
            .expect("the sample bank's `qbank.toml` is valid");
        let (items, support): (Vec<FileEntry>, Vec<FileEntry>) = workspace
            .files()
            .into_iter()
            .partition(|f| matches!(f.kind, FileKind::Item | FileKind::Stray));
        let peers: Vec<FileEntry> = items
            .into_iter()
            .filter(|f| PEERS.iter().any(|p| f.path.ends_with(p)))
            .collect();
        assert_eq!(peers.len(), PEERS.len(), "the sample bank has {PEERS:?}");
        Sample {
            workspace,
            settings,
            support,
            peers,
        }
    })
}

/// Puts `data` through the check as the item file `items/fuzz/FUZZ-0001.toml` of the sample
/// bank: decoding, TOML parsing, schema validation, the typed item, every item rule and every
/// bank-wide rule at the sample bank's levels, then renders the findings in one diagnostic
/// format chosen by the bytes. An item that passes the schema is also written back with `item_toml` and must read
/// back the same, and a file that parses must keep its values through `qbank fmt`. The text
/// must parse to the same document, or the same errors, with `toml`'s own document builder.
///
/// An odd-length input is checked as `qbank check PATH` checks one file (a focused duplicate
/// search), an even-length one as part of the whole bank.
///
/// # Panics
///
/// When a stage panics, or a finding, a rendered report or a rewritten file breaks the
/// invariants above.
pub fn item_lint(data: &[u8]) {
    let sample = sample();
    let Ok(text) = std::str::from_utf8(data) else {
        // An editor buffer is text, so bytes that are not go through a file of their own.
        let dir = tempfile::tempdir().expect("a temporary folder can be made");
        let path = dir.path().join("FUZZ-0001.toml");
        std::fs::write(&path, data).expect("a temporary file can be written");
        let outcome = check_overlaid(
            &sample.workspace,
            sample.files(Some(sample.entry(path.clone(), FileKind::Item))),
            &sample.settings,
            None,
            &HashMap::new(),
        );
        assert!(
            outcome.items.iter().all(|c| c.path != path),
            "bytes that are not UTF-8 never make an item"
        );
        assert_sound(&outcome, format_for(data));
        return;
    };
    let path = sample.workspace.root().join(ITEM_PATH);
    let overlay = HashMap::from([(path.clone(), text.to_owned())]);
    let focus = Targets::new([path.clone()]);
    let outcome = check_overlaid(
        &sample.workspace,
        sample.files(Some(sample.entry(path.clone(), FileKind::Item))),
        &sample.settings,
        (data.len() % 2 == 1).then_some(&focus),
        &overlay,
    );
    assert_sound(&outcome, format_for(data));
    if let Some(checked) = outcome.items.iter().find(|c| c.path == path) {
        assert_item_toml_round_trip(&checked.item);
    }
    assert_format_keeps_values(text);
    assert_parsers_agree(text);
    assert_schema_checks_agree(schema::SchemaKind::Item, text);
}

/// [`schema::conforms`], on the TOML tree, accepts only documents that `jsonschema` accepts on
/// their JSON form, and every one of those it can judge (no float, no string with a CR,
/// written or escaped). An
/// item it accepts reads the same from the tree as from the JSON form.
pub(crate) fn assert_schema_checks_agree(kind: schema::SchemaKind, text: &str) {
    let Ok(document) = Document::parse(text) else {
        return;
    };
    let fast = schema::conforms(kind, &document);
    let Ok(json) = document.to_json() else {
        assert!(
            !fast,
            "the tree check accepts a value without a JSON form: {text:?}"
        );
        return;
    };
    let full = schema::validate(kind, &document, &json).is_empty();
    assert!(
        !fast || full,
        "the tree check accepts what the schema rejects: {text:?}"
    );
    let judged = !text.contains('\r') && !unjudged(&json) && !stray_datetime(document.root(), true);
    assert!(
        fast || !full || !judged,
        "the tree check rejects a valid document it can judge: {text:?}"
    );
    if fast && kind == schema::SchemaKind::Item {
        assert_eq!(
            Item::from_document(&document, None),
            Item::from_document(&document, Some(json)),
            "an item reads differently from the tree: {text:?}"
        );
    }
}

/// Whether a date or time occurs in `table` other than as a top-level date (`created`,
/// `updated`, `effective`): the tree check leaves those to `jsonschema`.
fn stray_datetime(table: &qbank_model::tree::Table<'_>, top: bool) -> bool {
    use qbank_model::tree::{Value, ValueKind};
    fn value(v: &Value<'_>) -> bool {
        match &v.kind {
            ValueKind::Datetime(_) => true,
            ValueKind::Array(values) => values.iter().any(value),
            ValueKind::Table(table) => stray_datetime(table, false),
            _ => false,
        }
    }
    table.iter().any(|(key, v)| {
        let date_key = top && matches!(&*key.name, "created" | "updated" | "effective");
        !(date_key && matches!(v.kind, ValueKind::Datetime(_))) && value(v)
    })
}

/// Whether a float or a string with a CR occurs anywhere in `json`.
fn unjudged(json: &serde_json::Value) -> bool {
    match json {
        serde_json::Value::Number(n) => n.is_f64(),
        serde_json::Value::String(text) => text.contains('\r'),
        serde_json::Value::Array(values) => values.iter().any(unjudged),
        serde_json::Value::Object(map) => map.values().any(unjudged),
        _ => false,
    }
}

/// `Document::parse` builds most documents itself and leaves the rest to `toml`: either way,
/// the document (or the errors) must be what `toml` alone gives.
fn assert_parsers_agree(text: &str) {
    match (Document::parse(text), Document::parse_with_toml(text)) {
        (Ok(ours), Ok(reference)) => assert_eq!(ours.root(), reference.root(), "{text:?}"),
        (Err(ours), Err(reference)) => assert_eq!(ours, reference, "{text:?}"),
        (ours, reference) => panic!(
            "one parser accepts what the other rejects: {:?} against {:?} for {text:?}",
            ours.err(),
            reference.err()
        ),
    }
}

/// Puts `data` through the check as one of the bank's other files, chosen by its first byte:
/// a blueprint (`blueprints/fuzz.toml`), the concept glossary, the duplicate allowlist, or
/// `qbank.toml`. The rest, as text (bytes that are not UTF-8 replaced), is the file. A
/// configuration that loads is also resolved into rule settings and export profiles, and the
/// sample items are checked with it. The other files must parse as `toml` alone parses them,
/// as in [`item_lint`].
///
/// # Panics
///
/// When a stage panics, or a finding or a rendered report breaks the invariants of
/// [`item_lint`].
pub fn bank_files(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let sample = sample();
    let text = String::from_utf8_lossy(rest).into_owned();
    let root = sample.workspace.root();
    let (path, extra) = match selector % 4 {
        0 => {
            let path = root.join("blueprints/fuzz.toml");
            let entry = sample.entry(path.clone(), FileKind::Blueprint);
            (path, Some(entry))
        }
        1 => (root.join("concepts.toml"), None),
        2 => {
            let path = sample.workspace.allowlist_path();
            let listed = sample.support.iter().any(|f| f.path == path);
            let entry = (!listed).then(|| sample.entry(path.clone(), FileKind::Allowlist));
            (path, entry)
        }
        _ => {
            check_config(sample, &text);
            return;
        }
    };
    assert_parsers_agree(&text);
    let kind = match selector % 4 {
        0 => schema::SchemaKind::Blueprint,
        1 => schema::SchemaKind::Concepts,
        _ => schema::SchemaKind::Allowlist,
    };
    assert_schema_checks_agree(kind, &text);
    let overlay = HashMap::from([(path, text)]);
    let outcome = check_overlaid(
        &sample.workspace,
        sample.files(extra),
        &sample.settings,
        None,
        &overlay,
    );
    assert_sound(&outcome, format_for(data));
}

/// Loads `text` as `qbank.toml` the way `qbank` does, and when it loads, checks the sample
/// items with its settings and resolves its export profiles.
fn check_config(sample: &Sample, text: &str) {
    let dir = tempfile::tempdir().expect("a temporary folder can be made");
    let config = dir.path().join("qbank.toml");
    std::fs::write(&config, text).expect("a temporary file can be written");
    let Ok(workspace) = Workspace::discover(dir.path(), Some(config.as_path())) else {
        return;
    };
    // The configured bank is empty; walking it still applies the `exclude` globs.
    let _ = workspace.files();
    let _ = qbank_export::Profile::all(workspace.options());
    let Ok(settings) = Settings::from_options(workspace.options()) else {
        return;
    };
    let outcome = check_overlaid(
        &sample.workspace,
        sample.files(None),
        &settings,
        None,
        &HashMap::<PathBuf, String>::new(),
    );
    assert_sound(&outcome, format_for(text.as_bytes()));
}

/// The diagnostic format an input is rendered in: the sum of its bytes picks one, so that a
/// mutation of any byte can move the input to another renderer.
fn format_for(data: &[u8]) -> DiagnosticFormat {
    let sum = data
        .iter()
        .fold(0usize, |sum, &b| sum.wrapping_add(usize::from(b)));
    FORMATS[sum % FORMATS.len()]
}

/// Every finding points inside its file on character boundaries, and `format` renders the
/// findings into a document its readers accept.
fn assert_sound(outcome: &CheckOutcome, format: DiagnosticFormat) {
    for diagnostic in &outcome.diagnostics {
        assert_range(
            &diagnostic.primary.file,
            diagnostic.primary.range,
            diagnostic,
        );
        for secondary in &diagnostic.secondary {
            assert_range(&secondary.file, secondary.range, diagnostic);
        }
        let start = diagnostic.location();
        let end = diagnostic.end_location();
        assert!(
            (start.line, start.column) <= (end.line, end.column),
            "{} ends before it starts: {diagnostic:?}",
            diagnostic.code
        );
    }
    let report = Report {
        diagnostics: &outcome.diagnostics,
        summary: Summary::new(outcome.files, outcome.items.len(), &outcome.diagnostics),
        rules: &[],
        tool_version: "fuzz",
    };
    let mut out = Vec::new();
    render::render(format, &report, RenderOptions::default(), &mut out)
        .expect("rendering into memory cannot fail");
    let text = String::from_utf8(out).expect("every format writes UTF-8");
    match format {
        DiagnosticFormat::Json | DiagnosticFormat::Sarif | DiagnosticFormat::Gitlab => {
            if let Err(error) = serde_json::from_str::<serde_json::Value>(&text) {
                panic!("{format:?} output is not JSON ({error}):\n{text}");
            }
        }
        DiagnosticFormat::Junit => assert_xml(&text),
        DiagnosticFormat::Text | DiagnosticFormat::Concise | DiagnosticFormat::Github => {}
    }
}

fn assert_range(file: &SourceFile, range: TextRange, diagnostic: &Diagnostic) {
    let text = file.text();
    let span = range.to_range();
    assert!(
        span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end),
        "{} has range {span:?} outside the {} bytes of `{}`: {diagnostic:?}",
        diagnostic.code,
        text.len(),
        file.path().display()
    );
}

/// Fails on malformed XML.
pub(crate) fn assert_xml(text: &str) {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "malformed XML at byte {}: {e}\n{text}",
                reader.buffer_position()
            ),
        }
    }
}

/// Reads an item file as `qbank check` does, for items that must pass the schema.
pub(crate) fn read_item(text: &str) -> PackItem {
    let document = match Document::parse(text) {
        Ok(document) => document,
        Err(errors) => panic!("written item is not TOML: {errors:?}\n{text}"),
    };
    let json = match document.to_json() {
        Ok(json) => json,
        Err(errors) => panic!("written item has invalid values: {errors:?}\n{text}"),
    };
    let errors = schema::validate(schema::SchemaKind::Item, &document, &json);
    assert!(
        errors.is_empty(),
        "written item breaks the schema: {errors:?}\n{text}"
    );
    let item = Item::from_document(&document, Some(json)).expect("a valid item has a typed view");
    PackItem::from_item(&item)
}

/// An item that passed the schema, written as an item file (what `qbank import` writes), reads
/// back with the same values.
fn assert_item_toml_round_trip(item: &Item) {
    let values = PackItem::from_item(item);
    let text = item_toml(&values, "../../schemas/item.schema.json");
    assert_eq!(read_item(&text), values, "item file:\n{text}");
}

/// `qbank fmt` changes no value of a file that parses, and a formatted file stays as it is.
fn assert_format_keeps_values(text: &str) {
    let Some(before) = Document::parse(text).ok().and_then(|d| d.to_json().ok()) else {
        return;
    };
    let formatted = match format_item(text) {
        Ok(formatted) => formatted,
        Err(error) => panic!("`qbank fmt` refuses a file that `qbank check` parses: {error}"),
    };
    let after = Document::parse(&formatted)
        .ok()
        .and_then(|d| d.to_json().ok());
    assert_eq!(
        after.as_ref(),
        Some(&before),
        "`qbank fmt` changed the values:\n{formatted}"
    );
    let again = format_item(&formatted).expect("a formatted file formats");
    assert_eq!(again, formatted, "`qbank fmt` is not idempotent");
}
