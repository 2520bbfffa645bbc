//! The export target: a pack of valid items with hostile texts through every writer, read back
//! by qbank's own importers where there is one.

use std::io::Read as _;
use std::path::Path;

use arbitrary::Unstructured;
use qbank_export::{
    ExportError, Format, ImportFormat, Pack, PackItem, PackOption, export, import, item_toml,
};

use crate::bank::{assert_xml, read_item};
use crate::generate;

/// Builds a pack of one to five valid items from `data` (see the `generate` module for what
/// valid means and how hostile the texts are) and puts it through every export format:
///
/// - every item, written as an item file, reads back through the bank model unchanged;
/// - a format refuses the pack only for a reason it documents: keys left out for a format that
///   needs them, or a character XML cannot carry for the XML formats;
/// - `json` reads back as the same pack; `csv`, `gift` and `moodle` read back, through
///   `qbank import`, as the same items in every value the format carries (stem, options, keys,
///   type, exam, domain and the rest, field by field below);
/// - the `qti3`, `qti21` and `anki` archives open, every XML member is well formed, and the
///   Anki collection holds one note per item.
///
/// # Panics
///
/// When a writer or a reader panics, or any of the above does not hold.
pub fn export_roundtrip(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(mut pack) = generate::pack(&mut u) else {
        return;
    };
    for item in &pack.items {
        let text = item_toml(item, "../../schemas/item.schema.json");
        assert_eq!(&read_item(&text), item, "item file:\n{text}");
    }
    if !pack.meta.keys {
        for item in &mut pack.items {
            item.strip_keys();
        }
    }
    for format in Format::ALL {
        match export(&pack, format) {
            Ok(out) => read_back(&pack, format, &out.bytes),
            Err(error) => assert_refusal_is_documented(&pack, format, &error),
        }
    }
}

/// Whether XML 1.0 can carry `c`.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Every text of an item.
fn item_texts(item: &PackItem) -> impl Iterator<Item = &str> {
    [item.id.as_str(), &item.exam, &item.domain, &item.stem]
        .into_iter()
        .chain(item.task.as_deref())
        .chain(item.rationale.as_deref())
        .chain(item.references.iter().map(String::as_str))
        .chain(item.tags.iter().map(String::as_str))
        .chain(item.concepts.iter().map(String::as_str))
        .chain(item.authors.iter().map(String::as_str))
        .chain(item.reviewers.iter().map(String::as_str))
        .chain(
            item.exhibits
                .iter()
                .flat_map(|e| [e.file.as_str(), e.alt.as_str()]),
        )
        .chain(
            item.options
                .iter()
                .flat_map(|o| std::iter::once(o.text.as_str()).chain(o.feedback.as_deref())),
        )
}

fn assert_refusal_is_documented(pack: &Pack, format: Format, error: &ExportError) {
    let name = format.name();
    if !pack.meta.keys && !format.supports_no_keys() {
        assert!(
            matches!(error, ExportError::KeysRequired(_)),
            "{name} without keys: {error}"
        );
        return;
    }
    let xml = matches!(format, Format::Moodle | Format::Qti3 | Format::Qti21);
    let unxmlable = pack
        .items
        .iter()
        .flat_map(item_texts)
        .any(|t| !t.chars().all(xml_char));
    assert!(
        xml && unxmlable && matches!(error, ExportError::Unrepresentable { .. }),
        "{name} refused a valid pack: {error}"
    );
}

fn read_back(pack: &Pack, format: Format, bytes: &[u8]) {
    let name = format.name();
    let (import_format, text) = match format {
        Format::Json => (ImportFormat::Json, bytes),
        Format::Csv => (ImportFormat::Csv, bytes),
        Format::Gift => (ImportFormat::Gift, bytes),
        Format::Moodle => (ImportFormat::Moodle, bytes),
        Format::Qti3 | Format::Qti21 => {
            for (path, member) in unzip(bytes, name) {
                if Path::new(&path).extension().is_some_and(|e| e == "xml") {
                    let text = String::from_utf8(member).expect("XML members are UTF-8");
                    assert_xml(&text);
                }
            }
            return;
        }
        Format::Anki => {
            assert_anki(pack, bytes);
            return;
        }
    };
    let text = std::str::from_utf8(text).expect("text formats are UTF-8");
    if format == Format::Moodle {
        assert_xml(text);
    }
    // A pack without keys reads back, but does not import: its items would have no key.
    if format == Format::Json && !pack.meta.keys {
        let error = import(Path::new("pack"), text, import_format)
            .expect_err("a pack without keys does not import");
        assert!(error.to_string().contains("--no-keys"), "{error}");
    }
    let items = match import(Path::new("pack"), text, import_format) {
        Ok(items) => items,
        Err(_) if format == Format::Json && !pack.meta.keys => Vec::new(),
        Err(error) => panic!("{name} pack does not import: {error}\n{text}"),
    };
    if format == Format::Json {
        let read = qbank_export::read_pack(Path::new("pack"), text).expect("it parses");
        assert_eq!(read.items, pack.items, "json items");
        // Blueprints carry values for placing items that a pack does not hold (tasks,
        // crosswalks, the weights' exact billionths): compare what is written.
        let written = |p: &Pack| {
            serde_json::to_value((&p.blueprints, &p.concepts, &p.meta)).expect("a pack serializes")
        };
        assert_eq!(
            written(&read),
            written(pack),
            "json blueprints, concepts and meta"
        );
        return;
    }
    assert_eq!(items.len(), pack.items.len(), "{name}: item count\n{text}");
    for (got, want) in items.iter().zip(&pack.items) {
        assert_same_item(format, got, want, text);
    }
}

