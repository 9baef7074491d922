#!/bin/bash
# The drain (docs/ARCHITECTURE.md §1, §7.3): one cycle turns at most max_improvements_per_cycle open findings into fix
# commits on autoloop/<branch>, one opportunity per commit, each size-capped, re-parsed and tested in a private
# worktree; the user's work tree, index and HEAD are never touched. A fix that breaks the tests is left out of
# its batch (tests_failed); a cycle whose failures put the recent attempts over what rollback_threshold allows
# publishes its good fixes, then pauses the loop (tests/e2e/keeps_going.sh: one failure alone never does).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A repository with one plain commit, hooks installed, drains only by hand (see manual_drains in lib.sh).
drain_repo() {
  new_repo
  printf '*.log\n__pycache__/\n' >.gitignore
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains "$@"
}

# py NAME [OP]: a Python file with one python/compare-to-none finding (`x OP None` in an if condition).
py() { printf 'def %s(x):\n    if x %s None:\n        return 1\n    return 2\n' "${1%.py}" "${2:-==}" >"$1"; }
# js NAME: one javascript/no-debugger finding (a top-level statement).
js() { printf 'debugger;\nstart_%s();\n' "${1%.js}" >"$1"; }
# cpp NAME: one cpp/null-to-nullptr finding.
cpp() { printf 'int* %s() {\n  int* p = NULL;\n  return p;\n}\n' "${1%.cpp}" >"$1"; }
# typedef NAME: one cpp/typedef-to-using finding.
typedef() { printf 'namespace %s {\ntypedef unsigned long size_type;\n}\n' "${1%.cpp}" >"$1"; }

# A test command (a script outside the repository): every .py must compile, no .py may contain BREAKME.
# It logs the directory it ran in and sleeps a little (CHECK_SLEEP, default $1) so that the drain can be
# watched while it runs.
write_check_script() {
  cat >"$E2E_TEST_DIR/check.sh" <<EOF
#!/bin/sh
pwd >>"$E2E_TEST_DIR/test-runs.log"
sleep "\${CHECK_SLEEP:-${1:-0}}"
for f in \$(find . -name '*.py' ! -path './.git/*'); do
  "$PYTHON" -m py_compile "\$f" || exit 1
done
! grep -rq --include='*.py' BREAKME .
EOF
  chmod +x "$E2E_TEST_DIR/check.sh"
}

