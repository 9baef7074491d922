#!/bin/bash
# Issue 13: with the default configuration (safety_level medium) and a test_command, a security finding
# whose fix is unsafe (it changes behaviour on purpose) is fixed as a commit on the side branch once the
# repository's own tests pass on it; without a test_command the same default fixes nothing unsafe.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A Python module with a shell=True call on a constant plain command (python/subprocess-shell-true, an
# `error` of security_fixes whose fix is unsafe), and a test that runs it.
write_project() {
  cat >vcs.py <<'EOF'
import subprocess as sp


def head_commit():
    return sp.check_output('git rev-parse HEAD', shell=True, text=True).strip()
EOF
  cat >test_vcs.py <<'EOF'
import unittest

import vcs


class HeadCommit(unittest.TestCase):
    def test_is_an_object_id(self):
        head = vcs.head_commit()
        self.assertEqual(len(head), 40)
        int(head, 16)


if __name__ == '__main__':
    unittest.main()
EOF
}

security_finding() { db_query "SELECT id FROM opportunities WHERE rule_id = 'python/subprocess-shell-true' AND path = 'vcs.py'"; }

test_security_fix_with_defaults_and_tests() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  # Nothing but the test command (and the suite's own drain timing) beside the defaults.
  manual_drains "" "test_command: 'python3 -m unittest -q test_vcs'"
  expect_rc 0 git autoloop config --show-origin
  grep -Eq '^default +autonomous_loop\.safety_level +medium$' <<<"$OUT" || fail "safety_level is not medium by default: $OUT"
  write_project
  commit_all "read HEAD through the shell"
  wait_for_scan
  local id
  id=$(security_finding)
  [ -n "$id" ] || fail "no python/subprocess-shell-true finding: $(queue_rows)"
  assert_eq "unsafe" "$(db_query "SELECT safety FROM opportunities WHERE id = $id")" "safety of the finding"
  assert_eq "security_fixes" "$(db_query "SELECT category FROM opportunities WHERE id = $id")" "category"

  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "$id" "$(side_opportunities)" "the security fix on the side branch"
  local c
  c=$(side_commits)
  assert_fix_commit "$c"
  assert_contains "$(git log -1 --format=%s "$c")" "autoloop(python/subprocess-shell-true)"
  assert_contains "$(git log -1 --format='%(trailers:key=Autoloop-Validated,valueonly)' "$c")" "tests"
  assert_contains "$(git show autoloop/main:vcs.py)" "sp.check_output(['git', 'rev-parse', 'HEAD'], text=True)"
  # The fixed module still passes its test (the drain ran it; run it here on the side branch's file too).
  git show autoloop/main:vcs.py >vcs.py
  expect_rc 0 python3 -m unittest -q test_vcs
  git checkout -q -- vcs.py
}

test_no_unsafe_fix_without_tests() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains
  write_project
  commit_all "read HEAD through the shell"
  wait_for_scan
  local id
  id=$(security_finding)
  [ -n "$id" ] || fail "no python/subprocess-shell-true finding: $(queue_rows)"
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "" "$(side_opportunities)" "fixes without a test_command"
  assert_eq "open" "$(opportunity_status "$id")" "the security finding without tests"
}

run_test "default config + test_command: a security finding is fixed on the side branch, through the tests" test_security_fix_with_defaults_and_tests
run_test "default config without test_command: the unsafe security fix waits" test_no_unsafe_fix_without_tests
finish
