#include "fix/native_check.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/interrupt.hpp"
#include "core/process.hpp"
#include "scan/engine.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>

namespace fix {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t k_max_compile_db_bytes = std::size_t{16} << 20;
constexpr std::size_t k_max_package_json_bytes = std::size_t{1} << 20;
constexpr std::size_t k_max_messages = 100;

// compile() of stdin, never run; every diagnostic on a line of its own, without its position.
constexpr const char* k_python_check = R"py(import sys, warnings
src = sys.stdin.buffer.read()
out = []
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        compile(src, "<fix>", "exec", dont_inherit=True)
    except SyntaxError as e:
        out.append("%s: %s" % (type(e).__name__, e.msg))
    except Exception as e:
        out.append("%s: %s" % (type(e).__name__, str(e).split(" (", 1)[0]))
    for w in caught:
        out.append("%s: %s" % (w.category.__name__, str(w.message)))
sys.stdout.write("\n".join(m.replace("\n", " ") for m in out))
)py";

// The program `name` on PATH. A version manager's shim (pyenv, rbenv, asdf: a `shims` directory) is
// taken only when nothing else is there: it starts a shell script and the manager before the tool
// (seconds under load, per check), and the toolchain behind it is usually on PATH as well.
std::optional<std::string> on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::optional<std::string> shim;
  size_t at = 0;
  while (at <= dirs.size()) {
    size_t colon = dirs.find(':', at);
    std::string dir = dirs.substr(at, colon == std::string::npos ? std::string::npos : colon - at);
    if (!dir.empty()) {
      fs::path candidate = fs::path(dir) / name;
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) {
        if (fs::path(dir).filename() != "shims") return candidate.string();
        if (!shim) shim = candidate.string();
      }
    }
    if (colon == std::string::npos) break;
    at = colon + 1;
  }
  return shim;
}

// The tools of a language, in order of preference.
std::vector<std::string> tools_of(const std::string& language) {
  if (language == "python") return {"python3"};
  if (language == "javascript") return {"node"};
  if (language == "c") return {"gcc", "clang"};
  if (language == "cpp") return {"g++", "clang++"};
  if (language == "go") return {"gofmt"};
  if (language == "java") return {"javac"};
  return {};
}

// A private directory, removed with everything in it when this goes.
class PrivateDir {
public:
  explicit PrivateDir(const fs::path& root) {
    std::string tmpl = (root.empty() ? fs::temp_directory_path() : root) / "autoloop-check-XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw core::Error("cannot make a private directory under " + root.string());
    m_path = tmpl;
  }
  ~PrivateDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
  const fs::path& path() const { return m_path; }

private:
  fs::path m_path;
};

// The file's base name as written in the private directory: letters, digits, '.', '_', '-' only
// (Java needs the class's own name; everything else only its extension).
std::string safe_base_name(const std::string& path, const std::string& fallback_ext) {
  std::string base = fs::path(path).filename().string();
  bool ok = !base.empty() && base[0] != '.' && base.size() <= 100;
  for (char c : base)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') ok = false;
  return ok ? base : "file" + fallback_ext;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    std::string line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "name:12:5: rest" or "name:12: rest" → "rest"; nullopt when the line does not start so.
std::optional<std::string> after_position(const std::string& line, const std::string& name) {
  if (line.compare(0, name.size() + 1, name + ":") != 0) return std::nullopt;
  size_t at = name.size() + 1;
  for (int field = 0; field < 2; ++field) {
    size_t colon = line.find(':', at);
    if (colon == std::string::npos || !all_digits(std::string_view(line).substr(at, colon - at))) {
      if (field == 0) return std::nullopt;
      break;
    }
    at = colon + 1;
  }
  while (at < line.size() && line[at] == ' ') ++at;
  return line.substr(at);
}

// The diagnostics of one tool's output, normalised.
std::vector<std::string> parse_output(const std::string& language, const std::string& output, const std::string& name) {
  std::vector<std::string> out;
  for (const std::string& line : lines_of(output)) {
    if (out.size() >= k_max_messages) break;
    if (language == "python") {
      if (!line.empty()) out.push_back(line);
    } else if (language == "javascript") {
      // "SyntaxError: Identifier 'x' has already been declared"
      size_t colon = line.find(": ");
      if (colon != std::string::npos && colon >= 5 && line.compare(colon - 5, 5, "Error") == 0 &&
          std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon),
                      [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
        out.push_back(line);
    } else if (language == "c" || language == "cpp" || language == "java") {
      auto rest = after_position(line, name);
      if (!rest) continue;
      if (rest->rfind("error: ", 0) == 0 || rest->rfind("fatal error: ", 0) == 0) out.push_back(*rest);
    } else if (language == "go") {
      if (auto rest = after_position(line, name)) out.push_back(*rest);
    }
  }
  return out;
}

} // namespace

std::string NativeVerdict::detail() const {
  std::string out = "the native check (" + tool + ") finds what the original did not have: ";
  for (size_t i = 0; i < added.size() && i < 3; ++i) out += (i ? "; " : "") + added[i];
  if (added.size() > 3) out += "; and " + std::to_string(added.size() - 3) + " more";
  return out;
}

std::string NativeVerdict::gate_name() const { return "native-check(" + language + ")"; }

std::vector<std::string> added_diagnostics(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  std::map<std::string, int> had;
  for (const auto& m : before) ++had[m];
  std::vector<std::string> out;
  for (const auto& m : after)
    if (had[m]-- <= 0) out.push_back(m);
  return out;
}

std::vector<std::string> split_command(const std::string& command) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < command.size()) word += command[++i];
      else word += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      word += command[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(word);
  return out;
}

