#include "hookcore/repo_locate.hpp"

#include "../support/temp_repo.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using hookcore::locate_repo;
using hookcore::resolve_head;
using test_support::run_git;
using test_support::TempDir;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// `git <words>` in `dir`; throws (failing the test, keeping its dir) when git fails.
std::string git(const fs::path& dir, const std::string& words) {
  std::vector<std::string> args;
  std::string word;
  for (char c : words + " ") {
    if (c != ' ') word += c;
    else if (!word.empty()) args.push_back(std::move(word)), word.clear();
  }
  return run_git(dir, args);
}

} // namespace

TEST_CASE("locate_repo") {
  TempDir tmp;
  const fs::path repo = tmp.path() / "repo";
  fs::create_directories(repo);
  git(repo, "init -q -b main");

  SECTION("finds the .git dir of a normal repository") {
    auto loc = locate_repo(repo, {});
    REQUIRE(loc);
    CHECK(loc->git_dir == repo / ".git");
    CHECK(loc->common_dir == repo / ".git");
    REQUIRE(loc->work_tree);
    CHECK(*loc->work_tree == repo);
    CHECK_FALSE(loc->bare);
  }

  SECTION("walks up from a subdirectory") {
    fs::create_directories(repo / "a" / "b");
    auto loc = locate_repo(repo / "a" / "b", {});
    REQUIRE(loc);
    CHECK(loc->git_dir == repo / ".git");
    CHECK(*loc->work_tree == repo);
  }

  SECTION("paths are absolute and lexically normal") {
    fs::create_directories(repo / "a");
    auto loc = locate_repo(repo / "a" / ".." / "a" / "", {});
    REQUIRE(loc);
    CHECK(loc->git_dir == repo / ".git");
    CHECK(loc->git_dir.is_absolute());
  }

  SECTION("a linked worktree has its own git dir and the main common dir") {
    git(repo, "commit -q --allow-empty -m first");
    git(repo, "worktree add -q " + (tmp.path() / "wt").string());
    const fs::path wt = tmp.path() / "wt";
    fs::create_directories(wt / "sub");
    auto loc = locate_repo(wt / "sub", {});
    REQUIRE(loc);
    CHECK(loc->git_dir == repo / ".git" / "worktrees" / "wt");
    CHECK(loc->common_dir == repo / ".git");
    CHECK(*loc->work_tree == wt);
    CHECK_FALSE(loc->bare);
    CHECK(loc->git_dir.string() == git(wt, "rev-parse --absolute-git-dir"));
  }

  SECTION("GIT_DIR in the environment wins, relative to cwd") {
    const fs::path elsewhere = tmp.path() / "elsewhere";
    fs::create_directories(elsewhere);
    auto loc = locate_repo(elsewhere, {{"GIT_DIR", "../repo/.git"}});
    REQUIRE(loc);
    CHECK(loc->git_dir == repo / ".git");
    CHECK(loc->common_dir == repo / ".git");
    REQUIRE(loc->work_tree);
    CHECK(*loc->work_tree == elsewhere);
  }

  SECTION("GIT_WORK_TREE and GIT_COMMON_DIR are honoured with GIT_DIR") {
    auto loc = locate_repo(tmp.path(), {{"GIT_DIR", "repo/.git"}, {"GIT_WORK_TREE", "repo"}, {"GIT_COMMON_DIR", "repo/.git"}});
    REQUIRE(loc);
    CHECK(*loc->work_tree == repo);
    CHECK(loc->common_dir == repo / ".git");
  }

  SECTION("GIT_DIR that is not a repository gives nullopt") {
    CHECK_FALSE(locate_repo(tmp.path(), {{"GIT_DIR", "nothing-here"}}));
  }

  SECTION("a bare repository is found from inside it") {
    const fs::path bare = tmp.path() / "bare.git";
    fs::create_directories(bare);
    git(bare, "init -q --bare");
    for (const fs::path& cwd : {bare, bare / "refs" / "heads"}) {
      auto loc = locate_repo(cwd, {});
      REQUIRE(loc);
      CHECK(loc->git_dir == bare);
      CHECK(loc->common_dir == bare);
      CHECK(loc->bare);
      CHECK_FALSE(loc->work_tree);
    }
  }

  SECTION("GIT_DIR pointing at a bare repository is bare") {
    const fs::path bare = tmp.path() / "bare.git";
    fs::create_directories(bare);
    git(bare, "init -q --bare");
    auto loc = locate_repo(tmp.path(), {{"GIT_DIR", "bare.git"}});
    REQUIRE(loc);
    CHECK(loc->bare);
  }

  SECTION("outside any repository gives nullopt") {
    const fs::path outside = tmp.path() / "plain";
    fs::create_directories(outside);
    CHECK_FALSE(locate_repo(outside, {}));
  }
}

