#include "core/suggest.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

TEST_CASE("edit_distance", "[suggest]") {
  SECTION("counts insertions, deletions and substitutions") {
    CHECK(core::edit_distance("", "") == 0);
    CHECK(core::edit_distance("open", "open") == 0);
    CHECK(core::edit_distance("", "abc") == 3);
    CHECK(core::edit_distance("kitten", "sitting") == 3);
  }
  SECTION("an adjacent transposition is one edit") {
    CHECK(core::edit_distance("opne", "open") == 1);
    CHECK(core::edit_distance("secuirty", "security") == 1);
  }
}

TEST_CASE("closest", "[suggest]") {
  const std::vector<std::string> statuses = {"open", "applied", "accepted", "rejected", "resolved", "failed", "all"};
  const std::vector<std::string> categories = {"security_fixes", "performance_issues", "code_quality", "test_coverage"};
  SECTION("a typo finds the word meant, whatever its case") {
    CHECK(core::closest("opne", statuses) == "open");
    CHECK(core::closest("Rejectd", statuses) == "rejected");
    CHECK(core::closest("secuirty_fixes", categories) == "security_fixes");
  }
  SECTION("an abbreviation finds the word it starts") {
    CHECK(core::closest("secuirty", categories) == std::nullopt); // neither a near miss nor a prefix
    CHECK(core::closest("security", categories) == "security_fixes");
    CHECK(core::closest("perf", categories) == "performance_issues");
  }
  SECTION("nothing for a different word, a short one or an empty one") {
    CHECK_FALSE(core::closest("xyzzy", statuses));
    CHECK_FALSE(core::closest("", statuses));
    CHECK_FALSE(core::closest("zz", statuses));          // 2 letters: one edit at most
    CHECK(core::closest("al", statuses) == "all");       // ... which "al" is
  }
  SECTION("the nearest wins over an earlier, farther candidate") {
    CHECK(core::closest("resolvd", {"rejected", "resolved"}) == "resolved");
  }
}

TEST_CASE("did_you_mean", "[suggest]") {
  CHECK(core::did_you_mean("opne", {"open", "failed"}) == " (did you mean 'open'?)");
  CHECK(core::did_you_mean("xyzzy", {"open", "failed"}).empty());
}
