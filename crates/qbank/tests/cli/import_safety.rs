//! `qbank import` on hostile files: XML with a document type declaration, external entities
//! or entity bombs, files over the size limit, and malformed files of every format. Each is
//! refused with an error that names the file (and the line, where there is one), exit code 2,
//! no panic, and no item written.

use std::fmt::Write as _;
use std::process::Output;

use crate::CliTest;

/// Runs `qbank import FILE --from FORMAT [EXTRA...]` and returns its output.
fn import(test: &CliTest, file: &str, format: &str, extra: &[&str]) -> Output {
    test.command()
        .args(["import", file, "--from", format])
        .args(extra)
        .output()
        .unwrap()
}

/// Asserts that an import succeeded, showing its standard error if not.
fn assert_imported(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Asserts a refusal: exit code 2, no panic, the file named, `expected` in the message, and
/// no item written. Returns standard error.
fn assert_refused(test: &CliTest, output: &Output, file: &str, expected: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(file), "the file is not named: {stderr}");
    assert!(stderr.contains(expected), "`{expected}` not in: {stderr}");
    assert!(
        !test.root().join("bank/items/imported").exists(),
        "items were written"
    );
    stderr
}

const QUESTION: &str = r#"<question type="multichoice">
    <questiontext format="html"><text>Which control is preventive?</text></questiontext>
    <answer fraction="100"><text>A firewall rule</text></answer>
    <answer fraction="0"><text>An audit log</text></answer>
  </question>"#;

#[test]
fn moodle_xml_with_a_document_type_is_refused() {
    let test = CliTest::new();
    let cases = [
        (
            "xxe-file.xml",
            format!(
                "<?xml version=\"1.0\"?>\n<!DOCTYPE quiz [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<quiz>{}</quiz>\n",
                QUESTION.replace("A firewall rule", "&xxe;")
            ),
        ),
        (
            "xxe-url.xml",
            format!(
                "<?xml version=\"1.0\"?>\n<!DOCTYPE quiz SYSTEM \"http://127.0.0.1:9/quiz.dtd\">\n<quiz>{QUESTION}</quiz>\n"
            ),
        ),
        (
            "parameter-entity.xml",
            format!(
                "<!DOCTYPE quiz [<!ENTITY % remote SYSTEM \"file:///etc/hostname\"> %remote;]>\n<quiz>{QUESTION}</quiz>\n"
            ),
        ),
        ("billion-laughs.xml", billion_laughs()),
        (
            "quadratic-blowup.xml",
            format!(
                "<!DOCTYPE quiz [<!ENTITY a \"{}\">]>\n<quiz>{}</quiz>\n",
                "x".repeat(50_000),
                QUESTION.replace("A firewall rule", &"&a;".repeat(50_000))
            ),
        ),
    ];
    for (name, text) in cases {
        test.write(name, &text);
        let output = import(&test, name, "moodle", &[]);
        let stderr = assert_refused(&test, &output, name, "document type declaration");
        // The line of the declaration.
        let line = if name.starts_with("xxe") { 2 } else { 1 };
        assert!(stderr.contains(&format!("{name}:{line}:")), "{stderr}");
    }
}

/// Ten levels of ten references each: 10^9 copies of "lol" once expanded.
fn billion_laughs() -> String {
    let mut dtd = String::from("<!ENTITY lol0 \"lol\">\n");
    for level in 1..10 {
        let refs = format!("&lol{};", level - 1).repeat(10);
        writeln!(dtd, "<!ENTITY lol{level} \"{refs}\">").unwrap();
    }
    format!(
        "<!DOCTYPE quiz [\n{dtd}]>\n<quiz>{}</quiz>\n",
        QUESTION.replace("A firewall rule", "&lol9;")
    )
}

