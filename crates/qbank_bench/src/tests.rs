use std::collections::{BTreeMap, HashSet};

use toml::Value;

use super::*;

/// The top-level keys of a generated valid item, in file order (`enemies` is optional).
const KEYS: [&str; 17] = [
    "id",
    "exam",
    "domain",
    "task",
    "type",
    "status",
    "difficulty",
    "stem",
    "rationale",
    "references",
    "tags",
    "concepts",
    "authors",
    "reviewers",
    "created",
    "updated",
    "options",
];

const REQUIRED: [&str; 9] = [
    "id", "exam", "domain", "type", "status", "stem", "authors", "created", "options",
];

fn generator(items: usize, seed: u64, invalid: usize, dupes: usize) -> Generator {
    Generator::new(GenOptions {
        items,
        seed,
        invalid_per_mille: invalid,
        dupes_per_mille: dupes,
    })
    .unwrap()
}

fn concept_ids() -> HashSet<String> {
    let glossary: toml::Table = CONCEPTS.parse().unwrap();
    glossary["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|concept| concept["id"].as_str().unwrap().to_owned())
        .collect()
}

fn is_kebab(text: &str) -> bool {
    !text.is_empty()
        && text.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// What an independent reader of the item format would object to in a parsed item; empty for
/// a valid item.
fn problems(item: &GeneratedItem, table: &toml::Table, concepts: &HashSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for key in table.keys() {
        if !KEYS.contains(&key.as_str()) && key != "enemies" {
            out.push(format!("unknown key `{key}`"));
        }
    }
    for key in REQUIRED {
        if !table.contains_key(key) {
            out.push(format!("missing `{key}`"));
        }
    }
    if table.get("id").and_then(Value::as_str) != Some(item.id.as_str()) {
        out.push("id does not match the file name".into());
    }
    let item_type = table.get("type").and_then(Value::as_str);
    if !matches!(item_type, Some("single" | "multiple")) {
        out.push(format!("bad type {item_type:?}"));
    }
    let status = table.get("status").and_then(Value::as_str);
    if !matches!(status, Some("draft" | "review" | "approved" | "retired")) {
        out.push(format!("bad status {status:?}"));
    }
    if let Some(difficulty) = table.get("difficulty")
        && !matches!(difficulty.as_integer(), Some(1..=5))
    {
        out.push(format!("bad difficulty {difficulty}"));
    }
    for key in ["created", "updated"] {
        if let Some(value) = table.get(key)
            && value.as_datetime().is_none()
        {
            out.push(format!("`{key}` is not a date"));
        }
    }
    if let Some(options) = table.get("options").and_then(Value::as_array) {
        let keys = options
            .iter()
            .filter(|option| option.get("correct").and_then(Value::as_bool) == Some(true))
            .count();
        match item_type {
            Some("single") if keys != 1 => out.push(format!("{keys} keys on a single item")),
            Some("multiple") if keys < 2 => out.push(format!("{keys} keys on a multiple item")),
            _ => {}
        }
    }
    for id in table
        .get("concepts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !concepts.contains(id.as_str().unwrap_or_default()) {
            out.push(format!("unknown concept {id}"));
        }
    }
    out
}

#[test]
fn same_options_give_the_same_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    generator(300, 7, 50, 20).write(a.path()).unwrap();
    generator(300, 7, 50, 20).write(b.path()).unwrap();
    let read = |root: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        let mut files = BTreeMap::new();
        let mut stack = vec![root.to_owned()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let relative = path.strip_prefix(root).unwrap().to_owned();
                    files.insert(relative, fs::read(&path).unwrap());
                }
            }
        }
        files
    };
    let (first, second) = (read(a.path()), read(b.path()));
    assert_eq!(first.len(), 300 + 6);
    assert!(first == second, "two runs with the same options differ");

    let other = generator(300, 8, 50, 20);
    assert_ne!(other.item(0).text, generator(300, 7, 50, 20).item(0).text);
}

