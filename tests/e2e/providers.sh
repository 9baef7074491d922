#!/bin/bash
# Providers (issue 17): the field's analyzers feed the loop. What the configuration says about them
# (names checked where they are written), and what a provider that is missing, crashes, hangs or prints
# garbage does to a commit: nothing (the commit succeeds, the hook exits 0, the queue keeps what it had,
# `status` and `doctor` say why).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A Python file with a built-in finding (python/eval-exec), committed through the hooks.
python_commit() {
  printf 'value = eval(user_input)\n' >a.py
  commit_all "${1:-python}"
}

test_unknown_provider_is_located() {
  new_repo
  install_autoloop
  printf 'providers: [nosuch]\n' >.autoloop.yml
  expect_rc 3 git autoloop config
  assert_contains "$ERR" "$PWD/.autoloop.yml:1:13: providers: unknown provider 'nosuch'"
  printf 'provider_budget: soon\n' >.autoloop.yml
  expect_rc 3 git autoloop config
  assert_contains "$ERR" "$PWD/.autoloop.yml:1:18: expected a duration such as 10s, 500ms or 2m (got 'soon')"
  # The commit is never the configuration's victim.
  printf 'providers: [nosuch]\n' >.autoloop.yml
  python_commit
  wait_for_scan
}

run_test "an unknown provider or a malformed budget is an error where it is written" test_unknown_provider_is_located
finish
