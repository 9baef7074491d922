#include "scan/rule.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/kinds.hpp"
#include "core/limits.hpp"
#include "core/resources.hpp"
#include "scan/assumptions.hpp"
#include "scan/code_context.hpp"
#include "fix/template.hpp"
#include "scan/language.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <map>
#include <set>

namespace scan {

namespace {

[[noreturn]] void fail(const std::string& source, const YAML::Mark& mark, const std::string& message) {
  throw core::LocatedError(source, mark.line + 1, mark.column + 1, message);
}

std::string scalar(const std::string& source, const YAML::Node& node, const char* key) {
  if (!node.IsScalar()) fail(source, node.Mark(), std::string("'") + key + "' must be a string");
  return node.as<std::string>();
}

std::vector<std::string> string_list(const std::string& source, const YAML::Node& node, const char* key) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.as<std::string>());
    return out;
  }
  if (!node.IsSequence()) fail(source, node.Mark(), std::string("'") + key + "' must be a list of strings");
  for (const auto& item : node) {
    if (!item.IsScalar()) fail(source, item.Mark(), std::string("'") + key + "' must be a list of strings");
    out.push_back(item.as<std::string>());
  }
  return out;
}

void expect_one_of(const std::string& source, const YAML::Node& node, const std::string& value,
                   std::initializer_list<const char*> allowed, const char* key) {
  for (const char* a : allowed)
    if (value == a) return;
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  fail(source, node.Mark(), std::string("'") + key + "' must be one of " + list + " (got '" + value + "')");
}

// The value of `node`, one of E's names (core/kinds.hpp); any other text fails with a message listing them.
template <class E>
E read_kind(const std::string& source, const YAML::Node& node, const char* key) {
  const std::string value = scalar(source, node, key);
  if (std::optional<E> kind = core::parse<E>(value)) return *kind;
  std::string list;
  for (E v : core::all_values<E>()) list += (list.empty() ? "" : ", ") + std::string(core::to_string(v));
  fail(source, node.Mark(), std::string("'") + key + "' must be one of " + list + " (got '" + value + "')");
}

std::string capture_name(const std::string& source, const YAML::Node& node) {
  std::string c = scalar(source, node, "capture");
  if (c.size() < 2 || c[0] != '@') fail(source, node.Mark(), "a fix edit names a capture like \"@op\" (got '" + c + "')");
  return c.substr(1);
}

FixEdit parse_edit(const std::string& source, const YAML::Node& node) {
  if (!node.IsMap()) fail(source, node.Mark(), "a fix edit must be a map such as {replace: \"@op\", with: \"...\"}");
  FixEdit edit;
  bool have_op = false;
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    auto set_op = [&](FixEdit::Op op) {
      if (have_op) fail(source, kv.first.Mark(), "a fix edit has exactly one of replace, delete, delete_item, insert_before, insert_after, indent");
      have_op = true;
      edit.op = op;
      edit.capture = capture_name(source, v);
    };
    if (key == "replace") set_op(FixEdit::Op::replace);
    else if (key == "delete") set_op(FixEdit::Op::remove);
    else if (key == "insert_before") set_op(FixEdit::Op::insert_before);
    else if (key == "insert_after") set_op(FixEdit::Op::insert_after);
    else if (key == "delete_item") set_op(FixEdit::Op::remove_item);
    else if (key == "indent") set_op(FixEdit::Op::indent);
    else if (key == "key") edit.key = scalar(source, v, "key");
    else if (key == "when" || key == "unless") {
      (key == "when" ? edit.when : edit.unless) = capture_name(source, v);
    } else if (key == "with" || key == "text") {
      if (v.IsMap()) {
        for (const auto& m : v) edit.map[m.first.as<std::string>()] = scalar(source, m.second, "with");
      } else {
        edit.text = scalar(source, v, key.c_str());
      }
    } else {
      fail(source, kv.first.Mark(), "unknown key '" + key + "' in a fix edit (expected replace, delete, delete_item, insert_before, insert_after, indent, with, key, when, unless)");
    }
  }
  if (!have_op) fail(source, node.Mark(), "a fix edit needs one of replace, delete, delete_item, insert_before, insert_after, indent");
  if (!edit.key.empty() && edit.map.empty()) fail(source, node.Mark(), "a fix edit's 'key' needs a 'with' map to look it up in");
  return edit;
}

