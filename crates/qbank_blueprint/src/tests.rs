//! Tests of the report, the crosswalk and assembly on banks built in memory.

use std::fmt::Write;

use qbank_model::{Blueprint, Document, Item};

use crate::assemble::{AssembleError, BankItem, Constraints, assemble, pool, shared_items, verify};
use crate::rng::Rng;
use crate::{StatusFilter, crosswalk_report, findings, in_force, natural_cmp, report};

pub(crate) fn blueprint(text: &str) -> Blueprint {
    let document = Document::parse(text).unwrap();
    Blueprint::from_document(&document).unwrap()
}

/// How to write a test item.
#[derive(Clone)]
pub(crate) struct Spec {
    pub(crate) exam: &'static str,
    pub(crate) domain: String,
    pub(crate) task: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) difficulty: Option<i64>,
    pub(crate) shuffle: bool,
    pub(crate) key: usize,
    pub(crate) options: usize,
    pub(crate) enemies: Vec<String>,
}

impl Spec {
    pub(crate) fn new(domain: &str) -> Self {
        Self {
            exam: "demo",
            domain: domain.to_owned(),
            task: None,
            status: "approved",
            difficulty: Some(3),
            shuffle: true,
            key: 0,
            options: 4,
            enemies: Vec::new(),
        }
    }
}

pub(crate) fn item_text(id: &str, spec: &Spec) -> String {
    let mut text = format!(
        "id = \"{id}\"\nexam = \"{}\"\ndomain = \"{}\"\ntype = \"single\"\nstatus = \"{}\"\n\
         stem = \"Which?\"\nauthors = [\"a\"]\ncreated = 2026-01-02\n",
        spec.exam, spec.domain, spec.status
    );
    if let Some(task) = &spec.task {
        let _ = writeln!(text, "task = \"{task}\"");
    }
    if let Some(d) = spec.difficulty {
        let _ = writeln!(text, "difficulty = {d}");
    }
    if !spec.shuffle {
        text.push_str("shuffle = false\n");
    }
    if !spec.enemies.is_empty() {
        let list: Vec<String> = spec.enemies.iter().map(|e| format!("\"{e}\"")).collect();
        let _ = writeln!(text, "enemies = [{}]", list.join(", "));
    }
    for option in 0..spec.options {
        let _ = write!(text, "\n[[options]]\ntext = \"option {option}\"\n");
        if option == spec.key {
            text.push_str("correct = true\n");
        }
    }
    text
}

pub(crate) fn parse_item(text: &str) -> Item {
    let document = Document::parse(text).unwrap();
    let json = document.to_json().unwrap();
    Item::from_document(&document, Some(json)).unwrap()
}

const DEMO: &str = r#"
id = "demo-2026"
exam = "demo"
title = "Demo outline"
effective = 2026-01-01
form_length = 10
tolerance = 0.05

[[domains]]
id = "1"
title = "Governance"
weight = 0.5
tasks = [{ id = "1A", title = "Strategy" }, { id = "1B", title = "Policy" }]

[[domains]]
id = "2"
title = "Risk"
weight = 0.3

[[domains]]
id = "3"
title = "Operations"
weight = 0.2
"#;

fn bank(specs: &[(&str, Spec)]) -> (Vec<Item>, Vec<String>) {
    let texts: Vec<String> = specs.iter().map(|(id, s)| item_text(id, s)).collect();
    (texts.iter().map(|t| parse_item(t)).collect(), texts)
}

fn many(prefix: &str, n: usize, spec: &Spec) -> Vec<(String, Spec)> {
    (0..n)
        .map(|i| (format!("{prefix}-{i:04}"), spec.clone()))
        .collect()
}

fn owned_bank(specs: &[(String, Spec)]) -> (Vec<Item>, Vec<String>) {
    let borrowed: Vec<(&str, Spec)> = specs.iter().map(|(i, s)| (i.as_str(), s.clone())).collect();
    bank(&borrowed)
}

#[test]
fn natural_order_compares_digit_runs_by_value() {
    let mut ids = vec!["10", "2", "1B", "1A", "10A", "01"];
    ids.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(ids, vec!["01", "1A", "1B", "2", "10", "10A"]);
}

