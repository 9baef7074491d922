#!/bin/bash
# Torture: the states a repository can be in while the hooks, a drain or a review run. Dirty trees and
# partially staged files during drain and review; an interactive rebase of 50 commits; cherry-pick and merge
# stopped on conflicts; bisect; detached HEAD; bare repositories; shallow clones; linked worktrees;
# submodules; one core.hooksPath shared by several repositories. Each case: hooks exit 0 quickly, nothing of
# the user's is touched (snapshot), the queue and side branches pass tests/e2e/invariants.py.
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

# untouched_by CMD...: CMD (expected to exit 0) leaves the snapshot as it was.
untouched_by() {
  local before
  before=$(snapshot)
  expect_rc 0 "$@"
  assert_eq "$before" "$(snapshot)" "snapshot around '$*'"
  figure untouched_checks
}

# dirty: an unstaged edit, an untracked and an ignored file, and a partially staged file (one hunk of two).
make_dirty() {
  printf 'ignored.log\n' >.gitignore
  printf 'def first():\n    return 1\n\n\n\n\n\n\n\ndef last():\n    return 2\n' >partial.py
  git add .gitignore partial.py
  AUTOLOOP=0 git commit -q -m "partial base"
  printf 'def first():\n    return 10\n\n\n\n\n\n\n\ndef last():\n    return 20\n' >partial.py
  git diff -U0 partial.py | "$PYTHON" -c '
import sys
text = sys.stdin.read()
head, _, rest = text.partition("\n@@")
hunks = ("@@" + rest).split("\n@@")
sys.stdout.write(head + "\n" + hunks[0] + "\n")' >"$E2E_TEST_DIR/first-hunk.patch"
  git apply --cached --unidiff-zero "$E2E_TEST_DIR/first-hunk.patch"
  printf 'scratch\n' >untracked.txt
  printf 'log\n' >ignored.log
  echo "edited" >>README
  [ -n "$(git diff --cached --name-only)" ] && [ -n "$(git diff --name-only -- partial.py)" ] || fail "test setup: not partially staged"
}

test_dirty_tree_during_drain_and_review() {
  torture_repo
  py a.py
  py b.py
  commit_all "two findings"
  wait_for_scan
  make_dirty
  untouched_by git autoloop drain --now --foreground
  check_case --settled --fsck
  untouched_by git autoloop review --list
  untouched_by git autoloop status
  # Accepting b.py's fix changes b.py in HEAD, index and work tree, and nothing else of the dirty state.
  local id before after
  id=$(queue_json | pyjson '[r["id"] for r in d if r["path"] == "b.py"][0]')
  before=$(snapshot | grep -v -e '^HEAD ' -e '^index-file ' -e 'b\.py' -e '^staged ' -e '^refs/heads/main ')
  expect_rc 0 git autoloop review --accept "$id"
  after=$(snapshot | grep -v -e '^HEAD ' -e '^index-file ' -e 'b\.py' -e '^staged ' -e '^refs/heads/main ')
  assert_eq "$before" "$after" "everything but b.py across the accept"
  assert_eq "partial.py" "$(git diff --cached --name-only -- partial.py)" "partial.py still staged"
  [ -n "$(git diff --name-only -- partial.py)" ] || fail "partial.py lost its unstaged hunk"
  assert_eq "" "$(git diff --cached --name-only -- b.py)" "b.py staged change"
  # A fix for a file with uncommitted changes is refused with nothing changed.
  echo "# mine" >>a.py
  id=$(queue_json | pyjson '[r["id"] for r in d if r["path"] == "a.py"][0]')
  local s
  s=$(snapshot)
  run_cmd git autoloop review --accept "$id"
  assert_contains "$OUT$ERR" "uncommitted changes" "accept of a dirty file"
  assert_eq "$s" "$(snapshot)" "snapshot after the refused accept"
  check_case --fsck
}

