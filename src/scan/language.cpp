#include "scan/language.hpp"

#include <algorithm>
#include <cctype>

namespace scan {

namespace {

std::string lower_extension(std::string_view path) {
  auto slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  std::string ext(base.substr(dot));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

} // namespace

const LanguageProfile* language_by_name(std::string_view name) {
  for (const auto& l : languages())
    if (l.name == name) return &l;
  return nullptr;
}

const LanguageProfile* language_for_path(std::string_view path) {
  std::string ext = lower_extension(path);
  if (ext.empty()) return nullptr;
  for (const auto& l : languages())
    for (auto e : l.extensions)
      if (e == ext) return &l;
  return nullptr;
}

namespace {

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// How an open `#if` block relates to C++: a block only a C++ compiler sees is not evidence that the
// header is C++ (headers shared by both languages wrap their `extern "C" {` that way).
enum class Guard { none, cplusplus, not_cplusplus };

// A reader over a header's text that skips comments and literals and tracks `#if` blocks.
class CppSniffer {
public:
  explicit CppSniffer(std::string_view text) : m_text(text) {}

  bool run() {
    while (m_at < m_text.size()) {
      char c = m_text[m_at];
      if (c == '\n') {
        m_line_start = true;
        ++m_at;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
        ++m_at;
      } else if (c == '/' && peek(1) == '/') {
        skip_to_eol();
      } else if (c == '/' && peek(1) == '*') {
        auto end = m_text.find("*/", m_at + 2);
        m_at = end == std::string_view::npos ? m_text.size() : end + 2;
      } else if (c == '#' && m_line_start) {
        if (directive()) return true;
      } else if (c == '"' || c == '\'') {
        skip_literal(c);
        m_line_start = false;
      } else if (ident_char(c)) {
        size_t start = m_at;
        while (m_at < m_text.size() && ident_char(m_text[m_at])) ++m_at;
        if (!skipped() && word(m_text.substr(start, m_at - start), m_line_start)) return true;
        m_line_start = false;
      } else {
        if (c == '[' && peek(1) == '[') m_attribute = true;
        if (c == ']' && peek(1) == ']') m_attribute = false;
        if (c == ':' && peek(1) == ':' && !m_attribute && !skipped()) return true;
        if (c == ':' && peek(1) == ':') ++m_at;
        ++m_at;
        m_line_start = false;
      }
    }
    return false;
  }

private:
  char peek(size_t ahead) const {
    return m_at + ahead < m_text.size() ? m_text[m_at + ahead] : '\0';
  }
  bool skipped() const {
    return std::find(m_guards.begin(), m_guards.end(), Guard::cplusplus) != m_guards.end();
  }
  void skip_to_eol() {
    auto end = m_text.find('\n', m_at);
    m_at = end == std::string_view::npos ? m_text.size() : end;
  }
  void skip_literal(char quote) {
    ++m_at;
    while (m_at < m_text.size() && m_text[m_at] != quote && m_text[m_at] != '\n') m_at += m_text[m_at] == '\\' ? 2 : 1;
    ++m_at;
  }
  size_t skip_spaces(size_t i) const {
    while (i < m_text.size() && (m_text[i] == ' ' || m_text[i] == '\t' || m_text[i] == '\n' || m_text[i] == '\r')) ++i;
    return i;
  }
  // The identifier at `i` (empty when none), and where it ends.
  std::string_view ident_at(size_t i, size_t& end) const {
    end = i;
    while (end < m_text.size() && ident_char(m_text[end])) ++end;
    return m_text.substr(i, end - i);
  }

