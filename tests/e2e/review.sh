#!/bin/bash
# git autoloop review (docs/ARCHITECTURE.md §1): accept turns a fix on autoloop/<branch> into a real commit on the branch
# (fix author, the user as committer, that one file only, re-derived from its rule when the branch moved),
# refuses when that file has uncommitted changes; reject is forever and rebuilds the side branch without it;
# --accept-all; and the interactive mode on a terminal (keys a/r/s/q), driven through a pseudo-terminal.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# py NAME [OP]: a Python file with one python/compare-to-none finding on line 2.
py() { printf 'def %s(x):\n    if x %s None:\n        return 1\n    return 2\n' "${1%.py}" "${2:-==}" >"$1"; }

# review_repo FILES...: a repository whose drain made one fix per FILE (each created with py), hooks installed.
review_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains
  local f
  for f in "$@"; do py "$f"; done
  commit_all "findings"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "$#" "$(side_commits | grep -c .)" "fixes waiting for review"
}

# id_of PATH: the opportunity id of the (single) finding in PATH.
id_of() { db_query "SELECT id FROM opportunities WHERE path = '$1'"; }

# side_commit_of ID: the commit on autoloop/main carrying Autoloop-Opportunity: ID.
side_commit_of() {
  local c
  for c in $(side_commits); do
    if [ "$(git log -1 --format='%(trailers:key=Autoloop-Opportunity,valueonly)' "$c" | head -1)" = "$1" ]; then
      echo "$c"
      return
    fi
  done
}

test_accept() {
  # "The user" is whoever git would record: here user.name / user.email (no GIT_COMMITTER_* override).
  unset GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
  review_repo a.py b.py c.py
  local id fix head before_others
  id=$(id_of a.py)
  fix=$(side_commit_of "$id")
  [ -n "$fix" ] || fail "no fix for a.py on the side branch"
  head=$(git rev-parse HEAD)
  # Unrelated local work that accept must leave alone.
  echo "local edit" >>README
  echo "scratch" >notes.txt
  printf 'def b(x):\n    if x == None:\n        return 1\n    return 2\n# wip\n' >b.py
  git add b.py
  echo "# more wip" >>b.py
  before_others=$(git diff-files -p -- README b.py; git diff-index --cached -p HEAD -- README b.py; sha1sum notes.txt README b.py)

  expect_rc 0 git autoloop review --accept "$id"
  assert_contains "$OUT" "accepted #$id"
  assert_eq "$head" "$(git rev-parse HEAD^)" "parent of the accepted commit"
  assert_eq "refs/heads/main" "$(git symbolic-ref HEAD)" "HEAD still on main"
  assert_eq "$(git log -1 --format=%B "$fix")" "$(git log -1 --format=%B HEAD)" "message of the accepted commit (subject, body, trailers)"
  assert_eq "$(git log -1 --format='%an <%ae>' "$fix")" "$(git log -1 --format='%an <%ae>' HEAD)" "author of the accepted commit"
  local me
  me=$(git var GIT_COMMITTER_IDENT | sed 's/ [0-9]* [-+][0-9]*$//')
  assert_eq "E2E User <user@e2e.invalid>" "$me" "git's committer identity in this test"
  assert_eq "$me" "$(git log -1 --format='%cn <%ce>' HEAD)" "committer of the accepted commit"
  assert_eq "a.py" "$(git diff-tree --no-commit-id --name-only -r HEAD)" "files changed by the accepted commit"
  assert_eq "$(git rev-parse "$fix:a.py")" "$(git rev-parse HEAD:a.py)" "a.py in the accepted commit vs the fix"
  assert_contains "$(cat a.py)" "if x is None:" "a.py in the work tree"
  git diff --quiet -- a.py || fail "a.py differs between the work tree and the index"
  git diff --cached --quiet -- a.py || fail "a.py differs between the index and HEAD"
  assert_eq "$before_others" "$(git diff-files -p -- README b.py; git diff-index --cached -p HEAD -- README b.py; sha1sum notes.txt README b.py)" "other local changes"
  assert_eq "accepted" "$(opportunity_status "$id")" "status of the accepted fix"
  assert_eq "accepted" "$(db_query "SELECT verdict FROM verdicts WHERE opportunity_id = $id")" "verdict"

  # The side branch is rebuilt on the new HEAD without it; review --list no longer offers it.
  git merge-base --is-ancestor HEAD autoloop/main || fail "the side branch is not on top of the new HEAD"
  assert_eq "$(printf '%s\n%s' "$(id_of b.py)" "$(id_of c.py)")" "$(side_opportunities)" "fixes still waiting"
  assert_eq "[$(id_of b.py), $(id_of c.py)]" "$(git autoloop review --list --format json | pyjson 'sorted(f["id"] for f in d)')" "review --list"
  local c
  for c in $(side_commits); do assert_fix_commit "$c"; done
}

