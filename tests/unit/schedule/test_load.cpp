#include "../support/temp_repo.hpp"

#include "schedule/load.hpp"

TEST_CASE("busy_reason", "[schedule]") {
  SECTION("waits only when the load per CPU is above the limit") {
    CHECK_FALSE(schedule::busy_reason(1.5, schedule::Load{2.9, 2}));
    auto why = schedule::busy_reason(1.5, schedule::Load{3.1, 2});
    REQUIRE(why);
    CHECK(*why == "load 3.10 on 2 CPUs is above 1.50 per CPU");
  }
  SECTION("0 never waits, nor does a system without a load average") {
    CHECK_FALSE(schedule::busy_reason(0, schedule::Load{100, 1}));
    CHECK_FALSE(schedule::busy_reason(1.0, std::nullopt));
  }
  SECTION("this machine reports a load") {
    auto load = schedule::current_load();
    REQUIRE(load);
    CHECK(load->cpus >= 1);
    CHECK(load->one_minute >= 0);
  }
}
