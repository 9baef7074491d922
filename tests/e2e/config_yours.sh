#!/bin/bash
# Issue 16, item 4: configuration that stays the user's. install writes a short commented .autoloop.yml that
# sets nothing (the defaults stay in the binary); `config KEY` prints one value and `config --show-origin`
# says which values are not defaults and where each comes from; mistyped rule ids and enum values (in the
# file, -c, the environment, queue's options) are errors that say what was meant; scores are computed when
# the drain selects, from the priorities in force then, and the category order holds across severities.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A Python file with one python/compare-to-none finding (code_quality, warning, safe fix).
quality_file() { printf 'def f(x):\n    if x == None:\n        return 1\n    return 2\n' >app.py; }
# A Go file with one go/sprintf-no-args finding (performance_issues, info, safe fix).
performance_file() { printf 'package p\n\nimport "fmt"\n\nvar s = fmt.Sprintf("hello")\n' >fmt.go; }

# The suites' own setting (lib.sh): a value from the environment like any other; unset where a test
# counts the values that are not defaults.
no_suite_env() { unset AUTOLOOP_AUTONOMOUS_LOOP__MAX_LOAD_PER_CPU; }

test_install_writes_a_short_file_that_sets_nothing() {
  no_suite_env
  new_repo
  install_autoloop
  assert_contains "$OUT" "wrote $PWD/.autoloop.yml (commented examples, the defaults are built in"
  [ "$(wc -c <.autoloop.yml)" -lt 2048 ] || fail ".autoloop.yml is $(wc -c <.autoloop.yml) bytes: not short"
  assert_contains "$(cat .autoloop.yml)" "# test_command:" "a commented example"
  # No line of it sets anything: every value is the built-in default.
  assert_eq "" "$(grep -v '^#' .autoloop.yml | grep -v '^ *$' || true)" "uncommented lines"
  expect_rc 0 git autoloop config --show-origin
  local total defaults
  total=$(grep -c . <<<"$OUT")
  defaults=$(grep -c '^default ' <<<"$OUT")
  [ "$total" -gt 50 ] || fail "config --show-origin listed $total keys"
  assert_eq "$total" "$defaults" "keys whose origin is the default"
  expect_rc 0 git autoloop config --show-origin --changed
  assert_eq "" "$OUT" "values set somewhere, after install"
}

test_config_key_and_show_origin() {
  no_suite_env
  new_repo
  install_autoloop
  printf 'scan:\n  threads: 4\n' >>.autoloop.yml
  expect_rc 0 git autoloop config scan.threads
  assert_eq "4" "$OUT" "config scan.threads"
  expect_rc 0 git autoloop config sweep.max_change_size
  assert_eq "300" "$OUT" "config sweep.max_change_size (a default)"
  expect_rc 0 git autoloop config sweep
  assert_eq "sweep.rules = []
sweep.by = file
sweep.max_change_size = 300" "$OUT" "config sweep (a section)"
  expect_rc 2 git autoloop config scan.thread
  assert_contains "$ERR" "unknown configuration key 'scan.thread' (did you mean 'scan.threads'?)"

  # Which values are not defaults, and where each comes from: file:line:col, the environment, -c.
  local line
  line=$(grep -n '^  threads: 4' .autoloop.yml | cut -d: -f1)
  expect_rc 0 env AUTOLOOP_TEST_TIMEOUT=30 git autoloop -c sweep.by=directory config --show-origin --changed
  assert_eq 3 "$(grep -c . <<<"$OUT")" "lines of --changed: $OUT"
  grep -Eq "^$PWD/\.autoloop\.yml:$line:3 +scan\.threads +4$" <<<"$OUT" || fail "scan.threads origin: $OUT"
  grep -Eq '^env AUTOLOOP_TEST_TIMEOUT +test_timeout +30$' <<<"$OUT" || fail "test_timeout origin: $OUT"
  grep -Eq '^command line +sweep\.by +directory$' <<<"$OUT" || fail "sweep.by origin: $OUT"
  # The full listing still has the defaults, marked so.
  expect_rc 0 git autoloop config --show-origin
  grep -Eq '^default +scan\.max_file_size +1048576$' <<<"$OUT" || fail "a default's origin: $OUT"
  expect_rc 0 git autoloop config --show-origin scan.threads
  grep -Eq "^$PWD/\.autoloop\.yml:$line:3 +scan\.threads +4$" <<<"$OUT" || fail "config --show-origin KEY: $OUT"
}

