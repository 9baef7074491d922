#!/bin/bash
# Vendored and generated code is neither queued nor fixed: a copied-in single-header library, doxygen's
# output, a file .gitattributes marks linguist-generated. `scan` and `status` say what was skipped and
# why; scan.include_vendored brings a file back.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

write_tree() {
  mkdir -p src tests docs/html gen
  printf 'import os\n\nif os.environ.get("HOME") == None:\n    print("no home")\n' >src/app.py
  # A catch.hpp-like single header copied into the tests, with findings a C++ rule reports.
  printf '#pragma once\nnamespace Catch {\nint* current = NULL;\ninline int to_int(double d) { return (int)d; }\n}\n' >tests/catch.hpp
  printf '#include "catch.hpp"\nint main() { return 0; }\n' >tests/main.cpp
  # Doxygen's HTML output: a stylesheet beside scripts.
  printf '/* doxygen */\nbody { color: black; }\n' >docs/html/doxygen.css
  printf 'function toggle(a, b) {\n  if (a == b) { return 1; }\n  return 0;\n}\n' >docs/html/tabs.js
  # A file the repository itself marks as generated.
  printf 'gen/** linguist-generated\n' >.gitattributes
  printf 'def check(v):\n    if v == None:\n        return 0\n' >gen/parser.py
}

test_vendored_and_generated_are_skipped() {
  new_repo
  install_autoloop
  write_tree
  commit_all "a project with vendored and generated files"
  wait_for_scan
  assert_eq "python/compare-to-none src/app.py:3 open new=true" "$(queue_rows)" "only the project's own file is queued"
  assert_contains "$(db_query "select detail from runs where kind = 'scan' order by id desc limit 1")" "vendored=3" "scan run detail"

  expect_rc 0 git autoloop scan
  assert_contains "$OUT" "3 files skipped as vendored or generated ("
  assert_contains "$OUT" "vendored: third-party single file catch.hpp: 1"
  assert_contains "$OUT" "generated: doxygen output: 1"
  assert_contains "$OUT" "generated: .gitattributes linguist-generated: 1"
  assert_not_contains "$OUT" "tests/catch.hpp:"

  expect_rc 0 git autoloop status
  assert_contains "$OUT" "skipped:    3 files skipped as vendored or generated ("
  assert_contains "$OUT" "generated: doxygen output: 1"

  # The user's override: the header is scanned again (a whole-tree scan queues what it finds).
  mkdir -p "$(autoloop_dir)"
  printf 'scan:\n  include_vendored: ["tests/catch.hpp"]\n' >"$(autoloop_dir)/config.yml"
  expect_rc 0 git autoloop scan --all
  assert_contains "$OUT" "2 files skipped as vendored or generated ("
  assert_contains "$(queue_rows)" "cpp/null-to-nullptr tests/catch.hpp:3 open new=false" "rows after include_vendored"
  assert_not_contains "$(queue_rows)" "docs/html/tabs.js" "rows after include_vendored"
  expect_rc 0 git autoloop status
  assert_contains "$OUT" "skipped:    2 files skipped as vendored or generated ("
}

test_gitattributes_false_forces_a_scan() {
  new_repo
  install_autoloop
  mkdir -p external/ours
  printf 'if a == None:\n    pass\n' >external/ours/mod.py
  printf 'if b == None:\n    pass\n' >external/theirs.py
  printf 'external/ours/** linguist-vendored=false\n' >.gitattributes
  commit_all "an external/ directory that is partly the project's own"
  wait_for_scan
  assert_eq "python/compare-to-none external/ours/mod.py:1 open new=true" "$(queue_rows)" "queue rows"
}

run_test "vendored and generated files are skipped and reported; include_vendored brings one back" test_vendored_and_generated_are_skipped
run_test "linguist-vendored=false in .gitattributes forces a file to be scanned" test_gitattributes_false_forces_a_scan
finish
