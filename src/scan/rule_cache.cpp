#include "scan/rule_cache.hpp"

#include "core/fs.hpp"
#include "core/resources.hpp"

#include <functional>
#include <optional>
#include <type_traits>
#include <map>
#include <stdexcept>

#include <sys/stat.h>

namespace scan {

namespace {

// Bump when the encoding changes; sizeof(Rule) catches most layout changes on its own.
constexpr int k_format = 10; // 2: origin, file and trusted; 3: assumption, tests.suggested; 4: not_in, case paths; 5: equivalents;
                            // 6: fix edits' when/unless; 7: fix edits' key, calls; 8: mechanical;
                            // 9: own binary encoding (was msgpack); 10: scope_sensitive, tests.refused

// std::hash: fast, and only ever compared with what the same build computed (the key names the build).
std::string digest(std::string_view data) { return std::to_string(std::hash<std::string_view>{}(data)); }

// The cache's encoding: fixed-width little-endian integers, strings and lists as a count followed by
// their bytes or elements. msgpack through nlohmann::json cost ~17 M instructions for the built-in
// rules, half of a no-op rescan; reading this back is a few copies per string.
class Writer {
public:
  void put(uint32_t v) {
    for (int i = 0; i < 4; ++i) m_out += static_cast<char>((v >> (8 * i)) & 0xff);
  }
  void put(int v) { put(static_cast<uint32_t>(v)); }
  template <class Kind, class = std::enable_if_t<std::is_enum_v<Kind>>> void put(Kind v) {
    put(std::string(core::to_string(v)));
  }
  void put(bool v) { m_out += v ? '\1' : '\0'; }
  void put(const std::string& s) {
    put(static_cast<uint32_t>(s.size()));
    m_out += s;
  }
  template <class T> void put(const std::vector<T>& list) {
    put(static_cast<uint32_t>(list.size()));
    for (const auto& x : list) put(x);
  }
  template <class K, class V> void put(const std::map<K, V>& map) {
    put(static_cast<uint32_t>(map.size()));
    for (const auto& [k, v] : map) {
      put(k);
      put(v);
    }
  }
  std::string take() { return std::move(m_out); }

private:
  std::string m_out;
};

// Reads what Writer wrote; throws std::out_of_range when the bytes run out or a count is impossible.
class Reader {
public:
  explicit Reader(std::string_view in) : m_in(in) {}
  uint32_t u32() {
    const std::string_view b = take(4);
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[static_cast<size_t>(i)]);
    return v;
  }
  int i32() { return static_cast<int>(u32()); }
  bool flag() {
    const char c = take(1)[0];
    if (c != '\0' && c != '\1') throw std::out_of_range("flag");
    return c == '\1';
  }
  std::string str() { return std::string(take(u32())); }
  // One of core/kinds.hpp's vocabularies, written by name: anything else is damage.
  template <class Kind> Kind kind() {
    if (std::optional<Kind> value = core::parse<Kind>(take(u32()))) return *value;
    throw std::out_of_range("kind");
  }
  std::vector<std::string> strs() {
    std::vector<std::string> out;
    for (size_t n = count(); n > 0; --n) out.push_back(str());
    return out;
  }
  // A list's length: each element takes at least one byte, so a count past the end is damage.
  size_t count() {
    const uint32_t n = u32();
    if (n > m_in.size()) throw std::out_of_range("count");
    return n;
  }
  bool done() const { return m_in.empty(); }

private:
  std::string_view take(size_t n) {
    if (n > m_in.size()) throw std::out_of_range("truncated");
    std::string_view out = m_in.substr(0, n);
    m_in.remove_prefix(n);
    return out;
  }
  std::string_view m_in;
};

void encode(Writer& w, const Rule& r) {
  w.put(r.id);
  w.put(r.languages);
  w.put(r.category);
  w.put(r.severity);
  w.put(r.safety);
  w.put(r.message);
  w.put(r.description);
  w.put(r.query);
  w.put(r.check);
  w.put(static_cast<uint32_t>(r.fix.size()));
  for (const auto& e : r.fix) {
    w.put(static_cast<int>(e.op));
    w.put(e.capture);
    w.put(e.text);
    w.put(e.map);
    w.put(e.when);
    w.put(e.unless);
    w.put(e.key);
  }
  for (const auto* cases : {&r.tests.valid, &r.tests.invalid, &r.tests.fixed, &r.tests.suggested, &r.tests.refused,
                            &r.tests.valid_paths, &r.tests.invalid_paths})
    w.put(*cases);
  w.put(r.source);
  w.put(r.query_line);
  w.put(r.query_column);
  w.put(r.enabled);
  w.put(static_cast<int>(r.origin));
  w.put(r.file);
  w.put(r.trusted);
  w.put(r.assumption.has_value());
  if (r.assumption) {
    w.put(r.assumption->text);
    w.put(r.assumption->established_by);
    w.put(r.assumption->subject);
  }
  w.put(static_cast<uint32_t>(r.not_in));
  w.put(static_cast<uint32_t>(r.declared_not_in));
  w.put(r.not_in_note);
  w.put(r.equivalents);
  w.put(r.calls);
  w.put(r.mechanical);
  w.put(r.scope_sensitive);
}

Rule decode(Reader& in) {
  Rule r;
  r.id = in.str();
  r.languages = in.strs();
  r.category = in.kind<core::Category>();
  r.severity = in.str();
  r.safety = in.kind<core::Safety>();
  r.message = in.str();
  r.description = in.str();
  r.query = in.str();
  r.check = in.str();
  for (size_t n = in.count(); n > 0; --n) {
    FixEdit edit;
    const int op = in.i32();
    if (op < 0 || op > static_cast<int>(FixEdit::Op::indent)) throw std::out_of_range("fix op");
    edit.op = static_cast<FixEdit::Op>(op);
    edit.capture = in.str();
    edit.text = in.str();
    for (size_t m = in.count(); m > 0; --m) {
      std::string k = in.str();
      edit.map[std::move(k)] = in.str();
    }
    edit.when = in.str();
    edit.unless = in.str();
    edit.key = in.str();
    r.fix.push_back(std::move(edit));
  }
  for (auto* cases : {&r.tests.valid, &r.tests.invalid, &r.tests.fixed, &r.tests.suggested, &r.tests.refused, &r.tests.valid_paths,
                      &r.tests.invalid_paths})
    *cases = in.strs();
  r.source = in.str();
  r.query_line = in.i32();
  r.query_column = in.i32();
  r.enabled = in.flag();
  const int origin = in.i32();
  if (origin < 0 || origin > static_cast<int>(RuleOrigin::local)) throw std::out_of_range("rule origin");
  r.origin = static_cast<RuleOrigin>(origin);
  r.file = in.str();
  r.trusted = in.flag();
  if (in.flag()) {
    Assumption a;
    a.text = in.str();
    a.established_by = in.str();
    a.subject = in.str();
    r.assumption = std::move(a);
  }
  r.not_in = in.u32();
  r.declared_not_in = in.u32();
  r.not_in_note = in.str();
  for (size_t n = in.count(); n > 0; --n) {
    std::string k = in.str();
    r.equivalents[std::move(k)] = in.strs();
  }
  r.calls = in.strs();
  r.mechanical = in.flag();
  r.scope_sensitive = in.flag();
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
  Writer w;
  w.put(static_cast<uint32_t>(rules.size()));
  for (const auto& r : rules) encode(w, r);
  const std::string blob = w.take();
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
    Reader in(body);
    std::vector<Rule> out;
    for (size_t n = in.count(); n > 0; --n) out.push_back(decode(in));
    if (!in.done()) return std::nullopt;
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