test_interactive_rebase_of_50() {
  torture_repo
  local i
  for i in $(seq 1 50); do
    py "r$i.py" "r$i"
    git add "r$i.py"
    git commit -q -m "r$i"
  done
  wait_for_scan 60
  drain_settled
  local runs_before t0 ms
  runs_before=$(db_query "SELECT count(*) FROM runs WHERE kind = 'scan'")
  # Reword every tenth commit, squash every fifth into its predecessor, drop one.
  t0=$(date +%s%N)
  GIT_SEQUENCE_EDITOR="sed -i -e '5~5s/^pick/fixup/' -e '3s/^pick/drop/' -e '10~10s/^fixup/pick/'" \
    expect_rc 0 git rebase -i HEAD~50
  ms=$((($(date +%s%N) - t0) / 1000000))
  figure_max rebase50_ms "$ms"
  figure rebased_commits 50
  [ -z "$(git status --porcelain)" ] || fail "the work tree is not clean after the rebase"
  wait_for_scan 60
  assert_eq "$((runs_before + 1))" "$(db_query "SELECT count(*) FROM runs WHERE kind = 'scan'")" "scan runs for the whole rebase"
  assert_eq "0" "$(spool_count)" "spool entries after the rebase"
  # The old side branch is based on the pre-rebase main (a former tip): still valid; a drain rebuilds it.
  check_case --fsck
  # The drain rebuilds the side branch on the rewritten main; the fix of the dropped file is dropped with it.
  drain_settled
  assert_eq "[]" "$(queue_json | pyjson '[r["path"] for r in d if r["path"] == "r3.py" and r["status"] in ("open", "applied")]')" "rows of the dropped commit's file"
  assert_not_contains "$(side_files)" "r3.py" "fixed files after the rebase"
  assert_hooks_fast
}

test_conflicts_in_progress() {
  torture_repo
  py c.py
  commit_all "base c"
  git checkout -q -b side
  printf 'def f(x):\n    if x == None:\n        return "side"\n    return 2\n' >c.py
  commit_all "side edit"
  git checkout -q main
  printf 'def f(x):\n    if x == None:\n        return "main"\n    return 2\n' >c.py
  py other.py
  commit_all "main edit"
  wait_for_scan
  drain_settled
  # A cherry-pick stopped on a conflict: drain, review and status leave it exactly as it is.
  run_cmd git cherry-pick side
  assert_ne "0" "$RC" "test setup: the cherry-pick conflicts"
  assert_file "$(git rev-parse --git-path CHERRY_PICK_HEAD)"
  untouched_by git autoloop drain --now --foreground
  untouched_by git autoloop review --list
  local id
  id=$(queue_json | pyjson '[r["id"] for r in d if r["path"] == "other.py"][0]')
  local s
  s=$(snapshot)
  run_cmd git autoloop review --accept "$id"
  assert_eq "$s" "$(snapshot)" "snapshot after review --accept during a cherry-pick"
  assert_file "$(git rev-parse --git-path CHERRY_PICK_HEAD)" "the cherry-pick in progress"
  assert_eq "3" "$(git ls-files -u c.py | wc -l)" "conflict stages of c.py"
  check_case
  git cherry-pick --abort
  # A merge stopped on a conflict: the same.
  run_cmd git merge side
  assert_ne "0" "$RC" "test setup: the merge conflicts"
  untouched_by git autoloop drain --now --foreground
  untouched_by git autoloop scan --commit HEAD
  assert_file "$(git rev-parse --git-path MERGE_HEAD)" "the merge in progress"
  printf 'def f(x):\n    if x == None:\n        return "both"\n    return 2\n' >c.py
  git add c.py
  timed_commit --no-edit
  wait_for_scan
  drain_settled
  figure conflict_states 2
}

