#!/bin/bash
# The loop keeps going and says why (issue 16, items 3 and 9): a drain first scans what the hooks recorded
# (waiting for a scan under way rather than racing it); one failed fix does not pause the loop, the circuit
# breaker judges a window of recent attempts; every failure shows its reason in the drain's output, `status`,
# `queue --status failed` (with the tests' last lines) and `review`; a paused drain exits 7; a drain that
# proposes nothing, or cannot run, says why and what to run.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A repository with one plain commit, hooks installed, drains only by hand (see manual_drains in lib.sh).
loop_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains "$@"
}

# py NAME: a Python file with one python/compare-to-none finding (a safe fix: `==` becomes `is`).
py() { printf 'def %s(x):\n    if x == None:\n        return 1\n    return 2\n' "${1%.py}" >"$1"; }

# A test command outside the repository: it fails, printing like a test runner, once a file named
# special*.py holds `is None` (that is, once its fix is applied).
write_tests() {
  cat >"$E2E_TEST_DIR/tests.sh" <<'EOF'
#!/bin/sh
echo "collected 3 items"
for f in special*.py; do
  [ -e "$f" ] || continue
  if grep -q "is None" "$f"; then
    echo "test_$f FAILED"
    echo "AssertionError: $f must keep its == None"
    exit 1
  fi
done
echo "3 passed"
EOF
  chmod +x "$E2E_TEST_DIR/tests.sh"
}

test_drain_scans_what_the_hooks_recorded() {
  loop_repo
  # A scan under way (the lock held): the commit's own worker finds it busy and leaves its event spooled.
  local lock
  lock="$(autoloop_dir)/scan.lock"
  flock "$lock" sleep 2 &
  local holder=$!
  until ! flock -n "$lock" true; do sleep 0.02; done
  py a.py
  commit_all "one finding"
  assert_eq "1" "$(spool_count)" "hook events spooled while the scan lock is held"

  # The drain waits for the scan under way, then scans the event itself: the new commit's finding is fixed.
  local started=$SECONDS
  expect_rc 0 git autoloop drain --now --foreground
  wait "$holder"
  [ $((SECONDS - started)) -ge 1 ] || fail "the drain did not wait for the scan lock"
  assert_contains "$OUT" "1 new fix"
  assert_eq "0" "$(spool_count)" "hook events left after the drain"
  assert_eq "1" "$(side_commits | grep -c .)" "fixes on autoloop/main"
  assert_not_contains "$(git autoloop status)" "waiting to be scanned" "status after the drain"

  # Right after a commit, with nothing held: the drain finds the commit's finding whether the worker or the
  # drain scanned it.
  py b.py
  commit_all "another finding"
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "1 new fix"
  assert_eq "2" "$(side_commits | grep -c .)" "fixes on autoloop/main"
}

