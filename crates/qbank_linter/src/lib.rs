//! qbank's lint rules and the check pipeline.
//!
//! [`check`] takes the files of a bank, as [`Workspace::files`] lists them, reads each on the
//! thread that checks it, and runs the stages in order: decoding, TOML parsing, schema validation, then the item rules in
//! parallel, then the rules that need the whole bank (unique ids, enemies, blueprint sums).
//! A file that fails a stage is not passed to the next. Finally the levels from `qbank.toml` and
//! the items' `# qbank: allow` comments are applied, and the findings are sorted.
//!
//! ```no_run
//! use qbank_linter::{Settings, check};
//! use qbank_workspace::Workspace;
//!
//! let workspace = Workspace::discover(std::path::Path::new("bank"), None)?;
//! let settings = Settings::from_options(workspace.options())?;
//! let outcome = check(&workspace, workspace.files(), &settings);
//! println!("{} findings", outcome.diagnostics.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod bank;
mod file;
mod registry;
pub mod rules;
mod settings;
mod suppression;
#[cfg(test)]
mod test;
#[cfg(test)]
mod timing;
mod words;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use qbank_diagnostics::{Diagnostic, Severity, SourceFile};
use qbank_model::{Blueprint, Item};
use qbank_workspace::{BankFile, Content, FileEntry, FileKind, FileReader, Targets, Workspace};
use rayon::prelude::*;

pub use registry::RuleMeta;
pub use rules::duplicates::Allowlist;
pub use rules::{RULES, rule};
pub use settings::{DupesSettings, Settings, SettingsError};
pub use words::LintSettings;

/// The duplicate detector's view of checked items: exam, stem, options and keys, in order.
pub fn dupes_entries(items: &[CheckedItem]) -> Vec<qbank_dupes::Entry> {
    rules::duplicates::entries(items)
}

/// Whether the `# qbank: allow` comments of `file` silence the rule `code` there, as they do
/// in a check: by code in any case or by name.
pub fn silences(file: &SourceFile, code: &str) -> bool {
    suppression::parse(file).iter().any(|s| {
        s.rules
            .iter()
            .any(|(rule, _)| rules::rule(rule).is_some_and(|r| r.code == code))
    })
}

/// A valid item with the file it came from.
#[derive(Clone, Debug)]
pub struct CheckedItem {
    /// The item (boxed: a bank holds many, and moving one moves a pointer).
    pub item: Box<Item>,
    /// Its file, for diagnostics of later stages.
    pub file: SourceFile,
    /// Absolute path.
    pub path: PathBuf,
    /// The number of words in the stem, when the item rules split it.
    stem_words: Option<usize>,
    /// What the bank-wide option rules need of the item.
    option_facts: rules::options::OptionFacts,
}

/// The result of checking a bank.
#[derive(Debug, Default)]
pub struct CheckOutcome {
    /// Every finding, levels applied, suppressions honoured, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Files read.
    pub files: usize,
    /// Items that passed the schema, in path order.
    pub items: Vec<CheckedItem>,
    /// Item files that gave no item (they could not be read or parsed, or broke the schema),
    /// in path order; stray files under `items/` are not among them.
    pub unloaded_items: Vec<PathBuf>,
    /// Blueprints that passed the schema.
    pub blueprints: Vec<Blueprint>,
    /// Blueprint files that could not be read, parsed or validated (absolute paths).
    pub unloaded_blueprints: Vec<PathBuf>,
    /// The duplicate allowlist, when the bank has a valid one.
    pub allowlist: Option<Allowlist>,
    /// The allowlist file, when it exists but could not be read, parsed or validated (its
    /// findings say why).
    pub unloaded_allowlist: Option<PathBuf>,
}

