#include "core/score.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace {

const std::vector<core::Category>& k_categories = core::all_values<core::Category>(); // the seed's order
const std::vector<std::string> k_severities = {"info", "warning", "error"};

// Whether every finding of `higher` outranks every finding of `lower`, whatever their severities.
bool category_order_holds(const core::ImprovementPriorities& p, core::Category higher, core::Category lower) {
  for (const auto& a : k_severities)
    for (const auto& b : k_severities)
      if (!(core::base_score(p, higher, a) > core::base_score(p, lower, b))) return false;
  return true;
}

} // namespace

TEST_CASE("base_score", "[score]") {
  const core::ImprovementPriorities defaults;
  SECTION("with the seed's priorities the category order holds across severities") {
    // The seed's order: security, performance, code quality, test coverage.
    for (size_t i = 0; i + 1 < k_categories.size(); ++i) {
      INFO(core::to_string(k_categories[i]) << " over " << core::to_string(k_categories[i + 1]));
      CHECK(category_order_holds(defaults, k_categories[i], k_categories[i + 1]));
    }
    // The issue's case: a security info finding above a code-quality error.
    CHECK(core::base_score(defaults, core::Category::security_fixes, "info") > core::base_score(defaults, core::Category::code_quality, "error"));
  }
  SECTION("severity orders findings within a category") {
    CHECK(core::base_score(defaults, core::Category::code_quality, "error") > core::base_score(defaults, core::Category::code_quality, "warning"));
    CHECK(core::base_score(defaults, core::Category::code_quality, "warning") > core::base_score(defaults, core::Category::code_quality, "info"));
    CHECK(core::base_score(defaults, core::Category::code_quality, "info") == Approx(defaults.code_quality));
  }
  SECTION("priorities close together still keep their order; severity lifts less") {
    core::ImprovementPriorities close{1.0, 0.95, 0.9, 0.1};
    CHECK(category_order_holds(close, core::Category::security_fixes, core::Category::performance_issues));
    CHECK(category_order_holds(close, core::Category::performance_issues, core::Category::code_quality));
    CHECK(core::base_score(close, core::Category::security_fixes, "error") / core::base_score(close, core::Category::security_fixes, "info") <
          1.0 / 0.95);
  }
  SECTION("a changed order is followed: code quality first") {
    core::ImprovementPriorities quality_first{0.5, 0.8, 2.0, 0.4};
    CHECK(category_order_holds(quality_first, core::Category::code_quality, core::Category::performance_issues));
    CHECK(category_order_holds(quality_first, core::Category::performance_issues, core::Category::security_fixes));
  }
  SECTION("equal priorities leave severity to decide, by at most k_max_severity_lift") {
    core::ImprovementPriorities equal{1.0, 1.0, 1.0, 1.0};
    CHECK(core::base_score(equal, core::Category::code_quality, "error") > core::base_score(equal, core::Category::security_fixes, "warning"));
    CHECK(core::base_score(equal, core::Category::code_quality, "error") / core::base_score(equal, core::Category::code_quality, "info") ==
          Approx(std::pow(core::k_max_severity_lift, 2.0 / 3)));
  }
  SECTION("a zero priority sinks its category without changing the lift of the others") {
    core::ImprovementPriorities zero{1.0, 0.8, 0.6, 0.0};
    CHECK(core::base_score(zero, core::Category::test_coverage, "error") == 0);
    CHECK(core::base_score(zero, core::Category::code_quality, "error") / core::base_score(zero, core::Category::code_quality, "info") ==
          Approx(std::pow(1.0 / 0.8, 2.0 / 3)));
  }
}
