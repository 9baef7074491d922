#!/bin/bash
# A drain cycle is atomic (docs/ARCHITECTURE.md §7.4): killed with SIGKILL at any point, the side branch is at a checkpoint
# (absent, or a chain of well-formed fix commits on top of the branch), the repository is sound, and the next
# drain finishes the interrupted cycle so that the queue and the side branch agree. One drain at a time: a
# second one says so and leaves at once.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ITERATIONS=${E2E_KILL_ITERATIONS:-50}

# py NAME: a Python file with one python/compare-to-none finding.
py() { printf 'def %s(x):\n    if x == None:\n        return 1\n    return 2\n' "${1%.py}" >"$1"; }

kill_repo() {
  new_repo
  # Hundreds of rebuilt side branches leave many loose objects, so a user commit may start `git gc --auto`;
  # in the background it would race the fsck below. Let it run in the foreground of that commit instead.
  git config gc.autoDetach false
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains "$@"
}

# The invariants, checked by one long-lived Python process (start_checker) because the kill loop checks
# twice per round and interpreter start-up would dominate its run time. check_state MODE [BASE] prints what
# is wrong and fails, or succeeds silently:
#   always: autoloop/main is absent, or a descendant of main (or of BASE, where main was when the side branch
#           was last built: a killed drain leaves it there) whose every commit on main..autoloop/main has
#           the four Autoloop-* trailers and changes exactly one file; git fsck finds nothing wrong.
#   after-kill: autoloop/main is at a checkpoint: where the last after-drain check saw it, or at the tip
#           that a cycle started since planned (the killed drain published before it died).
#   after-drain: no cycle left unfinished, no attempt left planned; the applied opportunities are exactly
#           those on the side branch (by Autoloop-Opportunity trailer), each once.
start_checker() {
  cat >"$E2E_TEST_DIR/check.py" <<'EOF'
import sqlite3, subprocess, sys

db_path = sys.argv[1]
seen = {"side": "", "cycle": 0}  # as of the last after-drain check

def check(mode, base):
    problems = []

    def git(*args, check=True):
        r = subprocess.run(["git", *args], capture_output=True, text=True)
        if check and r.returncode != 0:
            problems.append("git %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()))
        return r

    side = git("rev-parse", "-q", "--verify", "refs/heads/autoloop/main", check=False).stdout.strip()
    on_side = []
    if side:
        if not any(git("merge-base", "--is-ancestor", b, side, check=False).returncode == 0 for b in ("main", base)):
            problems.append("autoloop/main %s is not a descendant of main (nor of %s)" % (side, base))
        log = git("log", "--format=%x1e%H%x1f%(trailers:only,unfold)%x1f", "--name-only", "main.." + side).stdout
        for record in log.split("\x1e")[1:]:
            commit, trailers, names = record.split("\x1f")
            files = [n for n in names.split("\n") if n]
            if len(files) != 1:
                problems.append("%s changes %d files: %s" % (commit, len(files), files))
            keys = {}
            for line in trailers.splitlines():
                k, _, v = line.partition(": ")
                keys[k] = v
            for k in ("Autoloop-Rule", "Autoloop-Opportunity", "Autoloop-Fingerprint", "Autoloop-Validated"):
                if not keys.get(k):
                    problems.append("%s has no %s trailer" % (commit, k))
            if keys.get("Autoloop-Opportunity", "").isdigit():
                on_side.append(int(keys["Autoloop-Opportunity"]))
    if mode == "after-kill":
        db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=10)
        try:
            planned = [r[0] for r in db.execute("SELECT planned_tip FROM cycles WHERE id > ? AND planned_tip IS NOT NULL",
                                                (seen["cycle"],))]
        finally:
            db.close()
        main = git("rev-parse", "main").stdout.strip()
        allowed = {seen["side"]} | set(planned)
        if not side and main in planned:
            allowed.add("")  # a cycle that planned to drop every fix deletes the side branch
        if side not in allowed:
            problems.append("autoloop/main is at %s: neither where it was (%s) nor a planned tip %s"
                            % (side or "(absent)", seen["side"] or "absent", planned))
    fsck = git("fsck", "--no-dangling", "--no-progress", check=False)
    if fsck.returncode != 0 or fsck.stdout.strip() or fsck.stderr.strip():
        problems.append("git fsck: exit %d\n%s%s" % (fsck.returncode, fsck.stdout, fsck.stderr))

    if mode == "after-drain":
        db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=10)
        try:
            open_cycles = db.execute("SELECT id, state FROM cycles WHERE state != 'done'").fetchall()
            if open_cycles:
                problems.append("cycles not done after a drain: %s" % open_cycles)
            applied = sorted(r[0] for r in db.execute("SELECT id FROM opportunities WHERE status = 'applied'"))
            if sorted(on_side) != applied:
                problems.append("applied opportunities %s but the side branch holds %s" % (applied, sorted(on_side)))
            planned = db.execute("SELECT count(*) FROM attempts WHERE outcome = 'planned'").fetchone()[0]
            if planned:
                problems.append("%d attempts still 'planned' after a drain" % planned)
            seen["cycle"] = db.execute("SELECT coalesce(max(id), 0) FROM cycles").fetchone()[0]
            seen["side"] = side
        finally:
            db.close()
    return problems

