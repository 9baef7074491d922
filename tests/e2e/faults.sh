#!/bin/bash
# Faults: kill -9 at random points of scans, drains and review --accept (>= 200 in all), the invariants
# checked after every kill and again after the restart that must finish the work; a full disk (a small tmpfs
# where mount works, else RLIMIT_FSIZE) gives a clear error and no corruption; a corrupt or truncated
# queue.db is detected, moved aside, rebuilt by a rescan and reported once; a missing binary or grammar makes
# the hooks warn once and exit 0.
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

SCAN_KILLS=${FAULTS_SCAN_KILLS:-80}
DRAIN_KILLS=${FAULTS_DRAIN_KILLS:-75}
REVIEW_KILLS=${FAULTS_REVIEW_KILLS:-50}
BIN=$AUTOLOOP_BIN_DIR/git-autoloop

# The invariants, served by one long-lived checker (tests/e2e/invariants.py --serve).
start_checker() { coproc CHECKER { exec "$PYTHON" "$INVARIANTS" --serve; }; }
check_now() {
  local line="" out=""
  echo "$*" >&"${CHECKER[1]}"
  while IFS= read -r line <&"${CHECKER[0]}"; do
    [ "$line" = END ] && break
    out+="$line"$'\n'
  done
  [ "$line" = END ] || out+="the checker died"$'\n'
  figure invariant_checks
  [ -z "$out" ] && return 0
  printf '%s' "$out"
  return 1
}

# random_sleep WINDOW_MS: sleeps a random 0..WINDOW_MS ms; the chosen value is in MS.
random_sleep() {
  MS=$(((RANDOM * 32768 + RANDOM) % ($1 + 1)))
  sleep "$(printf '%d.%03d' $((MS / 1000)) $((MS % 1000)))"
}

# kill_after WINDOW_MS CMD...: runs CMD in the background, kills it with SIGKILL at a random point of the window.
# KILLED is 1 when it was still running then (its output is in $E2E_TEST_DIR/killed.out).
kill_after() {
  local window=$1 pid
  shift
  "$@" >"$E2E_TEST_DIR/killed.out" 2>&1 &
  pid=$!
  random_sleep "$window"
  if kill -9 "$pid" 2>/dev/null; then KILLED=1; else KILLED=0; fi
  wait "$pid" 2>/dev/null || true
  figure kill9_iterations
  [ "$KILLED" = 0 ] || figure kill9_landed
}

# ms_of CMD...: runs CMD (must succeed); its wall time in ms is in ELAPSED.
ms_of() {
  local t0
  t0=$(date +%s%N)
  expect_rc 0 "$@"
  ELAPSED=$((($(date +%s%N) - t0) / 1000000))
}

# The user's side of the repository: HEAD, index and work tree as git sees them.
user_state() {
  echo "HEAD $(git rev-parse HEAD) $(git symbolic-ref -q HEAD)"
  git status --porcelain=v1 --untracked-files=all
}