test_accept_committer_from_environment() {
  # Like git, the committer is GIT_COMMITTER_NAME / GIT_COMMITTER_EMAIL when they are set (lib.sh sets them).
  review_repo a.py
  local me
  me=$(git var GIT_COMMITTER_IDENT | sed 's/ [0-9]* [-+][0-9]*$//')
  assert_eq "E2E Committer <committer@e2e.invalid>" "$me" "git's committer identity in this test"
  expect_rc 0 git autoloop review --accept "$(id_of a.py)"
  assert_eq "$me" "$(git log -1 --format='%cn <%ce>' HEAD)" "committer of the accepted commit (git var GIT_COMMITTER_IDENT)"
}

test_reject() {
  review_repo a.py b.py c.py
  local id before head
  id=$(id_of b.py)
  head=$(git rev-parse HEAD)
  before=$(snapshot)
  expect_rc 0 git autoloop review --reject "$id" --reason "we compare to None on purpose"
  assert_eq "$before" "$(snapshot)" "work tree, index, HEAD and other refs after reject"
  assert_eq "rejected" "$(opportunity_status "$id")" "status of the rejected fix"
  assert_eq "rejected	we compare to None on purpose" "$(db_query "SELECT verdict, reason FROM verdicts WHERE opportunity_id = $id")" "verdict"
  assert_eq "$(printf '%s\n%s' "$(id_of a.py)" "$(id_of c.py)")" "$(side_opportunities)" "side branch rebuilt without the rejected fix"
  local c
  for c in $(side_commits); do
    assert_fix_commit "$c"
    assert_ne "b.py" "$(git show --format= --name-only "$c")" "file of a fix left on the side branch"
  done

  # A rescan of the same commit does not reopen it...
  expect_rc 0 git autoloop scan --commit HEAD
  assert_eq "rejected" "$(opportunity_status "$id")" "status after a rescan"
  assert_eq "0" "$(db_query "SELECT count(*) FROM opportunities WHERE path = 'b.py' AND status != 'rejected'")" "other rows for b.py after a rescan"
  # ...nor does a later commit that moves the finding, nor the next drains.
  printf 'import os\n\n\ndef b(x):\n    if x == None:\n        return 1\n    return 2\n' >b.py
  commit_all "move the finding"
  wait_for_scan
  expect_rc 0 git autoloop scan --commit HEAD
  assert_eq "rejected" "$(opportunity_status "$id")" "status after the finding moved"
  assert_eq "0" "$(db_query "SELECT count(*) FROM opportunities WHERE path = 'b.py' AND status != 'rejected'")" "other rows for b.py after the finding moved"
  expect_rc 0 git autoloop drain --now --foreground
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "$(printf '%s\n%s' "$(id_of a.py)" "$(id_of c.py)")" "$(side_opportunities)" "side branch after two more drains"
  assert_eq "$head" "$(git rev-parse HEAD~1)" "HEAD (only the user's commit was added)"
}

test_accept_all() {
  review_repo a.py b.py c.py
  local head before_ids
  head=$(git rev-parse HEAD)
  before_ids=$(side_opportunities)
  expect_rc 0 git autoloop review --accept-all
  assert_eq "3" "$(git rev-list --count "$head..HEAD")" "commits added to main"
  local c ids=""
  for c in $(git rev-list --reverse "$head..HEAD"); do
    assert_fix_commit "$c"
    ids="$ids$(git log -1 --format='%(trailers:key=Autoloop-Opportunity,valueonly)' "$c" | head -1)
"
  done
  assert_eq "$before_ids" "$(printf '%s' "$ids" | sort -n)" "opportunities accepted onto main"
  assert_eq "accepted accepted accepted" "$(db_query "SELECT status FROM opportunities ORDER BY id" | tr '\n' ' ' | sed 's/ $//')" "statuses"
  assert_eq "" "$(side_commits)" "fixes left on the side branch"
  assert_eq "" "$(git status --porcelain)" "git status after accept-all"
  local f
  for f in a.py b.py c.py; do assert_contains "$(cat $f)" "if x is None:" "$f"; done
  expect_rc 0 git autoloop review --list
  assert_contains "$OUT" "0 fixes waiting for review"
}

