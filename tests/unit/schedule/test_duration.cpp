#include "../support/temp_repo.hpp"

#include "schedule/duration.hpp"

TEST_CASE("parse_duration", "[schedule]") {
  using std::chrono::seconds;
  SECTION("units and compounds") {
    CHECK(schedule::parse_duration("90") == seconds(90));
    CHECK(schedule::parse_duration("90s") == seconds(90));
    CHECK(schedule::parse_duration("5m") == seconds(300));
    CHECK(schedule::parse_duration("1h30m") == seconds(5400));
    CHECK(schedule::parse_duration("2d") == seconds(172800));
  }
  SECTION("malformed or empty durations are refused") {
    for (const char* bad : {"", "0", "0s", "m", "5x", "-5", "1h30", "1.5h", " 5m", "5m "}) {
      INFO(bad);
      CHECK_FALSE(schedule::parse_duration(bad));
    }
  }
}
