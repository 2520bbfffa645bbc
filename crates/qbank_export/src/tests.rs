//! Format tests on a shared fixture pack: one snapshot per format, structural checks that need
//! no outside software, determinism, confidentiality and the lossless round trip.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read;

use proptest::prelude::*;
use qbank_model::{Document, Item, schema};

use crate::build::{BankInput, BankItem, Request, build};
use crate::pack::{
    Pack, PackBlueprint, PackDomain, PackExhibit, PackItem, PackItemType, PackMapping, PackOption,
    PackStatus,
};
use crate::profile::Profile;
use crate::{Format, export, item_toml};

fn option(text: &str, correct: bool) -> PackOption {
    PackOption {
        text: text.to_owned(),
        correct: Some(correct),
        feedback: None,
        fixed: false,
    }
}

fn fixture_item(id: &str, domain: &str) -> PackItem {
    PackItem {
        id: id.to_owned(),
        exam: "demo".to_owned(),
        domain: domain.to_owned(),
        task: Some("1A".to_owned()),
        item_type: PackItemType::Single,
        status: PackStatus::Approved,
        difficulty: Some(3),
        shuffle: true,
        secure: false,
        stem: "What should the manager do FIRST?".to_owned(),
        rationale: Some("Assess before acting.".to_owned()),
        references: vec!["ISO/IEC 27001:2022, 6.1.2".to_owned()],
        tags: vec!["cloud".to_owned()],
        concepts: vec!["risk-assessment".to_owned()],
        authors: vec!["j.doe".to_owned()],
        reviewers: vec!["a.roe".to_owned()],
        created: Some("2026-01-05".to_owned()),
        options: vec![
            PackOption {
                feedback: Some("Right.".to_owned()),
                ..option("Assess the risk", true)
            },
            option("Stop the service", false),
            option("Report it", false),
            PackOption {
                fixed: true,
                ..option("Rewrite the policy", false)
            },
        ],
        ..PackItem::default()
    }
}

/// Two plain items and one of hostile strings, in two domains.
pub(crate) fn fixture() -> Pack {
    let mut hostile = fixture_item("DEMO-3", "2");
    hostile.item_type = PackItemType::Multiple;
    hostile.stem = " ]]> <b>&amp;</b> ~ = # { } : \\ \\n %50% [html] \"q\" 'a'\n\nline, two\r\nCR\r, tab\t 😀 \u{202E}rtl ".to_owned();
    hostile.options = vec![
        option("~=#{}:\\", true),
        option("%100%[html]=x", true),
        option("comma, \"quote\"\nline", false),
        option("::t:: -> {{Front}}", false),
    ];
    hostile.rationale = Some("Two keys; <i>markup</i> & ]]> stay text.".to_owned());
    hostile.tags = vec!["c&d <t>".to_owned()];
    let mut pack = Pack {
        blueprints: vec![PackBlueprint {
            id: "demo-2026".to_owned(),
            exam: "demo".to_owned(),
            title: "Demo <outline> & co".to_owned(),
            form_length: 2,
            time_limit_minutes: Some(60),
            domains: vec![
                PackDomain {
                    id: "1".to_owned(),
                    title: "Governance/Strategy".to_owned(),
                    weight: "0.5".to_owned(),
                    billionths: 500_000_000,
                    ..PackDomain::default()
                },
                PackDomain {
                    id: "2".to_owned(),
                    title: "Risk".to_owned(),
                    weight: "0.5".to_owned(),
                    billionths: 500_000_000,
                    ..PackDomain::default()
                },
            ],
            ..PackBlueprint::default()
        }],
        items: vec![
            fixture_item("DEMO-1", "1"),
            fixture_item("DEMO-2", "1"),
            hostile,
        ],
        ..Pack::default()
    };
    pack.meta.bank = "demo".to_owned();
    pack.meta.profile = "default".to_owned();
    pack.meta.public = true;
    pack.meta.keys = true;
    pack.meta.tool = "qbank".to_owned();
    pack.meta.tool_version = "0.0.0".to_owned();
    pack
}

fn text(format: Format) -> String {
    String::from_utf8(export(&fixture(), format).unwrap().bytes).unwrap()
}

fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        out.push((
            file.name().to_owned(),
            String::from_utf8_lossy(&content).into_owned(),
        ));
    }
    out
}

/// Every event of an XML document, failing on malformed XML.
fn assert_xml(text: &str) {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("malformed XML at {}: {e}\n{text}", reader.buffer_position()),
        }
    }
}

#[test]
fn json_pack() {
    let text = text(Format::Json);
    insta::assert_snapshot!(text);
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../schemas/pack.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let read = crate::read_pack(std::path::Path::new("pack.json"), &text).unwrap();
    assert_eq!(read.items, fixture().items);
}

#[test]
fn json_pack_with_a_changed_member_is_refused() {
    let text = text(Format::Json).replace("Assess before acting.", "Assess after acting.");
    let error = crate::read_pack(std::path::Path::new("p.json"), &text).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`items` does not match its manifest digest"),
        "{error}"
    );
}

#[test]
fn json_pack_of_another_format_or_version_is_refused() {
    let text = text(Format::Json);
    let refused = |text: &str| {
        crate::read_pack(std::path::Path::new("p.json"), text)
            .unwrap_err()
            .to_string()
    };
    let cases = [
        (
            text.replacen("\"format\": \"qbank-pack\"", "\"format\": \"other\"", 1),
            "not a qbank pack: `format` is \"other\", expected \"qbank-pack\"",
        ),
        (
            text.replacen("\"format\": \"qbank-pack\"", "\"formats\": 1", 1),
            "not a qbank pack: it has no `format` (\"qbank-pack\")",
        ),
        (
            text.replacen("\"version\": 1", "\"version\": 99", 1),
            "pack version 99 is not supported (this qbank reads version 1)",
        ),
        (
            text.replacen("\"version\": 1", "\"versions\": 1", 1),
            "the pack has no `version` (this qbank reads version 1)",
        ),
        (
            text.replacen(
                "\"format\": \"qbank-pack\"",
                &format!("\"format\": \"{}\"", "x".repeat(100_000)),
                1,
            ),
            &format!("`format` is \"{}…, expected", "x".repeat(39)),
        ),
    ];
    for (changed, expected) in &cases {
        assert_ne!(*changed, text);
        let error = refused(changed);
        assert!(error.contains(expected), "{error}");
    }
}

#[test]
fn moodle_xml() {
    let text = text(Format::Moodle);
    assert_xml(&text);
    assert!(text.contains("<answer fraction=\"-50\" format=\"plain_text\">"));
    insta::assert_snapshot!(text);
}

#[test]
fn gift() {
    insta::assert_snapshot!(text(Format::Gift));
}

