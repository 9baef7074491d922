#!/bin/bash
# `./install.sh --demo` after its build: tests/demo/run.sh, the whole loop on a throwaway repository. It
# must end with an accepted fix commit on the demo's main, within a minute, showing the commands it ran,
# and never tell the user to run `git autoloop` where that is not on their PATH.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_demo() {
  local started=$SECONDS elapsed
  # The user's PATH: no build directory on it (lib.sh put it first for the other suites).
  PATH=${PATH#"$AUTOLOOP_BIN_DIR:"} TMPDIR=$E2E_TEST_DIR expect_rc 0 "$AUTOLOOP_SOURCE_DIR/tests/demo/run.sh" "$AUTOLOOP_BIN_DIR"
  elapsed=$((SECONDS - started))
  echo "demo took ${elapsed}s"
  [ "$elapsed" -lt 60 ] || fail "the demo took ${elapsed}s, more than a minute"

  # The commands, as run.
  local cmd
  for cmd in "git autoloop install" "git commit -q -m 'Add features in Python, JavaScript and C++'" "git autoloop queue" \
    "git autoloop drain --now --foreground" "git log '--format=%h %s' main..autoloop/main" \
    "git autoloop review --list" "git autoloop review --accept"; do
    assert_contains "$OUT" "\$ $cmd"
  done
  assert_contains "$OUT" "accepted #"

  local demo
  demo=$(sed -n 's/.*the demo repository is kept at //p' <<<"$OUT")
  [ -d "$demo/.git" ] || fail "no demo repository in the output: $OUT"
  cd "$demo"
  # main ends with the accepted fix: a commit of the loop's, on top of the user's last commit.
  assert_eq "Add features in Python, JavaScript and C++" "$(git log -1 --format=%s main^)" "parent of the fix"
  local id
  id=$(git log -1 --format='%(trailers:key=Autoloop-Opportunity,valueonly)' main | head -1)
  [ -n "$id" ] || fail "main's last commit is not a fix commit: $(git log -1 main)"
  assert_contains "$OUT" "accepted #$id"
  assert_eq "refs/heads/main" "$(git symbolic-ref HEAD)" "HEAD of the demo"
  assert_eq "" "$(git status --porcelain --untracked-files=no)" "the demo's work tree"
  # More fixes wait for review on the side branch.
  [ -n "$(git rev-list main..autoloop/main)" ] || fail "no fix left on autoloop/main to review"

  # It shows how to run `git autoloop` there: the full path, since the build dir is not on the user's PATH.
  assert_contains "$OUT" "export PATH=\"$AUTOLOOP_BIN_DIR:\$PATH\""
  assert_not_contains "$OUT" "See \`git autoloop status\`"
}

run_test "install.sh --demo's loop: commit, queue, drain with tests, side branch, review --list, accept, < 1 min" test_demo
finish
