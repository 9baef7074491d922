#!/bin/bash
# Providers (issue 17): the field's analyzers feed the loop. What the configuration says about them
# (names checked where they are written), and what a provider that is missing, crashes, hangs or prints
# garbage does to a commit: nothing (the commit succeeds, the hook exits 0, the queue keeps what it had,
# `status` and `doctor` say why).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A Python file with a built-in finding (python/eval-exec), committed through the hooks.
python_commit() {
  printf 'value = eval(user_input)\n' >a.py
  commit_all "${1:-python}"
}

test_unknown_provider_is_located() {
  new_repo
  install_autoloop
  printf 'providers: [nosuch]\n' >.autoloop.yml
  expect_rc 3 git autoloop config
  assert_contains "$ERR" "$PWD/.autoloop.yml:1:13: providers: unknown provider 'nosuch'"
  printf 'provider_budget: soon\n' >.autoloop.yml
  expect_rc 3 git autoloop config
  assert_contains "$ERR" "$PWD/.autoloop.yml:1:18: expected a duration such as 10s, 500ms or 2m (got 'soon')"
  # The commit is never the configuration's victim: it succeeds, the worker says why it waits, and once the
  # file is fixed the waiting event is scanned (nothing lost).
  printf 'providers: [nosuch]\n' >.autoloop.yml
  python_commit
  local i
  for i in $(seq 1 200); do
    grep -q "unknown provider 'nosuch'" "$(autoloop_dir)/last-error" 2>/dev/null && break
    sleep 0.1
  done
  assert_contains "$(cat "$(autoloop_dir)/last-error")" ".autoloop.yml:1:13: providers: unknown provider 'nosuch'"
  printf 'providers: []\n' >.autoloop.yml
  commit_all "fixed"
  wait_for_scan
  assert_contains "$(queue_rows)" "python/eval-exec a.py:1 open"
}


# --- ruff, through stand-ins for its tool (AUTOLOOP_PROVIDER_DIR and a `node` first on PATH) ------------

# The ruff version src/providers/ruff.cpp pins (a stand-in must claim it to be taken for the tool).
ruff_pin() { sed -n 's/^constexpr const char\* k_version = "\(.*\)";$/\1/p' "$AUTOLOOP_SOURCE_DIR/src/providers/ruff.cpp"; }

# standin_ruff MODE: a ruff "installation" under $E2E_TEST_DIR/tools and a `node` in $E2E_TEST_DIR/bin that
# answers ruff-check.mjs's request as MODE says (the file $E2E_TEST_DIR/ruff-mode, changed by set_ruff_mode):
#   ok       each `import os` line is ruff/F401 with a safe fix that removes the line
#   crash    killed by SIGSEGV      hang    sleeps past any budget      garbage   prints what is not JSON
# The provider scrubs the tool's environment: the mode is read from a path written into the script.
standin_ruff() {
  local pkg="$E2E_TEST_DIR/tools/ruff/node_modules/@astral-sh/ruff-wasm-nodejs"
  mkdir -p "$pkg" "$E2E_TEST_DIR/bin"
  printf '{"name": "@astral-sh/ruff-wasm-nodejs", "version": "%s"}\n' "$(ruff_pin)" >"$pkg/package.json"
  cat >"$E2E_TEST_DIR/bin/node" <<NODE
#!/bin/bash
case \$(cat "$E2E_TEST_DIR/ruff-mode") in
crash) kill -SEGV \$\$ ;;
hang) exec sleep 600 ;;
garbage) echo "Segmentation fault? no: this is not JSON"; exit 0 ;;
esac
exec /usr/bin/python3 -c '
import json, sys
request = json.load(sys.stdin)
files = []
for path in request["files"]:
    rows = open(path, encoding="utf-8").read().split("\n")
    found = []
    for n, line in enumerate(rows, 1):
        if line == "import os":
            found.append({"code": "F401", "message": "\`os\` imported but unused",
                          "start": {"row": n, "column": 1}, "end": {"row": n, "column": 10},
                          "fix": {"applicability": "safe", "message": "Remove unused import: \`os\`",
                                  "edits": [{"start": {"row": n, "column": 1}, "end": {"row": n + 1, "column": 1}, "content": ""}]}})
    files.append({"path": path, "diagnostics": found})