test_kill9_scan_drain_review() {
  torture_repo repo "max_improvements_per_cycle: 2"
  start_checker
  local i out window base
  # 1. Scans: each round commits three new files with findings (hooks off), a scan is killed, the restarted
  #    scan must leave exactly the three new rows.
  window=300
  for i in $(seq 1 "$SCAN_KILLS"); do
    py "s${i}a.py" "a$i"
    py "s${i}b.py" "b$i"
    printf 'def c%d(y):\n    if y != None:\n        return y\n    return 0\n' "$i" >"s${i}c.py"
    git add -A
    AUTOLOOP=0 git commit -q -m "round $i"
    kill_after "$window" "$BIN" scan --commit HEAD
    out=$(check_now) || fail "scan round $i, killed after ${MS} ms: $out"
    ms_of "$BIN" scan --commit HEAD
    window=$((ELAPSED * 12 / 10 + 20))
    assert_eq "3" "$(db_query "SELECT count(*) FROM opportunities WHERE path LIKE 's${i}_.py' AND status = 'open'")" "open rows of round $i after the restart"
    [ $((i % 20)) != 0 ] || { out=$(check_now --fsck) || fail "scan round $i: $out"; }
  done
  assert_eq "$((SCAN_KILLS * 3))" "$(db_query "SELECT count(*) FROM opportunities WHERE status = 'open'")" "open rows after all scan rounds"
  assert_eq "0" "$(db_query "SELECT count(*) FROM (SELECT fingerprint FROM opportunities GROUP BY fingerprint HAVING count(*) > 1)")" "duplicate fingerprints"

  # 2. Drains: killed anywhere; the restarted drain recovers the cycle and adds one fix.
  expect_rc 0 "$BIN" drain --now --foreground --max 1
  out=$(check_now --settled) || fail "before the drain rounds: $out"
  window=300
  for i in $(seq 1 "$DRAIN_KILLS"); do
    base=$(side_commits | grep -c . || true)
    kill_after "$window" "$BIN" drain --now --foreground --max 2
    out=$(check_now) || fail "drain round $i, killed after ${MS} ms: $out"
    ms_of "$BIN" drain --now --foreground --max 1
    window=$((ELAPSED * 15 / 10 + 20))
    assert_contains "$OUT" "cycle " "drain round $i: the restarted drain"
    out=$(check_now --settled) || fail "drain round $i, after the restart: $out"
    [ "$(side_commits | grep -c .)" -gt "$base" ] || [ "$(db_query "SELECT count(*) FROM opportunities WHERE status = 'open'")" = 0 ] ||
      fail "drain round $i: the side branch did not grow ($base fixes)"
  done
  [ -n "$(db_query "SELECT id FROM cycles WHERE detail LIKE 'recovered%'")" ] || fail "no killed cycle was ever recovered"
  figure recovered_cycles "$(db_query "SELECT count(*) FROM cycles WHERE detail LIKE 'recovered%'")"

  # 3. review --accept: killed anywhere, the branch either did not move (and nothing changed), or moved by
  #    exactly the one fix commit; the user's other files are never touched.
  local ids id head before after status
  ids=($(db_query "SELECT id FROM opportunities WHERE status = 'applied' ORDER BY id"))
  [ "${#ids[@]}" -ge "$REVIEW_KILLS" ] || fail "only ${#ids[@]} fixes to review"
  printf 'not for autoloop\n' >user-notes.txt
  window=250
  for i in $(seq 1 "$REVIEW_KILLS"); do
    id=${ids[i - 1]}
    head=$(git rev-parse HEAD)
    before=$(user_state)
    kill_after "$window" "$BIN" review --accept "$id"
    after=$(user_state)
    out=$(check_now) || fail "review round $i (#$id), killed after ${MS} ms: $out"
    status=$(opportunity_status "$id")
    if [ "$(git rev-parse HEAD)" = "$head" ]; then
      assert_eq "$before" "$after" "review round $i: user state when the branch did not move"
      # Restart: the accept is simply done again.
      ms_of "$BIN" review --accept "$id"
      window=$((ELAPSED * 12 / 10 + 20))
    else
      assert_eq "$head" "$(git rev-parse HEAD^)" "review round $i: the branch moved by one commit"
      assert_contains "$(git log -1 --format=%B)" "Autoloop-Opportunity: $id" "review round $i: the commit on the branch"
      # Killed after the branch moved: the one file may lag behind, or the verdict; the accept's journal
      # lets the next review finish both (and touch nothing else).
      local lagging
      lagging=$(git status --porcelain=v1 --untracked-files=all | grep -v ' user-notes.txt$' || true)
      if [ -n "$lagging" ] || [ "$status" != accepted ]; then
        figure accept_finished_after_kill
        "$BIN" review --list >/dev/null || fail "review round $i: review --list after the kill failed"
      fi
    fi
    assert_eq "accepted" "$(opportunity_status "$id")" "review round $i: status of #$id after the restart"
    assert_eq "?? user-notes.txt" "$(git status --porcelain=v1 --untracked-files=all)" "review round $i: status after the restart"
  done
  out=$(check_now --fsck) || fail "after all rounds: $out"
  drain_settled
}

# on_small_disk DIR: mounts a 1 MiB tmpfs on DIR (keeping its content), or returns 1 when mount is not allowed.
on_small_disk() {
  local dir=$1 keep="$E2E_TEST_DIR/keep"
  command -v mount >/dev/null || return 1
  mkdir -p "$keep"
  cp -a "$dir/." "$keep/"
  mount -t tmpfs -o size=1m tmpfs "$dir" 2>/dev/null || return 1
  cp -a "$keep/." "$dir/"
  SMALL_DISK=$dir
}