#[test]
fn csv() {
    let text = text(Format::Csv);
    let records = crate::csv::parse(&text).unwrap();
    assert_eq!(records.len(), 4);
    assert!(records.iter().all(|r| r.len() == records[0].len()));
    assert_eq!(records[3][9], fixture().items[2].stem);
    insta::assert_snapshot!(text);
}

#[test]
fn qti_packages() {
    for (format, name) in [(Format::Qti3, "qti3"), (Format::Qti21, "qti21")] {
        let bytes = export(&fixture(), format).unwrap().bytes;
        let files = unzip(&bytes);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        for (file, content) in &files {
            if std::path::Path::new(file)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
            {
                assert_xml(content);
            }
        }
        let shown: String = files
            .iter()
            .filter(|(n, _)| {
                n == "imsmanifest.xml" || n.contains("DEMO-3") || n.starts_with("tests/")
            })
            .fold(String::new(), |mut out, (n, c)| {
                let _ = write!(out, "=== {n}\n{c}");
                out
            });
        insta::assert_snapshot!(name, format!("{}\n{shown}", names.join("\n")));
    }
}

#[test]
fn every_format_is_deterministic() {
    for format in Format::ALL {
        let a = export(&fixture(), format).unwrap().bytes;
        let b = export(&fixture(), format).unwrap().bytes;
        assert_eq!(a, b, "{}", format.name());
    }
}

#[test]
fn xml_formats_refuse_control_characters_naming_the_item() {
    let mut pack = fixture();
    pack.items[0].options[1].text = "bell \u{7}".to_owned();
    for format in [Format::Moodle, Format::Qti3, Format::Qti21] {
        let error = export(&pack, format).unwrap_err().to_string();
        assert!(
            error.starts_with("item `DEMO-1`: `options[1].text` holds U+0007"),
            "{error}"
        );
    }
}

#[test]
fn qti_refuses_ids_and_exams_that_give_one_identifier() {
    let mut pack = fixture();
    pack.items[1].id = "DEMO 1".to_owned();
    pack.items[0].id = "DEMO_1".to_owned();
    for format in [Format::Qti3, Format::Qti21] {
        let error = export(&pack, format).unwrap_err().to_string();
        assert!(
            error.contains("gives the same QTI identifier as another item"),
            "{error}"
        );
    }
    let mut pack = fixture();
    pack.items[1].exam = "demo_x".to_owned();
    pack.items[2].exam = "demo x".to_owned();
    for format in [Format::Qti3, Format::Qti21] {
        let error = export(&pack, format).unwrap_err().to_string();
        assert!(
            error.starts_with("item `DEMO-3`: `exam`")
                && error.contains("the same QTI test identifier as the exam `demo_x`"),
            "{error}"
        );
    }
}

#[test]
fn formats_that_need_keys_refuse_a_pack_without_them() {
    let mut pack = fixture();
    pack.items.iter_mut().for_each(PackItem::strip_keys);
    pack.meta.keys = false;
    for format in Format::ALL {
        let result = export(&pack, format);
        assert_eq!(
            result.is_ok(),
            format.supports_no_keys(),
            "{}",
            format.name()
        );
    }
    let csv = String::from_utf8(export(&pack, Format::Csv).unwrap().bytes).unwrap();
    assert!(!csv.contains("Assess before acting") && !csv.contains(",key,"));
    // Nor does a pack without keys import back as items without them.
    let json = String::from_utf8(export(&pack, Format::Json).unwrap().bytes).unwrap();
    let error = crate::import(
        std::path::Path::new("pack.json"),
        &json,
        crate::ImportFormat::Json,
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the pack was made without keys (`--no-keys`)"),
        "{error}"
    );
}

/// Partial credit on a single-answer question does not make a second key, a question with
/// fewer than two answers is refused as GIFT refuses it, and a CSV key that names no option is
/// an error rather than dropped.
#[test]
fn imports_keep_one_key_per_single_answer_question_and_refuse_what_they_cannot_carry() {
    let import =
        |name: &str, text: &str, format| crate::import(std::path::Path::new(name), text, format);
    let gift = import(
        "in.gift",
        "::Q::Which?{=Right ~%50%Half ~Wrong}\n",
        crate::ImportFormat::Gift,
    )
    .unwrap();
    assert_eq!(gift[0].key_indices(), [0]);
    assert_eq!(gift[0].item_type, PackItemType::Single);
    let question = |answers: &str| {
        format!(
            "<quiz><question type=\"multichoice\"><questiontext format=\"html\"><text>Which?</text></questiontext><single>true</single>{answers}</question></quiz>"
        )
    };
    let moodle = import(
        "in.xml",
        &question(
            "<answer fraction=\"100\"><text>Right</text></answer><answer fraction=\"50\"><text>Half</text></answer><answer fraction=\"0\"><text>Wrong</text></answer>",
        ),
        crate::ImportFormat::Moodle,
    )
    .unwrap();
    assert_eq!(moodle[0].key_indices(), [0]);
    let error = import(
        "in.xml",
        &question("<answer fraction=\"100\"><text>Only</text></answer>"),
        crate::ImportFormat::Moodle,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "in.xml:1: question 1 has 1 answer(s); only multiple-choice questions are imported"
    );
    let error = import(
        "in.csv",
        "stem,option_a,option_b,key\nWhich?,a,b,C\n",
        crate::ImportFormat::Csv,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "in.csv:2: key `C` names no option of the row"
    );
}

/// A bank with one item of each kind a public pack must never hold, marked in its stem, and
/// each item the enemy of every other (so that a pack could name the others by id).
fn confidential_bank() -> BankInput {
    const IDS: [&str; 5] = ["OK-1", "REVIEW-1", "SECURE-1", "DRAFT-1", "RETIRED-1"];
    let marked = |id: &str, status: PackStatus, secure: bool| {
        let mut item = fixture_item(id, "1");
        item.status = status;
        item.secure = secure;
        item.stem = format!("MARKER-{id} stem");
        item.options[0].text = format!("MARKER-{id} key");
        item.enemies = IDS
            .iter()
            .filter(|&&other| other != id)
            .map(|&other| other.to_owned())
            .collect();
        BankItem {
            item,
            path: format!("items/{id}.toml"),
            errors: 0,
        }
    };
    BankInput {
        name: "demo".to_owned(),
        items: vec![
            marked("OK-1", PackStatus::Approved, false),
            marked("REVIEW-1", PackStatus::Review, false),
            marked("SECURE-1", PackStatus::Approved, true),
            marked("DRAFT-1", PackStatus::Draft, false),
            marked("RETIRED-1", PackStatus::Retired, false),
        ],
        blueprints: fixture().blueprints,
        ..BankInput::default()
    }
}

