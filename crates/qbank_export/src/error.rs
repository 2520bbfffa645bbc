//! The errors of export and import.

use std::path::PathBuf;

/// Why an export or an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file could not be read or written.
    #[error("failed to access `{path}`")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The configuration asks for something a profile may not do. (The caller names the
    /// configuration file, which `--config` may have chosen.)
    #[error("profile `{profile}`: {message}")]
    Profile {
        /// The profile's name.
        profile: String,
        /// What is wrong.
        message: String,
    },
    /// `--profile` names no profile of the configuration.
    #[error("no profile `{name}` (known: {known})")]
    UnknownProfile {
        /// The name asked for.
        name: String,
        /// The names that exist.
        known: String,
    },
    /// `--blueprint` (or a profile's `blueprint`) names no blueprint of the bank.
    #[error("no blueprint `{id}` in the bank (known: {known})")]
    UnknownBlueprint {
        /// The id asked for.
        id: String,
        /// The ids that exist, or `none`.
        known: String,
    },
    /// A value cannot be carried by the format without changing it.
    #[error("item `{item}`: {field} {reason} in format `{format}`")]
    Unrepresentable {
        /// The item's id.
        item: String,
        /// Which value.
        field: String,
        /// The format.
        format: &'static str,
        /// Why.
        reason: String,
    },
    /// The format has no way to leave the keys out.
    #[error(
        "format `{0}` cannot leave the keys out; use json, csv, qti3 or qti21 with `--no-keys`"
    )]
    KeysRequired(&'static str),
    /// An input file of an import is not what its format says.
    #[error("{}: {message}", location(.path, *.line))]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line, 0 when unknown.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Files the pack would draw from have error-level findings: items the profile takes,
    /// items that could not be read, blueprints or the glossary.
    #[error("error-level findings in {} file(s): {}", .0.len(), .0.join(", "))]
    Findings(Vec<String>),
    /// A file to import is larger than the limit, and was not read.
    #[error(
        "`{}` is {}over the import limit of {limit} bytes",
        path.display(),
        size.map(|s| format!("{s} bytes, ")).unwrap_or_default()
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size, when known before reading.
        size: Option<u64>,
        /// The limit in bytes.
        limit: u64,
    },
    /// A key file is not one `qbank keygen` wrote.
    #[error(
        "`{}`{}: {message}",
        path.display(),
        if *line > 0 { format!(", line {line}") } else { String::new() }
    )]
    Key {
        /// The key file.
        path: PathBuf,
        /// 1-based line, 0 for the whole file.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// `qbank keygen` would replace a key file.
    #[error("`{}` already exists; pass `--force` to replace it", .0.display())]
    KeyExists(PathBuf),
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
    /// Building a zip archive failed.
    #[error("failed to build the archive: {0}")]
    Zip(String),
    /// Building an Anki collection failed.
    #[error("failed to build the Anki collection: {0}")]
    Anki(String),
}

impl ExportError {
    /// An I/O error at `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// `path:line`, or `path` alone when the line is not known (0).
fn location(path: &std::path::Path, line: usize) -> String {
    if line == 0 {
        path.display().to_string()
    } else {
        format!("{}:{line}", path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::ExportError;

    #[test]
    fn a_parse_error_names_the_line_only_when_known() {
        let error = |line| ExportError::Parse {
            path: "pack.json".into(),
            line,
            message: "bad".to_owned(),
        };
        assert_eq!(error(3).to_string(), "pack.json:3: bad");
        assert_eq!(error(0).to_string(), "pack.json: bad");
    }
}