test_full_disk() {
  torture_repo
  py a.py
  commit_all "one finding"
  wait_for_scan
  drain_settled
  local data side rows
  data=$(autoloop_dir)
  side=$(side_ref)
  rows=$(queue_rows)
  SMALL_DISK=
  trap '[ -z "$SMALL_DISK" ] || umount -l "$SMALL_DISK"' EXIT
  if on_small_disk "$data"; then
    figure full_disk_tmpfs
    # Fill it.
    dd if=/dev/zero of="$data/filler" bs=64k 2>/dev/null || true
    py b.py b
    git add b.py
    timed_commit -m "committed on a full disk"
    [ "$COMMIT_MS" -lt 10000 ] || fail "the commit took $COMMIT_MS ms on a full disk"
    sleep 1
    run_cmd git autoloop scan --commit HEAD
    assert_ne "0" "$RC" "scan on a full disk"
    assert_contains "$ERR" "git-autoloop: error:" "scan on a full disk"
    "$PYTHON" -c 'import sys; e = sys.argv[1].lower(); sys.exit(0 if ("full" in e or "space" in e) else 1)' "$ERR" \
      || fail "the error does not say the disk is full: $ERR"
    run_cmd git autoloop drain --now --foreground
    assert_eq "$side" "$(side_ref)" "side branch after a drain on a full disk"
    rm -f "$data/filler"
  else
    # No mount here: the same through RLIMIT_FSIZE (writes past the limit fail with EFBIG).
    figure full_disk_rlimit
    py b.py b
    git add b.py
    AUTOLOOP=0 git commit -q -m "committed under a file size limit"
    run_cmd bash -c 'trap "" XFSZ; ulimit -f 1; exec git autoloop scan --commit HEAD'
    assert_ne "0" "$RC" "scan under RLIMIT_FSIZE"
    assert_contains "$ERR" "git-autoloop: error:" "scan under RLIMIT_FSIZE"
  fi
  figure disk_faults
  # No corruption; the queue holds what it held; once there is room again, the work is done.
  check_case
  assert_eq "$rows" "$(queue_rows | grep -v ' b.py:' || true)" "queue rows from before the full disk"
  expect_rc 0 git autoloop scan --commit HEAD
  assert_contains "$(queue_rows)" "python/compare-to-none b.py:2 open" "the commit made on the full disk, scanned afterwards"
  drain_settled
  [ -z "$SMALL_DISK" ] || { umount "$SMALL_DISK" && SMALL_DISK=; }
}

