#!/bin/bash
# git autoloop report: text, JSON (validated against docs/report.schema.json), one self-contained HTML file
# (loaded in headless Chromium: every chart drawn, nothing fetched) and Prometheus exposition, over a real
# history made through the hooks: commits with findings, a drain, one fix accepted, one rejected.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCHEMA="$AUTOLOOP_SOURCE_DIR/docs/report.schema.json"

# Python for the checks below (python3-jsonschema comes from Debian's dist-packages).
pyrun() {
  local code=$1
  shift
  "$PYTHON" -c "import sys
$code" "$@"
}
CHARTS="quality findings acceptance hook-latency complex-functions"

# py NAME [OP]: a Python file with one python/compare-to-none finding, a branchy function and a TODO.
py() {
  mkdir -p "$(dirname "$1")"
  local name
  name=$(basename "${1%.py}")
  printf 'def %s(x):\n    if x %s None:\n        return 1\n    return 2\n\n\ndef %s_branches(a, b):\n    # TODO: simplify\n    if a > 1:\n        if b > 2:\n            return 3\n        elif b < 0:\n            return 4\n    for i in range(a):\n        if i == b:\n            return i\n    return 0\n' \
    "$name" "${2:-==}" "$name" >"$1"
}

id_of() { db_query "SELECT id FROM opportunities WHERE path = '$1' AND rule_id = 'python/compare-to-none'"; }

# The history every test reads: base → three findings (drained: a accepted, b rejected, c pending) → the accept
# commit → three more findings in src/api/ (a sweep's worth of one rule in one directory).
report_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains
  py a.py
  py b.py
  py c.py
  commit_all "three findings"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq 3 "$(side_commits | grep -c .)" "fixes proposed"
  # Commit times have whole seconds: the accept commit (HEAD~1 at the end) must come a second after the drain.
  sleep 1.1
  expect_rc 0 git autoloop review --accept "$(id_of a.py)"
  expect_rc 0 git autoloop review --reject "$(id_of b.py)" --reason "style we keep"
  wait_for_scan
  # Findings first seen a second later than the first ones: the second half of the range grows.
  sleep 1.1
  py src/api/users.py
  py src/api/orders.py '!='
  py src/api/items.py
  commit_all "api with findings"
  wait_for_scan
}

# chromium_dom FILE: the DOM headless Chromium builds from FILE (its profile and HOME in a temp dir).
chromium_dom() {
  local home="$E2E_TEST_DIR/chromium-home"
  mkdir -p "$home"
  HOME="$home" timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-extensions --no-first-run \
    --user-data-dir="$home/profile" --dump-dom "file://$1" 2>"$E2E_TEST_DIR/chromium.log"
}

