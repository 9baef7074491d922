#!/bin/bash
# docs/ARCHITECTURE.md §6, §7.1, §7.7: malformed configuration and rules are reported with file:line:column, never
# block a commit, are shown once on the terminal, and lose nothing; users can test their own rules.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

typo_config() { printf 'autonomous_loop:\n  scan_intervall: 5\n' >.autoloop.yml; }

test_config_error_has_location() {
  new_repo
  install_autoloop
  typo_config
  run_cmd git autoloop config
  assert_eq "3" "$RC" "exit status of config with a malformed .autoloop.yml"
  assert_contains "$ERR" ".autoloop.yml:2:3" "config error"
  assert_contains "$ERR" "scan_intervall" "config error"
  assert_contains "$ERR" "scan_interval'?" "config error (suggestion)"

  # A wrong type and a YAML syntax error are located too.
  printf 'safety_settings:\n  max_change_size: lots\n' >.autoloop.yml
  run_cmd git autoloop config
  assert_ne "0" "$RC" "exit status with a wrong type"
  assert_contains "$ERR" ".autoloop.yml:2:" "type error"
  printf 'scan:\n  exclude: [unclosed\n' >.autoloop.yml
  run_cmd git autoloop config
  assert_ne "0" "$RC" "exit status with broken YAML"
  assert_contains "$ERR" ".autoloop.yml:" "YAML syntax error"

  # The local layer is checked the same way.
  rm .autoloop.yml
  printf 'scan:\n  threads: 0\n' >"$(autoloop_dir)/config.yml"
  run_cmd git autoloop config
  assert_ne "0" "$RC" "exit status with a bad local config"
  assert_contains "$ERR" "config.yml:2:" "local config error"
  # status and doctor still work and show it.
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "config:     ERROR"
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "config.yml:2:"
}

test_commits_succeed_error_shown_once_nothing_lost() {
  new_repo
  install_autoloop
  typo_config
  printf 'if first == None:\n    pass\n' >first.py
  git add -A
  expect_rc 0 git commit -q -m "with a broken config"
  assert_eq "with a broken config" "$(git log -1 --format=%s)" "the commit is kept"
  # The background worker fails on the config: it records the error and keeps the event.
  local deadline=$((SECONDS + 20))
  until [ -s "$(autoloop_dir)/last-error" ] && flock -n "$(autoloop_dir)/scan.lock" true; do
    [ $SECONDS -lt $deadline ] || fail "the worker recorded no error"
    sleep 0.05
  done
  assert_contains "$(cat "$(autoloop_dir)/last-error")" ".autoloop.yml:2:3"

  # The next hook shows the error once on stderr; the one after does not repeat it.
  echo 'x = 1' >second.py
  git add second.py
  expect_rc 0 git commit -q -m "second"
  assert_contains "$ERR" ".autoloop.yml:2:3" "stderr of the next commit"
  assert_eq "1" "$(grep -c 'scan_intervall' <<<"$ERR")" "times the error is shown"
  sleep 0.5
  echo 'y = 1' >third.py
  git add third.py
  expect_rc 0 git commit -q -m "third"
  assert_not_contains "$ERR" "scan_intervall" "stderr of the commit after that"
  assert_eq "3" "$(git rev-list --count HEAD)" "commits"

  # Fixed: the next commit scans everything recorded meanwhile; nothing was lost.
  printf 'autonomous_loop:\n  scan_interval: 5\n' >.autoloop.yml
  echo 'z = 1' >fourth.py
  git add -A
  expect_rc 0 git commit -q -m "fixed config"
  wait_for_scan
  assert_eq "python/compare-to-none first.py:1 open new=true" "$(queue_rows)" "queue after the fix"
  assert_eq "0" "$(spool_count)" "spool entries after the fix"
  assert_no_file "$(autoloop_dir)/last-error" "after a successful scan,"
  assert_eq "4" "$(db_query 'select count(*) from scanned_commits')" "scanned commits"
}

rule_header() { # rule_header ID
  printf 'id: %s\nlanguage: python\ncategory: code_quality\nseverity: info\nsafety: suggest\nmessage: "print() left in code"\n' "$1"
}

