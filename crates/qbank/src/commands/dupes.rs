//! `qbank dupes`: near-duplicate stems and cloned items, grouped into clusters.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use qbank_diagnostics::Diagnostic;
use qbank_diagnostics::Severity;
use qbank_diagnostics::render::DiagnosticFormat;
use qbank_dupes::{DiffKind, Metric, Pair, Threshold};
use qbank_linter::{Allowlist, CheckedItem, Settings};
use qbank_workspace::{FileEntry, FileKind, Workspace};
use serde::Serialize;

use crate::ExitStatus;
use crate::args::{CheckArgs, DupesArgs};
use crate::commands::check;
use crate::printer;

/// The codes of the rules whose pairs and sets `qbank dupes` lists in its own formats.
const NEAR_DUPLICATE: &str = "QB501";
const CLONED_ITEM: &str = "QB502";

pub(crate) fn run(args: &DupesArgs) -> anyhow::Result<ExitStatus> {
    let adjust = |mut settings: Settings| -> anyhow::Result<Settings> {
        if let Some(threshold) = &args.threshold {
            settings.dupes.threshold = Threshold::parse(threshold)
                .map_err(|e| anyhow::anyhow!("invalid `--threshold {threshold}`: {e}"))?;
        }
        if let Some(metric) = args.metric {
            settings.dupes.metric = metric.into();
        }
        if args.across_exams {
            settings.dupes.across_exams = true;
        }
        Ok(settings)
    };
    if !matches!(args.format, DiagnosticFormat::Text | DiagnosticFormat::Json) {
        return run_as_check(args, adjust);
    }

    let workspace = discover(args)?;
    let settings = adjust(check::load_settings(&workspace)?)?;
    let chosen = check::selection(
        &workspace,
        &args.paths,
        args.changed_since.as_deref(),
        check::Widen::Duplicates,
    )?;
    // Every item is read and validated; no rule runs, only the search below.
    let outcome = qbank_linter::check(&workspace, workspace.files(), &settings.clone().only(&[]));
    refuse_unloaded_allowlist(&workspace, &outcome)?;
    let items = outcome.items;
    let entries = qbank_linter::dupes_entries(&items);
    let focus: Option<Vec<usize>> = chosen.targets.as_ref().map(|targets| {
        items
            .iter()
            .enumerate()
            .filter(|(_, c)| targets.contains(&c.path))
            .map(|(i, _)| i)
            .collect()
    });
    // Naming the allowlist asks for each of its entries to be judged, which takes every pair,
    // as in `qbank check`; the pairs reported are still those of the named items.
    let allowlist_named = chosen
        .targets
        .as_ref()
        .is_some_and(|t| t.contains(&workspace.allowlist_path()));
    let options = qbank_dupes::Options {
        threshold: settings.dupes.threshold,
        metric: settings.dupes.metric,
        across_groups: settings.dupes.across_exams,
        queries: focus.clone().filter(|_| !allowlist_named),
    };
    let mut pairs = with_progress(|progress| {
        qbank_dupes::find_pairs_with_progress(&entries, &options, progress)
    })?;
    let mut stale = outcome
        .allowlist
        .as_ref()
        .map(|list| list.stale_entries(&items, &pairs, &settings, options.queries.as_deref()))
        .unwrap_or_default();
    // As `qbank check` keeps them.
    stale.retain(|d| chosen.keeps(&workspace, None, d));
    if let Some(focus) = focus.as_deref().filter(|_| allowlist_named) {
        pairs.retain(|p| focus.contains(&p.a) || focus.contains(&p.b));
    }

    let found = sort_out(
        &items,
        &entries,
        pairs,
        outcome.allowlist.as_ref(),
        &settings,
        focus.as_deref(),
        stale,
    );
    let report = DupesReport {
        workspace: &workspace,
        items: &items,
        threshold: settings.dupes.threshold,
        metric: settings.dupes.metric,
        across_exams: settings.dupes.across_exams,
        found: &found,
    };
    let text = match args.format {
        DiagnosticFormat::Json => report.json()?,
        _ => report.text(printer::use_color(args.color, args.output.is_some())),
    };
    printer::emit(text.as_bytes(), args.output.as_deref())?;
    let fails = |code: &str, any: bool| any && settings.level(code) == Some(Severity::Error);
    Ok(
        if fails(NEAR_DUPLICATE, !found.pairs.is_empty())
            || fails(CLONED_ITEM, !found.clones.is_empty())
            || found.stale.iter().any(|d| d.severity == Severity::Error)
        {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        },
    )
}

