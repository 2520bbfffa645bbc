//! The per-file stages: decoding, TOML, schema, and the typed model.

use std::path::PathBuf;

use qbank_diagnostics::{Diagnostic, SourceFile, TextRange};
use qbank_model::schema::{self, SchemaErrorKind, SchemaKind};
use qbank_model::{Blueprint, Concept, Document, Item, Spanned};
use qbank_workspace::{BankFile, Content, FileKind};

use crate::rules::duplicates::Allowlist;
use crate::rules::options::OptionFacts;
use crate::rules::structure::{
    ByteOrderMark, CrlfLineEndings, EmptyFile, FileTooLarge, InvalidToml, InvalidValue, MissingKey,
    StrayFile, UnknownKey, UnreadableFile,
};
use crate::rules::{BankIndex, ItemContext, ItemRule};
use crate::suppression::{self, Suppression};
use crate::words::LintSettings;

/// What checking one item file produced.
pub(crate) struct ItemResult {
    pub(crate) source: SourceFile,
    pub(crate) path: PathBuf,
    /// An item file, or a stray file under `items/`.
    pub(crate) kind: FileKind,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The id, read even from an item that failed the schema.
    pub(crate) id: Option<Spanned<String>>,
    /// The item, when it passed the schema (boxed: results are collected, then moved into
    /// the checked items, and the two vectors need not both hold whole items).
    pub(crate) item: Option<Box<Item>>,
    pub(crate) suppressions: Vec<Suppression>,
    /// The number of words in the stem, when the item rules split it.
    pub(crate) stem_words: Option<usize>,
    /// What the bank-wide option rules need of the item.
    pub(crate) option_facts: OptionFacts,
}

/// The blueprints and glossary, with their files.
#[derive(Default)]
pub(crate) struct SupportFiles {
    pub(crate) blueprints: Vec<(Blueprint, SourceFile, PathBuf)>,
    pub(crate) concepts: Vec<Concept>,
    pub(crate) concepts_file: Option<SourceFile>,
    /// The duplicate allowlist, when the bank has a valid one.
    pub(crate) allowlist: Option<Allowlist>,
    /// The allowlist file, when it exists but could not be read, parsed or validated.
    pub(crate) broken_allowlist: Option<PathBuf>,
    /// Whether the glossary exists but could not be read, parsed or validated: its own
    /// finding is then the one to fix, and items are not checked against what it lacks.
    pub(crate) concepts_broken: bool,
    /// Each blueprint file that could not be read, parsed or validated, with its exam when it
    /// can still be read from the file.
    pub(crate) broken_blueprints: Vec<(PathBuf, Option<String>)>,
}

/// Decodes a file's bytes, reporting what keeps it from being read as text.
fn decode(file: BankFile, diagnostics: &mut Vec<Diagnostic>) -> Result<SourceFile, SourceFile> {
    let display = file.entry.display;
    let bytes = match file.content {
        Content::Bytes(bytes) => bytes,
        Content::TooLarge { size, limit } => {
            let source = SourceFile::new(display, String::new());
            diagnostics.push(
                FileTooLarge::META
                    .diagnostic(
                        &source,
                        TextRange::empty(0),
                        format!("file is {size} bytes, over the limit of {limit}"),
                    )
                    .with_help(
                        "move large content to `media/`, or raise `max_file_size` in `qbank.toml`",
                    ),
            );
            return Err(source);
        }
        Content::Unreadable(error) => {
            let source = SourceFile::new(display, String::new());
            diagnostics.push(
                UnreadableFile::META
                    .diagnostic(
                        &source,
                        TextRange::empty(0),
                        format!("cannot read the file: {error}"),
                    )
                    .with_help("check the file's permissions, or remove the broken link"),
            );
            return Err(source);
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            let source = SourceFile::new(display, text);
            if source.text().starts_with('\u{feff}') {
                diagnostics.push(
                    ByteOrderMark::META
                        .diagnostic(
                            &source,
                            TextRange::new(0, 3),
                            "file starts with a byte order mark",
                        )
                        .with_help("save the file as UTF-8 without a BOM"),
                );
            }
            let text = source.text().as_bytes();
            if let Some(at) =
                memchr::memchr_iter(b'\r', text).find(|&at| text.get(at + 1) == Some(&b'\n'))
            {
                diagnostics.push(
                    CrlfLineEndings::META
                        .diagnostic(
                            &source,
                            // The `\r` alone: a range over the `\n` would span two lines.
                            TextRange::new(at, at + 1),
                            "file uses CRLF line endings",
                        )
                        .with_help(
                            "convert to LF, and add `* text=auto eol=lf` to `.gitattributes`",
                        ),
                );
            }
            Ok(source)
        }
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let bad = bytes[at];
            let source = SourceFile::new(display, String::from_utf8_lossy(&bytes).into_owned());
            diagnostics.push(
                UnreadableFile::META
                    .diagnostic(
                        &source,
                        // The shown text has U+FFFD (three bytes) where the bad byte was; a
                        // range over one byte would end inside it.
                        TextRange::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8()),
                        format!("file is not valid UTF-8: byte 0x{bad:02X} at offset {at}"),
                    )
                    .with_help("re-save the file as UTF-8 (it may be in Windows-1252 or Latin-1)"),
            );
            Err(source)
        }
    }
}