test_five_of_eight_with_dirty_tree() {
  write_check_script 0.4
  drain_repo "max_improvements_per_cycle: 5" "test_command: \"$E2E_TEST_DIR/check.sh\"
safety_settings: {max_change_size: 10}"
  py p1.py
  py p2.py '!='
  printf 'def first(x):\n    if x == None:\n        return 1\n\n\n\n\n\n\n\ndef last():\n    return 2\n' >partial.py
  js j1.js
  cpp c1.cpp
  cpp c2.cpp
  typedef t1.cpp
  typedef t2.cpp
  commit_all "eight findings"
  wait_for_scan
  assert_eq "8" "$(db_query "SELECT count(*) FROM opportunities WHERE status = 'open'")" "open findings after the commit"

  # The messy everyday state: untracked files (one would fail the tests), an ignored file, an unstaged
  # change to a file with a finding, and a partially staged file (first hunk staged, last one not).
  printf 'def broken(:\n    BREAKME\n' >scratch.py
  echo "noise" >debug.log
  printf '\n// local edit\n' >>c1.cpp
  printf 'def first(x):\n    if x == None:\n        return 10\n\n\n\n\n\n\n\ndef last():\n    return 20\n' >partial.py
  git diff -U0 partial.py | "$PYTHON" -c '
import sys
head, _, rest = sys.stdin.read().partition("\n@@")
sys.stdout.write(head + "\n" + ("@@" + rest).split("\n@@")[0] + "\n")' >"$E2E_TEST_DIR/first-hunk.patch"
  git apply --cached --unidiff-zero "$E2E_TEST_DIR/first-hunk.patch"
  [ -n "$(git diff --cached --name-only)" ] && [ -n "$(git diff --name-only -- partial.py)" ] || fail "partial.py is not partially staged"

  local before during after main_before
  main_before=$(git rev-parse main)
  before=$(snapshot)
  git autoloop drain --now --foreground >"$E2E_TEST_DIR/drain.out" 2>&1 &
  local pid=$!
  local deadline=$((SECONDS + 30))
  until [ -s "$E2E_TEST_DIR/test-runs.log" ]; do
    [ $SECONDS -lt $deadline ] || fail "test_command never started"
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  during=$(snapshot)
  wait "$pid" || fail "drain failed: $(cat "$E2E_TEST_DIR/drain.out")"
  after=$(snapshot)
  assert_eq "$before" "$during" "snapshot while the drain runs its tests"
  assert_eq "$before" "$after" "snapshot after the drain"
  assert_contains "$(cat "$E2E_TEST_DIR/drain.out")" "5 new fixes"
  assert_eq "$main_before" "$(git rev-parse main)" "main"

  # Exactly five fix commits, a linear chain right on top of main, each one opportunity in one file.
  # The tests ran in the repository's validation worktree under the user's cache directory (outside
  # the repository, no dot-directory on the way), one place for every run, kept for the next cycle.
  local run runs
  runs=$(sort -u "$E2E_TEST_DIR/test-runs.log")
  assert_eq "1" "$(echo "$runs" | grep -c .)" "places the tests ran in"
  for run in $runs; do
    case $run in
    "$XDG_CACHE_HOME/git-autoloop/worktrees/"*/tree) ;;
    *) fail "test_command ran in $run, not in the validation worktree" ;;
    esac
    case $run in */.*) fail "the validation worktree $run has a dot-directory in its path" ;; esac
  done
  assert_eq "2" "$(git worktree list --porcelain | grep -c '^worktree ')" "worktrees registered (the user's and the validation one)"
  assert_contains "$(git worktree list --porcelain)" "worktree $runs" "the validation worktree's registration"
  assert_eq "" "$(ls -A "$(autoloop_dir)/worktrees" 2>/dev/null)" "private worktrees left under .git/autoloop"

  local commits c n=0
  commits=$(side_commits)
  assert_eq "5" "$(echo "$commits" | grep -c .)" "commits on main..autoloop/main"
  assert_eq "$main_before" "$(git rev-parse "$(echo "$commits" | head -1)^")" "parent of the first fix"
  assert_eq "0" "$(git rev-list --merges --count main..autoloop/main)" "merges on the side branch"
  for c in $commits; do
    assert_fix_commit "$c" 10
    assert_contains "$(git log -1 --format='%(trailers:key=Autoloop-Validated,valueonly)' "$c")" "tests" "Autoloop-Validated of $c"
    local id path
    id=$(git log -1 --format='%(trailers:key=Autoloop-Opportunity,valueonly)' "$c" | head -1)
    path=$(db_query "SELECT path FROM opportunities WHERE id = $id")
    assert_eq "$path" "$(git show --format= --name-only "$c")" "file changed by the fix for opportunity $id"
    assert_eq "applied" "$(opportunity_status "$id")" "status of opportunity $id"
    # Each fix, checked out on its own, passes the same test command.
    rm -rf "$E2E_TEST_DIR/export"
    mkdir "$E2E_TEST_DIR/export"
    git archive "$c" | tar -x -C "$E2E_TEST_DIR/export"
    (cd "$E2E_TEST_DIR/export" && CHECK_SLEEP=0 "$E2E_TEST_DIR/check.sh" >/dev/null 2>&1) || fail "fix $c fails test_command"
    n=$((n + 1))
  done
  assert_eq "5" "$n"
  assert_eq "$(db_query "SELECT id FROM opportunities WHERE status = 'applied' ORDER BY id")" "$(side_opportunities)" "applied opportunities vs the side branch"
  assert_eq "3" "$(db_query "SELECT count(*) FROM opportunities WHERE status = 'open'")" "findings left open"

  assert_eq "$before" "$(snapshot)" "snapshot at the end"
}

