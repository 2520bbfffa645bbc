//! The `qbank` command-line tool. `main` parses arguments and calls [`run`]; each subcommand
//! lives in `commands/`, and everything that writes to the terminal goes through `printer`.

pub mod args;
mod commands;
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
        Command::Check(check) | Command::Lint(check) => commands::check::run(&check),
        Command::Schema { kind } => commands::schema::run(kind),
        Command::Rule { code, format } => commands::rule::run_one(&code, format),
        Command::Rules { format } => commands::rule::run_all(format),
    }
}
