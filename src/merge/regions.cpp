#include "merge/regions.hpp"

#include <algorithm>

namespace merge {

namespace {

using scan::SyntaxNode;
using scan::SyntaxTree;

bool contains(const std::vector<std::string_view>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t at; (at = s.find(sep, start)) != std::string_view::npos; start = at + 1) out.push_back(s.substr(start, at - start));
  out.push_back(s.substr(start));
  return out;
}

class Cutter {
public:
  Cutter(const SyntaxTree& tree, std::string_view source, const MergeProfile& profile)
      : m_tree(tree), m_source(source), m_profile(profile) {}

  // Region of container `node`'s members within [begin, end); nullopt when they share lines.
  std::optional<Region> region(const SyntaxNode& node, uint32_t begin, uint32_t end, bool self_body, std::string& why) {
    Region r;
    r.begin = begin;
    r.end = end;
    std::vector<const SyntaxNode*> items;
    for (uint32_t i = 0, n = m_tree.child_count(node); i < n; ++i) {
      const SyntaxNode& c = m_tree.child(node, i);
      if (!c.named || c.extra || contains(m_profile.glue_kinds, c.kind)) continue;
      if (self_body && !c.field.empty()) continue; // the container's own name, condition, #else branch
      if (c.end_byte <= c.start_byte) continue;    // MISSING nodes take no text
      items.push_back(&c);
    }
    if (items.empty()) {
      r.members_begin = r.members_end = end;
      return r;
    }
    uint32_t at = line_start(items.front()->start_byte);
    if (at < begin || !blank(at, items.front()->start_byte)) {
      why = "a member starts on the line of what comes before it";
      return std::nullopt;
    }
    r.members_begin = at;
    if (m_profile.indentation_scopes && !same_column(items, node.index == m_tree.root().index)) {
      // tree-sitter reads an indented line at the top level, or a member out of step with its siblings,
      // without an error where Python raises IndentationError: which scope it is in is a guess.
      why = "members at different indentation";
      return std::nullopt;
    }
    std::string section;
    for (size_t k = 0; k < items.size(); ++k) {
      const SyntaxNode& item = *items[k];
      uint32_t chunk_end = line_end(item.end_byte - 1);
      if (chunk_end > end) {
        why = "a member ends on the line of what comes after it";
        return std::nullopt;
      }
      // Nothing else may start on the member's last line but separators and comments.
      // (`node` is the item's parent: its children are all described already.)
      for (uint32_t j = item.index + 1; j < m_tree.child(node, 0).index + m_tree.child_count(node); ++j) {
        const SyntaxNode& next = m_tree.at(j);
        if (next.start_byte >= chunk_end) break;
        if (next.extra || next.end_byte <= next.start_byte) continue;
        if (!next.named && (next.kind == ";" || next.kind == "," || next.kind == ":") && next.end_byte <= chunk_end) continue;
        why = "two members share a line";
        return std::nullopt;
      }
      if (k + 1 < items.size())
        chunk_end = with_trailing_comments(node, item, chunk_end, line_start(items[k + 1]->start_byte));
      if (k > 0) at = standalone_comments(node, at, line_start(item.start_byte), section, r.members);
      Member m;
      m.begin = at;
      m.end = chunk_end;
      describe(item, m);
      if (contains(m_profile.section_kinds, item.kind)) {
        section = normalise_space(text(item));
        m.is_label = true;
      }
      m.section = section;
      r.members.push_back(std::move(m));
      at = chunk_end;
    }
    r.members_end = at;
    return r;
  }

private:
  // Comment paragraphs above a member that a blank line parts from it stand alone (members of their
  // own, known by their text): a banner or a section comment ("# Helpers") documents no one
  // declaration, and a side that inserts a declaration under it must not take it along, nor may the
  // member below lose it. Like every member, such a paragraph has the blank lines above it; those
  // below it begin what follows. Returns where the member below begins: after the last such paragraph,
  // or at the comment lines right above the member, which are its own.
  uint32_t standalone_comments(const SyntaxNode& parent, uint32_t from, uint32_t to, const std::string& section,
                               std::vector<Member>& out) {
    if (!only_comments_between(parent, from, to)) return from;
    uint32_t begin = from, text_end = from;
    bool blank_after_text = false;
    for (uint32_t at = from; at < to;) {
      uint32_t eol = line_end(at);
      bool is_blank = blank(at, eol > at && m_source[eol - 1] == '\n' ? eol - 1 : eol);
      if (!is_blank && blank_after_text) {
        out.push_back(comment_member(begin, text_end, section));
        begin = text_end;
        blank_after_text = false;
      }
      if (is_blank) {
        blank_after_text = text_end > begin;
      } else {
        text_end = eol;
      }
      at = eol;
    }
    if (!blank_after_text) return begin; // the last paragraph touches the member: its own comment
    out.push_back(comment_member(begin, text_end, section));
    return text_end;
  }

