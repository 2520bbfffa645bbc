#!/usr/bin/env bash
# Benchmarks exact near-duplicate detection (crates/qbank_dupes) on generated banks:
# all pairs at 10k and 100k stems (and 1M with BENCH_DUPES_1M=1), the pull-request case
# (200 changed items against 100k, and a single changed item), a rayon brute-force baseline
# at 10k, and Python rapidfuzz.process.cdist at 10k with the same normalization, metric and threshold.
#
# Usage: ci/bench-dupes.sh [OUT_DIR]   (default: target/bench-dupes)
# Environment: CARGO_TARGET_DIR as usual; BENCH_DUPES_1M=1 to also run 1M stems (slow);
# BENCH_DUPES_BRUTE_100K=1 to also run brute force at 100k (very slow).
set -euo pipefail

cd "$(dirname "$0")/.."
out="${1:-target/bench-dupes}"
mkdir -p "$out"
target="${CARGO_TARGET_DIR:-target}"
bench="$target/release/qbank-dupes-bench"

cargo build --release -p qbank_bench --bin qbank-dupes-bench
nproc_line="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "machine: $nproc_line" | tee "$out/summary.txt"

run() {
  echo "+ qbank-dupes-bench $*" | tee -a "$out/summary.txt"
  "$bench" "$@" 2>&1 | tee -a "$out/summary.txt"
}

run --items 10000 --dump-stems "$out/stems-10k.tsv" --dump-pairs "$out/pairs-10k.txt"
run --items 10000 --mode brute --dump-pairs "$out/pairs-10k-brute.txt"
if cmp -s "$out/pairs-10k.txt" "$out/pairs-10k-brute.txt"; then
  echo "10k: fast and brute-force pairs are identical" | tee -a "$out/summary.txt"
else
  echo "10k: fast and brute-force pairs DIFFER" | tee -a "$out/summary.txt"
  exit 1
fi
run --items 100000
run --items 100000 --mode query --queries 200
run --items 100000 --mode query --queries 1
if [[ "${BENCH_DUPES_BRUTE_100K:-0}" == 1 ]]; then
  run --items 100000 --mode brute
fi
if [[ "${BENCH_DUPES_1M:-0}" == 1 ]]; then
  run --items 1000000
fi

# Python rapidfuzz on the same normalized stems, within exams, cutoff 0.85.
venv="$HOME/.cache/qbank-bench/venv"
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c "import rapidfuzz, numpy" 2>/dev/null || "$venv/bin/pip" install --quiet rapidfuzz numpy
"$venv/bin/python" - "$out/stems-10k.tsv" "$out/pairs-10k.txt" <<'PY' 2>&1 | tee -a "$out/summary.txt"
import sys, time, resource
import rapidfuzz
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

stems_path, ours_path = sys.argv[1], sys.argv[2]
groups = {}
with open(stems_path, encoding="utf-8") as f:
    for i, line in enumerate(f):
        group, stem = line.rstrip("\n").split("\t", 1)
        groups.setdefault(group, []).append((i, stem))
start = time.perf_counter()
found = set()
for members in groups.values():
    ids = [i for i, _ in members]
    texts = [s for _, s in members]
    m = process.cdist(texts, texts, scorer=Levenshtein.normalized_similarity,
                      score_cutoff=0.85, workers=-1)
    for x, y in zip(*m.nonzero()):
        if x < y:
            found.add((ids[x], ids[y]))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
ours = set()
with open(ours_path) as f:
    for line in f:
        a, b, _ = line.split()
        ours.add((int(a), int(b)))
print(f"rapidfuzz {rapidfuzz.__version__} cdist 10k: wall={seconds:.3f}s peak={peak:.0f}MiB "
      f"pairs={len(found)}; qbank_dupes pairs={len(ours)}; only rapidfuzz={len(found - ours)}, "
      f"only qbank_dupes={len(ours - found)}")
for a, b in sorted(ours - found):
    print(f"  only qbank_dupes: {a} {b} (rapidfuzz's float cutoff drops it)")
PY
