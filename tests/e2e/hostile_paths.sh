#!/bin/bash
# Hostile paths and ref names: a configuration value that names a ref or a path (side_branch_prefix above
# all, from a tracked .autoloop.yml, -c or the environment) never makes the loop delete or write anything
# outside .git/autoloop/ and refs/heads/<prefix>; a symlink in refs/heads is never followed; nothing is
# cleaned up while the loop is stopped. Each case keeps files outside the repository (Cargo.lock, x.lock:
# what the old stale-ref-lock cleanup deleted) and checks they are all still there, byte for byte.
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

# tree_state DIR: every entry below DIR (type, mode, size) and every file's hash; changes when anything
# is deleted, added or rewritten.
tree_state() {
  (
    cd "$1"
    find . -printf '%p %y %m %s\n' | LC_ALL=C sort
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha1sum
  )
}

# outside_files DIR: lock files a stale-ref-lock cleanup gone astray would take, in DIR (a sibling of the
# repository, outside it).
outside_files() {
  mkdir -p "$1/proj/target" "$1/checkout/.git/refs/heads" "$1/deep/a/b"
  printf '[[package]]\nname = "serde"\n' >"$1/proj/Cargo.lock"
  printf 'yarn\n' >"$1/proj/yarn.lock"
  printf 'x\n' >"$1/checkout/x.lock"
  printf 'ref lock of another checkout\n' >"$1/checkout/.git/refs/heads/main.lock"
  printf 'deep\n' >"$1/deep/a/b/c.lock"
  printf 'not a lock\n' >"$1/deep/a/b/keep.txt"
}

# wait_for_workers: the background workers of this repository (scan, then drain when due) have exited.
wait_for_workers() {
  local git_dir deadline=$((SECONDS + 60))
  git_dir=$(git rev-parse --absolute-git-dir)
  while pgrep -f -- "worker --git-dir $git_dir" >/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "a background worker of $git_dir still runs after 60 s"
    sleep 0.1
  done
}

# hostile_clone PREFIX: an upstream repository whose tracked .autoloop.yml sets side_branch_prefix to
# PREFIX (and drains at once), with a tracked Cargo.lock and a finding; cloned to ./repo with the hooks
# installed and nothing trusted; the current directory is the clone.
hostile_clone() {
  new_repo upstream
  printf 'side_branch_prefix: "%s"\nautonomous_loop: {debounce: 0, scan_interval: 0}\nsafety_settings: {require_tests: false}\n' \
    "$1" >.autoloop.yml
  printf '[[package]]\nname = "tracked"\n' >Cargo.lock
  py a.py
  commit_all "upstream"
  cd ..
  clone_upstream
}

# one_commit_and_drains: an ordinary commit through the hooks (its worker scans and drains in the
# background), then a foreground drain and status: both must name the bad value.
one_commit_and_drains() {
  py mine.py mine
  git add mine.py
  timed_commit -m "an ordinary commit"
  wait_for_workers
  run_cmd git autoloop drain --now --foreground
  DRAIN_RC=$RC DRAIN_ERR=$ERR
  run_cmd git autoloop status
  STATUS_OUT=$OUT
  figure drains_tried
}

# assert_config_refused WHAT: the drain above failed with a clear side_branch_prefix error; status shows it.
assert_config_refused() {
  assert_ne 0 "$DRAIN_RC" "exit status of drain with $1"
  assert_contains "$DRAIN_ERR" "invalid side_branch_prefix" "drain's stderr with $1"
  assert_contains "$STATUS_OUT" "invalid side_branch_prefix" "status with $1"
}

test_tracked_prefix_climbing_out() {
  local e=$E2E_TEST_DIR before before_repo
  outside_files "$e/outside"
  hostile_clone "../../../../"
  # From .git/refs/heads, ../../../../ is $e: the clone, upstream and outside/ all lie below it.
  before=$(tree_state "$e/outside")
  before_repo=$(snapshot)
  one_commit_and_drains
  assert_eq "$before" "$(tree_state "$e/outside")" "files outside the repository"
  assert_eq "[[package]]
name = \"tracked\"" "$(cat Cargo.lock)" "the clone's tracked Cargo.lock"
  assert_file "$e/upstream/Cargo.lock" "upstream's Cargo.lock"
  assert_config_refused "a tracked ../../../../"
  assert_contains "$DRAIN_ERR" ".autoloop.yml:1:21:" "the error's file:line:column"
  # The next hook shows the background failure once, on the terminal.
  printf 'more\n' >>mine.py
  git add mine.py
  run_cmd git commit -q -m "another"
  assert_eq 0 "$RC" "a commit with a refused config"
  assert_contains "$ERR" "side_branch_prefix" "what the next commit's hook shows"
  wait_for_workers
  assert_eq "$before" "$(tree_state "$e/outside")" "files outside the repository after a second commit"
  assert_eq "" "$(git for-each-ref --format='%(refname)' refs/heads | grep -v '^refs/heads/main$' || true)" "refs written"
  figure attacks_held
}

test_other_tracked_spellings() {
  local e=$E2E_TEST_DIR prefix before n=0
  outside_files "$e/outside"
  before=$(tree_state "$e/outside")
  # From caseN/repo/.git/refs/heads, five ".." reach $e.
  for prefix in "$e/outside/" "../../../../../outside/" "./../../../../../" "autoloop/../../../../../../"; do
    n=$((n + 1))
    mkdir "$e/case$n"
    cd "$e/case$n"
    hostile_clone "$prefix"
    one_commit_and_drains
    assert_eq "$before" "$(tree_state "$e/outside")" "files outside the repository with side_branch_prefix $prefix"
    assert_file Cargo.lock "the clone's tracked Cargo.lock with side_branch_prefix $prefix"
    assert_config_refused "side_branch_prefix $prefix"
    figure attacks_held
  done
}

