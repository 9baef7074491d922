#!/bin/bash
# Hostile repository rules (issue 10, item 3): rules are code. A rule in the repository's `.autoloop/rules/`
# lives in its own namespace (`repo:<id>`: it never stands in for a built-in of the same id), and applies
# fixes only while `git autoloop trust` covers the rules directory's content; untrusted, its findings are
# reported and never fixed, a fix of it already on the side branch is not accepted, and `status`, `queue`,
# `rules` and `review` say why. Fix commits name their rule's source (`Autoloop-Rule-Source:`).
. "$(dirname "${BASH_SOURCE[0]}")/helpers.sh"

RULE=.autoloop/rules/python/compare-to-none.yml

# The attacker's rule: the built-in's id, marked safe, and a fix that also inserts code before the `if`.
hostile_rule() {
  cat <<'EOF'
id: python/compare-to-none
language: python
category: code_quality
severity: warning
safety: safe
message: "Comparison to None should use `is` / `is not`"
description: "the built-in rule, only better"
query: |
  (if_statement condition: (comparison_operator operators: "==" @op (none))) @match
fix:
  - insert_before: "@match"
    with: "import os; os.system(\"touch MARK\")\n    "
  - replace: "@op"
    with: "is"
EOF
}

# hostile_clone: the attacker's repository (the rule, committed) cloned by the user, who installs the
# loop (drains by hand; no test_command anywhere) and commits a file with one `x == None` through the hooks.
hostile_clone() {
  new_repo upstream
  printf 'readme\n' >README
  mkdir -p .autoloop/rules/python
  hostile_rule >"$RULE"
  git add -A
  git commit -q -m "project rules"
  cd ..
  clone_upstream
  git config gc.autoDetach false
  manual_drains "${1:-}" "${2:-}"
  py a.py
  git add a.py
  timed_commit -m "my work"
  wait_for_scan
}

# The fix commits on autoloop/main that carry the attacker's code.
hostile_side_commits() {
  [ -n "$(side_ref)" ] || return 0
  git log --format=%H -G 'os\.system' main..autoloop/main
}

# No MARK anywhere: the inserted code never ran (nothing here runs project code; this only guards the test).
assert_no_mark() { [ -z "$(find "$E2E_TEST_DIR" -name MARK)" ] || fail "MARK was created: $(find "$E2E_TEST_DIR" -name MARK)"; }

test_shadowing_rule_is_not_fixed_before_trust() {
  hostile_clone
  drain_settled
  # The attacker's fix is not on the side branch, under any name.
  assert_eq "" "$(hostile_side_commits)" "side-branch commits inserting os.system"
  assert_not_contains "$(git log -p main..autoloop/main 2>/dev/null)" "touch MARK" "the side branch"
  # The built-in's fix still works, under the built-in's name and source.
  local c
  c=$(side_commits)
  assert_eq 1 "$(grep -c . <<<"$c")" "fix commits on the side branch"
  assert_fix_commit "$c"
  assert_contains "$(git log -1 --format=%s "$c")" "autoloop(python/compare-to-none)" "the built-in's fix"
  assert_eq "builtin" "$(git log -1 --format='%(trailers:key=Autoloop-Rule-Source,valueonly)' "$c" | grep .)" "Autoloop-Rule-Source"
  assert_contains "$(git show "$c" -- a.py)" "+    if x is None:" "the built-in's fix"
  # The repository rule's finding is reported, under its own id, and left open.
  assert_eq "open" "$(queue_json | pyjson '[r["status"] for r in d if r["rule"] == "repo:python/compare-to-none"][0]')" \
    "the repository rule's finding"
  run_cmd git autoloop queue
  assert_contains "$OUT" "repo:python/compare-to-none" "queue"
  assert_contains "$OUT" "1 finding of untrusted repository rules is not fixed: run \`git autoloop trust\`" "queue"
  run_cmd git autoloop status
  assert_contains "$OUT" "1 finding of untrusted repository rules is not fixed" "status"
  assert_contains "$OUT" "repository's rules in .autoloop/rules (1 file) are not trusted" "status"
  # review --accept-all commits only the built-in's fix.
  expect_rc 0 git autoloop review --accept-all
  assert_not_contains "$(git log -p main -- a.py)" "os.system" "a.py in the user's branch after review --accept-all"
  assert_not_contains "$(cat a.py)" "os.system" "a.py after review --accept-all"
  assert_contains "$(cat a.py)" "if x is None:" "a.py after review --accept-all"
  assert_no_mark
  figure untrusted_rule_fixes_blocked
  check_case --settled --fsck
}

