// git autoloop review [--list] [--accept ID...] [--accept-all] [--reject ID... [--reason TEXT]] [--format text|json]
// Without options on a terminal: each pending fix with its rule, why and a coloured diff; keys
// a(ccept) r(eject) s(kip) q(uit).
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/terminal.hpp"
#include "core/log.hpp"
#include "feedback/feedback.hpp"
#include "loop/drain.hpp"
#include "loop/review.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <iostream>
#include <termios.h>
#include <unistd.h>

namespace cli {

namespace {

// The findings a pending fix holds: its own, and a sweep's others.
std::vector<int64_t> opportunity_ids(const loop::PendingFix& f) {
  std::vector<int64_t> ids{f.opportunity.id};
  for (const auto& s : f.swept) ids.push_back(s.id);
  return ids;
}

struct ReviewOptions {
  bool list = false;
  std::vector<int64_t> accept, reject;
  bool accept_all = false;
  std::string reason;
  std::string format = "text";
};

void print_diff(const std::string& diff, bool colour) {
  size_t at = 0;
  while (at < diff.size()) {
    size_t nl = diff.find('\n', at);
    std::string line = diff.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    const char* c = "";
    if (colour) {
      if (line.rfind("+++", 0) == 0 || line.rfind("---", 0) == 0) c = "\033[1m";
      else if (line.rfind("@@", 0) == 0) c = "\033[36m";
      else if (!line.empty() && line[0] == '+') c = "\033[32m";
      else if (!line.empty() && line[0] == '-') c = "\033[31m";
    }
    std::printf("%s%s%s\n", c, line.c_str(), *c ? "\033[0m" : "");
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
}

void print_fix(const loop::PendingFix& f, bool colour) {
  const auto& o = f.opportunity;
  std::printf("%s#%lld%s %s  [%s, %s, risk %.2f, %d line%s]\n", colour ? "\033[1m" : "", static_cast<long long>(o.id),
              colour ? "\033[0m" : "", printable(f.subject).c_str(), std::string(core::to_string(o.category)).c_str(), o.severity.c_str(), f.risk,
              f.lines_changed, f.lines_changed == 1 ? "" : "s");
  std::string where = o.path.empty() ? o.snippet : o.path + ":" + std::to_string(o.start_line);
  for (auto& c : where)
    if (c == '\n') c = ' ';
  where = printable(where);
  std::printf("   %s  commit %s  rule source: %s\n", where.c_str(), f.commit.substr(0, 12).c_str(),
              printable(f.rule_source).c_str());
  if (!f.swept.empty()) {
    // A sweep: one unit, accepted or rejected whole (fix/sweep.hpp).
    std::string ids;
    for (const auto& s : f.swept) ids += " #" + std::to_string(s.id);
    std::printf("   sweep of %zu fixes of %s, one unit (also%s); accepting it counts %zu verdicts, as a bulk accept\n",
                f.fixes(), printable(o.rule_id).c_str(), ids.c_str(), f.fixes());
  }
  if (!f.refused.empty())
    std::printf("   %snot acceptable:%s %s\n", colour ? "\033[31m" : "", colour ? "\033[0m" : "", printable(f.refused).c_str());
  if (!f.tests_caveat.empty())
    std::printf("   %scaution:%s %s\n", colour ? "\033[33m" : "", colour ? "\033[0m" : "", printable(f.tests_caveat).c_str());
}

// One key without Enter on a terminal; a line otherwise.
char read_key() {
  if (!isatty(0)) {
    std::string line;
    if (!std::getline(std::cin, line)) return 'q';
    return line.empty() ? 's' : line[0];
  }
  termios old{};
  tcgetattr(0, &old);
  termios raw = old;
  raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  tcsetattr(0, TCSANOW, &raw);
  char c = 'q';
  if (::read(0, &c, 1) != 1) c = 'q';
  tcsetattr(0, TCSANOW, &old);
  std::printf("%c\n", c);
  return c;
}

// After verdicts: let the feedback loop learn from them now and say what changed for a rule.
void learn(loop::Context& ctx) {
  auto before = feedback::current(ctx.store(), ctx.config.feedback);
  auto after = feedback::update(ctx.store(), ctx.config.feedback);
  for (const auto& [id, v] : after.rules) {
    auto old = before.rules.find(id);
    if (old != before.rules.end() && old->second.state == v.state) continue;
    if (v.state != feedback::State::learning) core::say(id + " is now " + v.why);
  }
}

// Why there is nothing (more) to review: what the gates refused last, what the last drain found nothing
// to propose for, and a pause.
void print_why_none(loop::Context& ctx, size_t refusals) {
  if (auto branch = ctx.repo.current_branch())
    for (const auto& line : loop::recent_refusals(ctx, *branch, refusals)) std::printf("refused: %s\n", printable(line).c_str());
  if (auto idle = ctx.store().state("idle")) std::printf("%s\n", printable(*idle).c_str());
  if (auto paused = ctx.store().state("paused"))
    std::printf("the loop is paused (%s): `git autoloop resume` goes on\n", printable(*paused).c_str());
}

int interactive(loop::Context& ctx, bool colour) {
  auto fixes = loop::pending_fixes(ctx);
  if (fixes.empty()) {
    core::say("no fixes waiting for review");
    print_why_none(ctx, 10);
    return k_exit_ok;
  }
  int accepted = 0, rejected = 0, skipped = 0;
  for (size_t i = 0; i < fixes.size(); ++i) {
    const auto& f = fixes[i];
    std::printf("\n(%zu/%zu) ", i + 1, fixes.size());
    print_fix(f, colour);
    std::printf("   %s\n\n", f.opportunity.message.c_str());
    print_diff(f.diff, colour);
    std::printf(f.refused.empty() ? "\n[a]ccept, [r]eject, [s]kip, [q]uit? " : "\n[r]eject, [s]kip, [q]uit? ");
    std::fflush(stdout);
    char key = read_key();
    if (key == 'q') break;
    if (key == 'a') {
      auto r = loop::accept_fix(ctx, f.opportunity.id);
      core::say(r.message);
      if (r.ok) ++accepted;
    } else if (key == 'r') {
      std::printf("reason (optional, Enter to skip): ");
      std::fflush(stdout);
      std::string reason;
      std::getline(std::cin, reason);
      auto r = loop::reject_fix(ctx, f.opportunity.id, reason);
      core::say(r.message);
      if (r.ok) ++rejected;
    } else {
      ++skipped;
    }
  }
  if (accepted || rejected) {
    learn(ctx);
    loop::rebuild_side_branch(ctx);
  }
  std::printf("\n%d accepted, %d rejected, %d skipped\n", accepted, rejected, skipped);
  return k_exit_ok;
}

} // namespace

Runner define_review(CLI::App& sub) {
  auto o = std::make_shared<ReviewOptions>();
  sub.add_flag("--list", o->list, "List the pending fixes");
  sub.add_option("--accept", o->accept, "Accept these fixes (opportunity ids)");
  sub.add_flag("--accept-all", o->accept_all, "Accept every pending fix");
  sub.add_option("--reject", o->reject, "Reject these fixes (opportunity ids)");
  sub.add_option("--reason", o->reason, "Why (with --reject)");
  sub.add_option("--format", o->format, "Output of --list: text or json")->capture_default_str();
  return [o](const Global& g) {
    Format format = parse_format(o->format, false);
    loop::OpenOptions oo = open_options(g);
    loop::Context ctx = loop::Context::open(oo);
    if (auto finished = loop::finish_interrupted_accept(ctx, true)) core::say(*finished);
    if (o->list) {
      auto fixes = loop::pending_fixes(ctx);
      if (format == Format::json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& f : fixes)
          arr.push_back({{"id", f.opportunity.id}, {"rule", f.opportunity.rule_id}, {"path", f.opportunity.path},
                         {"line", f.opportunity.start_line}, {"commit", f.commit}, {"subject", f.subject},
                         {"category", f.opportunity.category}, {"lines_changed", f.lines_changed}, {"risk", f.risk},
                         {"rule_source", f.rule_source}, {"acceptable", f.refused.empty()},
                         {"refused", f.refused}, {"validated", f.validated}, {"tests_caveat", f.tests_caveat},
                         {"diff", f.diff}, {"fixes", f.fixes()}, {"sweep", !f.swept.empty()},
                         {"opportunities", opportunity_ids(f)},
                         // The finding as `queue --format json` shows it (one schema: tests/schemas/finding.schema.json).
                         {"finding", row_json(row_of(f.opportunity))}});
        std::puts(arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      } else {
        const bool colour = use_colour(g);
        Pager pager = Pager::start(g);
        for (const auto& f : fixes) print_fix(f, colour);
        size_t in_sweeps = 0;
        for (const auto& f : fixes) in_sweeps += f.swept.empty() ? 0 : f.fixes();
        std::printf("%zu fix%s waiting for review", fixes.size(), fixes.size() == 1 ? "" : "es");
        if (in_sweeps) std::printf(" (sweeps hold %zu fixes)", in_sweeps);
        std::printf("\n");
        // What the gates refused in the last drain: never on the side branch, so said here.
        print_why_none(ctx, 10);
      }
      return k_exit_ok;
    }
    if (o->accept.empty() && o->reject.empty() && !o->accept_all) return interactive(ctx, use_colour(g));
    int failures = 0, changed = 0;
    std::vector<int64_t> accept = o->accept;
    // --accept-all of many fixes of one rule is a bulk accept: one verdict per fix, never what makes
    // the rule trusted (feedback/feedback.hpp, policy 5).
    std::map<std::string, size_t> fixes_of_rule;
    if (o->accept_all)
      for (const auto& f : loop::pending_fixes(ctx)) {
        accept.push_back(f.opportunity.id);
        fixes_of_rule[f.opportunity.rule_id] += f.fixes();
      }
    std::map<std::string, std::pair<int, int>> bulk; // rule -> (fixes, commits)
    for (int64_t id : accept) {
      auto opportunity = ctx.store().opportunity(id);
      const bool many = opportunity && fixes_of_rule[opportunity->rule_id] > 1;
      auto r = loop::accept_fix(ctx, id, many);
      (r.ok ? core::say : core::warn)(r.message);
      r.ok ? ++changed : ++failures;
      if (r.ok && r.bulk) {
        bulk[r.rule].first += r.fixes;
        ++bulk[r.rule].second;
      }
    }
    for (const auto& [rule, n] : bulk)
      core::say("bulk accept: " + std::to_string(n.first) + " fix" + (n.first == 1 ? "" : "es") + " of " + rule + " in " +
                std::to_string(n.second) + " commit" + (n.second == 1 ? "" : "s") +
                " (one verdict per fix; bulk accepts never make a rule trusted by themselves)");
    for (int64_t id : o->reject) {
      auto r = loop::reject_fix(ctx, id, o->reason);
      (r.ok ? core::say : core::warn)(r.message);
      r.ok ? ++changed : ++failures;
    }
    if (changed) {
      learn(ctx);
      loop::rebuild_side_branch(ctx);
    }
    return failures ? k_exit_findings : k_exit_ok;
  };
}

} // namespace cli
