// Biome's linter as a provider: its native binary from the npm package @biomejs/cli-linux-x64,
// pinned (install.sh --provider biome), run on the blobs with the repository's biome.json.
//
// How diagnostics and fixes are read, chosen by measurement on Biome 2.6.9 (400 files of npm's own
// JavaScript, 12,320 lint diagnostics):
//  - `--reporter=rdjson` on stdout gives each diagnostic's rule, range and its fix as one replacement
//    (the smallest range the fix changes, with its new text). Applying it alone gave the same file as
//    `biome lint --write --unsafe --only=<rule>` in 719 of 719 files where the rule fired once.
//    The JSON reporter has no fixes; `--write` per rule on a copy costs a process per rule
//    (0.2-0.3 s each here) and cannot tell two diagnostics of one rule apart.
//  - No machine reporter says whether a fix is safe or unsafe (it is the rule's fix kind, which
//    biome.json may change per rule). The default reporter does ("Safe fix: ...", "Unsafe fix: ..."),
//    so the same run writes it to a file too and each diagnostic's block is looked up by its header
//    `path:line:col category`. That agreed with `--write` (safe fixes only) in 232 of 232 checks. It
//    adds little to a commit's run (10 files: +0.03 s CPU) but doubles the CPU time of a batch with
//    thousands of diagnostics. A fix whose block is missing or unreadable is only a suggestion.
//  - Columns are 1-based Unicode scalar values on lines split at '\n' (a BOM and U+2028 count as one
//    column; checked with non-ASCII text before a diagnostic).
//
// Our configuration, written when the repository has no biome.json/biome.jsonc at its root: the
// linter with Biome's recommended rules (preset "recommended", the set `biome lint` runs without a
// configuration), formatter and assists off (only lint diagnostics are read), no VCS integration.

#include "providers/builtin.hpp"

#include "core/fs.hpp"
#include "core/process.hpp"

#include <nlohmann/json.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <exception>
#include <string_view>
#include <system_error>

namespace providers {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view k_pinned_version = "2.6.9"; // install.sh --provider biome installs this one
constexpr std::chrono::milliseconds k_default_budget{20000};
constexpr std::chrono::milliseconds k_version_timeout{10000};
constexpr std::size_t k_max_report = 32u << 20;   // the rdjson report on stdout
constexpr std::size_t k_max_text = 64u << 20;     // the default reporter's file
constexpr std::size_t k_max_stderr = 64u << 10;

constexpr std::string_view k_default_config = R"({
  "root": true,
  "vcs": { "enabled": false },
  "files": { "ignoreUnknown": true },
  "formatter": { "enabled": false },
  "assist": { "enabled": false },
  "linter": { "enabled": true, "rules": { "preset": "recommended" } }
}
)";

const char* const k_extensions[] = {".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts"};

fs::path binary_path(const fs::path& tool_dir) {
  return tool_dir / "node_modules" / "@biomejs" / "cli-linux-x64" / "biome";
}

bool is_executable_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

std::string not_installed(const fs::path& binary) {
  return "biome is not installed (no " + binary.string() + "): run install.sh --provider biome";
}

// "2.6.9" from `biome --version` ("Version: 2.6.9"); empty when the output says something else.
std::string parse_version(const std::string& out) {
  const std::string_view prefix = "Version: ";
  if (out.compare(0, prefix.size(), prefix) != 0) return {};
  std::string version = out.substr(prefix.size());
  version.erase(std::find_if(version.begin(), version.end(), [](char c) { return c == '\n' || c == '\r'; }),
                version.end());
  return version;
}

// The first line Biome marks as an error ("  × Biome exited because ..."), for a problem's reason.
std::string first_error_line(const std::string& err) {
  size_t at = 0;
  while (at < err.size()) {
    size_t end = err.find('\n', at);
    if (end == std::string::npos) end = err.size();
    std::string_view line(err.data() + at, end - at);
    const size_t mark = line.find("\xc3\x97 "); // ×
    if (mark != std::string_view::npos) return std::string(line.substr(mark + 3));
    at = end + 1;
  }
  return {};
}

