#include "core/printable.hpp"

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("core::printable") {
  SECTION("control characters become \\xNN; tabs and UTF-8 stay") {
    CHECK(core::printable("k\033]52;c;cHduZWQ=\007ey caf\xc3\xa9\t") == "k\\x1b]52;c;cHduZWQ=\\x07ey caf\xc3\xa9\t");
    CHECK(core::printable("c1 \xc2\x9b" "2J") == "c1 \\x9b2J");
  }
  SECTION("line breaks are kept only when asked (a query, a description)") {
    CHECK(core::printable("a\nb\033[2J") == "a\\x0ab\\x1b[2J");
    CHECK(core::printable("a\nb\033[2J\r", true) == "a\nb\\x1b[2J\\x0d");
  }
  SECTION("printing twice changes nothing more") {
    const std::string once = core::printable("x\033]0;t\007\n");
    CHECK(core::printable(once) == once);
  }
}
