#include "scan/rule_ids.hpp"

#include "core/error.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

scan::Rule rule(const std::string& id, const std::string& broken = "") {
  scan::Rule r;
  r.id = id;
  r.broken = broken;
  r.file = ".autoloop/rules/" + id + ".yml";
  return r;
}

const std::vector<scan::Rule> k_rules = {rule("python/compare-to-none"), rule("python/bare-except"),
                                         rule("javascript/no-var"), rule("repo:team/no-print")};

} // namespace

TEST_CASE("unknown_rule_id", "[rule_ids]") {
  SECTION("a known id, a broken rule's included, is no problem") {
    CHECK_FALSE(scan::unknown_rule_id("python/bare-except", k_rules));
    std::vector<scan::Rule> with_broken = k_rules;
    with_broken.push_back(rule("repo:team/bad", "bad.yml:3:1: invalid YAML"));
    CHECK_FALSE(scan::unknown_rule_id("repo:team/bad", with_broken));
  }
  SECTION("a typo says which rule was meant") {
    CHECK(scan::unknown_rule_id("python/compare-to-nune", k_rules) ==
          std::string("unknown rule id 'python/compare-to-nune' (did you mean 'python/compare-to-none'?)"));
  }
  SECTION("a repository rule written without its prefix") {
    CHECK_THAT(*scan::unknown_rule_id("team/no-print", k_rules), Catch::Contains("did you mean 'repo:team/no-print'?"));
  }
  SECTION("nothing close: where the ids are listed") {
    CHECK(scan::unknown_rule_id("python/nope", k_rules) ==
          std::string("unknown rule id 'python/nope' (`git autoloop rules` lists them)"));
  }
  SECTION("with broken rule files, the message says which, since one may be the rule meant") {
    std::vector<scan::Rule> with_broken = k_rules;
    with_broken.push_back(rule("repo:team/bad", "bad.yml:3:1: invalid YAML"));
    const std::string message = *scan::unknown_rule_id("team/no-prnt-x", with_broken);
    CHECK_THAT(message, Catch::Contains("a rule file is broken and may be the one meant: .autoloop/rules/repo:team/bad.yml"));
    CHECK_THAT(message, Catch::Contains("`git autoloop rules` says what is wrong"));
  }
  SECTION("the rule meant is broken: its problem is said") {
    std::vector<scan::Rule> with_broken = k_rules;
    with_broken.push_back(rule("repo:team/bad-node", "bad-node.yml:6:4: unknown node type 'fucntion'"));
    CHECK_THAT(*scan::unknown_rule_id("repo:team/bad-nod", with_broken),
               Catch::EndsWith("(did you mean 'repo:team/bad-node'?); repo:team/bad-node is broken: bad-node.yml:6:4: "
                               "unknown node type 'fucntion'"));
  }
}

TEST_CASE("check_configured_rule_ids", "[rule_ids]") {
  core::Config config = core::default_config();
  SECTION("known ids pass") {
    config.rules.disable = {"python/bare-except"};
    config.rules.severity = {{"javascript/no-var", "error"}};
    CHECK_NOTHROW(scan::check_configured_rule_ids(config, k_rules));
  }
  SECTION("an unknown id fails where it was written, with the key it was under") {
    config.rules.disable = {"python/bare-except", "python/bare-exept"};
    config.origin["rules.disable.python/bare-exept"] = "/r/.autoloop.yml:4:7";
    try {
      scan::check_configured_rule_ids(config, k_rules);
      FAIL("no error");
    } catch (const core::LocatedError& e) {
      CHECK(e.line() == 4);
      CHECK(e.column() == 7);
      CHECK(std::string(e.what()) == "/r/.autoloop.yml:4:7: rules.disable: unknown rule id 'python/bare-exept' "
                                     "(did you mean 'python/bare-except'?)");
    }
  }
  SECTION("rules.enable, rules.severity and rules.contexts are checked too") {
    core::Config enable = config, severity = config, contexts = config;
    enable.rules.enable = {"js/no-var"};
    severity.rules.severity = {{"python/nope", "error"}};
    contexts.rules.contexts = {{"python/nope", {"tests"}}};
    CHECK_THROWS_WITH(scan::check_configured_rule_ids(enable, k_rules), Catch::StartsWith("rules.enable: unknown rule id 'js/no-var'"));
    CHECK_THROWS_WITH(scan::check_configured_rule_ids(severity, k_rules), Catch::Contains("rules.severity: unknown rule id"));
    CHECK_THROWS_WITH(scan::check_configured_rule_ids(contexts, k_rules), Catch::Contains("rules.contexts: unknown rule id"));
  }
}