#[test]
fn report_counts_shares_and_verdicts() {
    let bp = blueprint(DEMO);
    let mut specs = many("D1", 5, &Spec::new("1"));
    specs[0].1.task = Some("1A".to_owned());
    specs.extend(many("D2", 4, &Spec::new("2")));
    specs.extend(many("D3", 1, &Spec::new("3")));
    let mut draft = Spec::new("3");
    draft.status = "draft";
    specs.extend(many("DR", 3, &draft));
    let mut other = Spec::new("1");
    other.exam = "other";
    specs.extend(many("OT", 2, &other));
    let (items, _) = owned_bank(&specs);
    let refs: Vec<&Item> = items.iter().collect();
    let r = report(
        std::slice::from_ref(&bp),
        &bp,
        &refs,
        &StatusFilter::default(),
    );
    assert_eq!(r.total, 10);
    let counts: Vec<usize> = r.domains.iter().map(|d| d.count).collect();
    assert_eq!(counts, vec![5, 4, 1]);
    let quotas: Vec<u32> = r.domains.iter().map(|d| d.quota).collect();
    assert_eq!(quotas, vec![5, 3, 2]);
    let ok: Vec<bool> = r.domains.iter().map(|d| d.ok).collect();
    // 40% against 30% and 10% against 20% are 10 points off; 5 are allowed.
    assert_eq!(ok, vec![true, false, false]);
    assert!(r.in_force);
    assert_eq!(r.depth.forms, 0);
    assert_eq!(r.depth.limiting_domain.as_deref(), Some("3"));
    assert_eq!(r.untasked, 9);
    assert_eq!(r.status_counts[0].1, 3);
    let messages: Vec<&str> = r.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "domain `2` of `demo-2026` holds 40.0% of the items (4 of 10), target 30% ± 5 points: 10.0 points over",
            "domain `3` of `demo-2026` holds 10.0% of the items (1 of 10), target 20% ± 5 points: 10.0 points under",
            "task `1B` of `demo-2026` has no approved items",
        ]
    );

    // With drafts counted, domain 3 has 4 of 13.
    let r = report(
        std::slice::from_ref(&bp),
        &bp,
        &refs,
        &StatusFilter::parse("approved,draft").unwrap(),
    );
    assert_eq!(r.total, 13);
    assert_eq!(r.domains[2].count, 4);
}

#[test]
fn tolerance_is_compared_exactly() {
    // 17 of 100 against 0.2 ± 0.03 is exactly on the edge: within.
    let bp = blueprint(
        &DEMO
            .replace("tolerance = 0.05", "tolerance = 0.03")
            .replace("weight = 0.3", "weight = 0.x")
            .replace("weight = 0.2", "weight = 0.3")
            .replace("weight = 0.x", "weight = 0.2"),
    );
    let mut specs = many("D1", 50, &Spec::new("1"));
    specs.extend(many("D2", 17, &Spec::new("2")));
    specs.extend(many("D3", 33, &Spec::new("3")));
    let (items, _) = owned_bank(&specs);
    let refs: Vec<&Item> = items.iter().collect();
    let r = report(
        std::slice::from_ref(&bp),
        &bp,
        &refs,
        &StatusFilter::default(),
    );
    assert_eq!(r.domains[1].weight.to_string(), "0.2");
    assert!(r.domains[1].ok, "{:?}", r.domains[1]);
    assert!(r.domains[2].ok, "{:?}", r.domains[2]);
}

#[test]
fn a_deviation_beyond_the_tolerance_reads_as_beyond_it() {
    use crate::report::points_beyond;
    // 67 of 203 items against 30 % ± 3 points: 3.0049 points over.
    let points = (67.0 / 203.0 - 0.3) * 100.0;
    assert_eq!(points_beyond(points, 3.0), "3.005");
    assert_eq!(points_beyond(10.0, 5.0), "10.0");
    assert_eq!(points_beyond(5.04, 5.0), "5.04");
    assert_eq!(points_beyond(0.26, 0.0), "0.3");
}

#[test]
fn empty_pool_is_one_warning() {
    let bp = blueprint(DEMO);
    let r = report(
        std::slice::from_ref(&bp),
        &bp,
        &[],
        &StatusFilter::default(),
    );
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].kind.name(), "empty-pool");
    assert!(r.domains.iter().all(|d| !d.ok));
}

const NEXT: &str = r#"
id = "demo-2027"
exam = "demo"
title = "Demo outline (2027)"
effective = 2027-01-01
form_length = 10
tolerance = 0.05

[[domains]]
id = "1"
title = "Governance and risk"
weight = 0.6
tasks = [{ id = "1A", title = "Strategy" }, { id = "1C", title = "Risk" }]

