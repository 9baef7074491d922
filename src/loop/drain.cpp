#include "loop/drain.hpp"

#include "core/fs.hpp"
#include "core/process.hpp"
#include "feedback/feedback.hpp"
#include "fix/chain.hpp"
#include "fix/generator.hpp"
#include "fix/select.hpp"
#include "fix/sweep.hpp"
#include "fix/trailers.hpp"
#include "loop/provider_scan.hpp"
#include "fix/validate.hpp"
#include "loop/bisect.hpp"
#include "loop/notify.hpp"
#include "loop/test_gate.hpp"
#include "safety/breaker.hpp"
#include "safety/trust.hpp"
#include "scan/lineage.hpp"
#include "hookcore/lock.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>

namespace loop {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The lines a fix may touch: its finding's lines, widened to the enclosing function when the
// scan measured one there (two fixes in one function are reviewed one after the other).
fix::Claim claim_of(const queue::Store& store, const queue::Opportunity& o) {
  fix::Claim c{o.path, o.start_line, std::max(o.start_line, o.end_line)};
  if (o.commit_id.empty()) return c;
  for (const auto& f : store.function_metrics(o.commit_id, o.path))
    if (f.start_line <= c.first && c.last <= f.end_line) {
      c.first = f.start_line;
      c.last = f.end_line;
      break; // the outermost: function_metrics is ordered by start line
    }
  return c;
}

bool is_external(const queue::Opportunity& o) { return fix::is_improve_request(o); }

fix::Place generator_place(Context& ctx) {
  return {*ctx.paths.work_tree, ctx.paths.data_dir, ctx.paths.repo_config(), ctx.paths.trust_file()};
}

// What the cycle's chain of fix commits is built with (fix/chain.hpp).
fix::ChainEnv chain_env(Context& ctx) {
  fix::ChainEnv env{ctx.repo, ctx.engine(), ctx.config, ctx.native_checker(), ctx.paths.work_tree, std::nullopt, nullptr, ctx.log};
  if (ctx.paths.work_tree) env.generator_place = generator_place(ctx);
  queue::Store* store = &ctx.store();
  env.churn = [store](const std::string& path) { return static_cast<int>(store->file_change_count(path)); };
  return env;
}

// A finding the branch at `base` no longer has (or already has the fix of): recorded as gone there, and
// resolved unless another branch still has it, which gets it back as open. True when resolved.
bool resolve_gone(queue::Store& store, const scan::Lineage& lineage, int64_t id, const std::string& base) {
  store.record_sighting(id, base, false);
  const bool elsewhere = lineage.alive_on_a_branch(id);
  store.set_status(id, elsewhere ? core::Status::open : core::Status::resolved);
  return !elsewhere;
}

// Records the findings a sweep left out (fix/sweep.hpp, policy 2): one its fix's gates refused as a fix
// of its own would be (failed); a gone one back to the queue, where the scans resolve it.
void record_left_out(queue::Store& store, const fix::PlannedFix& p, int64_t cycle, const std::string& branch) {
  for (const auto& l : p.left_out) {
    if (l.gone) {
      if (l.finding.status == core::Status::applied) store.set_status(l.finding.id, core::Status::open);
      continue;
    }
    store.record_attempt({0, l.finding.id, cycle, "", l.outcome, l.detail, branch, 0, 0, 0, 0});
    store.set_status(l.finding.id, core::Status::failed);
  }
}

// Records that `p` was refused: a single fix's finding becomes `status` (failed, stale); a sweep's
// findings stay queued, each with a `sweep_refused` attempt naming the gate, and are proposed one by one
// from then on (fix/sweep.hpp, policy 3). True when it counts as a failure (a sweep with nothing to fix
// does not).
bool record_refusal(queue::Store& store, const fix::PlannedFix& p, int64_t cycle, const std::string& branch,
                    core::Status status) {
  record_left_out(store, p, cycle, branch);
  const bool nothing = p.outcome == core::Outcome::swept_nothing;
  if (p.swept.empty() && !nothing) {
    store.record_attempt({0, p.opportunity.id, cycle, "", *p.outcome, p.detail, branch, p.lines_changed, 0, p.risk, 0});
    store.set_status(p.opportunity.id, status);
    return true;
  }
  for (int64_t id : fix::finding_ids(p)) {
    if (!nothing)
      store.record_attempt({0, id, cycle, "", core::Outcome::sweep_refused,
                            std::string(core::to_string(*p.outcome)) + ": sweep of " + std::to_string(1 + p.swept.size()) +
                                " findings: " + p.detail,
                            branch, p.lines_changed, 0, p.risk, 0});
    store.set_status(id, core::Status::open);
  }
  return !nothing;
}

// The open findings of the branch at `base`. Those of no branch at all (seen only in commits rewritten
// away or on a branch deleted unmerged) are resolved: no drain would ever see them again.
std::vector<queue::Opportunity> own_findings(queue::Store& store, const scan::Lineage& lineage,
                                             std::vector<queue::Opportunity> open, const std::string& base) {
  auto own = lineage.alive_at(open, base);
  std::set<int64_t> ids;
  for (const auto& o : own) ids.insert(o.id);
  open.erase(std::remove_if(open.begin(), open.end(), [&](const queue::Opportunity& o) { return ids.count(o.id) > 0; }),
             open.end());
  for (const auto& o : lineage.alive_on_no_branch(std::move(open))) store.set_status(o.id, core::Status::resolved);
  return own;
}

// The reflog message of every side-branch update (its first entry names who created the ref).
constexpr std::string_view k_cycle_log_prefix = "autoloop: cycle ";

// Whether the side ref `name`, now at `tip`, was made by the loop. A side branch the loop wrote always
// ends in one of its fix commits, but content proves nothing (anyone can write an `Autoloop-Rule:`
// trailer): the queue's record of that commit, or a reflog the loop started, does; neither comes with a
// clone or a fetch.
bool made_by_loop(Context& ctx, const std::string& name, const std::string& tip) {
  if (fix::read_trailers(ctx.repo.commit_info(tip).message).rule.empty()) return false;
  if (ctx.store().attempt_by_commit(tip)) return true;
  auto first = ctx.repo.first_reflog_message(name);
  return first && first->rfind(k_cycle_log_prefix, 0) == 0;
}

// One cycle's working state, filled by the steps in order.
struct CycleState {
  std::string branch, base, checkpoint;
  std::string chain_base;          // base, or the checkpoint when the pending fixes are kept as they are
  int max_new = 0;                 // new fixes this cycle
  std::vector<fix::PlannedFix> plan;
  std::set<int64_t> seen;          // opportunities in the plan since carry_over (the pending fixes)
  bool tests_configured = false;   // test_command set
  bool tests_trusted = false;      // ... and trusted (with test_setup and coverage_command)
  std::string untrusted_test_key;  // else the one that is not ("test_command", "test_setup", ...)
  bool run_tests = false;          // ... and a work tree to run it in
  std::string validated;           // the gates every fix of the cycle passes (Autoloop-Validated)
  int suggestions = 0;             // suggest-only findings at safety_level low
  int sweeps_refused = 0;          // sweeps the build step's gates refused: their findings stay open, no fix failed
  fix::Selection selection;        // what the select step kept and held back, for fix::idle_reasons
  size_t open = 0;                 // open findings of the branch
  bool overlapping = false;        // eligible fixes waited behind overlapping ones
  const std::function<void(const std::string&)>* progress = nullptr; // DrainOptions::progress
};

// Tells the drain's caller which step of the cycle starts (DrainOptions::progress).
void step(const CycleState& c, const std::string& what) {
  if (c.progress && *c.progress) (*c.progress)(what);
}

// What a paused loop needs: a look at what failed, then resume.
constexpr const char* k_resume_step =
    "`git autoloop queue --status failed` shows what failed; `git autoloop resume` goes on";

// What starts a stopped loop again (Context::stopped says which stop holds).
std::string restart_step(const Context& ctx) {
  if (const char* v = std::getenv("AUTOLOOP"); v && std::string(v) == "0") return "unset AUTOLOOP";
  std::error_code ec;
  if (std::filesystem::exists(ctx.paths.stop_file(), ec)) return "`git autoloop resume`";
  return "set autonomous_loop.enabled: true";
}

// The cycle for the current branch, or nullopt (result.skipped and why set) when there is none to run:
// paused by the circuit breaker, HEAD detached or unborn, or on a side branch. Throws core::Error when the
// side branch cannot be written safely (outside refs/heads, or a ref of that name the loop did not make).
std::optional<CycleState> open_cycle(Context& ctx, const DrainOptions& options, DrainResult& result) {
  auto skip = [&](std::string why, std::string next_step) {
    result.skipped = true;
    result.why = std::move(why);
    result.next_step = std::move(next_step);
    return std::nullopt;
  };
  if (auto paused = ctx.store().state("paused")) {
    result.paused = true;
    return skip("paused: " + *paused, k_resume_step);
  }
  auto branch = ctx.repo.current_branch();
  if (!branch) return skip("HEAD is detached or unborn", "check out a branch");
  if (branch->rfind(ctx.config.side_branch_prefix, 0) == 0)
    return skip("on a side branch", "check out the branch it belongs to");
  result.branch = *branch;
  result.side_ref = side_branch_ref(ctx.config, *branch);
  // git keeps a branch and a directory of branches apart: no autoloop/main beside a branch named autoloop.
  const std::string side_name = side_branch_name(ctx.config, *branch);
  for (size_t slash = side_name.find('/'); slash != std::string::npos; slash = side_name.find('/', slash + 1))
    if (ctx.repo.read_ref("refs/heads/" + side_name.substr(0, slash)))
      throw core::Error("the side branch " + side_name + " cannot be made: a branch named " + side_name.substr(0, slash) +
                        " exists, and git has no branch inside another; rename that branch or set side_branch_prefix");
  // Its file is written inside refs/heads, never through a symlinked directory on the way.
  if (!core::is_inside(ctx.paths.heads_dir(), ctx.paths.heads_dir() / side_name))
    throw core::Error(result.side_ref + " would be written outside " + ctx.paths.heads_dir().string() +
                      " (a symlink on the way); refusing to write it");
  CycleState c;
  c.branch = *branch;
  c.base = *ctx.repo.resolve_commit("refs/heads/" + *branch);
  c.checkpoint = ctx.repo.read_ref(result.side_ref).value_or("");
  // A ref of that name the loop did not make is someone's branch (a side_branch_prefix naming existing
  // branches, perhaps one fetched with forged trailers): never overwrite it.
  if (!c.checkpoint.empty() && !made_by_loop(ctx, result.side_ref, c.checkpoint))
    throw core::Error(result.side_ref + " exists and was not made by git-autoloop; refusing to overwrite it "
                      "(choose another side_branch_prefix)");
  // `drain --sweep` takes every group of its rule unless told how many.
  c.max_new = options.max >= 0                ? options.max
              : !options.sweep_rule.empty() ? std::numeric_limits<int>::max()
                                            : ctx.config.autonomous_loop.max_improvements_per_cycle;
  c.chain_base = c.base;
  return c;
}

// The pending fixes (applied on this branch's side branch, not yet reviewed) join the plan first, in the
// order they were made. When the branch did not move and the side branch holds exactly them, their
// commits are kept as they are (stable ids for reviewers and fetchers) and new fixes go on top.
void carry_over(Context& ctx, CycleState& c) {
  queue::Store& store = ctx.store();
  queue::OpportunityFilter applied_filter;
  applied_filter.status = core::Status::applied;
  struct Pending {
    int64_t attempt;
    std::string side_commit;
    queue::Opportunity opportunity;
    int lines_changed;
    double risk;
  };
  std::vector<Pending> pending;
  for (auto& o : store.opportunities(applied_filter)) {
    auto attempts = store.attempts_of(o.id);
    auto last = std::find_if(attempts.rbegin(), attempts.rend(), [](const queue::Attempt& a) { return a.outcome == core::Outcome::applied; });
    if (last == attempts.rend() || last->branch != c.branch) continue;
    pending.push_back({last->id, last->side_commit, o, last->lines_changed, last->risk});
  }
  std::sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) { return a.attempt < b.attempt; });
  for (auto& [id, side_commit, o, lines, risk] : pending) {
    // A sweep's findings share its commit (their attempts are consecutive): one unit of the plan.
    if (!c.plan.empty() && !side_commit.empty() && c.plan.back().previous == side_commit) {
      c.plan.back().swept.push_back(o);
      c.seen.insert(o.id);
      continue;
    }
    fix::PlannedFix p;
    p.opportunity = o;
    p.pending = true;
    if (fix::by_generator(ctx.config, ctx.engine(), o) && !side_commit.empty() && ctx.repo.has_object(side_commit)) {
      // Carry the generator's change over rather than run it again.
      auto info = ctx.repo.commit_info(side_commit);
      for (const auto& ch : ctx.repo.diff_commits(info.parents.at(0), side_commit))
        if (ch.kind != git::Change::Kind::deleted)
          p.external.push_back({ch.path, ch.old_blob, ch.mode, ctx.repo.read_blob(ch.new_blob)});
    }
    p.lines_changed = lines;
    p.risk = risk;
    p.previous = side_commit;
    c.plan.push_back(std::move(p));
    c.seen.insert(o.id);
  }
  if (c.checkpoint.empty() || pending.empty()) return;
  auto side = ctx.repo.commit_range(c.base, c.checkpoint, c.plan.size() + 1);
  bool intact = side.size() == c.plan.size() && ctx.repo.parents(side.front()) == std::vector<std::string>{c.base};
  for (size_t i = 0; intact && i < side.size(); ++i) {
    auto attempt = store.attempt_by_commit(side[i]);
    const auto ids = fix::finding_ids(c.plan[i]);
    intact = attempt && std::find(ids.begin(), ids.end(), attempt->opportunity_id) != ids.end();
  }
  if (!intact) return;
  c.chain_base = c.checkpoint;
  for (size_t i = 0; i < side.size(); ++i) {
    c.plan[i].reused = true;
    c.plan[i].commit = side[i];
  }
}

