#include <catch2/catch.hpp>

#include "core/kinds.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <string>

namespace {

// Every value spells differently, reads back as itself, and is no other enum's spelling by accident.
template <class E> void check_round_trip() {
  std::set<std::string> seen;
  for (E value : core::all_values<E>()) {
    const std::string name(core::to_string(value));
    INFO(name);
    CHECK_FALSE(name.empty());
    CHECK(name != "?");
    CHECK(seen.insert(name).second);
    const auto back = core::parse<E>(name);
    REQUIRE(back);
    CHECK(*back == value);
  }
}

// Strings that are not a name: near misses in case, space, separators, and the empty string.
template <class E> void check_refusals(const std::string& name) {
  for (const std::string& text : {std::string(), " " + name, name + " ", name + "\n", std::string("?"),
                                  name.substr(0, name.size() - 1)}) {
    INFO("'" << text << "'");
    CHECK_FALSE(core::parse<E>(text));
  }
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  CHECK_FALSE(core::parse<E>(upper));
}

} // namespace

TEST_CASE("to_string", "[core]") {
  SECTION("each enum's names round-trip through parse") {
    check_round_trip<core::Status>();
    check_round_trip<core::Outcome>();
    check_round_trip<core::Category>();
    check_round_trip<core::Safety>();
    check_round_trip<core::SafetyLevel>();
    check_round_trip<core::Origin>();
  }

  SECTION("the names are the ones stored in the queue and written in rules and configuration") {
    CHECK(core::to_string(core::Status::open) == "open");
    CHECK(core::to_string(core::Status::suppressed) == "suppressed");
    CHECK(core::to_string(core::Outcome::reparse_error) == "reparse_error");
    CHECK(core::to_string(core::Outcome::rolled_back) == "rolled_back");
    CHECK(core::to_string(core::Category::security_fixes) == "security_fixes");
    CHECK(core::to_string(core::Safety::suggest) == "suggest");
    CHECK(core::to_string(core::SafetyLevel::medium) == "medium");
    CHECK(core::to_string(core::Origin::generator_request) == "generator_request");
  }

  SECTION("a value out of range is never spelt as a real one") {
    CHECK(core::to_string(static_cast<core::Status>(99)) == "?");
    CHECK_FALSE(core::parse<core::Status>(core::to_string(static_cast<core::Status>(99))));
  }
}

TEST_CASE("parse", "[core]") {
  SECTION("unknown strings are refused") {
    check_refusals<core::Status>("applied");
    check_refusals<core::Outcome>("tests_failed");
    check_refusals<core::Category>("code_quality");
    check_refusals<core::Safety>("unsafe");
    check_refusals<core::SafetyLevel>("high");
    check_refusals<core::Origin>("provider");
  }

  SECTION("one enum's names are not read as another's") {
    CHECK_FALSE(core::parse<core::Status>("tests_failed"));
    CHECK_FALSE(core::parse<core::Outcome>("open"));
    CHECK_FALSE(core::parse<core::Safety>("high"));
    CHECK_FALSE(core::parse<core::SafetyLevel>("safe"));
    CHECK_FALSE(core::parse<core::Category>("security")); // the short name is ci.block_on's, not a category
  }
}

TEST_CASE("stricter", "[core]") {
  using core::Safety;
  SECTION("suggest is stricter than unsafe, which is stricter than safe, in either order") {
    for (Safety a : core::all_values<Safety>()) {
      INFO(core::to_string(a));
      CHECK(core::stricter(a, a) == a);
      CHECK(core::stricter(a, Safety::suggest) == Safety::suggest);
      CHECK(core::stricter(Safety::suggest, a) == Safety::suggest);
      CHECK(core::stricter(a, Safety::safe) == a);
      CHECK(core::stricter(Safety::safe, a) == a);
    }
    CHECK(core::stricter(Safety::unsafe, Safety::safe) == Safety::unsafe);
  }
}

TEST_CASE("category names", "[core]") {
  SECTION("each category is read by its name and by its short name, and by nothing else") {
    std::set<std::string> shorts;
    for (core::Category c : core::all_values<core::Category>()) {
      const std::string name(core::to_string(c)), short_name(core::short_name(c));
      INFO(name);
      CHECK(core::category_named(name) == c);
      CHECK(core::category_named(short_name) == c);
      CHECK(short_name != name);
      shorts.insert(short_name);
    }
    CHECK(shorts == std::set<std::string>{"security", "performance", "quality", "coverage"});
    CHECK_FALSE(core::category_named("Security"));
    CHECK_FALSE(core::category_named("tests"));
    CHECK_FALSE(core::category_named(""));
  }
}

TEST_CASE("kinds in JSON", "[core]") {
  SECTION("a kind is written by its name, never its number") {
    nlohmann::json j = {{"category", core::Category::test_coverage},
                        {"safety", core::Safety::unsafe},
                        {"level", core::SafetyLevel::low},
                        {"status", core::Status::reverted},
                        {"outcome", core::Outcome::check_failed},
                        {"origin", core::Origin::provider}};
    CHECK(j.dump() == R"({"category":"test_coverage","level":"low","origin":"provider","outcome":"check_failed",)"
                      R"("safety":"unsafe","status":"reverted"})");
  }
}
