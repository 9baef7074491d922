// git autoloop rules [--explain ID] [--test [DIR]]
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/log.hpp"
#include "loop/context.hpp"
#include "scan/engine.hpp"
#include "scan/rule_test.hpp"

#include <cstdio>

namespace cli {

namespace {

struct RulesOptions {
  std::string explain;
  bool test = false;
  std::string test_dir;
};

// Rules for listing: the repository's view when inside one, else the built-in set.
std::vector<scan::Rule> current_rules(const Global& g) {
  try {
    loop::OpenOptions oo = open_options(g);
    loop::Context ctx = loop::Context::open(oo);
    return ctx.rules();
  } catch (const git::Error&) {
    return scan::builtin_rules();
  }
}

int run_tests(const std::vector<scan::Rule>& rules) {
  auto results = scan::test_rules(rules);
  int failures = 0, cases = 0;
  for (const auto& r : results) {
    cases += r.cases;
    for (const auto& f : r.failures) {
      std::printf("FAIL %s (%s): %s\n", r.rule_id.c_str(), r.source.c_str(), f.c_str());
      ++failures;
    }
  }
  std::printf("%zu rules, %d cases, %d failures\n", results.size(), cases, failures);
  return failures ? k_exit_findings : k_exit_ok;
}

} // namespace

Runner define_rules(CLI::App& sub) {
  auto o = std::make_shared<RulesOptions>();
  sub.add_option("--explain", o->explain, "Show one rule in full");
  auto* test = sub.add_flag("--test", o->test, "Run rules' valid/invalid/fixed cases (built-in and the repository's)");
  sub.add_option("dir", o->test_dir, "With --test: a directory of rule files to test instead")->needs(test);
  return [o](const Global& g) {
    if (o->test) {
      if (!o->test_dir.empty()) {
        if (!std::filesystem::is_directory(o->test_dir)) throw core::Error(o->test_dir + ": not a directory");
        auto rules = scan::load_rules_dir(o->test_dir);
        if (rules.empty()) throw core::Error(o->test_dir + ": no *.yml rule files");
        return run_tests(rules);
      }
      return run_tests(current_rules(g));
    }
    auto rules = current_rules(g);
    if (!o->explain.empty()) {
      auto it = std::find_if(rules.begin(), rules.end(), [&](const scan::Rule& r) { return r.id == o->explain; });
      if (it == rules.end()) throw core::Error("no rule '" + o->explain + "' (see `git autoloop rules`)");
      const scan::Rule& r = *it;
      std::string langs;
      for (const auto& l : r.languages) langs += (langs.empty() ? "" : ", ") + l;
      std::printf("%s\n  languages: %s\n  category:  %s\n  severity:  %s\n  safety:    %s\n  enabled:   %s\n  source:    %s\n\n%s\n",
                  r.id.c_str(), langs.c_str(), r.category.c_str(), r.severity.c_str(), r.safety.c_str(),
                  r.enabled ? "yes" : "no", r.source.c_str(), r.message.c_str());
      if (!r.description.empty()) std::printf("\n%s\n", r.description.c_str());
      std::printf("\nquery:\n%s\n", r.query.c_str());
      if (!r.check.empty()) std::printf("check: %s\n", r.check.c_str());
      if (!r.tests.invalid.empty()) std::printf("\nexample:  %s\n", r.tests.invalid.front().c_str());
      if (!r.tests.fixed.empty()) std::printf("fixed:    %s\n", r.tests.fixed.front().c_str());
      return k_exit_ok;
    }
    // Compile every language's queries so a broken rule is reported here, with its location.
    {
      scan::Engine engine(rules);
      for (const auto& lang : scan::languages()) engine.compile(lang);
    }
    std::printf("%-40s %-20s %-18s %-8s %-7s %s\n", "RULE", "LANGUAGES", "CATEGORY", "SEVERITY", "SAFETY", "ENABLED");
    for (const auto& r : rules) {
      std::string langs;
      for (const auto& l : r.languages) langs += (langs.empty() ? "" : ",") + l;
      std::printf("%-40s %-20s %-18s %-8s %-7s %s\n", r.id.c_str(), langs.c_str(), r.category.c_str(),
                  r.severity.c_str(), r.safety.c_str(), r.enabled ? "yes" : "no");
    }
    std::printf("%zu rules\n", rules.size());
    return k_exit_ok;
  };
}

} // namespace cli
