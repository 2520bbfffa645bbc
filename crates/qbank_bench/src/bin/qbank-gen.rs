//! `qbank-gen`: writes a synthetic question bank for benchmarks and stress tests.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::Parser;
use qbank_bench::{GenOptions, Generator, prepare_dir};

/// Write a synthetic bank: blueprints and concepts from the sample bank, and generated items in
/// the item format, some of them invalid and some planted near-duplicates.
#[derive(Debug, Parser)]
#[command(name = "qbank-gen", version)]
struct Args {
    /// Number of items to write.
    #[arg(long)]
    items: usize,
    /// Directory to write the bank to; it must be missing or empty unless --force is given.
    #[arg(long)]
    out: PathBuf,
    /// Seed of every random choice: the same arguments always give the same bytes.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Items with one realistic defect each, per mille (listed in invalid-items.txt).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(0..=1000))]
    invalid_per_mille: u16,
    /// Items that are near-duplicates of another item, per mille (listed in
    /// planted-duplicates.txt as `SOURCE COPY`).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=500))]
    dupes_per_mille: u16,
    /// Overwrite a bank that qbank-gen wrote before (its items/ folder is removed first).
    #[arg(long)]
    force: bool,
}

fn run(args: &Args) -> anyhow::Result<String> {
    let start = Instant::now();
    let generator = Generator::new(GenOptions {
        items: args.items,
        seed: args.seed,
        invalid_per_mille: usize::from(args.invalid_per_mille),
        dupes_per_mille: usize::from(args.dupes_per_mille),
    })?;
    prepare_dir(&args.out, args.force)?;
    let summary = generator
        .write(&args.out)
        .with_context(|| format!("failed to write the bank to `{}`", args.out.display()))?;
    Ok(format!(
        "qbank-gen: wrote {summary} to {} in {:.2} s",
        args.out.display(),
        start.elapsed().as_secs_f64()
    ))
}

#[expect(
    clippy::print_stderr,
    reason = "the binary reports its summary and errors"
)]
fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(summary) => {
            eprintln!("{summary}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("qbank-gen failed");
            for cause in error.chain() {
                eprintln!("  Cause: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
