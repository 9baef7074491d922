#include "fix/template.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cctype>

namespace fix {

namespace {

using scan::Capture;
using scan::Finding;
using scan::FixEdit;
using scan::Rule;

const Capture* find_capture(const Finding& finding, const std::string& name) {
  for (const auto& c : finding.captures)
    if (c.name == name) return &c;
  return nullptr;
}

// The blanks between the start of the capture's line and the capture; nullopt when code precedes it.
std::optional<std::string> indent_of(std::string_view source, size_t at) {
  size_t begin = at;
  while (begin > 0 && source[begin - 1] != '\n') --begin;
  for (size_t i = begin; i < at; ++i)
    if (source[i] != ' ' && source[i] != '\t') return std::nullopt;
  return std::string(source.substr(begin, at - begin));
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A name, attribute, call or subscript (`a.b(c)[d]`): what `not` and other prefixes may take
// without parentheses. Brackets are balanced; a string anywhere makes it "not simple" (its text
// could hold brackets), as does anything else between the groups.
bool is_primary(std::string_view t) {
  if (t.empty() || !is_word_char(t[0])) return false;
  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    if (is_word_char(c) || c == '.') {
      ++i;
      continue;
    }
    if (c != '(' && c != '[') return false;
    int depth = 0;
    for (; i < t.size(); ++i) {
      char d = t[i];
      if (d == '\'' || d == '"' || d == '`' || d == '#' || d == '\n') return false;
      if (d == '(' || d == '[' || d == '{') ++depth;
      if (d == ')' || d == ']' || d == '}') --depth;
      if (depth == 0) break;
    }
    if (i >= t.size()) return false;
    ++i;
  }
  return true;
}

// The body of a one-line string literal without escapes ('...' or "..."; `quote` gets its quote);
// nullopt for anything else. `prefixes` are the letters allowed before the quote.
std::optional<std::string_view> plain_string_body(std::string_view t, std::string_view prefixes, char& quote) {
  size_t i = 0;
  while (i < t.size() && prefixes.find(t[i]) != std::string_view::npos) ++i;
  if (i > 1 || t.size() < i + 2) return std::nullopt;
  quote = t[i];
  if ((quote != '\'' && quote != '"') || t.back() != quote) return std::nullopt;
  std::string_view body = t.substr(i + 1, t.size() - i - 2);
  for (char c : body)
    if (c == '\'' || c == '"' || c == '\\' || c == '\n' || c == '`') return std::nullopt;
  return body;
}

std::vector<std::string_view> split_words(std::string_view body) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && body[i] == ' ') ++i;
    size_t start = i;
    while (i < body.size() && body[i] != ' ') ++i;
    if (i > start) words.push_back(body.substr(start, i - start));
  }
  return words;
}

// A command string /bin/sh would split into exactly its space-separated words and run as a
// program: no quoting, expansion, redirection, globbing, comments, assignments or builtins.
std::optional<std::string> python_argv(std::string_view literal) {
  char quote = 0;
  auto body = plain_string_body(literal, "rRuU", quote);
  if (!body) return std::nullopt;
  for (char c : *body)
    if (!is_word_char(c) && c != ' ' && std::string_view("./:@%+=,-").find(c) == std::string_view::npos)
      return std::nullopt;
  auto words = split_words(*body);
  if (words.empty() || words.front().find('=') != std::string_view::npos) return std::nullopt;
  // Builtins and reserved words of sh that have no program of the same name (or whose program differs).
  static const char* const k_shell_only[] = {
      "alias", "bg", "break", "case", "cd", "command", "continue", "do", "done", "elif", "else", "esac",
      "eval", "exec", "exit", "export", "fc", "fg", "fi", "for", "function", "getopts", "hash", "if",
      "in", "jobs", "let", "local", "read", "readonly", "return", "select", "set", "shift", "source",
      "then", "time", "times", "trap", "type", "typeset", "ulimit", "umask", "unalias", "unset", "until",
      "wait", "while"};
  for (const char* b : k_shell_only)
    if (words.front() == b) return std::nullopt;
  std::string out = "[";
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) out += ", ";
    out += quote;
    out += words[i];
    out += quote;
  }
  return out + "]";
}

