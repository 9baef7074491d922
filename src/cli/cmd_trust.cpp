// git autoloop trust [--revoke]: allow the commands in the tracked .autoloop.yml to run and the
// repository's rules (.autoloop/rules/) to apply their fixes.
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
      ctx.store().erase_state("untrusted_rules");
      core::say("trust revoked: commands from .autoloop.yml will not run, the repository's rules will not fix");
      return k_exit_ok;
    }
    auto repo_config = ctx.paths.repo_config();
    if (!repo_config) throw core::Error("no work tree, nothing of a repository to trust");
    std::error_code ec;
    const bool have_config = std::filesystem::exists(*repo_config, ec);
    // Read the rules first: a malformed rule is an error here, before anything is trusted.
    auto repository = ctx.repository_rules();
    std::vector<scan::Rule> rules;
    if (repository.dir) rules = scan::parse_rule_files(repository.files, scan::RuleOrigin::repository);
    if (have_config) {
      std::printf("trusting %s; it may run:\n", repo_config->c_str());
      if (!ctx.config.test_command.empty()) std::printf("  test_command:   %s\n", ctx.config.test_command.c_str());
      if (!ctx.config.test_setup.empty()) std::printf("  test_setup:     %s\n", ctx.config.test_setup.c_str());
      if (!ctx.config.coverage_command.empty())
        std::printf("  coverage_command: %s\n", ctx.config.coverage_command.c_str());
      if (!ctx.config.notify_command.empty()) std::printf("  notify_command: %s\n", ctx.config.notify_command.c_str());
      for (const auto& f : ctx.config.fixers) {
        std::string argv;
        for (const auto& a : f.command) argv += (argv.empty() ? "" : " ") + a;
        std::printf("  fixer %s: %s\n", f.name.c_str(), argv.c_str());
      }
    }
    if (!rules.empty()) {
      std::printf("trusting the repository's rules in %s; their fixes may apply:\n", repository.display.c_str());
      for (const auto& r : rules)
        std::printf("  %-40s %-8s %s\n", r.id.c_str(), r.fix.empty() ? "no fix" : std::string(core::to_string(r.safety)).c_str(),
                    std::filesystem::path(r.file).lexically_relative(*ctx.paths.work_tree).generic_string().c_str());
    }
    auto t = safety::trust(have_config ? repo_config : std::nullopt, repository.digest,
                           repository.dir ? repository.display : std::string("-"), trust_file);
    ctx.store().erase_state("untrusted_rules");
    ctx.store().erase_state("idle"); // why the last drain proposed nothing: trust may have changed it
    std::printf("trusted: config %s, rules %s (%zu rule file%s in %s); any change to them needs `git autoloop trust` again\n",
                t.config_id.empty() ? "(no .autoloop.yml)" : t.config_id.substr(0, 12).c_str(),
                t.rules.id.substr(0, 12).c_str(), t.rules.files, t.rules.files == 1 ? "" : "s",
                repository.dir ? repository.display.c_str() : "no repository rules directory");
    return k_exit_ok;
  };
}

} // namespace cli
