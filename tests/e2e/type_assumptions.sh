#!/bin/bash
# Fixes that assume a type (issue 11): where the code does not establish a rule's assumption, the finding
# is queued as a suggestion with its reason and never committed, even at safety_level medium with passing
# tests; where the code shows the type, the same rule still fixes.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

drain_repo() {
  new_repo
  printf 'readme\n' >README
  commit_all "base"
  install_autoloop --no-config-file
  manual_drains "$@"
}

finding_at() { db_query "SELECT id FROM opportunities WHERE rule_id = '$1' AND path = '$2' AND start_line = $3"; }

test_dict_update_protocol_is_not_fixed() {
  drain_repo
  # The break that motivated the check: E has keys() and __getitem__, maybe no __iter__.
  cat >store.py <<'EOF'
class Store(dict):
    def update(self, E=None, **F):
        if E is not None:
            for k in E.keys():
                self[k] = E[k]


def names():
    table = {'a': 1}
    return [k for k in table.keys()]
EOF
  commit_all "the dict.update protocol and a real dict"
  wait_for_scan
  local protocol real
  protocol=$(finding_at python/dict-keys-iteration store.py 4)
  real=$(finding_at python/dict-keys-iteration store.py 10)
  [ -n "$protocol" ] && [ -n "$real" ] || fail "findings missing: $(queue_rows)"
  assert_eq "suggest" "$(db_query "SELECT safety FROM opportunities WHERE id = $protocol")" "safety of E.keys()"
  assert_eq "unsafe" "$(db_query "SELECT safety FROM opportunities WHERE id = $real")" "safety of table.keys()"

  expect_rc 0 git autoloop -c autonomous_loop.safety_level=medium -c test_command=true drain --now --foreground
  assert_eq "$real" "$(side_opportunities)" "fixed at safety_level medium with tests"
  assert_eq "open" "$(opportunity_status "$protocol")" "the dict.update finding"
  assert_contains "$(git show autoloop/main:store.py)" "            for k in E.keys():"
  assert_contains "$(git show autoloop/main:store.py)" "return [k for k in table]"
  # The reason is in the queue.
  expect_rc 0 git autoloop queue
  assert_contains "$OUT" "suggestion only: the fix assumes \`E\` is a real dict"
  # safety_level low records suggestions but never commits them either.
  expect_rc 0 git autoloop -c autonomous_loop.safety_level=low -c test_command=true drain --now --foreground
  assert_eq "$real" "$(side_opportunities)" "fixed at safety_level low"
  assert_eq "open" "$(opportunity_status "$protocol")" "the dict.update finding at low"
}

test_none_comparison_that_builds_sql_is_not_fixed() {
  drain_repo
  printf 'def find(session, User, x):\n    if x == None:\n        return []\n    return session.query(User).filter(User.email == None).all()\n' >q.py
  commit_all "a condition and a SQLAlchemy filter"
  wait_for_scan
  local condition filter
  condition=$(finding_at python/compare-to-none q.py 2)
  filter=$(finding_at python/compare-to-none q.py 4)
  [ -n "$condition" ] && [ -n "$filter" ] || fail "findings missing: $(queue_rows)"
  expect_rc 0 git autoloop -c test_command=true drain --now --foreground
  assert_eq "$condition" "$(side_opportunities)" "fixed at safety_level high"
  assert_eq "open" "$(opportunity_status "$filter")" "the filter finding"
  assert_contains "$(git show autoloop/main:q.py)" "if x is None:"
  assert_contains "$(git show autoloop/main:q.py)" "filter(User.email == None)"
}

run_test "dict.update protocol: E.keys() is a suggestion, never fixed; a real dict's is fixed" test_dict_update_protocol_is_not_fixed
run_test "filter(User.email == None) is a suggestion; an if test is fixed" test_none_comparison_that_builds_sql_is_not_fixed
finish