test_pending_fix_replayed_when_the_branch_moves() {
  drain_repo
  py a.py
  commit_all "finding"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  local id
  id=$(db_query "SELECT id FROM opportunities WHERE path = 'a.py'")
  # The user edits the same file above the finding: the pending fix moves with a three-way merge.
  { printf 'import os\n\n\n'; cat a.py; printf '\n\ndef other():\n    return os.sep\n'; } >a.new && mv a.new a.py
  commit_all "more code in a.py"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "$id" "$(side_opportunities)" "fixes waiting on the side branch"
  local fix
  fix=$(side_commits | head -1)
  assert_eq "$(git rev-parse main)" "$(git rev-parse "$fix^")" "the rebuilt fix sits on the new tip"
  assert_contains "$(git show "$fix:a.py")" "    if x is None:" "the fix"
  assert_contains "$(git show "$fix:a.py")" "def other():" "the user's change kept"
  assert_eq "1" "$(git diff --numstat "$fix^" "$fix" -- a.py | awk '{print $1}')" "lines the fix adds"
  assert_contains "$(cat "$(autoloop_dir)"/log/*.log)" "fix #$id on a.py: replayed onto" "log"
  # When the user made the same change by hand, the fix is gone (resolved), not proposed twice.
  sed -i 's/x == None/x is None/' a.py
  commit_all "fixed by hand"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "" "$(side_opportunities)" "fixes waiting after the hand fix"
  assert_eq "resolved" "$(opportunity_status "$id")" "status"
}

test_delete_indented_statement() {
  # javascript/no-debugger deletes the statement with its line. Inside a block the deleted line's indentation
  # equals the next line's, so the change can be aligned several ways; it is still inside the finding's line.
  drain_repo
  printf 'function f() {\n  debugger;\n  return 1;\n}\n' >f.js
  commit_all "debugger in a function"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "applied" "$(db_query "SELECT outcome || coalesce(' (' || detail || ')', '') FROM attempts")" "attempt of the no-debugger fix"
  assert_eq "1" "$(side_commits | grep -c .)" "fixes"
  assert_fix_commit "$(side_ref)"
  assert_eq 'function f() {
  return 1;
}' "$(git show autoloop/main:f.js)" "f.js fixed"
}

test_size_cap() {
  drain_repo "" "safety_settings: {max_change_size: 1}"
  py a.py
  cpp b.cpp
  commit_all "two findings"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "" "$(side_ref)" "side branch (every fix changes 2 lines > max_change_size 1)"
  assert_eq "too_large
too_large" "$(db_query "SELECT outcome FROM attempts ORDER BY id")" "attempt outcomes"
  assert_eq "failed
failed" "$(db_query "SELECT status FROM opportunities ORDER BY id")" "opportunity statuses"
}

# A test command that fails when special.py holds `is None` (i.e. once its fix is applied).
special_test_command() { echo 'test_command: "! grep -q \"is None\" special.py"'; }

test_failing_fix_left_out_of_its_batch() {
  drain_repo "" "$(special_test_command)
safety_settings: {rollback_threshold: 0.5}"
  py a.py
  py b.py
  py c.py
  py special.py
  commit_all "four findings"
  wait_for_scan
  local special
  special=$(db_query "SELECT id FROM opportunities WHERE path = 'special.py'")
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "3 new fixes"
  assert_contains "$OUT" "1 failed"

  local c files=""
  for c in $(side_commits); do
    assert_fix_commit "$c"
    files="$files $(git show --format= --name-only "$c")"
  done
  assert_eq " a.py b.py c.py" "$(echo "$files" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" "files fixed on the side branch"
  assert_eq "$(db_query "SELECT id FROM opportunities WHERE path != 'special.py' ORDER BY id")" "$(side_opportunities)" "opportunities on the side branch"
  assert_eq "failed" "$(opportunity_status "$special")" "status of the fix that breaks the tests"
  assert_eq "tests_failed" "$(db_query "SELECT group_concat(outcome) FROM attempts WHERE opportunity_id = $special")" "attempts of the breaking fix"
  assert_eq "applied applied applied" "$(db_query "SELECT outcome FROM attempts WHERE opportunity_id != $special ORDER BY id" | tr '\n' ' ' | sed 's/ $//')" "attempts of the others"
  assert_eq "done	3	1	0" "$(db_query "SELECT state, applied, failed, rolled_back FROM cycles ORDER BY id DESC LIMIT 1")" "the cycle"
  assert_not_contains "$(git autoloop status)" "paused"

  # The failed fix is not retried by the next cycle; the others are kept.
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "$(db_query "SELECT id FROM opportunities WHERE path != 'special.py' ORDER BY id")" "$(side_opportunities)" "side branch after one more cycle"
  assert_eq "tests_failed" "$(db_query "SELECT group_concat(outcome) FROM attempts WHERE opportunity_id = $special")" "attempts of the breaking fix after one more cycle"
}