  // A preprocessor line: `#if` nesting, and `#include <name>` without an extension (C++'s library).
  bool directive() {
    size_t eol = m_text.find('\n', m_at);
    if (eol == std::string_view::npos) eol = m_text.size();
    std::string_view line = m_text.substr(m_at + 1, eol - m_at - 1);
    m_at = eol;
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string_view::npos) return false;
    size_t j = i;
    while (j < line.size() && ident_char(line[j])) ++j;
    std::string_view name = line.substr(i, j - i);
    std::string_view rest = line.substr(j);
    bool mentions = rest.find("__cplusplus") != std::string_view::npos;
    if (name == "ifdef") {
      m_guards.push_back(mentions ? Guard::cplusplus : Guard::none);
    } else if (name == "ifndef") {
      m_guards.push_back(mentions ? Guard::not_cplusplus : Guard::none);
    } else if (name == "if") {
      bool negated = false;
      if (mentions) {
        // `!defined(__cplusplus)`, `!__cplusplus`: look back over `defined`, parentheses and spaces.
        size_t k = rest.find("__cplusplus");
        while (k > 0 && (rest[k - 1] == ' ' || rest[k - 1] == '\t' || rest[k - 1] == '(')) --k;
        if (k >= 7 && rest.substr(k - 7, 7) == "defined") k -= 7;
        while (k > 0 && (rest[k - 1] == ' ' || rest[k - 1] == '\t' || rest[k - 1] == '(')) --k;
        negated = k > 0 && rest[k - 1] == '!';
      }
      m_guards.push_back(!mentions ? Guard::none : negated ? Guard::not_cplusplus : Guard::cplusplus);
    } else if (name == "else" || name == "elif") {
      if (!m_guards.empty()) {
        Guard& g = m_guards.back();
        g = g == Guard::cplusplus ? Guard::none : g == Guard::not_cplusplus ? Guard::cplusplus : Guard::none;
      }
    } else if (name == "endif") {
      if (!m_guards.empty()) m_guards.pop_back();
    } else if (name == "include" && !skipped()) {
      size_t open = rest.find('<');
      size_t close = rest.find('>');
      if (open != std::string_view::npos && close != std::string_view::npos && close > open + 1) {
        std::string_view header = rest.substr(open + 1, close - open - 1);
        if (header.find('.') == std::string_view::npos) return true;
      }
    }
    return false;
  }

  // Whether the keyword `w` (just read; `first` when it starts its line) is C++-only syntax here.
  bool word(std::string_view w, bool first) {
    size_t next = skip_spaces(m_at), end = 0;
    char after = next < m_text.size() ? m_text[next] : '\0';
    if (w == "nullptr" || w == "constexpr" || w == "virtual" || w == "typename") return true;
    if (w == "template") return after == '<';
    if (w == "namespace") return after == '{' || !ident_at(next, end).empty();
    if (w == "using") {
      std::string_view n = ident_at(next, end);
      if (n == "namespace") return true;
      return !n.empty() && skip_spaces(end) < m_text.size() && m_text[skip_spaces(end)] == '=';
    }
    if (w == "class") {
      std::string_view n = ident_at(next, end);
      if (n.empty()) return false;
      size_t k = skip_spaces(end);
      if (ident_at(k, end) == "final") k = skip_spaces(end);
      char c = k < m_text.size() ? m_text[k] : '\0';
      return c == '{' || c == ';' || (c == ':' && (k + 1 >= m_text.size() || m_text[k + 1] != ':'));
    }
    if (first && (w == "public" || w == "private" || w == "protected"))
      return after == ':' && (next + 1 >= m_text.size() || m_text[next + 1] != ':');
    if (w == "extern" && m_text.substr(next, 5) == "\"C++\"") return true;
    return false;
  }

  std::string_view m_text;
  size_t m_at = 0;
  bool m_line_start = true;
  bool m_attribute = false;   // inside a C23 `[[...]]` attribute, where `gnu::` is C too
  std::vector<Guard> m_guards;
};

// Header text looked at: a C++ header shows itself near the top.
constexpr size_t k_sniff_bytes = 64 * 1024;

} // namespace

bool is_ambiguous_header(std::string_view path) {
  return lower_extension(path) == ".h";
}

bool is_cpp_path(std::string_view path) {
  const LanguageProfile* l = language_for_path(path);
  return l && l->name == "cpp";
}

bool looks_like_cpp(std::string_view content) {
  return CppSniffer(content.substr(0, k_sniff_bytes)).run();
}

const LanguageProfile* language_for_file(std::string_view path, std::string_view content, bool repo_has_cpp) {
  const LanguageProfile* by_extension = language_for_path(path);
  if (!by_extension || !is_ambiguous_header(path)) return by_extension;
  return repo_has_cpp || looks_like_cpp(content) ? language_by_name("cpp") : by_extension;
}

bool contains(const std::vector<std::string_view>& kinds, std::string_view kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

} // namespace scan
