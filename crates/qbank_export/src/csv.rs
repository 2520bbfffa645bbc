//! CSV: one row per item, RFC 4180 (CRLF line ends, fields with a comma, quote or line break
//! quoted, quotes doubled).
//!
//! Columns, in order: `id`, `exam`, `domain`, `task`, `type`, `status`, `difficulty`,
//! `shuffle`, `secure`, `stem`, `option_a` … (as many as the longest item has options, at
//! least two), `key` (the keys' letters joined by `,`, such as `A,C`), `rationale`,
//! `references`, `tags`, `concepts`. Lists hold one entry per line. A pack without keys has no
//! `key` and `rationale` columns.
//!
//! Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return as a formula. Such a cell gets a single quote in front, as OWASP advises, and
//! so does a cell that is already one or more single quotes followed by one of those
//! characters, so that [`unneutralize`] can take exactly one quote off and give the text back
//! unchanged.

use rayon::prelude::*;

use crate::ExportError;
use crate::output::Output;
use crate::pack::{Pack, PackItem, expected_size, label, pipelined};

/// Items whose rows one worker writes at a time.
pub(crate) const CHUNK: usize = 1024;
/// Chunks written before their rows are copied into the file, so that only one wave of
/// chunk buffers exists beside it.
pub(crate) const WAVE: usize = 16;

/// Writes `pack` as CSV.
#[cfg(test)]
pub(crate) fn write(pack: &Pack) -> String {
    crate::output::in_memory(true, |out| write_to(pack, out))
        .ok()
        .and_then(|finished| String::from_utf8(finished.bytes).ok())
        .unwrap_or_default()
}

