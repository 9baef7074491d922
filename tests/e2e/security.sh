#!/bin/bash
# Security: a cloned or checked-out repository runs nothing of its own; external commands get a scrubbed
# environment, a timeout and file names as arguments (never a shell); no fix can write outside the
# repository (crafted tree paths, symlinked directories, fix templates, fixers); the loop writes only
# side branches; pre-push never pushes a side branch unless push_side_branches says so.
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

MARKS=

# A tracked .autoloop.yml (on a branch of someone else's) whose every command leaves a mark in $MARKS.
malicious_config() {
  cat <<EOF
test_command: "touch '$MARKS/test_command'"
notify_command: "touch '$MARKS/notify_command'"
fixers:
  - name: llm
    command: [/bin/sh, -c, "touch '$MARKS/fixer'", sh]
autonomous_loop: {scan_interval: 0, debounce: 0, max_improvements_per_cycle: 10, safety_level: medium}
safety_settings: {require_tests: false}
rules: {directory: .autoloop/rules}
EOF
}

marks() { ls -A "$MARKS" | tr '\n' ' '; }

test_malicious_config_on_a_branch() {
  MARKS=$E2E_TEST_DIR/marks
  mkdir -p "$MARKS"
  # The attacker's repository: a branch with the config, a repo rule and a finding.
  new_repo upstream
  echo readme >README
  printf 'test_command: "true"\n' >.autoloop.yml
  commit_all "base"
  git checkout -q -b evil
  malicious_config >.autoloop.yml
  mkdir -p .autoloop/rules/python
  printf 'id: evil/all-calls\nlanguage: python\ncategory: code_quality\nseverity: info\nsafety: suggest\nmessage: "call"\nquery: "(call) @match"\n' \
    >.autoloop/rules/python/evil.yml
  py evil.py
  commit_all "evil config"
  git checkout -q main
  cd ..
  # The user clones it, installs, trusts main's (harmless) config, then checks the branch out and works on it.
  clone_upstream
  expect_rc 0 git autoloop trust
  git checkout -q evil
  py mine.py mine
  git add mine.py
  timed_commit -m "my work on the branch"
  wait_for_scan
  flock -w 60 "$(autoloop_dir)/drain.lock" true
  expect_rc 0 git autoloop drain --now --foreground
  expect_rc 0 git autoloop improve "do anything" mine.py --fixer llm
  expect_rc 0 git autoloop drain --now --foreground
  expect_rc 0 git autoloop review --list
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "not trusted" "status on the branch"
  run_cmd git autoloop doctor
  run_cmd git autoloop report
  git init -q --bare "$E2E_TEST_DIR/remote.git"
  expect_rc 0 git push -q "$E2E_TEST_DIR/remote.git" evil
  assert_eq "" "$(marks)" "commands of the untrusted .autoloop.yml that ran"
  # The fixes that were made were not tested, and the repo rule (data, not code) did its harmless work.
  local c
  for c in $(side_commits evil); do
    assert_not_contains "$(git log -1 --format='%(trailers:key=Autoloop-Validated,valueonly)' "$c")" "tests" "Autoloop-Validated of $c"
  done
  check_case --fsck
  figure untrusted_commands_blocked 3

  # The control: once the user trusts this very file, the same commands do run (so the test can fail).
  expect_rc 0 git autoloop trust
  py more.py more
  git add more.py
  git commit -q -m "more"
  wait_for_scan
  flock -w 60 "$(autoloop_dir)/drain.lock" true
  expect_rc 0 git autoloop drain --now --foreground
  assert_file "$MARKS/test_command" "control: the trusted test_command's mark"
  assert_file "$MARKS/notify_command" "control: the trusted notify_command's mark"
}