/// Parses and validates a decoded file against `kind`'s schema, reporting each failure.
/// Returns the document only when it passed every stage, with its JSON form when validating
/// needed one (most valid files are judged on the TOML tree; see [`schema::conforms`]).
fn parse_and_validate<'a>(
    source: &'a SourceFile,
    kind: SchemaKind,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(Document<'a>, Option<serde_json::Value>)> {
    let document = match Document::parse(source.text()) {
        Ok(document) => document,
        Err(errors) => {
            // After a syntax error the parser's recovery often reports follow-on errors that
            // vanish once the first is fixed, so only the first is reported.
            let more = errors.len().saturating_sub(1);
            if let Some(error) = errors.into_iter().next() {
                let help = if more == 0 {
                    "fix the syntax; see https://toml.io/en/v1.0.0".to_owned()
                } else {
                    format!(
                        "fix the syntax, then run qbank again ({more} more parse errors follow, \
                         often caused by this one)"
                    )
                };
                diagnostics.push(
                    InvalidToml::META
                        .diagnostic(
                            source,
                            error.range,
                            format!("invalid TOML: {}", error.message),
                        )
                        .with_help(help),
                );
            }
            return None;
        }
    };
    if document.root().is_empty() {
        let help = match kind {
            SchemaKind::Item => "write the item, or delete the file",
            SchemaKind::Blueprint => "write the blueprint, or delete the file",
            SchemaKind::Concepts => "add the concepts as `[[concepts]]` tables, or delete the file",
            SchemaKind::Allowlist => {
                "add the accepted pairs as `[[allow]]` tables, or delete the file"
            }
        };
        diagnostics.push(
            EmptyFile::META
                .diagnostic(source, TextRange::empty(0), "file holds no keys")
                .with_help(help),
        );
        return None;
    }
    if schema::conforms(kind, &document) {
        return Some((document, None));
    }
    let json = match document.to_json() {
        Ok(json) => json,
        Err(errors) => {
            for error in errors {
                diagnostics.push(InvalidValue::META.diagnostic(source, error.range, error.message));
            }
            return None;
        }
    };
    let errors = schema::validate(kind, &document, &json);
    if errors.is_empty() {
        return Some((document, Some(json)));
    }
    for error in errors {
        let meta = match error.kind {
            SchemaErrorKind::MissingKey => &MissingKey::META,
            SchemaErrorKind::UnknownKey => &UnknownKey::META,
            SchemaErrorKind::InvalidValue => &InvalidValue::META,
        };
        let mut diagnostic = meta.diagnostic(source, error.range, error.message);
        if let Some(help) = error.help {
            diagnostic = diagnostic.with_help(help);
        }
        diagnostics.push(diagnostic);
    }
    None
}

