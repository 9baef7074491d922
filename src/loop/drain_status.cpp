// What the rest of the loop asks of the drain without running one (loop/drain.hpp): the side branch's
// name, when a drain is due, and what the latest cycle refused.
#include "core/refname.hpp"
#include "loop/drain.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>

namespace loop {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

} // namespace

std::string side_branch_name(const core::Config& config, const std::string& branch) {
  return side_branch_ref(config, branch).substr(std::string_view("refs/heads/").size());
}

std::string side_branch_ref(const core::Config& config, const std::string& branch) {
  const std::string heads = "refs/heads/";
  const std::string ref = heads + config.side_branch_prefix + branch;
  // The prefix was checked at load; the branch is git's. Their concatenation is checked again, by
  // libgit2 too, because every ref and ref lock the loop writes is named from it.
  auto problem = core::side_branch_prefix_problem(config.side_branch_prefix);
  if (!problem) problem = core::ref_name_problem(ref);
  if (!problem && git::normalize_ref_name(ref) != ref) problem = "git's ref-name rules refuse it";
  if (problem)
    throw core::Error("side branch " + ref.substr(0, 200) + " for branch " + branch.substr(0, 100) +
                      " is not a usable ref name: " + *problem + " (check side_branch_prefix)");
  return ref;
}

std::vector<std::string> recent_refusals(Context& ctx, const std::string& branch, size_t limit) {
  using core::Outcome;
  static const std::set<Outcome> not_refusals = {Outcome::applied,  Outcome::planned,  Outcome::rolled_back,
                                                 Outcome::untested, Outcome::resolved, Outcome::accepted,
                                                 Outcome::rejected, Outcome::reverted, Outcome::superseded,
                                                 Outcome::untrusted};
  std::vector<std::string> out;
  queue::Store& store = ctx.store();
  for (const auto& cycle : store.cycles(20)) {
    if (cycle.branch != branch) continue;
    for (const auto& a : store.attempts_of_cycle(cycle.id)) {
      if (not_refusals.count(a.outcome) || out.size() >= limit) continue;
      auto o = store.opportunity(a.opportunity_id);
      std::string line = "#" + std::to_string(a.opportunity_id) + " " + (o ? o->rule_id + " " + o->path + ":" +
                                                                               std::to_string(o->start_line) + ": "
                                                                             : std::string());
      // The detail's lines (a test run's output) joined on one line, blank ones left out.
      std::string detail;
      size_t at = 0;
      while (at < a.detail.size()) {
        size_t nl = std::min(a.detail.find('\n', at), a.detail.size());
        std::string part = a.detail.substr(at, nl - at);
        while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) part.pop_back();
        if (!part.empty()) detail += (detail.empty() ? "" : " / ") + part;
        at = nl + 1;
      }
      line += std::string(core::to_string(a.outcome)) + (detail.empty() ? "" : ": " + detail);
      if (line.size() > 300) line = line.substr(0, 297) + "...";
      out.push_back(std::move(line));
    }
    if (!out.empty()) break;
  }
  return out;
}

FailureDetail split_failure(const std::string& detail, size_t tail_lines) {
  FailureDetail out;
  const size_t first_break = detail.find('\n');
  out.head = detail.substr(0, first_break);
  if (first_break == std::string::npos) return out;
  std::vector<std::string> rest;
  size_t at = first_break + 1;
  while (at <= detail.size()) {
    size_t nl = detail.find('\n', at);
    std::string line = detail.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) rest.push_back(std::move(line));
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  const size_t from = rest.size() > tail_lines ? rest.size() - tail_lines : 0;
  out.tail.assign(rest.begin() + static_cast<std::ptrdiff_t>(from), rest.end());
  return out;
}

std::optional<double> seconds_until_drain(Context& ctx) {
  auto branch = ctx.repo.current_branch();
  if (!branch) return std::nullopt;
  auto head = ctx.repo.resolve_commit("HEAD");
  if (!head) return std::nullopt;
  double now = now_seconds();
  double wait = 0;
  if (auto last = ctx.store().last_cycle_end(*branch))
    wait = std::max(wait, *last + ctx.config.autonomous_loop.scan_interval - now);
  auto info = ctx.repo.commit_info(*head);
  wait = std::max(wait, static_cast<double>(info.time) + ctx.config.autonomous_loop.debounce - now);
  return std::max(0.0, wait);
}

bool drain_due(Context& ctx) {
  auto wait = seconds_until_drain(ctx);
  return wait && *wait <= 0;
}

} // namespace loop
