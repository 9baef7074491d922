#pragma once
// Scan results shared through git: the result of each blob under a rule set (the blob cache's rows,
// queue/scans.hpp) exported to and imported from a notes ref, refs/notes/autoloop by default, so CI
// (`ci --base`) and teammates reuse each other's scans through their normal fetch and push.
//
// Policy:
//  1. One note per blob, on the blob itself (notes may annotate any object). A result depends only on
//     the blob's content and the rule set, so the blob is the natural key: a note per commit would
//     repeat a blob's result in every commit that carries it, and `ci --base` compares two trees, not
//     commits, so it would not know which commit's note holds the version it needs. A note per blob is
//     one tree lookup away, and a blob's note never changes once written (but for other rule sets).
//  2. A note is text, one line per rule set: "autoloop-scan 1 <rule-set hash> <result JSON>" (version 1;
//     the JSON is the blob cache's payload, which carries its own version). Lines stand alone, so
//     `git notes merge -s cat_sort_uniq` merges two machines' notes on one blob. At most
//     k_max_note_lines lines; the writer's own rule set first.
//  3. A fetched note is hostile input: a note larger than k_max_note_bytes is not read; an import reads at
//     most k_max_import_notes notes and k_max_import_bytes in total; a line is parsed strictly (prefix,
//     version, hash, the result's shape, each byte and line range inside the blob, every rule one of
//     ours) or dropped; a result under another rule set is ignored; nothing in a note is executed. A
//     result is taken only for a blob the repository has.
//  4. Export writes one commit on a ref under refs/notes/ (never refs/notes/commits, git's own), over
//     notes that are git-autoloop's only: a note with a line of any other shape is someone else's, and
//     the export stops before writing anything. The ref moves compare-and-swap; no other ref, the index,
//     the work tree or HEAD is touched.
//
// Whoever can push the notes ref can make `ci` believe a blob has no findings: protect it like a branch,
// or set ci.import_notes to false where a run gates a merge.

#include "core/config.hpp"
#include "git/notes.hpp"
#include "git/repo.hpp"
#include "loop/ci.hpp"
#include "scan/engine.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loop {

class Context;

inline constexpr const char* k_notes_ref = "refs/notes/autoloop";
inline constexpr int k_notes_format = 1;
inline constexpr size_t k_max_note_bytes = 1u << 20;
inline constexpr size_t k_max_note_lines = 8;
inline constexpr size_t k_max_import_bytes = 256u << 20;
inline constexpr size_t k_max_import_notes = 1000000;

// One line of a note: a blob's result under one rule set.
struct NoteLine {
  std::string ruleset;
  std::string payload;   // scan::to_payload's JSON, on one line
};

// The text of a note holding `lines`, one per line. Does not throw.
std::string format_note(const std::vector<NoteLine>& lines);

// What a note's text holds: the well-formed lines of this format's version, and counts of the rest.
struct ParsedNote {
  std::vector<NoteLine> lines;
  int other_version = 0;   // "autoloop-scan <n> ..." with n not ours: a newer writer's
  int malformed = 0;       // our prefix, but not a line this version writes
  int foreign = 0;         // anything else: not git-autoloop's
  bool too_large = false;  // over k_max_note_bytes: nothing was read
};
// Parses a note strictly (policy 3). Lines past k_max_note_lines count as malformed. Does not throw.
ParsedNote parse_note(std::string_view text);

// The note to write on a blob whose note is `existing` ("" for none) so that it holds `ours`: our line
// first, then the other rule sets' lines it had (and other versions'), up to k_max_note_lines. nullopt
// when `existing` is not git-autoloop's (a foreign line). Does not throw.
std::optional<std::string> note_with(std::string_view existing, const NoteLine& ours);

// Checks a result read from a note before anything uses it: strict shape (scan::from_payload), not timed
// out, every finding's rule one of the engine's, byte ranges within the blob's `blob_size` bytes and lines
// within its possible lines.
class ResultCheck {
public:
  explicit ResultCheck(const scan::Engine& engine);
  // The result, or nullopt when `payload` fails a check. Does not throw.
  std::optional<scan::FileResult> operator()(const std::string& payload, size_t blob_size) const;

private:
  std::set<std::string> m_rules;
};

// The full notes ref `given` names: "" for k_notes_ref, a short name under refs/notes/ (as `git notes
// --ref` takes it), or a full name. Throws core::Error when it is not a valid ref under refs/notes/, or is
// refs/notes/commits (the notes `git log` shows: the user's).
std::string notes_ref(const std::string& given);

// What an export did.
struct NotesExport {
  std::string ref;
  int written = 0;      // notes set or updated
  int unchanged = 0;    // already held the same result
  int skipped = 0;      // timed out, unreadable, too large for a note, or not a blob of this repository
};

// Writes each (blob, payload) result under `ruleset` as the blob's note on `ref` (policies 2 and 4), in one
// commit by `who`. Throws core::Error when the ref holds a note that is not git-autoloop's or moved
// meanwhile, git::Error on repository errors.
NotesExport export_results(const git::Repository& repo, const std::string& ref, const std::string& ruleset,
                           const std::map<std::string, std::string>& payloads, const git::Signature& who);

// `git autoloop notes export`: every result the blob cache holds under the current rule set, written to
// `ref`. Throws as export_results, queue::Error.
NotesExport export_notes(Context& ctx, const std::string& ref);

// What an import did.
struct NotesImport {
  std::string ref;
  bool found = true;       // false: the ref does not exist
  int imported = 0;        // results added to the blob cache
  int known = 0;           // already cached
  int other_ruleset = 0;   // notes without a result for our rule set
  int missing = 0;         // notes on objects this repository does not have
  int rejected = 0;        // too large, malformed, or failing ResultCheck
  std::string stopped;     // why the import stopped early ("" when it read every note)
};

// `git autoloop notes import`: the results of `ref`'s notes for the current rule set, checked (policy 3),
// added to the blob cache so that scans of those blobs parse nothing. Throws git::Error, queue::Error.
NotesImport import_notes(Context& ctx, const std::string& ref);

// The signature of a notes commit: the user's (as git would commit), else identity.name/email.
git::Signature notes_signature(const git::Repository& repo, const core::Config& config);

// `ci`'s cache over a notes ref: results read on demand for the blobs of the range (nothing is stored),
// and, when `collect`, the results the run parsed, for export_results afterwards.
class NotesCache : public ResultCache {
public:
  // nullopt when `ref` does not exist. Throws git::Error.
  static std::optional<NotesCache> open(const git::Repository& repo, const scan::Engine& engine,
                                        const std::string& ref, bool collect);
  // A cache reading nothing (no ref yet) that only collects.
  NotesCache(const git::Repository& repo, const scan::Engine& engine);

  std::optional<scan::FileResult> find(const std::string& blob, const scan::LanguageProfile& language,
                                       std::string_view content) override;
  void parsed(const std::string& blob, const scan::FileResult& result) override;

  int reused() const { return m_reused; }
  int rejected() const { return m_rejected; }
  // blob -> payload of what the run parsed (when collecting).
  const std::map<std::string, std::string>& collected() const { return m_collected; }

private:
  const git::Repository& m_repo;
  const scan::Engine& m_engine;
  ResultCheck m_check;
  std::optional<git::Notes> m_notes;
  bool m_collect = true;
  int m_reused = 0, m_rejected = 0;
  std::map<std::string, std::string> m_collected;
};

} // namespace loop
