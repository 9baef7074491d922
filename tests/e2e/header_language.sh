#!/bin/bash
# C vs C++ headers (issue 12): a `.h` is parsed as C++ when the repository has C++ sources or the header
# itself shows C++ syntax, as C otherwise. The same header with a C-style cast gets cpp/c-style-cast in a
# C++ project and nothing in a C project (where the cast is the language's only cast).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A header that shows no C++ of its own: only the rest of the repository can tell its language.
write_header() {
  printf '#ifndef CONVERT_H\n#define CONVERT_H\nstatic inline int to_int(double d) { return (int)d; }\n#endif\n' >convert.h
}

test_header_in_a_cpp_project_gets_cpp_rules() {
  new_repo
  install_autoloop
  write_header
  printf '#include "convert.h"\nint main() { return to_int(2.5); }\n' >main.cpp
  commit_all "a C++ project with a header"
  wait_for_scan
  assert_eq "cpp/c-style-cast convert.h:3 open new=true" "$(queue_rows)" "the header is C++: its cast is reported"
}

test_header_in_a_c_project_is_c() {
  new_repo
  install_autoloop
  write_header
  printf '#include "convert.h"\nint main(void) { return to_int(2.5); }\n' >main.c
  commit_all "a C project with the same header"
  wait_for_scan
  assert_eq "" "$(queue_rows)" "the header is C: no C++ rule applies"
  # The header's own C++ syntax makes it C++ even there.
  printf '#ifndef CONVERT_H\n#define CONVERT_H\nnamespace conv {\ninline int to_int(double d) { return (int)d; }\n}\n#endif\n' >convert.h
  commit_all "the header turns C++"
  wait_for_scan
  assert_eq "cpp/c-style-cast convert.h:4 open new=true" "$(queue_rows)" "a header with C++ syntax is C++"
}

run_test "a .h in a repository with C++ sources is parsed as C++ and gets C++ rules" test_header_in_a_cpp_project_gets_cpp_rules
run_test "a .h in a C-only repository is C, unless it shows C++ syntax itself" test_header_in_a_c_project_is_c
finish
