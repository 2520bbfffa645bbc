//! Diagnostics for qbank: what a finding is, where it points, and how it is printed.
//!
//! Every stage of the pipeline (TOML parsing, schema validation, lint rules, blueprint and
//! duplicate checks) reports its findings as [`Diagnostic`] values. A diagnostic stores byte
//! ranges only; lines and columns are computed when it is rendered.
//!
//! ```
//! use qbank_diagnostics::{Annotation, Diagnostic, Severity, SourceFile, TextRange};
//!
//! let file = SourceFile::new("bank/items/CISM-0001.toml", "id = \"CISM-1\"\n");
//! let diagnostic = Diagnostic::new(
//!     "QB107",
//!     "id-file-name-mismatch",
//!     Severity::Error,
//!     "id `CISM-1` does not match the file name",
//!     Annotation::primary(file, TextRange::new(5, 13)),
//! )
//! .with_help("rename the file to `CISM-1.toml` or change the id");
//! assert_eq!(diagnostic.location().line, 1);
//! ```
#![warn(missing_docs)]

pub mod render;
mod source;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

pub use source::{LineColumn, LineIndex, SourceFile, TextRange};

/// How serious a finding is. Only errors make a run fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the run (exit code 1).
    Error,
    /// Reported, does not fail the run.
    Warning,
    /// Advice, does not fail the run.
    Info,
}

impl Severity {
    /// The lowercase name used in configuration and machine-readable output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a file, with an optional label saying what is there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// The file the range points into.
    pub file: SourceFile,
    /// The byte range of the annotated text.
    pub range: TextRange,
    /// A short label shown under the range.
    pub label: Option<String>,
}

impl Annotation {
    /// An annotation without a label.
    pub fn primary(file: SourceFile, range: TextRange) -> Self {
        Self {
            file,
            range,
            label: None,
        }
    }

    /// An annotation with a label ([`printable`]).
    pub fn labelled(file: SourceFile, range: TextRange, label: impl Into<String>) -> Self {
        Self {
            file,
            range,
            label: Some(printable_owned(label.into())),
        }
    }
}

/// `text` with every character that could disturb the line it is printed on written as an
/// escape: control characters (`\n`, `\r`, `\t`, `\u{1b}`…), the bidirectional overrides
/// and isolates that reorder what a reader sees, the line and paragraph separators, and the
/// noncharacters U+FFFE and U+FFFF, which XML cannot hold.
///
/// Messages quote the bank's text (an unknown key, an option), and a finding is printed on
/// one line that CI systems parse: a newline in a key must not forge a second finding or, in
/// GitHub Actions, a workflow command.
///
/// ```
/// use qbank_diagnostics::printable;
///
/// assert_eq!(printable("a\nb\u{1b}[31m\u{202e}"), r"a\nb\u{1b}[31m\u{202e}");
/// assert_eq!(printable("café, 10 % ‘quoted’"), "café, 10 % ‘quoted’");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`printable`] of an owned string, which it returns unchanged when nothing needs escaping.
pub(crate) fn printable_owned(text: String) -> String {
    match printable(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(escaped) => escaped,
    }
}

/// Whether [`printable`] escapes `c`.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{fffe}'
                | '\u{ffff}'
        )
}

/// One finding: a rule code, a message, the place it concerns and what to do about it. The
/// message, help and labels are [`printable`]: each is one line without control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule code, such as `QB301`.
    pub code: &'static str,
    /// The rule's kebab-case name, such as `duplicate-option`.
    pub name: &'static str,
    /// The severity in force for this run.
    pub severity: Severity,
    /// What is wrong, as one short phrase.
    pub message: String,
    /// Where it is wrong.
    pub primary: Annotation,
    /// Other places that explain the finding, such as the first of two duplicates.
    pub secondary: Vec<Annotation>,
    /// What to do about it.
    pub help: Option<String>,
    /// For a finding about a whole exam rather than its file alone (a blueprint's fit, the
    /// balance of an exam's keys), the exam: a change to any item of that exam bears on it.
    pub exam: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with no secondary annotations and no help.
    pub fn new(
        code: &'static str,
        name: &'static str,
        severity: Severity,
        message: impl Into<String>,
        primary: Annotation,
    ) -> Self {
        Self {
            code,
            name,
            severity,
            message: printable_owned(message.into()),
            primary,
            secondary: Vec::new(),
            help: None,
            exam: None,
        }
    }

    /// Marks the finding as one about the whole of `exam` (see [`Diagnostic::exam`]).
    #[must_use]
    pub fn about_exam(mut self, exam: impl Into<String>) -> Self {
        self.exam = Some(exam.into());
        self
    }

    /// Adds the `help:` line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(printable_owned(help.into()));
        self
    }

    /// Adds a secondary annotation.
    #[must_use]
    pub fn with_secondary(mut self, annotation: Annotation) -> Self {
        self.secondary.push(annotation);
        self
    }

    /// The file of the primary annotation.
    pub fn file(&self) -> &SourceFile {
        &self.primary.file
    }

    /// The 1-based start of the primary range.
    pub fn location(&self) -> LineColumn {
        self.primary.file.line_column(self.primary.range.start)
    }

    /// The 1-based end of the primary range.
    pub fn end_location(&self) -> LineColumn {
        self.primary.file.line_column(self.primary.range.end)
    }

    /// The order in which diagnostics are printed: by file, then offset, then code.
    pub fn sort_key_cmp(&self, other: &Self) -> Ordering {
        self.primary
            .file
            .cmp_path(&other.primary.file)
            .then(self.primary.range.start.cmp(&other.primary.range.start))
            .then(self.code.cmp(other.code))
            .then_with(|| self.message.cmp(&other.message))
    }
}

/// Sorts diagnostics into printing order, so output never depends on thread timing. The sort
/// is stable and runs on the thread pool: a large bank has tens of thousands of findings.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    use rayon::slice::ParallelSliceMut;
    diagnostics.par_sort_by(Diagnostic::sort_key_cmp);
}

/// Counts for the closing summary of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Items checked.
    pub items: usize,
    /// Error-level findings.
    pub errors: usize,
    /// Warning-level findings.
    pub warnings: usize,
    /// Info-level findings.
    pub infos: usize,
}

impl Summary {
    /// A summary of `diagnostics` over `files` files holding `items` items.
    pub fn new(files: usize, items: usize, diagnostics: &[Diagnostic]) -> Self {
        let mut summary = Self {
            files,
            items,
            ..Self::default()
        };
        for diagnostic in diagnostics {
            match diagnostic.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => summary.infos += 1,
            }
        }
        summary
    }
}
