# Shared helpers for the end-to-end suites (tests/e2e/<feature>.sh). Not a suite itself: CMake skips it.
#
# A suite sources this file, defines one function per test and runs each with run_test:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   test_chains_existing_hook() {
#     new_repo
#     ...
#     assert_eq "expected" "$actual" "what is compared"
#   }
#   run_test "an existing hook still runs" test_chains_existing_hook
#   finish
#
# Each test runs in a subshell with `set -e`, in its own directory under one mktemp root; its output goes
# to a log printed only when it fails. The root is removed when every test passed, kept (and its path
# printed) otherwise. Tests drive real git through the hooks `git autoloop install` writes.
#
# Environment: AUTOLOOP_BIN_DIR (the build dir holding git-autoloop and autoloop-hook) and
# AUTOLOOP_SOURCE_DIR (the source tree); both default to this checkout (<src>/build).

shopt -s inherit_errexit nullglob

E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AUTOLOOP_SOURCE_DIR=${AUTOLOOP_SOURCE_DIR:-$(cd "$E2E_LIB_DIR/../.." && pwd)}
AUTOLOOP_BIN_DIR=${AUTOLOOP_BIN_DIR:-$AUTOLOOP_SOURCE_DIR/build}
AUTOLOOP_BIN_DIR=$(cd "$AUTOLOOP_BIN_DIR" 2>/dev/null && pwd) || {
  echo "e2e: AUTOLOOP_BIN_DIR=$AUTOLOOP_BIN_DIR is not a directory" >&2
  exit 1
}
for _bin in git-autoloop autoloop-hook; do
  if [ ! -x "$AUTOLOOP_BIN_DIR/$_bin" ]; then
    echo "e2e: $AUTOLOOP_BIN_DIR/$_bin is missing: build it first" >&2
    exit 1
  fi
done
export AUTOLOOP_BIN_DIR AUTOLOOP_SOURCE_DIR

# `git autoloop` must resolve to the binary under test.
export PATH="$AUTOLOOP_BIN_DIR:$PATH"

# A real interpreter, not a version-manager shim that depends on the caller's environment.
if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=$(command -v python3 || true); fi
if [ -z "$PYTHON" ]; then
  echo "e2e: python3 is required (JSON and SQLite checks)" >&2
  exit 1
fi

E2E_SUITE=$(basename "$0" .sh)
E2E_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/autoloop-e2e-$E2E_SUITE.XXXXXX")
E2E_TESTS=0
E2E_FAILED=()

# --- A hermetic environment: no user or system git config, no autoloop settings from the caller. ---------
for _var in $(compgen -e); do
  case $_var in
  AUTOLOOP_BIN_DIR | AUTOLOOP_SOURCE_DIR) ;;
  AUTOLOOP | AUTOLOOP_*) unset "$_var" ;;
  GIT_*) unset "$_var" ;;
  esac
done
: >"$E2E_ROOT/gitconfig"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$E2E_ROOT/gitconfig"
export GIT_AUTHOR_NAME="E2E Author" GIT_AUTHOR_EMAIL="author@e2e.invalid"
export GIT_COMMITTER_NAME="E2E Committer" GIT_COMMITTER_EMAIL="committer@e2e.invalid"
export GIT_TERMINAL_PROMPT=0 GIT_EDITOR=true GIT_PAGER=cat PAGER=cat
export LC_ALL=C TZ=UTC
# Validation worktrees go under the user's cache directory: this test's own, removed with it.
export XDG_CACHE_HOME="$E2E_ROOT/cache"
# Tests run beside builds and other suites: a busy machine must not defer their drains (one suite tests that).
export AUTOLOOP_AUTONOMOUS_LOOP__MAX_LOAD_PER_CPU=0

