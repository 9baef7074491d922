// The ruff provider: ruff's WebAssembly build (npm @astral-sh/ruff-wasm-nodejs, pinned by install.sh
// --provider ruff into the tool directory) run in node by our script tools/providers/ruff-check.mjs,
// which reads the repository's ruff configuration and prints each diagnostic with its fix.
//
// 1. The blobs (.py, .pyi, valid UTF-8) and the repository's ruff configuration files are written
//    under the work directory at their repository paths; one node process checks them all.
// 2. The script reports rows and 1-based columns in UTF-8 bytes (it asks the Workspace for that
//    position encoding); byte_offset turns them into byte offsets of the blob.
// 3. The rule code's family gives the category and the severity; the script gives each fix's
//    applicability (safe, unsafe, display-only: Safety safe, unsafe, suggest).
//
// Where the script is: beside the binary, in the layout `cmake --install` makes and the build
// directory mirrors: <build>/share/git-autoloop/providers/ruff-check.mjs (the build directory, for
// the tests), <bin>/../share/git-autoloop/providers/ruff-check.mjs (installed). It is
// versioned with the binary, not with the tool, so it is not looked for in the tool directory.

#include "providers/builtin.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace providers {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The pinned package (install.sh pins the same version, with its integrity hash).
constexpr const char* k_package = "@astral-sh/ruff-wasm-nodejs";
constexpr const char* k_version = "0.17.4";
constexpr const char* k_script = "ruff-check.mjs";
// A whole run's time limit when the caller gives none: loading the 10 MB WebAssembly module takes
// 1-3 s on an idle machine and up to 20 s on a loaded one.
constexpr std::chrono::seconds k_default_budget{60};
// The script's report is bounded; past this it is taken as a tool gone wrong.
constexpr std::size_t k_max_output = 32u << 20;
constexpr std::size_t k_max_config_bytes = 1u << 20;

std::string seconds_text(std::chrono::milliseconds ms) {
  std::ostringstream out;
  out.precision(ms.count() < 10000 ? 2 : 3);
  out << static_cast<double>(ms.count()) / 1000.0 << " s";
  return out.str();
}

// The first line of `text`, at most 200 bytes, for a one-line problem.
std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 200) line = line.substr(0, 200) + "...";
  return line;
}

// `name` on PATH, as execvp would find it.
std::optional<fs::path> find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::optional<fs::path> find_script() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  const fs::path dir = exe.parent_path();
  const fs::path under_share = fs::path("share") / "git-autoloop" / "providers" / k_script;
  for (const fs::path& candidate : {dir / under_share, dir.parent_path() / under_share})
    if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal();
  return std::nullopt;
}

fs::path package_dir(const fs::path& tool_dir) {
  return tool_dir / "node_modules" / k_package;
}

