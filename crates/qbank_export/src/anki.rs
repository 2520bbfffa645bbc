//! Anki `.apkg` decks: a zip holding `collection.anki2` (an Anki collection, schema 11, the
//! format every Anki since 2.1 imports) and `media`. One note per item, one deck per exam and
//! domain under the bank's deck.
//!
//! Fields are HTML: the item's texts go through [`crate::text::html`], and braces become
//! character references so that no text can read as a template field. Ids, dates and GUIDs are
//! derived from the pack, never from the clock, so the same pack gives the same bytes.

use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;
use rusqlite::{Connection, DatabaseName, OpenFlags, params};
use serde_json::json;
use sha1::{Digest, Sha1};

use crate::ExportError;
use crate::archive::Compressed;
use crate::pack::{Pack, PackItem, label};
use crate::text::{html, push_html};

/// Fixed timestamps: a pack's bytes must not depend on when it was written.
const EPOCH_SECONDS: i64 = 1_700_000_000;
const MODEL_ID: i64 = 1_700_000_000_001;
const FIRST_DECK_ID: i64 = 1_700_000_001_000;
const FIRST_NOTE_ID: i64 = 1_700_001_000_000;

/// The note type's fields, in order; the first is the sort field.
const FIELDS: [&str; 6] = [
    "Question",
    "Options",
    "Answer",
    "Rationale",
    "References",
    "Id",
];

const FRONT: &str = "<div class=\"stem\">{{Question}}</div><ol class=\"options\">{{Options}}</ol>";
const BACK: &str = "{{FrontSide}}<hr id=\"answer\"><div class=\"answer\">{{Answer}}</div>{{#Rationale}}<div class=\"rationale\">{{Rationale}}</div>{{/Rationale}}{{#References}}<div class=\"references\">{{References}}</div>{{/References}}<div class=\"id\">{{Id}}</div>";
const CSS: &str = ".card { font-family: sans-serif; font-size: 18px; text-align: left; }\n.options { list-style-type: upper-alpha; }\n.rationale, .references, .id { margin-top: 1em; }\n.references, .id { font-size: 14px; color: #555; }\n";

/// Plain text as an Anki field.
fn field(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    push_field(&mut out, text);
    out
}

/// Appends [`field`] of `text` to `out`.
fn push_field(out: &mut String, text: &str) {
    push_html(out, text, b"{}\r");
}

/// A deck name part: `::` separates decks, so it cannot appear inside one.
fn deck_part(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace("::", ": :")
}

fn anki_error(e: &dyn std::fmt::Display) -> ExportError {
    ExportError::Anki(e.to_string())
}

/// Writes `pack` as an Anki package: its members go into `archive`, which the caller zips
/// with the manifest.
///
/// The collection is built in memory: its image is compressed where the database keeps it,
/// without a round trip through a scratch file (0.3 to 0.4 s of a 100k-item deck, whose
/// collection is 207 MB). Only a collection past the 1 GiB that the database's in-memory file
/// system holds is built again in a scratch file.
///
/// That scratch file is a temporary file of `out` (see `Temp`), beside the pack, when `out` is
/// given: on the disk the pack goes to (not a memory-backed `/tmp`), and removed by the next
/// export to `out` if this one is killed.
pub(crate) fn write(
    pack: &Pack,
    archive: &mut Compressed,
    out: Option<&Path>,
) -> Result<(), ExportError> {
    write_limited(pack, archive, None, out)
}