// Code in a string that runs the same in an arrow function as when the timer compiles it, apart
// from scope (names resolve lexically, not globally: the fix is unsafe): no declarations (they would
// become local), `this`, `arguments`, `return`, comments, or nested quotes.
std::optional<std::string> js_thunk(std::string_view literal) {
  char quote = 0;
  auto body = plain_string_body(literal, "", quote);
  if (!body) return std::nullopt;
  std::string_view code = *body;
  while (!code.empty() && (code.back() == ' ' || code.back() == ';')) code.remove_suffix(1);
  while (!code.empty() && code.front() == ' ') code.remove_prefix(1);
  if (code.empty() || code.find("//") != std::string_view::npos || code.find("/*") != std::string_view::npos)
    return std::nullopt;
  static const char* const k_refused[] = {"this", "arguments", "var", "let", "const", "function", "class",
                                          "return", "yield", "await", "eval", "import", "export"};
  for (size_t i = 0; i < code.size();) {
    if (!is_word_char(code[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < code.size() && is_word_char(code[i])) ++i;
    std::string_view word = code.substr(start, i - start);
    for (const char* r : k_refused)
      if (word == r) return std::nullopt;
  }
  int depth = 0;
  for (char c : code) {
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    if (depth < 0) return std::nullopt;
  }
  if (depth != 0) return std::nullopt;
  return "() => { " + std::string(code) + "; }";
}

std::optional<std::string> filtered(std::string_view filter, std::string_view text, std::string_view source,
                                    const Capture& c) {
  if (filter == "indent") return indent_of(source, c.start_byte);
  if (filter == "indent_in") {
    auto ind = indent_of(source, c.start_byte);
    if (!ind) return std::nullopt;
    return *ind + (ind->find('\t') != std::string::npos ? "\t" : "    ");
  }
  if (filter == "eol") {
    // Nothing but blanks or a comment after the capture on its line: a statement replaced by lines
    // of its own does not take what follows it (`assert x; y = 1`) into a new block.
    for (size_t i = c.end_byte; i < source.size() && source[i] != '\n'; ++i) {
      if (source[i] == '#') break;
      if (source[i] != ' ' && source[i] != '\t' && source[i] != '\r') return std::nullopt;
    }
    return std::string();
  }
  if (filter == "paren") return is_primary(text) ? std::string(text) : "(" + std::string(text) + ")";
  if (filter == "argv") return python_argv(text);
  if (filter == "js_thunk") return js_thunk(text);
  return std::nullopt;
}

// Expands {{name}}, {{name?}} and {{name|filter}} with the captured text; nullopt when a placeholder
// names an absent capture (without `?`) or its filter does not apply.
std::optional<std::string> expand(const std::string& tmpl, const Finding& finding, std::string_view source) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find("{{", i);
    if (open == std::string::npos) break;
    size_t close = tmpl.find("}}", open + 2);
    if (close == std::string::npos) break;
    out.append(tmpl, i, open - i);
    std::string name = tmpl.substr(open + 2, close - open - 2), filter;
    if (size_t bar = name.find('|'); bar != std::string::npos) {
      filter = name.substr(bar + 1);
      name.resize(bar);
    }
    bool optional = !name.empty() && name.back() == '?';
    if (optional) name.pop_back();
    const Capture* c = find_capture(finding, name);
    i = close + 2;
    if (!c && optional) continue;
    if (!c || c->end_byte > source.size()) return std::nullopt;
    std::string_view text = source.substr(c->start_byte, c->end_byte - c->start_byte);
    if (filter.empty()) {
      out.append(text);
      continue;
    }
    auto x = filtered(filter, text, source, *c);
    if (!x) return std::nullopt;
    out += *x;
  }
  out.append(tmpl, i, std::string::npos);
  return out;
}

// [start, end) widened over the blanks and the one comma that separate a list element from its
// neighbour: the comma after it (and the blanks after that), or else the comma before it. nullopt
// when neither side has a comma with only blanks between (a comment there: better no fix).
std::optional<std::pair<uint32_t, uint32_t>> item_range(std::string_view source, uint32_t start, uint32_t end) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t after = end;
  while (after < source.size() && blank(source[after])) ++after;
  if (after < source.size() && source[after] == ',') {
    size_t next = after + 1;
    while (next < source.size() && blank(source[next])) ++next;
    // A trailing comma before the closing bracket: the element is the last one; it goes with the
    // blanks before it and its comma, and the list keeps its trailing comma (or its only one goes).
    if (next < source.size() && (source[next] == ')' || source[next] == ']' || source[next] == '}')) {
      size_t before = start;
      while (before > 0 && blank(source[before - 1])) --before;
      return std::make_pair(uint32_t(before), uint32_t(after + 1));
    }
    return std::make_pair(start, uint32_t(next));
  }
  size_t before = start;
  while (before > 0 && blank(source[before - 1])) --before;
  if (before > 0 && source[before - 1] == ',') return std::make_pair(uint32_t(before - 1), end);
  return std::nullopt;
}

// The whole lines [start, end) with each line that is not blank indented one level more: a tab
// where the line's indentation has one, else four spaces. nullopt unless the range is whole lines.
std::optional<std::string> indented(std::string_view source, uint32_t start, uint32_t end) {
  if (start >= end || (start > 0 && source[start - 1] != '\n') || source[end - 1] != '\n') return std::nullopt;
  std::string out;
  for (size_t at = start; at < end;) {
    size_t eol = source.find('\n', at);
    std::string_view line = source.substr(at, eol + 1 - at);
    if (line.find_first_not_of(" \t\r\n") != std::string_view::npos)
      out += line.substr(0, line.find_first_not_of(" \t")).find('\t') != std::string_view::npos ? "\t" : "    ";
    out += line;
    at = eol + 1;
  }
  return out;
}

} // namespace

bool is_fix_filter(std::string_view name) {
  return name == "indent" || name == "indent_in" || name == "eol" || name == "paren" || name == "argv" ||
         name == "js_thunk";
}