[[domains]]
id = "4"
title = "Operations"
weight = 0.4

[[crosswalk]]
blueprint = "demo-2026"
from = "2"
to = "1C"

[[crosswalk]]
blueprint = "demo-2026"
from = "3"
to = "4"

[[crosswalk]]
blueprint = "demo-2025"
from = "1"
to = "1"

[[crosswalk]]
blueprint = "demo-2026"
from = "9"
to = "7"
"#;

#[test]
fn crosswalk_recounts_items_under_the_new_outline() {
    let old = blueprint(DEMO);
    let new = blueprint(NEXT);
    let blueprints = vec![old.clone(), new.clone()];
    assert_eq!(in_force(&blueprints), vec!["demo-2027"]);
    let mut specs = many("D1", 5, &Spec::new("1"));
    specs[0].1.task = Some("1A".to_owned());
    specs.extend(many("D2", 3, &Spec::new("2")));
    specs.extend(many("D3", 2, &Spec::new("3")));
    let (items, _) = owned_bank(&specs);
    let refs: Vec<&Item> = items.iter().collect();
    let r = crosswalk_report(&blueprints, &old, &new, &refs, &StatusFilter::default());
    let counts: Vec<usize> = r.domains.iter().map(|d| d.count).collect();
    assert_eq!(counts, vec![8, 2]);
    let cw = r.crosswalk.unwrap();
    assert_eq!(cw.kept, 5);
    assert_eq!(
        cw.moves,
        vec![
            ("2".to_owned(), "1C".to_owned(), 3),
            ("3".to_owned(), "4".to_owned(), 2),
            ("9".to_owned(), "7".to_owned(), 0),
        ]
    );
    assert!(cw.unmapped.is_empty());
    let tasks: Vec<(String, usize)> = r.tasks.iter().map(|t| (t.id.clone(), t.count)).collect();
    assert_eq!(tasks, vec![("1A".to_owned(), 1), ("1C".to_owned(), 3)]);

    // `findings` covers the blueprint in force, and crosswalk entries that name nothing.
    let found = findings(&blueprints, &refs);
    let kinds: Vec<(&str, &str)> = found
        .iter()
        .map(|f| (f.blueprint.as_str(), f.kind.name()))
        .collect();
    assert!(kinds.iter().all(|(b, _)| *b == "demo-2027"), "{kinds:?}");
    let crosswalk: Vec<&str> = found
        .iter()
        .filter(|f| f.kind.name() == "unknown-crosswalk-entry")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        crosswalk,
        vec![
            "crosswalk of `demo-2027` names blueprint `demo-2025`, which is not in the bank",
            "crosswalk of `demo-2027` maps `9`, which is no domain or task of `demo-2026`",
            "crosswalk of `demo-2027` maps to `7`, which is no domain or task of `demo-2027`",
        ]
    );
    // Domain 2 of the old outline is not in the new one: those items are unplaced there.
    let direct = report(&blueprints, &new, &refs, &StatusFilter::default());
    assert_eq!(direct.unplaced, 5);
    assert!(!report(&blueprints, &old, &refs, &StatusFilter::default()).in_force);
}

fn bank_items<'a>(items: &'a [Item], texts: &'a [String]) -> Vec<BankItem<'a>> {
    items
        .iter()
        .zip(texts)
        .map(|(item, text)| BankItem { item, text })
        .collect()
}

#[test]
fn assembly_meets_quotas_and_is_reproducible() {
    let bp = blueprint(DEMO);
    let mut specs = many("D1", 20, &Spec::new("1"));
    specs.extend(many("D2", 12, &Spec::new("2")));
    specs.extend(many("D3", 8, &Spec::new("3")));
    for (i, (_, spec)) in specs.iter_mut().enumerate() {
        spec.difficulty = Some(1 + i64::try_from(i * 7 % 5).unwrap());
    }
    specs[0].1.enemies = vec!["D1-0001".to_owned(), "D2-0000".to_owned()];
    let (items, texts) = owned_bank(&specs);
    let bank = bank_items(&items, &texts);
    let mut constraints = Constraints::new(4);
    constraints.seed = 42;
    let first = assemble(&bp, &bank, &constraints).unwrap();
    let again = assemble(&bp, &bank, &constraints).unwrap();
    assert_eq!(first, again);
    assert_eq!(first.forms.len(), 4);
    for form in &first.forms {
        let counts: Vec<usize> = form.domains.iter().map(|d| d.1).collect();
        assert_eq!(counts, vec![5, 3, 2]);
    }
    assert!(first.overlaps.iter().all(|o| o.2 == 0));
    let pool_items: Vec<&Item> = items.iter().collect();
    let forms: Vec<Vec<String>> = first.forms.iter().map(|f| f.items.clone()).collect();
    assert!(verify(&bp, &pool_items, &constraints, &forms).is_empty());
    assert!(first.pool_hash.starts_with("sha256:"));
    assert_eq!(pool(&bp, &bank).len(), 40);

    // A verifier that accepts everything would pass the test above: break a form.
    let mut broken = forms.clone();
    let first = broken[0][0].clone();
    broken[1][0] = first;
    assert!(!verify(&bp, &pool_items, &constraints, &broken).is_empty());
}

