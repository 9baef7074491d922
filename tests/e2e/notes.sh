#!/bin/bash
# Scan results shared through git (`git autoloop notes`, `ci --export-notes`, refs/notes/autoloop): a
# repository scans and exports, a clone fetches the notes and runs `ci --base` without parsing anything,
# with the same findings as a cold run; a teammate imports them into the blob cache; the work tree, index,
# HEAD and other notes refs are never touched; hostile notes are bounded and refused with a reason.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# history: a repository with a base commit and two commits on top that add and change Python files with
# findings (eval, == None, a weak hash).
history() {
  new_repo "$1"
  mkdir -p src
  printf 'import os\n\ndef load(text):\n    return eval(text)\n' >src/app.py
  printf 'def helper(x):\n    return x\n' >src/util.py
  git add -A
  git commit -q -m base
  printf 'import hashlib\n\ndef digest(data):\n    return hashlib.md5(data).hexdigest()\n' >src/crypto.py
  git add -A
  git commit -q -m crypto
  printf 'def helper(x):\n    if x == None:\n        return 0\n    return x\n' >src/util.py
  printf 'def more(code):\n    exec(code)\n' >>src/app.py
  git add -A
  git commit -q -m "more"
}

# parsed_line: the line `ci` prints on stderr about the notes ref (reused and parsed versions).
parsed_line() { grep 'refs/notes/autoloop: ' <<<"$ERR" | head -1; }

test_clone_reuses_the_exported_scans() {
  history origin
  # A's cold run: every version parsed; then written to the notes ref.
  expect_rc 1 git autoloop ci --base HEAD~2 --format json --export-notes
  local cold=$OUT
  assert_contains "$ERR" "refs/notes/autoloop: 0 file versions reused, 5 parsed"
  assert_contains "$ERR" "refs/notes/autoloop: 5 notes written"
  # git reads them: one note per blob, on the blob.
  assert_eq "5" "$(git notes --ref=autoloop list | wc -l)" "notes on the blobs"
  assert_contains "$(git notes --ref=autoloop show HEAD:src/crypto.py)" "autoloop-scan 1 "

  cd ..
  git clone -q origin clone
  cd clone
  # Without the notes: all parsed, and ci says nothing about notes.
  expect_rc 1 git autoloop ci --base HEAD~2 --format json
  assert_eq "$cold" "$OUT" "findings of a cold run in the clone"
  assert_not_contains "$ERR" "refs/notes/autoloop"
  git fetch -q origin refs/notes/autoloop:refs/notes/autoloop
  local before
  before=$(snapshot)
  expect_rc 1 git autoloop ci --base HEAD~2 --format json
  assert_eq "refs/notes/autoloop: 5 file versions reused, 0 parsed" "$(parsed_line)" "the clone's run"
  assert_eq "$cold" "$OUT" "findings with the notes"
  assert_eq "$before" "$(snapshot)" "HEAD, index, work tree and refs after ci"
  assert_no_file .git/autoloop/queue.db "queue database"
  # Text output and SARIF agree too; ci.import_notes=false parses again.
  expect_rc 1 git autoloop ci --base HEAD~2
  assert_contains "$OUT" "3 new findings in 3 changed files (3 scanned)"
  expect_rc 1 git autoloop -c ci.import_notes=false ci --base HEAD~2 --format json
  assert_eq "$cold" "$OUT" "findings with import off"
  assert_not_contains "$ERR" "reused"
  # A range the notes only partly cover parses the rest, and --export-notes adds it.
  printf 'def late(x):\n    return eval(x)\n' >src/late.py
  git add -A
  git commit -q -m late
  expect_rc 1 git autoloop ci --base HEAD~3 --export-notes
  assert_contains "$ERR" "refs/notes/autoloop: 5 file versions reused, 1 parsed"
  expect_rc 1 git autoloop ci --base HEAD~3
  assert_contains "$ERR" "refs/notes/autoloop: 6 file versions reused, 0 parsed"
}

test_teammate_imports_into_the_cache() {
  history origin
  install_autoloop
  # The worker's scans fill the blob cache: a new commit is scanned in the background.
  printf 'def again(x):\n    return eval(x)\n' >src/again.py
  commit_all again
  wait_for_scan
  expect_rc 0 git autoloop scan --all
  local before
  before=$(snapshot)
  expect_rc 0 git autoloop notes export
  assert_contains "$OUT" "refs/notes/autoloop: "
  assert_contains "$OUT" "share it: git push origin refs/notes/autoloop"
  local exported
  exported=$(git notes --ref=autoloop list | wc -l)
  [ "$exported" -ge 4 ] || fail "only $exported notes exported"
  # Only the notes ref moved: HEAD, the index, the work tree and every other ref are as they were.
  assert_eq "$before" "$(snapshot | grep -v '^refs/notes/autoloop ')" "everything but the notes ref"
  # Exporting again writes nothing new.
  local tip
  tip=$(git rev-parse refs/notes/autoloop)
  expect_rc 0 git autoloop notes export
  assert_contains "$OUT" "0 notes written, $exported unchanged"
  assert_eq "$tip" "$(git rev-parse refs/notes/autoloop)" "notes ref after a second export"

  cd ..
  git clone -q origin teammate
  cd teammate
  expect_rc 0 git autoloop notes import
  assert_contains "$OUT" "does not exist: nothing to import"
  git fetch -q origin refs/notes/autoloop:refs/notes/autoloop
  expect_rc 0 git autoloop notes import
  assert_contains "$OUT" "refs/notes/autoloop: $exported results imported, 0 already cached"
  assert_eq "$exported" "$(db_query 'SELECT count(*) FROM blob_cache')" "cached results"
  # The teammate's whole-tree scan takes every file from the cache.
  expect_rc 0 git autoloop scan --all --format json
  assert_eq "$(db_query 'SELECT count(*) FROM blob_cache')" "$exported" "no result computed again"
  expect_rc 0 git autoloop notes import
  assert_contains "$OUT" "0 results imported, $exported already cached"
}

