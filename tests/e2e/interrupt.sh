#!/bin/bash
# Clean interruption (issue 11): SIGINT or SIGTERM to a drain ends its test processes (their whole process
# group, children included), leaves no private worktree behind, records the cycle as interrupted (status says
# so; no fix is blamed, the finding stays open), and the drain exits 128 + signal; the next drain runs as
# usual. A scheduled drain in the background worker gets the same cleanup on SIGTERM. And `git autoloop
# retry` reopens refused fixes: a fix whose tests failed is listed with its reason, reopened, and applied
# by the next drain once the tests pass.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The validation worktree may live in the user's cache directory: keep it inside the suite's root.
export XDG_CACHE_HOME="$E2E_ROOT/cache"

# py NAME: a Python file with one python/compare-to-none finding.
py() { printf 'def %s(x):\n    if x == None:\n        return 1\n    return 2\n' "${1%.py}" >"$1"; }

# A repository with hooks, drains by hand (lib.sh manual_drains), and one open finding in a.py.
finding_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains
  py a.py
  commit_all "one finding"
  wait_for_scan
  ID=$(db_query "SELECT id FROM opportunities WHERE path = 'a.py'")
  [ -n "$ID" ] || fail "no finding in a.py"
}

# A test_command that records its shell's pid (the leader of its process group) and sleeps: a long suite.
sleeping_tests() {
  local_config "" "test_command: \"echo \$\$ >'$E2E_TEST_DIR/tests.pid'; sleep 120; true\""
}

# leave_nothing_behind ID...: when the test ends, however it ends, these are killed (kill's IDs: -PGID for a
# process group); a failing test, or a build where interruption does not work, must not leave `sleep`s running.
leave_nothing_behind() {
  # shellcheck disable=SC2064 # expanded now, on purpose
  trap "kill -KILL -- $* 2>/dev/null || true" EXIT
}

# wait_for_tests: the pid of the sleeping test command once it runs.
wait_for_tests() {
  local deadline=$((SECONDS + 30))
  while ! grep -q . "$E2E_TEST_DIR/tests.pid" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "the test command never started"
    sleep 0.05
  done
  cat "$E2E_TEST_DIR/tests.pid"
}

# group_members PGID: the live (not zombie) processes of a process group.
group_members() {
  local pgid=$1 f stat
  for f in /proc/[0-9]*/stat; do
    stat=$(cat "$f" 2>/dev/null) || continue
    stat=${stat##*) }
    # state ppid pgrp ...
    read -r state _ group _ <<<"$stat"
    [ "$group" = "$pgid" ] && [ "$state" != Z ] && echo "${f//[^0-9]/}"
  done
  return 0
}

# settled_members PGID: group_members once the group is empty or 10 s have passed (a SIGKILLed process
# lives until the kernel schedules its exit: on a loaded machine that takes a moment).
settled_members() {
  local tries=0
  while [ -n "$(group_members "$1")" ] && [ $tries -lt 200 ]; do
    sleep 0.05
    tries=$((tries + 1))
  done
  group_members "$1"
}

# parent_of PID
parent_of() {
  local stat
  stat=$(cat "/proc/$1/stat")
  stat=${stat##*) }
  read -r _ ppid _ <<<"$stat"
  echo "$ppid"
}

# wait_exit PID SECONDS: waits for a child of this shell to end; sets EXIT_RC. Fails after SECONDS.
wait_exit() {
  local pid=$1 limit=$2 waited=0
  while kill -0 "$pid" 2>/dev/null && [ $waited -lt $((limit * 20)) ]; do
    sleep 0.05
    waited=$((waited + 1))
  done
  kill -0 "$pid" 2>/dev/null && fail "process $pid still runs ${limit}s after the signal"
  EXIT_RC=0
  wait "$pid" || EXIT_RC=$?
}

# What an interrupted drain may leave: nothing under .git/autoloop/worktrees, no worktree git knows of but the
# main one, except a validation worktree parked for reuse in the cache directory.
assert_no_worktree_left() {
  local dir
  dir="$(autoloop_dir)/worktrees"
  if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then fail "left in $dir: $(ls -A "$dir")"; fi
  local main line extra=""
  main=$(git rev-parse --show-toplevel)
  while read -r line; do
    case $line in
    "worktree $main") ;;
    "worktree $XDG_CACHE_HOME/git-autoloop/"*) ;;
    "worktree "*) extra="$extra ${line#worktree }" ;;
    esac
  done < <(git worktree list --porcelain)
  [ -z "$extra" ] || fail "worktrees left:$extra
