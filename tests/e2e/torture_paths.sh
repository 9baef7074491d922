#!/bin/bash
# Torture: what a commit can hold. Odd names (spaces, unicode, leading dashes, newlines, quotes), CRLF,
# binary and 50 MiB files, symlinks, executable bits, deletes and renames, empty and root commits, a
# 1,000-file commit, non-UTF-8 content. Each case: the hooks exit 0 quickly, nothing of the user's is
# touched (snapshot), the queue and the side branch pass tests/e2e/invariants.py.
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

# scan_untouched: waits for the background scan; the snapshot taken right after the commit must hold after it.
scan_untouched() {
  local before
  before=$(snapshot)
  wait_for_scan 60
  assert_eq "$before" "$(snapshot)" "snapshot around the background scan"
}

# drain_untouched [ARGS]: a drain changes nothing of the user's, and leaves the settled invariants.
drain_untouched() {
  local before
  before=$(snapshot)
  drain_settled "$@"
  assert_eq "$before" "$(snapshot)" "snapshot around the drain"
}

test_odd_names() {
  torture_repo
  local names=("with space/a b.py" "ünïcødé/código.py" "-rf.py" "--help.py" $'new\nline.py' "it's \"quoted\".py"
    "star*and?.py" "back\\slash.py" " leading space.py")
  local n
  for n in "${names[@]}"; do
    mkdir -p "$(dirname -- "$n")"
    py "./$n"
  done
  git add -A
  timed_commit -m "odd names"
  scan_untouched
  assert_hooks_fast
  # Each name is queued exactly as it is in the tree.
  local queued expected
  queued=$(queue_json | "$PYTHON" -c 'import json,sys; print("\n".join(sorted(r["path"] for r in json.load(sys.stdin))))' | od -c)
  expected=$(printf '%s\0' "${names[@]}" | "$PYTHON" -c 'import sys; print("\n".join(sorted(sys.stdin.read().split("\0")[:-1])))' | od -c)
  [ "$(printf '%s\n' "${names[@]}" | wc -l)" -gt 0 ]
  assert_eq "$(printf '%s\0' "${names[@]}" | "$PYTHON" -c 'import sys; print(len(sys.stdin.read().split("\0")) - 1)')" \
    "$(queue_json | pyjson 'len(d)')" "queue rows"
  assert_eq "$expected" "$queued" "queued paths (od -c)"
  drain_untouched --max 20
  assert_eq "${#names[@]}" "$(side_commits | grep -c .)" "fix commits for the odd names"
  local c
  for c in $(side_commits); do assert_fix_commit "$c"; done
  assert_eq "$expected" "$(for c in $(side_commits); do git diff-tree --no-commit-id -r -z --name-only "$c"; done | "$PYTHON" -c 'import sys; print("\n".join(sorted(p for p in sys.stdin.read().split("\0") if p)))' | od -c)" \
    "files of the fix commits"
  # Accepting the fixes of the newline and leading-dash names changes exactly those files.
  local id path
  for path in $'new\nline.py' "-rf.py"; do
    id=$(queue_json | P="$path" pyjson '[r["id"] for r in d if r["path"] == __import__("os").environ["P"]][0]')
    local before_status
    before_status=$(git status --porcelain=v1 -z | od -c)
    expect_rc 0 git autoloop review --accept "$id"
    assert_eq "$before_status" "$(git status --porcelain=v1 -z | od -c)" "git status after accepting #$id (clean before, clean after)"
    assert_contains "$(cat -- "$path")" "if x is None:" "accepted $path on disk"
    assert_eq "$path" "$(git -c core.quotePath=false show --format= --name-only -z HEAD | tr -d '\0')" "file of the accepted commit"
  done
  figure accepted 2
  check_case --fsck
  figure odd_names "${#names[@]}"
}

test_crlf_binary_big() {
  torture_repo
  printf 'def crlf(x):\r\n    if x == None:\r\n        return 1\r\n    return 2\r\n' >crlf.py
  printf 'def bin(x):\n    if x == None:\n        return 1\n\0\1\2\3\n' >binary.py
  head -c 4096 /dev/urandom >random.dat
  # 50 MiB of Python with a finding on every line: far above scan.max_file_size.
  "$PYTHON" -c 'import sys; sys.stdout.write("if big == None: pass\n" * (50 * 1024 * 1024 // 21))' >big.py
  git add -A
  timed_commit -m "crlf, binary, 50 MiB"
  scan_untouched
  assert_hooks_fast
  assert_eq "crlf.py" "$(queue_json | pyjson '" ".join(sorted(r["path"] for r in d))')" "queued paths (binary and big files are skipped)"
  drain_untouched
  assert_eq "crlf.py" "$(side_files)" "fixed files"
  # The fix keeps CRLF on every line.
  local fixed
  fixed=$(git show autoloop/main:crlf.py | od -c)
  assert_contains "$(git show autoloop/main:crlf.py)" "if x is None:" "fixed crlf.py"
  assert_eq "4" "$(git show autoloop/main:crlf.py | grep -c $'\r$')" "CRLF lines in the fixed file"
  assert_eq "0" "$(git show autoloop/main:crlf.py | grep -vc $'\r$' || true)" "LF-only lines in the fixed file"
  [ -n "$fixed" ]
  figure big_file_mib 50
}