// The open findings of this branch, best first (fix::priority: the finding's score, what verdicts taught
// about its rule, its age, the risk of touching its file).
std::vector<queue::Opportunity> ranked_findings(Context& ctx, const CycleState& c, const scan::Lineage& lineage,
                                                const feedback::Learnt& learnt) {
  queue::Store& store = ctx.store();
  queue::OpportunityFilter open_filter;
  open_filter.status = core::Status::open;
  // Findings belong to the lines of history they were seen in: this branch's drain sees only its own.
  auto open = own_findings(store, lineage, store.opportunities(open_filter), c.base);
  const double now = now_seconds();
  std::map<std::string, int> churn;
  auto score = [&](const queue::Opportunity& o) {
    auto it = churn.find(o.path);
    if (it == churn.end()) it = churn.emplace(o.path, static_cast<int>(store.file_change_count(o.path))).first;
    fix::PriorityInputs in;
    in.base = fix::base_of(o, ctx.config.improvement_priorities); // the priorities in force now
    in.learnt = is_external(o) ? learnt.prior.mean() : learnt.score_factor(o.rule_id, o.category);
    in.age_days = std::max(0.0, (now - static_cast<double>(o.first_seen)) / 86400.0);
    in.risk = fix::risk_estimate(1, it->second, 0, o.safety);
    return fix::priority(in);
  };
  std::map<int64_t, double> scores;
  for (const auto& o : open) scores[o.id] = score(o);
  std::stable_sort(open.begin(), open.end(), [&](const auto& a, const auto& b) { return scores[a.id] > scores[b.id]; });
  return open;
}

