#include "scan/js_scope.hpp"

#include "scan/node_util.hpp"
#include "scan/ts_handle.hpp"

#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace scan {

namespace {

using node::field;
using node::is;
using node::text_of;


template <size_t N> bool is_any(TSNode node, const char* const (&kinds)[N]) {
  if (ts_node_is_null(node)) return false;
  const char* t = ts_node_type(node);
  for (const char* k : kinds)
    if (std::strcmp(t, k) == 0) return true;
  return false;
}


bool same(TSNode a, TSNode b) { return !ts_node_is_null(a) && !ts_node_is_null(b) && ts_node_eq(a, b); }


// ---- The per-file index: one walk records every scope-relevant node and every identifier ----------

// A node that delimits where names live or when code runs.
enum class FrameKind : uint8_t {
  program,
  function,          // runs later, when called (function and arrow expressions, methods, static blocks)
  hoisted_function,  // a function declaration: callable before the statements above it ran
  deferred,          // a class body: field initialisers run later, at construction
  block,             // statement blocks, switch bodies and cases
  loop,              // for, for-in/of, while, do: its body runs more than once
  catch_clause,
  opaque,            // a TypeScript namespace or a with statement: the analysis does not follow these
};

constexpr const char* k_functions[] = {"function_expression", "function", "generator_function", "arrow_function",
                                       "method_definition", "class_static_block"};
constexpr const char* k_hoisted[] = {"function_declaration", "generator_function_declaration"};
constexpr const char* k_blocks[] = {"statement_block", "switch_body", "switch_case", "switch_default"};
constexpr const char* k_loops[] = {"for_statement", "for_in_statement", "while_statement", "do_statement"};
constexpr const char* k_opaque[] = {"internal_module", "module", "with_statement"};

std::optional<FrameKind> frame_kind(TSNode node) {
  if (is(node, "program")) return FrameKind::program;
  if (is_any(node, k_functions)) return FrameKind::function;
  if (is_any(node, k_hoisted)) return FrameKind::hoisted_function;
  if (is(node, "class_body")) return FrameKind::deferred;
  if (is_any(node, k_blocks)) return FrameKind::block;
  if (is_any(node, k_loops)) return FrameKind::loop;
  if (is(node, "catch_clause")) return FrameKind::catch_clause;
  if (is_any(node, k_opaque)) return FrameKind::opaque;
  return std::nullopt;
}

struct Frame {
  TSNode node;
  int parent;  // -1 for the program
  FrameKind kind;
  uint32_t start, end;
};

// What an identifier is where it stands.
enum class Role : uint8_t {
  reference,          // a read or a write
  var_binding,        // declared by `var` (a declaration or a for-in/of head)
  lexical_binding,    // let, const, class declaration
  param_binding,      // a parameter of the function `scope`
  catch_binding,
  function_binding,   // the name of a function declaration
  self_binding,       // a function or class expression's own name, visible inside it
  import_binding,
};

struct Occurrence {
  std::string_view name;
  uint32_t start = 0, end = 0;
  int frame = -1;              // innermost frame holding the identifier
  Role role = Role::reference;
  TSNode owner{};              // var: the variable_declaration or for_in_statement; function: its declaration
  int scope = -1;              // where the binding lives (lexical, param, catch, self); function: declared in
  int region = -1;             // var: the frame its declaration stands in (-1: not a block, e.g. `if (c) var x`)
  uint32_t declarator_end = 0; // var: end of its declarator (uses before it see the hoisted variable)
  bool initialised = false;    // var: the declarator has a value (for-in/of heads always do)
};

struct FileIndex {
  std::vector<Frame> frames;
  std::map<std::tuple<uint32_t, uint32_t, TSSymbol>, int> frame_of;
  std::vector<Occurrence> occurrences;
  std::unordered_map<std::string_view, std::vector<size_t>> by_name;
  std::vector<uint32_t> eval_or_with;  // where `eval(...)` or `with` appear
  bool module = false;                 // ES or CommonJS module: a top-level `var` is not a global

