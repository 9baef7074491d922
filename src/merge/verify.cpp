#include "merge/verify.hpp"

#include "merge/regions.hpp"
#include "scan/syntax_tree.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cctype>
#include <iterator>
#include <string_view>
#include <unordered_map>

namespace merge {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string_view strip(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// `s` cut at each `separator` outside brackets and quotes.
std::vector<std::string_view> top_level_split(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  int depth = 0;
  char quote = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'' || c == '`') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{' || c == '<') {
      ++depth;
    } else if ((c == ')' || c == ']' || c == '}' || c == '>') && depth > 0) {
      --depth;
    } else if (c == separator && depth == 0) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

// What follows the last " as " of an import item, or the item itself.
std::string_view alias_or(std::string_view item) {
  size_t as = item.rfind(" as ");
  return strip(as == std::string_view::npos ? item : item.substr(as + 4));
}

// The last segment of a path joined by `separator` ("a.b.C" → "C").
std::string_view last_segment(std::string_view path, std::string_view separator) {
  size_t at = path.rfind(separator);
  return strip(at == std::string_view::npos ? path : path.substr(at + separator.size()));
}

// The text between the outermost `open` and its matching `close`, or nullopt.
std::optional<std::pair<std::string_view, std::string_view>> braced(std::string_view s, char open, char close) {
  size_t b = s.find(open);
  size_t e = s.rfind(close);
  if (b == std::string_view::npos || e == std::string_view::npos || e < b) return std::nullopt;
  return std::make_pair(s.substr(0, b), s.substr(b + 1, e - b - 1));
}

void add(std::vector<std::string>& out, std::string_view name) {
  name = strip(name);
  if (starts_with(name, "type ")) name = strip(name.substr(5));
  if (name.empty() || name == "*" || name == "_" || name == ".") return;
  out.emplace_back(name);
}

void javascript_names(std::string_view text, std::vector<std::string>& out) {
  size_t from = text.rfind(" from ");
  if (!starts_with(text, "import") || from == std::string_view::npos) return; // `import "m"` binds nothing
  std::string_view clause = strip(text.substr(6, from - 6));
  if (starts_with(clause, "type ")) clause = strip(clause.substr(5));
  if (auto inside = braced(clause, '{', '}')) {
    for (auto item : top_level_split(inside->second, ',')) add(out, alias_or(item));
    clause = inside->first;
  }
  for (auto item : top_level_split(clause, ',')) add(out, alias_or(item));
}

void python_names(std::string_view text, std::vector<std::string>& out) {
  if (starts_with(text, "from ")) {
    size_t import = text.find(" import ");
    if (import == std::string_view::npos) return;
    std::string_view names = strip(text.substr(import + 8));
    if (auto inside = braced(names, '(', ')')) names = inside->second;
    for (auto item : top_level_split(names, ',')) add(out, alias_or(item));
    return;
  }
  if (!starts_with(text, "import ")) return;
  for (auto item : top_level_split(text.substr(7), ',')) {
    if (item.find(" as ") != std::string_view::npos) {
      add(out, alias_or(item));
    } else {
      std::string_view module = strip(item);
      add(out, module.substr(0, module.find('.')));  // `import a.b` binds `a`
    }
  }
}

void java_names(std::string_view text, std::vector<std::string>& out) {
  std::string_view path = strip(text.substr(std::min<size_t>(text.size(), 6)));
  if (starts_with(path, "static ")) path = strip(path.substr(7));
  if (!path.empty() && path.back() == ';') path.remove_suffix(1);
  add(out, last_segment(path, "."));
}

void rust_leaves(std::string_view tree, std::vector<std::string>& out, int depth = 0) {
  tree = strip(tree);
  if (depth > 16) return;
  if (auto inside = braced(tree, '{', '}')) {
    for (auto item : top_level_split(inside->second, ',')) rust_leaves(item, out, depth + 1);
    return;
  }
  if (tree.find(" as ") != std::string_view::npos) return add(out, alias_or(tree));
  add(out, last_segment(tree, "::"));
}

void rust_names(std::string_view text, std::vector<std::string>& out) {
  if (!text.empty() && text.back() == ';') text.remove_suffix(1);
  if (size_t crate = text.find("extern crate "); crate != std::string_view::npos)
    return add(out, alias_or(text.substr(crate + 13)));
  size_t use = text.find("use ");
  if (use == std::string_view::npos) return;
  rust_leaves(text.substr(use + 4), out);
}

void go_names(std::string_view text, std::vector<std::string>& out) {
  size_t quote = text.find('"');
  if (quote == std::string_view::npos) return;
  std::string_view alias = strip(text.substr(0, quote));
  if (!alias.empty()) return add(out, alias);
  std::string_view path = strip(text.substr(quote));
  path = path.substr(1, path.size() >= 2 ? path.size() - 2 : 0);
  add(out, last_segment(path, "/"));
}

void c_names(std::string_view text, std::vector<std::string>& out) {
  if (starts_with(text, "using ")) {
    if (starts_with(text, "using namespace ")) return;
    std::string_view name = strip(text.substr(6));
    if (!name.empty() && name.back() == ';') name.remove_suffix(1);
    return add(out, last_segment(name, "::"));
  }
  out.emplace_back(text);  // an include: its path, as written
}

bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

// One parameter's type: its text without a default value and without its name ("const T& value = T()"
// → "const T&"); spaces dropped. A parameter of one word, or whose words before the last are only
// qualifiers, has no name to drop.
std::string parameter_type(std::string_view parameter) {
  parameter = strip(parameter.substr(0, top_level_split(parameter, '=').front().size()));
  size_t name = parameter.size();
  while (name > 0 && identifier_char(parameter[name - 1])) --name;
  std::string_view type = strip(parameter.substr(0, name));
  static const std::string_view qualifiers[] = {"const", "volatile", "final", "unsigned", "signed", "long",
                                                "short", "struct", "enum", "class", "union"};
  bool only_qualifiers = true;
  for (auto word : top_level_split(type, ' '))
    if (!word.empty() && std::find(std::begin(qualifiers), std::end(qualifiers), word) == std::end(qualifiers))
      only_qualifiers = false;
  if (name == parameter.size() || only_qualifiers) type = parameter;  // no name to drop
  std::string out;
  for (char c : type)
    if (c != ' ') out.push_back(c);
  return out;
}

// The parameter types of the first parameter list of `detail` ("(int a, Map<K, V> b)" →
// "(int,Map<K,V>)"), or "" when it has none.
std::string parameter_types(std::string_view detail) {
  size_t open = detail.find('(');
  if (open == std::string_view::npos) return "";
  std::string_view list = detail.substr(open + 1);
  int depth = 0;
  size_t end = 0;
  for (; end < list.size(); ++end) {
    char c = list[end];
    if (c == '(' || c == '[' || c == '{' || c == '<') ++depth;
    else if (c == ')' && depth == 0) break;
    else if ((c == ')' || c == ']' || c == '}' || c == '>') && depth > 0) --depth;
  }
  list = strip(list.substr(0, end));
  if (list.empty() || list == "void") return "()";
  std::string out = "(";
  for (auto parameter : top_level_split(list, ',')) out += parameter_type(parameter) + ",";
  out.back() = ')';
  return out;
}

// What a compiler rejects twice in one scope: a member's name (Go's receiver `*T` read as `T`), and in
// C++ and Java, where overloads are told apart by parameter types, those types (their names never
// tell overloads apart). Accessor keywords,
// decorators and the C++ declaration/definition difference are left out: `get size` and `size()`,
// or `f();` and `f() {}` in one class, are one name.
std::string name_key(std::string_view language, const MergeProfile& profile, const Member& member) {
  std::string name = member.identity.substr(member.identity.find(':') + 1);
  if (language == "go") name.erase(std::remove(name.begin(), name.end(), '*'), name.end());
  if (profile.overloads && language != "typescript" && language != "tsx")
    name += parameter_types(member.detail);
  return name;
}

void collect_facts(std::string_view language, const MergeProfile& profile, const Region& region,
                   const std::string& prefix, Facts& f) {
  bool sections = std::any_of(region.members.begin(), region.members.end(), [](const Member& m) { return m.is_label; });
  for (const auto& m : region.members) {
    if (sections && m.named) ++f.faces[prefix + m.identity + " [" + m.section + "] " + m.signature];
    if (m.is_comment) continue;
    std::string key = declaration_key(m, profile);
    ++f.declarations[prefix + key];
    if (m.is_set) {
      for (const auto& name : bound_names(language, m.detail)) ++f.bindings[prefix + name];
    } else {
      f.order.push_back(Placed{prefix + key, m.named});
      if (m.named) ++f.names[prefix + name_key(language, profile, m)];
    }
    if (m.region) collect_facts(language, profile, *m.region, prefix + key + "/", f);
  }
}

} // namespace

std::vector<std::string> bound_names(std::string_view language, std::string_view import_text) {
  std::vector<std::string> out;
  std::string_view text = strip(import_text);
  if (language == "javascript" || language == "typescript" || language == "tsx") javascript_names(text, out);
  else if (language == "python") python_names(text, out);
  else if (language == "java") java_names(text, out);
  else if (language == "rust") rust_names(text, out);
  else if (language == "go") go_names(text, out);
  else if (language == "c" || language == "cpp") c_names(text, out);
  return out;
}

Facts facts_of_region(std::string_view language, const MergeProfile& profile, const Region& region, int errors) {
  Facts f;
  f.errors = errors;
  collect_facts(language, profile, region, "", f);
  return f;
}

std::optional<Facts> facts_of(const scan::LanguageProfile& language, const MergeProfile& profile,
                              const std::string& source, uint32_t timeout_ms) {
  scan::ParseOptions options;
  options.timeout_ms = timeout_ms;
  auto tree = scan::parse_syntax_tree(language, source, options);
  if (!tree) return std::nullopt;
  std::string why;
  auto region = decompose(*tree, source, profile, why);
  if (!region) return std::nullopt;
  return facts_of_region(language.name, profile, *region, tree->error_count());
}

namespace {

int count_in(const std::map<std::string, int>& counts, const std::string& key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

// A key of `merged` that occurs more often than in any input, described by `what`; "" when none.
std::string more_than_any(const std::map<std::string, int>& merged, const std::map<std::string, int>& base,
                          const std::map<std::string, int>& ours, const std::map<std::string, int>& theirs,
                          const std::string& what) {
  for (const auto& [key, count] : merged) {
    int most = std::max({count_in(base, key), count_in(ours, key), count_in(theirs, key)});
    if (count > most) return "the result " + what + " " + key + " " + std::to_string(count) + " times, the inputs at most " +
                             std::to_string(most);
  }
  return "";
}

// One thing that base holds once, with where the others hold it once (-1: absent or repeated).
struct Row {
  std::string_view name;
  bool statement = false;  // an edited statement is a new one: absent may mean changed
  int ours = -1, theirs = -1, merged = -1;
};

// Rows off a longest run whose positions in a side increase: the ones that side moved. Every pair of
// rows that side swapped holds at least one of them.
std::vector<bool> moved_by(const std::vector<Row>& rows, int Row::*side) {
  std::vector<size_t> present;
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].*side >= 0) present.push_back(i);
  // Longest increasing subsequence of the positions, with predecessors to recover it.
  std::vector<size_t> tails, before(present.size(), SIZE_MAX);
  for (size_t k = 0; k < present.size(); ++k) {
    int value = rows[present[k]].*side;
    auto it = std::lower_bound(tails.begin(), tails.end(), value,
                               [&](size_t t, int v) { return rows[present[t]].*side < v; });
    if (it != tails.begin()) before[k] = *(it - 1);
    if (it == tails.end()) tails.push_back(k);
    else *it = k;
  }
  std::vector<bool> kept(present.size(), false);
  for (size_t k = tails.empty() ? SIZE_MAX : tails.back(); k != SIZE_MAX; k = before[k]) kept[k] = true;
  std::vector<bool> moved(rows.size(), false);
  for (size_t k = 0; k < present.size(); ++k)
    if (!kept[k]) moved[present[k]] = true;
  return moved;
}

// Why the order in the result drops a move, or "". For two rows a, b (a first in base): when a side
// swapped them and the other side kept their order, the result must have the swap; when the other
// side no longer has one of them and it is a statement, the move and the edit cannot both be kept.
std::string moved_pair_violation(const std::vector<Row>& rows) {
  auto ours_moved = moved_by(rows, &Row::ours);
  auto theirs_moved = moved_by(rows, &Row::theirs);
  for (size_t x = 0; x < rows.size(); ++x) {
    if (!ours_moved[x] && !theirs_moved[x]) continue;
    for (size_t y = 0; y < rows.size(); ++y) {
      if (y == x) continue;
      const Row& a = rows[std::min(x, y)];
      const Row& b = rows[std::max(x, y)];
      bool ours_swapped = a.ours >= 0 && b.ours >= 0 && a.ours > b.ours;
      bool theirs_swapped = a.theirs >= 0 && b.theirs >= 0 && a.theirs > b.theirs;
      if (!ours_swapped && !theirs_swapped) continue;
      auto lacks_statement = [&](int Row::*side) {
        return (a.*side < 0 && a.statement) || (b.*side < 0 && b.statement);
      };
      if (ours_swapped != theirs_swapped && lacks_statement(ours_swapped ? &Row::theirs : &Row::ours))
        return "one side moved " + std::string(a.name) + " or " + std::string(b.name) + ", the other changed one of them";
      if (a.merged >= 0 && b.merged >= 0 && a.merged < b.merged)
        return "the result drops a side's move of " + std::string(a.name) + " past " + std::string(b.name);
    }
  }
  return "";
}

// Position of each key that occurs once in `keys`; keys that repeat are left out (no order to tell).
template <class Key>
std::unordered_map<std::string_view, int> unique_positions_of(const std::vector<Key>& keys,
                                                              std::string_view (*name)(const Key&)) {
  std::unordered_map<std::string_view, int> at, seen;
  for (size_t i = 0; i < keys.size(); ++i) {
    at[name(keys[i])] = static_cast<int>(i);
    ++seen[name(keys[i])];
  }
  for (const auto& [key, n] : seen)
    if (n > 1) at.erase(key);
  return at;
}

int position(const std::unordered_map<std::string_view, int>& at, std::string_view key) {
  auto it = at.find(key);
  return it == at.end() ? -1 : it->second;
}

// The order check on members (declarations by path, statements by text).
std::string order_violation(const Facts& merged, const Facts& base, const Facts& ours, const Facts& theirs) {
  auto path = +[](const Placed& p) { return std::string_view(p.path); };
  auto in_base = unique_positions_of(base.order, path);
  auto in_ours = unique_positions_of(ours.order, path);
  auto in_theirs = unique_positions_of(theirs.order, path);
  auto in_merged = unique_positions_of(merged.order, path);
  std::vector<Row> rows;
  for (const auto& placed : base.order)
    if (in_base.count(placed.path))
      rows.push_back({placed.path, !placed.named, position(in_ours, placed.path), position(in_theirs, placed.path),
                      position(in_merged, placed.path)});
  return moved_pair_violation(rows);
}

// The non-blank lines of `text`, trimmed.
// With `paragraph_starts`, for each line returned, whether a blank line stands above it.
std::vector<std::string_view> lines_of(std::string_view text, std::vector<bool>* paragraph_starts = nullptr) {
  std::vector<std::string_view> out;
  bool blank_above = false;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = strip(text.substr(at, end - at));
    if (!line.empty()) {
      out.push_back(line);
      if (paragraph_starts) paragraph_starts->push_back(blank_above);
    }
    blank_above = line.empty();
    at = end + 1;
  }
  return out;
}

} // namespace