// Whether the tests can run, recorded in the cycle (and, when test_command is not trusted, for `status`).
// Unsafe fixes are applied only through tests that run.
void check_tests(Context& ctx, CycleState& c) {
  c.tests_configured = !ctx.config.test_command.empty();
  c.untrusted_test_key = safety::untrusted_test_command(ctx.config, ctx.paths.repo_config(), ctx.paths.trust_file()).value_or("");
  c.tests_trusted = c.untrusted_test_key.empty();
  c.run_tests = c.tests_configured && c.tests_trusted && ctx.paths.work_tree;
  if (c.tests_configured && !c.tests_trusted)
    ctx.store().set_state("untrusted", c.untrusted_test_key + " in .autoloop.yml is not trusted: run `git autoloop trust`");
  else
    ctx.store().erase_state("untrusted");
}

// Why findings wait, for `status`: unsafe fixes without tests, repository rules without trust, findings
// for a generator that cannot take them.
void record_waiting(Context& ctx, const CycleState& c, const fix::Selection& s, bool generator_ready,
                    const fix::Refusal& generator_problem) {
  queue::Store& store = ctx.store();
  if (s.unsafe_held) {
    std::string why = !c.tests_configured
                          ? std::string(ctx.config.safety_settings.require_tests ? "require_tests is on and " : "") +
                                "no test_command is set"
                          : "there is no work tree to run the tests in";
    store.set_state("unsafe_held", std::to_string(s.unsafe_held) + " unsafe fix" + (s.unsafe_held == 1 ? "" : "es") +
                                       " not applied: " + why + " (unsafe fixes need tests that pass)");
  } else {
    store.erase_state("unsafe_held");
  }
  if (s.quarantined) ctx.log.info("{} findings of quarantined rules left in the queue", s.quarantined);
  if (s.untrusted_rules)
    store.set_state("untrusted_rules", std::to_string(s.untrusted_rules) + " finding" + (s.untrusted_rules == 1 ? "" : "s") +
                                           " of untrusted repository rules " + (s.untrusted_rules == 1 ? "is" : "are") +
                                           " not fixed: run `git autoloop trust` after reading the rules");
  else
    store.erase_state("untrusted_rules");
  std::optional<std::string> waiting;
  if (!ctx.config.generator.fixer.empty() && !generator_ready)
    waiting = s.offers_held ? std::to_string(s.offers_held) + " finding" + (s.offers_held == 1 ? "" : "s") +
                                  " for the generator wait: " + generator_problem.detail
                            : "generator.fixer: " + generator_problem.detail;
  else if (s.offers_held)
    waiting = std::to_string(s.offers_held) + " finding" + (s.offers_held == 1 ? "" : "s") + " for the generator wait: safety_level " +
              std::string(core::to_string(ctx.config.autonomous_loop.safety_level)) +
              " commits safe fixes only (medium or low: generated changes that pass the tests)";
  else if (s.offers && !c.run_tests)
    waiting = "findings for the generator wait for tests that run (test_command, trusted)";
  if (waiting) store.set_state("generator", *waiting);
  else store.erase_state("generator");
}