test_prefix_from_command_line_and_environment() {
  local e=$E2E_TEST_DIR before
  outside_files "$e/outside"
  hostile_clone "autoloop/"
  before=$(tree_state "$e/outside")
  # -c, for one command.
  run_cmd git autoloop -c 'side_branch_prefix=../../../../' drain --now --foreground
  assert_eq "$before" "$(tree_state "$e/outside")" "files outside the repository after drain -c"
  assert_ne 0 "$RC" "drain -c side_branch_prefix=../../../../"
  assert_contains "$ERR" "-c side_branch_prefix=../../../../: invalid side_branch_prefix" "drain's stderr"
  # The environment, inherited by the hooks' background worker too.
  py mine.py mine
  git add mine.py
  AUTOLOOP_SIDE_BRANCH_PREFIX=../../../../ timed_commit -m "with the variable set"
  wait_for_workers
  AUTOLOOP_SIDE_BRANCH_PREFIX=../../../../ run_cmd git autoloop drain --now --foreground
  assert_ne 0 "$RC" "drain with AUTOLOOP_SIDE_BRANCH_PREFIX=../../../../"
  assert_contains "$ERR" "environment variable AUTOLOOP_SIDE_BRANCH_PREFIX: invalid side_branch_prefix" "drain's stderr"
  AUTOLOOP_SIDE_BRANCH_PREFIX="$e/outside/" run_cmd git autoloop drain --now --foreground
  assert_ne 0 "$RC" "drain with an absolute AUTOLOOP_SIDE_BRANCH_PREFIX"
  assert_eq "$before" "$(tree_state "$e/outside")" "files outside the repository"
  assert_file Cargo.lock "the clone's tracked Cargo.lock"
  # The control: the same repository drains normally without them (so the refusals above are the prefix's).
  printf 'more\n' >>mine.py
  git add mine.py
  timed_commit -m "without the variable"
  wait_for_workers
  expect_rc 0 git autoloop drain --now --foreground
  assert_ne "" "$(side_ref)" "autoloop/main after a drain with the tracked prefix"
  figure attacks_held 3
}

test_symlinked_side_branch_directory() {
  local e=$E2E_TEST_DIR before
  outside_files "$e/outside"
  hostile_clone "autoloop/"
  ln -s "$e/outside/checkout" .git/refs/heads/autoloop
  before=$(tree_state "$e/outside")
  one_commit_and_drains
  assert_eq "$before" "$(tree_state "$e/outside")" "files outside the repository (refs/heads/autoloop -> outside)"
  assert_ne 0 "$DRAIN_RC" "drain through a symlinked refs/heads/autoloop"
  assert_contains "$DRAIN_ERR" "symlink" "drain's stderr"
  [ -L .git/refs/heads/autoloop ] || fail "the symlink .git/refs/heads/autoloop was removed"
  figure attacks_held
}

test_nothing_cleaned_while_stopped() {
  local e=$E2E_TEST_DIR lock worktrees
  hostile_clone "autoloop/"
  wait_for_workers
  expect_rc 0 git autoloop stop
  # What a killed drain could leave: a stale side-ref lock and a private worktree directory.
  lock=.git/refs/heads/autoloop/main.lock
  worktrees=$(autoloop_dir)/worktrees/test-1-0123456789ab
  mkdir -p "$(dirname "$lock")" "$worktrees"
  printf 'stale\n' >"$lock"
  printf 'kept\n' >"$worktrees/file"
  run_cmd git autoloop drain --now --foreground
  assert_file "$lock" "a stale ref lock while stopped"
  assert_file "$worktrees/file" "a private worktree while stopped"
  AUTOLOOP=0 run_cmd git autoloop drain --now --foreground
  assert_file "$lock" "a stale ref lock with AUTOLOOP=0"
  # Resumed, the next drain cleans both (the control).
  expect_rc 0 git autoloop resume
  expect_rc 0 git autoloop drain --now --foreground
  assert_no_file "$lock" "the stale ref lock after resume"
  assert_no_file "$worktrees" "the private worktree after resume"
  figure attacks_held
}

test_path_keys_leaving_the_work_tree() {
  local value key
  for value in "../../../../etc/hostname" "/etc/hostname"; do
    for key in "metrics: {coverage_report: $value}" "rules: {directory: $value}"; do
      rm -rf upstream repo
      new_repo upstream
      printf '%s\n' "$key" >.autoloop.yml
      commit_all "upstream"
      cd ..
      git clone -q upstream repo
      cd repo
      install_autoloop --no-config-file
      run_cmd git autoloop drain --now --foreground
      assert_ne 0 "$RC" "drain with $key"
      assert_contains "$ERR" ".autoloop.yml:1:" "drain's stderr with $key"
      assert_contains "$ERR" "work tree" "drain's stderr with $key"
      cd ..
      figure attacks_held
    done
  done
}

run_test "a tracked side_branch_prefix ../../../../ deletes nothing outside, and says why" test_tracked_prefix_climbing_out
run_test "other tracked spellings (absolute, climbing through the prefix) are refused too" test_other_tracked_spellings
run_test "the same prefix from -c and the environment is refused; the control drains" test_prefix_from_command_line_and_environment
run_test "refs/heads/autoloop a symlink to outside: nothing there deleted or written" test_symlinked_side_branch_directory
run_test "tracked rules.directory and metrics.coverage_report outside the work tree are refused" test_path_keys_leaving_the_work_tree
run_test "STOP and AUTOLOOP=0 are honoured before any cleanup" test_nothing_cleaned_while_stopped
print_figures
finish
