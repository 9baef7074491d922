#pragma once
// Test coverage from the report a repository's own tooling writes: lcov tracefiles (.info) and
// Cobertura XML (coverage.py, gcovr, JaCoCo converters, Istanbul's cobertura reporter).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace metrics {

struct Coverage {
  long long lines_found = 0, lines_hit = 0;
  double percent() const { return lines_found ? 100.0 * static_cast<double>(lines_hit) / static_cast<double>(lines_found) : 0; }
};

// Line coverage of an lcov tracefile (sums of LF/LH, or DA lines when a record has no totals).
// Throws core::Error naming the line when the text is not a tracefile.
Coverage parse_lcov(std::string_view text);

// Line coverage of a Cobertura report: the root element's lines-covered / lines-valid, else its
// line-rate. Throws core::Error when the text is not a Cobertura report.
Coverage parse_cobertura(std::string_view text);

// Reads `path` and picks the parser by content ("<?xml" / "<coverage" vs lcov records).
// nullopt when the file does not exist; throws core::Error when it cannot be read or parsed. The report
// is the repository's data: with a `confine_root` (the work tree) it must resolve inside it; it must be
// a regular file of at most core::k_max_coverage_bytes (core::read_untrusted_file).
std::optional<Coverage> read_coverage(const std::string& path, const std::filesystem::path& confine_root = {});

} // namespace metrics