// The select step: the units this cycle tries, in order, each one commit: the sweeps first (fix/sweep.hpp:
// the findings of one mechanical rule in one file or directory), then single findings. Ranked, filtered by
// what may be fixed now (fix::select_eligible), then arranged so that conflicting fixes (same lines or same
// function as one on the side branch or earlier in this cycle) are serialised and every rule keeps earning
// verdicts.
std::vector<std::vector<queue::Opportunity>> select_candidates(Context& ctx, CycleState& c, const scan::Lineage& lineage,
                                                               const DrainOptions& options) {
  queue::Store& store = ctx.store();
  // The process's matcher: a worker that just scanned has its queries compiled already.
  std::map<std::string, const scan::Rule*> rule_by_id;
  for (const auto& r : ctx.engine().rules()) rule_by_id[r.id] = &r;
  // What the verdicts so far say about each rule (quarantine, trust, category multipliers).
  const feedback::Learnt learnt = feedback::update(store, ctx.config.feedback);
  const std::vector<queue::Opportunity> open = ranked_findings(ctx, c, lineage, learnt);
  check_tests(ctx, c);
  // Findings are offered only to a generator that exists and may run (its command trusted).
  fix::Refusal generator_problem;
  fix::SelectionPolicy policy;
  policy.has_work_tree = ctx.paths.work_tree.has_value();
  policy.generator_ready = !ctx.config.generator.fixer.empty() && ctx.paths.work_tree &&
                           fix::generator_for(ctx.config, generator_place(ctx), queue::Opportunity{}, generator_problem);
  policy.tests_configured = c.tests_configured;
  policy.tests_trusted = c.tests_trusted;
  policy.run_tests = c.run_tests;
  const fix::Selection s = fix::select_eligible(
      open, rule_by_id, ctx.config, [&](const std::string& rule) { return learnt.quarantined(rule); }, policy);
  c.suggestions = s.suggestions;
  c.selection = s;
  c.open = open.size();
  std::vector<fix::Claim> claims;
  for (const auto& p : c.plan) {
    claims.push_back(claim_of(store, p.opportunity));
    for (const auto& o : p.swept) claims.push_back(claim_of(store, o));
  }
  // Sweeps take their findings first; the sweep.rules ids that cannot be swept are said by `status`.
  std::vector<std::string> sweep_problems;
  const fix::SweepRequest sweep = fix::sweep_request(ctx.config, ctx.engine().rules(), options.sweep_rule,
                                                     options.sweep_paths, options.sweep_by, &sweep_problems);
  std::vector<queue::Opportunity> eligible = s.eligible;
  std::vector<fix::SweepGroup> sweeps = fix::take_sweeps(eligible, sweep, store);
  std::string sweep_said;
  for (const auto& problem : sweep_problems) sweep_said += (sweep_said.empty() ? "" : "; ") + problem;
  if (sweep_said.empty()) store.erase_state("sweep");
  else store.set_state("sweep", sweep_said);
  std::vector<fix::Candidate> order;
  std::map<int64_t, const queue::Opportunity*> by_id;
  for (const auto& o : eligible) {
    order.push_back({o.id, o.rule_id, claim_of(store, o)});
    by_id[o.id] = &o;
  }
  std::vector<std::vector<queue::Opportunity>> units;
  for (auto& g : sweeps) units.push_back(std::move(g.findings));
  for (int64_t id : fix::arrange(order, claims, c.max_new)) units.push_back({*by_id.at(id)});
  c.overlapping = units.empty() && !eligible.empty();
  record_waiting(ctx, c, s, policy.generator_ready, generator_problem);
  return units;
}

