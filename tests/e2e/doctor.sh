#!/bin/bash
# git autoloop doctor: passes on a healthy install, fails (exit 1) on each kind of breakage and says
# how to fix it.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_healthy_then_deleted_hook() {
  new_repo
  install_autoloop
  expect_rc 0 git autoloop doctor
  assert_contains "$OUT" "all good"
  assert_not_contains "$OUT" "FAIL" "doctor output"
  assert_contains "$OUT" "post-commit installed; git runs it; it runs "

  rm "$(hooks_dir)/post-commit"
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "FAIL  post-commit: not installed in $(hooks_dir)"
  assert_contains "$OUT" "run \`git autoloop install\`" "the fix"
  assert_contains "$OUT" "1 problem found"

  install_autoloop
  expect_rc 0 git autoloop doctor
  assert_contains "$OUT" "all good"
}

test_not_executable_hook() {
  new_repo
  install_autoloop
  chmod -x "$(hooks_dir)/pre-push"
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "pre-push: not executable"
  assert_contains "$OUT" "chmod +x $(hooks_dir)/pre-push" "the fix"
  # install repairs the mode.
  install_autoloop
  assert_contains "$OUT" "pre-push     updated"
  expect_rc 0 git autoloop doctor
}

test_missing_binary() {
  mkdir bin
  cp "$AUTOLOOP_BIN_DIR/git-autoloop" "$AUTOLOOP_BIN_DIR/autoloop-hook" bin/
  new_repo
  expect_rc 0 "$E2E_TEST_DIR/bin/git-autoloop" install
  # The hooks are copies: the hook binary they came from may go.
  rm "$E2E_TEST_DIR/bin/autoloop-hook"
  expect_rc 0 git autoloop doctor
  assert_contains "$OUT" "post-commit installed; git runs it; it runs $E2E_TEST_DIR/bin/git-autoloop"
  # The main binary they run may not.
  rm "$E2E_TEST_DIR/bin/git-autoloop"
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "the binary it runs, $E2E_TEST_DIR/bin/git-autoloop, is missing"
  assert_contains "$OUT" "run \`git autoloop install\` again" "the fix"
  install_autoloop
  expect_rc 0 git autoloop doctor
}

test_other_build_and_old_shim() {
  new_repo
  # Hooks copied from another build (here: the same binary with a byte appended) still run, but doctor
  # names them, and install replaces them.
  mkdir "$E2E_TEST_DIR/other"
  cp "$AUTOLOOP_BIN_DIR/git-autoloop" "$AUTOLOOP_BIN_DIR/autoloop-hook" "$E2E_TEST_DIR/other/"
  printf 'x' >>"$E2E_TEST_DIR/other/autoloop-hook"
  expect_rc 0 "$E2E_TEST_DIR/other/git-autoloop" install
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "post-commit: from another build of git-autoloop"
  install_autoloop
  assert_contains "$OUT" "post-commit  updated"
  expect_rc 0 git autoloop doctor
  # An earlier build's /bin/sh shim: ours, named by doctor, replaced by install (not chained).
  printf '#!/bin/sh\n# git-autoloop hook shim (post-merge): written by `git autoloop install`\nexit 0\n' >"$(hooks_dir)/post-merge"
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "post-merge: a shell shim of an earlier version"
  install_autoloop
  assert_contains "$OUT" "post-merge   updated"
  assert_no_file "$(hooks_dir)/post-merge.autoloop-chained" "a chained shim"
  expect_rc 0 git autoloop doctor
}

test_bad_config_and_database() {
  new_repo
  install_autoloop
  printf 'scan:\n  thread: 4\n' >.autoloop.yml
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" ".autoloop.yml:2:3"
  assert_contains "$OUT" "config --show-origin" "the fix"
  rm .autoloop.yml

  head -c 8192 /dev/urandom >"$(autoloop_dir)/queue.db"
  rm -f "$(autoloop_dir)/queue.db-wal" "$(autoloop_dir)/queue.db-shm"
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "FAIL" "doctor output with a corrupt database"
  assert_contains "$OUT" "moved aside and rebuilt" "the fix"
}

test_outside_and_foreign_hook() {
  new_repo
  install_autoloop
  # Another tool replaced our hook: doctor notices.
  printf '#!/bin/sh\necho other tool\n' >"$(hooks_dir)/post-merge"
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "post-merge: not installed"
  # install chains the other tool's hook; doctor is happy again.
  install_autoloop
  assert_contains "$OUT" "post-merge   chained"
  expect_rc 0 git autoloop doctor
  assert_contains "$OUT" "post-merge: chains the previous hook"
  # The tool rewrites the hook again while the chained one is still there: install refuses to guess and
  # changes nothing.
  printf '#!/bin/sh\necho other tool v2\n' >"$(hooks_dir)/post-merge"
  local before
  before=$(cd "$(hooks_dir)" && sha1sum ./*)
  run_cmd git autoloop install
  assert_ne "0" "$RC" "exit status of install over a foreign hook while a chained one exists"
  assert_contains "$ERR" "Nothing was changed" "install error"
  assert_eq "$before" "$(cd "$(hooks_dir)" && sha1sum ./*)" "hooks dir after the refused install"
}

run_test "doctor passes after install, fails after deleting a hook, and names the fix" test_healthy_then_deleted_hook
run_test "doctor: a non-executable hook" test_not_executable_hook
run_test "doctor: the hook binary may go, the main binary may not" test_missing_binary
run_test "doctor: hooks of another build, and an earlier build's shim" test_other_build_and_old_shim
run_test "doctor: a malformed config and a corrupt database" test_bad_config_and_database
run_test "doctor: a foreign hook in place of ours" test_outside_and_foreign_hook
finish