#[test]
fn public_packs_never_hold_secure_draft_or_retired_items_in_any_format() {
    // The most permissive public profile there can be: every status, secure asked for.
    let profile = Profile {
        statuses: vec![
            PackStatus::Draft,
            PackStatus::Review,
            PackStatus::Approved,
            PackStatus::Retired,
        ],
        secure: true,
        ..Profile::default()
    };
    for allow_findings in [false, true] {
        let request = Request {
            profile: profile.clone(),
            allow_findings,
            ..Request::default()
        };
        let pack = build(confidential_bank(), &request).unwrap().pack;
        let ids: Vec<&str> = pack.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["OK-1", "REVIEW-1"]);
        for format in Format::ALL {
            let bytes = export(&pack, format).unwrap().bytes;
            let content = if bytes.starts_with(b"PK") {
                unzip(&bytes)
                    .into_iter()
                    .map(|(_, c)| c)
                    .collect::<String>()
            } else {
                String::from_utf8(bytes).unwrap()
            };
            // Neither their text nor their ids.
            for id in ["SECURE-1", "DRAFT-1", "RETIRED-1"] {
                assert!(!content.contains(id), "{id} in {}", format.name());
            }
        }
        // Enemies are named only among the pack's own items.
        assert_eq!(pack.items[0].enemies, ["REVIEW-1"]);
        assert_eq!(pack.items[1].enemies, ["OK-1"]);
    }
    // An internal profile that asks for them gets them.
    let internal = Profile {
        internal: true,
        ..profile
    };
    let pack = build(
        confidential_bank(),
        &Request {
            profile: internal,
            ..Request::default()
        },
    )
    .unwrap()
    .pack;
    assert_eq!(pack.items.len(), 5);
    assert!(!pack.meta.public);
}

#[test]
fn items_with_findings_are_refused_or_left_out() {
    let mut bank = confidential_bank();
    bank.items[0].errors = 2;
    let error = build(bank.clone(), &Request::default())
        .unwrap_err()
        .to_string();
    assert_eq!(error, "error-level findings in 1 file(s): items/OK-1.toml");
    let built = build(
        bank,
        &Request {
            allow_findings: true,
            ..Request::default()
        },
    )
    .unwrap();
    assert!(built.pack.items.is_empty());
    assert_eq!(built.left_out[0].reason, "2 error-level finding(s)");
}

#[test]
fn samples_follow_the_blueprint_quotas_and_the_seed() {
    let mut bank = BankInput {
        blueprints: fixture().blueprints,
        ..BankInput::default()
    };
    for n in 0..20 {
        let domain = if n < 14 { "1" } else { "2" };
        bank.items.push(BankItem {
            item: fixture_item(&format!("S-{n:02}"), domain),
            path: String::new(),
            errors: 0,
        });
    }
    // A sample of 10 drawn with `seed`.
    let draw = |bank: &BankInput, seed: u64| {
        let profile = Profile {
            sample: Some(10),
            seed,
            ..Profile::default()
        };
        let request = Request {
            profile,
            ..Request::default()
        };
        build(bank.clone(), &request).unwrap().pack
    };
    let sample = |seed: u64| {
        draw(&bank, seed)
            .items
            .iter()
            .map(|i| (i.domain.clone(), i.id.clone()))
            .collect::<Vec<_>>()
    };
    let first = sample(7);
    assert_eq!(first.len(), 10);
    assert_eq!(first.iter().filter(|(d, _)| d == "1").count(), 5);
    assert_eq!(first, sample(7));
    assert_ne!(first, sample(8));

    // A newer outline in force, weighing domain 1 at 0.8: the pack follows it, not the first
    // blueprint by id.
    let mut newer = bank.blueprints[0].clone();
    newer.id = "demo-2030".to_owned();
    newer.domains[0].weight = "0.8".to_owned();
    newer.domains[0].billionths = 800_000_000;
    newer.domains[1].weight = "0.2".to_owned();
    newer.domains[1].billionths = 200_000_000;
    bank.blueprints.push(newer);
    for (in_force, id, in_domain_1) in [
        (vec!["demo-2030".to_owned()], "demo-2030", 8),
        (Vec::new(), "demo-2026", 5),
    ] {
        bank.in_force = in_force;
        let pack = draw(&bank, 0);
        let ids: Vec<&str> = pack.blueprints.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, [id]);
        let domain_1 = pack.items.iter().filter(|i| i.domain == "1").count();
        assert_eq!(domain_1, in_domain_1, "{id}");
    }
}

#[test]
fn glossary_profile_builds_one_item_per_concept() {
    let concept = |id: &str| crate::pack::PackConcept {
        id: id.to_owned(),
        title: format!("Title {id}"),
        exam: vec!["demo".to_owned()],
        definition: format!("Definition of {id}."),
        related: Vec::new(),
    };
    let bank = BankInput {
        concepts: ["a", "b", "c", "d"].into_iter().map(concept).collect(),
        blueprints: fixture().blueprints,
        ..BankInput::default()
    };
    let profile = Profile {
        glossary: true,
        ..Profile::default()
    };
    let pack = build(
        bank,
        &Request {
            profile,
            ..Request::default()
        },
    )
    .unwrap()
    .pack;
    assert_eq!(pack.items.len(), 4);
    let item = &pack.items[0];
    assert_eq!(item.id, "GLOSSARY-DEMO-A");
    assert_eq!(item.key_indices().len(), 1);
    assert_eq!(item.options[item.key_indices()[0]].text, "Title a");
}

/// Reads an item file back through the bank model, as `qbank check` does.
fn read_back(text: &str) -> PackItem {
    let document = Document::parse(text).unwrap();
    let json = document.to_json().unwrap();
    let errors = schema::validate(schema::SchemaKind::Item, &document, &json);
    assert!(errors.is_empty(), "{errors:?}\n{text}");
    PackItem::from_item(&Item::from_document(&document, Some(json)).unwrap())
}

fn text_strategy() -> impl Strategy<Value = String> {
    // Printable text with the characters every format treats specially, line ends, tabs,
    // right-to-left and astral characters; at least one non-space so schema minimums hold.
    proptest::string::string_regex(
        "[a-zA-Z0-9 ]{0,3}[a-zA-Z0-9~=#{}:\\\\\"'<>&\\]\\[%,;\n\r\t é😀\u{202E}-]{0,20}[a-z]",
    )
    .unwrap()
}