/// [`write`], with the in-memory collection held to `max_pages` pages (to test the fallback
/// without a gigabyte).
fn write_limited(
    pack: &Pack,
    archive: &mut Compressed,
    max_pages: Option<u32>,
    out: Option<&Path>,
) -> Result<(), ExportError> {
    if !pack.meta.keys {
        return Err(ExportError::KeysRequired("anki"));
    }
    let collection = match fill_collection(in_memory_collection(max_pages)?, pack) {
        Ok(db) => {
            let collection = db.serialize(DatabaseName::Main)?;
            archive.add_member("collection.anki2".to_owned(), &collection)?;
            drop(collection);
            db.close().map_err(|(_, e)| anki_error(&e))?;
            None
        }
        // Past the 1 GiB that SQLite's `memdb` holds, the collection is built again in a
        // scratch file (about five times the 100k-item deck).
        Err(Fill::Sql(e)) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) => {
            Some(collection_in_a_file(pack, out)?)
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(collection) = collection {
        archive.add_member("collection.anki2".to_owned(), &collection)?;
    }
    let mut media_map = serde_json::Map::new();
    let mut files = Vec::with_capacity(pack.media.len() + 1);
    for (n, (name, bytes)) in pack.media.iter().enumerate() {
        media_map.insert(n.to_string(), json!(name));
        files.push((n.to_string(), bytes.clone()));
    }
    files.push((
        "media".to_owned(),
        serde_json::Value::Object(media_map)
            .to_string()
            .into_bytes(),
    ));
    archive.add_files(files)
}

/// An error while the collection is filled: from the database (a full in-memory database is one
/// [`write`] recovers from), or any other.
enum Fill {
    Sql(rusqlite::Error),
    Export(ExportError),
}

impl From<rusqlite::Error> for Fill {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sql(e)
    }
}

impl From<Fill> for ExportError {
    fn from(e: Fill) -> Self {
        match e {
            Fill::Sql(e) => anki_error(&e),
            Fill::Export(e) => e,
        }
    }
}

impl From<rusqlite::Error> for ExportError {
    fn from(e: rusqlite::Error) -> Self {
        anki_error(&e)
    }
}

/// An empty database in the `memdb` file system, which keeps it in one buffer that
/// `serialize` then lends out as it is (an ordinary in-memory database would be copied out
/// page by page).
fn in_memory_collection(max_pages: Option<u32>) -> Result<Connection, ExportError> {
    let db = Connection::open_with_flags_and_vfs(
        "collection.anki2",
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        "memdb",
    )?;
    if let Some(pages) = max_pages {
        db.pragma_update(None, "max_page_count", pages)?;
    }
    Ok(db)
}

/// The collection of `pack` built in a scratch file and read back: a temporary file of `out`
/// beside it, or one in the system's temporary folder.
fn collection_in_a_file(pack: &Pack, out: Option<&Path>) -> Result<Vec<u8>, ExportError> {
    // Whichever holds the scratch file removes it when dropped, at the end of this function.
    let (_beside, _elsewhere, path) = if let Some(out) = out {
        let temp = scratch_beside(out)?;
        let path = temp.file.path().to_path_buf();
        (Some(temp), None, path)
    } else {
        let dir = tempfile::tempdir().map_err(|e| ExportError::io(std::env::temp_dir(), e))?;
        let path = dir.path().join("collection.anki2");
        (None, Some(dir), path)
    };
    let db = fill_collection(Connection::open(&path)?, pack).map_err(ExportError::from)?;
    db.close().map_err(|(_, e)| anki_error(&e))?;
    std::fs::read(&path).map_err(|e| ExportError::io(&path, e))
}

/// A scratch file for the collection beside `out`, which its owner can write: a temporary
/// file is created with the mode of the pack it will replace, which may be read-only, and the
/// database opens it again by path, to write.
fn scratch_beside(out: &Path) -> Result<crate::Temp, ExportError> {
    let temp = crate::Temp::beside(out)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.file
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| ExportError::io(temp.file.path(), e))?;
    }
    Ok(temp)
}

