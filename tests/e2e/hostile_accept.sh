#!/bin/bash
# Hostile accept: `review --accept` keeps everything that is the user's (the file's permission bits on disk,
# an uncommitted chmod, a staged mode change, a mode committed after the fix was made), takes git's index lock
# the way git does and refuses with nothing changed when another process holds it, and handles names at the
# file system's length limit (accepted in full, or refused before anything moves when the file system cannot
# hold the name); `resolve` never merges over a hand edit of a conflicted file unless --force.
# Every case compares the user's HEAD, index, work tree and modes before and after.
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

# accept_repo FILES...: a repository whose drain made one fix per FILE (each with py), drains by hand.
accept_repo() {
  torture_repo
  local f
  for f in "$@"; do py "$f"; done
  commit_all "findings"
  wait_for_scan
  drain_settled
  assert_eq "$#" "$(side_commits | grep -c .)" "fixes waiting for review"
}

# id_of PATH: the opportunity id of the (single) finding in PATH.
id_of() { db_query "SELECT id FROM opportunities WHERE path = '$1'"; }

# user_view: what the user sees of HEAD, the index (modes, blobs, stages), the work tree's files (bytes and
# permission bits) and the index file itself.
user_view() {
  echo "HEAD $(git rev-parse HEAD) $(git symbolic-ref -q HEAD)"
  git ls-files -s
  echo "index $(sha1sum <"$(git rev-parse --git-path index)")"
  find . -path ./.git -prune -o -type f -printf '%p %m %s\n' | LC_ALL=C sort
  find . -path ./.git -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha1sum
}

# assert_accepted ID PATH: the accept went through: PATH is fixed in HEAD, in the index and on disk.
assert_accepted() {
  assert_eq "accepted" "$(opportunity_status "$1")" "status of #$1"
  assert_eq "$1" "$(git log -1 --format='%(trailers:key=Autoloop-Opportunity,valueonly)' HEAD | head -1)" "opportunity of HEAD"
  # cat-file: `git show REV:PATH` stats PATH first, which fails for a name at the length limit.
  assert_contains "$(git cat-file blob "HEAD:$2")" "if x is None:" "$2 in HEAD"
  assert_eq "$(git rev-parse "HEAD:$2")" "$(git ls-files -s -- "$2" | cut -d' ' -f2)" "blob of $2 in the index"
  assert_eq "$(git cat-file blob "HEAD:$2")" "$(cat "$2")" "$2 on disk"
}

test_uncommitted_chmod_kept() {
  accept_repo a.py
  local id
  id=$(id_of a.py)
  # The user made the file executable and did not commit that: the file's bytes are HEAD's, its mode is not.
  chmod 755 a.py
  expect_rc 0 git autoloop review --accept "$id"
  assert_accepted "$id" a.py
  assert_eq "755" "$(stat -c %a a.py)" "permission bits of a.py after the accept"
  assert_eq "100644" "$(git ls-tree HEAD a.py | cut -d' ' -f1)" "mode of a.py in the accepted commit (the committed one)"
  assert_eq "old mode 100644
new mode 100755" "$(git diff -- a.py | sed -n '2,3p')" "the uncommitted chmod, still a change in the work tree"
  assert_eq "" "$(git diff --cached --name-only)" "staged changes"
  figure attacks_held
}

test_private_file_stays_private() {
  accept_repo a.py
  chmod 600 a.py
  expect_rc 0 git autoloop review --accept "$(id_of a.py)"
  assert_accepted "$(id_of a.py)" a.py
  assert_eq "600" "$(stat -c %a a.py)" "permission bits of a 0600 file after the accept"
  assert_eq "" "$(git status --porcelain)" "git status"
  figure attacks_held
}

test_staged_mode_change_kept() {
  accept_repo a.py
  local id
  id=$(id_of a.py)
  chmod 755 a.py
  git update-index --chmod=+x a.py
  assert_eq "100755" "$(git ls-files -s a.py | cut -d' ' -f1)" "staged mode before the accept"
  expect_rc 0 git autoloop review --accept "$id"
  assert_accepted "$id" a.py
  assert_eq "100755" "$(git ls-files -s a.py | cut -d' ' -f1)" "staged mode after the accept"
  assert_eq "100644" "$(git ls-tree HEAD a.py | cut -d' ' -f1)" "mode in the accepted commit"
  assert_eq "old mode 100644
new mode 100755" "$(git diff --cached -- a.py | sed -n '2,3p')" "the staged mode change"
  assert_eq "3" "$(git diff --cached -- a.py | grep -c .)" "lines of the staged diff (a mode change only)"
  assert_eq "755" "$(stat -c %a a.py)" "permission bits on disk"
  figure attacks_held
}

