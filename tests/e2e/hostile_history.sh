#!/bin/bash
# Hostile history: findings belong to the lines of history they were seen in (a drain on one branch never
# resolves, stales or fixes another branch's findings); nothing committed is lost (commits made while stopped,
# with AUTOLOOP=0, on a full disk are scanned once the loop can work again); a queue.db with random bytes in
# the middle is found and moved aside by every command that opens it, with a message.
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

# wait_for_rows PATTERN... : waits (up to 60 s) until queue_rows contains every PATTERN.
wait_for_rows() {
  local deadline=$((SECONDS + 60)) rows p missing
  while :; do
    rows=$(queue_rows)
    missing=
    for p in "$@"; do
      case $rows in *"$p"*) ;; *) missing=$p ;; esac
    done
    [ -z "$missing" ] && return 0
    [ $SECONDS -lt $deadline ] || fail "the queue never showed '$missing':
$rows"
    sleep 0.2
  done
}

# cycle_for_branch: one empty cycle on the current branch, so that workers never drain it on their own.
cycle_for_branch() { expect_rc 0 git autoloop drain --now --foreground --max 0; }

test_drain_on_main_leaves_feat_alone() {
  torture_repo
  git checkout -q -b feat
  cycle_for_branch
  py f.py
  commit_all "a finding only feat has"
  wait_for_scan
  assert_contains "$(queue_rows)" "python/compare-to-none f.py:2 open" "queue after the commit on feat"
  git checkout -q main
  py m.py m
  commit_all "a finding on main"
  wait_for_scan
  drain_settled
  figure branch_drains
  assert_contains "$(queue_rows)" "python/compare-to-none f.py:2 open" "feat's finding after a drain on main"
  assert_eq "m.py" "$(side_files main)" "main's side branch"
  # feat's own drain fixes it, and only feat's side branch has it.
  git checkout -q feat
  drain_settled
  figure branch_drains
  assert_eq "f.py" "$(side_files feat)" "feat's side branch"
  assert_contains "$(queue_rows)" "python/compare-to-none f.py:2 applied" "feat's finding after feat's drain"
  assert_contains "$(queue_rows)" "python/compare-to-none m.py:2 applied" "main's finding after feat's drain"
  figure attacks_held
}

test_fixed_on_one_branch_stays_open_on_the_other() {
  torture_repo
  py s.py
  commit_all "a finding on main"
  wait_for_scan
  git checkout -q -b feat
  cycle_for_branch
  sed -i 's/x == None/x is None/' s.py
  commit_all "fixed by hand on feat"
  wait_for_scan
  assert_contains "$(queue_rows)" "python/compare-to-none s.py:2 open" "main's finding after feat fixed it"
  git checkout -q main
  drain_settled
  figure branch_drains
  assert_eq "s.py" "$(side_files main)" "main still gets its fix"
  # Once main no longer has it either, it is resolved.
  git checkout -q feat
  drain_settled
  assert_eq "" "$(side_files feat)" "feat has nothing to fix"
  figure attacks_held
}

test_commits_while_stopped_are_scanned_after_resume() {
  torture_repo
  py a.py
  commit_all "scanned"
  wait_for_scan
  expect_rc 0 git autoloop stop
  py b.py b
  commit_all "while stopped"
  git checkout -q -b feat
  py c.py c
  commit_all "while stopped, on feat"
  git checkout -q main
  assert_eq "0" "$(spool_count)" "spool entries while stopped"
  expect_rc 0 git autoloop resume
  local said=$OUT
  wait_for_rows "python/compare-to-none b.py:2 open" "python/compare-to-none c.py:2 open"
  assert_contains "$said" "scanned in the background" "resume says what it does"
  figure stopped_commits_caught_up 2
  # AUTOLOOP=0 records nothing either: the next commit's worker catches up.
  py d.py d
  git add d.py
  AUTOLOOP=0 git commit -q -m "with AUTOLOOP=0"
  py e.py e
  commit_all "a normal commit"
  wait_for_scan
  wait_for_rows "python/compare-to-none d.py:2 open" "python/compare-to-none e.py:2 open"
  figure stopped_commits_caught_up
  check_case
  figure attacks_held
}

