#!/bin/bash
# Issue 13 §7: sweeps of mechanical rules. `drain --sweep RULE [PATH...]` (and sweep.rules for the automatic
# drain) applies every queued finding of a mechanical rule as one commit per file, one rule per commit,
# through the same gates; review shows it as one unit of N fixes, accept applies all of it with one verdict
# per fix (a bulk accept, which never makes the rule trusted by itself), reject and git revert take all of
# it; a sweep the gates refuse leaves its findings queued, and they go one commit each from then on.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Two JavaScript files whose `var`s the scope analysis proves safe to turn into `let`: 4 in lib/a.js, 2 in
# lib/b.js (javascript/no-var, marked mechanical).
write_project() {
  mkdir -p lib
  cat >lib/a.js <<'EOF'
function area(w, h) {
  var width = w;
  var height = h;
  var result = width * height;
  var unused = 0;
  return result + unused;
}
module.exports = area;
EOF
  cat >lib/b.js <<'EOF'
function twice(x) {
  var y = x * 2;
  var z = y;
  return z;
}
module.exports = twice;
EOF
}

# sweep_repo [LOOP_KEYS] [YAML]: the project committed and scanned, drains manual (manual_drains).
sweep_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains "$@"
  write_project
  commit_all "vars"
  wait_for_scan
  assert_eq "6" "$(db_query "SELECT count(*) FROM opportunities WHERE rule_id = 'javascript/no-var' AND status = 'open'")" \
    "open javascript/no-var findings"
}

var_ids() { db_query "SELECT id FROM opportunities WHERE rule_id = 'javascript/no-var' AND path = '$1' ORDER BY start_line"; }

test_rule_is_mechanical() {
  sweep_repo
  expect_rc 0 git autoloop rules --format json
  assert_eq '[true, false]' "$(pyjson '[[r["mechanical"] for r in d if r["id"] == i][0] for i in ("javascript/no-var", "python/bare-except")]' <<<"$OUT")" \
    "mechanical of no-var, bare-except"
  expect_rc 0 git autoloop rules
  assert_contains "$(grep '^javascript/no-var ' <<<"$OUT")" "safe+mech"
  # Only a mechanical rule may be swept.
  expect_rc 2 git autoloop drain --sweep python/bare-except --foreground
  assert_contains "$ERR" "not a mechanical rule"
  assert_eq "" "$(side_commits)" "side branch after a refused --sweep"
}