/// An empty text and no text are the same to the formats that read back.
fn non_empty(text: Option<&String>) -> Option<&str> {
    text.map(String::as_str).filter(|t| !t.is_empty())
}

/// Whether a list of texts can be written one entry per line and read back: no entry holds
/// a line break or starts or ends with white space.
fn one_per_line(list: &[String]) -> bool {
    list.iter()
        .all(|e| !e.contains(['\n', '\r']) && e.trim() == e)
}

/// Whether the rationale and references can be told apart in general feedback, which holds
/// the rationale, a blank line, `References:` and a `- ` line per reference.
fn general_feedback_is_unambiguous(item: &PackItem) -> bool {
    let rationale = item.rationale.as_deref().unwrap_or("");
    !rationale.contains("References:")
        && item
            .references
            .iter()
            .all(|r| !r.contains('\n') && !r.contains("References:"))
}

fn option_texts(options: &[PackOption]) -> Vec<&str> {
    options.iter().map(|o| o.text.as_str()).collect()
}

fn assert_same_item(format: Format, got: &PackItem, want: &PackItem, text: &str) {
    let name = format.name();
    let id = &want.id;
    let context = || format!("{name}, item {id}:\n{text}");
    assert_eq!(got.stem, want.stem, "stem; {}", context());
    assert_eq!(
        option_texts(&got.options),
        option_texts(&want.options),
        "options; {}",
        context()
    );
    assert_eq!(got.exam, want.exam, "exam; {}", context());
    assert_eq!(got.domain, want.domain, "domain; {}", context());
    if want.options.iter().all(|o| o.correct.is_some()) {
        assert_eq!(got.key_indices(), want.key_indices(), "keys; {}", context());
        assert_eq!(got.item_type, want.item_type, "type; {}", context());
    }
    match format {
        Format::Csv => {
            assert_eq!(got.id, want.id, "id; {}", context());
            assert_eq!(got.task, want.task, "task; {}", context());
            assert_eq!(got.difficulty, want.difficulty, "difficulty; {}", context());
            assert_eq!(got.shuffle, want.shuffle, "shuffle; {}", context());
            assert_eq!(got.secure, want.secure, "secure; {}", context());
            assert_eq!(
                non_empty(got.rationale.as_ref()),
                non_empty(want.rationale.as_ref()),
                "rationale; {}",
                context()
            );
            assert_eq!(got.tags, want.tags, "tags; {}", context());
            assert_eq!(got.concepts, want.concepts, "concepts; {}", context());
            if one_per_line(&want.references) {
                assert_eq!(got.references, want.references, "references; {}", context());
            }
        }
        Format::Gift | Format::Moodle => {
            assert_eq!(got.tags, want.tags, "tags; {}", context());
            let feedback = |item: &PackItem| -> Vec<Option<String>> {
                item.options
                    .iter()
                    .map(|o| non_empty(o.feedback.as_ref()).map(str::to_owned))
                    .collect()
            };
            assert_eq!(feedback(got), feedback(want), "feedback; {}", context());
            if general_feedback_is_unambiguous(want) {
                assert_eq!(
                    non_empty(got.rationale.as_ref()),
                    non_empty(want.rationale.as_ref()),
                    "rationale; {}",
                    context()
                );
                assert_eq!(got.references, want.references, "references; {}", context());
            }
            if format == Format::Moodle {
                assert_eq!(got.shuffle, want.shuffle, "shuffle; {}", context());
            }
        }
        Format::Json | Format::Qti3 | Format::Qti21 | Format::Anki => {}
    }
}

fn unzip(bytes: &[u8], name: &str) -> Vec<(String, Vec<u8>)> {
    let mut archive = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(error) => panic!("{name} archive does not open: {error}"),
    };
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("a listed member opens");
        let mut content = Vec::new();
        file.read_to_end(&mut content)
            .expect("a listed member reads");
        out.push((file.name().to_owned(), content));
    }
    out
}

fn assert_anki(pack: &Pack, bytes: &[u8]) {
    let members = unzip(bytes, "anki");
    let Some((_, collection)) = members.iter().find(|(n, _)| n == "collection.anki2") else {
        panic!("the Anki package has no collection.anki2");
    };
    let dir = tempfile::tempdir().expect("a temporary folder can be made");
    let path = dir.path().join("collection.anki2");
    std::fs::write(&path, collection).expect("a temporary file can be written");
    let db = rusqlite::Connection::open(&path).expect("the collection opens");
    let notes: i64 = db
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .expect("the collection has notes");
    assert_eq!(
        usize::try_from(notes).ok(),
        Some(pack.items.len()),
        "one note per item"
    );
}
