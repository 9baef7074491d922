#!/bin/bash
# The ImprovementScheduler (issue 4): a burst of commits inside the debounce window leads to one drain; a busy
# machine (load average over autonomous_loop.max_load_per_cpu) defers scheduled drains; `git autoloop run
# --every` runs cycles in the foreground, scans what hooks did not see, and stops cleanly on STOP and SIGTERM.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# py_finding FILE N: a Python file with one python/compare-to-none finding.
py_finding() { printf 'def f%d(x):\n    if x == None:\n        return %d\n    return 0\n' "$2" "$2" >"$1"; }

# cycles [TRIGGER]: how many drain cycles were recorded (of TRIGGER, when given).
cycles() { db_query "SELECT count(*) FROM cycles${1:+ WHERE trigger = '$1'}"; }
finished_cycles() { db_query "SELECT count(*) FROM cycles WHERE state = 'done'${1:+ AND trigger = '$1'}"; }

deferred_state() { db_query "SELECT value FROM state WHERE key = 'drain_deferred'"; }

# wait_until SECONDS 'SHELL CODE': evaluates the code every 0.1 s until it succeeds; fails after SECONDS.
wait_until() {
  local limit=$1 tries=0
  shift
  until eval "$*"; do
    tries=$((tries + 1))
    [ $tries -lt $((limit * 10)) ] || fail "timed out after ${limit}s waiting for: $*"
    sleep 0.1
  done
}

test_burst_of_commits_gives_one_drain() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  mkdir -p "$(autoloop_dir)"
  # The window is wide enough for ten commits under a sanitizer build (about 0.5 s each there).
  local debounce=12
  printf 'autonomous_loop: {scan_interval: 0, debounce: %d, max_improvements_per_cycle: 20}\n' "$debounce" \
    >"$(autoloop_dir)/config.yml"
  local i start last
  start=$(date +%s)
  for i in $(seq 1 10); do
    py_finding "m$i.py" "$i"
    commit_all "commit $i"
  done
  last=$(date +%s)
  [ $((last - start)) -lt $debounce ] || fail "the ten commits took $((last - start))s, longer than the debounce window"
  wait_until $((debounce + 30)) '[ "$(cycles schedule)" -ge 1 ]'
  # Give a second (wrong) drain every chance to happen.
  sleep 4
  wait_for_scan
  assert_eq "1" "$(cycles)" "drain cycles after a burst of 10 commits"
  local started
  started=$(db_query "SELECT CAST(started_at AS INTEGER) FROM cycles")
  [ "$started" -ge $((last + debounce - 1)) ] || fail "the drain started at $started, before the debounce after the last commit ($last) ran out"
  assert_eq "10" "$(side_commits | grep -c .)" "fixes made by the one drain"
}

test_busy_machine_defers_the_drain() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  mkdir -p "$(autoloop_dir)"
  printf 'autonomous_loop: {scan_interval: 0, debounce: 0}\n' >"$(autoloop_dir)/config.yml"
  # Any load at all is "busy" for this limit; make sure there is some.
  local spinner=""
  if [ "$(cut -d' ' -f1 /proc/loadavg)" = "0.00" ]; then
    ( end=$((SECONDS + 20)); while [ $SECONDS -lt $end ]; do :; done ) &
    spinner=$!
    wait_until 15 '[ "$(cut -d" " -f1 /proc/loadavg)" != "0.00" ]'
  fi
  export AUTOLOOP_AUTONOMOUS_LOOP__MAX_LOAD_PER_CPU=0.0001
  py_finding a.py 1
  commit_all "finding"
  wait_for_scan
  wait_until 10 '[ -n "$(deferred_state)" ]'
  sleep 1
  assert_eq "0" "$(cycles)" "drain cycles while the machine is busy"
  run_cmd git autoloop status
  assert_contains "$OUT" "drain:      waiting, the machine is busy (load" "status"
  # A person's own drain does not wait.
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "1" "$(cycles manual)" "manual drains"
  # The waiting worker leaves on STOP.
  expect_rc 0 git autoloop stop
  wait_until 10 'flock -n "$(autoloop_dir)/drain-wait.lock" true'
  [ -z "$spinner" ] || kill "$spinner" 2>/dev/null || true
  assert_eq "0" "$(cycles schedule)" "scheduled drains"
}

test_run_every_runs_cycles_and_stops_on_stop_and_sigterm() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  # No hooks here: run scans what was committed itself.
  local i
  for i in 1 2 3; do py_finding "m$i.py" "$i"; done
  commit_all "findings"
  mkdir -p "$(autoloop_dir)"
  printf 'autonomous_loop: {max_improvements_per_cycle: 1}\n' >"$(autoloop_dir)/config.yml"

  # (timeout: a failing assertion must not leave it running after the suite)
  timeout 120 git autoloop run --every 1s >run.out 2>&1 &
  local pid=$!
  wait_until 30 '[ "$(cycles run 2>/dev/null || echo 0)" -ge 2 ]'
  assert_eq "3" "$(db_query "SELECT count(*) FROM opportunities WHERE rule_id = 'python/compare-to-none'")" "findings run scanned"
  [ "$(side_commits | grep -c .)" -ge 2 ] || fail "run made fewer than 2 fixes in 2 cycles"
  expect_rc 0 git autoloop stop
  local waited=0
  while kill -0 "$pid" 2>/dev/null && [ $waited -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
  kill -0 "$pid" 2>/dev/null && fail "run did not stop within 5s of STOP"
  wait "$pid" || fail "run exited with status $? after STOP"
  assert_contains "$(cat run.out)" "cycle " "run output"
  assert_contains "$(cat run.out)" "stopped: stopped by \`git autoloop stop\`" "run output"

  expect_rc 0 git autoloop resume
  # As a service manager would run it: the binary itself gets the signal (git's wrapper process would not pass it on).
  local before
  before=$(finished_cycles run) # before it starts: its first cycle may be done by the time we look
  timeout 120 git-autoloop run --every 1h >run2.out 2>&1 &
  pid=$!
  # The signal while it waits for the next cycle (one inside a cycle interrupts that cycle: e2e/interrupt).
  wait_until 60 '[ "$(finished_cycles run)" -gt "$before" ]'
  kill -TERM "$pid"
  waited=0
  while kill -0 "$pid" 2>/dev/null && [ $waited -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
  kill -0 "$pid" 2>/dev/null && fail "run did not stop within 5s of SIGTERM"
  wait "$pid" || fail "run exited with status $? after SIGTERM"
  assert_contains "$(cat run2.out)" "stopped: SIGTERM received" "run output"
  assert_eq "0" "$(db_query "SELECT count(*) FROM cycles WHERE state != 'done'")" "unfinished cycles"

  expect_rc 2 git autoloop run --every 5x
  assert_contains "$ERR" "expected a duration"
}

run_test "a burst of 10 commits inside the debounce window leads to one drain" test_burst_of_commits_gives_one_drain
run_test "a busy machine defers scheduled drains (not a person's), STOP ends the wait" test_busy_machine_defers_the_drain
run_test "run --every runs cycles, scans unseen commits, stops on STOP and on SIGTERM" test_run_every_runs_cycles_and_stops_on_stop_and_sigterm
finish
