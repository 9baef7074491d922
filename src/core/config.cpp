#include "core/config.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/kinds.hpp"
#include "core/refname.hpp"
#include "core/suggest.hpp"
#include "core/limits.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <set>
#include <sstream>
#include <type_traits>

extern char** environ;

namespace core {

namespace {

// The names of E (core/kinds.hpp), for the keys that take one.
template <class E> std::vector<std::string> names_of() {
  std::vector<std::string> out;
  for (E v : all_values<E>()) out.emplace_back(to_string(v));
  return out;
}

const std::vector<std::string> k_scopes = {"changed_files", "changed_lines"};
const std::vector<std::string> k_vendored_modes = {"auto", "off"};
const std::vector<std::string> k_severities = {"info", "warning", "error"};
const std::vector<std::string> k_categories = names_of<Category>();
// ci.block_on: a category (short or full name) or a severity.
const std::vector<std::string> k_block_on = [] {
  std::vector<std::string> names;
  for (Category c : all_values<Category>()) names.emplace_back(short_name(c));
  for (Category c : all_values<Category>()) names.emplace_back(to_string(c));
  names.insert(names.end(), k_severities.begin(), k_severities.end());
  return names;
}();
const std::vector<std::string> k_languages = {"python", "javascript", "typescript", "tsx", "c",
                                              "cpp",    "java",       "go",         "rust"};
// Where a rule may be skipped (scan/code_context.hpp names the same).
const std::vector<std::string> k_contexts = {"tests", "examples", "benchmarks", "type_checking", "codegen"};
// generator.offer: untested functions, complexity regressions, security findings without a fix, and
// every other suggest-only finding.
const std::vector<std::string> k_generator_offers = {"untested", "complexity", "security", "suggestions"};
// sweep.by: one sweep commit per file, or per directory.
const std::vector<std::string> k_sweep_units = {"file", "directory"};
const std::vector<std::string> k_fixer_keys = {"name", "command", "languages", "timeout"};
const char* const k_env_prefix = "AUTOLOOP_";
const char* const k_default_origin = "default";
const char* const k_command_line_origin = "command line";

// ---------------------------------------------------------------------------------------------
// Text helpers

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string unknown_key_message(const std::string& key, const std::vector<std::string>& known) {
  std::string message = "unknown key '" + key + "'";
  if (auto suggestion = closest(key, known)) return message + " (did you mean '" + *suggestion + "'?)";
  return message + " (known keys: " + join(known, ", ") + ")";
}

// Renders a string as a YAML flow scalar: plain when that reads back as the same string, else double-quoted.
std::string render_string(const std::string& text) {
  auto plain_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view(" _-./@+*%=").find(c) != std::string_view::npos;
  };
  bool plain = !text.empty() && text.front() != ' ' && text.back() != ' ' &&
               (std::isalnum(static_cast<unsigned char>(text.front())) || text.front() == '_' || text.front() == '.' ||
                text.front() == '/') &&
               std::all_of(text.begin(), text.end(), plain_char);
  if (plain) {
    // Plain scalars that YAML would read as null, a bool or a number must be quoted.
    static const std::set<std::string> k_null_words = {"null", "~"};
    YAML::Node scalar(text);
    bool flag;
    double number;
    long long integer;
    if (k_null_words.count(lower(text)) || YAML::convert<bool>::decode(scalar, flag) ||
        YAML::convert<double>::decode(scalar, number) || YAML::convert<long long>::decode(scalar, integer)) {
      plain = false;
    }
  }
  if (plain) return text;
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
        out += buf;
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

std::string render_list(const std::vector<std::string>& items) {
  std::vector<std::string> rendered;
  for (const std::string& item : items) rendered.push_back(render_string(item));
  return "[" + join(rendered, ", ") + "]";
}

// The shortest text that reads back as exactly `value`, always marked as a number ("1.0", not "1").
std::string render_number(double value) {
  char buf[64];
  const bool exponent_ok = !(std::fabs(value) >= 1e-4 && std::fabs(value) < 1e15); // "10", not "1e+01"
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value && (exponent_ok || !std::strchr(buf, 'e'))) break;
  }
  std::string text = buf;
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

// ---------------------------------------------------------------------------------------------
// Layers and located failures

// One configuration layer being applied.
struct Layer {
  std::string file;   // non-empty for a file: errors are located and origins are file:line:column
  bool shared = false; // the repository's own .autoloop.yml
  std::string label;  // error prefix for an env variable or an override
  std::string origin; // origin of every value set by an env variable or an override
};

// The key whose value is being parsed: its position stands in for values that have none (null values).
struct Where {
  const Layer& layer;
  YAML::Mark key_mark;
};

YAML::Mark mark_of(const Where& where, const YAML::Node& node) {
  if (node.IsDefined() && !node.IsNull() && !node.Mark().is_null()) return node.Mark();
  return where.key_mark;
}

[[noreturn]] void fail_at(const Layer& layer, const YAML::Mark& mark, const std::string& message) {
  if (layer.file.empty()) throw Error(layer.label + ": " + message);
  throw LocatedError(layer.file, mark.is_null() ? 1 : mark.line + 1, mark.is_null() ? 1 : mark.column + 1, message);
}

[[noreturn]] void fail(const Where& where, const YAML::Node& node, const std::string& message) {
  fail_at(where.layer, mark_of(where, node), message);
}

std::string origin_of(const Where& where, const YAML::Mark& mark) {
  if (where.layer.file.empty()) return where.layer.origin;
  return where.layer.file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// ---------------------------------------------------------------------------------------------
// Typed value parsers; each fails at the value's position.

std::string describe(const YAML::Node& node) {
  if (node.IsScalar())
    return "'" + (node.Scalar().size() > 60 ? node.Scalar().substr(0, 57) + "..." : node.Scalar()) + "'";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  return "nothing";
}

bool parse_bool(const YAML::Node& node, const Where& where) {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
    fail(where, node, "expected true or false (got " + describe(node) + ")");
  return value;
}

long long parse_int(const YAML::Node& node, const Where& where, long long min, long long max) {
  std::string expected = "expected an integer";
  if (max == INT_MAX || max == LLONG_MAX)
    expected += " >= " + std::to_string(min);
  else
    expected += " between " + std::to_string(min) + " and " + std::to_string(max);
  long long value = 0;
  if (!node.IsScalar() || !YAML::convert<long long>::decode(node, value) || value < min || value > max)
    fail(where, node, expected + " (got " + describe(node) + ")");
  return value;
}

double parse_number(const YAML::Node& node, const Where& where, double min, double max) {
  double value = 0;
  bool ok = node.IsScalar() && YAML::convert<double>::decode(node, value) && value >= min && value <= max;
  if (!ok)
    fail(where, node,
         "expected a number between " + render_number(min) + " and " + render_number(max) + " (got " + describe(node) +
             ")");
  return value;
}

// A null value is the empty string (`test_command:` means none).
std::string parse_string(const YAML::Node& node, const Where& where, bool non_empty) {
  if (!node.IsNull() && !node.IsScalar()) fail(where, node, "expected a string (got " + describe(node) + ")");
  std::string value = node.IsScalar() ? node.Scalar() : std::string();
  if (non_empty && value.empty()) fail(where, node, "expected a non-empty string");
  return value;
}

std::string parse_enum(const YAML::Node& node, const Where& where, const std::vector<std::string>& allowed) {
  std::string message = "expected one of " + join(allowed, ", ");
  if (!node.IsScalar()) fail(where, node, message + " (got " + describe(node) + ")");
  const std::string& value = node.Scalar();
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
  message += " (got '" + value + "'";
  if (auto suggestion = closest(value, allowed)) message += "; did you mean '" + *suggestion + "'?";
  fail(where, node, message + ")");
}

// A list of strings, each one of `allowed` when given; a null value is the empty list.
std::vector<std::string> parse_list(const YAML::Node& node, const Where& where,
                                    const std::vector<std::string>* allowed) {
  std::vector<std::string> items;
  if (node.IsNull()) return items;
  if (!node.IsSequence()) fail(where, node, "expected a list, e.g. [a, b] (got " + describe(node) + ")");
  for (const YAML::Node& item : node) {
    if (allowed)
      items.push_back(parse_enum(item, where, *allowed));
    else
      items.push_back(parse_string(item, where, true));
  }
  return items;
}

std::vector<FixerConfig> parse_fixers(const YAML::Node& node, const Where& where) {
  std::vector<FixerConfig> fixers;
  if (node.IsNull()) return fixers;
  if (!node.IsSequence())
    fail(where, node, "expected a list of fixers, each a map with name and command (got " + describe(node) + ")");
  std::set<std::string> names;
  for (const YAML::Node& item : node) {
    if (!item.IsMap()) fail(where, item, "expected a fixer: a map with keys " + join(k_fixer_keys, ", "));
    FixerConfig fixer;
    std::set<std::string> seen;
    for (const auto& entry : item) {
      const Where key_where{where.layer, entry.first.Mark()};
      if (!entry.first.IsScalar()) fail(key_where, entry.first, "expected a key name");
      const std::string key = entry.first.Scalar();
      if (!seen.insert(key).second) fail(key_where, entry.first, "duplicate key '" + key + "'");
      if (key == "name") {
        fixer.name = parse_string(entry.second, key_where, true);
        if (!names.insert(fixer.name).second)
          fail(key_where, entry.second, "duplicate fixer name '" + fixer.name + "'");
      } else if (key == "command") {
        if (!entry.second.IsSequence())
          fail(key_where, entry.second, "expected the command as a list of arguments, e.g. [clang-format, -i]");
        for (const YAML::Node& argument : entry.second)
          fixer.command.push_back(parse_string(argument, key_where, false));
        if (fixer.command.empty() || fixer.command.front().empty())
          fail(key_where, entry.second, "expected a non-empty command");
      } else if (key == "languages") {
        fixer.languages = parse_list(entry.second, key_where, &k_languages);
      } else if (key == "timeout") {
        fixer.timeout = static_cast<int>(parse_int(entry.second, key_where, 1, INT_MAX));
      } else {
        fail(key_where, entry.first, unknown_key_message(key, k_fixer_keys));
      }
    }
    if (!seen.count("name")) fail(where, item, "fixer is missing the required key 'name'");
    if (!seen.count("command")) fail(where, item, "fixer '" + fixer.name + "' is missing the required key 'command'");
    fixers.push_back(std::move(fixer));
  }
  return fixers;
}

// ---------------------------------------------------------------------------------------------
// The key table: one row per leaf key, in the order of config/autoloop.yml.

struct Leaf {
  std::string path;
  bool verbatim = false; // env/-c values are taken as is rather than parsed as YAML
  std::function<void(Config&, const YAML::Node&, const Where&)> apply;
  std::function<std::string(const Config&)> render;
};

// Field accessors usable on both Config& and const Config&.
#define CONFIG_FIELD(member)                                                                                           \
  [](auto& config) -> auto& { return config.member; }

template <class Get> Leaf bool_leaf(std::string path, Get get) {
  Leaf leaf{path, false, nullptr, nullptr};
  leaf.apply = [get, path](Config& c, const YAML::Node& n, const Where& w) {
    get(c) = parse_bool(n, w);
    c.origin[path] = origin_of(w, w.key_mark);
  };
  leaf.render = [get](const Config& c) { return std::string(get(c) ? "true" : "false"); };
  return leaf;
}

template <class Get> Leaf int_leaf(std::string path, Get get, long long min, long long max = INT_MAX) {
  Leaf leaf{path, false, nullptr, nullptr};
  leaf.apply = [get, path, min, max](Config& c, const YAML::Node& n, const Where& w) {
    using Target = std::remove_reference_t<decltype(get(c))>;
    get(c) = static_cast<Target>(parse_int(n, w, min, max));
    c.origin[path] = origin_of(w, w.key_mark);
  };
  leaf.render = [get](const Config& c) { return std::to_string(get(c)); };
  return leaf;
}

template <class Get> Leaf number_leaf(std::string path, Get get, double min, double max) {
  Leaf leaf{path, false, nullptr, nullptr};
  leaf.apply = [get, path, min, max](Config& c, const YAML::Node& n, const Where& w) {
    get(c) = parse_number(n, w, min, max);
    c.origin[path] = origin_of(w, w.key_mark);
  };
  leaf.render = [get](const Config& c) { return render_number(get(c)); };
  return leaf;
}

template <class Get> Leaf string_leaf(std::string path, Get get, bool non_empty) {
  Leaf leaf{path, true, nullptr, nullptr};
  leaf.apply = [get, path, non_empty](Config& c, const YAML::Node& n, const Where& w) {
    get(c) = parse_string(n, w, non_empty);
    c.origin[path] = origin_of(w, w.key_mark);
  };
  leaf.render = [get](const Config& c) { return render_string(get(c)); };
  return leaf;
}

// A string the loop builds names from: `problem` says why a value cannot be used (nullopt: it can), and
// the value is refused where it was given, whichever layer gave it.
template <class Get, class Check> Leaf checked_string_leaf(std::string path, Get get, bool non_empty, Check problem) {
  Leaf leaf{path, true, nullptr, nullptr};
  leaf.apply = [get, path, non_empty, problem](Config& c, const YAML::Node& n, const Where& w) {
    std::string value = parse_string(n, w, non_empty);
    if (auto why = problem(value)) {
      std::string shown = render_string(value.size() > 60 ? value.substr(0, 57) + "..." : value);
      for (size_t at = shown.find('\x7f'); at != std::string::npos; at = shown.find('\x7f', at))
        shown.replace(at, 1, "\\x7f"); // render_string leaves DEL as it is; a terminal must not get it
      fail(w, n, "invalid " + path + " " + shown + ": " + *why);
    }
    get(c) = std::move(value);
    c.origin[path] = origin_of(w, w.key_mark);
  };
  leaf.render = [get](const Config& c) { return render_string(get(c)); };
  return leaf;
}

// Why a path setting cannot be used: too long, a control character, the wrong kind (`absolute`: it must
// be absolute; else relative to the work tree, where an absolute path would leave it), a ".." component.
// Symlinks are checked where the path is used. nullopt (also for the empty default): it can.
std::optional<std::string> path_problem(const std::string& value, bool absolute) {
  if (value.empty()) return std::nullopt;
  if (value.size() > 4096) return std::string("it is longer than 4096 bytes");
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f) return std::string("it holds a control character");
  if (absolute && value.front() != '/') return std::string("it must be an absolute path");
  if (!absolute && value.front() == '/') return std::string("it must be relative to the work tree, not absolute");
  for (size_t at = 0;;) {
    size_t slash = value.find('/', at);
    if (value.compare(at, slash == std::string::npos ? std::string::npos : slash - at, "..") == 0)
      return std::string(absolute ? "it may not hold a \"..\" component" : "it must stay inside the work tree (no \"..\")");
    if (slash == std::string::npos) return std::nullopt;
    at = slash + 1;
  }
}

std::optional<std::string> work_tree_path_problem(const std::string& value) { return path_problem(value, false); }

template <class Get> Leaf enum_leaf(std::string path, Get get, const std::vector<std::string>& allowed) {
  Leaf leaf{path, false, nullptr, nullptr};
  leaf.apply = [get, path, &allowed](Config& c, const YAML::Node& n, const Where& w) {
    get(c) = parse_enum(n, w, allowed);
    c.origin[path] = origin_of(w, w.key_mark);
  };
  leaf.render = [get](const Config& c) { return render_string(get(c)); };
  return leaf;
}

// A key whose value is one of core/kinds.hpp's vocabularies, read by name into the enum.
template <class Kind, class Get> Leaf kind_leaf(std::string path, Get get) {
  static const std::vector<std::string> allowed = names_of<Kind>();
  Leaf leaf{path, false, nullptr, nullptr};
  leaf.apply = [get, path](Config& c, const YAML::Node& n, const Where& w) {
    get(c) = *parse<Kind>(parse_enum(n, w, allowed)); // parse_enum accepts only a name of `allowed`
    c.origin[path] = origin_of(w, w.key_mark);
  };
  leaf.render = [get](const Config& c) { return render_string(std::string(to_string(get(c)))); };
  return leaf;
}

template <class Get> Leaf list_leaf(std::string path, Get get, const std::vector<std::string>* allowed) {
  Leaf leaf{path, false, nullptr, nullptr};
  leaf.apply = [get, path, allowed](Config& c, const YAML::Node& n, const Where& w) {
    get(c) = parse_list(n, w, allowed);
    c.origin[path] = origin_of(w, w.key_mark);
  };
  leaf.render = [get](const Config& c) { return render_list(get(c)); };
  return leaf;
}

// A list of globs from a layer that may be the repository's: capped in count and length, because every
// path scanned is matched against each (core/limits.hpp).
template <class Get> Leaf glob_list_leaf(std::string path, Get get) {
  Leaf leaf = list_leaf(path, get, nullptr);
  auto parse = leaf.apply;
  leaf.apply = [parse](Config& c, const YAML::Node& n, const Where& w) {
    if (n.IsSequence()) {
      if (n.size() > k_max_globs)
        fail(w, n, "too many patterns (" + std::to_string(n.size()) + "; at most " + std::to_string(k_max_globs) + ")");
      for (const YAML::Node& item : n)
        if (item.IsScalar() && item.Scalar().size() > k_max_glob_length)
          fail(w, item, "pattern longer than " + std::to_string(k_max_glob_length) + " characters (" +
                            std::to_string(item.Scalar().size()) + ")");
    }
    parse(c, n, w);
  };
  return leaf;
}

// A list of environment variable names (letters, digits, `_`, not starting with a digit).
template <class Get> Leaf env_names_leaf(std::string path, Get get) {
  Leaf leaf = list_leaf(path, get, nullptr);
  auto parse = leaf.apply;
  leaf.apply = [parse](Config& c, const YAML::Node& n, const Where& w) {
    if (n.IsSequence())
      for (const YAML::Node& item : n) {
        if (!item.IsScalar()) continue; // parse_list reports it
        const std::string& v = item.Scalar();
        bool ok = !v.empty() && v.size() <= 128 && !std::isdigit(static_cast<unsigned char>(v[0]));
        for (char ch : v) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
        if (!ok) fail(w, item, "expected an environment variable name (letters, digits and _), got '" + v.substr(0, 60) + "'");
      }
    parse(c, n, w);
  };
  return leaf;
}

// A setting that chooses where git-autoloop writes (or what its commands see): the repository's
// .autoloop.yml may leave it empty (the default), never set it.
Leaf local_only(Leaf leaf, std::string why = "it chooses where git-autoloop writes") {
  auto apply = leaf.apply;
  const std::string path = leaf.path;
  leaf.apply = [apply, path, why](Config& c, const YAML::Node& n, const Where& w) {
    const bool empty = n.IsNull() || (n.IsScalar() && n.Scalar().empty()) || (n.IsSequence() && n.size() == 0);
    if (w.layer.shared && !empty)
      fail(w, n, path + " may not be set in the repository's .autoloop.yml (" + why + "): "
                        "set it in .git/autoloop/config.yml, AUTOLOOP_* or -c");
    apply(c, n, w);
  };
  return leaf;
}

std::optional<std::string> absolute_dir_problem(const std::string& value) { return path_problem(value, true); }

// A list of directories inside the work tree (relative, no "..", not .git).
template <class Get> Leaf dir_list_leaf(std::string path, Get get) {
  Leaf leaf = list_leaf(path, get, nullptr);
  auto parse = leaf.apply;
  leaf.apply = [parse, path](Config& c, const YAML::Node& n, const Where& w) {
    if (n.IsSequence()) {
      if (n.size() > k_max_globs)
        fail(w, n, "too many directories (" + std::to_string(n.size()) + "; at most " + std::to_string(k_max_globs) + ")");
      for (const YAML::Node& item : n) {
        if (!item.IsScalar()) continue; // parse_list reports it
        const std::string& v = item.Scalar();
        auto why = v.empty() ? std::optional<std::string>("it is empty") : work_tree_path_problem(v);
        if (!why && (v == ".git" || v.rfind(".git/", 0) == 0)) why = "it names the repository's .git";
        if (why) fail(w, item, "invalid entry of " + path + " " + render_string(v.substr(0, 60)) + ": " + *why);
      }
    }
    parse(c, n, w);
  };
  return leaf;
}

// A list of rule ids (rules.disable, rules.enable, sweep.rules): each id also gets an origin of its own,
// "<path>.<id>" at the item's position, so a rule id that names no rule is reported where it is written
// (rule ids are checked once the rules are loaded: scan/rule_ids.hpp).
template <class Get> Leaf rule_id_list_leaf(std::string path, Get get) {
  Leaf leaf = list_leaf(path, get, nullptr);
  auto parse = leaf.apply;
  leaf.apply = [parse, path](Config& c, const YAML::Node& n, const Where& w) {
    parse(c, n, w);
    if (!n.IsSequence()) return;
    for (const YAML::Node& item : n) c.origin[path + "." + item.Scalar()] = origin_of(w, mark_of(w, item));
  };
  return leaf;
}

// "250ms", "10s", "2m" (or a bare number of seconds) as milliseconds, within [min_ms, max_ms].
long long parse_duration_ms(const YAML::Node& node, const Where& where, long long min_ms, long long max_ms) {
  const std::string expected = "expected a duration such as 10s, 500ms or 2m";
  if (!node.IsScalar()) fail(where, node, expected + " (got " + describe(node) + ")");
  const std::string& text = node.Scalar();
  size_t digits = 0;
  while (digits < text.size() && digits < 9 && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::string unit = text.substr(digits);
  long long scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s" || unit.empty()) scale = 1000;
  else if (unit == "m") scale = 60 * 1000;
  if (digits == 0 || scale == 0) fail(where, node, expected + " (got '" + text.substr(0, 40) + "')");
  const long long ms = std::stoll(text.substr(0, digits)) * scale;
  if (ms < min_ms || ms > max_ms)
    fail(where, node, "expected a duration from " + std::to_string(min_ms) + "ms to " + std::to_string(max_ms / 1000) +
                          "s (got '" + text + "')");
  return ms;
}

// Milliseconds rendered the way they are best written: "10s", "1500ms", "2m".
std::string render_duration_ms(long long ms) {
  if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

template <class Get> Leaf duration_ms_leaf(std::string path, Get get, long long min_ms, long long max_ms) {
  Leaf leaf{path, false, nullptr, nullptr};
  leaf.apply = [get, path, min_ms, max_ms](Config& c, const YAML::Node& n, const Where& w) {
    get(c) = static_cast<int>(parse_duration_ms(n, w, min_ms, max_ms));
    c.origin[path] = origin_of(w, w.key_mark);
  };
  leaf.render = [get](const Config& c) { return render_duration_ms(get(c)); };
  return leaf;
}

const char* const k_severity_path = "rules.severity";

void set_severity(Config& config, const std::string& rule_id, const std::string& severity, const std::string& origin) {
  config.rules.severity[rule_id] = severity;
  config.origin[std::string(k_severity_path) + "." + rule_id] = origin;
  config.origin[k_severity_path] = origin;
}

// rules.severity merges per rule id instead of replacing the map.
Leaf severity_leaf() {
  Leaf leaf{k_severity_path, false, nullptr, nullptr};
  leaf.apply = [](Config& c, const YAML::Node& n, const Where& w) {
    c.origin[k_severity_path] = origin_of(w, w.key_mark); // the last layer that mentions the map
    if (n.IsNull()) return;
    if (!n.IsMap()) fail(w, n, "expected a map of rule id to severity, e.g. {python/compare-to-none: error}");
    std::set<std::string> seen;
    for (const auto& entry : n) {
      const Where key_where{w.layer, entry.first.Mark()};
      const std::string rule_id = parse_string(entry.first, key_where, true);
      if (!seen.insert(rule_id).second) fail(key_where, entry.first, "duplicate key '" + rule_id + "'");
      set_severity(c, rule_id, parse_enum(entry.second, key_where, k_severities),
                   origin_of(key_where, key_where.key_mark));
    }
    c.origin[k_severity_path] = origin_of(w, w.key_mark);
  };
  leaf.render = [](const Config& c) {
    std::vector<std::string> entries;
    for (const auto& [rule_id, severity] : c.rules.severity)
      entries.push_back(render_string(rule_id) + ": " + severity);
    return "{" + join(entries, ", ") + "}";
  };
  return leaf;
}

const char* const k_contexts_path = "rules.contexts";

void set_contexts(Config& config, const std::string& rule_id, std::vector<std::string> contexts, const std::string& origin,
                  bool shared) {
  const std::string key = std::string(k_contexts_path) + "." + rule_id;
  config.rules.contexts[rule_id] = std::move(contexts);
  config.origin[key] = origin;
  config.origin[k_contexts_path] = origin;
  if (shared) config.from_repository.insert(key);
  else config.from_repository.erase(key);
}

// rules.contexts merges per rule id, like rules.severity.
Leaf contexts_leaf() {
  Leaf leaf{k_contexts_path, false, nullptr, nullptr};
  leaf.apply = [](Config& c, const YAML::Node& n, const Where& w) {
    c.origin[k_contexts_path] = origin_of(w, w.key_mark);
    if (n.IsNull()) return;
    if (!n.IsMap()) fail(w, n, "expected a map of rule id to a list of contexts, e.g. {python/assert-for-validation: [tests]}");
    if (n.size() > k_max_globs) fail(w, n, "too many rules (" + std::to_string(n.size()) + "; at most " + std::to_string(k_max_globs) + ")");
    std::set<std::string> seen;
    for (const auto& entry : n) {
      const Where key_where{w.layer, entry.first.Mark()};
      const std::string rule_id = parse_string(entry.first, key_where, true);
      if (!seen.insert(rule_id).second) fail(key_where, entry.first, "duplicate key '" + rule_id + "'");
      set_contexts(c, rule_id, parse_list(entry.second, key_where, &k_contexts), origin_of(key_where, key_where.key_mark),
                   w.layer.shared);
    }
  };
  leaf.render = [](const Config& c) {
    std::vector<std::string> entries;
    for (const auto& [rule_id, contexts] : c.rules.contexts) entries.push_back(render_string(rule_id) + ": " + render_list(contexts));
    return "{" + join(entries, ", ") + "}";
  };
  return leaf;
}

// A setting the repository's tracked file may give, but not alone for every purpose: which layer gave
// the value is kept in Config::from_repository.
Leaf tracked(Leaf leaf) {
  auto apply = leaf.apply;
  const std::string path = leaf.path;
  leaf.apply = [apply, path](Config& c, const YAML::Node& n, const Where& w) {
    apply(c, n, w);
    if (w.layer.shared) c.from_repository.insert(path);
    else c.from_repository.erase(path);
  };
  return leaf;
}

Leaf fixers_leaf() {
  Leaf leaf{"fixers", false, nullptr, nullptr};
  leaf.apply = [](Config& c, const YAML::Node& n, const Where& w) {
    c.fixers = parse_fixers(n, w);
    c.origin["fixers"] = origin_of(w, w.key_mark);
  };
  leaf.render = [](const Config& c) {
    std::vector<std::string> fixers;
    for (const FixerConfig& f : c.fixers) {
      fixers.push_back("{name: " + render_string(f.name) + ", command: " + render_list(f.command) +
                       ", languages: " + render_list(f.languages) + ", timeout: " + std::to_string(f.timeout) + "}");
    }
    return "[" + join(fixers, ", ") + "]";
  };
  return leaf;
}

const std::vector<Leaf>& leaves() {
  static const std::vector<Leaf> k_leaves = {
      bool_leaf("autonomous_loop.enabled", CONFIG_FIELD(autonomous_loop.enabled)),
      int_leaf("autonomous_loop.scan_interval", CONFIG_FIELD(autonomous_loop.scan_interval), 0),
      int_leaf("autonomous_loop.debounce", CONFIG_FIELD(autonomous_loop.debounce), 0),
      int_leaf("autonomous_loop.max_improvements_per_cycle", CONFIG_FIELD(autonomous_loop.max_improvements_per_cycle),
               0),
      kind_leaf<SafetyLevel>("autonomous_loop.safety_level", CONFIG_FIELD(autonomous_loop.safety_level)),
      number_leaf("autonomous_loop.max_load_per_cpu", CONFIG_FIELD(autonomous_loop.max_load_per_cpu), 0, 1000),
      number_leaf("improvement_priorities.security_fixes", CONFIG_FIELD(improvement_priorities.security_fixes), 0, 10),
      number_leaf("improvement_priorities.performance_issues", CONFIG_FIELD(improvement_priorities.performance_issues),
                  0, 10),
      number_leaf("improvement_priorities.code_quality", CONFIG_FIELD(improvement_priorities.code_quality), 0, 10),
      number_leaf("improvement_priorities.test_coverage", CONFIG_FIELD(improvement_priorities.test_coverage), 0, 10),
      bool_leaf("safety_settings.require_tests", CONFIG_FIELD(safety_settings.require_tests)),
      int_leaf("safety_settings.max_change_size", CONFIG_FIELD(safety_settings.max_change_size), 1),
      number_leaf("safety_settings.rollback_threshold", CONFIG_FIELD(safety_settings.rollback_threshold), 0, 1),
      int_leaf("safety_settings.rollback_window", CONFIG_FIELD(safety_settings.rollback_window), 1),
      int_leaf("safety_settings.rollback_min_attempts", CONFIG_FIELD(safety_settings.rollback_min_attempts), 1),
      string_leaf("test_command", CONFIG_FIELD(test_command), false),
      int_leaf("test_timeout", CONFIG_FIELD(test_timeout), 1),
      string_leaf("test_setup", CONFIG_FIELD(test_setup), false),
      int_leaf("test_budget", CONFIG_FIELD(test_budget), 1),
      string_leaf("coverage_command", CONFIG_FIELD(coverage_command), false),
      list_leaf("languages", CONFIG_FIELD(languages), &k_languages),
      enum_leaf("scope", CONFIG_FIELD(scope), k_scopes),
      checked_string_leaf("side_branch_prefix", CONFIG_FIELD(side_branch_prefix), true,
                          [](const std::string& v) { return side_branch_prefix_problem(v); }),
      list_leaf("block_push_on", CONFIG_FIELD(block_push_on), &k_categories),
      bool_leaf("push_side_branches", CONFIG_FIELD(push_side_branches)),
      string_leaf("notify_command", CONFIG_FIELD(notify_command), false),
      fixers_leaf(),
      rule_id_list_leaf("providers", CONFIG_FIELD(providers)),
      duration_ms_leaf("provider_budget", CONFIG_FIELD(provider_budget_ms), 100, 3600 * 1000),
      string_leaf("generator.fixer", CONFIG_FIELD(generator.fixer), false),
      list_leaf("generator.offer", CONFIG_FIELD(generator.offer), &k_generator_offers),
      int_leaf("generator.max_per_cycle", CONFIG_FIELD(generator.max_per_cycle), 0),
      local_only(env_names_leaf("generator.pass_env", CONFIG_FIELD(generator.pass_env)),
                 "a repository never widens the environment its commands get"),
      rule_id_list_leaf("sweep.rules", CONFIG_FIELD(sweep.rules)),
      enum_leaf("sweep.by", CONFIG_FIELD(sweep.by), k_sweep_units),
      int_leaf("sweep.max_change_size", CONFIG_FIELD(sweep.max_change_size), 1),
      checked_string_leaf("rules.directory", CONFIG_FIELD(rules.directory), true, work_tree_path_problem),
      rule_id_list_leaf("rules.disable", CONFIG_FIELD(rules.disable)),
      rule_id_list_leaf("rules.enable", CONFIG_FIELD(rules.enable)),
      severity_leaf(),
      contexts_leaf(),
      bool_leaf("rules.follow_project_linters", CONFIG_FIELD(rules.follow_project_linters)),
      int_leaf("scan.max_file_size", CONFIG_FIELD(scan.max_file_size), 1, k_max_scan_file_size),
      glob_list_leaf("scan.exclude", CONFIG_FIELD(scan.exclude)),
      int_leaf("scan.threads", CONFIG_FIELD(scan.threads), 1, 64),
      int_leaf("scan.parse_timeout_ms", CONFIG_FIELD(scan.parse_timeout_ms), 1),
      tracked(glob_list_leaf("scan.test_paths", CONFIG_FIELD(scan.test_paths))),
      enum_leaf("scan.vendored", CONFIG_FIELD(scan.vendored), k_vendored_modes),
      glob_list_leaf("scan.include_vendored", CONFIG_FIELD(scan.include_vendored)),
      tracked(glob_list_leaf("scan.example_paths", CONFIG_FIELD(scan.example_paths))),
      tracked(glob_list_leaf("scan.benchmark_paths", CONFIG_FIELD(scan.benchmark_paths))),
      list_leaf("ci.block_on", CONFIG_FIELD(ci.block_on), &k_block_on),
      bool_leaf("ci.import_notes", CONFIG_FIELD(ci.import_notes)),
      string_leaf("identity.name", CONFIG_FIELD(identity.name), true),
      string_leaf("identity.email", CONFIG_FIELD(identity.email), true),
      number_leaf("feedback.prior_accepted", CONFIG_FIELD(feedback.prior_accepted), 0.01, 1000),
      number_leaf("feedback.prior_rejected", CONFIG_FIELD(feedback.prior_rejected), 0.01, 1000),
      number_leaf("feedback.max_false_positive_rate", CONFIG_FIELD(feedback.max_false_positive_rate), 0, 1),
      int_leaf("feedback.min_verdicts", CONFIG_FIELD(feedback.min_verdicts), 1),
      number_leaf("feedback.confidence", CONFIG_FIELD(feedback.confidence), 0.5, 1),
      number_leaf("feedback.trusted_rate", CONFIG_FIELD(feedback.trusted_rate), 0, 1),
      number_leaf("feedback.category_min", CONFIG_FIELD(feedback.category_min), 0, 10),
      number_leaf("feedback.category_max", CONFIG_FIELD(feedback.category_max), 0, 10),
      int_leaf("metrics.complexity_threshold", CONFIG_FIELD(metrics.complexity_threshold), 1),
      int_leaf("metrics.complexity_delta", CONFIG_FIELD(metrics.complexity_delta), 1),
      checked_string_leaf("metrics.coverage_report", CONFIG_FIELD(metrics.coverage_report), false, work_tree_path_problem),
      local_only(checked_string_leaf("validation.worktree_dir", CONFIG_FIELD(validation.worktree_dir), false,
                                     absolute_dir_problem)),
      dir_list_leaf("validation.link_dirs", CONFIG_FIELD(validation.link_dirs)),
      glob_list_leaf("validation.lockfiles", CONFIG_FIELD(validation.lockfiles)),
  };
  return k_leaves;
}

#undef CONFIG_FIELD

const Leaf* find_leaf(const std::string& path) {
  for (const Leaf& leaf : leaves())
    if (leaf.path == path) return &leaf;
  return nullptr;
}

bool is_section(const std::string& path) {
  for (const Leaf& leaf : leaves())
    if (leaf.path.compare(0, path.size() + 1, path + ".") == 0) return true;
  return false;
}

// Names directly under `prefix` ("" or "scan."), in table order.
std::vector<std::string> children(const std::string& prefix) {
  std::vector<std::string> names;
  for (const Leaf& leaf : leaves()) {
    if (leaf.path.compare(0, prefix.size(), prefix) != 0) continue;
    std::string name = leaf.path.substr(prefix.size());
    name = name.substr(0, name.find('.'));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

// Every leaf and section path, for suggestions on a mistyped env variable or override.
std::vector<std::string> all_paths() {
  std::vector<std::string> paths;
  for (const Leaf& leaf : leaves()) {
    for (size_t dot = leaf.path.find('.'); dot != std::string::npos; dot = leaf.path.find('.', dot + 1)) {
      std::string section = leaf.path.substr(0, dot);
      if (std::find(paths.begin(), paths.end(), section) == paths.end()) paths.push_back(section);
    }
    paths.push_back(leaf.path);
  }
  return paths;
}

std::string env_name(const std::string& path) {
  std::string name = k_env_prefix;
  for (char c : path) {
    if (c == '.')
      name += "__";
    else
      name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

// ---------------------------------------------------------------------------------------------
// Applying layers

// Applies a map of settings under `prefix` ("" for the top level): leaves are parsed, sections recurse.
void apply_map(Config& config, const YAML::Node& node, const std::string& prefix, const Where& where) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    if (prefix.empty()) fail(where, node, "expected a map of settings at the top level (got " + describe(node) + ")");
    fail(where, node, "expected a map with keys " + join(children(prefix), ", ") + " (got " + describe(node) + ")");
  }
  std::set<std::string> seen;
  for (const auto& entry : node) {
    const Where key_where{where.layer, entry.first.Mark()};
    if (!entry.first.IsScalar()) fail(key_where, entry.first, "expected a key name");
    const std::string key = entry.first.Scalar();
    if (!seen.insert(key).second) fail(key_where, entry.first, "duplicate key '" + key + "'");
    const std::string path = prefix + key;
    if (const Leaf* leaf = find_leaf(path))
      leaf->apply(config, entry.second, key_where);
    else if (is_section(path))
      apply_map(config, entry.second, path + ".", key_where);
    else
      fail(key_where, entry.first, unknown_key_message(key, children(prefix)));
  }
}

// Where each document's root node starts, from yaml-cpp's event parser.
class DocumentRoots : public YAML::EventHandler {
public:
  std::vector<YAML::Mark> marks;
  void OnDocumentStart(const YAML::Mark&) override { m_root_seen = false; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { root(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { root(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override { root(mark); }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    root(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    root(mark);
  }
  void OnMapEnd() override {}

private:
  void root(const YAML::Mark& mark) {
    if (!m_root_seen) marks.push_back(mark);
    m_root_seen = true;
  }
  bool m_root_seen = false;
};

// `confine_root`: where the file must resolve, for a file the repository controls (empty: the user's own).
void apply_file(Config& config, const std::filesystem::path& path, const std::filesystem::path& confine_root) {
  std::optional<std::string> text = read_untrusted_file(path, k_max_config_bytes, confine_root, "configuration files");
  if (!text) return;
  const Layer layer{path.string(), !confine_root.empty(), {}, {}};
  YAML::Node document;
  try {
    // Two documents at most: yaml-cpp 0.7's LoadAll never returns when a document leaves its first
    // token unread (a file holding just "," made it add empty documents until memory ran out).
    std::istringstream in(*text);
    YAML::Parser parser(in);
    DocumentRoots roots;
    for (int i = 0; i < 2 && parser.HandleNextDocument(roots); ++i) {
    }
    if (roots.marks.empty()) return;
    if (roots.marks.size() > 1) {
      const YAML::Mark& second = roots.marks[1];
      if (second.pos == roots.marks[0].pos && static_cast<size_t>(second.pos) < text->size())
        fail_at(layer, second, std::string("invalid YAML: unexpected '") + (*text)[second.pos] + "'");
      fail_at(layer, second, "expected one YAML document, found another here");
    }
    document = YAML::Load(*text);
  } catch (const YAML::ParserException& e) {
    fail_at(layer, e.mark, "invalid YAML: " + e.msg);
  }
  apply_map(config, document, "", Where{layer, YAML::Mark::null_mark()});
}

// Parses an env/-c value: verbatim for free-form strings, else as YAML (so "[a, b]" is a list).
YAML::Node parse_value(const std::string& text, bool verbatim, const Layer& layer) {
  if (verbatim) return YAML::Node(text);
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw Error(layer.label + ": invalid value '" + text + "': " + e.msg);
  }
}

void apply_env(Config& config, const std::map<std::string, std::string>& env) {
  for (const Leaf& leaf : leaves()) {
    const std::string name = env_name(leaf.path);
    auto it = env.find(name);
    if (it == env.end()) continue;
    const Layer layer{{}, false, "environment variable " + name, "env " + name};
    leaf.apply(config, parse_value(it->second, leaf.verbatim, layer), Where{layer, YAML::Mark::null_mark()});
  }
}

void apply_override(Config& config, const std::string& override_text) {
  const Layer layer{{}, false, "-c " + override_text, k_command_line_origin};
  const Where where{layer, YAML::Mark::null_mark()};
  const size_t equals = override_text.find('=');
  if (equals == std::string::npos) throw Error(layer.label + ": expected key.path=value");
  std::string path = override_text.substr(0, equals);
  path.erase(0, path.find_first_not_of(" \t"));
  path.erase(path.find_last_not_of(" \t") + 1);
  const std::string value = override_text.substr(equals + 1);
  const std::string severity_prefix = std::string(k_severity_path) + ".";
  const std::string contexts_prefix = std::string(k_contexts_path) + ".";
  if (const Leaf* leaf = find_leaf(path)) {
    leaf->apply(config, parse_value(value, leaf->verbatim, layer), where);
  } else if (path.size() > severity_prefix.size() && path.compare(0, severity_prefix.size(), severity_prefix) == 0) {
    const std::string severity = parse_enum(parse_value(value, false, layer), where, k_severities);
    set_severity(config, path.substr(severity_prefix.size()), severity, k_command_line_origin);
  } else if (path.size() > contexts_prefix.size() && path.compare(0, contexts_prefix.size(), contexts_prefix) == 0) {
    set_contexts(config, path.substr(contexts_prefix.size()), parse_list(parse_value(value, false, layer), where, &k_contexts),
                 k_command_line_origin, false);
  } else if (is_section(path)) {
    apply_map(config, parse_value(value, false, layer), path + ".", where);
  } else {
    std::string message = "unknown configuration key '" + path + "'";
    if (auto suggestion = closest(path, all_paths())) message += " (did you mean '" + *suggestion + "'?)";
    throw Error(layer.label + ": " + message);
  }
}

} // namespace

Config default_config() {
  Config config;
  for (const Leaf& leaf : leaves()) config.origin[leaf.path] = k_default_origin;
  return config;
}

Config load_config(const ConfigSources& sources) {
  Config config = default_config();
  // 1. shared repo file, 2. local file, 3. environment, 4. command line: later layers win.
  // The shared file comes with the repository: it must be a regular file inside the work tree. The local
  // file is the user's own, but a FIFO or device there would hang every hook all the same: capped too.
  if (sources.repo_file) apply_file(config, *sources.repo_file, sources.repo_file->parent_path());
  if (sources.local_file) apply_file(config, *sources.local_file, {});
  apply_env(config, sources.env);
  for (const std::string& override_text : sources.overrides) apply_override(config, override_text);
  return config;
}

std::map<std::string, std::string> environment_snapshot() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string text = *entry;
    const size_t equals = text.find('=');
    if (equals == std::string::npos)
      env.emplace(text, "");
    else
      env.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return env;
}

std::vector<std::pair<std::string, std::string>> config_entries(const Config& config) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const Leaf& leaf : leaves()) entries.emplace_back(leaf.path, leaf.render(config));
  return entries;
}

std::vector<std::pair<std::string, std::string>> config_entries(const Config& config, const std::string& key) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const Leaf& leaf : leaves())
    if (leaf.path == key || leaf.path.compare(0, key.size() + 1, key + ".") == 0)
      entries.emplace_back(leaf.path, leaf.render(config));
  return entries;
}

std::vector<std::string> config_keys() { return all_paths(); }

bool is_default(const Config& config, const std::string& key) {
  auto it = config.origin.find(key);
  return it == config.origin.end() || it->second == k_default_origin;
}

std::vector<RuleIdUse> rule_id_uses(const Config& config) {
  std::vector<RuleIdUse> uses;
  auto origin = [&](const std::string& key) {
    auto it = config.origin.find(key);
    return it == config.origin.end() ? std::string(k_default_origin) : it->second;
  };
  for (const std::string& id : config.rules.disable) uses.push_back({"rules.disable", id, origin("rules.disable." + id)});
  for (const std::string& id : config.rules.enable) uses.push_back({"rules.enable", id, origin("rules.enable." + id)});
  for (const auto& [id, severity] : config.rules.severity)
    uses.push_back({k_severity_path, id, origin(std::string(k_severity_path) + "." + id)});
  for (const std::string& id : config.sweep.rules)
    if (id != "mechanical") uses.push_back({"sweep.rules", id, origin("sweep.rules." + id)}); // "mechanical": all such rules
  for (const auto& [id, contexts] : config.rules.contexts)
    uses.push_back({k_contexts_path, id, origin(std::string(k_contexts_path) + "." + id)});
  return uses;
}

void fail_at_origin(const std::string& origin, const std::string& message) {
  const std::string env_prefix = "env ";
  if (origin.compare(0, env_prefix.size(), env_prefix) == 0)
    throw Error("environment variable " + origin.substr(env_prefix.size()) + ": " + message);
  if (origin == k_command_line_origin) throw Error("-c (command line): " + message);
  // "<file>:<line>:<column>": the file name may hold colons, the two numbers never do.
  const size_t column_colon = origin.rfind(':');
  const size_t line_colon = column_colon == std::string::npos || column_colon == 0 ? std::string::npos
                                                                                    : origin.rfind(':', column_colon - 1);
  if (line_colon != std::string::npos) {
    const std::string line = origin.substr(line_colon + 1, column_colon - line_colon - 1);
    const std::string column = origin.substr(column_colon + 1);
    auto digits = [](const std::string& t) {
      return !t.empty() && t.size() < 9 && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (digits(line) && digits(column))
      throw LocatedError(origin.substr(0, line_colon), std::stoi(line), std::stoi(column), message);
  }
  throw Error(message);
}

} // namespace core
