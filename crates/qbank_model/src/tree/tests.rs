use super::*;

fn reference(text: &str) -> Option<Table<'_>> {
    DeTable::parse(text)
        .ok()
        .map(|root| from_de(root.get_ref()))
}

/// `parse` either leaves the text to `toml` or gives exactly `toml`'s tree.
#[track_caller]
fn agrees(text: &str) -> Option<Table<'_>> {
    let fast = parse(text);
    if let Some(fast) = &fast {
        assert_eq!(Some(fast), reference(text).as_ref(), "{text:?}");
    }
    fast
}

#[test]
fn builds_the_tree_of_an_item() {
    let text = "#:schema ../item.schema.json\nid = \"Q-1\"\ndifficulty = 3\nweight = 0.25\n\
                created = 2026-01-02\nshuffle = false\ntags = ['a', \"b\"]\n\
                stem = \"\"\"\nWhich one?\"\"\"\n\n[[options]]\ntext = \"x\"\ncorrect = true\n\n\
                [[options]]\ntext = 'y'\n\n[meta]\nnote = { a = 1, b = [2, 3] }\n";
    let root = agrees(text).expect("within the builder's shapes");
    let keys: Vec<_> = root.iter().map(|(k, _)| k.name.as_ref()).collect();
    assert_eq!(
        keys,
        [
            "id",
            "difficulty",
            "weight",
            "created",
            "shuffle",
            "tags",
            "stem",
            "options",
            "meta"
        ]
    );
    // Strings without escapes borrow from the text.
    assert!(matches!(
        root.get("stem").map(|v| &v.kind),
        Some(ValueKind::String(Cow::Borrowed("Which one?")))
    ));
    let options = root.get("options").and_then(Value::as_array).unwrap();
    assert_eq!(options.len(), 2);
    assert_eq!(&text[options[1].range.to_range()], "[[options]]");
    assert_eq!(
        &text[root.get("options").unwrap().range.to_range()],
        "[[options]]"
    );
    assert!(options[1].range.start > options[0].range.start);
    let note = root
        .get("meta")
        .and_then(Value::as_table)
        .and_then(|t| t.get("note"))
        .unwrap();
    assert_eq!(&text[note.range.to_range()], "{ a = 1, b = [2, 3] }");
}

#[test]
fn decodes_escapes_and_unusual_strings_as_toml_does() {
    for text in [
        "a = \"tab\\there \\u00e9 \\\"q\\\"\"\n",
        "a = \"\"\"\nline one \\\n   continued\"\"\"\n",
        "a = \"\"\"two quotes at the end\"\"\"\"\"\n",
        "a = '''\nraw \\n text'''\n",
        "a = \"\"\"\r\ncrlf\r\nlines\"\"\"\r\nb = 1\r\n",
        "a = 'lit\\eral'\n",
        "a = \"\"\n\"quoted key\" = 1\n'lit key' = 2\n",
        "a = 0x1F\nb = 0o17\ng = -17\nc = 0b101\nd = 1_000\ne = +inf\nf = -3.5e2\n",
        "a = 1979-05-27T07:32:00Z\nb = 07:32:00\nc = 1979-05-27\n",
        "a = [[1, 2], [\"x\"], [{ b = true }]]\n",
        "a = { b = { c = [] } }\n",
        "a = \"tab\tinside\"\n",
        "a = \"non-ascii é ✓ 𝄞\"\n",
    ] {
        assert!(agrees(text).is_some(), "{text:?}");
    }
}

#[test]
fn leaves_errors_and_other_shapes_to_toml() {
    for text in [
        // Errors of syntax, values and structure.
        "a = \n",
        "a = \"unterminated\n",
        "a = \"bad \\q escape\"\n",
        "a = \"control \u{1} char\"\n",
        "a = 1\na = 2\n",
        "[t]\nx = 1\n[t]\ny = 2\n",
        "a = 1\n[[a]]\n",
        "[a]\n[[a]]\n",
        "[[a]]\n[a]\n",
        "a = { b = 1, b = 2 }\n",
        "a = 1979-13-45\n",
        "a = 00\n",
        "a = -0o17\n",
        "# comment with \u{7f}\n",
        "a = \"\"\"lone \r carriage\"\"\"\n",
        // Dotted keys and nested headers.
        "a.b = 1\n",
        "[a.b]\nc = 1\n",
        "[[a.b]]\nc = 1\n",
        "a = { b.c = 1 }\n",
    ] {
        assert_eq!(agrees(text), None, "{text:?}");
    }
}

#[test]
fn nesting_beyond_the_limit_is_left_to_toml() {
    let deep = format!("a = {}{}\n", "[".repeat(100), "]".repeat(100));
    assert_eq!(parse(&deep), None);
    assert!(DeTable::parse(&deep).is_err());
}

#[test]
fn agrees_with_toml_on_every_file_of_the_sample_bank() {
    let bank = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bank");
    let mut stack = vec![bank];
    let (mut slow, mut total) = (Vec::new(), 0);
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                total += 1;
                if agrees(&text).is_none() {
                    slow.push(path);
                }
            }
        }
    }
    // Every item, blueprint and glossary file has the shape the builder reads itself; the
    // configuration's `[profiles.NAME]` tables are left to `toml`.
    assert!(total > 250, "{total}");
    let slow: Vec<_> = slow.iter().filter_map(|p| p.file_name()).collect();
    assert_eq!(slow, ["qbank.toml"]);
}

#[test]
fn large_tables_are_indexed_and_agree_with_toml() {
    // Enough keys for an index, in every kind of table the builder reads, with a duplicate
    // found through the index.
    let lines =
        |n: usize, line: &dyn Fn(usize) -> String| (0..n).map(line).collect::<Vec<_>>().concat();
    let keys = |n: usize| lines(n, &|i| format!("k{i} = {i}\n"));
    let inline = (0..100)
        .map(|i| format!("k{i} = {i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let headers = lines(100, &|i| format!("[t{i}]\nx = 1\n"));
    let arrays = lines(100, &|i| format!("[[a{i}]]\n[[a{i}]]\n"));
    for text in [
        keys(100),
        format!("[t]\n{}", keys(100)),
        format!("a = {{ {inline} }}\n"),
        headers.clone(),
        arrays.clone(),
    ] {
        let root = agrees(&text).expect("within the builder's shapes");
        assert!(!root.is_empty());
    }
    let text = keys(100);
    let root = agrees(&text).unwrap();
    // A lookup in a large table goes through the index, not a scan of every key: a file of
    // a hundred thousand keys is read in linear time.
    assert!(root.index.is_some());
    assert!(agrees(&keys(INDEXED_FROM)).unwrap().index.is_none());
    assert_eq!(
        root.get("k77").and_then(Value::as_integer),
        Some(("77", 10))
    );
    assert_eq!(root.get("k100"), None);
    for text in [
        format!("{}k57 = 1\n", keys(100)),
        format!("{headers}[t57]\n"),
        format!("{arrays}[a57]\n"),
        format!("{headers}[[t57]]\n"),
    ] {
        assert_eq!(agrees(&text), None, "{text:?}");
    }
}

#[test]
fn converted_tables_are_indexed_too() {
    let text = (0..100)
        .map(|i| format!("a.k{i} = {i}\n"))
        .collect::<Vec<_>>()
        .concat();
    assert_eq!(parse(&text), None);
    let root = reference(&text).unwrap();
    let a = root.get("a").and_then(Value::as_table).unwrap();
    assert_eq!(a.len(), 100);
    assert_eq!(
        a.get_key_value("k99")
            .map(|(k, _)| &text[k.range.to_range()]),
        Some("k99")
    );
}
