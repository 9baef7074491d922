#include "../support/temp_repo.hpp"

#include "metrics/regression.hpp"
#include "scan/engine.hpp"

#include <string>
#include <vector>

using metrics::ComplexityChange;
using metrics::FunctionSample;

TEST_CASE("complexity_changes", "[metrics]") {
  const int threshold = 10, delta = 5;
  SECTION("doubling a function's complexity is a regression; halving it an improvement") {
    auto up = metrics::complexity_changes({{"parse", 1, 20, 6}}, {{"parse", 1, 30, 12}}, threshold, delta);
    REQUIRE(up.size() == 1);
    CHECK(up[0].kind == ComplexityChange::Kind::regression);
    CHECK(up[0].before == 6);
    CHECK(up[0].after == 12);
    auto down = metrics::complexity_changes({{"parse", 1, 30, 12}}, {{"parse", 1, 20, 6}}, threshold, delta);
    REQUIRE(down.size() == 1);
    CHECK(down[0].kind == ComplexityChange::Kind::improvement);
  }
  SECTION("crossing the threshold counts even by one") {
    auto c = metrics::complexity_changes({{"f", 1, 9, 10}}, {{"f", 1, 9, 11}}, threshold, delta);
    REQUIRE(c.size() == 1);
    CHECK(c[0].kind == ComplexityChange::Kind::regression);
  }
  SECTION("small moves under the threshold are nothing") {
    CHECK(metrics::complexity_changes({{"f", 1, 9, 3}}, {{"f", 1, 9, 6}}, threshold, delta).empty());
    CHECK(metrics::complexity_changes({{"f", 1, 9, 8}}, {{"f", 1, 9, 4}}, threshold, delta).empty());
  }
  SECTION("a new function counts only above the threshold; a removed one not at all") {
    auto c = metrics::complexity_changes({{"gone", 1, 5, 30}}, {{"small", 1, 3, 2}, {"big", 5, 60, 14}}, threshold, delta);
    REQUIRE(c.size() == 1);
    CHECK(c[0].name == "big");
    CHECK(c[0].before == 0);
  }
  SECTION("functions of one name pair up in order") {
    auto c = metrics::complexity_changes({{"lambda", 1, 2, 1}, {"lambda", 5, 6, 1}},
                                         {{"lambda", 1, 2, 1}, {"lambda", 5, 20, 9}}, threshold, delta);
    REQUIRE(c.size() == 1);
    CHECK(c[0].start_line == 5);
  }
}

namespace {

// A Python function of complexity `n` (n - 1 ifs), indented for a class body when `indent`.
std::string branchy(const std::string& signature, int n, const std::string& indent = "") {
  std::string s = indent + "def " + signature + ":\n";
  for (int i = 1; i < n; ++i) s += indent + "    if x == " + std::to_string(i) + ":\n" + indent + "        return " + std::to_string(i) + "\n";
  return s + indent + "    return 0\n";
}

// The complexity changes between two versions of a file, as the scanner computes them.
std::vector<ComplexityChange> changes_between(const char* language, const std::string& before, const std::string& after,
                                              int threshold = 10, int delta = 5) {
  scan::Engine engine({});
  auto samples = [&](const std::string& src) {
    std::vector<FunctionSample> out;
    for (const auto& f : engine.scan(*scan::language_by_name(language), src).functions)
      out.push_back({f.label, f.start_line, f.end_line, f.complexity, f.key, f.qualified, f.name});
    return out;
  };
  return metrics::complexity_changes(samples(before), samples(after), threshold, delta);
}

} // namespace

