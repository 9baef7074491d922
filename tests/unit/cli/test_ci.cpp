// The SARIF rendering `git autoloop ci` relies on (cli/output): options, rule metadata, rows of findings.
#include "cli/output.hpp"

#include "scan/scanner.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

using cli::Row;
using nlohmann::json;

namespace {

scan::Rule rule(const std::string& id, const std::string& category, const std::string& severity) {
  scan::Rule r;
  r.id = id;
  r.languages = {"python"};
  r.category = *core::category_named(category);
  r.severity = severity;
  r.safety = core::Safety::suggest;
  r.message = "short " + id;
  r.description = "why " + id;
  return r;
}

Row row(const std::string& rule_id, const std::string& category, const std::string& severity, int line,
        const std::string& fingerprint) {
  Row r;
  r.rule = rule_id;
  r.category = *core::category_named(category);
  r.severity = severity;
  r.path = "src/a.py";
  r.line = line;
  r.end_line = line + 1;
  r.message = "message of " + rule_id;
  r.fingerprint = fingerprint;
  r.snippet = "eval(x)";
  r.is_new = true;
  return r;
}

const std::vector<scan::Rule> k_rules = {rule("t/eval", "security_fixes", "error"), rule("t/hash", "security_fixes", "warning"),
                                         rule("t/print", "code_quality", "info")};

} // namespace

TEST_CASE("format_sarif") {
  const std::vector<Row> rows = {row("t/eval", "security_fixes", "error", 3, "aaaa"),
                                 row("t/print", "code_quality", "info", 7, "")};

  SECTION("without options: no baseline state, no automation details, no run properties") {
    const json log = json::parse(cli::format_sarif(rows, k_rules));
    CHECK(log["version"] == "2.1.0");
    const json& run = log["runs"][0];
    CHECK_FALSE(run.contains("automationDetails"));
    CHECK_FALSE(run.contains("properties"));
    for (const auto& result : run["results"]) CHECK_FALSE(result.contains("baselineState"));
  }

  SECTION("with the ci options: every result new, the analysis named, the range recorded") {
    cli::SarifOptions options;
    options.automation_id = "git-autoloop/ci/";
    options.baseline_new = true;
    options.properties = {{"base", "b1"}, {"head", "h2"}};
    const json run = json::parse(cli::format_sarif(rows, k_rules, options))["runs"][0];
    CHECK(run["automationDetails"]["id"] == "git-autoloop/ci/");
    CHECK(run["properties"] == json({{"base", "b1"}, {"head", "h2"}}));
    REQUIRE(run["results"].size() == 2);
    for (const auto& result : run["results"]) CHECK(result["baselineState"] == "new");
  }

  SECTION("results: rule index, level, location, and a fingerprint only when there is one") {
    const json results = json::parse(cli::format_sarif(rows, k_rules))["runs"][0]["results"];
    const json rules = json::parse(cli::format_sarif(rows, k_rules))["runs"][0]["tool"]["driver"]["rules"];
    REQUIRE(results.size() == 2);
    CHECK(rules[results[0]["ruleIndex"].get<int>()]["id"] == "t/eval");
    CHECK(results[0]["level"] == "error");
    CHECK(results[1]["level"] == "note");
    const json& location = results[0]["locations"][0]["physicalLocation"];
    CHECK(location["artifactLocation"]["uri"] == "src/a.py");
    CHECK(location["region"]["startLine"] == 3);
    CHECK(location["region"]["endLine"] == 4);
    CHECK(location["region"]["snippet"]["text"] == "eval(x)");
    CHECK(results[0]["partialFingerprints"]["autoloopFingerprint/v1"] == "aaaa");
    CHECK_FALSE(results[1].contains("partialFingerprints"));
  }

  SECTION("rules: only those used; help text; security rules carry security-severity and the security tag") {
    std::vector<Row> more = rows;
    more.push_back(row("t/hash", "security_fixes", "warning", 9, "bbbb"));
    const json rules = json::parse(cli::format_sarif(more, k_rules))["runs"][0]["tool"]["driver"]["rules"];
    REQUIRE(rules.size() == 3);
    for (const auto& r : rules) {
      INFO(r.dump());
      CHECK(r["help"]["text"] == "why " + r["id"].get<std::string>());
      CHECK(r["shortDescription"]["text"] == "short " + r["id"].get<std::string>());
      const bool security = r["properties"]["category"] == "security_fixes";
      CHECK(r["properties"].contains("security-severity") == security);
      const auto& tags = r["properties"]["tags"];
      CHECK((std::find(tags.begin(), tags.end(), "security") != tags.end()) == security);
    }
    auto severity_of = [&](const std::string& id) {
      for (const auto& r : rules)
        if (r["id"] == id) return r["properties"]["security-severity"].get<std::string>();
      return std::string();
    };
    CHECK(severity_of("t/eval") == "8.0");
    CHECK(severity_of("t/hash") == "5.5");
  }
}

TEST_CASE("row_of") {
  SECTION("copies a located finding; an unqueued one is open unless it has a status") {
    scan::Located l;
    l.path = "src/a.py";
    l.commit = "c0ffee";
    l.rule_id = "t/eval";
    l.category = core::Category::security_fixes;
    l.severity = "error";
    l.safety = core::Safety::suggest;
    l.finding.start_line = 4;
    l.finding.end_line = 5;
    l.finding.message = "m";
    l.finding.fingerprint = "ff";
    l.finding.snippet = "eval(x)";
    l.is_new = true;
    Row r = cli::row_of(l);
    CHECK(r.id == 0);
    CHECK(r.rule == "t/eval");
    CHECK(r.category == core::Category::security_fixes);
    CHECK(r.severity == "error");
    CHECK(r.safety == core::Safety::suggest);
    CHECK(r.path == "src/a.py");
    CHECK(r.line == 4);
    CHECK(r.end_line == 5);
    CHECK(r.status == "open");
    CHECK(r.message == "m");
    CHECK(r.fingerprint == "ff");
    CHECK(r.snippet == "eval(x)");
    CHECK(r.commit == "c0ffee");
    CHECK(r.is_new);
    l.status = "new";
    CHECK(cli::row_of(l).status == "new");
  }
}