// A list of cases: each a string of code, or {path: <relative path>, code: "..."} scanned as that path.
void case_list(const std::string& source, const YAML::Node& node, const char* key, std::vector<std::string>& codes,
               std::vector<std::string>* paths) {
  if (node.IsScalar()) {
    codes.push_back(node.as<std::string>());
    if (paths) paths->emplace_back();
    return;
  }
  if (!node.IsSequence()) fail(source, node.Mark(), std::string("'") + key + "' must be a list of cases");
  for (const auto& item : node) {
    if (item.IsScalar()) {
      codes.push_back(item.as<std::string>());
      if (paths) paths->emplace_back();
      continue;
    }
    if (!paths || !item.IsMap())
      fail(source, item.Mark(), std::string("a case of '") + key + "' must be a string of code" +
                                    (paths ? " or {path: ..., code: ...}" : ""));
    std::optional<std::string> code, path;
    for (const auto& kv : item) {
      std::string k = kv.first.as<std::string>();
      if (k == "code") code = scalar(source, kv.second, "code");
      else if (k == "path") path = scalar(source, kv.second, "path");
      else fail(source, kv.first.Mark(), "unknown key '" + k + "' in a case (expected path, code)");
    }
    if (!code || !path) fail(source, item.Mark(), "a case map needs both 'path' and 'code'");
    if (path->empty() || path->front() == '/' || path->find("..") != std::string::npos || path->back() == '/')
      fail(source, item.Mark(), "a case's path is a relative file path without '..' (got '" + *path + "')");
    codes.push_back(*code);
    paths->push_back(*path);
  }
}

Assumption parse_assumption(const std::string& source, const YAML::Node& node) {
  if (!node.IsMap())
    fail(source, node.Mark(), "'assumption' must be a map: {text: \"...\", established_by: <analysis>, subject: \"@capture\"}");
  Assumption a;
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    if (key == "text") {
      a.text = scalar(source, kv.second, "text");
    } else if (key == "established_by") {
      a.established_by = scalar(source, kv.second, "established_by");
      if (!establishment_by_name(a.established_by)) {
        std::string names;
        for (const auto& e : known_establishments()) names += (names.empty() ? "" : ", ") + e.name;
        fail(source, kv.second.Mark(), "unknown analysis '" + a.established_by + "' (known: " + names + ")");
      }
    } else if (key == "subject") {
      a.subject = capture_name(source, kv.second);
    } else {
      fail(source, kv.first.Mark(), "unknown key '" + key + "' in assumption (expected text, established_by, subject)");
    }
  }
  if (a.text.empty() || a.established_by.empty() || a.subject.empty())
    fail(source, node.Mark(), "'assumption' needs text, established_by and subject");
  return a;
}

} // namespace

const char* to_string(RuleOrigin origin) {
  switch (origin) {
  case RuleOrigin::builtin: return "builtin";
  case RuleOrigin::repository: return "repository";
  case RuleOrigin::local: return "local";
  }
  return "builtin";
}

std::string describe_origin(const Rule& rule) {
  if (rule.origin == RuleOrigin::builtin || rule.file.empty()) return to_string(rule.origin);
  return std::string(to_string(rule.origin)) + " (" + rule.file + ")";
}

const std::vector<std::string>& known_checks() {
  static const std::vector<std::string> k_checks = {
      "outside-tests", "inside-loop",    "untested-public-function", "accumulates-in-loop", "unchecked-allocation",
      "real-cast",     "unbounded-copy", "cpp-only-code",            "parameter-only-read", "typedef-alias",
      "null-pointer-constant", "java-string-operands", "receiver-has-empty", "security-use", "closed-in-block"};
  return k_checks;
}

