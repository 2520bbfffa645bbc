//! `qbank lsp`: a language server over standard input and output that publishes qbank's
//! findings for the bank files an editor has open, as they are edited.
//!
//! The server keeps the text of every open document. On each open, change or save it checks the
//! bank the document belongs to, reading the open documents from memory and every other file
//! from disk, and publishes the findings of every open document of that bank (a change in one
//! item can add or clear a finding in another, such as a duplicate id). Text is synchronized in
//! full; positions are in UTF-16 code units, as the protocol's default encoding requires.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Response};
use qbank_diagnostics::{Annotation, Diagnostic, Severity};
use qbank_workspace::{Targets, Workspace};
use serde_json::{Value, json};

use crate::ExitStatus;
use crate::commands::check;

pub(crate) fn run() -> anyhow::Result<ExitStatus> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(ExitStatus::Success)
}

fn serve(connection: &Connection) -> anyhow::Result<()> {
    let (id, _params) = connection.initialize_start()?;
    connection.initialize_finish(
        id,
        json!({
            "capabilities": {
                "textDocumentSync": {
                    "openClose": true,
                    "change": 1,
                    "save": { "includeText": false }
                }
            },
            "serverInfo": { "name": "qbank", "version": env!("CARGO_PKG_VERSION") }
        }),
    )?;
    let mut server = Server::default();
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                connection.sender.send(Message::Response(Response::new_err(
                    request.id,
                    ErrorCode::MethodNotFound as i32,
                    format!("qbank does not handle `{}`", request.method),
                )))?;
            }
            Message::Notification(notification) => {
                for out in server.notify(&notification) {
                    connection.sender.send(Message::Notification(out))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// The open documents, by absolute path.
#[derive(Default)]
struct Server {
    documents: HashMap<PathBuf, String>,
}

impl Server {
    /// Handles one notification and returns the notifications to send.
    fn notify(&mut self, notification: &Notification) -> Vec<Notification> {
        let params = &notification.params;
        let uri = params["textDocument"]["uri"].as_str().unwrap_or_default();
        let Some(path) = uri_to_path(uri) else {
            return Vec::new();
        };
        match notification.method.as_str() {
            "textDocument/didOpen" => {
                let text = params["textDocument"]["text"].as_str().unwrap_or_default();
                self.documents.insert(path.clone(), text.to_owned());
            }
            "textDocument/didChange" => {
                // Full synchronization: the last change holds the whole text.
                let Some(text) = params["contentChanges"]
                    .as_array()
                    .and_then(|changes| changes.last())
                    .and_then(|change| change["text"].as_str())
                else {
                    return Vec::new();
                };
                self.documents.insert(path.clone(), text.to_owned());
            }
            "textDocument/didSave" => {}
            "textDocument/didClose" => {
                self.documents.remove(&path);
                let mut out = self.publish(&path);
                out.push(publish(&path, &[]));
                return out;
            }
            _ => return Vec::new(),
        }
        self.publish(&path)
    }

    /// Checks the bank that holds `path` and publishes the findings of its open documents.
    fn publish(&self, path: &Path) -> Vec<Notification> {
        let Some(dir) = path.parent() else {
            return Vec::new();
        };
        let Ok(workspace) = Workspace::discover(dir, None) else {
            // Not in a bank: nothing of qbank's to say.
            return Vec::new();
        };
        let root = workspace.root().to_path_buf();
        let open: Vec<PathBuf> = self
            .documents
            .keys()
            .filter(|p| p.starts_with(&root))
            .cloned()
            .collect();
        let settings = match check::load_settings(&workspace) {
            Ok(settings) => settings,
            Err(error) => {
                return vec![Notification::new(
                    "window/showMessage".to_owned(),
                    json!({ "type": 1, "message": format!("qbank: {error:#}") }),
                )];
            }
        };
        let outcome = qbank_linter::check_overlaid(
            &workspace,
            workspace.files(),
            &settings,
            Some(&Targets::new(open.iter().cloned())),
            &self.documents,
        );
        let mut by_file: HashMap<PathBuf, Vec<Value>> =
            open.iter().map(|p| (p.clone(), Vec::new())).collect();
        for diagnostic in &outcome.diagnostics {
            let file = workspace.absolute(diagnostic.file().path());
            if let Some(list) = by_file.get_mut(&file) {
                list.push(to_lsp(&workspace, diagnostic));
            }
        }
        let mut files: Vec<(PathBuf, Vec<Value>)> = by_file.into_iter().collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
            .into_iter()
            .map(|(file, diagnostics)| publish(&file, &diagnostics))
            .collect()
    }
}

fn publish(path: &Path, diagnostics: &[Value]) -> Notification {
    Notification::new(
        "textDocument/publishDiagnostics".to_owned(),
        json!({ "uri": path_to_uri(path), "diagnostics": diagnostics }),
    )
}

/// A finding as an LSP `Diagnostic`.
fn to_lsp(workspace: &Workspace, diagnostic: &Diagnostic) -> Value {
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<Value> = diagnostic
        .secondary
        .iter()
        .map(|annotation| {
            json!({
                "location": {
                    "uri": path_to_uri(&workspace.absolute(annotation.file.path())),
                    "range": range(annotation)
                },
                "message": annotation.label.clone().unwrap_or_default()
            })
        })
        .collect();
    json!({
        "range": range(&diagnostic.primary),
        "severity": match diagnostic.severity {
            Severity::Error => 1,
            Severity::Warning => 2,
            Severity::Info => 3,
        },
        "code": diagnostic.code,
        "source": "qbank",
        "message": message,
        "relatedInformation": related
    })
}

/// An annotation's range as LSP positions: 0-based lines, UTF-16 code units.
fn range(annotation: &Annotation) -> Value {
    let text = annotation.file.text();
    let span = annotation.range.to_range();
    json!({ "start": position(text, span.start), "end": position(text, span.end) })
}

fn position(text: &str, offset: usize) -> Value {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[start..].encode_utf16().count();
    json!({ "line": line, "character": character })
}

/// The path of a `file:` URI, percent-decoded; `None` for other schemes.
fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///C:/x` on Windows, `file:///x` elsewhere; a host part is not supported.
    let rest = rest.strip_prefix('/').map_or(rest, |r| r);
    let mut bytes = Vec::with_capacity(rest.len() + 1);
    if !cfg!(windows) {
        bytes.push(b'/');
    }
    let raw = rest.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%'
            && let Some(byte) = raw
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            bytes.push(byte);
            i += 3;
            continue;
        }
        bytes.push(raw[i]);
        i += 1;
    }
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

/// A `file:` URI for `path`, with the characters URIs reserve percent-encoded.
fn path_to_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~:".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{path_to_uri, position, uri_to_path};

    #[test]
    fn uris_and_paths_round_trip() {
        let path = Path::new("/tmp/bank one/items/Q-1 é.toml");
        let uri = path_to_uri(path);
        assert_eq!(uri, "file:///tmp/bank%20one/items/Q-1%20%C3%A9.toml");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
        assert_eq!(uri_to_path("untitled:Untitled-1"), None);
    }

    #[test]
    fn positions_count_utf16_units() {
        let text = "a = 1\nb = \"😀x\"\n";
        let at = text.find('x').unwrap();
        assert_eq!(
            position(text, at),
            serde_json::json!({"line": 1, "character": 7})
        );
    }
}
