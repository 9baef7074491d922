// git autoloop worker --git-dir DIR: started detached by the hook binary; never talks to a terminal.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/fs.hpp"
#include "core/interrupt.hpp"
#include "core/layout.hpp"
#include "loop/drain.hpp"
#include "loop/worker.hpp"
#include "schedule/load.hpp"
#include "hookcore/lock.hpp"
#include "hookcore/repo_locate.hpp"
#include "hookcore/spool.hpp"

#include <thread>

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace cli {

namespace {
// The worker must not compete with the user's next commit: idle CPU and I/O classes (on top of
// the nice value the hook's spawn set).
void lower_priority() {
  sched_param param{};
  ::sched_setscheduler(0, SCHED_IDLE, &param);
  constexpr int k_ioprio_class_idle = 3, k_ioprio_class_shift = 13, k_ioprio_who_process = 1;
  ::syscall(SYS_ioprio_set, k_ioprio_who_process, 0, k_ioprio_class_idle << k_ioprio_class_shift);
}
} // namespace

Runner define_worker(CLI::App&) {
  return [](const Global& g) {
    lower_priority();
    loop::OpenOptions oo = open_options(g);
    oo.check_queue = false; // once per commit: the commands check, the worker recovers from what its queries meet
    std::optional<loop::Context> ctx;
    try {
      ctx.emplace(loop::Context::open(oo));
    } catch (const std::exception& e) {
      // Most likely a malformed .autoloop.yml: keep the hook events for after the fix, and let
      // the next hook show the error once.
      if (!g.git_dir.empty()) {
        if (auto repo = hookcore::locate_repo(std::filesystem::current_path(), {{"GIT_DIR", g.git_dir}})) {
          const core::Layout layout = core::Layout::of_common_dir(repo->common_dir);
          std::error_code ec;
          std::filesystem::create_directories(layout.root(), ec);
          try {
            core::write_file_atomic(layout.last_error(), std::string(e.what()) + "\n");
          } catch (const std::exception&) {
          }
        }
      }
      return k_exit_failed;
    }
    if (ctx->stopped()) return k_exit_ok;
    auto scanned = loop::run_worker(*ctx);
    if (scanned.lock_busy) return k_exit_ok; // the running worker will also see to the drain
    // Then a drain, when due. Only one worker waits out the debounce; it gives up as soon as a newer
    // hook event arrives (that event's worker takes over: it waits a moment for the lock, which the
    // leaving waiter is about to release).
    auto waiting = hookcore::FileLock::acquire(ctx->paths.drain_wait_lock(), std::chrono::milliseconds(500));
    if (!waiting) return k_exit_ok;
    const auto deferred_since = std::chrono::steady_clock::now();
    for (;;) {
      if (ctx->stopped() || ctx->store().state("paused")) return k_exit_ok;
      auto wait = loop::seconds_until_drain(*ctx);
      if (!wait) return k_exit_ok;
      if (*wait <= 0) {
        // Due: unless the machine is busy. Then look again every few seconds, for up to an hour (a
        // later hook starts a new wait).
        auto busy = schedule::busy_reason(ctx->config.autonomous_loop.max_load_per_cpu, schedule::current_load());
        if (!busy) break;
        ctx->store().set_state("drain_deferred", *busy);
        if (std::chrono::steady_clock::now() - deferred_since > std::chrono::hours(1)) return k_exit_ok;
        std::this_thread::sleep_for(std::chrono::seconds(5));
        if (!hookcore::spool_empty(ctx->paths.spool())) return k_exit_ok;
        continue;
      }
      if (*wait > ctx->config.autonomous_loop.debounce + 1) return k_exit_ok; // scan_interval: a later hook
      std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(*wait * 1000) + 50));
      if (!hookcore::spool_empty(ctx->paths.spool())) return k_exit_ok;
    }
    ctx->store().erase_state("drain_deferred");
    loop::DrainOptions options;
    options.trigger = "schedule";
    try {
      // SIGTERM (a logout, a shutdown, `kill`): the tests' processes are ended, the cycle is recorded
      // as interrupted and the private worktree cleaned, as for a foreground drain.
      core::InterruptGuard guard;
      loop::drain(*ctx, options);
    } catch (const core::Interrupted& e) {
      return interrupted_drain_exit(*ctx, e.signal());
    }
    return k_exit_ok;
  };
}

} // namespace cli
