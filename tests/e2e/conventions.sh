#!/bin/bash
# Issue 16, item 6: conventions shared with git and linters. scan --exit-code, plurals, colour (--color,
# NO_COLOR, color.ui), the pager (GIT_PAGER, core.pager, PAGER, --no-pager) and a progress line, the last
# three only on a terminal: commands run on a pseudo-terminal here, and on pipes for "nothing changes".
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# on_tty CMD...: runs CMD with stdin, stdout and stderr on a pseudo-terminal; its output (both streams, as
# the terminal showed them) goes to OUT, its exit status to RC.
on_tty() {
  local o="$E2E_TEST_DIR/tty.out"
  if "$PYTHON" - "$@" >"$o" <<'PY'; then RC=0; else RC=$?; fi
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    # A terminal that can show colours, and no LESS from the caller (the tests set it where they mean to).
    os.environ["TERM"] = "xterm"
    os.environ.pop("LESS", None)
    os.environ.pop("NO_COLOR", None)
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
sys.stdout.write(out.decode(errors="replace"))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
PY
  OUT=$(cat "$o")
}

# A pager that says it ran (and with which LESS) in pager.log, then shows its input.
fake_pager() {
  cat >"$E2E_TEST_DIR/pager" <<'SH'
#!/bin/sh
echo "${1:-pager} LESS=$LESS" >>"$E2E_TEST_DIR/pager.log"
cat
SH
  chmod +x "$E2E_TEST_DIR/pager"
  export E2E_TEST_DIR
}
pager_calls() { cat "$E2E_TEST_DIR/pager.log" 2>/dev/null || true; }

# py NAME [OP]: a Python file with one python/compare-to-none finding (a warning) on line 2.
py() { printf 'def %s(x):\n    if x %s None:\n        return 1\n    return 2\n' "${1%.py}" "${2:-==}" >"$1"; }

ESC=$'\033'

test_scan_exit_code() {
  new_repo
  py warn.py
  printf 'value = eval(input())\n' >danger.py
  # A warning alone: reported, exit 0 with or without --exit-code; "1 finding", not "1 findings".
  expect_rc 0 git autoloop scan --exit-code warn.py
  assert_contains "$OUT" "[python/compare-to-none]"
  assert_contains "$OUT" "1 finding"
  assert_not_contains "$OUT" "1 findings"
  # An error fails the run with --exit-code only (code 1, as documented in the manual).
  expect_rc 0 git autoloop scan danger.py
  assert_contains "$OUT" "[python/eval-exec]"
  expect_rc 1 git autoloop scan --exit-code danger.py warn.py
  assert_contains "$OUT" "2 findings"
  expect_rc 1 git autoloop scan --exit-code --format json danger.py
  assert_eq "error" "$(printf '%s' "$OUT" | pyjson 'd[0]["severity"]')" "severity in JSON"
  # Nothing found: exit 0.
  printf 'x = 1\n' >clean.py
  expect_rc 0 git autoloop scan --exit-code clean.py
  assert_contains "$OUT" "0 findings"
  expect_rc 0 git autoloop help --man
  assert_contains "$OUT" 'severity error with scan \-\-exit\-code'
}

test_scan_all_counts_and_exit_code() {
  new_repo
  py one.py
  commit_all "one finding"
  install_autoloop --no-config-file
  manual_drains
  expect_rc 0 git autoloop scan --all --exit-code
  assert_contains "$OUT" "1 file scanned"
  assert_contains "$OUT" ", 1 finding, "
  printf 'value = eval(input())\n' >danger.py
  commit_all "an error"
  wait_for_scan
  expect_rc 1 git autoloop scan --all --exit-code
  assert_contains "$OUT" "2 files scanned"
  assert_contains "$OUT" ", 2 findings, "
}

test_progress_only_on_a_terminal() {
  new_repo
  local i
  for i in $(seq 1 30); do py "m$i.py"; done
  commit_all "thirty files"
  install_autoloop --no-config-file
  manual_drains
  wait_for_scan
  # Not a terminal: stderr carries no progress line.
  expect_rc 0 git autoloop scan --all
  assert_not_contains "$ERR" "scanning:"
  assert_eq "" "$ERR" "stderr of scan --all on a pipe"
  on_tty git autoloop scan --all
  assert_eq "0" "$RC" "scan --all on a terminal"
  assert_contains "$OUT" "scanning: 100% (30/30)"
  assert_contains "$OUT" "30 files scanned"
}