std::string verify(const Facts& merged, const Facts& base, const Facts& ours, const Facts& theirs) {
  int allowed = std::max(ours.errors, theirs.errors);
  if (merged.errors > allowed)
    return "the result has " + std::to_string(merged.errors) + " syntax errors, the sides at most " +
           std::to_string(allowed);
  for (const auto& [path, count] : merged.declarations) {
    // Structured bindings cannot be captured before C++20 (clang refuses): look `key` up instead.
    const std::string& key = path;
    auto in = [&](const Facts& f) { return count_in(f.declarations, key); };
    int most = std::max({in(base), in(ours), in(theirs)});
    if (most == 0) return "the result declares " + path + ", which no side declares";
    if (count > most) return "the result declares " + path + " " + std::to_string(count) + " times";
  }
  if (auto why = more_than_any(merged.names, base.names, ours.names, theirs.names, "declares the name"); !why.empty())
    return why;
  if (auto why = more_than_any(merged.bindings, base.bindings, ours.bindings, theirs.bindings, "imports"); !why.empty())
    return why;
  if (auto why = more_than_any(merged.faces, base.faces, ours.faces, theirs.faces, "has under its label the member");
      !why.empty())
    return why;
  return order_violation(merged, base, ours, theirs);
}

namespace {

std::string_view trimmed(std::string_view line) {
  size_t b = line.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = line.find_last_not_of(" \t\r");
  return line.substr(b, e - b + 1);
}

// Adds 1 to counts[line][slot] for each non-blank line of `text`.
void count_lines(std::string_view text, size_t slot, std::unordered_map<std::string_view, std::array<long, 4>>& counts) {
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = trimmed(text.substr(at, end - at));
    if (!line.empty()) ++counts[line][slot];
    at = end + 1;
  }
}