print(json.dumps({"version": sys.argv[1], "problems": [], "files": files}))' "$(ruff_pin)"
NODE
  chmod +x "$E2E_TEST_DIR/bin/node"
  set_ruff_mode "${1:-ok}"
  export AUTOLOOP_PROVIDER_DIR="$E2E_TEST_DIR/tools" PATH="$E2E_TEST_DIR/bin:$PATH"
}
set_ruff_mode() { echo "$1" >"$E2E_TEST_DIR/ruff-mode"; }

# A repository with ruff enabled in its tracked .autoloop.yml (no `trust`: the tool is ours) and a budget of
# 2 s; a.py has one built-in finding (python/eval-exec) and `import os` (ruff/F401 through the stand-in).
ruff_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all base
  install_autoloop --no-config-file
  manual_drains "" "provider_budget: 2s"
  printf 'providers: [ruff]\n' >.autoloop.yml
  printf 'import os\n\nvalue = eval(user_input)\n' >a.py
  commit_all "python"
  wait_for_scan 60
}

# rows RULE: "status new" of each queue row of RULE.
rows_of() { queue_json | pyjson "\" \".join(r[\"status\"] for r in d if r[\"rule\"] == \"$1\")"; }

test_standin_findings_and_fixes() {
  standin_ruff ok
  ruff_repo
  assert_eq "open" "$(rows_of ruff/F401)" "ruff/F401 rows"
  assert_eq "open" "$(rows_of python/eval-exec)" "the built-in finding"
  # The worker records the providers' run: one tool run, and the tool process's peak RSS beside its own.
  local run
  run=$(db_query "select commits, peak_rss_kb, detail from runs where kind = 'providers'")
  assert_contains "$run" "runs=1 findings=1 new_rows=1"
  [[ $run =~ children_peak_rss_kb=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] ||
    fail "no tool peak RSS in the providers' run: $run"
  [[ $run =~ ^1$'\t'[1-9][0-9]*$'\t' ]] || fail "the providers' run is not of one commit with the worker's RSS: $run"
  expect_rc 0 git autoloop drain --now --foreground
  local fixes c
  fixes=$(side_commits)
  c=$(for c in $fixes; do git log -1 --format='%H %s' "$c"; done | grep 'autoloop(ruff/F401)' | cut -d' ' -f1)
  [ -n "$c" ] || fail "no ruff/F401 fix on the side branch: $(git log --oneline main..autoloop/main 2>&1)"
  assert_fix_commit "$c"
  assert_contains "$(git log -1 --format='%(trailers:only,unfold)' "$c")" "Autoloop-Provider: ruff $(ruff_pin)"
  assert_eq "
value = eval(user_input)" "$(git show "$c:a.py")" "a.py after the fix"
}

test_missing_tool() {
  standin_ruff ok
  rm -rf "$E2E_TEST_DIR/tools/ruff"
  ruff_repo
  assert_eq "open" "$(rows_of python/eval-exec)" "the built-in finding"
  assert_eq "" "$(rows_of ruff/F401)" "ruff rows"
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "ruff: ruff is not installed in $E2E_TEST_DIR/tools/ruff (run install.sh --provider ruff)"
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "FAIL  ruff: ruff is not installed"
  assert_contains "$OUT" "install.sh --provider ruff"
}

# broken_tool MODE: ruff ran once (a row queued), then its tool turns MODE: the next commit succeeds, its hook
# exits 0, the row is still open (nothing is judged by a run that failed), status and doctor say why.
broken_tool() {
  standin_ruff ok
  ruff_repo
  assert_eq "open" "$(rows_of ruff/F401)" "ruff/F401 before"
  set_ruff_mode "$1"
  printf 'import os\n\nvalue = eval(user_input)\nprint(value)\n' >a.py
  git add -A
  git commit -q -m "after the tool broke" || fail "the commit failed"
  expect_rc 0 "$(hooks_dir)/post-commit"
  wait_for_scan 60
  assert_eq "open" "$(rows_of ruff/F401)" "ruff/F401 after"
  assert_eq "open" "$(rows_of python/eval-exec)" "the built-in finding"
  expect_rc 0 git autoloop status
  STATUS=$OUT
  expect_rc 0 git autoloop doctor
  DOCTOR=$OUT
}

test_crashing_tool() {
  broken_tool crash
  assert_contains "$STATUS" "ruff: ruff failed"
  assert_contains "$DOCTOR" "last run: ruff: ruff failed"
}
test_garbage_tool() {
  broken_tool garbage
  assert_contains "$STATUS" "ruff: ruff printed output that is not its report: Segmentation fault? no: this is not JSON"
  assert_contains "$DOCTOR" "last run: ruff: ruff printed output that is not its report"
}
test_hanging_tool() {
  broken_tool hang
  assert_contains "$STATUS" "ruff: deferred to the drain ("
  assert_contains "$STATUS" "> 2 s budget)"
}

# `git autoloop scan` runs the enabled providers too (without the hook's budget): a commit whose hook run of
# ruff crashed gets its ruff findings from an explicit scan.
test_scan_runs_providers() {
  standin_ruff ok
  ruff_repo
  set_ruff_mode crash
  printf 'import os\n' >b.py
  commit_all "b.py while ruff crashes"
  wait_for_scan 60
  assert_eq "open" "$(rows_of ruff/F401)" "ruff/F401 rows after the crashed run"
  set_ruff_mode ok
  expect_rc 0 git autoloop scan
  assert_contains "$ERR" "providers: 1 run, 1 finding (1 new in the queue, 0 resolved)"
  assert_eq "open open" "$(rows_of ruff/F401)" "ruff/F401 rows after the scan"
}

# Rejecting a provider rule's fixes quarantines it as a built-in rule's.
test_rejections_quarantine() {
  standin_ruff ok
  new_repo
  printf 'readme\n' >README
  commit_all base
  install_autoloop --no-config-file
  manual_drains "max_improvements_per_cycle: 10" "feedback: {min_verdicts: 5}
providers: [ruff]"
  local i
  for i in 1 2 3 4 5 6; do printf 'import os\n\nx%d = 1\n' "$i" >"m$i.py"; done
  commit_all "six unused imports"
  wait_for_scan 60
  expect_rc 0 git autoloop drain --now --foreground
  local ids
  ids=$(git autoloop review --list --format json | pyjson '" ".join(str(f["id"]) for f in d if f["rule"] == "ruff/F401")')
  [ "$(wc -w <<<"$ids")" = 6 ] || fail "expected six ruff/F401 fixes, got: $ids"
  local args=()
  for i in $ids; do args+=(--reject "$i"); done
  expect_rc 0 git autoloop review "${args[@]}" --reason "we keep our imports"
  expect_rc 0 git autoloop rules --format json
  assert_eq "quarantined" "$(echo "$OUT" | pyjson '[r["state"] for r in d if r["id"] == "ruff/F401"][0]')" "state of ruff/F401"
  expect_rc 0 git autoloop rules
  assert_contains "$(echo "$OUT" | grep 'ruff/F401')" "quarantined"
  # --explain knows a provider rule: what verdicts taught, the tool, whether it is on, what the queue holds.
  expect_rc 0 git autoloop rules --explain ruff/F401
  assert_contains "$OUT" "rejected 6, reverted 0"
  assert_contains "$OUT" "tool:      ruff $(ruff_pin)"
  assert_contains "$OUT" "enabled:   yes"
  expect_rc 0 git autoloop rules --explain ruff/E711
  assert_contains "$OUT" "queue:     no findings of this rule yet"
  assert_contains "$OUT" "built-in:  python/compare-to-none finds the same"
  printf 'rules:\n  disable: [ruff/F]\n' >>"$(autoloop_dir)/config.yml"
  expect_rc 0 git autoloop rules --explain ruff/F401
  assert_contains "$OUT" "enabled:   no (switched off by rules.disable"
  expect_rc 6 git autoloop rules --explain ruf/F401
}


# --- the real tools, as install.sh --provider installs them (install.sh --test installs all three) -----

# real_provider_fix PROVIDER RULE FILE: with PROVIDER enabled and the files of the current directory
# committed through the hooks, the drain puts a fix of RULE in FILE on the side branch, through the gates,
# with its trailers; prints nothing, leaves the fix commit in $FIX.
real_provider_fix() {
  local provider=$1 rule=$2 file=$3 c
  printf 'providers: [%s]\n' "$provider" >.autoloop.yml
  commit_all "code for $provider"
  wait_for_scan 120
  # Within the hook's budget the finding is queued now; past it, the drain runs the provider first.
  expect_rc 0 git autoloop drain --now --foreground
  for c in $(side_commits); do
    case $(git log -1 --format=%s "$c") in "autoloop($rule): "*) git diff --quiet "$c~1" "$c" -- "$file" || FIX=$c ;; esac
  done
  [ -n "${FIX:-}" ] || fail "no $rule fix of $file on the side branch: $(git log --format=%s main..autoloop/main 2>&1); queue: $(queue_rows)"
  assert_fix_commit "$FIX"
  assert_contains "$(git log -1 --format='%(trailers:only,unfold)' "$FIX")" "Autoloop-Provider: $provider"
  assert_contains "$(git log -1 --format='%(trailers:only,unfold)' "$FIX")" "Autoloop-Rule: $rule"
}

