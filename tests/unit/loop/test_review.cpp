#include "loop/review.hpp"

#include "../support/loop_context.hpp"
#include "../support/temp_repo.hpp"

#include "loop/context.hpp"
#include "loop/drain.hpp"
#include "loop/worker.hpp"
#include "safety/sandbox.hpp"

#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using loop::Context;
using test_support::slurp;
using test_support::open_ctx;
using test_support::TempRepo;

namespace {

const loop::PendingFix* pending_for(const std::vector<loop::PendingFix>& fixes, const std::string& path) {
  for (const auto& f : fixes)
    if (f.opportunity.path == path) return &f;
  return nullptr;
}

} // namespace

TEST_CASE("review: pending fixes, accept, reject, rebuild") {
  TempRepo repo("review");
  repo.write("a.py", "def f(x):\n    if x == None:\n        return 1\n    return 2\n");
  repo.write("b.py", "def g(y):\n    if y != None:\n        return 1\n    return 2\n");
  repo.write("notes.txt", "mine\n");
  fs::permissions(repo.path() / "a.py", fs::perms::owner_exec, fs::perm_options::add);
  const std::string head = repo.commit("two findings");
  Context ctx = open_ctx(repo);
  loop::scan_now(ctx, {head}, "scan");
  const loop::DrainResult drained = loop::drain(ctx, {});
  REQUIRE(drained.applied == 2);

  const auto pending = loop::pending_fixes(ctx);
  REQUIRE(pending.size() == 2);
  const loop::PendingFix* a = pending_for(pending, "a.py");
  const loop::PendingFix* b = pending_for(pending, "b.py");
  REQUIRE(a);
  REQUIRE(b);

  SECTION("each pending fix shows its diff, its rule set and nothing refusing it") {
    CHECK(a->diff.find("+    if x is None:") != std::string::npos);
    CHECK(b->diff.find("+    if y is not None:") != std::string::npos);
    CHECK(a->rule_source == "builtin");
    CHECK(a->refused.empty());
    CHECK(a->fixes() == 1);
  }

  SECTION("accept: one commit on the user's branch with the fix, the branch's mode kept, the rest untouched") {
    const loop::VerdictResult r = loop::accept_fix(ctx, a->opportunity.id);
    INFO(r.message);
    REQUIRE(r.ok);
    CHECK(repo.head() == r.commit);
    CHECK(repo.rev("HEAD~1") == head);
    CHECK(slurp(repo.path() / "a.py").find("if x is None:") != std::string::npos);
    CHECK(repo.git({"ls-tree", "HEAD", "a.py"}).rfind("100755", 0) == 0);
    CHECK(slurp(repo.path() / "b.py").find("!= None") != std::string::npos); // not accepted: not applied
    CHECK(slurp(repo.path() / "notes.txt") == "mine\n");
    CHECK(ctx.store().opportunity(a->opportunity.id)->status == core::Status::accepted);
    const auto left = loop::pending_fixes(ctx);
    REQUIRE(left.size() == 1);
    CHECK(left.front().opportunity.path == "b.py");
  }

  SECTION("reject: recorded with its reason; the rebuilt side branch holds only the other fix") {
    const loop::VerdictResult r = loop::reject_fix(ctx, b->opportunity.id, "style we keep");
    REQUIRE(r.ok);
    CHECK(r.rule == "python/compare-to-none");
    CHECK(repo.head() == head); // a rejection changes nothing of the user's
    CHECK(ctx.store().opportunity(b->opportunity.id)->status == core::Status::rejected);
    loop::rebuild_side_branch(ctx);
    CHECK(repo.git({"rev-list", "--count", "main..autoloop/main"}) == "1");
    CHECK(repo.git({"diff", "--name-only", "main", "autoloop/main"}) == "a.py");
  }

  SECTION("accept refuses while another git process holds the index lock, and changes nothing") {
    { std::ofstream(repo.git_dir() / "index.lock") << ""; }
    const loop::VerdictResult r = loop::accept_fix(ctx, a->opportunity.id);
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("index.lock") != std::string::npos);
    CHECK(repo.head() == head);
    CHECK(fs::exists(repo.git_dir() / "index.lock")); // git's lock is not ours to remove
    CHECK(slurp(repo.path() / "a.py").find("x == None") != std::string::npos);
    fs::remove(repo.git_dir() / "index.lock");
  }
}

TEST_CASE("safety::prune_worktrees") {
  TempRepo repo("prune");
  repo.write("a.txt", "a\n");
  repo.commit();
  const fs::path data = repo.git_dir() / "autoloop";
  const fs::path left = repo.dir().path().parent_path() / (repo.path().filename().string() + "-left-worktree");
  repo.git({"worktree", "add", "-q", "--detach", left.string()});
  REQUIRE(repo.git({"worktree", "list", "--porcelain"}).find(left.string()) != std::string::npos);

  SECTION("a worktree git still lists but whose directory is gone is pruned from git's records") {
    fs::remove_all(left);
    safety::prune_worktrees(repo.path(), data);
    CHECK(repo.git({"worktree", "list", "--porcelain"}).find(left.string()) == std::string::npos);
  }
  SECTION("what a killed drain left in the loop's own worktrees/ goes; the rest of its data stays") {
    fs::create_directories(data / "worktrees" / "cycle-7" / "src");
    { std::ofstream(data / "worktrees" / "cycle-7" / "src" / "x.py") << "x\n"; }
    { std::ofstream(data / "keep.txt") << "keep\n"; }
    safety::prune_worktrees(repo.path(), data);
    CHECK_FALSE(fs::exists(data / "worktrees" / "cycle-7"));
    CHECK(slurp(data / "keep.txt") == "keep\n");
    CHECK(fs::exists(left / "a.txt"));
    repo.git({"worktree", "remove", "--force", left.string()});
  }
  SECTION("a worktree that still exists, and is not the loop's, stays") {
    safety::prune_worktrees(repo.path(), data);
    CHECK(fs::exists(left / "a.txt"));
    CHECK(repo.git({"worktree", "list", "--porcelain"}).find(left.string()) != std::string::npos);
    repo.git({"worktree", "remove", "--force", left.string()});
  }
}