  // Whether every item starts at one column (column 0 at the top level).
  bool same_column(const std::vector<const SyntaxNode*>& items, bool top_level) const {
    uint32_t column = items.front()->start_byte - line_start(items.front()->start_byte);
    if (top_level && column != 0) return false;
    for (const SyntaxNode* item : items)
      if (item->start_byte - line_start(item->start_byte) != column) return false;
    return true;
  }

  // Whether nothing but comments (extras) starts in [from, to) among `parent`'s children, and nothing
  // reaches into it from before.
  // Children are in text order: the first that ends after `from` is found by bisection (a walk from
  // the first child for every member made cutting a file of n members take n² steps).
  bool only_comments_between(const SyntaxNode& parent, uint32_t from, uint32_t to) const {
    uint32_t lo = 0, hi = m_tree.child_count(parent);
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      if (m_tree.child(parent, mid).end_byte <= from) lo = mid + 1;
      else hi = mid;
    }
    for (uint32_t i = lo, n = m_tree.child_count(parent); i < n; ++i) {
      const SyntaxNode& c = m_tree.child(parent, i);
      if (c.start_byte >= to) break;
      if (c.end_byte <= from) continue;
      if (!c.extra || c.start_byte < from) return false;
    }
    return true;
  }

  Member comment_member(uint32_t begin, uint32_t end, const std::string& section) const {
    Member m;
    m.begin = begin;
    m.end = end;
    m.identity = "text:comment:" + normalise_space(m_source.substr(begin, end - begin));
    m.is_comment = true;
    m.section = section;
    return m;
  }

  // The end of the comment lines right below a member (no blank line between) that a blank line parts
  // from the next member, whose lines start at `next`: written to the member above, they go with it.
  uint32_t with_trailing_comments(const SyntaxNode& parent, const SyntaxNode& item, uint32_t chunk_end, uint32_t next) {
    uint32_t at = chunk_end;
    while (at < next) {
      uint32_t eol = line_end(at);
      if (blank(at, eol > at && m_source[eol - 1] == '\n' ? eol - 1 : eol)) break;
      at = eol;
    }
    if (at == chunk_end || at >= next) return chunk_end; // none, or no blank line before the next member
    for (uint32_t j = item.index + 1; j < m_tree.child(parent, 0).index + m_tree.child_count(parent); ++j) {
      const SyntaxNode& n = m_tree.at(j);
      if (n.start_byte >= at) break;
      if (n.start_byte >= chunk_end && !n.extra) return chunk_end; // not only comments
    }
    return at;
  }

  // Identity, detail and nested region of one member.
  void describe(const SyntaxNode& item, Member& m) {
    auto set = std::find_if(m_profile.set_kinds.begin(), m_profile.set_kinds.end(),
                            [&](const SetRule& r) { return r.kind == item.kind; });
    if (set != m_profile.set_kinds.end()) {
      m.is_set = true;
      m.detail = normalise_space(text(item));
      m.identity = "set:" + resolve(item, set->source).value_or(m.detail);
      return;
    }
    auto rule = std::find_if(m_profile.declarations.begin(), m_profile.declarations.end(),
                             [&](const DeclarationRule& d) { return d.kind == item.kind; });
    if (rule == m_profile.declarations.end()) {
      m.identity = "text:" + std::string(item.kind) + ":" + normalise_space(text(item));
      return;
    }
    if (auto name = resolve(item, rule->name)) {
      m.named = true;
      m.identity = std::string(rule->group) + ":" + *name;
      m.detail = detail(item);
      std::string_view whole = text(item);
      m.signature = normalise_space(whole.substr(0, whole.find('{')));
    } else if (!rule->body.empty()) {
      m.identity = std::string(rule->group) + ":<" + std::string(item.kind) + ">";
    } else {
      m.identity = "text:" + std::string(item.kind) + ":" + normalise_space(text(item));
    }
    if (rule->body.empty()) return;
    const SyntaxNode* body = rule->body == "." ? &item : node_at(item, rule->body);
    if (!body) return;
    std::string ignored;
    if (auto sub = region(*body, m.begin, m.end, rule->body == ".", ignored))
      m.region = std::make_unique<Region>(std::move(*sub));
  }

  // What tells a declaration from others of its name: its detail kinds' texts (decorators), then its
  // parameter list.
  std::string detail(const SyntaxNode& item) {
    std::string out;
    for (uint32_t i = 0, n = m_tree.child_count(item); i < n; ++i) {
      const SyntaxNode& c = m_tree.child(item, i);
      if (contains(m_profile.detail_kinds, c.kind)) out += normalise_space(text(c)) + " ";
    }
    if (auto params = parameters(item)) return out + *params;
    if (!out.empty()) out.pop_back();
    return out;
  }

