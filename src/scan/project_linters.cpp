#include "scan/project_linters.hpp"

#include "core/fs.hpp"
#include "core/glob.hpp"
#include "git/repo.hpp"
#include "scan/rule.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace scan {

namespace {

// ---------------------------------------------------------------------------------------------
// A JSON-like value with the line each value starts on: what the JSON(C) reader and the YAML
// conversion both give the ESLint and Biome readers.
struct Value {
  enum class Kind { null, scalar, string, array, object };
  Kind kind = Kind::null;
  std::string text;                                   // string content, or the literal (0, true)
  std::vector<std::pair<std::string, Value>> members; // object, in order
  std::vector<Value> items;                           // array
  int line = 1;

  bool is_object() const { return kind == Kind::object; }
  // The last member named `key` (JSON keeps the last of duplicates), or nullptr.
  const Value* get(std::string_view key) const {
    const Value* found = nullptr;
    for (const auto& [k, v] : members)
      if (k == key) found = &v;
    return found;
  }
};

// JSON with comments and trailing commas (JSONC, as biome.jsonc and many .eslintrc files are written).
// Recursive descent bounded by k_max_linter_config_depth; every loop advances, so it is linear.
class JsonReader {
public:
  explicit JsonReader(std::string_view text) : m_s(text) {}

  // The document's value, or nullopt with error() set.
  std::optional<Value> parse() {
    Value v;
    skip();
    if (!value(v, 0)) return std::nullopt;
    skip();
    if (m_i < m_s.size()) return fail("unexpected text after the end of the document");
    return v;
  }
  const std::string& error() const { return m_error; }

private:
  std::nullopt_t fail(const std::string& what) {
    if (m_error.empty()) m_error = "line " + std::to_string(m_line) + ": " + what;
    return std::nullopt;
  }
  bool failed(const std::string& what) {
    fail(what);
    return false;
  }
  void skip() {
    while (m_i < m_s.size()) {
      char c = m_s[m_i];
      if (c == '\n') {
        ++m_line;
        ++m_i;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++m_i;
      } else if (c == '/' && m_i + 1 < m_s.size() && m_s[m_i + 1] == '/') {
        while (m_i < m_s.size() && m_s[m_i] != '\n') ++m_i;
      } else if (c == '/' && m_i + 1 < m_s.size() && m_s[m_i + 1] == '*') {
        m_i += 2;
        while (m_i < m_s.size() && !(m_s[m_i] == '*' && m_i + 1 < m_s.size() && m_s[m_i + 1] == '/')) {
          if (m_s[m_i] == '\n') ++m_line;
          ++m_i;
        }
        m_i = std::min(m_s.size(), m_i + 2);
      } else if (static_cast<unsigned char>(c) == 0xEF && m_s.substr(m_i, 3) == "\xEF\xBB\xBF") {
        m_i += 3; // a byte order mark
      } else {
        return;
      }
    }
  }
  bool string(std::string& out) {
    ++m_i; // the opening quote
    while (m_i < m_s.size()) {
      char c = m_s[m_i++];
      if (c == '"') return true;
      if (c == '\n') return failed("line break inside a string");
      if (c == '\\' && m_i < m_s.size()) {
        char e = m_s[m_i++];
        switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'u': out += '?'; m_i = std::min(m_s.size(), m_i + 4); break; // rule ids are ASCII
        default: out += e; break;
        }
      } else {
        out += c;
      }
    }
    return failed("unterminated string");
  }
  bool value(Value& v, size_t depth) {
    if (depth > k_max_linter_config_depth) return failed("nested more than " + std::to_string(k_max_linter_config_depth) + " levels deep");
    if (++m_values > k_max_linter_yaml_nodes) return failed("more than " + std::to_string(k_max_linter_yaml_nodes) + " values");
    if (m_i >= m_s.size()) return failed("unexpected end of the document");
    v.line = m_line;
    char c = m_s[m_i];
    if (c == '"') {
      v.kind = Value::Kind::string;
      return string(v.text);
    }
    if (c == '{' || c == '[') {
      const bool object = c == '{';
      v.kind = object ? Value::Kind::object : Value::Kind::array;
      ++m_i;
      for (;;) {
        skip();
        if (m_i >= m_s.size()) return failed(object ? "unterminated object" : "unterminated array");
        if (m_s[m_i] == (object ? '}' : ']')) {
          ++m_i;
          return true;
        }
        if (object) {
          if (m_s[m_i] != '"') return failed("expected a quoted key");
          std::string key;
          if (!string(key)) return false;
          skip();
          if (m_i >= m_s.size() || m_s[m_i] != ':') return failed("expected ':' after a key");
          ++m_i;
          skip();
          Value member;
          if (!value(member, depth + 1)) return false;
          v.members.emplace_back(std::move(key), std::move(member));
        } else {
          Value item;
          if (!value(item, depth + 1)) return false;
          v.items.push_back(std::move(item));
        }
        skip();
        if (m_i < m_s.size() && m_s[m_i] == ',') ++m_i;
        else if (m_i < m_s.size() && m_s[m_i] != (object ? '}' : ']')) return failed("expected ',' or a closing bracket");
      }
    }
    // A literal: number, true, false, null.
    size_t start = m_i;
    while (m_i < m_s.size() && (std::isalnum(static_cast<unsigned char>(m_s[m_i])) || m_s[m_i] == '-' ||
                                m_s[m_i] == '+' || m_s[m_i] == '.'))
      ++m_i;
    if (m_i == start) return failed(std::string("unexpected character '") + c + "'");
    v.text = std::string(m_s.substr(start, m_i - start));
    v.kind = v.text == "null" ? Value::Kind::null : Value::Kind::scalar;
    return true;
  }