test_trusted_rule_fixes_and_names_its_source() {
  # The user turns the built-in off (their own config): the repository's rule is the only one left to fix.
  hostile_clone "" "rules: {disable: [python/compare-to-none]}"
  drain_settled
  assert_eq "" "$(side_commits)" "fix commits before trust"
  expect_rc 0 git autoloop trust
  assert_contains "$OUT" "repo:python/compare-to-none" "what trust lists"
  assert_contains "$OUT" "1 rule file in .autoloop/rules" "what trust says it trusted"
  drain_settled
  local c
  c=$(side_commits)
  assert_eq 1 "$(grep -c . <<<"$c")" "fix commits after trust"
  assert_fix_commit "$c"
  assert_contains "$(git log -1 --format=%s "$c")" "autoloop(repo:python/compare-to-none)" "subject"
  assert_eq "repository ($RULE)" "$(git log -1 --format='%(trailers:key=Autoloop-Rule-Source,valueonly)' "$c" | grep .)" \
    "Autoloop-Rule-Source"
  assert_eq "$c" "$(hostile_side_commits)" "the trusted rule's fix (the control: this suite can see a hostile fix)"
  run_cmd git autoloop review --list --format json
  assert_eq "repository ($RULE)" "$(pyjson 'd[0]["rule_source"]' <<<"$OUT")" "review --list json rule_source"
  assert_eq "true" "$(pyjson 'd[0]["acceptable"]' <<<"$OUT")" "review --list json acceptable"
  run_cmd git autoloop review --list
  assert_contains "$OUT" "rule source: repository ($RULE)" "review --list"
  assert_not_contains "$(git autoloop status)" "not trusted" "status after trust"
  assert_no_mark
  figure trusted_rule_fixes
  check_case --settled --fsck
}

test_edit_after_trust_revokes() {
  hostile_clone "" "rules: {disable: [python/compare-to-none]}"
  expect_rc 0 git autoloop trust
  drain_settled
  local c id
  c=$(side_commits)
  assert_eq 1 "$(grep -c . <<<"$c")" "fix commits after trust"
  id=$(git log -1 --format='%(trailers:key=Autoloop-Opportunity,valueonly)' "$c" | grep .)
  # A pull changes the rule (here: one byte, not even committed): the trust no longer covers it.
  printf '# v2\n' >>"$RULE"
  run_cmd git autoloop status
  assert_contains "$OUT" "are not trusted" "status after the rule changed"
  run_cmd git autoloop review --list --format json
  assert_eq "false" "$(pyjson 'd[0]["acceptable"]' <<<"$OUT")" "review --list json acceptable"
  assert_contains "$(pyjson 'd[0]["refused"]' <<<"$OUT")" "git autoloop trust" "review --list json refused"
  run_cmd git autoloop review --list
  assert_contains "$OUT" "not acceptable:" "review --list"
  local head
  head=$(git rev-parse HEAD)
  run_cmd git autoloop review --accept "$id"
  assert_eq 1 "$RC" "exit status of the refused accept"
  assert_contains "$ERR" "not accepted" "review --accept"
  assert_contains "$ERR" "repo:python/compare-to-none" "review --accept"
  run_cmd git autoloop review --accept-all
  assert_eq 1 "$RC" "exit status of the refused accept-all"
  assert_contains "$ERR" "does not cover" "review --accept-all"
  assert_eq "$head" "$(git rev-parse HEAD)" "HEAD after refused accepts"
  assert_not_contains "$(cat a.py)" "os.system" "a.py after refused accepts"
  # The next drain takes the fix off the side branch (its rule is not trusted) and fixes nothing new.
  py b.py g
  git add b.py
  timed_commit -m "more work"
  wait_for_scan
  drain_settled
  assert_eq "" "$(hostile_side_commits)" "fixes of the edited rule on the side branch"
  assert_eq "stale" "$(opportunity_status "$id")" "the pending fix of the untrusted rule"
  assert_contains "$(db_query "SELECT outcome || ' ' || detail FROM attempts WHERE opportunity_id = $id ORDER BY id DESC LIMIT 1")" \
    "untrusted" "the attempt that dropped it"
  assert_contains "$(git autoloop queue)" "1 finding of untrusted repository rules is not fixed" "queue (b.py; a.py's is stale)"
  # Trusting the new content lets it fix again; --revoke forgets it (and the config's trust) again.
  expect_rc 0 git autoloop trust
  drain_settled
  assert_eq 1 "$(hostile_side_commits | grep -c .)" "fixes once the new content is trusted"
  expect_rc 0 git autoloop trust --revoke
  run_cmd git autoloop review --accept-all
  assert_eq 1 "$RC" "accept-all after trust --revoke"
  assert_not_contains "$(cat a.py b.py)" "os.system" "files after accept-all with trust revoked"
  assert_no_mark
  figure revoked_by_edit
  check_case --fsck
}

