#include "merge/install.hpp"
#include "../support/temp_repo.hpp"

#include <string>

using test_support::slurp;
using test_support::TempRepo;

TEST_CASE("with_attribute_block") {
  SECTION("adds one marked block naming every supported extension, keeping what is there") {
    std::string text = merge::with_attribute_block("*.md text");
    CHECK(text.rfind("*.md text\n# >>> git-autoloop", 0) == 0);
    CHECK_THAT(text, Catch::Contains("\n*.py merge=autoloop\n"));
    CHECK_THAT(text, Catch::Contains("\n*.tsx merge=autoloop\n"));
    CHECK_THAT(text, Catch::Contains("\n*.rs merge=autoloop\n"));
    CHECK(merge::has_attribute_block(text));
  }

  SECTION("is idempotent and replaces the block where it is") {
    std::string once = merge::with_attribute_block("a\n");
    CHECK(merge::with_attribute_block(once) == once);
    std::string moved = once + "b\n";
    CHECK(merge::with_attribute_block(moved) == moved);
  }
}

TEST_CASE("without_attribute_block") {
  SECTION("removes exactly the block") {
    std::string text = "a\n" + merge::attribute_block() + "b\n";
    CHECK(merge::without_attribute_block(text) == "a\nb\n");
    CHECK_FALSE(merge::has_attribute_block("a\nb\n"));
    CHECK(merge::without_attribute_block("a\nb\n") == "a\nb\n");
  }
}

TEST_CASE("driver_command") {
  SECTION("the binary is shell-quoted and git's placeholders follow") {
    CHECK(merge::driver_command("/opt/it's/git-autoloop") == "'/opt/it'\\''s/git-autoloop' merge-driver %O %A %B %L %P");
  }
  SECTION("the lean driver binary takes git's placeholders without a subcommand") {
    CHECK(merge::driver_command("/usr/libexec/git-autoloop/autoloop-merge") ==
          "'/usr/libexec/git-autoloop/autoloop-merge' %O %A %B %L %P");
  }
}

TEST_CASE("install_driver") {
  TempRepo repo;
  auto config = repo.git_dir() / "config";
  auto attributes = repo.git_dir() / "info" / "attributes";
  std::string config_before = slurp(config);

  SECTION("writes the config entries and the attributes; a second run changes nothing") {
    auto changes = merge::install_driver(config, attributes, "/usr/bin/git-autoloop");
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].action == "added");
    CHECK(changes[1].action == "added");
    CHECK(repo.git({"config", "merge.autoloop.driver"}) == "'/usr/bin/git-autoloop' merge-driver %O %A %B %L %P");
    CHECK(repo.git({"check-attr", "merge", "--", "src/a.py"}) == "src/a.py: merge: autoloop");
    CHECK(repo.git({"check-attr", "merge", "--", "README.md"}) == "README.md: merge: unspecified");
    auto again = merge::install_driver(config, attributes, "/usr/bin/git-autoloop");
    CHECK(again[0].action == "unchanged");
    CHECK(again[1].action == "unchanged");
  }

  SECTION("uninstall removes exactly what install added") {
    std::string mine = "*.md text\n";
    repo.write(".git/info/attributes", mine);
    repo.git({"config", "merge.other.driver", "cat"});
    std::string config_with_mine = slurp(config);
    merge::install_driver(config, attributes, "/usr/bin/git-autoloop");
    auto changes = merge::uninstall_driver(config, {attributes, repo.path() / ".gitattributes"});
    CHECK(changes[0].action == "removed");
    CHECK(changes[1].action == "removed");
    CHECK(changes[2].action == "absent");
    CHECK(slurp(attributes) == mine);
    CHECK(slurp(config) == config_with_mine);
  }

  SECTION("an attributes file install created is removed again") {
    merge::install_driver(config, attributes, "/usr/bin/git-autoloop");
    merge::uninstall_driver(config, {attributes});
    CHECK_FALSE(std::filesystem::exists(attributes));
    CHECK(slurp(config) == config_before);
  }
}

TEST_CASE("install_tracked_attributes") {
  SECTION("adds the block to .gitattributes, keeping the user's lines") {
    TempRepo repo;
    repo.write(".gitattributes", "*.png binary\n");
    auto change = merge::install_tracked_attributes(repo.path() / ".gitattributes");
    CHECK(change.action == "added");
    std::string text = slurp(repo.path() / ".gitattributes");
    CHECK(text.rfind("*.png binary\n", 0) == 0);
    CHECK(merge::has_attribute_block(text));
  }
}
