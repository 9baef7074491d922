// git autoloop config [--show-origin]
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "loop/context.hpp"

#include <cstdio>

namespace cli {

Runner define_config(CLI::App& sub) {
  auto show_origin = std::make_shared<bool>(false);
  sub.add_flag("--show-origin", *show_origin, "Show where each value came from (default, file:line:col, env, command line)");
  sub.footer("Precedence, lowest first: built-in defaults, <worktree>/.autoloop.yml, <git-common-dir>/autoloop/config.yml,\n"
             "AUTOLOOP_<KEY> environment variables (AUTOLOOP_SCAN__THREADS=4), then -c key.path=value.");
  return [show_origin](const Global& g) {
    loop::OpenOptions oo = open_options(g);
    loop::Context ctx = loop::Context::open(oo);
    for (const auto& [key, value] : core::config_entries(ctx.config)) {
      if (*show_origin) {
        auto it = ctx.config.origin.find(key);
        std::string origin = it == ctx.config.origin.end() ? "default" : it->second;
        std::printf("%-40s %-28s %s\n", origin.c_str(), key.c_str(), value.c_str());
      } else {
        std::printf("%s = %s\n", key.c_str(), value.c_str());
      }
    }
    return k_exit_ok;
  };
}

} // namespace cli