e2e_cleanup() {
  if [ ${#E2E_FAILED[@]} -eq 0 ] && [ -z "${E2E_KEEP:-}" ]; then
    rm -rf "$E2E_ROOT" 2>/dev/null || { sleep 1; rm -rf "$E2E_ROOT"; }
  else
    echo "e2e: test directories kept in $E2E_ROOT" >&2
  fi
}
trap e2e_cleanup EXIT

# --- Running tests --------------------------------------------------------------------------------------

# Called by the ERR trap inside a test: names the command that failed unexpectedly.
e2e_on_err() {
  local status=$1 line=$2 src=$3
  echo "FAIL: unexpected exit status $status at $src:$line: $BASH_COMMAND" >&2
}

# run_test DESCRIPTION FUNCTION: runs FUNCTION in a subshell (set -e) inside a fresh directory.
run_test() {
  local description=$1 fn=$2
  local dir="$E2E_ROOT/$fn"
  mkdir -p "$dir"
  E2E_TESTS=$((E2E_TESTS + 1))
  local start=$SECONDS status
  # Not `( ... ) || status=$?`: on the left of || bash ignores set -e inside the subshell.
  (
    cd "$dir"
    E2E_TEST_DIR=$dir
    set -eE -o pipefail
    trap 'e2e_on_err $? $LINENO "${BASH_SOURCE[0]}"' ERR
    "$fn"
  ) >"$dir/test.log" 2>&1
  status=$?
  if [ "$status" -eq 0 ]; then
    printf 'ok   %s (%ds)\n' "$description" $((SECONDS - start))
  else
    E2E_FAILED+=("$description")
    printf 'FAIL %s (%ds, exit %d) in %s\n' "$description" $((SECONDS - start)) "$status" "$dir"
    sed 's/^/     | /' "$dir/test.log"
  fi
}

# finish: prints the summary; the suite's exit status is non-zero when a test failed.
finish() {
  local failed=${#E2E_FAILED[@]}
  echo "$E2E_SUITE: $((E2E_TESTS - failed))/$E2E_TESTS passed"
  if [ "$failed" -ne 0 ]; then
    local t
    for t in "${E2E_FAILED[@]}"; do echo "  failed: $t"; done
    exit 1
  fi
  exit 0
}

# --- Assertions (each exits the test with a message naming the caller's line) ---------------------------

# The suite line that called into lib.sh (helpers call helpers; the first frame outside lib.sh is the test's).
e2e_where() {
  local i
  for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
    if [ "${BASH_SOURCE[i]}" != "${BASH_SOURCE[0]}" ]; then
      echo "${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]}"
      return
    fi
  done
  echo "?"
}

fail() {
  echo "FAIL: $* (at $(e2e_where))" >&2
  exit 1
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
  if [ "$1" != "$2" ]; then
    if [ "$(printf '%s' "$1$2" | wc -l)" -gt 0 ]; then
      echo "--- expected / +++ actual (${3:-value}):" >&2
      diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") | tail -n +3 >&2 || true
      fail "${3:-value} differs"
    fi
    fail "${3:-value}: expected '$1', got '$2'"
  fi
}

# assert_ne UNEXPECTED ACTUAL [WHAT]
assert_ne() {
  [ "$1" != "$2" ] || fail "${3:-value}: expected anything but '$1'"
}

# assert_contains HAYSTACK NEEDLE [WHAT]
assert_contains() {
  case $1 in
  *"$2"*) ;;
  *) fail "${3:-output} does not contain '$2'; it is:
$1" ;;
  esac
}

# assert_not_contains HAYSTACK NEEDLE [WHAT]
assert_not_contains() {
  case $1 in
  *"$2"*) fail "${3:-output} contains '$2' but must not; it is:
$1" ;;
  esac
}

assert_file() { [ -e "$1" ] || [ -L "$1" ] || fail "${2:-file} $1 does not exist"; }
assert_no_file() { [ ! -e "$1" ] && [ ! -L "$1" ] || fail "${2:-file} $1 exists but must not"; }

# run_cmd CMD...: runs CMD without tripping set -e; sets RC, OUT (stdout) and ERR (stderr).
run_cmd() {
  local o="$E2E_ROOT/.out.$BASHPID" e="$E2E_ROOT/.err.$BASHPID"
  if "$@" >"$o" 2>"$e"; then RC=0; else RC=$?; fi
  OUT=$(cat "$o")
  ERR=$(cat "$e")
  rm -f "$o" "$e"
}

# expect_rc CODE CMD...: run_cmd, then fails unless the exit status is CODE.
expect_rc() {
  local want=$1
  shift
  run_cmd "$@"
  [ "$RC" = "$want" ] || fail "'$*' exited $RC, expected $want
stdout: $OUT
stderr: $ERR"
}

# --- Repositories -----------------------------------------------------------------------------------------

# new_repo [DIR]: creates a repository on branch main (default DIR: repo) and cd's into it.
new_repo() {
  local dir=${1:-repo}
  git init -q -b main "$dir"
  cd "$dir"
  git config user.name "E2E User"
  git config user.email "user@e2e.invalid"
  git config commit.gpgsign false
  git config advice.detachedHead false
}