impl CheckOutcome {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Checks the bank's `files`.
pub fn check(workspace: &Workspace, files: Vec<FileEntry>, settings: &Settings) -> CheckOutcome {
    check_focused(workspace, files, settings, None)
}

/// Checks the bank's `files` for a report on `focus` only (absolute paths of files or folders):
/// every file is still read and validated, so that bank-wide rules see the whole bank, but item
/// rules run only on focused items and the duplicate search compares only the focused items
/// with the rest, which is what makes a check of a few changed items in a large bank fast.
/// Findings about other files are incomplete (no item-rule findings, and no findings about
/// their suppression comments, which still silence bank-wide findings); callers report those
/// on `focus`.
pub fn check_focused(
    workspace: &Workspace,
    files: Vec<FileEntry>,
    settings: &Settings,
    focus: Option<&Targets>,
) -> CheckOutcome {
    check_overlaid(workspace, files, settings, focus, &HashMap::new())
}

/// [`check_focused`], reading the files in `overlay` (absolute path to text) from there rather
/// than from disk: the unsaved buffers of an editor.
pub fn check_overlaid<S: std::hash::BuildHasher + Sync>(
    workspace: &Workspace,
    files: Vec<FileEntry>,
    settings: &Settings,
    focus: Option<&Targets>,
    overlay: &HashMap<PathBuf, String, S>,
) -> CheckOutcome {
    let file_count = files.len();
    let limit = workspace.max_file_size();
    let read_file = |reader: &mut FileReader, entry: FileEntry| match overlay.get(&entry.path) {
        Some(text) => BankFile {
            entry,
            content: Content::Bytes(text.clone().into_bytes()),
        },
        None => reader.read(entry, limit),
    };
    let (support, items): (Vec<FileEntry>, Vec<FileEntry>) = files.into_iter().partition(|f| {
        matches!(
            f.kind,
            FileKind::Blueprint | FileKind::Concepts | FileKind::Allowlist
        )
    });
    let mut reader = FileReader::default();
    let support = support
        .into_iter()
        .map(|entry| read_file(&mut reader, entry))
        .collect();
    drop(reader);

    let mut diagnostics = Vec::new();
    let mut suppressions = HashMap::new();
    let support = file::check_support_files(support, &mut diagnostics);
    let index = rules::BankIndex::new(
        workspace.root(),
        support
            .blueprints
            .iter()
            .map(|(b, _, _)| b.clone())
            .collect(),
        &support.concepts,
    )
    .with_broken(support.concepts_broken, &support.broken_blueprints);

    let item_rules = rules::enabled_item_rules(settings);
    let results = check_items(items, &read_file, &index, &item_rules, settings, focus);

    let mut checked = Vec::with_capacity(results.len());
    let mut ids = Vec::with_capacity(results.len());
    let mut unread = HashSet::new();
    let mut unloaded_items = Vec::new();
    // Files whose suppressions still silence bank-wide findings but are not themselves judged:
    // their item rules did not run, so a suppression of one would look unused.
    let mut unfocused = HashSet::new();
    // Files that gave no item: their item rules did not run either, but what is wrong with
    // their suppression comments themselves is still reported.
    let mut unjudged = HashSet::new();
    for result in results {
        diagnostics.extend(result.diagnostics);
        if !result.suppressions.is_empty() {
            if focus.is_some_and(|f| !f.contains(&result.path)) {
                unfocused.insert(result.source.path().to_path_buf());
            } else if result.item.is_none() {
                unjudged.insert(result.source.path().to_path_buf());
            }
            suppressions.insert(result.source.path().to_path_buf(), result.suppressions);
        }
        if let Some(id) = result.id {
            ids.push((id, result.source.clone()));
        }
        if result.item.is_none() {
            unread.extend(item_file_id(&result.path));
            if result.kind == FileKind::Item {
                unloaded_items.push(result.path.clone());
            }
        }
        if let Some(item) = result.item {
            checked.push(CheckedItem {
                item,
                file: result.source,
                path: result.path,
                stem_words: result.stem_words,
                option_facts: result.option_facts,
            });
        }
    }

    // Naming the allowlist asks for each entry to be judged: the search takes every pair.
    let focus: Option<Vec<usize>> = focus
        .filter(|targets| !targets.contains(&workspace.allowlist_path()))
        .map(|targets| in_targets(&checked, targets));
    bank::check_bank(
        workspace,
        &support,
        &bank::ItemIds { ids, unread },
        &checked,
        settings,
        focus.as_deref(),
        &mut diagnostics,
    );
    let diagnostics = finish(diagnostics, suppressions, &unfocused, &unjudged, settings);
    CheckOutcome {
        diagnostics,
        files: file_count,
        items: checked,
        unloaded_items,
        blueprints: support.blueprints.into_iter().map(|(b, _, _)| b).collect(),
        unloaded_blueprints: support.broken_blueprints.into_iter().map(|b| b.0).collect(),
        allowlist: support.allowlist,
        unloaded_allowlist: support.broken_allowlist,
    }
}

/// The indices of the `checked` items whose files are among `targets`.
fn in_targets(checked: &[CheckedItem], targets: &Targets) -> Vec<usize> {
    checked
        .iter()
        .enumerate()
        .filter(|(_, c)| targets.contains(&c.path))
        .map(|(index, _)| index)
        .collect()
}

/// Reads and checks the item files in parallel, each worker reading through its own
/// [`FileReader`], with the item rules on the files of `focus` only.
fn check_items(
    items: Vec<FileEntry>,
    read_file: &(dyn Fn(&mut FileReader, FileEntry) -> BankFile + Sync),
    index: &rules::BankIndex,
    item_rules: &[&dyn rules::ItemRule],
    settings: &Settings,
    focus: Option<&Targets>,
) -> Vec<file::ItemResult> {
    items
        .into_par_iter()
        .map_init(FileReader::default, |reader, entry| {
            // An item rule reports on its item's file only, so outside the focus its findings
            // would all be dropped: the item is read and validated for the bank-wide rules,
            // and its item rules are not run.
            let rules: &[&dyn rules::ItemRule] = if focus.is_none_or(|f| f.contains(&entry.path)) {
                item_rules
            } else {
                &[]
            };
            let file = read_file(reader, entry);
            let result = file::check_item_file(file, index, rules, &settings.lint);
            // Rendering finds the line of each finding; index the lines here, on a worker,
            // rather than file after file on the thread that renders.
            if !result.diagnostics.is_empty() {
                result.source.index_lines();
            }
            result
        })
        .collect()
}

/// The id an item file's name claims: its name without `.toml`; `None` for any other file.
fn item_file_id(path: &Path) -> Option<String> {
    if path.extension()? != "toml" {
        return None;
    }
    Some(path.file_stem()?.to_str()?.to_owned())
}

/// Applies levels and suppressions, adds findings about the suppressions, and sorts.
fn finish(
    diagnostics: Vec<Diagnostic>,
    mut suppressions: HashMap<PathBuf, Vec<suppression::Suppression>>,
    unfocused: &HashSet<PathBuf>,
    unjudged: &HashSet<PathBuf>,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let mut used: HashMap<(PathBuf, usize, usize), bool> = HashMap::new();
    let mut out: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter_map(|mut diagnostic| {
            diagnostic.severity = settings.level(diagnostic.code)?;
            let path = diagnostic.file().path();
            let mut suppressed = false;
            if let Some(list) = suppressions.get(path) {
                // Every entry that names the rule is used, not only the first: a code and its
                // name in one comment, or two comments, all silence a finding the item has.
                for (s_index, s) in list.iter().enumerate() {
                    for (r_index, (rule, _)) in s.rules.iter().enumerate() {
                        // Resolved as QB113 and QB114 resolve it, so that every spelling they
                        // accept as a rule (a code in any case, or a name) also suppresses it.
                        if rules::rule(rule).is_some_and(|r| r.code == diagnostic.code) {
                            used.insert((path.to_path_buf(), s_index, r_index), true);
                            suppressed = true;
                        }
                    }
                }
            }
            (!suppressed).then_some(diagnostic)
        })
        .collect();
    for (path, list) in &mut suppressions {
        if !unfocused.contains(path) {
            let judged = !unjudged.contains(path);
            out.extend(suppression_findings(path, list, &used, judged, settings));
        }
    }
    qbank_diagnostics::sort(&mut out);
    out
}

fn suppression_findings(
    path: &std::path::Path,
    list: &[suppression::Suppression],
    used: &HashMap<(PathBuf, usize, usize), bool>,
    judged: bool,
    settings: &Settings,
) -> Vec<Diagnostic> {
    use rules::structure::{UnexplainedSuppression, UnknownSuppression, UnusedSuppression};
    let mut out = Vec::new();
    // The file text is needed for snippets; suppressions exist only in files that were read.
    let Some(file) = list.first().map(|s| s.file.clone()) else {
        return out;
    };
    for (s_index, s) in list.iter().enumerate() {
        if let Some(problem) = &s.malformed {
            out.push(
                UnexplainedSuppression::META
                    .diagnostic(&file, s.range, format!("malformed suppression: {problem}"))
                    .with_help("write `# qbank: allow QB301 -- why the rule does not apply here`"),
            );
            continue;
        }
        if s.reason.is_none() {
            out.push(
                UnexplainedSuppression::META
                    .diagnostic(&file, s.range, "suppression gives no reason")
                    .with_help("add `-- ` and the reason the rule does not apply to this item"),
            );
        }
        for (r_index, (name, range)) in s.rules.iter().enumerate() {
            let Some(rule) = rules::rule(name) else {
                out.push(
                    UnknownSuppression::META
                        .diagnostic(&file, *range, format!("`{name}` is not a rule"))
                        .with_help("run `qbank rules` for the list of codes and names"),
                );
                continue;
            };
            let was_used = used.contains_key(&(path.to_path_buf(), s_index, r_index));
            // Unused only if the rules ran on an item: a file that gave none was not judged.
            if judged && !was_used && settings.enabled(rule.code) {
                out.push(
                    UnusedSuppression::META
                        .diagnostic(
                            &file,
                            *range,
                            format!("`{name}` finds nothing in this item"),
                        )
                        .with_help("remove it from the comment"),
                );
            }
        }
    }
    out.into_iter()
        .filter_map(|mut d| {
            d.severity = settings.level(d.code)?;
            Some(d)
        })
        .collect()
}

#[cfg(test)]
mod focus_tests {
    use qbank_workspace::{Targets, Workspace};