const std::vector<std::string>& check_captures(const std::string& name) {
  static const std::vector<std::string> k_none;
  static const std::vector<std::string> k_typedef = {"alias_name",  "alias_type",  "alias_type_tail", "alias_name2",
                                                      "alias_pre2",  "alias_tail2", "alias_name3",     "alias_pre3",
                                                      "alias_tail3", "alias_base",  "alias_indent"};
  static const std::vector<std::string> k_cast = {"cast_operand"};
  if (name == "typedef-alias") return k_typedef;
  static const std::vector<std::string> k_alloc = {"alloc_target", "alloc_statement", "alloc_indent"};
  if (name == "real-cast") return k_cast;
  if (name == "unchecked-allocation") return k_alloc;
  static const std::vector<std::string> k_with = {"with_body", "with_close"};
  if (name == "closed-in-block") return k_with;
  return k_none;
}

Rule parse_rule(const std::string& text, const std::string& source, const std::optional<std::string>& query_file_text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    fail(source, e.mark, e.msg);
  }
  if (!root.IsMap()) fail(source, root.Mark(), "a rule file must be a YAML map");
  Rule rule;
  rule.source = source;
  rule.safety = core::Safety::suggest;
  rule.severity = "warning";
  bool have_id = false, have_lang = false, have_cat = false, have_msg = false;
  YAML::Mark assumption_mark;
  YAML::Mark mechanical_mark;
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    const YAML::Mark& at = kv.first.Mark();
    if (key == "id") {
      rule.id = scalar(source, v, "id");
      // An id names the rule in commit subjects and trailers: no spaces or line breaks that could
      // forge a trailer (Autoloop-Rule-Source) or another rule's name.
      auto bad = std::find_if(rule.id.begin(), rule.id.end(), [](unsigned char c) {
        return !std::isalnum(c) && c != '-' && c != '_' && c != '.' && c != '/' && c != ':';
      });
      if (rule.id.empty() || bad != rule.id.end())
        fail(source, v.Mark(), "'id' may hold only letters, digits and - _ . / : (got '" + rule.id + "')");
      have_id = true;
    } else if (key == "language" || key == "languages") {
      rule.languages = string_list(source, v, key.c_str());
      for (const auto& l : rule.languages)
        if (!language_by_name(l)) {
          std::string names;
          for (const auto& p : languages()) names += (names.empty() ? "" : ", ") + std::string(p.name);
          fail(source, v.Mark(), "unknown language '" + l + "' (supported: " + names + ")");
        }
      have_lang = true;
    } else if (key == "category") {
      rule.category = read_kind<core::Category>(source, v, "category");
      have_cat = true;
    } else if (key == "severity") {
      rule.severity = scalar(source, v, "severity");
      expect_one_of(source, v, rule.severity, {"info", "warning", "error"}, "severity");
    } else if (key == "safety") {
      rule.safety = read_kind<core::Safety>(source, v, "safety");
    } else if (key == "message") {
      rule.message = scalar(source, v, "message");
      have_msg = true;
    } else if (key == "description") {
      rule.description = scalar(source, v, "description");
    } else if (key == "query") {
      rule.query = scalar(source, v, "query");
      // A block scalar (`|`) starts on the next line, indented.
      rule.query_line = v.Mark().line + 1;
      rule.query_column = v.Mark().column + 1;
      if (v.Tag() == "!" || text.compare(v.Mark().pos, 1, "|") == 0 || text.compare(v.Mark().pos, 1, ">") == 0) {
        rule.query_line += 1;
        // yaml-cpp strips the block's indentation: add it back so columns point into the file.
        size_t line_start = text.find('\n', v.Mark().pos);
        size_t indent = 0;
        if (line_start != std::string::npos)
          while (line_start + 1 + indent < text.size() && text[line_start + 1 + indent] == ' ') ++indent;
        rule.query_column = static_cast<int>(indent) + 1;
      }
    } else if (key == "check") {
      rule.check = scalar(source, v, "check");
      const auto& checks = known_checks();
      if (std::find(checks.begin(), checks.end(), rule.check) == checks.end())
        fail(source, v.Mark(), "unknown check '" + rule.check + "'");
    } else if (key == "calls") {
      rule.calls = string_list(source, v, "calls");
    } else if (key == "not_in") {
      // Where the rule does not apply (scan/code_context.hpp); an unknown name is a located error.
      const YAML::Node& list = v;
      if (!list.IsSequence() && !list.IsNull()) fail(source, list.Mark(), "'not_in' must be a list of contexts, e.g. [tests, examples]");
      rule.not_in = 0;
      if (list.IsSequence())
        for (const auto& item : list) {
          if (!item.IsScalar()) fail(source, item.Mark(), "'not_in' must be a list of contexts, e.g. [tests, examples]");
          auto b = context_by_name(item.as<std::string>());
          if (!b)
            fail(source, item.Mark(), "unknown context '" + item.as<std::string>() + "' in not_in (known: " +
                                          describe_contexts(~0u) + ")");
          rule.not_in |= *b;
        }
      rule.declared_not_in = rule.not_in;
    } else if (key == "enabled") {
      if (!v.IsScalar() || (v.as<std::string>() != "true" && v.as<std::string>() != "false"))
        fail(source, v.Mark(), "'enabled' must be true or false");
      rule.enabled = v.as<std::string>() == "true";
    } else if (key == "mechanical") {
      if (!v.IsScalar() || (v.as<std::string>() != "true" && v.as<std::string>() != "false"))
        fail(source, v.Mark(), "'mechanical' must be true or false");
      rule.mechanical = v.as<std::string>() == "true";
      mechanical_mark = v.Mark();
    } else if (key == "scope_sensitive") {
      if (!v.IsScalar() || (v.as<std::string>() != "true" && v.as<std::string>() != "false"))
        fail(source, v.Mark(), "'scope_sensitive' must be true or false");
      rule.scope_sensitive = v.as<std::string>() == "true";
    } else if (key == "fix") {
      if (!v.IsSequence()) fail(source, v.Mark(), "'fix' must be a list of edits");
      for (const auto& e : v) rule.fix.push_back(parse_edit(source, e));
    } else if (key == "assumption") {
      rule.assumption = parse_assumption(source, v);
      assumption_mark = v.Mark();
    } else if (key == "equivalents") {
      if (!v.IsMap())
        fail(source, v.Mark(), "'equivalents' must be a map from a tool (eslint, biome, ruff, clang-tidy) to its rule ids");
      for (const auto& t : v) {
        std::string tool = t.first.as<std::string>();
        if (std::find_if(std::begin(k_linter_tools), std::end(k_linter_tools), [&](const char* k) { return tool == k; }) ==
            std::end(k_linter_tools))
          fail(source, t.first.Mark(), "unknown tool '" + tool + "' in equivalents (expected eslint, biome, ruff, clang-tidy)");
        for (auto& id : string_list(source, t.second, tool.c_str())) {
          if (id.empty() || id.find_first_of(" \t\r\n,*") != std::string::npos)
            fail(source, t.second.Mark(), "an equivalent names one rule, without spaces, commas or globs (got '" + id + "')");
          rule.equivalents[tool].push_back(std::move(id));
        }
      }
    } else if (key == "tests") {
      if (!v.IsMap()) fail(source, v.Mark(), "'tests' must be a map with valid, invalid and fixed lists");
      for (const auto& t : v) {
        std::string tk = t.first.as<std::string>();
        if (tk == "valid") case_list(source, t.second, "valid", rule.tests.valid, &rule.tests.valid_paths);
        else if (tk == "invalid") case_list(source, t.second, "invalid", rule.tests.invalid, &rule.tests.invalid_paths);
        else if (tk == "fixed") rule.tests.fixed = string_list(source, t.second, "fixed");
        else if (tk == "suggested") rule.tests.suggested = string_list(source, t.second, "suggested");
        else if (tk == "refused") rule.tests.refused = string_list(source, t.second, "refused");
        else fail(source, t.first.Mark(), "unknown key '" + tk + "' in tests (expected valid, invalid, fixed, suggested, refused)");
      }
    } else {
      fail(source, at, "unknown key '" + key + "' (expected id, language, category, severity, safety, message, "
                       "description, query, check, calls, not_in, fix, mechanical, scope_sensitive, assumption, equivalents, tests, "
                       "enabled)");
    }
  }
  if (query_file_text && rule.query.empty()) {
    rule.query = *query_file_text;
    rule.source = source.substr(0, source.size() - 4) + ".scm";
    rule.query_line = 1;
    rule.query_column = 1;
  }
  if (!have_id) fail(source, root.Mark(), "a rule needs an 'id'");
  if (!have_lang) fail(source, root.Mark(), "rule " + rule.id + " needs a 'language'");
  if (!have_cat) fail(source, root.Mark(), "rule " + rule.id + " needs a 'category'");
  if (!have_msg) fail(source, root.Mark(), "rule " + rule.id + " needs a 'message'");
  if (rule.query.empty()) fail(source, root.Mark(), "rule " + rule.id + " needs a 'query' (or a sibling .scm file)");
  if (!rule.tests.fixed.empty() && rule.tests.fixed.size() != rule.tests.invalid.size())
    fail(source, root.Mark(), "rule " + rule.id + ": tests.fixed must have one entry per tests.invalid entry");
  // {{name}} in the message or a fix must name a capture of the query (or one its check adds).
  const auto& added = check_captures(rule.check);
  auto has_capture = [&](const std::string& name) {
    return rule.query.find("@" + name) != std::string::npos || std::find(added.begin(), added.end(), name) != added.end();
  };
  auto check_placeholders = [&](const std::string& text, const char* where) {
    size_t at = 0;
    while ((at = text.find("{{", at)) != std::string::npos) {
      size_t close = text.find("}}", at + 2);
      if (close == std::string::npos) break;
      std::string name = text.substr(at + 2, close - at - 2);
      if (size_t bar = name.find('|'); bar != std::string::npos) {
        if (!fix::is_fix_filter(name.substr(bar + 1)))
          fail(source, root.Mark(), "rule " + rule.id + ": " + where + " uses an unknown filter in {{" + name + "}}");
        name.resize(bar);
      }
      if (!name.empty() && name.back() == '?') name.pop_back();
      if (!has_capture(name))
        fail(source, root.Mark(), "rule " + rule.id + ": " + where + " uses {{" + name + "}} but the query has no @" + name);
      at = close + 2;
    }
  };
  check_placeholders(rule.message, "the message");
  for (const auto& e : rule.fix) {
    check_placeholders(e.text, "a fix");
    check_placeholders(e.key, "a fix's key");
    for (const auto& m : e.map) check_placeholders(m.second, "a fix");
    if (!has_capture(e.capture))
      fail(source, root.Mark(), "rule " + rule.id + ": a fix edits @" + e.capture + " but the query has no such capture");
    for (const std::string* c : {&e.when, &e.unless})
      if (!c->empty() && !has_capture(*c))
        fail(source, root.Mark(), "rule " + rule.id + ": a fix edit's condition names @" + *c + " but the query has no such capture");
  }
  if (!rule.calls.empty() && (rule.query.find("@callee") == std::string::npos ||
                              std::find(rule.languages.begin(), rule.languages.end(), "python") == rule.languages.end()))
    fail(source, root.Mark(), "rule " + rule.id + ": 'calls' needs a Python rule whose query captures the call's function as @callee");
  if (rule.safety != core::Safety::suggest && rule.fix.empty())
    fail(source, root.Mark(),
         "rule " + rule.id + " is '" + std::string(core::to_string(rule.safety)) + "' but has no 'fix' (use safety: suggest)");
  // Sweeps apply many fixes under one verdict: only a fix that is safe wherever it applies may be swept.
  if (rule.mechanical && (rule.safety != core::Safety::safe || rule.fix.empty()))
    fail(source, mechanical_mark, "rule " + rule.id + ": 'mechanical: true' needs a safe fix (safety: safe and a 'fix')");
  if (rule.assumption) {
    check_placeholders(rule.assumption->text, "the assumption");
    if (rule.query.find("@" + rule.assumption->subject) == std::string::npos)
      fail(source, assumption_mark, "rule " + rule.id + ": the assumption's subject @" + rule.assumption->subject +
                                        " is not a capture of the query");
    const EstablishmentInfo* e = establishment_by_name(rule.assumption->established_by);
    for (const auto& l : rule.languages)
      if (std::find(e->languages.begin(), e->languages.end(), l) == e->languages.end())
        fail(source, assumption_mark, "rule " + rule.id + ": the analysis '" + e->name + "' does not understand " + l);
  }
  return rule;
}

