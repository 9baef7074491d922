#!/bin/bash
# docs/ARCHITECTURE.md §7.1: a hook never touches the working tree, the index, HEAD, stashes or any branch but
# autoloop/*, and never blocks a commit. Proven with byte-level snapshots around every hook kind, with
# a dirty tree, untracked and ignored files, a partially staged file, a stash and extra refs.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A repository in the messiest everyday state, hooks installed.
messy_repo() {
  new_repo
  printf 'ignored.log\nbuild/\n' >.gitignore
  printf 'def first():\n    return 1\n\n\n\n\n\n\n\n\ndef last():\n    return 2\n' >partial.py
  printf 'A = 1\n' >dirty.py
  printf 'keep\n' >stash.txt
  commit_all "base"
  git branch feature
  git tag v1
  install_autoloop
  git add .autoloop.yml
  git commit -q -m "config"
  wait_for_scan

  # A stash on the stack.
  echo "stashed change" >>stash.txt
  git stash -q
  # Untracked and ignored files, an unstaged modification.
  printf 'if u == None:\n    pass\n' >untracked.py
  mkdir -p build
  echo "ignored" >ignored.log
  echo "artifact" >build/out.o
  printf 'A = 2\nif A == None:\n    pass\n' >dirty.py
  # Two hunks in partial.py; only the first is staged (what `git add -p` does).
  printf 'def first():\n    if x == None:\n        return 1\n\n\n\n\n\n\n\n\ndef last():\n    if y != None:\n        return 2\n' >partial.py
  git diff -U0 partial.py | "$PYTHON" -c '
import sys
text = sys.stdin.read()
head, _, rest = text.partition("\n@@")
hunks = ("@@" + rest).split("\n@@")
sys.stdout.write(head + "\n" + hunks[0] + "\n")' >first-hunk.patch
  git apply --cached --unidiff-zero first-hunk.patch
  rm first-hunk.patch
  [ -n "$(git diff --cached --name-only)" ] || fail "nothing staged"
  [ -n "$(git diff --name-only -- partial.py)" ] || fail "partial.py has no unstaged hunk left"
}

# The part of a snapshot that a commit itself leaves alone (work-tree files, stashes, other refs).
worktree_part() { snapshot | sed -n '/^stashes:/,$p' | grep -v '^refs/heads/main '; }

test_commit_with_dirty_tree() {
  messy_repo
  local before_commit after_commit after_scan
  before_commit=$(worktree_part)
  expect_rc 0 git commit -q -m "partial commit"
  after_commit=$(snapshot)
  wait_for_scan
  after_scan=$(snapshot)
  assert_eq "$after_commit" "$after_scan" "snapshot right after the commit vs after the background scan"
  assert_eq "$before_commit" "$(worktree_part)" "work tree, stashes and other refs across the commit"

  # The commit holds exactly the staged hunk, and the scan saw the committed content, not the work tree.
  assert_eq "partial.py" "$(git show --format= --name-only HEAD)" "files in the commit"
  assert_contains "$(git show HEAD:partial.py)" "if x == None:"
  assert_not_contains "$(git show HEAD:partial.py)" "if y != None:"
  assert_eq "python/compare-to-none partial.py:2 open new=true" "$(queue_rows)" "queue (untracked and unstaged files are not scanned)"
  assert_eq "1" "$(git stash list | wc -l)" "stashes"
}

test_amend_merge_and_push_with_dirty_tree() {
  git init -q --bare remote.git
  messy_repo
  git remote add origin "$E2E_TEST_DIR/remote.git"
  git commit -q -m "partial commit"
  wait_for_scan

  # post-rewrite (amend): stage nothing new, just reword.
  local s1 s2
  expect_rc 0 git commit -q --amend -m "partial commit, reworded"
  s1=$(snapshot)
  wait_for_scan
  s2=$(snapshot)
  assert_eq "$s1" "$s2" "snapshot around the post-rewrite hook"

  # post-merge: merge a branch that touches other files while the tree stays dirty.
  git stash -q
  git checkout -q feature
  printf 'if m == None:\n    pass\n' >merged.py
  commit_all "feature work"
  git checkout -q main
  git stash pop -q --index
  expect_rc 0 git merge -q --no-edit feature
  s1=$(snapshot)
  wait_for_scan
  s2=$(snapshot)
  assert_eq "$s1" "$s2" "snapshot around the post-merge hook"
  assert_contains "$(queue_rows)" "python/compare-to-none merged.py:1 open" "the merged file was scanned"

  # pre-push (waits for its scan in the foreground).
  expect_rc 0 git push -q origin main feature
  s1=$(snapshot)
  wait_for_scan
  s2=$(snapshot)
  assert_eq "$s1" "$s2" "snapshot around the pre-push hook"
  assert_eq "$(git rev-parse main)" "$(remote_ref "$E2E_TEST_DIR/remote.git" refs/heads/main)" "pushed main"
}