#[test]
fn shared_items_counts_what_each_pair_of_forms_has_in_common() {
    let mut rng = Rng::new(7);
    for _ in 0..50 {
        let forms: Vec<Vec<String>> = (0..rng.below(8))
            .map(|_| {
                (0..rng.below(12))
                    .map(|_| format!("X-{}", rng.below(15)))
                    .collect()
            })
            .collect();
        let shared = shared_items(forms.iter().map(|f| f.iter().map(String::as_str)));
        assert_eq!(shared.len(), forms.len());
        for (a, form_a) in forms.iter().enumerate() {
            for (b, form_b) in forms.iter().enumerate() {
                let mut common: Vec<&String> =
                    form_a.iter().filter(|x| form_b.contains(x)).collect();
                common.sort();
                common.dedup();
                let expected = if a == b { 0 } else { common.len() };
                assert_eq!(shared[a][b], expected, "{forms:?} {a} {b}");
            }
        }
    }
}

#[test]
fn infeasible_quotas_are_named_exactly() {
    let bp = blueprint(DEMO);
    let mut specs = many("D1", 20, &Spec::new("1"));
    specs.extend(many("D2", 12, &Spec::new("2")));
    specs.extend(many("D3", 5, &Spec::new("3")));
    let (items, texts) = owned_bank(&specs);
    let bank = bank_items(&items, &texts);
    let error = assemble(&bp, &bank, &Constraints::new(3)).unwrap_err();
    assert_eq!(
        error,
        AssembleError::Infeasible(vec![
            "domain 3 needs 2 items on each of 3 forms with no overlap; the pool has 5".to_owned()
        ])
    );
    let pool_items: Vec<&Item> = items.iter().collect();
    // A limit of one allows it, and so does any larger one, however large: the pairs of
    // forms times the limit must not wrap around (six pairs of four forms times
    // 3074457345618258603 wrapped to 2, which asked domain 3 for 6 distinct items where it has 5).
    for (forms, limit) in [
        (3, 1),
        (3, 2),
        (4, 3_074_457_345_618_258_603),
        (4, usize::MAX),
    ] {
        let mut overlapping = Constraints::new(forms);
        overlapping.max_overlap = limit;
        let assembly = assemble(&bp, &bank, &overlapping).unwrap();
        let made: Vec<Vec<String>> = assembly.forms.iter().map(|f| f.items.clone()).collect();
        assert_eq!(made.len(), forms);
        assert!(verify(&bp, &pool_items, &overlapping, &made).is_empty());
    }
}

#[test]
fn a_pool_of_enemies_is_reported_not_assembled() {
    // Domain 3's only two items are enemies, and a form needs both.
    let bp = blueprint(DEMO);
    let mut specs = many("D1", 5, &Spec::new("1"));
    specs.extend(many("D2", 3, &Spec::new("2")));
    specs.extend(many("D3", 2, &Spec::new("3")));
    specs[8].1.enemies = vec!["D3-0001".to_owned()];
    let (items, texts) = owned_bank(&specs);
    let bank = bank_items(&items, &texts);
    let AssembleError::Infeasible(reasons) =
        assemble(&bp, &bank, &Constraints::new(1)).unwrap_err();
    assert_eq!(
        reasons,
        vec![
            "every form must hold all items of domains 1, 2, 3 (the pool has exactly the quota), \
             and 1 pair of them is enemies, such as `D3-0000` and `D3-0001`"
        ]
    );
}