test_one_failed_fix_shows_why_and_the_loop_goes_on() {
  write_tests
  loop_repo "" "test_command: \"$E2E_TEST_DIR/tests.sh\""
  py special.py
  commit_all "a finding whose fix the tests refuse"
  wait_for_scan
  local id
  id=$(db_query "SELECT id FROM opportunities WHERE path = 'special.py'")

  # The drain: one failed, with its reason; not paused (one attempt < rollback_min_attempts); exit 0.
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "0 new fixes, 0 kept, 1 failed"
  assert_contains "$OUT" "failed: #$id python/compare-to-none special.py:2: tests_failed: exit 1"
  assert_contains "$OUT" "the loop goes on"
  assert_not_contains "$OUT" "rolled back"
  assert_eq "failed" "$(opportunity_status "$id")" "status of the refused finding"

  # status: running, and the failure with its reason.
  local status
  status=$(git autoloop status)
  assert_contains "$status" "loop:       running"
  assert_contains "$status" "refused:    #$id python/compare-to-none special.py:2: tests_failed: exit 1"

  # queue --status failed: the reason, and the tests' last lines.
  expect_rc 0 git autoloop queue --status failed
  assert_contains "$OUT" "special.py:2:"
  assert_contains "$OUT" "refused: tests_failed: exit 1"
  assert_contains "$OUT" "      | test_special.py FAILED"
  assert_contains "$OUT" "      | AssertionError: special.py must keep its == None"
  assert_eq "AssertionError: special.py must keep its == None" \
    "$(git autoloop queue --status failed --format json | pyjson 'd[0]["output_tail"][-1]')" "output_tail in JSON"

  # review: nothing to review, and why.
  expect_rc 0 git autoloop review --list
  assert_contains "$OUT" "0 fixes waiting for review"
  assert_contains "$OUT" "refused: #$id python/compare-to-none special.py:2: tests_failed"
  run_cmd git autoloop review </dev/null
  assert_contains "$OUT$ERR" "no fixes waiting for review"
  assert_contains "$OUT$ERR" "tests_failed"

  # The loop goes on: the next finding is fixed by the next drain.
  py good.py
  commit_all "a finding whose fix passes"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "1 new fix"
  assert_eq "$(db_query "SELECT id FROM opportunities WHERE path = 'good.py'")" "$(side_opportunities)" "fixes on autoloop/main"
}

test_one_failed_fix_among_many_with_the_defaults() {
  # The defaults (rollback_threshold 0.95, rollback_window 20, rollback_min_attempts 5): one refused fix among
  # seven attempts is the tests doing their job, not the loop failing: the six good fixes are published, the
  # refusal's reason is shown, the loop is not paused.
  write_tests
  loop_repo "" "test_command: \"$E2E_TEST_DIR/tests.sh\""
  local f
  for f in a b c d e f; do py "$f.py"; done
  py special.py
  commit_all "six good findings, one whose fix the tests refuse"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground --max 10
  assert_contains "$OUT" "6 new fixes, 0 kept, 1 failed"
  assert_contains "$OUT" "failed: #$(db_query "SELECT id FROM opportunities WHERE path = 'special.py'") python/compare-to-none special.py:2: tests_failed: exit 1"
  assert_contains "$OUT" "the loop goes on"
  assert_not_contains "$OUT" "paused"
  assert_not_contains "$OUT" "rolled back"
  assert_eq "6" "$(side_commits | grep -c .)" "fixes on autoloop/main"
  assert_eq "$(db_query "SELECT id FROM opportunities WHERE path != 'special.py' ORDER BY id")" "$(side_opportunities)" "the good fixes published"
  assert_not_contains "$(git autoloop status)" "paused"
  assert_contains "$(git autoloop status)" "loop:       running"
}

test_breaker_judges_a_window_and_a_paused_drain_exits_7() {
  write_tests
  loop_repo "" "test_command: \"$E2E_TEST_DIR/tests.sh\"
safety_settings: {rollback_min_attempts: 4, rollback_window: 10}"
  py a.py
  py special1.py
  commit_all "one good, one failing"
  wait_for_scan
  # Two attempts, one failed: one failure is never a trend, the good fix is published.
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "1 new fix, 0 kept, 1 failed"
  assert_eq "1" "$(side_commits | grep -c .)" "fixes after the first cycle"

  # Two more, one failing: 2 of the 4 recent attempts failed, more than 95% of a window of 10 allows (0):
  # the cycle's good fix is still published, then the loop pauses, exit 7.
  py b.py
  py special2.py
  commit_all "one more good, one more failing"
  wait_for_scan
  expect_rc 7 git autoloop drain --now --foreground
  assert_contains "$OUT" "1 new fix, 1 kept, 1 failed"
  assert_contains "$OUT" "the loop pauses: cycle"
  assert_contains "$OUT" "2 of the last 4 attempts failed; rollback_threshold 95% allows 0 in rollback_window 10"
  assert_not_contains "$OUT" "rolled back"
  assert_contains "$OUT" "failed: #$(db_query "SELECT id FROM opportunities WHERE path = 'special2.py'") python/compare-to-none special2.py:2: tests_failed"
  assert_contains "$OUT" "the loop is paused: \`git autoloop queue --status failed\` shows what failed; \`git autoloop resume\` goes on"
  assert_eq "$(db_query "SELECT id FROM opportunities WHERE path IN ('a.py', 'b.py') ORDER BY id")" "$(side_opportunities)" "the good fixes published"
  assert_contains "$(git autoloop status)" "paused (cycle"
  assert_contains "$(git autoloop queue --status failed)" "the loop is paused"

  # Paused: a drain says so, and what to run, and exits 7.
  py c.py
  commit_all "a finding while paused"
  wait_for_scan
  expect_rc 7 git autoloop drain --now --foreground
  assert_contains "$OUT$ERR" "drain skipped: paused: cycle"
  assert_contains "$OUT$ERR" "\`git autoloop resume\` goes on"
  assert_eq "2" "$(side_commits | grep -c .)" "fixes while paused"

  # Resumed: the window starts afresh, the next good fix is published.
  expect_rc 0 git autoloop resume
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "1 new fix"
  assert_eq "3" "$(side_commits | grep -c .)" "fixes after resume"
}

