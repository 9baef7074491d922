#include "hookcore/git_state.hpp"

#include "../support/temp_repo.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using hookcore::detect_git_state;
using hookcore::GitState;
using test_support::TempDir;

namespace {

void touch(const fs::path& p) {
  std::ofstream(p) << "x\n";
}

// True when git succeeds; for the commands expected to stop on a conflict.
bool git_succeeds(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"git", "-c", "core.hooksPath=/dev/null"};
  argv.insert(argv.end(), args.begin(), args.end());
  return core::run_process(argv, test_support::git_options(dir)).ok();
}

} // namespace

TEST_CASE("detect_git_state") {
  TempDir tmp;
  const fs::path gd = tmp.path();

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

  SECTION("a real conflicted merge, cherry-pick and rebase, each then aborted") {
    test_support::TempRepo repo;
    repo.write("f", "base\n");
    repo.commit("base");
    repo.git({"checkout", "-q", "-b", "topic"});
    repo.write("f", "topic\n");
    repo.commit("topic");
    repo.git({"checkout", "-q", "main"});
    repo.write("f", "main\n");
    repo.commit("main");
    REQUIRE_FALSE(git_succeeds(repo.path(), {"merge", "topic"}));
    CHECK(detect_git_state(repo.git_dir()) == GitState::merge);
    repo.git({"merge", "--abort"});
    CHECK(detect_git_state(repo.git_dir()) == GitState::normal);
    REQUIRE_FALSE(git_succeeds(repo.path(), {"cherry-pick", "topic"}));
    CHECK(detect_git_state(repo.git_dir()) == GitState::cherry_pick);
    repo.git({"cherry-pick", "--abort"});
    REQUIRE_FALSE(git_succeeds(repo.path(), {"rebase", "topic"}));
    CHECK(detect_git_state(repo.git_dir()) == GitState::rebase);
    repo.git({"rebase", "--abort"});
    CHECK(detect_git_state(repo.git_dir()) == GitState::normal);
  }
}

TEST_CASE("to_string(GitState)") {
  SECTION("names match git's wording") {
    CHECK(hookcore::to_string(GitState::normal) == "normal");
    CHECK(hookcore::to_string(GitState::rebase) == "rebase");
    CHECK(hookcore::to_string(GitState::cherry_pick) == "cherry-pick");
    CHECK(hookcore::to_string(GitState::revert) == "revert");
    CHECK(hookcore::to_string(GitState::merge) == "merge");
    CHECK(hookcore::to_string(GitState::bisect) == "bisect");
  }
}