test_committed_mode_change_survives() {
  accept_repo a.py
  local id fix
  id=$(id_of a.py)
  fix=$(side_commits | head -1)
  # After the fix was made, the user commits a mode change of the same file.
  chmod 755 a.py
  git add a.py
  timed_commit -m "a.py is a script"
  wait_for_scan
  assert_eq "100644" "$(git ls-tree "$fix" a.py | cut -d' ' -f1)" "mode in the fix on the side branch"
  expect_rc 0 git autoloop review --accept "$id"
  assert_accepted "$id" a.py
  assert_eq "100755" "$(git ls-tree HEAD a.py | cut -d' ' -f1)" "mode in the accepted commit"
  assert_eq "" "$(git diff HEAD~1 HEAD --summary)" "mode changes made by the accepted commit"
  assert_eq "755" "$(stat -c %a a.py)" "permission bits on disk"
  assert_eq "" "$(git status --porcelain)" "git status"
  figure attacks_held
}

test_index_lock_held() {
  accept_repo a.py
  local id before side
  id=$(id_of a.py)
  side=$(side_ref)
  chmod 640 a.py
  # Another git process holds the index (here: its lock file, as git leaves it while it works).
  printf 'held by someone else' >.git/index.lock
  before=$(user_view)
  run_cmd git autoloop review --accept "$id"
  assert_ne "0" "$RC" "exit status of an accept while .git/index.lock is held"
  assert_contains "$OUT$ERR" "another git process holds" "the refusal"
  assert_not_contains "$OUT$ERR" "accepted #" "the refusal"
  assert_eq "$before" "$(user_view)" "HEAD, index, files and modes after the refused accept"
  assert_eq "held by someone else" "$(cat .git/index.lock)" "the other process's lock"
  assert_eq "applied" "$(opportunity_status "$id")" "status after the refusal"
  assert_eq "$side" "$(side_ref)" "side branch after the refusal"
  assert_eq "" "$(ls -A "$(autoloop_dir)/accept" 2>/dev/null)" "temporary files left"
  [ -z "$(find .git -maxdepth 1 -name 'index.autoloop-*')" ] || fail "a scratch index was left in .git"
  # Once the other process is done, the accept goes through; what git commits next keeps the fix.
  rm .git/index.lock
  expect_rc 0 git autoloop review --accept "$id"
  assert_accepted "$id" a.py
  assert_eq "640" "$(stat -c %a a.py)" "permission bits on disk"
  echo "notes" >notes.txt
  git add notes.txt
  git commit -q -m "the user's next commit"
  assert_contains "$(git show HEAD:a.py)" "if x is None:" "a.py in the user's next commit"
  figure attacks_held
}

test_name_at_the_length_limit() {
  local long
  long=$(printf 'n%.0s' $(seq 1 252)).py
  assert_eq "255" "${#long}" "length of the file name"
  accept_repo "$long" b.py
  local id
  id=$(id_of "$long")
  [ -n "$id" ] || fail "no finding in the 255-byte file"
  # Accepted in full (the temporary copy never carries the name), or refused with nothing changed.
  local before
  before=$(user_view)
  run_cmd git autoloop review --accept "$id"
  if [ "$RC" = 0 ]; then
    assert_accepted "$id" "$long"
    assert_eq "" "$(git status --porcelain)" "git status after accepting the 255-byte name"
  else
    assert_eq "$before" "$(user_view)" "user state after a refused accept of the 255-byte name"
  fi
  # Later reviews still work.
  expect_rc 0 git autoloop review --list
  expect_rc 0 git autoloop review --accept "$(id_of b.py)"
  assert_accepted "$(id_of b.py)" b.py
  assert_eq "" "$(git status --porcelain)" "git status after the later accept"
  figure attacks_held
}

test_name_beyond_the_limit() {
  accept_repo b.py
  # A tree from a clone may name a file the file system cannot hold (a 300-byte component): git records it,
  # the work tree never has it. A fix to it must be refused before anything moves.
  local long blob fix side id c
  long=$(printf 'x%.0s' $(seq 1 297)).py
  blob=$(printf 'def f(x):\n    if x == None:\n        return 1\n    return 2\n' | git hash-object -w --stdin)
  git update-index --add --cacheinfo "100644,$blob,$long"
  AUTOLOOP=0 git commit -q -m "a name no file system here holds"
  expect_rc 0 git autoloop scan --commit HEAD
  id=$(id_of "$long")
  [ -n "$id" ] || fail "no finding in the 300-byte file"
  drain_settled
  fix=""
  for c in $(side_commits); do
    [ "$(git log -1 --format='%(trailers:key=Autoloop-Opportunity,valueonly)' "$c" | head -1)" = "$id" ] && fix=$c
  done
  [ -n "$fix" ] || fail "the drain made no fix for the 300-byte name"
  local before
  side=$(side_ref)
  before=$(user_view)
  run_cmd git autoloop review --accept "$id"
  assert_ne "0" "$RC" "exit status of an accept of a name longer than NAME_MAX"
  assert_contains "$OUT$ERR" "more than the file system allows" "the refusal"
  assert_eq "$before" "$(user_view)" "HEAD, index, files and modes after the refusal"
  assert_eq "$side" "$(side_ref)" "side branch after the refusal"
  # Later reviews still work.
  expect_rc 0 git autoloop review --list
  expect_rc 0 git autoloop review --accept "$(id_of b.py)"
  assert_accepted "$(id_of b.py)" b.py
  figure attacks_held
}