test_internal_error_never_blocks_or_touches() {
  messy_repo
  # A corrupt database: the worker has to recover (move it aside, rebuild); the commit must not notice.
  head -c 4096 /dev/urandom >"$(autoloop_dir)/queue.db"
  rm -f "$(autoloop_dir)/queue.db-wal" "$(autoloop_dir)/queue.db-shm"
  local before_commit after_commit
  before_commit=$(worktree_part)
  expect_rc 0 git commit -q -m "partial commit"
  after_commit=$(snapshot)
  wait_for_scan
  assert_eq "$after_commit" "$(snapshot)" "snapshot after a commit whose scan hit a corrupt database"
  assert_eq "$before_commit" "$(worktree_part)" "work tree across the commit"
  assert_eq "partial commit" "$(git log -1 --format=%s)" "the commit was kept"
  assert_contains "$(queue_rows)" "python/compare-to-none partial.py:2 open" "queue rebuilt and scanned"

  ls "$(autoloop_dir)"/queue.db.corrupt-* >/dev/null || fail "the corrupt database was not kept aside"
}

test_rebuilt_database_is_reported_once() {
  # The worker moves a corrupt database aside and rebuilds it: an internal error (the queue's history is
  # no longer in use) that the user must hear about once on the terminal (§7.1, §7.7), on the next hook.
  new_repo
  install_autoloop
  echo 'a = 1' >a.py
  commit_all "first"
  wait_for_scan
  head -c 4096 /dev/urandom >"$(autoloop_dir)/queue.db"
  rm -f "$(autoloop_dir)/queue.db-wal" "$(autoloop_dir)/queue.db-shm"
  echo 'b = 1' >b.py
  git add b.py
  expect_rc 0 git commit -q -m "scan finds the database corrupt"
  wait_for_scan
  ls "$(autoloop_dir)"/queue.db.corrupt-* >/dev/null || fail "the corrupt database was not kept aside"
  echo 'n = 1' >next.py
  git add next.py
  expect_rc 0 git commit -q -m "next"
  assert_contains "$ERR" "corrupt" "stderr of the commit after the database was rebuilt"
  wait_for_scan
  echo 'm = 1' >more.py
  git add more.py
  expect_rc 0 git commit -q -m "more"
  assert_not_contains "$ERR" "corrupt" "stderr of the commit after that"
}

test_detached_head_and_autoloop_branches_only() {
  messy_repo
  git commit -q -m "partial commit"
  wait_for_scan
  git stash -q -u
  git checkout -q --detach HEAD
  git stash pop -q
  printf 'if d == None:\n    pass\n' >detached.py
  git add detached.py
  expect_rc 0 git commit -q -m "on a detached HEAD"
  local s1
  s1=$(snapshot)
  wait_for_scan
  assert_eq "$s1" "$(snapshot)" "snapshot around a commit on a detached HEAD"
  assert_contains "$(queue_rows)" "python/compare-to-none detached.py:1 open new=true" "detached commit scanned"
  # Whatever the hooks did, the only refs they may have created are refs/heads/autoloop/*.
  local extra
  extra=$(git for-each-ref --format='%(refname)' | grep -v -e '^refs/heads/main$' -e '^refs/heads/feature$' \
    -e '^refs/tags/v1$' -e '^refs/stash$' -e '^refs/heads/autoloop/' || true)
  assert_eq "" "$extra" "refs created by the hooks"
}

run_test "a commit with a dirty tree and a partially staged file changes nothing else" test_commit_with_dirty_tree
run_test "amend, merge and push hooks leave a dirty tree alone" test_amend_merge_and_push_with_dirty_tree
run_test "an internal error (corrupt queue.db) neither blocks the commit nor touches anything" test_internal_error_never_blocks_or_touches
run_test "a corrupt database, moved aside and rebuilt, is reported once on the terminal" test_rebuilt_database_is_reported_once
run_test "a detached-HEAD commit: scanned, nothing touched, no foreign refs" test_detached_head_and_autoloop_branches_only
finish
