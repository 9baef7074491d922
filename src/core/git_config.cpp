#include "core/git_config.hpp"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <unistd.h>

extern char** environ;

namespace core {

namespace {

namespace fs = std::filesystem;

// git refuses to follow includes deeper than this (it reports a loop).
constexpr int k_max_include_depth = 10;
// A config file larger than this is not read here (git would; the caller asks it).
constexpr std::uintmax_t k_max_file_bytes = 4u << 20;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_alpha(int c) { return c >= 0 && c < 256 && std::isalpha(c); }
bool is_key_char(int c) { return c >= 0 && c < 256 && (std::isalnum(c) || c == '-'); }
// git's own notion of blank (not the locale's): \v and \f are ordinary characters to it.
bool is_blank(int c) { return c == ' ' || c == '\t' || c == '\r'; }

// A hand-written reading of git-config(1)'s syntax, one character at a time as git reads it: a
// section header may share its line with an entry, and "\r\n" reads as "\n".
class Parser {
public:
  explicit Parser(std::string_view text) : m_text(text) {
    if (m_text.substr(0, 3) == "\xEF\xBB\xBF") m_pos = 3; // a UTF-8 byte order mark
  }

  std::optional<std::vector<GitConfigEntry>> entries() {
    std::vector<GitConfigEntry> out;
    std::optional<std::string> section;
    for (;;) {
      int c = next();
      if (c == k_end) return out;
      if (c == '\n' || is_blank(c)) continue;
      if (c == '#' || c == ';') {
        skip_line();
        continue;
      }
      if (c == '[') {
        section = section_header();
        if (!section) return std::nullopt;
        continue;
      }
      if (!is_alpha(c) || !section) return std::nullopt;
      std::string name(1, static_cast<char>(c));
      while (is_key_char(peek())) name += static_cast<char>(next());
      while (peek() == ' ' || peek() == '\t') next();
      GitConfigEntry entry{*section + "." + lower(name), std::nullopt};
      c = next();
      if (c == '=') {
        entry.value = value();
        if (!entry.value) return std::nullopt;
      } else if (c != '\n' && c != k_end) {
        return std::nullopt; // `name junk`, `name # comment`: git rejects both
      }
      out.push_back(std::move(entry));
    }
  }

private:
  static constexpr int k_end = -1;

  int next() {
    if (m_pos >= m_text.size()) return k_end;
    char c = m_text[m_pos++];
    if (c == '\r' && m_pos < m_text.size() && m_text[m_pos] == '\n') c = m_text[m_pos++];
    return static_cast<unsigned char>(c);
  }
  int peek() {
    size_t keep = m_pos;
    int c = next();
    m_pos = keep;
    return c;
  }
  void skip_line() {
    for (int c = next(); c != '\n' && c != k_end; c = next()) {
    }
  }

  // After '[': `name]`, `name "subsection"]`, or the old `name.subsection]` (all lower-cased).
  std::optional<std::string> section_header() {
    std::string name;
    for (;;) {
      int c = next();
      if (c == ']') return name.empty() ? std::nullopt : std::optional<std::string>(name);
      if (is_blank(c)) break;
      if (!is_key_char(c) && c != '.') return std::nullopt;
      name += static_cast<char>(std::tolower(c));
    }
    int c = next();
    while (is_blank(c)) c = next();
    if (c != '"' || name.empty()) return std::nullopt;
    std::string sub;
    for (;;) {
      c = next();
      if (c == '\n' || c == k_end) return std::nullopt;
      if (c == '"') break;
      if (c == '\\') {
        c = next();
        if (c == '\n' || c == k_end) return std::nullopt;
      }
      sub += static_cast<char>(c);
    }
    if (next() != ']') return std::nullopt;
    return name + "." + sub;
  }

  // After '=': the value up to the end of the line. Blanks outside quotes before the value and at its
  // end are dropped, each blank inside it reads as one space; `;` and `#` outside quotes start a
  // comment; \n \t \b \" \\ are escapes and a backslash at the end of a line continues the value.
  std::optional<std::string> value() {
    std::string out;
    bool quoted = false, comment = false;
    size_t blanks = 0;
    for (;;) {
      int c = next();
      if (c == '\n' || c == k_end) {
        if (quoted) return std::nullopt;
        return out;
      }
      if (comment) continue;
      if (is_blank(c) && !quoted) {
        if (!out.empty()) ++blanks;
        continue;
      }
      if (!quoted && (c == ';' || c == '#')) {
        comment = true;
        continue;
      }
      out.append(blanks, ' ');
      blanks = 0;
      if (c == '\\') {
        c = next();
        switch (c) {
        case '\n': continue;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'b': out += '\b'; break;
        case '\\': case '"': out += static_cast<char>(c); break;
        default: return std::nullopt;
        }
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
        continue;
      }
      out += static_cast<char>(c);
    }
  }