  int frame_at(TSNode node) const {
    auto it = frame_of.find({ts_node_start_byte(node), ts_node_end_byte(node), ts_node_symbol(node)});
    return it == frame_of.end() ? -1 : it->second;
  }
  bool contains(int outer, uint32_t start, uint32_t end) const {
    return outer >= 0 && frames[outer].start <= start && end <= frames[outer].end;
  }
  bool frame_within(int inner, int outer) const {
    return inner >= 0 && contains(outer, frames[inner].start, frames[inner].end);
  }
  // The nearest program or function frame at or above `f`; -1 when an opaque frame comes first.
  int function_of(int f) const {
    for (; f >= 0; f = frames[f].parent) {
      FrameKind k = frames[f].kind;
      if (k == FrameKind::opaque) return -1;
      if (k == FrameKind::program || k == FrameKind::function || k == FrameKind::hoisted_function) return f;
    }
    return -1;
  }
};

class IndexBuilder {
public:
  IndexBuilder(FileIndex& index, std::string_view source) : m_index(index), m_source(source) {}

  void build(TSNode root) {
    TSTreeCursor cursor = ts_tree_cursor_new(root);
    enter(root);
    for (bool done = false; !done;) {
      if (ts_tree_cursor_goto_first_child(&cursor)) {
        enter(ts_tree_cursor_current_node(&cursor));
        continue;
      }
      for (;;) {
        leave();
        if (ts_tree_cursor_goto_next_sibling(&cursor)) {
          enter(ts_tree_cursor_current_node(&cursor));
          break;
        }
        if (!ts_tree_cursor_goto_parent(&cursor)) {
          done = true;
          break;
        }
      }
    }
    ts_tree_cursor_delete(&cursor);
  }

private:
  void enter(TSNode node) {
    int frame = m_frames.empty() ? -1 : m_frames.back();
    if (ts_node_is_named(node)) {
      if (auto kind = frame_kind(node)) {
        m_index.frames.push_back({node, frame, *kind, ts_node_start_byte(node), ts_node_end_byte(node)});
        frame = static_cast<int>(m_index.frames.size()) - 1;
        m_index.frame_of[{ts_node_start_byte(node), ts_node_end_byte(node), ts_node_symbol(node)}] = frame;
      }
    }
    m_path.push_back(node);
    m_frames.push_back(frame);
    if (ts_node_is_named(node)) visit(node);
  }

  void leave() {
    m_path.pop_back();
    m_frames.pop_back();
  }

  void visit(TSNode node) {
    if (is(node, "identifier") || is(node, "shorthand_property_identifier") ||
        is(node, "shorthand_property_identifier_pattern")) {
      record_identifier(node);
    } else if (is(node, "with_statement")) {
      m_index.eval_or_with.push_back(ts_node_start_byte(node));
    } else if (is(node, "call_expression")) {
      TSNode callee = field(node, "function");
      if (is(callee, "identifier")) {
        std::string_view name = text_of(callee, m_source);
        if (name == "eval") m_index.eval_or_with.push_back(ts_node_start_byte(node));
        TSNode args = field(node, "arguments");
        if (name == "require" && ts_node_named_child_count(args) == 1 && is(ts_node_named_child(args, 0), "string"))
          m_index.module = true;
      }
    } else if ((is(node, "import_statement") || is(node, "export_statement")) && m_path.size() >= 2 &&
               is(m_path[m_path.size() - 2], "program")) {
      m_index.module = true;
    } else if (is(node, "member_expression")) {
      TSNode object = field(node, "object");
      std::string_view o = is(object, "identifier") ? text_of(object, m_source) : std::string_view();
      if (o == "exports" || (o == "module" && text_of(field(node, "property"), m_source) == "exports"))
        m_index.module = true;
    }
  }

