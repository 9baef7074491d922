#include "loop/test_gate.hpp"

#include "git/repo.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <sstream>

namespace loop {

namespace {

// Queue state keys (status shows the last two).
constexpr const char* k_base_result = "tests_base";     // "<key> <1|0> <ms>\n<why>" of the last base run
constexpr const char* k_blocked = "tests_blocked";      // why the last cycle could not test anything
constexpr const char* k_flaky = "tests_flaky";          // "<unix time> <what>" of the last flaky failure

std::string short_sha(const std::string& sha) { return sha.substr(0, 12); }

std::string failure_of(const safety::TestRun& r, const std::string& where, std::chrono::seconds timeout) {
  if (r.timed_out) return "tests time out on " + where + " (after " + std::to_string(timeout.count()) + " s)";
  return "tests fail on " + where + " (exit " + std::to_string(r.exit_code) + ")";
}

} // namespace

TestGate::TestGate(Context& ctx) : m_ctx(ctx) {
  m_command = ctx.config.coverage_command.empty() ? ctx.config.test_command : ctx.config.coverage_command;
}

TestGate::~TestGate() = default;

safety::ValidationTree& TestGate::tree() {
  if (!m_tree) {
    safety::ValidationTree::Options o;
    o.work_tree = *m_ctx.paths.work_tree;
    o.common_dir = m_ctx.paths.common_dir;
    o.root = safety::worktree_root(m_ctx.config, core::environment_snapshot());
    o.test_command = m_command;
    o.test_setup = m_ctx.config.test_setup;
    o.coverage_report = m_ctx.config.metrics.coverage_report;
    o.link_dirs = m_ctx.config.validation.link_dirs;
    o.lockfiles = m_ctx.config.validation.lockfiles;
    o.timeout = std::chrono::seconds(m_ctx.config.test_timeout);
    m_tree = std::make_unique<safety::ValidationTree>(m_ctx.repo, std::move(o));
  }
  return *m_tree;
}

double TestGate::expected_ms() const { return std::max(1000.0, m_base_ms); }

double TestGate::remaining_ms() const {
  return std::max(0.0, static_cast<double>(m_ctx.config.test_budget) * 1000.0 - m_spent_ms);
}

std::string TestGate::base_key(const std::string& base) {
  const auto& c = m_ctx.config;
  return git::hash_blob("base " + base + "\ntest " + m_command + "\nsetup " + c.test_setup + "\ntimeout " +
                        std::to_string(c.test_timeout) + "\nenv " + tree().environment(base));
}

safety::ValidationTree::Outcome TestGate::timed_run(const std::string& commit) {
  auto t0 = std::chrono::steady_clock::now();
  auto outcome = tree().run_tests(commit);
  m_spent_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ++m_runs;
  if (outcome.run)
    m_ctx.log.info("tests at {}: {} in {:.0f} ms{}", short_sha(commit),
                   outcome.run->passed ? "passed" : outcome.run->timed_out ? "timed out" : "failed", outcome.run->duration_ms,
                   tree().prepared().empty() ? "" : " (" + tree().prepared() + ")");
  else
    m_ctx.log.warn("tests at {}: {}", short_sha(commit), outcome.setup_failed->what);
  return outcome;
}

TestGate::Base TestGate::check_base(const std::string& base) {
  queue::Store& store = m_ctx.store();
  const std::string key = base_key(base);
  Base result;
  // The last result on this very base, commands and environment: no need to run again.
  if (auto cached = store.state(k_base_result)) {
    std::istringstream in(*cached);
    std::string cached_key;
    int passed = 0;
    double ms = 0;
    if (in >> cached_key >> passed >> ms && cached_key == key) {
      std::string why;
      in.get();
      std::getline(in, why);
      m_base_ms = ms;
      result.ok = passed != 0;
      result.cached = true;
      result.why = why;
      if (result.ok) store.erase_state(k_blocked);
      else store.set_state(k_blocked, why);
      return result;
    }
  }
  const std::string where = "the base " + short_sha(base);
  auto first = timed_run(base);
  if (first.setup_failed) {
    result.why = first.setup_failed->what;
  } else if (first.run->passed) {
    result.ok = true;
    m_base_ms = first.run->duration_ms;
  } else if (first.run->timed_out) {
    result.why = failure_of(*first.run, where, std::chrono::seconds(m_ctx.config.test_timeout));
  } else {
    // Once more: a suite that fails now and then is flaky, not broken.
    auto second = timed_run(base);
    if (second.run && second.run->passed) {
      result.ok = true;
      result.flaky = true;
      m_base_ms = second.run->duration_ms;
      store.set_state(k_flaky, std::to_string(std::time(nullptr)) + " the tests failed once on " + where +
                                   " (exit " + std::to_string(first.run->exit_code) + ") and passed on the rerun");
    } else {
      result.why = second.setup_failed ? second.setup_failed->what
                                       : failure_of(*second.run, where, std::chrono::seconds(m_ctx.config.test_timeout));
    }
  }
  if (result.ok) {
    store.erase_state(k_blocked);
  } else {
    const std::string& output = first.run ? first.run->output_tail : first.setup_failed->output_tail;
    m_ctx.log.warn("{}; no fix is blamed. Output:\n{}", result.why, output);
    store.set_state(k_blocked, result.why);
  }
  // A flaky base is not cached as passing: the next cycle looks again.
  if (!result.flaky) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.0f", m_base_ms);
    store.set_state(k_base_result, key + " " + (result.ok ? "1" : "0") + " " + ms + "\n" + result.why);
  }
  return result;
}

std::optional<safety::TestRun> TestGate::run(const std::string& commit) {
  if (m_spent_ms + expected_ms() > static_cast<double>(m_ctx.config.test_budget) * 1000.0) {
    m_ctx.log.info("test_budget ({} s) spent: not testing {}", m_ctx.config.test_budget, short_sha(commit));
    return std::nullopt;
  }
  auto outcome = timed_run(commit);
  if (outcome.run) return std::move(*outcome.run);
  safety::TestRun failed;
  failed.exit_code = -1;
  failed.output_tail = outcome.setup_failed->what + "\n" + outcome.setup_failed->output_tail;
  return failed;
}

} // namespace loop
