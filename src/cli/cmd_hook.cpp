// git autoloop hook pre-push [REMOTE URL] < "<local ref> <local sha> <remote ref> <remote sha>" lines
// git autoloop hook post-commit|post-merge|post-rewrite [ARGS...]: what a hook manager's script calls
// (hookcore::hook_call_line); runs the hook binary, as an installed hook would.
// Called by the hook binary. Makes sure every pushed commit is scanned, prints a one-line summary of
// new findings, and exits 1 only when block_push_on names a category with new findings, or when the push
// would write a side branch (push_side_branches). Internal errors exit 0 with a warning: a push is never
// blocked by our own failure, but a side branch is still refused then (with the default prefix).
// The policy itself is loop/pre_push.hpp.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/log.hpp"
#include "hookcore/hook_install.hpp"
#include "loop/context.hpp"
#include "loop/pre_push.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string_view>
#include <unistd.h>

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

// The other hooks, called from a line in a hook manager's script (hookcore::hook_call_line): the hook
// binary does what it does as an installed hook (record, start the worker, show notices; never fail the
// commit), with nothing to chain (the script is the user's hook). exec: no second process in the commit.
int run_hook_binary(const std::string& hook, const std::vector<std::string>& args) {
  if (std::find(std::begin(hookcore::k_autoloop_hooks), std::end(hookcore::k_autoloop_hooks), hook) ==
      std::end(hookcore::k_autoloop_hooks)) {
    std::string known;
    for (auto h : hookcore::k_autoloop_hooks) known += (known.empty() ? "" : ", ") + std::string(h);
    throw core::Error("unknown hook '" + hook + "' (git-autoloop handles " + known + ")");
  }
  const loop::Binaries bin = loop::locate_binaries();
  if (!bin.hook) {
    core::warn("hook " + hook + " skipped: autoloop-hook not found beside " + bin.main.string() +
               " or in ../libexec/git-autoloop/");
    return k_exit_ok;
  }
  std::vector<std::string> argv{bin.hook->string(), "--main", bin.main.string(), "--no-chained", hook};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  std::fflush(nullptr);
  ::execv(c_argv[0], c_argv.data());
  core::warn("hook " + hook + " skipped: cannot run " + argv[0] + ": " + std::strerror(errno));
  return k_exit_ok;
}

} // namespace

Runner define_hook(CLI::App& sub) {
  auto o = std::make_shared<HookOptions>();
  sub.add_option("hook", o->hook, "Hook name")->required();
  sub.add_option("args", o->args, "Hook arguments");
  return [o](const Global& g) {
    if (o->hook != "pre-push") return run_hook_binary(o->hook, o->args);
    if (const char* off = std::getenv("AUTOLOOP"); off && std::string_view(off) == "0") return k_exit_ok;
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
