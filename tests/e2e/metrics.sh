#!/bin/bash
# Metrics and regressions (issue 4 §3): a commit that doubles a function's complexity creates a suggest-only
# opportunity and a line in the next hook's output; one that lowers it records an improvement (and the
# suggestion resolves); new security findings are announced by the next hook; coverage from an lcov or
# Cobertura report at metrics.coverage_report is recorded per commit; functions keep their identity
# across @overload stubs and same names in other classes (issue 12 §6).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# branchy FILE N: a Python function `route` with cyclomatic complexity 1 + N (N if statements).
branchy() {
  {
    printf 'def route(x):\n'
    local i
    for i in $(seq 1 "$2"); do printf '    if x == %d:\n        return %d\n' "$i" "$i"; done
    printf '    return 0\n'
  } >"$1"
}

# branchy_def SIGNATURE N [INDENT]: prints a Python function of cyclomatic complexity N.
branchy_def() {
  local indent=${3:-} i
  printf '%sdef %s:\n' "$indent" "$1"
  for i in $(seq 2 "$2"); do printf '%s    if x == %d:\n%s        return %d\n' "$indent" "$i" "$indent" "$i"; done
  printf '%s    return 0\n' "$indent"
}

metrics_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  local_config "" "$1"
}

test_doubling_complexity_is_a_regression_and_lowering_it_an_improvement() {
  metrics_repo ""
  branchy app.py 5
  commit_all "complexity 6"
  wait_for_scan
  assert_eq "" "$(db_query "SELECT kind FROM metric_events")" "metric events after the first version"
  branchy app.py 11
  commit_all "complexity 12"
  wait_for_scan
  assert_eq "regression route 6 12" "$(db_query "SELECT kind, name, CAST(old_value AS INT), CAST(new_value AS INT) FROM metric_events" | tr '\t' ' ')" "events"
  local row
  row=$(queue_json | pyjson '[(r["status"], r["path"], r["line"]) for r in d if r["rule"] == "autoloop/complexity-regression"]')
  assert_eq '[["open", "app.py", 1]]' "$row" "the regression suggestion in the queue"
  assert_eq "suggest" "$(db_query "SELECT safety FROM opportunities WHERE rule_id = 'autoloop/complexity-regression'")" "its safety"
  # The next hook says so, once.
  echo "x = 1" >other.py
  git add other.py
  run_cmd git commit -q -m "unrelated"
  assert_contains "$ERR" "complexity of route rose from 6 to 12 (app.py:1); queued as suggestion #" "next hook output"
  wait_for_scan
  echo "y = 1" >>other.py
  git add other.py
  run_cmd git commit -q -m "unrelated again"
  assert_not_contains "$ERR" "complexity of route" "the hook after that"
  wait_for_scan
  # A drain never applies a suggestion.
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "" "$(side_commits)" "fix commits made from the suggestion"
  # Lowering it again: an improvement, and the suggestion is resolved.
  branchy app.py 3
  commit_all "simpler"
  wait_for_scan
  assert_eq "improvement route 12 4" "$(db_query "SELECT kind, name, CAST(old_value AS INT), CAST(new_value AS INT) FROM metric_events ORDER BY id DESC LIMIT 1" | tr '\t' ' ')" "last event"
  assert_eq "resolved" "$(db_query "SELECT status FROM opportunities WHERE rule_id = 'autoloop/complexity-regression'")" "the suggestion after the fix"
  # The report lists both, newest first, and the JSON validates.
  expect_rc 0 git autoloop report --format json --output r.json
  validate_report_json r.json || fail "the JSON report does not validate against docs/report.schema.json"
  assert_eq '[["improvement", "route", 12, 4], ["regression", "route", 6, 12]]' \
    "$(pyjson '[[c["kind"], c["name"], c["before"], c["after"]] for c in d["changes"]]' <r.json)" "report: changes"
  run_cmd git autoloop report
  assert_contains "$OUT" "complexity of route fell from 12 to 4" "text report"
}

test_new_security_findings_are_announced_by_the_next_hook() {
  metrics_repo ""
  printf 'def run(cmd):\n    return eval(cmd)\n' >tool.py
  commit_all "eval"
  wait_for_scan
  assert_contains "$(db_query "SELECT kind, path FROM metric_events" | tr '\t' ' ')" "security tool.py" "events"
  echo "x = 1" >other.py
  git add other.py
  run_cmd git commit -q -m "unrelated"
  assert_contains "$ERR" "1 new security finding in tool.py (python/eval-exec)" "next hook output"
}

