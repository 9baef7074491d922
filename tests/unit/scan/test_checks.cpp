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
using test_support::checked_rule;
using test_support::lang;
using test_support::lines_of;

namespace {


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

TEST_CASE("run_check accumulates-in-loop") {
  SECTION("Python: a string bound afresh earlier in the iteration, or the loop's variable, does not accumulate") {
    const char* src =
        "s = ''\n"                        // 1
        "for x in xs:\n"                  // 2
        "    s += x\n"                    // 3: grows across iterations
        "for t, d in style:\n"            // 4
        "    start = end = ''\n"          // 5
        "    start += '[b]'\n"            // 6: fresh each iteration
        "    line = f'{t}'\n"             // 7
        "    line += '!'\n"               // 8: fresh each iteration
        "    t += ','\n"                  // 9: the loop's own variable
        "    s = s + t\n"                 // 10 (not an augmented assignment: not matched)
        "    s += t\n"                    // 11: s = s + t reads s, so s still grows
        "out = ''\n"                      // 12
        "for row in rows:\n"              // 13
        "    for c in row:\n"             // 14
        "        out += c\n"              // 15: grows across the inner loop
        "for f in files:\n"               // 16
        "    line = f'{f}: line{n}'\n"    // 17: `line` only inside the string's text
        "    line += '!'\n"               // 18: fresh each iteration
        "    out = ids.out + f(out=1)\n"  // 19: neither a member nor a keyword's name reads `out`
        "    out += '.'\n"                // 20: fresh each iteration
        "for i in range(n):\n"            // 21
        "    while True:\n"               // 22
        "        word = pick()\n"         // 23: bound in a nested loop, before the +=
        "        break\n"                 // 24
        "    word += ','\n"               // 25: fresh each iteration
        "    def g():\n"                  // 26
        "        acc = ''\n"              // 27: the function's own name
        "    acc += 'x'\n";               // 28: grows across iterations
    Engine engine({checked_rule("python", "(augmented_assignment left: (identifier) @acc) @match", "accumulates-in-loop")});
    CHECK(lines_of(engine.scan(lang("python"), src).findings) == std::vector<int>{3, 11, 15, 28});
  }

  SECTION("Go and Java: declarations in the loop body") {
    const char* go =
        "package p\n"                                   // 1
        "func f(fs [][]string) (all string) {\n"        // 2
        "\tfor _, f := range fs {\n"                    // 3
        "\t\targ := \"[\"\n"                           // 4
        "\t\targ += \"x\"\n"                           // 5: fresh each iteration
        "\t\tfor _, s := range f {\n"                   // 6
        "\t\t\targ += s\n"                              // 7: grows across the inner loop
        "\t\t}\n"                                       // 8
        "\t\tall += arg\n"                               // 9: grows across the outer loop
        "\t}\n"                                          // 10
        "\treturn\n"                                     // 11
        "}\n";
    Engine go_engine({checked_rule("go", "(assignment_statement left: (expression_list (identifier) @acc)) @match",
                                   "accumulates-in-loop")});
    CHECK(lines_of(go_engine.scan(lang("go"), go).findings) == std::vector<int>{7, 9});
    const char* java =
        "class A {\n"                                    // 1
        "  String f(String[] xs) {\n"                    // 2
        "    String all = \"\";\n"                        // 3
        "    for (String x : xs) {\n"                    // 4
        "      String line = \"> \";\n"                   // 5
        "      line += x;\n"                              // 6: fresh each iteration
        "      x += \"!\";\n"                              // 7: the loop's own variable
        "      all += line;\n"                            // 8: grows
        "    }\n"                                         // 9
        "    return all;\n"                               // 10
        "  }\n"                                           // 11
        "}\n";
    Engine java_engine({checked_rule("java", "(assignment_expression left: (identifier) @acc operator: \"+=\") @match",
                                     "accumulates-in-loop")});
    CHECK(lines_of(java_engine.scan(lang("java"), java).findings) == std::vector<int>{8});
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
