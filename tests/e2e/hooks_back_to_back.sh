#!/bin/bash
# Commits made back to back while a worker runs (issue 18, item 4): one worker per repository consumes the
# spool. A hook whose worker is alive (worker.lock held) records its entry and starts no other; the worker
# lets go of the lock before it looks at the spool one last time, so no entry is left behind, however the
# commits and the worker interleave.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A repository whose post-commit hook is the hook binary starting a wrapper of the worker that counts its
# launches ("start PID" / "end PID" lines in $E2E_TEST_DIR/launches). Drains only by hand.
counting_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains
  cat >"$E2E_TEST_DIR/worker-wrapper" <<EOF
#!/bin/sh
echo "start \$\$" >>"$E2E_TEST_DIR/launches"
"$AUTOLOOP_BIN_DIR/git-autoloop" "\$@"
echo "end \$\$" >>"$E2E_TEST_DIR/launches"
EOF
  chmod +x "$E2E_TEST_DIR/worker-wrapper"
  printf '#!/bin/sh\nexec "%s/autoloop-hook" --main "%s/worker-wrapper" --no-chained post-commit "$@"\n' \
    "$AUTOLOOP_BIN_DIR" "$E2E_TEST_DIR" >"$(hooks_dir)/post-commit"
  chmod +x "$(hooks_dir)/post-commit"
  : >"$E2E_TEST_DIR/launches"
}

launches() { grep -c '^start ' "$E2E_TEST_DIR/launches" || true; }

# Waits until every launched wrapper has ended (the worker may linger for a drain that is not due).
wait_wrappers() {
  local deadline=$((SECONDS + ${1:-60}))
  while [ "$(grep -c '^start ' "$E2E_TEST_DIR/launches")" != "$(grep -c '^end ' "$E2E_TEST_DIR/launches")" ]; do
    [ $SECONDS -lt $deadline ] || fail "workers still running: $(cat "$E2E_TEST_DIR/launches")"
    sleep 0.05
  done
}

# Every commit since `base` that scanned_commits does not hold, one per line.
unscanned() {
  local c
  for c in $(git rev-list HEAD~"$1"..HEAD); do
    [ "$(db_query "SELECT count(*) FROM scanned_commits WHERE commit_id = '$c'")" = 1 ] || echo "$c"
  done
}

# py N LINES: a Python file of LINES functions, each with a compare-to-none finding.
py() {
  local i
  for ((i = 0; i < $2; i++)); do printf 'def f%d_%d(x):\n    if x == None:\n        return %d\n    return x\n\n' "$1" "$i" "$i"; done >"f$1.py"
}

test_a_live_worker_gets_no_second_one() {
  counting_repo
  local data
  data=$(autoloop_dir)
  # A worker that is alive, as far as the hooks can tell: worker.lock held by another process.
  "$PYTHON" -c '
import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(300)' "$data/worker.lock" "$E2E_TEST_DIR/held" &
  local holder=$!
  while [ ! -e "$E2E_TEST_DIR/held" ]; do sleep 0.02; done
  local i
  for i in 1 2 3 4 5; do
    py "$i" 2
    git add "f$i.py"
    git commit -q -m "commit $i"
  done
  assert_eq 0 "$(launches)" "workers started while one was alive"
  assert_eq 5 "$(spool_pending)" "entries waiting for the live worker"
  kill "$holder"
  wait "$holder" || true
  # The next hook finds no worker alive: it starts one, which takes every entry, its own and the five.
  py 6 2
  git add f6.py
  git commit -q -m "commit 6"
  wait_for_scan 60
  wait_wrappers
  assert_eq 1 "$(launches)" "workers started"
  assert_eq "" "$(unscanned 6)" "commits not scanned"
  assert_eq 0 "$(spool_count)" "entries left in the spool"
}

test_back_to_back_commits_all_scanned_by_few_workers() {
  counting_repo
  local i n=30
  # Each commit adds a file worth some parsing, so that workers are alive while the next commits come.
  for ((i = 1; i <= n; i++)); do
    py "$i" 300
    git add "f$i.py"
    git commit -q -m "commit $i"
  done
  wait_for_scan 300
  wait_wrappers 300
  assert_eq "" "$(unscanned $n)" "commits not scanned"
  assert_eq 0 "$(spool_count)" "entries left in the spool"
  local started
  started=$(launches)
  echo "$n commits, $started workers started"
  [ "$started" -ge 1 ] && [ "$started" -lt "$n" ] || fail "$started workers for $n commits: a hook started one while another was alive"
  # The scans themselves never overlapped (one worker at a time holds the scan lock).
  local overlaps
  overlaps=$(db_query "SELECT count(*) FROM runs a JOIN runs b ON a.id < b.id WHERE a.kind = 'scan' AND b.kind = 'scan'
                        AND b.started_at < a.started_at + a.duration_ms / 1000.0 - 0.001")
  assert_eq 0 "$overlaps" "worker scans that overlapped"
}

test_a_hook_racing_the_workers_last_look() {
  # The window in which a worker has emptied the spool but still holds its lock: commits landing there
  # start no worker, and must be seen by the worker's look after it lets go. Many short rounds of a
  # commit immediately followed by another, so some land in that window.
  counting_repo
  local i n=40
  for ((i = 1; i <= n; i++)); do
    py "$i" 1
    git add "f$i.py"
    git commit -q -m "commit $i"
    if ((i % 2 == 0)); then sleep 0.0$((RANDOM % 10)); fi
  done
  wait_for_scan 300
  wait_wrappers 300
  assert_eq "" "$(unscanned $n)" "commits not scanned"
  assert_eq 0 "$(spool_count)" "entries left in the spool"
}

run_test "a hook finding a live worker records its entry and starts no second worker; the next one starts and takes all" test_a_live_worker_gets_no_second_one
run_test "30 commits back to back: every one scanned, by fewer workers than commits, their scans never overlapping" test_back_to_back_commits_all_scanned_by_few_workers
run_test "commits racing a worker's last look at the spool are all scanned" test_a_hook_racing_the_workers_last_look
finish
