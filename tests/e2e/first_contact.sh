#!/bin/bash
# The first five minutes of a new user (issue 16), each command typed in a terminal: a pseudo-terminal
# (tests/e2e/pty_drive.py), so isatty() is true as it is for a person, and interactive review gets its keys.
# `git autoloop --help` and `git help autoloop` (the manual page the build generated), `git autoloop` alone,
# install into a repository, a commit, `status`, `queue`, a drain in which one fix fails its tests (the
# reason is shown and the loop goes on), `review` answering its prompt with `a`, and the accepted fix as a
# commit on the user's branch, nothing else of theirs touched. Output is asserted at every step.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Stable output whatever the terminal conventions (colour, pager) the CLI follows.
export NO_COLOR=1 GIT_PAGER=cat PAGER=cat
# The manual page as the build generated it, found like an installed one (help.sh does the same).
export MANPATH="$AUTOLOOP_BIN_DIR/man:" MANPAGER=cat MANWIDTH=100

# typed [--expect TEXT [--send KEYS]]... -- COMMAND...: runs COMMAND on a pseudo-terminal (each wait at most
# 60 s, and never past the suite's deadline); TYPED holds the transcript, RC the exit status.
typed() {
  local t="$E2E_TEST_DIR/typed.$BASHPID"
  if "$PYTHON" "$E2E_LIB_DIR/pty_drive.py" --timeout 60 "$@" >"$t"; then RC=0; else RC=$?; fi
  TYPED=$(cat "$t")
  rm -f "$t"
  [ "$RC" != 124 ] || fail "'${*##*-- }' timed out on the terminal; its output:
$TYPED"
}

# expect_typed CODE ARGS...: typed ARGS, and the exit status must be CODE.
expect_typed() {
  local want=$1
  shift
  typed "$@"
  [ "$RC" = "$want" ] || fail "'$*' exited $RC on the terminal, expected $want; its output:
$TYPED"
}

# py NAME: a Python function with one python/compare-to-none finding on line 2 (its fix: `==` becomes `is`).
py() { printf 'def %s(x):\n    if x == None:\n        return 1\n    return 2\n' "${1%.py}" >"$1"; }