// The build step: the pending fixes and the units (select_candidates), in order, until max_new new ones
// derive cleanly on top of the rest (a candidate whose finding is gone is resolved, one the gates refuse is
// failed, a refused sweep's findings stay queued). Returns the chain's tip.
std::string build(Context& ctx, CycleState& c, fix::ChainEnv& env,
                  const std::vector<std::vector<queue::Opportunity>>& units, const scan::Lineage& lineage,
                  DrainResult& result) {
  queue::Store& store = ctx.store();
  int added = 0;
  // The chain so far, built once the first new fix needs it; each new fix is then built on its tip alone
  // (rebuilding the whole chain for each would make a cycle of many sweeps quadratic).
  std::optional<std::string> built;
  for (const auto& unit : units) {
    const queue::Opportunity& candidate = unit.front();
    if (added >= c.max_new) break;
    if (c.seen.count(candidate.id)) continue;
    // Of at most the units there are: a sweep's cycle is unbounded (max_new INT_MAX).
    const size_t of = std::min(units.size(), static_cast<size_t>(c.max_new));
    step(c, "fix " + std::to_string(added + 1) + "/" + std::to_string(of) + ": " + candidate.rule_id + " " + candidate.path);
    bool needs_tests = candidate.safety != core::Safety::safe || ctx.config.safety_settings.require_tests;
    if (needs_tests && c.tests_configured && !c.tests_trusted) {
      for (const auto& u : unit)
        store.record_attempt({0, u.id, result.cycle, "", core::Outcome::untrusted, c.untrusted_test_key + " is not trusted", c.branch, 0, 0, 0, 0});
      result.untrusted += static_cast<int>(unit.size());
      continue;
    }
    if (candidate.safety != core::Safety::safe && !c.run_tests && !is_external(candidate)) continue; // unsafe fixes need tests that can run (held above)
    if (!built) {
      auto chain = fix::live(c.plan);
      built = fix::build_chain(env, c.chain_base, chain, c.validated);
    }
    fix::PlannedFix p;
    p.opportunity = candidate;
    p.swept.assign(unit.begin() + 1, unit.end());
    c.plan.push_back(std::move(p));
    std::vector<fix::PlannedFix*> just_this{&c.plan.back()};
    const std::string next = fix::build_chain(env, *built, just_this, c.validated);
    fix::PlannedFix& last = c.plan.back();
    if (last.outcome.has_value()) {
      if (last.outcome == core::Outcome::resolved) {
        resolve_gone(store, lineage, candidate.id, c.base);
      } else if (record_refusal(store, last, result.cycle, c.branch, core::Status::failed)) {
        ++result.failed;
        if (!last.swept.empty()) ++c.sweeps_refused;
      }
      c.plan.pop_back();
      continue;
    }
    built = next;
    ++added;
  }
  auto chain = fix::live(c.plan);
  return fix::build_chain(env, c.chain_base, chain, c.validated);
}

