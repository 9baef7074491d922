#include "scan/fingerprint.hpp"

#include <cstdint>
#include <cstdio>
#include <map>
#include <utility>

namespace scan {

namespace {

uint64_t fnv(std::string_view data, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// The text with each run of white space made one space, none at either end.
std::string normalise(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

} // namespace

std::string hash_hex(std::string_view data) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(fnv(data, 1469598103934665603ULL)),
                static_cast<unsigned long long>(fnv(data, 0x84222325cbf29ce4ULL)));
  return buf;
}

std::string node_hash(std::string_view text, std::string_view ancestry) {
  std::string key = normalise(text);
  key += '\0';
  key += ancestry;
  return hash_hex(key);
}

void add_enclosing_names(std::vector<Finding>& findings, const std::vector<FunctionMetric>& functions) {
  for (auto& f : findings) {
    const FunctionMetric* best = nullptr;
    for (const auto& fn : functions)
      if (fn.start_line <= f.start_line && f.end_line <= fn.end_line && (!best || fn.length < best->length)) best = &fn;
    if (best) f.node_hash = hash_hex(f.node_hash + "@" + best->name);
  }
}

void number_occurrences(std::vector<Finding>& findings) {
  std::map<std::pair<std::string, std::string>, int> occurrences;
  for (auto& f : findings) {
    int n = occurrences[{f.rule_id, f.node_hash}]++;
    if (n > 0) f.node_hash = hash_hex(f.node_hash + "#" + std::to_string(n));
  }
}

std::string fingerprint(const Finding& finding, std::string_view path) {
  std::string key = finding.rule_id;
  key += '\0';
  key += path;
  key += '\0';
  key += finding.node_hash;
  return hash_hex(key);
}

} // namespace scan
