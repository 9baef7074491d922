#include "fix/trailers.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <type_traits>

namespace fix {

namespace {

constexpr std::string_view k_rule = "Autoloop-Rule";
constexpr std::string_view k_rule_source = "Autoloop-Rule-Source";
constexpr std::string_view k_opportunity = "Autoloop-Opportunity";
constexpr std::string_view k_fingerprint = "Autoloop-Fingerprint";
constexpr std::string_view k_generator = "Autoloop-Generator";
constexpr std::string_view k_provider = "Autoloop-Provider";
constexpr std::string_view k_validated = "Autoloop-Validated";
constexpr std::string_view k_sweep = "Autoloop-Sweep";
constexpr std::string_view k_sweep_opportunities = "Autoloop-Sweep-Opportunities";
constexpr std::string_view k_sweep_fingerprints = "Autoloop-Sweep-Fingerprints";

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

// `text` as a whole number, or nullopt.
std::optional<int64_t> whole_number(std::string_view text) {
  int64_t n = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), n);
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size()) return std::nullopt;
  return n;
}

// The space-separated words of `text`.
std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  size_t at = 0;
  while ((at = text.find_first_not_of(' ', at)) != std::string_view::npos) {
    const size_t end = std::min(text.find(' ', at), text.size());
    out.emplace_back(text.substr(at, end - at));
    at = end;
  }
  return out;
}

template <class T> std::string joined(const std::vector<T>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ' ';
    if constexpr (std::is_same_v<T, std::string>) out += item;
    else out += std::to_string(item);
  }
  return out;
}

} // namespace

std::string format_trailers(const Trailers& t) {
  std::string out = line(k_rule, t.rule);
  if (!t.rule_source.empty()) out += line(k_rule_source, t.rule_source);
  out += line(k_opportunity, std::to_string(t.opportunity));
  out += line(k_fingerprint, t.fingerprint);
  if (!t.generator.empty()) out += line(k_generator, t.generator);
  if (!t.provider.empty()) out += line(k_provider, t.provider);
  if (t.sweep > 0) {
    out += line(k_sweep, std::to_string(t.sweep));
    out += line(k_sweep_opportunities, joined(t.sweep_opportunities));
    out += line(k_sweep_fingerprints, joined(t.sweep_fingerprints));
  }
  out += line(k_validated, t.validated);
  return out + "\n";
}

Trailers read_trailers(std::string_view message) {
  Trailers t;
  t.rule = trailer(message, k_rule);
  t.rule_source = trailer(message, k_rule_source);
  t.opportunity = whole_number(trailer(message, k_opportunity)).value_or(0);
  t.fingerprint = trailer(message, k_fingerprint);
  t.generator = trailer(message, k_generator);
  t.provider = trailer(message, k_provider);
  t.validated = trailer(message, k_validated);
  t.sweep = whole_number(trailer(message, k_sweep)).value_or(0);
  for (const auto& id : words(trailer(message, k_sweep_opportunities)))
    if (auto n = whole_number(id)) t.sweep_opportunities.push_back(*n);
  t.sweep_fingerprints = words(trailer(message, k_sweep_fingerprints));
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