// The validate/bisect step: the tests on the unchanged base first, then on the batch, and the culprits
// when the batch fails (loop/bisect.hpp). False when the tests cannot pass on the base: nothing new is
// published then (the cycle is ended, result.why says why).
bool validate(Context& ctx, CycleState& c, fix::ChainEnv& env, std::string& tip, DrainResult& result) {
  if (!c.run_tests || tip == c.chain_base) return true;
  TestGate gate(ctx);
  step(c, "testing the base");
  const TestGate::Base on_base = gate.check_base(c.base);
  result.test_runs = gate.runs();
  result.test_seconds = gate.seconds();
  if (!on_base.ok) {
    // Tests that cannot pass where they run prove nothing about a fix: nothing new is published, the
    // new fixes stay open (no attempt is recorded against them), the side branch stays as it was.
    result.tests_blocked = true;
    result.why = on_base.why + (on_base.cached ? " (as on the last run on this base)" : "");
    ctx.store().end_cycle(result.cycle, 0, 0, false, "stopped: " + result.why);
    result.tip = c.checkpoint;
    return false;
  }
  step(c, "testing " + std::to_string(c.plan.size()) + (c.plan.size() == 1 ? " fix" : " fixes"));
  tip = test_fixes(ctx, env, gate, c.chain_base, c.plan, c.validated, tip);
  result.test_runs = gate.runs();
  result.test_seconds = gate.seconds();
  return true;
}

// The state that remembers the last cycle the breaker tripped in: the window starts after it.
constexpr const char* k_tripped_state = "breaker_tripped";
// At most this many earlier cycles fill the window (cycles that judged nothing count too).
constexpr size_t k_window_cycles = 200;

// The fixes a finished cycle's gates refused: its attempts with a refusal, one per fix. A refused sweep's
// findings (sweep_refused) stay open and are tried alone: they are no failed fix (fix/sweep.hpp).
int failed_fixes(const queue::Store& store, int64_t cycle) {
  static const std::set<core::Outcome> not_failures = {
      core::Outcome::planned,  core::Outcome::applied,  core::Outcome::rolled_back,   core::Outcome::untested,
      core::Outcome::resolved, core::Outcome::untrusted, core::Outcome::sweep_refused, core::Outcome::swept_nothing,
      core::Outcome::accepted, core::Outcome::rejected, core::Outcome::reverted,      core::Outcome::superseded};
  int failed = 0;
  for (const auto& a : store.attempts_of_cycle(cycle))
    if (!not_failures.count(a.outcome)) ++failed;
  return failed;
}

