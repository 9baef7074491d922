// git autoloop hook pre-push [REMOTE URL] < "<local ref> <local sha> <remote ref> <remote sha>" lines
// git autoloop hook post-commit|post-merge|post-rewrite [ARGS...]: what a hook manager's script calls
// (schedule::hook_call_line); runs the hook binary, as an installed hook would.
// Called by the hook binary. Makes sure every pushed commit is scanned, prints a one-line summary of
// new findings, and exits 1 only when block_push_on names a category with new findings, or when the push
// would write a side branch (push_side_branches). Internal errors exit 0 with a warning: a push is never
// blocked by our own failure, but a side branch is still refused then (with the default prefix).
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/log.hpp"
#include "loop/context.hpp"
#include "loop/worker.hpp"
#include "schedule/hook_install.hpp"
#include "schedule/lock.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <unistd.h>

namespace cli {

namespace {

struct HookOptions {
  std::string hook;
  std::vector<std::string> args;
};

bool is_zero(const std::string& id) { return id.find_first_not_of('0') == std::string::npos; }

// One line of what git feeds pre-push on stdin.
struct PushedRef {
  std::string local_ref, local_sha, remote_ref, remote_sha;
};

std::vector<PushedRef> read_pushed_refs(std::istream& in) {
  std::vector<PushedRef> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    PushedRef r;
    if (fields >> r.local_ref >> r.local_sha >> r.remote_ref >> r.remote_sha) out.push_back(r);
  }
  return out;
}

// Side branches hold fixes nobody reviewed yet: a push that would write one (`git push --all`, `--mirror`,
// a refspec naming it, or another branch pushed onto that name) is refused. Deleting one passes. Returns
// whether the push is refused, having said why.
bool refuse_side_branches(const std::vector<PushedRef>& refs, const std::string& prefix) {
  const std::string side = "refs/heads/" + prefix;
  std::vector<std::string> names;
  for (const auto& r : refs) {
    if (is_zero(r.local_sha)) continue;
    if (r.local_ref.rfind(side, 0) == 0 || r.remote_ref.rfind(side, 0) == 0)
      names.push_back(r.remote_ref.rfind(side, 0) == 0 ? r.remote_ref : r.local_ref);
  }
  if (names.empty()) return false;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  std::fprintf(stderr,
               "git-autoloop: push refused: %s %s unreviewed fixes (side branch); push your branches by name, "
               "or set push_side_branches: true to share side branches\n",
               list.c_str(), names.size() == 1 ? "holds" : "hold");
  return true;
}

int pre_push(const Global& g, const std::vector<PushedRef>& refs) {
  loop::Context ctx = loop::Context::open(open_options(g));
  if (!ctx.config.push_side_branches && refuse_side_branches(refs, ctx.config.side_branch_prefix))
    return k_exit_findings;
  if (ctx.stopped()) return k_exit_ok;
  std::vector<std::string> commits;
  std::set<std::string> seen;
  for (const auto& [local_ref, local_sha, remote_ref, remote_sha] : refs) {
    if (is_zero(local_sha)) continue; // a deletion pushes no commits
    std::string from = !is_zero(remote_sha) && ctx.repo.has_object(remote_sha) ? remote_sha : "";
    auto range = from.empty() ? ctx.repo.commits_not_on_remotes(local_sha, 10000)
                              : ctx.repo.commit_range(from, local_sha, 10000);
    for (auto& c : range)
      if (seen.insert(c).second) commits.push_back(c);
  }
  if (commits.empty()) return k_exit_ok;
  {
    // Wait for a running worker rather than scan the same commits twice.
    auto lock = schedule::FileLock::acquire(ctx.paths.scan_lock(), std::chrono::seconds(60));
    loop::scan_now(ctx, commits, "scan:pre-push");
  }
  std::map<std::string, int> new_by_category;
  int total = 0;
  std::set<std::string> pushed(commits.begin(), commits.end());
  queue::OpportunityFilter filter;
  filter.status = core::Status::open;
  for (const auto& o : ctx.store().opportunities(filter)) {
    if (!o.is_new || !pushed.count(o.commit_id)) continue;
    ++new_by_category[o.category];
    ++total;
  }
  if (total == 0) return k_exit_ok;
  std::string summary;
  for (const auto& [category, n] : new_by_category) summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + category;
  std::vector<std::string> blocking;
  for (const auto& c : ctx.config.block_push_on)
    if (new_by_category.count(c)) blocking.push_back(c);
  std::fprintf(stderr, "git-autoloop: %d new finding%s in %zu pushed commit%s (%s); see `git autoloop queue`\n", total,
               total == 1 ? "" : "s", commits.size(), commits.size() == 1 ? "" : "s", summary.c_str());
  if (!blocking.empty()) {
    std::string list;
    for (const auto& b : blocking) list += (list.empty() ? "" : ", ") + b;
    std::fprintf(stderr, "git-autoloop: push blocked: new %s findings (block_push_on); fix them or push with AUTOLOOP=0\n",
                 list.c_str());
    return k_exit_findings;
  }
  return k_exit_ok;
}

// The other hooks, called from a line in a hook manager's script (schedule::hook_call_line): the hook
// binary does what it does as an installed hook (record, start the worker, show notices; never fail the
// commit), with nothing to chain (the script is the user's hook). exec: no second process in the commit.
int run_hook_binary(const std::string& hook, const std::vector<std::string>& args) {
  if (std::find(std::begin(schedule::k_autoloop_hooks), std::end(schedule::k_autoloop_hooks), hook) ==
      std::end(schedule::k_autoloop_hooks)) {
    std::string known;
    for (auto h : schedule::k_autoloop_hooks) known += (known.empty() ? "" : ", ") + std::string(h);
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
    const std::vector<PushedRef> refs = read_pushed_refs(std::cin);
    try {
      return pre_push(g, refs);
    } catch (const std::exception& e) {
      core::warn(std::string("pre-push check skipped: ") + e.what());
      // Our failure lets the push through, but never a side branch (the configuration may be what failed).
      const core::Config defaults = core::default_config();
      return refuse_side_branches(refs, defaults.side_branch_prefix) ? k_exit_findings : k_exit_ok;
    }
  };
}

} // namespace cli
