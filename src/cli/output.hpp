#pragma once
// Printing findings and queue rows: text for people, JSON for scripts (schema in README.md),
// SARIF 2.1.0 for code-scanning services.

#include "core/kinds.hpp"
#include "core/printable.hpp"
#include "scan/rule.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace scan {
struct Located;
} // namespace scan

namespace queue {
struct Opportunity;
} // namespace queue

namespace cli {

struct Row {
  int64_t id = 0;            // 0 when not queued (scan of work-tree files)
  std::string rule;
  core::Category category = core::Category::code_quality;
  std::string severity;
  core::Safety safety = core::Safety::suggest;
  std::string path;
  int line = 0, end_line = 0;
  std::string status, message, fingerprint, snippet, commit;
  bool is_new = false;
  std::string reason;        // why a failed or stale fix was refused: its last attempt, one line; else empty
  std::vector<std::string> output_tail; // ... and the last lines the refusing command printed (the tests'), if any
  std::string context;       // status "skipped": the context its rule is not reported in (scan/code_context.hpp)
};

// Why a refused fix (status failed or stale) was refused: "<outcome>: <detail>" of its last attempt, on
// one line (line breaks and tabs become " / ") and at most about 200 bytes. Not yet made printable.
std::string refusal_line(core::Outcome outcome, const std::string& detail);

enum class Format { text, json, sarif };

// A scanned finding as a row (not queued when its id is 0).
Row row_of(const scan::Located& located);

// What a SARIF log says beyond the results themselves.
struct SarifOptions {
  std::string automation_id;  // runs[].automationDetails.id ("git-autoloop/ci/"): groups uploads of one analysis; empty = none
  bool baseline_new = false;  // every result is new relative to a baseline (baselineState "new")
  std::vector<std::pair<std::string, std::string>> properties;  // runs[].properties (e.g. the scanned range)
};

// A queued finding as a row (without its refusal: cmd_queue adds the reason).
Row row_of(const queue::Opportunity& op);

// One row as JSON: the finding-row object of tests/schemas/finding.schema.json, shared by `queue`,
// `scan` and `review --list` (its "finding").
nlohmann::json row_json(const Row& row);

// Parses "text" | "json" | "sarif"; throws core::Error otherwise.
Format parse_format(const std::string& name, bool allow_sarif);

// `text` safe to print on a terminal (core/printable.hpp): what every command prints of a repository's data.
using core::printable;

// "1 finding", "2 findings": `n` and the noun in the number it takes (`plural` defaults to `singular` + "s").
std::string counted(long long n, const std::string& singular, const std::string& plural = "");

std::string format_text(const std::vector<Row>& rows);
std::string format_json(const std::vector<Row>& rows);
// `rules` provides descriptions and levels for the rules the rows mention.
std::string format_sarif(const std::vector<Row>& rows, const std::vector<scan::Rule>& rules,
                         const SarifOptions& options = {});

} // namespace cli