test_scrubbed_environment_and_timeout() {
  local e=$E2E_TEST_DIR
  torture_repo repo "safety_level: medium" "safety_settings: {require_tests: true}
test_timeout: 2
test_command: \"env >'$e/env.txt'; echo \$\$ >'$e/test.pid'; exec sleep 60\""
  py a.py
  commit_all "one finding"
  wait_for_scan
  local t0 ms
  t0=$(date +%s%N)
  SECRET_TOKEN=hunter2 AWS_SECRET_ACCESS_KEY=abc GIT_DIR="$PWD/.git" GIT_INDEX_FILE=/tmp/x LD_PRELOAD= \
    expect_rc 6 git autoloop drain --now --foreground
  ms=$((($(date +%s%N) - t0) / 1000000))
  [ "$ms" -lt 20000 ] || fail "a drain whose tests sleep 60 s with test_timeout 2 took $ms ms"
  figure_max timeout_drain_ms "$ms"
  # The tests hang on the base already: the cycle stops there, and no fix is blamed for it.
  assert_contains "$OUT" "stopped: tests time out on the base" "the drain's reason"
  assert_eq "" "$(side_commits)" "fixes after a test timeout"
  assert_eq "0" "$(db_query "SELECT count(*) FROM attempts")" "attempts blamed for the hanging suite"
  assert_eq "open" "$(db_query "SELECT status FROM opportunities")" "the finding's status"
  # The command's whole process group was killed.
  local pid
  pid=$(cat "$e/test.pid")
  ! kill -0 "$pid" 2>/dev/null || fail "the timed-out test command (pid $pid) still runs"
  # Its environment: nothing of the caller's secrets or git's hook variables.
  local env
  env=$(cat "$e/env.txt")
  assert_not_contains "$env" "hunter2" "test_command environment"
  assert_not_contains "$env" "AWS_SECRET" "test_command environment"
  assert_not_contains "$env" "GIT_DIR=" "test_command environment"
  assert_not_contains "$env" "GIT_INDEX_FILE" "test_command environment"
  assert_not_contains "$env" "GIT_CONFIG_GLOBAL" "test_command environment"
  assert_contains "$env" "PATH=" "test_command environment"
  figure_max scrubbed_env_vars "$(grep -c '=' <<<"$env")"
  check_case --settled
}

test_fixer_gets_argv_never_a_shell() {
  local e=$E2E_TEST_DIR
  cat >"$e/fixer.sh" <<EOF
#!/bin/sh
# Records its arguments (NUL-separated) and environment, then edits each file it was given.
printf '%s\\0' "\$@" >'$e/argv'
env >'$e/fixer-env'
for f in "\$@"; do [ "\$f" = --flag ] || printf '# reviewed\\n' >>"./\$f"; done
EOF
  chmod +x "$e/fixer.sh"
  torture_repo repo "" "fixers:
  - {name: argv, command: ['$e/fixer.sh', --flag], timeout: 5}
  - {name: slow, command: [/bin/sh, -c, 'sleep 60', sh], timeout: 1}"
  local evil1='$(touch PWNED).py' evil2='; touch PWNED2 #.py' evil3='-rf --no-preserve-root.py'
  printf 'A = 1\n' >"$evil1"
  printf 'B = 1\n' >"$evil2"
  printf 'C = 1\n' >./"$evil3"
  printf 'D = 1\n' >slow.py
  commit_all "hostile names"
  wait_for_scan
  expect_rc 0 git autoloop improve --fixer argv '$(touch PWNED3); `touch PWNED4`' -- "$evil1" "$evil2" "$evil3"
  SECRET_TOKEN=hunter2 expect_rc 0 git autoloop drain --now --foreground
  assert_eq "$(printf '%s\n' --flag "$evil1" "$evil2" "$evil3" | od -c)" "$(tr '\0' '\n' <"$e/argv" | od -c)" "arguments the fixer got"
  assert_not_contains "$(cat "$e/fixer-env")" "hunter2" "fixer environment"
  assert_eq "" "$(find "$e" -name 'PWNED*')" "files a shell would have created"
  assert_eq "1" "$(side_commits | grep -c .)" "the fixer's commit"
  assert_eq "3" "$(git show --format= --name-only autoloop/main | grep -c .)" "files in the fixer's commit"
  # A fixer past its timeout is killed and yields nothing. (Requests queue behind a pending one: reject it first.)
  local t0 ms
  expect_rc 0 git autoloop review --reject "$(db_query "SELECT id FROM opportunities WHERE rule_id = 'improve/argv'")"
  expect_rc 0 git autoloop improve --fixer slow "never finishes" -- slow.py
  t0=$(date +%s%N)
  expect_rc 0 git autoloop drain --now --foreground
  ms=$((($(date +%s%N) - t0) / 1000000))
  [ "$ms" -lt 20000 ] || fail "a drain with a 1 s fixer timeout took $ms ms"
  assert_contains "$(db_query "SELECT coalesce(detail, '') FROM attempts ORDER BY id DESC LIMIT 1")" "timed out" "the slow fixer's attempt"
  figure hostile_argv_names 3
  check_case --settled
}

