//! The `qbank` command-line tool. `main` parses arguments and calls [`run`]; each subcommand
//! lives in `commands/`, and everything that writes to the terminal goes through `printer`.

pub mod args;
mod changes;
mod commands;
mod html_report;
mod printer;

use std::process::ExitCode;

use args::{Args, Command};

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// No error-level finding.
    Success,
    /// Error-level findings.
    Failure,
    /// A usage or I/O failure.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::from(0),
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

/// Runs one command.
pub fn run(args: Args) -> anyhow::Result<ExitStatus> {
    match args.command {
        Command::Check(check) => commands::check::run(&check),
        // Everything but the duplicate search, which has its own command.
        Command::Lint(check) => {
            commands::check::run_with(&check, commands::check::Widen::Everything, |s| {
                s.except(&["QB5"])
            })
        }
        Command::Schema { kind } => commands::schema::run(kind),
        Command::Rule { code, format } => commands::rule::run_one(&code, format),
        Command::Rules { format } => commands::rule::run_all(format),
        Command::Dupes(dupes) => commands::dupes::run(&dupes),
        Command::New(new) => commands::new::run(&new),
        Command::Fmt(fmt) => commands::fmt::run(&fmt),
        Command::Lsp => commands::lsp::run(),
        Command::Completions { shell } => {
            let mut command = <Args as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut command, "qbank", &mut out);
            printer::emit(&out, None)?;
            Ok(ExitStatus::Success)
        }
        Command::Manpage { dir: None } => {
            let mut out = Vec::new();
            clap_mangen::Man::new(<Args as clap::CommandFactory>::command()).render(&mut out)?;
            printer::emit(&out, None)?;
            Ok(ExitStatus::Success)
        }
        Command::Manpage { dir: Some(dir) } => {
            use anyhow::Context as _;
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
            clap_mangen::generate_to(<Args as clap::CommandFactory>::command(), &dir)
                .with_context(|| {
                    format!("cannot write the manual pages into `{}`", dir.display())
                })?;
            Ok(ExitStatus::Success)
        }
        Command::Blueprint(blueprint) => commands::blueprint::run(&blueprint),
        Command::Assemble(assemble) => commands::assemble::run(&assemble),
        Command::Export(export) => commands::export::run(&export),
        Command::Import(import) => commands::import::run(&import),
        Command::Keygen(keygen) => commands::sign::keygen(&keygen),
        Command::Verify(verify) => commands::sign::verify(&verify),
        Command::Report(report) => commands::report::run(&report),
    }
}
