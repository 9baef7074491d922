#include "safety/trust.hpp"

#include "../support/temp_repo.hpp"

#include "core/config.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using test_support::TempDir;

namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

// A config whose test_command comes from `repo_config` (as load_config records it).
core::Config config_from(const fs::path& repo_config) {
  core::Config c;
  c.test_command = "make test";
  c.origin["test_command"] = repo_config.string() + ":1:1";
  return c;
}

} // namespace

TEST_CASE("rules_digest") {
  const Files files{{"python/a.yml", "id: a\n"}, {"python/a.scm", "(call) @match\n"}, {"b.yml", "id: b\n"}};
  const auto digest = safety::rules_digest(files);

  SECTION("counts the files; the same content in any order gives the same digest") {
    CHECK(digest.files == 3);
    CHECK(digest.id.size() == 40);
    CHECK(safety::rules_digest({files[2], files[0], files[1]}).id == digest.id);
  }

  SECTION("any change of a byte, a path, or the set of files changes it") {
    Files edited = files;
    edited[0].second = "id: a \n";
    CHECK(safety::rules_digest(edited).id != digest.id);
    Files renamed = files;
    renamed[2].first = "c.yml";
    CHECK(safety::rules_digest(renamed).id != digest.id);
    Files added = files;
    added.push_back({"z.yml", ""});
    CHECK(safety::rules_digest(added).id != digest.id);
    CHECK(safety::rules_digest({files[0], files[1]}).id != digest.id);
  }

  SECTION("a path and its content cannot trade bytes") {
    CHECK(safety::rules_digest({{"a", "bc"}}).id != safety::rules_digest({{"ab", "c"}}).id);
    CHECK(safety::rules_digest({{"a", "b"}, {"c", "d"}}).id != safety::rules_digest({{"a", "b 1:c 1:d"}}).id);
  }

  SECTION("an empty directory has a digest of its own") {
    CHECK(safety::rules_digest({}).files == 0);
    CHECK(safety::rules_digest({}).id != digest.id);
  }
}

TEST_CASE("trust") {
  TempDir tmp("trust");
  const fs::path repo_config = tmp.write("work/.autoloop.yml", "test_command: make test\n");
  const fs::path trust_file = tmp / "git/autoloop/trust";
  const auto rules = safety::rules_digest({{"r.yml", "id: r\n"}});
  const core::Config config = config_from(repo_config);

  SECTION("nothing is trusted before `trust`") {
    CHECK_FALSE(safety::command_trusted(config, "test_command", repo_config, trust_file));
    CHECK_FALSE(safety::rules_trusted(rules.id, trust_file));
  }

  SECTION("records the config's hash and the rules digest; both are then trusted") {
    auto t = safety::trust(repo_config, rules, ".autoloop/rules", trust_file);
    CHECK(t.config_id == safety::content_id("test_command: make test\n"));
    CHECK(t.rules.id == rules.id);
    CHECK(t.rules.files == 1);
    CHECK(safety::command_trusted(config, "test_command", repo_config, trust_file));
    CHECK(safety::rules_trusted(rules.id, trust_file));
  }

  SECTION("a changed rules directory is not trusted; the config stays trusted") {
    safety::trust(repo_config, rules, ".autoloop/rules", trust_file);
    CHECK_FALSE(safety::rules_trusted(safety::rules_digest({{"r.yml", "id: r2\n"}}).id, trust_file));
    CHECK(safety::command_trusted(config, "test_command", repo_config, trust_file));
  }

  SECTION("a changed config is not trusted; the rules stay trusted") {
    safety::trust(repo_config, rules, ".autoloop/rules", trust_file);
    tmp.write("work/.autoloop.yml", "test_command: rm -rf ~\n");
    CHECK_FALSE(safety::command_trusted(config, "test_command", repo_config, trust_file));
    CHECK(safety::rules_trusted(rules.id, trust_file));
  }

  SECTION("without a .autoloop.yml, trust covers the rules alone") {
    auto t = safety::trust(tmp / "work/absent.yml", rules, ".autoloop/rules", trust_file);
    CHECK(t.config_id.empty());
    CHECK(safety::rules_trusted(rules.id, trust_file));
  }

  SECTION("trusting again replaces what was trusted before") {
    safety::trust(repo_config, rules, ".autoloop/rules", trust_file);
    const auto other = safety::rules_digest({{"r.yml", "id: other\n"}});
    safety::trust(repo_config, other, ".autoloop/rules", trust_file);
    CHECK(safety::rules_trusted(other.id, trust_file));
    CHECK_FALSE(safety::rules_trusted(rules.id, trust_file));
  }

  SECTION("a trust file from before rules were covered keeps its commands, not any rules") {
    // The old format: one line, the config's blob id and its path.
    tmp.write("git/autoloop/trust", safety::content_id("test_command: make test\n") + " " + repo_config.string() + "\n");
    CHECK(safety::command_trusted(config, "test_command", repo_config, trust_file));
    CHECK_FALSE(safety::rules_trusted(rules.id, trust_file));
    CHECK_FALSE(safety::rules_trusted(safety::rules_digest({}).id, trust_file));
  }

  SECTION("the config's id never passes for a rules digest, nor the other way round") {
    tmp.write("git/autoloop/trust", "rules " + safety::content_id("test_command: make test\n") + " 1 x\n" +
                                        rules.id + " " + repo_config.string() + "\n");
    CHECK_FALSE(safety::command_trusted(config, "test_command", repo_config, trust_file));
    CHECK_FALSE(safety::rules_trusted(rules.id, trust_file));
  }

  SECTION("revoke forgets both") {
    safety::trust(repo_config, rules, ".autoloop/rules", trust_file);
    safety::revoke(trust_file);
    CHECK_FALSE(safety::command_trusted(config, "test_command", repo_config, trust_file));
    CHECK_FALSE(safety::rules_trusted(rules.id, trust_file));
  }
}

TEST_CASE("untrusted_test_command") {
  TempDir tmp("trust");
  const fs::path repo_config = tmp.write("work/.autoloop.yml", "test_setup: make deps\n");
  const fs::path trust_file = tmp / "git/autoloop/trust";
  // The user's test_command (local config), the repository's test_setup / coverage_command.
  core::Config config;
  config.test_command = "make test";
  config.origin["test_command"] = (tmp / "git/autoloop/config.yml").string() + ":1:1";

  SECTION("a local test_command alone may run") {
    CHECK(safety::untrusted_test_command(config, repo_config, trust_file) == std::nullopt);
  }

  SECTION("the repository's test_setup or coverage_command does not run with a trusted test_command") {
    config.test_setup = "make deps";
    config.origin["test_setup"] = repo_config.string() + ":1:1";
    CHECK(safety::untrusted_test_command(config, repo_config, trust_file) == std::string("test_setup"));
    config.test_setup.clear();
    config.coverage_command = "make coverage";
    config.origin["coverage_command"] = repo_config.string() + ":1:1";
    CHECK(safety::untrusted_test_command(config, repo_config, trust_file) == std::string("coverage_command"));
  }

  SECTION("trust covers them") {
    config.coverage_command = "make coverage";
    config.origin["coverage_command"] = repo_config.string() + ":1:1";
    safety::trust(repo_config, safety::rules_digest({}), ".autoloop/rules", trust_file);
    CHECK(safety::untrusted_test_command(config, repo_config, trust_file) == std::nullopt);
  }

  SECTION("the repository's test_command is named first") {
    const core::Config theirs = config_from(repo_config);
    CHECK(safety::untrusted_test_command(theirs, repo_config, trust_file) == std::string("test_command"));
  }
}
