#pragma once
// `git autoloop ci`: the findings a range of commits introduced, for a pull request's checks. Reads
// both ends from the object database (never the work tree), uses no queue and writes nothing.
//
// Policy (what "introduced" means):
//  1. Only files the range adds or modifies are looked at (base's tree against head's, not commit by
//     commit, so a change made and undone inside the range is no change).
//  2. A finding at head is introduced when its fingerprint (rule, path, normalised code and its
//     ancestry) is absent from the same file at base. An added file whose content or findings come
//     from a file the range deleted (a move or rename) introduces only what the old file lacked.
//  3. Hold the line: an introduced finding must lie on lines the range changed, unless the range
//     raised the number of that rule's findings in the file (a duplicate of existing code lands on
//     the older copy's fingerprint). Renaming a function thus reports nothing inside it.

#include "core/config.hpp"
#include "git/repo.hpp"
#include "scan/engine.hpp"
#include "scan/scanner.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loop {

// What scan_range() found.
struct RangeReport {
  std::string base, head;              // full commit ids
  int files_changed = 0;               // added or modified files in the range
  int files_scanned = 0;               // of which scanned (supported, enabled, not excluded, not binary, ...)
  int versions_parsed = 0;             // file versions (head, base, moved-from) the engine parsed
  int versions_reused = 0;             // ... and those whose result came from the ResultCache
  std::vector<scan::Located> introduced; // sorted by path, then line; is_new set, id 0, status "new"
};

// Results kept between runs and machines (the notes ref, loop/notes.hpp): scan_range asks it before
// parsing a file version and tells it each result it parsed.
class ResultCache {
public:
  virtual ~ResultCache() = default;
  // The engine's result for `blob` (whose content is `content`) in `language`, or nullopt.
  virtual std::optional<scan::FileResult> find(const std::string& blob, const scan::LanguageProfile& language,
                                               std::string_view content) = 0;
  // A result the engine just computed for `blob`.
  virtual void parsed(const std::string& blob, const scan::FileResult& result) = 0;
};

// Scans the files changed between `base` and `head` (commit ids) with `engine` and returns the findings
// the range introduced (policy above); a version `cache` knows is not parsed. Throws git::Error when an
// object is missing (a shallow clone), core::LocatedError when a rule's query is bad.
RangeReport scan_range(const git::Repository& repo, const scan::Engine& engine, const core::Config& config,
                       const std::string& base, const std::string& head, ResultCache* cache = nullptr);

// Whether a finding of `category` and `severity` matches an entry of ci.block_on: a category by its
// name or short name (security = security_fixes, performance, quality, coverage), or a severity that
// stands for itself and worse (warning matches warning and error). Does not throw.
bool blocks(const std::vector<std::string>& block_on, core::Category category, const std::string& severity);

// The findings of `report` that match `block_on`.
std::vector<const scan::Located*> blocking(const RangeReport& report, const std::vector<std::string>& block_on);

// A Markdown summary (for $GITHUB_STEP_SUMMARY or a pull-request comment): a headline, a table of the
// new findings by category and severity, then each one with path:line, rule and message; findings
// that fail the run are marked. Does not throw.
std::string format_markdown(const RangeReport& report, const std::vector<std::string>& block_on);

} // namespace loop
