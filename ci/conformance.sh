#!/usr/bin/env bash
# Exports the sample bank and the hostile-strings bank (tests/hostile-bank) in every format and
# has each format's own software read the result, with the validators in ../shared/validators
# (installed by their setup.sh, which this script runs): the QTI XSDs, npm gift-pegjs, the
# Moodle checker, the official Anki library; the JSON pack goes through its JSON Schema with
# Python's `jsonschema` and back through `qbank import`. Beyond acceptance, every question,
# option, key and text must read back exactly as the bank wrote it, and no public pack may hold
# a secure, draft or retired item.
#
# Usage: bash ci/conformance.sh [VALIDATORS_DIR]   (default: ../shared/validators)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
validators="$(cd "${1:-../shared/validators}" && pwd)"
home="${QBANK_VALIDATORS_HOME:-$HOME/.cache/qbank-validators}"

bash "$validators/setup.sh"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/qbank-ci/venv"
if ! "$venv/bin/python" -c "import jsonschema" >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "jsonschema==4.*"
fi

if [ -z "${QBANK_BIN:-}" ]; then
  cargo build --quiet --release --locked -p qbank
fi
qbank="${QBANK_BIN:-$root/target/release/qbank}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

formats="json qti3 qti21 moodle gift csv anki"
ext() { case "$1" in json) echo json ;; qti3|qti21) echo zip ;; moodle) echo xml ;; gift) echo gift ;; csv) echo csv ;; anki) echo apkg ;; esac; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# bank, profile (empty: the default profile), label
cases="bank::sample-default bank:sample:sample-sample bank:glossary:sample-glossary tests/hostile-bank::hostile-default tests/hostile-bank:full:hostile-full"
for case in $cases; do
  IFS=: read -r bank profile label <<< "$case"
  dir="$work/$label"
  mkdir -p "$dir"
  profile_args=()
  [ -n "$profile" ] && profile_args=(--profile "$profile")
  for format in $formats; do
    out="$dir/$format.$(ext "$format")"
    printf '==> %s: %s\n' "$label" "$format"
    if ! "$qbank" export "$bank" --format "$format" "${profile_args[@]}" --out "$out" > "$dir/$format.log" 2>&1; then
      cat "$dir/$format.log"; fail "$label: qbank export --format $format"; continue
    fi
    # A second export must give the same bytes.
    "$qbank" export "$bank" --format "$format" "${profile_args[@]}" --out "$out.again" > /dev/null 2>&1
    cmp -s "$out" "$out.again" || fail "$label: $format export is not deterministic"
    case "$format" in
      qti3|qti21) "$validators/qti-validate" "$out" > "$dir/$format.check" 2>&1 || { cat "$dir/$format.check"; fail "$label: qti-validate $format"; } ;;
      moodle) "$validators/moodle-check" --strict "$out" > "$dir/$format.check" 2> "$dir/$format.err" || { cat "$dir/$format.err"; fail "$label: moodle-check"; } ;;
      gift) "$validators/gift-validate" "$out" > "$dir/$format.check" 2> "$dir/$format.err" || { cat "$dir/$format.err"; fail "$label: gift-validate"; } ;;
      anki) "$validators/anki-import" "$out" > "$dir/$format.check" 2> "$dir/$format.err" || { cat "$dir/$format.err"; fail "$label: anki-import"; } ;;
    esac
  done
  # Every format read back by its consumer must hold exactly the JSON pack's items and texts.
  "$venv/bin/python" - "$root/schemas/pack.schema.json" "$dir" <<'PY' || fail "$label: content comparison"
import csv, html, io, json, re, sys, zipfile
import xml.etree.ElementTree as ET
import jsonschema

schema_path, d = sys.argv[1], sys.argv[2]
pack = json.load(open(f"{d}/json.json", encoding="utf-8"))
jsonschema.Draft202012Validator(json.load(open(schema_path))).validate(pack)
items = pack["items"]
by_id = {i["id"]: i for i in items}
problems = []

def same(what, got, want):
    if got != want:
        problems.append(f"{what}: got {got!r}, want {want!r}")

def keys(item):
    return [n for n, o in enumerate(item["options"]) if o.get("correct")]

if pack["meta"]["public"]:
    for i in items:
        if i["secure"] or i["status"] in ("draft", "retired"):
            problems.append(f"public pack holds {i['id']} (secure={i['secure']}, status={i['status']})")