for request in sys.stdin:
    mode, base = request.split()
    try:
        problems = check(mode, base)
    except Exception as e:  # report, do not die: the suite reads until END
        problems = ["checker error: %r" % e]
    for p in problems:
        print(p)
    print("END", flush=True)
EOF
  coproc CHECKER { exec "$PYTHON" "$E2E_TEST_DIR/check.py" "$(autoloop_dir)/queue.db"; }
}

check_state() {
  local line="" out=""
  echo "$1 ${2:-main}" >&"${CHECKER[1]}"
  while IFS= read -r line <&"${CHECKER[0]}"; do
    [ "$line" = END ] && break
    out+="$line"$'\n'
  done
  [ "$line" = END ] || out+="the checker died"$'\n'
  [ -z "$out" ] && return 0
  printf '%s' "$out"
  return 1
}

test_kill_anywhere() {
  kill_repo "max_improvements_per_cycle: 3"
  local i
  for i in $(seq 1 12); do py "p$i.py"; done
  printf 'int* g() {\n  int* p = NULL;\n  return p;\n}\n' >g.cpp
  commit_all "thirteen findings"
  wait_for_scan
  start_checker
  # The kill lands at a random point within the first 300 ms, then within 1.25 times what the last complete drain
  # took (at least 80 ms: drains that only keep their fixes are quick), so that late points (publishing,
  # recording) are hit as well as early ones.
  local bin="$AUTOLOOP_BIN_DIR/git-autoloop" killed=0 finished=0 pid ms tc out base window=300 t0
  out=$(check_state after-drain) || fail "before the first round: $out"
  for i in $(seq 1 "$ITERATIONS"); do
    base=$(git rev-parse main)
    # Every tenth round the user moves main: a new finding, and an edit to a file a pending fix touches.
    if [ $((i % 10)) = 5 ]; then
      py "new$i.py"
      printf '\n\ndef extra%d():\n    return %d\n' "$i" "$i" >>p1.py
      git add "new$i.py" p1.py
      git commit -q -m "user work $i"
      wait_for_scan
    fi
    # Half the rounds run a (short) test command, so the kill also lands while tests run in a worktree.
    if [ $((i % 2)) = 0 ]; then tc="sleep 0.05"; else tc=""; fi
    "$bin" -c test_command="$tc" drain --now --foreground >"$E2E_TEST_DIR/drain.out" 2>&1 &
    pid=$!
    ms=$(((RANDOM * 32768 + RANDOM) % (window + 1)))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if [[ $(<"$E2E_TEST_DIR/drain.out") == *"cycle "* ]]; then finished=$((finished + 1)); else killed=$((killed + 1)); fi
    out=$(check_state after-kill "$base") || fail "round $i, killed after ${ms} ms: $out"

    # The next drain recovers the interrupted cycle and finishes (adding one fix, so the side branch grows).
    t0=$(date +%s%N)
    expect_rc 0 "$bin" drain --now --foreground --max 1
    window=$((($(date +%s%N) - t0) / 800000))
    [ "$window" -ge 80 ] || window=80
    assert_contains "$OUT" "cycle " "round $i: output of the drain after the kill"
    out=$(check_state after-drain) || fail "round $i, after the recovering drain: $out"
  done
  echo "rounds: $ITERATIONS, killed while running: $killed, finished before the kill: $finished, last window: $window ms"
  db_query "SELECT coalesce(detail, 'completed'), count(*) FROM cycles GROUP BY 1"
  [ "$killed" -ge $((ITERATIONS / 4)) ] || fail "only $killed of $ITERATIONS drains were still running when killed"
  [ -n "$(db_query "SELECT id FROM cycles WHERE detail LIKE 'recovered%'")" ] || fail "no cycle was ever recovered"

  # After all that, the loop works as usual: new findings, a full drain with tests, three new fixes.
  local before
  py final1.py
  py final2.py
  py final3.py
  commit_all "three more findings"
  wait_for_scan
  before=$(side_commits | grep -c . || true)
  expect_rc 0 git autoloop -c test_command=true drain --now --foreground
  assert_contains "$OUT" "3 new fixes"
  out=$(check_state after-drain) || fail "after the final drain: $out"
  assert_eq "$((before + 3))" "$(side_commits | grep -c .)" "fixes after the final drain"
  # The user's worktree and the one validation worktree (kept for the next cycle), nothing else.
  assert_eq "2" "$(git worktree list --porcelain | grep -c '^worktree ')" "worktrees registered"
  assert_eq "" "$(ls -A "$(autoloop_dir)/worktrees" 2>/dev/null)" "private worktrees left on disk"
  local second
  second=$(git worktree list --porcelain | sed -n 's/^worktree //p' | sed -n 2p)
  case $second in "$XDG_CACHE_HOME/git-autoloop/worktrees/"*/tree) ;; *) fail "unexpected worktree $second" ;; esac
  assert_file "$second/.git" "the validation worktree"
  assert_eq "" "$(find .git -name '*.lock' ! -path '.git/autoloop/*')" "git lock files left behind"
}

