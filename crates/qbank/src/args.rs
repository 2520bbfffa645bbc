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
    /// Run every check CI needs: schemas, lint rules, blueprint fit and duplicates
    Check(CheckArgs),
    /// Check items, blueprints and the glossary against the schemas and the lint rules, without
    /// the duplicate search
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
    /// Find near-duplicate stems and cloned items, grouped into clusters
    Dupes(DupesArgs),
    /// Write a new draft item with the next free id, for the writer to fill in
    New(NewArgs),
    /// Rewrite items in the canonical layout (key order, option tables, triple-quoted texts)
    Fmt(FmtArgs),
    /// Print a shell completion script
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for `man -l -` or a `man1` folder, or write every page
    Manpage {
        /// Write `qbank.1` and a page for each subcommand (`qbank-check.1`, ...), which the
        /// main page refers to, into this folder instead
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
    /// Run a language server on standard input and output, for editors
    Lsp,
    /// Weigh the bank against its blueprints: domain shares, tasks, statuses and pool depth
    Blueprint(BlueprintArgs),
    /// Build exam forms that meet a blueprint's quotas, enemies, overlap and balance
    Assemble(AssembleArgs),
    /// Write a pack of approved items for delivery apps, LMSs and flashcard tools
    Export(ExportArgs),
    /// Turn a file of another tool into draft items of the bank
    Import(ImportArgs),
    /// Write a new Ed25519 key pair for signing packs: NAME.key (secret) and NAME.pub
    Keygen(KeygenArgs),
    /// Check a pack against its manifest: every file's sha256, and the signature with --key
    Verify(VerifyArgs),
    /// Write the bank at a glance as one self-contained HTML page: blueprint fit, task coverage,
    /// near-duplicates, findings, and items by status, author and difficulty
    Report(ReportArgs),
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
    /// Report only on files changed since this git revision (committed, staged, unstaged or
    /// new), with the whole bank still loaded for bank-wide rules
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
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
    /// The duplicate allowlist
    Allowlist,
    /// qbank.toml
    Config,
}

/// Formats of rule documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// Text for people: a table of rules, or a rule's page in Markdown
    Text,
    /// JSON for tools
    Json,
}

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The bank (default: `./bank`, or the nearest folder upward with a `qbank.toml`)
    pub bank: Option<PathBuf>,
    /// The pack's format
    #[arg(long, short = 'f', value_enum)]
    pub format: ExportFormat,
    /// The profile of `qbank.toml` that selects the items (default: every approved,
    /// non-secure item, public)
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The items of this blueprint, in its domains (through its crosswalk for items of an
    /// earlier outline); the pack is ordered and sectioned by its domains
    #[arg(long, value_name = "ID")]
    pub blueprint: Option<String>,
    /// Where to write the pack (atomically: a temporary file beside it, then a rename)
    #[arg(long, short = 'o', value_name = "PATH")]
    pub out: PathBuf,
    /// Leave items with error-level findings out instead of refusing to export
    #[arg(long)]
    pub allow_findings: bool,
    /// Leave keys, feedback and rationale out, for systems that score on their server
    /// (json, csv, qti3, qti21)
    #[arg(long)]
    pub no_keys: bool,
    /// Use this configuration file instead of discovering `qbank.toml`
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Sign the pack's manifest with this secret key (from `qbank keygen`)
    #[arg(long, value_name = "KEYFILE")]
    pub sign: Option<PathBuf>,
}

/// Arguments of `keygen`.
#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// Write the secret key to NAME.key (mode 0600) and the public key to NAME.pub
    #[arg(long, short = 'o', value_name = "NAME")]
    pub out: PathBuf,
    /// Replace existing key files
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The pack: a zip pack (qti3, qti21, anki), or a single-file pack with PACK.manifest.json
    /// beside it
    pub pack: PathBuf,
    /// Check the signature with this public key (from `qbank keygen`); without it, only the
    /// digests are checked
    #[arg(long, value_name = "PUBKEY")]
    pub key: Option<PathBuf>,
}

