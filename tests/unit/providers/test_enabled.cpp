#include "../support/temp_repo.hpp"

#include "core/error.hpp"
#include "providers/enabled.hpp"


using providers::selects;

namespace {

// A configuration with `providers:` as written in a file at `path`.
core::Config config_from(const test_support::TempDir& dir, const std::string& text) {
  core::ConfigSources sources;
  sources.repo_file = dir.write(".autoloop.yml", text);
  return core::load_config(sources);
}

} // namespace

TEST_CASE("selects", "[providers]") {
  SECTION("an id selects itself") { CHECK(selects("ruff/E501", "ruff/E501")); }
  SECTION("a prefix selects the ids under it, where a part of the id ends") {
    CHECK(selects("ruff/E", "ruff/E501"));
    CHECK(selects("ruff/E5", "ruff/E501"));
    CHECK(selects("ruff/", "ruff/B006"));
    CHECK(selects("ruff", "ruff/B006"));
    CHECK(selects("biome/lint/style", "biome/lint/style/useConst"));
    CHECK(selects("clang-tidy/modernize", "clang-tidy/modernize-use-nullptr"));
  }
  SECTION("a prefix that stops inside a word selects nothing there") {
    CHECK_FALSE(selects("ruff/E", "ruff/ERA001"));
    CHECK_FALSE(selects("biome/lint/style/use", "biome/lint/style/useConst"));
    CHECK_FALSE(selects("ruff/E501", "ruff/E50"));
    CHECK_FALSE(selects("", "ruff/E501"));
  }
}

TEST_CASE("provider_rule_enabled", "[providers]") {
  core::Config c;
  CHECK(providers::provider_rule_enabled(c, "ruff/E501"));
  c.rules.disable = {"ruff/E"};
  CHECK_FALSE(providers::provider_rule_enabled(c, "ruff/E501"));
  CHECK(providers::provider_rule_enabled(c, "ruff/ERA001"));
  c.rules.enable = {"ruff/E7"};
  CHECK(providers::provider_rule_enabled(c, "ruff/E711")); // the narrower entry decides
  CHECK_FALSE(providers::provider_rule_enabled(c, "ruff/E501"));
  c.rules.disable.push_back("ruff/E711");
  CHECK_FALSE(providers::provider_rule_enabled(c, "ruff/E711"));
}

TEST_CASE("check_configured_providers", "[providers]") {
  const test_support::TempDir dir("providers-config");
  const std::vector<std::string> known = {"ruff", "biome", "clang-tidy"};
  SECTION("known names pass") {
    REQUIRE_NOTHROW(providers::check_configured_providers(config_from(dir, "providers: [ruff, clang-tidy]\n"), known));
  }
  SECTION("an unknown name is refused where it was written, with the name meant") {
    const core::Config c = config_from(dir, "providers:\n  - ruff\n  - bione\n");
    try {
      providers::check_configured_providers(c, known);
      FAIL("no error");
    } catch (const core::LocatedError& e) {
      CHECK_THAT(e.what(), Catch::StartsWith((dir / ".autoloop.yml").string() + ":3:5: "));
      CHECK_THAT(e.what(), Catch::Contains("unknown provider 'bione' (did you mean 'biome'?)"));
    }
  }
  SECTION("a name nothing is close to lists the providers") {
    const core::Config c = config_from(dir, "providers: [eslint]\n");
    CHECK_THROWS_WITH(providers::check_configured_providers(c, known),
                      Catch::Contains("unknown provider 'eslint' (the providers are ruff, biome, clang-tidy)"));
  }
}

TEST_CASE("provider_of_rule", "[providers]") {
  const std::vector<std::string> known = {"ruff", "biome"};
  CHECK(providers::provider_of_rule("ruff/B006", known) == "ruff");
  CHECK(providers::provider_of_rule("python/bare-except", known).empty());
  CHECK(providers::provider_of_rule("ruff", known).empty());
}

TEST_CASE("tool_root", "[providers]") {
  CHECK(providers::tool_root({{"AUTOLOOP_PROVIDER_DIR", "/opt/tools"}, {"HOME", "/home/u"}}) == "/opt/tools");
  CHECK(providers::tool_root({{"XDG_DATA_HOME", "/data"}, {"HOME", "/home/u"}}) == "/data/git-autoloop/providers");
  CHECK(providers::tool_root({{"XDG_DATA_HOME", "relative"}, {"HOME", "/home/u"}}) ==
        "/home/u/.local/share/git-autoloop/providers");
}