TEST_CASE("complexity_changes follows function identity", "[metrics]") {
  SECTION("issue 12: adding @overload stubs while simplifying the implementation is a fall from 17 to 12") {
    std::string before = "from typing import overload\n\n" + branchy("parse(x)", 17);
    std::string after = "from typing import overload\n\n@overload\ndef parse(x: int) -> int: ...\n"
                        "@overload\ndef parse(x: str) -> str: ...\n" + branchy("parse(x)", 12);
    auto c = changes_between("python", before, after);
    REQUIRE(c.size() == 1);
    CHECK(c[0].kind == ComplexityChange::Kind::improvement);
    CHECK(c[0].name == "parse");
    CHECK(c[0].before == 17);
    CHECK(c[0].after == 12);
    CHECK(c[0].start_line == 7);
    // Removing the stubs again is no change at all.
    CHECK(changes_between("python", after, "from typing import overload\n\n" + branchy("parse(x)", 12)).empty());
  }
  SECTION("issue 12: same-named methods of two classes rise and fall each on its own") {
    std::string before = "class A:\n" + branchy("run(self, x)", 15, "    ") + "class B:\n" + branchy("run(self, x)", 3, "    ");
    // Reordered: nothing changed.
    std::string reordered = "class B:\n" + branchy("run(self, x)", 3, "    ") + "class A:\n" + branchy("run(self, x)", 15, "    ");
    CHECK(changes_between("python", before, reordered).empty());
    // One rises and the other falls in one commit, and a new class with a `run` comes first.
    std::string after = "class Z:\n" + branchy("run(self, x)", 2, "    ") + "class A:\n" + branchy("run(self, x)", 3, "    ") +
                        "class B:\n" + branchy("run(self, x)", 15, "    ");
    auto c = changes_between("python", before, after);
    REQUIRE(c.size() == 2);
    CHECK(c[0].kind == ComplexityChange::Kind::improvement);
    CHECK(c[0].name == "A.run");
    CHECK(c[0].before == 15);
    CHECK(c[0].after == 3);
    CHECK(c[1].kind == ComplexityChange::Kind::regression);
    CHECK(c[1].name == "B.run");
    CHECK(c[1].before == 3);
    CHECK(c[1].after == 15);
  }
  SECTION("C++ overloads are told apart by parameter types, wherever they move") {
    auto fn = [](const std::string& params, int n) {
      std::string s = "int f(" + params + ") {\n";
      for (int i = 1; i < n; ++i) s += "  if (x == " + std::to_string(i) + ") return " + std::to_string(i) + ";\n";
      return s + "  return 0;\n}\n";
    };
    auto c = changes_between("cpp", fn("int x", 3) + fn("double x", 14), fn("double x", 14) + fn("int x", 12));
    REQUIRE(c.size() == 1);
    CHECK(c[0].name == "f(int)");
    CHECK(c[0].kind == ComplexityChange::Kind::regression);
    CHECK(c[0].before == 3);
    CHECK(c[0].after == 12);
  }
  SECTION("a renamed parameter or a changed arity is still the same function; a new function is new") {
    auto c = changes_between("python", branchy("f(x)", 4), branchy("f(x, y=0)", 12) + branchy("g(x)", 11));
    REQUIRE(c.size() == 2);
    CHECK(c[0].name == "f");
    CHECK(c[0].before == 4);
    CHECK(c[0].after == 12);
    CHECK(c[1].name == "g");
    CHECK(c[1].before == 0);
    CHECK(changes_between("python", branchy("f(x)", 4), branchy("f(value)", 4)).empty());
  }
  SECTION("a function moved into a class is still itself while its name is unique") {
    auto c = changes_between("python", branchy("helper(x)", 14), "class K:\n" + branchy("helper(self, x)", 3, "    "));
    REQUIRE(c.size() == 1);
    CHECK(c[0].name == "K.helper");
    CHECK(c[0].kind == ComplexityChange::Kind::improvement);
    CHECK(c[0].before == 14);
  }
  SECTION("samples without identities pair by name") {
    auto c = metrics::complexity_changes({{"a", 1, 2, 3}}, {{"a", 1, 2, 13}}, 10, 5);
    REQUIRE(c.size() == 1);
    CHECK(c[0].key == "a");
  }
}