test_malformed_rule_has_location() {
  new_repo
  install_autoloop
  mkdir -p .autoloop/rules/python
  # A bad enum value at line 5, column 11.
  { rule_header local/no-print | sed 's/^safety: suggest/safety: sometimes/'; printf 'query: "(call) @match"\n'; } \
    >.autoloop/rules/python/no-print.yml
  # The rule is off and says where and why; the other rules stay (exit 0: one rule does not fail the rest).
  run_cmd git autoloop rules
  assert_eq "0" "$RC" "exit status of rules with a bad enum"
  assert_contains "$OUT" "off: repo:local/no-print: malformed: " "rule error"
  assert_contains "$OUT" ".autoloop/rules/python/no-print.yml:5:9" "rule error"
  assert_contains "$OUT" "safety" "rule error"
  assert_contains "$OUT" "python/compare-to-none" "the other rules"

  # An unknown key.
  { rule_header local/no-print; printf 'query: "(call) @match"\nfixes: []\n'; } >.autoloop/rules/python/no-print.yml
  run_cmd git autoloop rules
  assert_eq "0" "$RC" "exit status of rules with an unknown key"
  assert_contains "$OUT" "no-print.yml:8:1" "unknown key error"

  # A query naming a node type the grammar does not have, on line 8 of the file.
  { rule_header local/no-print; printf 'query: |\n  (cal function: (identifier) @f) @match\n'; } >.autoloop/rules/python/no-print.yml
  run_cmd git autoloop rules
  assert_eq "0" "$RC" "exit status of rules with a query that does not compile"
  assert_contains "$OUT" ".autoloop/rules/python/no-print.yml:8:" "query error"
  assert_contains "$OUT" "unknown node type in query 'cal'" "query error"
}

test_malformed_rule_never_blocks_and_loses_nothing() {
  new_repo
  install_autoloop
  mkdir -p .autoloop/rules/python
  { rule_header local/no-print; printf 'query: |\n  (cal function: (identifier) @f) @match\n'; } >.autoloop/rules/python/no-print.yml
  printf 'if lost == None:\n    pass\n' >a.py
  git add -A
  expect_rc 0 git commit -q -m "with a broken rule"
  wait_for_scan
  sleep 0.3
  echo 'b = 1' >b.py
  git add b.py
  expect_rc 0 git commit -q -m "second"
  assert_contains "$ERR" "no-print.yml:8:" "the next hook shows the rule error"
  wait_for_scan

  # The other rules scanned what was committed meanwhile.
  assert_contains "$(queue_rows)" "python/compare-to-none a.py:1 open new=true" "queue with the broken rule off"
  # Once the rule is gone, so is the message.
  git rm -q -r .autoloop/rules
  echo 'c = 1' >c.py
  git add c.py
  expect_rc 0 git commit -q -m "rule removed"
  wait_for_scan
  assert_contains "$(queue_rows)" "python/compare-to-none a.py:1 open new=true" "queue after the rule is fixed"
  assert_no_file "$(autoloop_dir)/last-error" "once no rule is malformed,"
}

test_rules_test_dir() {
  mkdir good bad
  {
    rule_header local/no-print
    cat <<'EOF'
query: |
  ((call function: (identifier) @f) @match (#eq? @f "print"))
tests:
  invalid: ["print(1)\n", "if x:\n    print(x)\n"]
  valid: ["log(1)\n", "obj.print(1)\n"]
EOF
  } >good/no-print.yml
  sed -e 's#local/no-print#local/no-print-wrong#' -e 's#valid: \["log(1)\\n"#valid: ["print(2)\\n"#' good/no-print.yml >bad/wrong.yml
  cp good/no-print.yml bad/
  grep -q 'valid: \["print(2)' bad/wrong.yml || fail "test setup: sed did not plant the failing case"

  expect_rc 0 git autoloop rules --test good
  assert_contains "$OUT" "1 rule, 4 cases, 0 failures"
  expect_rc 1 git autoloop rules --test bad
  assert_contains "$OUT" "FAIL local/no-print-wrong"
  assert_contains "$OUT" 'print(2)'
  assert_not_contains "$OUT" "FAIL local/no-print " "output for the passing rule"
  assert_contains "$OUT" "2 rules, 8 cases, 1 failure"

  # Inside a repository the built-in rules and the repository's rules are tested together.
  new_repo
  mkdir -p .autoloop/rules/python
  cp ../good/no-print.yml .autoloop/rules/python/
  expect_rc 0 git autoloop rules --test
  assert_contains "$OUT" " 0 failures"
  cp ../bad/wrong.yml .autoloop/rules/python/
  expect_rc 1 git autoloop rules --test
  assert_contains "$OUT" "FAIL repo:local/no-print-wrong"
  assert_eq "1" "$(grep -c '^FAIL' <<<"$OUT")" "failing rules (a wrong repo rule must not fail the built-in ones)"

  run_cmd git autoloop rules --test ../missing
  assert_ne "0" "$RC" "exit status for a missing directory"
  assert_contains "$ERR" "missing: not a directory"
  mkdir ../empty
  run_cmd git autoloop rules --test ../empty
  assert_ne "0" "$RC" "exit status for a directory without rules"
  assert_contains "$ERR" "no *.yml rule files"
}

run_test "config errors name file:line:column (.autoloop.yml and the local layer)" test_config_error_has_location
run_test "a broken config never blocks a commit, is shown once, and loses no event" test_commits_succeed_error_shown_once_nothing_lost
run_test "malformed rules are reported with file:line:column by git autoloop rules" test_malformed_rule_has_location
run_test "a broken rule never blocks a commit and loses no event" test_malformed_rule_never_blocks_and_loses_nothing
run_test "git autoloop rules --test DIR runs a user's rule cases" test_rules_test_dir
finish