# check_dom: reads a DOM on stdin; every chart figure (CHARTS) has an <svg> with a <title> and a figcaption;
# with "marks", each svg holds data marks (class "mark": path, rect or circle), without, each says "no data yet";
# no element references a network URL and there is no script.
check_dom() {
  pyrun '
from html.parser import HTMLParser

want_marks = sys.argv[1] == "marks"
charts = sys.argv[2].split()

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []          # open figure ids
        self.figures = {}        # id -> {"svg": n, "marks": n, "caption": bool, "empty": bool, "title": bool}
        self.problems = []
        self.in_empty = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name in ("src", "href", "xlink:href", "action", "poster", "srcset", "data", "formaction", "background") and v:
                if "://" in v or v.startswith("//"):
                    self.problems.append("%s %s=%s references the network" % (tag, name, value))
            if name == "style" and "url(" in v:
                self.problems.append("%s has a style url(): %s" % (tag, value))
        if tag in ("script", "link", "iframe", "img", "object", "embed"):
            self.problems.append("unexpected <%s>" % tag)
        if tag == "figure":
            self.stack.append(a.get("id", ""))
            self.figures[a.get("id", "")] = {"svg": 0, "marks": 0, "caption": False, "empty": False, "title": False}
        elif self.stack:
            f = self.figures[self.stack[-1]]
            if tag == "svg": f["svg"] += 1
            if tag == "title": f["title"] = True
            if tag == "figcaption": f["caption"] = True
            if tag in ("path", "rect", "circle") and "mark" in (a.get("class") or "").split(): f["marks"] += 1
            if tag == "text" and "empty" in (a.get("class") or "").split(): self.in_empty = True
    def handle_data(self, data):
        if self.in_empty and self.stack and "no data yet" in data:
            self.figures[self.stack[-1]]["empty"] = True
    def handle_endtag(self, tag):
        if tag == "text": self.in_empty = False
        if tag == "figure" and self.stack: self.stack.pop()
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "figure" and self.stack: self.stack.pop()

dom = sys.stdin.read()
if "<main>" not in dom:
    sys.exit("the DOM has no <main>: " + dom[:300])
d = Dom()
d.feed(dom)
for c in charts:
    f = d.figures.get("chart-" + c)
    if f is None:
        d.problems.append("no figure chart-" + c)
        continue
    if f["svg"] != 1: d.problems.append("chart-%s has %d svg elements" % (c, f["svg"]))
    if not f["caption"]: d.problems.append("chart-%s has no figcaption" % c)
    if not f["title"]: d.problems.append("chart-%s has no <title>" % c)
    if want_marks and f["marks"] == 0: d.problems.append("chart-%s draws no data marks" % c)
    if not want_marks and (f["marks"] or not f["empty"]): d.problems.append("chart-%s is not in its no-data state" % c)
if d.problems:
    sys.exit("\n".join(d.problems))
print("ok %d figures" % len(d.figures))
' "$1" "$CHARTS"
}

# check_prometheus: reads an exposition on stdin; every line is a HELP, TYPE or sample line of the text format,
# every sample belongs to a family with HELP and TYPE declared before it, names carry the autoloop_ prefix.
check_prometheus() {
  pyrun '
import re
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
label = r"[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\n]|\\\\[\\\\\"n])*\""
value = r"(?:[-+]?(?:[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf)|NaN)"
sample = re.compile(r"^(%s)(\{(?:%s(?:,%s)*)?\})? %s( -?[0-9]+)?$" % (name, label, label, value))
help_ = re.compile(r"^# HELP (%s) .+$" % name)
type_ = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % name)
helps, types, problems, samples = set(), {}, [], 0
for n, line in enumerate(sys.stdin.read().split("\n"), 1):
    if line == "": continue
    m = help_.match(line)
    if m: helps.add(m.group(1)); continue
    m = type_.match(line)
    if m: types[m.group(1)] = m.group(2); continue
    m = sample.match(line)
    if not m:
        problems.append("line %d is not exposition format: %r" % (n, line)); continue
    samples += 1
    metric = m.group(1)
    family = metric
    for suffix in ("_sum", "_count", "_bucket"):
        if metric.endswith(suffix) and metric[: -len(suffix)] in types and types[metric[: -len(suffix)]] in ("summary", "histogram"):
            family = metric[: -len(suffix)]
    if family not in helps or family not in types:
        problems.append("line %d: %s has no HELP/TYPE before it" % (n, metric))
    if not metric.startswith("autoloop_"):
        problems.append("line %d: %s lacks the autoloop_ prefix" % (n, metric))
if samples == 0: problems.append("no samples")
if problems: sys.exit("\n".join(problems))
print("ok %d samples" % samples)
'
}

test_html_in_chromium() {
  report_repo
  expect_rc 0 git autoloop report --format html --output r.html
  assert_contains "$OUT" "report written to r.html"
  assert_file r.html
  local dom
  dom=$(chromium_dom "$PWD/r.html") || fail "chromium could not load the report: $(tail -5 "$E2E_TEST_DIR/chromium.log")"
  run_cmd check_dom marks <<<"$dom"
  [ "$RC" = 0 ] || fail "the HTML report: $ERR"
  # The page itself carries no script and no external reference either (not only what Chromium kept).
  run_cmd check_dom marks <r.html
  [ "$RC" = 0 ] || fail "the HTML file: $ERR"
  assert_contains "$(cat r.html)" "python/compare-to-none: 3 open in src/api/" "the sweep pattern in the page"
  assert_eq "" "$(git status --porcelain --untracked-files=no)" "tracked files after the report"
}