  // Climbs from the identifier through destructuring patterns to what decides its role.
  void record_identifier(TSNode id) {
    Occurrence occ;
    occ.name = text_of(id, m_source);
    occ.start = ts_node_start_byte(id);
    occ.end = ts_node_end_byte(id);
    occ.frame = m_frames.back();
    TSNode child = id;
    for (size_t i = m_path.size() - 1; i-- > 0;) {
      TSNode parent = m_path[i];
      const char* t = ts_node_type(parent);
      auto via = [&](const char* name) { return same(field(parent, name), child); };
      if (!std::strcmp(t, "object_pattern") || !std::strcmp(t, "array_pattern") || !std::strcmp(t, "rest_pattern") ||
          (!std::strcmp(t, "pair_pattern") && via("value")) ||
          ((!std::strcmp(t, "assignment_pattern") || !std::strcmp(t, "object_assignment_pattern")) && via("left")) ||
          ((!std::strcmp(t, "required_parameter") || !std::strcmp(t, "optional_parameter")) && via("pattern"))) {
        child = parent;
        continue;
      }
      if (!std::strcmp(t, "variable_declarator") && via("name") && i > 0) {
        TSNode declaration = m_path[i - 1];
        TSNode value = field(parent, "value");
        if (is(declaration, "variable_declaration")) {
          occ.role = Role::var_binding;
          occ.owner = declaration;
          occ.declarator_end = ts_node_end_byte(parent);
          occ.initialised = !ts_node_is_null(value);
          occ.region = i >= 2 ? region_of(m_path[i - 2], declaration, m_frames[i - 2]) : -1;
        } else {
          occ.role = Role::lexical_binding;
          occ.scope = i >= 2 ? lexical_scope(m_frames[i - 2]) : -1;
        }
      } else if (!std::strcmp(t, "formal_parameters") && i > 0) {
        occ.role = Role::param_binding;
        occ.scope = m_frames[i - 1];
      } else if (!std::strcmp(t, "arrow_function") && via("parameter")) {
        occ.role = Role::param_binding;
        occ.scope = m_frames[i];
      } else if (!std::strcmp(t, "catch_clause") && via("parameter")) {
        occ.role = Role::catch_binding;
        occ.scope = m_frames[i];
      } else if (!std::strcmp(t, "for_in_statement") && via("left")) {
        std::string_view kind = text_of(field(parent, "kind"), m_source);
        if (kind == "var") {
          occ.role = Role::var_binding;
          occ.owner = parent;
          occ.declarator_end = ts_node_end_byte(child);
          occ.initialised = true;
          occ.region = m_frames[i];
        } else if (!kind.empty()) {
          occ.role = Role::lexical_binding;
          occ.scope = m_frames[i];
        }
      } else if (is_any(parent, k_hoisted) && via("name")) {
        occ.role = Role::function_binding;
        occ.owner = parent;
        occ.scope = m_frames[i] >= 0 ? m_index.frames[m_frames[i]].parent : -1;
      } else if (is_any(parent, k_functions) && via("name")) {
        occ.role = Role::self_binding;
        occ.scope = m_frames[i];
      } else if (is(parent, "class_declaration") && via("name") && i > 0) {
        occ.role = Role::lexical_binding;
        occ.scope = lexical_scope(m_frames[i - 1]);
      } else if (is(parent, "class") && via("name")) {
        occ.role = Role::self_binding;  // scope unknown (-1): the analysis gives up on such a name
      } else if (is(parent, "import_specifier")) {
        TSNode alias = field(parent, "alias");
        if (ts_node_is_null(alias) ? via("name") : via("alias")) occ.role = Role::import_binding;
        else return;  // the exporting module's name, not one of this file's
      } else if (is(parent, "namespace_import") || is(parent, "import_clause")) {
        occ.role = Role::import_binding;
      } else if (is(parent, "export_specifier") && via("alias")) {
        return;  // the name other modules see
      }
      break;
    }
    m_index.by_name[occ.name].push_back(m_index.occurrences.size());
    m_index.occurrences.push_back(occ);
  }

  // Where a `var` declaration stands, as a frame: a block, the program, a case, a for head.
  int region_of(TSNode holder, TSNode declaration, int holder_frame) const {
    if (is(holder, "statement_block") || is(holder, "program") || is(holder, "switch_case") ||
        is(holder, "switch_default"))
      return holder_frame;
    if (is(holder, "for_statement") && same(field(holder, "initializer"), declaration)) return holder_frame;
    if (is(holder, "export_statement") && holder_frame >= 0 && m_index.frames[holder_frame].kind == FrameKind::program)
      return holder_frame;
    return -1;
  }

  // A lexical declaration in a case belongs to the whole switch body.
  int lexical_scope(int frame) const {
    if (frame >= 0 && (is(m_index.frames[frame].node, "switch_case") || is(m_index.frames[frame].node, "switch_default")))
      return m_index.frames[frame].parent;
    return frame;
  }

