//! The rules that need the whole bank: unique ids, enemies, blueprint and glossary integrity.

use std::collections::{HashMap, HashSet};

use qbank_diagnostics::{Annotation, Diagnostic, SourceFile, TextRange};
use qbank_model::{Decimal, Spanned};
use qbank_workspace::Workspace;
use rayon::slice::ParallelSliceMut;

use crate::CheckedItem;
use crate::file::SupportFiles;
use crate::rules::metadata::{
    BlueprintWeightsNotOne, DuplicateBlueprintEntry, DuplicateConcept, NoBlueprint, UnknownConcept,
    UnknownEnemy,
};
use crate::rules::structure::{DuplicateId, id_file_name_mismatch};
use crate::settings::Settings;

/// The ids the bank's item files claim.
pub(crate) struct ItemIds {
    /// Each id read from an item file (even one that failed the schema), with its file.
    pub(crate) ids: Vec<(Spanned<String>, SourceFile)>,
    /// The file names of item files that did not give an item: an enemy naming one is not
    /// reported as unknown while the file's own finding stands.
    pub(crate) unread: HashSet<String>,
}

pub(crate) fn check_bank(
    workspace: &Workspace,
    support: &SupportFiles,
    ItemIds { ids, unread }: &ItemIds,
    items: &[CheckedItem],
    settings: &Settings,
    focus: Option<&[usize]>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // The rules over the items' wording and options, and those over ids, blueprints and the
    // glossary, share nothing: each half runs on its own core, into its own list, and the
    // lists join in a fixed order.
    let (mut wording, mut structure) = (Vec::new(), Vec::new());
    rayon::join(
        || {
            crate::rules::stem::check_bank(items, settings, &mut wording);
            crate::rules::options::check_bank(items, settings, &mut wording);
        },
        || {
            ids_and_support(
                workspace,
                support,
                ids,
                unread,
                items,
                settings,
                &mut structure,
            );
            blueprint_fit(support, items, &mut structure);
        },
    );
    diagnostics.append(&mut structure);
    diagnostics.append(&mut wording);
    crate::rules::duplicates::check_bank(
        items,
        support.allowlist.as_ref(),
        settings,
        focus,
        diagnostics,
    );
}

/// Unique ids, known enemies, and the blueprints' and glossary's own integrity.
fn ids_and_support(
    workspace: &Workspace,
    support: &SupportFiles,
    ids: &[(Spanned<String>, SourceFile)],
    unread: &HashSet<String>,
    items: &[CheckedItem],
    settings: &Settings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    duplicate_ids(ids, "items", diagnostics);
    if settings.enabled(UnknownEnemy::META.code) {
        let known: HashSet<&str> = ids.iter().map(|(id, _)| id.value.as_str()).collect();
        for checked in items {
            for enemy in &checked.item.enemies {
                if known.contains(enemy.value.as_str())
                    || unread.contains(&enemy.value)
                    || enemy.value == checked.item.id.value
                {
                    continue;
                }
                diagnostics.push(
                    UnknownEnemy::META
                        .diagnostic(
                            &checked.file,
                            enemy.range,
                            format!("no item has id `{}`", enemy.value),
                        )
                        .with_help("correct the id, or remove the entry if that item was deleted"),
                );
            }
        }
    }
    blueprints(workspace, support, diagnostics);
    concepts(support, diagnostics);
}

/// QB418-QB421: the bank's fit to each blueprint in force, and crosswalk entries.
fn blueprint_fit(support: &SupportFiles, items: &[CheckedItem], diagnostics: &mut Vec<Diagnostic>) {
    use qbank_blueprint::FindingKind;

    use crate::rules::metadata::{
        DomainOutOfTolerance, EmptyPool, UncoveredTask, UnknownCrosswalkEntry,
    };

    // Findings name their blueprint by id, and the file is looked up by id below. A later file
    // with an id already taken is reported as a duplicate id and is not weighed here: its
    // ranges would be shown in the first file's text.
    let mut ids = std::collections::HashSet::new();
    let blueprints: Vec<qbank_model::Blueprint> = support
        .blueprints
        .iter()
        .filter(|(b, _, _)| ids.insert(b.id.value.as_str()))
        .map(|(b, _, _)| b.clone())
        .collect();
    let items: Vec<&qbank_model::Item> = items.iter().map(|c| &*c.item).collect();
    for finding in qbank_blueprint::findings(&blueprints, &items) {
        let Some((blueprint, file, _)) = support
            .blueprints
            .iter()
            .find(|(b, _, _)| b.id.value == finding.blueprint)
        else {
            continue;
        };
        let meta = match finding.kind {
            FindingKind::DomainOutOfTolerance => &DomainOutOfTolerance::META,
            FindingKind::UncoveredTask => &UncoveredTask::META,
            FindingKind::EmptyPool => &EmptyPool::META,
            FindingKind::UnknownCrosswalkEntry => &UnknownCrosswalkEntry::META,
        };
        let mut diagnostic = meta.diagnostic(file, finding.range, finding.message);
        // The fit moves with every item of the exam; a crosswalk entry is the blueprint's own.
        if finding.kind != FindingKind::UnknownCrosswalkEntry {
            diagnostic = diagnostic.about_exam(blueprint.exam.value.clone());
        }
        if let Some(help) = finding.help {
            diagnostic = diagnostic.with_help(help);
        }
        diagnostics.push(diagnostic);
    }
}

