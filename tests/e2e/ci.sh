#!/bin/bash
# `git autoloop ci --base REV`: the findings a range introduced, its exit status per ci.block_on, the SARIF
# (validated against the SARIF 2.1.0 JSON schema) and Markdown reports, and that it leaves the repository,
# its queue and the work tree alone, in a detached HEAD, a linked worktree and a repository where autoloop
# was never installed. Clear errors for a bad or unrelated base and for a shallow clone.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# base_repo: a repository (autoloop never installed) whose first commit already holds one security finding
# (eval) and one quality finding (== None) in src/app.py; on branch main.
base_repo() {
  new_repo
  mkdir -p src
  printf 'import os\n\ndef load(text):\n    return eval(text)\n\nif os.environ.get("HOME") == None:\n    print("no home")\n' >src/app.py
  printf 'def helper(x):\n    return x\n' >src/util.py
  git add -A
  git commit -q -m base
}

# add_security_finding: a commit on top that adds a weak hash (security, warning) and an eval (security, error).
add_security_finding() {
  printf 'import hashlib\n\ndef digest(data):\n    return hashlib.md5(data).hexdigest()\n\ndef run(code):\n    exec(code + "!")\n' >src/crypto.py
  git add -A
  git commit -q -m "add crypto"
}

# The schema, fetched once per build tree (tests/schemas/fetch.sh); the test fails when it cannot be had.
sarif_schema() {
  "$AUTOLOOP_SOURCE_DIR/tests/schemas/fetch.sh" sarif-2.1.0
}

