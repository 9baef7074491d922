// git autoloop trust [--revoke]: allow the commands in the tracked .autoloop.yml to run.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/log.hpp"
#include "loop/context.hpp"
#include "safety/trust.hpp"

#include <cstdio>

namespace cli {

Runner define_trust(CLI::App& sub) {
  auto revoke = std::make_shared<bool>(false);
  sub.add_flag("--revoke", *revoke, "Forget the trust");
  return [revoke](const Global& g) {
    loop::OpenOptions oo = open_options(g);
    loop::Context ctx = loop::Context::open(oo);
    auto trust_file = ctx.paths.trust_file();
    if (*revoke) {
      safety::revoke(trust_file);
      core::say("trust revoked: commands from .autoloop.yml will not run");
      return k_exit_ok;
    }
    auto repo_config = ctx.paths.repo_config();
    if (!repo_config) throw core::Error("no work tree, no .autoloop.yml to trust");
    std::printf("trusting %s; it may run:\n", repo_config->c_str());
    if (!ctx.config.test_command.empty()) std::printf("  test_command:   %s\n", ctx.config.test_command.c_str());
    if (!ctx.config.notify_command.empty()) std::printf("  notify_command: %s\n", ctx.config.notify_command.c_str());
    for (const auto& f : ctx.config.fixers) {
      std::string argv;
      for (const auto& a : f.command) argv += (argv.empty() ? "" : " ") + a;
      std::printf("  fixer %s: %s\n", f.name.c_str(), argv.c_str());
    }
    std::string id = safety::trust(*repo_config, trust_file);
    std::printf("trusted (content %s); any change to the file needs `git autoloop trust` again\n", id.substr(0, 12).c_str());
    return k_exit_ok;
  };
}

} // namespace cli