fn item_strategy() -> impl Strategy<Value = PackItem> {
    let options = proptest::collection::vec(
        (
            text_strategy(),
            any::<bool>(),
            proptest::option::of(text_strategy()),
            any::<bool>(),
        ),
        2..6,
    );
    (
        (
            text_strategy(),
            proptest::option::of(text_strategy()),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(1i64..=5),
        ),
        (
            proptest::collection::vec(text_strategy(), 0..3),
            proptest::collection::vec("[a-z0-9]{1,4}(-[a-z0-9]{1,4}){0,2}", 0..3),
        ),
        (
            options,
            any::<bool>(),
            proptest::option::of(Just("2026-02-03".to_owned())),
        ),
    )
        .prop_map(
            |(
                (stem, rationale, shuffle, secure, difficulty),
                (references, tags),
                (options, multiple, updated),
            )| {
                let mut options: Vec<PackOption> = options
                    .into_iter()
                    .map(|(text, correct, feedback, fixed)| PackOption {
                        text,
                        correct: Some(correct),
                        feedback,
                        fixed,
                    })
                    .collect();
                options[0].correct = Some(true);
                let tags: BTreeSet<String> = tags.into_iter().collect();
                PackItem {
                    id: "RT-0001".to_owned(),
                    exam: "demo".to_owned(),
                    domain: "1".to_owned(),
                    item_type: if multiple {
                        PackItemType::Multiple
                    } else {
                        PackItemType::Single
                    },
                    status: PackStatus::Draft,
                    difficulty,
                    shuffle,
                    secure,
                    stem,
                    rationale,
                    references,
                    tags: tags.into_iter().collect(),
                    authors: vec!["j.doe".to_owned()],
                    created: Some("2026-01-02".to_owned()),
                    updated,
                    exhibits: vec![PackExhibit {
                        file: "a b.png".to_owned(),
                        alt: "An \"exhibit\"".to_owned(),
                    }],
                    options,
                    ..PackItem::default()
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// bank -> json -> bank: an item written to a JSON pack, read back, written as an item file
    /// and read by the bank model is the same item.
    #[test]
    fn bank_json_bank_round_trip_is_lossless(item in item_strategy()) {
        let mut pack = fixture();
        pack.items = vec![item.clone()];
        let json = String::from_utf8(export(&pack, Format::Json).unwrap().bytes).unwrap();
        let read = crate::read_pack(std::path::Path::new("p.json"), &json).unwrap();
        prop_assert_eq!(&read.items[0], &item);
        let toml = item_toml(&read.items[0], "../../schemas/item.schema.json");
        prop_assert_eq!(read_back(&toml), item);
    }
}

#[test]
fn gift_moodle_and_csv_import_what_they_export() {
    let pack = fixture();
    for (format, import_format) in [
        (Format::Gift, crate::ImportFormat::Gift),
        (Format::Moodle, crate::ImportFormat::Moodle),
        (Format::Csv, crate::ImportFormat::Csv),
        (Format::Json, crate::ImportFormat::Json),
    ] {
        let text = String::from_utf8(export(&pack, format).unwrap().bytes).unwrap();
        let items = crate::import(std::path::Path::new("in"), &text, import_format).unwrap();
        assert_eq!(items.len(), pack.items.len(), "{}", format.name());
        for (got, want) in items.iter().zip(&pack.items) {
            let name = format.name();
            assert_eq!(got.stem, want.stem, "{name}");
            assert_eq!(
                got.options.iter().map(|o| &o.text).collect::<Vec<_>>(),
                want.options.iter().map(|o| &o.text).collect::<Vec<_>>(),
                "{name}"
            );
            assert_eq!(got.key_indices(), want.key_indices(), "{name}");
            assert_eq!(got.item_type, want.item_type, "{name}");
            assert_eq!(got.exam, want.exam, "{name}");
            assert_eq!(got.domain, want.domain, "{name}");
            assert_eq!(got.references, want.references, "{name}");
            if format != Format::Csv {
                assert_eq!(got.rationale, want.rationale, "{name}");
            }
        }
    }
}

/// Packs larger than one chunk of the writers (1,024 items) and than one wave (8,192), with a
/// domain that spans two waves and one that fits in one: every item comes back once, in order
/// and in its domain, across chunk, wave and domain boundaries, and the digests of the manifest
/// and of the JSON pack's members hold.
/// A pack of 12,000 items in two domains, 9,000 and 3,000: the first spans two waves, and
/// every single-file format passes the size at which a file is written as it is made.
fn large_pack() -> Pack {
    let mut pack = fixture();
    pack.items = (0..12_000)
        .map(|n| {
            let mut item =
                fixture_item(&format!("BIG-{n:05}"), if n < 9_000 { "d1" } else { "d2" });
            // Long enough that every format passes 8 MiB.
            item.stem = format!(
                "{}Which control comes {n}th?",
                "The auditor reviews the evidence of the quarter. ".repeat(16)
            );
            item
        })
        .collect();
    pack
}

#[test]
fn large_packs_read_back_whole_and_in_order() {
    let pack = large_pack();
    for (format, import_format) in [
        (Format::Gift, crate::ImportFormat::Gift),
        (Format::Moodle, crate::ImportFormat::Moodle),
        (Format::Csv, crate::ImportFormat::Csv),
        (Format::Json, crate::ImportFormat::Json),
    ] {
        let exported = export(&pack, format).unwrap();
        // The manifest's digest of the file, which each writer computes as it goes.
        assert_eq!(
            exported.manifest.files,
            [crate::ManifestEntry::of(
                format!("pack.{}", format.extension()),
                &exported.bytes
            )],
            "{}",
            format.name()
        );
        let text = String::from_utf8(exported.bytes).unwrap();
        let headers = match format {
            Format::Gift => text.matches("$CATEGORY: ").count(),
            Format::Moodle => text.matches("<question type=\"category\">").count(),
            _ => 2,
        };
        assert_eq!(
            headers,
            2,
            "one category header per domain, {}",
            format.name()
        );
        let items = crate::import(std::path::Path::new("in"), &text, import_format).unwrap();
        let stems: Vec<&str> = items.iter().map(|i| i.stem.as_str()).collect();
        let want: Vec<&str> = pack.items.iter().map(|i| i.stem.as_str()).collect();
        let name = format.name();
        assert_eq!(stems.len(), want.len(), "{name}");
        let first_wrong = stems.iter().zip(&want).position(|(got, want)| got != want);
        assert_eq!(first_wrong, None, "{name}");
        if format != Format::Csv {
            // CSV has a domain column; the others carry it in their category headers, one per
            // domain whatever the number of waves it took.
            let domains = items.iter().map(|i| i.domain.as_str());
            let wrong = domains
                .zip(&pack.items)
                .position(|(got, want)| !got.ends_with(want.domain.as_str()));
            assert_eq!(wrong, None, "{name}");
        }
    }
}

/// The names of the files in `dir`.
fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A file that replaces a private one is private from the moment it is created, not only
/// once it is complete.
#[cfg(unix)]
#[test]
fn a_temporary_file_for_a_private_target_is_private_from_the_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pack.json");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
    let temp = crate::Temp::beside(&out).unwrap();
    let mode = temp.file.as_file().metadata().unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// A file replaced by root keeps its owner and group: formatting or exporting over another
/// user's files (a container running as root over a mounted checkout) leaves them theirs.
/// Only root may give a file away, so elsewhere the file stays the writer's.
#[cfg(unix)]
#[test]
fn a_replaced_file_keeps_its_owner_where_the_writer_may_keep_it() {
    use std::os::unix::fs::MetadataExt;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("item.toml");
    std::fs::write(&path, "old").unwrap();
    if std::os::unix::fs::chown(&path, Some(65534), Some(65534)).is_err() {
        // Not root: nothing can be given away, and nothing is asserted.
        return;
    }
    crate::write_atomic(&path, b"new").unwrap();
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
}

/// A write removes the stale temporary files of its own target, and not those of another
/// target whose name it starts (`a` and `a.b`).
#[test]
fn stale_temporary_files_are_removed_for_their_own_target_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".a.Xy3Zq9.qbank-tmp"), "stale").unwrap();
    std::fs::write(dir.path().join(".a.b.Xy3Zq9.qbank-tmp"), "another's").unwrap();
    crate::write_atomic(&dir.path().join("a"), b"new").unwrap();
    assert_eq!(names(dir.path()), [".a.b.Xy3Zq9.qbank-tmp", "a"]);
}

