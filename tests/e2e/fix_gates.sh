#!/usr/bin/env bash
# The gates that catch broken fixes (issue 13 §2, §6): the language's own check of the fixed file
# (check_failed, its diagnostic shown by queue, status and review), the destructive-change gate for a
# fixer that deletes a function or touches a file it was not given, the gates each commit names in its
# Autoloop-Validated trailer, and unsafe fixes held back (and said so) without a test_command.
source "$(dirname "$0")/lib.sh"

# gates_repo [LOOP_KEYS] [YAML]: a repository with the loop installed, drained by hand.
gates_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all "readme"
  install_autoloop --no-config-file
  manual_drains "$@"
}

# user_rule FILE: a rule of the user's own (.git/autoloop/rules/, trusted) from stdin.
user_rule() {
  mkdir -p "$(autoloop_dir)/rules"
  cat >"$(autoloop_dir)/rules/$1.yml"
}

test_native_check_refuses_what_the_parser_accepts() {
  gates_repo
  # Both rewrites parse; Python warns about `is` with a literal, Node refuses a `let` declared twice.
  user_rule eq-is <<'EOF'
id: mine/eq-is
language: python
category: code_quality
severity: warning
safety: safe
message: "compare small integers by identity"
query: |
  (comparison_operator (identifier) operators: "==" @op (integer)) @match
fix:
  - replace: "@op"
    with: "is"
tests:
  invalid: ["if x == 1:\n    pass\n"]
  valid: ["if x is None:\n    pass\n"]
  fixed: ["if x is 1:\n    pass\n"]
EOF
  user_rule var-let <<'EOF'
id: mine/var-let
language: javascript
category: code_quality
severity: warning
safety: safe
message: "var to let, without looking at scope"
query: |
  (variable_declaration "var" @kw) @match
fix:
  - replace: "@kw"
    with: "let"
tests:
  invalid: ["var a = 1;\n"]
  valid: ["let a = 1;\n"]
  fixed: ["let a = 1;\n"]
EOF
  # Two functions: fixes in one function wait for each other.
  printf 'def check(x):\n    if x == 1:\n        return True\n\n\ndef empty(x):\n    if x == None:\n        return False\n' >limits.py
  printf 'var total = 1;\nvar total = 2;\nconsole.log(total);\n' >sum.js
  commit_all "code"
  wait_for_scan
  local bad_py bad_js good
  bad_py=$(db_query "SELECT id FROM opportunities WHERE rule_id = 'mine/eq-is'")
  good=$(db_query "SELECT id FROM opportunities WHERE rule_id = 'python/compare-to-none'")
  bad_js=$(db_query "SELECT id FROM opportunities WHERE rule_id = 'mine/var-let' ORDER BY start_line LIMIT 1")
  [ -n "$bad_py" ] && [ -n "$good" ] && [ -n "$bad_js" ] || fail "findings: $(queue_rows)"
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "check_failed" "$(db_query "SELECT outcome FROM attempts WHERE opportunity_id = $bad_py")" "the python fix"
  assert_contains "$(db_query "SELECT detail FROM attempts WHERE opportunity_id = $bad_py")" "SyntaxWarning"
  assert_contains "$(db_query "SELECT group_concat(outcome) FROM attempts WHERE opportunity_id IN
    (SELECT id FROM opportunities WHERE rule_id = 'mine/var-let')")" "check_failed" "the javascript fixes"
  assert_contains "$(db_query "SELECT group_concat(detail) FROM attempts WHERE opportunity_id IN
    (SELECT id FROM opportunities WHERE rule_id = 'mine/var-let')")" "has already been declared"
  # The good fix is a commit that names the check it passed.
  local c
  c=$(side_commits)
  assert_eq "1" "$(grep -c . <<<"$c")" "fix commits"
  assert_eq "python/compare-to-none" "$(git log -1 --format='%(trailers:key=Autoloop-Rule,valueonly)' "$c" | grep .)"
  assert_contains "$(git log -1 --format='%(trailers:key=Autoloop-Validated,valueonly)' "$c")" \
    "reparse, native-check(python), line-endings" "Autoloop-Validated"
  # Where people look: the queue, status, review.
  run_cmd git autoloop queue --status failed
  assert_contains "$OUT" "check_failed: the native check (python3) finds what the original did not have: SyntaxWarning"
  run_cmd git autoloop status
  assert_contains "$OUT" "refused:    #$bad_py mine/eq-is limits.py:2: check_failed"
  run_cmd git autoloop review --list
  assert_contains "$OUT" "refused: #$bad_py mine/eq-is limits.py:2: check_failed"
}