# drive_review KEY...: runs `git autoloop review` on a pseudo-terminal; for each KEY waits for the prompt and
# types it (one key, no Enter); "r:TEXT" types r, waits for the reason prompt and answers TEXT + Enter.
# The session's output goes to review.out; exits with the command's status.
drive_review() {
  "$PYTHON" - "$@" >"$E2E_TEST_DIR/review.out" <<'EOF'
import os, pty, select, sys, time

pid, fd = pty.fork()
if pid == 0:
    os.execvp("git", ["git", "autoloop", "review"])
buf = b""
seen = b""

def read_until(token, timeout=30):
    global buf, seen
    deadline = time.time() + timeout
    while token not in buf:
        left = deadline - time.time()
        ready = select.select([fd], [], [], max(0, left))[0] if left > 0 else []
        chunk = b""
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                pass
        if not chunk:
            sys.stdout.write((seen + buf).decode(errors="replace"))
            sys.exit("review: no %r (%s)" % (token, "timeout" if not ready else "EOF"))
        buf += chunk
    i = buf.index(token) + len(token)
    seen += buf[:i]
    buf = buf[i:]

for key in sys.argv[1:]:
    read_until(b"[q]uit? ")
    if key.startswith("r:"):
        os.write(fd, b"r")
        read_until(b"Enter to skip): ")
        os.write(fd, key[2:].encode() + b"\n")
    else:
        os.write(fd, key.encode())
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    buf += chunk
sys.stdout.write((seen + buf).decode(errors="replace"))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
EOF
}

test_interactive() {
  review_repo a.py b.py c.py d.py
  local order head
  order=$(git autoloop review --list --format json | pyjson '" ".join(str(f["id"]) for f in d)')
  head=$(git rev-parse HEAD)
  local first second third fourth
  read -r first second third fourth <<<"$order"
  [ -n "$fourth" ] || fail "review --list offers fewer than four fixes: $order"

  drive_review a "r:not our style" s q || fail "interactive review failed: $(cat "$E2E_TEST_DIR/review.out")"
  local out
  out=$(cat "$E2E_TEST_DIR/review.out")
  assert_contains "$out" "(1/4)"
  assert_contains "$out" "(4/4)"
  assert_contains "$out" "accepted #$first"
  assert_contains "$out" "rejected #$second (not our style)"
  assert_contains "$out" "1 accepted, 1 rejected, 1 skipped"

  assert_eq "accepted" "$(opportunity_status "$first")" "status of the fix accepted with 'a'"
  assert_eq "rejected	not our style" "$(db_query "SELECT verdict, reason FROM verdicts WHERE opportunity_id = $second")" "verdict of the fix rejected with 'r'"
  assert_eq "applied" "$(opportunity_status "$third")" "status of the fix skipped with 's'"
  assert_eq "applied" "$(opportunity_status "$fourth")" "status of the fix left by 'q'"
  assert_eq "1" "$(git rev-list --count "$head..HEAD")" "commits added to main"
  assert_eq "$first" "$(git log -1 --format='%(trailers:key=Autoloop-Opportunity,valueonly)' HEAD | head -1)" "the accepted commit"
  assert_eq "$(printf '%s\n%s' "$third" "$fourth" | sort -n)" "$(side_opportunities)" "fixes still waiting"
  git merge-base --is-ancestor HEAD autoloop/main || fail "the side branch is not on top of the new HEAD"
  assert_eq "" "$(git status --porcelain)" "git status after the interactive review"
}

test_accept_after_branch_moved() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains
  printf 'def f(x):\n    if x == None:\n        return 1\n    return 2\n\n\ndef g():\n    return 3\n' >a.py
  commit_all "finding"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  local id fix
  id=$(id_of a.py)
  fix=$(side_commit_of "$id")
  [ -n "$fix" ] || fail "no fix for a.py"

  # The user rewrites a.py around the finding: lines added above it, the next line changed, g() changed.
  # The fix commit no longer applies as a patch; it has to be derived again from its rule.
  printf '"""Module doc."""\nimport os\n\n\ndef f(x):\n    if x == None:\n        return os.sep\n    return 2\n\n\ndef g():\n    return 33\n' >a.py
  commit_all "user edit of a.py"
  wait_for_scan
  local moved
  moved=$(git rev-parse HEAD)
  git show "$fix" | git apply --check 2>/dev/null && fail "the fix still applies as a patch: the test does not force a re-derivation"

  expect_rc 0 git autoloop review --accept "$id"
  assert_eq "$moved" "$(git rev-parse HEAD^)" "parent of the accepted commit"
  assert_eq '"""Module doc."""