/// New files never replace one that is there (another run's): the write fails on it, leaves
/// it as it was, leaves no temporary file, and takes back the files renamed before it.
#[test]
fn new_files_never_replace_an_existing_one() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("A.toml"), dir.path().join("B.toml"));
    std::fs::write(&b, "another run's").unwrap();
    let error = crate::write_new_files(&[(&a, b"a"), (&b, b"b")]).unwrap_err();
    assert!(error.to_string().contains("B.toml"), "{error}");
    let cause = std::error::Error::source(&error).unwrap().to_string();
    assert!(
        cause.contains("the 1 file written before it was removed again"),
        "{cause}"
    );
    assert_eq!(std::fs::read_to_string(&b).unwrap(), "another run's");
    assert_eq!(names(dir.path()), ["B.toml"]);
    // Many files, closed before their renames, the same way.
    let files: Vec<(std::path::PathBuf, Vec<u8>)> = (0..40)
        .map(|n| (dir.path().join(format!("N{n:02}.toml")), vec![b'n']))
        .collect();
    std::fs::write(&files[30].0, "taken").unwrap();
    let refs: Vec<(&std::path::Path, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_path(), b.as_slice()))
        .collect();
    assert!(crate::write_new_files(&refs).is_err());
    assert_eq!(std::fs::read_to_string(&files[30].0).unwrap(), "taken");
    assert_eq!(names(dir.path()), ["B.toml", "N30.toml"]);
}

/// A target name near the 255 bytes a file system allows still gets a temporary file (its name
/// cut, at a character boundary, in the temporary name), and none is left.
#[test]
fn a_long_target_name_is_written_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    // 249 bytes; byte 200 falls inside an `é`.
    let name = format!("a{}", "é".repeat(124));
    let out = dir.path().join(&name);
    crate::write_atomic(&out, b"old").unwrap();
    crate::write_atomic(&out, b"new").unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"new");
    assert_eq!(names(dir.path()), std::slice::from_ref(&name));
    // Another long name with the same first 200 bytes keeps its own temporary files: a stale
    // one of `name` goes, one of `other` stays.
    let other = format!("{}x", &name[..name.len() - 2]);
    let [own, theirs] = [&name, &other].map(|n| {
        let temp = crate::Temp::beside(&dir.path().join(n)).unwrap();
        temp.file.into_temp_path().keep().unwrap()
    });
    assert_ne!(own.file_name(), theirs.file_name());
    crate::write_atomic(&out, b"newer").unwrap();
    assert!(!own.exists());
    assert!(theirs.exists());
}

#[test]
fn packs_written_to_a_file_as_they_are_made_match_the_ones_made_in_memory() {
    let pack = large_pack();
    let dir = tempfile::tempdir().unwrap();
    for format in Format::ALL {
        let out = dir.path().join(format!("pack.{}", format.extension()));
        // Over an older, longer pack.
        std::fs::write(&out, vec![b'x'; 40 << 20]).unwrap();
        let options = crate::ExportOptions::default();
        let manifest = crate::export_to(&pack, format, &options, &out).unwrap();
        let exported = crate::export_with(&pack, format, &options).unwrap();
        let name = format.name();
        assert_eq!(manifest, exported.manifest, "{name}");
        assert!(std::fs::read(&out).unwrap() == exported.bytes, "{name}");
        if let Some(sidecar) = exported.sidecar() {
            assert!(
                exported.bytes.len() > 8 << 20,
                "{name}: too small to stream"
            );
            let beside = std::fs::read(crate::sidecar_path(&out)).unwrap();
            assert_eq!(beside, sidecar, "{name}");
        }
    }
    let mut want: Vec<String> = Format::ALL
        .iter()
        .map(|f| format!("pack.{}", f.extension()))
        .collect();
    want.extend(
        [Format::Json, Format::Moodle, Format::Gift, Format::Csv]
            .iter()
            .map(|f| format!("pack.{}.manifest.json", f.extension())),
    );
    want.sort();
    want.dedup();
    assert_eq!(names(dir.path()), want, "no temporary file is left");
}

#[test]
fn a_pack_that_fails_while_it_is_written_leaves_the_old_one() {
    let mut pack = large_pack();
    // In the third wave, after the first two (over 30 MB) went to the file: eleven keys,
    // which Moodle's fractions cannot split, found only when the question is written.
    let item = &mut pack.items[11_500];
    item.item_type = crate::PackItemType::Multiple;
    item.options = (0..11)
        .map(|n| option(&format!("choice {n}"), true))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pack.xml");
    std::fs::write(&out, "the old pack").unwrap();
    let options = crate::ExportOptions::default();
    let error = crate::export_to(&pack, Format::Moodle, &options, &out).unwrap_err();
    assert!(
        error.to_string().contains("`BIG-11500`") && error.to_string().contains("11 keys"),
        "{error}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the old pack");
    assert_eq!(names(dir.path()), ["pack.xml"]);
    // Refused before a byte is written, too.
    pack.meta.keys = false;
    let error = crate::export_to(&pack, Format::Gift, &options, &out).unwrap_err();
    assert!(
        matches!(error, crate::ExportError::KeysRequired("gift")),
        "{error}"
    );
    assert_eq!(names(dir.path()), ["pack.xml"]);
}