test_fixer_that_deletes_or_strays_is_refused() {
  local e=$E2E_TEST_DIR
  # One fixer deletes the function `helper`; the other also edits a file it was not given.
  cat >"$e/delete.sh" <<'EOF'
#!/bin/sh
printf 'def main():\n    return 1\n' >"$1"
EOF
  cat >"$e/stray.sh" <<'EOF'
#!/bin/sh
printf '# tidy\n' >>"$1"
printf '# and this too\n' >>other.py
EOF
  chmod +x "$e/delete.sh" "$e/stray.sh"
  gates_repo "" "fixers:
  - {name: delete, command: ['$e/delete.sh'], timeout: 10}
  - {name: stray, command: ['$e/stray.sh'], timeout: 10}"
  printf 'def main():\n    return helper()\n\n\ndef helper():\n    return 1\n' >app.py
  printf 'X = 1\n' >other.py
  commit_all "code"
  wait_for_scan
  expect_rc 0 git autoloop improve --fixer delete "simplify" app.py
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "destructive" "$(db_query "SELECT outcome FROM attempts WHERE opportunity_id =
    (SELECT id FROM opportunities WHERE rule_id = 'improve/delete')")" "the deleting fixer"
  assert_contains "$(db_query "SELECT detail FROM attempts WHERE opportunity_id =
    (SELECT id FROM opportunities WHERE rule_id = 'improve/delete')")" "app.py: the change removes the function \`helper\` (line 5)"
  expect_rc 0 git autoloop improve --fixer stray "tidy" app.py
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "destructive" "$(db_query "SELECT outcome FROM attempts WHERE opportunity_id =
    (SELECT id FROM opportunities WHERE rule_id = 'improve/stray')")" "the straying fixer"
  run_cmd git autoloop queue --status failed
  assert_contains "$OUT" "the generator changed other.py, a file it was not given (it may change app.py)"
  assert_eq "" "$(side_commits)" "fix commits"
}

test_unsafe_fixes_wait_for_tests() {
  # medium allows unsafe fixes, but only through tests: without a test_command they wait, and status says why.
  gates_repo "safety_level: medium" "safety_settings: {require_tests: true}"
  user_rule shout <<'EOF'
id: mine/shout
language: python
category: code_quality
severity: info
safety: unsafe
message: "louder"
query: |
  ((string) @match (#eq? @match "'quiet'"))
fix:
  - replace: "@match"
    with: "'LOUD'"
tests:
  invalid: ["x = 'quiet'\n"]
  valid: ["x = 'LOUD'\n"]
  fixed: ["x = 'LOUD'\n"]
EOF
  printf "x = 'quiet'\n" >say.py
  commit_all "code"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "" "$(side_commits)" "fix commits"
  assert_eq "open" "$(db_query "SELECT status FROM opportunities WHERE rule_id = 'mine/shout'")"
  run_cmd git autoloop status
  assert_contains "$OUT" "fixes:      1 unsafe fix not applied: require_tests is on and no test_command is set"
  # With tests it goes through, and its trailer names them.
  local_config "safety_level: medium" "safety_settings: {require_tests: true}
test_command: 'true'"
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "1" "$(side_commits | grep -c .)" "fix commits"
  assert_contains "$(git log -1 --format='%(trailers:key=Autoloop-Validated,valueonly)' autoloop/main)" \
    "native-check(python), line-endings, tests"
  run_cmd git autoloop status
  assert_not_contains "$OUT" "unsafe fix not applied"
}

run_test "the native check refuses fixes the parser accepts, and says so" test_native_check_refuses_what_the_parser_accepts
run_test "a fixer that deletes a function or touches another file is refused" test_fixer_that_deletes_or_strays_is_refused
run_test "unsafe fixes wait for tests, and status says why" test_unsafe_fixes_wait_for_tests
finish
