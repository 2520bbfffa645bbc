//! `qbank report`: the bank at a glance, as one self-contained HTML page.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use qbank_blueprint::{StatusFilter, reports};
use qbank_diagnostics::{Diagnostic, Summary};
use qbank_dupes::{Pair, normalize, word_diff};
use qbank_linter::CheckedItem;
use qbank_model::Item;
use qbank_workspace::{FileKind, Workspace};

use crate::ExitStatus;
use crate::args::ReportArgs;
use crate::commands::check;
use crate::html_report::{self, Cluster, FindingRow, ItemRow, PairRow, ReportData};
use crate::printer;

pub(crate) fn run(args: &ReportArgs) -> anyhow::Result<ExitStatus> {
    let statuses = match &args.status {
        Some(list) => StatusFilter::parse(list)
            .map_err(anyhow::Error::msg)
            .context("invalid `--status`")?,
        None => StatusFilter::default(),
    };
    let start = args.bank.as_deref().unwrap_or(Path::new("."));
    let workspace = Workspace::discover(start, args.config.as_deref())?;
    let settings = check::load_settings(&workspace)?;
    let entries = workspace.files();
    let item_files = entries.iter().filter(|e| e.kind == FileKind::Item).count();
    // The same run as `qbank check`: its findings, and the valid items and blueprints it read.
    let outcome = qbank_linter::check(&workspace, entries, &settings);
    let summary = Summary::new(outcome.files, item_files, &outcome.diagnostics);

    let items: Vec<&Item> = outcome.items.iter().map(|c| &*c.item).collect();
    let blueprints = reports(&outcome.blueprints, &items, &statuses, None).unwrap_or_default();
    let index = ItemIndex::new(&outcome.items);
    let metric = settings.dupes.metric;
    let near = index.pairs(&outcome.diagnostics, "QB501", |a, b| {
        metric.similarity(&normalize(a), &normalize(b))
    });
    let clusters = qbank_dupes::clusters(outcome.items.len(), &near)
        .into_iter()
        .map(|members| Cluster {
            pairs: near
                .iter()
                .filter(|p| members.contains(&p.a))
                .map(|p| index.pair_row(&workspace, p))
                .collect(),
        })
        .collect();
    let clone_pairs = index.pairs(&outcome.diagnostics, "QB502", |_, _| 1.0);
    let clones = qbank_dupes::clusters(outcome.items.len(), &clone_pairs)
        .into_iter()
        .map(|set| set.iter().map(|&i| index.id(i).to_owned()).collect())
        .collect();

    let data = ReportData {
        bank: bank_name(&workspace),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        files: outcome.files,
        blueprints,
        findings: outcome
            .diagnostics
            .iter()
            .map(|d| FindingRow {
                code: d.code.to_owned(),
                name: d.name.to_owned(),
                severity: d.severity,
                file: bank_relative(&workspace, d.file().path()),
            })
            .collect(),
        dupes_rule: format!(
            "{} similarity at or above {}, {}",
            metric.name(),
            settings.dupes.threshold,
            if settings.dupes.across_exams {
                "across exams"
            } else {
                "within each exam"
            }
        ),
        clusters,
        clones,
        items: outcome
            .items
            .iter()
            .map(|c| ItemRow {
                exam: c.item.exam.value.clone(),
                status: c.item.status.value,
                authors: c.item.authors.iter().map(|a| a.value.clone()).collect(),
                difficulty: c.item.difficulty.as_ref().map(|d| d.value),
            })
            .collect(),
    };
    let html = html_report::render(&data);
    printer::emit(html.as_bytes(), Some(&args.out))?;
    // Items counted as `qbank check` counts them, by file; those that did not load are out of
    // the charts, and said so.
    let unloaded = item_files.saturating_sub(data.items.len());
    let left_out = if unloaded == 0 {
        String::new()
    } else {
        format!(" ({unloaded} left out of the charts by their errors)")
    };
    printer::line(&format!(
        "Wrote `{}`: {} blueprint{}, {} item{}{left_out}, {} error{}, {} warning{}, {} info{}.",
        args.out.display(),
        data.blueprints.len(),
        plural(data.blueprints.len()),
        item_files,
        plural(item_files),
        summary.errors,
        plural(summary.errors),
        summary.warnings,
        plural(summary.warnings),
        summary.infos,
        plural(summary.infos),
    ))?;
    Ok(ExitStatus::Success)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The bank folder's name: the same wherever the command runs from.
fn bank_name(workspace: &Workspace) -> String {
    let root = workspace
        .root()
        .canonicalize()
        .unwrap_or_else(|_| workspace.root().to_path_buf());
    root.file_name().map_or_else(
        || root.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// `path` (as diagnostics show it) relative to the bank, with `/` separators, so that the page
/// does not depend on the directory the command ran in.
fn bank_relative(workspace: &Workspace, path: &Path) -> String {
    let absolute = workspace.absolute(path);
    let relative = absolute
        .strip_prefix(workspace.root())
        .map_or_else(|_| workspace.display_path(path), Path::to_path_buf);
    relative.to_string_lossy().replace('\\', "/")
}

/// The checked items by the path their diagnostics show.
struct ItemIndex<'a> {
    items: &'a [CheckedItem],
    by_path: HashMap<PathBuf, usize>,
}

impl<'a> ItemIndex<'a> {
    fn new(items: &'a [CheckedItem]) -> Self {
        let by_path = items
            .iter()
            .enumerate()
            .map(|(i, c)| (c.file.path().to_path_buf(), i))
            .collect();
        Self { items, by_path }
    }

    fn id(&self, index: usize) -> &str {
        &self.items[index].item.id.value
    }

    /// The item pairs of the findings with `code`: each names one item as its file and the
    /// other as its first secondary annotation, as QB501 and QB502 do. Sorted, without repeats.
    fn pairs(
        &self,
        diagnostics: &[Diagnostic],
        code: &str,
        similarity: impl Fn(&str, &str) -> f64,
    ) -> Vec<Pair> {
        let mut pairs: Vec<Pair> = diagnostics
            .iter()
            .filter(|d| d.code == code)
            .filter_map(|d| {
                let first = self.by_path.get(d.secondary.first()?.file.path())?;
                let later = self.by_path.get(d.file().path())?;
                let (a, b) = ((*first).min(*later), (*first).max(*later));
                (a != b).then(|| Pair {
                    a,
                    b,
                    similarity: similarity(
                        &self.items[a].item.stem.value,
                        &self.items[b].item.stem.value,
                    ),
                    distance: None,
                })
            })
            .collect();
        pairs.sort_by_key(|p| (p.a, p.b));
        pairs.dedup_by_key(|p| (p.a, p.b));
        pairs
    }

    fn pair_row(&self, workspace: &Workspace, pair: &Pair) -> PairRow {
        let (a, b) = (&self.items[pair.a], &self.items[pair.b]);
        PairRow {
            a: a.item.id.value.clone(),
            b: b.item.id.value.clone(),
            a_file: bank_relative(workspace, a.file.path()),
            b_file: bank_relative(workspace, b.file.path()),
            similarity: pair.similarity,
            diff: (!a.item.is_secure() && !b.item.is_secure())
                .then(|| word_diff(&a.item.stem.value, &b.item.stem.value)),
        }
    }
}
