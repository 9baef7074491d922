#!/bin/bash
# Hostile limits: a cloned repository is untrusted data with limits (issue 10, item 2; docs/ARCHITECTURE.md §7.8).
# Its .autoloop.yml, its rules' queries and its coverage report are read only as regular files inside the
# work tree, with size caps; its globs match in linear time. Each case clones an attacker's repository,
# commits through the hooks, then runs status, queue, scan and drain: every one must finish within
# `timeout 30` with a clear message, and neither they nor the background worker may grow large.
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

# Memory ceiling for everything a case starts (the detached worker inherits it): a read without bound
# then fails in seconds rather than taking the machine's memory. ASan reserves terabytes of address
# space, so a sanitizer build runs without it.
if ! grep -q __asan_init "$AUTOLOOP_BIN_DIR/git-autoloop" 2>/dev/null; then
  LIMIT_AS_KB=2097152
fi
# The most a command or worker may hold (KiB); a normal scan of these small repositories needs ~30 MiB.
MAX_RSS_KB=204800

limit_memory() { [ -z "${LIMIT_AS_KB:-}" ] || ulimit -v "$LIMIT_AS_KB"; }

# Processes started in this case's directory (the detached worker outlives a command's timeout): ended
# by pid when a case ends (an EXIT trap), so that a blow-up on an old build does not keep burning CPU.
end_case_processes() {
  local p cwd
  for p in /proc/[0-9]*; do
    cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
    case $cwd in "$E2E_TEST_DIR"|"$E2E_TEST_DIR"/*) [ "${p#/proc/}" = "$BASHPID" ] || kill -9 "${p#/proc/}" 2>/dev/null || true ;; esac
  done
}

# bounded CMD...: run_cmd under `timeout 30` and /usr/bin/time; fails when it timed out or grew past
# MAX_RSS_KB. RC, OUT, ERR as run_cmd; OUT_ALL is stdout and stderr together.
bounded() {
  local t="$E2E_TEST_DIR/time.$BASHPID" rss
  run_cmd timeout -k 5 30 /usr/bin/time -f '%M' -o "$t" "$@"
  OUT_ALL="$OUT
$ERR"
  [ "$RC" != 124 ] && [ "$RC" != 137 ] || fail "'$*' did not finish within 30 s"
  rss=$(tail -n 1 "$t" 2>/dev/null || echo 0)
  rss=${rss//[!0-9]/}
  figure_max max_command_rss_kb "${rss:-0}"
  [ "${rss:-0}" -le "$MAX_RSS_KB" ] || fail "'$*' peaked at ${rss} KiB (limit $MAX_RSS_KB KiB)"
  figure commands_bounded
}

# The attacker's repository (upstream/) with whatever `plant` puts in it on main, cloned into repo/,
# hooks installed; then one ordinary commit of the user's, through the hooks.
clone_hostile() {
  local plant=$1
  trap end_case_processes EXIT
  limit_memory
  new_repo upstream
  echo readme >README
  py base.py
  "$plant"
  commit_all "attacker's commit"
  cd ..
  clone_upstream
  py mine.py mine
  git add mine.py
  timed_commit -m "my work"
}

# wait_for_worker: the background worker has let go of the scan lock and the spool is done with (taken, or
# kept back behind a recorded error), within 30 s.
wait_for_worker() {
  local deadline=$((SECONDS + 30)) data
  data=$(autoloop_dir)
  while :; do
    if flock -n "$data/scan.lock" true 2>/dev/null; then
      if [ "$(spool_pending)" = 0 ] || [ -s "$data/last-error" ]; then return 0; fi
    fi
    [ $SECONDS -lt $deadline ] || fail "the background worker did not finish within 30 s (last-error: $(cat "$data/last-error" 2>/dev/null))"
    sleep 0.1
  done
}

# The worker's peak memory, from the runs it recorded.
assert_worker_small() {
  local peak
  peak=$(db_query "SELECT coalesce(max(peak_rss_kb), 0) FROM runs")
  figure_max max_worker_rss_kb "$peak"
  [ "$peak" -le "$MAX_RSS_KB" ] || fail "a recorded run peaked at $peak KiB (limit $MAX_RSS_KB KiB)"
}

# The four commands a user runs; each must finish and say what is wrong when it fails.
run_the_commands() {
  local expect=$1
  bounded git autoloop status
  assert_eq 0 "$RC" "exit status of status"
  assert_contains "$OUT_ALL" "$expect" "status"
  bounded git autoloop queue
  bounded git autoloop scan --all
  [ "$RC" = 0 ] || assert_contains "$OUT_ALL" "$expect" "scan --all"
  flock -w 30 "$(autoloop_dir)/drain.lock" true
  bounded git autoloop drain --now --foreground
  [ "$RC" = 0 ] || assert_contains "$OUT_ALL" "$expect" "drain"
}

plant_config_dev_zero() { ln -s /dev/zero .autoloop.yml; }

test_config_symlink_to_dev_zero() {
  clone_hostile plant_config_dev_zero
  # The hook stays fast; the worker refuses the file at once and records why.
  assert_hooks_fast
  wait_for_worker
  assert_contains "$(cat "$(autoloop_dir)/last-error")" "/dev/zero" "last-error"
  run_the_commands "not read"
  assert_contains "$OUT_ALL" ".autoloop.yml:1:1: resolves to /dev/zero (a character device), outside" "drain"
  # Every config-reading command says the same, with the config exit status.
  bounded git autoloop config
  assert_eq 3 "$RC" "exit status of config"
  assert_contains "$ERR" ".autoloop.yml:1:1" "config"
  # The next commit shows the error once, and keeps working.
  echo 'x = 1' >second.py
  git add second.py
  timed_commit -m "second"
  assert_contains "$ERR" "/dev/zero" "stderr of the next commit"
  wait_for_worker
  assert_worker_small
  figure attacks_held
}

plant_rule_scm_dev_zero() {
  mkdir -p .autoloop/rules/python
  printf 'id: evil/calls\nlanguage: python\ncategory: code_quality\nseverity: info\nsafety: suggest\nmessage: "call"\n' \
    >.autoloop/rules/python/calls.yml
  ln -s /dev/zero .autoloop/rules/python/calls.scm
}

test_rule_query_symlink_to_dev_zero() {
  clone_hostile plant_rule_scm_dev_zero
  assert_hooks_fast
  wait_for_worker
  assert_contains "$(cat "$(autoloop_dir)/last-error")" "calls.scm:1:1" "last-error"
  run_the_commands "calls.scm"
  assert_contains "$OUT_ALL" "/dev/zero" "drain"
  assert_worker_small
  figure attacks_held
}

plant_coverage_dev_zero() {
  printf 'metrics: {coverage_report: /dev/zero}\n' >.autoloop.yml
}

plant_coverage_symlink() {
  printf 'metrics: {coverage_report: coverage/lcov.info}\n' >.autoloop.yml
  mkdir coverage
  ln -s /dev/zero coverage/lcov.info
}

plant_coverage_outside() {
  printf 'metrics: {coverage_report: ../upstream/secret.info}\n' >.autoloop.yml
  printf 'SF:x\nLF:4\nLH:1\nend_of_record\n' >secret.info
}

# coverage_case PLANT: the report is refused, the reason is in status, nothing else is disturbed.
coverage_case() {
  clone_hostile "$1"
  assert_hooks_fast
  wait_for_worker
  run_the_commands "coverage:   metrics.coverage_report not recorded"
  bounded git autoloop status
  assert_contains "$OUT" "not read" "status"
  assert_eq "0" "$(db_query "SELECT count(*) FROM commit_coverage")" "coverage recorded"
  # The scan itself went on: the user's finding is queued.
  assert_contains "$(queue_rows)" "python/compare-to-none mine.py:2 " "queue"
  assert_worker_small
  figure attacks_held
}

# coverage_refused_at_load PLANT: a report path that is absolute or climbs out with ".." is a config error
# (file:line:col, like any malformed value): nothing is read, every command says why and finishes.
coverage_refused_at_load() {
  clone_hostile "$1"
  assert_hooks_fast
  wait_for_worker
  assert_contains "$(cat "$(autoloop_dir)/last-error")" ".autoloop.yml:1:" "last-error"
  run_the_commands "invalid metrics.coverage_report"
  assert_eq "0" "$(db_query "SELECT count(*) FROM commit_coverage" 2>/dev/null || echo 0)" "coverage recorded"
  assert_worker_small
  figure attacks_held
}

test_coverage_report_dev_zero() { coverage_refused_at_load plant_coverage_dev_zero; }
test_coverage_report_symlink_to_dev_zero() { coverage_case plant_coverage_symlink; }
test_coverage_report_outside_the_work_tree() { coverage_refused_at_load plant_coverage_outside; }

plant_exponential_exclude() {
  local pattern="" deep="" i
  for i in $(seq 12); do pattern+="**/"; done
  printf 'scan:\n  exclude: ["%sx"]\n' "$pattern" >.autoloop.yml
  for i in $(seq 26); do deep+="d/"; done
  mkdir -p "$deep"
  py "${deep}y.py"
}

