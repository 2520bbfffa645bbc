//! The canonical layout of an item file, as `qbank fmt` writes it.
//!
//! - Top-level keys in the order of the item format (`id`, `exam`, `domain`, `task`, `type`,
//!   `status`, `difficulty`, `shuffle`, `secure`, `stem`, `rationale`, `references`, `tags`,
//!   `concepts`, `enemies`, `exhibits`, `authors`, `reviewers`, `created`, `updated`), then
//!   any key the format does not know (the schema reports those), then the options.
//! - Options as `[[options]]` tables, each after one blank line, with `text`, `correct`,
//!   `feedback`, `fixed` in that order; an inline `options = [...]` array is turned into them.
//! - A text that spans lines (the stem, rationale, feedback) as a triple-quoted string.
//! - Other tables (which the schema reports) after the options, in the order they were written.
//! - One space around `=`, no trailing whitespace outside multi-line strings (inside them it is
//!   part of the value), and exactly one newline at the end.
//!
//! Comments stay with the key or table they precede. Values are not changed: formatting an
//! item never changes what it means.

use toml_edit::{DocumentMut, Item, Table, Value};

/// The keys of an option, in canonical order.
const OPTION_ORDER: &[&str] = &["text", "correct", "feedback", "fixed"];

/// A file that is not valid TOML, with the parser's message (which names the line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// The parser's message.
    pub message: String,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FormatError {}

