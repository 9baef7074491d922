#!/bin/bash
# `./install.sh --demo` after its build: tests/demo/run.sh, the whole loop on a throwaway repository. It
# must end with an accepted fix commit on the demo's main, within a minute, showing the commands it ran,
# and never tell the user to run `git autoloop` where that is not on their PATH. install.sh itself runs too
# (against this build directory), and so does one of its steps failing.
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

# install.sh itself, against this build directory (already built: its steps configure and build nothing new;
# the packages are present, so it installs none): one line per step, then the demo, under a minute.
test_install_sh_demo() {
  local started=$SECONDS elapsed
  PATH=${PATH#"$AUTOLOOP_BIN_DIR:"} TMPDIR=$E2E_TEST_DIR INSTALL_LOG=$E2E_TEST_DIR/install.log BUILD_DIR=$AUTOLOOP_BIN_DIR \
    expect_rc 0 "$AUTOLOOP_SOURCE_DIR/install.sh" --demo
  elapsed=$((SECONDS - started))
  echo "install.sh --demo took ${elapsed}s"
  [ "$elapsed" -lt 60 ] || fail "install.sh --demo took ${elapsed}s, more than a minute"
  # One line per step; the details went to the log it names.
  assert_contains "$OUT" "install.sh: log: $E2E_TEST_DIR/install.log"
  assert_contains "$OUT" "install.sh: packages present"
  assert_contains "$OUT" "install.sh: configuring $AUTOLOOP_BIN_DIR (grammars fetched and checked) ... done ("
  assert_contains "$OUT" "install.sh: building git-autoloop autoloop-hook autoloop-merge (2 jobs) ... done ("
  assert_eq "" "$(grep -E '^\[[0-9]+/[0-9]+\]|^-- |^(Get|Reading|Setting up)' <<<"$OUT")" "build or apt output on the terminal"
  grep -q "cmake --build" "$E2E_TEST_DIR/install.log" || fail "the log holds no build step: $(cat "$E2E_TEST_DIR/install.log")"
  # The demo ends with an accepted fix commit on the demo's main.
  assert_contains "$OUT" "\$ git autoloop review --accept"
  local demo id
  demo=$(sed -n 's/.*the demo repository is kept at //p' <<<"$OUT")
  [ -d "$demo/.git" ] || fail "no demo repository in the output: $OUT"
  id=$(git -C "$demo" log -1 --format='%(trailers:key=Autoloop-Opportunity,valueonly)' main | head -1)
  [ -n "$id" ] || fail "main's last commit is not a fix commit: $(git -C "$demo" log -1 main)"
  assert_contains "$OUT" "accepted #$id"
}

# A step that fails: its line says FAILED, the log's last lines and its path follow, install.sh exits 1.
# JOBS that cmake refuses make the build step fail for real.
test_install_sh_failing_step_shows_the_log() {
  PATH=${PATH#"$AUTOLOOP_BIN_DIR:"} TMPDIR=$E2E_TEST_DIR INSTALL_LOG=$E2E_TEST_DIR/install.log BUILD_DIR=$AUTOLOOP_BIN_DIR JOBS=not-a-number \
    expect_rc 1 "$AUTOLOOP_SOURCE_DIR/install.sh" --demo
  assert_contains "$OUT" "install.sh: building git-autoloop autoloop-hook autoloop-merge (not-a-number jobs) ... FAILED"
  assert_contains "$ERR" "--- last lines of $E2E_TEST_DIR/install.log:"
  assert_contains "$ERR" "  \$ cmake --build"
  assert_contains "$ERR" "install.sh: error: building git-autoloop autoloop-hook autoloop-merge (not-a-number jobs) failed (exit status"
  assert_contains "$ERR" "the whole log is $E2E_TEST_DIR/install.log"
  assert_not_contains "$OUT" "the demo repository is kept at"
}

run_test "install.sh --demo's loop: commit, queue, drain with tests, side branch, review --list, accept, < 1 min" test_demo
run_test "install.sh --demo: one line per step, the loop, an accepted fix, < 1 min" test_install_sh_demo
run_test "install.sh: a failing step shows the log's last lines and its path" test_install_sh_failing_step_shows_the_log
finish
