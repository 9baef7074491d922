#include "core/config.hpp"

#include "core/error.hpp"

#include "../support/hostile_prefixes.hpp"

// For Catch::TestEventListenerBase (FailureCounter below).
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>

#include <cstdio>
#include <sys/stat.h>

#include <cstdlib>
#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Counts failed assertions, so that a TempDir can tell whether the test that used it failed.
struct FailureCounter : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  bool assertionEnded(const Catch::AssertionStats& stats) override {
    if (!stats.assertionResult.isOk()) ++failures();
    return true;
  }
  static int& failures() {
    static int count = 0;
    return count;
  }
};

// A fresh directory per test run; kept (and its path reported by INFO) when the test fails.
class TempDir {
public:
  TempDir() : m_failures_before(FailureCounter::failures()) {
    std::string pattern = (fs::temp_directory_path() / "autoloop-test-config-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    m_path = pattern;
  }
  ~TempDir() {
    const bool failed = std::uncaught_exceptions() > 0 || FailureCounter::failures() != m_failures_before;
    std::error_code ignored;
    if (!failed) fs::remove_all(m_path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return m_path; }

  // Writes `text` to `name` inside the directory and returns its path.
  fs::path write(const std::string& name, const std::string& text) const {
    fs::path file = m_path / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

private:
  int m_failures_before;
  fs::path m_path;
};

// The rendered value of `key` in config_entries(config).
std::string entry(const core::Config& config, const std::string& key) {
  for (const auto& [path, value] : core::config_entries(config))
    if (path == key) return value;
  FAIL("no entry " << key);
  return {};
}

core::Config load_repo_file(const fs::path& file) {
  core::ConfigSources sources;
  sources.repo_file = file;
  return core::load_config(sources);
}

// The message of the core::LocatedError thrown by loading `file` as the repo file.
std::string located_error(const fs::path& file) {
  try {
    load_repo_file(file);
  } catch (const core::LocatedError& e) {
    return e.what();
  }
  FAIL("no core::LocatedError for " << file);
  return {};
}

// The message of the core::Error thrown by applying `env` and `overrides`.
std::string layer_error(const std::map<std::string, std::string>& env, const std::vector<std::string>& overrides) {
  core::ConfigSources sources;
  sources.env = env;
  sources.overrides = overrides;
  try {
    core::load_config(sources);
  } catch (const core::LocatedError& e) {
    FAIL("unexpected located error " << e.what());
  } catch (const core::Error& e) {
    return e.what();
  }
  FAIL("no core::Error");
  return {};
}

const std::vector<std::string> k_all_keys = {
    "autonomous_loop.enabled",
    "autonomous_loop.scan_interval",
    "autonomous_loop.debounce",
    "autonomous_loop.max_improvements_per_cycle",
    "autonomous_loop.safety_level",
    "autonomous_loop.max_load_per_cpu",
    "improvement_priorities.security_fixes",
    "improvement_priorities.performance_issues",
    "improvement_priorities.code_quality",
    "improvement_priorities.test_coverage",
    "safety_settings.require_tests",
    "safety_settings.max_change_size",
    "safety_settings.rollback_threshold",
    "safety_settings.rollback_window",
    "safety_settings.rollback_min_attempts",
    "test_command",
    "test_timeout",
    "test_setup",
    "test_budget",
    "coverage_command",
    "languages",
    "scope",
    "side_branch_prefix",
    "block_push_on",
    "push_side_branches",
    "notify_command",
    "fixers",
    "providers",
    "provider_budget",
    "generator.fixer",
    "generator.offer",
    "generator.max_per_cycle",
    "generator.pass_env",
    "sweep.rules",
    "sweep.by",
    "sweep.max_change_size",
    "rules.directory",
    "rules.disable",
    "rules.enable",
    "rules.severity",
    "rules.contexts",
    "rules.follow_project_linters",
    "scan.max_file_size",
    "scan.exclude",
    "scan.threads",
    "scan.parse_timeout_ms",
    "scan.test_paths",
    "scan.vendored",
    "scan.include_vendored",
    "scan.example_paths",
    "scan.benchmark_paths",
    "ci.block_on",
    "ci.import_notes",
    "identity.name",
    "identity.email",
    "feedback.prior_accepted",
    "feedback.prior_rejected",
    "feedback.max_false_positive_rate",
    "feedback.min_verdicts",
    "feedback.confidence",
    "feedback.trusted_rate",
    "feedback.category_min",
    "feedback.category_max",
    "metrics.complexity_threshold",
    "metrics.complexity_delta",
    "metrics.coverage_report",
    "validation.worktree_dir",
    "validation.link_dirs",
    "validation.lockfiles",
};

} // namespace

CATCH_REGISTER_LISTENER(FailureCounter)

TEST_CASE("default_config") {
  const core::Config config = core::default_config();

  SECTION("holds the documented defaults") {
    CHECK(config.autonomous_loop.enabled);
    CHECK(config.autonomous_loop.scan_interval == 3600);
    CHECK(config.autonomous_loop.debounce == 30);
    CHECK(config.autonomous_loop.max_improvements_per_cycle == 5);
    CHECK(config.autonomous_loop.safety_level == core::SafetyLevel::medium);
    CHECK(config.improvement_priorities.security_fixes == 1.0);
    CHECK(config.improvement_priorities.performance_issues == 0.8);
    CHECK(config.improvement_priorities.code_quality == 0.6);
    CHECK(config.improvement_priorities.test_coverage == 0.4);
    CHECK(config.safety_settings.require_tests);
    CHECK(config.safety_settings.max_change_size == 100);
    CHECK(config.safety_settings.rollback_threshold == 0.95);
    CHECK(config.test_command.empty());
    CHECK(config.test_timeout == 600);
    CHECK(config.languages.empty());
    CHECK(config.scope == "changed_files");
    CHECK(config.side_branch_prefix == "autoloop/");
    CHECK(config.block_push_on.empty());
    CHECK(config.notify_command.empty());
    CHECK(config.fixers.empty());
    CHECK(config.rules.directory == ".autoloop/rules");
    CHECK(config.rules.disable.empty());
    CHECK(config.rules.enable.empty());
    CHECK(config.rules.severity.empty());
    CHECK(config.scan.max_file_size == 1048576);
    CHECK(config.scan.exclude.size() == 7);
    CHECK(config.scan.exclude.front() == "vendor/**");
    CHECK(config.scan.threads == 2);
    CHECK(config.scan.parse_timeout_ms == 2000);
    CHECK(config.scan.test_paths.size() == 12);
    CHECK(config.scan.test_paths.back() == "**/*_test.cc");
    CHECK(config.identity.name == "git-autoloop");
    CHECK(config.identity.email == "autoloop@localhost");
  }

  SECTION("marks every key as coming from the default") {
    REQUIRE(config.origin.size() == k_all_keys.size());
    for (const std::string& key : k_all_keys) {
      INFO(key);
      CHECK(config.origin.at(key) == "default");
    }
  }
}

TEST_CASE("load_config") {
  const TempDir tmp;
  INFO("temp dir " << tmp.path().string());
  core::ConfigSources sources;

  SECTION("without sources gives the defaults") {
    const core::Config config = core::load_config(sources);
    CHECK(core::config_entries(config) == core::config_entries(core::default_config()));
    CHECK(config.origin == core::default_config().origin);
  }

  SECTION("skips missing files") {
    sources.repo_file = tmp.path() / "missing.yml";
    sources.local_file = tmp.path() / "also-missing.yml";
    CHECK(core::config_entries(core::load_config(sources)) == core::config_entries(core::default_config()));
  }

  SECTION("accepts an empty file and a file of comments") {
    sources.repo_file = tmp.write("empty.yml", "");
    sources.local_file = tmp.write("comments.yml", "# nothing here\n\n");
    const core::Config config = core::load_config(sources);
    CHECK(core::config_entries(config) == core::config_entries(core::default_config()));
    CHECK(config.origin.at("autonomous_loop.scan_interval") == "default");
  }

  SECTION("a file value overrides the default and records file:line:column") {
    const fs::path file =
        tmp.write("repo.yml", "# header\nautonomous_loop:\n  scan_interval: 60\ntest_command: make check\n");
    const core::Config config = load_repo_file(file);
    CHECK(config.autonomous_loop.scan_interval == 60);
    CHECK(config.test_command == "make check");
    CHECK(config.origin.at("autonomous_loop.scan_interval") == file.string() + ":3:3");
    CHECK(config.origin.at("test_command") == file.string() + ":4:1");
    CHECK(config.autonomous_loop.debounce == 30);
    CHECK(config.origin.at("autonomous_loop.debounce") == "default");
  }

  SECTION("the local file beats the repo file") {
    sources.repo_file = tmp.write("repo.yml", "scan:\n  threads: 4\n  parse_timeout_ms: 500\n");
    sources.local_file = tmp.write("local.yml", "scan:\n  threads: 8\n");
    const core::Config config = core::load_config(sources);
    CHECK(config.scan.threads == 8);
    CHECK(config.origin.at("scan.threads") == sources.local_file->string() + ":2:3");
    CHECK(config.scan.parse_timeout_ms == 500);
    CHECK(config.origin.at("scan.parse_timeout_ms") == sources.repo_file->string() + ":3:3");
  }

  SECTION("the environment beats the files") {
    sources.repo_file = tmp.write("repo.yml", "autonomous_loop:\n  max_improvements_per_cycle: 7\n");
    sources.local_file = tmp.write("local.yml", "autonomous_loop:\n  max_improvements_per_cycle: 9\n");
    sources.env = {{"AUTOLOOP_AUTONOMOUS_LOOP__MAX_IMPROVEMENTS_PER_CYCLE", "3"}};
    const core::Config config = core::load_config(sources);
    CHECK(config.autonomous_loop.max_improvements_per_cycle == 3);
    CHECK(config.origin.at("autonomous_loop.max_improvements_per_cycle") ==
          "env AUTOLOOP_AUTONOMOUS_LOOP__MAX_IMPROVEMENTS_PER_CYCLE");
  }

  SECTION("the environment takes string values verbatim and parses the others as YAML") {
    sources.env = {{"AUTOLOOP_TEST_COMMAND", "pytest -k 'a: b' # all"},
                   {"AUTOLOOP_LANGUAGES", "[python, go]"},
                   {"AUTOLOOP_SAFETY_SETTINGS__REQUIRE_TESTS", "false"},
                   {"AUTOLOOP_NOTIFY_COMMAND", ""}};
    const core::Config config = core::load_config(sources);
    CHECK(config.test_command == "pytest -k 'a: b' # all");
    CHECK(config.languages == std::vector<std::string>{"python", "go"});
    CHECK_FALSE(config.safety_settings.require_tests);
    CHECK(config.notify_command.empty());
    CHECK(config.origin.at("notify_command") == "env AUTOLOOP_NOTIFY_COMMAND");
  }

  SECTION("the environment ignores AUTOLOOP variables that are not keys") {
    sources.env = {{"AUTOLOOP", "0"}, {"AUTOLOOP_MERGE", "1"}, {"AUTOLOOP_SCAN", "x"}, {"HOME", "/root"}};
    const core::Config config = core::load_config(sources);
    CHECK(core::config_entries(config) == core::config_entries(core::default_config()));
  }

  SECTION("a bad environment value is an error naming the variable") {
    const std::string message = layer_error({{"AUTOLOOP_SCAN__THREADS", "many"}}, {});
    CHECK_THAT(message, Catch::Contains("AUTOLOOP_SCAN__THREADS") && Catch::Contains("expected an integer"));
    CHECK_THAT(layer_error({{"AUTOLOOP_SCOPE", "everything"}}, {}),
               Catch::Contains("AUTOLOOP_SCOPE") && Catch::Contains("expected one of changed_files, changed_lines"));
    CHECK_THAT(layer_error({{"AUTOLOOP_LANGUAGES", "[python"}}, {}), Catch::Contains("AUTOLOOP_LANGUAGES"));
  }

  SECTION("overrides beat the environment and apply in order") {
    sources.repo_file = tmp.write("repo.yml", "test_timeout: 10\n");
    sources.env = {{"AUTOLOOP_TEST_TIMEOUT", "20"}};
    sources.overrides = {"test_timeout=30", "test_timeout=40", "test_command=make test: all"};
    const core::Config config = core::load_config(sources);
    CHECK(config.test_timeout == 40);
    CHECK(config.origin.at("test_timeout") == "command line");
    CHECK(config.test_command == "make test: all");
  }

  SECTION("an override may set a whole section or one severity") {
    sources.overrides = {"scan={threads: 6, exclude: [gen/**]}", "rules.severity.python/compare-to-none=error"};
    const core::Config config = core::load_config(sources);
    CHECK(config.scan.threads == 6);
    CHECK(config.scan.exclude == std::vector<std::string>{"gen/**"});
    CHECK(config.origin.at("scan.exclude") == "command line");
    CHECK(config.rules.severity == std::map<std::string, std::string>{{"python/compare-to-none", "error"}});
    CHECK(config.origin.at("rules.severity.python/compare-to-none") == "command line");
  }

  SECTION("a bad override is an error naming it") {
    CHECK_THAT(layer_error({}, {"scan.thread=3"}), Catch::Contains("-c scan.thread=3") &&
                                                       Catch::Contains("unknown configuration key 'scan.thread'") &&
                                                       Catch::Contains("did you mean 'scan.threads'?"));
    CHECK_THAT(layer_error({}, {"scan.threads=65"}),
               Catch::Contains("-c scan.threads=65") && Catch::Contains("expected an integer between 1 and 64"));
    CHECK_THAT(layer_error({}, {"scan.threads"}), Catch::Contains("expected key.path=value"));
    CHECK_THAT(layer_error({}, {"scan={thread: 3}"}),
               Catch::Contains("unknown key 'thread' (did you mean 'threads'?)"));
    CHECK_THAT(layer_error({}, {"rules.severity.x=fatal"}), Catch::Contains("expected one of info, warning, error"));
  }

  SECTION("an unknown key is located at the key and suggests the closest one") {
    const fs::path file = tmp.write("repo.yml", "autonomous_loop:\n  scan_intervall: 10\n");
    CHECK(located_error(file) == file.string() + ":2:3: unknown key 'scan_intervall' (did you mean 'scan_interval'?)");
  }

  SECTION("an unknown key with no close match lists the known keys") {
    const fs::path file = tmp.write("repo.yml", "identity:\n  email: a@b\n  whatever: 1\n");
    CHECK_THAT(located_error(file), Catch::StartsWith(file.string() + ":3:3: unknown key 'whatever'") &&
                                        Catch::Contains("known keys: name, email"));
  }

  SECTION("a wrong type is located at the value") {
    const fs::path file = tmp.write("repo.yml", "safety_settings:\n  max_change_size: lots\n");
    CHECK_THAT(located_error(file), Catch::StartsWith(file.string() + ":2:20: expected an integer"));
    const fs::path flag = tmp.write("flag.yml", "autonomous_loop:\n  enabled: [true]\n");
    CHECK_THAT(located_error(flag), Catch::StartsWith(flag.string() + ":2:12: expected true or false"));
    const fs::path list = tmp.write("list.yml", "rules:\n  disable: python/x\n");
    CHECK_THAT(located_error(list), Catch::StartsWith(list.string() + ":2:12: expected a list"));
  }

  SECTION("a missing value is located at its key") {
    const fs::path file = tmp.write("repo.yml", "scan:\n  threads:\n  exclude: []\n");
    CHECK_THAT(located_error(file), Catch::StartsWith(file.string() + ":2:3: expected an integer between 1 and 64"));
  }

  SECTION("a value outside its range is an error") {
    const fs::path file = tmp.write("repo.yml", "safety_settings:\n  rollback_threshold: 1.5\n");
    CHECK_THAT(located_error(file), Catch::StartsWith(file.string() + ":2:23: expected a number between 0.0 and 1.0"));
    const fs::path priority = tmp.write("priority.yml", "improvement_priorities:\n  code_quality: .nan\n");
    CHECK_THAT(located_error(priority),
               Catch::StartsWith(priority.string() + ":2:17: expected a number between 0.0 and 10.0"));
    const fs::path negative = tmp.write("negative.yml", "autonomous_loop:\n  debounce: -1\n");
    CHECK_THAT(located_error(negative), Catch::Contains(":2:13: expected an integer >= 0"));
  }

  SECTION("a bad enum value lists the allowed values") {
    const fs::path file = tmp.write("repo.yml", "autonomous_loop:\n  safety_level: extreme\n");
    CHECK_THAT(located_error(file), Catch::StartsWith(file.string() + ":2:17: expected one of high, medium, low"));
    const fs::path typo = tmp.write("typo.yml", "languages: [python, rusty]\n");
    CHECK_THAT(located_error(typo), Catch::StartsWith(typo.string() + ":1:21: expected one of python") &&
                                        Catch::Contains("did you mean 'rust'?"));
  }

  SECTION("malformed YAML is reported at its 1-based position") {
    const fs::path file = tmp.write("repo.yml", "scan:\n  exclude: [a, b\n");
    CHECK_THAT(located_error(file), Catch::StartsWith(file.string() + ":3:1: invalid YAML"));
    const fs::path tabs = tmp.write("tabs.yml", "scan:\n  threads: 2\n bad: : :\n");
    CHECK_THAT(located_error(tabs), Catch::StartsWith(tabs.string() + ":") && Catch::Contains("invalid YAML"));
  }

  SECTION("a stray top-level token is an error, not a hang (found by tests/fuzz: yaml-cpp's LoadAll looped)") {
    const fs::path comma = tmp.write("comma.yml", ",");
    CHECK(located_error(comma) == comma.string() + ":1:1: invalid YAML: unexpected ','");
    const fs::path later = tmp.write("later.yml", "# settings\n--- ,%\x01:tz\n");
    CHECK(located_error(later) == later.string() + ":2:5: invalid YAML: unexpected ','");
    const fs::path second = tmp.write("second.yml", "scan: {threads: 2}\n---\n,\n");
    CHECK(located_error(second) == second.string() + ":3:1: expected one YAML document, found another here");
  }

  SECTION("the top level must be a map") {
    const fs::path file = tmp.write("repo.yml", "- a\n- b\n");
    CHECK(located_error(file) == file.string() + ":1:1: expected a map of settings at the top level (got a list)");
    const fs::path section = tmp.write("section.yml", "\nscan: 3\n");
    CHECK_THAT(located_error(section),
               Catch::StartsWith(section.string() + ":2:7: expected a map with keys max_file_size"));
  }

  SECTION("a duplicate key is an error") {
    const fs::path file = tmp.write("repo.yml", "scan:\n  threads: 2\n  threads: 3\n");
    CHECK(located_error(file) == file.string() + ":3:3: duplicate key 'threads'");
  }

  SECTION("a list in a file replaces the default list") {
    const fs::path file = tmp.write("repo.yml", "scan:\n  exclude:\n    - generated/**\n  test_paths: []\n");
    const core::Config config = load_repo_file(file);
    CHECK(config.scan.exclude == std::vector<std::string>{"generated/**"});
    CHECK(config.scan.test_paths.empty());
    CHECK(config.origin.at("scan.exclude") == file.string() + ":2:3");
  }

  SECTION("rules.severity merges per rule id across layers") {
    sources.repo_file = tmp.write("repo.yml", "rules:\n  severity:\n    a/one: error\n    a/two: info\n");
    sources.local_file = tmp.write("local.yml", "rules:\n  severity: {a/two: warning, a/three: error}\n");
    sources.env = {{"AUTOLOOP_RULES__SEVERITY", "{a/four: info}"}};
    const core::Config config = core::load_config(sources);
    CHECK(config.rules.severity ==
          std::map<std::string, std::string>{
              {"a/one", "error"}, {"a/two", "warning"}, {"a/three", "error"}, {"a/four", "info"}});
    CHECK(config.origin.at("rules.severity.a/one") == sources.repo_file->string() + ":3:5");
    CHECK(config.origin.at("rules.severity.a/two") == sources.local_file->string() + ":2:14");
    CHECK(config.origin.at("rules.severity.a/four") == "env AUTOLOOP_RULES__SEVERITY");
    CHECK(config.origin.at("rules.severity") == "env AUTOLOOP_RULES__SEVERITY");
  }

  SECTION("a bad severity is located at its value") {
    const fs::path file = tmp.write("repo.yml", "rules:\n  severity:\n    a/one: fatal\n");
    CHECK_THAT(located_error(file), Catch::StartsWith(file.string() + ":3:12: expected one of info, warning, error"));
  }

  SECTION("fixers are parsed with defaults for optional keys") {
    const fs::path file = tmp.write("repo.yml", "fixers:\n"
                                                "  - name: clang-format\n"
                                                "    command: [clang-format, -i]\n"
                                                "    languages: [c, cpp]\n"
                                                "    timeout: 30\n"
                                                "  - name: black\n"
                                                "    command: [black, -q]\n");
    const core::Config config = load_repo_file(file);
    REQUIRE(config.fixers.size() == 2);
    CHECK(config.fixers[0].name == "clang-format");
    CHECK(config.fixers[0].command == std::vector<std::string>{"clang-format", "-i"});
    CHECK(config.fixers[0].languages == std::vector<std::string>{"c", "cpp"});
    CHECK(config.fixers[0].timeout == 30);
    CHECK(config.fixers[1].name == "black");
    CHECK(config.fixers[1].languages.empty());
    CHECK(config.fixers[1].timeout == 120);
    CHECK(config.origin.at("fixers") == file.string() + ":1:1");
  }

  SECTION("fixer errors are located") {
    const fs::path typo = tmp.write("typo.yml", "fixers:\n  - name: x\n    comand: [x]\n");
    CHECK(located_error(typo) == typo.string() + ":3:5: unknown key 'comand' (did you mean 'command'?)");
    const fs::path missing = tmp.write("missing.yml", "fixers:\n  - name: x\n    timeout: 5\n");
    CHECK(located_error(missing) == missing.string() + ":2:5: fixer 'x' is missing the required key 'command'");
    const fs::path nameless = tmp.write("nameless.yml", "fixers:\n  - command: [x]\n");
    CHECK_THAT(located_error(nameless),
               Catch::StartsWith(nameless.string() + ":2:5: fixer is missing the required key 'name'"));
    const fs::path empty = tmp.write("empty.yml", "fixers:\n  - name: x\n    command: []\n");
    CHECK_THAT(located_error(empty), Catch::StartsWith(empty.string() + ":3:14: expected a non-empty command"));
    const fs::path duplicate =
        tmp.write("duplicate.yml", "fixers:\n  - {name: x, command: [a]}\n  - {name: x, command: [b]}\n");
    CHECK_THAT(located_error(duplicate), Catch::StartsWith(duplicate.string() + ":3:12: duplicate fixer name 'x'"));
    const fs::path timeout = tmp.write("timeout.yml", "fixers:\n  - {name: x, command: [a], timeout: 0}\n");
    CHECK_THAT(located_error(timeout), Catch::StartsWith(timeout.string() + ":2:38: expected an integer >= 1"));
    const fs::path scalar = tmp.write("scalar.yml", "fixers:\n  - clang-format\n");
    CHECK_THAT(located_error(scalar), Catch::StartsWith(scalar.string() + ":2:5: expected a fixer"));
  }

  SECTION("the shipped config/autoloop.yml sets every key to its default") {
    const fs::path shipped = fs::path(AUTOLOOP_SOURCE_DIR) / "config" / "autoloop.yml";
    const core::Config config = load_repo_file(shipped);
    CHECK(core::config_entries(config) == core::config_entries(core::default_config()));
    for (const std::string& key : k_all_keys) {
      INFO(key);
      CHECK_THAT(config.origin.at(key), Catch::StartsWith(shipped.string() + ":"));
    }
  }
}

TEST_CASE("environment_snapshot") {
  SECTION("copies the process environment, splitting at the first '='") {
    REQUIRE(::setenv("AUTOLOOP_TEST_SNAPSHOT_PROBE", "a=b", 1) == 0);
    const auto env = core::environment_snapshot();
    ::unsetenv("AUTOLOOP_TEST_SNAPSHOT_PROBE");
    REQUIRE(env.count("AUTOLOOP_TEST_SNAPSHOT_PROBE") == 1);
    CHECK(env.at("AUTOLOOP_TEST_SNAPSHOT_PROBE") == "a=b");
  }
}

TEST_CASE("config_entries") {
  const TempDir tmp;
  INFO("temp dir " << tmp.path().string());

  SECTION("lists every key once, in the order of config/autoloop.yml") {
    std::vector<std::string> keys;
    for (const auto& [key, value] : core::config_entries(core::default_config())) keys.push_back(key);
    CHECK(keys == k_all_keys);
  }

  SECTION("renders values as YAML flow text") {
    const core::Config config = core::default_config();
    CHECK(entry(config, "autonomous_loop.enabled") == "true");
    CHECK(entry(config, "autonomous_loop.scan_interval") == "3600");
    CHECK(entry(config, "autonomous_loop.safety_level") == "medium");
    CHECK(entry(config, "improvement_priorities.security_fixes") == "1.0");
    CHECK(entry(config, "safety_settings.rollback_threshold") == "0.95");
    CHECK(entry(config, "test_command") == "\"\"");
    CHECK(entry(config, "languages") == "[]");
    CHECK(entry(config, "rules.severity") == "{}");
    CHECK(entry(config, "fixers") == "[]");
    CHECK(entry(config, "scan.exclude") ==
          "[vendor/**, third_party/**, node_modules/**, \"**/*.min.js\", \"**/*.min.css\", dist/**, build/**]");
  }

  SECTION("rendered values read back as the same configuration") {
    core::ConfigSources sources;
    sources.overrides = {"test_command=pytest -k \"a: b\" # x\\y",
                         "notify_command=yes",
                         "identity.name=- dash",
                         "side_branch_prefix=123",
                         "rules.severity={py/x: error, \"odd: id\": info}",
                         "fixers=[{name: fmt, command: [clang-format, -i, ''], languages: [c], timeout: 9}]",
                         "improvement_priorities.code_quality=0.1",
                         "scan.exclude=[a b, 'c,d']"};
    const core::Config original = core::load_config(sources);
    REQUIRE(original.test_command == "pytest -k \"a: b\" # x\\y");

    // Write every entry back as a YAML file, grouped by section, and load it.
    std::map<std::string, std::string> sections;
    std::string text;
    for (const auto& [key, value] : core::config_entries(original)) {
      const size_t dot = key.find('.');
      if (dot == std::string::npos)
        text += key + ": " + value + "\n";
      else
        sections[key.substr(0, dot)] += "  " + key.substr(dot + 1) + ": " + value + "\n";
    }
    for (const auto& [section, body] : sections) text += section + ":\n" + body;
    const core::Config reloaded = load_repo_file(tmp.write("roundtrip.yml", text));
    CHECK(core::config_entries(reloaded) == core::config_entries(original));
    CHECK(reloaded.fixers.at(0).command == std::vector<std::string>{"clang-format", "-i", ""});
    CHECK(reloaded.rules.severity.at("odd: id") == "info");
    CHECK(reloaded.improvement_priorities.code_quality == 0.1);
  }
}

namespace {

// `text` as a YAML double-quoted scalar (control characters escaped).
std::string yaml_quoted(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

} // namespace

TEST_CASE("load_config: values that name refs and paths") {
  const TempDir tmp;
  INFO("temp dir " << tmp.path().string());

  SECTION("a hostile side_branch_prefix in the repository file is refused at file:line:column") {
    for (const auto& [prefix, why] : test_support::k_hostile_prefixes) {
      INFO("prefix " << yaml_quoted(prefix));
      const fs::path file = tmp.write("prefix.yml", "# a shared config\nside_branch_prefix: " + yaml_quoted(prefix) + "\n");
      const std::string message = located_error(file);
      CHECK(message.rfind(file.string() + ":2:21: ", 0) == 0);
      CHECK(message.find(why) != std::string::npos);
      // The message shows the value escaped: no raw control character reaches a terminal.
      for (char c : message) CHECK((static_cast<unsigned char>(c) >= 0x20 && c != 0x7f));
    }
  }

  SECTION("the same spellings from the environment and from -c are refused too") {
    for (const auto& [prefix, why] : test_support::k_hostile_prefixes) {
      INFO("prefix " << yaml_quoted(prefix));
      const std::string from_env = layer_error({{"AUTOLOOP_SIDE_BRANCH_PREFIX", prefix}}, {});
      CHECK(from_env.find("environment variable AUTOLOOP_SIDE_BRANCH_PREFIX") != std::string::npos);
      CHECK(from_env.find(why) != std::string::npos);
      const std::string from_override = layer_error({}, {"side_branch_prefix=" + prefix});
      CHECK(from_override.rfind("-c side_branch_prefix=", 0) == 0);
      CHECK(from_override.find(why) != std::string::npos);
    }
  }

  SECTION("ordinary prefixes load from every layer") {
    for (const std::string prefix : {"autoloop/", "bots/autoloop/", "al-"}) {
      INFO(prefix);
      core::ConfigSources sources;
      sources.repo_file = tmp.write("ok.yml", "side_branch_prefix: " + yaml_quoted(prefix) + "\n");
      CHECK(core::load_config(sources).side_branch_prefix == prefix);
      sources.repo_file.reset();
      sources.env["AUTOLOOP_SIDE_BRANCH_PREFIX"] = prefix;
      CHECK(core::load_config(sources).side_branch_prefix == prefix);
      sources.overrides = {"side_branch_prefix=" + prefix};
      CHECK(core::load_config(sources).side_branch_prefix == prefix);
    }
  }

  SECTION("rules.directory and metrics.coverage_report stay inside the work tree") {
    for (const std::string bad : {"../../../../etc/hostname", "/etc/hostname", "a/../../b", "..", "x/.."}) {
      INFO(bad);
      for (const std::string key : {"rules: {directory: ", "metrics: {coverage_report: "}) {
        const fs::path file = tmp.write("paths.yml", key + yaml_quoted(bad) + "}\n");
        const std::string message = located_error(file);
        CHECK(message.rfind(file.string() + ":1:", 0) == 0);
        CHECK(message.find("work tree") != std::string::npos);
      }
      CHECK(layer_error({{"AUTOLOOP_METRICS__COVERAGE_REPORT", bad}}, {}).find("work tree") != std::string::npos);
      CHECK(layer_error({}, {"rules.directory=" + bad}).find("work tree") != std::string::npos);
    }
    for (const std::string good : {"coverage/lcov.info", ".autoloop/rules", "a/..b/c", "./x"}) {
      INFO(good);
      core::ConfigSources sources;
      sources.repo_file = tmp.write("paths.yml", "rules: {directory: " + yaml_quoted(good) +
                                                     "}\nmetrics: {coverage_report: " + yaml_quoted(good) + "}\n");
      const core::Config config = core::load_config(sources);
      CHECK(config.rules.directory == good);
      CHECK(config.metrics.coverage_report == good);
    }
  }
}

TEST_CASE("load_config: where the tests run") {
  const TempDir tmp;
  INFO("temp dir " << tmp.path().string());

  SECTION("the repository's file may not choose validation.worktree_dir; the user's layers may") {
    const fs::path file = tmp.write("wt.yml", "validation:\n  worktree_dir: /home/victim/.ssh\n");
    const std::string message = located_error(file);
    CHECK(message.rfind(file.string() + ":2:17: ", 0) == 0);
    CHECK(message.find("may not be set in the repository's .autoloop.yml") != std::string::npos);
    // Left empty (the default) it is no choice at all.
    core::ConfigSources sources;
    sources.repo_file = tmp.write("empty.yml", "validation: {worktree_dir: \"\"}\n");
    CHECK(core::load_config(sources).validation.worktree_dir.empty());
    sources.repo_file.reset();
    sources.local_file = tmp.write("local.yml", "validation: {worktree_dir: /srv/cache/wt}\n");
    CHECK(core::load_config(sources).validation.worktree_dir == "/srv/cache/wt");
    sources.local_file.reset();
    sources.env["AUTOLOOP_VALIDATION__WORKTREE_DIR"] = "/var/cache/x";
    CHECK(core::load_config(sources).validation.worktree_dir == "/var/cache/x");
  }

  SECTION("worktree_dir is absolute, without '..' or control characters, from every layer") {
    for (const std::string& bad : std::vector<std::string>{"relative/dir", "/a/../b", "/a/..", "/a\nb"}) {
      INFO(bad);
      CHECK(layer_error({{"AUTOLOOP_VALIDATION__WORKTREE_DIR", bad}}, {}).find("validation.worktree_dir") !=
            std::string::npos);
      CHECK(layer_error({}, {"validation.worktree_dir=" + bad}).find("invalid validation.worktree_dir") !=
            std::string::npos);
    }
  }

  SECTION("link_dirs stay inside the work tree and never name .git") {
    for (const std::string bad : {"../node_modules", "/usr/lib/node_modules", ".git", ".git/hooks", ""}) {
      INFO(bad);
      const fs::path file = tmp.write("links.yml", "validation:\n  link_dirs: [node_modules, " + yaml_quoted(bad) + "]\n");
      const std::string message = located_error(file);
      CHECK(message.rfind(file.string() + ":2:", 0) == 0);
      CHECK(message.find("invalid entry of validation.link_dirs") != std::string::npos);
    }
    core::ConfigSources sources;
    sources.repo_file = tmp.write("ok.yml", "validation: {link_dirs: [node_modules, py/.venv]}\n");
    CHECK(core::load_config(sources).validation.link_dirs == std::vector<std::string>{"node_modules", "py/.venv"});
  }

  SECTION("test_setup, test_budget and coverage_command load with their origins") {
    core::ConfigSources sources;
    sources.repo_file = tmp.write("cmds.yml", "test_setup: npm ci --offline\ntest_budget: 90\ncoverage_command: make cov\n");
    const core::Config config = core::load_config(sources);
    CHECK(config.test_setup == "npm ci --offline");
    CHECK(config.test_budget == 90);
    CHECK(config.coverage_command == "make cov");
    CHECK(config.origin.at("test_setup").rfind(sources.repo_file->string() + ":1:", 0) == 0);
    const fs::path zero = tmp.write("zero.yml", "test_budget: 0\n");
    CHECK(located_error(zero).rfind(zero.string() + ":1:", 0) == 0);
  }
}

TEST_CASE("load_config refuses hostile files and values") {
  const TempDir tmp;
  INFO("temp dir " << tmp.path().string());
  const fs::path work = tmp.path() / "work";
  fs::create_directories(work);

  SECTION("an .autoloop.yml symlinked to /dev/zero is refused at once, located") {
    fs::create_symlink("/dev/zero", work / ".autoloop.yml");
    const std::string why = located_error(work / ".autoloop.yml");
    CHECK_THAT(why, Catch::StartsWith((work / ".autoloop.yml").string() + ":1:1: resolves to /dev/zero"));
    CHECK_THAT(why, Catch::Contains("character device"));
  }

  SECTION("an .autoloop.yml linked out of the work tree is refused; one linked inside is read") {
    tmp.write("elsewhere.yml", "test_command: make\n");
    fs::create_symlink("../elsewhere.yml", work / ".autoloop.yml");
    CHECK_THAT(located_error(work / ".autoloop.yml"), Catch::Contains("outside " + fs::canonical(work).string()));
    fs::remove(work / ".autoloop.yml");
    tmp.write("work/config/shared.yml", "test_command: make\n");
    fs::create_symlink("config/shared.yml", work / ".autoloop.yml");
    CHECK(load_repo_file(work / ".autoloop.yml").test_command == "make");
  }

  SECTION("a config file over 1 MiB is refused, naming the limit") {
    const fs::path big = tmp.write("work/.autoloop.yml", "# " + std::string(1 << 20, 'x') + "\n");
    CHECK_THAT(located_error(big), Catch::Contains("larger than the 1 MiB limit for configuration files"));
  }

  SECTION("a local config that is a FIFO is refused without blocking") {
    REQUIRE(::mkfifo((tmp.path() / "config.yml").c_str(), 0600) == 0);
    core::ConfigSources sources;
    sources.local_file = tmp.path() / "config.yml";
    CHECK_THROWS_WITH(core::load_config(sources), Catch::Contains("a FIFO, not a regular file"));
  }

  SECTION("glob lists are capped in count and length, located at the offending value") {
    std::string many = "scan:\n  exclude:\n";
    for (int i = 0; i < 201; ++i) many += "    - \"d" + std::to_string(i) + "/**\"\n";
    const fs::path count = tmp.write("count.yml", many);
    CHECK_THAT(located_error(count), Catch::StartsWith(count.string() + ":3:5: too many patterns (201; at most 200)"));
    const fs::path length = tmp.write("length.yml", "scan:\n  test_paths: [a, \"" + std::string(257, 'b') + "\"]\n");
    CHECK_THAT(located_error(length), Catch::StartsWith(length.string() + ":2:19: pattern longer than 256 characters"));
    // At the caps, accepted.
    std::string two_hundred = "scan:\n  exclude:\n";
    for (int i = 0; i < 200; ++i) two_hundred += "    - \"" + std::string(250, 'x') + std::to_string(i) + "\"\n";
    CHECK(load_repo_file(tmp.write("ok.yml", two_hundred)).scan.exclude.size() == 200);
  }

  SECTION("scan.max_file_size cannot exceed 64 MiB") {
    const fs::path huge = tmp.write("huge.yml", "scan:\n  max_file_size: 1000000000000\n");
    CHECK_THAT(located_error(huge), Catch::Contains("between 1 and 67108864"));
    CHECK(load_repo_file(tmp.write("max.yml", "scan:\n  max_file_size: 67108864\n")).scan.max_file_size == 67108864);
  }
}

TEST_CASE("load_config: what generators see") {
  const TempDir tmp;
  INFO("temp dir " << tmp.path().string());

  SECTION("the repository's file may not widen a generator's environment; the user's layers may") {
    const fs::path file = tmp.write("gen.yml", "generator:\n  pass_env: [AWS_SECRET_ACCESS_KEY]\n");
    const std::string message = located_error(file);
    CHECK(message.rfind(file.string() + ":2:13: ", 0) == 0);
    CHECK(message.find("generator.pass_env may not be set in the repository's .autoloop.yml") != std::string::npos);
    core::ConfigSources sources;
    sources.repo_file = tmp.write("empty.yml", "generator: {pass_env: [], fixer: llm}\n");
    CHECK(core::load_config(sources).generator.pass_env.empty());
    CHECK(core::load_config(sources).generator.fixer == "llm");
    sources.local_file = tmp.write("local.yml", "generator: {pass_env: [OPENAI_API_KEY, HTTPS_PROXY]}\n");
    CHECK(core::load_config(sources).generator.pass_env == std::vector<std::string>{"OPENAI_API_KEY", "HTTPS_PROXY"});
  }

  SECTION("names only, and known kinds of findings") {
    core::ConfigSources local;
    local.local_file = tmp.write("bad1.yml", "generator: {pass_env: [\"A=B\"]}\n");
    CHECK_THROWS_WITH(core::load_config(local), Catch::Contains("expected an environment variable name"));
    CHECK(located_error(tmp.write("bad2.yml", "generator: {offer: [everything]}\n")).find("everything") != std::string::npos);
    CHECK(located_error(tmp.write("bad3.yml", "generator: {max_per_cycle: -1}\n")).find("expected an integer") !=
          std::string::npos);
  }
}

TEST_CASE("load_config: sweeps") {
  const TempDir tmp;
  INFO("temp dir " << tmp.path().string());

  SECTION("by default nothing is swept, by file, under 300 lines a commit") {
    const core::Config config = core::default_config();
    CHECK(config.sweep.rules.empty());
    CHECK(config.sweep.by == "file");
    CHECK(config.sweep.max_change_size == 300);
  }
  SECTION("rules, a unit and a cap are read") {
    core::ConfigSources sources;
    sources.repo_file = tmp.write("sweep.yml", "sweep: {rules: [javascript/no-var, mechanical], by: directory, max_change_size: 40}\n");
    const core::Config config = core::load_config(sources);
    CHECK(config.sweep.rules == std::vector<std::string>{"javascript/no-var", "mechanical"});
    CHECK(config.sweep.by == "directory");
    CHECK(config.sweep.max_change_size == 40);
  }
  SECTION("an unknown unit, a cap under 1 and an unknown key are located errors") {
    CHECK_THAT(located_error(tmp.write("by.yml", "sweep:\n  by: repository\n")),
               Catch::Contains(":2:7: expected one of file, directory"));
    CHECK_THAT(located_error(tmp.write("cap.yml", "sweep: {max_change_size: 0}\n")), Catch::Contains("expected an integer >= 1"));
    CHECK_THAT(located_error(tmp.write("key.yml", "sweep: {rule: [x]}\n")), Catch::Contains("rule"));
  }
}

TEST_CASE("config_entries: one key or one section", "[config]") {
  const core::Config defaults = core::default_config();
  SECTION("a leaf gives its one entry") {
    const auto one = core::config_entries(defaults, "sweep.max_change_size");
    REQUIRE(one.size() == 1);
    CHECK(one.front() == std::make_pair(std::string("sweep.max_change_size"), std::string("300")));
  }
  SECTION("a section gives every leaf under it, and only those") {
    const auto section = core::config_entries(defaults, "sweep");
    std::vector<std::string> keys;
    for (const auto& [key, value] : section) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"sweep.rules", "sweep.by", "sweep.max_change_size"});
    // A prefix of a name is not a section: "scan.thread" is not "scan.threads".
    CHECK(core::config_entries(defaults, "scan.thread").empty());
    CHECK(core::config_entries(defaults, "swee").empty());
  }
  SECTION("the keys for suggestions hold leaves and sections") {
    const auto keys = core::config_keys();
    CHECK(std::count(keys.begin(), keys.end(), "sweep") == 1);
    CHECK(std::count(keys.begin(), keys.end(), "sweep.max_change_size") == 1);
  }
}

TEST_CASE("is_default: only values no layer set", "[config]") {
  const TempDir tmp;
  INFO("temp dir " << tmp.path().string());
  core::ConfigSources sources;
  sources.repo_file = tmp.write("repo.yml", "scan:\n  threads: 2\n");
  sources.overrides = {"test_timeout=30"};
  const core::Config config = core::load_config(sources);
  CHECK_FALSE(core::is_default(config, "scan.threads")); // set to the default's value: still set
  CHECK_FALSE(core::is_default(config, "test_timeout"));
  CHECK(core::is_default(config, "scan.max_file_size"));
  CHECK(core::is_default(core::default_config(), "scan.threads"));
}

TEST_CASE("rule_id_uses: every rule id the configuration names, where it is written", "[config]") {
  const TempDir tmp;
  INFO("temp dir " << tmp.path().string());
  core::ConfigSources sources;
  const fs::path file = tmp.write("repo.yml", "rules:\n  disable:\n    - python/a\n    - python/b\n"
                                              "  severity: {python/c: error}\n");
  sources.repo_file = file;
  sources.env = {{"AUTOLOOP_RULES__ENABLE", "[js/d]"}};
  sources.overrides = {"rules.contexts.python/e=[tests]"};
  const core::Config config = core::load_config(sources);
  std::map<std::string, std::string> where;
  for (const auto& use : core::rule_id_uses(config)) where[use.key + " " + use.id] = use.origin;
  CHECK(where.size() == 5);
  // Each list item at its own line and column, not the key's.
  CHECK(where["rules.disable python/a"] == file.string() + ":3:7");
  CHECK(where["rules.disable python/b"] == file.string() + ":4:7");
  CHECK(where["rules.severity python/c"] == file.string() + ":5:14");
  CHECK(where["rules.enable js/d"] == "env AUTOLOOP_RULES__ENABLE");
  CHECK(where["rules.contexts python/e"] == "command line");
}

TEST_CASE("fail_at_origin: the error a value's origin deserves", "[config]") {
  SECTION("a file position is a located error, even when the file name holds colons") {
    try {
      core::fail_at_origin("/tmp/a:b/.autoloop.yml:3:7", "unknown rule id 'x'");
      FAIL("no exception");
    } catch (const core::LocatedError& e) {
      CHECK(e.file() == "/tmp/a:b/.autoloop.yml");
      CHECK(e.line() == 3);
      CHECK(e.column() == 7);
      CHECK(std::string(e.what()) == "/tmp/a:b/.autoloop.yml:3:7: unknown rule id 'x'");
    }
  }
  SECTION("the environment and the command line are named") {
    CHECK_THROWS_WITH(core::fail_at_origin("env AUTOLOOP_RULES__DISABLE", "m"), "environment variable AUTOLOOP_RULES__DISABLE: m");
    CHECK_THROWS_WITH(core::fail_at_origin("command line", "m"), "-c (command line): m");
  }
}

TEST_CASE("the starter .autoloop.yml install writes", "[config]") {
  const TempDir tmp;
  INFO("temp dir " << tmp.path().string());
  const fs::path starter = fs::path(AUTOLOOP_SOURCE_DIR) / "config" / "starter.yml";
  std::ifstream in(starter);
  REQUIRE(in);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  SECTION("is short and sets nothing: every value stays the built-in default") {
    CHECK(text.size() < 2048);
    const core::Config config = load_repo_file(starter);
    for (const auto& [key, value] : core::config_entries(config)) {
      INFO(key);
      CHECK(core::is_default(config, key));
    }
  }
  SECTION("its commented-out examples are valid settings once uncommented") {
    // Uncomment the "# key: value" lines and the indented ones under them, not the prose.
    const std::regex setting("^# ( *)[a-z_]+:( .*)?$");
    std::istringstream lines(text);
    std::string line, uncommented;
    int settings = 0;
    while (std::getline(lines, line)) {
      if (!std::regex_match(line, setting)) continue;
      uncommented += line.substr(2) + "\n";
      ++settings;
    }
    INFO(uncommented);
    CHECK(settings >= 8);
    const core::Config config = load_repo_file(tmp.write("uncommented.yml", uncommented));
    CHECK(config.test_command == "make test");
    CHECK(config.autonomous_loop.safety_level == core::SafetyLevel::medium);
    CHECK(config.rules.disable == std::vector<std::string>{"python/compare-to-none"});
    CHECK_FALSE(core::is_default(config, "scan.exclude"));
  }
}

TEST_CASE("providers and provider_budget", "[config][providers]") {
  const TempDir tmp;
  SECTION("defaults: no provider, 10 s per commit") {
    const core::Config c = core::default_config();
    CHECK(c.providers.empty());
    CHECK(c.provider_budget_ms == 10000);
    CHECK(entry(c, "provider_budget") == "10s");
  }
  SECTION("a list of names (each located, for the registry's check) and a duration in ms, s or m") {
    const fs::path file = tmp.write("p.yml", "providers: [ruff, biome]\nprovider_budget: 1500ms\n");
    const core::Config c = load_repo_file(file);
    CHECK(c.providers == std::vector<std::string>{"ruff", "biome"});
    CHECK(c.origin.at("providers.biome") == file.string() + ":1:19");
    CHECK(c.provider_budget_ms == 1500);
    CHECK(entry(c, "provider_budget") == "1500ms");
    CHECK(load_repo_file(tmp.write("m.yml", "provider_budget: 2m\n")).provider_budget_ms == 120000);
    CHECK(load_repo_file(tmp.write("n.yml", "provider_budget: 3\n")).provider_budget_ms == 3000);
  }
  SECTION("a duration that is not one, or out of bounds, is refused where it is") {
    const fs::path bad = tmp.write("bad.yml", "provider_budget: ten\n");
    CHECK_THAT(located_error(bad), Catch::StartsWith(bad.string() + ":1:18: expected a duration such as 10s"));
    const fs::path small = tmp.write("small.yml", "provider_budget: 5ms\n");
    CHECK_THAT(located_error(small), Catch::StartsWith(small.string() + ":1:18: expected a duration from 100ms"));
  }
}
