#include "metrics/coverage.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/limits.hpp"

#include <cctype>
#include <cstdlib>
#include <optional>

namespace metrics {

namespace {

long long to_count(std::string_view text, int line) {
  std::string s(text);
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v < 0) throw core::Error("lcov line " + std::to_string(line) + ": bad count '" + s + "'");
  return v;
}

} // namespace

Coverage parse_lcov(std::string_view text) {
  Coverage total;
  bool records = false;
  // Per record: prefer LF/LH; fall back to counting DA lines.
  long long lf = -1, lh = -1, da_found = 0, da_hit = 0;
  int line_no = 0;
  size_t at = 0;
  while (at <= text.size()) {
    size_t nl = text.find('\n', at);
    std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.rfind("SF:", 0) == 0) {
      records = true;
      lf = lh = -1;
      da_found = da_hit = 0;
    } else if (line.rfind("LF:", 0) == 0) {
      lf = to_count(line.substr(3), line_no);
    } else if (line.rfind("LH:", 0) == 0) {
      lh = to_count(line.substr(3), line_no);
    } else if (line.rfind("DA:", 0) == 0) {
      auto comma = line.find(',', 3);
      if (comma == std::string_view::npos) throw core::Error("lcov line " + std::to_string(line_no) + ": DA without a count");
      auto rest = line.substr(comma + 1);
      auto count = rest.substr(0, rest.find(','));
      ++da_found;
      if (to_count(count, line_no) > 0) ++da_hit;
    } else if (line == "end_of_record") {
      total.lines_found += lf >= 0 ? lf : da_found;
      total.lines_hit += lh >= 0 ? lh : da_hit;
    } else if (line.find(':') == std::string_view::npos) {
      throw core::Error("lcov line " + std::to_string(line_no) + ": not a tracefile record");
    }
  }
  if (!records) throw core::Error("not an lcov tracefile (no SF: record)");
  return total;
}

Coverage parse_cobertura(std::string_view text) {
  // Scanned by hand rather than with std::regex, whose recursive matcher overflows the stack on a long
  // run of one character class: the report is the repository's data, up to 64 MiB of it.
  auto word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
  std::string_view attributes;
  bool found = false;
  for (size_t at = text.find("<coverage"); at != std::string_view::npos; at = text.find("<coverage", at + 1)) {
    const size_t from = at + 9;
    if (from < text.size() && word(text[from])) continue;
    const size_t close = text.find('>', from);
    if (close == std::string_view::npos) break;
    attributes = text.substr(from, close - from);
    found = true;
    break;
  }
  if (!found) throw core::Error("not a Cobertura report (no <coverage> element)");
  // name="value" as an attribute of the root element (the first whose name starts at a word boundary).
  auto attribute = [&](std::string_view name) -> std::optional<std::string> {
    for (size_t at = attributes.find(name); at != std::string_view::npos; at = attributes.find(name, at + 1)) {
      if (at > 0 && word(attributes[at - 1])) continue;
      size_t i = at + name.size();
      while (i < attributes.size() && std::isspace(static_cast<unsigned char>(attributes[i]))) ++i;
      if (i >= attributes.size() || attributes[i] != '=') continue;
      ++i;
      while (i < attributes.size() && std::isspace(static_cast<unsigned char>(attributes[i]))) ++i;
      if (i >= attributes.size() || attributes[i] != '"') continue;
      const size_t end = attributes.find('"', i + 1);
      if (end == std::string_view::npos) continue;
      return std::string(attributes.substr(i + 1, end - i - 1));
    }
    return std::nullopt;
  };
  Coverage c;
  auto valid = attribute("lines-valid"), covered = attribute("lines-covered");
  if (valid && covered) {
    c.lines_found = std::atoll(valid->c_str());
    c.lines_hit = std::atoll(covered->c_str());
    return c;
  }
  auto rate = attribute("line-rate");
  if (!rate) throw core::Error("Cobertura report without lines-valid/lines-covered or line-rate");
  char* end = nullptr;
  double r = std::strtod(rate->c_str(), &end);
  if (*end != '\0' || r < 0 || r > 1) throw core::Error("Cobertura line-rate '" + *rate + "' is not between 0 and 1");
  c.lines_found = 1000000;
  c.lines_hit = static_cast<long long>(r * 1000000 + 0.5);
  return c;
}

std::optional<Coverage> read_coverage(const std::string& path, const std::filesystem::path& confine_root) {
  auto text = core::read_untrusted_file(path, core::k_max_coverage_bytes, confine_root, "coverage reports");
  if (!text) return std::nullopt;
  size_t first = text->find_first_not_of(" \t\r\n");
  bool xml = first != std::string::npos && (*text)[first] == '<';
  try {
    return xml ? parse_cobertura(*text) : parse_lcov(*text);
  } catch (const core::Error& e) {
    throw core::Error(path + ": " + e.what());
  }
}

} // namespace metrics