$(git worktree list)"
  # A tree in the cache that belongs to this repository is one git still knows (parked), never an orphan.
  if [ -d "$XDG_CACHE_HOME/git-autoloop" ]; then
    local known common file
    known=$(git worktree list --porcelain | sed -n 's/^worktree //p')
    common=$(git rev-parse --path-format=absolute --git-common-dir)
    while read -r file; do
      grep -q "^gitdir: $common/" "$file" || continue
      grep -qxF "${file%/.git}" <<<"$known" || fail "orphaned worktree ${file%/.git}"
    done < <(find "$XDG_CACHE_HOME/git-autoloop" -mindepth 2 -maxdepth 5 -name .git -type f)
  fi
}

# interrupt_foreground_drain SIGNAL EXIT_CODE
interrupt_foreground_drain() {
  local signal=$1 want=$2
  finding_repo
  sleeping_tests
  # The binary itself gets the signal (as from a terminal's Ctrl-C or a service manager); a background job of
  # a script starts with SIGINT ignored, which the drain would respect: give it the default back.
  env --default-signal=INT git-autoloop drain --now --foreground >drain.out 2>drain.err &
  local pid=$! tests
  tests=$(wait_for_tests)
  leave_nothing_behind "-$tests" "$pid"
  [ "$(parent_of "$tests")" = "$pid" ] || fail "the test command is not the drain's child"
  [ -n "$(group_members "$tests")" ] || fail "the test command's process group is empty"
  kill "-$signal" "$pid"
  wait_exit "$pid" 10
  assert_eq "$want" "$EXIT_RC" "exit status of the drain after SIG$signal (stderr: $(cat drain.err))"
  local cycle
  cycle=$(db_query "SELECT max(id) FROM cycles")
  assert_contains "$(cat drain.err)" "drain interrupted (SIG$signal): cycle $cycle recorded as interrupted; nothing was published"
  assert_eq "" "$(settled_members "$tests")" "processes left in the test command's group"
  assert_no_worktree_left
  assert_eq "" "$(side_ref)" "side branch"
  assert_eq "interrupted by SIG$signal	0	0	1" \
    "$(db_query "SELECT interrupted, applied, failed, rolled_back FROM cycles WHERE id = $cycle")" "the cycle"
  assert_eq "0" "$(db_query "SELECT count(*) FROM cycles WHERE state != 'done'")" "unfinished cycles"
  assert_contains "$(git autoloop status)" "cycle $cycle on main: interrupted by SIG$signal; nothing was published"
  assert_not_contains "$(git autoloop status)" "0 applied, 0 failed"
  # Not the fix's fault: still open, no attempt blames it.
  assert_eq "open" "$(opportunity_status "$ID")" "the finding"
  assert_eq "0" "$(db_query "SELECT count(*) FROM attempts WHERE opportunity_id = $ID AND outcome != 'rolled_back'")" \
    "attempts blaming the fix"

  # The next drain runs as usual (and cleans or reuses what was left); once is enough for the suite's time.
  [ "$signal" = INT ] || return 0
  local_config "" 'test_command: "true"'
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "1 new fix"
  assert_eq "applied" "$(opportunity_status "$ID")" "the finding after the next drain"
  assert_no_worktree_left
}

test_sigint_ends_the_tests_and_records_the_cycle() { interrupt_foreground_drain INT 130; }
test_sigterm_ends_the_tests_and_records_the_cycle() { interrupt_foreground_drain TERM 143; }