test_exclude_glob_is_linear() {
  clone_hostile plant_exponential_exclude
  assert_hooks_fast
  wait_for_worker
  run_the_commands "queue:"
  assert_eq 0 "$RC" "exit status of drain"
  bounded git autoloop scan --all
  assert_eq 0 "$RC" "exit status of scan --all"
  # The deep file was matched against the pattern (not excluded: it does not end in x) and scanned.
  assert_contains "$(queue_rows)" "python/compare-to-none $(printf 'd/%.0s' $(seq 26))y.py:2 " "queue"
  assert_worker_small
  figure attacks_held
}

plant_too_many_globs() {
  local i
  { printf 'scan:\n  exclude:\n'; for i in $(seq 201); do printf '    - "d%d/**"\n' "$i"; done; } >.autoloop.yml
}

test_too_many_globs_refused_at_load() {
  clone_hostile plant_too_many_globs
  wait_for_worker
  bounded git autoloop config
  assert_eq 3 "$RC" "exit status of config"
  assert_contains "$ERR" ".autoloop.yml:3:5: too many patterns (201; at most 200)" "config"
  figure attacks_held
}

run_test ".autoloop.yml symlinked to /dev/zero: refused at once, shown once, nothing grows" test_config_symlink_to_dev_zero
run_test "a repository rule's .scm symlinked to /dev/zero: refused, located" test_rule_query_symlink_to_dev_zero
run_test "metrics.coverage_report: /dev/zero is not read; status says why" test_coverage_report_dev_zero
run_test "a coverage report symlinked to /dev/zero is not read" test_coverage_report_symlink_to_dev_zero
run_test "a coverage report outside the work tree is not read" test_coverage_report_outside_the_work_tree
run_test "scan.exclude with twelve '**/' segments matches in linear time" test_exclude_glob_is_linear
run_test "more than 200 scan.exclude patterns are refused at load, located" test_too_many_globs_refused_at_load
print_figures
finish
