//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use qbank_diagnostics::render::DiagnosticFormat;

/// qbank checks certification-exam question banks kept as TOML files.
#[derive(Debug, Parser)]
#[command(
    name = "qbank",
    version,
    about,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every check CI needs (lint now; blueprint and duplicates as they land)
    Check(CheckArgs),
    /// Check items, blueprints and the glossary against the schemas and the lint rules
    Lint(CheckArgs),
    /// Print a JSON Schema of the bank's files
    Schema {
        /// Which schema
        #[arg(value_enum)]
        kind: SchemaName,
    },
    /// Print the documentation of one rule
    Rule {
        /// A code such as QB301, or a name such as duplicate-option
        code: String,
        /// Output format
        #[arg(long, value_enum, default_value_t = DocFormat::Text)]
        format: DocFormat,
    },
    /// List every rule with its code, name and default level
    Rules {
        /// Output format
        #[arg(long, value_enum, default_value_t = DocFormat::Text)]
        format: DocFormat,
    },
}

/// Arguments of `check` and `lint`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The bank, or files and folders inside it to report on (default: `./bank`, or the
    /// nearest folder upward with a `qbank.toml`). The whole bank is always loaded, so
    /// bank-wide rules such as unique ids still see every item.
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = DiagnosticFormat::Text)]
    pub format: DiagnosticFormat,
    /// Use this configuration file instead of discovering `qbank.toml`
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// When to use colours in text output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Write the report to this file instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// When to colour text output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and `NO_COLOR` is not set
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}

/// The schemas `qbank schema` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaName {
    /// An item file
    Item,
    /// A blueprint file
    Blueprint,
    /// The concept glossary
    Concepts,
    /// qbank.toml
    Config,
}

/// Formats of rule documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// Markdown for people
    Text,
    /// JSON for tools
    Json,
}