import os


def f(x):
    if x is None:
        return os.sep
    return 2


def g():
    return 33' "$(git show HEAD:a.py)" "a.py after accepting onto the moved branch"
  assert_eq "a.py" "$(git diff-tree --no-commit-id --name-only -r HEAD)" "files changed"
  assert_fix_commit HEAD
  assert_eq "$id" "$(git log -1 --format='%(trailers:key=Autoloop-Opportunity,valueonly)' HEAD | head -1)" "opportunity of the accepted commit"
  assert_eq "$(git show HEAD:a.py)" "$(cat a.py)" "a.py in the work tree"
  assert_eq "" "$(git status --porcelain)" "git status"
  assert_eq "accepted" "$(opportunity_status "$id")" "status"
}

test_accept_refuses_dirty_file() {
  review_repo a.py b.py
  local id before side
  id=$(id_of a.py)
  side=$(side_ref)

  # An unstaged change to the file the fix touches.
  echo "# my unsaved work" >>a.py
  before=$(snapshot)
  expect_rc 1 git autoloop review --accept "$id"
  assert_contains "$OUT$ERR" "has uncommitted changes"
  assert_eq "$before" "$(snapshot)" "work tree, index and HEAD after the refused accept"
  assert_contains "$(cat a.py)" "# my unsaved work"
  assert_eq "applied" "$(opportunity_status "$id")" "status after the refused accept"
  assert_eq "$side" "$(side_ref)" "side branch after the refused accept"

  # A staged change refuses too.
  git add a.py
  before=$(snapshot)
  expect_rc 1 git autoloop review --accept "$id"
  assert_contains "$OUT$ERR" "has uncommitted changes"
  assert_eq "$before" "$(snapshot)" "work tree, index and HEAD after the refused accept (staged)"
  assert_eq "applied" "$(opportunity_status "$id")" "status after the refused accept (staged)"

  # With the change gone, the same accept goes through.
  git reset -q -- a.py
  git checkout -q -- a.py
  expect_rc 0 git autoloop review --accept "$id"
  assert_eq "accepted" "$(opportunity_status "$id")" "status once a.py is clean"
  assert_eq "a.py" "$(git diff-tree --no-commit-id --name-only -r HEAD)" "files changed"
}

test_revert_of_accepted_fix_is_recorded() {
  review_repo a.py
  local id
  id=$(id_of a.py)
  expect_rc 0 git autoloop review --accept "$id"
  local accepted
  accepted=$(git rev-parse HEAD)
  expect_rc 0 git revert --no-edit "$accepted"
  wait_for_scan
  assert_eq "reverted" "$(db_query "SELECT status FROM opportunities WHERE id = $id")" "status after git revert"
  assert_eq "1" "$(db_query "SELECT count(*) FROM verdicts WHERE opportunity_id = $id AND verdict = 'reverted'")" "revert verdict"
  # The finding is back in the code, but a reverted fix is never proposed again.
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "" "$(side_commits)" "side branch after the revert"
}