/// `qbank dupes` in the machine formats, which carry QB501-QB503 as findings, exactly as
/// `qbank check` does.
fn run_as_check(
    args: &DupesArgs,
    adjust: impl FnOnce(Settings) -> anyhow::Result<Settings>,
) -> anyhow::Result<ExitStatus> {
    let check_args = CheckArgs {
        paths: args.paths.clone(),
        format: args.format,
        config: args.config.clone(),
        color: args.color,
        output: args.output.clone(),
        changed_since: args.changed_since.clone(),
    };
    let workspace = discover(args)?;
    let adjusted = adjust(check::load_settings(&workspace)?)?;
    // Only the allowlist is read here; the check below reads the whole bank.
    let allowlist: Vec<FileEntry> = workspace
        .files()
        .into_iter()
        .filter(|f| f.kind == FileKind::Allowlist)
        .collect();
    if !allowlist.is_empty() {
        let outcome = qbank_linter::check(&workspace, allowlist, &adjusted.clone().only(&[]));
        refuse_unloaded_allowlist(&workspace, &outcome)?;
    }
    check::run_with(&check_args, check::Widen::Duplicates, |_| {
        adjusted.only(&["QB5"])
    })
}

/// What a search found, sorted out as `qbank check` reports it.
struct Found {
    /// The pairs reported.
    pairs: Vec<Pair>,
    /// The pairs the allowlist accepts.
    accepted: Vec<Pair>,
    /// The pairs silenced by a suppression comment.
    silenced: Vec<Pair>,
    /// The reported pairs' connected components.
    clusters: Vec<Vec<usize>>,
    /// The clone sets reported.
    clones: Vec<Vec<usize>>,
    /// The allowlist's entries that allow nothing (QB503).
    stale: Vec<Diagnostic>,
}

/// Sorts out the `pairs` a search found among `items` (limited to those that involve `focus`
/// when given), and finds the clone sets among their `entries`; `stale` are the allowlist's
/// findings, judged with the search.
fn sort_out(
    items: &[CheckedItem],
    entries: &[qbank_dupes::Entry],
    pairs: Vec<Pair>,
    allowlist: Option<&Allowlist>,
    settings: &Settings,
    focus: Option<&[usize]>,
    stale: Vec<Diagnostic>,
) -> Found {
    let allowed = allowlist.map(Allowlist::allowed).unwrap_or_default();
    let id = |index: usize| items[index].item.id.value.as_str();
    // As in `qbank check`, a pair is filed on its later item and a clone on each later item of
    // its set, so a `# qbank: allow` comment in that item's file silences it.
    let is_silenced = |index: usize, code: &str| qbank_linter::silences(&items[index].file, code);
    // Two files with one id (a copied file) are QB110's to report (`qbank check`), not a pair.
    let (accepted, others): (Vec<Pair>, Vec<Pair>) = pairs
        .into_iter()
        .filter(|p| id(p.a) != id(p.b))
        .partition(|p| allowed.contains(&ordered(id(p.a), id(p.b))));
    let (silenced, pairs): (Vec<Pair>, Vec<Pair>) = others
        .into_iter()
        .partition(|p| is_silenced(p.b, NEAR_DUPLICATE));
    let clusters = qbank_dupes::clusters(items.len(), &pairs);
    let clones = qbank_dupes::clones(entries, settings.dupes.across_exams)
        .into_iter()
        .filter_map(|set| reported_clones(&set, id, |i| is_silenced(i, CLONED_ITEM), focus))
        .collect();
    Found {
        pairs,
        accepted,
        silenced,
        clusters,
        clones,
        stale,
    }
}

/// What `qbank check` reports of one clone set (QB502): each later item, in its own file,
/// against the first, unless it has the first's id (a copied file, QB110's to report) or its
/// file silences the rule; with a `focus`, only a set with a focused item, and only the later
/// items that are focused or follow a focused first. The set as listed: the first item and
/// those reported, each id once; `None` when none is reported.
fn reported_clones<'a>(
    set: &[usize],
    id: impl Fn(usize) -> &'a str,
    silenced: impl Fn(usize) -> bool,
    focus: Option<&[usize]>,
) -> Option<Vec<usize>> {
    let (&first, later) = set.split_first()?;
    let focused = |i: &usize| focus.is_none_or(|f| f.contains(i));
    if !set.iter().any(focused) {
        return None;
    }
    let mut seen = HashSet::from([id(first)]);
    let mut listed = vec![first];
    for &i in later {
        if (focused(&i) || focused(&first)) && !silenced(i) && seen.insert(id(i)) {
            listed.push(i);
        }
    }
    (listed.len() > 1).then_some(listed)
}