#[test]
fn moodle_import_refuses_document_types() {
    let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE quiz [<!ENTITY a \"aaaa\">]>\n<quiz></quiz>\n";
    let error = crate::import(
        std::path::Path::new("bomb.xml"),
        text,
        crate::ImportFormat::Moodle,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "bomb.xml:2: a document type declaration (`<!DOCTYPE`) is not accepted: it could \
         declare entities that expand without bound or read files outside the document"
    );
}

/// A CSV error names the line the record starts on, counting the lines inside quoted cells
/// (which qbank's own CSV packs write), and a header of many columns is read once.
#[test]
fn csv_import_errors_name_the_record_line() {
    let cases = [
        (
            "stem,option_a,option_b,rationale\n\
             \"Which\nspans\nlines?\",a,b,\"one\ntwo\"\n\
             ,a,b,r\n",
            "in.csv:6: empty `stem`",
        ),
        // A quoted field never closed is reported where it opens, not at the end of the file.
        (
            "stem,option_a,option_b\r\"open\nstill open\n\n",
            "in.csv:2: a quoted field is not closed",
        ),
        // A lone `\r` breaks a line inside a quoted field as it does outside one.
        (
            "stem,option_a,option_b\r\"a\rb\r\nc\",x,y\r,x,y\r",
            "in.csv:5: empty `stem`",
        ),
    ];
    for (text, expected) in cases {
        let error = crate::import(
            std::path::Path::new("in.csv"),
            text,
            crate::ImportFormat::Csv,
        )
        .unwrap_err();
        assert_eq!(error.to_string(), expected, "{text:?}");
    }
    let wide = format!("stem,option_a,option_b{}\ns,a,b\n", ",x".repeat(50_000));
    let items = crate::import(
        std::path::Path::new("wide.csv"),
        &wide,
        crate::ImportFormat::Csv,
    )
    .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].stem, "s");
}

#[test]
fn gift_import_reads_hand_written_questions() {
    let text = "// comment\n$CATEGORY: $course$/top/Fixtures\n\n::Capital::What is the capital of France?{\n\t~Berlin#No.\n\t=Paris\n}\n\n::Primes::[html]<p>Which are prime?</p>{\n\t~%50%2\n\t~%50%3\n\t~%-50%4\n}\n";
    let items = crate::import(
        std::path::Path::new("in.gift"),
        text,
        crate::ImportFormat::Gift,
    )
    .unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].stem, "What is the capital of France?");
    assert_eq!(items[0].key_indices(), [1]);
    assert_eq!(items[0].options[0].feedback.as_deref(), Some("No."));
    assert_eq!(items[1].stem, "Which are prime?");
    assert_eq!(items[1].item_type, PackItemType::Multiple);
    let bad = crate::import(
        std::path::Path::new("in.gift"),
        "::T::Is it?{TRUE}\n",
        crate::ImportFormat::Gift,
    )
    .unwrap_err();
    assert!(
        bad.to_string()
            .starts_with("in.gift:1: `T` where an answer"),
        "{bad}"
    );
    // A "missing word" question keeps the rest of its sentence, with a blank for the answers.
    let items = crate::import(
        std::path::Path::new("in.gift"),
        "::MW::The capital of Australia is {=Canberra ~Sydney ~Melbourne} and it was chosen in 1908.\n",
        crate::ImportFormat::Gift,
    )
    .unwrap();
    assert_eq!(
        items[0].stem,
        "The capital of Australia is _____ and it was chosen in 1908."
    );
    // A second question without the blank line before it is an error, not lost.
    let bad = crate::import(
        std::path::Path::new("in.gift"),
        "\n::A::First question{=A ~B}\n::B::Second question, no blank line{=C ~D}\n",
        crate::ImportFormat::Gift,
    )
    .unwrap_err();
    assert!(
        bad.to_string()
            .starts_with("in.gift:2: text after the answers holds another question"),
        "{bad}"
    );
}

#[test]
fn anki_package_holds_one_note_per_item() {
    let bytes = export(&fixture(), Format::Anki).unwrap().bytes;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    assert_eq!(names, ["collection.anki2", "media", "qbank-manifest.json"]);
    let mut collection = Vec::new();
    archive
        .by_name("collection.anki2")
        .unwrap()
        .read_to_end(&mut collection)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.anki2");
    std::fs::write(&path, collection).unwrap();
    let db = rusqlite::Connection::open(&path).unwrap();
    let notes: i64 = db
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .unwrap();
    let cards: i64 = db
        .query_row("SELECT count(*) FROM cards", [], |r| r.get(0))
        .unwrap();
    assert_eq!((notes, cards), (3, 3));
    let fields: String = db
        .query_row("SELECT flds FROM notes ORDER BY id DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        fields.contains("&#123;&#123;Front&#125;&#125;") && !fields.contains("{{"),
        "{fields}"
    );
    let decks: String = db
        .query_row("SELECT decks FROM col", [], |r| r.get(0))
        .unwrap();
    assert!(decks.contains("demo::demo::2 Risk"), "{decks}");
}

/// The fixture's blueprint `demo-2026` and a newer outline `demo-2027` of the same exam whose
/// crosswalk moves domain `2` of `demo-2026` into task `1R`.
fn two_outlines() -> Vec<PackBlueprint> {
    let mut next = PackBlueprint {
        id: "demo-2027".to_owned(),
        exam: "demo".to_owned(),
        title: "Demo outline (2027)".to_owned(),
        form_length: 10,
        domains: vec![
            PackDomain {
                id: "3".to_owned(),
                title: "Operations".to_owned(),
                weight: "0.3".to_owned(),
                billionths: 300_000_000,
                tasks: Vec::new(),
            },
            PackDomain {
                id: "1".to_owned(),
                title: "Governance and risk".to_owned(),
                weight: "0.7".to_owned(),
                billionths: 700_000_000,
                tasks: vec!["1A".to_owned(), "1R".to_owned()],
            },
        ],
        ..PackBlueprint::default()
    };
    next.crosswalk.push(PackMapping {
        blueprint: "demo-2026".to_owned(),
        from: "2".to_owned(),
        to: "1R".to_owned(),
    });
    let mut blueprints = fixture().blueprints;
    blueprints.push(next);
    blueprints
}

fn bank_item(id: &str, exam: &str, domain: &str, task: Option<&str>) -> BankItem {
    let mut item = fixture_item(id, domain);
    item.exam = exam.to_owned();
    item.task = task.map(str::to_owned);
    BankItem {
        item,
        path: format!("items/{id}.toml"),
        errors: 0,
    }
}

