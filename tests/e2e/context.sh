#!/bin/bash
# Context (issue 12): a rule is not reported where it does not apply. One commit puts the same findings
# in the product's code and in its tests and examples; only the product's are queued, and `scan` and
# `status` say what was left out and why. A user's rules.contexts brings them back; the repository's
# tracked .autoloop.yml cannot hide a security finding.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

write_tree() {
  mkdir -p src tests examples
  # assert used for validation and a pickle load: both reported in the product's code.
  printf 'import pickle\n\ndef withdraw(amount):\n    assert amount > 0\n    return amount\n\ndef restore(blob):\n    return pickle.loads(blob)\n' >src/bank.py
  # The same in a test (assert is the tool; the pickle is a round-trip of the test's own object).
  printf 'import pickle\n\n# covers withdraw, restore, greet\ndef check_roundtrip(obj):\n    assert obj is not None\n    return pickle.loads(pickle.dumps(obj))\n' >tests/test_bank.py
  # console.log in an example prints what the example shows; in src/ it is residue.
  printf 'function greet(name) {\n  console.log("hello " + name);\n  return name;\n}\nmodule.exports = greet;\n' >src/greet.js
  printf 'const greet = require("../src/greet");\nconsole.log(greet("world"));\n' >examples/hello.js
}

test_context_skips_tests_and_examples() {
  new_repo
  install_autoloop
  write_tree
  commit_all "the same findings in src/, tests/ and examples/"
  wait_for_scan
  assert_eq "javascript/console-log src/greet.js:2 open new=true
python/assert-for-validation src/bank.py:4 open new=true
python/pickle-load src/bank.py:8 open new=true" "$(queue_rows)" "only src/ is queued"

  expect_rc 0 git autoloop scan
  assert_contains "$OUT" "3 findings not reported in their context ("
  assert_contains "$OUT" "python/assert-for-validation in tests: 1"
  assert_contains "$OUT" "python/pickle-load in tests: 1"
  assert_contains "$OUT" "javascript/console-log in examples: 1"
  assert_not_contains "$OUT" "tests/test_bank.py:"

  expect_rc 0 git autoloop scan --format json
  assert_contains "$OUT" '"context": "examples"'
  assert_contains "$OUT" '"status": "skipped"'

  expect_rc 0 git autoloop status
  assert_contains "$OUT" "context:    3 findings not reported in their context ("

  expect_rc 0 git autoloop rules --explain python/pickle-load
  assert_contains "$OUT" "not in:   tests, benchmarks (the rule's not_in)"

  # The user's own config: console.log is reported in examples too.
  mkdir -p "$(autoloop_dir)"
  printf 'rules:\n  contexts: {javascript/console-log: [tests]}\n' >"$(autoloop_dir)/config.yml"
  expect_rc 0 git autoloop scan --all
  assert_contains "$(queue_rows)" "javascript/console-log examples/hello.js:2 open new=false" "rows after rules.contexts"
  assert_contains "$OUT" "2 findings not reported in their context ("
}

test_repository_config_cannot_hide_security_findings() {
  new_repo
  install_autoloop
  mkdir -p src
  printf 'import pickle\n\ndef restore(blob):\n    return pickle.loads(blob)\n\ndef f(x):\n    assert x\n    return x\n' >src/app.py
  printf '# restore f\n' >test_app.py
  # A tracked config that calls everything tests and skips pickle-load everywhere.
  printf 'scan:\n  test_paths: ["**"]\nrules:\n  contexts: {python/pickle-load: [tests, examples]}\n' >.autoloop.yml
  commit_all "a repository that would hide its security findings"
  wait_for_scan
  # The code-quality finding follows the project's choice; the security finding stays.
  assert_eq "python/pickle-load src/app.py:4 open new=true" "$(queue_rows)" "queue rows"
  expect_rc 0 git autoloop rules --explain python/pickle-load
  assert_contains "$OUT" "may not add examples to a security rule"
}

run_test "a finding in tests/ and examples/ is skipped for its context, the same in src/ is queued" test_context_skips_tests_and_examples
run_test "the repository's .autoloop.yml cannot hide a security finding by context" test_repository_config_cannot_hide_security_findings
finish