/// Refuses to go on without the allowlist when its file does not load: the pairs reviewers
/// accepted would be reported as duplicates.
fn refuse_unloaded_allowlist(
    workspace: &Workspace,
    outcome: &qbank_linter::CheckOutcome,
) -> anyhow::Result<()> {
    if let Some(path) = &outcome.unloaded_allowlist {
        anyhow::bail!(
            "the allowlist `{}` does not load, so the pairs it accepts cannot be told apart; `qbank check` reports why",
            workspace.display_path(path).display()
        );
    }
    Ok(())
}

fn discover(args: &DupesArgs) -> anyhow::Result<Workspace> {
    let start = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
    Ok(Workspace::discover(start, args.config.as_deref())?)
}

fn ordered<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b { (a, b) } else { (b, a) }
}

/// Runs `search` with a progress callback that draws a bar on standard error once the search
/// has run for a second, when standard error is a terminal.
fn with_progress<T>(search: impl FnOnce(qbank_dupes::Progress<'_>) -> T) -> T {
    let terminal = std::io::stderr().is_terminal();
    let start = Instant::now();
    let last = AtomicUsize::new(usize::MAX);
    let drawn = std::sync::atomic::AtomicBool::new(false);
    let progress = |done: usize, total: usize| {
        if !terminal || start.elapsed() < Duration::from_secs(1) || total == 0 {
            return;
        }
        let percent = done * 100 / total;
        if last.swap(percent, Ordering::Relaxed) == percent {
            return;
        }
        drawn.store(true, Ordering::Relaxed);
        let filled = percent * 30 / 100;
        printer::progress(&format!(
            "\r  searching [{}{}] {percent:>3}%",
            "#".repeat(filled),
            " ".repeat(30 - filled)
        ));
    };
    let result = search(&progress);
    if drawn.load(Ordering::Relaxed) {
        printer::progress(&format!("\r{}\r", " ".repeat(50)));
    }
    result
}

/// What one run found, ready to print.
struct DupesReport<'a> {
    workspace: &'a Workspace,
    items: &'a [CheckedItem],
    threshold: Threshold,
    metric: Metric,
    across_exams: bool,
    found: &'a Found,
}

/// The JSON document of `qbank dupes --format json` (version 1).
#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    threshold: f64,
    metric: &'static str,
    across_exams: bool,
    items: usize,
    pairs: Vec<JsonPair<'a>>,
    clusters: Vec<Vec<&'a str>>,
    clones: Vec<Vec<&'a str>>,
    allowed: Vec<JsonPair<'a>>,
    silenced: Vec<JsonPair<'a>>,
    stale_allowlist: Vec<JsonFinding>,
}

/// A finding about the allowlist (QB503).
#[derive(Serialize)]
struct JsonFinding {
    file: String,
    line: usize,
    column: usize,
    severity: &'static str,
    message: String,
}

#[derive(Serialize)]
struct JsonPair<'a> {
    a: &'a str,
    b: &'a str,
    similarity: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    distance: Option<usize>,
    a_file: String,
    b_file: String,
}

