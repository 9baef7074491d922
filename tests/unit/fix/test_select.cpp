#include "../support/temp_repo.hpp"

#include "core/score.hpp"
#include "fix/select.hpp"

#include <limits>

using fix::Candidate;
using fix::Claim;

TEST_CASE("priority", "[fix]") {
  SECTION("learnt acceptance and risk scale the score") {
    CHECK(fix::priority({1.0, 0.9, 0, 0}) > fix::priority({1.0, 0.3, 0, 0}));
    CHECK(fix::priority({1.0, 1.0, 0, 0.8}) < fix::priority({1.0, 1.0, 0, 0.1}));
  }
  SECTION("age lets a low priority overtake a fresh high one: nothing starves") {
    double fresh_high = fix::priority({1.0, 1.0, 0, 0});
    CHECK(fix::priority({0.4, 1.0, 1, 0}) < fresh_high);
    CHECK(fix::priority({0.4, 1.0, 60, 0}) > fresh_high);
  }
}

TEST_CASE("base_of: the priorities in force when the drain selects", "[fix][score]") {
  // Two findings queued while security came first: their stored scores say so.
  core::ImprovementPriorities at_scan;
  queue::Opportunity security, quality;
  security.category = core::Category::security_fixes;
  security.severity = "error";
  security.score = core::base_score(at_scan, security.category, security.severity);
  quality.category = core::Category::code_quality;
  quality.severity = "info";
  quality.score = core::base_score(at_scan, quality.category, quality.severity);
  REQUIRE(security.score > quality.score);

  SECTION("a change of improvement_priorities re-ranks what is already queued") {
    core::ImprovementPriorities now{0.2, 0.8, 1.0, 0.4};
    CHECK(fix::base_of(quality, now) > fix::base_of(security, now));
    CHECK(fix::base_of(quality, now) == Approx(core::base_score(now, core::Category::code_quality, "info")));
  }
  SECTION("a stored score that is stale does not count") {
    security.score = 0;
    CHECK(fix::base_of(security, at_scan) == Approx(core::base_score(at_scan, core::Category::security_fixes, "error")));
  }
  SECTION("the whole score keeps the category order across severities, for equal age, risk and learning") {
    quality.severity = "error";
    security.severity = "info";
    auto score = [&](const queue::Opportunity& o) { return fix::priority({fix::base_of(o, at_scan), 0.67, 2, 0.1}); };
    CHECK(score(security) > score(quality));
  }
  SECTION("a person's request keeps its place first in line") {
    queue::Opportunity request;
    request.origin = core::Origin::generator_request;
    request.score = 10;
    CHECK(fix::base_of(request, at_scan) == 10);
  }
}

TEST_CASE("arrange", "[fix]") {
  SECTION("overlapping fixes wait for a later cycle") {
    std::vector<Candidate> c = {{1, "r/a", {"a.py", 10, 20}}, {2, "r/b", {"a.py", 15, 15}}, {3, "r/b", {"b.py", 15, 15}}};
    CHECK(fix::arrange(c, {}, 5) == std::vector<int64_t>{1, 3});
    // ... and so does one that overlaps a fix already on the side branch.
    CHECK(fix::arrange(c, {Claim{"b.py", 1, 100}}, 5) == std::vector<int64_t>{1});
  }
  SECTION("one rule takes at most half the places while others have candidates") {
    std::vector<Candidate> c;
    for (int i = 0; i < 6; ++i) c.push_back({i + 1, "r/a", {"a.py", i * 10 + 1, i * 10 + 2}});
    c.push_back({7, "r/b", {"b.py", 1, 1}});
    c.push_back({8, "r/b", {"b.py", 5, 5}});
    auto order = fix::arrange(c, {}, 4);
    REQUIRE(order.size() == 8);
    CHECK(std::vector<int64_t>(order.begin(), order.begin() + 4) == std::vector<int64_t>{1, 2, 7, 8});
  }
  SECTION("a rule alone fills every place") {
    std::vector<Candidate> c;
    for (int i = 0; i < 5; ++i) c.push_back({i + 1, "r/a", {"a.py", i * 10 + 1, i * 10 + 2}});
    CHECK(fix::arrange(c, {}, 4) == std::vector<int64_t>{1, 2, 3, 4, 5});
  }
  SECTION("an unbounded cycle (a sweep asks for INT_MAX places) keeps every candidate, without overflow") {
    std::vector<Candidate> c = {{1, "r/a", {"a.py", 1, 2}}, {2, "r/a", {"a.py", 5, 6}}, {3, "r/b", {"b.py", 1, 1}}};
    CHECK(fix::arrange(c, {}, std::numeric_limits<int>::max()) == std::vector<int64_t>{1, 2, 3});
    CHECK(fix::arrange(c, {}, 1) == std::vector<int64_t>{1, 3, 2});
  }
}