/// Formats of `qbank export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The JSON pack for apps, with a sha256 manifest (schemas/pack.schema.json)
    Json,
    /// IMS/1EdTech QTI 3.0 content package (zip): items, a test per exam, a section per domain
    Qti3,
    /// IMS QTI 2.1 content package (zip), laid out as qti3
    Qti21,
    /// Moodle XML, a category per exam and domain
    Moodle,
    /// Moodle GIFT text, a category per exam and domain
    Gift,
    /// CSV, one row per item (RFC 4180)
    Csv,
    /// Anki deck (.apkg), a deck per exam and domain
    Anki,
}

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The file to read
    pub file: PathBuf,
    /// Its format
    #[arg(long, value_enum)]
    pub from: ImportFrom,
    /// The bank to add the items to (default: `./bank`, or the nearest folder upward with a
    /// `qbank.toml`)
    #[arg(long, value_name = "DIR")]
    pub bank: Option<PathBuf>,
    /// Folder inside the bank for the new item files
    #[arg(long, value_name = "DIR", default_value = "items/imported")]
    pub into: PathBuf,
    /// Prefix of the new ids (`IMP-0001`, ...)
    #[arg(long, default_value = "IMP")]
    pub prefix: String,
    /// Exam of items whose source names none (needed when some item names none; must have a
    /// blueprint)
    #[arg(
        long,
        value_name = "EXAM",
        default_value = "",
        hide_default_value = true
    )]
    pub exam: String,
    /// Domain of items whose source names none (needed when some item names none; must be in
    /// the exam's blueprint)
    #[arg(long, value_name = "ID", default_value = "", hide_default_value = true)]
    pub domain: String,
    /// Author of items whose source names none
    #[arg(long, default_value = "imported")]
    pub author: String,
    /// Refuse a file larger than this many bytes, before reading it (default: 64 MiB)
    #[arg(long, value_name = "BYTES", default_value_t = qbank_export::DEFAULT_MAX_IMPORT_SIZE)]
    pub max_size: u64,
}

/// Formats of `qbank import`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImportFrom {
    /// A qbank JSON pack
    Json,
    /// CSV with the columns of `qbank export --format csv`
    Csv,
    /// Moodle GIFT (multiple-choice questions)
    Gift,
    /// Moodle XML (`multichoice` questions)
    Moodle,
}

/// Arguments of `blueprint`.
#[derive(Debug, clap::Args)]
pub struct BlueprintArgs {
    /// The bank (default: `./bank`, or the nearest folder upward with a `qbank.toml`)
    pub bank: Option<PathBuf>,
    /// Report on this blueprint only (any version, in force or not)
    #[arg(long, value_name = "ID")]
    pub blueprint: Option<String>,
    /// Item statuses to count, comma-separated (default: approved)
    #[arg(long, value_name = "LIST")]
    pub status: Option<String>,
    /// Re-count the items of blueprint FROM under blueprint TO through TO's crosswalk
    #[arg(long, num_args = 2, value_names = ["FROM", "TO"], conflicts_with = "blueprint")]
    pub crosswalk: Vec<String>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = BlueprintFormat::Text)]
    pub format: BlueprintFormat,
    /// Write the report to this file instead of standard output (atomically)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Use this configuration file instead of discovering `qbank.toml`
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Formats of `qbank blueprint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BlueprintFormat {
    /// Tables with a bar per domain (`#` the share, `|` the target)
    Text,
    /// A versioned JSON document for tools
    Json,
    /// Markdown for a pull-request comment
    Markdown,
}