test_typos_are_errors_that_say_what_was_meant() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  # A mistyped rule id in the file: located at the id, with the rule meant; doctor does not call it valid.
  printf 'rules:\n  disable:\n    - python/bare-except\n    - python/compare-to-nune\n' >.autoloop.yml
  expect_rc 3 git autoloop config
  assert_contains "$ERR" ".autoloop.yml:4:7: rules.disable: unknown rule id 'python/compare-to-nune' (did you mean 'python/compare-to-none'?)"
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" ".autoloop.yml:4:7: rules.disable: unknown rule id 'python/compare-to-nune'"
  assert_not_contains "$OUT" "configuration valid"
  printf 'rules:\n  severity: {python/nope: error}\n' >.autoloop.yml
  expect_rc 3 git autoloop rules
  assert_contains "$ERR" ".autoloop.yml:2:14: rules.severity: unknown rule id 'python/nope' (\`git autoloop rules\` lists them)"
  rm .autoloop.yml
  # ... on the command line and in the environment.
  expect_rc 6 git autoloop -c 'rules.enable=[python/bare-exept]' config
  assert_contains "$ERR" "-c (command line): rules.enable: unknown rule id 'python/bare-exept' (did you mean 'python/bare-except'?)"
  expect_rc 6 env 'AUTOLOOP_RULES__DISABLE=[javascript/no-vra]' git autoloop rules
  assert_contains "$ERR" "environment variable AUTOLOOP_RULES__DISABLE: rules.disable: unknown rule id 'javascript/no-vra' (did you mean 'javascript/no-var'?)"
  # An enum value, in -c: one of the values, with the one meant.
  expect_rc 6 git autoloop -c autonomous_loop.safety_level=meduim config
  assert_contains "$ERR" "expected one of high, medium, low (got 'meduim'; did you mean 'medium'?)"

  # The repository's rules add ids; one written without its repo: prefix is suggested with it.
  mkdir -p .autoloop/rules/team
  printf 'id: team/no-print\nlanguage: python\ncategory: code_quality\nseverity: info\nsafety: suggest\nmessage: "print"\nquery: "(call) @match"\n' \
    >.autoloop/rules/team/no-print.yml
  expect_rc 0 git autoloop -c 'rules.disable=[repo:team/no-print]' config rules.disable
  assert_eq '["repo:team/no-print"]' "$OUT" "rules.disable with a repository rule"
  expect_rc 6 git autoloop -c 'rules.disable=[team/no-print]' config
  assert_contains "$ERR" "unknown rule id 'team/no-print' (did you mean 'repo:team/no-print'?)"
  # A broken rule file: its id is still known; an id none has says which files are broken.
  printf 'id: team/bad\nlanguage: python\ncategory: [\n' >.autoloop/rules/team/bad.yml
  expect_rc 0 git autoloop -c 'rules.disable=[repo:team/bad]' config rules.disable
  expect_rc 6 git autoloop -c 'rules.disable=[repo:team/bad-thing]' config
  assert_contains "$ERR" "unknown rule id 'repo:team/bad-thing'"
  assert_contains "$ERR" "a rule file is broken and may be the one meant: .autoloop/rules/team/bad.yml (repo:team/bad)"

  # rules --explain: the rule meant.
  expect_rc 6 git autoloop rules --explain python/compare-to-nnoe
  assert_contains "$ERR" "no rule 'python/compare-to-nnoe' (did you mean 'python/compare-to-none'?)"

  # queue's options: a status, a category, a rule.
  quality_file
  commit_all "a finding"
  wait_for_scan
  expect_rc 2 git autoloop queue --status opne
  assert_contains "$ERR" "--status opne is not one of open, "
  assert_contains "$ERR" "(did you mean 'open'?)"
  expect_rc 2 git autoloop queue --category secuirty
  assert_contains "$ERR" "--category secuirty is not one of security_fixes, performance_issues, code_quality, test_coverage, security, performance, quality, coverage (did you mean 'security'?)"
  expect_rc 0 git autoloop queue --category quality
  assert_contains "$OUT" "python/compare-to-none"
  expect_rc 0 git autoloop queue --category security
  assert_contains "$OUT" "0 opportunities"
  expect_rc 2 git autoloop queue --rule python/nope
  assert_contains "$ERR" "--rule: unknown rule id 'python/nope'"
  expect_rc 2 git autoloop queue --rule python/compare-to-nnoe
  assert_contains "$ERR" "(did you mean 'python/compare-to-none'?)"
  expect_rc 0 git autoloop queue --rule python/compare-to-none
  assert_contains "$OUT" "1 opportunity"
  # A known rule with nothing queued is no error.
  expect_rc 0 git autoloop queue --rule python/bare-except
  assert_contains "$OUT" "0 opportunities"
}

# drain_first [-c KEY=VALUE...]: one drain of at most one fix; prints the path that fix changed.
drain_first() {
  expect_rc 0 git autoloop "$@" drain --now --foreground --max 1
  [ "$(side_commits | grep -c .)" = 1 ] || fail "expected one fix on the side branch: $(side_commits) $OUT $ERR"
  git diff-tree --no-commit-id --name-only -r "$(side_ref)"
}

test_scores_at_selection_time_in_category_order() {
  # The seed's order holds across severities: a performance finding of severity info is fixed before a
  # code-quality warning (it used to be 0.8 x 0.5 against 0.6 x 1.0).
  new_repo default-priorities
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains
  quality_file
  performance_file
  commit_all "two findings"
  wait_for_scan
  assert_eq "fmt.go" "$(drain_first)" "first fix with the default priorities"

  # Scores are computed when the drain selects: priorities changed after the scan re-rank the queue.
  cd "$E2E_TEST_DIR"
  new_repo changed-priorities
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains
  quality_file
  performance_file
  commit_all "two findings"
  wait_for_scan
  assert_eq "fmt.go" "$(git autoloop queue --format json | pyjson 'd[0]["path"]')" "queue order with the default priorities"
  # `queue` ranks with the priorities in force too: it shows first what the drain fixes first.
  assert_eq "app.py" "$(git autoloop -c improvement_priorities.performance_issues=0.3 queue --format json | pyjson 'd[0]["path"]')" \
    "queue order once performance weighs 0.3"
  assert_eq "app.py" "$(git autoloop -c improvement_priorities.performance_issues=0.3 queue --limit 1 --format json | pyjson 'd[0]["path"]')" \
    "queue --limit 1 once performance weighs 0.3"
  assert_eq "app.py" "$(drain_first -c improvement_priorities.performance_issues=0.3)" "first fix once performance weighs 0.3"
}

run_test "install writes a short commented .autoloop.yml that sets nothing" test_install_writes_a_short_file_that_sets_nothing
run_test "config KEY prints one value; --show-origin --changed shows what is set, and where" test_config_key_and_show_origin
run_test "mistyped rule ids and values are errors with did you mean (file:line:col, -c, env, queue)" test_typos_are_errors_that_say_what_was_meant
run_test "scores are computed at selection time; the category order holds across severities" test_scores_at_selection_time_in_category_order
finish
