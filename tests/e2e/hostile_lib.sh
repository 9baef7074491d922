# The hostile-repository harness shared by tests/e2e/hostile.sh and tests/e2e/hostile_strangers.sh; not a
# suite itself (CMake skips it). The attacker publishes a repository, the user clones it, installs, does not
# trust it and makes one ordinary commit; `held` then checks that nothing of the user's and nothing outside
# the repository changed (the suites' headers say what exactly).
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

HOSTILE_TIMEOUT=${HOSTILE_TIMEOUT:-60}
HOSTILE_MAX_RSS_KB=${HOSTILE_MAX_RSS_KB:-524288}
MARKS= OUTSIDE= USER_BEFORE= CANARY_BEFORE=
# Refs besides refs/heads/autoloop/* the loop may write in this case (an extended regex; a case with a
# valid side_branch_prefix of its own sets it).
SIDE_REFS='^refs/heads/autoloop/'

# --- The attacker -----------------------------------------------------------------------------------------

# upstream: the attacker's repository $E2E_TEST_DIR/upstream on main, with README and bait.py (one
# python/compare-to-none finding, so a drain has something to do); cd's into it. The case adds its content
# and calls publish.
upstream() {
  hostile_env
  new_repo "$E2E_TEST_DIR/upstream"
  printf 'readme\n' >README
  py bait.py bait
}

# publish MESSAGE: commits everything in the attacker's repository (no hooks there).
publish() {
  git add -A
  git commit -q --no-verify -m "$1"
}

# attacker_cmd NAME: a shell command that leaves the mark NAME if it ever runs.
attacker_cmd() { echo "touch '$MARKS/$1'"; }

# crafted_commit PATH MODE OID MESSAGE: a commit on the current branch whose tree is HEAD's plus one entry
# PATH (one level: "dir/name" makes dir a tree) of MODE and OID, written byte by byte: names git itself
# refuses to add (".git", "..") and entries it never makes (a gitlink without .gitmodules) alike.
crafted_commit() {
  local tree
  tree=$("$PYTHON" - "$1" "$2" "$3" "$(git rev-parse HEAD^{tree})" <<'EOF'
import binascii, subprocess, sys
path, mode, oid, head = sys.argv[1:5]
def entries(tree):
    out = []
    for line in subprocess.run(["git", "ls-tree", tree], capture_output=True, text=True).stdout.splitlines():
        meta, name = line.split("\t")
        m, _, o = meta.split()
        out.append((name, m, o))
    return out
def write(es):
    es.sort(key=lambda e: e[0] + ("/" if e[1] == "40000" else ""))
    data = b"".join(m.encode() + b" " + n.encode() + b"\0" + binascii.unhexlify(o) for n, m, o in es)
    return subprocess.run(["git", "hash-object", "-t", "tree", "-w", "--literally", "--stdin"], input=data,
                          capture_output=True, check=True).stdout.decode().strip()
top = entries(head)
if "/" in path:
    d, name = path.split("/", 1)
    top.append((d, "40000", write([(name, mode, oid)])))
else:
    top.append((path, mode, oid))
print(write(top))
EOF
)
  git update-ref refs/heads/"$(git symbolic-ref --short HEAD)" "$(git commit-tree "$tree" -p HEAD -m "$4")"
  git reset -q --hard 2>/dev/null || true
}

# --- The user ---------------------------------------------------------------------------------------------