test_sweep_accept_and_revert() {
  sweep_repo
  local ids c
  ids=$(var_ids lib/a.js | tr '\n' ' ')
  expect_rc 0 git autoloop drain --sweep javascript/no-var lib/a.js --foreground
  assert_contains "$OUT" "1 new sweep commit"
  c=$(side_commits)
  assert_eq "1" "$(grep -c . <<<"$c")" "commits on the side branch"
  assert_eq "autoloop(javascript/no-var): sweep of 4 findings in lib/a.js" "$(git log -1 --format=%s "$c")" "subject"
  assert_eq "lib/a.js" "$(git diff-tree --no-commit-id --name-only -r "$c")" "files of the sweep"
  assert_eq "4" "$(git log -1 --format='%(trailers:key=Autoloop-Sweep,valueonly)' "$c" | sed -n 1p)" "Autoloop-Sweep"
  assert_eq "${ids% }" "$(git log -1 --format='%(trailers:key=Autoloop-Sweep-Opportunities,valueonly)' "$c" | sed -n 1p)" \
    "Autoloop-Sweep-Opportunities"
  assert_contains "$(git log -1 --format='%(trailers:key=Autoloop-Validated,valueonly)' "$c")" "sweep-size<=300"
  assert_not_contains "$(git show "$c:lib/a.js")" "var "
  # Only the path asked for: lib/b.js's findings wait in the queue.
  assert_eq "open open" "$(db_query "SELECT status FROM opportunities WHERE path = 'lib/b.js'" | tr '\n' ' ' | sed 's/ $//')" \
    "lib/b.js findings"
  assert_eq "applied" "$(db_query "SELECT group_concat(DISTINCT status) FROM opportunities WHERE path = 'lib/a.js'")" "lib/a.js findings"

  # Review shows one unit holding four fixes.
  expect_rc 0 git autoloop review --list
  assert_contains "$OUT" "sweep of 4 fixes of javascript/no-var"
  assert_contains "$OUT" "1 fix waiting for review (sweeps hold 4 fixes)"
  expect_rc 0 git autoloop review --list --format json
  assert_eq '[4, true]' "$(pyjson '[d[0]["fixes"], d[0]["sweep"]]' <<<"$OUT")" "review json"

  # Accepting any of its findings accepts the whole sweep: one commit on main, one verdict per fix, in bulk.
  local last=${ids% }
  last=${last##* }
  expect_rc 0 git autoloop review --accept "$last"
  assert_contains "$OUT" "accepted the sweep"
  assert_eq "lib/a.js" "$(git diff-tree --no-commit-id --name-only -r HEAD)" "files of the accepted commit"
  assert_not_contains "$(cat lib/a.js)" "var "
  assert_eq $'4\t4' "$(db_query "SELECT count(*), sum(bulk) FROM verdicts WHERE verdict = 'accepted'")" "verdicts, bulk"
  assert_eq "accepted" "$(db_query "SELECT group_concat(DISTINCT status) FROM opportunities WHERE path = 'lib/a.js'")" "statuses"
  assert_eq "" "$(side_commits)" "side branch after the accept"

  # git revert of the accepted sweep reverts each of its fixes.
  expect_rc 0 git revert --no-edit HEAD
  wait_for_scan
  assert_eq "4" "$(db_query "SELECT count(*) FROM verdicts WHERE verdict = 'reverted'")" "revert verdicts"
  assert_eq "reverted" "$(db_query "SELECT group_concat(DISTINCT status) FROM opportunities WHERE path = 'lib/a.js'")" \
    "statuses after the revert"
}

test_switch_reject_and_bulk_does_not_promote() {
  # sweep.rules turns the automatic drain's fixes of the rule into sweeps; a low min_verdicts would make the
  # rule trusted after four fixes accepted one by one.
  sweep_repo "" "sweep: {rules: [javascript/no-var]}
feedback: {min_verdicts: 3, trusted_rate: 0.5, max_false_positive_rate: 0.9}"
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "2" "$(side_commits | grep -c .)" "sweep commits (one per file)"
  local b
  b=$(db_query "SELECT min(id) FROM opportunities WHERE rule_id = 'javascript/no-var' AND path = 'lib/b.js'")
  expect_rc 0 git autoloop review --reject "$b" --reason "not now"
  assert_contains "$OUT" "rejected the sweep #$b (2 fixes of javascript/no-var)"
  assert_eq "rejected" "$(db_query "SELECT group_concat(DISTINCT status) FROM opportunities WHERE path = 'lib/b.js'")" "lib/b.js"
  assert_eq "1" "$(side_commits | grep -c .)" "side branch after the reject"
  assert_eq "lib/a.js" "$(git diff-tree --no-commit-id --name-only -r "$(side_commits)")" "the sweep left"

  expect_rc 0 git autoloop review --accept-all
  assert_contains "$OUT" "bulk accept: 4 fixes of javascript/no-var in 1 commit"
  expect_rc 0 git autoloop rules --format json
  assert_eq '["learning", 4, 4]' \
    "$(pyjson '[[r["state"], r["counts"]["accepted"], r["counts"]["bulk_accepted"]] for r in d if r["id"] == "javascript/no-var"][0]' <<<"$OUT")" \
    "state, accepted, bulk_accepted of javascript/no-var"
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "accepted in bulk: javascript/no-var 4 of 4"
}

test_refused_sweep_falls_back_to_single_fixes() {
  # The tests need `var unused`: the sweep fails them as a whole, then alone only that fix is refused. With
  # the default breaker: a refused sweep is no failed fix (its findings are tried alone), the culprit is one.
  sweep_repo "" "test_command: grep -q 'var unused' lib/a.js"
  expect_rc 0 git autoloop drain --sweep javascript/no-var lib/a.js --foreground
  assert_eq "" "$(side_commits)" "side branch after the refused sweep"
  assert_eq "open" "$(db_query "SELECT group_concat(DISTINCT status) FROM opportunities WHERE path = 'lib/a.js'")" \
    "lib/a.js findings stay queued"
  assert_eq "4" "$(db_query "SELECT count(*) FROM attempts WHERE outcome = 'sweep_refused' AND detail LIKE 'tests_failed: sweep of 4 findings: %'")" \
    "sweep_refused attempts"
  expect_rc 0 git autoloop review --list
  assert_contains "$OUT" "sweep_refused: tests_failed: sweep of 4"
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "sweep_refused: tests_failed: sweep of 4"
  expect_rc 0 git autoloop queue --status open
  assert_contains "$OUT" "sweep_refused: tests_failed: sweep of 4"
  # Swept again? Never: the next drains propose them one commit each (one at a time: they share a function,
  # so each waits for the one before it to be reviewed), and only the culprit is refused.
  local i
  for i in 1 2 3 4; do
    expect_rc 0 git autoloop drain --now --foreground
    assert_not_contains "$(git log --format=%s main..autoloop/main)" "sweep of"
    [ -z "$(side_commits)" ] || expect_rc 0 git autoloop review --accept-all
  done
  assert_eq "accepted accepted accepted failed" \
    "$(db_query "SELECT status FROM opportunities WHERE path = 'lib/a.js' ORDER BY start_line" | tr '\n' ' ' | sed 's/ $//')" \
    "lib/a.js findings, the culprit (var unused) last"
}

run_test "javascript/no-var is mechanical; --sweep refuses a rule that is not" test_rule_is_mechanical
run_test "drain --sweep: one commit for a file's findings, reviewed, accepted and reverted as one unit" test_sweep_accept_and_revert
run_test "sweep.rules: one sweep per file; reject takes a sweep whole; a bulk accept does not make the rule trusted" test_switch_reject_and_bulk_does_not_promote
run_test "a sweep the tests refuse leaves its findings queued; alone, only the culprit is refused" test_refused_sweep_falls_back_to_single_fixes
finish
