#!/usr/bin/env bash
# Renders `qbank report` of the sample bank in headless Chromium (Debian's `chromium`, installed
# with apt-get when missing), checks that the page the browser built holds every chart and
# table (a bar per domain of each blueprint, a heat-map cell per task, the findings and item
# tables), and saves a screenshot (target/report.png; `SCREENSHOT=docs/report.png` refreshes
# the README's image).
#
#   QBANK_BIN=target/debug/qbank bash ci/report-browser.sh            # the sample bank
#   bash ci/report-browser.sh some-report.html                        # check a given page only
#
# With a page given, only the DOM checks run (against the sample bank's blueprints), so a
# broken page can be shown to fail; the screenshot is then not written.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

qbank="${QBANK_BIN:-target/debug/qbank}"
given="${1:-}"
screenshot="${SCREENSHOT:-${CARGO_TARGET_DIR:-target}/report.png}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() { printf 'report-browser: %s\n' "$*" >&2; exit 1; }

[ -x "$qbank" ] || fail "no qbank binary at \`$qbank\`: build it (cargo build) or set QBANK_BIN"
if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends chromium >/dev/null \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; } \
    || fail "could not install chromium with apt-get"
fi

# Root needs --no-sandbox; the rest keeps the run quiet and the same on every machine.
browser() {
  chromium --headless --no-sandbox --disable-gpu --disable-extensions --no-first-run \
    --hide-scrollbars --force-color-profile=srgb --lang=en-US "$@" 2>/dev/null
}

# What the page of bank $1 must show, from qbank's own JSON, into $2 (exit code 1 only means
# a blueprint is off).
expected() {
  "$qbank" blueprint "$1" --format json >"$2" || [ "$?" -eq 1 ] || fail "qbank blueprint failed"
}
expected bank "$work/blueprints.json"

# Checks the DOM that Chromium built from a page. $1: the dumped DOM; $2: the blueprint JSON;
# $3: "dupes" when the page must show a near-duplicate pair.
check_dom() {
  python3 - "$@" <<'PY'
import json
import sys
from html.parser import HTMLParser

dom_path, blueprints_path, expect = sys.argv[1], sys.argv[2], sys.argv[3]

class Dom(HTMLParser):
    """Every element with its attributes, and the ids and classes of the elements around it."""
    def __init__(self):
        super().__init__()
        self.stack, self.elements, self.text = [], [], []
    def record(self, tag, attrs):
        ids = [a["id"] for _, a in self.stack if a.get("id")]
        classes = {c for _, a in self.stack for c in (a.get("class") or "").split()}
        self.elements.append((tag, attrs, ids, classes))
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.record(tag, attrs)
        if tag not in ("meta", "br", "hr", "img", "input", "link"):
            self.stack.append((tag, attrs))
    def handle_startendtag(self, tag, attrs):
        self.record(tag, dict(attrs))
    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
    def handle_data(self, data):
        self.text.append(data)

dom = Dom()
dom.feed(open(dom_path, encoding="utf-8").read())
problems = []

def by_id(ident):
    return [(t, a) for t, a, _, _ in dom.elements if a.get("id") == ident]

def inside(ident, tag=None, cls=None):
    return [a for t, a, anc, _ in dom.elements if ident in anc and (tag is None or t == tag)
            and (cls is None or cls in a.get("class", "").split())]

def need(ident, tag):
    found = by_id(ident)
    if not found or found[0][0] != tag:
        problems.append(f"no <{tag} id=\"{ident}\"> in the page")
        return False
    return True

if any(t == "script" for t, _, _, _ in dom.elements):
    problems.append("the page holds a <script> element")
for section in ["overview", "blueprints", "coverage", "duplicates", "findings", "items"]:
    need(section, "section")

blueprints = json.load(open(blueprints_path, encoding="utf-8"))["blueprints"]
if not blueprints:
    problems.append("qbank blueprint lists no blueprint")
for n, bp in enumerate(blueprints, 1):
    name = f"blueprint {bp['id']}"
    if need(f"blueprint-chart-{n}", "svg"):
        domains = inside(f"blueprint-chart-{n}", "g", "domain")
        got = [d.get("data-domain") for d in domains]
        want = [d["id"] for d in bp["domains"]]
        if got != want:
            problems.append(f"{name}: chart shows domains {got}, the blueprint has {want}")
        # One bar per domain, inside the domain's group (the legend has swatches of its own).
        domain_bars = [a for t, a, anc, groups in dom.elements if t == "rect"
                       and "bar" in a.get("class", "").split()
                       and f"blueprint-chart-{n}" in anc and "domain" in groups]
        if len(domain_bars) != len(want):
            problems.append(f"{name}: {len(domain_bars)} bars for {len(want)} domains")
        verdicts = ["ok" if d["ok"] else "off" for d in bp["domains"]]
        shown = [a["class"].split()[-1] for a in domain_bars]
        if shown != verdicts:
            problems.append(f"{name}: bars coloured {shown}, the blueprint says {verdicts}")
        for kind in ["band", "target"]:
            marks = [a for t, a, anc, groups in dom.elements if f"blueprint-chart-{n}" in anc
                     and "domain" in groups and kind in a.get("class", "").split()]
            if len(marks) != len(want):
                problems.append(f"{name}: not one `{kind}` per domain in the chart")
    if need(f"blueprint-table-{n}", "table"):
        rows = inside(f"blueprint-table-{n}", "tr")
        if len(rows) != len(bp["domains"]) + 1:
            problems.append(f"{name}: table has {len(rows) - 1} rows for {len(bp['domains'])} domains")
    if need(f"heatmap-{n}", "svg"):
        cells = inside(f"heatmap-{n}", "rect", "heat-cell")
        got = [(c.get("data-task"), int(c.get("data-count", -1))) for c in cells]
        want_tasks = [(t["id"], t["count"]) for t in bp["tasks"]]
        if got != want_tasks:
            problems.append(f"{name}: heat map cells {got}, the blueprint's tasks {want_tasks}")
    need(f"coverage-table-{n}", "table")

findings = by_id("findings")
if findings and int(findings[0][1].get("data-findings", "0")) > 0:
    for ident, tag in [("findings-chart", "svg"), ("findings-by-rule", "table"),
                       ("findings-by-file", "table")]:
        need(ident, tag)
elif "No findings" not in "".join(dom.text):
    problems.append("the findings section shows neither findings nor `No findings`")

dupes = by_id("duplicates")
clusters = int(dupes[0][1].get("data-clusters", "0")) if dupes else 0
if expect == "dupes" and clusters == 0:
    problems.append("the page shows no near-duplicate cluster")
if clusters > 0 and need("duplicates-table", "table"):
    if not inside("duplicates-table", "del") or not inside("duplicates-table", "ins"):
        problems.append("the duplicates table highlights no differences (<del>, <ins>)")

for ident, tag in [("status-chart", "svg"), ("status-table", "table"), ("author-chart", "svg"),
                   ("author-table", "table"), ("difficulty-chart", "svg"),
                   ("difficulty-table", "table")]:
    if need(ident, tag) and tag == "svg" and not inside(ident, "rect"):
        problems.append(f"chart `{ident}` has no bars")

if problems:
    print("report-browser: the rendered page is incomplete:", file=sys.stderr)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)
    sys.exit(1)