# hostile_env: $MARKS, $OUTSIDE and a $HOME of the user's, all outside the repository. OUTSIDE holds what a
# careless loop would read or write: lock files (another project's Cargo.lock, a sibling checkout's
# index.lock), a secret, a rules directory and a coverage report that would show up in the queue or the
# metrics if they were ever read.
hostile_env() {
  MARKS=$E2E_TEST_DIR/marks
  OUTSIDE=$E2E_TEST_DIR/outside
  export HOME=$E2E_TEST_DIR/home
  unset XDG_CACHE_HOME XDG_CONFIG_HOME XDG_DATA_HOME
  mkdir -p "$MARKS" "$OUTSIDE/sibling/.git" "$OUTSIDE/rules/python" "$OUTSIDE/deep/er" "$HOME/.ssh" "$HOME/.config/proj"
  printf '# Cargo.lock of another project\nversion = 3\n' >"$OUTSIDE/Cargo.lock"
  printf 'held by a git process\n' >"$OUTSIDE/sibling/.git/index.lock"
  printf 'lock\n' >"$OUTSIDE/deep/er/yarn.lock"
  printf 'password=hunter2\n' >"$OUTSIDE/secret.txt"
  chmod 600 "$OUTSIDE/secret.txt"
  py "$OUTSIDE/target.py" outside
  cat >"$OUTSIDE/rules/python/outside.yml" <<'EOF'
id: outside/read
language: python
category: code_quality
severity: info
safety: suggest
message: "a rule from outside the repository was loaded"
query: "(identifier) @match"
EOF
  printf 'side_branch_prefix: "leaked/"\n' >"$OUTSIDE/config.yml"
  printf 'TN:\nSF:bait.py\nDA:1,1\nDA:2,0\nLF:2\nLH:1\nend_of_record\n' >"$OUTSIDE/cov.info"
  printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n' >"$HOME/.ssh/id_ed25519"
  chmod 600 "$HOME/.ssh/id_ed25519"
  printf 'lock\n' >"$HOME/.config/proj/state.lock"
}

# clone_as_user [CLONE ARGS...]: the user clones upstream into $E2E_TEST_DIR/repo and installs; no trust.
clone_as_user() {
  cd "$E2E_TEST_DIR"
  git clone -q "$@" upstream repo 2>"$E2E_TEST_DIR/clone.err" || true
  cd repo
  git rev-parse -q --verify HEAD >/dev/null || fail "the clone has no HEAD: $(cat "$E2E_TEST_DIR/clone.err")"
  git config user.name "E2E User"
  git config user.email "user@e2e.invalid"
  install_autoloop --no-config-file
}

# canary_state: names, types, modes, sizes, mtimes and content of everything in $OUTSIDE and $HOME.
canary_state() {
  local d
  for d in "$OUTSIDE" "$HOME"; do
    echo "== $d"
    find "$d" -printf '%P %y %m %s %T@ %l\n' | LC_ALL=C sort
    find "$d" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
  done
}

# user_state: lib.sh's snapshot (HEAD, index, stashes, refs but refs/heads/autoloop/*, work-tree files with
# modes and mtimes) minus the refs this case lets the loop write, plus .git/config, HEAD, hooks and info/.
user_state() {
  snapshot | grep -Ev "$SIDE_REFS" || true
  echo "git files:"
  local gd
  gd=$(git rev-parse --absolute-git-dir)
  (cd "$gd" && find HEAD config hooks info packed-refs description -printf '%p %y %m %s %T@\n' 2>/dev/null | LC_ALL=C sort)
  (cd "$gd" && find HEAD config hooks info packed-refs description -type f -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 -r sha256sum)
  echo "lock files in the git dir:"
  (cd "$gd" && find . -path ./autoloop -prune -o -name '*.lock' -print | LC_ALL=C sort)
}

# bounded NAME CMD...: runs CMD (stdout/stderr in OUT/ERR, status in RC) under `timeout HOSTILE_TIMEOUT`,
# measuring its peak memory; fails the case when it timed out, died of a signal or peaked above
# HOSTILE_MAX_RSS_KB. Any exit status below 124 is fine: refusing is allowed, hanging and crashing are not.
bounded() {
  local name=$1 rss_file="$E2E_TEST_DIR/.rss" t0 ms rss=0
  shift
  t0=$(date +%s%N)
  if [ -x /usr/bin/time ]; then
    run_cmd /usr/bin/time -q -f %M -o "$rss_file" timeout -k 5 "$HOSTILE_TIMEOUT" "$@"
    rss=$(tail -n 1 "$rss_file" 2>/dev/null || echo 0)
    case $rss in *[!0-9]* | '') rss=0 ;; esac
  else
    # Without GNU time: a memory limit makes an unbounded read fail visibly (killed or bad_alloc).
    run_cmd bash -c 'ulimit -v $(( $1 * 4 )); shift; exec timeout -k 5 "$@"' _ "$HOSTILE_MAX_RSS_KB" "$HOSTILE_TIMEOUT" "$@"
  fi
  ms=$((($(date +%s%N) - t0) / 1000000))
  figure commands_run
  figure_max max_rss_kb "$rss"
  figure_max max_command_ms "$ms"
  echo "bounded $name: rc=$RC ${ms}ms ${rss}KB" >&2
  [ "$RC" != 124 ] && [ "$RC" != 137 ] || fail "$name ran for more than ${HOSTILE_TIMEOUT}s (killed)"
  [ "$RC" -lt 124 ] || fail "$name died (exit $RC)
