#!/bin/bash
# Hooks go where git looks for them (core.hooksPath), and everything lands in the common git dir, so
# linked worktrees share one queue.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_core_hooks_path_absolute() {
  new_repo
  local custom="$E2E_TEST_DIR/shared hooks"
  mkdir -p "$custom"
  printf '#!/bin/sh\necho ran >> "%s/marker"\n' "$E2E_TEST_DIR" >"$custom/post-commit"
  chmod +x "$custom/post-commit"
  git config core.hooksPath "$custom"
  local default_hooks
  default_hooks="$(git rev-parse --git-dir)/hooks"
  local default_before
  default_before=$(ls -A "$default_hooks" 2>/dev/null || true)

  install_autoloop
  assert_contains "$OUT" "hooks directory: $custom"
  assert_contains "$OUT" "post-commit  chained"
  local hook
  for hook in post-commit post-merge post-rewrite pre-push; do
    assert_file "$custom/$hook"
    [ "$(head -c 4 "$custom/$hook" | tail -c 3)" = "ELF" ] || fail "$custom/$hook is not the hook binary"
  done
  assert_eq "$default_before" "$(ls -A "$default_hooks" 2>/dev/null || true)" "the unused .git/hooks"

  printf 'if h == None:\n    pass\n' >a.py
  commit_all one
  wait_for_scan
  assert_eq "python/compare-to-none a.py:1 open new=true" "$(queue_rows)" "queue"
  assert_eq "ran" "$(cat "$E2E_TEST_DIR/marker")" "chained hook in core.hooksPath"
  expect_rc 0 git autoloop doctor
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "4/4 installed in $custom"

  expect_rc 0 git autoloop uninstall
  assert_contains "$(cat "$custom/post-commit")" "echo ran" "restored hook"
  assert_no_file "$custom/pre-push"
}

test_core_hooks_path_relative() {
  new_repo
  git config core.hooksPath .githooks
  install_autoloop
  assert_file .githooks/post-commit
  mkdir -p sub/dir
  printf 'if r == None:\n    pass\n' >sub/dir/b.py
  # Committing from a subdirectory: git runs hooks from the top of the work tree.
  (cd sub/dir && git add b.py && git commit -q -m "from a subdir")
  wait_for_scan
  assert_eq "python/compare-to-none sub/dir/b.py:1 open new=true" "$(queue_rows)" "queue"
}

test_linked_worktree_shares_the_queue() {
  new_repo
  install_autoloop
  echo base >base.txt
  commit_all base
  git worktree add -q "$E2E_TEST_DIR/wt" -b topic
  local main_data
  main_data=$(autoloop_dir)
  (
    cd "$E2E_TEST_DIR/wt"
    assert_eq "$main_data" "$(autoloop_dir)" "autoloop dir seen from the worktree"
    printf 'if w == None:\n    pass\n' >wt.py
    commit_all "in the worktree"
    wait_for_scan
    assert_eq "python/compare-to-none wt.py:1 open new=true" "$(queue_rows)" "queue seen from the worktree"
  )
  assert_eq "python/compare-to-none wt.py:1 open new=true" "$(queue_rows)" "queue seen from the main worktree"
  assert_eq "$(git rev-parse topic)" "$(queue_json | pyjson 'd[0]["commit"]')" "commit of the row"
  [ ! -e "$(git rev-parse --git-common-dir)/worktrees/wt/autoloop" ] || fail "an autoloop dir was created in the worktree's git dir"
}

test_worktree_rebase_state_is_per_worktree() {
  # The main worktree is stopped in a rebase; a commit in a linked worktree is scanned at once, while
  # what the main worktree recorded during its rebase waits for that rebase to finish.
  new_repo
  install_autoloop
  echo base >base.txt
  commit_all base
  echo two >two.txt
  commit_all two
  git worktree add -q "$E2E_TEST_DIR/wt" -b topic
  wait_for_scan
  GIT_SEQUENCE_EDITOR="sed -i '1s/^pick/edit/'" expect_rc 0 git rebase -i HEAD~1
  printf 'if during == None:\n    pass\n' >during.py
  git add during.py
  git commit -q -m "during the main worktree's rebase"
  local runs_before
  runs_before=$(db_query "select count(*) from runs where kind = 'scan'")
  (
    cd "$E2E_TEST_DIR/wt"
    printf 'if w == None:\n    pass\n' >wt.py
    commit_all "in the worktree"
    wait_for_scan
  )
  sleep 1
  assert_contains "$(queue_rows)" "python/compare-to-none wt.py:1 open" "the worktree's commit was scanned"
  assert_not_contains "$(queue_rows)" "during.py" "queue while the main worktree's rebase is stopped"
  assert_eq "1" "$(spool_count)" "deferred entries of the main worktree"
  expect_rc 0 git rebase --continue
  wait_for_scan
  assert_contains "$(queue_rows)" "python/compare-to-none during.py:1 open" "after the rebase finished"
  assert_eq "0" "$(spool_count)" "spool entries after the rebase finished"
}

run_test "core.hooksPath (absolute, with a space): hooks installed and run there" test_core_hooks_path_absolute
run_test "core.hooksPath (relative): commits from a subdirectory are scanned" test_core_hooks_path_relative
run_test "a linked worktree's commit lands in the common-dir queue" test_linked_worktree_shares_the_queue
run_test "a rebase in one worktree does not defer or release another's work" test_worktree_rebase_state_is_per_worktree
finish