std::vector<Rule> builtin_rules() {
  std::vector<Rule> out;
  for (const auto& r : core::resources()) {
    std::string name(r.name);
    if (name.rfind("config/rules/", 0) != 0 || name.size() < 4 || name.compare(name.size() - 4, 4, ".yml") != 0) continue;
    std::optional<std::string> scm;
    if (auto s = core::resource(name.substr(0, name.size() - 4) + ".scm")) scm = std::string(*s);
    out.push_back(parse_rule(std::string(r.content), "builtin:" + name, scm));
    out.back().origin = RuleOrigin::builtin;
    out.back().file = name;
  }
  std::sort(out.begin(), out.end(), [](const Rule& a, const Rule& b) { return a.id < b.id; });
  return out;
}

std::vector<RuleFile> read_rules_dir(const std::filesystem::path& dir, const std::filesystem::path& confine_root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  // The directory, followed through symlinks, must stay inside the work tree: `.autoloop -> /` would
  // have the walk read every .yml of the machine. Below it, symlinked directories are not followed.
  if (!confine_root.empty() && fs::exists(fs::symlink_status(dir, ec)) && !core::resolves_within(dir, confine_root))
    throw core::LocatedError(dir.string(), 1, 1,
                             "the rules directory resolves to " + fs::weakly_canonical(dir, ec).string() + ", outside " +
                                 confine_root.string() + ": not read");
  if (!fs::is_directory(dir, ec)) return {};
  std::vector<fs::path> files;
  size_t entries = 0, rule_files = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (++entries > core::k_max_rule_dir_entries)
      throw core::LocatedError(dir.string(), 1, 1,
                               "more than " + std::to_string(core::k_max_rule_dir_entries) + " entries in the rules directory: not read");
    // Anything named *.yml or *.scm but a directory: a symlink, FIFO or device is refused by the reader, by name.
    const auto ext = it->path().extension();
    std::error_code type_ec;
    if ((ext == ".yml" || ext == ".scm") && !fs::is_directory(it->symlink_status(type_ec))) {
      files.push_back(it->path());
      rule_files += ext == ".yml";
    }
  }
  if (ec) throw core::Error("cannot read rules directory " + dir.string() + ": " + ec.message());
  if (rule_files > core::k_max_rule_files)
    throw core::LocatedError(dir.string(), 1, 1,
                             std::to_string(rule_files) + " rule files (at most " + std::to_string(core::k_max_rule_files) +
                                 "): not read");
  std::vector<RuleFile> out;
  size_t total = 0;
  for (const auto& f : files) {
    auto text = core::read_untrusted_file(f, core::k_max_rule_file_bytes, confine_root, "rule files");
    if (!text) continue;
    if ((total += text->size()) > core::k_max_rules_total_bytes)
      throw core::LocatedError(f.string(), 1, 1,
                               "the rule files together exceed the " + core::describe_size(core::k_max_rules_total_bytes) +
                                   " limit: not read");
    out.push_back({f, f.lexically_relative(dir).generic_string(), std::move(*text)});
  }
  std::sort(out.begin(), out.end(), [](const RuleFile& a, const RuleFile& b) { return a.relative < b.relative; });
  return out;
}