TEST_CASE("resolve_head") {
  TempDir tmp;
  const fs::path repo = tmp.path() / "repo";
  fs::create_directories(repo);
  git(repo, "init -q -b main");

  SECTION("unborn branch gives nullopt") {
    auto loc = locate_repo(repo, {});
    REQUIRE(loc);
    CHECK_FALSE(resolve_head(*loc));
  }

  SECTION("loose ref") {
    git(repo, "commit -q --allow-empty -m first");
    auto loc = locate_repo(repo, {});
    REQUIRE(loc);
    REQUIRE(fs::exists(repo / ".git" / "refs" / "heads" / "main"));
    CHECK(resolve_head(*loc) == git(repo, "rev-parse HEAD"));
  }

  SECTION("packed ref, skipping comment and peeled lines") {
    git(repo, "commit -q --allow-empty -m first");
    git(repo, "tag -a -m tag v1");
    git(repo, "pack-refs --all");
    auto loc = locate_repo(repo, {});
    REQUIRE(loc);
    REQUIRE_FALSE(fs::exists(repo / ".git" / "refs" / "heads" / "main"));
    CHECK(resolve_head(*loc) == git(repo, "rev-parse HEAD"));
    CHECK(hookcore::resolve_ref(*loc, "refs/tags/v1") == git(repo, "rev-parse v1"));
  }

  SECTION("detached HEAD") {
    git(repo, "commit -q --allow-empty -m first");
    git(repo, "commit -q --allow-empty -m second");
    git(repo, "checkout -q --detach HEAD~1");
    auto loc = locate_repo(repo, {});
    REQUIRE(loc);
    CHECK(resolve_head(*loc) == git(repo, "rev-parse HEAD"));
  }

  SECTION("linked worktree: HEAD per worktree, branch in the common dir") {
    git(repo, "commit -q --allow-empty -m first");
    git(repo, "worktree add -q -b other " + (tmp.path() / "wt").string());
    git(tmp.path() / "wt", "commit -q --allow-empty -m in-wt");
    auto loc = locate_repo(tmp.path() / "wt", {});
    REQUIRE(loc);
    CHECK(resolve_head(*loc) == git(tmp.path() / "wt", "rev-parse HEAD"));
    CHECK(resolve_head(*loc) != git(repo, "rev-parse HEAD"));
  }

  SECTION("garbage in HEAD gives nullopt") {
    write(repo / ".git" / "HEAD", "not a ref\n");
    auto loc = locate_repo(repo, {});
    REQUIRE(loc);
    CHECK_FALSE(resolve_head(*loc));
  }
}

TEST_CASE("read_ref_file") {
  TempDir tmp;
  const std::string id(40, 'a');

  SECTION("reads an object id") {
    write(tmp.path() / "ORIG_HEAD", id + "\n");
    CHECK(hookcore::read_ref_file(tmp.path() / "ORIG_HEAD") == id);
  }

  SECTION("missing or malformed files give nullopt") {
    CHECK_FALSE(hookcore::read_ref_file(tmp.path() / "ORIG_HEAD"));
    write(tmp.path() / "BAD", "ref: refs/heads/main\n");
    CHECK_FALSE(hookcore::read_ref_file(tmp.path() / "BAD"));
  }

  SECTION("after a real merge, ORIG_HEAD is the pre-merge head") {
    const fs::path repo = tmp.path() / "repo";
    fs::create_directories(repo);
    git(repo, "init -q -b main");
    git(repo, "commit -q --allow-empty -m first");
    git(repo, "checkout -q -b topic");
    git(repo, "commit -q --allow-empty -m topic");
    git(repo, "checkout -q main");
    std::string before = git(repo, "rev-parse HEAD");
    git(repo, "merge -q --ff-only topic");
    CHECK(hookcore::read_ref_file(repo / ".git" / "ORIG_HEAD") == before);
  }
}
