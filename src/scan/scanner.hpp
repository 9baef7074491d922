#pragma once
// The incremental scan: the files a commit changed, read from the object database (never the work
// tree), matched by the engine (cached by blob id and rule set), written to the queue in one
// transaction per commit with hold-the-line "new" flags, vanished findings resolved, metrics kept.

#include "core/config.hpp"
#include "core/log.hpp"
#include "git/repo.hpp"
#include "queue/store.hpp"
#include "scan/engine.hpp"
#include "scan/code_context.hpp"
#include "scan/lineage.hpp"
#include "scan/provenance.hpp"
#include "scan/repo_language.hpp"

#include <map>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace scan {

// The rule id of the suggest-only opportunities a complexity regression creates (no rule file: the
// scanner makes them from the metrics).
inline constexpr const char* k_regression_rule = "autoloop/complexity-regression";

struct ScanStats {
  int commits = 0;          // commits scanned (already-scanned ones skipped)
  int files = 0;            // files matched
  int cached = 0;           // of which served from the blob cache
  int skipped = 0;          // binary, oversized, excluded, vendored, generated, unsupported language
  int vendored = 0;         // of which vendored or generated code (scan/provenance.hpp)
  std::map<std::string, int> provenance;   // ... by reason
  int context_skipped = 0;  // findings not reported in their context (scan/code_context.hpp)
  std::map<std::string, int> contexts;     // ... by "<rule> in <context>"
  uint64_t bytes = 0;
  int findings = 0;         // findings seen in the scanned files
  int inserted = 0;         // new queue rows
  int reopened = 0;
  int resolved = 0;
  double parse_ms = 0;      // time inside the engine (all threads)
  int regressions = 0;      // functions whose complexity a commit raised past the limits (metrics.*)
  int improvements = 0;     // ... and lowered
  // One line per regression or batch of new security findings, for the next hook to show.
  std::vector<std::string> notices;
};

// Why a file is not scanned, or nullopt when it is eligible.
std::optional<std::string> skip_reason(const core::Config& config, const std::string& path, size_t size);
// Same, for content already read: "binary", or "generated"/"minified" (classify_content's checks).
std::optional<std::string> content_skip_reason(std::string_view content);

// The state key holding the files the last scans skipped as vendored or generated: a JSON object from
// path to reason (status reads it).
inline constexpr const char* k_provenance_state = "scan.provenance_skipped";
// Files remembered there at most.
inline constexpr size_t k_max_provenance_paths = 20000;

// "3 files skipped as vendored or generated (vendored: third_party/ directory: 2; generated: doxygen
// output: 1)", or "" when none was, for scan and status.
std::string provenance_summary(const std::map<std::string, int>& by_reason);
// The skipped files the store remembers (k_provenance_state), counted by reason.
std::map<std::string, int> saved_provenance(const queue::Store& store);

// The state key holding the findings the last scans did not report for their context: a JSON object
// from path to {"<rule> in <context>": count} (status reads it).
inline constexpr const char* k_context_state = "scan.context_skipped";

// "3 findings not reported in their context (python/assert-for-validation in tests: 2; javascript/console-log
// in examples: 1)", or "" when none was, for scan and status.
std::string context_summary(const std::map<std::string, int>& by_rule_and_context);
// The findings the store remembers as skipped for context (k_context_state), counted by rule and context.
std::map<std::string, int> saved_contexts(const queue::Store& store);

// Vendored and generated files of one repository (scan/provenance.hpp) under its configuration:
// the root .gitattributes read per commit (cached by blob id), tree lookups for the directory checks.
class RepoProvenance {
public:
  RepoProvenance(const git::Repository& repo, const core::Config& config, core::Logger& log)
      : m_repo(repo), m_config(config), m_log(log) {}
  // Why `path` at `commit` is vendored or generated, nullopt when it is the project's own:
  // by its path when `content` is null, else by its text. Throws git::Error on repository errors.
  std::optional<Provenance> of(const std::string& commit, const std::string& path, const std::string* content);

private:
  const Attributes& attributes_of(const std::string& commit);
  const git::Repository& m_repo;
  const core::Config& m_config;
  core::Logger& m_log;
  std::string m_attributes_commit, m_attributes_blob;
  Attributes m_attributes;
};

