#!/bin/bash
# Installing hooks never clobbers: an existing hook is chained (still runs, still counts for pre-push),
# uninstall restores it byte for byte, re-installing changes nothing, .autoloop.yml is written only
# when there is none.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Every file of the hooks dir with type, mode, size, mtime and content hash.
hooks_state() {
  local dir
  dir=$(hooks_dir)
  (cd "$dir" && find . -mindepth 1 -printf '%P %y %m %s %T@ %l\n' | LC_ALL=C sort &&
    find . -mindepth 1 -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha1sum)
}

write_marker_hook() { # write_marker_hook PATH MARKER
  printf '#!/bin/sh\n# the user'"'"'s own hook\necho "ran $0 $*" >> "%s"\n' "$2" >"$1"
  chmod 0750 "$1"
}

test_existing_post_commit_is_chained_and_restored() {
  new_repo
  local hooks marker="$E2E_TEST_DIR/post-commit.marker"
  hooks=$(hooks_dir)
  mkdir -p "$hooks"
  write_marker_hook "$hooks/post-commit" "$marker"
  cp -p "$hooks/post-commit" "$E2E_TEST_DIR/post-commit.orig"
  local mode_before before
  mode_before=$(stat -c '%a %s %U' "$hooks/post-commit")
  before=$(hooks_state)

  install_autoloop
  assert_contains "$OUT" "post-commit  chained" "install output"
  assert_contains "$OUT" "post-merge   installed" "install output"
  assert_file "$hooks/post-commit.autoloop-chained"
  cmp "$E2E_TEST_DIR/post-commit.orig" "$hooks/post-commit.autoloop-chained" ||
    fail "the chained copy differs from the original hook"
  assert_eq "$mode_before" "$(stat -c '%a %s %U' "$hooks/post-commit.autoloop-chained")" "mode of the chained copy"

  printf 'x = 1\nif x == None:\n    pass\n' >a.py
  expect_rc 0 commit_all "first"
  assert_file "$marker" "the chained post-commit's marker"
  assert_eq "1" "$(grep -c '^ran ' "$marker")" "runs of the chained hook after one commit"
  wait_for_scan
  assert_contains "$(queue_rows)" "python/compare-to-none a.py:2 open new=true" "queue after the commit"

  expect_rc 0 git autoloop uninstall
  assert_contains "$OUT" "post-commit  restored" "uninstall output"
  assert_contains "$OUT" "pre-push     removed" "uninstall output"
  cmp "$E2E_TEST_DIR/post-commit.orig" "$hooks/post-commit" || fail "uninstall did not restore the hook byte for byte"
  assert_eq "$mode_before" "$(stat -c '%a %s %U' "$hooks/post-commit")" "mode of the restored hook"
  assert_eq "$before" "$(hooks_state)" "hooks dir (names, types, modes, sizes, mtimes, contents) after uninstall"

  # Uninstalled: the user's hook runs alone, nothing is spooled.
  local spooled
  spooled=$(spool_count)
  echo 'y = 2' >>a.py
  expect_rc 0 commit_all "after uninstall"
  assert_eq "2" "$(grep -c '^ran ' "$marker")" "runs of the restored hook"
  assert_eq "$spooled" "$(spool_count)" "spool entries after uninstall"
}

test_symlinked_hook_survives_round_trip() {
  new_repo
  local hooks
  hooks=$(hooks_dir)
  mkdir -p "$hooks" "$E2E_TEST_DIR/shared-hooks"
  write_marker_hook "$E2E_TEST_DIR/shared-hooks/post-merge" "$E2E_TEST_DIR/post-merge.marker"
  ln -s "$E2E_TEST_DIR/shared-hooks/post-merge" "$hooks/post-merge"

  install_autoloop
  assert_contains "$OUT" "post-merge   chained"
  [ -L "$hooks/post-merge.autoloop-chained" ] || fail "the chained post-merge is no longer a symlink"

  # A merge runs the chained post-merge with git's argument (0: not a squash).
  echo a >a.txt
  commit_all base
  git checkout -q -b side
  echo b >b.txt
  commit_all side
  git checkout -q main
  expect_rc 0 git merge -q --no-ff -m merge side
  assert_eq "ran .git/hooks/post-merge.autoloop-chained 0" "$(cat "$E2E_TEST_DIR/post-merge.marker")" "chained post-merge call"

  expect_rc 0 git autoloop uninstall
  [ -L "$hooks/post-merge" ] || fail "uninstall did not restore the symlink"
  assert_eq "$E2E_TEST_DIR/shared-hooks/post-merge" "$(readlink "$hooks/post-merge")" "restored symlink target"
  assert_no_file "$hooks/post-merge.autoloop-chained"
  assert_no_file "$hooks/post-commit"
}

test_reinstall_is_idempotent() {
  new_repo
  local hooks
  hooks=$(hooks_dir)
  mkdir -p "$hooks"
  write_marker_hook "$hooks/post-commit" "$E2E_TEST_DIR/marker"
  install_autoloop
  local state config
  state=$(hooks_state)
  config=$(stat -c '%s %Y' .autoloop.yml; sha1sum <.autoloop.yml)
  sleep 1.1 # a rewrite would show in the mtimes

  install_autoloop
  local hook
  for hook in post-commit post-merge post-rewrite pre-push; do
    assert_contains "$OUT" "$(printf '  %-12s unchanged' "$hook")" "second install output"
  done
  assert_not_contains "$OUT" "chained" "second install output"
  assert_not_contains "$OUT" "wrote " "second install output"
  assert_eq "$state" "$(hooks_state)" "hooks dir after the second install"
  assert_eq "$config" "$(stat -c '%s %Y' .autoloop.yml; sha1sum <.autoloop.yml)" ".autoloop.yml after the second install"
  assert_no_file "$hooks/post-commit.autoloop-chained.autoloop-chained"

  # The chained hook runs once per commit, not twice.
  echo 'a = 1' >a.py
  commit_all one
  assert_eq "1" "$(grep -c '^ran ' "$E2E_TEST_DIR/marker")" "runs of the chained hook"
  wait_for_scan
}