forbidden = ["SECRET-KEY-TEXT", "DRAFT-KEY-TEXT", "RETIRED-KEY-TEXT"] if pack["meta"]["public"] else []

def scan(name, data):
    for word in forbidden:
        if word.encode() in data:
            problems.append(f"{name} contains {word}")

# GIFT, as gift-pegjs read it: [html] texts, so decode HTML (<br> before each line feed).
def from_html(s):
    return html.unescape(s.replace("<br>\n", "\n"))
g = json.load(open(f"{d}/gift.check", encoding="utf-8"))
scan("gift", open(f"{d}/gift.gift", "rb").read())
qs = [q for q in g["questions"] if q["type"] not in ("Category", "Description")]
same("gift question count", len(qs), len(items))
for q in qs:
    item = by_id.get(q["title"])
    if item is None:
        problems.append(f"gift: unknown question {q['title']!r}"); continue
    same(f"gift {item['id']} stem", from_html(q["stem"]), item["stem"])
    same(f"gift {item['id']} options", [from_html(c["text"]) for c in q["choices"]], [o["text"] for o in item["options"]])
    same(f"gift {item['id']} keys", q["correctChoices"], keys(item))
    same(f"gift {item['id']} mode", q["moodleMode"], "single" if item["type"] == "single" else "multiple")

# Moodle XML, as XML: plain_text texts are the item's texts exactly.
scan("moodle", open(f"{d}/moodle.xml", "rb").read())
root = ET.parse(f"{d}/moodle.xml").getroot()
mq = [q for q in root.findall("question") if q.get("type") == "multichoice"]
same("moodle question count", len(mq), len(items))
for q in mq:
    item = by_id[q.findtext("idnumber")]
    same(f"moodle {item['id']} stem", q.find("questiontext/text").text or "", item["stem"])
    answers = q.findall("answer")
    same(f"moodle {item['id']} options", [a.findtext("text") or "" for a in answers], [o["text"] for o in item["options"]])
    same(f"moodle {item['id']} keys", [n for n, a in enumerate(answers) if float(a.get("fraction")) > 0], keys(item))

# CSV, as Python's csv module reads it. No cell may start with what a spreadsheet runs as a
# formula; the single quote put in front of such a cell comes off as the README documents.
scan("csv", open(f"{d}/csv.csv", "rb").read())
FORMULA = ("=", "+", "-", "@", "\t", "\r")
def uncell(s):
    return s[1:] if s.startswith("'") and s[1:].lstrip("'").startswith(FORMULA) else s
raw = list(csv.reader(io.StringIO(open(f"{d}/csv.csv", encoding="utf-8", newline="").read(), newline="")))
for r in raw:
    for cell in r:
        if cell.startswith(FORMULA):
            problems.append(f"csv cell starts with a formula character: {cell[:20]!r}")
rows = [{k: uncell(v) for k, v in dict(zip(raw[0], r)).items()} for r in raw[1:]]
same("csv row count", len(rows), len(items))
for row in rows:
    item = by_id[row["id"]]
    same(f"csv {item['id']} stem", row["stem"], item["stem"])
    opts = [row[k] for k in row if k.startswith("option_") and row[k] != ""]
    same(f"csv {item['id']} options", opts, [o["text"] for o in item["options"]])
    same(f"csv {item['id']} key", row["key"], ",".join(chr(65 + k) for k in keys(item)))

# QTI: the items' prompts and choices, as XML.
for fmt, ns, choice in (("qti3", "http://www.imsglobal.org/xsd/imsqtiasi_v3p0", "qti-simple-choice"), ("qti21", "http://www.imsglobal.org/xsd/imsqti_v2p1", "simpleChoice")):
    path = f"{d}/{fmt}.zip"
    z = zipfile.ZipFile(path)
    for name in z.namelist():
        scan(f"{fmt}:{name}", z.read(name))
    xml_items = [n for n in z.namelist() if n.startswith("items/")]
    same(f"{fmt} item count", len(xml_items), len(items))
    for name in xml_items:
        r = ET.fromstring(z.read(name))
        item = by_id[r.get("title")]
        def ptext(p):
            return (p.text or "") + "".join("\n" + (br.tail or "") for br in p)
        same(f"{fmt} {item['id']} stem", ptext(r.find(f".//{{{ns}}}p")), item["stem"])
        # Option feedback and the rationale come back as modal feedback, keyed by the option's
        # identifier and RATIONALE.
        modal = "qti-modal-feedback" if fmt == "qti3" else "modalFeedback"
        got = {m.get("identifier"): ptext(m.find(f".//{{{ns}}}p")) for m in r.iter(f"{{{ns}}}{modal}")}
        want = {chr(65 + n): o["feedback"] for n, o in enumerate(item["options"]) if o.get("feedback")}
        if item.get("rationale"):
            want["RATIONALE"] = item["rationale"]
        same(f"{fmt} {item['id']} feedback", got, want)
        same(f"{fmt} {item['id']} options", ["".join(c.itertext()) for c in r.iter(f"{{{ns}}}{choice}")], [o["text"] for o in item["options"]])
    manifest = json.loads(z.read("qbank-manifest.json"))
    import hashlib
    for entry in manifest["files"]:
        same(f"{fmt} digest of {entry['path']}", hashlib.sha256(z.read(entry["path"])).hexdigest(), entry["sha256"])