namespace {

scan::Rule rule(const std::string& id, const std::string& safety, bool has_fix = true) {
  scan::Rule r;
  r.id = id;
  r.category = core::Category::code_quality;
  r.safety = *core::parse<core::Safety>(safety);
  if (has_fix) r.fix.push_back(scan::FixEdit{});
  return r;
}

// A finding whose own safety is `safety`: safe leaves its rule's in force, as the scan stores it.
queue::Opportunity finding(int64_t id, const std::string& rule_id, const std::string& safety = "safe") {
  queue::Opportunity o;
  o.id = id;
  o.rule_id = rule_id;
  o.safety = *core::parse<core::Safety>(safety);
  return o;
}

std::vector<int64_t> ids(const fix::Selection& s) {
  std::vector<int64_t> out;
  for (const auto& o : s.eligible) out.push_back(o.id);
  return out;
}

} // namespace

TEST_CASE("select_eligible", "[fix]") {
  core::Config config = core::default_config();
  const scan::Rule safe = rule("r/safe", "safe"), unsafe = rule("r/unsafe", "unsafe"),
                   suggest = rule("r/suggest", "suggest", false);
  std::map<std::string, const scan::Rule*> rules = {{safe.id, &safe}, {unsafe.id, &unsafe}, {suggest.id, &suggest}};
  const auto none_quarantined = [](const std::string&) { return false; };
  fix::SelectionPolicy tests_run;
  tests_run.tests_configured = tests_run.tests_trusted = tests_run.run_tests = true;

  SECTION("the order given is kept; safety_level high takes safe fixes only") {
    config.autonomous_loop.safety_level = core::SafetyLevel::high;
    const auto s = fix::select_eligible({finding(3, "r/safe"), finding(1, "r/unsafe"), finding(2, "r/safe")}, rules,
                                        config, none_quarantined, tests_run);
    CHECK(ids(s) == std::vector<int64_t>{3, 2});
  }

  SECTION("medium takes unsafe fixes only with tests that run, and says how many wait") {
    config.autonomous_loop.safety_level = core::SafetyLevel::medium;
    const std::vector<queue::Opportunity> open = {finding(1, "r/unsafe"), finding(2, "r/safe")};
    CHECK(ids(fix::select_eligible(open, rules, config, none_quarantined, tests_run)) == std::vector<int64_t>{1, 2});
    const auto held = fix::select_eligible(open, rules, config, none_quarantined, fix::SelectionPolicy{});
    CHECK(ids(held) == std::vector<int64_t>{2});
    CHECK(held.unsafe_held == 1);
    // An untrusted test_command: taken, so that the cycle records why it is not tried.
    fix::SelectionPolicy untrusted;
    untrusted.tests_configured = true;
    CHECK(ids(fix::select_eligible(open, rules, config, none_quarantined, untrusted)) == std::vector<int64_t>{1, 2});
  }

  SECTION("a finding's own safety can only make its rule's stricter") {
    config.autonomous_loop.safety_level = core::SafetyLevel::medium;
    const auto s = fix::select_eligible({finding(1, "r/safe", "suggest"), finding(2, "r/safe", "unsafe")}, rules,
                                        config, none_quarantined, tests_run);
    CHECK(ids(s) == std::vector<int64_t>{2});
    CHECK(s.eligible.front().safety == core::Safety::unsafe);
  }

  SECTION("quarantined, untrusted, disabled and unknown rules are never tried") {
    scan::Rule untrusted = rule("repo:r/x", "safe"), off = rule("r/off", "safe");
    untrusted.trusted = false;
    off.enabled = false;
    rules[untrusted.id] = &untrusted;
    rules[off.id] = &off;
    const auto s = fix::select_eligible(
        {finding(1, "repo:r/x"), finding(2, "r/off"), finding(3, "r/gone"), finding(4, "r/safe"), finding(5, "r/unsafe")},
        rules, config, [](const std::string& id) { return id == "r/safe"; }, tests_run);
    CHECK(ids(s) == std::vector<int64_t>{5});
    CHECK(s.untrusted_rules == 1);
    CHECK(s.quarantined == 1);
  }

  SECTION("suggestions are counted at safety_level low, never taken") {
    config.autonomous_loop.safety_level = core::SafetyLevel::low;
    const auto s = fix::select_eligible({finding(1, "r/suggest")}, rules, config, none_quarantined, tests_run);
    CHECK(s.eligible.empty());
    CHECK(s.suggestions == 1);
  }

  SECTION("an improve request (by its origin, not its rule id) is taken at every level, with a work tree") {
    config.autonomous_loop.safety_level = core::SafetyLevel::high;
    queue::Opportunity request = finding(9, "improve/llm");
    CHECK(fix::select_eligible({request}, rules, config, none_quarantined, fix::SelectionPolicy{}).eligible.empty());
    request.origin = core::Origin::generator_request;
    CHECK(ids(fix::select_eligible({request}, rules, config, none_quarantined, fix::SelectionPolicy{})) ==
          std::vector<int64_t>{9});
    fix::SelectionPolicy bare;
    bare.has_work_tree = false;
    CHECK(fix::select_eligible({request}, rules, config, none_quarantined, bare).eligible.empty());
  }

  SECTION("findings offered to a generator: at most max_per_cycle, only when it is ready and unsafe is allowed") {
    scan::Rule security = rule("r/sec", "suggest", false);
    security.category = core::Category::security_fixes;
    rules[security.id] = &security;
    config.generator.fixer = "llm";
    config.generator.max_per_cycle = 1;
    config.autonomous_loop.safety_level = core::SafetyLevel::medium;
    const std::vector<queue::Opportunity> open = {finding(1, "r/sec"), finding(2, "r/sec")};
    fix::SelectionPolicy ready = tests_run;
    ready.generator_ready = true;
    const auto s = fix::select_eligible(open, rules, config, none_quarantined, ready);
    CHECK(ids(s) == std::vector<int64_t>{1});
    CHECK(s.offers == 1);
    const auto not_ready = fix::select_eligible(open, rules, config, none_quarantined, tests_run);
    CHECK(not_ready.eligible.empty());
    CHECK(not_ready.offers_held == 2);
    config.autonomous_loop.safety_level = core::SafetyLevel::high;
    CHECK(fix::select_eligible(open, rules, config, none_quarantined, ready).offers_held == 2);
  }
}

