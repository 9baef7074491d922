#include "scan/rule_cache.hpp"

#include "core/fs.hpp"
#include "core/resources.hpp"
#include <nlohmann/json.hpp>

#include <functional>

#include <sys/stat.h>

namespace scan {

namespace {

// Bump when the encoding changes; sizeof(Rule) catches most layout changes on its own.
constexpr int k_format = 8; // 2: origin, file and trusted; 3: assumption, tests.suggested; 4: not_in, case paths; 5: equivalents;
                            // 6: fix edits' when/unless; 7: fix edits' key, calls; 8: mechanical

// std::hash: fast, and only ever compared with what the same build computed (the key names the build).
std::string digest(std::string_view data) { return std::to_string(std::hash<std::string_view>{}(data)); }

nlohmann::json encode(const Rule& r) {
  nlohmann::json fix = nlohmann::json::array();
  for (const auto& e : r.fix) fix.push_back({static_cast<int>(e.op), e.capture, e.text, e.map, e.when, e.unless, e.key});
  return {r.id,          r.languages, r.category, r.severity, r.safety,
          r.message,     r.description, r.query,  r.check,    fix,
          {r.tests.valid, r.tests.invalid, r.tests.fixed, r.tests.suggested, r.tests.valid_paths, r.tests.invalid_paths},
          r.source, r.query_line, r.query_column,
          r.enabled, static_cast<int>(r.origin), r.file, r.trusted,
          r.assumption ? nlohmann::json{r.assumption->text, r.assumption->established_by, r.assumption->subject}
                       : nlohmann::json(),
          {r.not_in, r.declared_not_in, r.not_in_note},
          r.equivalents, r.calls, r.mechanical};
}

Rule decode(const nlohmann::json& j) {
  Rule r;
  size_t i = 0;
  j.at(i++).get_to(r.id);
  j.at(i++).get_to(r.languages);
  j.at(i++).get_to(r.category);
  j.at(i++).get_to(r.severity);
  j.at(i++).get_to(r.safety);
  j.at(i++).get_to(r.message);
  j.at(i++).get_to(r.description);
  j.at(i++).get_to(r.query);
  j.at(i++).get_to(r.check);
  for (const auto& e : j.at(i++)) {
    FixEdit edit;
    int op = e.at(0).get<int>();
    if (op < 0 || op > static_cast<int>(FixEdit::Op::indent)) throw std::out_of_range("fix op");
    edit.op = static_cast<FixEdit::Op>(op);
    e.at(1).get_to(edit.capture);
    e.at(2).get_to(edit.text);
    e.at(3).get_to(edit.map);
    e.at(4).get_to(edit.when);
    e.at(5).get_to(edit.unless);
    e.at(6).get_to(edit.key);
    r.fix.push_back(std::move(edit));
  }
  const auto& tests = j.at(i++);
  tests.at(0).get_to(r.tests.valid);
  tests.at(1).get_to(r.tests.invalid);
  tests.at(2).get_to(r.tests.fixed);
  tests.at(3).get_to(r.tests.suggested);
  tests.at(4).get_to(r.tests.valid_paths);
  tests.at(5).get_to(r.tests.invalid_paths);
  j.at(i++).get_to(r.source);
  j.at(i++).get_to(r.query_line);
  j.at(i++).get_to(r.query_column);
  j.at(i++).get_to(r.enabled);
  int origin = j.at(i++).get<int>();
  if (origin < 0 || origin > static_cast<int>(RuleOrigin::local)) throw std::out_of_range("rule origin");
  r.origin = static_cast<RuleOrigin>(origin);
  j.at(i++).get_to(r.file);
  j.at(i++).get_to(r.trusted);
  if (const auto& a = j.at(i++); !a.is_null()) r.assumption = Assumption{a.at(0), a.at(1), a.at(2)};
  const auto& contexts = j.at(i++);
  contexts.at(0).get_to(r.not_in);
  contexts.at(1).get_to(r.declared_not_in);
  contexts.at(2).get_to(r.not_in_note);
  j.at(i++).get_to(r.equivalents);
  j.at(i++).get_to(r.calls);
  j.at(i++).get_to(r.mechanical);
  if (i != j.size()) throw std::out_of_range("rule fields");
  return r;
}

} // namespace

std::string builtin_rules_key() {
  std::string all = "builtin-rules " + std::to_string(k_format) + " " + std::to_string(sizeof(Rule)) + " " +
                    std::to_string(sizeof(FixEdit));
  // The running executable too: a rebuild whose parser reads the same texts differently must not
  // take the old build's rules.
  struct stat self {};
  if (::stat("/proc/self/exe", &self) == 0)
    all += " exe " + std::to_string(self.st_size) + " " + std::to_string(self.st_mtim.tv_sec) + "." +
           std::to_string(self.st_mtim.tv_nsec) + " " + std::to_string(self.st_ino);
  for (const auto& r : core::resources()) {
    if (r.name.rfind("config/rules/", 0) != 0) continue;
    all += '\0';
    all += r.name;
    all += '\0';
    all += r.content;
  }
  return digest(all);
}

std::string encode_rules(const std::vector<Rule>& rules, std::string_view key) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : rules) list.push_back(encode(r));
  auto body = nlohmann::json::to_msgpack(list);
  std::string blob(body.begin(), body.end());
  // Header: the key, then a digest of the body, so a truncated or altered file is never taken.
  return std::string(key) + "\n" + digest(blob) + "\n" + blob;
}

std::optional<std::vector<Rule>> decode_rules(std::string_view blob, std::string_view key) {
  const size_t first = blob.find('\n');
  if (first == std::string_view::npos || blob.substr(0, first) != key) return std::nullopt;
  const size_t second = blob.find('\n', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const std::string_view expected = blob.substr(first + 1, second - first - 1);
  const std::string_view body = blob.substr(second + 1);
  if (digest(body) != expected) return std::nullopt;
  try {
    auto list = nlohmann::json::from_msgpack(body.begin(), body.end());
    std::vector<Rule> out;
    out.reserve(list.size());
    for (const auto& j : list) out.push_back(decode(j));
    return out;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<Rule> builtin_rules_cached(const std::filesystem::path& cache_file) {
  const std::string key = builtin_rules_key();
  try {
    if (auto text = core::read_file(cache_file))
      if (auto rules = decode_rules(*text, key)) return std::move(*rules);
  } catch (const std::exception&) {
    // unreadable: parse, and try to replace it
  }
  auto rules = builtin_rules();
  try {
    std::error_code ec;
    std::filesystem::create_directory(cache_file.parent_path(), ec);
    core::write_file_atomic(cache_file, encode_rules(rules, key));
  } catch (const std::exception&) {
    // read-only, full, or no data directory: the next process parses again
  }
  return rules;
}

} // namespace scan
