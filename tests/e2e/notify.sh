#!/bin/bash
# Notifications (issue 16 §8): notify_command gets one JSON object per event on stdin — a drain cycle, a
# push pre-push blocked, a scan's regressions, an error — and every one validates against
# tests/schemas/notification.schema.json (python3-jsonschema), with the repository, the branch, the pending
# count, the reasons and, for a cycle, each fix with its id, rule, file and commit.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOTES=

# notifying_repo [LOOP_KEYS] [YAML]: a repository with the hooks installed and notify_command (local
# config: trusted) appending each notification to $NOTES.
notifying_repo() {
  NOTES="$E2E_TEST_DIR/notes.jsonl"
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  local_config "${1:-}" "notify_command: \"cat >> '$NOTES'\"
${2:-}"
}

# notification KIND: validates every line of $NOTES against the schema and prints the last notification
# of KIND (fails when there is none).
notification() {
  [ -s "$NOTES" ] || fail "no notification was sent"
  "$PYTHON" - "$AUTOLOOP_SOURCE_DIR/tests/schemas/notification.schema.json" "$NOTES" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)
found = None
for number, line in enumerate(open(sys.argv[2]), 1):
    doc = json.loads(line)
    errors = list(validator.iter_errors(doc))
    for e in errors[:5]:
        print(f"notification {number}: {'/'.join(map(str, e.path))}: {e.message}", file=sys.stderr)
    if errors:
        sys.exit(1)
    if doc["event"] == sys.argv[3]:
        found = doc
if found is None:
    print(f"no {sys.argv[3]} notification in {sys.argv[2]}", file=sys.stderr)
    sys.exit(1)
print(json.dumps(found))
PY
}

test_schema_refuses_what_it_must() {
  # The schema is no rubber stamp: a cycle without its fixes, or an unknown event, does not validate.
  NOTES="$E2E_TEST_DIR/bad.jsonl"
  printf '%s\n' '{"schema_version":1,"event":"cycle","time":1,"repository":"/r","branch":"main","pending":0,"reasons":[]}' >"$NOTES"
  if notification cycle >/dev/null 2>&1; then fail "a cycle without cycle, fixes, ... validated"; fi
  printf '%s\n' '{"schema_version":1,"event":"party","time":1,"repository":"/r","branch":"main","pending":0,"reasons":[]}' >"$NOTES"
  if notification party >/dev/null 2>&1; then fail "an unknown event validated"; fi
}

test_cycle() {
  notifying_repo "" "test_command: \"true\""
  expect_rc 0 git autoloop drain --now --foreground --max 0
  printf 'def f(x):\n    if x == None:\n        return 1\n    return 2\n' >a.py
  commit_all "a finding"
  wait_for_scan
  expect_rc 0 git autoloop drain --now --foreground
  local n tip
  n=$(notification cycle)
  tip=$(side_ref)
  [ -n "$tip" ] || fail "the drain made no side branch"
  assert_eq "main" "$(pyjson 'd["branch"]' <<<"$n")" "branch"
  assert_eq "$(pwd -P)" "$(cd "$(pyjson 'd["repository"]' <<<"$n")" && pwd -P)" "repository"
  assert_eq "1" "$(pyjson 'len(d["fixes"])' <<<"$n")" "fixes"
  assert_eq "python/compare-to-none a.py $tip" "$(pyjson 'd["fixes"][0]["rule"] + " " + d["fixes"][0]["file"] + " " + d["fixes"][0]["commit"]' <<<"$n")" "the fix"
  assert_eq "$(db_query "SELECT id FROM opportunities WHERE path = 'a.py'")" "$(pyjson 'd["fixes"][0]["id"]' <<<"$n")" "the fix's id"
  assert_eq "1" "$(pyjson 'd["pending"]' <<<"$n")" "pending"
  assert_eq "refs/heads/autoloop/main" "$(pyjson 'd["side_branch"]' <<<"$n")" "side branch"
  # The drain with nothing to do was notified too, and validated (notification checks every line).
  assert_eq "2" "$(grep -c '"event":"cycle"' "$NOTES")" "cycle notifications"
}

test_push_blocked() {
  git init -q --bare remote.git
  notifying_repo "" "block_push_on: [security_fixes]"
  git remote add origin "$E2E_TEST_DIR/remote.git"
  wait_for_scan
  expect_rc 0 git push -q origin main
  printf 'import subprocess\n\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)\n' >runner.py
  commit_all "a security problem"
  expect_rc 1 git push origin main
  local n
  n=$(notification push_blocked)
  assert_eq '["security_fixes"]' "$(pyjson 'd["blocking"]' <<<"$n")" "blocking"
  assert_eq "runner.py $(git rev-parse HEAD)" "$(pyjson 'd["findings"][0]["file"] + " " + d["findings"][0]["commit"]' <<<"$n")" "finding"
  assert_contains "$(pyjson 'd["reasons"]' <<<"$n")" "new security_fixes findings (block_push_on)" "reasons"
}

test_regression() {
  notifying_repo
  printf 'def route(x):\n    return x\n' >r.py
  commit_all "simple"
  wait_for_scan
  # Eleven branches: past metrics.complexity_threshold (10).
  { printf 'def route(x):\n'; for i in 1 2 3 4 5 6 7 8 9 10 11; do printf '    if x == %d:\n        return %d\n' "$i" "$i"; done; printf '    return 0\n'; } >r.py
  commit_all "complex"
  wait_for_scan
  local n
  n=$(notification regression)
  assert_eq "regression r.py route 12" "$(pyjson 'd["changes"][0]["kind"] + " " + d["changes"][0]["file"] + " " + d["changes"][0]["name"] + " " + str(int(d["changes"][0]["after"]))' <<<"$n")" "the regression"
  assert_eq "$(git rev-parse HEAD)" "$(pyjson 'd["commits"][0]' <<<"$n")" "commit"
  assert_contains "$(pyjson 'd["reasons"][0]' <<<"$n")" "complexity of route rose from 1 to 12" "reason"
}

test_error_once() {
  notifying_repo
  mkdir -p "$(autoloop_dir)/rules/python"
  printf 'id: no-print\nlanguage: python\ncategory: code_quality\nseverity: info\nsafety: suggest\nmessage: "m"\nquery: |\n  (cal function: (identifier) @f) @match\n' \
    >"$(autoloop_dir)/rules/python/no-print.yml"
  echo 'a = 1' >a.py
  commit_all "one"
  wait_for_scan
  echo 'b = 1' >b.py
  commit_all "two"
  wait_for_scan
  local n
  n=$(notification error)
  assert_eq "rules" "$(pyjson 'd["source"]' <<<"$n")" "source"
  assert_contains "$(pyjson 'd["message"]' <<<"$n")" "no-print" "message"
  assert_contains "$(pyjson 'd["message"]' <<<"$n")" "unknown node type" "message"
  # The same error on the next commit is not sent again.
  assert_eq "1" "$(grep -c '"event":"error"' "$NOTES")" "error notifications"
}

run_test "the schema refuses a cycle without its fields and an unknown event" test_schema_refuses_what_it_must
run_test "cycle: the fix with id, rule, file and commit; pending; validates" test_cycle
run_test "push_blocked: the findings that blocked the push; validates" test_push_blocked
run_test "regression: the function and its complexity; validates" test_regression
run_test "error: a rule switched off, sent once; validates" test_error_once
finish