print(f"  {len(blueprints)} blueprint charts, heat maps and tables; findings, duplicates and "
      f"item charts present")
PY
}

dump() {
  browser --dump-dom "file://$1" >"$2" || fail "chromium could not render \`$1\`"
  [ -s "$2" ] || fail "chromium rendered \`$1\` as an empty page"
}

if [ -n "$given" ]; then
  [ -f "$given" ] || fail "no file \`$given\`"
  echo "==> checking the DOM of $given"
  dump "$(realpath "$given")" "$work/dom.html"
  check_dom "$work/dom.html" "$work/blueprints.json" any
  exit 0
fi

echo "==> qbank report of the sample bank"
"$qbank" report bank --out "$work/report.html"
echo "==> the DOM Chromium builds from it"
dump "$work/report.html" "$work/dom.html"
check_dom "$work/dom.html" "$work/blueprints.json" any

echo "==> the same bank with a reworded copy of CISM-2003: a near-duplicate cluster and findings"
cp -r bank "$work/bank"
sed -e 's/^id = "CISM-2003"/id = "CISM-2099"/' -e 's/risks expressed in/risks stated in/' \
  -e 's/be compared with/be weighed with/' bank/items/cism/d2/CISM-2003.toml \
  >"$work/bank/items/cism/d2/CISM-2099.toml"
"$qbank" report "$work/bank" --out "$work/dupes.html" >/dev/null
expected "$work/bank" "$work/dupes-blueprints.json"
dump "$work/dupes.html" "$work/dupes-dom.html"
check_dom "$work/dupes-dom.html" "$work/dupes-blueprints.json" dupes

echo "==> screenshot to $screenshot"
browser --screenshot="$work/report.png" --window-size=1280,2300 "file://$work/report.html" \
  || fail "chromium could not take the screenshot"
[ -s "$work/report.png" ] || fail "chromium wrote no screenshot"
mkdir -p "$(dirname "$screenshot")"
mv "$work/report.png" "$screenshot"
echo "  $(wc -c <"$screenshot") bytes"
