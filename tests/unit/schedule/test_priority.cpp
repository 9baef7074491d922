#include "../support/temp_repo.hpp"

#include "schedule/priority.hpp"

using schedule::Candidate;
using schedule::Claim;

TEST_CASE("priority", "[schedule]") {
  SECTION("learnt acceptance and risk scale the score") {
    CHECK(schedule::priority({1.0, 0.9, 0, 0}) > schedule::priority({1.0, 0.3, 0, 0}));
    CHECK(schedule::priority({1.0, 1.0, 0, 0.8}) < schedule::priority({1.0, 1.0, 0, 0.1}));
  }
  SECTION("age lets a low priority overtake a fresh high one: nothing starves") {
    double fresh_high = schedule::priority({1.0, 1.0, 0, 0});
    CHECK(schedule::priority({0.4, 1.0, 1, 0}) < fresh_high);
    CHECK(schedule::priority({0.4, 1.0, 60, 0}) > fresh_high);
  }
}

TEST_CASE("arrange", "[schedule]") {
  SECTION("overlapping fixes wait for a later cycle") {
    std::vector<Candidate> c = {{1, "r/a", {"a.py", 10, 20}}, {2, "r/b", {"a.py", 15, 15}}, {3, "r/b", {"b.py", 15, 15}}};
    CHECK(schedule::arrange(c, {}, 5) == std::vector<int64_t>{1, 3});
    // ... and so does one that overlaps a fix already on the side branch.
    CHECK(schedule::arrange(c, {Claim{"b.py", 1, 100}}, 5) == std::vector<int64_t>{1});
  }
  SECTION("one rule takes at most half the places while others have candidates") {
    std::vector<Candidate> c;
    for (int i = 0; i < 6; ++i) c.push_back({i + 1, "r/a", {"a.py", i * 10 + 1, i * 10 + 2}});
    c.push_back({7, "r/b", {"b.py", 1, 1}});
    c.push_back({8, "r/b", {"b.py", 5, 5}});
    auto order = schedule::arrange(c, {}, 4);
    REQUIRE(order.size() == 8);
    CHECK(std::vector<int64_t>(order.begin(), order.begin() + 4) == std::vector<int64_t>{1, 2, 7, 8});
  }
  SECTION("a rule alone fills every place") {
    std::vector<Candidate> c;
    for (int i = 0; i < 5; ++i) c.push_back({i + 1, "r/a", {"a.py", i * 10 + 1, i * 10 + 2}});
    CHECK(schedule::arrange(c, {}, 4) == std::vector<int64_t>{1, 2, 3, 4, 5});
  }
}
