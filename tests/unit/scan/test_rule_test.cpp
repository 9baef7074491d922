#include "scan/rule_test.hpp"

#include "scan/rule.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using scan::Rule;
using scan::RuleTestResult;

namespace {

// python: `x == None` → `x is None`, with a map fix on @op.
Rule none_rule() {
  return scan::parse_rule(
      "id: t/none\n"
      "language: python\n"
      "category: code_quality\n"
      "safety: safe\n"
      "message: \"use is\"\n"
      "query: |\n"
      "  (comparison_operator (_) operators: \"==\" @op (none)) @match\n"
      "fix:\n"
      "  - replace: \"@op\"\n"
      "    with: {\"==\": \"is\"}\n"
      "tests:\n"
      "  invalid: [\"if x == None:\\n    pass\\n\", \"y = a == None\\n\"]\n"
      "  fixed: [\"if x is None:\\n    pass\\n\", \"y = a is None\\n\"]\n"
      "  valid: [\"if x is None:\\n    pass\\n\"]\n",
      "rules/none.yml");
}

const RuleTestResult& result_for(const std::vector<RuleTestResult>& results, const std::string& id) {
  for (const auto& r : results)
    if (r.rule_id == id) return r;
  FAIL("no result for " << id);
  throw std::logic_error("unreachable");
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

} // namespace

TEST_CASE("test_rules") {
  SECTION("a good rule passes and counts its cases") {
    auto results = scan::test_rules({none_rule()});
    REQUIRE(results.size() == 1);
    const auto& r = results[0];
    INFO(joined(r.failures));
    CHECK(r.failures.empty());
    CHECK(r.rule_id == "t/none");
    CHECK(r.source == "rules/none.yml");
    CHECK(r.cases == 5); // 1 valid + 2 invalid + 2 fixed
  }

  SECTION("a valid case that matches fails") {
    Rule rule = none_rule();
    rule.tests.valid.push_back("z = b == None\n");
    auto r = scan::test_rules({rule})[0];
    REQUIRE(r.failures.size() == 1);
    CHECK_THAT(r.failures[0], Catch::Contains("valid case") && Catch::Contains("b == None"));
  }

  SECTION("an invalid case that does not match fails") {
    Rule rule = none_rule();
    rule.tests.invalid.push_back("z = b is None\n");
    rule.tests.fixed.push_back("z = b is None\n");
    auto r = scan::test_rules({rule})[0];
    REQUIRE(r.failures.size() == 1);
    CHECK_THAT(r.failures[0], Catch::Contains("did not match"));
  }

  SECTION("a fix that gives something else fails") {
    Rule rule = none_rule();
    rule.tests.fixed[1] = "y = a is not None\n";
    auto r = scan::test_rules({rule})[0];
    REQUIRE(r.failures.size() == 1);
    CHECK_THAT(r.failures[0], Catch::Contains("expected") && Catch::Contains("is not None"));
  }

  SECTION("a fix whose result still matches fails") {
    Rule rule = none_rule();
    rule.fix[0].map = {{"==", "=="}};
    rule.tests.fixed = rule.tests.invalid;
    auto r = scan::test_rules({rule})[0];
    CHECK(r.failures.size() == 2);
    CHECK_THAT(joined(r.failures), Catch::Contains("still matches"));
  }

  SECTION("a fix that breaks the syntax fails") {
    Rule rule = none_rule();
    rule.fix[0].map = {{"==", "=!="}};
    rule.tests.invalid = {"y = a == None\n"};
    rule.tests.fixed = {"y = a =!= None\n"};
    auto r = scan::test_rules({rule})[0];
    CHECK_THAT(joined(r.failures), Catch::Contains("syntax errors"));
  }

  SECTION("a rule without cases fails") {
    Rule rule = none_rule();
    rule.safety = core::Safety::suggest;
    rule.tests = {};
    auto r = scan::test_rules({rule})[0];
    REQUIRE_FALSE(r.failures.empty());
    CHECK_THAT(r.failures[0], Catch::Contains("at least one valid and one invalid"));
    CHECK(r.cases == 0);
  }

  SECTION("a fixing rule without fixed cases fails") {
    Rule rule = none_rule();
    rule.tests.fixed.clear();
    auto r = scan::test_rules({rule})[0];
    REQUIRE(r.failures.size() == 1);
    CHECK_THAT(r.failures[0], Catch::Contains("no tests.fixed"));
  }

  SECTION("a bad query is reported as a failure, not thrown; other rules still run") {
    Rule bad = none_rule();
    bad.id = "t/bad";
    bad.query = "(no_such_node) @match";
    Rule js;
    js.id = "t/js";
    js.languages = {"javascript"};
    js.category = core::Category::code_quality;
    js.safety = core::Safety::suggest;
    js.message = "m";
    js.query = "(debugger_statement) @match";
    js.tests.invalid = {"debugger;\n"};
    js.tests.valid = {"x;\n"};
    std::vector<RuleTestResult> results;
    REQUIRE_NOTHROW(results = scan::test_rules({bad, js}));
    CHECK_FALSE(result_for(results, "t/bad").failures.empty());
    CHECK_THAT(joined(result_for(results, "t/bad").failures), Catch::Contains("t/bad"));
    INFO(joined(result_for(results, "t/js").failures));
    CHECK(result_for(results, "t/js").failures.empty());
  }

  SECTION("disabled rules are not tested") {
    Rule rule = none_rule();
    rule.enabled = false;
    CHECK(scan::test_rules({rule}).empty());
  }

  SECTION("a multi-language rule runs its cases once per language and says which failed") {
    Rule rule;
    rule.id = "t/multi";
    rule.languages = {"javascript", "typescript"};
    rule.category = core::Category::code_quality;
    rule.safety = core::Safety::suggest;
    rule.message = "m";
    rule.query = "(debugger_statement) @match";
    rule.tests.invalid = {"debugger;\n"};
    rule.tests.valid = {"x;\n"};
    auto r = scan::test_rules({rule})[0];
    CHECK(r.failures.empty());
    CHECK(r.cases == 4);
    rule.tests.valid.push_back("debugger;\n");
    auto broken = scan::test_rules({rule})[0];
    REQUIRE(broken.failures.size() == 2);
    CHECK_THAT(joined(broken.failures), Catch::Contains("[javascript]") && Catch::Contains("[typescript]"));
  }

  SECTION("every built-in rule passes its own cases") {
    auto results = scan::test_rules(scan::builtin_rules());
    CHECK(results.size() >= 10);
    for (const auto& r : results) {
      INFO(r.rule_id << ":\n" << joined(r.failures));
      CHECK(r.failures.empty());
    }
  }
}

TEST_CASE("test_rules with an assumption") {
  // t/none, whose fix applies only where the comparison is an if/while/... test.
  auto assuming = [] {
    Rule rule = none_rule();
    rule.assumption = scan::Assumption{"`{{match}}` is a truth value", "python-truth-value", "match"};
    rule.tests.invalid = {"if x == None:\n    pass\n"};
    rule.tests.fixed = {"if x is None:\n    pass\n"};
    rule.tests.suggested = {"y = a == None\n"};
    return rule;
  };

  SECTION("established cases are fixed, suggested ones are reported and not fixed") {
    auto r = scan::test_rules({assuming()})[0];
    INFO(joined(r.failures));
    CHECK(r.failures.empty());
    CHECK(r.cases == 4); // 1 valid + 1 invalid + 1 fixed + 1 suggested
  }

  SECTION("a suggested case the rule would fix fails") {
    Rule rule = assuming();
    rule.tests.suggested.push_back("while b == None:\n    pass\n");
    auto r = scan::test_rules({rule})[0];
    REQUIRE(r.failures.size() == 1);
    CHECK_THAT(r.failures[0], Catch::Contains("suggested case") && Catch::Contains("would be fixed"));
  }

  SECTION("a suggested case that does not match fails") {
    Rule rule = assuming();
    rule.tests.suggested.push_back("y = a is None\n");
    auto r = scan::test_rules({rule})[0];
    REQUIRE(r.failures.size() == 1);
    CHECK_THAT(r.failures[0], Catch::Contains("did not match"));
  }

  SECTION("an invalid case with a fixed entry that is only a suggestion fails") {
    Rule rule = assuming();
    rule.tests.invalid.push_back("y = a == None\n");
    rule.tests.fixed.push_back("y = a is None\n");
    auto r = scan::test_rules({rule})[0];
    REQUIRE(r.failures.size() == 1);
    CHECK_THAT(r.failures[0], Catch::Contains("only a suggestion"));
  }

  SECTION("a fixing rule with an assumption needs suggested cases") {
    Rule rule = assuming();
    rule.tests.suggested.clear();
    auto r = scan::test_rules({rule})[0];
    REQUIRE(r.failures.size() == 1);
    CHECK_THAT(r.failures[0], Catch::Contains("no tests.suggested"));
  }
}

TEST_CASE("test_rules with a scope-sensitive rule") {
  // t/none, marked scope-sensitive, with a corpus of refusals (15 by default).
  auto sensitive = [](size_t refusals) {
    Rule rule = none_rule();
    rule.scope_sensitive = true;
    for (size_t i = 0; i < refusals; ++i) rule.tests.refused.push_back("y_" + std::to_string(i) + " = a is None\n");
    return rule;
  };

  SECTION("enough refused cases, none of them fixed, pass") {
    auto r = scan::test_rules({sensitive(scan::k_min_scope_corpus)})[0];
    INFO(joined(r.failures));
    CHECK(r.failures.empty());
    CHECK(r.cases == 5 + scan::k_min_scope_corpus);
  }

  SECTION("fewer than the minimum of suggested and refused cases fails") {
    auto r = scan::test_rules({sensitive(scan::k_min_scope_corpus - 1)})[0];
    REQUIRE(r.failures.size() == 1);
    CHECK_THAT(r.failures[0], Catch::Contains("scope_sensitive") && Catch::Contains("14 tests.suggested + tests.refused"));
  }

  SECTION("a refused case the rule would fix fails") {
    Rule rule = sensitive(scan::k_min_scope_corpus);
    rule.tests.refused.push_back("z = b == None\n");
    auto r = scan::test_rules({rule})[0];
    REQUIRE(r.failures.size() == 1);
    CHECK_THAT(r.failures[0], Catch::Contains("refused case") && Catch::Contains("would be fixed"));
  }
}

TEST_CASE("built-in scope-sensitive rules") {
  // The rules whose fixes change bindings or move code to where names resolve differently
  // (README: Fixes that assume a type (or a scope)); each carries its corpus of refusals.
  std::vector<std::string> marked;
  for (const auto& rule : scan::builtin_rules()) {
    if (!rule.scope_sensitive) continue;
    marked.push_back(rule.id);
    INFO(rule.id);
    CHECK(rule.tests.suggested.size() + rule.tests.refused.size() >= scan::k_min_scope_corpus);
  }
  for (const char* id : {"javascript/no-var", "python/open-without-context", "cpp/typedef-to-using",
                         "python/dict-keys-iteration", "python/mutable-default-argument",
                         "cpp/pass-by-value-string-vector"}) {
    INFO(id);
    CHECK(std::find(marked.begin(), marked.end(), id) != marked.end());
  }
}