/// Fills the empty database `db` with the collection of `pack` and returns it.
fn fill_collection(mut db: Connection, pack: &Pack) -> Result<Connection, Fill> {
    // Nothing to roll back: the collection is thrown away if any step fails.
    db.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
    db.execute_batch(SCHEMA)?;
    let tx = db.transaction()?;
    let root = if pack.meta.bank.is_empty() {
        "qbank".to_owned()
    } else {
        deck_part(&pack.meta.bank)
    };
    let mut decks = serde_json::Map::new();
    decks.insert("1".to_owned(), deck(1, "Default"));
    // Every batch of notes with its deck, in order.
    let mut batches: Vec<(i64, &[PackItem])> = Vec::new();
    for (n, (exam, domain, items)) in pack.groups().into_iter().enumerate() {
        let deck_id = FIRST_DECK_ID + i64::try_from(n).unwrap_or(0);
        let name = format!(
            "{root}::{}::{}",
            deck_part(exam),
            deck_part(&pack.domain_title(exam, domain))
        );
        decks.insert(deck_id.to_string(), deck(deck_id, &name));
        batches.extend(items.chunks(NOTE_BATCH).map(|batch| (deck_id, batch)));
    }
    let build = |batch: &[PackItem]| -> Vec<Note> { batch.par_iter().map(Note::new).collect() };
    // The notes' texts are built in parallel, a batch ahead of the inserts, which are
    // sequential. The next batch is a job of rayon's pool, so a thread waiting for it keeps
    // taking work, and a panic in it reaches the caller as it is.
    let mut note = 0i64;
    let mut ready = batches.first().map(|&(_, batch)| build(batch));
    for (k, &(deck_id, _)) in batches.iter().enumerate() {
        let Some(notes) = ready.take() else {
            return Err(Fill::Export(anki_error(&"a batch of notes was not built")));
        };
        let mut next = None;
        rayon::in_place_scope(|scope| {
            if let Some(&(_, batch)) = batches.get(k + 1) {
                scope.spawn(|_| next = Some(build(batch)));
            }
            for row in notes {
                insert_note(&tx, FIRST_NOTE_ID + note, deck_id, note + 1, row)?;
                note += 1;
            }
            Ok::<(), Fill>(())
        })?;
        ready = next;
    }
    tx.execute_batch(INDEXES)?;
    let models = json!({ MODEL_ID.to_string(): model(FIRST_DECK_ID) });
    tx.execute(
        "INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
        params![
            EPOCH_SECONDS,
            EPOCH_SECONDS * 1000,
            CONF,
            models.to_string(),
            serde_json::Value::Object(decks).to_string(),
            DCONF
        ],
    )?;
    tx.commit()?;
    Ok(db)
}

/// Notes built in parallel while the previous batch is inserted.
const NOTE_BATCH: usize = 2048;

/// Inserts `note` as note `id` with its card, in deck `deck_id` at position `due`.
fn insert_note(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    deck_id: i64,
    due: i64,
    note: Note,
) -> Result<(), rusqlite::Error> {
    let Note {
        guid,
        tags,
        fields,
        sort,
        checksum,
    } = note;
    tx.prepare_cached("INSERT INTO notes VALUES (?1, ?2, ?3, ?4, -1, ?5, ?6, ?7, ?8, 0, '')")
        .and_then(|mut insert| {
            insert.execute(params![
                id,
                guid,
                MODEL_ID,
                EPOCH_SECONDS,
                tags,
                fields,
                sort,
                checksum
            ])
        })?;
    tx.prepare_cached(
        "INSERT INTO cards VALUES (?1, ?2, ?3, 0, ?4, -1, 0, 0, ?5, 0, 0, 0, 0, 0, 0, 0, 0, '')",
    )
    .and_then(|mut insert| insert.execute(params![id, id, deck_id, EPOCH_SECONDS, due]))?;
    Ok(())
}

/// The values of one note's row.
struct Note {
    guid: String,
    tags: String,
    /// The fields in [`FIELDS`] order, joined by U+001F as Anki stores them.
    fields: String,
    sort: String,
    checksum: i64,
}

impl Note {
    fn new(item: &PackItem) -> Self {
        let fields = fields(item);
        let sort = strip_html(&fields[0]);
        let tags = item.tags.iter().fold(String::new(), |mut s, t| {
            let _ = write!(s, " {}", t.replace(' ', "_"));
            s
        });
        let tags = if tags.is_empty() {
            String::new()
        } else {
            format!("{tags} ")
        };
        Self {
            guid: guid(item),
            tags,
            fields: fields.join("\u{1f}"),
            checksum: checksum(&sort),
            sort,
        }
    }
}

