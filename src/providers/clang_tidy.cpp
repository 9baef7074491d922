// The clang-tidy provider: Debian's clang-tidy (install.sh --provider clang-tidy) on C and C++ blobs,
// its fix-its read from --export-fixes YAML.
//
// Policy:
//  1. Files: sources (.c .cc .cpp .cxx) and headers (.h .hh .hpp .hxx), each analysed as its own
//     translation unit (headers with -x c++-header, or c-header for a .h in a C project), so a header
//     is checked whether or not a source of the commit includes it. Diagnostics clang-tidy reports in
//     other files (system headers, headers of the repository that were not given) are dropped, as are
//     the compiler's own (clang-diagnostic-*): a private copy holds only the blobs, so a missing
//     include is expected there and is not a finding.
//  2. Flags: the repository's compile_commands.json (the root one, else the shallowest) is rewritten to
//     point at the private copies and filtered (clang_tidy.hpp, safe_arguments); a blob it does not
//     list gets the flags of the entry nearest to it (headers) or the configured flags (`-std=c++17`
//     by default; C files get them without a C++ standard). The database we write names every blob,
//     and clang-tidy reads no other (-p).
//  3. Checks: the repository's `.clang-tidy` files, reduced to safe keys (safe_config), are written next
//     to the blobs; without a root one, ours (default_config) is written at the root, which also keeps
//     clang-tidy from looking for configuration above the private directory.
//  4. Fix-its: a fix that edits another file than its diagnostic's is dropped (the diagnostic stays),
//     as is one whose edits do not apply to the blob. Fix-its of the checks in k_safe_fix_checks
//     preserve semantics (safe); the others need the tests (unsafe).

#include "providers/clang_tidy.hpp"

#include "core/fs.hpp"
#include "core/process.hpp"
#include "providers/builtin.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>

