#!/bin/bash
# Trust of repo-controlled commands (docs/ARCHITECTURE.md §6): a test_command from the tracked .autoloop.yml runs only after
# `git autoloop trust` recorded the file's hash; any edit of the file revokes it; commands from the local layers
# (.git/autoloop/config.yml, -c) are trusted as they are.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# py NAME: a Python file with one python/compare-to-none finding.
py() { printf 'def %s(x):\n    if x == None:\n        return 1\n    return 2\n' "${1%.py}" >"$1"; }

# trust_repo: hooks installed, drains by hand, and a tracked .autoloop.yml whose test_command leaves a marker
# file outside the repository each time it runs; two findings committed.
trust_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains
  MARKER=$E2E_TEST_DIR/marker
  printf '# shared settings\ntest_command: "touch %s"\n' "$MARKER" >.autoloop.yml
  py a.py
  py b.py
  commit_all "config and two findings"
  wait_for_scan
}

# No fix on the side branch may claim it passed tests.
assert_no_tested_fix() {
  local c
  for c in $(side_commits); do
    assert_not_contains "$(git log -1 --format='%(trailers:key=Autoloop-Validated,valueonly)' "$c")" "tests" "Autoloop-Validated of $c ($1)"
  done
}

test_trust_then_edit_revokes() {
  trust_repo
  # Untrusted: the command never runs; status says why.
  expect_rc 0 git autoloop drain --now --foreground
  assert_no_file "$MARKER" "marker of the untrusted test_command:"
  assert_no_tested_fix "untrusted"
  local status
  status=$(git autoloop status)
  assert_contains "$status" "not trusted" "status with an untrusted test_command"
  assert_contains "$status" "git autoloop trust" "status with an untrusted test_command"

  # Trusted: it runs, and the fixes say they were tested.
  expect_rc 0 git autoloop trust
  assert_contains "$OUT" "touch $MARKER" "trust shows the command it allows"
  expect_rc 0 git autoloop drain --now --foreground
  assert_file "$MARKER" "marker after trust:"
  assert_eq "$(db_query "SELECT id FROM opportunities WHERE path IN ('a.py', 'b.py') ORDER BY id")" "$(side_opportunities)" "fixes after trust"
  local c
  for c in $(side_commits); do
    assert_contains "$(git log -1 --format='%(trailers:key=Autoloop-Validated,valueonly)' "$c")" "tests" "Autoloop-Validated of $c"
  done
  assert_not_contains "$(git autoloop status)" "not trusted" "status after trust and a drain"

  # Editing the file (not even committed) revokes the trust: the command does not run for new work.
  rm "$MARKER"
  echo "# edited" >>.autoloop.yml
  py c.py
  git add c.py
  git commit -q -m "third finding"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_no_file "$MARKER" "marker after .autoloop.yml was edited:"
  assert_contains "$(git autoloop status)" "not trusted" "status after .autoloop.yml was edited"
  # Committing the edit changes nothing; trusting it again does.
  git add .autoloop.yml
  git commit -q -m "edit the config"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_no_file "$MARKER" "marker after the edit was committed:"
  expect_rc 0 git autoloop trust
  expect_rc 0 git autoloop drain --now --foreground
  assert_file "$MARKER" "marker after trusting the edited file:"
  assert_contains "$(git show autoloop/main:c.py)" "if x is None:" "c.py on the side branch once trusted"
}

test_status_right_after_trust() {
  trust_repo
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$(git autoloop status)" "not trusted" "status before trust"
  expect_rc 0 git autoloop trust
  # Nothing ran since, but the file is trusted now: status must not tell the user to trust it.
  assert_not_contains "$(git autoloop status)" "not trusted" "status right after git autoloop trust"
}

test_revoke() {
  trust_repo
  expect_rc 0 git autoloop trust
  expect_rc 0 git autoloop trust --revoke
  expect_rc 0 git autoloop drain --now --foreground
  assert_no_file "$MARKER" "marker after trust --revoke:"
  assert_no_tested_fix "after trust --revoke"
}

test_local_commands_are_trusted() {
  trust_repo
  # -c on the command line: runs without trust, and replaces the tracked (untrusted) command.
  expect_rc 0 git autoloop -c test_command="touch '$E2E_TEST_DIR/cli-marker'" drain --now --foreground --max 1
  assert_file "$E2E_TEST_DIR/cli-marker" "marker of the -c test_command:"
  assert_no_file "$MARKER" "marker of the tracked test_command:"
  # The local config file: the same.
  local_config "" "test_command: \"touch '$E2E_TEST_DIR/local-marker'\""
  expect_rc 0 git autoloop drain --now --foreground
  assert_file "$E2E_TEST_DIR/local-marker" "marker of the local test_command:"
  assert_no_file "$MARKER" "marker of the tracked test_command:"
  assert_eq "2" "$(side_commits | grep -c .)" "fixes"
  local c
  for c in $(side_commits); do
    assert_contains "$(git log -1 --format='%(trailers:key=Autoloop-Validated,valueonly)' "$c")" "tests" "Autoloop-Validated of $c"
  done
}

run_test "an untrusted test_command never runs; trust lets it run; editing .autoloop.yml revokes" test_trust_then_edit_revokes
run_test "status stops asking for trust right after git autoloop trust" test_status_right_after_trust
run_test "trust --revoke stops the command again" test_revoke
run_test "test_command from -c or .git/autoloop/config.yml runs without trust" test_local_commands_are_trusted
finish