/// Arguments of `assemble`.
#[derive(Debug, clap::Args)]
pub struct AssembleArgs {
    /// The bank (default: `./bank`, or the nearest folder upward with a `qbank.toml`)
    pub bank: Option<PathBuf>,
    /// The blueprint whose quotas the forms meet
    #[arg(long, value_name = "ID")]
    pub blueprint: String,
    /// Number of forms, 1 to 1,000 (each pair of forms is checked for overlap, so time and
    /// memory grow with the square of K)
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub forms: u16,
    /// Seed of every random choice: the same bank, arguments and seed give the same files
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Items any two forms may share
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_overlap: usize,
    /// Largest difference between two forms' mean difficulties (items without one count as 3)
    #[arg(long, value_name = "D", default_value = "0.25")]
    pub difficulty_spread: String,
    /// Allowed deviation of a key position's count on a form, as a share of the form's
    /// fixed-order (`shuffle = false`) keys; never less than one key
    #[arg(long, value_name = "T", default_value = "0.10")]
    pub key_tolerance: String,
    /// Folder for the manifests (`form-01.json`, ...) and `summary.json`
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Use this configuration file instead of discovering `qbank.toml`
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Arguments of `dupes`.
#[derive(Debug, clap::Args)]
pub struct DupesArgs {
    /// The bank, or files and folders inside it whose items to compare with the whole bank
    /// (default: `./bank`, or the nearest folder upward with a `qbank.toml`)
    pub paths: Vec<PathBuf>,
    /// Similarity at or above which stems are near-duplicates, from 0 to 1 (default: `threshold`
    /// under `[dupes]` in `qbank.toml`, else 0.85)
    #[arg(long, value_name = "SIMILARITY")]
    pub threshold: Option<String>,
    /// Similarity measure (default: `metric` under `[dupes]`, else levenshtein)
    #[arg(long, value_enum)]
    pub metric: Option<MetricArg>,
    /// Compare items of different exams too
    #[arg(long)]
    pub across_exams: bool,
    /// Only pairs that involve an item changed since this git revision, compared with the whole
    /// bank
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
    /// Output format: `text`, the clusters with word diffs; `json`, the report of pairs,
    /// clusters and clones; or `concise`, `sarif`, `github`, `junit`, `gitlab`, the findings
    /// QB501-QB503 as `qbank check` writes them
    #[arg(
        long,
        short = 'f',
        value_enum,
        default_value_t = DiagnosticFormat::Text,
        hide_possible_values = true
    )]
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

/// Similarity measures of `dupes --metric`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MetricArg {
    /// 1 - edits / characters of the longer stem
    Levenshtein,
    /// Jaro-Winkler similarity
    JaroWinkler,
    /// Sørensen-Dice coefficient of character bigrams
    Dice,
}

impl From<MetricArg> for qbank_dupes::Metric {
    fn from(metric: MetricArg) -> Self {
        match metric {
            MetricArg::Levenshtein => qbank_dupes::Metric::Levenshtein,
            MetricArg::JaroWinkler => qbank_dupes::Metric::JaroWinkler,
            MetricArg::Dice => qbank_dupes::Metric::Dice,
        }
    }
}

/// Arguments of `new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The exam, as its blueprint names it (such as `cism`)
    #[arg(long)]
    pub exam: String,
    /// A domain id of the exam's blueprint in force
    #[arg(long)]
    pub domain: String,
    /// A task id inside the domain
    #[arg(long)]
    pub task: Option<String>,
    /// Single or multiple response
    #[arg(long = "type", value_enum, default_value_t = ItemTypeArg::Single)]
    pub item_type: ItemTypeArg,
    /// The author (default: git's `user.email` before the `@`, or `user.name`)
    #[arg(long)]
    pub author: Option<String>,
    /// The `created` and `updated` date, YYYY-MM-DD (default: today, UTC)
    #[arg(long)]
    pub date: Option<String>,
    /// The bank (default: `./bank`, or the nearest folder upward with a `qbank.toml`)
    #[arg(long)]
    pub bank: Option<PathBuf>,
    /// Use this configuration file instead of discovering `qbank.toml`
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Item types of `new --type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ItemTypeArg {
    /// One key
    Single,
    /// Two or more keys
    Multiple,
}

/// Arguments of `fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// The bank, or item files and folders inside it (default: `./bank`, or the nearest folder
    /// upward with a `qbank.toml`)
    pub paths: Vec<PathBuf>,
    /// Change nothing: list the items that would change, and exit 1 if there are any
    #[arg(long)]
    pub check: bool,
    /// Use this configuration file instead of discovering `qbank.toml`
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The bank (default: `./bank`, or the nearest folder upward with a `qbank.toml`)
    pub bank: Option<PathBuf>,
    /// Where to write the page (atomically: a temporary file beside it, then a rename)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Item statuses the blueprint charts and the task coverage count, comma-separated
    /// (default: approved)
    #[arg(long, value_name = "LIST")]
    pub status: Option<String>,
    /// Use this configuration file instead of discovering `qbank.toml`
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}
