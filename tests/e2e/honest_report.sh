#!/bin/bash
# An honest report (issue 16 §9) on a repository whose history is longer than what the loop scanned: the
# range starts at the first scanned commit, not at the root; the quality totals compare the files measured
# at both ends (not "0 → N" as files are first touched); a function made worse twice is one regressed
# function; the hook's time is what each commit paid (exec to exit), labelled so; and no sweep is
# suggested for findings no drain can fix.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# module N [IFS]: mN.py with one function fN of IFS `if`s (default 1).
module() {
  local i
  { printf 'def f%s(x):\n' "$1"; for ((i = 1; i <= ${2:-1}; i++)); do printf '    if x == %d:\n        return %d\n' "$i" "$i"; done; printf '    return 0\n'; } >"m$1.py"
}

# A history of 12 commits made before the loop was installed, then 3 commits with the hooks, then a
# `scan --all` of HEAD (which measures every file there).
long_history() {
  new_repo
  local n
  for n in 0 1 2 3 4 5 6 7 8 9; do
    module "$n"
    commit_all "module $n"
  done
  echo "readme" >README
  commit_all "readme"
  echo "more" >>README
  commit_all "readme again"
  install_autoloop --no-config-file
  manual_drains
  FIRST_SCANNED=
  # A: m1 a little more complex; a fixable cluster (compare-to-none) and one no drain can fix (eval-exec,
  # a suggestion) in pkg/.
  module 1 2
  mkdir pkg
  for n in a b c; do
    printf 'def %s(x):\n    if x == None:\n        return 1\n    return 2\n' "$n" >"pkg/fix_$n.py"
    printf 'def run_%s(expr):\n    return eval(expr)\n' "$n" >"pkg/eval_$n.py"
  done
  commit_all "A"
  FIRST_SCANNED=$(git rev-parse HEAD)
  wait_for_scan
  module 2 11 # B: f2 crosses metrics.complexity_threshold (10): a regression
  commit_all "B"
  wait_for_scan
  module 2 17 # C: f2 rises by 6 more (metrics.complexity_delta 5): the same function regresses again
  module new 1
  commit_all "C"
  wait_for_scan
  expect_rc 0 git autoloop scan --all
}

test_range_starts_where_scanning_started() {
  long_history
  run_cmd git autoloop report
  assert_eq "0" "$RC" "report exit status"
  assert_contains "$OUT" "range:  main at $(git rev-parse --short=10 HEAD), 3 commits (3 scanned), from the first scanned commit $(git rev-parse --short=10 "$FIRST_SCANNED") (15 in the history; \`--since REV\` for others)" "range"
  # --since still chooses the range.
  run_cmd git autoloop report --since HEAD~5
  assert_contains "$OUT" ", 5 commits (3 scanned) since HEAD~5" "range with --since"
  run_cmd git autoloop report --format json
  validate_report_json <(printf '%s' "$OUT") || fail "the JSON report does not validate against docs/report.schema.json"
  assert_eq "first_scan $FIRST_SCANNED 15 3" "$(pyjson 'd["range"]["start"] + " " + d["range"]["first_commit"] + " " + str(d["range"]["history"]) + " " + str(d["range"]["commits"])' <<<"$OUT")" "JSON range"
}

test_totals_like_for_like() {
  long_history
  run_cmd git autoloop report
  local a c before after
  a=$(git rev-parse --short=10 "$FIRST_SCANNED")
  c=$(git rev-parse --short=10 HEAD)
  # Compared: m1 (measured by A's scan and at HEAD), and m0, m3..m9 and the six files of pkg/ (unchanged
  # since A: `scan --all` measured the same content). m2 changed before it was first measured, and
  # mnew.py is new: both left out.
  assert_contains "$OUT" "like for like: the 15 files measured at both commits (left out: 2 measured only at $c)" "comparison"
  assert_contains "$OUT" "$(printf 'quality %23s %10s   trend' "$a" "$c")" "quality header"
  # Nothing compared changed between A and HEAD: every total stays, where carrying figures forward from
  # the first scan alone would have shown them all rise.
  before=$(db_query "SELECT SUM(complexity_total) FROM file_metrics WHERE commit_id = '$(git rev-parse HEAD)' AND path NOT IN ('m2.py', 'mnew.py')")
  after=$before
  assert_contains "$OUT" "$(printf '  %-18s %10s %10s   → 0' "complexity total" "$before" "$after")" "complexity total, like for like"
  assert_contains "$OUT" "$(printf '  %-18s %10s %10s   → 0' "functions" 15 15)" "functions, like for like"
  local naive
  naive=$(db_query "SELECT SUM(complexity_total) FROM file_metrics WHERE commit_id = '$FIRST_SCANNED'")
  assert_not_contains "$OUT" "$(printf '  %-18s %10s' "complexity total" "$naive")" "the total of only what A's scan measured"
}