test_drain_progress_only_on_a_terminal() {
  one_finding
  py b.py
  commit_all "a second finding"
  wait_for_scan
  on_tty git autoloop drain --now --foreground --max 1
  assert_eq "0" "$RC" "drain on a terminal"
  assert_contains "$OUT" "drain: fix 1/1: python/compare-to-none"
  assert_contains "$OUT" "1 new fix"
  # Not a terminal: the same drain's stderr carries no progress line.
  expect_rc 0 git autoloop drain --now --foreground --max 1
  assert_not_contains "$ERR" "drain: fix"
}

# A repository with one python/compare-to-none finding in a.py, scanned, drains by hand only.
one_finding() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains
  py a.py
  commit_all "finding"
  wait_for_scan
}

# A repository with one fix waiting for review (its drain fixed python/compare-to-none in a.py).
one_pending_fix() {
  one_finding
  expect_rc 0 git autoloop drain --now --foreground
  expect_rc 0 git autoloop review --list
  assert_contains "$OUT" "1 fix waiting for review"
}

test_colour() {
  one_pending_fix
  # A pipe: no colour, as before.
  expect_rc 0 git autoloop review --list
  assert_not_contains "$OUT" "$ESC" "review --list on a pipe"
  # --color=always colours a pipe too.
  expect_rc 0 git autoloop --color=always review --list
  assert_contains "$OUT" "${ESC}[1m#" "review --list --color=always"
  # A terminal: coloured, unless NO_COLOR, color.ui=never or --color=never.
  on_tty git autoloop --no-pager review --list
  assert_contains "$OUT" "${ESC}[1m#" "review --list on a terminal"
  on_tty env NO_COLOR=1 git autoloop --no-pager review --list
  assert_not_contains "$OUT" "$ESC" "NO_COLOR=1"
  assert_contains "$OUT" "1 fix waiting for review"
  on_tty env NO_COLOR= git autoloop --no-pager review --list
  assert_contains "$OUT" "${ESC}[1m#" "NO_COLOR set but empty"
  on_tty git autoloop --no-pager --color=never review --list
  assert_not_contains "$OUT" "$ESC" "--color=never"
  on_tty env NO_COLOR=1 git autoloop --no-pager --color=always review --list
  assert_contains "$OUT" "${ESC}[1m#" "--color=always outweighs NO_COLOR"
  git config color.ui never
  on_tty git autoloop --no-pager review --list
  assert_not_contains "$OUT" "$ESC" "color.ui=never in the repository"
  on_tty git -c color.ui=always autoloop --no-pager review --list
  assert_contains "$OUT" "${ESC}[1m#" "git -c color.ui=always"
  git config --unset color.ui
  expect_rc 2 git autoloop --color=sometimes review --list
  assert_contains "$ERR" "sometimes"
}

test_pager() {
  one_finding
  fake_pager
  # On a pipe: never, even with a pager configured.
  PAGER="$E2E_TEST_DIR/pager" expect_rc 0 git autoloop queue
  assert_eq "" "$(pager_calls)" "pager calls on a pipe"
  assert_contains "$OUT" "1 opportunity"
  # On a terminal: PAGER, with LESS=FRX set for it; the output goes through it.
  on_tty env -u GIT_PAGER PAGER="$E2E_TEST_DIR/pager" git autoloop queue
  assert_eq "0" "$RC" "queue through the pager"
  assert_contains "$OUT" "[python/compare-to-none]"
  assert_eq "pager LESS=FRX" "$(pager_calls)" "PAGER ran once"
  # git's order: core.pager before PAGER, GIT_PAGER before both; an empty one means none. (lib.sh exports
  # GIT_PAGER=cat: unset it here.)
  rm -f "$E2E_TEST_DIR/pager.log"
  git config core.pager "$E2E_TEST_DIR/pager core"
  on_tty env -u GIT_PAGER PAGER="$E2E_TEST_DIR/pager" LESS=X git autoloop rules
  assert_eq "core LESS=X" "$(pager_calls)" "core.pager (LESS as the user set it)"
  rm -f "$E2E_TEST_DIR/pager.log"
  on_tty env GIT_PAGER="$E2E_TEST_DIR/pager git" git autoloop help queue
  assert_eq "git LESS=FRX" "$(pager_calls)" "GIT_PAGER first"
  assert_contains "$OUT" "--status"
  rm -f "$E2E_TEST_DIR/pager.log"
  on_tty env GIT_PAGER= git autoloop report
  assert_eq "" "$(pager_calls)" "an empty GIT_PAGER"
  # --no-pager, and commands that do not page (JSON, status).
  on_tty env -u GIT_PAGER git autoloop --no-pager queue
  assert_eq "" "$(pager_calls)" "--no-pager"
  assert_contains "$OUT" "1 opportunity"
  on_tty env -u GIT_PAGER git autoloop queue --format json
  on_tty env -u GIT_PAGER git autoloop status
  assert_eq "" "$(pager_calls)" "queue --format json and status"
  on_tty env -u GIT_PAGER git autoloop report
  assert_eq "core LESS=FRX" "$(pager_calls)" "report's text"
}

