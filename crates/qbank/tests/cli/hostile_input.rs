//! The hostile-input corpus of `tests/hostile-input/`, run through the real binary.
//!
//! Every file of `tests/hostile-input/items/` is one malformed item, listed with what it tries
//! in `tests/hostile-input/README.md`. Each is checked alone in a small valid bank, and its
//! findings in the `concise` and `text` formats are an insta snapshot. The inputs too large or
//! too odd to keep as files (a 10 MB item, a 100,000-line stem, banks without items or
//! blueprint, an empty `qbank.toml`, symbolic-link loops) are written by the tests below.
//!
//! For every case: the binary exits with 0 or 1 (never 101, a panic, or a signal), writes
//! nothing to standard error, and every finding names the file with a line and a column.
//!
//! Peak memory is the resident set's high-water mark of the `qbank` process, read from
//! `/usr/bin/time -f %M` (GNU time, which takes it from `wait4`), and asserted below. Measured
//! on the debug build, Linux x86-64 (`/usr/bin/time -f "%M KiB %e s" qbank check -f concise
//! FILE`): 26 MiB for the 10 MB item over the size limit (never read whole), 47 MiB for the same
//! item read whole with `max_file_size` raised (the schema refuses a stem over 20,000
//! characters, so no rule runs on it), 38 MiB for the 100,000-line stem; the `text` format of
//! the 10 MB item peaks at 250 MiB and 9 s, all of it in drawing the 10 MB source line, which
//! it shows cut to its ends. The bounds allow a margin of about four times over these. Where
//! GNU time is missing the memory assertions are skipped, and say so on standard error.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{CliTest, item};

/// The corpus folder.
fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile-input")
}

/// What one run of the binary gave.
struct Run {
    code: i32,
    stdout: String,
}

/// Runs `command`, failing the test on a panic, a signal, or an exit code other than 0 or 1.
fn run(mut command: Command) -> Run {
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let Some(code) = output.status.code() else {
        panic!(
            "qbank was killed by a signal ({:?}):\n{stderr}",
            output.status
        );
    };
    assert!(code == 0 || code == 1, "exit code {code}:\n{stderr}");
    assert!(stderr.is_empty(), "standard error is not empty:\n{stderr}");
    Run {
        code,
        stdout: String::from_utf8(output.stdout).unwrap(),
    }
}

/// The demo bank with a blueprint that takes any mix of domains, so that a hostile item that
/// loads (and joins its domain) is reported on alone, not with the exam's fit (QB418).
fn bank() -> CliTest {
    let test = CliTest::new();
    test.write(
        "bank/blueprints/demo-2026.toml",
        &crate::BLUEPRINT.replace("tolerance = 0.05", "tolerance = 1"),
    );
    test
}

/// Asserts that every finding of a `concise` report is on `file` at a line and column.
fn assert_findings_name(report: &str, file: &str) {
    let mut lines: Vec<&str> = report.lines().collect();
    let summary = lines.pop().unwrap_or_default();
    assert!(
        summary.starts_with("Found ") || summary.starts_with("All checks passed"),
        "{report}"
    );
    for line in lines {
        let place = line
            .strip_prefix(file)
            .and_then(|rest| rest.strip_prefix(':'))
            .and_then(|rest| rest.split_once(": "))
            .map(|(place, _)| place);
        let ok = place.is_some_and(|p| {
            let parts: Vec<&str> = p.split(':').collect();
            parts.len() == 2 && parts.iter().all(|n| n.parse::<u32>().is_ok_and(|n| n > 0))
        });
        assert!(ok, "a finding without `{file}:LINE:COL`: {line}\n{report}");
    }
}

/// The descriptions of the README's table, by case name.
fn descriptions() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(corpus().join("README.md")).unwrap();
    readme
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((name.to_owned(), (*cells.get(2)?).to_owned()))
        })
        .collect()
}

/// The `concise` and `text` reports of `file` in `test`'s bank, as one snapshot text.
fn reports(test: &CliTest, file: &str) -> (Run, String) {
    let mut concise = test.command();
    concise.args(["check", "-f", "concise", file]);
    let concise = run(concise);
    assert_findings_name(&concise.stdout, file);
    let mut text = test.command();
    text.args(["check", "--color", "never", file]);
    let text = run(text);
    assert_eq!(text.code, concise.code);
    let snapshot = format!(
        "exit code: {}\n----- concise -----\n{}----- text -----\n{}",
        concise.code, concise.stdout, text.stdout
    );
    (concise, snapshot)
}