# validate_sarif FILE: FILE validates against the pinned SARIF 2.1.0 schema (python3-jsonschema, format checks on).
validate_sarif() {
  local schema
  schema=$(sarif_schema)
  "$PYTHON" - "$schema" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = list(cls(schema, format_checker=jsonschema.FormatChecker()).iter_errors(doc))
for e in errors:
    print("/".join(str(p) for p in e.absolute_path) + ": " + e.message[:300], file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

test_new_security_finding_fails_the_run() {
  base_repo
  add_security_finding
  local before
  before=$(snapshot)
  expect_rc 1 git autoloop ci --base HEAD~1 --sarif out.sarif --markdown summary.md
  assert_contains "$OUT" "src/crypto.py:4: warning [python/weak-hash]"
  assert_contains "$OUT" "src/crypto.py:7: error [python/eval-exec]"
  assert_contains "$OUT" "2 new findings in 1 changed file (1 scanned); 2 blocking (ci.block_on: [security])"
  # The finding already at base (eval in src/app.py) is not reported.
  assert_not_contains "$OUT" "src/app.py"
  rm out.sarif summary.md
  assert_eq "$before" "$(snapshot)" "HEAD, index and work tree after ci"
  assert_no_file .git/autoloop/queue.db "queue database"
  assert_no_file .git/autoloop/spool "spool"

  # Standard output as JSON: the rows of the queue's schema, each new and not queued.
  expect_rc 1 git autoloop ci --base main~1 --format json
  assert_eq '[["python/weak-hash", "src/crypto.py", 4, "security_fixes", "warning"], ["python/eval-exec", "src/crypto.py", 7, "security_fixes", "error"]]' \
    "$(pyjson '[[r["rule"], r["path"], r["line"], r["category"], r["severity"]] for r in d]' <<<"$OUT")" "ci --format json"
  assert_eq "true" "$(pyjson 'all(r["new"] and r["id"] == 0 and r["status"] == "new" and len(r["fingerprint"]) == 32 for r in d)' <<<"$OUT")" "rows are new and not queued"

  # block_on by severity: error and worse matches the eval only; an empty list never fails.
  expect_rc 1 git autoloop -c 'ci.block_on=[error]' ci --base HEAD~1
  assert_contains "$OUT" "1 blocking (ci.block_on: [error])"
  expect_rc 0 git autoloop ci --base HEAD~1 -c 'ci.block_on=[]'
  assert_contains "$OUT" "0 blocking"
  # Nothing changed: nothing to report.
  expect_rc 0 git autoloop ci --base HEAD
  assert_contains "$OUT" "0 new findings in 0 changed files"
}

test_quality_findings_follow_block_on() {
  base_repo
  printf 'def check(a, b):\n    if a == None:\n        return b\n    return a\n' >src/quality.py
  git add -A
  git commit -q -m "quality only"
  expect_rc 0 git autoloop ci --base HEAD~1
  assert_contains "$OUT" "src/quality.py:2: warning [python/compare-to-none]"
  assert_contains "$OUT" "1 new finding in 1 changed file (1 scanned); 0 blocking (ci.block_on: [security])"
  expect_rc 1 git autoloop ci --base HEAD~1 -c 'ci.block_on=[quality]'
  expect_rc 1 git autoloop ci --base HEAD~1 -c 'ci.block_on=[code_quality]'
  expect_rc 1 git autoloop ci --base HEAD~1 -c 'ci.block_on=[warning]'
  expect_rc 0 git autoloop ci --base HEAD~1 -c 'ci.block_on=[performance, error]'

  # From the shared .autoloop.yml (committed in the range; a config file is not source).
  printf 'ci:\n  block_on: [quality]\n' >.autoloop.yml
  git add .autoloop.yml
  git commit -q -m "ci config"
  expect_rc 1 git autoloop ci --base HEAD~2
  assert_contains "$OUT" "1 blocking (ci.block_on: [quality])"

  # A wrong value is a located error naming the key's file, line and column, with a suggestion.
  printf 'ci:\n  block_on: [secuirty]\n' >.autoloop.yml
  expect_rc 3 git autoloop ci --base HEAD~2
  assert_contains "$ERR" "git-autoloop: error: $PWD/.autoloop.yml:2:14: expected one of security,"
  assert_contains "$ERR" "did you mean 'security'?"
  printf 'ci:\n  block_on: security\n' >.autoloop.yml
  expect_rc 3 git autoloop ci --base HEAD~2
  assert_contains "$ERR" ".autoloop.yml:2:13: expected a list"
  printf 'ci:\n  blok_on: [security]\n' >.autoloop.yml
  expect_rc 3 git autoloop ci --base HEAD~2
  assert_contains "$ERR" ".autoloop.yml:2:3: unknown key 'blok_on' (did you mean 'block_on'?)"
}

test_findings_present_at_base_are_not_reported() {
  base_repo
  # Lines inserted above the existing findings move them; a new function holds a quality finding.
  { printf '# header\n# more\n\n'; cat src/app.py; printf '\ndef again(v):\n    if v != None:\n        return v\n'; } >tmp && mv tmp src/app.py
  git add -A
  git commit -q -m shift
  expect_rc 0 git autoloop ci --base HEAD~1 --format json
  assert_eq '[["python/compare-to-none", "src/app.py", 13]]' \
    "$(pyjson '[[r["rule"], r["path"], r["line"]] for r in d]' <<<"$OUT")" "only the new comparison"

  # A renamed file and a renamed directory bring nothing new; an edit inside the moved file does.
  git mv src lib
  git commit -q -m "move"
  expect_rc 0 git autoloop ci --base HEAD~1 --format json
  assert_eq "[]" "$OUT" "findings of a pure move"
  { cat lib/app.py; printf 'value = eval(input())\n'; } >lib/app2.py
  git rm -q lib/app.py
  git add -A
  git commit -q -m "rename and edit"
  expect_rc 1 git autoloop ci --base HEAD~1 --format json
  assert_eq '[["python/eval-exec", "lib/app2.py", 15]]' \
    "$(pyjson '[[r["rule"], r["path"], r["line"]] for r in d]' <<<"$OUT")" "only the added eval in the renamed file"

  # The whole range at once: only what is at HEAD and was not at the base.
  expect_rc 1 git autoloop ci --base main~3 --format json
  assert_eq '[["python/compare-to-none", "lib/app2.py", 13], ["python/eval-exec", "lib/app2.py", 15]]' \
    "$(pyjson 'sorted([r["rule"], r["path"], r["line"]] for r in d)' <<<"$OUT")" "findings of the range"

  # Fixing a finding introduces nothing.
  sed -i 's/v != None/v is not None/' lib/app2.py
  git commit -q -am fix
  expect_rc 0 git autoloop ci --base HEAD~1 --format json
  assert_eq "[]" "$OUT" "findings of a fix"
}

test_hold_the_line() {
  base_repo
  # Renaming the function around an existing eval changes the eval's fingerprint (it names its function)
  # but not its line: nothing is introduced.
  sed -i 's/def load(text)/def parse(text)/' src/app.py
  git commit -q -am rename
  expect_rc 0 git autoloop ci --base HEAD~1 --format json
  assert_eq "[]" "$OUT" "findings after renaming a function"
  # A second, identical eval in the same function: one more finding, reported once.
  sed -i 's/^    return eval(text)$/    eval(text)\n    return eval(text)/' src/app.py
  git commit -q -am duplicate
  expect_rc 1 git autoloop ci --base HEAD~1 --format json
  assert_eq '["python/eval-exec"]' "$(pyjson '[r["rule"] for r in d]' <<<"$OUT")" "findings after duplicating an eval"
}

test_queue_and_repository_untouched() {
  base_repo
  install_autoloop
  add_security_finding
  wait_for_scan
  local data db_before rows_before before
  data=$(autoloop_dir)
  db_before=$(cd "$data" && sha1sum queue.db* | sort)
  rows_before=$(queue_rows)
  # Uncommitted and untracked work must survive too.
  printf '# local edit\n' >>src/util.py
  printf 'scratch\n' >notes.txt
  git add src/util.py
  printf '# unstaged\n' >>src/util.py
  before=$(snapshot)
  expect_rc 1 git autoloop ci --base HEAD~1 --sarif ../out.sarif --markdown ../summary.md
  assert_eq "$before" "$(snapshot)" "HEAD, index and work tree after ci"
  assert_eq "$db_before" "$(cd "$data" && sha1sum queue.db* | sort)" "queue database files"
  assert_eq "$rows_before" "$(queue_rows)" "queue rows"
  assert_eq "0" "$(spool_count)" "spool entries"
}

test_errors_are_clear() {
  base_repo
  add_security_finding
  expect_rc 6 git autoloop ci --base no-such-rev
  assert_eq "git-autoloop: error: unknown revision 'no-such-rev' given to --base" "$ERR" "bad base"
  expect_rc 6 git autoloop ci --base HEAD~1 --head nope
  assert_contains "$ERR" "unknown revision 'nope' given to --head"
  expect_rc 2 git autoloop ci
  assert_contains "$ERR" "--base is required"
  expect_rc 2 git autoloop ci --base HEAD~1 --format yaml
  assert_contains "$ERR" "unknown format 'yaml'"

  # A base that is not an ancestor of HEAD (a side branch): named, with the merge base to use instead.
  git checkout -q -b side HEAD~1
  printf 'x = 1\n' >src/side.py
  git add -A
  git commit -q -m side
  git checkout -q main
  expect_rc 6 git autoloop ci --base side
  assert_contains "$ERR" "git-autoloop: error: --base side ($(git rev-parse --short=12 side)) is not an ancestor of HEAD"
  assert_contains "$ERR" "git merge-base side HEAD"
  expect_rc 1 git autoloop ci --base "$(git merge-base side HEAD)"

  # A shallow clone that lacks the base: the error says to fetch more history.
  cd ..
  git clone -q --depth 1 "file://$PWD/repo" shallow
  cd shallow
  expect_rc 6 git autoloop ci --base HEAD~1
  assert_contains "$ERR" "unknown revision 'HEAD~1' given to --base; this is a shallow clone: fetch more history"
  assert_contains "$ERR" "fetch-depth: 0"
  # The base fetched on its own, as shallow as the rest: present, but not connected to HEAD.
  git -C ../repo branch -f base-tip main~1
  git fetch -q --depth 1 origin base-tip:refs/remotes/origin/base-tip
  expect_rc 6 git autoloop ci --base origin/base-tip
  assert_contains "$ERR" "is not an ancestor of HEAD"
  assert_contains "$ERR" "this is a shallow clone: fetch more history"
  git fetch -q --unshallow
  expect_rc 1 git autoloop ci --base origin/base-tip
  expect_rc 1 git autoloop ci --base HEAD~1
  assert_contains "$OUT" "src/crypto.py:7: error [python/eval-exec]"

  # Outside a repository.
  cd "$E2E_TEST_DIR"
  mkdir -p plain
  cd plain
  expect_rc 4 env GIT_CEILING_DIRECTORIES="$E2E_TEST_DIR" git autoloop ci --base HEAD~1
  assert_contains "$ERR" "git-autoloop: error:"
}

test_detached_head_and_worktree() {
  base_repo
  add_security_finding
  git checkout -q --detach HEAD
  expect_rc 1 git autoloop ci --base HEAD~1
  assert_contains "$OUT" "src/crypto.py:7: error [python/eval-exec]"
  git checkout -q main
  git worktree add -q ../wt HEAD~1
  cd ../wt
  # In the worktree HEAD is the base commit: nothing new; the main branch's range can be named.
  expect_rc 0 git autoloop ci --base HEAD
  expect_rc 1 git autoloop ci --base HEAD --head main
  assert_contains "$OUT" "src/crypto.py:4: warning [python/weak-hash]"
  assert_no_file "$(autoloop_dir)/queue.db" "queue database"
}

test_reports() {
  base_repo
  add_security_finding
  printf '# Earlier step\n' >summary.md
  expect_rc 1 git autoloop ci --base HEAD~1 --sarif out.sarif --markdown summary.md
  local md sarif
  md=$(cat summary.md)
  # Appended, as $GITHUB_STEP_SUMMARY expects.
  assert_eq "# Earlier step" "$(head -n 1 summary.md)" "earlier summary text kept"
  assert_contains "$md" "### git-autoloop: 2 new findings, 2 blocking"
  assert_contains "$md" "| category | error | warning | info | total |"
  assert_contains "$md" "| security_fixes | 1 | 1 | 0 | 2 |"
  assert_contains "$md" '- **blocking** error `src/crypto.py:7` `python/eval-exec`: '
  assert_contains "$md" '- **blocking** warning `src/crypto.py:4` `python/weak-hash`: '
  assert_contains "$md" "Fails on: \`security\`."

  sarif=$(cat out.sarif)
  validate_sarif out.sarif
  expect_rc 1 git autoloop ci --base HEAD~1 --format sarif
  assert_eq "$sarif" "$OUT" "--format sarif and --sarif FILE"
  assert_eq '[["python/eval-exec", "src/crypto.py", 7, "error", "new"], ["python/weak-hash", "src/crypto.py", 4, "warning", "new"]]' \
    "$(pyjson 'sorted([r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["locations"][0]["physicalLocation"]["region"]["startLine"], r["level"], r["baselineState"]] for r in d["runs"][0]["results"])' <<<"$sarif")" "SARIF results"
  assert_eq "git-autoloop/ci/" "$(pyjson 'd["runs"][0]["automationDetails"]["id"]' <<<"$sarif")" "automationDetails"
  assert_eq "$(git rev-parse HEAD~1) $(git rev-parse HEAD)" "$(pyjson 'd["runs"][0]["properties"]["base"] + " " + d["runs"][0]["properties"]["head"]' <<<"$sarif")" "range in the run's properties"
  assert_eq "true" "$(pyjson 'all(len(r["partialFingerprints"]["autoloopFingerprint/v1"]) == 32 for r in d["runs"][0]["results"])' <<<"$sarif")" "partialFingerprints"
  assert_eq '[["python/eval-exec", "8.0", true], ["python/weak-hash", "5.5", true]]' \
    "$(pyjson 'sorted([r["id"], r["properties"]["security-severity"], "security" in r["properties"]["tags"] and bool(r["help"]["text"])] for r in d["runs"][0]["tool"]["driver"]["rules"])' <<<"$sarif")" "rule metadata"

  # No findings: still a valid log, with no results.
  expect_rc 0 git autoloop ci --base HEAD --sarif empty.sarif
  assert_eq "0" "$(pyjson 'len(d["runs"][0]["results"])' <empty.sarif)" "results of an empty range"
  validate_sarif empty.sarif

  # The validator is not vacuous: a log with an unknown level and baseline state is refused.
  "$PYTHON" -c '
import json, sys
d = json.load(open("out.sarif"))
d["runs"][0]["results"][0]["level"] = "fatal"
d["runs"][0]["results"][0]["baselineState"] = "brand-new"
json.dump(d, open("bad.sarif", "w"))'
  run_cmd validate_sarif bad.sarif
  assert_eq "1" "$RC" "validation of a broken log"
  assert_contains "$ERR" "'fatal' is not one of"
  assert_contains "$ERR" "'brand-new' is not one of"
}

test_scan_sarif_validates() {
  new_repo
  install_autoloop
  mkdir -p src
  printf 'import os\n\nif os.environ.get("HOME") == None:\n    print(eval(input()))\n' >src/app.py
  printf 'function same(a, b) {\n  if (a == b) { return 1; }\n  return 0;\n}\n' >src/util.js
  printf '#include <cstddef>\nint* p = NULL;\n' >src/buf.cpp
  commit_all "three languages"
  wait_for_scan
  expect_rc 0 git autoloop scan --format sarif
  printf '%s\n' "$OUT" >scan.sarif
  assert_eq "4" "$(pyjson 'len(d["runs"][0]["results"])' <scan.sarif)" "scan results"
  validate_sarif scan.sarif
  expect_rc 0 git autoloop scan --all --format sarif
  printf '%s\n' "$OUT" >all.sarif
  validate_sarif all.sarif
  # Files from disk (no queue rows, no commit) too.
  expect_rc 0 git autoloop scan --format sarif src/app.py
  printf '%s\n' "$OUT" >paths.sarif
  assert_eq "2" "$(pyjson 'len(d["runs"][0]["results"])' <paths.sarif)" "scan PATH results"
  validate_sarif paths.sarif
}

run_test "a new security finding fails the run and is named" test_new_security_finding_fails_the_run
run_test "quality findings pass by default and fail per ci.block_on" test_quality_findings_follow_block_on
run_test "findings present at the base are not reported (shifts, moves, renames)" test_findings_present_at_base_are_not_reported
run_test "hold the line: a renamed function reports nothing, a duplicate reports one" test_hold_the_line
run_test "the queue, HEAD, index and work tree are untouched" test_queue_and_repository_untouched
run_test "bad base, unrelated base, shallow clone: clear errors" test_errors_are_clear
run_test "detached HEAD and a linked worktree" test_detached_head_and_worktree
run_test "SARIF validates against the 2.1.0 schema; Markdown summary" test_reports
run_test "scan --format sarif validates against the 2.1.0 schema" test_scan_sarif_validates
finish