  FileIndex& m_index;
  std::string_view m_source;
  std::vector<TSNode> m_path;
  std::vector<int> m_frames;  // innermost frame holding m_path[i] (itself included)
};

// One index per thread, for the file being scanned: findings of one file come one after another. A tree's
// address alone does not name it: once deleted, the next parse (of the same text, in a chain of fixes)
// may get the same address, and an index of the old tree would then be used on it (its nodes dangle).
// The cache keeps the tree's subtrees alive with a copy of the tree, so the address of the root's first
// child (inside the root subtree; the root node's own id is a field of the tree) names this tree alone.
struct IndexCache {
  const TSTree* tree = nullptr;
  const void* first_child = nullptr;
  ts::Tree keep; // holds the subtrees `first_child` points into alive
  std::string source;
  std::unique_ptr<FileIndex> index;
};

const void* first_child_of(const TSTree* tree) {
  const TSNode root = ts_tree_root_node(tree);
  return ts_node_child_count(root) ? ts_node_child(root, 0).id : nullptr;
}

const FileIndex& index_for(TSNode node, std::string_view source) {
  thread_local IndexCache cache;
  const void* first_child = first_child_of(node.tree);
  if (!cache.index || cache.tree != node.tree || cache.first_child != first_child || cache.source != source) {
    cache.index.reset();
    cache.source.assign(source.data(), source.size());
    cache.tree = node.tree;
    cache.first_child = first_child;
    cache.keep.reset(ts_tree_copy(node.tree));
    auto index = std::make_unique<FileIndex>();
    IndexBuilder(*index, cache.source).build(ts_tree_root_node(node.tree));
    cache.index = std::move(index);
  }
  return *cache.index;
}

// ---- The analysis -------------------------------------------------------------------------------

class VarToLet {
public:
  VarToLet(const FileIndex& index, TSNode declaration) : m_index(index), m_declaration(declaration) {}

  bool equivalent() {
    if (!locate()) return false;
    for (uint32_t at : m_index.eval_or_with)
      if (m_index.contains(m_function, at, at)) return false;
    const Frame& f = m_index.frames[m_function];
    if (f.kind == FrameKind::program && !m_index.module) return false;
    bool in_body = m_scope == m_function || same(field(f.node, "body"), m_index.frames[m_scope].node);

    uint32_t start = ts_node_start_byte(m_declaration), end = ts_node_end_byte(m_declaration);
    std::map<std::string_view, const Occurrence*> own;
    for (size_t i = 0; i < m_index.occurrences.size(); ++i) {
      const Occurrence& o = m_index.occurrences[i];
      if (o.start < start) continue;
      if (o.start >= end) break;
      if (o.role != Role::var_binding || !same(o.owner, m_declaration)) continue;
      if (!own.emplace(o.name, &o).second) return false;  // `var a = 1, a = 2`: let refuses the repeat
      if (!o.initialised && !in_body) return false;       // a block may run again: `let` would reset it
    }
    if (own.empty()) return false;
    for (const auto& [name, occ] : own)
      if (!name_stays_local(*occ)) return false;
    return true;
  }

private:
  // The declaration's region (where uses may be), scope (where `let` would live) and function.
  bool locate() {
    TSNode holder = ts_node_parent(m_declaration);
    if (is(holder, "export_statement")) holder = ts_node_parent(holder);
    if (is(holder, "statement_block") || is(holder, "program") ||
        (is(holder, "for_statement") && same(field(holder, "initializer"), m_declaration))) {
      m_region = m_scope = m_index.frame_at(holder);
    } else if (is(holder, "switch_case") || is(holder, "switch_default")) {
      m_region = m_index.frame_at(holder);
      m_scope = m_region >= 0 ? m_index.frames[m_region].parent : -1;
    } else {
      return false;
    }
    if (m_region < 0 || m_scope < 0) return false;
    m_function = m_index.function_of(m_scope);
    if (m_function < 0) return false;
    for (int f = m_scope; f != m_function; f = m_index.frames[f].parent)
      if (m_index.frames[f].kind == FrameKind::loop) m_in_loop = true;
    return true;
  }

  // The outermost function (or class body) strictly inside our function that holds frame `f`, or -1;
  // `*shadowed` when one of `shadows` holds it.
  int nested_function(int f, const std::vector<int>& shadows, bool* shadowed) const {
    int nested = -1;
    *shadowed = false;
    for (; f >= 0 && f != m_function; f = m_index.frames[f].parent) {
      for (int s : shadows)
        if (s == f) *shadowed = true;
      FrameKind k = m_index.frames[f].kind;
      if (k == FrameKind::function || k == FrameKind::hoisted_function || k == FrameKind::deferred) nested = f;
    }
    return nested;
  }

