#include "loop/cycle.hpp"

#include "../support/temp_repo.hpp"

#include "core/fs.hpp"
#include "hookcore/lock.hpp"
#include "hookcore/spool.hpp"

#include <chrono>
#include <ctime>
#include <string>

using loop::Context;
using test_support::EnvGuard;
using test_support::TempRepo;

namespace {

// A repository with one commit holding one finding the drain can fix (python/compare-to-none), opened
// with a schedule that makes a drain due at once on a machine never too busy.
struct DueRepo {
  TempRepo repo{"cycle"};
  std::string head;
  EnvGuard no_switch{"AUTOLOOP", std::nullopt};
  DueRepo() {
    repo.write("a.py", "def f(x):\n    if x == None:\n        return 1\n    return 2\n");
    head = repo.commit("a finding");
  }
  Context open() const {
    loop::OpenOptions o;
    o.git_dir = repo.git_dir();
    Context ctx = Context::open(o);
    ctx.config.autonomous_loop.debounce = 0;
    ctx.config.autonomous_loop.max_load_per_cpu = 0;
    return ctx;
  }
};

bool lock_free(const std::filesystem::path& lock) { return hookcore::FileLock::try_acquire(lock).has_value(); }

} // namespace

TEST_CASE("stop_reason") {
  DueRepo due;
  Context ctx = due.open();

  SECTION("nothing stops a loop that runs") { CHECK_FALSE(loop::stop_reason(ctx)); }

  SECTION("the STOP switch") {
    core::write_file_atomic(ctx.paths.stop_file(), "");
    auto why = loop::stop_reason(ctx);
    REQUIRE(why);
    CHECK(why->find("git autoloop stop") != std::string::npos);
  }

  SECTION("AUTOLOOP=0") {
    EnvGuard off("AUTOLOOP", "0");
    CHECK(loop::stop_reason(ctx) == std::optional<std::string>("AUTOLOOP=0 is set"));
  }
}

TEST_CASE("sleep_unless_stopped") {
  DueRepo due;
  Context ctx = due.open();

  SECTION("sleeps the whole period when nothing says stop") {
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_FALSE(loop::sleep_unless_stopped(ctx, std::chrono::milliseconds(300)));
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(300));
  }

  SECTION("returns at once, with the reason, when the loop is stopped") {
    core::write_file_atomic(ctx.paths.stop_file(), "");
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(loop::sleep_unless_stopped(ctx, std::chrono::seconds(30)));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  }
}

TEST_CASE("wait_until_due") {
  DueRepo due;
  Context ctx = due.open();

  SECTION("due and the machine not busy: the drain-wait lock, held until dropped") {
    ctx.store().set_state("drain_deferred", "load 9.00 on 1 CPU is above 1.5 per CPU");
    {
      auto lock = loop::wait_until_due(ctx);
      REQUIRE(lock);
      CHECK_FALSE(lock_free(ctx.paths.drain_wait_lock()));
      CHECK_FALSE(ctx.store().state("drain_deferred")); // no longer deferred
    }
    CHECK(lock_free(ctx.paths.drain_wait_lock()));
  }

  SECTION("another worker already waits: this one leaves the drain to it") {
    auto other = hookcore::FileLock::try_acquire(ctx.paths.drain_wait_lock());
    REQUIRE(other);
    CHECK_FALSE(loop::wait_until_due(ctx));
  }

  SECTION("stopped or paused: no drain") {
    ctx.store().set_state("paused", "cycle 1: rolled back");
    CHECK_FALSE(loop::wait_until_due(ctx));
    ctx.store().erase_state("paused");
    core::write_file_atomic(ctx.paths.stop_file(), "");
    CHECK_FALSE(loop::wait_until_due(ctx));
  }

  SECTION("a detached HEAD has no branch to drain") {
    due.repo.git({"checkout", "-q", "--detach", "HEAD"});
    CHECK_FALSE(loop::wait_until_due(ctx));
  }

  SECTION("a drain due only after the debounce (scan_interval after the last cycle) is a later hook's") {
    loop::scan_now(ctx, {due.head}, "scan");
    REQUIRE(loop::drain(ctx, {}).applied == 1);
    ctx.config.autonomous_loop.scan_interval = 3600;
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_FALSE(loop::wait_until_due(ctx));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)); // did not wait for it
  }

  SECTION("a hook event during the debounce hands the drain to that event's worker") {
    // Due two seconds from now, however long the test took so far.
    const auto commit_time = ctx.repo.commit_info(due.head).time;
    ctx.config.autonomous_loop.debounce = static_cast<int>(std::time(nullptr) - commit_time) + 2;
    hookcore::SpoolEntry entry;
    entry.event = "post-commit";
    entry.commits = {due.head};
    entry.git_dir = ctx.paths.git_dir.string();
    hookcore::spool_append(ctx.paths.spool(), entry);
    CHECK_FALSE(loop::wait_until_due(ctx));
  }
}