    use crate::test::{ITEM, TempBank};
    use crate::{Settings, check_focused};

    #[test]
    fn suppressions_are_judged_only_in_focused_files() {
        // T-1's QB309 suppression has nothing to silence: QB309 does not fire on the item.
        let bank = TempBank::new();
        let silenced =
            format!("# qbank: allow QB309 -- the key echoes the stem on purpose\n{ITEM}");
        bank.write("items/T-1.toml", silenced.as_bytes());
        bank.write("items/T-2.toml", ITEM.replace("T-1", "T-2").as_bytes());
        let workspace = Workspace::discover(bank.root(), None).unwrap();
        let settings = Settings::defaults().only(&["QB309", "QB114"]);
        let unused = |focus: &str| {
            let targets = Targets::new([bank.root().join(focus)]);
            check_focused(&workspace, workspace.files(), &settings, Some(&targets))
                .diagnostics
                .iter()
                .filter(|d| d.code == "QB114")
                .count()
        };
        // In focus, the unused suppression is a finding; out of focus QB309 did not run, so
        // whether the suppression is used is unknown and nothing is said.
        assert_eq!(unused("items/T-1.toml"), 1);
        assert_eq!(unused("items/T-2.toml"), 0);
        assert_eq!(unused("items"), 1);
    }
}
