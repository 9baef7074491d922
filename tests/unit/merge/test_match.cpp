#include "merge/match.hpp"

#include <catch2/catch.hpp>

#include "scan/language.hpp"

#include <string>
#include <vector>

namespace {

// The members of `source`'s container `at` (or of the file when at < 0).
struct Cut {
  std::string source;
  merge::Region region;
  merge::MemberList list() const { return merge::members_of(region, source); }
  merge::MemberList inner(size_t at) const { return merge::members_of(*region.members[at].region, source); }
};

Cut cut(const std::string& language, std::string source) {
  auto tree = scan::parse_syntax_tree(*scan::language_by_name(language), source);
  REQUIRE(tree);
  std::string why;
  auto region = merge::decompose(*tree, source, *merge::merge_profile(language), why);
  REQUIRE(region);
  return Cut{std::move(source), std::move(*region)};
}

using V = std::vector<int>;

} // namespace

TEST_CASE("match_members") {
  std::string why;

  SECTION("a getter and its setter are told apart by their decorators, whatever their position") {
    Cut base = cut("python", "class T:\n    @property\n    def c(self):\n        return 1\n\n"
                             "    @c.setter\n    def c(self, v):\n        pass\n");
    Cut side = cut("python", "class T:\n    @c.setter\n    def c(self, v):\n        pass\n");
    auto m = merge::match_members(base.inner(0), side.inner(0), merge::Pairing::versions, why);
    REQUIRE(m);
    CHECK(*m == V{1});
  }

  SECTION("overloads are told apart by their parameters; the one left on each side is the same one, changed") {
    Cut base = cut("java", "class A {\n  void f(int a) {}\n  void f(String s) {}\n}\n");
    Cut side = cut("java", "class A {\n  void f(String s) {}\n  void f(long a) {}\n}\n");
    auto m = merge::match_members(base.inner(0), side.inner(0), merge::Pairing::versions, why);
    REQUIRE(m);
    CHECK(*m == V{1, 0});
  }

  SECTION("blocks of one name are paired by content when that is clear, and not at all when it is not") {
    Cut base = cut("rust", "impl C {\n    fn a() {}\n    fn b() {}\n}\n\nimpl C {\n    fn x() {}\n    fn y() {}\n}\n");
    Cut side = cut("rust", "impl C {\n    fn x() {}\n    fn y() {}\n    fn z() {}\n}\n");
    auto m = merge::match_members(base.list(), side.list(), merge::Pairing::versions, why);
    REQUIRE(m);
    CHECK(*m == V{1});
    Cut both = cut("rust", "impl C {\n    fn p() {}\n}\n\nimpl C {\n    fn q() {}\n}\n");
    CHECK_FALSE(merge::match_members(base.list(), both.list(), merge::Pairing::versions, why));
    CHECK_THAT(why, Catch::Contains("impl:C"));
  }

  SECTION("additions: imports pair only when equal, overloads only of equal parameters") {
    Cut ours = cut("java", "import java.util.Map;\nclass A {\n  void f(int a) {}\n}\n");
    Cut theirs = cut("java", "import java.util.Set;\nclass A {\n  void f(String s) {}\n}\n");
    auto imports = merge::match_members(ours.list(), theirs.list(), merge::Pairing::additions_with_overloads, why);
    REQUIRE(imports);
    CHECK(*imports == V{-1, 1});
    auto methods = merge::match_members(ours.inner(1), theirs.inner(1), merge::Pairing::additions_with_overloads, why);
    REQUIRE(methods);
    CHECK(*methods == V{-1});
    auto one_name = merge::match_members(ours.inner(1), theirs.inner(1), merge::Pairing::additions, why);
    REQUIRE(one_name);
    CHECK(*one_name == V{0});
  }
}

TEST_CASE("similarity") {
  SECTION("the share of trimmed non-blank lines two texts have in common") {
    CHECK(merge::similarity("a\n  b\n\nc\n", "a\nb\nc") == 1.0);
    CHECK(merge::similarity("a\nb\n", "a\nc\n") == 0.5);
    CHECK(merge::similarity("a\n", "b\n") == 0.0);
  }
}