test_interrupted_accept_is_finished() {
  review_repo a.py b.py
  local id head fixed
  id=$(id_of a.py)
  head=$(git rev-parse HEAD)
  fixed=$(git show "$(side_commit_of "$id"):a.py")
  # Killed right after the branch moved: the file still holds its old version, no verdict yet.
  AUTOLOOP_FAULT=accept-after-ref git autoloop review --accept "$id" >/dev/null 2>&1 && fail "the fault point did not fire"
  assert_eq "$head" "$(git rev-parse HEAD^)" "the branch moved by the fix commit"
  assert_contains "$(cat a.py)" "x == None" "a.py right after the kill"
  assert_eq "applied" "$(opportunity_status "$id")" "status right after the kill"
  # The accept still holds git's index lock (the new index is in it): a commit of the user's cannot take
  # the old index and silently revert the fix. The new content waits in the loop's own directory.
  assert_file .git/index.lock "git's index lock right after the kill"
  run_cmd git commit -q --allow-empty -m "while the accept is unfinished"
  assert_ne "0" "$RC" "a commit while the interrupted accept holds the index lock"
  assert_eq "1" "$(ls -A "$(autoloop_dir)/accept" | grep -c .)" "temporary files of the accept"
  # A drain (in the background, never touching the work tree) records the verdict...
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "accepted" "$(opportunity_status "$id")" "status after the drain"
  assert_contains "$(cat a.py)" "x == None" "a.py after the drain"
  # ... and the next review brings the file and the index, once, and only that file (and removes its
  # temporary file and the lock).
  run_cmd git autoloop review --list
  assert_contains "$OUT" "finished the interrupted accept of #$id" "review output"
  assert_contains "$OUT" "wrote a.py" "review output"
  assert_eq "$fixed" "$(cat a.py)" "a.py after the review"
  assert_eq "" "$(git status --porcelain=v1 --untracked-files=all)" "git status"
  assert_eq "1" "$(db_query "SELECT count(*) FROM verdicts WHERE opportunity_id = $id")" "verdicts recorded"
  assert_no_file .git/index.lock "git's index lock after the review"
  assert_eq "" "$(ls -A "$(autoloop_dir)/accept")" "temporary files after the review"
  run_cmd git autoloop review --list
  assert_not_contains "$OUT" "interrupted" "a second review"

  # Killed after the file was written but before the verdict: the next review records it; a user's edit
  # made in between is never overwritten.
  id=$(id_of b.py)
  AUTOLOOP_FAULT=accept-after-files git autoloop review --accept "$id" >/dev/null 2>&1 && fail "the fault point did not fire"
  assert_contains "$(cat b.py)" "x is None" "b.py after the second kill"
  echo "# mine" >>b.py
  run_cmd git autoloop review --list
  assert_eq "accepted" "$(opportunity_status "$id")" "status after the review"
  assert_contains "$(cat b.py)" "# mine" "the user's edit"
}

test_accept_killed_before_the_branch_moved() {
  review_repo a.py
  local id head before
  id=$(id_of a.py)
  head=$(git rev-parse HEAD)
  before=$(snapshot)
  # Killed with everything prepared (new content in a temporary file, the new index in git's index lock)
  # but the branch not moved: the next review takes it all back; the accept can simply be done again.
  AUTOLOOP_FAULT=accept-after-lock git autoloop review --accept "$id" >/dev/null 2>&1 && fail "the fault point did not fire"
  assert_eq "$head" "$(git rev-parse HEAD)" "HEAD right after the kill"
  assert_file .git/index.lock "the accept's index lock right after the kill"
  expect_rc 0 git autoloop review --list
  assert_no_file .git/index.lock "git's index lock after the review"
  assert_eq "" "$(ls -A "$(autoloop_dir)/accept")" "temporary files after the review"
  assert_eq "$before" "$(snapshot)" "work tree, index, HEAD and refs after the review"
  assert_eq "applied" "$(opportunity_status "$id")" "status after the review"
  expect_rc 0 git autoloop review --accept "$id"
  assert_eq "accepted" "$(opportunity_status "$id")" "status after accepting again"
  assert_eq "" "$(git status --porcelain)" "git status"
}

run_test "accept: a real commit on the branch, fix author, user committer, one file, side branch rebuilt" test_accept
run_test "accept: the committer honours GIT_COMMITTER_NAME/EMAIL like git" test_accept_committer_from_environment
run_test "reject: recorded with its reason, side branch rebuilt without it, never reopened" test_reject
run_test "accept-all: every pending fix becomes a commit on the branch" test_accept_all
run_test "interactive review on a terminal: a, r + reason, s, q" test_interactive
run_test "accept after the branch moved: the fix is derived again and applied" test_accept_after_branch_moved
run_test "accept refuses when the touched file has uncommitted changes and loses nothing" test_accept_refuses_dirty_file
run_test "a later git revert of an accepted fix is recorded, and the fix is not proposed again" test_revert_of_accepted_fix_is_recorded
run_test "an accept killed before the branch moved is taken back by the next review" test_accept_killed_before_the_branch_moved
run_test "an accept killed after the branch moved is finished by the next drain (verdict) and review (file)" test_interrupted_accept_is_finished
finish
