#include "schedule/git_state.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace fs = std::filesystem;
using schedule::detect_git_state;
using schedule::GitState;

namespace {

// A fresh directory per test, removed on success and kept (and printed) when a REQUIRE fails.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "autoloop-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    if (std::uncaught_exceptions() > 0) {
      std::cerr << "test dir kept: " << path << "\n";
      return;
    }
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

bool git(const fs::path& dir, const std::string& args) {
  std::string cmd = "cd '" + dir.string() +
                    "' && git -c user.name=test -c user.email=test@example.com -c init.defaultBranch=main "
                    "-c core.hooksPath=/nonexistent " + args + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

void touch(const fs::path& p) {
  std::ofstream(p) << "x\n";
}

} // namespace

TEST_CASE("detect_git_state") {
  TempDir tmp;
  INFO("test dir: " << tmp.path);
  const fs::path gd = tmp.path;

  SECTION("nothing in progress is normal") {
    CHECK(detect_git_state(gd) == GitState::normal);
  }

  SECTION("rebase-merge/ or rebase-apply/ is a rebase") {
    fs::create_directory(gd / "rebase-merge");
    CHECK(detect_git_state(gd) == GitState::rebase);
    fs::remove(gd / "rebase-merge");
    fs::create_directory(gd / "rebase-apply");
    CHECK(detect_git_state(gd) == GitState::rebase);
  }

  SECTION("a rebase stopped on a conflicting pick is still a rebase") {
    fs::create_directory(gd / "rebase-merge");
    touch(gd / "CHERRY_PICK_HEAD");
    touch(gd / "MERGE_HEAD");
    CHECK(detect_git_state(gd) == GitState::rebase);
  }

  SECTION("CHERRY_PICK_HEAD or sequencer/ is a cherry-pick") {
    touch(gd / "CHERRY_PICK_HEAD");
    CHECK(detect_git_state(gd) == GitState::cherry_pick);
    fs::remove(gd / "CHERRY_PICK_HEAD");
    fs::create_directory(gd / "sequencer");
    CHECK(detect_git_state(gd) == GitState::cherry_pick);
  }

  SECTION("REVERT_HEAD is a revert, even with sequencer/") {
    touch(gd / "REVERT_HEAD");
    CHECK(detect_git_state(gd) == GitState::revert);
    fs::create_directory(gd / "sequencer");
    CHECK(detect_git_state(gd) == GitState::revert);
  }

  SECTION("MERGE_HEAD is a merge") {
    touch(gd / "MERGE_HEAD");
    CHECK(detect_git_state(gd) == GitState::merge);
  }

  SECTION("BISECT_LOG is a bisect") {
    touch(gd / "BISECT_LOG");
    CHECK(detect_git_state(gd) == GitState::bisect);
  }

  SECTION("a stale REBASE_HEAD alone is normal") {
    touch(gd / "REBASE_HEAD");
    CHECK(detect_git_state(gd) == GitState::normal);
  }

  SECTION("a missing git dir is normal, not an error") {
    CHECK(detect_git_state(gd / "missing") == GitState::normal);
  }

  SECTION("a real conflicted merge, then its abort") {
    const fs::path repo = tmp.path / "repo";
    fs::create_directories(repo);
    REQUIRE(git(repo, "init -q"));
    std::ofstream(repo / "f") << "base\n";
    REQUIRE(git(repo, "add f"));
    REQUIRE(git(repo, "commit -q -m base"));
    REQUIRE(git(repo, "checkout -q -b topic"));
    std::ofstream(repo / "f") << "topic\n";
    REQUIRE(git(repo, "commit -q -am topic"));
    REQUIRE(git(repo, "checkout -q main"));
    std::ofstream(repo / "f") << "main\n";
    REQUIRE(git(repo, "commit -q -am main"));
    REQUIRE_FALSE(git(repo, "merge topic"));
    CHECK(detect_git_state(repo / ".git") == GitState::merge);
    REQUIRE(git(repo, "merge --abort"));
    CHECK(detect_git_state(repo / ".git") == GitState::normal);
    REQUIRE_FALSE(git(repo, "cherry-pick topic"));
    CHECK(detect_git_state(repo / ".git") == GitState::cherry_pick);
    REQUIRE(git(repo, "cherry-pick --abort"));
    REQUIRE_FALSE(git(repo, "rebase topic"));
    CHECK(detect_git_state(repo / ".git") == GitState::rebase);
    REQUIRE(git(repo, "rebase --abort"));
    CHECK(detect_git_state(repo / ".git") == GitState::normal);
  }
}

TEST_CASE("to_string(GitState)") {
  SECTION("names match git's wording") {
    CHECK(schedule::to_string(GitState::normal) == "normal");
    CHECK(schedule::to_string(GitState::rebase) == "rebase");
    CHECK(schedule::to_string(GitState::cherry_pick) == "cherry-pick");
    CHECK(schedule::to_string(GitState::revert) == "revert");
    CHECK(schedule::to_string(GitState::merge) == "merge");
    CHECK(schedule::to_string(GitState::bisect) == "bisect");
  }
}
