#!/bin/bash
# The project's own choices (issue 12 item 4): a rule whose equivalent the project's linter config turns
# off is off here too, and `status`, `rules` and `rules --explain` say why; the user's rules.enable brings
# it back. A rule with hundreds of findings the project never fixes (express writes `var` by design) is
# flagged as a style mismatch in `status` and `report`.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_eslint_off_turns_ours_off() {
  new_repo
  install_autoloop
  printf '{\n  "root": true,\n  "rules": {\n    "no-var": "off",\n    "eqeqeq": "error"\n  }\n}\n' >.eslintrc.json
  printf 'var count = 0;\nfunction same(a, b) {\n  if (a == b) {\n    count += 1;\n  }\n}\nsame(1, 2);\n' >app.js
  commit_all "a project whose eslint config allows var"
  wait_for_scan
  assert_eq "javascript/eqeqeq app.js:3 open new=true" "$(queue_rows)" "queue rows: no no-var finding"

  expect_rc 0 git autoloop scan
  assert_contains "$OUT" "off by the project's linters: javascript/no-var (\`git autoloop rules\` says why)"
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "linters:    javascript/no-var off: the project's .eslintrc.json turns off no-var (line 4)"
  expect_rc 0 git autoloop rules --explain javascript/no-var
  assert_contains "$OUT" "enabled:   no (off: the project's .eslintrc.json turns off no-var (line 4)"
  assert_contains "$OUT" "equivalent in eslint: no-var"
  expect_rc 0 git autoloop rules
  assert_contains "$OUT" "off: javascript/no-var: the project's .eslintrc.json turns off no-var (line 4)"

  # The user's rules.enable wins over the project's off.
  mkdir -p "$(autoloop_dir)"
  printf 'rules:\n  enable: [javascript/no-var]\n' >"$(autoloop_dir)/config.yml"
  expect_rc 0 git autoloop scan --all
  assert_contains "$(queue_rows)" "javascript/no-var app.js:1 open" "rows after rules.enable"
  expect_rc 0 git autoloop rules --explain javascript/no-var
  assert_contains "$OUT" "enabled:   yes"

  # rules.follow_project_linters: false ignores the project's files.
  printf 'rules:\n  follow_project_linters: false\n' >"$(autoloop_dir)/config.yml"
  expect_rc 0 git autoloop status
  assert_not_contains "$OUT" "linters:"
}

test_malformed_config_is_ignored_with_a_reason() {
  new_repo
  install_autoloop
  printf '[tool.ruff.lint]\nignore = ["E711"\n' >pyproject.toml
  printf 'def f(x):\n    if x == None:\n        return 0\n    return 1\n' >mod.py
  commit_all "a broken pyproject"
  wait_for_scan
  assert_contains "$(queue_rows)" "python/compare-to-none mod.py:2 open" "rows: the rule stays on"
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "linters:    pyproject.toml: ignored (unterminated array)"
  expect_rc 0 git autoloop doctor
  assert_contains "$OUT" "note  linters: pyproject.toml: ignored (unterminated array)"
}

test_style_mismatch_is_flagged() {
  new_repo
  install_autoloop
  # express's own .eslintrc.yml: it never mentions no-var (it is simply not enabled), so the rule stays
  # on; eqeqeq with allow-null is on.
  printf 'root: true\nenv:\n  es6: true\n  node: true\nrules:\n  eol-last: error\n  eqeqeq: [error, allow-null]\n' >.eslintrc.yml
  mkdir -p lib
  for i in $(seq 1 120); do printf 'var v%d = require("./m%d");\n' "$i" "$i"; done >lib/express.js
  for i in $(seq 1 100); do printf 'var t%d = %d;\n' "$i" "$i"; done >lib/router.js
  commit_all "var by design"
  wait_for_scan
  assert_eq "220" "$(db_query "select count(*) from opportunities where rule_id = 'javascript/no-var' and status = 'open'")" "open no-var findings"
  expect_rc 0 git autoloop status
  assert_not_contains "$OUT" "javascript/no-var off:"
  assert_contains "$OUT" "style:      javascript/no-var: 220 open findings (220 in one commit's scan), none fixed by hand nor accepted"
  assert_contains "$OUT" "\`rules.disable: [javascript/no-var]\`"
  expect_rc 0 git autoloop report
  assert_contains "$OUT" "javascript/no-var: 220 open findings (220 in one commit's scan), none fixed by hand nor accepted: a style mismatch"

  # A person fixing one by hand shows the project does care: no longer flagged.
  sed -i '1s/^var /let /' lib/express.js
  commit_all "one let by hand"
  wait_for_scan
  expect_rc 0 git autoloop status
  assert_not_contains "$OUT" "style:"
}

run_test "an .eslintrc.json that turns no-var off turns ours off; status and rules say why; rules.enable wins" test_eslint_off_turns_ours_off
run_test "a malformed linter config is ignored, with the reason in status and doctor" test_malformed_config_is_ignored_with_a_reason
run_test "hundreds of findings never fixed by hand are flagged as a style mismatch (express's var)" test_style_mismatch_is_flagged
finish
