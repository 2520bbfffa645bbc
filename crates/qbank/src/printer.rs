//! Everything qbank writes to standard output or to a report file.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

use crate::args::ColorChoice;

/// Whether text output should be coloured.
pub(crate) fn use_color(choice: ColorChoice, to_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file && std::env::var_os("NO_COLOR").is_none() && io::stdout().is_terminal()
        }
    }
}

/// Writes `bytes` to standard output, or atomically to `output` (a temporary file beside it,
/// then a rename), so a reader never sees half a report.
pub(crate) fn emit(bytes: &[u8], output: Option<&Path>) -> anyhow::Result<()> {
    let Some(path) = output else {
        let mut stdout = io::stdout().lock();
        stdout.write_all(bytes)?;
        stdout.flush()?;
        return Ok(());
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("`{}` is not a file path", path.display()))?;
    let temp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    fs::write(&temp, bytes).with_context(|| format!("failed to write `{}`", temp.display()))?;
    fs::rename(&temp, path).with_context(|| {
        let _ = fs::remove_file(&temp);
        format!("failed to write `{}`", path.display())
    })?;
    Ok(())
}

/// Prints a line of text to standard output.
pub(crate) fn line(text: &str) -> anyhow::Result<()> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{text}")?;
    Ok(())
}

/// Prints a line of text to standard error.
pub(crate) fn error_line(text: &str) -> anyhow::Result<()> {
    let mut stderr = io::stderr().lock();
    writeln!(stderr, "{text}")?;
    Ok(())
}

/// Writes `text` to standard error as it is, for a progress bar that redraws its line; errors
/// are ignored, since progress is only a courtesy.
pub(crate) fn progress(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}