class CommitScanner {
public:
  CommitScanner(const git::Repository& repo, queue::Store& store, const Engine& engine, const core::Config& config,
                core::Logger& log);

  // Scans each commit against its first parent (the root commit against the empty tree), in order.
  // Commits already scanned are skipped unless `force`. Throws on repository or database errors.
  ScanStats scan_commits(const std::vector<std::string>& commits, bool force = false,
                         std::vector<Located>* out = nullptr);

  // Called after each batch of a whole-tree scan with the files done so far and the tree's total.
  using Progress = std::function<void(size_t done, size_t total)>;

  // Scans every file of `commit` (scan --all). Findings not on lines of the commit are pre-existing.
  ScanStats scan_all(const std::string& commit, std::vector<Located>* out = nullptr, const Progress& progress = {});

private:
  struct FileJob;
  // A file to match, read from the object database; nullopt (counted as skipped) when it is not eligible.
  std::optional<FileJob> make_job(const std::string& commit, const std::string& path, const std::string& blob, unsigned mode, ScanStats& stats);
  void scan_files(const std::string& commit, std::vector<FileJob>& jobs, ScanStats& stats);
  void write(const std::string& commit, std::vector<FileJob>& jobs, const std::vector<std::string>& deleted,
             ScanStats& stats, std::vector<Located>* out);
  bool referenced_by_tests(const std::string& commit, const std::string& name);
  // A commit that reverts an accepted fix records the revert (a verdict against the rule).
  void record_reverts(const std::string& commit);
  // The functions measured in a blob: from the blob cache, else parsed now (and cached).
  std::optional<std::vector<FunctionMetric>> functions_of(const std::string& blob, const LanguageProfile& language);
  // Compares a modified file's functions with its previous version: records regressions (each also a
  // suggest-only opportunity, whose fingerprint joins `present`) and improvements.
  void record_complexity(const std::string& commit, const FileJob& job, std::vector<std::string>& present,
                         ScanStats& stats);

  // Whether another line of history still has a finding this commit no longer has (made on first use).
  bool alive_elsewhere(int64_t id);

  const git::Repository& m_repo;
  queue::Store& m_store;
  const Engine& m_engine;
  const core::Config& m_config;
  core::Logger& m_log;
  std::map<std::string, const Rule*> m_rules_by_id;
  // Identifiers in test files, per commit and per test blob (a rebase reuses them).
  std::string m_tests_commit;
  std::optional<std::unordered_set<std::string>> m_test_words;
  std::map<std::string, std::unordered_set<std::string>> m_words_by_blob;
  std::unique_ptr<Lineage> m_lineage;
  RepoLanguages m_languages;   // C or C++ for ".h" headers, per commit
  RepoProvenance m_provenance;
  // Paths skipped as vendored/generated (reason) or scanned/deleted (nullopt) since the last save.
  std::map<std::string, std::optional<std::string>> m_provenance_seen;
  // Writes m_provenance_seen into the store's state (`replace`: it is the whole tree's).
  void save_provenance(bool replace);
  // The contexts of a file of `commit` by its path (conftest.py lookups cached per commit).
  FileContexts contexts_of(const std::string& commit, const std::string& path);
  std::string m_conftest_commit;
  std::map<std::string, bool> m_conftest_dirs;
  // Findings skipped for context per path ("<rule> in <context>" -> count; empty: none) since the last save.
  std::map<std::string, std::map<std::string, int>> m_context_seen;
  void save_contexts(bool replace);
  // The cached results of the current batch's previous versions (modified files' old blobs), fetched
  // with the batch's own in one query: record_complexity reads them.
  std::map<std::string, std::string> m_old_payloads;
};

// Serialises a FileResult for the blob cache, and back. nullopt when the payload is unreadable.
std::string to_payload(const FileResult& result);
std::optional<FileResult> from_payload(const std::string& payload);

} // namespace scan
