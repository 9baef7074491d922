#include "../support/temp_repo.hpp"

#include "metrics/regression.hpp"

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
