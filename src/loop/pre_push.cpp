#include "loop/pre_push.hpp"

#include "hookcore/lock.hpp"
#include "loop/notify.hpp"
#include "loop/worker.hpp"

#include <set>
#include <sstream>

namespace loop {

namespace {

// At most this many commits are taken from one pushed ref.
constexpr size_t k_commits_per_ref = 10000;

bool is_zero(const std::string& id) { return id.find_first_not_of('0') == std::string::npos; }

// The commits the push sends that the remote lacks, each once, in push order.
std::vector<std::string> pushed_commits(Context& ctx, const std::vector<PushedRef>& refs) {
  std::vector<std::string> commits;
  std::set<std::string> seen;
  for (const auto& [local_ref, local_sha, remote_ref, remote_sha] : refs) {
    if (is_zero(local_sha)) continue; // a deletion pushes no commits
    std::string from = !is_zero(remote_sha) && ctx.repo.has_object(remote_sha) ? remote_sha : "";
    auto range = from.empty() ? ctx.repo.commits_not_on_remotes(local_sha, k_commits_per_ref)
                              : ctx.repo.commit_range(from, local_sha, k_commits_per_ref);
    for (auto& c : range)
      if (seen.insert(c).second) commits.push_back(c);
  }
  return commits;
}

} // namespace

std::vector<PushedRef> parse_pushed_refs(std::istream& in) {
  std::vector<PushedRef> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    PushedRef r;
    if (fields >> r.local_ref >> r.local_sha >> r.remote_ref >> r.remote_sha) out.push_back(r);
  }
  return out;
}

std::vector<std::string> side_branches_written(const std::vector<PushedRef>& refs, const std::string& prefix) {
  const std::string side = "refs/heads/" + prefix;
  std::vector<std::string> names;
  for (const auto& r : refs) {
    if (is_zero(r.local_sha)) continue;
    if (r.local_ref.rfind(side, 0) == 0 || r.remote_ref.rfind(side, 0) == 0)
      names.push_back(r.remote_ref.rfind(side, 0) == 0 ? r.remote_ref : r.local_ref);
  }
  return names;
}

std::vector<std::string> blocking_categories(const std::map<std::string, int>& new_by_category,
                                             const std::vector<std::string>& block_push_on) {
  std::vector<std::string> blocking;
  for (const auto& c : block_push_on)
    if (new_by_category.count(c)) blocking.push_back(c);
  return blocking;
}

PushCheck check_push(Context& ctx, const std::vector<PushedRef>& refs) {
  PushCheck check;
  if (!ctx.config.push_side_branches) {
    check.side_branches = side_branches_written(refs, ctx.config.side_branch_prefix);
    if (!check.side_branches.empty()) return check;
  }
  if (ctx.stopped()) return check;
  const std::vector<std::string> commits = pushed_commits(ctx, refs);
  check.pushed_commits = commits.size();
  if (commits.empty()) return check;
  {
    // Wait for a running worker rather than scan the same commits twice.
    auto lock = hookcore::FileLock::acquire(ctx.paths.scan_lock(), std::chrono::seconds(60));
    scan_now(ctx, commits, "scan:pre-push");
  }
  const std::set<std::string> pushed(commits.begin(), commits.end());
  queue::OpportunityFilter filter;
  filter.status = core::Status::open;
  std::vector<queue::Opportunity> found;
  for (auto& o : ctx.store().opportunities(filter)) {
    if (!o.is_new || !pushed.count(o.commit_id)) continue;
    ++check.new_by_category[std::string(core::to_string(o.category))];
    ++check.new_findings;
    found.push_back(std::move(o));
  }
  check.blocking = blocking_categories(check.new_by_category, ctx.config.block_push_on);
  if (!check.blocking.empty()) notify_push_blocked(ctx, check.blocking, found, commits.size());
  return check;
}

} // namespace loop
