#include "loop/bisect.hpp"

#include "fix/coverage_gate.hpp"

#include <algorithm>
#include <ctime>
#include <functional>
#include <map>
#include <set>

namespace loop {

namespace {

// What a failed test run says, for the attempt's detail.
std::string describe_failure(const safety::TestRun& r, int timeout_s) {
  std::string head = r.timed_out ? "timed out after " + std::to_string(timeout_s) + " s" : "exit " + std::to_string(r.exit_code);
  const std::string& out = r.output_tail;
  return head + ": " + out.substr(out.size() > 400 ? out.size() - 400 : 0);
}

} // namespace

std::string test_fixes(Context& ctx, fix::ChainEnv& env, TestGate& gate, const std::string& chain_base,
                       std::vector<fix::PlannedFix>& plan, const std::string& validated, std::string tip) {
  const int timeout_s = ctx.config.test_timeout;
  std::set<std::string> passed_trees;
  auto tree_of = [&](const std::string& commit) { return ctx.repo.commit_info(commit).tree; };
  // The chain of the pending fixes and the new fixes in `subset`, in plan order.
  auto chain_with = [&](const std::vector<fix::PlannedFix*>& subset) {
    std::vector<fix::PlannedFix*> chain;
    for (auto& p : plan)
      if (!p.outcome.has_value() && !p.reused && (p.pending || std::find(subset.begin(), subset.end(), &p) != subset.end()))
        chain.push_back(&p);
    return fix::build_chain(env, chain_base, chain, validated);
  };
  // The coverage report of each passing run, read before the next run replaces it, by tree.
  std::map<std::string, fix::Report> reports;
  const std::string& report_path = ctx.config.metrics.coverage_report;
  auto test = [&](const std::string& commit) {
    auto r = gate.run(commit);
    if (r && r->passed) {
      const std::string tree = tree_of(commit);
      passed_trees.insert(tree);
      if (report_path.empty())
        reports[tree].why_unknown = "no coverage report is configured (metrics.coverage_report)";
      else
        reports[tree] = fix::read_report(gate.tree_dir(), report_path, fix::changed_paths(ctx.repo, chain_base, commit));
    }
    return r;
  };
  auto untested = [](fix::PlannedFix* p) {
    if (p->outcome.has_value()) return;
    p->outcome = core::Outcome::untested;
    p->detail = "test_budget spent before its tests ran";
  };
  // `c` failed a run of its own: once more, to tell a broken fix from a flaky suite.
  auto confirm = [&](fix::PlannedFix* c, const safety::TestRun& failed) {
    if (failed.timed_out) {
      c->outcome = core::Outcome::timed_out;
      c->detail = describe_failure(failed, timeout_s);
      return;
    }
    auto again = test(chain_with({c}));
    if (!again) return untested(c);
    if (again->passed) {
      c->note = "flaky: the tests failed once (exit " + std::to_string(failed.exit_code) + ") and passed on the rerun";
      ctx.store().set_state("tests_flaky", std::to_string(std::time(nullptr)) + " fix #" +
                                               std::to_string(c->opportunity.id) + ": " + c->note);
      return;
    }
    c->outcome = again->timed_out ? core::Outcome::timed_out : core::Outcome::tests_failed;
    c->detail = describe_failure(*again, timeout_s);
  };
  // The culprits among `group`, whose run together (with the pending fixes) failed as `failed`.
  std::function<void(const std::vector<fix::PlannedFix*>&, const safety::TestRun&)> halve =
      [&](const std::vector<fix::PlannedFix*>& group, const safety::TestRun& failed) {
        if (group.size() == 1) return confirm(group.front(), failed);
        const auto middle = group.begin() + static_cast<std::ptrdiff_t>(group.size() / 2);
        for (const std::vector<fix::PlannedFix*>& part : {std::vector<fix::PlannedFix*>(group.begin(), middle), std::vector<fix::PlannedFix*>(middle, group.end())}) {
          auto r = test(chain_with(part));
          if (!r) {
            for (fix::PlannedFix* p : part) untested(p);
          } else if (!r->passed) {
            halve(part, *r);
          }
        }
      };

  std::vector<fix::PlannedFix*> news;
  for (auto& p : plan)
    if (!p.outcome.has_value() && !p.pending) news.push_back(&p);
  auto batch = test(tip);
  if (!batch) {
    for (fix::PlannedFix* p : news) untested(p);
  } else if (!batch->passed && !news.empty()) {
    const double alone_ms = gate.expected_ms() * static_cast<double>(news.size());
    const bool each_alone = news.size() <= 2 || alone_ms <= std::min(gate.remaining_ms() / 2, 120000.0);
    ctx.log.info("the batch of {} new fixes fails its tests: {}", news.size(),
                 each_alone ? "testing each alone" : "halving the batch");
    if (news.size() == 1) {
      confirm(news.front(), *batch);
    } else if (each_alone) {
      for (fix::PlannedFix* c : news) {
        if (c->outcome.has_value()) continue;
        auto r = test(chain_with({c}));
        if (!r) untested(c);
        else if (!r->passed) confirm(c, *r);
        if (!c->outcome.has_value() || c->outcome == core::Outcome::untested) continue;
        // A culprit is out: often it was the only one, and the rest pass together in one run.
        std::vector<fix::PlannedFix*> rest;
        for (fix::PlannedFix* p : news)
          if (!p->outcome.has_value()) rest.push_back(p);
        if (rest.size() < 2) continue;
        auto together = test(chain_with(rest));
        if (together && together->passed) break;
      }
    } else {
      halve(news, *batch);
    }
  }
  auto chain = fix::live(plan);
  tip = fix::build_chain(env, chain_base, chain, validated);
  // The chain as it stands, tested whole unless a run passed on that very tree: when it fails (or the
  // budget is spent) its new fixes are refused together (or left untested) and the chain rebuilt.
  // Whether the chain that is left passed.
  auto test_together = [&] {
    if (tip == chain_base || passed_trees.count(tree_of(tip))) return true;
    auto together = test(tip);
    if (together && together->passed) return true;
    for (auto& p : plan)
      if (!p.outcome.has_value() && !p.pending) {
        if (!together) {
          untested(&p);
        } else {
          p.outcome = core::Outcome::tests_failed;
          p.detail = "fails in combination: " + describe_failure(*together, timeout_s);
        }
      }
    chain = fix::live(plan);
    tip = fix::build_chain(env, chain_base, chain, validated);
    return false;
  };
  // Fixes that pass one by one may still fail together (or the pending ones broke on a new base).
  test_together();
  // What the tests executed: each fix says so in its trailer, and an unsafe fix the tests never run is
  // not validated by them (the report, written by the tests, must show it; no report: "unknown").
  auto judge = [&](bool drop_unexecuted) {
    bool dropped = false;
    const auto found = reports.find(tree_of(tip));
    const fix::Report none{std::nullopt, "the tests did not pass on this chain"};
    const fix::Report& report = found == reports.end() ? none : found->second;
    for (fix::PlannedFix* p : fix::live(plan)) {
      if (p->commit.empty()) continue;
      const fix::Execution e = fix::check_commit(ctx.repo, report, p->commit, tip);
      p->tests_item = fix::validated_tests(e);
      if (drop_unexecuted && !p->pending && e.executed == fix::Executed::no && p->opportunity.safety != core::Safety::safe) {
        p->outcome = core::Outcome::not_executed;
        p->detail = "the tests pass but never execute the changed lines: " + e.reason;
        dropped = true;
      }
    }
    return dropped;
  };
  if (tip != chain_base && passed_trees.count(tree_of(tip))) {
    const bool dropped = judge(true);
    chain = fix::live(plan);
    tip = fix::build_chain(env, chain_base, chain, validated);
    // Without the dropped fixes the chain is a new tree: it must pass as a whole too.
    if (dropped && test_together() && tip != chain_base) {
      judge(false);
      chain = fix::live(plan);
      tip = fix::build_chain(env, chain_base, chain, validated);
    }
  }
  return tip;
}

} // namespace loop