/// Every file of the corpus, checked alone beside two valid items: at least one finding, all of
/// them on that file, and the reports as the snapshot says.
#[test]
fn corpus_items() {
    let described = descriptions();
    let mut names: Vec<String> = std::fs::read_dir(corpus().join("items"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 60, "{names:?}");
    for name in &names {
        let stem = name.strip_suffix(".toml").unwrap();
        let description = described.iter().find(|(n, _)| n == stem).map_or_else(
            || panic!("`{stem}` is not described in the corpus README"),
            |(_, d)| d.clone(),
        );
        let test = bank();
        let file = format!("bank/items/h/{name}");
        let bytes = std::fs::read(corpus().join("items").join(name)).unwrap();
        std::fs::create_dir_all(test.root().join("bank/items/h")).unwrap();
        std::fs::write(test.root().join(&file), bytes).unwrap();
        let (run, snapshot) = reports(&test, &file);
        assert!(run.stdout.starts_with(&file), "no finding:\n{}", run.stdout);
        insta::with_settings!({ snapshot_suffix => stem, description => description }, {
            insta::assert_snapshot!("corpus", snapshot);
        });
    }
    // Every described case has its file.
    for (name, _) in &described {
        assert!(
            names.contains(&format!("{name}.toml")),
            "the README describes `{name}`, which has no file"
        );
    }
}

/// Peak resident memory of `qbank ARGS` in KiB, through GNU time, with the exit code. The
/// memory bounds are checked on Linux, where `ci/test.sh` installs GNU time when it is missing,
/// and fail there without it; on other systems they are not measured (`None`).
fn peak_rss_kib(test: &CliTest, args: &[&str]) -> Option<(u64, i32)> {
    let time = Path::new("/usr/bin/time");
    if !cfg!(target_os = "linux") {
        #[expect(clippy::print_stderr, reason = "a skipped assertion is said")]
        {
            eprintln!("not Linux: peak memory not measured");
        }
        return None;
    }
    assert!(
        time.is_file(),
        "the memory bounds need GNU time at /usr/bin/time (`apt-get install time`, or run \
         `bash ci/test.sh`, which installs it)"
    );
    let report = test.root().join("rss.txt");
    let output = Command::new(time)
        .arg("-f")
        .arg("%M %x")
        .arg("-o")
        .arg(&report)
        .arg(insta_cmd::get_cargo_bin("qbank"))
        .args(args)
        .current_dir(test.root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&report).unwrap();
    let last = text.lines().last().unwrap_or_default();
    let (rss, code) = last.split_once(' ').unwrap();
    assert!(
        !text.contains("signal"),
        "{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some((rss.parse().unwrap(), code.parse().unwrap()))
}

/// `item` with its `stem = ...` line replaced by `stem`.
fn with_stem(item: &str, stem: &str) -> String {
    item.lines()
        .map(|l| if l.starts_with("stem = ") { stem } else { l })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// A 10 MB item file: over the default `max_file_size` it is one finding and is never read
/// whole; with the limit raised it is parsed and validated, and its stem, longer than the
/// schema allows, is the one error (the item rules need a valid item, so they do not run).
/// Memory stays bounded either way.
#[test]
fn ten_megabyte_files() {
    let test = bank();
    let big_stem = format!(
        "A clerk wrote: {} What should the manager do FIRST?",
        "lorem ipsum dolor sit amet ".repeat(10 * 1024 * 1024 / 27)
    );
    let huge = with_stem(&item("BIG-3", "1"), &format!("stem = \"{big_stem}\""));
    assert!(huge.len() > 10 * 1024 * 1024);
    test.write("bank/items/h/BIG-3.toml", &huge);
    let file = "bank/items/h/BIG-3.toml";

    let mut concise = test.command();
    concise.args(["check", "-f", "concise", file]);
    let over = run(concise);
    assert_findings_name(&over.stdout, file);
    insta::assert_snapshot!("ten_megabytes_over_the_limit", over.stdout);
    if let Some((kib, code)) = peak_rss_kib(&test, &["check", "-f", "concise", file]) {
        assert_eq!(code, 1);
        assert!(
            kib < 128 * 1024,
            "peak RSS {kib} KiB for a refused 10 MB file"
        );
    }

    test.write("bank/qbank.toml", "max_file_size = 16777216\n");
    let mut concise = test.command();
    concise.args(["check", "-f", "concise", file]);
    let read = run(concise);
    assert_findings_name(&read.stdout, file);
    insta::assert_snapshot!("ten_megabytes_read_whole", read.stdout);
    if let Some((kib, code)) = peak_rss_kib(&test, &["check", "-f", "concise", file]) {
        assert_eq!(code, read.code);
        assert!(
            kib < 192 * 1024,
            "peak RSS {kib} KiB for a 10 MB item read whole"
        );
    }
    let mut text = test.command();
    text.args(["check", "--color", "never", file]);
    let text = run(text);
    insta::assert_snapshot!("ten_megabytes_read_whole_text", text.stdout);
    if let Some((kib, _)) = peak_rss_kib(&test, &["check", "--color", "never", file]) {
        assert!(
            kib < 1024 * 1024,
            "peak RSS {kib} KiB for the text report of a 10 MB item"
        );
    }
}

/// A stem of 100,000 lines in a multi-line string: parsed and validated in bounded memory, with
/// the line numbers of later findings right, and reported as longer than the schema allows.
/// Then a stem of 3,000 lines, inside that limit, which the item rules check like any other.
#[test]
fn hundred_thousand_line_stem() {
    let test = bank();
    let mut stem = String::from("stem = \"\"\"\nA clerk kept this log:\n");
    for n in 0..100_000 {
        writeln!(stem, "line {n}: access granted").unwrap();
    }
    stem.push_str("What should the manager do FIRST?\"\"\"");
    let long = with_stem(&item("LONG-3", "1"), &stem);
    assert!(long.lines().count() > 100_000);
    // The last line holds an error, so its line number shows the count is right.
    let long = format!("{long}tags = 5\n");
    // Over the default `max_file_size` (1 MiB): raised, so the file is parsed.
    test.write("bank/qbank.toml", "max_file_size = 4194304\n");
    test.write("bank/items/h/LONG-3.toml", &long);
    let file = "bank/items/h/LONG-3.toml";
    let mut concise = test.command();
    concise.args(["check", "-f", "concise", file]);
    let result = run(concise);
    assert_findings_name(&result.stdout, file);
    insta::assert_snapshot!("hundred_thousand_lines", result.stdout);
    if let Some((kib, code)) = peak_rss_kib(&test, &["check", "-f", "concise", file]) {
        assert_eq!(code, result.code);
        assert!(kib < 160 * 1024, "peak RSS {kib} KiB for a 100k-line stem");
    }

    let mut stem = String::from("stem = \"\"\"\nA clerk kept this log:\n");
    for n in 0..3_000 {
        writeln!(stem, "{n}").unwrap();
    }
    // A valid item: the rules run, and the negative on the last line shows where they look.
    stem.push_str("Which step should the manager not take?\"\"\"");
    let long = with_stem(&item("LONG-4", "1"), &stem);
    test.write("bank/items/h/LONG-4.toml", &long);
    let file = "bank/items/h/LONG-4.toml";
    let mut concise = test.command();
    concise.args(["check", "-f", "concise", file]);
    let result = run(concise);
    assert_findings_name(&result.stdout, file);
    insta::assert_snapshot!("three_thousand_lines", result.stdout);
}

/// Runs `check -f concise` on the whole bank, and returns the report with the exit code.
fn check_bank(test: &CliTest) -> String {
    let mut command = test.command();
    command.args(["check", "-f", "concise"]);
    let result = run(command);
    format!("exit code: {}\n{}", result.code, result.stdout)
}

#[test]
fn bank_without_items() {
    let test = bank();
    std::fs::remove_dir_all(test.root().join("bank/items")).unwrap();
    insta::assert_snapshot!("no_items_folder", check_bank(&test));
    std::fs::create_dir_all(test.root().join("bank/items/empty")).unwrap();
    insta::assert_snapshot!("empty_items_folder", check_bank(&test));
}

#[test]
fn bank_without_blueprint() {
    let test = bank();
    std::fs::remove_dir_all(test.root().join("bank/blueprints")).unwrap();
    insta::assert_snapshot!("no_blueprint", check_bank(&test));
}

#[test]
fn empty_configuration() {
    let test = bank();
    test.write("bank/qbank.toml", "");
    insta::assert_snapshot!("empty_qbank_toml", check_bank(&test));
}

/// Linux only: the snapshot holds the system's own error texts (`os error 40` is `ELOOP` there,
/// 62 on macOS and the BSDs).
#[cfg(target_os = "linux")]
#[test]
fn symbolic_link_loops() {
    use std::os::unix::fs::symlink;
    let test = bank();
    let items = test.root().join("bank/items");
    // A folder linking back to an ancestor, a file linking to itself, two files linking to
    // each other, and a link to nothing.
    symlink(&items, items.join("d1/loop")).unwrap();
    symlink(items.join("d2/SELF.toml"), items.join("d2/SELF.toml")).unwrap();
    symlink(items.join("d2/PING.toml"), items.join("d2/PONG.toml")).unwrap();
    symlink(items.join("d2/PONG.toml"), items.join("d2/PING.toml")).unwrap();
    symlink(items.join("d2/GONE.toml"), items.join("d2/DANGLING.toml")).unwrap();
    let report = check_bank(&test);
    for line in report.lines().skip(1) {
        if !line.starts_with("Found ") {
            assert!(line.starts_with("bank/items/"), "{report}");
        }
    }
    insta::with_settings!({ filters => vec![(r"/\S*/bank/items", "[TMP]/bank/items")] }, {
        insta::assert_snapshot!("symbolic_link_loops", report);
    });
}
