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
  SECTION("one failed fix among enough attempts is what a full window allows: no trip with the defaults") {
    // The auditor's case: 5 fixes, the tests refuse one. Not "80% < 95%": one failure in a window of 20.
    const auto v = judge_window({{4, 1}}, 0.95, 20, 5);
    CHECK(v.attempts == 5);
    CHECK(v.failed == 1);
    CHECK(v.allowed == 1);
    CHECK_FALSE(v.trip);
    // However many cycles passed before it.
    CHECK_FALSE(judge_window({{0, 1}, {6, 0}, {12, 0}}, 0.95, 20, 5).trip);
  }
  SECTION("one failure is never a trend, even where the threshold allows none") {
    CHECK_FALSE(judge_window({{9, 1}}, 1.0, 20, 1).trip);
    CHECK_FALSE(judge_window({{0, 1}}, 0.95, 1, 1).trip);
    CHECK(judge_window({{8, 2}}, 1.0, 20, 1).trip);
  }
  SECTION("earlier cycles fill the window: a second failure over what the threshold allows trips") {
    const auto v = judge_window({{1, 1}, {2, 0}, {1, 1}}, 0.95, 20, 5);
    CHECK(v.trip);
    CHECK(v.attempts == 6);
    CHECK(v.succeeded == 4);
    CHECK(v.failed == 2);
    CHECK(v.rate == Approx(4.0 / 6));
    CHECK(v.describe(0.95) == "2 of the last 6 attempts failed; rollback_threshold 95% allows 1 in rollback_window 20");
  }
  SECTION("failures at what the threshold allows do not trip; one more does") {
    // 75% of a window of 8 allows 2 failures.
    CHECK_FALSE(judge_window({{3, 2}}, 0.75, 8, 1).trip);
    CHECK(judge_window({{2, 3}}, 0.75, 8, 1).trip);
  }
  SECTION("fewer attempts than min_attempts never trip, however many failed") {
    CHECK_FALSE(judge_window({{0, 4}}, 0.95, 20, 5).trip);
    CHECK(judge_window({{1, 4}}, 0.95, 20, 5).trip);
  }
  SECTION("only the latest `window` attempts count; the current cycle's failures first") {
    // 1 failure among 10 recent attempts; older failures fall out of a window of 10.
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
    CHECK(cut.trip);
  }
  SECTION("a cycle whose fixes all passed never trips, whatever came before") {
    CHECK_FALSE(judge_window({{2, 0}, {0, 4}}, 0.95, 20, 5).trip);
  }
  SECTION("nothing judged: rate 1, no trip; a window or minimum below 1 counts as 1") {
    const auto empty = judge_window({}, 0.95, 20, 5);
    CHECK(empty.attempts == 0);
    CHECK(empty.rate == 1.0);
    CHECK_FALSE(empty.trip);
    const auto tiny = judge_window({{0, 2}}, 0.95, 0, 0);
    CHECK(tiny.window == 1);
    CHECK(tiny.attempts == 1);
  }
  SECTION("threshold 0 never trips") { CHECK_FALSE(judge_window({{0, 9}}, 0.0, 20, 1).trip); }
}