test_coverage_is_recorded_per_commit() {
  metrics_repo "metrics: {coverage_report: coverage/lcov.info}"
  mkdir -p coverage
  printf 'SF:app.py\nDA:1,1\nDA:2,0\nLF:4\nLH:1\nend_of_record\n' >coverage/lcov.info
  echo "coverage/" >.gitignore
  echo "x = 1" >app.py
  commit_all "with coverage"
  wait_for_scan
  assert_eq "25.0" "$(db_query "SELECT percent FROM commit_coverage WHERE commit_id = '$(git rev-parse HEAD)'")" "coverage of HEAD"
  # A Cobertura report, and a broken one that is only logged (the scan goes on).
  printf '<?xml version="1.0"?>\n<coverage lines-valid="10" lines-covered="8" line-rate="0.8"></coverage>\n' >coverage/lcov.info
  echo "y = 2" >>app.py
  commit_all "cobertura"
  wait_for_scan
  assert_eq "80.0" "$(db_query "SELECT percent FROM commit_coverage WHERE commit_id = '$(git rev-parse HEAD)'")" "coverage of HEAD"
  expect_rc 0 git autoloop report --format json --output r.json
  validate_report_json r.json || fail "the JSON report does not validate"
  assert_eq "[25.0, 80.0]" "$(pyjson '[c["coverage"] for c in d["quality"]["commits"] if c["coverage"] is not None]' <r.json)" "report: coverage per commit"
  run_cmd git autoloop report --format prometheus
  assert_contains "$OUT" "autoloop_coverage_percent 80" "prometheus report"
  echo "garbage" >coverage/lcov.info
  echo "z = 3" >>app.py
  commit_all "broken report"
  wait_for_scan
  assert_eq "" "$(db_query "SELECT percent FROM commit_coverage WHERE commit_id = '$(git rev-parse HEAD)'")" "coverage of HEAD with a broken report"
  assert_eq "1" "$(db_query "SELECT count(*) FROM scanned_commits WHERE commit_id = '$(git rev-parse HEAD)'")" "HEAD scanned anyway"
  assert_contains "$(cat "$(autoloop_dir)"/log/*.log)" "coverage: " "log"
}

test_functions_keep_their_identity_across_overloads_and_same_names() {
  metrics_repo ""
  {
    printf 'from typing import overload\n\nclass A:\n'; branchy_def "run(self, x)" 15 "    "
    printf 'class B:\n'; branchy_def "run(self, x)" 3 "    "
    branchy_def "parse(x)" 17
  } >app.py
  commit_all "first version"
  wait_for_scan
  # A class with its own `run` comes first, A.run falls, B.run rises, and parse gains @overload stubs
  # while falling from 17 to 12: each is reported as itself (it was "rose from 0 to 12" and a rise
  # and a fall of one `run`).
  {
    printf 'from typing import overload\n\nclass Z:\n'; branchy_def "run(self, x)" 2 "    "
    printf 'class A:\n'; branchy_def "run(self, x)" 3 "    "
    printf 'class B:\n'; branchy_def "run(self, x)" 15 "    "
    printf '@overload\ndef parse(x: int) -> int: ...\n@overload\ndef parse(x: str) -> str: ...\n'
    branchy_def "parse(x)" 12
  } >app.py
  commit_all "second version"
  wait_for_scan
  assert_eq "improvement A.run 15 3
regression B.run 3 15
improvement parse 17 12" "$(db_query "SELECT kind, name, CAST(old_value AS INT), CAST(new_value AS INT) FROM metric_events ORDER BY id" | tr '\t' ' ')" "events"
  assert_not_contains "$(db_query "SELECT detail FROM metric_events")" "from 0" "event details"
  assert_eq "Z.run/2 A.run/2 B.run/2 parse/1" \
    "$(db_query "SELECT identity FROM function_metrics WHERE commit_id = '$(git rev-parse HEAD)' ORDER BY start_line" | tr '\n' ' ' | sed 's/ $//')" \
    "stored identities (the stubs are folded)"
  assert_eq "1" "$(db_query "SELECT count(*) FROM opportunities WHERE rule_id = 'autoloop/complexity-regression' AND status = 'open'")" \
    "open regression suggestions (B.run)"
}

run_test "doubling a function's complexity is a regression (suggestion + hook line); lowering it an improvement" test_doubling_complexity_is_a_regression_and_lowering_it_an_improvement
run_test "new security findings are announced by the next hook" test_new_security_findings_are_announced_by_the_next_hook
run_test "functions keep their identity across @overload stubs and same names in other classes (issue 12)" test_functions_keep_their_identity_across_overloads_and_same_names
run_test "coverage (lcov, Cobertura) is recorded per commit; a broken report is logged" test_coverage_is_recorded_per_commit
finish
