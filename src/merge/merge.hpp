#pragma once
// The merge driver's engine: a three-way merge of one file's contents, cheapest step first
// (mergiraf's cascade; never worse than git):
//  1. git's line merge (libgit2's git_merge_file); clean → done.
//  2. for a supported language, a structured merge: declarations matched by kind and name, each side's
//     changes to different declarations taken, both sides' additions kept, import lists merged as sets,
//     a declaration both sides changed line-merged alone (its conflict covers that declaration only);
//  3. the structured result is verified: it re-parses with no more errors than the sides had and
//     declares nothing twice;
//     a conflicted structured result is used only when its conflicts are smaller than git's;
//  4. otherwise git's own conflict output for the whole file, byte for byte what
//     `git merge-file -p -L ours -L base -L theirs [--diff3|--zdiff3] --marker-size=N` prints.
// Big or odd inputs (over the size limit, NUL bytes, invalid UTF-8, mixed line endings), parse
// timeouts and any failure of step 2 go to step 4.

#include "git/repo.hpp"
#include "scan/language.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace merge {

struct Options {
  git::MergeFileOptions line;        // conflict style, marker size, labels
  bool structured = true;            // false: git's line merge only
  size_t max_size = 1 << 20;         // larger inputs skip the structured step
  uint32_t parse_timeout_ms = 1000;  // per parse
};

// How a result was made.
enum class Method { line, structured, fallback };

struct Result {
  bool clean = false;
  std::string text;
  Method method = Method::line;
  std::string note;                  // why the structured step did not apply (for logs and tests)
};

// Merges `ours` and `theirs` from `base`; `language` null means text only (steps 1 and 4).
// Throws git::Error only when libgit2's line merge itself fails.
Result three_way(const std::string& base, const std::string& ours, const std::string& theirs,
                 const scan::LanguageProfile* language, const Options& options);

// Whether the environment turns the structured step off (AUTOLOOP_MERGE=0).
bool structured_disabled_by_environment();

// Why `text` must not be merged structurally (NUL byte, invalid UTF-8, mixed line endings, too
// big), or an empty string when it may be.
std::string unsuitable(const std::string& text, size_t max_size);

const char* method_name(Method method);

// The conflicts in a merged text: how many hunks, and how many non-blank lines they hold (markers
// excluded).
struct ConflictSize {
  int hunks = 0;
  int lines = 0;
};
ConflictSize conflict_size(const std::string& text, int marker_size);

} // namespace merge
