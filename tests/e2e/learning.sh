#!/bin/bash
# The feedback loop (issue 4): verdicts re-weight the rules. A seeded, deterministic reviewer accepts rule A's
# fixes 95% of the time and rejects rule B's 85% of the time; over 15 cycles of drain + review the share of
# proposed fixes that are accepted rises to >= 90% over the last five cycles and rule B ends quarantined (still
# scanned, never applied). Also: a revert counts against its rule, a finding fixed by hand counts as
# fixed-by-human, `rules --reset` lifts a quarantine.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# learning_repo A_FILES B_FILES: A_FILES Python files with five python/compare-to-none findings each (one per
# function, so no two fixes share a function) and B_FILES JavaScript files with five javascript/no-debugger ones.
learning_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains "max_improvements_per_cycle: 4"
  local i j
  for i in $(seq 1 "$1"); do
    for j in 1 2 3 4 5; do printf 'def f%d(x):\n    if x == None:\n        return %d\n    return 0\n\n\n' "$j" "$j"; done >"a$i.py"
  done
  for i in $(seq 1 "$2"); do
    for j in 1 2 3 4 5; do printf 'function g%d(x) {\n  debugger;\n  return x + %d;\n}\n\n' "$j" "$j"; done >"b$i.js"
  done
  commit_all "findings"
  wait_for_scan
}

test_acceptance_rises_and_the_noisy_rule_is_quarantined() {
  learning_repo 14 6
  "$PYTHON" - <<'PY' >curve.txt || fail "the reviewer script failed: $(cat curve.txt)"
import json, random, subprocess

rng = random.Random(20261126)
accept_rate = {"python/compare-to-none": 0.95, "javascript/no-debugger": 0.15}

def autoloop(*args):
    return subprocess.run(["git", "autoloop", *args], check=True, capture_output=True, text=True).stdout

rows = []
for cycle in range(1, 16):
    autoloop("drain", "--now", "--foreground")
    fixes = json.loads(autoloop("review", "--list", "--format", "json"))
    accept = [f["id"] for f in fixes if rng.random() < accept_rate[f["rule"]]]
    reject = [f["id"] for f in fixes if f["id"] not in accept]
    args = ["review"]
    for i in accept: args += ["--accept", str(i)]
    for i in reject: args += ["--reject", str(i)]
    if reject: args += ["--reason", "not what we want"]
    if fixes: autoloop(*args)
    by_rule = {}
    for f in fixes: by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
    rows.append((cycle, len(fixes), len(accept), by_rule))
    print("cycle %2d: %d proposed, %d accepted (%3.0f%%)  %s" % (
        cycle, len(fixes), len(accept), 100.0 * len(accept) / max(1, len(fixes)),
        ", ".join("%s x%d" % kv for kv in sorted(by_rule.items()))))
first5, last5 = rows[:5], rows[-5:]
f5, fa5 = sum(r[1] for r in first5), sum(r[2] for r in first5)
p5, a5 = sum(r[1] for r in last5), sum(r[2] for r in last5)
print("first five cycles: %d of %d accepted (%.0f%%); last five cycles: %d of %d accepted (%.0f%%)" % (
    fa5, f5, 100.0 * fa5 / max(1, f5), a5, p5, 100.0 * a5 / max(1, p5)))
print("RESULT %d %d %d %d %s" % (f5, fa5, p5, a5, " ".join(str(r[1]) for r in last5)))
PY
  sed 's/^/     /' curve.txt
  local result first_proposed first_accepted p5 a5 n
  result=$(grep '^RESULT' curve.txt)
  read -r _ first_proposed first_accepted p5 a5 _ <<<"$result"
  [ "$first_proposed" -gt 0 ] || fail "the first five cycles proposed nothing"
  for n in $(echo "$result" | cut -d' ' -f6-); do [ "$n" -gt 0 ] || fail "a cycle among the last five proposed nothing: $result"; done
  # >= 90% over the last five cycles, and above where it started.
  [ $((a5 * 100)) -ge $((p5 * 90)) ] || fail "last five cycles accepted $a5 of $p5 (< 90%)"
  [ $((a5 * first_proposed)) -gt $((first_accepted * p5)) ] || fail "acceptance did not rise: first five cycles $first_accepted/$first_proposed, last five $a5/$p5"

  local rules
  rules=$(git autoloop rules --format json)
  assert_eq "quarantined" "$(echo "$rules" | pyjson '[r["state"] for r in d if r["id"] == "javascript/no-debugger"][0]')" "state of rule B"
  assert_ne "quarantined" "$(echo "$rules" | pyjson '[r["state"] for r in d if r["id"] == "python/compare-to-none"][0]')" "state of rule A"
  # Quarantined: still scanned and reported (open findings stay in the queue), never applied.
  [ "$(db_query "SELECT count(*) FROM opportunities WHERE rule_id = 'javascript/no-debugger' AND status = 'open'")" -gt 0 ] \
    || fail "no open findings of the quarantined rule are left in the queue"
  expect_rc 0 git autoloop drain --now --foreground
  assert_eq "" "$(git autoloop review --list --format json | pyjson '[f["id"] for f in d if f["rule"] == "javascript/no-debugger"] or ""')" "fixes of the quarantined rule"
  run_cmd git autoloop rules
  assert_contains "$OUT" "javascript/no-debugger" "rules list"
  assert_contains "$(echo "$OUT" | grep 'javascript/no-debugger')" "quarantined" "rules list"
  run_cmd git autoloop status
  assert_contains "$OUT" "quarantine: javascript/no-debugger" "status"
  assert_contains "$OUT" "learnt:" "status shows the strategy changes"
  # Every change of strategy was logged with its reason.
  assert_contains "$(db_query "SELECT reason FROM strategy_changes WHERE subject = 'rule:javascript/no-debugger'")" "quarantined" "strategy log"

  # The report tells the same story: the quarantined rule, the strategy log; valid JSON.
  expect_rc 0 git autoloop report --format json --output r.json
  validate_report_json r.json || fail "the JSON report does not validate against docs/report.schema.json"
  assert_eq "quarantined" "$(pyjson '[r["state"] for r in d["learning"]["rules"] if r["rule"] == "javascript/no-debugger"][0]' <r.json)" "report: state of rule B"
  assert_contains "$(pyjson '" | ".join(c["reason"] for c in d["learning"]["changes"])' <r.json)" "quarantined" "report: strategy changes"
  run_cmd git autoloop report
  assert_contains "$OUT" "quarantined  javascript/no-debugger" "text report"
  run_cmd git autoloop report --format prometheus
  assert_contains "$OUT" "autoloop_rules_quarantined 1" "prometheus report"
  assert_contains "$OUT" 'autoloop_rule_acceptance{rule="javascript/no-debugger",state="quarantined"}' "prometheus report"

  # rules --reset lifts the quarantine: the rule's fixes are proposed again.
  expect_rc 0 git autoloop rules --reset javascript/no-debugger
  assert_eq "learning" "$(git autoloop rules --format json | pyjson '[r["state"] for r in d if r["id"] == "javascript/no-debugger"][0]')" "state after reset"
  git autoloop review --reject $(git autoloop review --list --format json | pyjson '" ".join(str(f["id"]) for f in d)') >/dev/null 2>&1 || true
  expect_rc 0 git autoloop drain --now --foreground
  assert_contains "$(git autoloop review --list --format json | pyjson '" ".join(f["rule"] for f in d)')" "javascript/no-debugger" "fixes after the reset"
  expect_rc 6 git autoloop rules --reset no/such-rule
  assert_contains "$ERR" "no rule 'no/such-rule'"
}

