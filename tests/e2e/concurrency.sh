#!/bin/bash
# Concurrency: 50 commits in quick succession from two processes (two worktrees of one repository, one queue)
# while drains run, started by the hooks' workers and by a loop of manual drains. No queue row is lost, no
# "database is locked" reaches the user, and exactly one drain runs at a time: the cycles table's
# [started_at, ended_at] intervals never overlap, and the drain lock is seen busy by the manual drains.
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

COMMITS_PER_PROCESS=${CONCURRENCY_COMMITS:-25}

# committer DIR TAG N: N commits in DIR as fast as git allows, each adding one file with one finding;
# every commit's stderr is appended to $E2E_TEST_DIR/commits-TAG.err; exits non-zero if a commit failed.
committer() {
  local dir=$1 tag=$2 n=$3 i
  cd "$dir"
  for i in $(seq 1 "$n"); do
    printf 'def %s_%d(x):\n    if x == None:\n        return %d\n    return 0\n' "$tag" "$i" "$i" >"$tag-$i.py"
    git add "$tag-$i.py"
    git commit -q -m "$tag $i" 2>>"$E2E_TEST_DIR/commits-$tag.err" || { echo "commit $tag $i failed" >>"$E2E_TEST_DIR/commits-$tag.err"; return 1; }
  done
}

# drainer DIR STOPFILE: manual drains in DIR, back to back, until STOPFILE exists; outputs appended to drains.out.
drainer() {
  local dir=$1 stop=$2
  cd "$dir"
  while [ ! -e "$stop" ]; do
    git autoloop drain --now --foreground >>"$E2E_TEST_DIR/drains.out" 2>&1 || echo "drain exited $?" >>"$E2E_TEST_DIR/drains.out"
  done
}

# settle_drain DIR: one manual drain in DIR that really ran (not turned away by a worker's), within 120 s.
settle_drain() {
  local here=$PWD deadline=$((SECONDS + 120))
  cd "$1"
  while :; do
    run_cmd git autoloop drain --now --foreground
    case $OUT$ERR in
      *"another drain is running"*) ;;
      *) [ "$RC" = 0 ] || fail "drain in $1 exited $RC: $ERR"; break ;;
    esac
    [ $SECONDS -lt $deadline ] || fail "a drain in $1 was turned away for 120 s"
    flock -w 60 "$(autoloop_dir)/drain.lock" true
  done
  cd "$here"
}

test_two_committers_while_draining() {
  # Workers drain as soon as they have scanned (scan_interval 0, debounce 0): drains everywhere.
  new_repo
  git config gc.autoDetach false
  echo base >README
  commit_all "base"
  local base
  base=$(git rev-parse HEAD) # made before install: not for the hooks to scan
  install_autoloop --no-config-file
  local_config "scan_interval: 0, max_improvements_per_cycle: 3"
  sed -i 's/scan_interval: 1000000, //' "$(autoloop_dir)/config.yml"
  git worktree add -q "$E2E_TEST_DIR/wt" -b topic
  local stop=$E2E_TEST_DIR/stop
  drainer "$E2E_TEST_DIR/repo" "$stop" &
  local d1=$!
  drainer "$E2E_TEST_DIR/wt" "$stop" &
  local d2=$!
  local t0
  t0=$(date +%s%N)
  committer "$E2E_TEST_DIR/repo" main "$COMMITS_PER_PROCESS" &
  local c1=$!
  committer "$E2E_TEST_DIR/wt" topic "$COMMITS_PER_PROCESS" &
  local c2=$!
  local failed=0
  wait "$c1" || failed=1
  wait "$c2" || failed=1
  local commit_ms=$((($(date +%s%N) - t0) / 1000000))
  touch "$stop"
  wait "$d1" "$d2" || true
  [ "$failed" = 0 ] || fail "a commit failed: $(cat "$E2E_TEST_DIR"/commits-*.err)"
  figure commits $((2 * COMMITS_PER_PROCESS))
  figure_max commit_burst_ms "$commit_ms"

  # Let the workers finish, then settle each branch with one more drain of its own. A worker's drain
  # (for either branch) may still start meanwhile and turn ours away: then ours runs again after it.
  wait_for_scan 120
  flock -w 120 "$(autoloop_dir)/drain.lock" true
  wait_for_scan 120
  settle_drain "$E2E_TEST_DIR/repo"
  settle_drain "$E2E_TEST_DIR/wt"

  # 1. No lost rows: every commit scanned, one row per committed finding.
  local c missing=0
  for c in $(git rev-list main topic --not "$base"); do
    [ "$(db_query "SELECT count(*) FROM scanned_commits WHERE commit_id = '$c'")" = 1 ] || missing=$((missing + 1))
  done
  assert_eq "0" "$missing" "commits never scanned"
  assert_eq "$((2 * COMMITS_PER_PROCESS))" "$(db_query "SELECT count(DISTINCT path) FROM opportunities WHERE path LIKE 'main-%' OR path LIKE 'topic-%'")" "queue rows for the committed findings"
  assert_eq "0" "$(db_query "SELECT count(*) FROM (SELECT fingerprint FROM opportunities GROUP BY fingerprint HAVING count(*) > 1)")" "duplicate fingerprints"
  figure queue_rows "$(db_query "SELECT count(*) FROM opportunities")"

  # 2. "database is locked" never reaches the user: not on a commit's stderr, a drain's output, the runs
  #    table or the hook error log.
  local where
  for where in "$E2E_TEST_DIR"/commits-*.err "$E2E_TEST_DIR/drains.out" "$(autoloop_dir)/log/hook-errors.log" "$(autoloop_dir)/last-error"; do
    [ -e "$where" ] || continue
    if grep -qi -e "database is locked" -e "database table is locked" -e "SQLITE_BUSY" "$where"; then
      fail "'database is locked' in $where: $(grep -i locked "$where" | head -3)"
    fi
  done
  assert_eq "0" "$(db_query "SELECT count(*) FROM runs WHERE error LIKE '%locked%' OR error LIKE '%busy%'")" "runs that failed on a lock"
  assert_not_contains "$(cat "$E2E_TEST_DIR/drains.out")" "error" "manual drains' output"

  # 3. One drain at a time: no two cycles overlap in time, and drains did meet the lock.
  local overlaps
  overlaps=$(db_query "SELECT count(*) FROM cycles a JOIN cycles b ON a.id < b.id
                       WHERE b.started_at < coalesce(a.ended_at, 1e12) AND a.started_at < coalesce(b.ended_at, 1e12)")
  assert_eq "0" "$overlaps" "overlapping drain cycles"
  local cycles busy
  cycles=$(db_query "SELECT count(*) FROM cycles")
  busy=$(grep -c "another drain is running" "$E2E_TEST_DIR/drains.out" || true)
  [ "$cycles" -ge 4 ] || fail "only $cycles cycles ran: the test did not drain concurrently"
  [ "$busy" -ge 1 ] || fail "no drain ever found the lock held: the test did not contend"
  figure cycles "$cycles"
  figure drains_turned_away "$busy"
  figure manual_drains "$(grep -c -e '^cycle ' -e 'another drain is running' -e '^drain exited' "$E2E_TEST_DIR/drains.out" || true)"

  check_case --settled --fsck
  (cd "$E2E_TEST_DIR/wt" && check_case --settled)
  assert_hooks_fast 2000
}

run_test "50 commits from two processes while drains run: nothing lost, never 'locked', one drain at a time" test_two_committers_while_draining
print_figures
finish