bool has_control_character(const std::string& path) {
  return std::any_of(path.begin(), path.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

bool is_biome_config(const std::string& path) {
  const std::string name = fs::path(path).filename().string();
  return name == "biome.json" || name == "biome.jsonc";
}

// --- reading the default reporter: which fixes are safe --------------------------------------

struct FixNote {
  core::Safety safety = core::Safety::suggest;
  std::string message;
};

// The default reporter's notes by diagnostic header ("src/a.js:3:1 lint/style/useConst"), in the
// order of their diagnostics, and how many lint headers there were.
struct FixNotes {
  std::map<std::string, std::deque<std::optional<FixNote>>> by_header;
  std::size_t lint_headers = 0;
};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The header key of `line` when it starts a lint diagnostic's block ("path:line:col lint/group/rule
// [TAGS] ━━━"); nullopt otherwise. Headers start at column 0, everything inside a block is indented.
std::optional<std::string> lint_header(std::string_view line) {
  if (line.empty() || line[0] == ' ') return std::nullopt;
  for (size_t at = line.find(" lint/"); at != std::string_view::npos; at = line.find(" lint/", at + 1)) {
    const std::string_view before = line.substr(0, at);
    const size_t col_colon = before.rfind(':');
    if (col_colon == std::string_view::npos || !all_digits(before.substr(col_colon + 1))) continue;
    const size_t line_colon = before.rfind(':', col_colon - 1);
    if (col_colon == 0 || line_colon == std::string_view::npos ||
        !all_digits(before.substr(line_colon + 1, col_colon - line_colon - 1)))
      continue;
    size_t category_end = line.find(' ', at + 1);
    if (category_end == std::string_view::npos) category_end = line.size();
    return std::string(line.substr(0, category_end));
  }
  return std::nullopt;
}

// A fix note line inside a block: two spaces, the reporter's marker ("i" or "ℹ"), a space, then
// "Safe fix: <message>" or "Unsafe fix: <message>".
std::optional<FixNote> fix_note(std::string_view line) {
  if (line.substr(0, 2) != "  ") return std::nullopt;
  const size_t space = line.find(' ', 2);
  if (space == std::string_view::npos || space == 2 || space > 2 + 4) return std::nullopt;
  const std::string_view rest = line.substr(space + 1);
  for (const auto& [prefix, safety] : {std::pair<std::string_view, core::Safety>{"Safe fix: ", core::Safety::safe},
                                       std::pair<std::string_view, core::Safety>{"Unsafe fix: ", core::Safety::unsafe}})
    if (rest.substr(0, prefix.size()) == prefix) return FixNote{safety, std::string(rest.substr(prefix.size()))};
  return std::nullopt;
}

FixNotes read_fix_notes(const std::string& text) {
  FixNotes notes;
  std::deque<std::optional<FixNote>>* current = nullptr;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + at, end - at);
    at = end + 1;
    if (auto header = lint_header(line)) {
      ++notes.lint_headers;
      current = &notes.by_header[*header];
      current->emplace_back();
    } else if (!line.empty() && line[0] != ' ') {
      current = nullptr; // another kind of block, or the summary
    } else if (current) {
      // The last note of a block wins: the fix advice comes after the messages, which may quote code.
      if (auto note = fix_note(line)) current->back() = std::move(note);
    }
  }
  return notes;
}

// --- reading the rdjson report ----------------------------------------------------------------

// `object[key]` when `object` is an object that has it, else nullptr (the report may be any JSON).
const json* member(const json* object, const char* key) {
  if (!object || !object->is_object()) return nullptr;
  const auto found = object->find(key);
  return found == object->end() ? nullptr : &*found;
}

std::optional<int> positive_int(const json* value) {
  if (!value || !value->is_number_integer()) return std::nullopt;
  const auto n = value->get<long long>();
  if (n < 1 || n > 100000000) return std::nullopt;
  return static_cast<int>(n);
}

struct Position {
  int line = 0, column = 0;
};