test_chained_pre_push_still_blocks() {
  git init -q --bare remote.git
  new_repo
  git remote add origin "$E2E_TEST_DIR/remote.git"
  local hooks
  hooks=$(hooks_dir)
  mkdir -p "$hooks"
  cat >"$hooks/pre-push" <<EOF
#!/bin/sh
echo "args: \$*" > "$E2E_TEST_DIR/pre-push.args"
cat > "$E2E_TEST_DIR/pre-push.stdin"
exit \$(cat "$E2E_TEST_DIR/pre-push.status")
EOF
  chmod +x "$hooks/pre-push"
  install_autoloop
  assert_contains "$OUT" "pre-push     chained"

  echo 'print(1)' >a.py
  commit_all one
  wait_for_scan
  echo 1 >"$E2E_TEST_DIR/pre-push.status"
  expect_rc 1 git push origin main
  assert_contains "$ERR" "failed to push" "push error"
  [ -d "$E2E_TEST_DIR/remote.git/refs" ] || fail "no remote"
  assert_eq "" "$(remote_ref "$E2E_TEST_DIR/remote.git" refs/heads/main)" "remote main after a blocked push"
  assert_eq "args: origin $E2E_TEST_DIR/remote.git" "$(cat "$E2E_TEST_DIR/pre-push.args")" "chained pre-push arguments"
  assert_eq "refs/heads/main $(git rev-parse HEAD) refs/heads/main 0000000000000000000000000000000000000000" \
    "$(cat "$E2E_TEST_DIR/pre-push.stdin")" "chained pre-push stdin"

  echo 0 >"$E2E_TEST_DIR/pre-push.status"
  expect_rc 0 git push -q origin main
  assert_eq "$(git rev-parse HEAD)" "$(remote_ref "$E2E_TEST_DIR/remote.git" refs/heads/main)" "remote main after push"
}

test_config_file_written_only_when_absent() {
  new_repo
  install_autoloop
  assert_contains "$OUT" "wrote $PWD/.autoloop.yml"
  cmp .autoloop.yml "$AUTOLOOP_SOURCE_DIR/config/starter.yml" || fail ".autoloop.yml is not the starter file (commented examples)"
  expect_rc 0 git autoloop config
  expect_rc 0 git autoloop uninstall
  assert_file .autoloop.yml "uninstall keeps .autoloop.yml:"

  cd "$E2E_TEST_DIR"
  new_repo own
  printf '# mine\nautonomous_loop:\n  max_improvements_per_cycle: 2\n' >.autoloop.yml
  cp -p .autoloop.yml "$E2E_TEST_DIR/own.yml"
  install_autoloop
  assert_not_contains "$OUT" "wrote" "install output"
  cmp .autoloop.yml "$E2E_TEST_DIR/own.yml" || fail "install changed an existing .autoloop.yml"
  assert_eq "$(stat -c '%a %Y' "$E2E_TEST_DIR/own.yml")" "$(stat -c '%a %Y' .autoloop.yml)" "mode and mtime of .autoloop.yml"

  cd "$E2E_TEST_DIR"
  new_repo none
  install_autoloop --no-config-file
  assert_no_file .autoloop.yml "with --no-config-file,"
}

test_missing_binary_never_blocks() {
  # Install from a private copy of the binaries. The hooks are copies of the hook binary, so deleting it
  # changes nothing; deleting the main binary must still run the chained hook and let the commit through.
  mkdir bin
  cp "$AUTOLOOP_BIN_DIR/git-autoloop" "$AUTOLOOP_BIN_DIR/autoloop-hook" bin/
  new_repo
  local hooks
  hooks=$(hooks_dir)
  mkdir -p "$hooks"
  write_marker_hook "$hooks/post-commit" "$E2E_TEST_DIR/marker"
  expect_rc 0 "$E2E_TEST_DIR/bin/git-autoloop" install
  rm "$E2E_TEST_DIR/bin/autoloop-hook"
  printf 'if a == None:\n    pass\n' >a.py
  expect_rc 0 commit_all one
  assert_eq "" "$ERR" "commit stderr without the hook binary"
  wait_for_scan
  assert_eq "python/compare-to-none a.py:1 open new=true" "$(queue_rows)" "queue, scanned without the hook binary"
  rm "$E2E_TEST_DIR/bin/git-autoloop"
  echo 'b = 1' >b.py
  expect_rc 0 commit_all two
  assert_contains "$ERR" "git-autoloop is missing" "commit stderr without the main binary"
  assert_eq "2" "$(grep -c '^ran ' "$E2E_TEST_DIR/marker")" "runs of the chained hook"
  assert_eq "0" "$(spool_count)" "spool entries"
}

run_test "an existing post-commit is chained, runs, and is restored byte for byte" test_existing_post_commit_is_chained_and_restored
run_test "a symlinked hook is chained and restored as the same symlink" test_symlinked_hook_survives_round_trip
run_test "a second install changes nothing" test_reinstall_is_idempotent
run_test "a chained pre-push that exits 1 still blocks the push" test_chained_pre_push_still_blocks
run_test ".autoloop.yml is written only when absent" test_config_file_written_only_when_absent
run_test "a missing binary never blocks a commit and the chained hook still runs" test_missing_binary_never_blocks
finish
