#include "loop/notify.hpp"

#include "core/error.hpp"
#include "core/process.hpp"
#include "safety/trust.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <set>

namespace loop {

namespace {

using nlohmann::json;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Repository text (file names, messages) may hold anything: invalid UTF-8 is replaced, not thrown on.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The fields every event carries.
json envelope(Context& ctx, const std::string& event, std::vector<std::string> reasons) {
  const auto by_status = ctx.store().count_by_status();
  const auto applied = by_status.find(std::string(core::to_string(core::Status::applied)));
  std::string repository = (ctx.paths.work_tree ? *ctx.paths.work_tree : ctx.paths.git_dir).string();
  while (repository.size() > 1 && repository.back() == '/') repository.pop_back();
  return {{"schema_version", k_notification_schema_version},
          {"event", event},
          {"time", now_seconds()},
          {"repository", std::move(repository)},
          {"branch", ctx.repo.current_branch().value_or("")},
          {"pending", applied == by_status.end() ? 0 : applied->second},
          {"reasons", std::move(reasons)}};
}

// One fix or finding: {id, rule, file, line}, plus `commit` when it has one.
json item(const queue::Opportunity& o, const std::string& commit) {
  json j = {{"id", o.id}, {"rule", o.rule_id}, {"file", o.path}, {"line", o.start_line}};
  j["commit"] = commit;
  return j;
}

// Outcomes of a cycle's attempts that are no refusal: the fix went on, or its verdict came later.
bool is_refusal(core::Outcome outcome) {
  using core::Outcome;
  static const std::set<Outcome> not_refusals = {Outcome::applied,  Outcome::planned,  Outcome::rolled_back,
                                                 Outcome::untested, Outcome::resolved, Outcome::accepted,
                                                 Outcome::rejected, Outcome::reverted, Outcome::superseded};
  return !not_refusals.count(outcome);
}

} // namespace

std::string cycle_notification(Context& ctx, const DrainResult& r) {
  std::vector<std::string> reasons;
  if (!r.why.empty()) reasons.push_back(r.why);
  json fixes = json::array(), refused = json::array();
  if (r.cycle > 0) {
    for (const auto& a : ctx.store().attempts_of_cycle(r.cycle)) {
      const auto o = ctx.store().opportunity(a.opportunity_id);
      if (!o) continue;
      if (a.outcome == core::Outcome::applied) {
        fixes.push_back(item(*o, a.side_commit));
      } else if (is_refusal(a.outcome)) {
        json j = item(*o, "");
        j["outcome"] = std::string(core::to_string(a.outcome));
        j["detail"] = a.detail;
        refused.push_back(std::move(j));
        reasons.push_back("#" + std::to_string(o->id) + " " + o->rule_id + " " + o->path + ":" +
                          std::to_string(o->start_line) + ": " + std::string(core::to_string(a.outcome)) +
                          (a.detail.empty() ? "" : ": " + a.detail.substr(0, 300)));
      }
    }
  }
  json j = envelope(ctx, "cycle", std::move(reasons));
  j["cycle"] = r.cycle;
  j["side_branch"] = r.side_ref;
  j["tip"] = r.tip;
  j["fixes"] = std::move(fixes);
  j["refused"] = std::move(refused);
  // The counters of the first notifications, kept for the scripts that read them.
  j["applied"] = r.applied;
  j["kept"] = r.kept;
  j["failed"] = r.failed;
  j["resolved"] = r.resolved;
  j["rolled_back"] = r.rolled_back;
  j["skipped"] = r.skipped;
  j["why"] = r.why;
  j["untested"] = r.untested;
  j["tests_blocked"] = r.tests_blocked;
  j["test_runs"] = r.test_runs;
  return dump(j);
}

std::string push_blocked_notification(Context& ctx, const std::vector<std::string>& blocking,
                                      const std::vector<queue::Opportunity>& findings, size_t commits) {
  std::vector<std::string> reasons;
  for (const auto& category : blocking) reasons.push_back("new " + category + " findings (block_push_on)");
  json j = envelope(ctx, "push_blocked", std::move(reasons));
  j["blocking"] = blocking;
  j["commits"] = commits;
  json list = json::array();
  for (const auto& o : findings) {
    json f = item(o, o.commit_id);
    f["category"] = o.category;
    f["severity"] = o.severity;
    f["message"] = o.message;
    list.push_back(std::move(f));
  }
  j["findings"] = std::move(list);
  return dump(j);
}

std::string regression_notification(Context& ctx, const std::vector<std::string>& commits) {
  json changes = json::array();
  std::vector<std::string> reasons;
  for (const auto& commit : commits)
    for (const auto& e : ctx.store().metric_events(commit, 0)) {
      if (e.kind != "regression" && e.kind != "security") continue;
      changes.push_back({{"kind", e.kind}, {"commit", e.commit_id}, {"file", e.path}, {"name", e.name},
                         {"before", e.old_value}, {"after", e.new_value}, {"detail", e.detail}});
      reasons.push_back(e.commit_id.substr(0, 7) + " " + e.path + ": " +
                        (e.detail.empty() ? e.kind + " " + e.name : e.detail));
    }
  if (changes.empty()) return "";
  json j = envelope(ctx, "regression", std::move(reasons));
  j["commits"] = commits;
  j["changes"] = std::move(changes);
  return dump(j);
}

std::string error_notification(Context& ctx, const std::string& source, const std::string& message) {
  json j = envelope(ctx, "error", {message});
  j["source"] = source;
  j["message"] = message;
  return dump(j);
}

void send_notification(Context& ctx, const std::string& json_text) {
  if (json_text.empty() || ctx.config.notify_command.empty()) return;
  if (!safety::command_trusted(ctx.config, "notify_command", ctx.paths.repo_config(), ctx.paths.trust_file())) return;
  core::ProcessOptions o;
  o.input = json_text + "\n";
  o.scrub_env = true;
  o.timeout = std::chrono::seconds(30);
  if (ctx.paths.work_tree) o.cwd = *ctx.paths.work_tree;
  try {
    auto res = core::run_process({"/bin/sh", "-c", ctx.config.notify_command}, o);
    if (!res.ok()) ctx.log.warn("notify_command exited {}: {}", res.exit_code, res.err);
  } catch (const std::exception& e) {
    ctx.log.warn("notify_command: {}", e.what());
  } catch (const core::Interrupted& e) {
    // What it reports on is recorded: the signal ended only its notification.
    ctx.log.warn("notify_command: interrupted by {}", e.signal_name());
  }
}

namespace {

// Builds with `build` and sends, unless there is no command to send to; logs what fails.
template <typename Build>
void build_and_send(Context& ctx, const char* what, Build build) {
  if (ctx.config.notify_command.empty()) return;
  try {
    send_notification(ctx, build());
  } catch (const std::exception& e) {
    ctx.log.warn("notify_command: cannot build the {} notification: {}", what, e.what());
  }
}

} // namespace

void notify_cycle(Context& ctx, const DrainResult& result) {
  build_and_send(ctx, "cycle", [&] { return cycle_notification(ctx, result); });
}

void notify_push_blocked(Context& ctx, const std::vector<std::string>& blocking,
                         const std::vector<queue::Opportunity>& findings, size_t commits) {
  build_and_send(ctx, "push_blocked", [&] { return push_blocked_notification(ctx, blocking, findings, commits); });
}

void notify_regressions(Context& ctx, const std::vector<std::string>& commits) {
  build_and_send(ctx, "regression", [&] { return regression_notification(ctx, commits); });
}

void notify_error(Context& ctx, const std::string& source, const std::string& message) {
  build_and_send(ctx, "error", [&] { return error_notification(ctx, source, message); });
}

} // namespace loop
