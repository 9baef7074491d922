#include "core/refname.hpp"

#include "../support/temp_repo.hpp"

#include "../support/hostile_prefixes.hpp"

#include <string>
#include <utility>
#include <vector>

TEST_CASE("side_branch_prefix_problem") {
  SECTION("refuses every hostile spelling, saying why") {
    for (const auto& [prefix, why] : test_support::k_hostile_prefixes) {
      INFO("prefix '" << prefix << "'");
      auto problem = core::side_branch_prefix_problem(prefix);
      REQUIRE(problem);
      CHECK(problem->find(why) != std::string::npos);
    }
  }

  SECTION("accepts ordinary prefixes, ending in '/' or not") {
    for (const std::string& prefix : std::vector<std::string>{"autoloop/", "bots/autoloop/", "al-", "autoloop", "a.b/", "x_y-z/", "ünï/",
                                     std::string(core::k_max_side_branch_prefix - 1, 'a') + "/"}) {
      INFO("prefix '" << prefix << "'");
      CHECK_FALSE(core::side_branch_prefix_problem(prefix));
    }
  }
}

TEST_CASE("ref_name_problem") {
  SECTION("valid full ref names") {
    for (const char* name : {"refs/heads/main", "refs/heads/autoloop/main", "refs/heads/al-feat/x", "refs/tags/v1.0"})
      CHECK_FALSE(core::ref_name_problem(name));
  }
  SECTION("names git-check-ref-format refuses") {
    for (const char* name : {"refs/heads/a/", "refs/heads/a.", "main", "refs/heads/a..b", "refs/heads/.a",
                             "refs/heads/a.lock", "refs/heads/a.lock/b", "refs//heads", "/refs/heads/a",
                             "refs/heads/a b", "refs/heads/@{x", "@", "refs/heads/a\\b"}) {
      INFO(name);
      CHECK(core::ref_name_problem(name));
    }
  }
}
