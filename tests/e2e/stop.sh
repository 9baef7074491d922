#!/bin/bash
# docs/ARCHITECTURE.md §7.5: `git autoloop stop`, AUTOLOOP=0 and autonomous_loop.enabled: false stop everything at
# once; `git autoloop resume` starts it again.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scan_runs() { db_query "select count(*) from runs where kind like 'scan%'"; }
hook_runs() { db_query "select count(*) from runs where kind like 'hook:%'"; }

# Waits until no worker holds the scan lock, with time for a wrongly started one to appear first.
quiet_period() {
  sleep 1
  local deadline=$((SECONDS + 20))
  until flock -n "$(autoloop_dir)/scan.lock" true; do
    [ $SECONDS -lt $deadline ] || fail "a worker kept the scan lock"
    sleep 0.05
  done
}

setup_scanned_repo() {
  new_repo
  install_autoloop
  printf 'if a == None:\n    pass\n' >a.py
  commit_all "first"
  wait_for_scan
  assert_eq "python/compare-to-none a.py:1 open new=true" "$(queue_rows)" "queue before stopping"
}

test_stop_and_resume() {
  setup_scanned_repo
  expect_rc 0 git autoloop stop
  assert_contains "$OUT$ERR" "stopped"
  assert_file "$(autoloop_dir)/STOP"
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "loop:       stopped"

  local scans hooks queue
  scans=$(scan_runs)
  hooks=$(hook_runs)
  queue=$(queue_json)
  printf 'if b == None:\n    pass\n' >b.py
  expect_rc 0 commit_all "while stopped"
  assert_eq "" "$ERR" "stderr of a commit while stopped"
  assert_eq "0" "$(spool_count)" "spool entries while stopped"
  # A merge and an amend while stopped: nothing either.
  expect_rc 0 git commit -q --amend -m "while stopped, amended"
  git checkout -q -b side HEAD~1
  echo s >s.txt
  commit_all side
  git checkout -q main
  expect_rc 0 git merge -q --no-edit side
  assert_eq "0" "$(spool_count)" "spool entries after amend and merge while stopped"
  quiet_period
  assert_eq "$scans" "$(scan_runs)" "scan runs while stopped"
  assert_eq "$hooks" "$(hook_runs)" "hook runs while stopped"
  assert_eq "$queue" "$(queue_json)" "queue while stopped"

  expect_rc 0 git autoloop resume
  assert_contains "$OUT$ERR" "resumed"
  assert_no_file "$(autoloop_dir)/STOP"
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "loop:       running"
  printf 'if c == None:\n    pass\n' >c.py
  commit_all "after resume"
  wait_for_scan
  assert_contains "$(queue_rows)" "python/compare-to-none c.py:1 open new=true" "queue after resume"
  [ "$(scan_runs)" -gt "$scans" ] || fail "no scan after resume"

  expect_rc 0 git autoloop resume
  assert_contains "$OUT$ERR" "not stopped"
}

test_autoloop_env_zero() {
  setup_scanned_repo
  local scans queue
  scans=$(scan_runs)
  queue=$(queue_json)
  printf 'if b == None:\n    pass\n' >b.py
  git add b.py
  AUTOLOOP=0 expect_rc 0 git commit -q -m "with AUTOLOOP=0"
  assert_eq "0" "$(spool_count)" "spool entries with AUTOLOOP=0"
  quiet_period
  assert_eq "$scans" "$(scan_runs)" "scan runs with AUTOLOOP=0"
  assert_eq "$queue" "$(queue_json)" "queue with AUTOLOOP=0"
  AUTOLOOP=0 expect_rc 0 git autoloop status
  assert_contains "$OUT" "AUTOLOOP=0"

  # Any other value does not stop anything.
  printf 'if c == None:\n    pass\n' >c.py
  git add c.py
  AUTOLOOP=1 expect_rc 0 git commit -q -m "with AUTOLOOP=1"
  wait_for_scan
  assert_contains "$(queue_rows)" "python/compare-to-none c.py:1 open new=true" "queue with AUTOLOOP=1"
}

test_enabled_false() {
  setup_scanned_repo
  printf 'autonomous_loop:\n  enabled: false\n' >.autoloop.yml
  local scans queue
  scans=$(scan_runs)
  queue=$(queue_json)
  printf 'if b == None:\n    pass\n' >b.py
  expect_rc 0 commit_all "disabled"
  quiet_period
  assert_eq "$scans" "$(scan_runs)" "scan runs with enabled: false"
  assert_eq "$queue" "$(queue_json)" "queue with enabled: false"
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "stopped (autonomous_loop.enabled is false)"
}

test_stop_works_with_a_broken_config() {
  setup_scanned_repo
  printf 'autonomous_loop: [\n' >.autoloop.yml
  expect_rc 0 git autoloop stop
  assert_file "$(autoloop_dir)/STOP"
  echo 'x = 1' >x.py
  expect_rc 0 commit_all "stopped with a broken config"
  assert_eq "0" "$(spool_count)" "spool entries"
  expect_rc 0 git autoloop resume
  assert_no_file "$(autoloop_dir)/STOP"
}

run_test "stop: hooks record nothing and nothing runs; resume: scanning again" test_stop_and_resume
run_test "AUTOLOOP=0 switches every hook off for that command" test_autoloop_env_zero
run_test "autonomous_loop.enabled: false stops scanning" test_enabled_false
run_test "stop and resume work with a broken config" test_stop_works_with_a_broken_config
finish