std::optional<Position> read_position(const json* value) {
  auto line = positive_int(member(value, "line"));
  auto column = positive_int(member(value, "column"));
  if (!line || !column) return std::nullopt;
  return Position{*line, *column};
}

struct Range {
  Position start, end;
};

std::optional<Range> read_range(const json* value) {
  auto start = read_position(member(value, "start"));
  auto end = read_position(member(value, "end"));
  if (!start || !end) return std::nullopt;
  return Range{*start, *end};
}

std::string string_or_empty(const json* value) {
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

uint32_t to_byte(const std::string& content, Position p) {
  return byte_offset(content, p.line, p.column, ColumnUnit::code_point, true);
}

// The seed's category of a rule "lint/<group>/<rule>".
core::Category category_of(std::string_view group) {
  if (group == "security") return core::Category::security_fixes;
  if (group == "performance") return core::Category::performance_issues;
  return core::Category::code_quality;
}

std::string severity_of(const std::string& biome_severity) {
  if (biome_severity == "ERROR" || biome_severity == "FATAL") return "high";
  if (biome_severity == "WARNING") return "medium";
  if (biome_severity == "INFO" || biome_severity == "HINT") return "low";
  return "medium";
}

std::string normalised(std::string path) {
  while (path.compare(0, 2, "./") == 0) path.erase(0, 2);
  return path;
}

// The fix of one rdjson diagnostic: its suggestions as edits of `content`, or nullopt when there are
// none or they do not apply.
std::optional<Fix> read_fix(const json& diagnostic, const std::string& content, std::optional<FixNote> note) {
  const json* suggestions = member(&diagnostic, "suggestions");
  if (!suggestions || !suggestions->is_array() || suggestions->empty()) return std::nullopt;
  Fix fix;
  for (const json& suggestion : *suggestions) {
    auto range = read_range(member(&suggestion, "range"));
    const json* text = member(&suggestion, "text");
    if (!range || !text || !text->is_string()) return std::nullopt;
    fix.edits.push_back(Edit{to_byte(content, range->start), to_byte(content, range->end), text->get<std::string>()});
  }
  if (!apply_fix(content, fix)) return std::nullopt;
  if (note) {
    fix.applicability = note->safety;
    fix.message = note->message;
  }
  return fix;
}

// --- the provider -----------------------------------------------------------------------------

class BiomeProvider final : public Provider {
public:
  std::string name() const override { return "biome"; }

  bool handles(const std::string& path) const override {
    const std::string extension = fs::path(path).extension().string();
    return std::any_of(std::begin(k_extensions), std::end(k_extensions),
                       [&](const char* known) { return extension == known; });
  }

  std::optional<std::string> version(const RunOptions& options, std::string& why) const override {
    try {
      const fs::path binary = binary_path(options.tool_dir);
      if (!is_executable_file(binary)) {
        why = not_installed(binary);
        return std::nullopt;
      }
      // Biome creates a cache directory under $XDG_CACHE_HOME: a private one, removed afterwards.
      std::string scratch = (fs::temp_directory_path() / "autoloop-biome-XXXXXX").string();
      if (!::mkdtemp(scratch.data())) {
        why = "cannot make a temporary directory to ask biome its version";
        return std::nullopt;
      }
      core::ProcessOptions process = private_process_options(scratch, k_version_timeout);
      process.max_output = 4096;
      core::ProcessResult result;
      try {
        result = core::run_process({binary.string(), "--version"}, process);
      } catch (...) {
        std::error_code ec;
        fs::remove_all(scratch, ec);
        throw;
      }
      std::error_code ec;
      fs::remove_all(scratch, ec);
      const std::string version = parse_version(result.out);
      if (!result.ok() || version.empty()) {
        why = result.timed_out ? "biome --version did not answer within 10 s"
                                : "biome --version failed (exit status " + std::to_string(result.exit_code) + ")";
        return std::nullopt;
      }
      if (version != k_pinned_version) {
        why = "biome " + version + " is installed, git-autoloop uses " + std::string(k_pinned_version) +
              ": run install.sh --provider biome";
        return std::nullopt;
      }
      return "biome " + version;
    } catch (const std::exception& e) {
      why = std::string("biome could not be started: ") + e.what();
      return std::nullopt;
    }
  }

  RunResult run(const std::vector<Blob>& blobs, const RunOptions& options) const override {
    const auto started = std::chrono::steady_clock::now();
    RunResult result;
    try {
      run_biome(blobs, options, started, result);
    } catch (const std::exception& e) {
      result.files.clear();
      result.problem = std::string("biome could not run: ") + e.what();
    }
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return result;
  }

private:
  // scrub_env, and Biome's cache directory under `scratch` (it creates one at start-up).
  static core::ProcessOptions private_process_options(const fs::path& scratch, std::chrono::milliseconds timeout) {
    core::ProcessOptions process;
    process.scrub_env = true;
    process.env["HOME"] = (scratch / "home").string();
    process.env["XDG_CACHE_HOME"] = (scratch / "home" / ".cache").string();
    process.timeout = timeout;
    return process;
  }

  void run_biome(const std::vector<Blob>& blobs, const RunOptions& options,
                 std::chrono::steady_clock::time_point started, RunResult& result) const {
    const fs::path binary = binary_path(options.tool_dir);
    if (!is_executable_file(binary)) {
      result.problem = not_installed(binary);
      return;
    }
    // 1. The blobs at their repository paths under tree/, with the repository's Biome configuration
    //    files (else ours at the root); the reporter's file beside the tree, never inside it.
    if (options.work_dir.empty()) {
      result.problem = "biome was given no work directory";
      return;
    }
    // Absolute: Biome runs in tree/ and is given these paths.
    const fs::path work_dir = fs::absolute(options.work_dir);
    const fs::path tree = work_dir / "tree";
    const fs::path text_report = work_dir / "biome-default-reporter.txt";
    std::map<std::string, const std::string*> content_of;
    for (const Blob& blob : blobs) {
      if (!handles(blob.path) || !core::is_contained_path(blob.path) || has_control_character(blob.path)) continue;
      if (!content_of.emplace(blob.path, &blob.content).second) continue;
      write_below(tree, blob.path, blob.content);
    }
    if (content_of.empty()) return;
    bool repository_config = false;
    for (const auto& [path, text] : options.config_files) {
      if (!is_biome_config(path) || !core::is_contained_path(path) || has_control_character(path)) continue;
      write_below(tree, path, text);
      repository_config = repository_config || path.find('/') == std::string::npos;
    }
    if (!repository_config) write_below(tree, "biome.json", k_default_config);

    // 2. One run, two reporters: rdjson on stdout, the default one (for applicability) in a file.
    std::vector<std::string> argv = {binary.string(), "lint", "--reporter=rdjson", "--reporter=default",
                                     "--reporter-file=" + text_report.string(), "--colors=off",
                                     "--max-diagnostics=none", "--vcs-enabled=false", "--no-errors-on-unmatched",
                                     "--config-path=" + tree.string(), "--"};
    for (const auto& [path, content] : content_of) argv.push_back(path);
    const auto budget = options.budget.count() > 0 ? options.budget : k_default_budget;
    const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    core::ProcessOptions process =
        private_process_options(work_dir, std::max(budget - spent, std::chrono::milliseconds(1)));
    process.cwd = tree;
    process.max_output = k_max_report;
    const core::ProcessResult ran = core::run_process(argv, process);

    // 3. What the run says.
    if (ran.timed_out) {
      result.timed_out = true;
      result.problem = "biome timed out after " + describe_seconds(budget);
      return;
    }
    if (ran.exit_code >= 128) {
      result.problem = "biome crashed (signal " + std::to_string(ran.exit_code - 128) + ")";
      return;
    }
    if (ran.out.size() >= k_max_report) {
      result.problem = "biome's report was larger than " + core::describe_size(k_max_report);
      return;
    }
    const json report = json::parse(ran.out, nullptr, /*allow_exceptions=*/false);
    const json* diagnostics = member(&report, "diagnostics");
    if (!diagnostics || !diagnostics->is_array()) {
      const std::string refused = first_error_line(ran.err.substr(0, k_max_stderr));
      result.problem = ran.out.find_first_not_of(" \t\r\n") == std::string::npos && !refused.empty()
                           ? "biome refused to run: " + refused
                           : "biome printed output that is not its rdjson report (exit status " +
                                 std::to_string(ran.exit_code) + ")";
      return;
    }
    std::optional<std::string> text;
    try {
      text = core::read_untrusted_file(text_report, k_max_text, work_dir, "biome's default reporter");
    } catch (const std::exception&) {
      text.reset(); // no applicability: every fix is then a suggestion
    }
    read_diagnostics(*diagnostics, text ? read_fix_notes(*text) : FixNotes{}, content_of, result);
  }

  static std::string describe_seconds(std::chrono::milliseconds ms) {
    if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + " s";
    return std::to_string(ms.count()) + " ms";
  }

  static void write_below(const fs::path& root, const std::string& path, std::string_view content) {
    const fs::path target = root / path;
    fs::create_directories(target.parent_path());
    core::write_file_atomic(target, content, std::nullopt, core::Durability::unsynced);
  }

  static void read_diagnostics(const json& diagnostics, FixNotes notes,
                               const std::map<std::string, const std::string*>& content_of, RunResult& result) {
    // The two reporters list the same diagnostics; when their counts differ, the notes cannot be
    // matched with confidence and no fix is trusted beyond a suggestion.
    const auto category_of_diagnostic = [](const json& d) { return string_or_empty(member(member(&d, "code"), "value")); };
    const auto is_lint = [](const std::string& category) { return category.rfind("lint/", 0) == 0; };
    const auto lint_count = static_cast<std::size_t>(std::count_if(
        diagnostics.begin(), diagnostics.end(), [&](const json& d) { return is_lint(category_of_diagnostic(d)); }));
    if (lint_count != notes.lint_headers) notes.by_header.clear();

    std::map<std::string, std::vector<Diagnostic>> by_path;
    for (const json& d : diagnostics) {
      const std::string category = category_of_diagnostic(d);
      if (!is_lint(category)) continue; // parse errors, configuration, internal errors
      const json* location = member(&d, "location");
      const std::string path = normalised(string_or_empty(member(location, "path")));
      const auto content = content_of.find(path);
      const auto range = read_range(member(location, "range"));
      if (content == content_of.end() || !range) continue;
      const std::string& text = *content->second;

      const std::string header = path + ":" + std::to_string(range->start.line) + ":" +
                                 std::to_string(range->start.column) + " " + category;
      std::optional<FixNote> note;
      if (auto queue = notes.by_header.find(header); queue != notes.by_header.end() && !queue->second.empty()) {
        note = queue->second.front();
        queue->second.pop_front();
      }

      Diagnostic diagnostic;
      diagnostic.rule_id = "biome/" + category;
      const size_t group_end = category.find('/', 5);
      diagnostic.category = category_of(std::string_view(category).substr(5, group_end == std::string::npos ? 0 : group_end - 5));
      diagnostic.severity = severity_of(string_or_empty(member(&d, "severity")));
      diagnostic.start_line = range->start.line;
      diagnostic.end_line = std::max(range->end.line, range->start.line);
      diagnostic.start_byte = to_byte(text, range->start);
      diagnostic.end_byte = std::max(diagnostic.start_byte, to_byte(text, range->end));
      diagnostic.message = string_or_empty(member(&d, "message"));
      diagnostic.fix = read_fix(d, text, note);
      by_path[path].push_back(std::move(diagnostic));
    }
    for (auto& [path, list] : by_path) {
      std::stable_sort(list.begin(), list.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return a.start_byte != b.start_byte ? a.start_byte < b.start_byte : a.rule_id < b.rule_id;
      });
      result.files.push_back(FileDiagnostics{path, std::move(list)});
    }
  }
};

} // namespace

std::unique_ptr<Provider> make_biome() { return std::make_unique<BiomeProvider>(); }

} // namespace providers
