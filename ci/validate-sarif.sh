#!/usr/bin/env bash
# Validates qbank's SARIF output, for a clean bank and for one with findings, against the OASIS
# SARIF 2.1.0 schema with Python's `jsonschema` (an independent implementation), installed into a
# virtual environment under ~/.cache/qbank-ci on first use.
set -euo pipefail
schema="${1:?usage: ci/validate-sarif.sh SARIF_SCHEMA.json}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv="${XDG_CACHE_HOME:-$HOME/.cache}/qbank-ci/venv"
if ! "$venv/bin/python" -c "import jsonschema" >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "jsonschema==4.*"
fi
# QBANK_BIN: a qbank binary already built (CI passes the one the tests built).
qbank="${QBANK_BIN:-}"
if [ -z "$qbank" ]; then
  cargo build --quiet --locked -p qbank
  qbank="$PWD/target/debug/qbank"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$qbank" check bank --format sarif > "$work/clean.sarif"
cp -r bank "$work/bank"
# Break a copy of the bank in several ways so the report has results, locations and rules.
# (`sed -n 1p` reads all its input: `head` would close the pipe early, and under pipefail
# the writer's SIGPIPE would fail the script.)
first="$(find "$work/bank/items" -name '*.toml' | sort | sed -n 1p)"
sed -i 's/^status = "approved"/status = "aproved"/; s/^stem = /stme = "x"\nstem = /' "$first"
printf 'id = "BROKEN"\nstem = "unterminated\n' > "$work/bank/items/BROKEN.toml"
set +e
"$qbank" check "$work/bank" --format sarif > "$work/findings.sarif"
status=$?
set -e
[ "$status" = 1 ] || { echo "expected exit 1 with findings, got $status"; exit 1; }
"$venv/bin/python" - "$schema" "$work/clean.sarif" "$work/findings.sarif" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft4Validator(schema)
for path in sys.argv[2:]:
    doc = json.load(open(path))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for error in errors:
        print(f"{path}: {list(error.path)}: {error.message}")
    if errors:
        sys.exit(1)
    print(f"{path.rsplit('/', 1)[-1]}: valid SARIF 2.1.0, {len(doc['runs'][0]['results'])} results")
PY