test_other_notes_refs_are_never_touched() {
  history origin
  git notes add -m "a note of mine" HEAD
  git notes --ref=review add -m "reviewed" HEAD:src/app.py
  local mine review
  mine=$(git rev-parse refs/notes/commits)
  review=$(git rev-parse refs/notes/review)
  expect_rc 1 git autoloop ci --base HEAD~2 --export-notes
  assert_eq "$mine" "$(git rev-parse refs/notes/commits)" "refs/notes/commits"
  assert_eq "$review" "$(git rev-parse refs/notes/review)" "refs/notes/review"
  # git's own notes ref is refused by name; a ref holding someone else's note by content.
  expect_rc 2 git autoloop notes export --ref commits
  assert_contains "$ERR" "refs/notes/commits holds the notes"
  expect_rc 1 git autoloop ci --base HEAD~2 --notes-ref review --export-notes
  assert_contains "$ERR" "refs/notes/review holds a note on"
  assert_contains "$ERR" "that git-autoloop did not write"
  assert_eq "$review" "$(git rev-parse refs/notes/review)" "refs/notes/review after the refused export"
  expect_rc 2 git autoloop notes export --ref refs/heads/main
  assert_contains "$ERR" "is not a notes ref"
}

test_hostile_notes_are_bounded() {
  history origin
  local ruleset blob
  expect_rc 1 git autoloop ci --base HEAD~2 --export-notes
  blob=$(git rev-parse HEAD:src/crypto.py)
  ruleset=$(git notes --ref=autoloop show "$blob" | awk '{print $3}')
  # A forged result that hides the weak hash: its byte range lies outside the blob, so it is refused and
  # the file is parsed; the finding is still reported.
  git notes --ref=autoloop add -f -m "autoloop-scan 1 $ruleset {\"v\":4,\"language\":\"python\",\"lines\":4,\"debt\":0,\"errors\":0,\"timed_out\":false,\"findings\":[{\"rule\":\"python/eval-exec\",\"l\":[1,1],\"b\":[0,99999],\"msg\":\"x\",\"safety\":\"suggest\",\"snip\":\"\",\"h\":\"\",\"chk\":\"\",\"subj\":\"\",\"sl\":[0,0],\"caps\":[],\"ctx\":0}],\"functions\":[]}" "$blob"
  expect_rc 1 git autoloop ci --base HEAD~2
  assert_contains "$OUT" "src/crypto.py:4: warning [python/weak-hash]"
  assert_contains "$ERR" "4 file versions reused, 1 parsed, 1 notes rejected"
  # A note larger than the bound (2 MiB) is not read; a wrong version and a truncated line are ignored.
  head -c 2200000 /dev/zero | tr '\0' 'a' >big.txt
  git notes --ref=autoloop add -f -F big.txt "$blob"
  expect_rc 1 git autoloop ci --base HEAD~2
  assert_contains "$ERR" "4 file versions reused, 1 parsed, 1 notes rejected"
  git notes --ref=autoloop add -f -m "autoloop-scan 2 $ruleset {}" "$blob"
  expect_rc 1 git autoloop ci --base HEAD~2
  assert_contains "$ERR" "4 file versions reused, 1 parsed"
  git notes --ref=autoloop add -f -m "autoloop-scan 1 $ruleset {\"v\":4,\"langu" "$blob"
  expect_rc 1 git autoloop ci --base HEAD~2
  assert_contains "$ERR" "4 file versions reused, 1 parsed"
  assert_contains "$OUT" "src/crypto.py:4: warning [python/weak-hash]"
  # A notes ref that is not a commit: ci warns and parses.
  git update-ref refs/notes/autoloop "$blob"
  expect_rc 1 git autoloop ci --base HEAD~2
  assert_contains "$ERR" "refs/notes/autoloop cannot be read"
  assert_contains "$OUT" "src/crypto.py:4: warning [python/weak-hash]"
}

run_test "a clone that fetched the notes runs ci --base without parsing, same findings" test_clone_reuses_the_exported_scans
run_test "notes export and import share the blob cache with a teammate" test_teammate_imports_into_the_cache
run_test "other notes refs are never touched; git's own and foreign ones are refused" test_other_notes_refs_are_never_touched
run_test "hostile notes are bounded, checked and passed over" test_hostile_notes_are_bounded
finish