stderr: $(tail -c 2000 <<<"$ERR")"
  [ "$rss" -le "$HOSTILE_MAX_RSS_KB" ] || fail "$name peaked at ${rss} KB (limit $HOSTILE_MAX_RSS_KB KB)"
  case "$ERR" in *bad_alloc* | *"out of memory"*) fail "$name ran out of memory: $ERR" ;; esac
  return 0
}

# attack [FILE]: the user's ordinary commit through the hooks (FILE, default mine.py, gets a finding), with
# the background worker held back on the scan lock until the user's state is recorded; then the worker
# (foreground) and every command a user runs, each bounded. Leaves the user state in USER_BEFORE.
attack() {
  local file=${1:-mine.py} data gd
  data=$(autoloop_dir)
  gd=$(git rev-parse --absolute-git-dir)
  CANARY_BEFORE=$(canary_state)
  py "$file" mine
  git add -- "$file"
  exec 9>"$data/scan.lock"
  flock 9
  bounded "git commit (hooks)" git commit -q -m "my ordinary work" 9>&-
  [ "$RC" = 0 ] || fail "the user's commit failed (exit $RC): $ERR"
  USER_BEFORE=$(user_state)
  exec 9>&-
  # The user's debounce (environment layer): the worker drains at once instead of waiting 30 s.
  AUTOLOOP_AUTONOMOUS_LOOP__DEBOUNCE=0 bounded "worker" git autoloop worker --git-dir "$gd"
  loop_commands
}

# loop_commands: what a user runs; each bounded (a refusal is fine).
loop_commands() {
  bounded "status" git autoloop status
  bounded "queue" git autoloop queue --status all
  # The attacker's files came with the clone: a user scans them all once (and a pull would scan them too).
  bounded "scan --all" git autoloop scan --all
  flock -w 60 "$(autoloop_dir)/drain.lock" true
  bounded "drain" git autoloop drain --now --foreground
  bounded "review --list" git autoloop review --list
  # A worker a hook started may still be busy (it gave up on the scan lock, but may wait for a drain).
  flock -w 60 "$(autoloop_dir)/scan.lock" true
  flock -w 60 "$(autoloop_dir)/drain.lock" true
}

# held [INVARIANTS ARGS...]: the attack changed nothing of the user's and nothing outside; counts it as held.
held() {
  local marks
  marks=$(ls -A "$MARKS")
  [ -z "$marks" ] || fail "attacker commands ran: $marks"
  assert_eq "$CANARY_BEFORE" "$(canary_state)" "files outside the repository (\$OUTSIDE, \$HOME)"
  assert_eq "$USER_BEFORE" "$(user_state)" "the user's repository (HEAD, index, work tree, refs, config, hooks)"
  check_case "$@"
}

# queue_rules: the distinct rule ids in the queue, one per line.
queue_rules() { db_query "SELECT DISTINCT rule_id FROM opportunities ORDER BY 1"; }

# side_diff: everything the side branches hold, as patches (empty without side branches).
side_diff() {
  local r
  for r in $(git for-each-ref --format='%(refname)' refs/heads/autoloop/); do
    git log -p --format='commit %H%n%B' "${r#refs/heads/}" --not "$(git symbolic-ref --short HEAD)" 2>/dev/null || true
  done
}

# t DESCRIPTION FUNCTION: one attack; it held when every assertion of the case passed.
# SUITE_SHARD=I/N runs only the cases whose position (from 0) is I modulo N: CTest runs the suite as
# N tests side by side (CMakeLists.txt), each with its own FIGURES line.
HOSTILE_CASE=-1
t() {
  HOSTILE_CASE=$((HOSTILE_CASE + 1))
  if [ -n "${SUITE_SHARD:-}" ] && [ $((HOSTILE_CASE % ${SUITE_SHARD#*/})) -ne "${SUITE_SHARD%/*}" ]; then return 0; fi
  local failed=${#E2E_FAILED[@]}
  run_test "$1" "$2"
  [ -z "${SUITE_ONLY:-}" ] || [[ $2 =~ $SUITE_ONLY ]] || return 0
  figure attacks_tried
  [ "${#E2E_FAILED[@]}" -gt "$failed" ] || figure attacks_held
}
