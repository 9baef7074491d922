#include "scan/checks.hpp"

#include <catch2/catch.hpp>

#include "../support/scan_support.hpp"

#include <set>
#include <string>
#include <vector>

using scan::Engine;
using scan::FileContext;
using scan::Finding;
using scan::Rule;

using test_support::digest;
using test_support::lang;

namespace {


Rule checked_rule(const std::string& language, const std::string& query, const std::string& check) {
  Rule r;
  r.id = "t/" + check;
  r.languages = {language};
  r.category = "code_quality";
  r.message = "m";
  r.query = query;
  r.check = check;
  r.source = "test";
  return r;
}

std::vector<int> lines_of(const std::vector<Finding>& findings) {
  std::vector<int> out;
  for (const auto& f : findings) out.push_back(f.start_line);
  return out;
}

// A file context for a changed, non-test file (the defaults) at `path`.
FileContext context(const std::string& path = "pkg/mod.py") {
  FileContext c;
  c.path = path;
  return c;
}

const char* k_functions =
    "def parse(x):\n"      // 1
    "    return x\n"       // 2
    "\n"                   // 3
    "def _private():\n"    // 4
    "    pass\n"           // 5
    "\n"                   // 6
    "def helper(y):\n"     // 7
    "    return y\n";      // 8

} // namespace

TEST_CASE("run_check inside-loop") {
  SECTION("Python: kept inside a loop, dropped outside, and a function boundary stops the search") {
    const char* src =
        "s = ''\n"                    // 1
        "s += 'a'\n"                  // 2: not in a loop
        "for i in x:\n"               // 3
        "    s += 'b'\n"              // 4: in a loop
        "    def g():\n"              // 5
        "        t += 'c'\n"          // 6: in a function defined in a loop
        "while y:\n"                  // 7
        "    if z:\n"                 // 8
        "        s += 'd'\n"          // 9: in a loop, below an if
        "def h():\n"                  // 10
        "    for j in x:\n"           // 11
        "        u += 'e'\n";         // 12: in a loop inside a function
    Engine engine({checked_rule("python", "(augmented_assignment) @match", "inside-loop")});
    auto findings = engine.scan(lang("python"), src).findings;
    CHECK(lines_of(findings) == std::vector<int>{4, 9, 12});
    for (const auto& f : findings) CHECK(f.deferred_check.empty());
  }

  SECTION("C++: range-for, while and do loops count; a lambda in a loop is a boundary") {
    const char* src =
        "void f(std::vector<int> v) {\n"              // 1
        "  int s = 0;\n"                              // 2
        "  s += 1;\n"                                 // 3
        "  for (int x : v) { s += x; }\n"             // 4
        "  while (s) { s -= 1; }\n"                   // 5
        "  do { s += 2; } while (false);\n"           // 6
        "  for (;;) { auto l = [&] { s += 3; }; }\n"  // 7
        "}\n";
    Engine engine({checked_rule("cpp", "(assignment_expression) @match", "inside-loop")});
    CHECK(lines_of(engine.scan(lang("cpp"), src).findings) == std::vector<int>{4, 5, 6});
  }
}

TEST_CASE("run_check outside-tests") {
  Engine engine({checked_rule("python", "(assert_statement) @match", "outside-tests")});
  const std::string src = "assert x > 0\n";
  auto findings = engine.scan(lang("python"), src).findings;
  REQUIRE(findings.size() == 1);

  SECTION("the matcher defers the check (its results must not depend on the path)") {
    CHECK(findings[0].deferred_check == "outside-tests");
  }

  SECTION("apply_context keeps it in a non-test file") {
    CHECK(scan::apply_context(findings, src, context("pkg/mod.py")).size() == 1);
  }

  SECTION("apply_context drops it in a test file") {
    FileContext c = context("tests/test_mod.py");
    c.is_test_file = true;
    CHECK(scan::apply_context(findings, src, c).empty());
  }
}

TEST_CASE("run_check untested-public-function") {
  Engine engine({checked_rule("python", "(module (function_definition name: (identifier) @name) @match)",
                              "untested-public-function")});
  auto findings = engine.scan(lang("python"), k_functions).findings;

  SECTION("the matcher drops private functions and records the subject and its lines") {
    REQUIRE(findings.size() == 2);
    CHECK(findings[0].subject == "parse");
    CHECK(findings[0].subject_start_line == 1);
    CHECK(findings[0].subject_end_line == 2);
    CHECK(findings[1].subject == "helper");
    CHECK(findings[1].subject_start_line == 7);
    CHECK(findings[1].subject_end_line == 8);
    for (const auto& f : findings) CHECK(f.deferred_check == "untested-public-function");
  }

  SECTION("kept only for functions no test references; the callback is asked by name") {
    std::set<std::string> asked;
    FileContext c = context();
    c.referenced_by_tests = [&](const std::string& name) {
      asked.insert(name);
      return name == "parse";
    };
    auto kept = scan::apply_context(findings, k_functions, c);
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].subject == "helper");
    CHECK(asked == std::set<std::string>{"parse", "helper"});
  }

  SECTION("silent when the repository has no tests (no callback)") {
    CHECK(scan::apply_context(findings, k_functions, context()).empty());
  }

  SECTION("silent in a test file") {
    FileContext c = context("tests/test_mod.py");
    c.is_test_file = true;
    c.referenced_by_tests = [](const std::string&) { return false; };
    CHECK(scan::apply_context(findings, k_functions, c).empty());
  }

  SECTION("with changed lines, only functions that overlap them") {
    FileContext c = context();
    c.referenced_by_tests = [](const std::string&) { return false; };
    c.all_lines_changed = false;
    c.changed_lines = {{8, 8}};
    auto kept = scan::apply_context(findings, k_functions, c);
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].subject == "helper");
    c.changed_lines = {{3, 3}, {6, 6}};
    CHECK(scan::apply_context(findings, k_functions, c).empty());
    c.changed_lines = {{2, 7}};
    CHECK(scan::apply_context(findings, k_functions, c).size() == 2);
  }
}

TEST_CASE("apply_deferred_check") {
  Finding f;
  f.rule_id = "t/x";
  FileContext c = context();

  SECTION("no deferred check: kept") { CHECK(scan::apply_deferred_check(f, c)); }

  SECTION("outside-tests follows is_test_file") {
    f.deferred_check = "outside-tests";
    CHECK(scan::apply_deferred_check(f, c));
    c.is_test_file = true;
    CHECK_FALSE(scan::apply_deferred_check(f, c));
  }

  SECTION("untested-public-function asks the callback about the subject") {
    f.deferred_check = "untested-public-function";
    f.subject = "run";
    f.subject_start_line = 10;
    f.subject_end_line = 20;
    c.referenced_by_tests = [](const std::string& name) { return name == "run"; };
    CHECK_FALSE(scan::apply_deferred_check(f, c));
    f.subject = "walk";
    CHECK(scan::apply_deferred_check(f, c));
    c.all_lines_changed = false;
    c.changed_lines = {{21, 30}};
    CHECK_FALSE(scan::apply_deferred_check(f, c));
    c.changed_lines = {{20, 21}};
    CHECK(scan::apply_deferred_check(f, c));
  }
}