test_worker_drain_on_sigterm() {
  finding_repo
  # A drain due at once: the worker a commit starts drains after its scan.
  printf 'autonomous_loop: {scan_interval: 0, debounce: 0}\ntest_command: "echo $$ >'"'$E2E_TEST_DIR/tests.pid'"'; sleep 120; true"\n' \
    >"$(autoloop_dir)/config.yml"
  printf 'more\n' >>README
  commit_all "a commit starts the worker"
  local tests worker
  tests=$(wait_for_tests)
  worker=$(parent_of "$tests")
  leave_nothing_behind "-$tests" "$worker"
  assert_contains "$(tr '\0' ' ' <"/proc/$worker/cmdline")" "worker" "the test command's parent"
  kill -TERM "$worker"
  local deadline=$((SECONDS + 10))
  while kill -0 "$worker" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "the worker still runs 10s after SIGTERM"
    sleep 0.05
  done
  assert_eq "" "$(settled_members "$tests")" "processes left in the test command's group"
  assert_no_worktree_left
  assert_eq "interrupted by SIGTERM" "$(db_query "SELECT interrupted FROM cycles ORDER BY id DESC LIMIT 1")" "the cycle"
  assert_eq "open" "$(opportunity_status "$ID")" "the finding"
}

test_retry_reopens_a_refused_fix() {
  finding_repo
  # The tests fail once a.py is fixed; one failed fix does not pause the loop (rollback_min_attempts).
  local_config "" 'test_command: "! grep -q \"is None\" a.py"'
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "1 failed"
  assert_eq "failed" "$(opportunity_status "$ID")" "the fix that breaks the tests"
  expect_rc 0 git autoloop queue --status failed
  assert_contains "$OUT" "#$ID, failed"
  assert_contains "$OUT" "refused: tests_failed: exit 1"
  expect_rc 0 git autoloop queue --status failed --format json
  assert_eq "tests_failed: exit 1" "$(echo "$OUT" | pyjson 'd[0]["reason"][:20]')" "reason in JSON"

  # Not refused, unknown, or nothing asked: a clear message, a non-zero exit, nothing changed.
  expect_rc 6 git autoloop retry 9999 "$ID"
  assert_contains "$ERR" "#9999: no such opportunity"
  assert_contains "$OUT" "reopened #$ID a.py:2 [python/compare-to-none] (was failed: tests_failed: exit 1"
  assert_eq "open" "$(opportunity_status "$ID")" "the fix after retry"
  expect_rc 6 git autoloop retry "$ID"
  assert_contains "$ERR" "#$ID is open, not a refused fix"
  expect_rc 2 git autoloop retry
  expect_rc 0 git autoloop retry --all-failed
  assert_contains "$OUT" "nothing to retry"

  # Tests that pass with the fix: the next drain applies it; its history is kept.
  local_config "" 'test_command: "true"'
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "1 new fix"
  assert_eq "applied" "$(opportunity_status "$ID")" "the fix after the next drain"
  assert_eq "tests_failed applied" \
    "$(db_query "SELECT outcome FROM attempts WHERE opportunity_id = $ID AND outcome IN ('tests_failed', 'applied') ORDER BY id" | tr '\n' ' ' | sed 's/ $//')" \
    "attempts of the fix"
  assert_eq "1" "$(side_commits | grep -c .)" "fixes on the side branch"
}

test_retry_all_failed() {
  finding_repo
  py b.py
  commit_all "a second finding"
  wait_for_scan
  # Passes on the base, fails with either fix.
  local_config "" 'test_command: "! grep -q \"is None\" a.py b.py"'
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "2" "$(db_query "SELECT count(*) FROM opportunities WHERE status = 'failed'")" "failed fixes"
  expect_rc 0 git autoloop retry --all-failed
  assert_contains "$OUT" "2 fixes reopened"
  assert_eq "0" "$(db_query "SELECT count(*) FROM opportunities WHERE status = 'failed'")" "failed fixes after retry"
}

run_test "SIGINT to a foreground drain ends its tests, leaves no worktree, records the cycle; exit 130" test_sigint_ends_the_tests_and_records_the_cycle
run_test "SIGTERM to a foreground drain: the same, exit 143" test_sigterm_ends_the_tests_and_records_the_cycle
run_test "SIGTERM to the background worker's drain: the same cleanup" test_worker_drain_on_sigterm
run_test "retry ID reopens a fix whose tests failed; queue shows why it was refused" test_retry_reopens_a_refused_fix
run_test "retry --all-failed reopens every refused fix" test_retry_all_failed
finish