std::vector<std::string> allowed_compile_flags(const std::vector<std::string>& arguments, const fs::path& directory) {
  static const std::vector<std::string> path_flags = {"-isystem", "-iquote", "-idirafter", "-I"};
  std::vector<std::string> out;
  for (size_t i = 0; i < arguments.size(); ++i) {
    const std::string& a = arguments[i];
    bool taken = false;
    for (const auto& flag : path_flags) {
      if (a.rfind(flag, 0) != 0) continue;
      std::string value = a.substr(flag.size());
      if (value.empty()) {
        if (i + 1 >= arguments.size()) break;
        value = arguments[++i];
      }
      fs::path p(value);
      if (p.is_relative()) p = directory / p;
      out.push_back(flag);
      out.push_back(p.lexically_normal().string());
      taken = true;
      break;
    }
    if (taken) continue;
    if (a == "-D" || a == "-U") {
      if (i + 1 < arguments.size()) {
        out.push_back(a + arguments[i + 1]);
        ++i;
      }
    } else if ((a.rfind("-D", 0) == 0 || a.rfind("-U", 0) == 0 || a.rfind("-std=", 0) == 0) && a.size() > 2) {
      out.push_back(a);
    }
  }
  return out;
}

NativeChecker::NativeChecker(NativeCheckOptions options) : m_options(std::move(options)) {}

std::optional<std::string> NativeChecker::tool_for(const std::string& language, std::string* why_not) const {
  const auto tools = tools_of(language);
  if (tools.empty()) {
    if (why_not) *why_not = "no native check for " + language;
    return std::nullopt;
  }
  for (const auto& t : tools)
    if (on_path(t)) return t;
  if (why_not) {
    std::string names;
    for (const auto& t : tools) names += (names.empty() ? "" : " or ") + t;
    *why_not = "no " + names + " on PATH";
  }
  return std::nullopt;
}

std::string NativeChecker::javascript_mode(const std::string& path, const RepoFileReader& read_repo_file) const {
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".mjs") return "module";
  if (ext == ".cjs") return "script";
  if (!read_repo_file) return "";
  // The nearest package.json decides (Node's own rule); none: unknown.
  fs::path dir = fs::path(path).parent_path();
  for (int depth = 0; depth < 64; ++depth) {
    const std::string candidate = (dir / "package.json").generic_string();
    if (auto text = read_repo_file(candidate)) {
      if (text->size() > k_max_package_json_bytes) return "";
      auto j = nlohmann::json::parse(*text, nullptr, false);
      if (j.is_object() && j.contains("type") && j["type"].is_string() && j["type"].get<std::string>() == "module")
        return "module";
      return "script";
    }
    if (dir.empty()) break;
    dir = dir.parent_path();
  }
  return "";
}

std::vector<std::string> NativeChecker::compile_flags(const std::string& path) {
  if (m_options.work_tree.empty()) return {};
  if (!m_compile_db) {
    m_compile_db.emplace();
    for (const char* where : {"compile_commands.json", "build/compile_commands.json"}) {
      std::optional<std::string> text;
      try {
        text = core::read_untrusted_file(m_options.work_tree / where, k_max_compile_db_bytes, m_options.work_tree,
                                         "compile_commands.json");
      } catch (const core::Error&) {
        continue; // too large, a symlink out, unreadable: as if there were none
      }
      if (!text) continue;
      auto j = nlohmann::json::parse(*text, nullptr, false);
      if (!j.is_array()) continue;
      for (const auto& entry : j) {
        if (!entry.is_object() || !entry.contains("file") || !entry["file"].is_string()) continue;
        fs::path directory = entry.contains("directory") && entry["directory"].is_string()
                                 ? fs::path(entry["directory"].get<std::string>())
                                 : m_options.work_tree;
        fs::path file = entry["file"].get<std::string>();
        if (file.is_relative()) file = directory / file;
        std::vector<std::string> args;
        if (entry.contains("arguments") && entry["arguments"].is_array()) {
          for (const auto& a : entry["arguments"])
            if (a.is_string()) args.push_back(a.get<std::string>());
        } else if (entry.contains("command") && entry["command"].is_string()) {
          args = split_command(entry["command"].get<std::string>());
        }
        m_compile_db->emplace(file.lexically_normal().string(), allowed_compile_flags(args, directory));
      }
      break;
    }
  }
  const std::string key = (m_options.work_tree / path).lexically_normal().string();
  auto found = m_compile_db->find(key);
  if (found != m_compile_db->end()) return found->second;
  // No entry: the file's own directory for its quoted includes, as the compiler would have it.
  std::error_code ec;
  fs::path dir = (m_options.work_tree / path).parent_path();
  if (fs::is_directory(dir, ec)) return {"-iquote", dir.string()};
  return {};
}