  std::string_view m_s;
  size_t m_i = 0;
  int m_line = 1;
  size_t m_values = 0;
  std::string m_error;
};

// yaml-cpp recurses per level of flow nesting (`[[[[...`): deeper text is refused before it parses.
bool flow_nesting_within(std::string_view text, size_t limit) {
  size_t depth = 0;
  for (char c : text) {
    if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if ((c == ']' || c == '}') && depth) {
      --depth;
    }
  }
  return true;
}

// `*budget` counts the nodes visited: aliases share nodes, so a small file can stand for an
// exponentially large tree ("billion laughs"); the walk stops when the budget is spent.
std::optional<Value> from_yaml(const YAML::Node& node, size_t depth, size_t* budget) {
  if (depth > k_max_linter_config_depth || *budget == 0) return std::nullopt;
  --*budget;
  Value v;
  v.line = node.Mark().line + 1;
  if (node.IsMap()) {
    v.kind = Value::Kind::object;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) continue;
      auto member = from_yaml(kv.second, depth + 1, budget);
      if (!member) return std::nullopt;
      v.members.emplace_back(kv.first.Scalar(), std::move(*member));
    }
  } else if (node.IsSequence()) {
    v.kind = Value::Kind::array;
    for (const auto& item : node) {
      auto i = from_yaml(item, depth + 1, budget);
      if (!i) return std::nullopt;
      v.items.push_back(std::move(*i));
    }
  } else if (node.IsScalar()) {
    // A quoted YAML scalar is a string; plain ones may be numbers. ESLint reads both the same way here.
    v.kind = node.Tag() == "!" ? Value::Kind::string : Value::Kind::scalar;
    v.text = node.Scalar();
  }
  return v;
}

// YAML text as a Value, or nullopt with `*error` set. Never throws.
std::optional<Value> parse_yaml_value(std::string_view text, std::string* error) {
  if (!flow_nesting_within(text, k_max_linter_config_depth)) {
    *error = "nested more than " + std::to_string(k_max_linter_config_depth) + " levels deep";
    return std::nullopt;
  }
  try {
    YAML::Node root = YAML::Load(std::string(text));
    size_t budget = k_max_linter_yaml_nodes;
    auto v = from_yaml(root, 0, &budget);
    if (!v) *error = "nested more than " + std::to_string(k_max_linter_config_depth) + " levels deep, or more than " +
                     std::to_string(k_max_linter_yaml_nodes) + " values (aliases included)";
    return v;
  } catch (const YAML::Exception& e) {
    *error = "line " + std::to_string(e.mark.line + 1) + ": " + e.msg;
  } catch (const std::exception& e) {
    *error = e.what();
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// ESLint

// A rule's severity as ESLint writes it: false = off, true = on, nullopt = not a literal we know.
std::optional<bool> eslint_level(const Value& v) {
  const Value* s = &v;
  if (v.kind == Value::Kind::array) {
    if (v.items.empty()) return std::nullopt;
    s = &v.items.front();
  }
  if (s->kind != Value::Kind::string && s->kind != Value::Kind::scalar) return std::nullopt;
  if (s->text == "off" || s->text == "0") return false;
  if (s->text == "warn" || s->text == "error" || s->text == "1" || s->text == "2") return true;
  return std::nullopt;
}

void read_eslint_object(const Value& root, LinterConfig& out) {
  if (!root.is_object()) {
    out.error = "the configuration is not an object";
    return;
  }
  if (const Value* rules = root.get("rules"); rules && rules->is_object())
    for (const auto& [id, level] : rules->members)
      if (auto on = eslint_level(level); on && out.settings.size() < k_max_linter_settings)
        out.settings.push_back({id, *on, level.line,
                                level.kind == Value::Kind::array && level.items.size() > 1 &&
                                        level.items[1].kind != Value::Kind::array && !level.items[1].is_object()
                                    ? level.items[1].text
                                    : ""});
  if (root.get("overrides")) out.notes.push_back("`overrides` (rules for some files) are not followed");
  if (root.get("extends")) out.notes.push_back("`extends` (shared configs) are not followed; only offs written in the file count");
}

// ---------------------------------------------------------------------------------------------
// A bounded linear reader of JavaScript object literals (eslint.config.js, .eslintrc.js): tokens,
// then one pass with a stack of brackets. Nothing is evaluated.
struct Token {
  enum class Kind { string, word, punct };
  Kind kind;
  std::string_view text;   // a string's content without quotes
  int line;
};

std::vector<Token> js_tokens(std::string_view s) {
  std::vector<Token> out;
  int line = 1;
  size_t i = 0;
  auto regex_may_start = [&] {
    if (out.empty()) return true;
    const Token& p = out.back();
    if (p.kind == Token::Kind::punct) return p.text != ")" && p.text != "]" && p.text != "}";
    if (p.kind == Token::Kind::word) return p.text == "return" || p.text == "typeof" || p.text == "in" || p.text == "of";
    return false;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      i += 2;
      while (i < s.size() && !(s[i] == '*' && i + 1 < s.size() && s[i + 1] == '/')) line += s[i++] == '\n';
      i = std::min(s.size(), i + 2);
    } else if (c == '"' || c == '\'' || c == '`') {
      // Strings end at their quote (or, but for templates, at a line break); a template's ${...} is
      // skipped with it.
      size_t start = ++i;
      int at = line;
      while (i < s.size() && s[i] != c && (c == '`' || s[i] != '\n')) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        line += s[i] == '\n';
        ++i;
      }
      out.push_back({Token::Kind::string, s.substr(start, i - start), at});
      if (c == '`') out.back().text = {}; // not a literal key or level
      if (i < s.size() && s[i] == c) ++i;
    } else if (c == '/' && regex_may_start()) {
      // A regular expression literal: to its closing '/' outside a [...] class, on one line.
      ++i;
      bool in_class = false;
      while (i < s.size() && s[i] != '\n' && (in_class || s[i] != '/')) {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] != '\n') ++i;
        else if (s[i] == '[') in_class = true;
        else if (s[i] == ']') in_class = false;
        ++i;
      }
      if (i < s.size() && s[i] == '/') ++i;
      out.push_back({Token::Kind::word, "/regex/", line});
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '.' ||
               static_cast<unsigned char>(c) >= 0x80) {
      size_t start = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '$' ||
                              s[i] == '.' || static_cast<unsigned char>(s[i]) >= 0x80))
        ++i;
      out.push_back({Token::Kind::word, s.substr(start, i - start), line});
    } else {
      out.push_back({Token::Kind::punct, s.substr(i, 1), line});
      ++i;
    }
  }
  return out;
}