# Anki, as the official library imported and rendered it: fields are HTML.
a = json.load(open(f"{d}/anki.check", encoding="utf-8"))
z = zipfile.ZipFile(f"{d}/anki.apkg")
for name in z.namelist():
    scan(f"anki:{name}", z.read(name))
same("anki note count", a["note_count"], len(items))
for note in a["notes"]:
    f = note["fields"]
    item = by_id[from_html(f["Id"])]
    same(f"anki {item['id']} stem", from_html(f["Question"]), item["stem"])
    same(f"anki {item['id']} options", [from_html(o) for o in re.findall(r"<li>(.*?)</li>", f["Options"], re.S)], [o["text"] for o in item["options"]])
    want = [f"{chr(65 + k)}. {item['options'][k]['text']}" for k in keys(item)]
    same(f"anki {item['id']} answer", [from_html(x) for x in re.split(r"<br>(?!\n)", f["Answer"])], want)

if problems:
    print("\n".join(problems[:50]))
    sys.exit(1)
print(f"  {len(items)} items read back identically in every format")
PY
  # The JSON pack imports back to the same items.
  imported="$work/$label-import"
  mkdir -p "$imported"
  printf '# import target\n' > "$imported/qbank.toml"
  "$qbank" import "$dir/json.json" --from json --bank "$imported" --prefix RT > /dev/null || fail "$label: qbank import"
done

# A deck large enough that its collection (over 4 MiB) is deflated in pieces on several cores:
# a generated bank of 3,000 items, read back by the Anki library note for note.
printf '==> generated bank of 3,000 items: anki\n'
# QBANK_GEN, or built beside the qbank binary under test in its profile (a debug build reuses
# the test run's dependencies).
gen="${QBANK_GEN:-$(dirname "$qbank")/qbank-gen}"
if [ ! -x "$gen" ]; then
  case "$(basename "$(dirname "$qbank")")" in
    release) profile=release dir=release ;;
    *) profile=dev dir=debug ;;
  esac
  cargo build --quiet --locked --profile "$profile" -p qbank_bench --bin qbank-gen
  gen="${CARGO_TARGET_DIR:-$root/target}/$dir/qbank-gen"
fi
large="$work/generated.apkg"
if ! "$gen" --items 3000 --out "$work/generated" --seed 7 > "$work/gen.log" 2>&1; then
  cat "$work/gen.log"; fail "generated: qbank-gen"
elif "$qbank" export "$work/generated" --format anki --allow-findings --out "$large" > "$work/generated.log" 2>&1 &&
  "$qbank" export "$work/generated" --format json --allow-findings --out "$work/generated.json" > /dev/null 2>&1; then
  if "$validators/anki-import" "$large" > "$work/generated.check" 2> "$work/generated.err"; then
    python3 - "$large" "$work/generated.check" "$work/generated.json" <<'PY' || fail "generated: anki deck does not match the JSON pack"
import json, sys, zipfile
deck, check, pack = sys.argv[1:]
size = zipfile.ZipFile(deck).getinfo("collection.anki2").file_size
assert size >= 4 << 20, f"collection of {size} bytes: too small to be deflated in pieces"
notes, items = json.load(open(check))["note_count"], len(json.load(open(pack))["items"])
assert notes == items, f"{notes} notes for {items} items"
PY
  else
    cat "$work/generated.err"; fail "generated: anki-import"
  fi
else
  cat "$work/generated.log"; fail "generated: qbank export"
fi

if [ "$failures" -gt 0 ]; then
  echo "conformance: $failures failure(s)"
  exit 1
fi
echo "conformance: every export accepted by its consumer"