/// The note's fields, in [`FIELDS`] order.
fn fields(item: &PackItem) -> Vec<String> {
    let mut question = field(&item.stem);
    for exhibit in &item.exhibits {
        let _ = write!(
            question,
            "<br><img src=\"{}\" alt=\"{}\">",
            html(&exhibit.file).replace('"', "&quot;"),
            field(&exhibit.alt)
        );
    }
    let mut options = String::with_capacity(item.options.iter().map(|o| o.text.len() + 16).sum());
    for option in &item.options {
        options.push_str("<li>");
        push_field(&mut options, &option.text);
        options.push_str("</li>");
    }
    let mut answer = String::new();
    for (n, k) in item.key_indices().into_iter().enumerate() {
        if n > 0 {
            answer.push_str("<br>");
        }
        let _ = write!(answer, "{}. ", label(k));
        push_field(&mut answer, &item.options[k].text);
    }
    let mut references = String::new();
    for (n, reference) in item.references.iter().enumerate() {
        if n > 0 {
            references.push_str("<br>");
        }
        push_field(&mut references, reference);
    }
    vec![
        question,
        options,
        answer,
        field(item.rationale.as_deref().unwrap_or("")),
        references,
        field(&item.id),
    ]
}

/// A stable GUID: the same item keeps its note, and its review history, across re-imports.
fn guid(item: &PackItem) -> String {
    let digest = Sha1::digest(format!("qbank:{}:{}", item.exam, item.id).as_bytes());
    digest.iter().take(8).fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Anki's duplicate-check sum: the first 8 hex digits of the SHA-1 of the sort field.
fn checksum(text: &str) -> i64 {
    let digest = Sha1::digest(text.as_bytes());
    i64::from(u32::from_be_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]))
}