test_rollback_pauses_the_loop() {
  drain_repo "" "test_command: \"! grep -q 'is None' special*.py\"
safety_settings: {rollback_min_attempts: 4}"
  py a.py
  commit_all "one finding"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "1" "$(side_commits | grep -c .)" "fixes after the first cycle"

  # Two of four new fixes break the tests: 2 of the last 5 attempts failed, over the 1 that rollback_threshold
  # 95% allows in a window of 20. The two good fixes are published all the same; then the loop pauses.
  py b.py
  py c.py
  py special.py
  py special2.py
  commit_all "four more"
  wait_for_scan
  expect_rc 7 git autoloop drain --now --foreground
  assert_contains "$OUT" "2 new fixes, 1 kept, 2 failed"
  assert_contains "$OUT" "the loop pauses: cycle"
  assert_contains "$OUT" "2 of the last 5 attempts failed; rollback_threshold 95% allows 1 in rollback_window 20"
  assert_not_contains "$OUT" "rolled back"
  local checkpoint
  checkpoint=$(side_ref)
  assert_eq "3" "$(side_commits | grep -c .)" "fixes after the cycle that paused"
  assert_eq "0	2" "$(db_query "SELECT rolled_back, applied FROM cycles ORDER BY id DESC LIMIT 1")" "the cycle that paused"
  assert_eq "a.py applied
b.py applied
c.py applied
special.py failed
special2.py failed" "$(db_query "SELECT path, status FROM opportunities ORDER BY path" | tr '\t' ' ')" "statuses after the pause"
  local status
  status=$(git autoloop status)
  assert_contains "$status" "paused"
  assert_contains "$status" "rollback_threshold"

  # Paused: a drain does nothing (no cycle, side branch untouched) until resume.
  py d.py
  commit_all "one more"
  wait_for_scan
  local cycles
  cycles=$(db_query "SELECT count(*) FROM cycles")
  expect_rc 7 git autoloop drain --now --foreground
  assert_contains "$OUT$ERR" "paused"
  assert_eq "$cycles" "$(db_query "SELECT count(*) FROM cycles")" "cycles while paused"
  assert_eq "$checkpoint" "$(side_ref)" "side branch while paused"

  expect_rc 0 git autoloop resume
  local resumed="$OUT$ERR"
  assert_not_contains "$(git autoloop status)" "paused" "status after resume"
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "1 new fix"
  assert_eq "0" "$(db_query "SELECT rolled_back FROM cycles ORDER BY id DESC LIMIT 1")" "rolled_back of the cycle after resume"
  assert_eq "$(db_query "SELECT id FROM opportunities WHERE path NOT LIKE 'special%' ORDER BY id")" "$(side_opportunities)" "side branch after resume"
  git merge-base --is-ancestor main "$(side_ref)" || fail "the side branch is not on top of main"
  # resume did clear the pause: it must not claim there was nothing to resume.
  assert_not_contains "$resumed" "nothing to resume" "output of resume on a paused loop"
}