#[test]
fn moodle_xml_entities_other_than_the_predefined_ones_are_refused() {
    let test = CliTest::new();
    test.write(
        "undeclared.xml",
        &format!(
            "<quiz>\n{}</quiz>\n",
            QUESTION.replace("A firewall rule", "A &firewall; rule")
        ),
    );
    let output = import(&test, "undeclared.xml", "moodle", &[]);
    assert_refused(
        &test,
        &output,
        "undeclared.xml:4:",
        "unknown entity `&firewall;`",
    );

    // The five predefined entities and character references are read.
    test.write(
        "predefined.xml",
        &format!(
            "<quiz>\n{}</quiz>\n",
            QUESTION.replace(
                "A firewall rule",
                "A &lt;firewall&gt; &amp; &#x263A; &#9731; rule"
            )
        ),
    );
    let output = import(
        &test,
        "predefined.xml",
        "moodle",
        &["--exam", "demo", "--domain", "1"],
    );
    assert_imported(&output);
    let item =
        std::fs::read_to_string(test.root().join("bank/items/imported/IMP-0001.toml")).unwrap();
    assert!(
        item.contains("A <firewall> & \u{263a} \u{2603} rule"),
        "{item}"
    );
}

#[test]
fn oversize_files_are_refused_before_they_are_read() {
    let test = CliTest::new();
    let big = format!("<quiz>{}</quiz>\n", QUESTION.repeat(400));
    test.write("big.xml", &big);
    let limit = (big.len() - 1).to_string();
    let output = import(&test, "big.xml", "moodle", &["--max-size", &limit]);
    let stderr = assert_refused(&test, &output, "big.xml", "over the import limit");
    assert!(
        stderr.contains(&format!(
            "is {} bytes, over the import limit of {limit} bytes",
            big.len()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("--max-size"), "{stderr}");
    // At the limit it is read.
    let exact = big.len().to_string();
    let output = import(
        &test,
        "big.xml",
        "moodle",
        &["--max-size", &exact, "--exam", "demo", "--domain", "1"],
    );
    assert_imported(&output);
}

/// A file that never ends is cut at the limit, not read until memory runs out.
#[cfg(unix)]
#[test]
fn endless_input_is_cut_at_the_limit() {
    let test = CliTest::new();
    for format in ["gift", "moodle", "csv", "json"] {
        let output = import(&test, "/dev/zero", format, &["--max-size", "1048576"]);
        assert_refused(
            &test,
            &output,
            "/dev/zero",
            "over the import limit of 1048576 bytes",
        );
    }
}

/// The default limit is 64 MiB: a sparse file of 65 MiB is refused by its size alone.
#[test]
fn the_default_limit_is_64_mib() {
    let test = CliTest::new();
    let path = test.root().join("sparse.gift");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(65 * 1024 * 1024).unwrap();
    let output = import(&test, "sparse.gift", "gift", &[]);
    assert_refused(
        &test,
        &output,
        "sparse.gift",
        "is 68157440 bytes, over the import limit of 67108864 bytes",
    );
}

#[test]
#[expect(clippy::too_many_lines, reason = "a table of cases")]
fn malformed_files_are_errors_that_name_file_and_line() {
    let test = CliTest::new();
    let deep = format!(
        "<quiz>{}{}</quiz>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        (
            "truncated.xml",
            "moodle",
            format!("<quiz>\n{}", &QUESTION[..60]).into_bytes(),
            "truncated.xml:3: syntax error: attribute value not closed",
        ),
        (
            "mismatched.xml",
            "moodle",
            b"<quiz>\n<question></answer>\n</quiz>\n".to_vec(),
            "mismatched.xml:2:",
        ),
        ("deep.xml", "moodle", deep.into_bytes(), "nested more than"),
        (
            "not-quiz.xml",
            "moodle",
            b"<html><body/></html>".to_vec(),
            "expected `<quiz>`",
        ),
        ("empty.xml", "moodle", Vec::new(), "holds no XML element"),
        (
            "latin1.xml",
            "moodle",
            b"<quiz>\n<!-- caf\xe9 -->\n</quiz>".to_vec(),
            "latin1.xml:2: the file is not UTF-8: byte 0xE9",
        ),
        (
            "bad-attr.xml",
            "moodle",
            b"<quiz><question type=\"multichoice\" x=\"&bogus;\"></question></quiz>".to_vec(),
            "bad-attr.xml:1:",
        ),
        (
            "essay.xml",
            "moodle",
            b"<quiz><question type=\"essay\"></question></quiz>".to_vec(),
            "only `multichoice`",
        ),
        (
            "unclosed.gift",
            "gift",
            b"::Q1:: Which? {\n=Yes\n~No\n".to_vec(),
            "unclosed.gift:1:",
        ),
        (
            "truefalse.gift",
            "gift",
            b"Is it? {TRUE}\n".to_vec(),
            "truefalse.gift:1:",
        ),
        (
            "title.gift",
            "gift",
            b"::Q1 Which? {=a ~b}\n".to_vec(),
            "is not closed",
        ),
        (
            "weight.gift",
            "gift",
            b"Which? {~%abc%a ~b}\n".to_vec(),
            "is not a number",
        ),
        (
            "quote.csv",
            "csv",
            b"stem,option_a,option_b\n\"open,a,b\n".to_vec(),
            "a quoted field is not closed",
        ),
        (
            "stray.csv",
            "csv",
            b"stem,option_a,option_b\n\"a\"x,b,c\n".to_vec(),
            "after a closing quote",
        ),
        (
            "nostem.csv",
            "csv",
            b"question,option_a,option_b\nq,a,b\n".to_vec(),
            "no `stem` column",
        ),
        (
            "bad.json",
            "json",
            b"{\"format\": \"qbank-pack\", \"items\": [".to_vec(),
            "bad.json: EOF while parsing a list at line 1 column 35",
        ),
        (
            "deep.json",
            "json",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
            "deep.json: recursion limit exceeded at line 1 column 128",
        ),
        (
            "wrong.json",
            "json",
            b"{\"items\": 5}".to_vec(),
            "wrong.json: not a qbank pack: it has no `format` (\"qbank-pack\")",
        ),
    ];
    for (name, format, bytes, expected) in cases {
        std::fs::write(test.root().join(name), &bytes).unwrap();
        let output = import(&test, name, format, &[]);
        assert_refused(&test, &output, name, expected);
    }
}

/// Text that makes a careless decoder quadratic: 4 MB of `&` with no `;` in HTML fields.
#[test]
fn pathological_html_is_read_in_linear_time() {
    let test = CliTest::new();
    let ampersands = "&".repeat(4 * 1024 * 1024);
    test.write(
        "amp.gift",
        &format!("::Q1::[html]{ampersands} {{=[html]yes ~[html]no}}\n"),
    );
    let start = std::time::Instant::now();
    let output = import(
        &test,
        "amp.gift",
        "gift",
        &["--exam", "demo", "--domain", "1"],
    );
    assert_imported(&output);
    // Linear work is well under a second even in a debug build; quadratic work is hours.
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
}

/// A question that names no exam or domain needs `--exam` and `--domain`, and those must be
/// an exam with a blueprint and one of its domains: otherwise nothing is written, rather than
/// items that fail `qbank check`.
#[test]
fn items_without_an_exam_or_domain_need_valid_flags() {
    let test = CliTest::new();
    test.write(
        "q.gift",
        "::Q1:: Which control is preventive? {=A firewall rule ~An audit log}\n",
    );
    let output = import(&test, "q.gift", "gift", &[]);
    assert_refused(&test, &output, "q.gift", "name no exam; pass `--exam EXAM`");
    let output = import(&test, "q.gift", "gift", &["--exam", "demo"]);
    assert_refused(
        &test,
        &output,
        "q.gift",
        "name no domain; pass `--domain ID`",
    );
    let output = import(
        &test,
        "q.gift",
        "gift",
        &["--exam", "demo", "--domain", "9"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("blueprint `demo-2026` has no domain `9`; its domains are `1`, `2`"),
        "{stderr}"
    );
    let output = import(
        &test,
        "q.gift",
        "gift",
        &["--exam", "nope", "--domain", "1"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        stderr.contains("no blueprint is for exam `nope`"),
        "{stderr}"
    );
    assert!(!test.root().join("bank/items/imported").exists());

    let output = import(
        &test,
        "q.gift",
        "gift",
        &["--exam", "demo", "--domain", "1"],
    );
    assert_imported(&output);
    let check = test
        .command()
        .args(["check", "-f", "concise"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(check.stdout).unwrap();
    assert!(
        !stdout.contains("QB101") && !stdout.contains("QB102"),
        "{stdout}"
    );
}