TEST_CASE("select_eligible counts why findings wait", "[fix]") {
  core::Config config = core::default_config();
  const scan::Rule safe = rule("r/safe", "safe"), unsafe = rule("r/unsafe", "unsafe"),
                   suggest = rule("r/suggest", "suggest", false);
  scan::Rule off = rule("r/off", "safe");
  off.enabled = false;
  const std::map<std::string, const scan::Rule*> rules = {
      {safe.id, &safe}, {unsafe.id, &unsafe}, {suggest.id, &suggest}, {off.id, &off}};
  fix::SelectionPolicy tests_run;
  tests_run.tests_configured = tests_run.tests_trusted = tests_run.run_tests = true;
  config.autonomous_loop.safety_level = core::SafetyLevel::high;
  const auto s = fix::select_eligible({finding(1, "r/unsafe"), finding(2, "r/unsafe"), finding(3, "r/suggest"),
                                       finding(4, "r/safe", "suggest"), finding(5, "r/off")},
                                      rules, config, [](const std::string&) { return false; }, tests_run);
  CHECK(s.eligible.empty());
  CHECK(s.level_held == 2);   // unsafe fixes at safety_level high
  CHECK(s.suggest_only == 2); // a rule without a fix, and a finding whose own safety is a suggestion
  CHECK(s.rules_off == 1);
}

