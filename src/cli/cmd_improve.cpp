// git autoloop improve "<instruction>" [PATH...] [--fixer NAME]
// Queues a request that a configured generator (any program, an LLM command line included) turns
// into a fix on the next drain, through the same gates (size, re-parse, tests) and the same review.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/log.hpp"
#include "loop/context.hpp"
#include "fix/generator.hpp"
#include "safety/trust.hpp"
#include "scan/engine.hpp"

#include <ctime>
#include <filesystem>
#include <system_error>

namespace cli {

namespace {
struct ImproveOptions {
  std::string instruction;
  std::vector<std::string> paths;
  std::string fixer;
};
} // namespace

Runner define_improve(CLI::App& sub) {
  auto o = std::make_shared<ImproveOptions>();
  sub.add_option("instruction", o->instruction, "What to improve, in words")->required();
  sub.add_option("paths", o->paths, "Files (or directories) the generator may change, relative to the current directory; passed to it as arguments");
  sub.add_option("--fixer", o->fixer, "Which configured fixer generates the change (default: the first)");
  return [o](const Global& g) {
    loop::OpenOptions oo = open_options(g);
    loop::Context ctx = loop::Context::open(oo);
    if (ctx.config.fixers.empty())
      throw core::Fatal("no generator configured: add one to .autoloop.yml (or .git/autoloop/config.yml), e.g.\n"
                        "  fixers:\n    - name: llm\n      command: [my-llm-cli, --edit-in-place]\n"
                        "It runs in a private worktree with the file names as arguments and the instruction on stdin\n"
                        "(and in AUTOLOOP_INSTRUCTION); then `git autoloop trust` if it is in the tracked file.",
                        k_exit_config);
    const core::FixerConfig* fixer = &ctx.config.fixers.front();
    if (!o->fixer.empty()) {
      fixer = nullptr;
      for (const auto& f : ctx.config.fixers)
        if (f.name == o->fixer) fixer = &f;
      if (!fixer) throw core::Fatal("no fixer named '" + o->fixer + "' in the configuration", k_exit_config);
    }
    if (!ctx.paths.work_tree) throw core::Fatal("improve needs a work tree (this repository is bare)", k_exit_usage);
    std::string listed;
    for (const auto& p : o->paths) listed += repository_path(*ctx.paths.work_tree, p) + "\n";
    queue::Opportunity op;
    op.rule_id = fix::k_improve_prefix + fixer->name; // how queue and review name it; origin says what it is
    op.origin = core::Origin::generator_request;
    op.category = core::Category::code_quality;
    op.severity = "info";
    op.safety = core::Safety::unsafe;
    op.message = o->instruction;
    op.snippet = listed;
    op.fingerprint = scan::hash_hex(op.rule_id + '\0' + o->instruction + '\0' + listed + '\0' + std::to_string(std::time(nullptr)));
    op.score = 10; // asked for by a person: first in line
    ctx.store().upsert_opportunity(op);
    core::say("queued #" + std::to_string(op.id) + " for the fixer '" + fixer->name + "'; the next drain (`git autoloop drain --now`) proposes it for review");
    if (!safety::command_trusted(ctx.config, "fixers", ctx.paths.repo_config(), ctx.paths.trust_file()))
      core::warn("the fixers in .autoloop.yml are not trusted yet: run `git autoloop trust` first");
    return k_exit_ok;
  };
}

} // namespace cli