test_symlinks_and_exec_bits() {
  torture_repo
  py target.py
  ln -s target.py link.py
  # A symlink whose target text is itself "code with a finding": never parsed or rewritten.
  ln -s 'if x == None: pass' weird.py
  # A symlinked directory and an absolute link out of the repository.
  mkdir real
  py real/inner.py
  ln -s real linked_dir
  ln -s /etc/hostname abs_link.py
  py tool.py
  chmod 755 tool.py
  git add -A
  timed_commit -m "symlinks and an executable"
  scan_untouched
  assert_eq "real/inner.py target.py tool.py" "$(queue_json | pyjson '" ".join(sorted(r["path"] for r in d))')" "queued paths (links are not source)"
  drain_untouched
  assert_eq "real/inner.py
target.py
tool.py" "$(side_files)" "fixed files"
  assert_eq "100755" "$(git ls-tree autoloop/main tool.py | cut -d' ' -f1)" "mode of the fixed executable"
  assert_eq "120000" "$(git ls-tree autoloop/main weird.py | cut -d' ' -f1)" "the weird symlink is still a symlink"
  assert_eq "if x == None: pass" "$(git cat-file blob autoloop/main:weird.py)" "the weird symlink's target"
  # Accepting keeps the executable bit in the work tree and the index.
  local id
  id=$(queue_json | pyjson '[r["id"] for r in d if r["path"] == "tool.py"][0]')
  expect_rc 0 git autoloop review --accept "$id"
  [ -x tool.py ] || fail "tool.py lost its executable bit"
  assert_eq "100755" "$(git ls-files -s tool.py | cut -d' ' -f1)" "index mode of tool.py"
  assert_eq "" "$(git status --porcelain)" "status after the accept"
  assert_eq "/etc/hostname" "$(readlink abs_link.py)" "the absolute link"
  check_case --fsck
}

test_deletes_renames_empty_and_root() {
  new_repo
  git config gc.autoDetach false
  install_autoloop --no-config-file
  local_config
  # The root commit itself holds findings.
  py root.py
  py moved.py
  py doomed.py
  git add -A
  timed_commit -m "root commit"
  scan_untouched
  # No cycle ran yet, so the worker drains right after this first scan: wait for it.
  flock -w 60 "$(autoloop_dir)/drain.lock" true
  assert_eq "doomed.py moved.py root.py" "$(queue_json | pyjson '" ".join(sorted(r["path"] for r in d))')" "rows of the root commit"
  drain_untouched
  assert_eq "3" "$(side_commits | grep -c .)" "fixes on the root commit's side branch"
  # Rename one file, delete another, in one commit.
  git mv moved.py renamed.py
  git rm -q doomed.py
  timed_commit -m "rename and delete"
  scan_untouched
  assert_eq "[]" "$(queue_json | pyjson '[r["path"] for r in d if r["status"] == "open" and r["path"] in ("doomed.py", "moved.py")]')" "open rows of deleted or renamed-away paths"
  assert_contains "$(queue_json | pyjson '" ".join(sorted(r["path"] for r in d if r["status"] == "open"))')" "renamed.py" "rows after the rename"
  # An empty commit: hooks run, nothing changes.
  local rows
  rows=$(queue_rows)
  timed_commit --allow-empty -m "empty"
  scan_untouched
  assert_eq "$rows" "$(queue_rows)" "queue after an empty commit"
  drain_untouched
  assert_eq "renamed.py
root.py" "$(side_files)" "fixed files after the rename and the delete"
  assert_hooks_fast
}

test_thousand_files() {
  torture_repo
  local i
  mkdir -p many
  for i in $(seq 1 1000); do
    if [ $((i % 10)) = 0 ]; then py "many/f$i.py"; else printf 'V%d = %d\n' "$i" "$i" >"many/f$i.py"; fi
  done
  git add -A
  timed_commit -m "1,000 files"
  figure max_files_in_a_commit 1000
  scan_untouched
  assert_hooks_fast
  assert_eq "100" "$(queue_json | pyjson 'len([r for r in d if r["status"] == "open"])')" "open rows of the 1,000-file commit"
  assert_eq "1000" "$(db_query "SELECT files FROM scanned_commits WHERE commit_id = '$(git rev-parse HEAD)'")" "files scanned"
  drain_untouched
  assert_eq "5" "$(side_commits | grep -c .)" "fixes (max_improvements_per_cycle)"
}

test_non_utf8() {
  torture_repo
  # Latin-1 bytes in a comment and a string, a finding in between; and a file that is not text at all.
  printf '# caf\xe9\ndef latin(x):\n    s = "\xff\xfe"\n    if x == None:\n        return s\n    return 2\n' >latin.py
  printf '\xc3\x28\xa0\xa1 == None\n' >broken.js
  git add -A
  timed_commit -m "non-UTF-8"
  scan_untouched
  drain_untouched
  # Whatever was fixed, the bytes around the fix are the same.
  local f
  for f in $(side_files); do
    case $f in
    latin.py)
      assert_eq "$(git show main:latin.py | sed 's/x == None/x is None/' | od -c)" "$(git show autoloop/main:latin.py | od -c)" "fixed latin.py, byte for byte"
      ;;
    *) fail "unexpected fix of $f" ;;
    esac
  done
  figure non_utf8_files 2
}

run_test "odd names (space, unicode, dashes, newline, quotes, globs): queued, fixed, accepted as they are" test_odd_names
run_test "CRLF kept by fixes; binary and 50 MiB files skipped" test_crlf_binary_big
run_test "symlinks never scanned or rewritten; executable bits kept" test_symlinks_and_exec_bits
run_test "root commit, rename, delete and empty commits" test_deletes_renames_empty_and_root
run_test "a commit of 1,000 files" test_thousand_files
run_test "non-UTF-8 content: scanned without harm, bytes kept" test_non_utf8
print_figures
finish