# install_autoloop [ARGS...]: `git autoloop install` that must succeed; its output is in OUT.
install_autoloop() {
  expect_rc 0 git autoloop install "$@"
}

# commit_all MESSAGE: stages everything and commits (hooks run).
commit_all() {
  git add -A
  git commit -q -m "$1"
}

# remote_ref GIT_DIR REF: the object id REF names in GIT_DIR, or "" when it does not exist.
remote_ref() { git --git-dir="$1" rev-parse -q --verify "$2" 2>/dev/null || true; }

hooks_dir() { git rev-parse --path-format=absolute --git-path hooks; }
autoloop_dir() { echo "$(git rev-parse --path-format=absolute --git-common-dir)/autoloop"; }

# Spool entries the worker is expected to take now (deferred ones wait for the end of a rebase & co).
spool_pending() {
  local spool f n=0
  spool="$(autoloop_dir)/spool"
  for f in "$spool"/*.ev; do
    grep -qx 'deferred 1' "$f" 2>/dev/null || n=$((n + 1))
  done
  echo "$n"
}

# Number of spool entries, deferred included.
spool_count() {
  local f n=0
  for f in "$(autoloop_dir)"/spool/*.ev; do n=$((n + 1)); done
  echo "$n"
}

# wait_for_scan [TIMEOUT]: waits until the background worker consumed every non-deferred spool entry and
# let go of the scan lock. The lock is only probed once the spool is empty, so the probe never makes a
# starting worker believe another one is busy with its entries.
wait_for_scan() {
  local timeout=${1:-20} data
  data=$(autoloop_dir)
  local deadline=$((SECONDS + timeout))
  while :; do
    if [ "$(spool_pending)" = 0 ] && flock -n "$data/scan.lock" true 2>/dev/null && [ "$(spool_pending)" = 0 ]; then
      return 0
    fi
    # Events kept back by a rule or config error wait for the fix: the worker is done with them, provided
    # the error was recorded after the newest entry was spooled (an older error says nothing about it).
    if grep -q '^scan failed' "$data/last-error" 2>/dev/null \
       && [ -z "$(find "$data/spool" -name '*.ev' -newer "$data/last-error" 2>/dev/null)" ] \
       && flock -n "$data/scan.lock" true 2>/dev/null; then
      return 0
    fi
    if [ $SECONDS -ge $deadline ]; then
      fail "the background scan did not finish within ${timeout}s (spool: $(ls "$data/spool" 2>/dev/null | tr '\n' ' '); last-error: $(cat "$data/last-error" 2>/dev/null))"
    fi
    sleep 0.05
  done
}

# queue_json: every row of the queue as JSON.
queue_json() { git autoloop queue --format json --status all; }

# pyjson EXPR: evaluates a Python expression over `d`, the JSON read from stdin; strings print raw,
# everything else as JSON.
pyjson() {
  "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r, sort_keys=True))' "$1"
}

# validate_report_json FILE: FILE validates against docs/report.schema.json (JSON Schema draft-07, with
# Debian's python3-jsonschema); the first errors go to stderr.
validate_report_json() {
  "$PYTHON" - "$AUTOLOOP_SOURCE_DIR/docs/report.schema.json" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(json.load(open(sys.argv[2]))), key=lambda e: list(e.path))
for e in errors[:10]:
    print("/".join(str(p) for p in e.path), e.message, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

# queue_rows: one line per queue row, "rule path:line status new=<bool>", sorted (by rule, then path); easy to compare.
queue_rows() {
  queue_json | "$PYTHON" -c '
import json, sys
rows = ["%s %s:%d %s new=%s" % (r["rule"], r["path"], r["line"], r["status"], str(r["new"]).lower())
        for r in json.load(sys.stdin)]
print("\n".join(sorted(rows)))'
}

# db_query SQL: runs a read-only query on the queue database and prints rows tab-separated.
db_query() {
  "$PYTHON" -c '
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True, timeout=10)
db.text_factory = lambda b: b.decode("utf-8", "surrogateescape")  # paths need not be UTF-8
for row in db.execute(sys.argv[2]):
    print("\t".join(str(v) for v in row))' "$(autoloop_dir)/queue.db" "$1"
}

# snapshot: a digest of everything a hook must leave alone: HEAD, the index (raw bytes and entries),
# staged and unstaged changes, stashes, refs other than refs/heads/autoloop/*, and every work-tree file
# (content, size, mode, mtime; untracked and ignored included). Only plumbing that never rewrites the
# index is used, so taking a snapshot does not change the next one.
snapshot() {
  echo "HEAD $(git rev-parse HEAD) $(git symbolic-ref -q HEAD || echo detached)"
  echo "index-file $(sha1sum <"$(git rev-parse --git-path index)")"
  git ls-files -s
  echo "staged $(git diff-index --cached --binary -p HEAD | sha1sum)"
  echo "unstaged $(git diff-files --binary -p | sha1sum)"
  echo "stashes:"
  git stash list --format='%H %gd %s'
  echo "refs:"
  git for-each-ref --format='%(refname) %(objectname)' | grep -v '^refs/heads/autoloop/' || true
  echo "files:"
  find . -path ./.git -prune -o \( -type f -o -type l \) -printf '%p %y %m %s %T@\n' | LC_ALL=C sort
  find . -path ./.git -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha1sum
}

# --- Drains and the side branch ---------------------------------------------------------------------------

# local_config [LOOP_KEYS] [YAML]: writes the local config (.git/autoloop/config.yml, trusted) with
# `autonomous_loop: {scan_interval: 1000000, debounce: 0, LOOP_KEYS}` followed by YAML (other top-level keys).
# With that scan_interval a background worker started by a hook scans and exits: it never drains on its own
# once one cycle exists (see manual_drains).
local_config() {
  local loop=${1:-} extra=${2:-}
  mkdir -p "$(autoloop_dir)"
  printf 'autonomous_loop: {scan_interval: 1000000, debounce: 0%s}\n%s\n' "${loop:+, $loop}" "$extra" >"$(autoloop_dir)/config.yml"
}

# manual_drains [LOOP_KEYS] [YAML]: local_config, then one cycle that adds nothing (drain --max 0) so that
# scan_interval counts from it: later hooks only scan, the suite drains itself with `drain --now --foreground`,
# and no worker is left waiting for a drain. Needs a commit on the current branch.
manual_drains() {
  local_config "$@"
  expect_rc 0 git autoloop drain --now --foreground --max 0
}

# side_ref [BRANCH]: the side branch of BRANCH (default main), or "" when it does not exist.
side_ref() { git rev-parse -q --verify "refs/heads/autoloop/${1:-main}" 2>/dev/null || true; }

# side_commits [BRANCH]: the fix commits waiting on autoloop/BRANCH (BRANCH..autoloop/BRANCH), oldest first.
side_commits() {
  local b=${1:-main}
  [ -n "$(side_ref "$b")" ] || return 0
  git rev-list --reverse "$b..autoloop/$b"
}

# side_opportunities [BRANCH]: the Autoloop-Opportunity trailers on BRANCH..autoloop/BRANCH, sorted numerically.
side_opportunities() {
  local b=${1:-main}
  [ -n "$(side_ref "$b")" ] || return 0
  git log --format='%(trailers:key=Autoloop-Opportunity,valueonly)' "$b..autoloop/$b" | grep . | sort -n || true
}

# opportunity_status ID: the queue status of opportunity ID.
opportunity_status() { db_query "SELECT status FROM opportunities WHERE id = $1"; }

# assert_fix_commit COMMIT [MAX_LINES]: COMMIT is one fix: subject autoloop(<rule>): ..., the four Autoloop-*
# trailers (Rule matching the subject), exactly one file changed, at most MAX_LINES changed lines (default 100).
assert_fix_commit() {
  local c=$1 max=${2:-100} subject rule trailers numstat
  subject=$(git log -1 --format=%s "$c")
  case $subject in
  "autoloop("*"): "*) ;;
  *) fail "fix commit $c has subject '$subject'" ;;
  esac
  rule=${subject#autoloop(}
  rule=${rule%%): *}
  trailers=$(git log -1 --format='%(trailers:only,unfold)' "$c")
  assert_contains "$trailers" "Autoloop-Rule: $rule" "trailers of $c"
  local key
  for key in Autoloop-Opportunity Autoloop-Fingerprint Autoloop-Validated; do
    grep -q "^$key: ." <<<"$trailers" || fail "fix commit $c has no $key trailer; trailers:
$trailers"
  done
  numstat=$(git show --numstat --format= "$c")
  [ "$(printf '%s\n' "$numstat" | grep -c .)" = 1 ] || fail "fix commit $c changes more than one file:
$numstat"
  local added deleted
  read -r added deleted _ <<<"$numstat"
  [ $((added + deleted)) -le "$max" ] || fail "fix commit $c changes $((added + deleted)) lines (> $max)"
}