test_safety_level() {
  drain_repo
  py a.py
  printf "const mode = 'fast';\nif (mode == 'slow') { run(); }\n" >v.js
  commit_all "one safe and one unsafe finding"
  wait_for_scan
  local safe unsafe
  safe=$(db_query "SELECT id FROM opportunities WHERE rule_id = 'python/compare-to-none'")
  unsafe=$(db_query "SELECT id FROM opportunities WHERE rule_id = 'javascript/eqeqeq'")
  [ -n "$unsafe" ] || fail "no javascript/eqeqeq finding: $(queue_rows)"

  # high: safe rules only, even with tests.
  expect_rc 0 git autoloop -c autonomous_loop.safety_level=high -c test_command=true drain --now --foreground
  assert_eq "$safe" "$(side_opportunities)" "fixes at safety_level high"
  assert_eq "open" "$(opportunity_status "$unsafe")" "the unsafe finding at high"
  # medium without a test command: unsafe fixes still wait (they need tests that run).
  expect_rc 0 git autoloop -c autonomous_loop.safety_level=medium drain --now --foreground
  assert_eq "$safe" "$(side_opportunities)" "fixes at safety_level medium without tests"
  assert_eq "open" "$(opportunity_status "$unsafe")" "the unsafe finding at medium without tests"
  # medium with tests: the unsafe fix joins.
  expect_rc 0 git autoloop -c autonomous_loop.safety_level=medium -c test_command=true drain --now --foreground
  assert_eq "$(printf '%s\n%s' "$safe" "$unsafe" | sort -n)" "$(side_opportunities)" "fixes at safety_level medium with tests"
  assert_contains "$(git show autoloop/main:v.js)" "if (mode === 'slow')"
  local c
  for c in $(side_commits); do assert_fix_commit "$c"; done
}

# drain --preview: each queued fix as the drain would derive it at HEAD, through its gates, one JSON object a line;
# nothing is committed, the queue and the work tree stay as they were.
test_preview_changes_nothing() {
  drain_repo
  py a.py
  printf 'x = 1\n' >b.py
  commit_all "one finding"
  wait_for_scan
  local id before
  id=$(db_query "SELECT id FROM opportunities WHERE rule_id = 'python/compare-to-none'")
  [ -n "$id" ] || fail "no python/compare-to-none finding: $(queue_rows)"
  before=$(snapshot)
  expect_rc 0 git autoloop drain --preview "$id" 999999
  assert_eq "2" "$(printf '%s\n' "$OUT" | wc -l)" "lines of the preview (one per id)"
  local first second
  first=$(printf '%s\n' "$OUT" | sed -n 1p)
  second=$(printf '%s\n' "$OUT" | sed -n 2p)
  assert_eq "ok python/compare-to-none a.py 2" \
    "$(printf '%s' "$first" | pyjson '" ".join(map(str, (d["status"], d["rule"], d["path"], d["line"])))')" "the fix's preview"
  assert_eq "$(printf 'def a(x):\n    if x is None:\n        return 1\n    return 2\n')" \
    "$(printf '%s' "$first" | "$PYTHON" -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)["after"])')" \
    "the fixed file"
  assert_contains "$(printf '%s' "$first" | pyjson 'd["gates"]')" "native-check(python)" "gates of the preview"
  assert_eq "unknown False" "$(printf '%s' "$second" | pyjson '"%s %s" % (d["status"], "after" in d)')" "an unknown id"
  assert_eq "$before" "$(snapshot)" "the repository after --preview"
  assert_eq "" "$(side_ref)" "the side branch after --preview"
  assert_eq "open" "$(opportunity_status "$id")" "the finding's status after --preview"
  expect_rc 2 git autoloop drain --preview "$id" --sweep python/compare-to-none
}

run_test "a pending fix is replayed with a three-way merge when its file moves on; a hand fix resolves it" test_pending_fix_replayed_when_the_branch_moves
run_test "one drain: 5 of 8 findings fixed, one file and tests each, work tree untouched" test_five_of_eight_with_dirty_tree
run_test "a deleted statement inside a block passes the no-change-outside-the-finding check" test_delete_indented_statement
run_test "a fix larger than max_change_size is never committed" test_size_cap
run_test "a fix that breaks the tests is left out, the rest of its batch is kept" test_failing_fix_left_out_of_its_batch
run_test "a cycle over what rollback_threshold allows publishes its good fixes and pauses the loop until resume" test_rollback_pauses_the_loop
run_test "safety_level: high fixes safe rules only, medium adds unsafe ones when tests run" test_safety_level
run_test "drain --preview derives fixes through the gates and changes nothing" test_preview_changes_nothing
finish