test_killed_accept_lock_removed_by_hand() {
  accept_repo a.py
  local id head
  id=$(id_of a.py)
  head=$(git rev-parse HEAD)
  chmod 600 a.py
  # Killed after the branch moved: git's index lock still holds the new index. The user follows git's
  # advice and removes the lock by hand; the next review still brings the index and the file up to the fix.
  AUTOLOOP_FAULT=accept-after-ref git autoloop review --accept "$id" >/dev/null 2>&1 && fail "the fault point did not fire"
  assert_eq "$head" "$(git rev-parse HEAD^)" "the branch moved by the fix commit"
  assert_file .git/index.lock "the accept's index lock after the kill"
  rm .git/index.lock
  expect_rc 0 git autoloop review --list
  assert_contains "$OUT" "finished the interrupted accept of #$id" "review output"
  assert_accepted "$id" a.py
  assert_eq "600" "$(stat -c %a a.py)" "permission bits of a.py"
  assert_eq "" "$(git status --porcelain --untracked-files=all)" "git status"
  assert_eq "" "$(ls -A "$(autoloop_dir)/accept")" "temporary files left"
  figure attacks_held
}

# conflict_repo: a merge of `theirs` into main that leaves two files conflicted, each with two conflicts
# that a line merge cannot resolve and the syntax-aware merge can (both sides add a different function
# at the same place).
conflict_repo() {
  new_repo
  local f
  for f in c1.py c2.py; do printf 'def a():\n    return 1\n\n\ndef b():\n    return 2\n' >$f; done
  commit_all "base"
  git checkout -q -b theirs
  for f in c1.py c2.py; do
    printf 'def a():\n    return 1\n\n\ndef a3():\n    return 30\n\n\ndef b():\n    return 2\n\n\ndef b3():\n    return 31\n' >$f
  done
  commit_all "theirs"
  git checkout -q main
  for f in c1.py c2.py; do
    printf 'def a():\n    return 1\n\n\ndef a2():\n    return 20\n\n\ndef b():\n    return 2\n\n\ndef b2():\n    return 21\n' >$f
  done
  commit_all "ours"
  run_cmd git merge theirs
  assert_ne "0" "$RC" "the merge (it must conflict)"
  assert_eq "2" "$(grep -c '^<<<<<<< ' c1.py)" "conflicts in c1.py"
}

test_resolve_leaves_hand_edits() {
  conflict_repo
  # The user resolves the first conflict of c1.py by hand and leaves the second.
  "$PYTHON" - <<'EOF'
text = open("c1.py").read()
start = text.index("<<<<<<< ")
end = text.index(">>>>>>> ", start)
end = text.index("\n", end) + 1
open("c1.py", "w").write(text[:start] + "def a2():\n    return 20\n\n\ndef a3():\n    return 30\n" + text[end:])
EOF
  assert_eq "1" "$(grep -c '^<<<<<<< ' c1.py)" "conflicts left in c1.py by the user"
  local mine
  mine=$(sha1sum c1.py)
  run_cmd git autoloop resolve
  assert_ne "0" "$RC" "exit status of resolve with a hand-edited file"
  assert_contains "$OUT$ERR" "c1.py: the work-tree file was edited since the conflict" "resolve's report"
  assert_eq "$mine" "$(sha1sum c1.py)" "the half-resolved c1.py"
  assert_contains "$(git ls-files -u -- c1.py)" " 2	c1.py" "c1.py still unmerged in the index"
  # The untouched file is merged (the control: resolve does work here).
  assert_contains "$OUT" "resolved   c2.py" "resolve's report"
  assert_eq "0" "$(grep -c '^<<<<<<< ' c2.py)" "conflicts left in c2.py"
  # --force merges over the hand edit.
  expect_rc 0 git autoloop resolve --force c1.py
  assert_contains "$OUT" "resolved   c1.py" "resolve --force"
  assert_eq "0" "$(grep -c '^<<<<<<< ' c1.py)" "conflicts left in c1.py after --force"
  assert_eq "" "$(git ls-files -u)" "unmerged paths"
  figure attacks_held
}

run_test "accept keeps an uncommitted chmod +x of the fixed file (and commits the branch's mode)" test_uncommitted_chmod_kept
run_test "accept keeps a 0600 file 0600" test_private_file_stays_private
run_test "accept keeps a staged mode change in the index" test_staged_mode_change_kept
run_test "accept keeps a mode change the user committed after the fix was made" test_committed_mode_change_survives
run_test "accept with .git/index.lock held: refused, exit non-zero, nothing changed" test_index_lock_held
run_test "accept of a 255-byte file name: done in full, later reviews work" test_name_at_the_length_limit
run_test "accept of a name longer than NAME_MAX (from a crafted tree): refused before anything moves" test_name_beyond_the_limit
run_test "an accept killed after the branch moved, its index lock removed by hand: the next review finishes it" test_killed_accept_lock_removed_by_hand
run_test "resolve leaves a half-resolved file alone without --force, merges it with --force" test_resolve_leaves_hand_edits
print_figures
finish
