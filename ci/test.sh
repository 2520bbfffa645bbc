#!/usr/bin/env bash
# The full test suite: formatting, lints, every test, docs, and qbank on its own sample bank.
# Needs only the Rust toolchain; run it from anywhere in the repository.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export INSTA_UPDATE=no CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-auto}"

step() { printf '\n==> %s\n' "$*"; }

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
