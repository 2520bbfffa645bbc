#!/usr/bin/env bash
# The full test suite: formatting, lints, every test, docs, and qbank on its own sample bank.
# Needs the Rust toolchain, and on Linux GNU time for the memory bounds of the hostile-input
# tests, which it installs when it is missing (as root, with the system's package manager).
# Run it from anywhere in the repository.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export INSTA_UPDATE=no CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-auto}"

step() { printf '\n==> %s\n' "$*"; }

if [ "$(uname -s)" = Linux ] && [ ! -x /usr/bin/time ]; then
  step "installing GNU time (/usr/bin/time) for the memory bounds"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if command -v apt-get >/dev/null; then
    $sudo apt-get update -qq && $sudo apt-get install -y -qq time
  elif command -v dnf >/dev/null; then
    $sudo dnf install -y -q time
  elif command -v apk >/dev/null; then
    $sudo apk add --quiet time
  else
    echo "GNU time is missing and no known package manager was found: install it as /usr/bin/time" >&2
    exit 1
  fi
fi

step "cargo fmt --all --check"
cargo fmt --all --check

step "cargo clippy --workspace --all-targets --locked -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test --workspace --locked"
if cargo insta --version >/dev/null 2>&1; then
  # Also fails on snapshot files that no test uses any more.
  cargo insta test --workspace --unreferenced reject
else
  cargo test --workspace --locked
fi

step "cargo doc --no-deps --workspace"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked --quiet

step "qbank check on the sample bank"
# The debug binary the CLI tests just built: `cargo run` would build it again (without the
# dev-dependencies' features), and a release build would compile everything once more.
"${CARGO_TARGET_DIR:-target}/debug/qbank" check bank
