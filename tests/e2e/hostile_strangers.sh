#!/bin/bash
# More hostile repositories: what a stranger's clone can still try once tests/e2e/hostile.sh's attacks
# hold. Same harness (tests/e2e/hostile_lib.sh): the attacker publishes, the user clones, installs, does
# NOT trust, commits once and uses the loop; `held` checks that no attacker command ran, nothing outside
# the repository changed and nothing of the user's (HEAD, index, work tree, refs, config, hooks) moved.
# The cases here go where hostile.sh does not:
#   - commands that ride along with a trusted one (test_setup and coverage_command beside the user's own
#     test_command);
#   - terminal escapes in what is printed besides findings: config errors, rule file names, notices,
#     `rules --explain`, and on the user's `git commit` through the hook;
#   - symlinks at every level of the rules directory, a `..` tree entry, file names git allows but tools
#     trip on (tab, invalid UTF-8, a leading dash);
#   - a branch the side branch cannot live beside, and a repository mid-rebase / mid-revert when the
#     loop drains and reviews;
#   - a fixed file whose parent directory becomes a symlink before the fix is accepted.
# FIGURES: attacks_tried, attacks_held, commands_run, max_rss_kb, max_command_ms.
. "$(dirname "${BASH_SOURCE[0]}")/hostile_lib.sh"

ESC=$(printf '\033')

# no_raw_escapes WHAT TEXT: TEXT (something printed) holds no ESC or BEL byte.
no_raw_escapes() {
  if grep -q "[$ESC$(printf '\007')]" <<<"$2"; then
    fail "$1 printed a raw control sequence: $(cat -v <<<"$2" | head -5)"
  fi
}

# commit_shows: the user's next commit (hooks run); its terminal output (stderr) in OUT.
commit_shows() {
  expect_rc 0 git commit -q --allow-empty -m "${1:-again}"
  OUT=$ERR
}

# ---------------------------------------------------------------------------------------------------------
# Commands that ride along

# The user trusts their own test_command (local config); the repository adds test_setup and
# coverage_command (which runs instead of test_command) and other commands. None may run before trust:
# trusting test_command's source is not trusting the tracked file.
test_commands_beside_a_local_test_command() {
  upstream
  cat >.autoloop.yml <<EOF
test_setup: "$(attacker_cmd setup)"
coverage_command: "$(attacker_cmd coverage)"
notify_command: "$(attacker_cmd notify)"
fixers: [{name: evil, command: [sh, -c, "$(attacker_cmd fixer)"]}]
generator: {fixer: evil}
EOF
  publish "commands"
  clone_as_user
  local_config "" 'test_command: "true"'
  attack
  held
  run_cmd git autoloop status
  local key
  for key in test_setup coverage_command notify_command fixers; do
    assert_contains "$OUT" "$key in .autoloop.yml is not trusted" "status"
  done
  # The fix waits, and the queue says for what.
  assert_contains "$(db_query "SELECT detail FROM attempts WHERE outcome = 'untrusted'")" "test_setup is not trusted" "attempts"
  assert_eq "" "$(side_commits)" "fix commits made with untrusted test commands"
  # Trust is what held them back: once given, the setup runs with the tests.
  expect_rc 0 git autoloop trust
  expect_rc 0 git autoloop drain --now --foreground
  assert_file "$MARKS/setup" "test_setup's mark after trust"
}

# ---------------------------------------------------------------------------------------------------------
# Terminal escapes in what is printed

# An unknown key holding OSC 52 (write the clipboard) and a screen clear: quoted by the config error that
# every command, status and the user's next `git commit` print.
test_escapes_in_a_config_error() {
  upstream
  printf 'autonomous_loop:\n  "k\033]52;c;cHduZWQ=\007\033[2Jey": 1\n' >.autoloop.yml
  publish "escape key"
  clone_as_user
  attack
  held
  commit_shows
  assert_contains "$OUT" "unknown key" "the hook's message on commit"
  no_raw_escapes "the hook on commit" "$OUT"
  local cmd
  for cmd in status config rules doctor "queue --status all" "review --list" drain; do
    run_cmd git autoloop $cmd
    no_raw_escapes "git autoloop $cmd" "$OUT$ERR"
  done
  run_cmd git autoloop status
  assert_contains "$OUT" 'unknown key '"'"'k\x1b]52' "status (the key, its control characters shown as \\xNN)"
}

