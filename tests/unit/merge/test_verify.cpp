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
  merge::Facts ours = facts("def f():\n    pass\n");
  merge::Facts theirs = facts("def g():\n    pass\n");

  SECTION("a result with what both sides declare passes") {
    CHECK(merge::verify(facts("def f():\n    pass\n\ndef g():\n    pass\n"), ours, theirs) == "");
  }

  SECTION("new syntax errors fail") {
    CHECK_THAT(merge::verify(facts("def f(:\n    pass\n"), ours, theirs), Catch::Contains("syntax errors"));
  }

  SECTION("a declaration more often than on either side fails") {
    CHECK_THAT(merge::verify(facts("def f():\n    pass\n\ndef f():\n    return 1\n"), ours, theirs),
               Catch::Contains("def:f 2 times"));
  }

  SECTION("errors the sides already had are allowed") {
    merge::Facts broken = facts("def f(:\n    pass\n");
    CHECK(merge::verify(broken, broken, theirs) == "");
  }
}
