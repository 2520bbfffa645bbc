//! `qbank-dupes-bench`: times exact near-duplicate detection on generated banks.
//!
//! Generates a bank with planted near-duplicates, extracts each item's exam, stem and options,
//! and runs one of: the full search (`--mode all`), the pull-request case (`--mode query`, a
//! few changed items against the whole bank) or a rayon brute-force baseline that compares every
//! pair with a bounded bit-parallel distance (`--mode brute`). Prints wall time, peak memory,
//! pairs found and recall of the planted pairs.

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use qbank_bench::{GenOptions, Generator};
use qbank_dupes::{
    Entry, ItemOption, Metric, Options, Threshold, find_pairs_with_stats, normalize,
};
use rayon::prelude::*;

// The allocator of the `qbank` binary, so that the search is timed as `qbank dupes` runs it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Time exact near-duplicate detection on a generated bank.
#[derive(Debug, Parser)]
#[command(name = "qbank-dupes-bench")]
struct Args {
    /// Number of items to generate.
    #[arg(long)]
    items: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Planted near-duplicates, per mille.
    #[arg(long, default_value_t = 10)]
    dupes_per_mille: usize,
    /// What to run.
    #[arg(long, value_enum, default_value_t = Mode::All)]
    mode: Mode,
    /// Changed items for `--mode query`, spread evenly over the bank.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Similarity threshold.
    #[arg(long, default_value = "0.85")]
    threshold: Threshold,
    /// Similarity metric.
    #[arg(long, default_value = "levenshtein")]
    metric: Metric,
    /// Pair items of different exams too.
    #[arg(long)]
    across_groups: bool,
    /// Write `exam<TAB>normalized stem` lines (in item order) to this file.
    #[arg(long)]
    dump_stems: Option<PathBuf>,
    /// Write the pairs found as `a b distance` lines to this file.
    #[arg(long)]
    dump_pairs: Option<PathBuf>,
    /// Run the search this many times on the same bank and report the median wall and CPU
    /// time (with the fastest and slowest run), so that one drifting run does not decide a
    /// figure and a profile of the process is mostly the search.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Mode {
    /// Every pair of the bank.
    All,
    /// Pairs involving `--queries` changed items.
    Query,
    /// Every pair, compared one by one.
    Brute,
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&format!("qbank-dupes-bench failed: {error:#}"));
            ExitCode::from(2)
        }
    }
}

#[expect(
    clippy::print_stderr,
    reason = "the binary reports on stderr and stdout"
)]
fn report(line: &str) {
    eprintln!("{line}");
}

#[expect(clippy::print_stdout, reason = "the binary prints its figures")]
fn figure(line: &str) {
    println!("{line}");
}