impl DupesReport<'_> {
    fn id(&self, index: usize) -> &str {
        &self.items[index].item.id.value
    }

    fn file(&self, index: usize) -> String {
        self.display(&self.items[index].path)
    }

    fn display(&self, path: &Path) -> String {
        let path = self.workspace.display_path(path);
        path.to_string_lossy().replace('\\', "/")
    }

    fn json_pair(&self, pair: &Pair) -> JsonPair<'_> {
        JsonPair {
            a: self.id(pair.a),
            b: self.id(pair.b),
            // Rounded for readers; the decision was made exactly.
            similarity: (pair.similarity * 1e6).round() / 1e6,
            distance: pair.distance,
            a_file: self.file(pair.a),
            b_file: self.file(pair.b),
        }
    }

    fn json(&self) -> anyhow::Result<String> {
        let ids = |sets: &[Vec<usize>]| -> Vec<Vec<&str>> {
            sets.iter()
                .map(|set| set.iter().map(|&i| self.id(i)).collect())
                .collect()
        };
        let report = JsonReport {
            version: 1,
            threshold: self.threshold.as_f64(),
            metric: self.metric.name(),
            across_exams: self.across_exams,
            items: self.items.len(),
            pairs: self.found.pairs.iter().map(|p| self.json_pair(p)).collect(),
            clusters: ids(&self.found.clusters),
            clones: ids(&self.found.clones),
            allowed: self
                .found
                .accepted
                .iter()
                .map(|p| self.json_pair(p))
                .collect(),
            silenced: self
                .found
                .silenced
                .iter()
                .map(|p| self.json_pair(p))
                .collect(),
            stale_allowlist: self
                .found
                .stale
                .iter()
                .map(|d| {
                    let at = d.location();
                    JsonFinding {
                        file: self.display(d.file().path()),
                        line: at.line,
                        column: at.column,
                        severity: d.severity.as_str(),
                        message: d.message.clone(),
                    }
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&report)?;
        text.push('\n');
        Ok(text)
    }

    fn text(&self, color: bool) -> String {
        let paint = |code: &str, text: &str| {
            if color {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_owned()
            }
        };
        let scope = if self.across_exams {
            "across exams"
        } else {
            "within each exam"
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Near-duplicate stems: {} similarity at or above {}, {scope}",
            self.metric.name(),
            self.threshold
        );
        for (number, cluster) in self.found.clusters.iter().enumerate() {
            let members: Vec<&str> = cluster.iter().map(|&i| self.id(i)).collect();
            let _ = writeln!(
                out,
                "\n{} {}",
                paint("1", &format!("Cluster {}:", number + 1)),
                members.join(", ")
            );
            for pair in self.found.pairs.iter().filter(|p| cluster.contains(&p.a)) {
                let measure = match pair.distance {
                    Some(d) => format!("similarity {:.3}, {d} edits", pair.similarity),
                    None => format!("similarity {:.3}", pair.similarity),
                };
                let _ = writeln!(
                    out,
                    "  {} ~ {}  ({measure})\n    {}\n    {}",
                    self.id(pair.a),
                    self.id(pair.b),
                    self.file(pair.a),
                    self.file(pair.b)
                );
                let a = &self.items[pair.a].item.stem.value;
                let b = &self.items[pair.b].item.stem.value;
                let mut diff = String::new();
                for run in qbank_dupes::word_diff(a, b) {
                    let piece = match run.kind {
                        DiffKind::Equal => run.text,
                        DiffKind::Deleted => paint("31", &format!("[-{}-]", run.text)),
                        DiffKind::Inserted => paint("32", &format!("{{+{}+}}", run.text)),
                    };
                    if !diff.is_empty() {
                        diff.push(' ');
                    }
                    diff.push_str(&piece);
                }
                let _ = writeln!(out, "    {diff}");
            }
        }
        if !self.found.clones.is_empty() {
            let _ = writeln!(
                out,
                "\n{}",
                paint("1", "Cloned items (same options and key, different stems):")
            );
            for set in &self.found.clones {
                let ids: Vec<&str> = set.iter().map(|&i| self.id(i)).collect();
                let _ = writeln!(out, "  {}", ids.join(", "));
            }
        }
        self.allowed_and_silenced(&mut out, &paint);
        out.push_str(&self.summary());
        out
    }

    /// The pairs the allowlist and suppressions left out, and the allowlist's stale entries.
    fn allowed_and_silenced(&self, out: &mut String, paint: &impl Fn(&str, &str) -> String) {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        if !self.found.accepted.is_empty() {
            let _ = writeln!(
                *out,
                "\n{} pair{} accepted in the allowlist",
                self.found.accepted.len(),
                plural(self.found.accepted.len())
            );
        }
        if !self.found.silenced.is_empty() {
            let _ = writeln!(
                *out,
                "{}{} pair{} silenced by `# qbank: allow {NEAR_DUPLICATE}` in {}",
                if self.found.accepted.is_empty() {
                    "\n"
                } else {
                    ""
                },
                self.found.silenced.len(),
                plural(self.found.silenced.len()),
                if self.found.silenced.len() == 1 {
                    "its later item"
                } else {
                    "their later items"
                }
            );
        }
        if !self.found.stale.is_empty() {
            let _ = writeln!(
                *out,
                "\n{}",
                paint("1", "Allowlist entries that allow nothing:")
            );
            for finding in &self.found.stale {
                let at = finding.location();
                let _ = writeln!(
                    *out,
                    "  {}:{}:{}: {}[{}] {}",
                    self.display(finding.file().path()),
                    at.line,
                    at.column,
                    finding.severity.as_str(),
                    finding.code,
                    finding.message
                );
                if let Some(help) = &finding.help {
                    let _ = writeln!(*out, "    help: {help}");
                }
            }
        }
    }

    /// The closing line: what was found among how many items.
    fn summary(&self) -> String {
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if self.found.pairs.is_empty() && self.found.clones.is_empty() {
            return format!(
                "\nNo near-duplicates among {}.\n",
                count(self.items.len(), "item", "items")
            );
        }
        let mut found = Vec::new();
        if !self.found.pairs.is_empty() {
            found.push(format!(
                "{} in {}",
                count(
                    self.found.pairs.len(),
                    "near-duplicate pair",
                    "near-duplicate pairs"
                ),
                count(self.found.clusters.len(), "cluster", "clusters")
            ));
        }
        if !self.found.clones.is_empty() {
            found.push(count(self.found.clones.len(), "cloned set", "cloned sets"));
        }
        format!(
            "\nFound {} among {}.\n",
            found.join(" and "),
            count(self.items.len(), "item", "items")
        )
    }
}