/// Writes `pack` as CSV to `out`.
pub(crate) fn write_to(pack: &Pack, out: &mut Output) -> Result<(), ExportError> {
    let options = pack
        .items
        .iter()
        .map(|i| i.options.len())
        .max()
        .unwrap_or(0)
        .max(2);
    let keys = pack.meta.keys;
    let mut header: Vec<String> = [
        "id",
        "exam",
        "domain",
        "task",
        "type",
        "status",
        "difficulty",
        "shuffle",
        "secure",
        "stem",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    header.extend((0..options).map(|i| format!("option_{}", label(i).to_lowercase())));
    if keys {
        header.push("key".to_owned());
        header.push("rationale".to_owned());
    }
    header.extend(
        ["references", "tags", "concepts"]
            .iter()
            .map(|s| (*s).to_owned()),
    );
    let mut first = String::new();
    row(header.iter().map(String::as_str), &mut first);
    out.push_str(&first);
    // Rows are written on the thread pool, a chunk of items each, in waves; a wave is copied
    // into the file and hashed, in item order, while the workers write the next.
    let waves: Vec<&[PackItem]> = pack.items.chunks(CHUNK * WAVE).collect();
    let rows_of = |wave: &[PackItem]| -> Vec<String> {
        wave.par_chunks(CHUNK)
            .map(|chunk| {
                let mut rows = String::with_capacity(chunk.len() * 1600);
                for item in chunk {
                    item_row(item, options, keys, &mut rows);
                }
                rows
            })
            .collect()
    };
    pipelined(
        waves.len(),
        |wave| Ok(rows_of(waves[wave])),
        |wave, rows| {
            if wave == 0 {
                let written = rows.iter().map(String::len).sum();
                out.expect(expected_size(written, waves[0].len(), pack.items.len()));
            }
            for rows in rows {
                out.push_str(&rows);
            }
            out.settle()
        },
    )?;
    out.settle()
}

fn item_row(item: &PackItem, options: usize, keys: bool, out: &mut String) {
    let difficulty = item.difficulty.map(|d| d.to_string()).unwrap_or_default();
    let key = item
        .key_indices()
        .into_iter()
        .map(label)
        .collect::<Vec<_>>()
        .join(",");
    let mut fields: Vec<&str> = vec![
        &item.id,
        &item.exam,
        &item.domain,
        item.task.as_deref().unwrap_or(""),
        item.item_type.as_str(),
        item.status.as_str(),
        &difficulty,
        if item.shuffle { "true" } else { "false" },
        if item.secure { "true" } else { "false" },
        &item.stem,
    ];
    for i in 0..options {
        fields.push(item.options.get(i).map_or("", |o| o.text.as_str()));
    }
    if keys {
        fields.push(&key);
        fields.push(item.rationale.as_deref().unwrap_or(""));
    }
    let references = item.references.join("\n");
    let tags = item.tags.join("\n");
    let concepts = item.concepts.join("\n");
    fields.extend([references.as_str(), tags.as_str(), concepts.as_str()]);
    row(fields.into_iter(), out);
}

fn row<'a>(fields: impl Iterator<Item = &'a str>, out: &mut String) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let quote = if formula_like(field) { "'" } else { "" };
        if field.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(quote);
            for (j, part) in field.split('"').enumerate() {
                if j > 0 {
                    out.push_str("\"\"");
                }
                out.push_str(part);
            }
            out.push('"');
        } else {
            out.push_str(quote);
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

/// The characters that make a spreadsheet read a cell as a formula when the cell starts with one.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a cell needs a single quote in front: it starts with a formula character, after
/// any single quotes it already starts with.
fn formula_like(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// The text of a cell as written before neutralisation: one leading single quote less when the
/// writer added one (see the module docs).
pub(crate) fn unneutralize(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => cell,
    }
}

/// Splits RFC 4180 text into records of fields (see [`parse_lines`]).
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Result<Vec<Vec<String>>, (usize, String)> {
    parse_lines(text).map(|records| records.into_iter().map(|(_, record)| record).collect())
}

/// A record of fields and the line it starts on.
pub(crate) type Numbered = (usize, Vec<String>);

/// Splits RFC 4180 text into records of fields, each with the 1-based line on which it starts
/// (a quoted field may span lines). Returns the line of a malformed record on error.
pub(crate) fn parse_lines(text: &str) -> Result<Vec<Numbered>, (usize, String)> {
    let mut records = Vec::new();
    let mut record_line = 1;
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut quoted = false;
    // The line a quoted field opens on: where one that is never closed is reported.
    let mut quote_line = 1;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => {
                    quoted = false;
                    match chars.peek() {
                        None | Some(',' | '\r' | '\n') => {}
                        Some(other) => {
                            return Err((line, format!("`{other}` after a closing quote")));
                        }
                    }
                }
                _ => {
                    // Line breaks inside a quoted field count as outside it: `\n`, `\r\n` or
                    // a lone `\r`.
                    if c == '\n' || (c == '\r' && chars.peek() != Some(&'\n')) {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if at_start => {
                quoted = true;
                quote_line = line;
                at_start = false;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                at_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                record.push(std::mem::take(&mut field));
                records.push((record_line, std::mem::take(&mut record)));
                at_start = true;
                line += 1;
                record_line = line;
            }
            _ => {
                field.push(c);
                at_start = false;
            }
        }
    }
    if quoted {
        return Err((quote_line, "a quoted field is not closed".to_owned()));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push((record_line, record));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_get_one_quote_that_unneutralize_takes_off() {
        let mut out = String::new();
        row(
            [
                "=1+1", "+x", "-5", "@SUM(A1)", "\tt", "\rr", "'=a", "''@b", "'plain", "a=b", "'",
            ]
            .into_iter(),
            &mut out,
        );
        assert_eq!(
            out,
            "'=1+1,'+x,'-5,'@SUM(A1),'\tt,\"'\rr\",''=a,'''@b,'plain,a=b,'\r\n"
        );
        let parsed = parse(&out).unwrap();
        let back: Vec<&str> = parsed[0].iter().map(|c| unneutralize(c)).collect();
        assert_eq!(
            back,
            [
                "=1+1", "+x", "-5", "@SUM(A1)", "\tt", "\rr", "'=a", "''@b", "'plain", "a=b", "'"
            ]
        );
    }

    #[test]
    fn fields_round_trip_through_quoting() {
        let mut out = String::new();
        row(
            ["a,b", "say \"hi\"", "x\r\ny", "", "plain"].into_iter(),
            &mut out,
        );
        assert_eq!(out, "\"a,b\",\"say \"\"hi\"\"\",\"x\r\ny\",,plain\r\n");
        let parsed = parse(&out).unwrap();
        assert_eq!(
            parsed,
            vec![vec!["a,b", "say \"hi\"", "x\r\ny", "", "plain"]]
        );
    }
}
