#include "loop/catch_up.hpp"

#include "../support/loop_context.hpp"
#include "../support/temp_repo.hpp"

#include "core/fs.hpp"
#include "hookcore/lock.hpp"
#include "hookcore/spool.hpp"

#include <chrono>
#include <string>
#include <thread>

using loop::Context;
using test_support::EnvGuard;
using test_support::open_ctx;
using test_support::TempRepo;

namespace {

// What the post-commit hook records for `commit`.
void spool_commit(const Context& ctx, const std::string& commit) {
  hookcore::SpoolEntry e;
  e.event = "post-commit";
  e.commits = {commit};
  e.git_dir = ctx.paths.git_dir.string();
  hookcore::spool_append(ctx.paths.spool(), e);
}

} // namespace

TEST_CASE("scan_pending_events") {
  TempRepo repo("catch-up");
  EnvGuard no_switch("AUTOLOOP", std::nullopt);
  repo.write("a.py", "value = eval(user_input)\n");
  const std::string commit = repo.commit();
  Context ctx = open_ctx(repo);
  spool_commit(ctx, commit);

  SECTION("scans what the hooks spooled, and empties the spool") {
    CHECK_FALSE(loop::scan_pending_events(ctx));
    CHECK(ctx.store().is_commit_scanned(commit));
    CHECK(hookcore::spool_empty(ctx.paths.spool()));
  }

  SECTION("waits for a scan under way, then scans") {
    auto held = hookcore::FileLock::try_acquire(ctx.paths.scan_lock());
    REQUIRE(held);
    std::thread release([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      held.reset();
    });
    const auto t0 = std::chrono::steady_clock::now();
    const auto note = loop::scan_pending_events(ctx, std::chrono::seconds(10));
    release.join();
    CHECK_FALSE(note);
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(250));
    CHECK(ctx.store().is_commit_scanned(commit));
  }

  SECTION("a scan that outlasts the wait: the drain goes on, said so, nothing scanned here") {
    auto held = hookcore::FileLock::try_acquire(ctx.paths.scan_lock());
    REQUIRE(held);
    const auto note = loop::scan_pending_events(ctx, std::chrono::seconds(0));
    REQUIRE(note);
    CHECK(note->find("still running") != std::string::npos);
    CHECK_FALSE(ctx.store().is_commit_scanned(commit));
    CHECK_FALSE(hookcore::spool_empty(ctx.paths.spool()));
  }

  SECTION("stopped: nothing is scanned") {
    core::write_file_atomic(ctx.paths.stop_file(), "stopped\n");
    CHECK_FALSE(loop::scan_pending_events(ctx));
    CHECK_FALSE(ctx.store().is_commit_scanned(commit));
  }
}
