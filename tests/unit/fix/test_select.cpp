#include "../support/temp_repo.hpp"

#include "fix/select.hpp"

using fix::Candidate;
using fix::Claim;

TEST_CASE("priority", "[fix]") {
  SECTION("learnt acceptance and risk scale the score") {
    CHECK(fix::priority({1.0, 0.9, 0, 0}) > fix::priority({1.0, 0.3, 0, 0}));
    CHECK(fix::priority({1.0, 1.0, 0, 0.8}) < fix::priority({1.0, 1.0, 0, 0.1}));
  }
  SECTION("age lets a low priority overtake a fresh high one: nothing starves") {
    double fresh_high = fix::priority({1.0, 1.0, 0, 0});
    CHECK(fix::priority({0.4, 1.0, 1, 0}) < fresh_high);
    CHECK(fix::priority({0.4, 1.0, 60, 0}) > fresh_high);
  }
}

TEST_CASE("arrange", "[fix]") {
  SECTION("overlapping fixes wait for a later cycle") {
    std::vector<Candidate> c = {{1, "r/a", {"a.py", 10, 20}}, {2, "r/b", {"a.py", 15, 15}}, {3, "r/b", {"b.py", 15, 15}}};
    CHECK(fix::arrange(c, {}, 5) == std::vector<int64_t>{1, 3});
    // ... and so does one that overlaps a fix already on the side branch.
    CHECK(fix::arrange(c, {Claim{"b.py", 1, 100}}, 5) == std::vector<int64_t>{1});
  }
  SECTION("one rule takes at most half the places while others have candidates") {
    std::vector<Candidate> c;
    for (int i = 0; i < 6; ++i) c.push_back({i + 1, "r/a", {"a.py", i * 10 + 1, i * 10 + 2}});
    c.push_back({7, "r/b", {"b.py", 1, 1}});
    c.push_back({8, "r/b", {"b.py", 5, 5}});
    auto order = fix::arrange(c, {}, 4);
    REQUIRE(order.size() == 8);
    CHECK(std::vector<int64_t>(order.begin(), order.begin() + 4) == std::vector<int64_t>{1, 2, 7, 8});
  }
  SECTION("a rule alone fills every place") {
    std::vector<Candidate> c;
    for (int i = 0; i < 5; ++i) c.push_back({i + 1, "r/a", {"a.py", i * 10 + 1, i * 10 + 2}});
    CHECK(fix::arrange(c, {}, 4) == std::vector<int64_t>{1, 2, 3, 4, 5});
  }
}