#[test]
fn valid_items_parse_and_have_every_key() {
    let concepts = concept_ids();
    let generator = generator(2000, 1, 0, 0);
    let mut ids = HashSet::new();
    let mut multiple = 0;
    let mut enemies = 0;
    for index in 0..generator.len() {
        let item = generator.item(index);
        assert!(item.defect.is_none());
        assert!(ids.insert(item.id.clone()), "duplicate id {}", item.id);
        assert!(
            item.text
                .starts_with("#:schema ../../../../schemas/item.schema.json\n")
        );
        let table: toml::Table = item
            .text
            .parse()
            .unwrap_or_else(|error| panic!("{} does not parse: {error}\n{}", item.id, item.text));
        assert_eq!(problems(&item, &table, &concepts), Vec::<String>::new());

        // Source order of the top-level keys, read from the text (tables do not keep order).
        let keys: Vec<&str> = item
            .text
            .lines()
            .filter_map(|line| line.split_once(" = ").map(|(key, _)| key))
            .filter(|key| table.contains_key(*key))
            .chain(item.text.contains("[[options]]").then_some("options"))
            .collect();
        let expected: Vec<&str> = if table.contains_key("enemies") {
            enemies += 1;
            let mut keys = KEYS.to_vec();
            keys.insert(12, "enemies");
            keys
        } else {
            KEYS.to_vec()
        };
        assert_eq!(keys, expected, "{}", item.id);

        let exam = table["exam"].as_str().unwrap();
        let domain = table["domain"].as_str().unwrap();
        let task = table["task"].as_str().unwrap();
        assert!(task.starts_with(domain), "{task} in domain {domain}");
        assert_eq!(
            item.path,
            Path::new("items")
                .join(exam)
                .join(format!("d{domain}"))
                .join(format!("{}.toml", item.id))
        );
        let number = item.id.rsplit('-').next().unwrap();
        assert_eq!(number.len(), 6);

        let stem = table["stem"].as_str().unwrap();
        assert!(
            (150..=450).contains(&stem.replace('\n', " ").len()),
            "{} stem has {} characters",
            item.id,
            stem.len()
        );
        assert!(!stem.contains(['{', '}', '"']), "{stem}");
        let options = table["options"].as_array().unwrap();
        assert_eq!(options.len(), 4);
        let keys = options
            .iter()
            .filter(|option| option.get("correct").is_some())
            .count();
        if table["type"].as_str() == Some("multiple") {
            multiple += 1;
            assert_eq!(keys, 2);
            assert!(stem.ends_with("(Choose TWO.)"), "{stem}");
        } else {
            assert_eq!(keys, 1);
            assert!(stem.ends_with('?'), "{stem}");
        }

        let authors: Vec<&str> = table["authors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        for reviewer in table["reviewers"].as_array().unwrap() {
            assert!(!authors.contains(&reviewer.as_str().unwrap()));
        }
        let created = table["created"].as_datetime().unwrap().to_string();
        let updated = table["updated"].as_datetime().unwrap().to_string();
        assert!(updated >= created, "{created} > {updated}");
        for tag in table["tags"].as_array().unwrap() {
            assert!(is_kebab(tag.as_str().unwrap()), "{tag}");
        }
    }
    // About 10 % multiple-response items and 4 % with an enemy.
    assert!((140..=260).contains(&multiple), "{multiple} multiple");
    assert!((40..=120).contains(&enemies), "{enemies} with enemies");
}

#[test]
fn exams_and_domains_follow_the_weights() {
    let generator = generator(10_000, 3, 10, 0);
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for index in 0..generator.len() {
        let path = generator.item(index).path;
        let parts: Vec<String> = path
            .iter()
            .map(|part| part.to_string_lossy().into_owned())
            .collect();
        *counts
            .entry((parts[1].clone(), parts[2].clone()))
            .or_default() += 1;
    }
    let exam = |name: &str| -> usize {
        counts
            .iter()
            .filter(|((exam, _), _)| exam == name)
            .map(|(_, n)| n)
            .sum()
    };
    assert_eq!(exam("cism"), 5500);
    assert_eq!(exam("issmp"), 4500);
    assert_eq!(counts[&("cism".to_owned(), "d3".to_owned())], 1815);
    assert_eq!(counts[&("issmp".to_owned(), "d6".to_owned())], 405);
    assert_eq!(
        generator.summary().to_string(),
        "10000 items (5500 cism, 4500 issmp), 100 invalid, 0 planted duplicate pairs"
    );
}

