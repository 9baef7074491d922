#include "loop/worker.hpp"

#include "../support/loop_context.hpp"
#include "../support/temp_repo.hpp"

#include "hookcore/lock.hpp"
#include "hookcore/spool.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using loop::Context;
using loop::OpenOptions;
using hookcore::SpoolEntry;
using test_support::EnvGuard;
using test_support::open_ctx;
using test_support::TempRepo;

namespace {

SpoolEntry entry(const Context& ctx, std::vector<std::string> commits, bool deferred = false,
                 const std::string& event = "post-commit") {
  SpoolEntry e;
  e.event = event;
  e.commits = std::move(commits);
  e.deferred = deferred;
  e.git_dir = ctx.paths.git_dir.string();
  return e;
}

// Rows of the built-in eval rule in `path`.
std::vector<queue::Opportunity> eval_rows(Context& ctx, const std::string& path) {
  queue::OpportunityFilter f;
  f.path = path;
  f.rule_id = "python/eval-exec";
  return ctx.store().opportunities(f);
}

} // namespace

TEST_CASE("run_worker") {
  TempRepo repo("worker");
  EnvGuard no_switch("AUTOLOOP", std::nullopt);
  repo.write("a.py", "value = eval(user_input)\n");
  std::string c1 = repo.commit();

  SECTION("consumes spool entries and scans their commits") {
    Context ctx = open_ctx(repo);
    SpoolEntry e = entry(ctx, {c1});
    e.hook_us = 750;
    hookcore::spool_append(ctx.paths.spool(), e);
    loop::WorkerResult r = loop::run_worker(ctx);
    CHECK_FALSE(r.lock_busy);
    CHECK(r.entries == 1);
    CHECK(r.batches == 1);
    CHECK(r.stats.commits == 1);
    CHECK(r.stats.findings >= 1);
    CHECK(hookcore::spool_empty(ctx.paths.spool()));
    CHECK(ctx.store().is_commit_scanned(c1));
    CHECK(eval_rows(ctx, "a.py").size() == 1);
    CHECK(ctx.store().count_runs("scan") == 1);
    auto hook_runs = ctx.store().runs("hook:post-commit", 0);
    REQUIRE(hook_runs.size() == 1);
    CHECK(hook_runs[0].duration_ms == Approx(0.75));
    CHECK_FALSE(fs::exists(ctx.paths.last_error()));
  }

  SECTION("an empty spool: nothing to do") {
    Context ctx = open_ctx(repo);
    loop::WorkerResult r = loop::run_worker(ctx);
    CHECK(r.entries == 0);
    CHECK(r.batches == 0);
    CHECK_FALSE(ctx.store().is_commit_scanned(c1));
  }

  SECTION("a range entry scans every commit in old..new, oldest first") {
    repo.write("b.py", "eval(b_input)\n");
    std::string c2 = repo.commit();
    repo.write("c.py", "eval(c_input)\n");
    std::string c3 = repo.commit();
    Context ctx = open_ctx(repo);
    SpoolEntry e = entry(ctx, {}, false, "post-merge");
    e.ranges = {{c1, c3}};
    hookcore::spool_append(ctx.paths.spool(), e);
    loop::WorkerResult r = loop::run_worker(ctx);
    CHECK(r.entries == 1);
    CHECK(r.stats.commits == 2);
    CHECK_FALSE(ctx.store().is_commit_scanned(c1));
    CHECK(ctx.store().is_commit_scanned(c2));
    CHECK(ctx.store().is_commit_scanned(c3));
    CHECK(eval_rows(ctx, "b.py").size() == 1);
    CHECK(eval_rows(ctx, "c.py").size() == 1);
  }

  SECTION("several entries naming the same commit scan it once, in one batch") {
    Context ctx = open_ctx(repo);
    for (int i = 0; i < 3; ++i) hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c1}));
    loop::WorkerResult r = loop::run_worker(ctx);
    CHECK(r.entries == 3);
    CHECK(r.batches == 1);
    CHECK(r.stats.commits == 1);
  }

  SECTION("deferred entries wait while rebase-merge/ exists and are taken once it is gone") {
    Context ctx = open_ctx(repo);
    fs::create_directory(ctx.paths.git_dir / "rebase-merge");
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c1}, true));

    loop::WorkerResult during = loop::run_worker(ctx);
    CHECK(during.entries == 0);
    CHECK_FALSE(hookcore::spool_empty(ctx.paths.spool()));
    CHECK_FALSE(ctx.store().is_commit_scanned(c1));

    fs::remove_all(ctx.paths.git_dir / "rebase-merge");
    loop::WorkerResult after = loop::run_worker(ctx);
    CHECK(after.entries == 1);
    CHECK(after.stats.commits == 1);
    CHECK(hookcore::spool_empty(ctx.paths.spool()));
    CHECK(ctx.store().is_commit_scanned(c1));
  }

  SECTION("a post-rewrite entry settles the deferred entries recorded before it (git runs it inside the rebase)") {
    Context ctx = open_ctx(repo);
    fs::create_directory(ctx.paths.git_dir / "rebase-merge");
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c1}, true));
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c1}, false, "post-rewrite"));
    loop::WorkerResult r = loop::run_worker(ctx);
    CHECK(r.entries == 2);
    CHECK(r.batches == 1);
    CHECK(hookcore::spool_empty(ctx.paths.spool()));
    CHECK(ctx.store().is_commit_scanned(c1));
  }

  SECTION("during a rebase, entries that are not deferred are still taken") {
    repo.write("b.py", "eval(b_input)\n");
    std::string c2 = repo.commit();
    Context ctx = open_ctx(repo);
    fs::create_directory(ctx.paths.git_dir / "rebase-merge");
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c1}, true));
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c2}, false, "post-merge"));
    loop::WorkerResult r = loop::run_worker(ctx);
    CHECK(r.entries == 1);
    CHECK(ctx.store().is_commit_scanned(c2));
    CHECK_FALSE(ctx.store().is_commit_scanned(c1));
    auto left = hookcore::spool_read(ctx.paths.spool());
    REQUIRE(left.size() == 1);
    CHECK(left[0].deferred);
    CHECK(left[0].commits == std::vector<std::string>{c1});
  }

  SECTION("a deferred entry waits for the rebase in its own worktree, whichever worktree the worker runs in") {
    repo.git({"worktree", "add", "-q", (repo.path() / "wt").string(), "-b", "wt-branch"});
    fs::path wt_git_dir = repo.git_dir() / "worktrees" / "wt";
    REQUIRE(fs::is_directory(wt_git_dir));
    fs::create_directory(wt_git_dir / "rebase-merge"); // the rebase runs in the linked worktree
    Context main_ctx = open_ctx(repo);                  // the worker runs for the main worktree
    SpoolEntry e = entry(main_ctx, {c1}, true, "post-commit");
    e.git_dir = wt_git_dir.string();
    hookcore::spool_append(main_ctx.paths.spool(), e);
    loop::WorkerResult r = loop::run_worker(main_ctx);
    CHECK(r.entries == 0);
    CHECK_FALSE(main_ctx.store().is_commit_scanned(c1));
    fs::remove_all(wt_git_dir / "rebase-merge");
    CHECK(loop::run_worker(main_ctx).entries == 1);
    CHECK(main_ctx.store().is_commit_scanned(c1));
  }

  SECTION("commits no hook recorded (stopped, full disk, no binary) are caught up on, once") {
    Context ctx = open_ctx(repo);
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c1}));
    CHECK(loop::run_worker(ctx).caught_up == 0);
    repo.write("b.py", "eval(b_input)\n");
    std::string c2 = repo.commit();
    repo.write("c.py", "eval(c_input)\n");
    std::string c3 = repo.commit();
    repo.write("d.py", "eval(d_input)\n");
    std::string c4 = repo.commit();
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c4})); // the first commit recorded again
    loop::WorkerResult r = loop::run_worker(ctx);
    CHECK(r.entries == 1);
    CHECK(r.caught_up == 2);
    CHECK(ctx.store().is_commit_scanned(c2));
    CHECK(ctx.store().is_commit_scanned(c3));
    CHECK(eval_rows(ctx, "b.py").size() == 1);
    CHECK(eval_rows(ctx, "c.py").size() == 1);
    CHECK(ctx.store().count_runs("catch-up") == 1);
    CHECK(loop::run_worker(ctx).caught_up == 0);

    SECTION("on other local branches too, but not on side branches") {
      repo.git({"checkout", "-q", "-b", "feat"});
      repo.write("e.py", "eval(e_input)\n");
      std::string f1 = repo.commit();
      repo.git({"checkout", "-q", "-b", "autoloop/main", c4});
      repo.write("g.py", "eval(g_input)\n");
      std::string side = repo.commit();
      repo.git({"checkout", "-q", "main"});
      CHECK(loop::run_worker(ctx).caught_up == 1);
      CHECK(ctx.store().is_commit_scanned(f1));
      CHECK_FALSE(ctx.store().is_commit_scanned(side));
    }
    SECTION("not while a rebase is under way") {
      repo.write("e.py", "eval(e_input)\n");
      std::string c5 = repo.commit();
      fs::create_directory(ctx.paths.git_dir / "rebase-merge");
      CHECK(loop::run_worker(ctx).caught_up == 0);
      fs::remove_all(ctx.paths.git_dir / "rebase-merge");
      CHECK(loop::run_worker(ctx).caught_up == 1);
      CHECK(ctx.store().is_commit_scanned(c5));
    }
  }

  SECTION("history below the first scanned commit predates the loop: never caught up on") {
    repo.write("b.py", "eval(b_input)\n");
    std::string c2 = repo.commit();
    Context ctx = open_ctx(repo);
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c2}));
    loop::WorkerResult r = loop::run_worker(ctx);
    CHECK(r.caught_up == 0);
    CHECK_FALSE(ctx.store().is_commit_scanned(c1));
  }

  SECTION("corrupt spool files are removed without scanning anything") {
    Context ctx = open_ctx(repo);
    fs::create_directories(ctx.paths.spool());
    std::ofstream(ctx.paths.spool() / "00000000000000000001-1-0.ev") << "autoloop-spool 1\nevent post-commit\n";
    loop::WorkerResult r = loop::run_worker(ctx);
    CHECK(r.entries == 0);
    CHECK(hookcore::spool_empty(ctx.paths.spool()));
  }

  SECTION("commits that no longer exist are skipped; the entry is consumed") {
    Context ctx = open_ctx(repo);
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {std::string(40, 'd')}));
    loop::WorkerResult r = loop::run_worker(ctx);
    CHECK(r.entries == 1);
    CHECK(r.stats.commits == 0);
    CHECK(hookcore::spool_empty(ctx.paths.spool()));
  }

  SECTION("a malformed rule is off: the other rules scan the commit") {
    repo.write(".autoloop/rules/broken.yml", "id: x/broken\nlanguage: python\n");
    Context ctx = open_ctx(repo);
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c1}));
    loop::WorkerResult r;
    REQUIRE_NOTHROW(r = loop::run_worker(ctx));
    CHECK(r.entries == 1);
    CHECK(hookcore::spool_empty(ctx.paths.spool()));
    CHECK(ctx.store().is_commit_scanned(c1));
  }

  SECTION("a failing scan: the failure is recorded, not thrown, and the entries wait for the fix") {
    // A rules directory that cannot be read fails every rule alike (unlike one malformed rule): a rule
    // file over its size limit.
    auto broken = repo.write(".autoloop/rules/huge.yml", "# " + std::string(300 << 10, 'x') + "\n");
    Context ctx = open_ctx(repo);
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c1}));
    loop::WorkerResult r;
    REQUIRE_NOTHROW(r = loop::run_worker(ctx));
    CHECK(r.entries == 0);
    CHECK_FALSE(hookcore::spool_empty(ctx.paths.spool()));
    CHECK_FALSE(ctx.store().is_commit_scanned(c1));
    REQUIRE(fs::exists(ctx.paths.last_error()));
    CHECK_THAT(test_support::slurp(ctx.paths.last_error()), Catch::Contains("huge.yml"));
    auto runs = ctx.store().runs("scan", 0);
    REQUIRE(runs.size() == 1);
    CHECK_THAT(runs[0].error, Catch::Contains("huge.yml"));

    fs::remove(broken);
    loop::WorkerResult fixed = loop::run_worker(ctx);
    CHECK(fixed.entries == 1);
    CHECK(ctx.store().is_commit_scanned(c1));
    CHECK(hookcore::spool_empty(ctx.paths.spool()));
    CHECK_FALSE(fs::exists(ctx.paths.last_error()));
  }

  SECTION("deferred commits no branch reaches (left by an aborted rebase) are dropped; the entry is consumed") {
    repo.git({"checkout", "-q", "-b", "doomed"});
    repo.write("d.py", "eval(doomed_input)\n");
    std::string orphan = repo.commit();
    repo.git({"checkout", "-q", "main"});
    repo.git({"branch", "-q", "-D", "doomed"});
    Context ctx = open_ctx(repo);
    REQUIRE(ctx.repo.has_object(orphan));
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {orphan, c1}, true, "post-commit"));
    loop::WorkerResult r = loop::run_worker(ctx);
    CHECK(r.entries == 1);
    CHECK(ctx.store().is_commit_scanned(c1));
    CHECK_FALSE(ctx.store().is_commit_scanned(orphan));
    CHECK(eval_rows(ctx, "d.py").empty());
  }

  SECTION("a successful scan clears an earlier last-error") {
    Context ctx = open_ctx(repo);
    fs::create_directories(ctx.paths.data_dir);
    std::ofstream(ctx.paths.last_error()) << "scan failed: old\n";
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c1}));
    loop::run_worker(ctx);
    CHECK_FALSE(fs::exists(ctx.paths.last_error()));
  }

  SECTION("another worker alive (worker.lock held): returns at once, the spool untouched") {
    Context ctx = open_ctx(repo);
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c1}));
    fs::create_directories(ctx.paths.data_dir);
    auto held = hookcore::FileLock::try_acquire(ctx.paths.data_dir / "worker.lock");
    REQUIRE(held);
    REQUIRE(hookcore::FileLock::held_elsewhere(ctx.paths.data_dir / "worker.lock"));
    const auto t0 = std::chrono::steady_clock::now();
    loop::WorkerResult r = loop::run_worker(ctx);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    CHECK(r.lock_busy);
    CHECK(r.entries == 0);
    CHECK_FALSE(hookcore::spool_empty(ctx.paths.spool()));
  }

  SECTION("a scan holding the scan lock: waited for, then the spool is left to the next worker") {
    Context ctx = open_ctx(repo);
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c1}));
    fs::create_directories(ctx.paths.data_dir);
    auto held = hookcore::FileLock::try_acquire(ctx.paths.data_dir / "scan.lock");
    REQUIRE(held);
    const auto t0 = std::chrono::steady_clock::now();
    loop::WorkerResult r = loop::run_worker(ctx, std::chrono::milliseconds(200));
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(200));
    CHECK(r.lock_busy);
    CHECK(r.entries == 0);
    CHECK_FALSE(hookcore::spool_empty(ctx.paths.spool()));
    // worker.lock was let go: the next hook starts a worker, which scans once the scan is over.
    CHECK_FALSE(hookcore::FileLock::held_elsewhere(ctx.paths.data_dir / "worker.lock"));
    held.reset();
    r = loop::run_worker(ctx, std::chrono::milliseconds(200));
    CHECK(r.entries == 1);
    CHECK(ctx.store().is_commit_scanned(c1));
  }

  SECTION("worker.lock is free again when the worker is done") {
    Context ctx = open_ctx(repo);
    hookcore::spool_append(ctx.paths.spool(), entry(ctx, {c1}));
    loop::run_worker(ctx);
    CHECK_FALSE(hookcore::FileLock::held_elsewhere(ctx.paths.data_dir / "worker.lock"));
    CHECK(hookcore::FileLock::try_acquire(ctx.paths.data_dir / "worker.lock"));
  }
}

TEST_CASE("scan_now") {
  TempRepo repo("worker");
  repo.write("a.py", "value = eval(user_input)\n");
  std::string c1 = repo.commit();
  Context ctx = open_ctx(repo);

  SECTION("scans the commits and records a run of the given kind") {
    std::vector<scan::Located> out;
    scan::ScanStats s = loop::scan_now(ctx, {c1}, "pre-push", false, &out);
    CHECK(s.commits == 1);
    CHECK_FALSE(out.empty());
    auto runs = ctx.store().runs("pre-push", 0);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].commits == 1);
    CHECK(runs[0].error.empty());
  }

  SECTION("throws on failure, after recording the run with its error") {
    repo.write(".autoloop/rules/huge.yml", "# " + std::string(300 << 10, 'x') + "\n");
    CHECK_THROWS_AS(loop::scan_now(ctx, {c1}, "pre-push"), core::LocatedError);
    auto runs = ctx.store().runs("pre-push", 0);
    REQUIRE(runs.size() == 1);
    CHECK_FALSE(runs[0].error.empty());
  }
}