test_json_schema_and_figures() {
  report_repo
  git autoloop report --format json >r.json
  validate_report_json r.json || fail "the JSON report does not validate against docs/report.schema.json"
  # From the first scanned commit: "base" predates the install.
  assert_eq "$(git rev-list --count HEAD~3..HEAD)" "$(pyjson 'd["range"]["commits"]' <r.json)" "commits in range"
  assert_eq "$(git rev-parse HEAD~2)" "$(pyjson 'd["quality"]["commits"][0]["id"]' <r.json)" "oldest commit first"
  # The cycle that proposed the three fixes: one accepted, one rejected, one pending.
  assert_eq '[3, 1, 1, 1]' "$(pyjson '[[c["proposed"], c["accepted"], c["rejected"], c["pending"]] for c in d["cycles"] if c["proposed"]][0]' <r.json)" "fates of the fixes of the drain"
  assert_eq '0.5' "$(pyjson 'd["improvement"]["success_rate"]' <r.json)" "success rate"
  # Carried forward: the last commit (three api files) still counts a.py, b.py and c.py.
  assert_eq '6' "$(pyjson 'd["quality"]["commits"][-1]["files"]' <r.json)" "files measured at HEAD"
  assert_eq "$(pyjson 'd["quality"]["commits"][-1]["complexity_total"] > d["quality"]["commits"][1]["complexity_total"] > 0' <r.json)" "true" "complexity grows with the api files"
  local hooks
  hooks=$(db_query "SELECT count(*) FROM runs WHERE kind LIKE 'hook:%'")
  assert_eq "$hooks" "$(pyjson 'd["health"]["hook_ms"]["count"]' <r.json)" "hook runs in the report"
  assert_eq "$hooks" "$(pyjson 'sum(b["count"] for b in d["health"]["hook_histogram"])' <r.json)" "hook runs in the histogram"
  assert_eq '["src/api/"]' "$(pyjson '[p["directory"] for p in d["patterns"] if p["kind"] == "sweep"]' <r.json)" "sweep directories"
  assert_eq '["python/compare-to-none"]' "$(pyjson '[p["rule"] for p in d["patterns"] if p["kind"] == "rising"]' <r.json)" "rising rules"
}

test_prometheus_exposition() {
  report_repo
  expect_rc 0 git autoloop report --format prometheus
  local p=$OUT
  run_cmd check_prometheus <<<"$p"
  [ "$RC" = 0 ] || fail "exposition format: $ERR"
  assert_contains "$p" 'autoloop_fixes_total{outcome="accepted"} 1'
  assert_contains "$p" 'autoloop_fixes_total{outcome="rejected"} 1'
  assert_contains "$p" 'autoloop_fix_acceptance_ratio 0.5'
  assert_contains "$p" 'autoloop_findings_open{category="code_quality",severity="warning"}'
  assert_contains "$p" 'autoloop_hook_duration_seconds{quantile="0.99"}'
  assert_contains "$p" "autoloop_drain_cycles_total $(db_query "SELECT count(*) FROM cycles")"
  assert_contains "$p" "autoloop_queue_size $(db_query "SELECT count(*) FROM opportunities WHERE status IN ('open', 'stale')")"
}

test_text_summary() {
  report_repo
  expect_rc 0 git autoloop report
  local t=$OUT
  # The accept commit is made by the tool, not through a hook: the queue scanned the other two of the last three.
  # The range starts at the first scanned commit: "base" predates the install.
  assert_contains "$t" "range:  main at $(git rev-parse HEAD | cut -c1-10), 3 commits ($(db_query "SELECT count(*) FROM scanned_commits") scanned), from the first scanned commit $(git rev-parse HEAD~2 | cut -c1-10) (4 in the history"
  assert_contains "$t" "complexity total"
  assert_contains "$t" "lines of code"
  assert_contains "$t" "success rate 50% of 2 decided"
  assert_contains "$t" "1 accepted, 1 rejected, 0 reverted, 1 pending"
  assert_contains "$t" "hooks"
  assert_contains "$t" "most complex functions"
  assert_contains "$t" "_branches"
  assert_contains "$t" "python/compare-to-none: 3 open in src/api/"
  # Like for like: a.py, b.py and c.py at both ends (the api files are new); the accepted fix removed a finding.
  assert_contains "$t" "like for like: the 3 files measured at both commits (left out: 3 measured only at $(git rev-parse HEAD | cut -c1-10))"
  assert_contains "$t" "$(printf '  %-18s %10s %10s   ↓ -1' findings 3 2)"
}

