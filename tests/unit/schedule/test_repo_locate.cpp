#include "schedule/repo_locate.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace fs = std::filesystem;
using schedule::locate_repo;
using schedule::resolve_head;

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

// Runs git in `dir` with a fixed identity and no user hooks; true on exit status 0.
bool git(const fs::path& dir, const std::string& args) {
  std::string cmd = "cd '" + dir.string() +
                    "' && git -c user.name=test -c user.email=test@example.com -c init.defaultBranch=main "
                    "-c core.hooksPath=/nonexistent " + args + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

std::string git_out(const fs::path& dir, const std::string& args) {
  std::string cmd = "cd '" + dir.string() + "' && git " + args + " 2>/dev/null";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

} // namespace

TEST_CASE("locate_repo") {
  TempDir tmp;
  INFO("test dir: " << tmp.path);
  const fs::path repo = tmp.path / "repo";
  fs::create_directories(repo);
  REQUIRE(git(repo, "init -q"));

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
    REQUIRE(git(repo, "commit -q --allow-empty -m first"));
    REQUIRE(git(repo, "worktree add -q ../wt"));
    const fs::path wt = tmp.path / "wt";
    fs::create_directories(wt / "sub");
    auto loc = locate_repo(wt / "sub", {});
    REQUIRE(loc);
    CHECK(loc->git_dir == repo / ".git" / "worktrees" / "wt");
    CHECK(loc->common_dir == repo / ".git");
    CHECK(*loc->work_tree == wt);
    CHECK_FALSE(loc->bare);
    CHECK(loc->git_dir.string() == git_out(wt, "rev-parse --absolute-git-dir"));
  }

  SECTION("GIT_DIR in the environment wins, relative to cwd") {
    const fs::path elsewhere = tmp.path / "elsewhere";
    fs::create_directories(elsewhere);
    auto loc = locate_repo(elsewhere, {{"GIT_DIR", "../repo/.git"}});
    REQUIRE(loc);
    CHECK(loc->git_dir == repo / ".git");
    CHECK(loc->common_dir == repo / ".git");
    REQUIRE(loc->work_tree);
    CHECK(*loc->work_tree == elsewhere);
  }

  SECTION("GIT_WORK_TREE and GIT_COMMON_DIR are honoured with GIT_DIR") {
    auto loc = locate_repo(tmp.path, {{"GIT_DIR", "repo/.git"}, {"GIT_WORK_TREE", "repo"}, {"GIT_COMMON_DIR", "repo/.git"}});
    REQUIRE(loc);
    CHECK(*loc->work_tree == repo);
    CHECK(loc->common_dir == repo / ".git");
  }

  SECTION("GIT_DIR that is not a repository gives nullopt") {
    CHECK_FALSE(locate_repo(tmp.path, {{"GIT_DIR", "nothing-here"}}));
  }

  SECTION("a bare repository is found from inside it") {
    const fs::path bare = tmp.path / "bare.git";
    fs::create_directories(bare);
    REQUIRE(git(bare, "init -q --bare"));
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
    const fs::path bare = tmp.path / "bare.git";
    fs::create_directories(bare);
    REQUIRE(git(bare, "init -q --bare"));
    auto loc = locate_repo(tmp.path, {{"GIT_DIR", "bare.git"}});
    REQUIRE(loc);
    CHECK(loc->bare);
  }

  SECTION("outside any repository gives nullopt") {
    const fs::path outside = tmp.path / "plain";
    fs::create_directories(outside);
    CHECK_FALSE(locate_repo(outside, {}));
  }
}

TEST_CASE("resolve_head") {
  TempDir tmp;
  INFO("test dir: " << tmp.path);
  const fs::path repo = tmp.path / "repo";
  fs::create_directories(repo);
  REQUIRE(git(repo, "init -q"));

  SECTION("unborn branch gives nullopt") {
    auto loc = locate_repo(repo, {});
    REQUIRE(loc);
    CHECK_FALSE(resolve_head(*loc));
  }

  SECTION("loose ref") {
    REQUIRE(git(repo, "commit -q --allow-empty -m first"));
    auto loc = locate_repo(repo, {});
    REQUIRE(loc);
    REQUIRE(fs::exists(repo / ".git" / "refs" / "heads" / "main"));
    CHECK(resolve_head(*loc) == git_out(repo, "rev-parse HEAD"));
  }

  SECTION("packed ref, skipping comment and peeled lines") {
    REQUIRE(git(repo, "commit -q --allow-empty -m first"));
    REQUIRE(git(repo, "tag -a -m tag v1"));
    REQUIRE(git(repo, "pack-refs --all"));
    auto loc = locate_repo(repo, {});
    REQUIRE(loc);
    REQUIRE_FALSE(fs::exists(repo / ".git" / "refs" / "heads" / "main"));
    CHECK(resolve_head(*loc) == git_out(repo, "rev-parse HEAD"));
    CHECK(schedule::resolve_ref(*loc, "refs/tags/v1") == git_out(repo, "rev-parse v1"));
  }

  SECTION("detached HEAD") {
    REQUIRE(git(repo, "commit -q --allow-empty -m first"));
    REQUIRE(git(repo, "commit -q --allow-empty -m second"));
    REQUIRE(git(repo, "checkout -q --detach HEAD~1"));
    auto loc = locate_repo(repo, {});
    REQUIRE(loc);
    CHECK(resolve_head(*loc) == git_out(repo, "rev-parse HEAD"));
  }

  SECTION("linked worktree: HEAD per worktree, branch in the common dir") {
    REQUIRE(git(repo, "commit -q --allow-empty -m first"));
    REQUIRE(git(repo, "worktree add -q -b other ../wt"));
    REQUIRE(git(tmp.path / "wt", "commit -q --allow-empty -m in-wt"));
    auto loc = locate_repo(tmp.path / "wt", {});
    REQUIRE(loc);
    CHECK(resolve_head(*loc) == git_out(tmp.path / "wt", "rev-parse HEAD"));
    CHECK(resolve_head(*loc) != git_out(repo, "rev-parse HEAD"));
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
  INFO("test dir: " << tmp.path);
  const std::string id(40, 'a');

  SECTION("reads an object id") {
    write(tmp.path / "ORIG_HEAD", id + "\n");
    CHECK(schedule::read_ref_file(tmp.path / "ORIG_HEAD") == id);
  }

  SECTION("missing or malformed files give nullopt") {
    CHECK_FALSE(schedule::read_ref_file(tmp.path / "ORIG_HEAD"));
    write(tmp.path / "BAD", "ref: refs/heads/main\n");
    CHECK_FALSE(schedule::read_ref_file(tmp.path / "BAD"));
  }

  SECTION("after a real merge, ORIG_HEAD is the pre-merge head") {
    const fs::path repo = tmp.path / "repo";
    fs::create_directories(repo);
    REQUIRE(git(repo, "init -q"));
    REQUIRE(git(repo, "commit -q --allow-empty -m first"));
    REQUIRE(git(repo, "checkout -q -b topic"));
    REQUIRE(git(repo, "commit -q --allow-empty -m topic"));
    REQUIRE(git(repo, "checkout -q main"));
    std::string before = git_out(repo, "rev-parse HEAD");
    REQUIRE(git(repo, "merge -q --ff-only topic"));
    CHECK(schedule::read_ref_file(repo / ".git" / "ORIG_HEAD") == before);
  }
}
