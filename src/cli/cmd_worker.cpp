// git autoloop worker --git-dir DIR: started detached by the hook binary; never talks to a terminal.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/error.hpp"
#include "loop/cycle.hpp"

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
      loop::record_open_failure(g.git_dir, e.what());
      return k_exit_failed;
    }
    // The hook events, then a drain when one is due.
    loop::CycleOptions cycle;
    cycle.when = loop::DrainWhen::due;
    cycle.trigger = "schedule";
    try {
      loop::run_cycle(*ctx, cycle);
    } catch (const core::Interrupted& e) {
      return interrupted_drain_exit(*ctx, e.signal());
    }
    return k_exit_ok;
  };
}

} // namespace cli
