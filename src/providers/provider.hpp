#pragma once
// Providers: the field's own analyzers (ruff, Biome, clang-tidy) as sources of findings and fixes
// (docs/ARCHITECTURE.md §9). A provider runs its tool on blobs materialised in a private directory
// (never the user's tree), reads the tool's machine output, and hands back diagnostics in one shape:
// a rule id under the provider's name, one of the seed's four categories, a byte range and, when the
// tool offers one, a fix as byte edits with the tool's own applicability.
//
// What a provider may not do: run anything the repository names (its tool is ours, pinned and
// installed by install.sh), write outside its work directory, read without bound, or throw on a
// tool that is missing, crashes, hangs or prints garbage: each of those is a RunResult with `problem`
// set and the diagnostics it could read, so a hook is never harmed.
//
// Depends on core/ only; the loop (worker, drain) turns diagnostics into queue rows and fixes.

#include "core/kinds.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace providers {

// One replacement in a file's content: bytes [start, end) become `text`.
struct Edit {
  uint32_t start_byte = 0, end_byte = 0;
  std::string text;
};

// A tool's fix for one diagnostic, as edits of the content the tool was given (non-overlapping,
// in any order), with the tool's applicability: safe (ruff "safe", clang-tidy fix-its of the
// modernize/readability checks we list as such, Biome "safe"), unsafe, or suggest (display only).
struct Fix {
  core::Safety applicability = core::Safety::suggest;
  std::vector<Edit> edits;
  std::string message;                 // the tool's description of the fix, when it has one
};

// One diagnostic of one file.
struct Diagnostic {
  std::string rule_id;                 // "ruff/B006", "biome/lint/style/useConst", "clang-tidy/modernize-use-nullptr"
  core::Category category = core::Category::code_quality;
  std::string severity;                // "low", "medium", "high" (the seed's severities)
  int start_line = 0, end_line = 0;    // 1-based, inclusive
  uint32_t start_byte = 0, end_byte = 0;
  std::string message;
  std::optional<Fix> fix;
};

// A file to analyse: its path in the repository (relative, already confined) and its content.
struct Blob {
  std::string path;
  std::string content;
};

// What the provider may use besides the blobs.
struct RunOptions {
  std::filesystem::path work_dir;      // private, empty, removed by the caller afterwards
  std::chrono::milliseconds budget{0}; // the whole run's time limit (0: the provider's default)
  // The repository's own configuration files the tool honours (ruff.toml, pyproject.toml, biome.json,
  // .clang-tidy, compile_commands.json), by repository path, read with a size bound by the caller from
  // the same commit as the blobs. The provider writes the ones it uses next to the blobs.
  std::map<std::string, std::string> config_files;
  // Where the pinned tools are (install.sh puts them under the tool directory; tests may point a
  // provider at a stand-in, e.g. a tool that crashes).
  std::filesystem::path tool_dir;
};

struct FileDiagnostics {
  std::string path;
  std::vector<Diagnostic> diagnostics;
};

struct RunResult {
  std::vector<FileDiagnostics> files;  // only files with diagnostics
  std::string problem;                 // empty when the tool ran and its output was read; else a short
                                       // reason for status/doctor ("ruff is not installed", "biome timed
                                       // out after 20 s", "clang-tidy printed output that is not YAML")
  bool timed_out = false;
  std::chrono::milliseconds elapsed{0};
};

class Provider {
public:
  virtual ~Provider() = default;
  // "ruff", "biome", "clang-tidy": the rule id prefix and the name in `providers:`.
  virtual std::string name() const = 0;
  // Whether the provider analyses this repository path (by extension).
  virtual bool handles(const std::string& path) const = 0;
  // The tool's version ("ruff 0.x.y") when it is installed, else nullopt with `why` set ("run
  // install.sh --provider ruff"). Cheap enough for doctor and status; does not throw.
  virtual std::optional<std::string> version(const RunOptions& options, std::string& why) const = 0;
  // Runs the tool on `blobs` (all handled by this provider). Does not throw.
  virtual RunResult run(const std::vector<Blob>& blobs, const RunOptions& options) const = 0;
};

// The built-in providers by name; nullptr for a name that is not one.
std::unique_ptr<Provider> make_provider(const std::string& name);
// Their names, for config validation and did-you-mean.
const std::vector<std::string>& provider_names();

// Applies `fix` to `content`; nullopt when an edit lies outside the content or two edits overlap.
std::optional<std::string> apply_fix(const std::string& content, const Fix& fix);

// Byte offset of the start of 1-based `line`, column `column` counted in `unit`s (tools report
// columns in UTF-8 bytes, UTF-16 code units or Unicode scalar values); clamped to the line's end.
enum class ColumnUnit { byte, utf16, code_point };
uint32_t byte_offset(const std::string& content, int line, int column, ColumnUnit unit, bool one_based_column);

} // namespace providers