test_one_drain_at_a_time() {
  kill_repo "" "test_command: \"touch '$E2E_TEST_DIR/started'; sleep 3\""
  py a.py
  commit_all "one finding"
  wait_for_scan
  git autoloop drain --now --foreground >"$E2E_TEST_DIR/first.out" 2>&1 &
  local first=$!
  local deadline=$((SECONDS + 20))
  until [ -e "$E2E_TEST_DIR/started" ]; do
    [ $SECONDS -lt $deadline ] || fail "the first drain never started its tests"
    sleep 0.02
  done
  local cycles side start elapsed_ms
  cycles=$(db_query "SELECT count(*) FROM cycles")
  side=$(side_ref)
  start=$(date +%s%N)
  expect_rc 0 git autoloop drain --now --foreground
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  assert_contains "$OUT$ERR" "another drain is running"
  [ "$elapsed_ms" -lt 1000 ] || fail "the second drain took ${elapsed_ms} ms"
  assert_eq "$cycles" "$(db_query "SELECT count(*) FROM cycles")" "cycles started by the second drain"
  assert_eq "$side" "$(side_ref)" "side branch while the first drain runs"
  kill -0 "$first" 2>/dev/null || fail "the first drain was not running any more when the second one returned"

  wait "$first" || fail "the first drain failed: $(cat "$E2E_TEST_DIR/first.out")"
  assert_contains "$(cat "$E2E_TEST_DIR/first.out")" "1 new fix"
  assert_eq "$(db_query "SELECT id FROM opportunities WHERE path = 'a.py'")" "$(side_opportunities)" "side branch after the first drain"
}

test_killed_while_writing_the_side_branch() {
  # libgit2 writes a ref as <ref>.lock and renames it into place; kill -9 between the two leaves the lock file
  # behind (the random kills above hit this window now and then). Every drain holds drain.lock, so no other
  # autoloop process can own it: the next drain must not be wedged by it.
  kill_repo ""
  py a.py
  commit_all "one finding"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  local side lock
  side=$(side_ref)
  lock="$(git rev-parse --git-path refs/heads/autoloop/main).lock"
  [ -f "$(git rev-parse --git-path refs/heads/autoloop/main)" ] || fail "autoloop/main is not a loose ref"
  echo "$side" >"$lock"
  touch -d '1 minute ago' "$lock"

  py b.py
  commit_all "another finding"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$OUT" "1 new fix"
  assert_eq "$(db_query "SELECT id FROM opportunities ORDER BY id")" "$(side_opportunities)" "side branch after the drain"
  assert_no_file "$lock" "stale lock"
  start_checker
  local out
  out=$(check_state after-drain) || fail "$out"
}

run_test "kill -9 at random points of $ITERATIONS drains: checkpoint, sound repo, next drain recovers" test_kill_anywhere
run_test "a drain killed while writing the side-branch ref does not wedge the next ones" test_killed_while_writing_the_side_branch
run_test "a second drain while one runs says so and returns at once" test_one_drain_at_a_time
finish