# validate_json SCHEMA FILE: FILE validates against tests/schemas/SCHEMA (draft-07, python3-jsonschema).
validate_json() {
  "$PYTHON" - "$AUTOLOOP_SOURCE_DIR/tests/schemas/$1" "$2" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
errors = list(jsonschema.Draft7Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
for e in errors[:10]:
    print("/".join(str(p) for p in e.path), e.message, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
}

test_config_json() {
  new_repo
  install_autoloop --no-config-file
  expect_rc 0 git autoloop -c scan.threads=3 config --format json
  printf '%s' "$OUT" >config.json
  validate_json config.schema.json config.json || fail "config --format json does not follow its schema"
  assert_eq "3 command line False" \
    "$(pyjson '" ".join(str(v) for e in d["values"] if e["key"] == "scan.threads" for v in (e["value"], e["origin"], e["default"]))' <config.json)" \
    "scan.threads in JSON"
  expect_rc 0 git autoloop -c scan.threads=3 config --format json --changed
  # (lib.sh sets one value through the environment: the suite's, not the built-in default.)
  assert_eq '[["scan.threads", false]]' \
    "$(printf '%s' "$OUT" | pyjson '[[e["key"], e["default"]] for e in d["values"] if e["key"].startswith("scan.")]')" \
    "--changed in JSON"
  assert_eq "[]" "$(printf '%s' "$OUT" | pyjson '[e["key"] for e in d["values"] if e["default"]]')" "--changed: no defaults"
  printf '{"values": [{"key": "a"}]}' >bad.json
  if validate_json config.schema.json bad.json 2>/dev/null; then fail "the schema accepts an entry without value"; fi
  expect_rc 2 git autoloop config --format yaml
}

test_drain_json() {
  one_finding
  expect_rc 0 git autoloop drain --now --foreground --format json
  printf '%s' "$OUT" >drain.json
  validate_json drain.schema.json drain.json || fail "drain --format json does not follow its schema: $OUT"
  assert_eq "done 1 0 refs/heads/autoloop/main" \
    "$(pyjson '" ".join(str(d[k]) for k in ("outcome", "applied", "failed", "side_ref"))' <drain.json)" "the cycle in JSON"
  # The second drain keeps the fix and proposes nothing new, and says why.
  expect_rc 0 git autoloop drain --now --foreground --format json
  printf '%s' "$OUT" >drain2.json
  validate_json drain.schema.json drain2.json || fail "second drain's JSON: $OUT"
  assert_eq "done 0 1" "$(pyjson '" ".join(str(d[k]) for k in ("outcome", "applied", "kept"))' <drain2.json)" "second cycle"
  assert_ne "[]" "$(pyjson 'd["idle"]' <drain2.json)" "why nothing new was proposed"
  printf '{"outcome": "done"}' >bad.json
  if validate_json drain.schema.json bad.json 2>/dev/null; then fail "the drain schema accepts a bare outcome"; fi
}

test_doctor_json() {
  new_repo
  install_autoloop --no-config-file
  expect_rc 0 git autoloop doctor --format json
  printf '%s' "$OUT" >doctor.json
  validate_json doctor.schema.json doctor.json || fail "doctor --format json does not follow its schema: $OUT"
  assert_eq "0" "$(pyjson 'd["problems"]' <doctor.json)" "problems"
  assert_eq '["hooks", "merge driver", "configuration", "grammars and rules", "database"]' \
    "$(pyjson '[s["name"] for s in d["sections"]]' <doctor.json)" "sections"
  # A missing hook: a failure with its fix, exit 1, as in text.
  rm "$(hooks_dir)/post-commit"
  expect_rc 1 git autoloop doctor --format json
  printf '%s' "$OUT" >doctor.json
  validate_json doctor.schema.json doctor.json || fail "doctor --format json with a problem: $OUT"
  assert_eq "1" "$(pyjson 'd["problems"]' <doctor.json)" "problems with a missing hook"
  assert_contains "$(pyjson '[c.get("fix", "") for s in d["sections"] for c in s["checks"] if c["status"] == "fail"][0]' <doctor.json)" \
    "git autoloop install"
  expect_rc 1 git autoloop doctor
  assert_contains "$OUT" "  FAIL  post-commit"
  assert_contains "$OUT" "1 problem found"
}

test_status_json() {
  one_pending_fix
  expect_rc 0 git autoloop status
  local text=$OUT
  expect_rc 0 git autoloop status --format json
  printf '%s' "$OUT" >status.json
  validate_json status.schema.json status.json || fail "status --format json does not follow its schema: $OUT"
  assert_eq "running 4 1 0" \
    "$(pyjson '" ".join(str(d[k]) for k in ("loop", "hooks_installed", "pending_fixes", "pending_events"))' <status.json)" "facts"
  assert_eq "1" "$(pyjson 'd["queue"]["applied"]' <status.json)" "queue counts"
  # The lines are the text output's, label and text.
  assert_eq "$text" "$(pyjson '"\n".join(("%-12s%s" % (l["label"] + ":", l["text"])) for l in d["lines"])' <status.json)" \
    "lines of the JSON against the text"
  git autoloop stop >/dev/null
  expect_rc 0 git autoloop status --format json
  assert_eq "stopped" "$(printf '%s' "$OUT" | pyjson 'd["loop"]')" "loop after stop"
}

# validate_rows SCHEMA FILE EXPR: each element of EXPR (over the JSON `d` of FILE) validates against SCHEMA.
validate_rows() {
  "$PYTHON" - "$AUTOLOOP_SOURCE_DIR/tests/schemas/$1" "$2" "$3" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
d = json.load(open(sys.argv[2]))
rows = eval(sys.argv[3])
errors = [e for row in rows for e in jsonschema.Draft7Validator(schema).iter_errors(row)]
for e in errors[:10]:
    print("/".join(str(p) for p in e.path), e.message, file=sys.stderr)
sys.exit(1 if errors or not rows else 0)
PY
}

test_one_finding_schema() {
  one_pending_fix
  git autoloop queue --status all --format json >queue.json
  validate_rows finding.schema.json queue.json 'd' || fail "queue rows against finding.schema.json"
  git autoloop review --list --format json >review.json
  validate_rows finding.schema.json review.json '[f["finding"] for f in d]' || fail "review --list findings"
  # The same finding, the same object.
  assert_eq "$(pyjson '[r for r in d if r["status"] == "applied"]' <queue.json)" \
    "$(pyjson '[f["finding"] for f in d]' <review.json)" "review's finding against queue's row"
  git autoloop scan --format json a.py >scan.json
  validate_rows finding.schema.json scan.json 'd' || fail "scan rows against finding.schema.json"
  printf '[{"id": 1}]' >bad.json
  if validate_rows finding.schema.json bad.json 'd' 2>/dev/null; then fail "the finding schema accepts a bare id"; fi
}

run_test "scan --exit-code fails on error findings only; 1 finding, 2 findings" test_scan_exit_code
run_test "scan --all: counts in the singular and --exit-code" test_scan_all_counts_and_exit_code
run_test "scan --all shows a progress line on a terminal only" test_progress_only_on_a_terminal
run_test "drain shows its steps on a terminal only" test_drain_progress_only_on_a_terminal
run_test "colour: --color, NO_COLOR, color.ui, a terminal" test_colour
run_test "pager: GIT_PAGER, core.pager, PAGER, --no-pager, a terminal only" test_pager
run_test "config --format json: one object, its schema" test_config_json
run_test "drain --format json: one object, its schema" test_drain_json
run_test "doctor --format json: one object, its schema" test_doctor_json
run_test "status --format json: one object, its schema, the text's lines" test_status_json
run_test "queue, scan and review --list share one finding row" test_one_finding_schema
finish
