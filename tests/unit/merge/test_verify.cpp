#include "merge/verify.hpp"

#include <catch2/catch.hpp>

#include "scan/language.hpp"

#include <string>

namespace {
merge::Facts facts(const std::string& source) {
  auto f = merge::facts_of(*scan::language_by_name("python"), *merge::merge_profile("python"), source, 1000);
  REQUIRE(f);
  return *f;
}
} // namespace

TEST_CASE("facts_of") {
  SECTION("counts syntax errors and every declaration path") {
    merge::Facts f = facts("def f():\n    pass\n\nclass A:\n    def f(self):\n        pass\n\ndef f():\n    pass\n");
    CHECK(f.errors == 0);
    CHECK(f.declarations["def:f"] == 2);
    CHECK(f.declarations["def:A/def:f"] == 1);
  }

  SECTION("a file whose top level cannot be cut has no facts") {
    CHECK_FALSE(merge::facts_of(*scan::language_by_name("javascript"), *merge::merge_profile("javascript"),
                                "let a = 1; let b = 2;\n", 1000));
  }
}

TEST_CASE("verify") {
  merge::Facts base = facts("");
  merge::Facts ours = facts("def f():\n    pass\n");
  merge::Facts theirs = facts("def g():\n    pass\n");

  SECTION("a result with what both sides declare passes") {
    CHECK(merge::verify(facts("def f():\n    pass\n\ndef g():\n    pass\n"), base, ours, theirs) == "");
  }

  SECTION("new syntax errors fail") {
    CHECK_THAT(merge::verify(facts("def f(:\n    pass\n"), base, ours, theirs), Catch::Contains("syntax errors"));
  }

  SECTION("a declaration more often than on either side fails") {
    CHECK_THAT(merge::verify(facts("def f():\n    pass\n\ndef f():\n    return 1\n"), base, ours, theirs),
               Catch::Contains("def:f 2 times"));
  }

  SECTION("errors the sides already had are allowed") {
    merge::Facts broken = facts("def f(:\n    pass\n");
    CHECK(merge::verify(broken, base, broken, theirs) == "");
  }
}

TEST_CASE("verify: a declaration no input has") {
  merge::Facts base = facts("def f():\n    pass\n");
  merge::Facts ours = facts("def f():\n    return 1\n");
  merge::Facts theirs = facts("def f():\n    return 2\n");
  CHECK_THAT(merge::verify(facts("def h():\n    pass\n"), base, ours, theirs), Catch::Contains("def:h, which no side"));
  // A declaration only base has is no invention (a conflict may keep it).
  CHECK(merge::verify(facts("def f():\n    pass\n"), base, facts(""), theirs) == "");
}

TEST_CASE("verify_lines: counts each line against the composition of both sides' changes") {
  const std::string base = "class T:\n    @property\n    def c(self):\n        return self._c\n\n"
                           "    @c.setter\n    def c(self, v):\n        self._c = v\n";
  // Ours deletes the setter, theirs the getter: git conflicts; a result that brings either back is wrong.
  const std::string ours = "class T:\n    @property\n    def c(self):\n        return self._c\n";
  const std::string theirs = "class T:\n    @c.setter\n    def c(self, v):\n        self._c = v\n";
  CHECK(merge::verify_lines(base, ours, theirs, "class T:\n") == "");
  CHECK_THAT(merge::verify_lines(base, ours, theirs, ours), Catch::Contains("`return self._c` 1 times"));
  CHECK_THAT(merge::verify_lines(base, ours, theirs, theirs), Catch::Contains("`self._c = v` 1 times"));

  SECTION("both sides' additions, each kept once; the same addition on both sides once or twice") {
    const std::string b = "a = 1\n";
    CHECK(merge::verify_lines(b, "a = 1\nb = 2\n", "a = 1\nc = 3\n", "a = 1\nb = 2\nc = 3\n") == "");
    CHECK(merge::verify_lines(b, "a = 1\nb = 2\n", "a = 1\nb = 2\n", "a = 1\nb = 2\n") == "");
    CHECK(merge::verify_lines(b, "a = 1\nb = 2\n", "b = 2\na = 1\n", "b = 2\na = 1\nb = 2\n") == "");
    CHECK_THAT(merge::verify_lines(b, "a = 1\nb = 2\n", "a = 1\nc = 3\n", "a = 1\nb = 2\n"),
               Catch::Contains("`c = 3` 0 times"));
  }

  SECTION("a method kept in both sides' versions doubles its unchanged body") {
    const std::string b = "def f(a):\n    x = a\n    return x\n";
    const std::string o = "def f(a, b):\n    x = a\n    return x\n";
    const std::string t = "def f(a, c):\n    x = a\n    return x\n";
    CHECK_THAT(merge::verify_lines(b, o, t, o + "\n" + t), Catch::Contains("2 times"));
  }

  SECTION("blank lines and indentation do not count") {
    CHECK(merge::verify_lines("a\n", "a\n\n\nb\n", "  a\n", "a\n\nb\n") == "");
  }
}