# A malformed repository rule whose file name holds escapes: its id (taken from the name) and its error are
# printed by the hook, status, rules and doctor.
test_escapes_in_a_rule_file_name() {
  upstream
  mkdir -p .autoloop/rules/python
  printf 'id: [broken\n' >".autoloop/rules/python/$(printf 'r\033]0;owned\007\033[2J')x.yml"
  publish "bad rule"
  clone_as_user
  attack
  held
  commit_shows
  assert_contains "$OUT" "is off (the others ran)" "the hook's message on commit"
  no_raw_escapes "the hook on commit" "$OUT"
  local cmd
  for cmd in status rules doctor "queue --status all"; do
    run_cmd git autoloop $cmd
    no_raw_escapes "git autoloop $cmd" "$OUT$ERR"
  done
  run_cmd git autoloop rules
  assert_contains "$OUT" 'off: repo:python/r\x1b]0;owned' "rules"
}

# A new security finding in a file whose name holds escapes: the notice the next hook prints.
test_escapes_in_a_security_notice() {
  upstream
  publish "base"
  clone_as_user
  manual_drains
  printf 'import subprocess\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n' >"$(printf 'x\033]0;owned\007.py')"
  git add -A
  git commit -q -m "security finding"
  wait_for_scan
  commit_shows
  assert_contains "$OUT" "new security finding" "the hook's notice"
  no_raw_escapes "the hook's notice" "$OUT"
}

# A repository rule whose message, description and query hold escapes: `rules --explain` prints them.
test_escapes_in_rules_explain() {
  upstream
  mkdir -p .autoloop/rules/python
  printf 'id: esc\nlanguage: python\ncategory: code_quality\nseverity: info\nsafety: suggest\nmessage: "m\\e[2J"\ndescription: "d\\e]52;c;cHduZWQ=\\a"\nquery: "(call) @match ; \\e[31m"\n' \
    >.autoloop/rules/python/esc.yml
  publish "rule"
  clone_as_user
  attack
  held
  expect_rc 0 git autoloop rules --explain repo:esc
  assert_contains "$OUT" 'd\x1b]52' "rules --explain (the description, shown)"
  no_raw_escapes "rules --explain" "$OUT"
}

# ---------------------------------------------------------------------------------------------------------
# Symlinks and names in the rules directory and the tree

# .autoloop itself a symlink to a directory outside holding rules: not read, and status says why.
test_dot_autoloop_symlinked_outside() {
  upstream
  ln -s ../outside .autoloop
  publish "link"
  clone_as_user
  attack
  held
  assert_not_contains "$(queue_rules)" "outside/read" "rules in the queue"
  run_cmd git autoloop status
  assert_contains "$OUT" "the rules directory resolves to" "status"
}

# A language directory of the rules a symlink outside: not followed (its rule never loads).
test_rules_language_directory_symlinked() {
  upstream
  mkdir -p .autoloop/rules
  ln -s ../../../outside/rules/python .autoloop/rules/python
  publish "link"
  clone_as_user
  attack
  held
  assert_not_contains "$(queue_rules)" "outside/read" "rules in the queue"
  assert_contains "$(queue_rules)" "python/compare-to-none" "built-in rules still ran"
}

# One rule file a symlink to a rule outside: refused by name, with a reason status shows.
test_rule_file_symlinked_outside() {
  upstream
  mkdir -p .autoloop/rules/python
  ln -s ../../../../outside/rules/python/outside.yml .autoloop/rules/python/x.yml
  publish "link"
  clone_as_user
  attack
  held
  assert_not_contains "$(queue_rules)" "outside/read" "rules in the queue"
  run_cmd git autoloop status
  assert_contains "$OUT" "x.yml:1:1: resolves to" "status"
}

