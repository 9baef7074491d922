#include "safety/validation.hpp"

#include "../support/temp_repo.hpp"

#include "core/error.hpp"
#include "git/repo.hpp"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace fs = std::filesystem;
using test_support::slurp;
using test_support::TempDir;
using test_support::TempRepo;

namespace {

safety::ValidationTree::Options options_for(const TempRepo& repo, const fs::path& root, const std::string& command) {
  safety::ValidationTree::Options o;
  o.work_tree = repo.path();
  o.common_dir = repo.git_dir();
  o.root = root;
  o.test_command = command;
  o.link_dirs = {"node_modules"};
  o.lockfiles = {"package-lock.json"};
  o.timeout = std::chrono::seconds(20);
  return o;
}

// Lines in a file (0 when it does not exist).
int count_lines(const fs::path& file) {
  const std::string text = fs::exists(file) ? slurp(file) : "";
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

} // namespace

TEST_CASE("worktree_root") {
  const core::Config defaults = core::default_config();
  const std::string per_user = "git-autoloop-" + std::to_string(::getuid());

  SECTION("the configured directory wins") {
    core::Config c = defaults;
    c.validation.worktree_dir = "/srv/wt";
    CHECK(safety::worktree_root(c, {{"XDG_CACHE_HOME", "/c"}}) == fs::path("/srv/wt"));
  }
  SECTION("the user's cache directory when its path has no dot-directory") {
    CHECK(safety::worktree_root(defaults, {{"XDG_CACHE_HOME", "/home/u/cache"}}) ==
          fs::path("/home/u/cache/git-autoloop/worktrees"));
  }
  SECTION("else a private directory under TMPDIR or /var/tmp: ~/.cache is a dot-directory") {
    CHECK(safety::worktree_root(defaults, {{"XDG_CACHE_HOME", "/home/u/.cache"}}) == fs::path("/var/tmp") / per_user / "worktrees");
    CHECK(safety::worktree_root(defaults, {}) == fs::path("/var/tmp") / per_user / "worktrees");
    CHECK(safety::worktree_root(defaults, {{"TMPDIR", "/scratch"}}) == fs::path("/scratch") / per_user / "worktrees");
    CHECK(safety::worktree_root(defaults, {{"TMPDIR", "/home/u/.tmp"}}) == fs::path("/var/tmp") / per_user / "worktrees");
    CHECK(safety::worktree_root(defaults, {{"XDG_CACHE_HOME", "relative/cache"}}) == fs::path("/var/tmp") / per_user / "worktrees");
  }
  SECTION("has_dot_directory") {
    CHECK(safety::has_dot_directory("/home/u/.cache/x"));
    CHECK(safety::has_dot_directory("/r/.git/autoloop/worktrees/t"));
    CHECK_FALSE(safety::has_dot_directory("/tmp/a.b/c"));
    CHECK_FALSE(safety::has_dot_directory("/tmp/x/./y"));
  }
}

TEST_CASE("ValidationTree") {
  TempRepo repo("validation");
  repo.write("a.txt", "a\n");
  // "node_modules" without a slash ignores a symlink of that name too: `git clean` would keep a stale link.
  repo.write(".gitignore", "node_modules\ncoverage/\n");
  repo.write("package-lock.json", "{\"v\": 1}\n");
  const std::string base = repo.commit("base");
  const TempDir cache("validation-cache");
  const fs::path root = cache.path() / "worktrees";
  git::Repository git = git::Repository::open(repo.path());

  SECTION("the tests run outside the repository, with no dot-directory on the way, in one reused tree") {
    const fs::path log = cache.path() / "runs.log";
    safety::ValidationTree tree(git, options_for(repo, root, "pwd >>'" + log.string() + "'; test -f a.txt"));
    auto first = tree.run_tests(base);
    REQUIRE(first.run);
    CHECK(first.run->passed);
    repo.write("b.txt", "b\n");
    const std::string second_commit = repo.commit("b");
    auto second = tree.run_tests(second_commit);
    REQUIRE(second.run);
    CHECK(second.run->passed);
    CHECK(fs::exists(tree.dir() / "b.txt"));
    const std::string runs = slurp(log);
    CHECK(runs == tree.dir().string() + "\n" + tree.dir().string() + "\n");
    CHECK(tree.dir().string().rfind(root.string() + "/", 0) == 0);
    CHECK_FALSE(safety::has_dot_directory(tree.dir()));
    CHECK(repo.git({"worktree", "list", "--porcelain"}).find("worktree " + tree.dir().string()) != std::string::npos);
  }

  SECTION("between runs, changes to tracked files and untracked files are gone; ignored files stay") {
    safety::ValidationTree tree(git, options_for(repo, root, "echo changed >a.txt; touch junk; mkdir -p node_modules; touch node_modules/kept"));
    REQUIRE(tree.run_tests(base).run->passed);
    safety::ValidationTree again(git, options_for(repo, root, "cat a.txt; test ! -e junk && test -e node_modules/kept"));
    auto r = again.run_tests(base);
    REQUIRE(r.run);
    CHECK(r.run->passed);
    CHECK(r.run->output_tail == "a\n");
  }

  SECTION("a failing, a timed-out run") {
    safety::ValidationTree failing(git, options_for(repo, root, "echo boom; exit 3"));
    auto f = failing.run_tests(base);
    REQUIRE(f.run);
    CHECK_FALSE(f.run->passed);
    CHECK(f.run->exit_code == 3);
    CHECK(f.run->output_tail == "boom\n");
    auto o = options_for(repo, root, "sleep 30");
    o.timeout = std::chrono::seconds(1);
    safety::ValidationTree hanging(git, o);
    auto h = hanging.run_tests(base);
    REQUIRE(h.run);
    CHECK(h.run->timed_out);
    CHECK_FALSE(h.run->passed);
  }

  SECTION("test_setup runs once per lockfile content, and again when it changes") {
    const fs::path count = cache.path() / "setups";
    auto o = options_for(repo, root, "test -f node_modules/ready");
    o.test_setup = "echo x >>'" + count.string() + "'; mkdir -p node_modules && touch node_modules/ready";
    {
      safety::ValidationTree tree(git, o);
      REQUIRE(tree.run_tests(base).run->passed);
      CHECK(tree.prepared() == "test_setup ran");
      REQUIRE(tree.run_tests(base).run->passed);
      CHECK(tree.prepared() == "test_setup cached");
    }
    CHECK(count_lines(count) == 1);
    repo.write("a.txt", "a2\n");
    const std::string same_lock = repo.commit("not the lockfile");
    safety::ValidationTree tree(git, o);
    REQUIRE(tree.run_tests(same_lock).run->passed);
    CHECK(count_lines(count) == 1);
    repo.write("package-lock.json", "{\"v\": 2}\n");
    const std::string new_lock = repo.commit("lockfile");
    REQUIRE(tree.run_tests(new_lock).run->passed);
    CHECK(count_lines(count) == 2);
  }

  SECTION("a file rewritten at the same size gets a later second: caches keyed on size and mtime see it") {
    repo.write("m.py", "if x == None: pass\n");
    const std::string c1 = repo.commit("eq");
    repo.write("m.py", "if x is None: pass\n");
    const std::string c2 = repo.commit("is");
    const fs::path log = cache.path() / "mtimes";
    safety::ValidationTree tree(git, options_for(repo, root, "stat -c %Y m.py >>'" + log.string() + "'"));
    REQUIRE(tree.run_tests(c1).run->passed);
    REQUIRE(tree.run_tests(c2).run->passed);
    const std::string text = slurp(log);
    const size_t nl = text.find('\n');
    REQUIRE(nl != std::string::npos);
    CHECK(std::stoll(text.substr(nl + 1)) > std::stoll(text.substr(0, nl)));
  }

  SECTION("a failing test_setup is reported as such, not as a test failure") {
    auto o = options_for(repo, root, "true");
    o.test_setup = "echo no network; exit 7";
    safety::ValidationTree tree(git, o);
    auto r = tree.run_tests(base);
    CHECK_FALSE(r.run);
    REQUIRE(r.setup_failed);
    CHECK(r.setup_failed->what == "test_setup fails at " + base.substr(0, 12) + " (exit 7)");
    CHECK(r.setup_failed->output_tail == "no network\n");
  }

  SECTION("the user's node_modules is linked while the lockfile is the same, not after it changed") {
    repo.write("node_modules/dep/index.js", "module.exports = 1;\n");
    auto o = options_for(repo, root, "test -f node_modules/dep/index.js");
    safety::ValidationTree tree(git, o);
    auto linked = tree.run_tests(base);
    REQUIRE(linked.run);
    CHECK(linked.run->passed);
    CHECK(tree.linked() == std::vector<std::string>{"node_modules"});
    CHECK(fs::is_symlink(tree.dir() / "node_modules"));
    CHECK(tree.environment(base) == "node_modules\n");
    // A commit whose lockfile differs from the user's copy gets no link: its dependencies may differ.
    repo.git({"checkout", "-q", "-b", "other"});
    repo.write("package-lock.json", "{\"v\": 3}\n");
    const std::string other = repo.commit("other lock");
    repo.git({"checkout", "-q", "main"});
    auto unlinked = tree.run_tests(other);
    REQUIRE(unlinked.run);
    CHECK_FALSE(unlinked.run->passed);
    CHECK(tree.linked().empty());
    CHECK(tree.environment(other).empty());
    // The user's directory was never touched by the clean-up between runs.
    CHECK(fs::exists(repo.path() / "node_modules/dep/index.js"));
  }

  SECTION("the coverage report is this run's: an earlier run's is removed first") {
    auto o = options_for(repo, root, "mkdir -p coverage; echo 'SF:a.txt' >coverage/lcov.info");
    o.coverage_report = "coverage/lcov.info";
    safety::ValidationTree writer(git, o);
    REQUIRE(writer.run_tests(base).run->passed);
    REQUIRE(fs::exists(writer.dir() / "coverage/lcov.info")); // ignored: `git clean` keeps it
    o.test_command = "test ! -e coverage/lcov.info";
    safety::ValidationTree silent(git, o);
    auto s = silent.run_tests(base);
    REQUIRE(s.run);
    CHECK(s.run->passed);
  }

  SECTION("unwound by an exception, the tree is removed with its registration") {
    fs::path dir;
    try {
      safety::ValidationTree tree(git, options_for(repo, root, "true"));
      REQUIRE(tree.run_tests(base).run->passed);
      dir = tree.dir();
      REQUIRE(fs::exists(dir));
      throw std::runtime_error("interrupted");
    } catch (const std::runtime_error&) {
    }
    CHECK_FALSE(fs::exists(dir));
    CHECK(repo.git({"worktree", "list", "--porcelain"}).find(dir.string()) == std::string::npos);
  }

  SECTION("remove_validation_tree removes it (uninstall); nothing there is no error") {
    fs::path dir;
    {
      safety::ValidationTree tree(git, options_for(repo, root, "true"));
      REQUIRE(tree.run_tests(base).run->passed);
      dir = tree.dir();
    }
    REQUIRE(fs::exists(dir));
    CHECK(safety::remove_validation_tree(root, repo.path(), repo.git_dir()));
    CHECK_FALSE(fs::exists(dir));
    CHECK(repo.git({"worktree", "list", "--porcelain"}).find(dir.string()) == std::string::npos);
    CHECK_FALSE(safety::remove_validation_tree(root, repo.path(), repo.git_dir()));
  }

  SECTION("a root that is a symlink is refused: worktrees are made in a directory of ours only") {
    fs::create_directories(cache.path() / "elsewhere");
    fs::create_directory_symlink(cache.path() / "elsewhere", cache.path() / "linked");
    CHECK_THROWS_AS(safety::ValidationTree(git, options_for(repo, cache.path() / "linked", "true")), core::Error);
    CHECK(fs::is_empty(cache.path() / "elsewhere"));
  }

  SECTION("a tree left broken (a stale index.lock) is made again") {
    safety::ValidationTree tree(git, options_for(repo, root, "true"));
    REQUIRE(tree.run_tests(base).run->passed);
    const std::string gitdir = test_support::run_git(tree.dir(), {"rev-parse", "--absolute-git-dir"});
    { std::ofstream(fs::path(gitdir) / "index.lock") << ""; }
    repo.write("c.txt", "c\n");
    const std::string next = repo.commit("c");
    auto r = tree.run_tests(next);
    REQUIRE(r.run);
    CHECK(r.run->passed);
    CHECK(fs::exists(tree.dir() / "c.txt"));
  }
}