real_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all base
  install_autoloop --no-config-file
  manual_drains "" "provider_budget: 5s"
}

test_real_ruff() {
  real_repo
  printf 'import os\n\nprint("hello")\n' >tool.py
  real_provider_fix ruff ruff/F401 tool.py
  assert_eq '
print("hello")' "$(git show "$FIX:tool.py")" "tool.py after ruff's fix"
  assert_eq 'import os' "$(head -n 1 tool.py)" "the user's tree is untouched"
}

test_real_biome() {
  real_repo
  printf 'let total = 1;\nexport default total;\n' >lib.js
  real_provider_fix biome biome/lint/style/useConst lib.js
  assert_eq 'const total = 1;
export default total;' "$(git show "$FIX:lib.js")" "lib.js after Biome's fix"
}

test_real_clang_tidy() {
  real_repo
  printf 'struct Base {\n  virtual ~Base() = default;\n  virtual int size() const { return 0; }\n};\n\nstruct Box : Base {\n  virtual int size() const { return 1; }\n};\n\nint box_size() { return Box().size(); }\n' >box.cpp
  printf '[{"directory": "%s", "file": "box.cpp", "command": "c++ -std=c++17 -c box.cpp"}]\n' "$PWD" >compile_commands.json
  real_provider_fix clang-tidy clang-tidy/modernize-use-override box.cpp
  assert_contains "$(git show "$FIX:box.cpp")" "int size() const override { return 1; }"
}

run_test "an unknown provider or a malformed budget is an error where it is written" test_unknown_provider_is_located
run_test "ruff through a stand-in: findings queued, a fix per finding on the side branch with its trailers" test_standin_findings_and_fixes
run_test "ruff missing: the commit and the built-in scan go on; status and doctor say why" test_missing_tool
run_test "ruff crashing: commit, hook and queue unharmed; status and doctor say why" test_crashing_tool
run_test "ruff printing garbage: commit, hook and queue unharmed; status and doctor say why" test_garbage_tool
run_test "ruff hanging: deferred to the drain past its budget; commit, hook and queue unharmed" test_hanging_tool
run_test "scan runs the enabled providers: findings the hook's run missed are queued" test_scan_runs_providers
run_test "rejecting a provider rule's fixes quarantines it" test_rejections_quarantine
run_test "ruff itself: an unused import queued and fixed on the side branch, through the gates" test_real_ruff
run_test "Biome itself: a let never reassigned queued and fixed on the side branch, through the gates" test_real_biome
run_test "clang-tidy itself, with a compile_commands.json: a missing override fixed on the side branch" test_real_clang_tidy
finish
