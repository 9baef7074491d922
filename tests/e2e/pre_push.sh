#!/bin/bash
# pre-push: every pushed commit is scanned, new findings are summed up in one line, block_push_on refuses
# a push with new findings in those categories, AUTOLOOP=0 bypasses it, and our own failures never block.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REMOTE=

repo_with_remote() {
  git init -q --bare remote.git
  REMOTE="$E2E_TEST_DIR/remote.git"
  new_repo
  git remote add origin "$REMOTE"
  if [ -n "${1:-}" ]; then printf '%s\n' "$1" >.autoloop.yml; fi
  install_autoloop
  echo base >README
  commit_all base
  wait_for_scan
  expect_rc 0 git push -q origin main
}

add_security_problem() {
  printf 'import subprocess\n\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n' >runner.py
  printf '#include <string.h>\nvoid copy(const char* s) {\n  char buf[16];\n  strcpy(buf, s);\n}\n' >copy.c
  commit_all "security problems"
}

test_summary_lists_new_findings() {
  repo_with_remote
  printf 'if a == None:\n    pass\n' >a.py
  commit_all "quality"
  add_security_problem
  wait_for_scan
  expect_rc 0 git push origin main
  assert_contains "$ERR" "git-autoloop: 3 new findings in 2 pushed commits (1 code_quality, 2 security_fixes)" "push stderr"
  assert_eq "$(git rev-parse HEAD)" "$(remote_ref "$REMOTE" refs/heads/main)" "remote main"

  # Only what is pushed counts: a commit without findings pushed on top says nothing.
  echo docs >>README
  commit_all "docs"
  expect_rc 0 git push origin main
  assert_not_contains "$ERR" "new finding" "push stderr for a clean commit"
}

test_block_push_on_security() {
  repo_with_remote "block_push_on: [security_fixes]"
  local before
  before=$(remote_ref "$REMOTE" refs/heads/main)

  # Code-quality findings do not block.
  printf 'if a == None:\n    pass\n' >a.py
  commit_all "quality only"
  expect_rc 0 git push origin main
  assert_contains "$ERR" "1 new finding in 1 pushed commit (1 code_quality)"
  before=$(remote_ref "$REMOTE" refs/heads/main)

  add_security_problem
  expect_rc 1 git push origin main
  assert_contains "$ERR" "push blocked: new security_fixes findings" "push stderr"
  assert_contains "$ERR" "AUTOLOOP=0" "push stderr names the way out"
  assert_eq "$before" "$(remote_ref "$REMOTE" refs/heads/main)" "remote main after a blocked push"

  # A new branch with the same commits is blocked too (no remote base to compare against).
  git branch topic
  expect_rc 1 git push origin topic
  assert_eq "" "$(remote_ref "$REMOTE" refs/heads/topic)" "remote topic after a blocked push"

  AUTOLOOP=0 expect_rc 0 git push origin main
  assert_not_contains "$ERR" "blocked" "push stderr with AUTOLOOP=0"
  assert_eq "$(git rev-parse HEAD)" "$(remote_ref "$REMOTE" refs/heads/main)" "remote main after AUTOLOOP=0 push"
}

test_unscanned_commits_are_scanned_before_push() {
  repo_with_remote "block_push_on: [security_fixes]"
  # Committed with the hooks off: nothing scanned them.
  printf 'import subprocess\n\n\ndef go(x):\n    subprocess.run(x, shell=True)\n' >go.py
  git add go.py
  AUTOLOOP=0 git commit -q -m "unscanned"
  assert_eq "0" "$(db_query "select count(*) from scanned_commits where commit_id = '$(git rev-parse HEAD)'")" "scanned before push"
  expect_rc 1 git push origin main
  assert_contains "$ERR" "push blocked"
  assert_eq "1" "$(db_query "select count(*) from scanned_commits where commit_id = '$(git rev-parse HEAD)'")" "scanned by pre-push"
  assert_contains "$(queue_rows)" "python/subprocess-shell-true go.py:5 open new=true" "queue after pre-push"
}

test_stop_bypasses_block() {
  repo_with_remote "block_push_on: [security_fixes]"
  add_security_problem
  wait_for_scan
  expect_rc 0 git autoloop stop
  expect_rc 0 git push origin main
  assert_eq "$(git rev-parse HEAD)" "$(remote_ref "$REMOTE" refs/heads/main)" "remote main pushed while stopped"
}

test_internal_errors_never_block() {
  repo_with_remote "block_push_on: [security_fixes]"
  add_security_problem
  wait_for_scan

  # The database is unusable (a directory where the file should be): the check cannot run, the push goes on.
  local db
  db="$(autoloop_dir)/queue.db"
  mv "$db" "$E2E_TEST_DIR/queue.db.saved"
  rm -f "$db-wal" "$db-shm"
  mkdir "$db"
  expect_rc 0 git push origin main
  assert_eq "$(git rev-parse HEAD)" "$(remote_ref "$REMOTE" refs/heads/main)" "remote main pushed despite an unusable database"
  assert_contains "$ERR" "git-autoloop" "the push tells the user something went wrong"

  # A corrupt database file (random bytes): never blocks a clean push either.
  rmdir "$db"
  head -c 8192 /dev/urandom >"$db"
  echo docs >>README
  commit_all "docs"
  wait_for_scan
  expect_rc 0 git push origin main
  assert_eq "$(git rev-parse HEAD)" "$(remote_ref "$REMOTE" refs/heads/main)" "remote main pushed with a corrupt database"

  # A malformed .autoloop.yml: the push goes on.
  printf 'block_push_on: [security_fixes]\nbogus: 1\n' >.autoloop.yml
  add_security_problem_again() {
    printf 'import subprocess\n\n\ndef again(c):\n    subprocess.call(c, shell=True)\n' >again.py
    git add again.py
    git commit -q -m "again"
  }
  add_security_problem_again
  expect_rc 0 git push origin main
  assert_eq "$(git rev-parse HEAD)" "$(remote_ref "$REMOTE" refs/heads/main)" "remote main pushed with a malformed config"
}

test_chained_pre_push_and_deletes() {
  repo_with_remote "block_push_on: [security_fixes]"
  # Deleting a remote branch pushes no commits: never blocked.
  git push -q origin main:doomed
  add_security_problem
  wait_for_scan
  expect_rc 0 git push origin :doomed
  assert_eq "" "$(remote_ref "$REMOTE" refs/heads/doomed)" "deleted remote branch"
}

run_test "a push prints one summary line of the new findings it carries" test_summary_lists_new_findings
run_test "block_push_on: [security_fixes] blocks; AUTOLOOP=0 gets through" test_block_push_on_security
run_test "commits no hook scanned are scanned by pre-push (and can block)" test_unscanned_commits_are_scanned_before_push
run_test "git autoloop stop also lifts the push block" test_stop_bypasses_block
run_test "internal errors (unusable or corrupt database, bad config) never block a push" test_internal_errors_never_block
run_test "deleting a remote branch is never blocked" test_chained_pre_push_and_deletes
finish