test_a_drain_that_proposes_nothing_says_why() {
  loop_repo "safety_level: high"
  # Nothing open.
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "0 new fixes"
  assert_contains "$OUT" "nothing new proposed:
    no open findings on this branch"

  # An unsafe fix at safety_level high, and a suggestion no rule fixes.
  printf "const mode = 'fast';\nif (mode == 'slow') { run(); }\n" >v.js
  printf 'import sys\nvalue = eval(sys.argv[1])\n' >e.py
  commit_all "one unsafe finding, one suggestion"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "0 new fixes"
  assert_contains "$OUT" "1 finding needs safety_level: medium (it is high)"
  assert_contains "$OUT" "is a suggestion only: no rule fixes it automatically"
  local status
  status=$(git autoloop status)
  assert_contains "$status" "proposed:   cycle"
  assert_contains "$status" "needs safety_level: medium (it is high)"
  expect_rc 0 git autoloop review --list
  assert_contains "$OUT" "proposed nothing"
}

test_untrusted_and_stopped_drains_say_what_to_run() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains
  printf 'test_command: "true"\n' >.autoloop.yml
  py a.py
  commit_all "a shared test_command and a finding"
  wait_for_scan
  # test_command comes from the repository and is not trusted: the fix waits, and the drain says what to run.
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "0 new fixes"
  assert_contains "$OUT" "1 fix needs test_command, which is not trusted: read .autoloop.yml, then \`git autoloop trust\`"
  expect_rc 0 git autoloop trust
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "1 new fix"

  # Stopped: skipped, with the command that starts it again.
  expect_rc 0 git autoloop stop
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT$ERR" "drain skipped: stopped by \`git autoloop stop\`"
  assert_contains "$OUT$ERR" "; \`git autoloop resume\`"
  expect_rc 0 git autoloop resume
  AUTOLOOP=0 expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT$ERR" "drain skipped: AUTOLOOP=0 is set; unset AUTOLOOP"
}

run_test "a drain first scans what the hooks recorded, waiting for a scan under way" test_drain_scans_what_the_hooks_recorded
run_test "one failed fix: its reason in drain, status, queue and review; the loop goes on" test_one_failed_fix_shows_why_and_the_loop_goes_on
run_test "with the defaults, one failed fix among seven attempts: the six good ones published, not paused" test_one_failed_fix_among_many_with_the_defaults
run_test "the breaker judges a window of attempts; a paused drain exits 7 and says what to run" test_breaker_judges_a_window_and_a_paused_drain_exits_7
run_test "a drain that proposes nothing says why" test_a_drain_that_proposes_nothing_says_why
run_test "untrusted and stopped drains say what to run" test_untrusted_and_stopped_drains_say_what_to_run
finish
