//! Everything qbank writes to standard output or to a report file.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

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

/// Writes `bytes` to standard output, or atomically to `output` with
/// [`qbank_export::write_atomic`] (a temporary file beside it, flushed to disk, then renamed
/// over it, keeping the permissions of the file it replaces), so a reader never sees half a
/// file and an interrupted run changes nothing.
pub(crate) fn emit(bytes: &[u8], output: Option<&Path>) -> anyhow::Result<()> {
    let Some(path) = output else {
        let mut stdout = io::stdout().lock();
        stdout.write_all(bytes)?;
        stdout.flush()?;
        return Ok(());
    };
    qbank_export::write_atomic(path, bytes)?;
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