namespace providers {

namespace clang_tidy {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool only_of(std::string_view text, std::string_view allowed) {
  return !text.empty() && text.find_first_not_of(allowed) == std::string_view::npos;
}

constexpr std::string_view k_alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

// -f flags that only change how code is parsed or which macros are predefined (each also as -fno-).
const std::set<std::string_view> k_parse_flags = {
    "exceptions",    "cxx-exceptions", "rtti",           "ms-extensions", "ms-compatibility", "signed-char",
    "unsigned-char", "char8_t",        "coroutines-ts",  "gnu-keywords",  "short-wchar",      "short-enums",
    "blocks",        "strict-enums",   "wrapv",          "trapv",         "common",           "sized-deallocation",
    "aligned-new",   "builtin",        "freestanding",   "gnu89-inline",  "PIC",              "pic",
    "PIE",           "pie",            "strict-aliasing", "threadsafe-statics", "operator-names", "asm",
    "declspec",      "openmp",         "elide-constructors", "access-control", "delayed-template-parsing",
    "dollars-in-identifiers", "gnu-inline-asm", "digraphs"};

// -f flags with a value (`-fvisibility=hidden`), the value made of letters, digits, '.', '_' and '-'.
const std::set<std::string_view> k_parse_flags_with_value = {
    "visibility", "template-depth", "constexpr-depth", "constexpr-steps", "ms-compatibility-version",
    "bracket-depth"};

// Options that take the next argument as their value when it is not joined: dropped together with it,
// so that the value is not read as an argument of its own.
const std::set<std::string_view> k_dropped_with_value = {
    "-o",          "-Xclang",      "-Xpreprocessor", "-Xlinker",   "-Xassembler", "-Xanalyzer",  "-mllvm",
    "-load",       "-B",           "-MF",            "-MT",        "-MQ",         "-include",    "-imacros",
    "-isysroot",   "--sysroot",    "-target",        "-arch",      "-idirafter",  "-iprefix",    "-iwithprefix",
    "-iwithprefixbefore", "-imultilib", "-L",        "-T",         "-u",          "-z",          "--param",
    "-gcc-toolchain", "-resource-dir", "-ivfsoverlay", "--config", "-F",          "-framework",  "-Xopenmp-target",
    "-main-file-name", "-dependency-file", "-serialize-diagnostics", "-working-directory", "-plugin-arg"};

// Arguments without a value that only predefine macros or select diagnostics.
const std::set<std::string_view> k_plain_flags = {"-w", "-pedantic", "-pedantic-errors", "-ansi", "-pthread"};

const std::set<std::string_view> k_languages = {"c", "c++", "c-header", "c++-header"};

bool is_parse_flag(std::string_view arg) {
  if (!starts_with(arg, "-f")) return false;
  std::string_view name = arg.substr(2);
  const size_t equals = name.find('=');
  if (equals != std::string_view::npos)
    return k_parse_flags_with_value.count(name.substr(0, equals)) > 0 &&
           only_of(name.substr(equals + 1), std::string(k_alnum) + "._-");
  if (starts_with(name, "no-")) name.remove_prefix(3);
  return k_parse_flags.count(name) > 0;
}

// -Wall, -Wno-unused, -Werror=format: no comma, so not -Wl, -Wp, -Wa (which pass arguments on).
bool is_warning_flag(std::string_view arg) {
  return starts_with(arg, "-W") && arg.size() > 2 && k_alnum.find(arg[2]) != std::string_view::npos &&
         only_of(arg.substr(2), std::string(k_alnum) + "_=+-");
}

// The include option `arg` starts with (as given, or joined with its directory), or nullptr.
const char* include_option(std::string_view arg) {
  for (const char* option : {"-isystem", "-iquote", "-I"})
    if (starts_with(arg, option)) return option;
  return nullptr;
}

} // namespace

std::vector<std::string> safe_arguments(const std::vector<std::string>& args, const IncludeDirMap& include_dir) {
  std::vector<std::string> kept;
  // The value of a separate option (`-D FOO`), or nullopt at the end of the arguments.
  auto value_after = [&](size_t& i) -> std::optional<std::string> {
    if (i + 1 >= args.size()) return std::nullopt;
    return args[++i];
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (const char* option = include_option(arg)) {
      const std::optional<std::string> dir =
          arg.size() > std::string_view(option).size() ? arg.substr(std::string_view(option).size()) : value_after(i);
      const std::optional<std::string> mapped = dir && !dir->empty() && include_dir ? include_dir(*dir) : std::nullopt;
      if (mapped) {
        kept.emplace_back(option);
        kept.push_back(*mapped);
      }
    } else if (arg == "-D" || arg == "-U") {
      if (const std::optional<std::string> macro = value_after(i); macro && !macro->empty()) {
        kept.push_back(arg);
        kept.push_back(*macro);
      }
    } else if (starts_with(arg, "-D") || starts_with(arg, "-U")) {
      kept.push_back(arg);
    } else if (starts_with(arg, "-std=")) {
      if (only_of(arg.substr(5), std::string(k_alnum) + "+:")) kept.push_back(arg);
    } else if (arg == "-x" || (starts_with(arg, "-x") && arg.size() > 2)) {
      const std::optional<std::string> language = arg.size() > 2 ? arg.substr(2) : value_after(i);
      if (language && k_languages.count(*language)) {
        kept.emplace_back("-x");
        kept.push_back(*language);
      }
    } else if (is_warning_flag(arg) || is_parse_flag(arg) || k_plain_flags.count(arg)) {
      kept.push_back(arg);
    } else if (k_dropped_with_value.count(arg)) {
      ++i;
    }
    // Anything else is dropped: the source file and other inputs, @response files, -fplugin=,
    // -c, -o<file>, -MD, -save-temps, --config=..., options we do not know.
  }
  return kept;
}

std::vector<std::string> split_command(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (quote == '\'') {
      if (c == '\'') quote = 0;
      else word += c;
    } else if (quote == '"') {
      if (c == '"') quote = 0;
      else if (c == '\\' && i + 1 < command.size() && std::string_view("\"\\$`").find(command[i + 1]) != std::string_view::npos)
        word += command[++i];
      else word += c;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      in_word = true;
      if (c == '\'' || c == '"') quote = c;
      else if (c == '\\' && i + 1 < command.size()) word += command[++i];
      else word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

namespace {

constexpr size_t k_max_checks_length = 64 * 1024;
constexpr size_t k_max_check_options = 2000;
constexpr size_t k_max_option_length = 4096;
constexpr size_t k_max_extra_args = 256;

std::optional<std::string> scalar(const YAML::Node& node) {
  if (!node || !node.IsScalar()) return std::nullopt;
  return node.Scalar();
}

// Checks: a string, or a list of patterns (newer clang-tidy accepts both).
std::optional<std::string> read_checks(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar().size() <= k_max_checks_length ? std::optional(node.Scalar()) : std::nullopt;
  if (!node.IsSequence()) return std::nullopt;
  std::string joined;
  for (const YAML::Node& item : node) {
    const std::optional<std::string> pattern = scalar(item);
    if (!pattern || joined.size() + pattern->size() > k_max_checks_length) return std::nullopt;
    joined += (joined.empty() ? "" : ",") + *pattern;
  }
  return joined;
}

// CheckOptions: a list of {key, value} maps (clang-tidy 14's form) or a map from key to value.
std::optional<std::vector<std::pair<std::string, std::string>>> read_check_options(const YAML::Node& node) {
  std::vector<std::pair<std::string, std::string>> options;
  auto add = [&](const std::optional<std::string>& key, const std::optional<std::string>& value) {
    if (!key || !value || key->size() > k_max_option_length || value->size() > k_max_option_length ||
        options.size() >= k_max_check_options)
      return false;
    options.emplace_back(*key, *value);
    return true;
  };
  if (node.IsMap()) {
    for (const auto& entry : node)
      if (!add(scalar(entry.first), scalar(entry.second))) return std::nullopt;
  } else if (node.IsSequence()) {
    for (const YAML::Node& entry : node)
      if (!entry.IsMap() || !add(scalar(entry["key"]), scalar(entry["value"]))) return std::nullopt;
  } else if (!node.IsNull()) {
    return std::nullopt;
  }
  return options;
}

std::optional<std::vector<std::string>> read_extra_args(const YAML::Node& node) {
  if (!node.IsSequence() || node.size() > k_max_extra_args) return std::nullopt;
  std::vector<std::string> args;
  for (const YAML::Node& item : node) {
    std::optional<std::string> arg = scalar(item);
    if (!arg || arg->size() > k_max_option_length) return std::nullopt;
    args.push_back(std::move(*arg));
  }
  // No include directories: their meaning depends on a working directory the file does not name.
  return safe_arguments(args, nullptr);
}

} // namespace

std::optional<std::string> safe_config(const std::string& text, bool is_root, std::string& why) {
  try {
    const YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return std::string("{}\n");
    if (!root.IsMap()) {
      why = "it is not a YAML map";
      return std::nullopt;
    }
    YAML::Emitter out;
    out << YAML::BeginMap;
    if (const YAML::Node node = root["Checks"]) {
      const std::optional<std::string> checks = read_checks(node);
      if (!checks) { why = "Checks is not a list of check patterns"; return std::nullopt; }
      out << YAML::Key << "Checks" << YAML::Value << YAML::SingleQuoted << *checks;
    }
    if (const YAML::Node node = root["CheckOptions"]) {
      const auto options = read_check_options(node);
      if (!options) { why = "CheckOptions is not a list of keys and values"; return std::nullopt; }
      out << YAML::Key << "CheckOptions" << YAML::Value << YAML::BeginSeq;
      for (const auto& [key, value] : *options)
        out << YAML::BeginMap << YAML::Key << "key" << YAML::Value << key << YAML::Key << "value" << YAML::Value
            << YAML::SingleQuoted << value << YAML::EndMap;
      out << YAML::EndSeq;
    }
    if (const YAML::Node node = root["InheritParentConfig"]; node && !is_root) {
      const std::optional<std::string> inherit = scalar(node);
      if (!inherit || (*inherit != "true" && *inherit != "false")) {
        why = "InheritParentConfig is not true or false";
        return std::nullopt;
      }
      out << YAML::Key << "InheritParentConfig" << YAML::Value << (*inherit == "true");
    }
    for (const char* key : {"ExtraArgs", "ExtraArgsBefore"}) {
      const YAML::Node node = root[key];
      if (!node) continue;
      const auto args = read_extra_args(node);
      if (!args) { why = std::string(key) + " is not a list of arguments"; return std::nullopt; }
      if (args->empty()) continue;
      out << YAML::Key << key << YAML::Value << YAML::Flow << *args;
    }
    // Dropped: FormatStyle (a formatter we do not run), HeaderFilterRegex and SystemHeaders (only the
    // blobs are reported), WarningsAsErrors, User, UseColor, and any key we do not know.
    out << YAML::EndMap;
    if (!out.good()) { why = out.GetLastError(); return std::nullopt; }
    return std::string(out.c_str()) + "\n";
  } catch (const std::exception& e) {
    why = std::string("it is not YAML: ") + e.what();
    return std::nullopt;
  }
}

// Our default checks, written down: the fix-it checks of modernize that are always right, and
// readability, performance and bugprone without the checks that flag style choices in bulk (magic
// numbers, brace style, implicit bool conversions, literal suffixes, name lengths, complexity scores,
// swappable parameters, narrowing and widening arithmetic, reserved identifiers such as include guards).
const std::string& default_config() {
  static const std::string config =
      "Checks: '-*,"
      "modernize-use-nullptr,modernize-use-override,modernize-use-bool-literals,modernize-redundant-void-arg,"
      "readability-*,-readability-magic-numbers,-readability-braces-around-statements,"
      "-readability-implicit-bool-conversion,-readability-uppercase-literal-suffix,-readability-identifier-length,"
      "-readability-function-cognitive-complexity,-readability-function-size,-readability-named-parameter,"
      "-readability-isolate-declaration,-readability-convert-member-functions-to-static,"
      "-readability-make-member-function-const,"
      "performance-*,"
      "bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-narrowing-conversions,"
      "-bugprone-implicit-widening-of-multiplication-result,-bugprone-reserved-identifier'\n";
  return config;
}

namespace {

// Checks whose findings are security fixes (besides cert-* and clang-analyzer-security.*): memory
// safety, string termination, signal handling.
const std::set<std::string_view> k_security_checks = {
    "bugprone-not-null-terminated-result",  "bugprone-signal-handler",
    "bugprone-bad-signal-to-kill-thread",   "bugprone-spuriously-wake-up-functions",
    "bugprone-suspicious-memset-usage",     "bugprone-misplaced-operator-in-strlen-in-alloc",
    "bugprone-misplaced-pointer-arithmetic-in-alloc", "bugprone-sizeof-expression",
    "bugprone-signed-char-misuse",          "bugprone-unhandled-self-assignment",
    "bugprone-undefined-memory-manipulation", "bugprone-suspicious-memory-comparison",
    "bugprone-posix-return",                "bugprone-dangling-handle",
    "bugprone-use-after-move",              "bugprone-no-escape",
    "clang-analyzer-unix.Malloc",           "clang-analyzer-cplusplus.NewDelete"};

// Checks whose fix-its keep the program's meaning: they spell the same thing another way (nullptr,
// override, bool literals, `(void)`), or remove what has no effect (a redundant return, member
// initialiser, declaration or null check before delete).
const std::set<std::string_view> k_safe_fix_checks = {
    "modernize-use-nullptr",
    "modernize-use-override",
    "modernize-use-bool-literals",
    "modernize-redundant-void-arg",
    "readability-avoid-const-params-in-decls",
    "readability-delete-null-pointer",
    "readability-misplaced-array-index",
    "readability-qualified-auto",
    "readability-redundant-access-specifiers",
    "readability-redundant-control-flow",
    "readability-redundant-declaration",
    "readability-redundant-function-ptr-dereference",
    "readability-redundant-member-init",
    "readability-redundant-smartptr-get",
    "readability-redundant-string-init",
    "readability-static-definition-in-anonymous-namespace",
    "performance-faster-string-find"};

bool is_security_check(const std::string& check) {
  return starts_with(check, "cert-") || starts_with(check, "clang-analyzer-security.") ||
         k_security_checks.count(check) > 0;
}

} // namespace

core::Category category_of(const std::string& check) {
  if (is_security_check(check)) return core::Category::security_fixes;
  if (starts_with(check, "performance-")) return core::Category::performance_issues;
  return core::Category::code_quality;
}

std::string severity_of(const std::string& check, bool error_level) {
  if (error_level || is_security_check(check)) return "high";
  if (starts_with(check, "bugprone-") || starts_with(check, "performance-") || starts_with(check, "clang-analyzer-"))
    return "medium";
  return "low";
}

core::Safety fix_applicability_of(const std::string& check) {
  return k_safe_fix_checks.count(check) ? core::Safety::safe : core::Safety::unsafe;
}

namespace {

constexpr auto k_default_budget = 60s;
constexpr auto k_version_timeout = 10s;
constexpr size_t k_max_output = 1024 * 1024;        // per stream of clang-tidy
constexpr size_t k_max_fixes_bytes = 32 * 1024 * 1024;
constexpr size_t k_max_diagnostics = 20000;
constexpr size_t k_max_replacements = 1000;
constexpr size_t k_max_check_name = 128;
const std::vector<std::string> k_default_flags = {"-std=c++17"};
const char* const k_not_installed = "clang-tidy is not installed (run install.sh --provider clang-tidy)";

// What a path's extension says about how to analyse it.
enum class FileKind { c_source, cxx_source, cxx_header, header /* .h: C or C++ */ };

std::optional<FileKind> kind_of(std::string_view path) {
  const size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) return std::nullopt;
  const std::string_view ext = path.substr(dot + 1);
  if (ext == "c") return FileKind::c_source;
  if (ext == "cpp" || ext == "cc" || ext == "cxx") return FileKind::cxx_source;
  if (ext == "hpp" || ext == "hh" || ext == "hxx") return FileKind::cxx_header;
  if (ext == "h") return FileKind::header;
  return std::nullopt;
}

bool is_executable_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

// tool_dir/clang-tidy (a stand-in, or a tool installed there), else clang-tidy on PATH.
std::optional<fs::path> find_tool(const fs::path& tool_dir) {
  if (!tool_dir.empty() && is_executable_file(tool_dir / "clang-tidy")) return tool_dir / "clang-tidy";
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && fs::path(dir).is_absolute() && is_executable_file(fs::path(dir) / "clang-tidy"))
      return fs::path(dir) / "clang-tidy";
  return std::nullopt;
}

std::string seconds(std::chrono::milliseconds duration) {
  std::ostringstream out;
  out << static_cast<double>(duration.count()) / 1000.0 << " s";
  return out.str();
}

std::string last_line(const std::string& text) {
  std::istringstream lines(text);
  std::string last;
  for (std::string line; std::getline(lines, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last.size() > 200 ? last.substr(0, 200) + "..." : last;
}

// The private directory: the blobs under tree/ at their repository paths, our database under db/.
struct Workspace {
  fs::path root, tree, database;

  explicit Workspace(const fs::path& work_dir)
      : root(fs::weakly_canonical(fs::absolute(work_dir))), tree(root / "tree"), database(root / "db") {}

  // The repository path of a file clang-tidy names, when it is one of ours.
  std::optional<std::string> repository_path(const std::string& file) const {
    const std::string normal = fs::path(file).lexically_normal().generic_string();
    const std::string prefix = tree.generic_string() + "/";
    if (!starts_with(normal, prefix)) return std::nullopt;
    return normal.substr(prefix.size());
  }

  void write(const std::string& repository_path, const std::string& content) const {
    const fs::path file = tree / repository_path;
    fs::create_directories(file.parent_path());
    core::write_file_atomic(file, content, std::nullopt, core::Durability::unsynced);
  }
};

std::string directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// Writes the repository's .clang-tidy files, reduced to their safe keys, and ours at the root when it
// has none there; returns the directories that have one ("" for the root). A file we cannot read
// makes the run a problem: checks the user turned off would otherwise be reported.
std::optional<std::set<std::string>> write_configs(const Workspace& ws, const RunOptions& options, std::string& problem) {
  std::set<std::string> directories = {""};
  bool has_root = false;
  for (const auto& [path, text] : options.config_files) {
    if (path != ".clang-tidy" && !ends_with(path, "/.clang-tidy")) continue;
    if (!core::is_contained_path(path)) continue;
    const bool is_root = path == ".clang-tidy";
    std::string why;
    const std::optional<std::string> config = safe_config(text, is_root, why);
    if (!config) {
      problem = "the repository's " + path + " cannot be used (" + why + ")";
      return std::nullopt;
    }
    ws.write(path, *config);
    has_root = has_root || is_root;
    directories.insert(directory_of(path));
  }
  if (!has_root) ws.write(".clang-tidy", default_config());
  return directories;
}

// The files by the directory of the .clang-tidy that applies to them. clang-tidy 14 given files under
// different configurations in one run applies one file's checks to the others: one run per group.
std::map<std::string, std::vector<std::string>> by_configuration(const std::vector<std::string>& files,
                                                                 const std::set<std::string>& config_dirs) {
  std::map<std::string, std::vector<std::string>> groups;
  for (const std::string& file : files) {
    std::string dir = directory_of(file);
    while (!config_dirs.count(dir)) dir = directory_of(dir);
    groups[dir].push_back(file);
  }
  return groups;
}

// The repository's compilation database, when it has one: the root one, else the shallowest.
std::optional<std::pair<std::string, std::string>> database_file(const RunOptions& options) {
  std::optional<std::pair<std::string, std::string>> best;
  auto depth = [](const std::string& path) { return std::count(path.begin(), path.end(), '/'); };
  for (const auto& [path, text] : options.config_files) {
    if (path != "compile_commands.json" && !ends_with(path, "/compile_commands.json")) continue;
    if (!core::is_contained_path(path)) continue;
    if (!best || depth(path) < depth(best->first)) best.emplace(path, text);
  }
  return best;
}

std::string normal(const std::string& path) {
  return fs::path(path).lexically_normal().generic_string();
}

// One entry of the repository's database, its paths absolute as on the machine that wrote it (or
// under "/" when the database names them relative to itself).
struct ForeignEntry {
  std::string directory, file;
  std::vector<std::string> args; // without the compiler
};

std::optional<ForeignEntry> read_entry(const nlohmann::json& entry, const std::string& database_dir) {
  if (!entry.is_object()) return std::nullopt;
  const auto directory = entry.find("directory");
  const auto file = entry.find("file");
  if (directory == entry.end() || !directory->is_string() || file == entry.end() || !file->is_string())
    return std::nullopt;
  ForeignEntry out;
  out.directory = normal(fs::path("/") / database_dir / directory->get<std::string>()); // "/" / "/abs" is "/abs"
  out.file = normal(fs::path(out.directory) / file->get<std::string>());
  std::vector<std::string> words;
  if (const auto arguments = entry.find("arguments"); arguments != entry.end() && arguments->is_array()) {
    for (const auto& word : *arguments)
      if (word.is_string()) words.push_back(word.get<std::string>());
  } else if (const auto command = entry.find("command"); command != entry.end() && command->is_string()) {
    words = split_command(command->get<std::string>());
  } else {
    return std::nullopt;
  }
  if (!words.empty()) out.args.assign(words.begin() + 1, words.end());
  return out;
}

// The repository's root on the machine that wrote the database: where an entry's file is one of the
// blobs, or where its directory is the database's own directory.
std::optional<std::string> foreign_root(const std::vector<ForeignEntry>& entries, const std::set<std::string>& blob_paths,
                                        const std::string& database_dir) {
  for (const ForeignEntry& entry : entries)
    for (size_t slash = entry.file.find('/'); slash != std::string::npos; slash = entry.file.find('/', slash + 1))
      if (blob_paths.count(entry.file.substr(slash + 1))) return entry.file.substr(0, slash);
  if (!database_dir.empty())
    for (const ForeignEntry& entry : entries)
      if (ends_with(entry.directory, "/" + database_dir))
        return entry.directory.substr(0, entry.directory.size() - database_dir.size() - 1);
  return std::nullopt;
}

// The repository path of `path` below `root`, when it is one.
std::optional<std::string> below(const std::string& root, const std::string& path) {
  if (path == root) return std::string();
  if (!starts_with(path, root + "/")) return std::nullopt;
  std::string relative = path.substr(root.size() + 1);
  return relative.empty() || core::is_contained_path(relative) ? std::optional(relative) : std::nullopt;
}

// The filtered arguments of each file the repository's database lists, by repository path.
std::map<std::string, std::vector<std::string>> read_database(const std::string& path, const std::string& text,
                                                              const std::set<std::string>& blob_paths,
                                                              const Workspace& ws, std::string& problem) {
  std::map<std::string, std::vector<std::string>> by_file;
  const std::string database_dir = directory_of(path);
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_array()) {
    problem = "the repository's " + path + " is not a JSON list of compile commands";
    return by_file;
  }
  std::vector<ForeignEntry> entries;
  for (const auto& item : json)
    if (std::optional<ForeignEntry> entry = read_entry(item, database_dir)) entries.push_back(std::move(*entry));
  const std::optional<std::string> root = foreign_root(entries, blob_paths, database_dir);
  if (!root) return by_file;
  for (const ForeignEntry& entry : entries) {
    const std::optional<std::string> file = below(*root, entry.file);
    if (!file || file->empty() || !kind_of(*file) || by_file.count(*file)) continue;
    const std::string& directory = entry.directory;
    auto include_dir = [&](const std::string& dir) -> std::optional<std::string> {
      const std::optional<std::string> inside = below(*root, normal(fs::path(directory) / dir));
      if (!inside) return std::nullopt;
      return (ws.tree / *inside).lexically_normal().string();
    };
    by_file.emplace(*file, safe_arguments(entry.args, include_dir));
  }
  return by_file;
}

// The number of leading path components `a` and `b` share.
size_t shared_components(const std::string& a, const std::string& b) {
  size_t shared = 0;
  for (size_t i = 0; i < a.size() && i < b.size() && a[i] == b[i]; ++i)
    if (a[i] == '/') ++shared;
  return shared;
}

struct CompileCommand {
  std::string file;                  // repository path
  std::vector<std::string> arguments; // the whole command, compiler first, the private file last
};

// The flags of a file the database does not list: a header takes those of the nearest entry (the
// header's language from it), anything else the configured flags.
std::vector<CompileCommand> compile_commands(const std::vector<std::string>& files,
                                             const std::map<std::string, std::vector<std::string>>& database,
                                             const std::vector<std::string>& configured_flags, const Workspace& ws) {
  const bool c_project = std::any_of(files.begin(), files.end(), [](const std::string& f) { return kind_of(f) == FileKind::c_source; }) &&
                         std::none_of(files.begin(), files.end(), [](const std::string& f) { return kind_of(f) == FileKind::cxx_source; });
  auto fallback = [&](bool is_c) {
    std::vector<std::string> flags = safe_arguments(configured_flags, [&](const std::string& dir) -> std::optional<std::string> {
      if (!core::is_contained_path(dir)) return std::nullopt;
      return (ws.tree / dir).string();
    });
    if (is_c)
      flags.erase(std::remove_if(flags.begin(), flags.end(),
                                 [](const std::string& f) { return starts_with(f, "-std=") && f.find("++") != std::string::npos; }),
                  flags.end());
    return flags;
  };
  std::vector<CompileCommand> out;
  for (const std::string& file : files) {
    const FileKind kind = *kind_of(file);
    std::vector<std::string> flags;
    bool is_c = kind == FileKind::c_source || (kind == FileKind::header && c_project);
    if (const auto listed = database.find(file); listed != database.end()) {
      flags = listed->second;
    } else if ((kind == FileKind::header || kind == FileKind::cxx_header) && !database.empty()) {
      const auto nearest = std::max_element(database.begin(), database.end(), [&](const auto& a, const auto& b) {
        return shared_components(a.first, file) < shared_components(b.first, file);
      });
      flags = nearest->second;
      if (kind == FileKind::header) is_c = kind_of(nearest->first) == FileKind::c_source;
      flags.insert(flags.end(), {"-x", is_c ? "c-header" : "c++-header"});
    } else {
      flags = fallback(is_c);
      if (kind == FileKind::header || kind == FileKind::cxx_header)
        flags.insert(flags.end(), {"-x", is_c ? "c-header" : "c++-header"});
    }
    CompileCommand command{file, {is_c ? "clang" : "clang++"}};
    command.arguments.insert(command.arguments.end(), flags.begin(), flags.end());
    command.arguments.push_back((ws.tree / file).string());
    out.push_back(std::move(command));
  }
  return out;
}

void write_database(const Workspace& ws, const std::vector<CompileCommand>& commands) {
  nlohmann::json entries = nlohmann::json::array();
  for (const CompileCommand& command : commands)
    entries.push_back({{"directory", ws.tree.string()},
                       {"file", (ws.tree / command.file).string()},
                       {"arguments", command.arguments}});
  fs::create_directories(ws.database);
  core::write_file_atomic(ws.database / "compile_commands.json", entries.dump(2), std::nullopt, core::Durability::unsynced);
}

std::optional<uint32_t> number(const YAML::Node& node) {
  const std::optional<std::string> text = scalar(node);
  uint32_t value = 0;
  if (!text || text->empty()) return std::nullopt;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

bool is_check_name(const std::string& name) {
  return name.size() <= k_max_check_name && only_of(name, std::string(k_alnum) + "-_.");
}

// Line (1-based) of byte `offset`.
int line_of(const std::string& content, uint32_t offset) {
  return 1 + static_cast<int>(std::count(content.begin(), content.begin() + offset, '\n'));
}

// Where the diagnostic's token ends: an identifier or number runs on, anything else is one character.
uint32_t token_end(const std::string& content, uint32_t start) {
  auto is_word = [](char c) { return k_alnum.find(c) != std::string_view::npos || c == '_'; };
  uint32_t end = start;
  while (end < content.size() && is_word(content[end])) ++end;
  if (end == start && start < content.size() && content[start] != '\n') ++end;
  return end;
}

// The fix of one diagnostic: its replacements, when they all edit the diagnostic's file and apply.
std::optional<Fix> read_fix(const YAML::Node& replacements, const std::string& check, const std::string& path,
                            const std::string& content, const Workspace& ws) {
  if (!replacements || !replacements.IsSequence() || replacements.size() == 0 || replacements.size() > k_max_replacements)
    return std::nullopt;
  Fix fix;
  fix.applicability = fix_applicability_of(check);
  for (const YAML::Node& replacement : replacements) {
    const std::optional<std::string> file = scalar(replacement["FilePath"]);
    const std::optional<uint32_t> offset = number(replacement["Offset"]);
    const std::optional<uint32_t> length = number(replacement["Length"]);
    const std::optional<std::string> text = scalar(replacement["ReplacementText"]);
    if (!file || !offset || !length || !text || ws.repository_path(*file) != path) return std::nullopt;
    if (*offset > content.size() || *length > content.size() - *offset) return std::nullopt;
    fix.edits.push_back(Edit{*offset, *offset + *length, *text});
  }
  if (!apply_fix(content, fix)) return std::nullopt;
  return fix;
}

// Reads clang-tidy's exported fixes into `result`; false with `why` when the text is not that.
bool read_fixes(const std::string& yaml, const std::map<std::string, const Blob*>& blobs, const Workspace& ws,
                RunResult& result, std::string& why) {
  std::optional<YAML::Node> loaded;
  try {
    loaded = YAML::Load(yaml);
  } catch (const std::exception& e) {
    why = std::string("clang-tidy wrote fixes that are not YAML (") + e.what() + ")";
    return false;
  }
  const YAML::Node& root = *loaded;
  const YAML::Node list = root.IsMap() ? root["Diagnostics"] : YAML::Node();
  if (!list || !(list.IsSequence() || list.IsNull())) {
    why = "clang-tidy wrote fixes without a list of diagnostics";
    return false;
  }
  std::map<std::string, std::vector<Diagnostic>> by_file;
  std::set<std::tuple<std::string, uint32_t, std::string>> seen;
  size_t malformed = 0, read = 0;
  for (const YAML::Node& item : list) {
    if (++read > k_max_diagnostics) break;
    const YAML::Node message = item.IsMap() ? item["DiagnosticMessage"] : YAML::Node();
    std::optional<std::string> name = item.IsMap() ? scalar(item["DiagnosticName"]) : std::nullopt;
    if (name) name = name->substr(0, name->find(',')); // a check with aliases: the first name
    const std::optional<std::string> file = message && message.IsMap() ? scalar(message["FilePath"]) : std::nullopt;
    const std::optional<uint32_t> offset = message && message.IsMap() ? number(message["FileOffset"]) : std::nullopt;
    const std::optional<std::string> text = message && message.IsMap() ? scalar(message["Message"]) : std::nullopt;
    if (!name || !is_check_name(*name) || !file || !offset || !text) {
      ++malformed;
      continue;
    }
    if (starts_with(*name, "clang-diagnostic-")) continue; // the compiler's (policy 1)
    const std::optional<std::string> path = ws.repository_path(*file);
    const auto blob = path ? blobs.find(*path) : blobs.end();
    if (blob == blobs.end()) continue;                     // another file than the blobs
    const std::string& content = blob->second->content;
    if (*offset > content.size()) {
      ++malformed;
      continue;
    }
    if (!seen.emplace(*path, *offset, *name).second) continue;
    Diagnostic diagnostic;
    diagnostic.rule_id = "clang-tidy/" + *name;
    diagnostic.category = category_of(*name);
    diagnostic.severity = severity_of(*name, scalar(item["Level"]) == std::optional<std::string>("Error"));
    diagnostic.start_byte = *offset;
    diagnostic.end_byte = token_end(content, *offset);
    diagnostic.start_line = line_of(content, diagnostic.start_byte);
    diagnostic.end_line = line_of(content, diagnostic.end_byte);
    diagnostic.message = *text;
    diagnostic.fix = read_fix(message["Replacements"], *name, *path, content, ws);
    by_file[*path].push_back(std::move(diagnostic));
  }
  for (auto& [path, diagnostics] : by_file) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.start_byte < b.start_byte; });
    result.files.push_back(FileDiagnostics{path, std::move(diagnostics)});
  }
  if (read > k_max_diagnostics)
    why = "clang-tidy reported more than " + std::to_string(k_max_diagnostics) + " diagnostics; the rest were skipped";
  else if (malformed)
    why = std::to_string(malformed) + " of clang-tidy's diagnostics were malformed and skipped";
  return true;
}

class ClangTidy final : public Provider {
public:
  explicit ClangTidy(std::vector<std::string> configured_flags) : m_configured_flags(std::move(configured_flags)) {}