test_corrupt_and_truncated_db() {
  torture_repo
  py old1.py
  py old2.py
  commit_all "two findings"
  wait_for_scan
  local db
  db="$(autoloop_dir)/queue.db"
  local mode
  for mode in truncated pages header; do
    expect_rc 0 git autoloop scan --commit HEAD # checkpoints the WAL into the file
    "$PYTHON" - "$db" "$mode" <<'EOF'
import os, sys
path, mode = sys.argv[1], sys.argv[2]
for extra in ("-wal", "-shm"):
    if os.path.exists(path + extra):
        os.remove(path + extra)
size = os.path.getsize(path)
with open(path, "r+b") as f:
    if mode == "truncated":
        f.truncate(size // 2 + 100)          # cut mid-page
    elif mode == "pages":
        f.seek(4096)                         # keep the header, garble the first pages of the tables
        f.write(os.urandom(min(4 * 4096, size - 4096)))
    else:
        f.seek(0)
        f.write(os.urandom(100))             # the header itself
EOF
    printf 'x = %s\n' "$mode" >"$mode.py"
    git add "$mode.py"
    timed_commit -m "commit with a $mode queue.db"
    wait_for_scan 60
    # The rebuilt queue has no cycle yet, so the worker drains at once: wait for it too.
    flock -w 60 "$(autoloop_dir)/drain.lock" true
    ls "$(autoloop_dir)"/queue.db.corrupt-* >/dev/null 2>&1 || fail "$mode: the corrupt database was not moved aside"
    # Rebuilt by a rescan: the findings of earlier commits are back (and may be on the side branch already).
    assert_contains "$(queue_rows)" "python/compare-to-none old1.py:2 " "$mode: queue after the rebuild"
    assert_contains "$(queue_rows)" "python/compare-to-none old2.py:2 " "$mode: queue after the rebuild"
    check_case
    # Reported once, by the next hook.
    printf 'y = 1\n' >>"$mode.py"
    git add "$mode.py"
    timed_commit -m "next"
    assert_contains "$ERR" "corrupt" "$mode: stderr of the commit after the rebuild"
    wait_for_scan 60
    printf 'z = 1\n' >>"$mode.py"
    git add "$mode.py"
    timed_commit -m "after that"
    assert_not_contains "$ERR" "corrupt" "$mode: stderr of the commit after that"
    wait_for_scan 60
    rm -f "$(autoloop_dir)"/queue.db.corrupt-*
    figure corrupt_db_cases
  done
  drain_settled
  assert_hooks_fast
}

test_missing_binary_and_grammar() {
  mkdir bin
  cp -L "$AUTOLOOP_BIN_DIR/git-autoloop" "$AUTOLOOP_BIN_DIR/autoloop-hook" bin/
  new_repo
  echo base >README
  commit_all "base"
  expect_rc 0 "$E2E_TEST_DIR/bin/git-autoloop" install --no-config-file
  local i warned
  # 1. The main binary is gone: the hook binary says so once.
  mv "$E2E_TEST_DIR/bin/git-autoloop" "$E2E_TEST_DIR/bin/git-autoloop.away"
  warned=0
  for i in 1 2 3; do
    echo "$i" >"m$i.txt"
    git add "m$i.txt"
    timed_commit -m "without the main binary $i"
    case $ERR in *"git-autoloop is missing"*) warned=$((warned + 1)) ;; esac
  done
  assert_eq "1" "$warned" "warnings about the missing main binary in 3 commits"
  mv "$E2E_TEST_DIR/bin/git-autoloop.away" "$E2E_TEST_DIR/bin/git-autoloop"
  # 2. The hook binary is gone: nothing changes, the hooks are copies of it.
  mv "$E2E_TEST_DIR/bin/autoloop-hook" "$E2E_TEST_DIR/bin/autoloop-hook.away"
  for i in 1 2 3; do
    echo "$i" >"h$i.py"
    git add "h$i.py"
    timed_commit -m "without the hook binary $i"
    assert_eq "" "$ERR" "stderr of a commit without the hook binary"
  done
  wait_for_scan 60
  assert_eq "3" "$(db_query "select count(*) from file_metrics where path like 'h_.py'")" "files scanned without the hook binary"
  mv "$E2E_TEST_DIR/bin/autoloop-hook.away" "$E2E_TEST_DIR/bin/autoloop-hook"
  # 3. A rule for a language this build has no grammar for: warned once, commits go on, nothing is lost.
  mkdir -p .autoloop/rules/cobol
  printf 'id: local/cobol\nlanguage: cobol\ncategory: code_quality\nseverity: info\nsafety: suggest\nmessage: "m"\nquery: "(x) @match"\n' \
    >.autoloop/rules/cobol/r.yml
  py lost.py
  git add -A
  timed_commit -m "a rule without a grammar"
  wait_for_scan 60
  warned=0
  for i in 1 2 3; do
    echo "$i" >"g$i.txt"
    git add "g$i.txt"
    timed_commit -m "with the grammar missing $i"
    case $ERR in *cobol*) warned=$((warned + 1)) ;; esac
    wait_for_scan 60
  done
  assert_eq "1" "$warned" "warnings about the missing grammar in 3 commits"
  git rm -q -r .autoloop/rules
  timed_commit -m "rule removed"
  wait_for_scan 60
  assert_contains "$(queue_rows)" "python/compare-to-none lost.py:2 open" "the commit made meanwhile, scanned once the rule is gone"
  figure missing_binary_cases 3
  check_case
}

run_test "kill -9 at random points of scan, drain and review --accept; invariants after each kill and restart" test_kill9_scan_drain_review
run_test "a full disk: a clear error, no corruption, the work done once there is room" test_full_disk
run_test "a truncated or garbled queue.db is moved aside, rebuilt by a rescan, reported once" test_corrupt_and_truncated_db
run_test "a missing binary or grammar: hooks warn once and exit 0" test_missing_binary_and_grammar
print_figures
finish
