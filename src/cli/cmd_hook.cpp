// git autoloop hook pre-push [REMOTE URL] < "<local ref> <local sha> <remote ref> <remote sha>" lines
// Called by the hook binary. Makes sure every pushed commit is scanned, prints a one-line summary of
// new findings, and exits 1 only when block_push_on names a category with new findings, or when the push
// would write a side branch (push_side_branches). Internal errors exit 0 with a warning: a push is never
// blocked by our own failure, but a side branch is still refused then (with the default prefix).
// The policy itself is loop/pre_push.hpp.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/log.hpp"
#include "loop/pre_push.hpp"

#include <cstdio>
#include <iostream>

namespace cli {

namespace {

struct HookOptions {
  std::string hook;
  std::vector<std::string> args;
};

// "a, b, c".
std::string joined(const std::vector<std::string>& items) {
  std::string list;
  for (const auto& item : items) list += (list.empty() ? "" : ", ") + item;
  return list;
}

// Says why a push that writes side branches is refused; returns whether it is.
bool refuse_side_branches(const std::vector<std::string>& names) {
  if (names.empty()) return false;
  std::fprintf(stderr,
               "git-autoloop: push refused: %s %s unreviewed fixes (side branch); push your branches by name, "
               "or set push_side_branches: true to share side branches\n",
               joined(names).c_str(), names.size() == 1 ? "holds" : "hold");
  return true;
}

int pre_push(const Global& g, const std::vector<loop::PushedRef>& refs) {
  loop::Context ctx = loop::Context::open(open_options(g));
  const loop::PushCheck check = loop::check_push(ctx, refs);
  if (refuse_side_branches(check.side_branches)) return k_exit_findings;
  if (check.new_findings == 0) return k_exit_ok;
  std::string summary;
  for (const auto& [category, n] : check.new_by_category)
    summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + category;
  std::fprintf(stderr, "git-autoloop: %d new finding%s in %zu pushed commit%s (%s); see `git autoloop queue`\n",
               check.new_findings, check.new_findings == 1 ? "" : "s", check.pushed_commits,
               check.pushed_commits == 1 ? "" : "s", summary.c_str());
  if (!check.blocking.empty()) {
    std::fprintf(stderr, "git-autoloop: push blocked: new %s findings (block_push_on); fix them or push with AUTOLOOP=0\n",
                 joined(check.blocking).c_str());
    return k_exit_findings;
  }
  return k_exit_ok;
}

} // namespace

Runner define_hook(CLI::App& sub) {
  auto o = std::make_shared<HookOptions>();
  sub.add_option("hook", o->hook, "Hook name")->required();
  sub.add_option("args", o->args, "Hook arguments");
  return [o](const Global& g) {
    if (o->hook != "pre-push") throw core::Error("unknown hook entry point '" + o->hook + "'");
    const std::vector<loop::PushedRef> refs = loop::parse_pushed_refs(std::cin);
    try {
      return pre_push(g, refs);
    } catch (const std::exception& e) {
      core::warn(std::string("pre-push check skipped: ") + e.what());
      // Our failure lets the push through, but never a side branch (the configuration may be what failed).
      const core::Config defaults = core::default_config();
      return refuse_side_branches(loop::side_branches_written(refs, defaults.side_branch_prefix)) ? k_exit_findings
                                                                                                    : k_exit_ok;
    }
  };
}

} // namespace cli