fn with_blueprint(bank: BankInput, blueprint: &str, profile: Profile) -> crate::Built {
    build(
        bank,
        &Request {
            profile,
            blueprint: Some(blueprint.to_owned()),
            ..Request::default()
        },
    )
    .unwrap()
}

#[test]
fn blueprint_selects_its_items_through_its_crosswalk_in_its_domain_order() {
    let bank = BankInput {
        blueprints: two_outlines(),
        items: vec![
            bank_item("A-1", "demo", "1", Some("1A")),
            bank_item("A-2", "demo", "2", None),
            bank_item("A-3", "demo", "3", None),
            bank_item("A-4", "demo", "9", None),
            bank_item("B-1", "other", "1", None),
        ],
        ..BankInput::default()
    };
    let built = with_blueprint(bank.clone(), "demo-2027", Profile::default());
    let placed: Vec<(&str, &str, &str, Option<&str>)> = built
        .pack
        .items
        .iter()
        .map(|i| {
            (
                i.id.as_str(),
                i.exam.as_str(),
                i.domain.as_str(),
                i.task.as_deref(),
            )
        })
        .collect();
    // Domain `3` comes first in `demo-2027`; `A-2` moves from domain `2` into task `1R`.
    assert_eq!(
        placed,
        [
            ("A-3", "demo", "3", None),
            ("A-1", "demo", "1", Some("1A")),
            ("A-2", "demo", "1", Some("1R")),
        ]
    );
    assert_eq!(built.pack.meta.blueprint.as_deref(), Some("demo-2027"));
    let ids: Vec<&str> = built
        .pack
        .blueprints
        .iter()
        .map(|b| b.id.as_str())
        .collect();
    assert_eq!(ids, ["demo-2027"]);
    assert_eq!(built.left_out.len(), 1);
    assert_eq!(built.left_out[0].id, "A-4");
    assert_eq!(
        built.left_out[0].reason,
        "domain `9` is not in blueprint `demo-2027` and no crosswalk entry maps it"
    );

    // The earlier outline takes its own domains only, in its order.
    let built = with_blueprint(bank.clone(), "demo-2026", Profile::default());
    let ids: Vec<&str> = built.pack.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["A-1", "A-2"]);

    // A sample draws by the chosen blueprint's quotas: 0.3 and 0.7 of 3 is 1 and 2.
    let profile = Profile {
        sample: Some(3),
        ..Profile::default()
    };
    let sampled = with_blueprint(bank, "demo-2027", profile);
    let domains: Vec<&str> = sampled
        .pack
        .items
        .iter()
        .map(|i| i.domain.as_str())
        .collect();
    assert_eq!(domains, ["3", "1", "1"]);
}

#[test]
fn an_unknown_blueprint_is_an_error_naming_it() {
    let bank = BankInput {
        blueprints: two_outlines(),
        ..BankInput::default()
    };
    let request = Request {
        blueprint: Some("demo-1999".to_owned()),
        ..Request::default()
    };
    let error = build(bank, &request).unwrap_err().to_string();
    assert_eq!(
        error,
        "no blueprint `demo-1999` in the bank (known: demo-2026, demo-2027)"
    );
}

#[test]
fn sample_quotas_are_the_blueprints_largest_remainder_quotas() {
    // 0.17/0.20/0.33/0.30 of 150 leaves 0.5 for domains 1 and 3: qbank_blueprint gives the item
    // to the larger weight, domain 3, as `qbank assemble` fills a form.
    let mut bank = BankInput {
        blueprints: vec![PackBlueprint {
            id: "cism-2022".to_owned(),
            exam: "demo".to_owned(),
            form_length: 150,
            domains: [("1", 170), ("2", 200), ("3", 330), ("4", 300)]
                .iter()
                .map(|(id, w)| PackDomain {
                    id: (*id).to_owned(),
                    billionths: w * 1_000_000,
                    ..PackDomain::default()
                })
                .collect(),
            ..PackBlueprint::default()
        }],
        ..BankInput::default()
    };
    for domain in ["1", "2", "3", "4"] {
        for n in 0..60 {
            bank.items.push(bank_item(
                &format!("D{domain}-{n:02}"),
                "demo",
                domain,
                None,
            ));
        }
    }
    let profile = Profile {
        sample: Some(150),
        ..Profile::default()
    };
    let pack = with_blueprint(bank.clone(), "cism-2022", profile).pack;
    let count = |d: &str| pack.items.iter().filter(|i| i.domain == d).count();
    assert_eq!(
        [count("1"), count("2"), count("3"), count("4")],
        [25, 30, 50, 45]
    );
    // The QTI test of the whole pool selects the same quotas from each section.
    let pool = with_blueprint(bank, "cism-2022", Profile::default()).pack;
    let form = qti_test_xml(&pool);
    assert!(form.contains("<qti-selection select=\"50\"/>"), "{form}");
    assert!(form.contains("<qti-selection select=\"25\"/>"), "{form}");
}

/// The QTI 3.0 test of the pack's only exam.
fn qti_test_xml(pack: &Pack) -> String {
    let bytes = export(pack, Format::Qti3).unwrap().bytes;
    unzip(&bytes)
        .into_iter()
        .find(|(n, _)| n.starts_with("tests/"))
        .map(|(_, c)| c)
        .unwrap()
}

#[test]
fn qti_items_show_option_feedback_and_the_rationale_after_the_attempt_unless_keys_are_left_out() {
    for format in [Format::Qti3, Format::Qti21] {
        let (modal, rp) = if format == Format::Qti3 {
            ("qti-modal-feedback", "qti-response-processing")
        } else {
            ("modalFeedback", "responseProcessing")
        };
        let files = unzip(&export(&fixture(), format).unwrap().bytes);
        let item = |id: &str| {
            files
                .iter()
                .find(|(n, _)| n == &format!("items/I_{id}.xml"))
                .map(|(_, c)| c.clone())
                .unwrap()
        };
        // DEMO-1: feedback on option A and a rationale; the rules replace the template.
        let demo1 = item("DEMO-1");
        assert_eq!(demo1.matches(&format!("<{modal} ")).count(), 2, "{demo1}");
        assert!(demo1.contains("identifier=\"A\">") && demo1.contains("identifier=\"RATIONALE\""));
        assert!(demo1.contains("Assess before acting.") && demo1.contains("Right."));
        assert!(!demo1.contains("template="), "{demo1}");
        assert!(demo1.find(&format!("</{rp}>")) < demo1.find(&format!("<{modal} ")));
        // An item without any feedback keeps the template.
        let mut plain = fixture();
        plain.items.truncate(1);
        plain.items[0].rationale = None;
        plain.items[0].options[0].feedback = None;
        let files = unzip(&export(&plain, format).unwrap().bytes);
        let only = &files
            .iter()
            .find(|(n, _)| n.starts_with("items/"))
            .unwrap()
            .1;
        assert!(
            only.contains("template=") && !only.contains(modal),
            "{only}"
        );
        // Without keys: no correct response, no processing, no feedback.
        let mut secret = fixture();
        secret.items.iter_mut().for_each(PackItem::strip_keys);
        secret.meta.keys = false;
        for (name, content) in unzip(&export(&secret, format).unwrap().bytes) {
            if name.starts_with("items/") {
                assert!(
                    !content.contains("FEEDBACK") && !content.contains(rp),
                    "{content}"
                );
            }
        }
    }
}