// What the earlier cycles judged, newest first, since the breaker last tripped (safety/breaker.hpp, policy 1
// and 2): a finished cycle's new fixes published and refused. A cycle the breaker rolled back is the one
// the window starts after.
std::vector<safety::CycleTally> earlier_tallies(queue::Store& store, int64_t current) {
  const auto tripped = store.state(k_tripped_state);
  const int64_t after = tripped ? std::atoll(tripped->c_str()) : 0;
  std::vector<safety::CycleTally> out;
  for (const auto& cycle : store.cycles(k_window_cycles)) {
    if (cycle.id == current) continue;
    if (cycle.id <= after) break;
    if (cycle.state != "done" || !cycle.interrupted.empty()) continue;
    out.push_back({cycle.applied, cycle.failed ? failed_fixes(store, cycle.id) : 0});
  }
  return out;
}

// The circuit breaker (safety/breaker.hpp): this cycle's judged fixes join the recent attempts. Returns why
// the loop pauses after this cycle when the window trips, else nothing. It takes nothing back: a refused fix
// is never published, the fixes that passed every gate are (pause_loop stops the cycles that follow). One
// failed fix alone never trips it.
std::optional<std::string> breaker(Context& ctx, const CycleState& c, const DrainResult& result) {
  int tried = 0, succeeded = 0;
  for (auto& p : c.plan) {
    if (p.pending || p.outcome == core::Outcome::untested || p.outcome == core::Outcome::resolved) continue; // neither success nor failure
    // A refused sweep is not a failed fix: its findings stay open and are tried one by one (fix/sweep.hpp).
    if (p.outcome.has_value() && !p.swept.empty()) continue;
    ++tried;
    if (!p.outcome.has_value()) ++succeeded;
  }
  tried += result.failed - c.sweeps_refused; // the build step's refusals (the plan holds none of them)
  if (!tried) return std::nullopt;
  std::vector<safety::CycleTally> window{{succeeded, tried - succeeded}};
  for (const auto& t : earlier_tallies(ctx.store(), result.cycle)) window.push_back(t);
  const core::SafetySettings& settings = ctx.config.safety_settings;
  const safety::BreakerVerdict verdict =
      safety::judge_window(window, settings.rollback_threshold, settings.rollback_window, settings.rollback_min_attempts);
  if (!verdict.trip) return std::nullopt;
  return "cycle " + std::to_string(result.cycle) + ": " + verdict.describe(settings.rollback_threshold);
}

// Pauses the loop after a cycle the breaker tripped in (`why` from breaker()); the next window starts after it.
void pause_loop(Context& ctx, const std::string& why, DrainResult& result) {
  queue::Store& store = ctx.store();
  auto txn = store.begin();
  store.set_state("paused", why);
  store.set_state(k_tripped_state, std::to_string(result.cycle));
  txn.commit();
  result.paused = true;
  result.next_step = k_resume_step;
  result.why = why;
}

// The publish step: records the plan, moves the side branch to `tip` with one compare-and-swap, then
// finishes the record (a kill between the two is finished by recover()). `paused` is the breaker's reason
// to pause after this cycle, kept in the cycle's record ("paused: …").
void publish(Context& ctx, const CycleState& c, const scan::Lineage& lineage, const std::string& tip,
             const std::optional<std::string>& paused, DrainResult& result) {
  queue::Store& store = ctx.store();
  std::vector<std::vector<std::pair<int64_t, int64_t>>> planned_attempts; // per fix: (attempt, finding) each
  {
    auto txn = store.begin();
    for (auto& p : c.plan) {
      if (p.outcome == core::Outcome::resolved) {
        if (resolve_gone(store, lineage, p.opportunity.id, c.base) && p.pending) ++result.resolved;
        continue;
      }
      if (p.outcome.has_value() && p.outcome != core::Outcome::untested) {
        if (record_refusal(store, p, result.cycle, c.branch, p.pending ? core::Status::stale : core::Status::failed))
          ++result.failed;
        continue;
      }
      record_left_out(store, p, result.cycle, c.branch);
      if (p.outcome == core::Outcome::untested) {
        // Still open: the next cycle (with budget left) tests it.
        for (int64_t id : fix::finding_ids(p))
          store.record_attempt({0, id, result.cycle, "", *p.outcome, p.detail, c.branch, p.lines_changed, 0, p.risk, 0});
        ++result.untested;
        continue;
      }
      // A sweep's findings each get an attempt naming its commit: one unit, N fixes (fix/sweep.hpp).
      auto& attempts = planned_attempts.emplace_back();
      for (int64_t id : fix::finding_ids(p))
        attempts.emplace_back(store.record_attempt({0, id, result.cycle, p.commit, core::Outcome::planned, p.note,
                                                    c.branch, p.lines_changed, 0, p.risk, 0}),
                              id);
    }
    store.plan_cycle(result.cycle, tip);
    txn.commit();
  }
  bool moved;
  if (tip == c.base) moved = ctx.repo.delete_ref(result.side_ref, c.checkpoint);
  else moved = tip == c.checkpoint || ctx.repo.update_ref(result.side_ref, tip, c.checkpoint, std::string(k_cycle_log_prefix) + std::to_string(result.cycle));
  auto txn = store.begin();
  int applied = 0, kept = 0;
  size_t k = 0;
  for (auto& p : c.plan) {
    if (p.outcome.has_value()) continue;
    for (const auto& [attempt, id] : planned_attempts[k]) {
      if (moved) {
        store.set_attempt_outcome(attempt, core::Outcome::applied, p.note);
        store.set_status(id, core::Status::applied);
      } else {
        store.set_attempt_outcome(attempt, core::Outcome::rolled_back, "the side branch moved during the cycle");
      }
    }
    ++k;
    if (moved) (p.pending ? kept : applied)++;
  }
  store.end_cycle(result.cycle, applied, result.failed, !moved,
                  !moved ? "side branch moved concurrently" : paused ? "paused: " + *paused : "");
  txn.commit();
  result.applied = applied;
  result.kept = kept;
  result.tip = moved ? tip : c.checkpoint;
  result.rolled_back = !moved;
  if (c.suggestions) ctx.log.info("{} suggestions recorded (safety_level low; never committed)", c.suggestions);
}