test_revert_counts_against_the_rule_and_hand_fixes_count_as_fixed_by_human() {
  learning_repo 1 0
  expect_rc 0 git autoloop drain --now --foreground --max 1
  local id
  id=$(git autoloop review --list --format json | pyjson 'd[0]["id"]')
  expect_rc 0 git autoloop review --accept "$id"
  git revert --no-edit HEAD >/dev/null
  # git's sequencer is still busy when post-commit runs, so the hook defers the entry: wait until the
  # worker took it after all.
  local waited=0
  while [ "$(spool_count)" != 0 ] && [ $waited -lt 200 ]; do sleep 0.05; waited=$((waited + 1)); done
  wait_for_scan
  local counts
  counts=$(git autoloop rules --format json | pyjson '[r["counts"] for r in d if r["id"] == "python/compare-to-none"][0]')
  assert_eq "1" "$(echo "$counts" | pyjson 'd["reverted"]')" "reverted fixes of the rule"
  assert_eq "1" "$(echo "$counts" | pyjson 'd["accepted"]')" "accepted fixes of the rule"
  assert_eq "reverted" "$(opportunity_status "$id")" "status of the reverted finding"
  # A person fixes two of the other findings by hand.
  "$PYTHON" - <<'PY'
src = open("a1.py").read()
parts = src.split("def ")
for i, p in enumerate(parts):
    if p.startswith("f3(") or p.startswith("f4("):
        parts[i] = p.replace("== None", "is None")
open("a1.py", "w").write("def ".join(parts))
PY
  commit_all "fix two by hand"
  wait_for_scan
  counts=$(git autoloop rules --format json | pyjson '[r["counts"] for r in d if r["id"] == "python/compare-to-none"][0]')
  assert_eq "2" "$(echo "$counts" | pyjson 'd["fixed_by_human"]')" "findings fixed by hand"
  # The reverted fix is never proposed again.
  git autoloop review --reject $(git autoloop review --list --format json | pyjson '" ".join(str(f["id"]) for f in d)') >/dev/null 2>&1 || true
  expect_rc 0 git autoloop drain --now --foreground
  assert_not_contains " $(git autoloop review --list --format json | pyjson '" ".join(str(f["id"]) for f in d)') " " $id " "fixes after the revert"
}

run_test "the acceptance rate rises to >= 90% and the noisy rule ends quarantined" test_acceptance_rises_and_the_noisy_rule_is_quarantined
run_test "a revert counts against its rule; a hand fix counts as fixed-by-human" test_revert_counts_against_the_rule_and_hand_fixes_count_as_fixed_by_human
finish
