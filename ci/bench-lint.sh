#!/usr/bin/env bash
# Lint benchmark: qbank against taplo (npm @taplo/cli) and check-jsonschema (PyPI) on the same
# generated banks and the same item schema. Installs the two peers into ~/.cache/qbank-bench,
# generates banks with qbank-gen (seed 1, 1% invalid items) and prints a Markdown table.
#
#   bash ci/bench-lint.sh            # 1k, 10k and 100k items
#   SIZES="1000 10000" bash ci/bench-lint.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
sizes="${SIZES:-1000 10000 100000}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/qbank-bench"
work="${BENCH_DIR:-/tmp/qbank-bench}"
mkdir -p "$cache" "$work"

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
[ -x "$cache/node_modules/.bin/taplo" ] || npm install --prefix "$cache" --silent --no-audit --no-fund @taplo/cli@0.7
[ -x "$cache/venv/bin/check-jsonschema" ] || { python3 -m venv "$cache/venv"; "$cache/venv/bin/pip" install -q check-jsonschema; }
taplo="$cache/node_modules/.bin/taplo"
cjs="$cache/venv/bin/check-jsonschema"

cargo build --release --locked --quiet -p qbank -p qbank_bench
qbank="$root/target/release/qbank"
schema="$root/schemas/item.schema.json"

peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1; }
mean() { # command...: mean wall seconds over hyperfine runs (exit codes ignored)
  local runs="$1"; shift
  hyperfine --style none --warmup "$([ "$runs" -gt 1 ] && echo 1 || echo 0)" --runs "$runs" -i \
    --export-json "$work/h.json" "$*" >/dev/null 2>&1
  python3 -c "import json;r=json.load(open('$work/h.json'))['results'][0];print(f\"{r['mean']:.2f} s ± {r['stddev'] or 0:.2f}\")"
}

echo "| items | tool | wall (mean ± sd) | peak memory | findings |"
echo "|---:|---|---:|---:|---:|"
for n in $sizes; do
  bank="$work/bank-$n"
  [ -d "$bank/items" ] || "$root/target/release/qbank-gen" --items "$n" --out "$bank" --seed 1 >/dev/null 2>&1
  cd "$bank"
  found=$("$qbank" lint . -f json | python3 -c "import json,sys;print(json.load(sys.stdin)['summary']['errors'])" || true)
  echo "| $n | qbank lint | $(mean 5 "$qbank lint . -f concise") | $(( $(peak "$qbank" lint . -f concise) / 1024 )) MiB | $found errors |"
  # The schema and the structural rules alone (QB1xx, QB4xx, and the option and key counts
  # and duplicate options, QB301 to QB303): the other wording and option rules turned off in a
  # copy of the bank's configuration.
  # (A generated bank's qbank.toml has no [rules] table of its own to clash with this one.)
  if grep -q '^[[:space:]]*\[rules\]' qbank.toml; then
    echo "qbank.toml of $bank already has [rules]; the structural row needs a bank without" >&2
    exit 1
  fi
  { cat qbank.toml; printf '\n[rules]\nQB2 = "off"\nQB3 = "off"\n'
    printf 'QB301 = "error"\nQB302 = "error"\nQB303 = "error"\n'; } > qbank-structural.toml
  structural=("$qbank" lint . --config qbank-structural.toml)
  # qbank exits 1 on the seeded errors; an empty count means it could not read the configuration.
  found=$("${structural[@]}" -f json | python3 -c "import json,sys;print(json.load(sys.stdin)['summary']['errors'])" || true)
  [ -n "$found" ] || { echo "qbank lint --config qbank-structural.toml failed in $bank" >&2; exit 1; }
  echo "| $n | qbank lint, structural rules | $(mean 5 "'$qbank' lint . --config qbank-structural.toml -f concise") | $(( $(peak "${structural[@]}" -f concise) / 1024 )) MiB | $found errors |"
  if [ "$n" -le 10000 ]; then
    found=$("$taplo" lint --schema "file://$schema" 'items/**/*.toml' 2>&1 | grep -c '^ERROR taplo:lint_files' || true)
    runs=$([ "$n" -le 1000 ] && echo 3 || echo 1)
    echo "| $n | taplo lint | $(mean "$runs" "$taplo lint --schema file://$schema 'items/**/*.toml'") | $(( $(peak "$taplo" lint --schema "file://$schema" 'items/**/*.toml') / 1024 )) MiB | $found files |"
  fi
  cj="find items -name '*.toml' -print0 | xargs -0 $cjs --schemafile $schema"
  found=$(bash -c "$cj" 2>&1 | grep -c '\.toml::' || true)
  runs=$([ "$n" -le 10000 ] && echo 3 || echo 1)
  echo "| $n | check-jsonschema | $(mean "$runs" "$cj") | $(( $(peak bash -c "$cj") / 1024 )) MiB | $found errors |"
  cd "$root"
done
