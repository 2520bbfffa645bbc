//! Drives `qbank lsp` with real Language Server Protocol messages over its standard streams.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, ChildStdout, Stdio};

use serde_json::{Value, json};

use crate::{CliTest, item};

fn send(stdin: &mut ChildStdin, message: &Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
}

fn receive(stdout: &mut BufReader<ChildStdout>) -> Value {
    let mut length = 0;
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "server closed its output"
        );
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    stdout.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// The next `publishDiagnostics` for `uri`, skipping other messages.
fn diagnostics_for(stdout: &mut BufReader<ChildStdout>, uri: &str) -> Vec<Value> {
    loop {
        let message = receive(stdout);
        if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
        {
            return message["params"]["diagnostics"].as_array().unwrap().clone();
        }
    }
}

#[test]
fn lsp_publishes_findings_as_a_document_is_edited() {
    let test = CliTest::new();
    let path = test
        .root()
        .join("bank/items/d1/DEMO-1.toml")
        .canonicalize()
        .unwrap();
    let uri = format!("file://{}", path.display());
    let mut child = test
        .command()
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());

    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    let initialized = receive(&mut stdout);
    assert_eq!(initialized["id"], 1);
    assert_eq!(
        initialized["result"]["capabilities"]["textDocumentSync"]["change"],
        1
    );
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );

    // Opened as it is on disk: clean.
    let original = item("DEMO-1", "1");
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": original}}}),
    );
    assert_eq!(diagnostics_for(&mut stdout, &uri), Vec::<Value>::new());

    // An unsaved edit with a typo in `status`: one finding at the value, 0-based.
    let broken = original.replace("status = \"approved\"", "status = \"aproved\"");
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"text": broken}]}}),
    );
    let found = diagnostics_for(&mut stdout, &uri);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["code"], "QB101");
    assert_eq!(found[0]["severity"], 1);
    assert_eq!(found[0]["source"], "qbank");
    let line = broken
        .lines()
        .position(|l| l.starts_with("status"))
        .unwrap();
    assert_eq!(
        found[0]["range"],
        json!({"start": {"line": line, "character": 9}, "end": {"line": line, "character": 18}})
    );
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `approved`?")
    );

    // Fixed again: the finding clears.
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": 3},
        "contentChanges": [{"text": original}]}}),
    );
    assert_eq!(diagnostics_for(&mut stdout, &uri), Vec::<Value>::new());

    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    let response = receive(&mut stdout);
    assert_eq!(response["id"], 2);
    send(&mut stdin, &json!({"jsonrpc": "2.0", "method": "exit"}));
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