  std::string name() const override { return "clang-tidy"; }

  bool handles(const std::string& path) const override { return kind_of(path).has_value(); }

  std::optional<std::string> version(const RunOptions& options, std::string& why) const override {
    const std::optional<fs::path> tool = find_tool(options.tool_dir);
    if (!tool) {
      why = k_not_installed;
      return std::nullopt;
    }
    try {
      core::ProcessOptions process;
      process.scrub_env = true;
      process.timeout = k_version_timeout;
      process.max_output = 64 * 1024;
      const core::ProcessResult r = core::run_process({tool->string(), "--version"}, process);
      const size_t at = r.out.find("version ");
      const size_t end = at == std::string::npos ? at : r.out.find_first_not_of("0123456789.", at + 8);
      if (!r.ok() || at == std::string::npos || end == at + 8) {
        why = tool->string() + " --version did not print a version" + (r.timed_out ? " (timed out)" : "");
        return std::nullopt;
      }
      return "clang-tidy " + r.out.substr(at + 8, end - at - 8);
    } catch (const std::exception& e) {
      why = e.what();
      return std::nullopt;
    }
  }

  RunResult run(const std::vector<Blob>& blobs, const RunOptions& options) const override {
    const auto started = std::chrono::steady_clock::now();
    RunResult result;
    try {
      run_checked(blobs, options, result);
    } catch (const std::exception& e) {
      result.problem = std::string("clang-tidy could not run: ") + e.what();
    }
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return result;
  }

private:
  std::vector<std::string> m_configured_flags;

