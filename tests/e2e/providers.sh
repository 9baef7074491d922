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
  # The commit is never the configuration's victim: it succeeds, the worker says why it waits, and once the
  # file is fixed the waiting event is scanned (nothing lost).
  printf 'providers: [nosuch]\n' >.autoloop.yml
  python_commit
  local i
  for i in $(seq 1 200); do
    grep -q "unknown provider 'nosuch'" "$(autoloop_dir)/last-error" 2>/dev/null && break
    sleep 0.1
  done
  assert_contains "$(cat "$(autoloop_dir)/last-error")" ".autoloop.yml:1:13: providers: unknown provider 'nosuch'"
  printf 'providers: []\n' >.autoloop.yml
  commit_all "fixed"
  wait_for_scan
  assert_contains "$(queue_rows)" "python/eval-exec a.py:1 open"
}

run_test "an unknown provider or a malformed budget is an error where it is written" test_unknown_provider_is_located
finish