/// `text`, an item file, in the canonical layout.
pub fn format_item(text: &str) -> Result<String, FormatError> {
    let mut document: DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| FormatError {
                message: e.to_string().trim_end().to_owned(),
            })?;
    let root = document.as_table_mut();
    // `options = [{ ... }, ...]` becomes `[[options]]` tables, unless comments sit between
    // its elements: those have no place among tables, and a comment is never dropped.
    // (A comment above `options` as the file's first key heads the file: `take_header`.)
    let first_key = root.iter().next().map(|(key, _)| key == "options");
    let commented_key = root
        .key("options")
        .map(|key| prefix(key.leaf_decor()))
        .filter(|p| p.contains('#') && first_key == Some(false));
    if let Some(item) = root.get_mut("options")
        && let Item::Value(Value::Array(array)) = item
        && array.iter().all(Value::is_inline_table)
        && !has_comments(array)
    {
        let taken = std::mem::replace(item, Item::None);
        if let Ok(mut tables) = taken.clone().into_array_of_tables() {
            // The comment above `options = [` goes above the first table.
            if let (Some(comment), Some(first)) = (&commented_key, tables.get_mut(0)) {
                first.decor_mut().set_prefix(comment.clone());
            }
            *item = Item::ArrayOfTables(tables);
            if commented_key.is_some()
                && let Some(mut key) = root.key_mut("options")
            {
                key.leaf_decor_mut().set_prefix("");
            }
        } else {
            *item = taken;
        }
    }
    // The comments before the first key head the file (`#:schema`, a suppression): they stay
    // at the top whichever key comes first.
    // They go to the document's own prefix: on a key that sorts first they could land on the
    // `options` key, whose prefix is written before every `[[options]]` header.
    if let Some(header) = take_header(root) {
        let own = prefix(root.decor());
        root.decor_mut().set_prefix(format!("{own}{header}"));
    }
    sort(root, crate::item::ITEM_KEYS);
    for (_, item) in root.iter_mut() {
        multiline(item);
    }
    if let Some(Item::ArrayOfTables(options)) = root.get_mut("options") {
        for option in options.iter_mut() {
            sort(option, OPTION_ORDER);
            for (_, item) in option.iter_mut() {
                multiline(item);
            }
            let prefix = option
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("");
            let comments = prefix
                .trim_start_matches(['\n', '\r', ' ', '\t'])
                .to_owned();
            option.decor_mut().set_prefix(format!("\n{comments}"));
        }
    }
    place_tables(document.as_table_mut());
    let written = document.to_string();
    // Trailing blanks go, except inside a multi-line string, where they are part of the value.
    let strings = multiline_strings(&written);
    let mut out = String::new();
    let mut start = 0;
    for line in written.lines() {
        let end = start + line.len();
        if strings.iter().any(|s| s.start < end && end < s.end) {
            out.push_str(line);
        } else {
            out.push_str(line.trim_end_matches([' ', '\t']));
        }
        out.push('\n');
        start = (end + 1).min(written.len());
        if written.as_bytes().get(end) == Some(&b'\r') {
            start = (end + 2).min(written.len());
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    // Nothing before the first line: a file that starts with its options would otherwise start
    // with the blank line that separates option tables.
    let blank = out.len() - out.trim_start_matches('\n').len();
    out.drain(..blank);
    if out.trim().is_empty() {
        out.clear();
    }
    Ok(out)
}

/// The byte ranges of the multi-line strings of `text` (a TOML document), quotes included.
fn multiline_strings(text: &str) -> Vec<std::ops::Range<usize>> {
    type Spans = Vec<std::ops::Range<usize>>;
    fn in_value(text: &str, value: &Value, out: &mut Spans) {
        match value {
            Value::String(string) => {
                if let Some(span) = string.span()
                    && text
                        .get(span.clone())
                        .is_some_and(|raw| raw.starts_with("\"\"\"") || raw.starts_with("'''"))
                {
                    out.push(span);
                }
            }
            Value::Array(array) => array.iter().for_each(|v| in_value(text, v, out)),
            Value::InlineTable(table) => table.iter().for_each(|(_, v)| in_value(text, v, out)),
            _ => {}
        }
    }
    fn in_table(text: &str, table: &Table, out: &mut Spans) {
        for (_, item) in table {
            match item {
                Item::Value(value) => in_value(text, value, out),
                Item::Table(child) => in_table(text, child, out),
                Item::ArrayOfTables(array) => array.iter().for_each(|t| in_table(text, t, out)),
                Item::None => {}
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(document) = toml_edit::Document::parse(text) {
        in_table(text, document.as_table(), &mut out);
    }
    out
}

/// Sets the document positions of the tables under `root`, which decide the order they are
/// written in: the options first, in their order, each with its own sub-tables; then every other
/// table in the order it is written now. Written this way, a formatted file formats to itself.
fn place_tables(root: &mut Table) {
    // Each table as the writer sees it: whether it belongs to an option, and its position
    // (a table without one is written after the table before it).
    let mut tables: Vec<(bool, isize)> = Vec::new();
    let mut last = 0;
    visit_tables(root, true, false, &mut |table, in_options| {
        if let Some(position) = table.position() {
            last = position;
        }
        tables.push((in_options, last));
    });
    let mut order: Vec<usize> = (0..tables.len()).collect();
    // Stable: options in visiting order, then the others by their present position.
    order.sort_by_key(|&i| {
        let (in_options, position) = tables[i];
        (!in_options, if in_options { 0 } else { position })
    });
    let mut placed = vec![0; tables.len()];
    for (rank, &i) in order.iter().enumerate() {
        placed[i] = isize::try_from(rank).unwrap_or(isize::MAX);
    }
    let mut next = placed.into_iter();
    visit_tables(root, true, false, &mut |table, _| {
        table.set_position(next.next());
    });
}

/// Calls `f` on every table below `table` that is written with a header (not dotted), in the
/// order the TOML writer visits them, with whether it is (or is inside) an option; `top` says
/// that `table` is the document's root, where `options` are the item's options.
fn visit_tables(
    table: &mut Table,
    top: bool,
    in_options: bool,
    f: &mut impl FnMut(&mut Table, bool),
) {
    for (key, item) in table.iter_mut() {
        let inside = in_options || (top && key.get() == "options");
        match item {
            Item::Table(child) => {
                if !child.is_dotted() {
                    f(child, inside);
                }
                visit_tables(child, false, inside, f);
            }
            Item::ArrayOfTables(array) => {
                for child in array.iter_mut() {
                    if !child.is_dotted() {
                        f(child, inside);
                    }
                    visit_tables(child, false, inside, f);
                }
            }
            _ => {}
        }
    }
}

/// Removes and returns the comments before the first key of `root`, if any.
fn take_header(root: &mut Table) -> Option<String> {
    let first: String = root.iter().next().map(|(key, _)| key.to_owned())?;
    let mut key = root.key_mut(&first)?;
    let header = prefix(key.leaf_decor());
    if !header.contains('#') {
        return None;
    }
    key.leaf_decor_mut().set_prefix("");
    // At the start of each line: an indented comment would keep its indent here but lose it
    // where a second run finds it, before the first `[[options]]` header of a file without
    // top-level keys.
    Some(
        header
            .split_inclusive('\n')
            .map(|line| line.trim_start_matches([' ', '\t']))
            .collect(),
    )
}

/// A decor's prefix as written, or "".
/// Whether comments sit between the elements of `array` or after its last.
fn has_comments(array: &toml_edit::Array) -> bool {
    let commented = |raw: Option<&toml_edit::RawString>| {
        raw.and_then(toml_edit::RawString::as_str)
            .is_some_and(|s| s.contains('#'))
    };
    commented(Some(array.trailing()))
        || array
            .iter()
            .any(|v| commented(v.decor().prefix()) || commented(v.decor().suffix()))
}

fn prefix(decor: &toml_edit::Decor) -> String {
    decor
        .prefix()
        .and_then(|p| p.as_str())
        .unwrap_or("")
        .to_owned()
}

/// Sorts `table`'s keys by their place in `order`, unknown keys after the known ones (in
/// their own order), and sets one space around each `=`.
fn sort(table: &mut Table, order: &[&str]) {
    let rank = |key: &str| order.iter().position(|k| *k == key).unwrap_or(order.len());
    table.sort_values_by(|a, _, b, _| rank(a.get()).cmp(&rank(b.get())));
    for (mut key, item) in table.iter_mut() {
        if let Some(value) = item.as_value_mut() {
            key.leaf_decor_mut().set_suffix(" ");
            let suffix = value
                .decor()
                .suffix()
                .and_then(|s| s.as_str())
                .unwrap_or("")
                .to_owned();
            value.decor_mut().set_prefix(" ");
            value
                .decor_mut()
                .set_suffix(suffix.trim_end_matches([' ', '\t']));
        } else {
            // A table header: `[[options]]`, with no space inside the brackets.
            key.leaf_decor_mut().clear();
        }
    }
}

/// Rewrites a string that holds a line break, and is not yet triple-quoted, in the default
/// representation, which for such strings is a triple-quoted one.
fn multiline(item: &mut Item) {
    let Some(Value::String(string)) = item.as_value_mut() else {
        return;
    };
    let raw = string
        .as_repr()
        .and_then(|r| r.as_raw().as_str())
        .unwrap_or("");
    if !string.value().contains('\n') || raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        return;
    }
    let decor = string.decor().clone();
    let mut fresh = toml_edit::Formatted::new(string.value().clone());
    *fresh.decor_mut() = decor;
    *string = fresh;
}

#[cfg(test)]
mod tests {
    use super::format_item;

    /// `text` formatted, after checking that formatting kept every value and that the result
    /// formats to itself.
    /// Formats `text`, checks that the values qbank reads are the same before and after and
    /// that the result formats to itself, and returns it.
    fn format_checked(text: &str) -> String {
        let formatted = format_item(text).unwrap();
        let values = |text: &str| crate::Document::parse(text).unwrap().to_json().unwrap();
        assert_eq!(
            values(text),
            values(&formatted),
            "values changed:\n{formatted}"
        );
        assert_eq!(
            format_item(&formatted).unwrap(),
            formatted,
            "not idempotent"
        );
        formatted
    }

    #[test]
    fn crlf_line_ends_become_lf_and_multi_line_texts_keep_their_values() {
        // qbank reads a line end inside a multi-line string as LF, so writing LF keeps the
        // value; an escaped `\r` stays.
        let text = "stem = \"\"\"\r\nOne\r\ntwo\\r\\n \\\r\n  three\"\"\"\r\nrationale = '''\r\nx\r\ny'''\r\n";
        assert_eq!(
            format_checked(text),
            "stem = \"\"\"\nOne\ntwo\\r\\n \\\n  three\"\"\"\nrationale = '''\nx\ny'''\n"
        );
    }

    #[test]
    fn comments_in_an_inline_options_array_are_kept() {
        let text = "id = \"Q-1\"\n# keep these two\noptions = [\n  # the key\n  { text = \"A\", correct = true }, # strong\n  # weak distractor\n  { text = \"B\" },\n]\n";
        let formatted = format_checked(text);
        for comment in [
            "# keep these two",
            "# the key",
            "# strong",
            "# weak distractor",
        ] {
            assert!(formatted.contains(comment), "{comment}:\n{formatted}");
        }
        // Only the comment above the array: the array becomes tables, the comment above them.
        let text = "id = \"Q-1\"\n# keep these two\noptions = [{ text = \"A\", correct = true }, { text = \"B\" }]\n";
        assert_eq!(
            format_checked(text),
            "id = \"Q-1\"\n\n# keep these two\n[[options]]\ntext = \"A\"\ncorrect = true\n\n[[options]]\ntext = \"B\"\n"
        );
    }

    #[test]
    fn canonical_items_are_unchanged() {
        let text = "#:schema ../schemas/item.schema.json\nid = \"Q-1\"\nexam = \"demo\"\nstem = \"\"\"\nTwo\nlines\"\"\"\n\n[[options]]\ntext = \"A\"\ncorrect = true\n\n[[options]]\ntext = \"B\"\n";
        assert_eq!(format_item(text).unwrap(), text);
    }

    #[test]
    fn keys_are_ordered_and_comments_travel_with_them() {
        let text = "stem = \"Why?\"\n# the id\nid = \"Q-1\"\nexam=\"demo\"   \n[[options]]\ncorrect = true\ntext = \"A\"\n[[options]]\ntext = \"B\"";
        insta::assert_snapshot!(format_item(text).unwrap(), @r#"
        # the id
        id = "Q-1"
        exam = "demo"
        stem = "Why?"

        [[options]]
        text = "A"
        correct = true

        [[options]]
        text = "B"
        "#);
    }

    #[test]
    fn inline_options_become_tables_and_line_breaks_triple_quotes() {
        let text = "id = \"Q-1\"\nstem = \"One\\nTwo\"\noptions = [{ text = \"A\", correct = true }, { text = \"B\" }]\n";
        let formatted = format_checked(text);
        insta::assert_snapshot!(formatted, @r#"
        id = "Q-1"
        stem = """
        One
        Two"""

        [[options]]
        text = "A"
        correct = true

        [[options]]
        text = "B"
        "#);
    }

    #[test]
    fn other_tables_follow_the_options_and_stay_put() {
        // An unknown array of tables among the options (found by fuzzing: the options moved
        // around it on each run) and a sub-table of an option.
        let text = "id = \"Q-1\"\n[[options]]\ntext = \"A\"\n[[optionz]]\nx = 1\n[[options]]\ntext = \"B\"\n[options.note]\ny = 2\n[extra]\nz = 3\n[[options]]\ntext = \"C\"\n";
        let formatted = format_checked(text);
        insta::assert_snapshot!(formatted, @r#"
        id = "Q-1"

        [[options]]
        text = "A"

        [[options]]
        text = "B"
        [options.note]
        y = 2

        [[options]]
        text = "C"
        [[optionz]]
        x = 1
        [extra]
        z = 3
        "#);
    }

    #[test]
    fn blanks_at_line_ends_inside_multiline_strings_stay() {
        // Found by fuzzing: trimming every line changed a rationale that ends a line in a blank.
        let text = "id = \"Q-1\"   \nrationale = \"\"\"\nkeep  \nthis\t\nend\"\"\"  \n# note  \n";
        let formatted = format_checked(text);
        assert_eq!(
            formatted,
            "id = \"Q-1\"\nrationale = \"\"\"\nkeep  \nthis\t\nend\"\"\"\n# note\n"
        );
    }

    #[test]
    fn a_heading_comment_stays_at_the_top_once() {
        // Found by fuzzing: the comment moved onto the `options` key, which sorts before the
        // unknown `text`, and was written before every `[[options]]` header.
        let text = "# heading [[options]]\ntext = \"X\"\n\n[[options]]\ntext = \"A\"\n\n[[options]]\ntext = \"B\"\n";
        let formatted = format_checked(text);
        insta::assert_snapshot!(formatted, @r#"
        # heading [[options]]
        text = "X"

        [[options]]
        text = "A"

        [[options]]
        text = "B"
        "#);
    }

    #[test]
    fn a_file_of_options_starts_with_its_comment_or_its_first_table() {
        // Found by fuzzing: with no key before the options, the heading comment became the
        // first table's and gained a blank line before it on the second run.
        let text = "# heading\noptions = [\n  { text = \"A\" },\n  { text = \"B\" },\n]\n";
        let formatted = format_checked(text);
        insta::assert_snapshot!(formatted, @r#"
        # heading

        [[options]]
        text = "A"

        [[options]]
        text = "B"
        "#);
        let tables = "[[options]]\ntext = \"A\"\n";
        assert_eq!(format_checked(tables), tables);
    }

    #[test]
    fn indented_header_comments_start_their_lines() {
        // Found by the `item_lint` fuzz target: with no top-level key, the comment ends up
        // before the first `[[options]]` header, where a second run took the indent off.
        let text = " #a note\n\t# another\noptions = [{ text = \"A\" }, { text = \"B\" }]\n";
        assert_eq!(
            format_checked(text),
            "#a note\n# another\n\n[[options]]\ntext = \"A\"\n\n[[options]]\ntext = \"B\"\n"
        );
        let keyed = "  # note\nid = \"Q-1\"\n";
        assert_eq!(format_checked(keyed), "# note\nid = \"Q-1\"\n");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let error = format_item("id = \"Q-1\"\nstem = \n").unwrap_err();
        assert!(error.message.contains("line 2"), "{}", error.message);
    }
}