fn csv_text_strategy() -> impl Strategy<Value = String> {
    // Text that starts, sometimes after single quotes, with what a spreadsheet runs as a
    // formula.
    proptest::string::string_regex("'{0,2}[=+@\t\r-]{0,2}[a-zA-Z0-9 ,\"=+\n-]{0,8}[a-z]").unwrap()
}

fn csv_list_strategy() -> impl Strategy<Value = Vec<String>> {
    // One entry per line, trimmed: the shape CSV lists keep.
    proptest::collection::vec(
        proptest::string::string_regex("'{0,2}[=+@-]{0,2}[a-z0-9]{1,5}").unwrap(),
        0..3,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// pack -> csv -> import: formula neutralisation is undone exactly, so every value CSV
    /// carries comes back unchanged; and no cell that leaves starts with a formula character.
    #[test]
    fn csv_round_trip_undoes_formula_neutralisation(
        stem in csv_text_strategy(),
        options in proptest::collection::vec(csv_text_strategy(), 2..5),
        rationale in proptest::option::of(csv_text_strategy()),
        references in csv_list_strategy(),
        tags in csv_list_strategy(),
        domain in "[=+@-]?[0-9]",
    ) {
        let mut pack = fixture();
        let item = &mut pack.items[0];
        item.stem = stem;
        item.rationale = rationale;
        item.references = references;
        item.tags = tags;
        item.domain = domain;
        item.options = options.into_iter().map(|t| option(&t, false)).collect();
        item.options[1].correct = Some(true);
        pack.items.truncate(1);
        let text = String::from_utf8(export(&pack, Format::Csv).unwrap().bytes).unwrap();
        for record in crate::csv::parse(&text).unwrap() {
            for cell in record {
                prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?}");
            }
        }
        let back = crate::import(std::path::Path::new("p.csv"), &text, crate::ImportFormat::Csv)
            .unwrap();
        let want = &pack.items[0];
        let got = &back[0];
        prop_assert_eq!(&got.stem, &want.stem);
        prop_assert_eq!(
            got.options.iter().map(|o| &o.text).collect::<Vec<_>>(),
            want.options.iter().map(|o| &o.text).collect::<Vec<_>>()
        );
        prop_assert_eq!(got.key_indices(), want.key_indices());
        prop_assert_eq!(&got.rationale, &want.rationale);
        prop_assert_eq!(&got.references, &want.references);
        prop_assert_eq!(&got.tags, &want.tags);
        prop_assert_eq!(&got.domain, &want.domain);
        prop_assert_eq!(&got.id, &want.id);
    }
}

#[test]
fn json_pack_is_the_pretty_sorted_document_with_canonical_digests() {
    // Every optional value of an item set, so that each field's place in the sorted order is
    // checked.
    let mut pack = fixture();
    let item = &mut pack.items[0];
    item.enemies = vec!["DEMO-2".to_owned()];
    item.exhibits = vec![PackExhibit {
        file: "zones.png".to_owned(),
        alt: "Zones \"A\" and B\\C".to_owned(),
    }];
    item.updated = Some("2026-02-03".to_owned());
    pack.meta.description = Some("All of it".to_owned());
    pack.meta.blueprint = Some("demo-2026".to_owned());
    pack.meta.commit = Some("abc".to_owned());
    pack.concepts = vec![crate::pack::PackConcept {
        id: "risk-assessment".to_owned(),
        title: "Risk assessment".to_owned(),
        exam: vec!["demo".to_owned()],
        definition: "Finding, analysing and evaluating risk.".to_owned(),
        related: vec!["risk".to_owned()],
    }];
    // More items than one parallel chunk holds, so that chunks are joined, and more than one
    // wave of chunks, so that waves are joined.
    let items = |count: usize| -> Vec<PackItem> {
        (0..count)
            .map(|n| PackItem {
                id: format!("M-{n:05}"),
                ..pack.items[n % 3].clone()
            })
            .collect()
    };
    let many = items(2100);
    let waves = items(crate::json::CHUNK * crate::json::WAVE * 2 + 100);
    for items in [pack.items.clone(), Vec::new(), many, waves] {
        pack.items = items;
        let written = export(&pack, Format::Json).unwrap().bytes;
        let mut document = serde_json::json!({
            "format": crate::PACK_FORMAT,
            "version": crate::PACK_VERSION,
            "meta": pack.meta,
            "blueprints": pack.blueprints,
            "concepts": pack.concepts,
            "items": pack.items,
        });
        let manifest: Vec<crate::ManifestEntry> = ["blueprints", "concepts", "items", "meta"]
            .iter()
            .map(|m| {
                let canonical = serde_json::to_vec(&document[*m]).unwrap();
                crate::ManifestEntry::of(*m, &canonical)
            })
            .collect();
        document["manifest"] = serde_json::to_value(&manifest).unwrap();
        let mut expected = serde_json::to_vec_pretty(&document).unwrap();
        expected.push(b'\n');
        assert_eq!(
            String::from_utf8(written).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
}

#[test]
fn csv_rows_written_in_parallel_keep_the_items_order() {
    // More items than one wave of chunks, and a last chunk that is not full.
    let count = crate::csv::CHUNK * crate::csv::WAVE + crate::csv::CHUNK + 7;
    let mut pack = fixture();
    let template = fixture_item("DEMO-0", "1");
    pack.items = (0..count)
        .map(|i| PackItem {
            id: format!("DEMO-{i:06}"),
            options: if i % 3 == 0 {
                template.options[..2].to_vec()
            } else {
                template.options.clone()
            },
            ..template.clone()
        })
        .collect();
    let written = crate::csv::write(&pack);
    let records = crate::csv::parse(&written).unwrap();
    assert_eq!(records.len(), count + 1);
    for (i, record) in records[1..].iter().enumerate() {
        assert_eq!(record[0], format!("DEMO-{i:06}"));
        // Every row has as many cells as the header.
        assert_eq!(record.len(), records[0].len(), "row {i}");
    }
}
