// git autoloop queue [--status S] [--rule ID] [--path P] [--limit N] [--format text|json]
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/terminal.hpp"
#include "core/suggest.hpp"
#include "fix/select.hpp"
#include "fix/sweep.hpp"
#include "loop/context.hpp"
#include "loop/drain.hpp"
#include "providers/enabled.hpp"
#include "scan/rule_ids.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace cli {

namespace {
template <class E> std::vector<std::string> names_of() {
  std::vector<std::string> names;
  for (E v : core::all_values<E>()) names.emplace_back(core::to_string(v));
  return names;
}
std::vector<std::string> names_of_status() {
  auto names = names_of<core::Status>();
  names.push_back("all");
  return names;
}
// --category takes a category's name or its short name (as ci.block_on does): security, performance,
// quality, coverage. Anything else is a usage error that says which was probably meant.
core::Category category_named(const std::string& name) {
  if (std::optional<core::Category> category = core::category_named(name)) return *category;
  std::vector<std::string> names = names_of<core::Category>();
  for (core::Category c : core::all_values<core::Category>()) names.emplace_back(core::short_name(c));
  std::string listed;
  for (const auto& n : names) listed += (listed.empty() ? "" : ", ") + n;
  throw core::Fatal("queue: --category " + name + " is not one of " + listed + core::did_you_mean(name, names), k_exit_usage);
}

struct QueueOptions {
  std::string status = "open";
  std::string rule, path, category;
  size_t limit = 0;
  std::string format = "text";
};
} // namespace

Runner define_queue(CLI::App& sub) {
  auto o = std::make_shared<QueueOptions>();
  std::string status_names;
  for (core::Status s : core::all_values<core::Status>())
    status_names += (status_names.empty() ? "" : ", ") + std::string(core::to_string(s));
  sub.add_option("--status", o->status, status_names + ", or all")
      ->capture_default_str();
  sub.add_option("--rule", o->rule, "Only this rule id");
  sub.add_option("--path", o->path, "Only this path");
  sub.add_option("--category", o->category, "Only this category (security_fixes or security, performance, quality, coverage)");
  sub.add_option("--limit", o->limit, "At most N rows (0: all)");
  sub.add_option("--format", o->format, "Output: text or json")->capture_default_str();
  return [o, status_names](const Global& g) {
    Format format = parse_format(o->format, false);
    loop::OpenOptions oo = open_options(g);
    loop::Context ctx = loop::Context::open(oo);
    queue::OpportunityFilter filter;
    if (o->status != "all") {
      filter.status = core::parse<core::Status>(o->status);
      if (!filter.status)
        throw core::Fatal("queue: --status " + o->status + " is not one of " + status_names + ", all" +
                              core::did_you_mean(o->status, names_of_status()),
                          k_exit_usage);
    }
    if (!o->rule.empty()) filter.rule_id = o->rule;
    if (!o->path.empty()) filter.path = o->path;
    if (!o->category.empty()) filter.category = category_named(o->category);
    // Ranked with the priorities in force now, as the drain ranks when it selects (fix::base_of): the
    // scores stored at scan time would not follow a change of improvement_priorities. The limit applies after.
    std::vector<queue::Opportunity> found = ctx.store().opportunities(filter);
    std::map<int64_t, double> base;
    for (const auto& op : found) base[op.id] = fix::base_of(op, ctx.config.improvement_priorities);
    std::stable_sort(found.begin(), found.end(), [&](const auto& a, const auto& b) { return base[a.id] > base[b.id]; });
    if (o->limit > 0 && found.size() > o->limit) found.resize(o->limit);
    // A rule id that names no rule is a typo, unless the queue still holds findings of a rule since removed.
    // A provider's rule (ruff/E501) is the tool's: no list holds it in advance.
    if (!o->rule.empty() && found.empty() && providers::provider_of_rule(o->rule).empty())
      if (auto problem = scan::unknown_rule_id(o->rule, ctx.rules()))
        throw core::Fatal("queue: --rule: " + *problem, k_exit_usage);
    std::vector<Row> rows;
    for (const auto& op : found) {
      Row r = row_of(op);
      if (op.status == core::Status::failed || op.status == core::Status::stale) {
        // What `git autoloop retry` would try again, and why it was refused.
        auto attempts = ctx.store().attempts_of(op.id);
        if (!attempts.empty()) {
          // The first line says which gate; the tests' (or check's) last lines say what went wrong.
          const loop::FailureDetail detail = loop::split_failure(attempts.back().detail);
          r.reason = refusal_line(attempts.back().outcome, detail.head);
          for (const auto& line : detail.tail) r.output_tail.push_back(line.substr(0, 200));
        }
      } else if (op.status == core::Status::open) {
        // Queued again after a sweep the gates refused (fix/sweep.hpp): why, until it is tried alone.
        auto attempts = ctx.store().attempts_of(op.id);
        if (!attempts.empty() && attempts.back().outcome == core::Outcome::sweep_refused)
          r.reason = refusal_line(attempts.back().outcome, attempts.back().detail);
      }
      rows.push_back(std::move(r));
    }
    if (format == Format::json) {
      std::fputs(format_json(rows).c_str(), stdout);
    } else {
      Pager pager = Pager::start(g);
      std::fputs(format_text(rows).c_str(), stdout);
      std::fprintf(stdout, "%zu %s\n", rows.size(), rows.size() == 1 ? "opportunity" : "opportunities");
      // Why some of these are not fixed (recorded by the last drain).
      if (auto untrusted = ctx.store().state("untrusted_rules")) std::fprintf(stdout, "%s\n", untrusted->c_str());
      if (auto paused = ctx.store().state("paused"))
        std::fprintf(stdout, "the loop is paused (%s): `git autoloop resume` goes on\n", printable(*paused).c_str());
    }
    return k_exit_ok;
  };
}

} // namespace cli