  // The parameter list of a declaration, found on it or along its declarator chain (or, for a decorated
  // definition, on what it decorates).
  std::optional<std::string> parameters(const SyntaxNode& node, int depth = 0) {
    if (depth > 16) return std::nullopt;
    if (const SyntaxNode* p = m_tree.child_by_field(node, "parameters"); p && node.kind != "template_declaration")
      return normalise_space(text(*p));
    if (const SyntaxNode* d = m_tree.child_by_field(node, "declarator")) return parameters(*d, depth + 1);
    if (const SyntaxNode* d = m_tree.child_by_field(node, "definition")) return parameters(*d, depth + 1);
    if (node.kind == "template_declaration")
      if (const SyntaxNode* inner = m_tree.named_child(node, 1)) return parameters(*inner, depth + 1);
    return std::nullopt;
  }

  // A name path (scan/language.hpp) resolved to text.
  std::optional<std::string> resolve(const SyntaxNode& node, std::string_view path) {
    if (path.empty()) return std::nullopt;
    for (std::string_view alternative : split(path, '|')) {
      std::string joined;
      bool any = false;
      for (std::string_view part : split(alternative, '+')) {
        if (const SyntaxNode* n = steps_at(node, part)) {
          if (any) joined += " ";
          joined += normalise_space(text(*n));
          any = true;
        }
      }
      if (any && !joined.empty()) return joined;
    }
    return std::nullopt;
  }

  // The node the first resolving alternative of `path` leads to, or nullptr.
  const SyntaxNode* node_at(const SyntaxNode& start, std::string_view path) {
    for (std::string_view alternative : split(path, '|'))
      if (const SyntaxNode* n = steps_at(start, alternative)) return n;
    return nullptr;
  }

  // The node a '/'-separated path of steps leads to, or nullptr.
  const SyntaxNode* steps_at(const SyntaxNode& start, std::string_view path) {
    const SyntaxNode* n = &start;
    for (std::string_view step : split(path, '/')) {
      if (!n) return nullptr;
      if (step == ".") continue;
      if (step.empty()) return nullptr;
      if (step[0] == '=') {
        if (n->kind != step.substr(1)) return nullptr;
      } else if (step[0] == '#') {
        n = m_tree.named_child(*n, static_cast<uint32_t>(std::stoul(std::string(step.substr(1)))));
      } else if (step[0] == '@') {
        const SyntaxNode* found = nullptr;
        for (uint32_t i = 0, count = m_tree.child_count(*n); i < count && !found; ++i)
          if (m_tree.child(*n, i).kind == step.substr(1)) found = &m_tree.child(*n, i);
        n = found;
      } else if (step.back() == '*') {
        std::string_view field = step.substr(0, step.size() - 1);
        const SyntaxNode* next = m_tree.child_by_field(*n, field);
        if (!next) return nullptr;
        for (int guard = 0; next && guard < 32; ++guard) {
          n = next;
          next = m_tree.child_by_field(*n, field);
        }
      } else {
        n = m_tree.child_by_field(*n, step);
      }
    }
    return n;
  }

  std::string_view text(const SyntaxNode& n) const { return m_source.substr(n.start_byte, n.end_byte - n.start_byte); }

  uint32_t line_start(uint32_t at) const {
    size_t nl = at == 0 ? std::string_view::npos : m_source.rfind('\n', at - 1);
    return nl == std::string_view::npos ? 0 : static_cast<uint32_t>(nl + 1);
  }
  // The position after the newline ending the line that holds byte `at` (or the end of the text).
  uint32_t line_end(uint32_t at) const {
    size_t nl = m_source.find('\n', at);
    return nl == std::string_view::npos ? static_cast<uint32_t>(m_source.size()) : static_cast<uint32_t>(nl + 1);
  }
  bool blank(uint32_t from, uint32_t to) const {
    for (uint32_t i = from; i < to; ++i)
      if (m_source[i] != ' ' && m_source[i] != '\t' && m_source[i] != '\r' && m_source[i] != '\f') return false;
    return true;
  }

  const SyntaxTree& m_tree;
  std::string_view m_source;
  const MergeProfile& m_profile;
};

void collect(const Region& region, const MergeProfile& profile, const std::string& prefix,
             std::vector<std::string>& out) {
  for (const auto& m : region.members) {
    if (m.is_comment) continue;
    std::string key = declaration_key(m, profile);
    out.push_back(prefix + key);
    if (m.region) collect(*m.region, profile, prefix + key + "/", out);
  }
}

} // namespace

std::optional<Region> decompose(const scan::SyntaxTree& tree, std::string_view source, const MergeProfile& profile,
                                std::string& why) {
  Cutter cutter(tree, source, profile);
  return cutter.region(tree.root(), 0, static_cast<uint32_t>(source.size()), false, why);
}

std::string declaration_key(const Member& member, const MergeProfile& profile) {
  if (member.is_set) return "set:" + member.detail;
  if (!member.named || member.detail.empty() || !profile.overloads) return member.identity;
  return member.identity + (member.detail[0] == '(' ? "" : " ") + member.detail;
}

std::vector<std::string> member_paths(const Region& region, const MergeProfile& profile) {
  std::vector<std::string> out;
  collect(region, profile, "", out);
  return out;
}

std::string normalise_space(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

} // namespace merge