test_since_limits_the_range() {
  report_repo
  git autoloop report --format json --since HEAD~1 >r.json
  validate_report_json r.json || fail "the --since report does not validate"
  assert_eq 1 "$(pyjson 'd["range"]["commits"]' <r.json)" "commits after HEAD~1"
  assert_eq "$(git rev-parse HEAD)" "$(pyjson 'd["quality"]["commits"][0]["id"]' <r.json)" "the one commit"
  assert_eq "$(git rev-parse HEAD~1)" "$(pyjson 'd["range"]["since_commit"]' <r.json)" "since_commit"
  # Carried forward from before the range: the whole codebase, not only the api files.
  assert_eq 6 "$(pyjson 'd["quality"]["commits"][0]["files"]' <r.json)" "files at the one commit"
  # The drain and the verdicts happened before HEAD~1: outside the window.
  assert_eq 0 "$(pyjson 'd["improvement"]["fixes_applied"]' <r.json)" "fixes in the window"
  expect_rc 0 git autoloop report --since HEAD~3
  assert_contains "$OUT" "3 commits"
}

test_bad_input() {
  report_repo
  expect_rc 2 git autoloop report --format pdf
  assert_contains "$ERR" "pdf"
  expect_rc 6 git autoloop report --since no-such-rev
  assert_contains "$ERR" "git-autoloop: error: --since no-such-rev: not a commit"
  # --output into a missing directory fails cleanly and leaves nothing behind.
  expect_rc 6 git autoloop report --output missing/dir/r.html --format html
  assert_contains "$ERR" "git-autoloop: error:"
  assert_no_file missing
}

test_nothing_recorded_yet() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  expect_rc 0 git autoloop report
  assert_contains "$OUT" "nothing recorded yet"
  git autoloop report --format json >r.json
  validate_report_json r.json || fail "the empty report does not validate"
  assert_eq true "$(pyjson 'd["empty"]' <r.json)" "empty"
  expect_rc 0 git autoloop report --format prometheus
  run_cmd check_prometheus <<<"$OUT"
  [ "$RC" = 0 ] || fail "exposition format of the empty report: $ERR"
  expect_rc 0 git autoloop report --format html --output r.html
  local dom
  dom=$(chromium_dom "$PWD/r.html") || fail "chromium could not load the empty report"
  run_cmd check_dom empty <<<"$dom"
  [ "$RC" = 0 ] || fail "the empty HTML report: $ERR"
  assert_contains "$dom" "Nothing recorded yet"
}

test_unborn_branch() {
  new_repo
  expect_rc 0 git autoloop report --format json
  assert_eq true "$(pyjson 'd["empty"]' <<<"$OUT")" "empty"
  assert_eq None "$(pyjson 'str(d["range"]["head"])' <<<"$OUT")" "head of an unborn branch"
}

run_test "html: one self-contained file, every chart drawn in headless Chromium" test_html_in_chromium
run_test "json: validates against docs/report.schema.json and holds the right figures" test_json_schema_and_figures
run_test "prometheus: exposition format, HELP/TYPE for every metric" test_prometheus_exposition
run_test "text: names the key figures, trends and patterns" test_text_summary
run_test "--since limits the commits and the window" test_since_limits_the_range
run_test "bad format, bad revision, bad output path" test_bad_input
run_test "an empty queue is a 'nothing recorded yet' report, not an error" test_nothing_recorded_yet
run_test "a branch without commits" test_unborn_branch
finish