  std::string_view m_text;
  size_t m_pos = 0;
};

// "Section.Sub.Name" → "section.Sub.name"; empty when it is not a key.
std::string canonical_key(std::string_view key) {
  size_t first = key.find('.'), last = key.rfind('.');
  if (first == std::string_view::npos || first == 0 || last + 1 == key.size()) return "";
  return lower(key.substr(0, first)) + std::string(key.substr(first, last - first)) + lower(key.substr(last));
}

// git's boolean spelling (git-config(1) "Values"); nullopt when it is none.
std::optional<bool> parse_bool(const std::optional<std::string>& value) {
  if (!value) return true; // a bare name
  std::string v = lower(*value);
  if (v == "true" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "no" || v == "off" || v.empty()) return false;
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (end != v.c_str() && *end == '\0') return n != 0;
  return std::nullopt;
}

const std::string* find_env(const std::map<std::string, std::string>& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? nullptr : &it->second;
}

// Reads one file and the files it includes, in git's order, calling `visit` for each entry; false
// when something was not understood. A missing file is no configuration at all, as for git.
class FileWalker {
public:
  FileWalker(const std::map<std::string, std::string>& env, std::function<void(const GitConfigEntry&)> visit)
      : m_env(env), m_visit(std::move(visit)) {}

  bool walk(const fs::path& file, int depth = 0) {
    if (depth > k_max_include_depth) return false;
    std::error_code ec;
    auto status = fs::status(file, ec);
    if (status.type() == fs::file_type::not_found) return true;
    if (ec || status.type() != fs::file_type::regular) return false;
    if (fs::file_size(file, ec) > k_max_file_bytes || ec) return false;
    std::ifstream in(file, std::ios::binary);
    if (!in) return false;
    std::ostringstream text;
    text << in.rdbuf();
    auto entries = parse_git_config(text.str());
    if (!entries) return false;
    for (const auto& e : *entries) {
      if (e.key == "include.path") {
        auto included = include_path(file, e.value);
        if (!included || !walk(*included, depth + 1)) return false;
      } else if (e.key.rfind("includeif.", 0) == 0 && e.key.size() > 15 && e.key.compare(e.key.size() - 5, 5, ".path") == 0) {
        return false; // conditional includes are git's to evaluate
      } else {
        m_visit(e);
      }
    }
    return true;
  }

private:
  // An include's path: `~/` is the home directory, a relative path is relative to the including file.
  std::optional<fs::path> include_path(const fs::path& from, const std::optional<std::string>& value) const {
    if (!value || value->empty()) return std::nullopt;
    if (value->rfind("~/", 0) == 0) {
      const std::string* home = find_env(m_env, "HOME");
      if (!home || home->empty()) return std::nullopt;
      return fs::path(*home) / value->substr(2);
    }
    if ((*value)[0] == '~') return std::nullopt; // ~user
    fs::path p(*value);
    return p.is_absolute() ? p : from.parent_path() / p;
  }