  void run_checked(const std::vector<Blob>& blobs, const RunOptions& options, RunResult& result) const {
    const std::optional<fs::path> tool = find_tool(options.tool_dir);
    if (!tool) {
      result.problem = k_not_installed;
      return;
    }
    const Workspace ws(options.work_dir);
    std::map<std::string, const Blob*> by_path;
    for (const Blob& blob : blobs)
      if (handles(blob.path) && core::is_contained_path(blob.path)) by_path.emplace(blob.path, &blob);
    if (by_path.empty()) return;
    const std::optional<std::set<std::string>> config_dirs = write_configs(ws, options, result.problem);
    if (!config_dirs) return;
    std::vector<std::string> files;
    for (const auto& [path, blob] : by_path) {
      ws.write(path, blob->content);
      files.push_back(path);
    }
    std::map<std::string, std::vector<std::string>> database;
    if (const auto file = database_file(options)) {
      const std::set<std::string> paths(files.begin(), files.end());
      database = read_database(file->first, file->second, paths, ws, result.problem);
      if (!result.problem.empty()) return;
    }
    write_database(ws, compile_commands(files, database, m_configured_flags, ws));
    const std::chrono::milliseconds budget =
        options.budget.count() > 0 ? options.budget : std::chrono::milliseconds(k_default_budget);
    const auto deadline = std::chrono::steady_clock::now() + budget;
    int run = 0;
    for (const auto& [dir, group] : by_configuration(files, *config_dirs)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      const fs::path fixes = ws.root / ("fixes-" + std::to_string(++run) + ".yaml");
      if (left.count() <= 0 || !run_tool(*tool, group, fixes, ws, left, result)) {
        if (left.count() <= 0 || result.timed_out) {
          result.timed_out = true;
          result.problem = "clang-tidy timed out after " + seconds(budget);
        }
        return;
      }
      if (const std::optional<std::string> yaml = read_output(fixes, ws, result)) {
        std::string why;
        read_fixes(*yaml, by_path, ws, result, why);
        if (!why.empty()) result.problem = why;
      }
      if (!result.problem.empty()) return;
    }
    std::sort(result.files.begin(), result.files.end(),
              [](const FileDiagnostics& a, const FileDiagnostics& b) { return a.path < b.path; });
  }