std::optional<std::vector<TextEdit>> fix_edits(const Rule& rule, const Finding& finding, std::string_view source) {
  if (rule.fix.empty()) return std::nullopt;
  std::vector<TextEdit> edits;
  for (const auto& e : rule.fix) {
    if (!e.when.empty() && !find_capture(finding, e.when)) continue;
    if (!e.unless.empty() && find_capture(finding, e.unless)) continue;
    const Capture* c = find_capture(finding, e.capture);
    if (!c || c->end_byte > source.size()) return std::nullopt;
    TextEdit t;
    switch (e.op) {
    case FixEdit::Op::replace: {
      t.start = c->start_byte;
      t.end = c->end_byte;
      if (!e.map.empty() && !e.key.empty()) {
        auto key = expand(e.key, finding, source);
        if (!key) return std::nullopt;
        auto it = e.map.find(*key);
        if (it == e.map.end()) return std::nullopt;
        auto x = expand(it->second, finding, source);
        if (!x) return std::nullopt;
        t.text = *x;
      } else if (!e.map.empty()) {
        auto it = e.map.find(std::string(source.substr(c->start_byte, c->end_byte - c->start_byte)));
        if (it == e.map.end()) return std::nullopt;
        auto x = expand(it->second, finding, source); // a map's replacement may use {{capture}} too
        if (!x) return std::nullopt;
        t.text = *x;
      } else {
        auto x = expand(e.text, finding, source);
        if (!x) return std::nullopt;
        t.text = *x;
      }
      break;
    }
    case FixEdit::Op::remove: {
      t.start = c->start_byte;
      t.end = c->end_byte;
      // A node alone on its line takes the whole line with it, not leaving a blank line behind.
      size_t line_begin = source.rfind('\n', t.start == 0 ? 0 : t.start - 1);
      line_begin = (t.start == 0 || line_begin == std::string_view::npos) ? 0 : line_begin + 1;
      size_t line_end = source.find('\n', t.end);
      auto blank = [&](size_t from, size_t to) {
        for (size_t i = from; i < to; ++i)
          if (source[i] != ' ' && source[i] != '\t' && source[i] != '\r') return false;
        return true;
      };
      size_t stop = line_end == std::string_view::npos ? source.size() : line_end;
      if (blank(line_begin, t.start) && blank(t.end, stop)) {
        t.start = static_cast<uint32_t>(line_begin);
        t.end = static_cast<uint32_t>(line_end == std::string_view::npos ? source.size() : line_end + 1);
      }
      break;
    }
    case FixEdit::Op::remove_item: {
      auto range = item_range(source, c->start_byte, c->end_byte);
      if (!range) return std::nullopt;
      t.start = range->first;
      t.end = range->second;
      break;
    }
    case FixEdit::Op::indent: {
      auto text = indented(source, c->start_byte, c->end_byte);
      if (!text) return std::nullopt;
      t.start = c->start_byte;
      t.end = c->end_byte;
      t.text = std::move(*text);
      break;
    }
    case FixEdit::Op::insert_before:
    case FixEdit::Op::insert_after: {
      t.start = t.end = e.op == FixEdit::Op::insert_before ? c->start_byte : c->end_byte;
      auto x = expand(e.text, finding, source);
      if (!x) return std::nullopt;
      t.text = *x;
      break;
    }
    }
    edits.push_back(std::move(t));
  }
  if (edits.empty()) return std::nullopt;
  return edits;
}

std::string apply_edits(std::string_view source, std::vector<TextEdit> edits) {
  std::stable_sort(edits.begin(), edits.end(), [](const TextEdit& a, const TextEdit& b) { return a.start < b.start; });
  std::string out;
  out.reserve(source.size());
  uint32_t at = 0;
  for (const auto& e : edits) {
    if (e.start < at || e.end < e.start || e.end > source.size())
      throw core::Error("fix edits overlap or fall outside the file");
    out.append(source.substr(at, e.start - at));
    out += e.text;
    at = e.end;
  }
  out.append(source.substr(at));
  return out;
}

std::string apply_fixes(const Rule& rule, const std::vector<Finding>& findings, std::string_view source) {
  std::vector<TextEdit> all;
  uint32_t covered_until = 0;
  std::vector<const Finding*> ordered;
  for (const auto& f : findings) ordered.push_back(&f);
  std::sort(ordered.begin(), ordered.end(), [](const Finding* a, const Finding* b) { return a->start_byte < b->start_byte; });
  for (const Finding* f : ordered) {
    auto edits = fix_edits(rule, *f, source);
    if (!edits || edits->empty()) continue;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (const auto& e : *edits) {
      lo = std::min(lo, e.start);
      hi = std::max(hi, e.end);
    }
    if (lo < covered_until) continue; // overlaps an earlier fix: leave it for the next pass
    covered_until = std::max(hi, lo + 1);
    all.insert(all.end(), edits->begin(), edits->end());
  }
  return apply_edits(source, std::move(all));
}

} // namespace fix
