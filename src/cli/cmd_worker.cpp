// git autoloop worker --git-dir DIR: started detached by the hook binary; never talks to a terminal.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/fs.hpp"
#include "loop/worker.hpp"

namespace cli {

Runner define_worker(CLI::App&) {
  return [](const Global& g) {
    loop::OpenOptions oo;
    oo.overrides = g.overrides;
    if (!g.git_dir.empty()) oo.git_dir = g.git_dir;
    std::optional<loop::Context> ctx;
    try {
      ctx.emplace(loop::Context::open(oo));
    } catch (const std::exception& e) {
      // Most likely a malformed .autoloop.yml: keep the hook events for after the fix, and let
      // the next hook show the error once.
      if (!g.git_dir.empty()) {
        std::error_code ec;
        auto data = std::filesystem::path(g.git_dir);
        if (auto common = core::read_file(data / "commondir")) {
          std::string c = *common;
          while (!c.empty() && (c.back() == '\n' || c.back() == '\r')) c.pop_back();
          data = std::filesystem::path(c).is_absolute() ? std::filesystem::path(c) : data / c;
        }
        std::filesystem::create_directories(data / "autoloop", ec);
        try {
          core::write_file_atomic(data / "autoloop" / "last-error", std::string(e.what()) + "\n");
        } catch (const std::exception&) {
        }
      }
      return k_exit_failed;
    }
    if (ctx->stopped()) return k_exit_ok;
    loop::run_worker(*ctx);
    return k_exit_ok;
  };
}

} // namespace cli