// The lines of `text` (without their newlines; no empty line after a final newline).
std::vector<std::string_view> top_level_lines(std::string_view text) {
  std::vector<std::string_view> out;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

std::string shown(std::string_view line) {
  std::string s(line.substr(0, 60));
  return "`" + s + (line.size() > 60 ? "...`" : "`");
}

} // namespace

// The number of blank lines in `text` (the last line counts when it ends with a newline).
long blank_lines(std::string_view text) {
  long n = 0;
  for (auto line : top_level_lines(text))
    if (strip(line).empty()) ++n;
  return n;
}

std::string verify_lines(const std::string& base, const std::string& ours, const std::string& theirs,
                         const std::string& merged) {
  std::unordered_map<std::string_view, std::array<long, 4>> counts;
  count_lines(base, 0, counts);
  count_lines(ours, 1, counts);
  count_lines(theirs, 2, counts);
  count_lines(merged, 3, counts);
  bool taken_once = false;  // a change both sides made is in the result once
  for (const auto& [line, c] : counts) {
    const long b = c[0], d_ours = c[1] - b, d_theirs = c[2] - b, got = c[3];
    long low = b + d_ours + d_theirs, high = low;
    if (d_ours >= 0 && d_theirs >= 0) low = b + std::max(d_ours, d_theirs);        // added by both: once or twice
    else if (d_ours <= 0 && d_theirs <= 0) high = b + std::min(d_ours, d_theirs);   // removed by both
    low = std::max(low, 0L);
    if (got < low || got > high)
      return "the result has " + shown(line) + " " + std::to_string(got) + " times, base " + std::to_string(b) +
             ", ours " + std::to_string(c[1]) + ", theirs " + std::to_string(c[2]);
    if (got != b + d_ours + d_theirs) taken_once = true;
  }
  // Blank lines cannot tell which change they belong to: when both sides add some, and no change made
  // on both sides was taken once (with its blank lines), each side's blank lines are all kept (two
  // declarations inserted at one place keep their spacing).
  const long b = blank_lines(base), d_ours = blank_lines(ours) - b, d_theirs = blank_lines(theirs) - b;
  const long expected = b + d_ours + d_theirs;
  if (d_ours > 0 && d_theirs > 0 && !taken_once && blank_lines(merged) != expected)
    return "the result has " + std::to_string(blank_lines(merged)) + " blank lines where both sides' changes make " +
           std::to_string(expected);
  return "";
}

} // namespace merge

