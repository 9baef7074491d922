#include "loop/drain.hpp"

#include "core/fs.hpp"
#include "core/process.hpp"
#include "core/refname.hpp"
#include "feedback/feedback.hpp"
#include "fix/coverage_gate.hpp"
#include "fix/destructive.hpp"
#include "fix/generator.hpp"
#include "fix/sweep.hpp"
#include "fix/validate.hpp"
#include "loop/accept_journal.hpp"
#include "loop/derive.hpp"
#include "loop/test_gate.hpp"
#include "merge/merge.hpp"
#include "safety/sandbox.hpp"
#include "safety/trust.hpp"
#include "scan/lineage.hpp"
#include "scan/repo_language.hpp"
#include "schedule/lock.hpp"
#include "schedule/priority.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <functional>
#include <limits>
#include <map>
#include <set>

namespace loop {

namespace {

using Clock = std::chrono::steady_clock;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A fix in the cycle's chain of commits.
struct Planned {
  queue::Opportunity opportunity;
  bool pending = false;        // carried over from an earlier cycle
  bool reused = false;         // its commit is kept as is: the side branch still sits on the same base
  std::string commit;          // its commit in the chain being built
  std::string previous;        // its commit on the side branch before this cycle (pending fixes)
  int lines_changed = 0;
  double risk = 0;
  std::string outcome;         // empty while fine; "untested" (budget spent) leaves the finding open
  std::string detail;
  std::string note;            // recorded with a fix that is fine (a flaky test run it survived)
  std::string tests_item;      // its Autoloop-Validated item for the tests, from the coverage report
                               // ("tests (executed: 2 changed lines)", "tests (coverage unknown)")
  std::vector<std::string> gates; // the gates of its own it passed ("native-check(python)")
  // A generator's change (an improve/<fixer> request, or a finding offered to generator.fixer):
  // generated once, then carried over as file contents as long as its files did not change underneath.
  std::vector<fix::GeneratedFile> external;
  // A sweep (fix/sweep.hpp): the other findings of `opportunity`'s rule whose fixes its commit holds, and
  // those its builds left out (gone, or their own fix refused: recorded as for a fix of their own).
  std::vector<queue::Opportunity> swept;
  std::vector<fix::LeftOut> left_out;
};

// The findings whose fixes `p`'s commit holds: its own, and a sweep's others.
std::vector<int64_t> finding_ids(const Planned& p) {
  std::vector<int64_t> ids{p.opportunity.id};
  for (const auto& o : p.swept) ids.push_back(o.id);
  return ids;
}

// The lines a fix may touch: its finding's lines, widened to the enclosing function when the
// scan measured one there (two fixes in one function are reviewed one after the other).
schedule::Claim claim_of(const queue::Store& store, const queue::Opportunity& o) {
  schedule::Claim c{o.path, o.start_line, std::max(o.start_line, o.end_line)};
  if (o.commit_id.empty()) return c;
  for (const auto& f : store.function_metrics(o.commit_id, o.path))
    if (f.start_line <= c.first && c.last <= f.end_line) {
      c.first = f.start_line;
      c.last = f.end_line;
      break; // the outermost: function_metrics is ordered by start line
    }
  return c;
}

// How many other files at `commit` mention the file's name stem (imports, includes, requires): a
// cheap stand-in for its dependents. git grep reads the object database, not the work tree.
int dependents(Context& ctx, const std::string& commit, const std::string& path) {
  std::string stem = std::filesystem::path(path).stem().string();
  if (stem.size() < 3 || !ctx.paths.work_tree) return 0;
  auto out = core::git_output(*ctx.paths.work_tree, {"grep", "-l", "-w", "-F", "-e", stem, commit, "--"});
  if (!out) return 0;
  int n = 0;
  for (size_t at = 0; at < out->size();) {
    size_t nl = out->find('\n', at);
    std::string line = out->substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    if (!line.empty() && line != commit + ":" + path) ++n;
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  return n;
}

bool is_external(const queue::Opportunity& o) { return fix::is_improve_request(o); }

const scan::Rule* rule_of(const scan::Engine& engine, const std::string& id) {
  const auto& rules = engine.rules();
  auto rule = std::find_if(rules.begin(), rules.end(), [&](const scan::Rule& r) { return r.id == id; });
  return rule == rules.end() ? nullptr : &*rule;
}

// A fix's Autoloop-Validated value: the cycle's gates with the fix's own after the re-parse (the native
// check of its language), and its "tests" item replaced by what the coverage report says about this fix.
std::string validated_for(const Planned& p, const std::string& cycle_gates) {
  std::string validated = cycle_gates;
  if (!p.gates.empty()) {
    std::string own;
    for (const auto& g : p.gates) own += ", " + g;
    const std::string after = "reparse";
    const size_t at = validated.find(after);
    if (at == std::string::npos) validated += own;
    else validated.insert(at + after.size(), own);
  }
  const std::string_view tests = ", tests";
  if (p.tests_item.empty() || validated.size() < tests.size() ||
      validated.compare(validated.size() - tests.size(), tests.size(), tests) != 0)
    return validated;
  return validated.substr(0, validated.size() - (tests.size() - 2)) + p.tests_item;
}

// Whether a generator makes `o`'s fix: an `improve` request, or a finding offered to generator.fixer.
bool by_generator(const Context& ctx, const scan::Engine& engine, const queue::Opportunity& o) {
  return is_external(o) || fix::offered(ctx.config, o, rule_of(engine, o.rule_id));
}

fix::Place generator_place(Context& ctx) {
  return {*ctx.paths.work_tree, ctx.paths.data_dir, ctx.paths.repo_config(), ctx.paths.trust_file()};
}

// Runs the generator once (first time this opportunity is planned) and applies its change on `tip`
// through the same gates as template fixes (fix/generator.hpp). Returns the new tip or "" with
// p->outcome set.
std::string apply_external(Context& ctx, const scan::Engine& engine, const std::string& tip, Planned* p,
                           const std::string& validated) {
  const queue::Opportunity& o = p->opportunity;
  fix::Applied a = fix::apply_generated(ctx.repo, engine, ctx.config, generator_place(ctx), tip, o,
                                        rule_of(engine, o.rule_id), p->external, validated,
                                        {&ctx.native_checker(), repo_file_reader(ctx.repo, tip)});
  p->lines_changed = a.lines_changed;
  if (a.refused) {
    p->outcome = a.refused->outcome;
    p->detail = a.refused->detail;
    return "";
  }
  p->risk = a.risk;
  return a.commit;
}

// A finding the branch at `base` no longer has (or already has the fix of): recorded as gone there, and
// resolved unless another branch still has it, which gets it back as open. True when resolved.
bool resolve_gone(queue::Store& store, const scan::Lineage& lineage, int64_t id, const std::string& base) {
  store.record_sighting(id, base, false);
  const bool elsewhere = lineage.alive_on_a_branch(id);
  store.set_status(id, elsewhere ? "open" : "resolved");
  return !elsewhere;
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
  for (const auto& o : lineage.alive_on_no_branch(std::move(open))) store.set_status(o.id, "resolved");
  return own;
}

bool safety_allows(const std::string& level, const std::string& safety) {
  if (safety == "safe") return true;
  if (safety == "unsafe") return level == "medium" || level == "low";
  return false; // suggestions are never committed
}

std::string commit_message(const queue::Opportunity& o, const scan::Rule* rule, const Derived& d, double risk,
                           const std::string& validated) {
  std::string subject = "autoloop(" + o.rule_id + "): " + o.message;
  if (subject.size() > 100) subject = subject.substr(0, 97) + "...";
  std::string body = "What: " + o.path + ":" + std::to_string(d.line) + " (" + std::to_string(d.lines_changed) +
                     " changed line" + (d.lines_changed == 1 ? "" : "s") + ")";
  if (!o.snippet.empty()) body += ", `" + o.snippet + "`";
  body += ".\n";
  if (rule && !rule->description.empty()) body += "Why: " + rule->description + "\n";
  char risk_text[32];
  std::snprintf(risk_text, sizeof risk_text, "%.2f", risk);
  body += "Risk: " + std::string(risk_text) + " (" + (risk < 0.34 ? "low" : risk < 0.67 ? "medium" : "high") + ")\n";
  // Which rule set made the fix: a repository's rule is named as such, never taken for a built-in.
  std::string source = rule ? "\nAutoloop-Rule-Source: " + scan::describe_origin(*rule) : "";
  return subject + "\n\n" + body + "\nAutoloop-Rule: " + o.rule_id + source + "\nAutoloop-Opportunity: " + std::to_string(o.id) +
         "\nAutoloop-Fingerprint: " + o.fingerprint + "\nAutoloop-Validated: " + validated + "\n";
}

// Builds the chain base → fixes, each commit one fix, re-deriving every fix on the content left by
// the previous ones. Fills commit/outcome of each; returns the tip.
// The change `p` made on the side branch (its previous commit), replayed onto `tip` with a three-way
// merge of that one file: clean, no more syntax errors than before, within the size cap. nullopt when
// it does not replay that way (the caller re-derives the fix); `gone` when the branch already holds
// the same change.
std::optional<Derived> replay_fix(Context& ctx, const scan::Engine& engine, const std::string& tip, const Planned& p) {
  const std::string& path = p.opportunity.path;
  if (!ctx.repo.has_object(p.previous)) return std::nullopt;
  auto info = ctx.repo.commit_info(p.previous);
  if (info.parents.empty()) return std::nullopt;
  auto old_base = ctx.repo.entry_at(info.parents.front(), path);
  auto fixed = ctx.repo.entry_at(p.previous, path);
  auto current = ctx.repo.entry_at(tip, path);
  if (!old_base || !fixed || !current) return std::nullopt;
  Derived d;
  d.rule_id = p.opportunity.rule_id;
  d.line = p.opportunity.start_line;
  d.mode = current->mode;
  d.before = ctx.repo.read_blob(current->blob);
  const scan::LanguageProfile* language = scan::language_at(ctx.repo, tip, path, d.before);
  if (current->blob == old_base->blob) {
    d.after = ctx.repo.read_blob(fixed->blob);
  } else {
    merge::Options options;
    options.structured = !merge::structured_disabled_by_environment();
    auto merged = merge::three_way(ctx.repo.read_blob(old_base->blob), d.before, ctx.repo.read_blob(fixed->blob),
                                   language, options);
    if (!merged.clean) return std::nullopt;
    d.after = std::move(merged.text);
  }
  if (d.after == d.before) {
    d.status = Derived::Status::gone;
    d.detail = "the branch already has this change";
    return d;
  }
  d.lines_changed = git::line_stats(d.before, d.after).changed();
  if (d.lines_changed > ctx.config.safety_settings.max_change_size) return std::nullopt;
  if (language && engine.syntax_errors(*language, d.after) > engine.syntax_errors(*language, d.before)) return std::nullopt;
  // The merged text passes the same gates as a derived one, or the fix is derived again (and refused
  // there, with its reason, when it still does not pass).
  if (language) {
    if (!fix::check_declarations(*language, d.before, d.after).ok) return std::nullopt;
    fix::NativeVerdict v = ctx.native_checker().compare(std::string(language->name), path, d.before, d.after,
                                                        repo_file_reader(ctx.repo, tip));
    if (v.ran && !v.ok) return std::nullopt;
    if (v.ran) d.gates.push_back(v.gate_name());
    else d.unchecked = v.why_not;
  }
  d.detail = "replayed with a three-way merge";
  ctx.log.info("fix #{} on {}: replayed onto {} with a three-way merge", p.opportunity.id, path, tip.substr(0, 12));
  return d;
}

// Builds `p`, a sweep, on `tip` (fix/sweep.hpp): every finding's fix in one commit, or its refusal in
// p->outcome. The findings whose own fix does not derive here leave the unit (p->left_out). Returns the
// new tip.
std::string build_swept(Context& ctx, const scan::Engine& engine, const std::string& tip, Planned* p,
                        const std::string& validated) {
  std::vector<queue::Opportunity> findings{p->opportunity};
  findings.insert(findings.end(), p->swept.begin(), p->swept.end());
  const fix::SweepEnv env{ctx.repo, engine, ctx.config, &ctx.native_checker(),
                          git::Signature{ctx.config.identity.name, ctx.config.identity.email}};
  fix::Sweep s = fix::build_sweep(env, tip, findings);
  for (auto& l : s.left_out) {
    ctx.log.info("sweep of {}: #{} left out ({})", l.finding.rule_id, l.finding.id, l.gone ? "gone" : l.outcome);
    p->left_out.push_back(std::move(l));
  }
  p->lines_changed = s.lines_changed;
  if (s.fixed.empty()) {
    p->outcome = "swept_nothing"; // nothing to refuse: every finding went back to the queue
    p->detail = "no finding of the sweep has a fix here";
    p->swept.clear();
    return tip;
  }
  p->opportunity = s.fixed.front();
  p->swept.assign(s.fixed.begin() + 1, s.fixed.end());
  if (!s.outcome.empty()) {
    p->outcome = s.outcome;
    p->detail = s.detail;
    return tip;
  }
  p->gates = s.gates;
  const int churn = static_cast<int>(ctx.store().file_change_count(p->opportunity.path));
  p->risk = fix::risk_estimate(s.lines_changed, churn, 0, "safe");
  p->commit = fix::commit_sweep(env, tip, s, validated_for(*p, fix::sweep_validated(validated, ctx.config.sweep.max_change_size)));
  p->outcome.clear();
  return p->commit;
}

// Records the findings a sweep left out (fix/sweep.hpp, policy 2): one its fix's gates refused as a fix
// of its own would be (failed); a gone one back to the queue, where the scans resolve it.
void record_left_out(queue::Store& store, const Planned& p, int64_t cycle, const std::string& branch) {
  for (const auto& l : p.left_out) {
    if (l.gone) {
      if (l.finding.status == "applied") store.set_status(l.finding.id, "open");
      continue;
    }
    store.record_attempt({0, l.finding.id, cycle, "", l.outcome, l.detail, branch, 0, 0, 0, 0});
    store.set_status(l.finding.id, "failed");
  }
}

// Records that `p` was refused: a single fix's finding becomes `status` (failed, stale); a sweep's
// findings stay queued, each with a `sweep_refused` attempt naming the gate, and are proposed one by one
// from then on (fix/sweep.hpp, policy 3).
void record_refusal(queue::Store& store, const Planned& p, int64_t cycle, const std::string& branch,
                    const std::string& status) {
  record_left_out(store, p, cycle, branch);
  if (p.swept.empty() && p.outcome != "swept_nothing") {
    store.record_attempt({0, p.opportunity.id, cycle, "", p.outcome, p.detail, branch, p.lines_changed, 0, p.risk, 0});
    store.set_status(p.opportunity.id, status);
    return;
  }
  for (int64_t id : finding_ids(p)) {
    if (p.outcome != "swept_nothing")
      store.record_attempt({0, id, cycle, "", fix::k_sweep_refused,
                            p.outcome + ": sweep of " + std::to_string(1 + p.swept.size()) + " findings: " + p.detail,
                            branch, p.lines_changed, 0, p.risk, 0});
    store.set_status(id, "open");
  }
}

std::string build_chain(Context& ctx, const scan::Engine& engine, const std::string& base,
                        std::vector<Planned*>& fixes, const std::string& validated) {
  std::string tip = base;
  git::Signature who{ctx.config.identity.name, ctx.config.identity.email};
  for (Planned* p : fixes) {
    p->commit.clear();
    if (by_generator(ctx, engine, p->opportunity)) {
      std::string next = apply_external(ctx, engine, tip, p, validated_for(*p, validated));
      if (next.empty()) continue;
      tip = next;
      p->commit = tip;
      p->outcome.clear();
      continue;
    }
    if (!p->swept.empty()) {
      tip = build_swept(ctx, engine, tip, p, validated);
      continue;
    }
    const auto& rules = engine.rules();
    auto rule = std::find_if(rules.begin(), rules.end(), [&](const scan::Rule& r) { return r.id == p->opportunity.rule_id; });
    if (rule != rules.end() && !rule->trusted) {
      // A pending fix whose repository rule changed since `trust`: neither replayed nor re-derived.
      p->outcome = "untrusted";
      p->detail = "the repository rule " + rule->id + " (" + rule->file + ") is not trusted: run `git autoloop trust`";
      continue;
    }
    // A pending fix on a moved base: replay its own change with the syntax-aware merge first, then
    // re-derive it from its rule when that does not merge cleanly.
    std::optional<Derived> replayed;
    if (!p->previous.empty()) replayed = replay_fix(ctx, engine, tip, *p);
    Derived d = replayed ? std::move(*replayed)
                         : derive_fix(engine, ctx.repo, ctx.config, tip, p->opportunity, &ctx.native_checker());
    if (d.status == Derived::Status::gone) {
      p->outcome = "resolved";
      p->detail = d.detail;
      continue;
    }
    if (d.status != Derived::Status::ok) {
      p->outcome = d.outcome.empty() ? "no_fix" : d.outcome;
      p->detail = d.detail;
      continue;
    }
    p->lines_changed = d.lines_changed;
    p->gates = d.gates;
    if (!d.unchecked.empty())
      ctx.log.info("fix #{} on {}: no native check ({})", p->opportunity.id, p->opportunity.path, d.unchecked);
    int churn = static_cast<int>(ctx.store().file_change_count(p->opportunity.path));
    p->risk = fix::risk_estimate(d.lines_changed, churn, dependents(ctx, base, p->opportunity.path), p->opportunity.safety);
    std::string blob = ctx.repo.write_blob(d.after);
    std::string tree = ctx.repo.tree_with_file(tip, p->opportunity.path, blob, d.mode);
    tip = ctx.repo.create_commit(tree, {tip}, who, who,
                                 commit_message(p->opportunity, rule == rules.end() ? nullptr : &*rule, d, p->risk,
                                                validated_for(*p, validated)));
    p->commit = tip;
    p->outcome.clear();
  }
  return tip;
}

// The fixes still to be (re)built on top of the chain's base: fine so far and not reused.
std::vector<Planned*> live(std::vector<Planned>& all) {
  std::vector<Planned*> out;
  for (auto& p : all)
    if (p.outcome.empty() && !p.reused) out.push_back(&p);
  return out;
}

// What a failed test run says, for the attempt's detail.
std::string describe_failure(const safety::TestRun& r, int timeout_s) {
  std::string head = r.timed_out ? "timed out after " + std::to_string(timeout_s) + " s" : "exit " + std::to_string(r.exit_code);
  const std::string& out = r.output_tail;
  return head + ": " + out.substr(out.size() > 400 ? out.size() - 400 : 0);
}

// Tests the new fixes of `plan` on top of the chain's base (the base passed already). `tip` is the
// whole batch. Fills the outcome of every new fix the tests refuse ("tests_failed", "timed_out") or
// could not get to ("untested": test_budget spent); returns the tip of what is left.
//
// A fix is blamed only by a run that contains it and no other new fix, confirmed by a second run
// (one that passes is a flaky failure: the fix stays, with a note). The culprits are searched for by
// testing each new fix alone when the base's duration makes that cheap, and by halving the batch
// otherwise (fewer runs when most fixes are good). The survivors are tested together at the end.
std::string test_fixes(Context& ctx, const scan::Engine& engine, TestGate& gate, const std::string& chain_base,
                       std::vector<Planned>& plan, const std::string& validated, std::string tip) {
  const int timeout_s = ctx.config.test_timeout;
  std::set<std::string> passed_trees;
  auto tree_of = [&](const std::string& commit) { return ctx.repo.commit_info(commit).tree; };
  // The chain of the pending fixes and the new fixes in `subset`, in plan order.
  auto chain_with = [&](const std::vector<Planned*>& subset) {
    std::vector<Planned*> chain;
    for (auto& p : plan)
      if (p.outcome.empty() && !p.reused && (p.pending || std::find(subset.begin(), subset.end(), &p) != subset.end()))
        chain.push_back(&p);
    return build_chain(ctx, engine, chain_base, chain, validated);
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
  auto untested = [](Planned* p) {
    if (!p->outcome.empty()) return;
    p->outcome = "untested";
    p->detail = "test_budget spent before its tests ran";
  };
  // `c` failed a run of its own: once more, to tell a broken fix from a flaky suite.
  auto confirm = [&](Planned* c, const safety::TestRun& failed) {
    if (failed.timed_out) {
      c->outcome = "timed_out";
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
    c->outcome = again->timed_out ? "timed_out" : "tests_failed";
    c->detail = describe_failure(*again, timeout_s);
  };
  // The culprits among `group`, whose run together (with the pending fixes) failed as `failed`.
  std::function<void(const std::vector<Planned*>&, const safety::TestRun&)> halve =
      [&](const std::vector<Planned*>& group, const safety::TestRun& failed) {
        if (group.size() == 1) return confirm(group.front(), failed);
        const auto middle = group.begin() + static_cast<std::ptrdiff_t>(group.size() / 2);
        for (const std::vector<Planned*>& part : {std::vector<Planned*>(group.begin(), middle), std::vector<Planned*>(middle, group.end())}) {
          auto r = test(chain_with(part));
          if (!r) {
            for (Planned* p : part) untested(p);
          } else if (!r->passed) {
            halve(part, *r);
          }
        }
      };

  std::vector<Planned*> news;
  for (auto& p : plan)
    if (p.outcome.empty() && !p.pending) news.push_back(&p);
  auto batch = test(tip);
  if (!batch) {
    for (Planned* p : news) untested(p);
  } else if (!batch->passed && !news.empty()) {
    const double alone_ms = gate.expected_ms() * static_cast<double>(news.size());
    const bool each_alone = news.size() <= 2 || alone_ms <= std::min(gate.remaining_ms() / 2, 120000.0);
    ctx.log.info("the batch of {} new fixes fails its tests: {}", news.size(),
                 each_alone ? "testing each alone" : "halving the batch");
    if (news.size() == 1) {
      confirm(news.front(), *batch);
    } else if (each_alone) {
      for (Planned* c : news) {
        if (!c->outcome.empty()) continue;
        auto r = test(chain_with({c}));
        if (!r) untested(c);
        else if (!r->passed) confirm(c, *r);
        if (c->outcome.empty() || c->outcome == "untested") continue;
        // A culprit is out: often it was the only one, and the rest pass together in one run.
        std::vector<Planned*> rest;
        for (Planned* p : news)
          if (p->outcome.empty()) rest.push_back(p);
        if (rest.size() < 2) continue;
        auto together = test(chain_with(rest));
        if (together && together->passed) break;
      }
    } else {
      halve(news, *batch);
    }
  }
  auto chain = live(plan);
  tip = build_chain(ctx, engine, chain_base, chain, validated);
  // The chain as it stands, tested whole unless a run passed on that very tree: when it fails (or the
  // budget is spent) its new fixes are refused together (or left untested) and the chain rebuilt.
  // Whether the chain that is left passed.
  auto test_together = [&] {
    if (tip == chain_base || passed_trees.count(tree_of(tip))) return true;
    auto together = test(tip);
    if (together && together->passed) return true;
    for (auto& p : plan)
      if (p.outcome.empty() && !p.pending) {
        if (!together) {
          untested(&p);
        } else {
          p.outcome = "tests_failed";
          p.detail = "fails in combination: " + describe_failure(*together, timeout_s);
        }
      }
    chain = live(plan);
    tip = build_chain(ctx, engine, chain_base, chain, validated);
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
    for (Planned* p : live(plan)) {
      if (p->commit.empty()) continue;
      const fix::Execution e = fix::check_commit(ctx.repo, report, p->commit, tip);
      p->tests_item = fix::validated_tests(e);
      if (drop_unexecuted && !p->pending && e.executed == fix::Executed::no && p->opportunity.safety != "safe") {
        p->outcome = "not_executed";
        p->detail = "the tests pass but never execute the changed lines: " + e.reason;
        dropped = true;
      }
    }
    return dropped;
  };
  if (tip != chain_base && passed_trees.count(tree_of(tip))) {
    const bool dropped = judge(true);
    chain = live(plan);
    tip = build_chain(ctx, engine, chain_base, chain, validated);
    // Without the dropped fixes the chain is a new tree: it must pass as a whole too.
    if (dropped && test_together() && tip != chain_base) {
      judge(false);
      chain = live(plan);
      tip = build_chain(ctx, engine, chain_base, chain, validated);
    }
  }
  return tip;
}

void notify(Context& ctx, const DrainResult& r) {
  if (ctx.config.notify_command.empty()) return;
  if (!safety::command_trusted(ctx.config, "notify_command", ctx.paths.repo_config(), ctx.paths.trust_file())) return;
  nlohmann::json j = {{"cycle", r.cycle},       {"branch", r.branch},   {"side_branch", r.side_ref},
                      {"tip", r.tip},           {"applied", r.applied}, {"kept", r.kept},
                      {"failed", r.failed},     {"resolved", r.resolved}, {"rolled_back", r.rolled_back},
                      {"why", r.why},           {"untested", r.untested}, {"tests_blocked", r.tests_blocked},
                      {"test_runs", r.test_runs}};
  core::ProcessOptions o;
  o.input = j.dump() + "\n";
  o.scrub_env = true;
  o.timeout = std::chrono::seconds(30);
  if (ctx.paths.work_tree) o.cwd = *ctx.paths.work_tree;
  try {
    auto res = core::run_process({"/bin/sh", "-c", ctx.config.notify_command}, o);
    if (!res.ok()) ctx.log.warn("notify_command exited {}: {}", res.exit_code, res.err);
  } catch (const std::exception& e) {
    ctx.log.warn("notify_command: {}", e.what());
  } catch (const core::Interrupted& e) {
    // The cycle is recorded and published: the signal ended only its notification.
    ctx.log.warn("notify_command: interrupted by {}", e.signal_name());
  }
}

// The reflog message of every side-branch update (its first entry names who created the ref).
constexpr std::string_view k_cycle_log_prefix = "autoloop: cycle ";

// Whether the side ref `name`, now at `tip`, was made by the loop. A side branch the loop wrote always
// ends in one of its fix commits, but content proves nothing (anyone can write an `Autoloop-Rule:`
// trailer): the queue's record of that commit, or a reflog the loop started, does; neither comes with a
// clone or a fetch.
bool made_by_loop(Context& ctx, const std::string& name, const std::string& tip) {
  if (ctx.repo.commit_info(tip).message.find("\nAutoloop-Rule: ") == std::string::npos) return false;
  if (ctx.store().attempt_by_commit(tip)) return true;
  auto first = ctx.repo.first_reflog_message(name);
  return first && first->rfind(k_cycle_log_prefix, 0) == 0;
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

namespace {

// A drain killed inside a ref update leaves a .lock file that would wedge every later one. Only drains
// write side branches, and the caller holds the drain lock. Removed: regular files named <ref>.lock for
// a valid ref <ref> under refs/heads/<side_branch_prefix>, found below the prefix's directory, which must
// be a real directory inside refs/heads (a symlink there is never followed).
void remove_stale_ref_locks(Context& ctx) {
  namespace fs = std::filesystem;
  const std::string& prefix = ctx.config.side_branch_prefix;
  if (core::side_branch_prefix_problem(prefix)) return; // refused at load: never build a path from it
  const fs::path heads = ctx.paths.heads_dir();
  struct stat st {};
  if (::lstat(heads.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
  const size_t slash = prefix.rfind('/');
  const fs::path side_dir = slash == std::string::npos ? heads : heads / prefix.substr(0, slash);
  if (side_dir != heads && !core::is_inside(heads, side_dir)) {
    ctx.log.warn("not cleaning ref locks: {} leaves {}", side_dir.string(), heads.string());
    return;
  }
  if (::lstat(side_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return; // a symlink is not a directory here
  const std::string lock_suffix = ".lock";
  std::error_code ec;
  // The default options do not follow directory symlinks.
  for (auto it = fs::recursive_directory_iterator(side_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    const std::string rel = it->path().lexically_relative(heads).generic_string();
    if (rel.size() <= lock_suffix.size() || rel.compare(rel.size() - lock_suffix.size(), lock_suffix.size(), lock_suffix) != 0)
      continue;
    const std::string ref = "refs/heads/" + rel.substr(0, rel.size() - lock_suffix.size());
    if (rel.rfind(prefix, 0) != 0 || core::ref_name_problem(ref) || git::normalize_ref_name(ref) != ref) continue;
    if (core::remove_file_inside(heads, it->path())) ctx.log.warn("removed stale ref lock {}", it->path().string());
  }
}

} // namespace

std::vector<RecoveredCycle> recover(Context& ctx, bool cleanup, const std::string& reason) {
  queue::Store& store = ctx.store();
  std::vector<RecoveredCycle> recovered;
  // An accept killed after it moved the branch: its verdict counts (its files wait for the next review).
  if (auto finished = finish_interrupted_accept(ctx, false)) ctx.log.info("{}", *finished);
  for (const auto& cycle : store.unfinished_cycles()) {
    std::string tip;
    try {
      tip = ctx.repo.read_ref(side_branch_ref(ctx.config, cycle.branch)).value_or("");
    } catch (const core::Error& e) {
      ctx.log.warn("recovering cycle {}: {}", cycle.id, e.what()); // not published, then
    }
    bool published = cycle.state == "planned" && !cycle.planned_tip.empty() && tip == cycle.planned_tip;
    auto txn = store.begin();
    int applied = 0;
    for (const auto& a : store.attempts_of_cycle(cycle.id)) {
      if (a.outcome != "planned") continue;
      if (published) {
        store.set_attempt_outcome(a.id, "applied", "recovered after an interrupted drain");
        store.set_status(a.opportunity_id, "applied");
        ++applied;
      } else {
        // Not the fix's fault: the opportunity stays as it was (open) for the next drain.
        store.set_attempt_outcome(a.id, "rolled_back", "drain interrupted before publishing");
      }
    }
    store.end_interrupted_cycle(cycle.id, applied, !published,
                                published ? "recovered: published" : "recovered: interrupted before publishing",
                                reason.empty() ? "interrupted (the drain ended before its cycle did)" : reason);
    txn.commit();
    ctx.log.warn("recovered cycle {} of {}: {}", cycle.id, cycle.branch, published ? "published" : "not published");
    recovered.push_back({cycle.id, cycle.branch, published, applied});
  }
  // Stopped: the records above are the loop's own, but nothing on disk is removed.
  if (!cleanup) return recovered;
  if (ctx.paths.work_tree) safety::prune_worktrees(*ctx.paths.work_tree, ctx.paths.data_dir);
  remove_stale_ref_locks(ctx);
  return recovered;
}

std::vector<std::string> recent_refusals(Context& ctx, const std::string& branch, size_t limit) {
  static const std::set<std::string> not_refusals = {"applied",  "planned",  "rolled_back", "untested",
                                                     "resolved", "accepted", "rejected",    "reverted",
                                                     "superseded", "untrusted"};
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
      line += a.outcome + (a.detail.empty() ? "" : ": " + a.detail);
      std::replace(line.begin(), line.end(), '\n', ' ');
      if (line.size() > 300) line = line.substr(0, 297) + "...";
      out.push_back(std::move(line));
    }
    if (!out.empty()) break;
  }
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

DrainResult drain(Context& ctx, const DrainOptions& options) {
  DrainResult result;
  auto lock = schedule::FileLock::try_acquire(ctx.paths.drain_lock());
  if (!lock) {
    result.busy = true;
    result.why = "another drain is running";
    return result;
  }
  // STOP, AUTOLOOP=0 and enabled: false are honoured before recover() cleans anything on disk.
  const std::optional<std::string> stopped = ctx.stopped();
  recover(ctx, !stopped);
  ctx.store().erase_state("drain_deferred");
  if (auto why = stopped) {
    result.skipped = true;
    result.why = *why;
    return result;
  }
  queue::Store& store = ctx.store();
  if (auto paused = store.state("paused")) {
    result.skipped = true;
    result.why = "paused: " + *paused;
    return result;
  }
  auto branch = ctx.repo.current_branch();
  if (!branch) {
    result.skipped = true;
    result.why = "HEAD is detached or unborn";
    return result;
  }
  if (branch->rfind(ctx.config.side_branch_prefix, 0) == 0) {
    result.skipped = true;
    result.why = "on a side branch";
    return result;
  }
  result.branch = *branch;
  result.side_ref = side_branch_ref(ctx.config, *branch);
  // Its file is written inside refs/heads, never through a symlinked directory on the way.
  if (!core::is_inside(ctx.paths.heads_dir(), ctx.paths.heads_dir() / side_branch_name(ctx.config, *branch)))
    throw core::Error(result.side_ref + " would be written outside " + ctx.paths.heads_dir().string() +
                      " (a symlink on the way); refusing to write it");
  std::string base = *ctx.repo.resolve_commit("refs/heads/" + *branch);
  std::string checkpoint = ctx.repo.read_ref(result.side_ref).value_or("");
  // A ref of that name the loop did not make is someone's branch (a side_branch_prefix naming existing
  // branches, perhaps one fetched with forged trailers): never overwrite it.
  if (!checkpoint.empty() && !made_by_loop(ctx, result.side_ref, checkpoint))
    throw core::Error(result.side_ref + " exists and was not made by git-autoloop; refusing to overwrite it "
                      "(choose another side_branch_prefix)");
  // `drain --sweep` takes every group of its rule unless told how many.
  const int max_new = options.max >= 0             ? options.max
                      : !options.sweep_rule.empty() ? std::numeric_limits<int>::max()
                                                    : ctx.config.autonomous_loop.max_improvements_per_cycle;

  // 1. What the side branch holds now, and what could join it.
  std::vector<Planned> plan;
  std::set<int64_t> seen;
  queue::OpportunityFilter applied_filter;
  applied_filter.status = "applied";
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
    auto last = std::find_if(attempts.rbegin(), attempts.rend(), [](const queue::Attempt& a) { return a.outcome == "applied"; });
    if (last == attempts.rend() || last->branch != *branch) continue;
    pending.push_back({last->id, last->side_commit, o, last->lines_changed, last->risk});
  }
  std::sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) { return a.attempt < b.attempt; });
  for (auto& [id, side_commit, o, lines, risk] : pending) {
    // A sweep's findings share its commit (their attempts are consecutive): one unit of the plan.
    if (!plan.empty() && !side_commit.empty() && plan.back().previous == side_commit) {
      plan.back().swept.push_back(o);
      seen.insert(o.id);
      continue;
    }
    Planned p;
    p.opportunity = o;
    p.pending = true;
    if (by_generator(ctx, ctx.engine(), o) && !side_commit.empty() && ctx.repo.has_object(side_commit)) {
      // Carry the generator's change over rather than run it again.
      auto info = ctx.repo.commit_info(side_commit);
      for (const auto& ch : ctx.repo.diff_commits(info.parents.at(0), side_commit))
        if (ch.kind != git::Change::Kind::deleted)
          p.external.push_back({ch.path, ch.old_blob, ch.mode, ctx.repo.read_blob(ch.new_blob)});
    }
    p.lines_changed = lines;
    p.risk = risk;
    p.previous = side_commit;
    plan.push_back(std::move(p));
    seen.insert(o.id);
  }
  // When the branch did not move and the side branch holds exactly the pending fixes, keep those
  // commits as they are (stable ids for reviewers and fetchers) and build new fixes on top.
  std::string chain_base = base;
  if (!checkpoint.empty() && !pending.empty()) {
    auto side = ctx.repo.commit_range(base, checkpoint, plan.size() + 1);
    bool intact = side.size() == plan.size() && ctx.repo.parents(side.front()) == std::vector<std::string>{base};
    for (size_t i = 0; intact && i < side.size(); ++i) {
      auto attempt = store.attempt_by_commit(side[i]);
      const auto ids = finding_ids(plan[i]);
      intact = attempt && std::find(ids.begin(), ids.end(), attempt->opportunity_id) != ids.end();
    }
    if (intact) {
      chain_base = checkpoint;
      for (size_t i = 0; i < side.size(); ++i) {
        plan[i].reused = true;
        plan[i].commit = side[i];
      }
    }
  }
  const std::string level = ctx.config.autonomous_loop.safety_level;
  // The process's matcher: a worker that just scanned has its queries compiled already.
  const scan::Engine& engine = ctx.engine();
  std::map<std::string, const scan::Rule*> rule_by_id;
  for (const auto& r : engine.rules()) rule_by_id[r.id] = &r;
  queue::OpportunityFilter open_filter;
  open_filter.status = "open";
  auto open = store.opportunities(open_filter);
  // Findings belong to the lines of history they were seen in: this branch's drain sees only its own.
  const scan::Lineage lineage(ctx.repo, store, ctx.config.side_branch_prefix);
  open = own_findings(store, lineage, std::move(open), base);
  // What the verdicts so far say about each rule (quarantine, trust, category multipliers).
  const feedback::Learnt learnt = feedback::update(store, ctx.config.feedback);
  const double now = now_seconds();
  std::map<std::string, int> churn;
  auto score = [&](const queue::Opportunity& o) {
    auto it = churn.find(o.path);
    if (it == churn.end()) it = churn.emplace(o.path, static_cast<int>(store.file_change_count(o.path))).first;
    schedule::PriorityInputs in;
    in.base = o.score;
    in.learnt = is_external(o) ? learnt.prior.mean() : learnt.score_factor(o.rule_id, o.category);
    in.age_days = std::max(0.0, (now - static_cast<double>(o.first_seen)) / 86400.0);
    in.risk = fix::risk_estimate(1, it->second, 0, o.safety);
    return schedule::priority(in);
  };
  std::map<int64_t, double> scores;
  for (const auto& o : open) scores[o.id] = score(o);
  std::stable_sort(open.begin(), open.end(), [&](const auto& a, const auto& b) { return scores[a.id] > scores[b.id]; });
  // Tests: required, configured and trusted? Unsafe fixes are applied only through tests that run.
  const bool tests_configured = !ctx.config.test_command.empty();
  const bool tests_trusted =
      safety::command_trusted(ctx.config, "test_command", ctx.paths.repo_config(), ctx.paths.trust_file());
  const bool run_tests = tests_configured && tests_trusted && ctx.paths.work_tree;
  if (tests_configured && !tests_trusted) store.set_state("untrusted", "test_command in .autoloop.yml is not trusted: run `git autoloop trust`");
  else store.erase_state("untrusted");
  std::vector<queue::Opportunity> eligible;
  int suggestions = 0, quarantined = 0, untrusted_rules = 0, unsafe_held = 0;
  int offers = 0, offers_held = 0; // findings for the generator: taken this cycle, kept back
  // Findings are offered only to a generator that exists and may run (its command trusted).
  fix::Refusal generator_problem;
  const bool generator_ready = !ctx.config.generator.fixer.empty() && ctx.paths.work_tree &&
                               fix::generator_for(ctx.config, generator_place(ctx), queue::Opportunity{}, generator_problem);
  for (auto& o : open) {
    if (is_external(o)) {
      // Asked for by a person: allowed at every safety level, always through the tests when set.
      if (ctx.paths.work_tree) eligible.push_back(o);
      continue;
    }
    auto r = rule_by_id.find(o.rule_id);
    if (fix::offered(ctx.config, o, r == rule_by_id.end() ? nullptr : r->second)) {
      // A suggestion no template can make, for the generator: its change is unsafe (it needs tests
      // that run and safety_level medium or low), at most generator.max_per_cycle of them a cycle.
      if (learnt.quarantined(o.rule_id)) {
        ++quarantined;
      } else if (!generator_ready || !safety_allows(level, "unsafe")) {
        ++offers_held;
      } else if (offers < ctx.config.generator.max_per_cycle) {
        ++offers;
        eligible.push_back(o);
      }
      continue;
    }
    if (r == rule_by_id.end() || !r->second->enabled || r->second->fix.empty()) {
      if (level == "low" && r != rule_by_id.end() && r->second->safety == "suggest") ++suggestions;
      continue;
    }
    if (!r->second->trusted) {
      ++untrusted_rules; // a repository rule `trust` does not cover: scanned and reported, never fixed
      continue;
    }
    if (learnt.quarantined(o.rule_id)) {
      ++quarantined; // still in the queue and in reports; never applied
      continue;
    }
    o.safety = scan::stricter_safety(r->second->safety, o.safety); // a finding whose type assumption is unestablished stays a suggestion
    if (!safety_allows(level, o.safety)) continue;
    if (o.safety != "safe" && !run_tests && !(tests_configured && !tests_trusted)) {
      ++unsafe_held; // not semantics-preserving and nothing to test it with: it waits (status says why)
      continue;
    }
    eligible.push_back(o);
  }
  if (unsafe_held) {
    std::string why = !tests_configured
                          ? std::string(ctx.config.safety_settings.require_tests ? "require_tests is on and " : "") +
                                "no test_command is set"
                          : "there is no work tree to run the tests in";
    store.set_state("unsafe_held", std::to_string(unsafe_held) + " unsafe fix" + (unsafe_held == 1 ? "" : "es") +
                                       " not applied: " + why + " (unsafe fixes need tests that pass)");
  } else {
    store.erase_state("unsafe_held");
  }
  // Serialise conflicting fixes (same lines or same function as one on the side branch or earlier in
  // this cycle) and share the cycle between rules, so every rule keeps earning verdicts.
  std::vector<schedule::Claim> claims;
  for (const auto& p : plan) {
    claims.push_back(claim_of(store, p.opportunity));
    for (const auto& o : p.swept) claims.push_back(claim_of(store, o));
  }
  // Sweeps (fix/sweep.hpp) take their findings first: one unit per file or directory; sweep.rules ids it
  // cannot sweep are said by `status`.
  std::vector<std::string> sweep_problems;
  const fix::SweepRequest sweep = fix::sweep_request(ctx.config, engine.rules(), options.sweep_rule, options.sweep_paths,
                                                     options.sweep_by, &sweep_problems);
  std::vector<fix::SweepGroup> sweeps = fix::take_sweeps(eligible, sweep, store);
  std::string sweep_said;
  for (const auto& problem : sweep_problems) sweep_said += (sweep_said.empty() ? "" : "; ") + problem;
  if (sweep_said.empty()) store.erase_state("sweep");
  else store.set_state("sweep", sweep_said);
  std::vector<queue::Opportunity> candidates;
  {
    std::vector<schedule::Candidate> order;
    for (const auto& o : eligible) order.push_back({o.id, o.rule_id, claim_of(store, o)});
    std::map<int64_t, const queue::Opportunity*> by_id;
    for (const auto& o : eligible) by_id[o.id] = &o;
    for (int64_t id : schedule::arrange(order, claims, max_new)) candidates.push_back(*by_id.at(id));
  }
  if (quarantined) ctx.log.info("{} findings of quarantined rules left in the queue", quarantined);
  if (untrusted_rules)
    store.set_state("untrusted_rules", std::to_string(untrusted_rules) + " finding" + (untrusted_rules == 1 ? "" : "s") +
                                           " of untrusted repository rules " + (untrusted_rules == 1 ? "is" : "are") +
                                           " not fixed: run `git autoloop trust` after reading the rules");
  else
    store.erase_state("untrusted_rules");

  // 2. The cycle, and the gates every fix of it passes (each fix adds its own: the native check).
  // Why findings offered to the generator wait, for `status`.
  {
    std::optional<std::string> waiting;
    if (!ctx.config.generator.fixer.empty() && !generator_ready)
      waiting = offers_held ? std::to_string(offers_held) + " finding" + (offers_held == 1 ? "" : "s") +
                                  " for the generator wait: " + generator_problem.detail
                            : "generator.fixer: " + generator_problem.detail;
    else if (offers_held)
      waiting = std::to_string(offers_held) + " finding" + (offers_held == 1 ? "" : "s") +
                " for the generator wait: safety_level " + level + " commits safe fixes only (medium or low: generated changes that pass the tests)";
    else if (offers && !run_tests)
      waiting = "findings for the generator wait for tests that run (test_command, trusted)";
    if (waiting) store.set_state("generator", *waiting);
    else store.erase_state("generator");
  }

  result.cycle = store.begin_cycle(options.trigger, *branch, checkpoint);
  std::string validated = std::string("size<=") + std::to_string(ctx.config.safety_settings.max_change_size) +
                          ", no-destruction, reparse, line-endings" + (run_tests ? ", tests" : "");

  // 3. New fixes: take candidates in order until max_new of them derive cleanly on top of the rest; the
  // sweeps first, each one unit (the findings of one rule in one file or directory).
  std::vector<std::vector<queue::Opportunity>> units;
  for (auto& g : sweeps) units.push_back(std::move(g.findings));
  for (auto& c : candidates) units.push_back({c});
  int added = 0;
  // The chain so far, built once the first new fix needs it; each new fix is then built on its tip alone
  // (rebuilding the whole chain for each would make a cycle of many sweeps quadratic).
  std::optional<std::string> built;
  for (auto& unit : units) {
    const queue::Opportunity& c = unit.front();
    if (added >= max_new) break;
    if (seen.count(c.id)) continue;
    bool needs_tests = c.safety != "safe" || ctx.config.safety_settings.require_tests;
    if (needs_tests && tests_configured && !tests_trusted) {
      for (const auto& u : unit)
        store.record_attempt({0, u.id, result.cycle, "", "untrusted", "test_command is not trusted", *branch, 0, 0, 0, 0});
      continue;
    }
    if (c.safety != "safe" && !run_tests && !is_external(c)) continue; // unsafe fixes need tests that can run (held above)
    Planned p;
    p.opportunity = c;
    p.swept.assign(unit.begin() + 1, unit.end());
    if (!built) {
      auto chain = live(plan);
      built = build_chain(ctx, engine, chain_base, chain, validated);
    }
    plan.push_back(std::move(p));
    std::vector<Planned*> just_this{&plan.back()};
    const std::string next = build_chain(ctx, engine, *built, just_this, validated);
    Planned& last = plan.back();
    if (!last.outcome.empty()) {
      if (last.outcome == "resolved") {
        resolve_gone(store, lineage, c.id, base);
      } else {
        record_refusal(store, last, result.cycle, *branch, "failed");
        if (last.outcome != "swept_nothing") ++result.failed;
      }
      plan.pop_back();
      continue;
    }
    built = next;
    ++added;
  }
  auto chain = live(plan);
  std::string tip = build_chain(ctx, engine, chain_base, chain, validated);

  // 4. Tests: on the unchanged base first, then on the batch; when the batch fails, find the culprits.
  if (run_tests && tip != chain_base) {
    TestGate gate(ctx);
    const TestGate::Base on_base = gate.check_base(base);
    result.test_runs = gate.runs();
    result.test_seconds = gate.seconds();
    if (!on_base.ok) {
      // Tests that cannot pass where they run prove nothing about a fix: nothing new is published, the
      // new fixes stay open (no attempt is recorded against them), the side branch stays as it was.
      result.tests_blocked = true;
      result.why = on_base.why + (on_base.cached ? " (as on the last run on this base)" : "");
      store.end_cycle(result.cycle, 0, 0, false, "stopped: " + result.why);
      result.tip = checkpoint;
      notify(ctx, result);
      return result;
    }
    tip = test_fixes(ctx, engine, gate, chain_base, plan, validated, tip);
    result.test_runs = gate.runs();
    result.test_seconds = gate.seconds();
  }

  // 5. Circuit breaker: the cycle's validated-success rate.
  int tried = 0, succeeded = 0;
  for (auto& p : plan) {
    if (p.pending || p.outcome == "untested") continue; // not tested is neither success nor failure
    ++tried;
    if (p.outcome.empty()) ++succeeded;
  }
  tried += result.failed;
  double rate = tried ? static_cast<double>(succeeded) / tried : 1.0;
  if (tried && rate < ctx.config.safety_settings.rollback_threshold) {
    auto txn = store.begin();
    for (auto& p : plan) {
      if (p.pending) continue;
      if (!p.outcome.empty() && p.outcome != "untested") {
        record_refusal(store, p, result.cycle, *branch, "failed");
        continue;
      }
      record_left_out(store, p, result.cycle, *branch);
      for (int64_t id : finding_ids(p))
        store.record_attempt({0, id, result.cycle, p.commit, p.outcome.empty() ? "rolled_back" : p.outcome, p.detail,
                              *branch, p.lines_changed, 0, p.risk, 0});
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "cycle %lld: validated-success rate %.0f%% < rollback_threshold %.0f%%",
                  static_cast<long long>(result.cycle), rate * 100, ctx.config.safety_settings.rollback_threshold * 100);
    store.set_state("paused", buf);
    store.end_cycle(result.cycle, 0, tried - succeeded, true, buf);
    txn.commit();
    result.rolled_back = true;
    result.why = buf;
    result.tip = checkpoint;
    result.failed = tried - succeeded;
    notify(ctx, result);
    return result;
  }

  // 6. Record the plan, publish with one compare-and-swap, then finish the record.
  std::vector<std::vector<std::pair<int64_t, int64_t>>> planned_attempts; // per fix: (attempt, finding) each
  {
    auto txn = store.begin();
    for (auto& p : plan) {
      if (p.outcome == "resolved") {
        if (resolve_gone(store, lineage, p.opportunity.id, base) && p.pending) ++result.resolved;
        continue;
      }
      if (!p.outcome.empty() && p.outcome != "untested") {
        record_refusal(store, p, result.cycle, *branch, p.pending ? "stale" : "failed");
        if (p.outcome != "swept_nothing") ++result.failed;
        continue;
      }
      record_left_out(store, p, result.cycle, *branch);
      if (p.outcome == "untested") {
        // Still open: the next cycle (with budget left) tests it.
        for (int64_t id : finding_ids(p))
          store.record_attempt({0, id, result.cycle, "", p.outcome, p.detail, *branch, p.lines_changed, 0, p.risk, 0});
        ++result.untested;
        continue;
      }
      // A sweep's findings each get an attempt naming its commit: one unit, N fixes (fix/sweep.hpp).
      auto& attempts = planned_attempts.emplace_back();
      for (int64_t id : finding_ids(p))
        attempts.emplace_back(store.record_attempt({0, id, result.cycle, p.commit, "planned", p.note, *branch,
                                                    p.lines_changed, 0, p.risk, 0}), id);
    }
    store.plan_cycle(result.cycle, tip);
    txn.commit();
  }
  bool moved;
  if (tip == base) moved = ctx.repo.delete_ref(result.side_ref, checkpoint);
  else moved = tip == checkpoint || ctx.repo.update_ref(result.side_ref, tip, checkpoint, std::string(k_cycle_log_prefix) + std::to_string(result.cycle));
  auto txn = store.begin();
  int applied = 0, kept = 0;
  size_t k = 0;
  for (auto& p : plan) {
    if (!p.outcome.empty()) continue;
    for (const auto& [attempt, id] : planned_attempts[k]) {
      if (moved) {
        store.set_attempt_outcome(attempt, "applied", p.note);
        store.set_status(id, "applied");
      } else {
        store.set_attempt_outcome(attempt, "rolled_back", "the side branch moved during the cycle");
      }
    }
    ++k;
    if (moved) (p.pending ? kept : applied)++;
  }
  store.end_cycle(result.cycle, applied, result.failed, !moved, moved ? "" : "side branch moved concurrently");
  txn.commit();
  result.applied = applied;
  result.kept = kept;
  result.tip = moved ? tip : checkpoint;
  result.rolled_back = !moved;
  if (suggestions) ctx.log.info("{} suggestions recorded (safety_level low; never committed)", suggestions);
  notify(ctx, result);
  return result;
}

} // namespace loop