TEST_CASE("run_cycle") {
  DueRepo due;
  Context ctx = due.open();

  SECTION("now: scans HEAD's unscanned commits and drains") {
    loop::CycleOptions options;
    options.when = loop::DrainWhen::now;
    options.scan_head = true;
    const loop::CycleResult r = loop::run_cycle(ctx, options);
    CHECK_FALSE(r.stopped);
    CHECK_FALSE(r.busy);
    CHECK(ctx.store().is_commit_scanned(due.head));
    REQUIRE(r.drain);
    CHECK_FALSE(r.drain->skipped);
    CHECK(r.drain->applied == 1);
    CHECK(due.repo.rev("autoloop/main~1") == due.head);
  }

  SECTION("now, without scan_head: a commit no hook recorded on HEAD is left for the worker's catch-up") {
    loop::CycleOptions options;
    options.when = loop::DrainWhen::now;
    const loop::CycleResult r = loop::run_cycle(ctx, options);
    REQUIRE(r.drain);
    CHECK(r.drain->applied == 0);
  }

  SECTION("due: the worker's cycle drains once the drain is due, and releases the drain-wait lock") {
    hookcore::SpoolEntry entry;
    entry.event = "post-commit";
    entry.commits = {due.head};
    entry.git_dir = ctx.paths.git_dir.string();
    hookcore::spool_append(ctx.paths.spool(), entry);
    loop::CycleOptions options;
    options.when = loop::DrainWhen::due;
    options.trigger = "schedule";
    const loop::CycleResult r = loop::run_cycle(ctx, options);
    CHECK(r.scan.entries == 1);
    REQUIRE(r.drain);
    CHECK(r.drain->applied == 1);
    CHECK(lock_free(ctx.paths.drain_wait_lock()));
  }

  SECTION("due: another live worker (worker.lock held) sees to the drain") {
    auto alive = hookcore::FileLock::try_acquire(ctx.paths.layout().worker_lock());
    REQUIRE(alive);
    loop::CycleOptions options;
    options.when = loop::DrainWhen::due;
    const loop::CycleResult r = loop::run_cycle(ctx, options);
    CHECK(r.scan.lock_busy);
    CHECK_FALSE(r.drain);
    CHECK(due.repo.git({"branch", "--list", "autoloop/*"}).empty());
  }

  SECTION("stopped: nothing is scanned or drained, and the reason is given") {
    core::write_file_atomic(ctx.paths.stop_file(), "");
    for (auto when : {loop::DrainWhen::now, loop::DrainWhen::due}) {
      loop::CycleOptions options;
      options.when = when;
      options.scan_head = true;
      const loop::CycleResult r = loop::run_cycle(ctx, options);
      CHECK(r.stopped);
      CHECK_FALSE(r.drain);
      CHECK_FALSE(ctx.store().is_commit_scanned(due.head));
    }
  }
}