namespace merge {

namespace {

// Where each line of `lines` that base lacks and `lines` holds once sits.
std::unordered_map<std::string_view, size_t> new_lines_of(const std::vector<std::string_view>& lines,
                                                          const std::unordered_map<std::string_view, int>& in_base) {
  std::unordered_map<std::string_view, size_t> at;
  std::unordered_map<std::string_view, int> seen;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (in_base.count(lines[i])) continue;
    if (++seen[lines[i]] == 1) at[lines[i]] = i;
    else at.erase(lines[i]);
  }
  return at;
}

// The lines next to position `p` of `a` (above it when `step` is -1, from it on when +1), as many as it takes
// for the run to occur once in `a`: which instance of a repeated line (a `}`) a new line stands next to.
// Empty when `p` is at that end of the text: the file's start or end is no neighbour. With
// `paragraph_starts` (as lines_of gives it), the run stays in the paragraph of its first line: past a
// blank line begin other declarations, which either side may have moved.
// A neighbour run: its lines, and whether it occurs once in the text (it tells one place; a run cut
// short by its paragraph's end may occur elsewhere too: the `}` of another function).
struct Neighbours {
  std::vector<std::string_view> run;
  bool unique = false;
  bool across_blank = false;  // a blank line parts it from `p`: another paragraph
};

Neighbours neighbours(const std::vector<std::string_view>& a, const std::vector<bool>* paragraph_starts, size_t p,
                      int step) {
  Neighbours out;
  std::vector<size_t> rivals;  // other positions where the run so far also stands
  for (size_t k = 1;; ++k) {
    size_t mine = step < 0 ? p - k : p + k - 1;
    if (step < 0 ? p < k : mine >= a.size()) return out;
    bool blank_between = paragraph_starts && (*paragraph_starts)[step < 0 ? mine + 1 : mine];
    if (k == 1) out.across_blank = blank_between;
    else if (blank_between) return out;
    out.run.push_back(a[mine]);
    if (k == 1) {
      for (size_t q = 0; q <= a.size(); ++q)
        if (q != p && (step < 0 ? q >= 1 && a[q - 1] == a[mine] : q < a.size() && a[q] == a[mine])) rivals.push_back(q);
    } else {
      rivals.erase(std::remove_if(rivals.begin(), rivals.end(), [&](size_t q) {
        return step < 0 ? q < k || a[q - k] != a[mine] : q + k - 1 >= a.size() || a[q + k - 1] != a[mine];
      }), rivals.end());
    }
    if (rivals.empty()) {
      out.unique = true;
      return out;
    }
  }
}

// Whether `run` (from neighbours) stands next to position `p` of `a`, in the same direction.
bool stands_next(const std::vector<std::string_view>& a, size_t p, int step, const std::vector<std::string_view>& run) {
  if (run.empty()) return false;
  for (size_t k = 1; k <= run.size(); ++k) {
    if (step < 0 ? p < k : p + k - 1 >= a.size()) return false;
    if (a[step < 0 ? p - k : p + k - 1] != run[k - 1]) return false;
  }
  return true;
}

// Runs of consecutive lines of `side` that base does not hold at all (an inserted block), as [begin, end).
std::vector<std::pair<size_t, size_t>> new_runs(const std::vector<std::string_view>& side,
                                                const std::unordered_map<std::string_view, int>& in_base) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t i = 0; i < side.size();) {
    if (in_base.count(side[i])) {
      ++i;
      continue;
    }
    size_t begin = i;
    while (i < side.size() && !in_base.count(side[i])) ++i;
    out.emplace_back(begin, i);
  }
  return out;
}

