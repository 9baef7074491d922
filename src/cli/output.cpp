#include "cli/output.hpp"

#include "cli/exit_codes.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "loop/review.hpp"
#include "scan/scanner.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <set>

namespace cli {

Format parse_format(const std::string& name, bool allow_sarif) {
  if (name == "text") return Format::text;
  if (name == "json") return Format::json;
  if (name == "sarif" && allow_sarif) return Format::sarif;
  std::vector<std::string> names{"text", "json"};
  if (allow_sarif) names.emplace_back("sarif");
  throw core::Fatal("unknown format '" + name + "' (expected text, json" + (allow_sarif ? ", sarif)" : ")") +
                        core::did_you_mean(name, names),
                    k_exit_usage);
}

Row row_of(const scan::Located& l) {
  Row r;
  r.id = l.id;
  r.rule = l.rule_id;
  r.category = l.category;
  r.severity = l.severity;
  r.safety = l.safety;
  r.path = l.path;
  r.line = l.finding.start_line;
  r.end_line = l.finding.end_line;
  r.status = l.status.empty() ? "open" : l.status;
  r.message = l.finding.message;
  r.fingerprint = l.finding.fingerprint;
  r.snippet = l.finding.snippet;
  r.commit = l.commit;
  r.is_new = l.is_new;
  if (!l.skipped_context.empty()) {
    r.context = l.skipped_context;
    r.reason = l.rule_id + " is not reported in " + l.skipped_context + " (its not_in; rules.contexts changes it)";
  }
  return r;
}

std::string counted(long long n, const std::string& singular, const std::string& plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural.empty() ? singular + "s" : plural);
}

std::string format_text(const std::vector<Row>& rows) {
  std::string out;
  for (const auto& r : rows) {
    out += printable(r.path) + ":" + std::to_string(r.line) + ": " + r.severity + " [" + printable(r.rule) + "] " +
           printable(r.message);
    if (r.id) out += "  (#" + std::to_string(r.id) + ", " + r.status + (r.is_new ? ", new" : "") + ")";
    else if (r.is_new) out += "  (new)";
    out += "\n";
    if (!r.snippet.empty()) out += "    " + printable(r.snippet) + "\n";
    if (!r.reason.empty()) out += "    refused: " + printable(r.reason) + "\n";
    for (const auto& line : r.output_tail) out += "      | " + printable(line) + "\n";
  }
  return out;
}

std::string refusal_line(core::Outcome outcome, const std::string& detail) {
  constexpr size_t k_max = 200;
  std::string line(core::to_string(outcome));
  std::string rest;
  bool gap = false;
  for (char c : detail) {
    if (c == '\n' || c == '\r' || c == '\t') {
      gap = true;
      continue;
    }
    if (gap && !rest.empty()) rest += " / ";
    gap = false;
    rest += c;
  }
  if (!rest.empty()) line += ": " + rest;
  if (line.size() > k_max) {
    size_t cut = k_max;
    // Never inside a UTF-8 sequence: back off over its continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line = line.substr(0, cut) + "...";
  }
  return line;
}

Row row_of(const queue::Opportunity& op) {
  Row r;
  r.id = op.id;
  r.rule = op.rule_id;
  r.category = op.category;
  r.severity = op.severity;
  r.safety = op.safety;
  r.path = op.path;
  r.line = op.start_line;
  r.end_line = op.end_line;
  r.status = core::to_string(op.status);
  r.message = op.message;
  r.fingerprint = op.fingerprint;
  r.snippet = op.snippet;
  r.commit = op.commit_id;
  r.is_new = op.is_new;
  return r;
}

nlohmann::json row_json(const Row& r) {
  nlohmann::json j = {{"id", r.id},          {"rule", r.rule},         {"category", r.category},
                      {"severity", r.severity}, {"safety", r.safety},   {"path", r.path},
                      {"line", r.line},      {"end_line", r.end_line}, {"status", r.status},
                      {"message", r.message}, {"fingerprint", r.fingerprint}, {"new", r.is_new},
                      {"snippet", r.snippet}, {"commit", r.commit}};
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (!r.output_tail.empty()) j["output_tail"] = r.output_tail;
  if (!r.context.empty()) j["context"] = r.context;
  return j;
}

std::string format_json(const std::vector<Row>& rows) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : rows) arr.push_back(row_json(r));
  return arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string format_sarif(const std::vector<Row>& rows, const std::vector<scan::Rule>& rules,
                         const SarifOptions& options) {
  auto level = [](const std::string& severity) {
    if (severity == "error") return "error";
    if (severity == "info") return "note";
    return "warning";
  };
  std::map<std::string, const scan::Rule*> by_id;
  for (const auto& r : rules) by_id[r.id] = &r;
  std::set<std::string> used;
  for (const auto& r : rows) used.insert(r.rule);
  nlohmann::json driver_rules = nlohmann::json::array();
  std::map<std::string, int> index;
  for (const auto& id : used) {
    nlohmann::json rule = {{"id", id}};
    if (auto it = by_id.find(id); it != by_id.end()) {
      const scan::Rule& r = *it->second;
      rule["shortDescription"] = {{"text", r.message}};
      rule["fullDescription"] = {{"text", r.description.empty() ? r.message : r.description}};
      rule["help"] = {{"text", r.description.empty() ? r.message : r.description}};
      rule["defaultConfiguration"] = {{"level", level(r.severity)}};
      rule["properties"] = {{"category", r.category}, {"safety", r.safety}, {"tags", {r.category}}};
      if (r.category == core::Category::security_fixes) {
        // Code-scanning services rank security alerts by this CVSS-like score (a string, 0.0 to 10.0).
        rule["properties"]["tags"].push_back("security");
        rule["properties"]["security-severity"] = r.severity == "error" ? "8.0" : r.severity == "info" ? "2.0" : "5.5";
      }
    }
    index[id] = static_cast<int>(driver_rules.size());
    driver_rules.push_back(std::move(rule));
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& r : rows) {
    nlohmann::json region = {{"startLine", std::max(1, r.line)}, {"endLine", std::max(r.line, r.end_line)}};
    if (!r.snippet.empty()) region["snippet"] = {{"text", r.snippet}};
    nlohmann::json result = {{"ruleId", r.rule},
                             {"ruleIndex", index[r.rule]},
                             {"level", level(r.severity)},
                             {"message", {{"text", r.message}}},
                             {"locations",
                              {{{"physicalLocation",
                                 {{"artifactLocation", {{"uri", r.path}, {"uriBaseId", "%SRCROOT%"}}}, {"region", region}}}}}}};
    // An empty fingerprint would collapse distinct findings into one alert.
    if (!r.fingerprint.empty()) result["partialFingerprints"] = {{"autoloopFingerprint/v1", r.fingerprint}};
    if (options.baseline_new) result["baselineState"] = "new";
    results.push_back(std::move(result));
  }
  nlohmann::json run = {{"tool", {{"driver", {{"name", "git-autoloop"}, {"version", AUTOLOOP_VERSION},
                                              {"rules", driver_rules}}}}},
                        {"results", results}};
  if (!options.automation_id.empty()) run["automationDetails"] = {{"id", options.automation_id}};
  if (!options.properties.empty()) {
    nlohmann::json properties = nlohmann::json::object();
    for (const auto& [key, value] : options.properties) properties[key] = value;
    run["properties"] = std::move(properties);
  }
  nlohmann::json sarif = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                          {"version", "2.1.0"},
                          {"runs", nlohmann::json::array({std::move(run)})}};
  return sarif.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

} // namespace cli