/// Reports every use of an id after its first, pointing back at the first. `what` names the
/// files in the help: `items` or `blueprints`.
fn duplicate_ids(
    ids: &[(Spanned<String>, SourceFile)],
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // By id, then path (a parallel sort rather than a map from ids, which hashed every id on
    // one thread): each later file of a group is reported against the group's first.
    let mut sorted: Vec<&(Spanned<String>, SourceFile)> = ids.iter().collect();
    sorted.par_sort_unstable_by(|a, b| {
        (a.0.value.as_str(), a.1.path()).cmp(&(b.0.value.as_str(), b.1.path()))
    });
    for group in sorted.chunk_by(|a, b| a.0.value == b.0.value) {
        let [(first_id, first_file), rest @ ..] = group else {
            continue;
        };
        for (id, file) in rest {
            diagnostics.push(
                DuplicateId::META
                    .diagnostic(
                        file,
                        id.range,
                        format!(
                            "id `{}` is also used by `{}`",
                            id.value,
                            first_file.path().display()
                        ),
                    )
                    .with_secondary(Annotation::labelled(
                        first_file.clone(),
                        first_id.range,
                        "first used here",
                    ))
                    .with_help(format!(
                        "give one of the {what} a new id and rename its file to match"
                    )),
            );
        }
    }
}

fn blueprints(workspace: &Workspace, support: &SupportFiles, diagnostics: &mut Vec<Diagnostic>) {
    if support.blueprints.is_empty() {
        let anchor = match workspace.config_path() {
            Some(config) => SourceFile::new(
                workspace.display_path(config),
                std::fs::read_to_string(config).unwrap_or_default(),
            ),
            None => SourceFile::new(
                workspace.display_path(&workspace.root().join("blueprints")),
                String::new(),
            ),
        };
        diagnostics.push(
            NoBlueprint::META
                .diagnostic(
                    &anchor,
                    TextRange::empty(0),
                    "the bank has no valid blueprint",
                )
                .with_help(
                    "add an exam blueprint to `blueprints/`, such as `blueprints/cism-2022.toml`",
                ),
        );
    }
    let blueprint_ids: Vec<(Spanned<String>, SourceFile)> = support
        .blueprints
        .iter()
        .map(|(b, file, _)| (b.id.clone(), file.clone()))
        .collect();
    duplicate_ids(&blueprint_ids, "blueprints", diagnostics);
    for (blueprint, file, path) in &support.blueprints {
        diagnostics.extend(id_file_name_mismatch(file, path, &blueprint.id));
        let sum: i64 = blueprint
            .domains
            .iter()
            .map(|d| d.weight.value.billionths)
            .sum();
        if sum != Decimal::ONE {
            let range = blueprint
                .domains
                .first()
                .map_or(blueprint.anchor(), |d| d.weight.range);
            let total = Decimal { billionths: sum };
            let mut diagnostic = BlueprintWeightsNotOne::META
                .diagnostic(
                    file,
                    range,
                    format!(
                        "domain weights of `{}` sum to {total}, not 1",
                        blueprint.id.value
                    ),
                )
                .with_help("adjust the weights so that they add up to exactly 1");
            for domain in blueprint.domains.iter().skip(1) {
                diagnostic = diagnostic
                    .with_secondary(Annotation::primary(file.clone(), domain.weight.range));
            }
            diagnostics.push(diagnostic);
        }
        let mut seen: HashMap<&str, TextRange> = HashMap::new();
        let entries = blueprint.domains.iter().map(|d| ("domain", &d.id)).chain(
            blueprint
                .domains
                .iter()
                .flat_map(|d| d.tasks.iter().map(|t| ("task", &t.id))),
        );
        let mut seen_tasks: HashMap<&str, TextRange> = HashMap::new();
        for (what, id) in entries {
            let map = if what == "domain" {
                &mut seen
            } else {
                &mut seen_tasks
            };
            // Every repeat points back at the first use, so `first` is never replaced.
            if let Some(&first) = map.get(id.value.as_str()) {
                diagnostics.push(
                    DuplicateBlueprintEntry::META
                        .diagnostic(
                            file,
                            id.range,
                            format!(
                                "{what} id `{}` appears more than once in `{}`",
                                id.value, blueprint.id.value
                            ),
                        )
                        .with_secondary(Annotation::labelled(file.clone(), first, "first here"))
                        .with_help(format!("give each {what} its own id")),
                );
            } else {
                map.insert(id.value.as_str(), id.range);
            }
        }
    }
}

fn concepts(support: &SupportFiles, diagnostics: &mut Vec<Diagnostic>) {
    let Some(file) = &support.concepts_file else {
        return;
    };
    let mut seen: HashMap<&str, TextRange> = HashMap::new();
    for concept in &support.concepts {
        // Every repeat points back at the first definition, so `first` is never replaced.
        if let Some(&first) = seen.get(concept.id.value.as_str()) {
            diagnostics.push(
                DuplicateConcept::META
                    .diagnostic(
                        file,
                        concept.id.range,
                        format!("concept `{}` is defined more than once", concept.id.value),
                    )
                    .with_secondary(Annotation::labelled(
                        file.clone(),
                        first,
                        "first defined here",
                    ))
                    .with_help("merge the two definitions, or give one a new id"),
            );
        } else {
            seen.insert(concept.id.value.as_str(), concept.id.range);
        }
    }
    for concept in &support.concepts {
        for related in &concept.related {
            if seen.contains_key(related.value.as_str()) {
                continue;
            }
            diagnostics.push(
                UnknownConcept::META
                    .diagnostic(
                        file,
                        related.range,
                        format!("related concept `{}` is not defined", related.value),
                    )
                    .with_help("define it in `concepts.toml`, or remove it from `related`"),
            );
        }
    }
}
