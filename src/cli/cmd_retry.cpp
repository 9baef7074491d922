// git autoloop retry ID... | --all-failed: reopens refused fixes (status failed or stale: tests failed or
// timed out, a gate refused the change, a pending fix no longer applied) so that the next drain tries them
// again. Their attempts stay in the history (`queue`, `report`, what the rules learnt).
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/log.hpp"
#include "loop/context.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace cli {

namespace {

struct RetryOptions {
  std::vector<int64_t> ids;
  bool all_failed = false;
};

bool refused(core::Status status) { return status == core::Status::failed || status == core::Status::stale; }

} // namespace

Runner define_retry(CLI::App& sub) {
  auto o = std::make_shared<RetryOptions>();
  sub.add_option("ID", o->ids, "Opportunity ids, as `git autoloop queue --status failed` lists them (#ID)");
  sub.add_flag("--all-failed", o->all_failed, "Every refused fix (status failed or stale)");
  return [o](const Global& g) {
    if (o->ids.empty() == !o->all_failed)
      throw core::Fatal("retry: give opportunity ids or --all-failed (one of the two)", k_exit_usage);
    loop::Context ctx = loop::Context::open(open_options(g));
    queue::Store& store = ctx.store();
    std::vector<queue::Opportunity> chosen;
    bool bad = false;
    if (o->all_failed) {
      for (core::Status status : {core::Status::failed, core::Status::stale}) {
        queue::OpportunityFilter filter;
        filter.status = status;
        for (auto& op : store.opportunities(filter)) chosen.push_back(std::move(op));
      }
    } else {
      for (int64_t id : o->ids) {
        auto op = store.opportunity(id);
        if (!op) {
          std::fflush(stdout);
          std::fprintf(stderr, "git-autoloop: #%lld: no such opportunity\n", static_cast<long long>(id));
          bad = true;
        } else if (!refused(op->status)) {
          std::fflush(stdout);
          std::fprintf(stderr, "git-autoloop: #%lld is %s, not a refused fix (failed or stale): nothing to retry\n",
                       static_cast<long long>(id), std::string(core::to_string(op->status)).c_str());
          bad = true;
        } else {
          chosen.push_back(std::move(*op));
        }
      }
    }
    std::vector<int64_t> ids;
    for (const auto& op : chosen) ids.push_back(op.id);
    const std::vector<int64_t> reopened = store.reopen(ids);
    for (const auto& op : chosen) {
      if (std::find(reopened.begin(), reopened.end(), op.id) == reopened.end()) continue; // changed meanwhile
      std::string why;
      auto attempts = store.attempts_of(op.id);
      if (!attempts.empty()) why = refusal_line(attempts.back().outcome, attempts.back().detail);
      std::printf("reopened #%lld %s:%d [%s] (was %s%s%s)\n", static_cast<long long>(op.id), printable(op.path).c_str(),
                  op.start_line, printable(op.rule_id).c_str(), std::string(core::to_string(op.status)).c_str(), why.empty() ? "" : ": ",
                  printable(why).c_str());
    }
    if (reopened.empty()) {
      core::say("nothing to retry");
    } else {
      core::say(std::to_string(reopened.size()) + (reopened.size() == 1 ? " fix" : " fixes") +
                " reopened; the next drain tries " + (reopened.size() == 1 ? "it" : "them") +
                " again (`git autoloop drain --now` runs one now)");
      if (auto paused = store.state("paused")) core::say("the loop is paused (" + *paused + "): `git autoloop resume` first");
    }
    return bad ? k_exit_failed : k_exit_ok;
  };
}

} // namespace cli