test_regressions_per_function() {
  long_history
  assert_eq "2" "$(db_query "SELECT COUNT(*) FROM metric_events WHERE kind = 'regression' AND name = 'f2'")" "regression events of f2"
  run_cmd git autoloop report
  assert_contains "$OUT" "complexity   1 function regressed (2 times), 0 improved;" "regressions counted per function"
  run_cmd git autoloop report --format json
  assert_eq "1 2" "$(pyjson 'str(d["improvement"]["regressed_functions"]) + " " + str(d["improvement"]["regression_events"])' <<<"$OUT")" "JSON regressions"
}

test_hook_time_is_what_the_commit_paid() {
  long_history
  # One more commit lets the worker record what the previous hooks cost (each hook appends it as it ends).
  echo "x = 1" >late.py
  commit_all "D"
  wait_for_scan
  local per_commit own
  per_commit=$(db_query "SELECT COUNT(*) FROM runs WHERE kind = 'hook-commit:post-commit'")
  [ "$per_commit" -ge 3 ] || fail "hook costs recorded: $per_commit, expected at least 3"
  # Exec to exit includes the hook's own work, plus the start of the process and of the worker: commit by
  # commit (both in commit order), what the commit paid is more than the hook's own work.
  own=$(db_query "SELECT duration_ms FROM runs WHERE kind = 'hook:post-commit' ORDER BY started_at")
  paid=$(db_query "SELECT duration_ms FROM runs WHERE kind = 'hook-commit:post-commit' ORDER BY started_at")
  paste <(head -n "$per_commit" <<<"$own") - <<<"$paid" | awk -F'\t' '{ if (!($2 > $1)) bad = 1 } END { exit bad }' \
    || fail "a commit paid no more than the hook's own work: $(paste <(echo "$own") <(echo "$paid") | tr '\n' ' ')"
  run_cmd git autoloop status
  assert_contains "$OUT" "hook time:  median " "status"
  assert_contains "$OUT" " ms per commit over the last $per_commit (the hook from exec to exit, its own work " "status"
  assert_contains "$OUT" "git's start of any hook not included)" "status"
  run_cmd git autoloop report
  assert_contains "$OUT" "hooks        per commit p50 " "report"
  assert_contains "$OUT" "($per_commit commits; the hook from exec to exit" "report"
  assert_contains "$OUT" "the hook's own work, up to its record)" "report"
}

test_no_sweep_that_cannot_be_fixed() {
  long_history
  run_cmd git autoloop report
  assert_contains "$OUT" "python/compare-to-none: 3 open in pkg/" "the fixable cluster"
  assert_contains "$OUT" "git autoloop drain --sweep python/compare-to-none pkg/" "its sweep"
  assert_eq "3" "$(db_query "SELECT COUNT(*) FROM opportunities WHERE rule_id = 'python/eval-exec' AND status = 'open'")" "open eval-exec findings"
  assert_not_contains "$OUT" "python/eval-exec: 3 open" "no sweep of suggestions"
}

run_test "the range starts at the first scanned commit (or --since)" test_range_starts_where_scanning_started
run_test "totals compare the files measured at both ends" test_totals_like_for_like
run_test "regressions are counted per function" test_regressions_per_function
run_test "the hook's time is what each commit paid, labelled" test_hook_time_is_what_the_commit_paid
run_test "no sweep is suggested for findings no drain can fix" test_no_sweep_that_cannot_be_fixed
finish