fn strip_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // `<` and `>` are ASCII, so the runs between them are whole characters.
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => rest = &rest[open + close + 1..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn deck(id: i64, name: &str) -> serde_json::Value {
    json!({
        "collapsed": false, "conf": 1, "desc": "", "dyn": 0, "extendNew": 10, "extendRev": 50,
        "id": id, "lrnToday": [0, 0], "mod": EPOCH_SECONDS, "name": name, "newToday": [0, 0],
        "revToday": [0, 0], "timeToday": [0, 0], "usn": -1
    })
}

fn model(deck_id: i64) -> serde_json::Value {
    let flds: Vec<serde_json::Value> = FIELDS
        .iter()
        .enumerate()
        .map(|(ord, name)| json!({ "name": name, "ord": ord, "font": "Arial", "media": [], "rtl": false, "size": 20, "sticky": false }))
        .collect();
    json!({
        "css": CSS, "did": deck_id, "flds": flds, "id": MODEL_ID,
        "latexPost": "\\end{document}",
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "mod": EPOCH_SECONDS, "name": "qbank item", "req": [[0, "any", [0, 1]]], "sortf": 0, "tags": [],
        "tmpls": [{ "name": "Item", "ord": 0, "qfmt": FRONT, "afmt": BACK, "bqfmt": "", "bafmt": "", "did": null }],
        "type": 0, "usn": -1, "vers": []
    })
}

const CONF: &str = r#"{"activeDecks": [1], "addToCur": true, "collapseTime": 1200, "curDeck": 1, "curModel": "1700000000001", "dueCounts": true, "estTimes": true, "newBury": true, "newSpread": 0, "nextPos": 1, "sortBackwards": false, "sortType": "noteFld", "timeLim": 0}"#;

const DCONF: &str = r#"{"1": {"autoplay": true, "id": 1, "lapse": {"delays": [10], "leechAction": 0, "leechFails": 8, "minInt": 1, "mult": 0}, "maxTaken": 60, "mod": 0, "name": "Default", "new": {"bury": true, "delays": [1, 10], "initialFactor": 2500, "ints": [1, 4, 7], "order": 1, "perDay": 20, "separate": true}, "replayq": true, "rev": {"bury": true, "ease4": 1.3, "fuzz": 0.05, "ivlFct": 1, "maxIvl": 36500, "minSpace": 1, "perDay": 100}, "timer": 0, "usn": 0}}"#;

/// The tables of an Anki collection, schema 11.
const SCHEMA: &str = "
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null, scm integer not null, ver integer not null, dty integer not null, usn integer not null, ls integer not null, conf text not null, models text not null, decks text not null, dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null, mod integer not null, usn integer not null, tags text not null, flds text not null, sfld integer not null, csum integer not null, flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null, ord integer not null, mod integer not null, usn integer not null, type integer not null, queue integer not null, due integer not null, ivl integer not null, factor integer not null, reps integer not null, lapses integer not null, left integer not null, odue integer not null, odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null, ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null, time integer not null, type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
";

/// The indexes of an Anki collection, schema 11, built after the rows are in.
const INDEXES: &str = "
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collection_too_large_for_memory_is_built_in_a_file_with_the_same_bytes() {
        let mut pack = crate::Pack::default();
        pack.meta.keys = true;
        pack.items = (0..200)
            .map(|n| crate::PackItem {
                id: format!("Q-{n}"),
                exam: "demo".into(),
                domain: "1".into(),
                stem: format!(
                    "Which control comes {n}th? {}",
                    "Text of the stem. ".repeat(20)
                ),
                options: vec![
                    crate::PackOption {
                        text: "This".into(),
                        correct: Some(true),
                        ..crate::PackOption::default()
                    },
                    crate::PackOption {
                        text: "That".into(),
                        correct: Some(false),
                        ..crate::PackOption::default()
                    },
                ],
                ..crate::PackItem::default()
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("deck.apkg");
        let deck = |max_pages, out: Option<&Path>| {
            let mut archive = Compressed::default();
            write_limited(&pack, &mut archive, max_pages, out).unwrap();
            let manifest = crate::Manifest::new(archive.take_entries());
            archive.zip(&manifest).unwrap()
        };
        let in_memory = deck(None, None);
        // Twenty pages cannot hold 200 notes: SQLite reports the database full.
        let in_a_file = deck(Some(20), None);
        assert!(in_memory == in_a_file, "the two collections differ");
        // Beside the pack's place, as an export to a file builds it; nothing is left there.
        let beside = deck(Some(20), Some(&out));
        assert!(
            in_memory == beside,
            "the collection built beside the pack differs"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // Beside a read-only pack it replaces, too. (Root may write any file, so the scratch
        // file's mode is checked as well: that is what lets another user's database open it.)
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::write(&out, "old").unwrap();
            std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o444)).unwrap();
            let scratch = scratch_beside(&out).unwrap();
            let mode = scratch
                .file
                .as_file()
                .metadata()
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o600, 0o600, "scratch file mode {mode:o}");
            drop(scratch);
            assert!(in_memory == deck(Some(20), Some(&out)));
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        }
        assert!(in_memory.len() > 20 * 4096 / 8, "{} bytes", in_memory.len());
    }

    #[test]
    fn the_sort_field_is_the_text_outside_tags() {
        assert_eq!(strip_html("a <b>bold</b> 2 > 1"), "a bold 2 > 1");
        assert_eq!(strip_html("x<a<b>y"), "xy");
        assert_eq!(
            strip_html("caf\u{e9}<br>\nend <unclosed"),
            "caf\u{e9}\nend "
        );
    }

    #[test]
    fn fields_escape_markup_braces_and_carriage_returns() {
        assert_eq!(
            field(" {{c1::x}} <b>\r\n"),
            "&#32;&#123;&#123;c1::x&#125;&#125; &lt;b&gt;&#13;<br>\n"
        );
    }
}
