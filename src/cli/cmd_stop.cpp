// git autoloop stop | resume: the emergency stop (a file in the git dir, seen by every hook).
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "loop/context.hpp"
#include "hookcore/spawn.hpp"

#include <ctime>

namespace cli {

namespace {
loop::Context open_context(const Global& g) {
  return loop::Context::open(open_options(g, false)); // stopping must work even with a broken config
}
} // namespace

Runner define_stop(CLI::App&) {
  return [](const Global& g) {
    loop::Context ctx = open_context(g);
    std::filesystem::create_directories(ctx.paths.data_dir);
    core::write_file_atomic(ctx.paths.stop_file(), "stopped at " + std::to_string(std::time(nullptr)) + "\n");
    core::say("git-autoloop stopped: hooks do nothing and no scan or drain runs until `git autoloop resume`, "
              "which then scans what was committed meanwhile.");
    return k_exit_ok;
  };
}

Runner define_resume(CLI::App&) {
  return [](const Global& g) {
    loop::Context ctx = open_context(g);
    std::error_code ec;
    bool was_stopped = std::filesystem::remove(ctx.paths.stop_file(), ec);
    bool was_paused = ctx.store().state("paused").has_value();
    ctx.store().erase_state("paused");
    core::say(was_stopped || was_paused ? std::string("git-autoloop resumed") + (was_paused ? " (the pause after a rolled-back cycle is cleared)." : ".")
                                        : "git-autoloop was not stopped; nothing to resume.");
    // The hooks recorded nothing while stopped: the worker catches up on the commits made meanwhile.
    if (was_stopped && !ctx.stopped()) {
      std::vector<std::string> worker{loop::locate_binaries().main.string(), "worker", "--git-dir", ctx.paths.git_dir.string()};
      if (hookcore::spawn_detached(worker)) core::say("the commits made meanwhile are being scanned in the background.");
      else core::warn("cannot start the background worker; the next commit scans what was committed meanwhile");
    }
    return k_exit_ok;
  };
}

} // namespace cli