  bool name_stays_local(const Occurrence& own) {
    const Frame& function = m_index.frames[m_function];
    auto it = m_index.by_name.find(own.name);
    if (it == m_index.by_name.end()) return false;
    std::vector<int> shadows;
    std::vector<const Occurrence*> siblings, references;
    for (size_t i : it->second) {
      const Occurrence& o = m_index.occurrences[i];
      if (o.start < function.start || o.end > function.end) continue;
      switch (o.role) {
        case Role::reference: references.push_back(&o); break;
        case Role::var_binding: {
          if (same(o.owner, m_declaration)) break;
          int fn = m_index.function_of(o.frame);
          if (fn < 0) return false;
          if (fn != m_function) {
            shadows.push_back(fn);  // a `var` of a nested function: its uses are that function's
            break;
          }
          if (o.region < 0) return false;
          int other_scope = o.region;
          if (is(m_index.frames[o.region].node, "switch_case") || is(m_index.frames[o.region].node, "switch_default"))
            other_scope = m_index.frames[o.region].parent;
          // Nested or the same block: `let` and `var` of one name would collide.
          if (m_index.frame_within(other_scope, m_scope) || m_index.frame_within(m_scope, other_scope)) return false;
          siblings.push_back(&o);
          break;
        }
        case Role::lexical_binding:
        case Role::catch_binding:
          if (o.scope < 0 || m_index.frame_within(m_scope, o.scope)) return false;
          shadows.push_back(o.scope);
          break;
        case Role::param_binding:
          if (o.scope < 0 || o.scope == m_function) return false;
          shadows.push_back(o.scope);
          break;
        case Role::function_binding: {
          int fn = m_index.function_of(o.scope);
          if (fn < 0 || fn == m_function) return false;
          // Declared right in a nested function's body: that function's name. In an inner block, its
          // scope depends on strict mode: give up.
          if (!same(field(m_index.frames[fn].node, "body"), m_index.frames[o.scope].node)) return false;
          shadows.push_back(fn);
          break;
        }
        case Role::self_binding:
          if (o.scope < 0) return false;
          shadows.push_back(o.scope);
          break;
        case Role::import_binding: return false;
      }
    }
    for (const Occurrence* r : references) {
      bool shadowed = false;
      int nested = nested_function(r->frame, shadows, &shadowed);
      if (shadowed) continue;
      if (m_index.contains(m_region, r->start, r->end)) {
        if (r->start < own.declarator_end) return false;  // used before it is declared: TDZ under `let`
        if (nested < 0) continue;
        if (m_in_loop) return false;  // a closure in a loop: `let` gives each iteration its own variable
        if (m_index.frames[nested].kind == FrameKind::hoisted_function && !hoisting_safe()) return false;
        continue;
      }
      // Outside the block: fine only where another `var` of the name has just set it, outside closures.
      if (nested >= 0) return false;
      bool covered = false;
      for (const Occurrence* s : siblings)
        if (s->initialised && m_index.contains(s->region, r->start, r->end) && r->start >= s->declarator_end)
          covered = true;
      if (!covered) return false;
    }
    return true;
  }

  // No function declaration of our function can run before the declaration: none is exported, and
  // none is named anywhere before it (a call, a callback, an export list).
  bool hoisting_safe() {
    if (m_hoisting_checked) return m_hoisting_safe;
    m_hoisting_checked = true;
    m_hoisting_safe = false;
    uint32_t before = ts_node_end_byte(m_declaration);
    const Frame& function = m_index.frames[m_function];
    for (const Occurrence& o : m_index.occurrences) {
      if (o.role != Role::function_binding || o.start < function.start || o.end > function.end) continue;
      if (m_index.function_of(o.scope) != m_function) continue;
      if (is(ts_node_parent(o.owner), "export_statement")) return false;
      for (size_t i : m_index.by_name.at(o.name)) {
        const Occurrence& use = m_index.occurrences[i];
        if (use.role == Role::reference && use.start >= function.start && use.start < before) return false;
      }
    }
    m_hoisting_safe = true;
    return true;
  }

  const FileIndex& m_index;
  TSNode m_declaration;
  int m_region = -1, m_scope = -1, m_function = -1;
  bool m_in_loop = false;
  bool m_hoisting_checked = false, m_hoisting_safe = false;
};

} // namespace

bool js_var_block_local(TSNode declaration, std::string_view source) {
  if (!is(declaration, "variable_declaration") || ts_node_child_count(declaration) == 0) return false;
  if (text_of(ts_node_child(declaration, 0), source) != "var") return false;
  return VarToLet(index_for(declaration, source), declaration).equivalent();
}

} // namespace scan
