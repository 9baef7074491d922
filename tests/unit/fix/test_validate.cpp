#include <catch2/catch.hpp>

#include "fix/validate.hpp"

#include <string>

namespace {

std::string lines(int n, const std::string& tag = "l") {
  std::string out;
  for (int i = 1; i <= n; ++i) out += tag + std::to_string(i) + "\n";
  return out;
}

uint32_t size_of(const std::string& s) { return static_cast<uint32_t>(s.size()); }

} // namespace

TEST_CASE("check_change", "[fix]") {
  SECTION("no change") {
    auto r = fix::check_change("a\n", "a\n", 0, 2, 100);
    CHECK_FALSE(r.ok);
    CHECK(r.outcome == core::Outcome::no_change);
  }
  SECTION("too large: added and deleted lines together over max_change_size") {
    auto r = fix::check_change(lines(10), lines(10, "x"), 0, size_of(lines(10)), 19);
    CHECK_FALSE(r.ok);
    CHECK(r.outcome == core::Outcome::too_large);
    CHECK(r.lines_changed == 20);
  }
  SECTION("destructive: a change outside the finding's range") {
    const std::string before = "keep\nfix me\ntail\n";
    auto r = fix::check_change(before, "kept\nfixed\ntail\n", 5, 11, 100);
    CHECK_FALSE(r.ok);
    CHECK(r.outcome == core::Outcome::destructive);
    CHECK(r.detail.find("outside the finding") != std::string::npos);
  }
  SECTION("destructive: mostly deletion, inside the range and under the size cap") {
    // 60 lines replaced by one: 61 changed lines <= 100, but 59 deleted net > 100 / 2.
    const std::string before = "head\n" + lines(60) + "tail\n";
    const std::string after = "head\nreplacement\ntail\n";
    auto r = fix::check_change(before, after, 5, size_of(before) - 5, 100);
    REQUIRE(r.lines_changed == 61);
    CHECK_FALSE(r.ok);
    CHECK(r.outcome == core::Outcome::destructive);
    CHECK(r.detail.find("net deletion of 59 lines") != std::string::npos);
    // The same deletion with a cap it stays within half of is fine.
    CHECK(fix::check_change(before, after, 5, size_of(before) - 5, 200).ok);
    // A small deletion (a `debugger;` line) is a fix.
    CHECK(fix::check_change("a\ndebugger;\nb\n", "a\nb\n", 2, 12, 100).ok);
  }
  SECTION("line endings kept") {
    auto r = fix::check_change("a\r\nb\r\n", "a\r\nc\n", 3, 6, 100);
    CHECK_FALSE(r.ok);
    CHECK(r.outcome == core::Outcome::line_endings);
    CHECK(fix::check_change("a\r\nb\r\n", "a\r\nc\r\n", 3, 6, 100).ok);
  }
}