/// Checks one file under `items/`.
pub(crate) fn check_item_file(
    file: BankFile,
    bank: &BankIndex,
    rules: &[&dyn ItemRule],
    lint: &LintSettings,
) -> ItemResult {
    let path = file.entry.path.clone();
    let kind = file.entry.kind;
    let mut diagnostics = Vec::new();
    let result = |source: SourceFile, diagnostics, id, item, suppressions| ItemResult {
        source,
        path: path.clone(),
        kind,
        diagnostics,
        id,
        item,
        suppressions,
        stem_words: None,
        option_facts: OptionFacts::default(),
    };
    if kind == FileKind::Stray {
        let source = SourceFile::new(file.entry.display, String::new());
        diagnostics.push(
            StrayFile::META
                .diagnostic(
                    &source,
                    TextRange::empty(0),
                    "file under `items/` is not a `.toml` item",
                )
                .with_help(
                    "rename it to `<id>.toml`, delete it, or add it to `exclude` in `qbank.toml`",
                ),
        );
        return result(source, diagnostics, None, None, Vec::new());
    }
    let source = match decode(file, &mut diagnostics) {
        Ok(source) => source,
        Err(source) => return result(source, diagnostics, None, None, Vec::new()),
    };
    let suppressions = suppression::parse(&source);
    let (id, item) = {
        let document = parse_and_validate(&source, SchemaKind::Item, &mut diagnostics);
        if let Some((document, json)) = document {
            let item = Item::from_document(&document, json).map(Box::new);
            (item.as_ref().map(|i| i.id.clone()), item)
        } else {
            // A file that parses but breaks the schema still claims its id.
            let id = Document::parse(source.text())
                .ok()
                .and_then(|d| qbank_model::peek_id(&d));
            (id, None)
        }
    };
    let mut stem_words = None;
    let mut option_facts = OptionFacts::default();
    if let Some(item) = &item {
        option_facts = OptionFacts::of(item);
        let ctx = ItemContext::new(item, &source, &path, bank, lint);
        let (found, words) = ctx.run(rules);
        diagnostics.extend(found);
        stem_words = words;
    }
    ItemResult {
        stem_words,
        option_facts,
        ..result(source, diagnostics, id, item, suppressions)
    }
}

/// Checks the blueprints and the glossary, in order.
pub(crate) fn check_support_files(
    files: Vec<BankFile>,
    diagnostics: &mut Vec<Diagnostic>,
) -> SupportFiles {
    let mut support = SupportFiles::default();
    for file in files {
        let kind = file.entry.kind;
        let path = file.entry.path.clone();
        let Ok(source) = decode(file, diagnostics) else {
            match kind {
                FileKind::Blueprint => support.broken_blueprints.push((path, None)),
                FileKind::Concepts => support.concepts_broken = true,
                FileKind::Allowlist => support.broken_allowlist = Some(path),
                _ => {}
            }
            continue;
        };
        match kind {
            FileKind::Blueprint => {
                let blueprint = parse_and_validate(&source, SchemaKind::Blueprint, diagnostics)
                    .and_then(|(document, _)| Blueprint::from_document(&document));
                if let Some(blueprint) = blueprint {
                    support.blueprints.push((blueprint, source, path));
                } else {
                    let exam = Document::parse(source.text())
                        .ok()
                        .and_then(|d| d.root().get("exam")?.as_str().map(str::to_owned));
                    support.broken_blueprints.push((path, exam));
                }
            }
            FileKind::Concepts => {
                if let Some((document, _)) =
                    parse_and_validate(&source, SchemaKind::Concepts, diagnostics)
                {
                    support.concepts = qbank_model::concepts_from_document(&document);
                } else {
                    support.concepts_broken = true;
                }
                support.concepts_file = Some(source);
            }
            FileKind::Allowlist => {
                if let Some((document, _)) =
                    parse_and_validate(&source, SchemaKind::Allowlist, diagnostics)
                {
                    support.allowlist = Some(Allowlist {
                        pairs: qbank_model::allowlist_from_document(&document),
                        file: source,
                    });
                } else {
                    support.broken_allowlist = Some(path);
                }
            }
            FileKind::Item | FileKind::Stray => {}
        }
    }
    support
}