  // Runs clang-tidy on `files`; false with the problem set when it did not end well.
  bool run_tool(const fs::path& tool, const std::vector<std::string>& files, const fs::path& fixes, const Workspace& ws,
                std::chrono::milliseconds timeout, RunResult& result) const {
    std::vector<std::string> argv = {tool.string(), "--quiet", "-p", ws.database.string(),
                                     "--export-fixes=" + fixes.string()};
    for (const std::string& file : files) argv.push_back((ws.tree / file).string());
    core::ProcessOptions process;
    process.cwd = ws.tree;
    process.scrub_env = true;
    process.timeout = timeout;
    process.max_output = k_max_output;
    const core::ProcessResult r = core::run_process(argv, process);
    if (r.timed_out) {
      result.timed_out = true;
    } else if (r.exit_code > 128) {
      result.problem = "clang-tidy crashed (signal " + std::to_string(r.exit_code - 128) + ")";
    } else if (r.exit_code != 0 && !fs::exists(fixes)) {
      // Exit status 1 with fixes is clang-tidy's way of saying a file did not compile cleanly.
      const std::string said = last_line(r.err);
      result.problem = "clang-tidy failed (exit status " + std::to_string(r.exit_code) + ")" + (said.empty() ? "" : ": " + said);
    }
    return !r.timed_out && result.problem.empty();
  }

  // The exported fixes, when clang-tidy wrote some (it writes none when it found nothing).
  static std::optional<std::string> read_output(const fs::path& fixes, const Workspace& ws, RunResult& result) {
    try {
      return core::read_untrusted_file(fixes, k_max_fixes_bytes, ws.root, "clang-tidy's fixes");
    } catch (const std::exception& e) {
      result.problem = e.what();
      return std::nullopt;
    }
  }
};

} // namespace

} // namespace clang_tidy

std::unique_ptr<Provider> make_clang_tidy() { return make_clang_tidy(clang_tidy::k_default_flags); }

std::unique_ptr<Provider> make_clang_tidy(std::vector<std::string> configured_flags) {
  return std::make_unique<clang_tidy::ClangTidy>(std::move(configured_flags));
}

} // namespace providers