test_nothing_written_outside() {
  torture_repo
  # 1. A crafted tree (git fsck calls it hasDotdot) holding ../escape.py with a finding.
  local blob inner tree commit
  blob=$(printf 'def f(x):\n    if x == None:\n        return 1\n' | git hash-object -w --stdin)
  inner=$(printf '100644 blob %s\tescape.py\n' "$blob" | git mktree)
  tree=$("$PYTHON" - "$inner" "$(git rev-parse HEAD^{tree})" <<'EOF'
import binascii, subprocess, sys
inner, head = sys.argv[1], sys.argv[2]
entries = []
for line in subprocess.run(["git", "ls-tree", head], capture_output=True, text=True).stdout.splitlines():
    meta, name = line.split("\t")
    mode, _, oid = meta.split()
    entries.append((name, mode, oid))
entries.append(("..", "40000", inner))
entries.sort(key=lambda e: e[0] + ("/" if e[1] == "40000" else ""))
data = b"".join(m.encode() + b" " + n.encode() + b"\0" + binascii.unhexlify(o) for n, m, o in entries)
print(subprocess.run(["git", "hash-object", "-t", "tree", "-w", "--literally", "--stdin"], input=data,
                     capture_output=True).stdout.decode().strip())
EOF
)
  commit=$(git commit-tree "$tree" -p HEAD -m "crafted")
  git update-ref refs/heads/main "$commit"
  expect_rc 0 git autoloop scan --commit HEAD
  assert_eq "[]" "$(queue_json | pyjson '[r["path"] for r in d]')" "rows for a path outside the work tree"
  py inside.py
  git add inside.py
  AUTOLOOP=0 git commit -q -m "a real finding"
  expect_rc 0 git autoloop scan --commit HEAD
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "inside.py" "$(side_files)" "files fixed next to the crafted tree"
  assert_no_file "$E2E_TEST_DIR/escape.py" "a file beside the repository"
  figure crafted_paths 1

  # 2. A fix template cannot name a path: whatever text it writes lands in the finding's file.
  mkdir -p .autoloop/rules/python
  cat >.autoloop/rules/python/trav.yml <<'EOF'
id: local/traverse
language: python
category: code_quality
severity: info
safety: safe
message: "rewrite"
query: |
  ((identifier) @id (#eq? @id "travme")) @match
fix:
  - replace: "@match"
    with: "open('../../../outside.py', 'w')"
EOF
  printf 'travme\n' >trav.py
  git add -A
  AUTOLOOP=0 git commit -q -m "a rule whose fix text names another path"
  expect_rc 0 git autoloop trust # a repository rule fixes only once trusted (e2e/hostile_rules)
  expect_rc 0 git autoloop scan --commit HEAD
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$(side_files)" "trav.py" "the template fix"
  assert_eq "inside.py
trav.py" "$(side_files)" "files fixed"
  assert_no_file "$E2E_TEST_DIR/outside.py" "the path the template names"
  check_case

  # 3. A symlinked directory in the work tree: accepting a fix must not write through it.
  git autoloop drain --now --foreground >/dev/null
  mkdir -p "$E2E_TEST_DIR/elsewhere"
  mkdir -p pkg
  py pkg/mod.py
  git add pkg/mod.py
  git commit -q -m "pkg"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  local id
  id=$(queue_json | pyjson '[r["id"] for r in d if r["path"] == "pkg/mod.py"][0]')
  cp -L pkg/mod.py "$E2E_TEST_DIR/elsewhere/mod.py"
  mv pkg pkg.real
  ln -s "$E2E_TEST_DIR/elsewhere" pkg
  local before head
  before=$(sha1sum "$E2E_TEST_DIR/elsewhere/mod.py")
  head=$(git rev-parse HEAD)
  run_cmd git autoloop review --accept "$id"
  assert_contains "$OUT$ERR" "symlink" "accept through a symlinked directory"
  assert_eq "$before" "$(sha1sum "$E2E_TEST_DIR/elsewhere/mod.py")" "the file outside the repository"
  assert_eq "$head" "$(git rev-parse HEAD)" "HEAD after the refused accept"
  rm pkg
  mv pkg.real pkg
  expect_rc 0 git autoloop review --accept "$id"
  assert_contains "$(cat pkg/mod.py)" "if x is None:" "accepted once the directory is real again"
  figure symlinked_dir_writes_refused 1
  check_case # no --fsck: the crafted tree above is one git fsck rightly warns about
}

test_only_side_branches_are_written() {
  torture_repo
  git branch keep
  git tag -a -m t v1
  py a.py
  py b.py
  py c.py
  commit_all "three findings"
  wait_for_scan
  local refs_before
  refs_before=$(git for-each-ref --format='%(refname) %(objectname)' | grep -v -e '^refs/heads/autoloop/' -e '^refs/heads/main ')
  drain_settled
  local ids
  ids=($(queue_json | pyjson '" ".join(str(r["id"]) for r in sorted(d, key=lambda r: r["id"]))'))
  expect_rc 0 git autoloop review --reject "${ids[0]}"
  expect_rc 0 git autoloop review --accept "${ids[1]}"
  echo more >>README
  commit_all "main moves"
  wait_for_scan
  drain_settled
  git checkout -q -b topic
  py t.py
  commit_all "topic"
  wait_for_scan
  drain_settled
  git checkout -q main
  assert_eq "$refs_before" "$(git for-each-ref --format='%(refname) %(objectname)' | grep -v -e '^refs/heads/autoloop/' -e '^refs/heads/main ' -e '^refs/heads/topic ')" \
    "refs the loop may not write"
  assert_eq "refs/heads/autoloop/main
refs/heads/autoloop/topic" "$(git for-each-ref --format='%(refname)' refs/heads/autoloop/)" "side branches"

  # A side_branch_prefix that names someone's branch: the loop refuses to overwrite it.
  git branch wip/main keep
  local wip
  wip=$(git rev-parse wip/main)
  run_cmd git autoloop -c side_branch_prefix=wip/ drain --now --foreground
  assert_ne "0" "$RC" "drain onto an existing foreign branch"
  assert_contains "$ERR" "wip/main exists and was not made by git-autoloop" "drain error"
  assert_eq "$wip" "$(git rev-parse wip/main)" "the foreign branch"
  # The same from a tracked .autoloop.yml (no trust needed to set a prefix): refused too.
  printf 'side_branch_prefix: "wip/"\n' >.autoloop.yml
  run_cmd git autoloop drain --now --foreground
  assert_contains "$ERR" "refusing to overwrite" "drain error with a tracked prefix"
  assert_eq "$wip" "$(git rev-parse wip/main)" "the foreign branch"
  rm .autoloop.yml
  figure foreign_branch_overwrites_refused 2
  check_case --fsck
}

test_pre_push_never_pushes_side_branches() {
  torture_repo
  git init -q --bare "$E2E_TEST_DIR/remote.git"
  local remote=$E2E_TEST_DIR/remote.git
  git remote add origin "$remote"
  py a.py
  commit_all "a finding"
  wait_for_scan
  drain_settled
  [ -n "$(side_ref)" ] || fail "test setup: no side branch"
  local how
  for how in "--all" "--mirror" "origin autoloop/main" "origin main:autoloop/main" "origin autoloop/main:refs/heads/shared"; do
    if [ "$how" = "--all" ] || [ "$how" = "--mirror" ]; then run_cmd git push "$how" origin; else run_cmd git push $how; fi
    assert_eq "1" "$RC" "exit status of git push $how"
    assert_contains "$ERR" "push refused" "stderr of git push $how"
    assert_eq "" "$(git --git-dir="$remote" for-each-ref --format='%(refname)' | grep -e autoloop -e shared || true)" "side refs on the remote after git push $how"
    figure side_pushes_refused
  done
  expect_rc 0 git push -q origin main
  # Stopped, or with a malformed configuration: still refused.
  expect_rc 0 git autoloop stop
  run_cmd git push origin autoloop/main
  assert_eq "1" "$RC" "push of the side branch while stopped"
  expect_rc 0 git autoloop resume
  printf 'bogus_key: 1\n' >.autoloop.yml
  run_cmd git push origin autoloop/main
  assert_eq "1" "$RC" "push of the side branch with a malformed config"
  rm .autoloop.yml
  figure side_pushes_refused 2
  # Configured: it goes through; deleting it on the remote is always allowed.
  local_config "" "push_side_branches: true"
  expect_rc 0 git push -q origin autoloop/main
  assert_eq "$(side_ref)" "$(remote_ref "$remote" refs/heads/autoloop/main)" "pushed side branch once configured"
  local_config ""
  expect_rc 0 git push -q origin :autoloop/main
  assert_eq "" "$(remote_ref "$remote" refs/heads/autoloop/main)" "deleted remote side branch"
}

run_test "a malicious .autoloop.yml on a checked-out branch runs nothing (until trusted)" test_malicious_config_on_a_branch
run_test "test_command: scrubbed environment, timeout kills the process group" test_scrubbed_environment_and_timeout
run_test "fixers get file names as arguments, never a shell; their timeout holds" test_fixer_gets_argv_never_a_shell
run_test "no fix writes outside the repository (crafted tree, template text, symlinked directory)" test_nothing_written_outside
run_test "only side branches are written; a foreign branch under the prefix is refused" test_only_side_branches_are_written
run_test "pre-push refuses side branches (--all, --mirror, refspecs) unless push_side_branches" test_pre_push_never_pushes_side_branches
print_figures
finish