// Where the run side[begin, end) stands whole in `merged`, told by its first line that is new to base
// and once in both texts; nullopt when it has no such line or is not there whole.
std::optional<size_t> run_in(const std::vector<std::string_view>& side, size_t begin, size_t end,
                             const std::unordered_map<std::string_view, size_t>& new_in_side,
                             const std::unordered_map<std::string_view, size_t>& new_in_merged,
                             const std::vector<std::string_view>& merged) {
  for (size_t k = begin; k < end; ++k) {
    auto s = new_in_side.find(side[k]);
    auto m = new_in_merged.find(side[k]);
    if (s == new_in_side.end() || m == new_in_merged.end()) continue;
    if (m->second < k - begin || m->second - (k - begin) + (end - begin) > merged.size()) return std::nullopt;
    size_t at = m->second - (k - begin);
    for (size_t j = begin; j < end; ++j)
      if (merged[at + j - begin] != side[j]) return std::nullopt;
    return at;
  }
  return std::nullopt;
}

// Why the result moves lines `side` wrote away from where it wrote them (blank lines ignored; the
// instance of a repeated line, a `}`, told by the lines around it; a file's start or end is no
// neighbour). Checked only where the other side moved something: a line merge keeps an insertion
// next to its neighbours, but a move of the other side's paragraph can leave it next to a copy of them
// (the `}` of another function), or the end of the file behind the moved paragraph. A changed line of
// a moved paragraph keeps its new neighbours. A block of new lines is judged twice: line by line, and
// as a whole by the lines around it in its own paragraph (a rewritten signature and first line of a
// function that the other side moved have only the function's `}` left around them), or, when it is
// a paragraph of its own, in the paragraphs next to it.
std::string insertion_moved(const std::vector<std::string_view>& base, const std::vector<std::string_view>& side,
                            const std::vector<bool>& paragraph_starts, const std::vector<std::string_view>& merged) {
  std::unordered_map<std::string_view, int> in_base;
  for (std::string_view line : base) ++in_base[line];
  auto in_result = new_lines_of(merged, in_base);
  auto in_side = new_lines_of(side, in_base);
  // The lines of the block's own paragraph decide when it has any around it (those past a blank line
  // may have moved on their own: a rewritten signature inside a moved function); a run that tells one
  // place decides, one that may stand elsewhere too counts when no such run contradicts it.
  auto keeps_a_neighbour = [&](size_t begin, size_t end, size_t at) {
    Neighbours around[2] = {neighbours(side, &paragraph_starts, begin, -1), neighbours(side, &paragraph_starts, end, +1)};
    bool kept[2] = {stands_next(merged, at, -1, around[0].run), stands_next(merged, at + (end - begin), +1, around[1].run)};
    bool in_paragraph = false;
    for (const auto& n : around) in_paragraph = in_paragraph || (!n.run.empty() && !n.across_blank);
    bool strong_kept = false, strong_lost = false, weak_kept = false, any = false;
    for (int k = 0; k < 2; ++k) {
      if (around[k].run.empty() || (in_paragraph && around[k].across_blank)) continue;
      any = true;
      if (around[k].unique) (kept[k] ? strong_kept : strong_lost) = true;
      else weak_kept = weak_kept || kept[k];
    }
    return !any || strong_kept || (!strong_lost && weak_kept);
  };
  // 1. Each new line once in the side and in the result keeps the run above or below it, told apart
  //    from copies by as many lines as it takes, blank lines or not.
  for (const auto& [line, p] : in_side) {
    auto q = in_result.find(line);
    if (q == in_result.end()) continue;
    auto above = neighbours(side, nullptr, p, -1).run, below = neighbours(side, nullptr, p + 1, +1).run;
    if (above.empty() && below.empty()) continue;
    if (!stands_next(merged, q->second, -1, above) && !stands_next(merged, q->second + 1, +1, below))
      return "the result moves " + shown(line) + " away from the lines around it while the other side moved lines";
  }
  // 2. A block of new lines found whole in the result keeps the lines around the block (its own lines
  //    vouch for each other in step 1, wherever the block went).
  for (auto [begin, end] : new_runs(side, in_base)) {
    auto at = run_in(side, begin, end, in_side, in_result, merged);
    if (at && end - begin > 1 && !keeps_a_neighbour(begin, end, *at))
      return "the result moves " + shown(side[begin]) + " and the lines below it away from the lines around them " +
             "while the other side moved lines";
  }
  return "";
}

} // namespace

