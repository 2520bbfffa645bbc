#!/usr/bin/env bash
# Runs qbank's fuzz targets (fuzz/fuzz_targets/) with cargo-fuzz, each for FUZZ_SECONDS
# (default 60), starting from the full corpus of the latest long run (fuzz/corpora.tar.xz,
# unpacked once into fuzz/work/<target>/), the committed sample in fuzz/corpus/<target>/ and the
# crash reproducers in fuzz/regressions/<target>/. New interesting inputs are added to
# fuzz/work/<target>/; a crash stops the run and leaves its input in fuzz/artifacts/<target>/.
#
# Usage: bash ci/fuzz.sh [TARGET...]          (default: every target)
#   FUZZ_SECONDS=600 bash ci/fuzz.sh item_lint
#   FUZZ_CMIN=1 bash ci/fuzz.sh               also minimise each work corpus afterwards
#   FUZZ_PACK=1 bash ci/fuzz.sh               then write the work corpora to fuzz/corpora.tar.xz
#
# cargo-fuzz passes nightly-only flags to rustc (sanitizer coverage). The pinned stable
# toolchain accepts them with RUSTC_BOOTSTRAP=1, which this script sets; no nightly toolchain is
# needed. The targets are built without a sanitizer by default (the code is safe Rust, and
# AddressSanitizer halves the speed); FUZZ_SANITIZER=address turns it on.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${FUZZ_SECONDS:-60}"
sanitizer="${FUZZ_SANITIZER:-none}"
export RUSTC_BOOTSTRAP=1
# One thread for the parallel stages inside a target: a fuzzer process is single-threaded work.
export RAYON_NUM_THREADS="${RAYON_NUM_THREADS:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/fuzz/target}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi

cd fuzz
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

# The full corpora: a fresh checkout resumes from the coverage the latest long run reached,
# not from the small samples that `cargo test` replays.
if [ ! -d work ] && [ -f corpora.tar.xz ]; then
  mkdir -p work
  tar -xJf corpora.tar.xz -C work
fi

cargo fuzz build --sanitizer "$sanitizer"
for target in "${targets[@]}"; do
  printf '\n==> %s for %ss\n' "$target" "$seconds"
  mkdir -p "work/$target" "corpus/$target"
  dirs=("work/$target" "corpus/$target")
  if [ -d "regressions/$target" ]; then
    dirs+=("regressions/$target")
  fi
  # The words and syntax the target's input is made of, where the target has a dictionary.
  extra=()
  if [ -f "dicts/$target.dict" ]; then
    extra+=("-dict=dicts/$target.dict")
  fi
  # A hang is an input slower than 10 s, an out-of-memory one above 2 GiB.
  cargo fuzz run --sanitizer "$sanitizer" "$target" "${dirs[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 ${extra[@]+"${extra[@]}"}
  if [ "${FUZZ_CMIN:-0}" = 1 ]; then
    cargo fuzz cmin --sanitizer "$sanitizer" "$target" "work/$target"
  fi
done

if [ "${FUZZ_PACK:-0}" = 1 ]; then
  # Sorted, with fixed times and owners, so that the same corpora give the same archive.
  (cd work && find . -type f | LC_ALL=C sort) > work.list
  tar --create --no-recursion --mtime=@0 --owner=0 --group=0 --numeric-owner \
    -C work -T work.list | xz -9 > corpora.tar.xz
  rm work.list
fi