/// Forms keep the keys of their fixed-order items balanced over the positions: a pool whose
/// fixed keys are spread gives forms that verify, and one whose fixed keys are nearly all at
/// A is refused for its keys.
#[test]
fn fixed_key_positions_are_balanced() {
    let bp = blueprint(DEMO);
    let pool = |key: fn(usize) -> usize| {
        let mut specs = many("D1", 10, &Spec::new("1"));
        specs.extend(many("D2", 6, &Spec::new("2")));
        specs.extend(many("D3", 4, &Spec::new("3")));
        // Half the items keep their option order.
        for (i, (_, spec)) in specs.iter_mut().enumerate() {
            if i % 2 == 0 {
                spec.shuffle = false;
                spec.key = key(i);
            }
        }
        owned_bank(&specs)
    };
    let constraints = Constraints::new(2);

    let (items, texts) = pool(|i| (i / 2) % 4);
    let bank = bank_items(&items, &texts);
    let assembly = assemble(&bp, &bank, &constraints).unwrap();
    let pool_items: Vec<&Item> = items.iter().collect();
    let forms: Vec<Vec<String>> = assembly.forms.iter().map(|f| f.items.clone()).collect();
    assert_eq!(forms.len(), 2);
    assert!(verify(&bp, &pool_items, &constraints, &forms).is_empty());

    let (items, texts) = pool(|i| usize::from(i % 8 == 0));
    let bank = bank_items(&items, &texts);
    let AssembleError::Infeasible(reasons) = assemble(&bp, &bank, &constraints).unwrap_err();
    assert!(
        reasons.iter().any(|r| r.contains("unbalanced keys")),
        "{reasons:?}"
    );
}

/// Random pools and blueprints: every assembly verifies, or the command says why not.
#[test]
fn random_pools_assemble_or_explain() {
    let mut rng = Rng::new(2026);
    let mut assembled = 0;
    let cases = 150;
    for case in 0..cases {
        let domains = 1 + rng.below(4);
        let length = 1 + rng.below(16);
        let mut text = format!(
            "id = \"p-{case}\"\nexam = \"demo\"\ntitle = \"P\"\nform_length = {length}\ntolerance = 0.05\n"
        );
        for d in 0..domains {
            let weight = 1 + rng.below(99);
            let _ = write!(
                text,
                "\n[[domains]]\nid = \"{}\"\ntitle = \"D\"\nweight = 0.{weight:02}\n",
                d + 1
            );
        }
        let bp = blueprint(&text);
        let mut specs: Vec<(String, Spec)> = Vec::new();
        for d in 0..domains {
            for i in 0..rng.below(40) {
                let mut spec = Spec::new(&(d + 1).to_string());
                spec.difficulty =
                    (rng.below(6) > 0).then(|| 1 + i64::try_from(rng.below(5)).unwrap());
                spec.shuffle = rng.below(5) > 0;
                spec.options = 3 + rng.below(3);
                spec.key = rng.below(spec.options);
                spec.status = if rng.below(10) == 0 {
                    "draft"
                } else {
                    "approved"
                };
                specs.push((format!("I{}-{i:03}", d + 1), spec));
            }
        }
        for _ in 0..rng.below(8) {
            if specs.len() < 2 {
                break;
            }
            let a = rng.below(specs.len());
            let b = rng.below(specs.len());
            let enemy = specs[b].0.clone();
            specs[a].1.enemies.push(enemy);
        }
        let (items, texts) = owned_bank(&specs);
        let bank = bank_items(&items, &texts);
        let mut constraints = Constraints::new(1 + rng.below(4));
        constraints.max_overlap = rng.below(3);
        constraints.seed = rng.next_u64();
        constraints.difficulty_spread =
            qbank_model::Decimal::parse(["0.1", "0.25", "0.5", "1"][rng.below(4)]).unwrap();
        let pool_items: Vec<&Item> = pool(&bp, &bank).iter().map(|b| b.item).collect();
        match assemble(&bp, &bank, &constraints) {
            Ok(assembly) => {
                assembled += 1;
                let forms: Vec<Vec<String>> =
                    assembly.forms.iter().map(|f| f.items.clone()).collect();
                let problems = verify(&bp, &pool_items, &constraints, &forms);
                assert!(problems.is_empty(), "case {case}: {problems:?}");
                assert_eq!(forms.len(), constraints.forms);
                assert!(forms.iter().all(|f| f.len() == length));
            }
            Err(AssembleError::Infeasible(reasons)) => {
                assert!(!reasons.is_empty(), "case {case}");
            }
        }
    }
    assert!(
        assembled > cases / 4,
        "only {assembled} of {cases} assembled"
    );
}