# A tree entry named `..` holding a file with a finding: nothing queued or written outside.
test_tree_entry_dot_dot() {
  upstream
  publish "base"
  local blob
  blob=$(printf 'def f(x):\n    if x == None:\n        return 1\n' | git hash-object -w --stdin)
  crafted_commit ../evil.py 100644 "$blob" "crafted"
  clone_as_user
  attack
  held
  assert_not_contains "$(db_query "SELECT path FROM opportunities")" ".." "queued paths"
  assert_no_file "$E2E_TEST_DIR/evil.py" "a file beside the repository"
}

# Names git takes and tools trip on: a tab, bytes that are not UTF-8, a directory named like an option.
# Each is queued, fixed and accepted as it is.
test_names_with_tab_invalid_utf8_and_dash() {
  upstream
  local names=($'tab\there.py' "$(printf 'latin\xe9\xff.py')" "-r/--force.py")
  local n
  for n in "${names[@]}"; do
    mkdir -p -- "$(dirname -- "$n")"
    py "$n"
  done
  publish "names"
  clone_as_user
  attack
  held
  for n in "${names[@]}"; do
    local id
    id=$(git autoloop queue --format json --status all | "$PYTHON" -c '
import json, sys
name = sys.argv[1].encode("utf-8", "surrogateescape")
for r in json.load(sys.stdin):
    if r["path"].encode("utf-8", "surrogateescape") == name or r["path"] == name.decode("utf-8", "replace"):
        if r["status"] == "applied": print(r["id"])' "$n")
    [ -n "$id" ] || fail "no pending fix for $(printf %q "$n"): $(queue_rows)"
    expect_rc 0 git autoloop review --accept "$id"
    assert_eq "$(printf 'def f(x):\n    if x is None:\n        return 1\n    return 2')" "$(cat -- "$n")" "$(printf %q "$n") after accept"
  done
  assert_eq "" "$(git status --porcelain)" "git status after the accepts"
}

# ---------------------------------------------------------------------------------------------------------
# Branches and repository states

# The upstream's default branch is named `autoloop`: autoloop/autoloop cannot exist beside it. Refused
# with that reason, in status too (the drain ran in the background); nothing else touched.
test_branch_named_like_the_side_prefix() {
  upstream
  git branch -m autoloop
  publish "x"
  clone_as_user
  # Workers the hooks start drain at once (no debounce), so that the last one has run when status is asked.
  local_config
  attack
  held
  expect_rc 6 git autoloop drain --now --foreground
  assert_contains "$ERR" "a branch named autoloop exists" "drain"
  # What the background worker leaves for status after its scan (the drain is due: none ever ran).
  AUTOLOOP_AUTONOMOUS_LOOP__DEBOUNCE=0 bounded "worker" git autoloop worker --git-dir "$(git rev-parse --absolute-git-dir)"
  run_cmd git autoloop status
  assert_contains "$OUT" "last error: drain failed: the side branch autoloop/autoloop cannot be made" "status"
}

# A rebase stopped on `edit` with fixes pending: drain and review --accept change nothing, and say why.
test_drain_and_accept_mid_rebase() {
  upstream
  py lib.py lib
  publish "base"
  printf 'one\n' >README
  publish "one"
  printf 'two\n' >README
  publish "two"
  clone_as_user
  attack
  held
  local id
  id=$(db_query "SELECT id FROM opportunities WHERE status = 'applied' ORDER BY id LIMIT 1")
  [ -n "$id" ] || fail "setup: no pending fix: $(queue_rows)"
  GIT_SEQUENCE_EDITOR="sed -i '1s/^pick/edit/'" git rebase -q -i HEAD~2 2>/dev/null
  [ -d "$(git rev-parse --git-path rebase-merge)" ] || fail "setup: the rebase did not stop"
  USER_BEFORE=$(user_state)
  bounded "drain" git autoloop drain --now --foreground
  bounded "review --accept" git autoloop review --accept "$id"
  assert_ne 0 "$RC" "review --accept exit status mid-rebase"
  assert_contains "$OUT$ERR" "rebase is in progress" "review --accept"
  held
  git rebase --continue >/dev/null 2>&1
  expect_rc 0 git autoloop review --accept "$id"
}

# A revert stopped on a conflict: review --accept refuses and touches nothing.
test_accept_mid_revert() {
  upstream
  printf 'a\n' >notes.txt
  publish "notes"
  printf 'b\n' >notes.txt
  publish "notes b"
  printf 'c\n' >notes.txt
  publish "notes c"
  clone_as_user
  attack
  held
  local id
  id=$(db_query "SELECT id FROM opportunities WHERE status = 'applied' ORDER BY id LIMIT 1")
  [ -n "$id" ] || fail "setup: no pending fix: $(queue_rows)"
  git revert --no-edit HEAD~2 >/dev/null 2>&1 || true
  [ -f "$(git rev-parse --git-path REVERT_HEAD)" ] || fail "setup: the revert did not stop"
  USER_BEFORE=$(user_state)
  bounded "review --accept" git autoloop review --accept "$id"
  assert_ne 0 "$RC" "review --accept exit status mid-revert"
  assert_contains "$OUT$ERR" "revert is in progress" "review --accept"
  held
}

# A fix waits for pkg/mod.py; upstream then makes pkg a symlink to a directory outside and the user
# pulls. The accept must not write through the directory link.
test_accept_through_a_symlinked_parent_directory() {
  upstream
  mkdir pkg
  py pkg/mod.py mod
  publish "pkg"
  clone_as_user
  attack
  held
  local id
  id=$(db_query "SELECT id FROM opportunities WHERE path = 'pkg/mod.py' AND status = 'applied'")
  [ -n "$id" ] || fail "setup: no pending fix for pkg/mod.py: $(queue_rows)"
  mkdir -p "$OUTSIDE/pkg"
  py "$OUTSIDE/pkg/mod.py" mod
  cd "$E2E_TEST_DIR/upstream"
  git rm -q -r pkg
  ln -s ../outside/pkg pkg
  publish "pkg becomes a link"
  cd "$E2E_TEST_DIR/repo"
  git -c pull.rebase=false pull -q --no-edit origin main
  [ -L pkg ] || fail "setup: pkg is not a symlink after the pull"
  CANARY_BEFORE=$(canary_state)
  USER_BEFORE=$(user_state)
  bounded "review --accept" git autoloop review --accept "$id"
  held
}

t "test_setup, coverage_command, notify and fixers beside a local test_command: none runs before trust" test_commands_beside_a_local_test_command
t "escapes in a config error: not printed raw by any command nor by the hook on commit" test_escapes_in_a_config_error
t "escapes in a malformed rule's file name: not printed raw by the hook, status, rules, doctor" test_escapes_in_a_rule_file_name
t "escapes in a security notice's file name: not printed raw on commit" test_escapes_in_a_security_notice
t "escapes in a repository rule's text: not printed raw by rules --explain" test_escapes_in_rules_explain
t ".autoloop a symlink outside: its rules not read; status says why" test_dot_autoloop_symlinked_outside
t "a rules language directory symlinked outside: not followed" test_rules_language_directory_symlinked
t "a rule file symlinked outside: not read; status says why" test_rule_file_symlinked_outside
t "a tree entry named ..: nothing queued or written outside" test_tree_entry_dot_dot
t "names with a tab, invalid UTF-8 and a leading dash: queued, fixed, accepted as they are" test_names_with_tab_invalid_utf8_and_dash
t "a branch named autoloop: the side branch is refused with that reason, in status too" test_branch_named_like_the_side_prefix
t "a rebase stopped on edit: drain and accept change nothing and say why" test_drain_and_accept_mid_rebase
t "a revert stopped on a conflict: accept refuses and changes nothing" test_accept_mid_revert
t "accept does not write through a parent directory that became a symlink" test_accept_through_a_symlinked_parent_directory
print_figures
finish