/// Peak resident memory of this process in MiB, from `/proc/self/status`.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// User plus system CPU seconds of this process so far, from `/proc/self/stat`.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of the file (utime, stime), counted after the command name.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn entry_from_toml(text: &str) -> anyhow::Result<(String, Entry)> {
    let table: toml::Table = toml::from_str(text).context("generated item is not TOML")?;
    let field = |key: &str| {
        table
            .get(key)
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let options = table
        .get("options")
        .and_then(toml::Value::as_array)
        .map(|options| {
            options
                .iter()
                .map(|o| ItemOption {
                    text: o
                        .get("text")
                        .and_then(toml::Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    key: o
                        .get("correct")
                        .and_then(toml::Value::as_bool)
                        .unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default();
    let entry = Entry {
        group: field("exam"),
        stem: field("stem"),
        options,
    };
    Ok((field("id"), entry))
}

/// The generated bank's entries and its planted pairs as sorted entry index pairs.
type Bank = (Vec<Entry>, BTreeSet<(usize, usize)>);

fn generate(args: &Args) -> anyhow::Result<Bank> {
    let start = Instant::now();
    let generator = Generator::new(GenOptions {
        items: args.items,
        seed: args.seed,
        invalid_per_mille: 0,
        dupes_per_mille: args.dupes_per_mille,
    })?;
    let parsed: Vec<(String, Entry)> = (0..generator.len())
        .into_par_iter()
        .map(|i| entry_from_toml(&generator.item(i).text))
        .collect::<anyhow::Result<_>>()?;
    let index: HashMap<&str, usize> = parsed
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();
    let planted: BTreeSet<(usize, usize)> = generator
        .planted_duplicates()
        .iter()
        .filter_map(|(a, b)| {
            let (a, b) = (*index.get(a.as_str())?, *index.get(b.as_str())?);
            Some((a.min(b), a.max(b)))
        })
        .collect();
    let entries: Vec<Entry> = parsed.into_iter().map(|(_, e)| e).collect();
    report(&format!(
        "generated {} items ({} planted pairs) in {:.2} s",
        entries.len(),
        planted.len(),
        start.elapsed().as_secs_f64()
    ));
    Ok((entries, planted))
}

fn run(args: &Args) -> anyhow::Result<()> {
    let (entries, planted) = generate(args)?;
    if let Some(path) = &args.dump_stems {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        for e in &entries {
            writeln!(out, "{}\t{}", e.group, normalize(&e.stem))?;
        }
        out.flush()?;
    }
    let before = peak_mib().unwrap_or(0.0);
    // Reset the peak so that it measures the search (plus the bank already in memory).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let mut options = Options {
        threshold: args.threshold,
        metric: args.metric,
        across_groups: args.across_groups,
        queries: None,
    };
    let (label, query_set) = match args.mode {
        Mode::Query => {
            let step = (entries.len() / args.queries.max(1)).max(1);
            let queries: Vec<usize> = (0..entries.len())
                .step_by(step)
                .take(args.queries)
                .collect();
            let set: BTreeSet<usize> = queries.iter().copied().collect();
            options.queries = Some(queries);
            (format!("query ({} changed items)", set.len()), Some(set))
        }
        Mode::All => ("all pairs".to_owned(), None),
        Mode::Brute => ("brute force".to_owned(), None),
    };
    let (pairs, runs) = timed_search(args, &entries, &options)?;
    let (seconds, cpu) = median(&runs);
    let spread = if runs.len() > 1 {
        let walls = runs.iter().map(|r| r.0);
        let fastest = walls.clone().fold(f64::INFINITY, f64::min);
        let slowest = walls.fold(0.0, f64::max);
        format!(
            " (median of {} runs, {fastest:.3} to {slowest:.3}s)",
            runs.len()
        )
    } else {
        String::new()
    };
    let peak = peak_mib().unwrap_or(0.0);
    let found: BTreeSet<(usize, usize)> = pairs.iter().map(|&(a, b, _)| (a, b)).collect();
    let relevant: Vec<&(usize, usize)> = planted
        .iter()
        .filter(|(a, b)| {
            query_set
                .as_ref()
                .is_none_or(|q| q.contains(a) || q.contains(b))
        })
        .collect();
    let recalled = relevant.iter().filter(|p| found.contains(p)).count();
    figure(&format!(
        "items={} mode={label} metric={} threshold={} threads={} wall={seconds:.3}s{spread} cpu={cpu:.2}s peak={peak:.0}MiB \
         (bank before search {before:.0}MiB) pairs={} planted={} recall={recalled}/{} ({:.2}%)",
        entries.len(),
        args.metric,
        args.threshold,
        rayon::current_num_threads(),
        pairs.len(),
        relevant.len(),
        relevant.len(),
        100.0 * recalled as f64 / relevant.len().max(1) as f64,
    ));
    if let Some(path) = &args.dump_pairs {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        for (a, b, d) in &pairs {
            writeln!(
                out,
                "{a} {b} {}",
                d.map_or(String::from("-"), |d| d.to_string())
            )?;
        }
        out.flush()?;
    }
    Ok(())
}

/// Runs the search `--repeat` times; returns the pairs and each run's wall and CPU seconds.
fn timed_search(args: &Args, entries: &[Entry], options: &Options) -> anyhow::Result<Searched> {
    let mut runs: Vec<(f64, f64)> = Vec::new();
    let mut pairs: Vec<(usize, usize, Option<usize>)> = Vec::new();
    for run in 0..args.repeat {
        let cpu_before = cpu_seconds().unwrap_or(0.0);
        let search = Instant::now();
        pairs = match args.mode {
            Mode::All | Mode::Query => {
                let (pairs, stats) = find_pairs_with_stats(entries, options, &|_, _| {})?;
                if run == 0 {
                    report(&format!(
                        "stages: {} window pairs, {} after characters, {} after folded bigrams, {} after folded trigrams, {} after trigrams (verified)",
                        stats.window_pairs,
                        stats.after_characters,
                        stats.after_bigrams,
                        stats.after_trigram_sketch,
                        stats.verified
                    ));
                }
                pairs.into_iter().map(|p| (p.a, p.b, p.distance)).collect()
            }
            Mode::Brute => brute_force(entries, options),
        };
        let wall = search.elapsed().as_secs_f64();
        let cpu = cpu_seconds().unwrap_or(0.0) - cpu_before;
        if args.repeat > 1 {
            report(&format!("run {}: wall={wall:.3}s cpu={cpu:.2}s", run + 1));
        }
        runs.push((wall, cpu));
    }
    Ok((pairs, runs))
}

/// The pairs a search found and the wall and CPU seconds of each run.
type Searched = (Vec<(usize, usize, Option<usize>)>, Vec<(f64, f64)>);

/// The median wall and CPU times of `runs` (each median taken on its own; the upper one of an
/// even count).
fn median(runs: &[(f64, f64)]) -> (f64, f64) {
    let mut walls: Vec<f64> = runs.iter().map(|r| r.0).collect();
    let mut cpus: Vec<f64> = runs.iter().map(|r| r.1).collect();
    walls.sort_by(f64::total_cmp);
    cpus.sort_by(f64::total_cmp);
    let mid = runs.len() / 2;
    (
        walls.get(mid).copied().unwrap_or(0.0),
        cpus.get(mid).copied().unwrap_or(0.0),
    )
}

/// Every pair of the same exam compared one by one: the bounded bit-parallel distance of
/// `rapidfuzz` with the largest distance the threshold allows as cutoff, then the exact integer
/// decision. Levenshtein only.
fn brute_force(entries: &[Entry], options: &Options) -> Vec<(usize, usize, Option<usize>)> {
    let stems: Vec<Vec<char>> = entries
        .par_iter()
        .map(|e| normalize(&e.stem).chars().collect())
        .collect();
    let threshold = options.threshold;
    let mut pairs: Vec<(usize, usize, Option<usize>)> = (0..entries.len())
        .into_par_iter()
        .flat_map_iter(|b| {
            let comparator =
                rapidfuzz::distance::levenshtein::BatchComparator::new(stems[b].iter().copied());
            let stems = &stems;
            (0..b).filter_map(move |a| {
                if !options.across_groups && entries[a].group != entries[b].group {
                    return None;
                }
                let max_len = stems[a].len().max(stems[b].len());
                let args = rapidfuzz::distance::levenshtein::Args::default()
                    .score_cutoff(threshold.max_distance(max_len));
                let d = comparator.distance_with_args(stems[a].iter().copied(), &args)?;
                threshold
                    .accepts_distance(d, max_len)
                    .then_some((a, b, Some(d)))
            })
        })
        .collect();
    pairs.sort_unstable();
    pairs
}
