#include "../support/temp_repo.hpp"

#include "safety/breaker.hpp"

#include <vector>

using safety::CycleTally;
using safety::judge_window;

TEST_CASE("judge_window", "[safety]") {
  SECTION("one failed fix alone never pauses: fewer attempts than min_attempts") {
    const auto v = judge_window({{0, 1}}, 0.95, 20, 5);
    CHECK_FALSE(v.trip);
    CHECK(v.attempts == 1);
    CHECK(v.rate == 0.0);
  }
  SECTION("earlier cycles fill the window: enough attempts, rate below the threshold, trips") {
    const auto v = judge_window({{1, 1}, {2, 0}, {1, 0}}, 0.95, 20, 5);
    CHECK(v.trip);
    CHECK(v.attempts == 5);
    CHECK(v.succeeded == 4);
    CHECK(v.rate == Approx(0.8));
    CHECK(v.describe(0.95) == "validated-success rate 80% over the last 5 attempts < rollback_threshold 95%");
  }
  SECTION("a rate at the threshold does not trip") {
    CHECK_FALSE(judge_window({{3, 1}}, 0.75, 20, 1).trip);
    CHECK(judge_window({{2, 1}}, 0.75, 20, 1).trip);
  }
  SECTION("only the latest `window` attempts count; the current cycle's failures first") {
    // 1 failure among 10 recent attempts is 90%; older failures fall out of a window of 10.
    const std::vector<CycleTally> history = {{4, 1}, {5, 0}, {0, 6}};
    const auto v = judge_window(history, 0.85, 10, 5);
    CHECK(v.attempts == 10);
    CHECK(v.succeeded == 9);
    CHECK_FALSE(v.trip);
    // A wider window reaches them.
    CHECK(judge_window(history, 0.85, 20, 5).trip);
    // A cycle larger than the window: its failures are the ones kept.
    const auto cut = judge_window({{8, 3}}, 0.95, 4, 1);
    CHECK(cut.attempts == 4);
    CHECK(cut.succeeded == 1);
  }
  SECTION("a cycle whose fixes all passed is never rolled back, whatever came before") {
    CHECK_FALSE(judge_window({{2, 0}, {0, 4}}, 0.95, 20, 5).trip);
  }
  SECTION("nothing judged: rate 1, no trip; a window or minimum below 1 counts as 1") {
    const auto empty = judge_window({}, 0.95, 20, 5);
    CHECK(empty.attempts == 0);
    CHECK(empty.rate == 1.0);
    CHECK_FALSE(empty.trip);
    CHECK(judge_window({{0, 1}}, 0.95, 0, 0).trip);
  }
  SECTION("threshold 0 never trips") { CHECK_FALSE(judge_window({{0, 9}}, 0.0, 20, 1).trip); }
}