SMALL_DISK=
# small_disk DIR: a 1 MiB tmpfs on DIR (content kept), filled up; or returns 1 when mount is not allowed.
small_disk() {
  local dir=$1 keep="$E2E_TEST_DIR/keep"
  command -v mount >/dev/null || return 1
  mkdir -p "$keep"
  cp -a "$dir/." "$keep/"
  mount -t tmpfs -o size=1m tmpfs "$dir" 2>/dev/null || return 1
  SMALL_DISK=$dir
  cp -a "$keep/." "$dir/"
  dd if=/dev/zero of="$dir/filler" bs=64k 2>/dev/null || true
}

test_commits_on_a_full_disk_are_scanned_later() {
  torture_repo
  py a.py
  commit_all "scanned"
  wait_for_scan
  local data
  data=$(autoloop_dir)
  trap '[ -z "$SMALL_DISK" ] || umount -l "$SMALL_DISK"' EXIT
  if small_disk "$data"; then
    figure full_disk_tmpfs
  else
    # No mount here: the spool cannot be written (a file where its directory belongs; root ignores modes).
    figure full_disk_spool_blocked
    rm -rf "$data/spool"
    : >"$data/spool"
  fi
  py b.py b
  git add b.py
  timed_commit -m "on a full disk"
  assert_contains "$ERR" "git-autoloop" "the commit on a full disk says something went wrong"
  # Room again.
  rm -f "$data/filler"
  [ -d "$data/spool" ] || rm -f "$data/spool"
  py c.py c
  commit_all "room again"
  wait_for_scan
  wait_for_rows "python/compare-to-none b.py:2 open" "python/compare-to-none c.py:2 open"
  check_case
  if [ -n "$SMALL_DISK" ]; then
    flock -w 60 "$data/drain.lock" true
    umount "$SMALL_DISK" && SMALL_DISK=
  fi
  figure attacks_held
}

test_random_bytes_mid_queue() {
  torture_repo
  local i
  for i in $(seq 1 40); do py "f$i.py" "f$i"; done
  commit_all "forty findings"
  wait_for_scan
  drain_settled
  expect_rc 0 git autoloop scan --commit HEAD # its connection closes last: the WAL is checkpointed
  local db pristine cmd
  db="$(autoloop_dir)/queue.db"
  pristine="$E2E_TEST_DIR/pristine.db"
  rm -f "$db-wal" "$db-shm"
  cp "$db" "$pristine"
  for cmd in "status" "queue" "drain --now --foreground" "review --list"; do
    flock -w 60 "$(autoloop_dir)/drain.lock" true
    wait_for_scan
    rm -f "$db-wal" "$db-shm" "$(autoloop_dir)"/queue.db.corrupt-* "$(autoloop_dir)/last-error"
    cp "$pristine" "$db"
    # Four pages of noise in the middle (the brief's `dd ... seek=size/2 conv=notrunc`).
    dd if=/dev/urandom of="$db" bs=1 seek=$(($(stat -c %s "$db") / 2)) count=16384 conv=notrunc 2>/dev/null
    # shellcheck disable=SC2086
    run_cmd git autoloop $cmd
    assert_contains "$ERR" "corrupt" "$cmd on a damaged queue.db: stderr"
    assert_contains "$ERR" "moved aside" "$cmd on a damaged queue.db: stderr"
    ls "$(autoloop_dir)"/queue.db.corrupt-* >/dev/null 2>&1 || fail "$cmd: the damaged queue.db was not moved aside"
    "$PYTHON" - "$db" <<'EOF' || fail "$cmd: the queue left behind is not sound"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
sys.exit(0 if db.execute("PRAGMA integrity_check").fetchone()[0] == "ok" else 1)
EOF
    figure corrupt_queue_commands
  done
  figure attacks_held
}

run_test "a drain on main leaves feat's findings open; feat's own drain fixes them" test_drain_on_main_leaves_feat_alone
run_test "a finding fixed by hand on feat stays open for main" test_fixed_on_one_branch_stays_open_on_the_other
run_test "commits made while stopped or with AUTOLOOP=0 are scanned after resume / the next commit" test_commits_while_stopped_are_scanned_after_resume
run_test "commits made on a full disk are scanned once there is room" test_commits_on_a_full_disk_are_scanned_later
run_test "random bytes mid queue.db: status, queue, drain and review --list move it aside and say so" test_random_bytes_mid_queue
print_figures
finish
