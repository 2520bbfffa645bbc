//! `qbank keygen`, `qbank export --sign` and `qbank verify`, and crash-safe export.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use insta_cmd::assert_cmd_snapshot;

use crate::{CliTest, filters, item};

/// The usual filters, and key ids (16 hex digits), which are random.
fn key_filters() -> Vec<(&'static str, &'static str)> {
    let mut filters = filters();
    filters.push((r"\b[0-9a-f]{16}\b", "[KEY_ID]"));
    filters
}

fn run(command: &mut Command) -> std::process::Output {
    command.output().unwrap()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The file mode creation mask that the binary inherits, as a shell reports it.
#[cfg(unix)]
fn umask() -> u32 {
    let output = std::process::Command::new("sh")
        .args(["-c", "umask"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    u32::from_str_radix(text.trim(), 8).unwrap()
}

#[test]
fn keygen_writes_a_private_secret_key_and_refuses_to_replace_it() {
    let test = CliTest::new();
    let missing = run(test.command().args(["keygen", "--out", "keys/release"]));
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8(missing.stderr).unwrap();
    assert!(
        stderr.starts_with("qbank failed\n  Cause: failed to access `keys`\n"),
        "{stderr}"
    );
    std::fs::create_dir(test.root().join("keys")).unwrap();
    insta::with_settings!({ filters => key_filters() }, {
        assert_cmd_snapshot!(test.command().args(["keygen", "--out", "keys/release"]));
    });
    let secret = test.root().join("keys/release.key");
    let public = test.root().join("keys/release.pub");
    let first = std::fs::read_to_string(&secret).unwrap();
    assert!(
        first.starts_with("qbank ed25519 secret key v1\n"),
        "{first}"
    );
    assert!(
        std::fs::read_to_string(&public)
            .unwrap()
            .starts_with("qbank ed25519 public key v1\n")
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&secret), 0o600);
        // Created through open(2), so the process's umask applies to the public key.
        assert_eq!(mode(&public), 0o644 & !umask());
    }
    insta::with_settings!({ filters => key_filters() }, {
        assert_cmd_snapshot!(test.command().args(["keygen", "--out", "keys/release"]), @r"
        success: false
        exit_code: 2
        ----- stdout -----

        ----- stderr -----
        qbank failed
          Cause: `keys/release.key` already exists; pass `--force` to replace it
        ");
    });
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), first);

    // Replacing a key file that someone made world-readable still leaves a private one.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let forced = run(test
        .command()
        .args(["keygen", "--out", "keys/release", "--force"]));
    assert!(forced.status.success(), "{forced:?}");
    assert_ne!(std::fs::read_to_string(&secret).unwrap(), first);
    #[cfg(unix)]
    assert_eq!(mode(&secret), 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(test.root().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
}

#[test]
fn a_signed_export_verifies_and_a_changed_one_fails() {
    let test = CliTest::new();
    run(test.command().args(["keygen", "--out", "release"]));
    run(test.command().args(["keygen", "--out", "other"]));
    insta::with_settings!({ filters => key_filters() }, {
        assert_cmd_snapshot!(test.command().args(["export", "-f", "gift", "-o", "pack.gift", "--sign", "release.key"]), @r"
        success: true
        exit_code: 0
        ----- stdout -----
        Exported 2 items to `pack.gift` (gift, profile `default`, public).
        Signed its manifest with key [KEY_ID].

        ----- stderr -----
        ");
        assert_cmd_snapshot!(test.command().args(["verify", "pack.gift", "--key", "release.pub"]), @r"
        success: true
        exit_code: 0
        ----- stdout -----
        `pack.gift` is intact: 1 file matches the manifest `pack.gift.manifest.json`; signature by key [KEY_ID] is valid.

        ----- stderr -----
        ");
        assert_cmd_snapshot!(test.command().args(["verify", "pack.gift", "--key", "other.pub"]), @r"
        success: false
        exit_code: 1
        ----- stdout -----

        ----- stderr -----
        error: `pack.gift` failed verification: bad signature on `pack.gift.manifest.json`: the manifest is signed by key `[KEY_ID]`, not by the given key `[KEY_ID]`
        ");
        assert_cmd_snapshot!(test.command().args(["verify", "pack.gift", "--key", "release.key"]), @r"
        success: false
        exit_code: 2
        ----- stdout -----

        ----- stderr -----
        qbank failed
          Cause: `release.key`, line 1: this is a secret key; give the public key (`NAME.pub`) that `qbank keygen` wrote
        ");
        assert_cmd_snapshot!(test.command().args(["export", "-f", "csv", "-o", "pack.csv", "--sign", "release.pub"]), @r"
        success: false
        exit_code: 2
        ----- stdout -----

        ----- stderr -----
        qbank failed
          Cause: `release.pub`, line 1: this is a public key; give the secret key (`NAME.key`) that `qbank keygen` wrote
        ");
    });

    let pack = test.root().join("pack.gift");
    let mut bytes = std::fs::read(&pack).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&pack, bytes).unwrap();
    let failed = run(test
        .command()
        .args(["verify", "pack.gift", "--key", "release.pub"]));
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8(failed.stderr).unwrap();
    assert!(
        stderr.starts_with("error: `pack.gift` failed verification: `pack.gift` does not match the manifest: its sha256 is "),
        "{stderr}"
    );

    // An archive pack carries its manifest inside.
    let zipped = run(test.command().args([
        "export",
        "-f",
        "qti3",
        "-o",
        "pack.zip",
        "--sign",
        "release.key",
    ]));
    assert!(zipped.status.success(), "{zipped:?}");
    assert!(!test.root().join("pack.zip.manifest.json").exists());
    let verified = run(test
        .command()
        .args(["verify", "pack.zip", "--key", "release.pub"]));
    assert_eq!(verified.status.code(), Some(0), "{verified:?}");
    let stdout = String::from_utf8(verified.stdout).unwrap();
    assert!(
        stdout.contains("files match the manifest `pack.zip!qbank-manifest.json`"),
        "{stdout}"
    );
}

/// A bank big enough that an export runs for a good part of a second, so that kills land in
/// every phase: loading, checking, writing and renaming. `rationale` is appended to every
/// item's rationale.
fn big_bank(items: usize, rationale: &str) -> CliTest {
    let test = CliTest::new();
    for n in 3..items {
        let id = format!("DEMO-{n}");
        let domain = if n % 2 == 0 { "1" } else { "2" };
        let text = item(&id, domain).replace(
            "Option D is out of proportion.",
            &format!("Option D is out of proportion.{rationale}"),
        );
        test.write(&format!("bank/items/d{domain}/{id}.toml"), &text);
    }
    test
}

fn temps(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".qbank-tmp"))
        .collect()
}

/// Runs the export, killing it with SIGKILL once `kill_at` says so (given the time since the
/// start and whether a temporary file exists), or letting it finish.
fn export_killed(test: &CliTest, args: &[&str], kill_at: &dyn Fn(Duration, bool) -> bool) -> bool {
    let mut child = test
        .command()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if kill_at(start.elapsed(), !temps(test.root()).is_empty()) {
            // `kill` sends SIGKILL: no destructor, no clean-up handler runs.
            let _ = child.kill();
            child.wait().unwrap();
            return true;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn a_killed_export_leaves_the_old_pack_or_the_new_one() {
    let test = big_bank(300, "");
    killed_exports(
        &test,
        &[("csv", "pack.csv", true), ("qti3", "pack.zip", false)],
    );
}

/// As above, for a JSON pack large enough (about 10 MB) to be written to its temporary file
/// while it is made, so that kills also land among those writes.
#[test]
fn a_killed_streamed_export_leaves_the_old_pack_or_the_new_one() {
    let long = " Each of the other options fails the risk assessment.".repeat(300);
    let test = big_bank(600, &long);
    killed_exports(&test, &[("json", "pack.json", true)]);
    let size = std::fs::metadata(test.root().join("pack.json"))
        .unwrap()
        .len();
    assert!(size > 8 << 20, "a pack of {size} bytes is not streamed");
}

/// Exports each `(format, out, has a sidecar manifest)` of the bank of `test`, killed at
/// several moments, and checks that the old pack or the new one is left each time.
fn killed_exports(test: &CliTest, cases: &[(&str, &str, bool)]) {
    run(test.command().args(["keygen", "--out", "k"]));
    for &(format, out, sidecar) in cases {
        let args = ["export", "-f", format, "-o", out, "--sign", "k.key"];
        let pack = test.root().join(out);
        let manifest = test.root().join(format!("{out}.manifest.json"));
        let read = |path: &Path| std::fs::read(path).ok();
        let verify = || {
            run(test.command().args(["verify", out, "--key", "k.pub"]))
                .status
                .success()
        };

        // The old pack, then the new one (the bank gains an item), timed.
        test.write(
            "bank/items/d1/DEMO-1.toml",
            &item("DEMO-1", "1").replace("status = \"approved\"", "status = \"draft\""),
        );
        assert!(run(test.command().args(args)).status.success());
        let (old, old_manifest) = (read(&pack), read(&manifest));
        test.write("bank/items/d1/DEMO-1.toml", &item("DEMO-1", "1"));
        let start = Instant::now();
        assert!(run(test.command().args(args)).status.success());
        let full = start.elapsed();
        let (new, new_manifest) = (read(&pack), read(&manifest));
        assert_ne!(old, new);
        assert!(verify());

        let mut kills = 0;
        // When a temporary file appears (the write phase), then after growing shares of a
        // whole run.
        let moments: Vec<Box<dyn Fn(Duration, bool) -> bool>> = vec![
            Box::new(|_, temp| temp),
            Box::new(move |t, _| t >= full / 4),
            Box::new(move |t, _| t >= full / 2),
            Box::new(move |t, _| t >= full * 3 / 4),
            Box::new(move |t, temp| temp || t >= full * 9 / 10),
        ];
        for kill_at in &moments {
            // Start from the old pack each time.
            std::fs::write(&pack, old.as_ref().unwrap()).unwrap();
            if let Some(old_manifest) = &old_manifest {
                std::fs::write(&manifest, old_manifest).unwrap();
            }
            kills += usize::from(export_killed(test, &args, kill_at.as_ref()));
            let now = read(&pack);
            assert!(
                now == old || now == new,
                "{format}: the pack is neither the old one nor the new one"
            );
            if !sidecar {
                assert!(verify(), "{format}: the pack at the target does not verify");
                continue;
            }
            let now_manifest = read(&manifest);
            assert!(now_manifest == old_manifest || now_manifest == new_manifest);
            // The one state a kill between the two renames leaves, documented: the new
            // manifest beside the old pack, which verify rejects.
            let window = now == old && now_manifest == new_manifest;
            assert_eq!(
                verify(),
                !window,
                "{format}: verify disagrees with the files"
            );
        }
        assert!(
            kills >= 3,
            "{format}: only {kills} of the exports were killed"
        );

        // The next export cleans up after the killed ones and lands the new pack.
        assert!(run(test.command().args(args)).status.success());
        assert_eq!(read(&pack), new);
        assert!(verify());
        assert_eq!(temps(test.root()), Vec::<String>::new());
    }
}