std::optional<bool> js_level(const Token& t) {
  if (t.kind == Token::Kind::punct) return std::nullopt;
  if (t.text == "off" || t.text == "0") return false;
  if (t.text == "warn" || t.text == "error" || t.text == "1" || t.text == "2") return true;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Biome

void read_biome(const Value& root, LinterConfig& out) {
  if (!root.is_object()) {
    out.error = "the configuration is not an object";
    return;
  }
  if (root.get("overrides")) out.notes.push_back("`overrides` (rules for some files) are not followed");
  const Value* linter = root.get("linter");
  const Value* rules = linter && linter->is_object() ? linter->get("rules") : nullptr;
  if (!rules || !rules->is_object()) return;
  auto level_on = [](const Value& v) -> std::optional<bool> {
    const Value* l = &v;
    if (v.is_object()) l = v.get("level");
    if (!l || (l->kind != Value::Kind::string && l->kind != Value::Kind::scalar)) return std::nullopt;
    return l->text != "off";
  };
  for (const auto& [group, body] : rules->members) {
    if (group == "recommended" || group == "all" || group == "$schema") continue;
    if (out.settings.size() >= k_max_linter_settings) break;
    if (body.kind == Value::Kind::string) { // Biome 2: a whole group at one level
      out.settings.push_back({group + "/*", body.text != "off", body.line, {}});
      continue;
    }
    if (!body.is_object()) continue;
    for (const auto& [name, v] : body.members) {
      if (out.settings.size() >= k_max_linter_settings) break;
      if (name == "recommended") continue;
      if (name == "all") {
        if (v.text == "false" || v.text == "true") out.settings.push_back({group + "/*", v.text == "true", v.line, {}});
        continue;
      }
      if (auto on = level_on(v)) out.settings.push_back({group + "/" + name, *on, v.line, {}});
    }
  }
}

// ---------------------------------------------------------------------------------------------
// TOML, the subset ruff's settings use: [tables], dotted and quoted keys, strings, arrays of strings
// over several lines with comments. Other values are skipped.
struct TomlString {
  std::string key;   // full dotted key: "tool.ruff.lint.ignore"
  std::string value;
  int line;
};

std::string toml_key_part(std::string_view part) {
  size_t b = 0, e = part.size();
  while (b < e && std::isspace(static_cast<unsigned char>(part[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(part[e - 1]))) --e;
  part = part.substr(b, e - b);
  if (part.size() >= 2 && (part.front() == '"' || part.front() == '\'') && part.back() == part.front())
    part = part.substr(1, part.size() - 2);
  return std::string(part);
}

// "a. b.'c.d'" -> "a.b.c.d" (quotes keep a dot inside a part, which ruff's keys never hold).
std::string toml_key(std::string_view raw) {
  std::string out;
  size_t start = 0;
  char quote = 0;
  for (size_t i = 0; i <= raw.size(); ++i) {
    if (i < raw.size() && quote) {
      if (raw[i] == quote) quote = 0;
      continue;
    }
    if (i < raw.size() && (raw[i] == '"' || raw[i] == '\'')) {
      quote = raw[i];
      continue;
    }
    if (i == raw.size() || raw[i] == '.') {
      out += (out.empty() ? "" : ".") + toml_key_part(raw.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// Every string value (alone or in an array) with its full key; `*error` on text that is not TOML
// enough to follow. Linear: each step advances.
std::vector<TomlString> toml_strings(std::string_view s, std::string* error, std::vector<std::string>* tables) {
  std::vector<TomlString> out;
  std::string table;
  int line = 1;
  size_t i = 0;
  auto skip_blank = [&](bool newlines) {
    while (i < s.size()) {
      if (s[i] == '#') {
        while (i < s.size() && s[i] != '\n') ++i;
      } else if (s[i] == '\n' && newlines) {
        ++line;
        ++i;
      } else if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
        ++i;
      } else {
        break;
      }
    }
  };
  // A string at s[i] (basic, literal, or multi-line): its content.
  auto read_string = [&](std::string& value) -> bool {
    char q = s[i];
    if (s.substr(i, 3) == std::string(3, q)) {
      size_t end = s.find(std::string(3, q), i + 3);
      if (end == std::string_view::npos) return false;
      value = std::string(s.substr(i + 3, end - i - 3));
      line += static_cast<int>(std::count(s.begin() + i, s.begin() + end, '\n'));
      i = end + 3;
      return true;
    }
    ++i;
    while (i < s.size() && s[i] != q && s[i] != '\n') {
      if (q == '"' && s[i] == '\\' && i + 1 < s.size()) ++i;
      value += s[i++];
    }
    if (i >= s.size() || s[i] != q) return false;
    ++i;
    return true;
  };
  while (i < s.size() && error->empty()) {
    skip_blank(true);
    if (i >= s.size()) break;
    if (s[i] == '[') {
      size_t end = s.find('\n', i);
      std::string_view header = s.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
      bool array_table = header.size() > 1 && header[1] == '[';
      size_t close = header.find(array_table ? "]]" : "]");
      if (close == std::string_view::npos) {
        *error = "line " + std::to_string(line) + ": unterminated table header";
        break;
      }
      table = toml_key(header.substr(array_table ? 2 : 1, close - (array_table ? 2 : 1)));
      if (tables) tables->push_back(table);
      i += close + (array_table ? 2 : 1);
      skip_blank(false);
      continue;
    }
    // key = value
    size_t eq = i;
    char quote = 0;
    while (eq < s.size() && s[eq] != '\n' && (quote || s[eq] != '=')) {
      if (quote && s[eq] == quote) quote = 0;
      else if (!quote && (s[eq] == '"' || s[eq] == '\'')) quote = s[eq];
      ++eq;
    }
    if (eq >= s.size() || s[eq] != '=') {
      *error = "line " + std::to_string(line) + ": expected `key = value`";
      break;
    }
    std::string key = toml_key(s.substr(i, eq - i));
    if (!table.empty()) key = table + "." + key;
    i = eq + 1;
    skip_blank(false);
    if (i >= s.size()) break;
    if (s[i] == '"' || s[i] == '\'') {
      std::string value;
      int at = line;
      if (!read_string(value)) {
        *error = "line " + std::to_string(at) + ": unterminated string";
        break;
      }
      out.push_back({key, value, at});
    } else if (s[i] == '[' || s[i] == '{') {
      // An array (of strings, or anything: nested brackets are skipped) or an inline table.
      size_t depth = 0;
      do {
        skip_blank(true);
        if (i >= s.size()) break;
        char c = s[i];
        if (c == '[' || c == '{') {
          if (++depth > k_max_linter_config_depth) {
            *error = "line " + std::to_string(line) + ": nested too deeply";
            break;
          }
          ++i;
        } else if (c == ']' || c == '}') {
          --depth;
          ++i;
        } else if (c == '"' || c == '\'') {
          std::string value;
          int at = line;
          if (!read_string(value)) {
            *error = "line " + std::to_string(at) + ": unterminated string";
            break;
          }
          if (depth == 1 && out.size() < k_max_linter_settings) out.push_back({key, value, at});
        } else {
          ++i;
        }
      } while (depth > 0 && error->empty());
      if (depth > 0 && error->empty()) *error = "unterminated array";
    }
    // The rest of the line (a number, a boolean, a comment).
    while (i < s.size() && s[i] != '\n') {
      if (s[i] == '"' || s[i] == '\'') {
        std::string ignored;
        if (!read_string(ignored)) break;
      } else {
        ++i;
      }
    }
  }
  return out;
}

// Whether a selector covers a code. flake8 compares plain prefixes (`S` covers SIM118). Ruff names a
// linter by the letters and a prefix of the digits: `S` is flake8-bandit and does not cover SIM
// (flake8-simplify), `E7` covers E711; `PL` is the one umbrella over several (PLC, PLE, PLR, PLW);
// `ALL` covers everything.
bool code_matches(const std::string& tool, const std::string& selector, const std::string& code) {
  if (selector == "ALL") return true;
  if (code.rfind(selector, 0) != 0) return false;
  if (tool != "ruff") return true;
  auto letters = [](const std::string& s) {
    size_t n = 0;
    while (n < s.size() && std::isalpha(static_cast<unsigned char>(s[n]))) ++n;
    return n;
  };
  const size_t sel = letters(selector), cod = letters(code);
  return sel == cod || (sel < cod && selector == "PL");
}

} // namespace

// ---------------------------------------------------------------------------------------------

LinterConfig parse_eslint_json(std::string_view text, const std::string& file) {
  LinterConfig out{"eslint", file, {}, {}, {}};
  JsonReader reader(text);
  auto root = reader.parse();
  if (!root) out.error = reader.error();
  else read_eslint_object(*root, out);
  return out;
}

LinterConfig parse_eslint_package_json(std::string_view text, const std::string& file) {
  LinterConfig out{"eslint", file, {}, {}, {}};
  JsonReader reader(text);
  auto root = reader.parse();
  if (!root) {
    out.error = reader.error();
  } else if (!root->is_object()) {
    out.error = "the file is not a JSON object";
  } else if (const Value* config = root->get("eslintConfig")) {
    read_eslint_object(*config, out);
  }
  return out;
}

LinterConfig parse_eslint_yaml(std::string_view text, const std::string& file) {
  LinterConfig out{"eslint", file, {}, {}, {}};
  std::string error;
  auto root = parse_yaml_value(text, &error);
  if (!root) out.error = error;
  else read_eslint_object(*root, out);
  return out;
}

LinterConfig parse_eslint_js(std::string_view text, const std::string& file) {
  LinterConfig out{"eslint", file, {}, {}, {}};
  const auto tokens = js_tokens(text);
  // One record per object literal: does it hold `files`? Entries of a `rules` object belong to the
  // object holding that key, and count only if that object has no `files`.
  struct Object {
    bool has_files = false;
  };
  struct Frame {
    char open;
    int object = -1;   // index in objects, for '{'
    bool rules = false;
    int owner = -1;    // for a rules object: the object holding `rules`
  };
  std::vector<Object> objects;
  std::vector<Frame> stack;
  std::vector<std::pair<int, LinterSetting>> found;
  bool spread_rules = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind == Token::Kind::punct && (t.text == "{" || t.text == "[" || t.text == "(")) {
      if (stack.size() >= k_max_linter_config_depth) {
        out.error = "line " + std::to_string(t.line) + ": nested more than " + std::to_string(k_max_linter_config_depth) + " levels deep";
        return out;
      }
      Frame f{t.text[0]};
      if (t.text == "{") {
        f.object = static_cast<int>(objects.size());
        objects.push_back({});
        // `rules: {` opens the rules of the enclosing object.
        if (i >= 2 && tokens[i - 1].text == ":" && tokens[i - 1].kind == Token::Kind::punct &&
            tokens[i - 2].text == "rules" && tokens[i - 2].kind != Token::Kind::punct && !stack.empty() &&
            stack.back().object >= 0) {
          f.rules = true;
          f.owner = stack.back().object;
        }
      }
      stack.push_back(f);
      continue;
    }
    if (t.kind == Token::Kind::punct && (t.text == "}" || t.text == "]" || t.text == ")")) {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    if (stack.empty() || stack.back().object < 0) continue;
    // A key: a string or word right after '{' or ',' and before ':'.
    const bool key_position = i > 0 && tokens[i - 1].kind == Token::Kind::punct &&
                              (tokens[i - 1].text == "{" || tokens[i - 1].text == ",");
    if (!key_position || t.kind == Token::Kind::punct || i + 1 >= tokens.size() || tokens[i + 1].text != ":" ||
        tokens[i + 1].kind != Token::Kind::punct) {
      // `...something.rules` inside a rules object or beside one: values we cannot see.
      if (t.kind == Token::Kind::word && t.text.size() > 5 && t.text.substr(t.text.size() - 6) == ".rules") spread_rules = true;
      continue;
    }
    Frame& frame = stack.back();
    if (t.text == "files") objects[frame.object].has_files = true;
    if (!frame.rules || i + 2 >= tokens.size()) continue;
    const Token* level = &tokens[i + 2];
    if (level->kind == Token::Kind::punct && level->text == "[" && i + 3 < tokens.size()) level = &tokens[i + 3];
    std::string option;
    if (level != &tokens[i + 2] && i + 5 < tokens.size() && tokens[i + 4].text == "," &&
        tokens[i + 5].kind == Token::Kind::string)
      option = std::string(tokens[i + 5].text);
    if (auto on = js_level(*level); on && found.size() < k_max_linter_settings)
      found.push_back({frame.owner, {std::string(t.text), *on, t.line, option}});
  }
  bool per_file = false;
  for (auto& [owner, setting] : found) {
    if (objects[owner].has_files) per_file = true;
    else out.settings.push_back(std::move(setting));
  }
  out.notes.push_back("read as text, never run: only `rules` entries written as literals count");
  if (per_file) out.notes.push_back("rules in objects with `files` (for some files) are not followed");
  if (spread_rules) out.notes.push_back("rules spread from other configs are not followed");
  return out;
}

LinterConfig parse_biome(std::string_view text, const std::string& file) {
  LinterConfig out{"biome", file, {}, {}, {}};
  JsonReader reader(text);
  auto root = reader.parse();
  if (!root) out.error = reader.error();
  else read_biome(*root, out);
  return out;
}

LinterConfig parse_ruff(std::string_view text, const std::string& file) {
  LinterConfig out{"ruff", file, {}, {}, {}};
  std::string error;
  std::vector<std::string> tables;
  auto strings = toml_strings(text, &error, &tables);
  if (!error.empty()) {
    out.error = error;
    return out;
  }
  // pyproject.toml keeps ruff's settings under tool.ruff; ruff.toml at the top.
  const bool pyproject = std::filesystem::path(file).filename() == "pyproject.toml";
  const std::string root = pyproject ? "tool.ruff." : "";
  for (const auto& s : strings) {
    if (s.key.rfind(root, 0) != 0) continue;
    std::string key = s.key.substr(root.size());
    if (key.rfind("lint.", 0) == 0) key = key.substr(5);
    const bool on = key == "select" || key == "extend-select";
    const bool off = key == "ignore" || key == "extend-ignore";
    if (!on && !off) {
      if (key == "extend") out.notes.push_back("`extend` (" + s.value + ") is not followed");
      continue;
    }
    std::string code = toml_key_part(s.value);
    if (code.empty() || (off && code == "ALL")) continue; // ignore = ["ALL"] resets, then select chooses
    out.settings.push_back({code, on, s.line, {}});
  }
  for (const auto& t : tables)
    if (t.rfind(root, 0) == 0 && t.find("per-file-ignores") != std::string::npos) {
      out.notes.push_back("`per-file-ignores` are not followed");
      break;
    }
  for (const auto& s : strings)
    if (s.key.rfind(root, 0) == 0 && s.key.find("per-file-ignores") != std::string::npos) {
      if (out.notes.empty() || out.notes.back() != "`per-file-ignores` are not followed")
        out.notes.push_back("`per-file-ignores` are not followed");
      break;
    }
  return out;
}

LinterConfig parse_flake8(std::string_view text, const std::string& file) {
  LinterConfig out{"flake8", file, {}, {}, {}};
  bool in_section = false;
  std::string key;
  int line = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(i, end - i);
    i = end + 1;
    ++line;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    size_t b = l.find_first_not_of(" \t");
    if (b == std::string_view::npos || l[b] == '#' || l[b] == ';') continue;
    std::string_view value;
    if (b == 0 && l[0] == '[') {
      size_t close = l.find(']');
      in_section = close != std::string_view::npos && toml_key_part(l.substr(1, close - 1)) == "flake8";
      key.clear();
      continue;
    }
    if (!in_section) continue;
    if (b == 0) {
      size_t sep = l.find_first_of("=:");
      if (sep == std::string_view::npos) {
        key.clear();
        continue;
      }
      key = toml_key_part(l.substr(0, sep));
      std::replace(key.begin(), key.end(), '_', '-');
      value = l.substr(sep + 1);
    } else {
      value = l; // a continuation line of the current key
    }
    const bool on = key == "select" || key == "extend-select";
    const bool off = key == "ignore" || key == "extend-ignore";
    if (!on && !off) continue;
    if (size_t hash = value.find(" #"); hash != std::string_view::npos) value = value.substr(0, hash);
    size_t j = 0;
    while (j < value.size() && out.settings.size() < k_max_linter_settings) {
      while (j < value.size() && (value[j] == ',' || std::isspace(static_cast<unsigned char>(value[j])))) ++j;
      size_t start = j;
      while (j < value.size() && value[j] != ',' && !std::isspace(static_cast<unsigned char>(value[j]))) ++j;
      if (j > start) out.settings.push_back({std::string(value.substr(start, j - start)), on, line, {}});
    }
  }
  return out;
}

LinterConfig parse_clang_tidy(std::string_view text, const std::string& file) {
  LinterConfig out{"clang-tidy", file, {}, {}, {}};
  if (!flow_nesting_within(text, k_max_linter_config_depth)) {
    out.error = "nested more than " + std::to_string(k_max_linter_config_depth) + " levels deep";
    return out;
  }
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) return out;
    if (!root.IsMap()) {
      out.error = "the file is not a YAML map";
      return out;
    }
    YAML::Node checks = root["Checks"];
    if (!checks) return out;
    if (root["InheritParentConfig"]) out.notes.push_back("`InheritParentConfig`: configs above the repository are not read");
    std::vector<std::string> globs;
    if (checks.IsScalar()) {
      globs.push_back(checks.Scalar());
    } else if (checks.IsSequence()) {
      for (const auto& c : checks)
        if (c.IsScalar()) globs.push_back(c.Scalar());
    } else {
      out.error = "line " + std::to_string(checks.Mark().line + 1) + ": `Checks` is neither a string nor a list";
      return out;
    }
    // Each glob's line: found in order in the text after the key, counting line breaks on the way.
    const int pos = checks.Mark().pos;
    size_t at = pos >= 0 && static_cast<size_t>(pos) < text.size() ? static_cast<size_t>(pos) : text.size();
    int line = checks.Mark().line + 1;
    for (const auto& g : globs) {
      size_t j = 0;
      while (j < g.size() && out.settings.size() < k_max_linter_settings) {
        while (j < g.size() && (g[j] == ',' || std::isspace(static_cast<unsigned char>(g[j])))) ++j;
        size_t start = j;
        while (j < g.size() && g[j] != ',' && !std::isspace(static_cast<unsigned char>(g[j]))) ++j;
        if (j == start) continue;
        std::string glob = g.substr(start, j - start);
        if (size_t found = text.find(glob, at); found != std::string_view::npos) {
          line += static_cast<int>(std::count(text.begin() + at, text.begin() + found, '\n'));
          at = found;
        }
        const bool off = glob[0] == '-';
        if (off) glob = glob.substr(1);
        if (glob.empty() || (off && glob == "*")) continue; // `-*` resets before a selection
        out.settings.push_back({glob, !off, line, {}});
      }
    }
  } catch (const YAML::Exception& e) {
    out.error = "line " + std::to_string(e.mark.line + 1) + ": " + e.msg;
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

std::string equivalents_tool(const std::string& tool) { return tool == "flake8" ? "ruff" : tool; }

std::optional<LinterSetting> decide(const LinterConfig& config, const std::string& peer) {
  if (!config.error.empty()) return std::nullopt;
  const auto& settings = config.settings;
  if (config.tool == "eslint") {
    for (auto it = settings.rbegin(); it != settings.rend(); ++it)
      if (it->pattern == peer) return *it;
    return std::nullopt;
  }
  if (config.tool == "biome") {
    // A rule's own entry wins over its group's; a rule matches by name in any group (Biome moves
    // rules between groups across versions: style/noVar became suspicious/noVar).
    const size_t slash = peer.find('/');
    const std::string group = peer.substr(0, slash), name = slash == std::string::npos ? peer : peer.substr(slash + 1);
    std::optional<LinterSetting> by_group;
    for (auto it = settings.rbegin(); it != settings.rend(); ++it) {
      const size_t s = it->pattern.find('/');
      const std::string g = it->pattern.substr(0, s), n = s == std::string::npos ? "" : it->pattern.substr(s + 1);
      if (n == name) return *it;
      if (n == "*" && g == group && !by_group) by_group = *it;
    }
    return by_group;
  }
  if (config.tool == "ruff" || config.tool == "flake8") {
    // The most specific selector wins (ALL the least); at equal length ignore wins over select.
    std::optional<LinterSetting> best;
    size_t best_length = 0;
    for (const auto& s : settings) {
      if (!code_matches(config.tool, s.pattern, peer)) continue;
      const size_t length = s.pattern == "ALL" ? 0 : s.pattern.size();
      if (!best || length > best_length || (length == best_length && !s.on)) {
        best = s;
        best_length = length;
      }
    }
    return best;
  }
  if (config.tool == "clang-tidy") {
    for (auto it = settings.rbegin(); it != settings.rend(); ++it)
      if (core::glob_match(it->pattern, peer)) return *it;
    return std::nullopt;
  }
  return std::nullopt;
}

std::string ProjectOff::describe() const {
  if (!option.empty())
    return "the project's " + file + " sets " + peer + " to \"" + option + "\", which allows it (line " + std::to_string(line) + ")";
  std::string how = pattern == peer ? "" : "by `" + pattern + "`, ";
  return "the project's " + file + " turns off " + peer + " (" + how + "line " + std::to_string(line) + ")";
}

namespace {

// Options of a peer rule that allow what one of ours reports (see the header).
struct OptionOff {
  const char* rule;
  const char* tool;
  const char* peer;
  const char* option;
};
constexpr OptionOff k_option_offs[] = {
    {"javascript/eqeqeq-typeof", "eslint", "eqeqeq", "smart"},
};

bool option_allows(const Rule& rule, const std::string& tool, const std::string& peer, const LinterSetting& s) {
  for (const auto& o : k_option_offs)
    if (rule.id == o.rule && tool == o.tool && peer == o.peer && s.option == o.option) return true;
  return false;
}

} // namespace

std::optional<ProjectOff> ProjectLinters::turns_off(const Rule& rule) const {
  std::optional<ProjectOff> off;
  for (const auto& config : configs) {
    auto it = rule.equivalents.find(equivalents_tool(config.tool));
    if (it == rule.equivalents.end()) continue;
    for (const auto& peer : it->second) {
      auto setting = decide(config, peer);
      if (!setting) continue;
      if (setting->on && option_allows(rule, config.tool, peer, *setting)) {
        if (!off) off = ProjectOff{config.tool, config.file, peer, setting->pattern, setting->line, setting->option};
        continue;
      }
      if (setting->on) return std::nullopt; // one linter still runs an equivalent: the project wants it
      if (!off) off = ProjectOff{config.tool, config.file, peer, setting->pattern, setting->line, {}};
    }
  }
  return off;
}

std::vector<std::string> ProjectLinters::problems() const {
  std::vector<std::string> out;
  for (const auto& c : configs) {
    if (!c.error.empty()) out.push_back(c.file + ": ignored (" + c.error + ")");
    for (const auto& n : c.notes) out.push_back(c.file + ": " + n);
  }
  return out;
}

ProjectLinters read_project_linters(const ReadRootFile& read) {
  ProjectLinters out;
  // The first of `names` that exists (read or refused), parsed by `parse`. Returns whether one was found.
  auto first = [&](std::initializer_list<const char*> names,
                   LinterConfig (*parse)(std::string_view, const std::string&), const char* tool) {
    for (const char* name : names) {
      std::string error;
      auto text = read(name, &error);
      if (!text && error.empty()) continue;
      if (!text) out.configs.push_back({tool, name, {}, {}, error});
      else out.configs.push_back(parse(*text, name));
      return true;
    }
    return false;
  };
  // ESLint: a flat config first (ESLint 9), else the eslintrc files in ESLint's own order.
  if (!first({"eslint.config.js", "eslint.config.mjs", "eslint.config.cjs", "eslint.config.ts", "eslint.config.mts",
              "eslint.config.cts"},
             parse_eslint_js, "eslint") &&
      !first({".eslintrc.js", ".eslintrc.cjs"}, parse_eslint_js, "eslint") &&
      !first({".eslintrc.yaml", ".eslintrc.yml"}, parse_eslint_yaml, "eslint") &&
      !first({".eslintrc.json"}, parse_eslint_json, "eslint")) {
    std::string error;
    if (auto text = read(".eslintrc", &error)) {
      // JSON or YAML: JSON(C) first, YAML (of which JSON is nearly a subset) when that fails.
      LinterConfig json = parse_eslint_json(*text, ".eslintrc");
      out.configs.push_back(json.error.empty() ? json : parse_eslint_yaml(*text, ".eslintrc"));
    } else if (!error.empty()) {
      out.configs.push_back({"eslint", ".eslintrc", {}, {}, error});
    } else {
      error.clear();
      auto package = read("package.json", &error);
      if (package && package->find("\"eslintConfig\"") != std::string::npos)
        out.configs.push_back(parse_eslint_package_json(*package, "package.json"));
    }
  }
  first({"biome.json", "biome.jsonc"}, parse_biome, "biome");
  // Ruff: its own files, else pyproject.toml when it has a [tool.ruff] table.
  if (!first({".ruff.toml", "ruff.toml"}, parse_ruff, "ruff")) {
    std::string error;
    auto text = read("pyproject.toml", &error);
    if (text && text->find("tool.ruff") != std::string::npos) out.configs.push_back(parse_ruff(*text, "pyproject.toml"));
    else if (!text && !error.empty()) out.configs.push_back({"ruff", "pyproject.toml", {}, {}, error});
  }
  // flake8: .flake8, else the [flake8] section of setup.cfg or tox.ini.
  if (!first({".flake8"}, parse_flake8, "flake8"))
    for (const char* name : {"setup.cfg", "tox.ini"}) {
      std::string error;
      auto text = read(name, &error);
      if (text && text->find("[flake8]") != std::string::npos) {
        out.configs.push_back(parse_flake8(*text, name));
        break;
      }
    }
  first({".clang-tidy"}, parse_clang_tidy, "clang-tidy");
  return out;
}

ProjectLinters read_project_linters(const git::Repository& repo, const std::string& commit) {
  if (commit.empty()) return {};
  return read_project_linters([&](const std::string& path, std::string* error) -> std::optional<std::string> {
    auto entry = repo.entry_at(commit, path);
    if (!entry) return std::nullopt;
    if (entry->mode == 0120000) {
      *error = "a symlink; not followed";
      return std::nullopt;
    }
    if (repo.blob_size(entry->blob) > k_max_linter_config_bytes) {
      *error = "larger than the " + core::describe_size(k_max_linter_config_bytes) + " limit for linter configs";
      return std::nullopt;
    }
    return repo.read_blob(entry->blob);
  });
}

void apply_project_linters(std::vector<Rule>& rules, const ProjectLinters& linters, const std::vector<std::string>& enable) {
  const std::set<std::string> on(enable.begin(), enable.end());
  for (auto& r : rules) {
    if (!r.enabled || r.equivalents.empty() || on.count(r.id)) continue;
    if (auto off = linters.turns_off(r)) {
      r.enabled = false;
      r.off_reason = off->describe();
    }
  }
}

} // namespace scan
