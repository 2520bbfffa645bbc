//! Writing a pack item as a bank item file.

use std::fmt::Write as _;

use crate::pack::PackItem;

/// A TOML string: a basic string with escapes, or a multi-line one for text with line feeds,
/// which reads better in a diff.
fn string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

fn strings(list: &[String]) -> String {
    let parts: Vec<String> = list.iter().map(|s| string(s)).collect();
    format!("[{}]", parts.join(", "))
}

/// Whether `text` is a date TOML can write bare: `YYYY-MM-DD`.
fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The item file of `item`, starting with a `#:schema` comment that points at `schema`.
/// A date that is not `YYYY-MM-DD` is written as a string, which the schema then reports.
pub fn item_toml(item: &PackItem, schema: &str) -> String {
    let mut out = String::with_capacity(item.stem.len() * 2 + 512);
    let _ = writeln!(out, "#:schema {schema}");
    let _ = writeln!(out, "id = {}", string(&item.id));
    let _ = writeln!(out, "exam = {}", string(&item.exam));
    let _ = writeln!(out, "domain = {}", string(&item.domain));
    if let Some(task) = &item.task {
        let _ = writeln!(out, "task = {}", string(task));
    }
    let _ = writeln!(out, "type = \"{}\"", item.item_type.as_str());
    let _ = writeln!(out, "status = \"{}\"", item.status.as_str());
    if let Some(d) = item.difficulty {
        let _ = writeln!(out, "difficulty = {d}");
    }
    if !item.shuffle {
        out.push_str("shuffle = false\n");
    }
    if item.secure {
        out.push_str("secure = true\n");
    }
    let _ = writeln!(out, "stem = {}", string(&item.stem));
    if let Some(r) = &item.rationale {
        let _ = writeln!(out, "rationale = {}", string(r));
    }
    for (key, list) in [
        ("references", &item.references),
        ("tags", &item.tags),
        ("concepts", &item.concepts),
        ("enemies", &item.enemies),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "{key} = {}", strings(list));
        }
    }
    if !item.exhibits.is_empty() {
        let parts: Vec<String> = item
            .exhibits
            .iter()
            .map(|e| format!("{{ file = {}, alt = {} }}", string(&e.file), string(&e.alt)))
            .collect();
        let _ = writeln!(out, "exhibits = [{}]", parts.join(", "));
    }
    for (key, list) in [("authors", &item.authors), ("reviewers", &item.reviewers)] {
        if !list.is_empty() {
            let _ = writeln!(out, "{key} = {}", strings(list));
        }
    }
    for (key, date) in [("created", &item.created), ("updated", &item.updated)] {
        match date {
            Some(d) if is_date(d) => {
                let _ = writeln!(out, "{key} = {d}");
            }
            Some(d) => {
                let _ = writeln!(out, "{key} = {}", string(d));
            }
            None => {}
        }
    }
    for option in &item.options {
        let _ = writeln!(out, "\n[[options]]\ntext = {}", string(&option.text));
        if option.correct == Some(true) {
            out.push_str("correct = true\n");
        }
        if let Some(f) = &option.feedback {
            let _ = writeln!(out, "feedback = {}", string(f));
        }
        if option.fixed {
            out.push_str("fixed = true\n");
        }
    }
    out
}