test_first_five_minutes() {
  # Never longer than three minutes in all, whatever hangs (pty_drive.py caps each wait by this).
  export PTY_DRIVE_DEADLINE=$(($(date +%s) + 180))

  # --- Help, before anything else. -------------------------------------------------------------------
  expect_typed 0 -- git autoloop --help
  assert_contains "$TYPED" "NAME"
  assert_contains "$TYPED" "git-autoloop - "
  assert_contains "$TYPED" "SYNOPSIS"
  assert_contains "$TYPED" "git autoloop "
  assert_contains "$TYPED" "EXIT STATUS"
  assert_not_contains "$TYPED" "No manual entry"
  local manual=$TYPED
  expect_typed 0 -- git help autoloop
  assert_eq "$manual" "$TYPED" "git help autoloop vs git autoloop --help"

  expect_typed 0 -- git autoloop
  assert_contains "$TYPED" "usage: git autoloop"
  local c
  for c in install status queue drain review; do
    grep -q "^   $c " <<<"$TYPED" || fail "git autoloop alone does not list $c:
$TYPED"
  done
  assert_not_contains "$TYPED" "A subcommand is required"

  # --- A repository of theirs, and the install. ----------------------------------------------------------
  new_repo
  printf '# Inventory\n' >README.md
  printf 'def total(items):\n    return sum(items)\n' >inventory.py
  commit_all "Inventory"
  local theirs
  theirs=$(sha1sum README.md inventory.py)
  expect_typed 0 -- git autoloop install
  assert_contains "$TYPED" "git-autoloop installed in $PWD"
  assert_contains "$TYPED" "  post-commit  installed"
  assert_contains "$TYPED" "hooks directory: $PWD/.git/hooks"
  assert_contains "$TYPED" "wrote $PWD/.autoloop.yml (commented examples, the defaults are built in"
  assert_contains "$TYPED" "See \`git autoloop status\`"
  assert_file .autoloop.yml "the config file install wrote"
  [ -x .git/hooks/post-commit ] || fail "install wrote no post-commit hook"

  # This machine's settings, outside the tracked tree (trusted): the project's tests, which refuse a fix to
  # special.py; drains by hand, so that each one is a step of the walk (lib.sh's manual_drains).
  cat >"$E2E_TEST_DIR/tests.sh" <<'EOF'
#!/bin/sh
echo "collected 2 items"
if grep -q "is None" special.py; then
  echo "test_special FAILED"
  echo "AssertionError: special() must keep comparing with =="
  exit 1
fi
echo "2 passed"
EOF
  chmod +x "$E2E_TEST_DIR/tests.sh"
  manual_drains "" "test_command: \"$E2E_TEST_DIR/tests.sh\""

  # --- A commit: the hooks say nothing, the scan runs in the background. --------------------------------
  py special.py
  py good.py
  git add special.py good.py
  expect_typed 0 -- git commit -m "Add special and good"
  assert_contains "$TYPED" "Add special and good"
  assert_contains "$TYPED" "2 files changed, 8 insertions(+)"
  assert_not_contains "$TYPED" "autoloop" "the commit's output (the hooks say nothing when all is well)"
  local user_commit
  user_commit=$(git rev-parse HEAD)
  wait_for_scan
  local special good
  special=$(db_query "SELECT id FROM opportunities WHERE path = 'special.py'")
  good=$(db_query "SELECT id FROM opportunities WHERE path = 'good.py'")
  [ -n "$special" ] && [ -n "$good" ] || fail "the commit's findings are not queued: $(queue_rows)"

  expect_typed 0 -- git autoloop status
  assert_contains "$TYPED" "loop:       running"
  assert_contains "$TYPED" "2 open"
  assert_contains "$TYPED" "hooks:      4/4 installed"
  assert_not_contains "$TYPED" "waiting to be scanned"

  expect_typed 0 -- git autoloop queue
  assert_contains "$TYPED" "special.py:2"
  assert_contains "$TYPED" "good.py:2"
  assert_contains "$TYPED" "python/compare-to-none"

  # --- A drain: the fix to special.py fails the tests, the other passes; the loop goes on. ------------
  expect_typed 0 -- git autoloop drain --now --foreground
  assert_contains "$TYPED" "1 new fix, 0 kept, 1 failed"
  assert_contains "$TYPED" "failed: #$special python/compare-to-none special.py:2: tests_failed: exit 1"
  assert_contains "$TYPED" "the loop goes on"
  assert_not_contains "$TYPED" "paused"
  expect_typed 0 -- git autoloop status
  assert_contains "$TYPED" "loop:       running"
  assert_contains "$TYPED" "refused:    #$special python/compare-to-none special.py:2: tests_failed: exit 1"
  expect_typed 0 -- git autoloop queue --status failed
  assert_contains "$TYPED" "refused: tests_failed: exit 1"
  assert_contains "$TYPED" "AssertionError: special() must keep comparing with =="
  assert_eq "$user_commit" "$(git rev-parse HEAD)" "HEAD after the drain"

  # --- Review in the terminal: the fix and its diff, then `a`. ------------------------------------------
  expect_typed 0 --expect "(1/1) #$good " --expect "good.py:2" \
    --expect="-    if x == None:" --expect="+    if x is None:" \
    --expect "[a]ccept, [r]eject, [s]kip, [q]uit? " --send a \
    --expect "accepted #$good" -- git autoloop review
  assert_contains "$TYPED" "1 accepted, 0 rejected, 0 skipped"
  assert_not_contains "$TYPED" "(2/"

  # The fix is a commit on their branch, on top of their commit; it changes good.py and nothing else.
  assert_eq "refs/heads/main" "$(git symbolic-ref HEAD)" "HEAD's branch"
  assert_eq "$user_commit" "$(git rev-parse HEAD^)" "parent of the accepted commit"
  assert_eq "good.py" "$(git diff-tree --no-commit-id --name-only -r HEAD)" "files the accepted commit changes"
  assert_eq "$good" "$(git log -1 --format='%(trailers:key=Autoloop-Opportunity,valueonly)' HEAD | head -1)" "opportunity of the accepted commit"
  assert_contains "$(cat good.py)" "    if x is None:" "good.py in the work tree"
  assert_contains "$(cat special.py)" "    if x == None:" "special.py (its fix failed the tests)"
  assert_eq "$theirs" "$(sha1sum README.md inventory.py)" "the user's other files"
  assert_eq "?? .autoloop.yml" "$(git status --porcelain)" "git status after the accept"
  expect_typed 0 -- git autoloop review --list
  assert_contains "$TYPED" "0 fixes waiting for review"
}

run_test "first contact: help, install, commit, status, queue, a drain with a failing fix, review on a terminal, accept" \
  test_first_five_minutes
finish