TEST_CASE("idle_reasons", "[fix]") {
  core::Config config = core::default_config();
  config.autonomous_loop.safety_level = core::SafetyLevel::high;
  fix::Selection s;
  fix::IdleFacts facts;

  SECTION("nothing open says so, and nothing else") {
    s.level_held = 3;
    CHECK(fix::idle_reasons(s, config, facts) == std::vector<std::string>{"no open findings on this branch"});
  }
  SECTION("each reason with what to do, the largest first") {
    facts.open = 9;
    s.level_held = 1;
    s.suggest_only = 5;
    s.untrusted_rules = 2;
    s.quarantined = 1;
    const auto why = fix::idle_reasons(s, config, facts);
    REQUIRE(why.size() == 4);
    CHECK(why[0] == "5 findings are suggestions only: no rule fixes them automatically");
    CHECK(why[1] == "2 findings of untrusted repository rules: read them, then `git autoloop trust`");
    CHECK(why[2] == "1 finding needs safety_level: medium (it is high)");
    CHECK(why[3].find("quarantined") != std::string::npos);
  }
  SECTION("an untrusted test_command says to trust it") {
    facts.open = 1;
    facts.untrusted_tests = 1;
    const auto why = fix::idle_reasons(s, config, facts);
    REQUIRE(why.size() == 1);
    CHECK(why[0] == "1 fix needs test_command, which is not trusted: read .autoloop.yml, then `git autoloop trust`");
  }
  SECTION("max 0, overlapping fixes, or no known reason") {
    facts.open = 2;
    facts.max_new = 0;
    CHECK(fix::idle_reasons(s, config, facts).front().find("max_improvements_per_cycle") != std::string::npos);
    facts.max_new = 5;
    facts.overlapping = true;
    CHECK(fix::idle_reasons(s, config, facts).back().find("`git autoloop review` first") != std::string::npos);
    facts.overlapping = false;
    CHECK(fix::idle_reasons(s, config, facts) == std::vector<std::string>{"2 findings open, none fixable now"});
  }
}

TEST_CASE("safety_allows", "[fix]") {
  SECTION("safe always; unsafe at medium and low; suggestions never") {
    using core::Safety;
    using core::SafetyLevel;
    for (SafetyLevel level : core::all_values<SafetyLevel>()) {
      INFO(core::to_string(level));
      CHECK(fix::safety_allows(level, Safety::safe));
      CHECK_FALSE(fix::safety_allows(level, Safety::suggest));
    }
    CHECK_FALSE(fix::safety_allows(SafetyLevel::high, Safety::unsafe));
    CHECK(fix::safety_allows(SafetyLevel::medium, Safety::unsafe));
    CHECK(fix::safety_allows(SafetyLevel::low, Safety::unsafe));
  }
}

TEST_CASE("select_eligible: provider findings", "[fix][providers]") {
  core::Config config = core::default_config();
  config.providers = {"ruff"};
  const std::map<std::string, const scan::Rule*> no_rules;
  fix::SelectionPolicy tests_run;
  tests_run.tests_configured = tests_run.tests_trusted = tests_run.run_tests = true;
  auto provider_finding = [](int64_t id, const std::string& rule_id, const std::string& safety) {
    queue::Opportunity o = finding(id, rule_id, safety);
    o.origin = core::Origin::provider;
    return o;
  };
  const std::vector<queue::Opportunity> open = {provider_finding(1, "ruff/B006", "unsafe"),
                                                provider_finding(2, "ruff/F401", "safe"),
                                                provider_finding(3, "ruff/E501", "suggest")};
  const auto none_quarantined = [](const std::string&) { return false; };

  SECTION("the tool's applicability is the safety: safe and unsafe taken at medium, a suggestion never") {
    const auto s = fix::select_eligible(open, no_rules, config, none_quarantined, tests_run);
    CHECK(ids(s) == std::vector<int64_t>{1, 2});
    CHECK(s.suggest_only == 1);
  }
  SECTION("high takes the safe ones; unsafe ones without tests wait") {
    config.autonomous_loop.safety_level = core::SafetyLevel::high;
    auto s = fix::select_eligible(open, no_rules, config, none_quarantined, tests_run);
    CHECK(ids(s) == std::vector<int64_t>{2});
    CHECK(s.level_held == 1);
    config.autonomous_loop.safety_level = core::SafetyLevel::medium;
    s = fix::select_eligible(open, no_rules, config, none_quarantined, fix::SelectionPolicy{});
    CHECK(ids(s) == std::vector<int64_t>{2});
    CHECK(s.unsafe_held == 1);
  }
  SECTION("quarantined provider rules, switched-off ones and those of a provider not enabled are not tried") {
    auto s = fix::select_eligible(open, no_rules, config, [](const std::string& r) { return r == "ruff/B006"; }, tests_run);
    CHECK(ids(s) == std::vector<int64_t>{2});
    CHECK(s.quarantined == 1);
    config.rules.disable = {"ruff/F"};
    s = fix::select_eligible(open, no_rules, config, none_quarantined, tests_run);
    CHECK(ids(s) == std::vector<int64_t>{1});
    CHECK(s.rules_off == 1);
    config.providers.clear();
    s = fix::select_eligible(open, no_rules, config, none_quarantined, tests_run);
    CHECK(s.eligible.empty());
    CHECK(s.rules_off == 3);
  }
}
