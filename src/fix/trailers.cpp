#include "fix/trailers.hpp"

#include <algorithm>
#include <charconv>

namespace fix {

namespace {

constexpr std::string_view k_rule = "Autoloop-Rule";
constexpr std::string_view k_rule_source = "Autoloop-Rule-Source";
constexpr std::string_view k_opportunity = "Autoloop-Opportunity";
constexpr std::string_view k_fingerprint = "Autoloop-Fingerprint";
constexpr std::string_view k_generator = "Autoloop-Generator";
constexpr std::string_view k_provider = "Autoloop-Provider";
constexpr std::string_view k_validated = "Autoloop-Validated";

// "\n<key>: <value>" with the value on one line.
std::string line(std::string_view key, std::string value) {
  std::replace_if(value.begin(), value.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  std::string out = "\n";
  out.append(key);
  out += ": " + value;
  return out;
}

// The value of the trailer `key` in `message`'s last paragraph, or "".
std::string trailer(std::string_view message, std::string_view key) {
  const size_t end = message.find_last_not_of('\n');
  const size_t paragraph = message.rfind("\n\n", end == std::string_view::npos ? 0 : end);
  if (paragraph == std::string_view::npos) return "";
  std::string needle = "\n";
  needle.append(key);
  needle += ": ";
  size_t at = message.find(needle, paragraph + 1);
  if (at == std::string_view::npos) return "";
  at += needle.size();
  return std::string(message.substr(at, message.find('\n', at) - at));
}

} // namespace

std::string format_trailers(const Trailers& t) {
  std::string out = line(k_rule, t.rule);
  if (!t.rule_source.empty()) out += line(k_rule_source, t.rule_source);
  out += line(k_opportunity, std::to_string(t.opportunity));
  out += line(k_fingerprint, t.fingerprint);
  if (!t.generator.empty()) out += line(k_generator, t.generator);
  if (!t.provider.empty()) out += line(k_provider, t.provider);
  out += line(k_validated, t.validated);
  return out + "\n";
}

Trailers read_trailers(std::string_view message) {
  Trailers t;
  t.rule = trailer(message, k_rule);
  t.rule_source = trailer(message, k_rule_source);
  const std::string id = trailer(message, k_opportunity);
  const auto parsed = std::from_chars(id.data(), id.data() + id.size(), t.opportunity);
  if (parsed.ec != std::errc() || parsed.ptr != id.data() + id.size()) t.opportunity = 0;
  t.fingerprint = trailer(message, k_fingerprint);
  t.generator = trailer(message, k_generator);
  t.provider = trailer(message, k_provider);
  t.validated = trailer(message, k_validated);
  return t;
}

std::string validated_with_gates(std::string validated, const std::vector<std::string>& gates) {
  if (gates.empty()) return validated;
  std::string own;
  for (const auto& g : gates) own += ", " + g;
  const std::string_view after = "reparse";
  const size_t at = validated.find(after);
  if (at == std::string::npos) validated += own;
  else validated.insert(at + after.size(), own);
  return validated;
}

std::string validated_with_tests(std::string validated, const std::string& tests_item) {
  const std::string_view tests = ", tests";
  if (tests_item.empty() || validated.size() < tests.size() ||
      validated.compare(validated.size() - tests.size(), tests.size(), tests) != 0)
    return validated;
  return validated.substr(0, validated.size() - (tests.size() - 2)) + tests_item;
}

std::string fix_subject(std::string_view rule_id, std::string_view what) {
  std::string subject = "autoloop(" + std::string(rule_id) + "): " + std::string(what);
  if (subject.size() > 100) subject = subject.substr(0, 97) + "...";
  return subject;
}

} // namespace fix