// A cycle that proposed no new fix says why (fix::idle_reasons), in its result and for `status`.
void record_idle(Context& ctx, const CycleState& c, DrainResult& result) {
  if (result.applied > 0 || result.failed > 0 || result.rolled_back || result.tests_blocked || result.untested > 0) {
    ctx.store().erase_state("idle");
    return;
  }
  fix::IdleFacts facts;
  facts.open = c.open;
  facts.untrusted_tests = result.untrusted;
  facts.max_new = c.max_new;
  facts.overlapping = c.overlapping;
  result.idle = fix::idle_reasons(c.selection, ctx.config, facts);
  std::string joined;
  for (const auto& line : result.idle) joined += (joined.empty() ? "" : "; ") + line;
  ctx.store().set_state("idle", "cycle " + std::to_string(result.cycle) + " on " + c.branch + " proposed nothing: " + joined);
}

} // namespace

// The named steps of a cycle: lock → recover → select → build → validate/bisect → breaker → publish (→ pause).
DrainResult drain(Context& ctx, const DrainOptions& options) {
  DrainResult result;
  auto lock = hookcore::FileLock::try_acquire(ctx.paths.drain_lock());
  if (!lock) {
    result.busy = true;
    result.why = "another drain is running";
    return result;
  }
  // STOP, AUTOLOOP=0 and enabled: false are honoured before recover() cleans anything on disk.
  const std::optional<std::string> stopped = ctx.stopped();
  recover(ctx, !stopped);
  ctx.store().erase_state("drain_deferred");
  if (stopped) {
    result.skipped = true;
    result.why = *stopped;
    result.next_step = restart_step(ctx);
    return result;
  }
  // The provider runs the hook's worker deferred (over their budget), without it now: their findings
  // join this cycle's selection. A failure is logged; the cycle goes on with what is queued.
  try {
    run_deferred_providers(ctx);
  } catch (const std::exception& e) {
    ctx.log.error("drain: deferred provider runs: {}", e.what());
  }
  std::optional<CycleState> cycle = open_cycle(ctx, options, result);
  if (!cycle) return result;
  cycle->progress = &options.progress;
  carry_over(ctx, *cycle);
  const scan::Lineage lineage(ctx.repo, ctx.store(), ctx.config.side_branch_prefix);
  const std::vector<std::vector<queue::Opportunity>> units = select_candidates(ctx, *cycle, lineage, options);
  result.cycle = ctx.store().begin_cycle(options.trigger, cycle->branch, cycle->checkpoint);
  // The gates every fix of the cycle passes (each fix adds its own after the re-parse: the native check).
  cycle->validated = std::string("size<=") + std::to_string(ctx.config.safety_settings.max_change_size) +
                     ", no-destruction, reparse, line-endings" + (cycle->run_tests ? ", tests" : "");
  fix::ChainEnv env = chain_env(ctx);
  std::string tip = build(ctx, *cycle, env, units, lineage, result);
  if (validate(ctx, *cycle, env, tip, result)) {
    const std::optional<std::string> pause = breaker(ctx, *cycle, result);
    publish(ctx, *cycle, lineage, tip, pause, result);
    if (pause) pause_loop(ctx, *pause, result);
  }
  record_idle(ctx, *cycle, result);
  notify_cycle(ctx, result);
  return result;
}

} // namespace loop