test_rules_and_review_mark_the_repository() {
  hostile_clone
  run_cmd git autoloop rules
  assert_eq 0 "$RC" "git autoloop rules"
  local line
  line=$(grep '^repo:python/compare-to-none ' <<<"$OUT")
  assert_contains "$line" "repository (untrusted)" "the repository rule's row"
  assert_contains "$(grep '^python/compare-to-none ' <<<"$OUT")" "builtin" "the built-in's row"
  assert_contains "$OUT" "1 from the repository (ids repo:<id>), not trusted" "rules footer"
  run_cmd git autoloop rules --format json
  assert_eq '["repository", ".autoloop/rules/python/compare-to-none.yml", false]' \
    "$(pyjson '[[r["source"], r["file"], r["trusted"]] for r in d if r["id"] == "repo:python/compare-to-none"][0]' <<<"$OUT")" \
    "rules --format json"
  assert_eq '["builtin", true]' \
    "$(pyjson '[[r["source"], r["trusted"]] for r in d if r["id"] == "python/compare-to-none"][0]' <<<"$OUT")" \
    "rules --format json (built-in)"
  run_cmd git autoloop rules --explain repo:python/compare-to-none
  assert_contains "$OUT" "origin:    repository ($RULE), not trusted" "rules --explain"
  expect_rc 0 git autoloop trust
  assert_contains "$(git autoloop rules | grep '^repo:python/compare-to-none ')" "repository " "row after trust"
  assert_not_contains "$(git autoloop rules | grep '^repo:python/compare-to-none ')" "untrusted" "row after trust"
  # A local rule cannot claim the repository's namespace.
  mkdir -p "$(autoloop_dir)/rules"
  { hostile_rule | sed 's/^id: .*/id: repo:python\/mine/'; } >"$(autoloop_dir)/rules/mine.yml"
  # It is off and says why (one malformed rule does not take the others down).
  run_cmd git autoloop rules
  assert_eq 0 "$RC" "rules with a local rule in the repo: namespace"
  assert_contains "$OUT" "off: repo:python/mine: malformed: " "the error"
  assert_contains "$OUT" "mine.yml:1:1: rule repo:python/mine: the id prefix 'repo:' is reserved" "the error"
  grep -q "^repo:python/mine .* no .* broken" <<<"$OUT" || fail "the local rule is not shown off and broken:
$OUT"
  rm "$(autoloop_dir)/rules/mine.yml"
  figure rules_marked
}

test_local_rules_are_the_users() {
  # The same rule, in the user's own .git/autoloop/rules/: trusted without `trust`, and it may replace the
  # built-in of its id (the user's choice). No repository rules here.
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains
  mkdir -p "$(autoloop_dir)/rules"
  hostile_rule | sed 's/touch MARK/echo mine/' >"$(autoloop_dir)/rules/mine.yml"
  py a.py
  git add a.py
  timed_commit -m "work"
  wait_for_scan
  drain_settled
  local c
  c=$(side_commits)
  assert_eq 1 "$(grep -c . <<<"$c")" "fix commits of the local rule"
  assert_contains "$(git log -1 --format=%s "$c")" "autoloop(python/compare-to-none)" "subject"
  assert_eq "local ($(autoloop_dir)/rules/mine.yml)" \
    "$(git log -1 --format='%(trailers:key=Autoloop-Rule-Source,valueonly)' "$c" | grep .)" "Autoloop-Rule-Source"
  assert_contains "$(git show "$c")" "echo mine" "the local rule's fix"
  figure local_rules_trusted
}

test_old_trust_file_needs_trust_again() {
  # A trust file written before rules were covered: one line, the .autoloop.yml hash. Its commands stay
  # trusted; the repository's rules are not.
  hostile_clone "" "rules: {disable: [python/compare-to-none]}"
  printf 'notify_command: "true"\n' >.autoloop.yml
  printf '%s %s\n' "$(git hash-object .autoloop.yml)" "$PWD/.autoloop.yml" >"$(autoloop_dir)/trust"
  run_cmd git autoloop status
  assert_not_contains "$OUT" "notify_command in .autoloop.yml is not trusted" "status: the old trust keeps the command"
  assert_contains "$OUT" "are not trusted" "status: the rules need trust"
  drain_settled
  assert_eq "" "$(side_commits)" "fixes of the repository rule under an old trust file"
  expect_rc 0 git autoloop trust
  assert_contains "$(cat "$(autoloop_dir)/trust")" "rules " "the trust file after trust"
  drain_settled
  assert_eq 1 "$(hostile_side_commits | grep -c .)" "fixes once trusted"
  figure old_trust_files
}

run_test "a repository rule reusing a built-in id, marked safe, fixes nothing before trust (the built-in still does)" test_shadowing_rule_is_not_fixed_before_trust
run_test "after trust the repository rule fixes, as repo:<id>, with Autoloop-Rule-Source: repository" test_trusted_rule_fixes_and_names_its_source
run_test "editing a rule file after trust revokes it: pending fix refused by review, dropped by the drain" test_edit_after_trust_revokes
run_test "rules (text, json, --explain) marks the repository's rules and their trust" test_rules_and_review_mark_the_repository
run_test "local rules (.git/autoloop/rules) are the user's: trusted, may replace a built-in" test_local_rules_are_the_users
run_test "a trust file from before rules were covered needs trust again for rules" test_old_trust_file_needs_trust_again
print_figures
finish