#[test]
fn requested_share_of_items_is_invalid() {
    let concepts = concept_ids();
    for (items, per_mille, expected) in [(1000, 10, 10), (1999, 100, 200), (400, 1000, 400)] {
        let generator = generator(items, 5, per_mille, 0);
        let mut invalid = 0;
        let mut kinds = HashSet::new();
        for index in 0..generator.len() {
            let item = generator.item(index);
            let parsed = item.text.parse::<toml::Table>();
            let Some(defect) = item.defect else {
                let table = parsed.unwrap();
                assert!(problems(&item, &table, &concepts).is_empty(), "{}", item.id);
                continue;
            };
            invalid += 1;
            kinds.insert(defect);
            if defect == Defect::SyntaxError {
                assert!(parsed.is_err(), "{} parses:\n{}", item.id, item.text);
            } else {
                let table =
                    parsed.unwrap_or_else(|error| panic!("{} ({defect:?}): {error}", item.id));
                let found = problems(&item, &table, &concepts);
                assert!(!found.is_empty(), "{defect:?} not found in\n{}", item.text);
            }
        }
        assert_eq!(invalid, expected);
        assert_eq!(generator.invalid_items().len(), expected);
        if expected >= 200 {
            assert_eq!(kinds.len(), Defect::ALL.len());
        }
    }
}

#[test]
fn planted_duplicates_are_close_copies() {
    let generator = generator(3000, 9, 10, 20);
    let pairs = generator.planted_duplicates();
    assert_eq!(pairs.len(), 60);
    let index: BTreeMap<String, usize> =
        (0..generator.len()).map(|i| (generator.id(i), i)).collect();
    let stem = |id: &str| -> String {
        let item = generator.item(index[id]);
        let table: toml::Table = item.text.parse().unwrap();
        table["stem"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut seen = HashSet::new();
    for (source, copy) in &pairs {
        assert!(seen.insert(source.clone()) && seen.insert(copy.clone()));
        assert_eq!(source[..4], copy[..4], "pairs stay within one exam");
        let similarity = strsim::normalized_levenshtein(&stem(source), &stem(copy));
        assert!(
            (0.89..1.0).contains(&similarity),
            "{source} {copy}: {similarity}"
        );
    }
    let listed = &generator.support_files()[4];
    assert_eq!(listed.0, Path::new("planted-duplicates.txt"));
    assert_eq!(listed.1.lines().count(), 60);
}

#[test]
fn random_stems_are_distinct() {
    let generator = generator(5000, 2, 0, 0);
    let stems: HashSet<String> = (0..generator.len())
        .map(|i| generator.stem(i).text)
        .collect();
    assert_eq!(stems.len(), 5000);
}

#[test]
fn too_many_defects_are_refused() {
    let result = Generator::new(GenOptions {
        items: 100,
        seed: 0,
        invalid_per_mille: 600,
        dupes_per_mille: 300,
    });
    assert!(matches!(result, Err(GenError::TooMany { .. })));
}

#[test]
fn prepare_dir_protects_other_directories() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bank");
    prepare_dir(&out, false).unwrap();
    generator(10, 0, 0, 0).write(&out).unwrap();
    assert!(matches!(
        prepare_dir(&out, false),
        Err(GenError::NotEmpty(_))
    ));
    prepare_dir(&out, true).unwrap();
    assert!(!out.join("items").exists());

    let other = dir.path().join("other");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("qbank.toml"), "[rules]\n").unwrap();
    assert!(matches!(
        prepare_dir(&other, true),
        Err(GenError::NotGenerated(_))
    ));
    assert!(other.join("qbank.toml").exists());
}