// The installed package's version, from its package.json; nullopt when there is none to read.
std::optional<std::string> installed_version(const fs::path& tool_dir) {
  try {
    std::ifstream in(package_dir(tool_dir) / "package.json", std::ios::binary);
    if (!in) return std::nullopt;
    std::string text(64 * 1024, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    const json manifest = json::parse(text, nullptr, false);
    if (!manifest.is_object() || !manifest.contains("version") || !manifest["version"].is_string()) return std::nullopt;
    return manifest["version"].get<std::string>();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// What run() needs to start the tool; `why` says what is missing.
struct Tool {
  fs::path node, script;
};

std::optional<Tool> locate(const RunOptions& options, std::string& why) {
  const std::string install = "run install.sh --provider ruff";
  const auto node = find_on_path("node");
  if (!node) {
    why = "ruff needs node, which is not on PATH (" + install + ")";
    return std::nullopt;
  }
  const auto version = installed_version(options.tool_dir);
  if (!version) {
    why = "ruff is not installed in " + options.tool_dir.string() + " (" + install + ")";
    return std::nullopt;
  }
  if (*version != k_version) {
    why = "ruff " + *version + " is installed, this git-autoloop needs " + k_version + " (" + install + ")";
    return std::nullopt;
  }
  const auto script = find_script();
  if (!script) {
    why = std::string(k_script) + " is missing beside git-autoloop (share/git-autoloop/providers/): reinstall git-autoloop";
    return std::nullopt;
  }
  return Tool{*node, *script};
}

bool has_suffix(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Whether `text` is UTF-8 that ruff reads as we do: valid sequences (ruff refuses other files), and
// no carriage return alone (ruff counts it as a line break, byte_offset does not).
bool readable_as_ruff_does(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    if (c == '\r' && (i + 1 >= n || s[i + 1] != '\n')) return false;
    std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > n) return false;
    for (std::size_t k = 1; k < length; ++k)
      if ((s[i + k] & 0xC0) != 0x80) return false;
    if (length == 2 && c < 0xC2) return false;                               // overlong
    if (length == 3 && c == 0xE0 && s[i + 1] < 0xA0) return false;           // overlong
    if (length == 3 && c == 0xED && s[i + 1] >= 0xA0) return false;          // a surrogate
    if (length == 4 && ((c == 0xF0 && s[i + 1] < 0x90) || c > 0xF4 || (c == 0xF4 && s[i + 1] >= 0x90))) return false;
    i += length;
  }
  return true;
}

// The configuration files ruff reads, by name.
bool is_ruff_config(const std::string& path) {
  const std::string name = path.substr(path.rfind('/') + 1);
  return name == "ruff.toml" || name == ".ruff.toml" || name == "pyproject.toml";
}

// Writes `content` at `relative` under `root`; false when the path is not contained or the write fails.
bool materialise(const fs::path& root, const std::string& relative, const std::string& content) {
  if (!core::is_contained_path(relative)) return false;
  const fs::path target = root / relative;
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return false;
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return static_cast<bool>(out);
}

// The leading letters of a rule code: "S" for S101, "SIM" for SIM108, "PERF" for PERF401.
std::string family(const std::string& code) {
  std::size_t i = 0;
  while (i < code.size() && std::isupper(static_cast<unsigned char>(code[i]))) ++i;
  return code.substr(0, i);
}

// Rule families to the seed's categories: bandit (S) is security, perflint (PERF) performance, the
// rest code quality.
core::Category category_of(const std::string& code) {
  const std::string f = family(code);
  if (f == "S") return core::Category::security_fixes;
  if (f == "PERF") return core::Category::performance_issues;
  return core::Category::code_quality;
}

// Severities: what fails at run time is high (undefined names, E9 syntax and I/O errors); likely bugs
// (bugbear, the rest of pyflakes) and security findings are medium; the rest, and dead code that only
// costs reading (unused imports and variables, f-strings without placeholders), is low.
std::string severity_of(const std::string& code) {
  const std::string f = family(code);
  if (code == "F821" || code == "F822" || code == "F823" || code.rfind("E9", 0) == 0) return "high";
  if (code == "F401" || code == "F841" || code == "F541" || code == "F811") return "low";
  if (f == "F" || f == "B" || f == "S") return "medium";
  return "low";
}

std::optional<core::Safety> safety_of(const std::string& applicability) {
  if (applicability == "safe") return core::Safety::safe;
  if (applicability == "unsafe") return core::Safety::unsafe;
  if (applicability == "display-only") return core::Safety::suggest;
  return std::nullopt;
}

// The byte offset of a {"row", "column"} position in `content`; throws json::exception when the
// position is not one.
uint32_t offset_of(const std::string& content, const json& position) {
  const int row = position.at("row").get<int>(), column = position.at("column").get<int>();
  if (row < 1 || column < 1) throw std::out_of_range("a position before the start of the file");
  return byte_offset(content, row, column, ColumnUnit::byte, true);
}

Diagnostic read_diagnostic(const json& row, const std::string& content) {
  Diagnostic d;
  const std::string code = row.at("code").get<std::string>();
  d.rule_id = "ruff/" + code;
  d.category = category_of(code);
  d.severity = severity_of(code);
  d.message = row.at("message").get<std::string>();
  d.start_line = row.at("start").at("row").get<int>();
  d.end_line = row.at("end").at("row").get<int>();
  d.start_byte = offset_of(content, row.at("start"));
  d.end_byte = std::max(d.start_byte, offset_of(content, row.at("end")));
  const json& fix = row.at("fix");
  if (fix.is_null()) return d;
  const auto applicability = safety_of(fix.at("applicability").get<std::string>());
  if (!applicability) throw std::invalid_argument("an unknown fix applicability");
  Fix out{*applicability, {}, fix.at("message").get<std::string>()};
  for (const json& edit : fix.at("edits"))
    out.edits.push_back(Edit{offset_of(content, edit.at("start")), offset_of(content, edit.at("end")),
                             edit.at("content").get<std::string>()});
  // A fix whose edits do not apply to the content it was made for is no fix.
  if (apply_fix(content, out)) d.fix = std::move(out);
  return d;
}

// Reads the script's report into `result`; false when it is not one.
bool read_report(const std::string& out, const std::map<std::string, const Blob*>& sent, RunResult& result) {
  try {
    const json report = json::parse(out);
    std::vector<std::string> problems;
    for (const json& p : report.at("problems")) problems.push_back(p.get<std::string>());
    for (const json& file : report.at("files")) {
      const auto blob = sent.find(file.at("path").get<std::string>());
      if (blob == sent.end()) return false;
      FileDiagnostics diagnostics{blob->first, {}};
      for (const json& row : file.at("diagnostics")) diagnostics.diagnostics.push_back(read_diagnostic(row, blob->second->content));
      if (!diagnostics.diagnostics.empty()) result.files.push_back(std::move(diagnostics));
    }
    for (const std::string& p : problems) result.problem += (result.problem.empty() ? "" : "; ") + p;
    return true;
  } catch (const std::exception&) { // json::exception, and the range errors of read_diagnostic
    result.files.clear();
    return false;
  }
}

class Ruff final : public Provider {
public:
  std::string name() const override { return "ruff"; }

  bool handles(const std::string& path) const override { return has_suffix(path, ".py") || has_suffix(path, ".pyi"); }

  std::optional<std::string> version(const RunOptions& options, std::string& why) const override {
    try {
      if (!locate(options, why)) return std::nullopt;
      return std::string("ruff ") + k_version;
    } catch (const std::exception& e) {
      why = std::string("ruff: ") + e.what();
      return std::nullopt;
    }
  }

  RunResult run(const std::vector<Blob>& blobs, const RunOptions& options) const override {
    const auto started = std::chrono::steady_clock::now();
    RunResult result;
    try {
      run_tool(blobs, options, result);
    } catch (const std::exception& e) { // the process could not be started, a write failed
      result.files.clear();
      result.problem = std::string("ruff: ") + e.what();
    }
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return result;
  }

private:
  void run_tool(const std::vector<Blob>& blobs, const RunOptions& options, RunResult& result) const {
    std::string why;
    const auto tool = locate(options, why);
    if (!tool) {
      result.problem = why;
      return;
    }
    // 1. The files and the configurations, under the work directory.
    std::map<std::string, const Blob*> sent;
    json request = {{"files", json::array()}, {"configs", json::array()}};
    for (const Blob& blob : blobs) {
      // Paths go into a JSON request: UTF-8 only, like the contents ruff can read.
      if (!handles(blob.path) || !readable_as_ruff_does(blob.path) || !readable_as_ruff_does(blob.content) ||
          sent.count(blob.path))
        continue;
      if (!materialise(options.work_dir, blob.path, blob.content)) continue;
      sent.emplace(blob.path, &blob);
      request["files"].push_back(blob.path);
    }
    if (sent.empty()) return;
    for (const auto& [path, content] : options.config_files) {
      if (!is_ruff_config(path) || content.size() > k_max_config_bytes || !readable_as_ruff_does(path) ||
          !readable_as_ruff_does(content))
        continue;
      if (materialise(options.work_dir, path, content)) request["configs"].push_back(path);
    }
    // 2. One node process for them all.
    core::ProcessOptions process;
    process.cwd = options.work_dir;
    process.input = request.dump();
    process.scrub_env = true;
    process.timeout = options.budget.count() > 0 ? options.budget : std::chrono::milliseconds(k_default_budget);
    process.max_output = k_max_output;
    const core::ProcessResult ran = core::run_process(
        {tool->node.string(), tool->script.string(), "--tool-dir", fs::absolute(options.tool_dir).string(),
         "--root", fs::absolute(options.work_dir).string()},
        process);
    // 3. Its report.
    if (ran.timed_out) {
      result.timed_out = true;
      result.problem = "ruff timed out after " + seconds_text(process.timeout);
    } else if (ran.exit_code != 0) {
      const std::string said = first_line(ran.err.empty() ? ran.out : ran.err);
      result.problem = "ruff failed (exit status " + std::to_string(ran.exit_code) + ")" + (said.empty() ? "" : ": " + said);
    } else if (ran.out.size() >= k_max_output) {
      result.problem = "ruff printed more than " + std::to_string(k_max_output >> 20) + " MiB";
    } else if (!read_report(ran.out, sent, result)) {
      result.problem = "ruff printed output that is not its report: " + first_line(ran.out);
    }
  }
};

} // namespace

std::unique_ptr<Provider> make_ruff() { return std::make_unique<Ruff>(); }

} // namespace providers