test_bisect_and_detached_head() {
  torture_repo
  local i
  for i in $(seq 1 8); do
    py "b$i.py"
    git add "b$i.py"
    git commit -q -m "b$i"
  done
  wait_for_scan
  drain_settled
  local side
  side=$(side_ref)
  git bisect start -q 2>/dev/null || git bisect start >/dev/null
  git bisect bad >/dev/null
  git bisect good HEAD~8 >/dev/null
  untouched_by git autoloop drain --now --foreground
  assert_contains "$OUT" "detached" "drain during a bisect"
  untouched_by git autoloop review --list
  local s
  s=$(snapshot)
  run_cmd git autoloop review --accept "$(db_query "SELECT id FROM opportunities WHERE status = 'applied' LIMIT 1")"
  assert_eq "$s" "$(snapshot)" "snapshot after review --accept during a bisect"
  # A commit made while bisecting (on the detached HEAD) is recorded and scanned after the bisect.
  printf 'if during_bisect == None:\n    pass\n' >during.py
  git add during.py
  timed_commit -m "during bisect"
  local during
  during=$(git rev-parse HEAD)
  sleep 0.5
  git bisect reset -q 2>/dev/null || git bisect reset >/dev/null
  echo more >>README
  git add README
  timed_commit -m "after bisect"
  wait_for_scan
  assert_eq "$side" "$(side_ref)" "side branch across the bisect"
  [ -z "$(git for-each-ref refs/bisect)" ] || fail "bisect refs left behind"
  # Detached HEAD: commits are scanned, drains do nothing, no branch is created for HEAD.
  git checkout -q --detach HEAD
  py det.py
  git add det.py
  timed_commit -m "detached"
  wait_for_scan
  assert_contains "$(queue_rows)" "python/compare-to-none det.py:2 open" "detached commit scanned"
  untouched_by git autoloop drain --now --foreground
  [ -z "$(git for-each-ref --format='%(refname)' refs/heads/autoloop/HEAD)" ] || fail "a side branch for HEAD"
  git checkout -q main
  drain_settled
  assert_hooks_fast
  [ -n "$during" ]
}

test_bare_repository() {
  git init -q --bare bare.git
  run_cmd git -C bare.git autoloop install
  assert_ne "0" "$RC" "install into a bare repository"
  assert_contains "$ERR" "bare repository" "install into a bare repository"
  assert_eq "" "$(ls bare.git/hooks | grep -v '\.sample$' || true)" "hooks installed in the bare repository"
  # Hooks reaching a bare repository anyway (a shared core.hooksPath) do nothing there.
  torture_repo work
  git config core.hooksPath "$E2E_TEST_DIR/shared-hooks"
  install_autoloop --no-config-file
  git remote add origin "$E2E_TEST_DIR/bare.git"
  git push -q origin main
  cd "$E2E_TEST_DIR/bare.git"
  git config core.hooksPath "$E2E_TEST_DIR/shared-hooks"
  local before
  before=$(find . | LC_ALL=C sort)
  local hook
  for hook in post-commit post-merge post-rewrite; do
    expect_rc 0 env GIT_DIR=. "$E2E_TEST_DIR/shared-hooks/$hook" </dev/null
  done
  git init -q --bare "$E2E_TEST_DIR/mirror.git"
  expect_rc 0 git push -q "$E2E_TEST_DIR/mirror.git" main
  assert_eq "$before" "$(find . | LC_ALL=C sort)" "files of the bare repository after its hooks ran"
  assert_no_file autoloop/spool "a spool in the bare repository"
  figure bare_hook_runs 4
}

test_shallow_clone() {
  torture_repo origin
  local i
  for i in 1 2 3; do
    py "o$i.py"
    git add "o$i.py"
    git commit -q -m "o$i"
  done
  cd "$E2E_TEST_DIR"
  git clone -q --depth 1 "file://$E2E_TEST_DIR/origin" shallow
  cd shallow
  git config user.name "E2E User"
  git config user.email "user@e2e.invalid"
  [ "$(git rev-parse --is-shallow-repository)" = true ] || fail "test setup: not shallow"
  install_autoloop --no-config-file
  local_config
  py new.py
  git add new.py
  timed_commit -m "in the shallow clone"
  wait_for_scan
  assert_contains "$(queue_rows)" "python/compare-to-none new.py:2" "the new commit scanned"
  flock -w 60 "$(autoloop_dir)/drain.lock" true
  drain_settled
  expect_rc 0 git autoloop scan --all
  drain_settled
  assert_eq "true" "$(git rev-parse --is-shallow-repository)" "still shallow"
  assert_hooks_fast
}