Diagnostics NativeChecker::diagnostics(const std::string& language, const std::string& path, const std::string& text,
                                       const std::string& mode) {
  Diagnostics d;
  auto tool = tool_for(language, &d.why_not);
  if (!tool) return d;
  std::vector<std::string> flags;
  if (language == "c" || language == "cpp") flags = compile_flags(path);
  // The file's name matters to javac only (a public class lives in its own file).
  std::string key = language + '\0' + mode + '\0' + (language == "java" ? fs::path(path).filename().string() : "") + '\0';
  for (const auto& f : flags) key += f + '\0';
  key += scan::hash_hex(text);
  if (auto hit = m_cache.find(key); hit != m_cache.end()) {
    ++m_cache_hits;
    return hit->second;
  }
  d.tool = *tool + (mode.empty() ? "" : " (" + mode + ")");
  const std::string program = on_path(*tool).value_or(*tool); // the real toolchain before a shim
  PrivateDir dir(m_options.temp_root);
  std::string ext = fs::path(path).extension().string();
  std::string name = safe_base_name(path, ext.empty() ? ".txt" : ext);
  if (language == "javascript") name = fs::path(name).stem().string() + (mode == "module" ? ".mjs" : ".cjs");
  std::vector<std::string> argv;
  core::ProcessOptions o;
  o.scrub_env = true;
  o.env["LC_ALL"] = "C";
  o.cwd = dir.path();
  o.timeout = m_options.timeout;
  o.max_output = m_options.max_output;
  if (language == "python") {
    argv = {program, "-I", "-S", "-c", k_python_check};
    o.input = text;
  } else {
    {
      std::ofstream out(dir.path() / name, std::ios::binary);
      out.write(text.data(), static_cast<std::streamsize>(text.size()));
      if (!out) {
        d.why_not = "cannot write the file to check";
        return d;
      }
    }
    if (language == "javascript") {
      argv = {program, "--check", name};
    } else if (language == "c" || language == "cpp") {
      argv = {program, "-fsyntax-only", "-w", "-fno-diagnostics-show-caret", "-fdiagnostics-color=never",
              "-x", language == "c" ? "c" : "c++"};
      argv.insert(argv.end(), flags.begin(), flags.end());
      argv.push_back(name);
    } else if (language == "go") {
      argv = {program, "-e", name};
    } else if (language == "java") {
      fs::create_directories(dir.path() / "out");
      argv = {program, "-J-Xmx256m", "-proc:none", "-nowarn", "-Xlint:none", "-d", "out", name};
    }
  }
  core::ProcessResult r;
  try {
    ++m_tool_runs;
    r = core::run_process(argv, o);
  } catch (const core::Error& e) {
    d.why_not = e.what();
    return d;
  }
  if (r.timed_out) {
    d.why_not = *tool + " timed out after " + std::to_string(m_options.timeout.count() / 1000) + " s";
    return d;
  }
  d.ran = true;
  d.messages = parse_output(language, r.out + "\n" + r.err, name);
  // A failure the parser does not recognise still counts (once), so that it is compared too.
  if (!r.ok() && d.messages.empty() && language != "python") d.messages.push_back(*tool + " exits " + std::to_string(r.exit_code));
  m_cache.emplace(std::move(key), d);
  return d;
}

NativeVerdict NativeChecker::compare(const std::string& language, const std::string& path, const std::string& before,
                                     const std::string& after, const RepoFileReader& read_repo_file) {
  NativeVerdict v;
  v.language = language;
  if (language == "javascript" && fs::path(path).extension() == ".jsx") {
    v.why_not = "node cannot check JSX";
    return v;
  }
  std::string mode;
  if (language == "javascript") {
    mode = javascript_mode(path, read_repo_file);
    if (mode.empty()) {
      // No package.json says: the mode the original is valid in (a script first, as Node does).
      mode = "script";
      Diagnostics as_script = diagnostics(language, path, before, "script");
      if (as_script.ran && !as_script.messages.empty()) {
        Diagnostics as_module = diagnostics(language, path, before, "module");
        if (as_module.ran && as_module.messages.empty()) mode = "module";
      }
    }
  }
  Diagnostics was = diagnostics(language, path, before, mode);
  if (!was.ran) {
    v.why_not = was.why_not;
    return v;
  }
  Diagnostics now = diagnostics(language, path, after, mode);
  if (!now.ran) {
    v.why_not = now.why_not;
    return v;
  }
  v.ran = true;
  v.tool = now.tool;
  v.original_diagnostics = static_cast<int>(was.messages.size());
  v.added = added_diagnostics(was.messages, now.messages);
  v.ok = v.added.empty();
  return v;
}

} // namespace fix
