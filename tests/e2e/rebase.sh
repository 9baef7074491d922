#!/bin/bash
# docs/ARCHITECTURE.md §7.2: during a rebase, cherry-pick or merge in progress, hooks only record what to scan;
# the work happens once afterwards (post-rewrite or the next normal hook).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scan_runs() { db_query "select count(*) from runs where kind = 'scan'"; }

# Gives a wrongly started worker time to show up in the runs table.
settle() {
  sleep 1
  wait_for_scan
}

# main with one commit, feature with N commits each adding fN.py with a finding; main then moves on.
branch_with_commits() {
  local n=$1 i
  new_repo
  install_autoloop
  echo base >base.txt
  commit_all base
  git checkout -q -b feature
  for ((i = 1; i <= n; i++)); do
    printf 'if v%d == None:\n    pass\n' "$i" >"f$i.py"
    git add "f$i.py"
    git commit -q -m "c$i"
  done
  git checkout -q main
  echo moved >moved.txt
  commit_all "main moves"
  git checkout -q feature
  wait_for_scan
}

test_rebase_of_20_commits_scans_once() {
  branch_with_commits 20
  local runs_before hooks_before
  runs_before=$(scan_runs)
  hooks_before=$(db_query "select count(*) from runs where kind like 'hook:%'")
  expect_rc 0 git rebase -q main
  assert_eq "$(git rev-parse main)" "$(git rev-parse feature~20)" "feature is rebased onto main"
  wait_for_scan
  settle
  assert_eq "$((runs_before + 1))" "$(scan_runs)" "scan runs after the rebase"
  assert_eq "0" "$(spool_count)" "spool entries left after the rebase"
  # Every hook invocation was still recorded (20 post-commit + 1 post-rewrite).
  assert_eq "$((hooks_before + 21))" "$(db_query "select count(*) from runs where kind like 'hook:%'")" "hook runs recorded"
  # All 20 rebased commits are scanned, and the 20 findings sit on the rebased commits.
  local c missing=0
  for c in $(git rev-list main..feature); do
    [ "$(db_query "select count(*) from scanned_commits where commit_id = '$c'")" = 1 ] || missing=$((missing + 1))
  done
  assert_eq "0" "$missing" "rebased commits not marked scanned"
  assert_eq "20" "$(queue_json | pyjson 'len([r for r in d if r["status"] == "open"])')" "open rows"
  assert_eq "[]" "$(queue_json | pyjson "[r['path'] for r in d if r['commit'] not in '$(git rev-list main..feature | tr '\n' ' ')']")" \
    "rows whose commit is not a rebased commit"
}