  const std::map<std::string, std::string>& m_env;
  std::function<void(const GitConfigEntry&)> m_visit;
};

// One shell-quoted word of GIT_CONFIG_PARAMETERS ('it'\''s'), up to an unquoted blank or '='.
std::optional<std::string> parameter_word(std::string_view s, size_t& pos) {
  std::string out;
  if (pos >= s.size() || s[pos] != '\'') return std::nullopt;
  while (pos < s.size() && s[pos] != ' ' && s[pos] != '=') {
    if (s[pos] == '\'') {
      size_t close = s.find('\'', pos + 1);
      if (close == std::string_view::npos) return std::nullopt;
      out.append(s.substr(pos + 1, close - pos - 1));
      pos = close + 1;
    } else if (s[pos] == '\\' && pos + 1 < s.size()) {
      out += s[pos + 1];
      pos += 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// The entries of `git -c` as git hands them to its children: 'key'='value' (or 'key=value' before
// git 2.31), a bare key as 'key'= (or 'key'), blank-separated. nullopt when the text is anything else.
std::optional<std::vector<GitConfigEntry>> parse_parameters(std::string_view s) {
  std::vector<GitConfigEntry> out;
  size_t pos = 0;
  for (;;) {
    while (pos < s.size() && s[pos] == ' ') ++pos;
    if (pos >= s.size()) return out;
    auto key = parameter_word(s, pos);
    if (!key) return std::nullopt;
    GitConfigEntry e;
    if (pos < s.size() && s[pos] == '=') {
      ++pos;
      if (pos < s.size() && s[pos] != ' ') { // 'key'= with nothing after it: a bare key, no value
        e.value = parameter_word(s, pos);
        if (!e.value) return std::nullopt;
      }
    } else if (size_t eq = key->find('='); eq != std::string::npos) {
      e.value = key->substr(eq + 1);
      key->resize(eq);
    }
    e.key = canonical_key(*key);
    if (e.key.empty()) return std::nullopt;
    out.push_back(std::move(e));
  }
}

// GIT_CONFIG_COUNT's GIT_CONFIG_KEY_<n> = GIT_CONFIG_VALUE_<n> entries; nullopt when incomplete.
std::optional<std::vector<GitConfigEntry>> counted_entries(const std::map<std::string, std::string>& env) {
  std::vector<GitConfigEntry> out;
  const std::string* count = find_env(env, "GIT_CONFIG_COUNT");
  if (!count || count->empty()) return out;
  char* end = nullptr;
  long n = std::strtol(count->c_str(), &end, 10);
  if (*end != '\0' || n < 0 || n > 10000) return std::nullopt;
  for (long i = 0; i < n; ++i) {
    const std::string* key = find_env(env, "GIT_CONFIG_KEY_" + std::to_string(i));
    const std::string* value = find_env(env, "GIT_CONFIG_VALUE_" + std::to_string(i));
    if (!key || !value || canonical_key(*key).empty()) return std::nullopt;
    out.push_back({canonical_key(*key), *value});
  }
  return out;
}

} // namespace

std::optional<std::vector<GitConfigEntry>> parse_git_config(std::string_view text) { return Parser(text).entries(); }

std::map<std::string, std::string> git_config_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (!eq) continue;
    std::string name(*e, static_cast<size_t>(eq - *e));
    if (name == "HOME" || name == "XDG_CONFIG_HOME" || name.rfind("GIT_CONFIG", 0) == 0) out[name] = eq + 1;
  }
  return out;
}

GitConfigValue git_config_get(std::string_view key, const GitConfigSources& sources) {
  GitConfigValue out;
  const std::string wanted = canonical_key(key);
  const auto& env = sources.env;
  if (wanted.empty()) return {false, std::nullopt};
  std::optional<bool> worktree_config;
  FileWalker walker(env, [&](const GitConfigEntry& e) {
    if (e.key == wanted) out.value = e.value.value_or("");
    if (e.key == "extensions.worktreeconfig") worktree_config = parse_bool(e.value);
  });
  auto unsure = [] { return GitConfigValue{false, std::nullopt}; };

  // 1. The system file.
  bool no_system = false;
  if (const std::string* v = find_env(env, "GIT_CONFIG_NOSYSTEM")) {
    auto b = parse_bool(*v);
    if (!b) return unsure();
    no_system = *b;
  }
  if (!no_system) {
    const std::string* system = find_env(env, "GIT_CONFIG_SYSTEM");
    if (system && system->empty()) return unsure();
    if (!walker.walk(system ? fs::path(*system) : fs::path("/etc/gitconfig"))) return unsure();
  }
  // 2. The user's files.
  if (const std::string* global = find_env(env, "GIT_CONFIG_GLOBAL")) {
    if (global->empty() || !walker.walk(*global)) return unsure();
  } else {
    const std::string* home = find_env(env, "HOME");
    const std::string* xdg = find_env(env, "XDG_CONFIG_HOME");
    if (!home || home->empty()) return unsure();
    fs::path xdg_file = xdg && !xdg->empty() ? fs::path(*xdg) / "git" / "config" : fs::path(*home) / ".config" / "git" / "config";
    if (!walker.walk(xdg_file) || !walker.walk(fs::path(*home) / ".gitconfig")) return unsure();
  }
  // 3. The repository's own, then its work tree's when the repository asks for one.
  if (sources.common_dir) {
    worktree_config = false;
    if (!walker.walk(*sources.common_dir / "config")) return unsure();
    if (!worktree_config) return unsure(); // an extensions.worktreeConfig that is not a boolean
    if (*worktree_config && sources.git_dir && !walker.walk(*sources.git_dir / "config.worktree")) return unsure();
  }
  // 4. The command line: git -c (GIT_CONFIG_PARAMETERS) and GIT_CONFIG_COUNT. Should both set the
  //    key, their order is git's business.
  auto counted = counted_entries(env);
  std::optional<std::vector<GitConfigEntry>> given = std::vector<GitConfigEntry>{};
  if (const std::string* p = find_env(env, "GIT_CONFIG_PARAMETERS")) given = parse_parameters(*p);
  if (!counted || !given) return unsure();
  int sources_setting_it = 0;
  for (const auto* list : {&*counted, &*given}) {
    bool sets = false;
    for (const auto& e : *list) {
      if (e.key == "include.path" || e.key.rfind("includeif.", 0) == 0) return unsure();
      if (e.key == wanted) {
        out.value = e.value.value_or("");
        sets = true;
      }
    }
    sources_setting_it += sets;
  }
  if (sources_setting_it > 1) return unsure();
  return out;
}

} // namespace core
