#include "../support/temp_repo.hpp"

#include "providers/provider.hpp"

using providers::ColumnUnit;
using providers::Edit;
using providers::Fix;

TEST_CASE("apply_fix", "[providers]") {
  const std::string text = "x = [1]\ny = 2\n";
  SECTION("edits apply in any order") {
    Fix fix{core::Safety::safe, {Edit{8, 9, "z"}, Edit{0, 1, "w"}}, ""};
    CHECK(providers::apply_fix(text, fix) == std::optional<std::string>("w = [1]\nz = 2\n"));
  }
  SECTION("an insertion and a deletion") {
    Fix fix{core::Safety::safe, {Edit{4, 4, "list("}, Edit{7, 8, ""}}, ""};
    CHECK(providers::apply_fix(text, fix) == std::optional<std::string>("x = list([1]y = 2\n"));
  }
  SECTION("overlapping edits and edits past the end are refused") {
    CHECK_FALSE(providers::apply_fix(text, Fix{core::Safety::safe, {Edit{0, 3, "a"}, Edit{2, 4, "b"}}, ""}));
    CHECK_FALSE(providers::apply_fix(text, Fix{core::Safety::safe, {Edit{10, 99, ""}}, ""}));
    CHECK_FALSE(providers::apply_fix(text, Fix{core::Safety::safe, {Edit{5, 4, ""}}, ""}));
  }
}

TEST_CASE("byte_offset", "[providers]") {
  // "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 UTF-16 units.
  const std::string text = "ab\n\xc3\xa9x\xf0\x9f\x98\x80y\nlast";
  CHECK(providers::byte_offset(text, 1, 1, ColumnUnit::byte, true) == 0);
  CHECK(providers::byte_offset(text, 2, 0, ColumnUnit::byte, false) == 3);
  CHECK(providers::byte_offset(text, 2, 2, ColumnUnit::code_point, false) == 6);     // before the emoji
  CHECK(providers::byte_offset(text, 2, 4, ColumnUnit::utf16, false) == 10);         // after it
  CHECK(providers::byte_offset(text, 2, 3, ColumnUnit::code_point, false) == 10);
  CHECK(providers::byte_offset(text, 2, 4, ColumnUnit::byte, true) == 6);
  SECTION("columns and lines past the end are clamped") {
    CHECK(providers::byte_offset(text, 2, 99, ColumnUnit::utf16, false) == 11);      // the line's end
    CHECK(providers::byte_offset(text, 9, 1, ColumnUnit::byte, true) == text.size());
  }
}