test_linked_worktrees() {
  torture_repo
  py a.py
  commit_all "a"
  wait_for_scan
  git worktree add -q "$E2E_TEST_DIR/wt" -b topic
  make_dirty
  local main_snap
  main_snap=$(snapshot | grep -v '^refs/heads/topic ')
  (
    cd "$E2E_TEST_DIR/wt"
    py t.py
    git add t.py
    timed_commit -m "in the worktree"
    wait_for_scan
    make_dirty
    untouched_by git autoloop drain --now --foreground
    assert_contains "$(side_files topic)" "t.py" "the worktree's side branch"
    check_case --settled
  )
  assert_eq "$main_snap" "$(snapshot | grep -v '^refs/heads/topic ')" "the main worktree across the other's commit and drain"
  untouched_by git autoloop drain --now --foreground
  check_case --settled --fsck
  assert_eq "2" "$(git worktree list --porcelain | grep -c '^worktree ')" "worktrees (no private ones left)"
  figure worktrees 2
}

test_submodules() {
  torture_repo lib
  py libmod.py
  commit_all "lib"
  cd "$E2E_TEST_DIR"
  torture_repo super
  git -c protocol.file.allow=always submodule add -q "$E2E_TEST_DIR/lib" sub
  py top.py
  git add -A
  timed_commit -m "add a submodule and a finding"
  wait_for_scan
  assert_eq "python/compare-to-none top.py:2 open new=true" "$(queue_rows)" "the superproject's queue (the submodule is not its code)"
  # Inside the submodule: its own hooks and queue under .git/modules/sub.
  (
    cd sub
    git config user.name "E2E User"
    git config user.email "user@e2e.invalid"
    install_autoloop --no-config-file
    local_config
    py inner.py
    git add inner.py
    timed_commit -m "inside the submodule"
    wait_for_scan
    assert_contains "$(autoloop_dir)" "/modules/sub/autoloop" "the submodule's data dir"
    assert_contains "$(queue_rows)" "inner.py:2" "the submodule's queue"
    flock -w 60 "$(autoloop_dir)/drain.lock" true
    check_case
  )
  git add sub
  timed_commit -m "bump the submodule"
  wait_for_scan
  assert_not_contains "$(queue_rows)" "inner.py" "the superproject's queue after the bump"
  untouched_by git autoloop drain --now --foreground
  check_case --settled --fsck
  assert_eq "top.py" "$(side_files)" "fixes in the superproject"
  figure submodules 1
}

test_shared_hooks_path() {
  local shared=$E2E_TEST_DIR/shared
  local r
  for r in one two three; do
    cd "$E2E_TEST_DIR"
    new_repo "$r"
    git config core.hooksPath "$shared"
    echo base >README
    AUTOLOOP=0 commit_all "base"
    install_autoloop --no-config-file
    local_config
  done
  for r in one two three; do
    cd "$E2E_TEST_DIR/$r"
    py "$r.py"
    git add "$r.py"
    timed_commit -m "$r"
  done
  for r in one two three; do
    cd "$E2E_TEST_DIR/$r"
    wait_for_scan
    flock -w 60 "$(autoloop_dir)/drain.lock" true
    assert_eq "python/compare-to-none $r.py:2" "$(queue_rows | cut -d' ' -f1-2)" "queue of $r (its own commits only)"
    check_case
  done
  assert_eq "4" "$(ls "$shared" | grep -vc autoloop-chained)" "hooks in the shared hooks directory"
  figure shared_hooks_repos 3
}

run_test "a dirty tree and a partially staged file during drain, review and accept" test_dirty_tree_during_drain_and_review
run_test "an interactive rebase of 50 commits (fixup, drop): one scan, side branch rebuilt" test_interactive_rebase_of_50
run_test "cherry-pick and merge stopped on conflicts: drain, review and scan touch nothing" test_conflicts_in_progress
run_test "bisect and detached HEAD: nothing touched, no branch for HEAD, work done afterwards" test_bisect_and_detached_head
run_test "bare repositories: install refuses, hooks that reach one do nothing" test_bare_repository
run_test "a shallow clone: commits scanned, drains work, still shallow" test_shallow_clone
run_test "linked worktrees: dirty states in both, side branch per branch, no private worktree left" test_linked_worktrees
run_test "submodules: each repository its own queue; fixes never touch the gitlink" test_submodules
run_test "one core.hooksPath shared by three repositories: each its own queue" test_shared_hooks_path
print_figures
finish
