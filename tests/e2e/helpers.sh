# Shared by the reliability and security suites (tests/e2e/*.sh); not a suite itself (CMake skips it).
# Builds on tests/e2e/lib.sh: same run_test/finish, assertions, repositories and snapshot, and the same
# XDG_CACHE_HOME under the suite's root (validation worktrees stay inside it).
#
# Every case ends with check_case: the queue and the side branches pass tests/e2e/invariants.py. Suites
# count what they did with `figure NAME [N]` and print one parsable line at the end with print_figures:
#   FIGURES <suite>: cases=12 kill9_iterations=212 ...

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUITES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INVARIANTS="$SUITES_DIR/invariants.py"
: >"$E2E_ROOT/figures"

# figure NAME [N]: adds N (default 1) to the suite's figure NAME (tests run in subshells: kept in a file).
figure() { echo "$1 ${2:-1}" >>"$E2E_ROOT/figures"; }

# figure_max NAME N: keeps the largest N seen for NAME.
figure_max() { echo "$1 max:$2" >>"$E2E_ROOT/figures"; }

# print_figures: one line, "FIGURES <suite>: cases=<tests run> name=value ...".
print_figures() {
  local line
  line=$(awk '
    $2 ~ /^max:/ { v = substr($2, 5) + 0; if (!($1 in m) || v > m[$1]) m[$1] = v; next }
    { s[$1] += $2 }
    END {
      for (k in s) printf " %s=%d", k, s[k]
      for (k in m) printf " %s=%s", k, m[k]
    }' "$E2E_ROOT/figures" | tr ' ' '\n' | grep . | LC_ALL=C sort | tr '\n' ' ')
  echo "FIGURES $E2E_SUITE: cases=$E2E_TESTS failed=${#E2E_FAILED[@]} ${line% }"
}

# check_case [ARGS...]: the invariants (tests/e2e/invariants.py ARGS) hold, or the test fails with them.
check_case() {
  local out
  out=$("$PYTHON" "$INVARIANTS" "$@" 2>&1) || fail "invariants do not hold:
$out"
  figure invariant_checks
}

# timed_commit ARGS...: `git commit -q ARGS` (hooks run) must exit 0; its wall time in ms is in COMMIT_MS and
# counted in the figure max_commit_ms. Hooks that slow a commit down are caught by hook_ms_max below.
timed_commit() {
  local t0
  t0=$(date +%s%N)
  expect_rc 0 git commit -q "$@"
  COMMIT_MS=$((($(date +%s%N) - t0) / 1000000))
  figure_max max_commit_ms "$COMMIT_MS"
  figure hooked_commits
}

# assert_hooks_fast [MS]: every hook run recorded in the queue took at most MS (default 1000: the machine is
# shared with builds) inside the hook binary; prints nothing, records the slowest as max_hook_ms.
assert_hooks_fast() {
  local limit=${1:-1000} worst
  worst=$(db_query "SELECT coalesce(max(duration_ms), 0) FROM runs WHERE kind LIKE 'hook:%'")
  worst=${worst%%.*}
  figure_max max_hook_ms "$worst"
  [ "$worst" -le "$limit" ] || fail "a hook took ${worst} ms inside the hook binary (limit $limit ms)"
}

# py NAME [FUNC]: a Python file with one python/compare-to-none finding (line 2).
py() { printf 'def %s(x):\n    if x == None:\n        return 1\n    return 2\n' "${2:-f}" >"$1"; }

# clone_upstream: from the directory holding an attacker's `upstream` repository, the user's clone of it in
# `repo` (entered), with the user's identity and autoloop installed without a config file, untrusted.
clone_upstream() {
  git clone -q upstream repo
  cd repo
  git config user.name "E2E User"
  git config user.email "user@e2e.invalid"
  install_autoloop --no-config-file
}

# torture_repo: a repository with hooks installed, drains by hand (see manual_drains), gc in the foreground.
torture_repo() {
  new_repo "${1:-repo}"
  git config gc.autoDetach false
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains "${2:-}" "${3:-}"
}

# drain_settled [ARGS...]: a foreground drain that must succeed, then the settled invariants with fsck.
# A worker may be draining on its own (a branch with no cycle yet is due at once): wait for its lock first,
# and again after ours (the "another drain is running" answer exits 0 as well).
drain_settled() {
  flock -w 120 "$(autoloop_dir)/drain.lock" true
  expect_rc 0 git autoloop drain --now --foreground "$@"
  flock -w 120 "$(autoloop_dir)/drain.lock" true
  figure drains
  check_case --settled --fsck
}

# side_files [BRANCH]: the files the fix commits on autoloop/BRANCH change, one per line, sorted (raw names).
side_files() {
  local b=${1:-main}
  [ -n "$(side_ref "$b")" ] || return 0
  git -c core.quotePath=false log --format= --name-only "$b..autoloop/$b" | grep . | LC_ALL=C sort || true
}

# SUITE_ONLY=REGEX runs only the tests whose function name matches it (while working on one case).
if [ -n "${SUITE_ONLY:-}" ]; then
  eval "$(declare -f run_test | sed '1s/^run_test/e2e_run_test/')"
  run_test() { [[ $2 =~ $SUITE_ONLY ]] || return 0; e2e_run_test "$@"; }
fi
