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

# cJSON's layout: the Unity test framework copied in under tests/unity/ (src/unity.c, its header, its
# generator scripts), beside the project's own tests, which are scanned.
test_unity_copy_under_tests_is_vendored() {
  new_repo
  install_autoloop
  mkdir -p src tests/unity/src tests/unity/auto
  printf '#include <stdlib.h>\nchar *make(void) {\n  char *p = malloc(4);\n  p[0] = 0;\n  return p;\n}\n' >src/make.c
  printf '#include <stdlib.h>\nvoid grow(void) {\n  char *buf = malloc(16);\n  buf[0] = 1;\n  free(buf);\n}\n' >tests/unity/src/unity.c
  printf '#ifndef UNITY_H\n#define UNITY_H\nvoid UnityBegin(const char *file);\n#endif\n' >tests/unity/src/unity.h
  printf 'def runner(name):\n    if name == None:\n        return ""\n    return name\n' >tests/unity/auto/generate_test_runner.py
  printf '#include <stdlib.h>\n#include "unity/src/unity.h"\nvoid test_make(void) {\n  char *q = malloc(2);\n  q[1] = 0;\n}\n' >tests/test_make.c
  commit_all "a C project with Unity copied into its tests"
  wait_for_scan
  assert_eq "c/malloc-without-check src/make.c:3 open new=true
c/malloc-without-check tests/test_make.c:4 open new=true" "$(queue_rows)" "the project's code and its own tests are queued, Unity is not"
  expect_rc 0 git autoloop scan
  assert_contains "$OUT" "3 files skipped as vendored or generated ("
  assert_contains "$OUT" "vendored: copy of unity in tests/unity/"
  assert_not_contains "$OUT" "tests/unity/src/unity.c:"
  assert_not_contains "$OUT" "generate_test_runner.py:"
}

run_test "vendored and generated files are skipped and reported; include_vendored brings one back" test_vendored_and_generated_are_skipped
run_test "the Unity framework copied under tests/unity/ is vendored; the project's own tests are scanned" test_unity_copy_under_tests_is_vendored
run_test "linguist-vendored=false in .gitattributes forces a file to be scanned" test_gitattributes_false_forces_a_scan
finish