namespace {

// The `id:` a rule file declares on a line of its own, read without parsing the YAML (the file may not
// parse); nullopt when there is none or it is not a plain id.
std::optional<std::string> declared_id(const std::string& text) {
  size_t at = text.rfind("id:", 0) == 0 ? 0 : text.find("\nid:");
  if (at == std::string::npos) return std::nullopt;
  at = text.find(':', at) + 1;
  size_t end = text.find('\n', at);
  std::string id = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
  id.erase(0, id.find_first_not_of(" \t\"'"));
  while (!id.empty() && std::strchr(" \t\r\"'", id.back())) id.pop_back();
  if (id.empty() || id.size() > 128 ||
      id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:") != std::string::npos)
    return std::nullopt;
  return id;
}

} // namespace

std::vector<Rule> parse_rule_files(const std::vector<RuleFile>& files, RuleOrigin origin) {
  std::map<std::string, const RuleFile*> by_relative;
  for (const auto& f : files) by_relative[f.relative] = &f;
  std::vector<Rule> out;
  for (const auto& f : files) {
    if (f.path.extension() != ".yml") continue;
    std::optional<std::string> scm;
    auto sibling = by_relative.find(f.relative.substr(0, f.relative.size() - 4) + ".scm");
    if (sibling != by_relative.end()) scm = sibling->second->text;
    Rule rule;
    try {
      rule = parse_rule(f.text, f.path.string(), scm);
      if (origin != RuleOrigin::repository && rule.id.rfind(k_repository_prefix, 0) == 0) {
        // The line of the `id:` key (a top-level key starts its line).
        size_t at = f.text.rfind("id:", 0) == 0 ? 0 : f.text.find("\nid:");
        int line = at == std::string::npos ? 1 : 1 + static_cast<int>(std::count(f.text.begin(), f.text.begin() + at + (at ? 1 : 0), '\n'));
        throw core::LocatedError(f.path.string(), line, 1, "rule " + rule.id + ": the id prefix '" +
                                 k_repository_prefix + "' is reserved for the repository's rules");
      }
    } catch (const core::LocatedError& e) {
      // One malformed file does not take the other rules down: it becomes a rule that is off and says why.
      rule = Rule{};
      rule.id = declared_id(f.text).value_or(f.relative.substr(0, f.relative.size() - 4));
      rule.source = f.path.string();
      rule.broken = e.what();
      rule.off_reason = "malformed: " + rule.broken;
      rule.enabled = false;
    }
    rule.origin = origin;
    rule.file = f.path.string();
    if (origin == RuleOrigin::repository && rule.id.rfind(k_repository_prefix, 0) != 0) rule.id = k_repository_prefix + rule.id;
    out.push_back(std::move(rule));
  }
  return out;
}

std::vector<Rule> load_rules_dir(const std::filesystem::path& dir, RuleOrigin origin,
                                 const std::filesystem::path& confine_root) {
  return parse_rule_files(read_rules_dir(dir, confine_root), origin);
}

std::vector<Rule> merge_rules(std::vector<Rule> builtin, const std::vector<Rule>& extra,
                              const std::vector<std::string>& disable, const std::vector<std::string>& enable,
                              const std::map<std::string, std::string>& severity) {
  for (auto r : extra) {
    // A repository rule keeps to its own namespace whoever built it: it never replaces a built-in.
    if (r.origin == RuleOrigin::repository && r.id.rfind(k_repository_prefix, 0) != 0) r.id = k_repository_prefix + r.id;
    auto it = std::find_if(builtin.begin(), builtin.end(), [&](const Rule& b) { return b.id == r.id; });
    if (it != builtin.end()) *it = r;
    else builtin.push_back(r);
  }
  std::set<std::string> off(disable.begin(), disable.end()), on(enable.begin(), enable.end());
  for (auto& r : builtin) {
    if (off.count(r.id)) r.enabled = false;
    if (on.count(r.id) && r.broken.empty()) r.enabled = true;
    if (auto s = severity.find(r.id); s != severity.end()) r.severity = s->second;
  }
  std::sort(builtin.begin(), builtin.end(), [](const Rule& a, const Rule& b) { return a.id < b.id; });
  return builtin;
}

} // namespace scan