test_interactive_rebase_stopped_at_edit_defers() {
  branch_with_commits 3
  local runs_before
  runs_before=$(scan_runs)
  GIT_SEQUENCE_EDITOR="sed -i '1s/^pick/edit/'" expect_rc 0 git rebase -i main
  assert_file "$(git rev-parse --git-path rebase-merge)" "a stopped rebase:"

  printf 'if during_edit == None:\n    pass\n' >edit.py
  git add edit.py
  expect_rc 0 git commit -q -m "made while stopped"
  local entry
  entry=$(grep -l "commit $(git rev-parse HEAD)" "$(autoloop_dir)"/spool/*.ev || true)
  [ -n "$entry" ] || fail "the commit made during the rebase left no spool entry"
  grep -qx 'deferred 1' "$entry" || fail "the spool entry is not deferred:
$(cat "$entry")"
  expect_rc 0 git commit -q --amend -m "made while stopped, amended"
  settle
  assert_eq "$runs_before" "$(scan_runs)" "scan runs while the rebase is stopped"
  assert_not_contains "$(queue_rows)" "edit.py" "queue while the rebase is stopped"

  expect_rc 0 git rebase --continue
  assert_no_file "$(git rev-parse --git-path rebase-merge)" "after --continue,"
  wait_for_scan
  settle
  assert_eq "$((runs_before + 1))" "$(scan_runs)" "scan runs after the rebase finished"
  assert_eq "0" "$(spool_count)" "spool entries after the rebase finished"
  assert_contains "$(queue_rows)" "python/compare-to-none edit.py:1 open new=true" "queue after the rebase"
}

test_aborted_rebase_leaves_nothing_behind() {
  branch_with_commits 2
  GIT_SEQUENCE_EDITOR="sed -i '1s/^pick/edit/'" expect_rc 0 git rebase -i main
  printf 'if abandoned == None:\n    pass\n' >abandoned.py
  git add abandoned.py
  git commit -q -m "abandoned with the rebase"
  local abandoned
  abandoned=$(git rev-parse HEAD)
  expect_rc 0 git rebase --abort
  assert_no_file abandoned.py "after the abort,"

  # The next normal commit runs the deferred work: the abandoned commit is on no branch, so its
  # finding (in a file that exists nowhere) must not land in the queue as open work.
  echo more >more.txt
  commit_all "after the abort"
  wait_for_scan
  settle
  git merge-base --is-ancestor "$abandoned" HEAD && fail "test setup: the abandoned commit is on HEAD"
  assert_eq "[]" "$(queue_json | pyjson '[r["path"] + ":" + str(r["line"]) for r in d if r["status"] == "open" and r["path"] == "abandoned.py"]')" \
    "open rows from the abandoned commit"
  assert_eq "0" "$(spool_count)" "spool entries after the next commit"
}

test_cherry_pick_range_defers_until_next_hook() {
  branch_with_commits 4
  git checkout -q main
  wait_for_scan
  local runs_before
  runs_before=$(scan_runs)
  expect_rc 0 git cherry-pick main..feature
  assert_eq "4" "$(spool_count)" "deferred entries after a 4-commit cherry-pick"
  settle
  assert_eq "$runs_before" "$(scan_runs)" "scan runs right after the cherry-pick"

  # The next normal hook does the work once, for all of them.
  echo more >more.txt
  commit_all "next"
  wait_for_scan
  settle
  assert_eq "$((runs_before + 1))" "$(scan_runs)" "scan runs after the next commit"
  assert_eq "0" "$(spool_count)" "spool entries after the next commit"
  local picked
  picked=$(git rev-list -n 5 HEAD | tr '\n' ' ')
  assert_eq "4" "$(queue_json | pyjson "len([r for r in d if r['status'] == 'open' and r['commit'] in '$picked'])")" \
    "rows on the cherry-picked commits"
}

test_conflicted_merge_is_scanned_when_concluded() {
  new_repo
  install_autoloop
  echo base >c.py
  commit_all base
  git checkout -q -b side
  printf 'if s == None:\n    pass\n' >c.py
  commit_all side
  git checkout -q main
  printf 'if m == None:\n    pass\n' >c.py
  commit_all main
  wait_for_scan
  expect_rc 1 git merge side
  assert_file "$(git rev-parse --git-path MERGE_HEAD)" "a merge in progress:"
  printf 'if m == None:\n    pass\nif s == None:\n    pass\n' >c.py
  git add c.py
  expect_rc 0 git commit -q --no-edit
  wait_for_scan
  assert_eq "0" "$(spool_count)" "spool entries after concluding the merge"
  assert_eq "1" "$(db_query "select count(*) from scanned_commits where commit_id = '$(git rev-parse HEAD)'")" "merge commit scanned"
  assert_eq "python/compare-to-none c.py:1 open new=true
python/compare-to-none c.py:3 open new=true" "$(queue_rows)" "rows after the merge"
}

run_test "a non-interactive rebase of 20 commits triggers exactly one scan" test_rebase_of_20_commits_scans_once
run_test "a commit during an interactive rebase stopped at edit is deferred until the rebase ends" test_interactive_rebase_stopped_at_edit_defers
run_test "an aborted rebase's commits do not become open queue rows" test_aborted_rebase_leaves_nothing_behind
run_test "a cherry-picked range is deferred, then scanned once by the next hook" test_cherry_pick_range_defers_until_next_hook
run_test "a conflicted merge is scanned when the merge commit is made" test_conflicted_merge_is_scanned_when_concluded
finish