std::string verify_order(const std::string& base, const std::string& ours, const std::string& theirs,
                         const std::string& merged) {
  std::vector<bool> starts_ours, starts_theirs;
  std::vector<std::string_view> texts[4] = {lines_of(base), lines_of(ours, &starts_ours), lines_of(theirs, &starts_theirs),
                                            lines_of(merged)};
  auto same = +[](const std::string_view& line) { return line; };
  std::unordered_map<std::string_view, int> at[4];
  for (int i = 0; i < 4; ++i) at[i] = unique_positions_of(texts[i], same);
  std::vector<Row> rows;
  for (std::string_view line : texts[0])
    if (at[0].count(line))
      rows.push_back({line, false, position(at[1], line), position(at[2], line), position(at[3], line)});
  if (auto why = moved_pair_violation(rows); !why.empty()) return why;
  auto moved_any = [&](int Row::*side) {
    auto moved = moved_by(rows, side);
    return std::find(moved.begin(), moved.end(), true) != moved.end();
  };
  if (moved_any(&Row::ours)) {
    if (auto why = insertion_moved(texts[0], texts[2], starts_theirs, texts[3]); !why.empty()) return "theirs: " + why;
  }
  if (moved_any(&Row::theirs)) {
    if (auto why = insertion_moved(texts[0], texts[1], starts_ours, texts[3]); !why.empty()) return "ours: " + why;
  }
  return "";
}

} // namespace merge
