#pragma once
// `git autoloop resolve`: re-merges the files a merge left conflicted with the syntax-aware merge
// (merge.hpp), for conflicts left by tools that ignore merge drivers. A file edited since the conflict is
// the user's: it is never merged over unless asked (`force`).

#include "git/repo.hpp"
#include "merge/merge.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace merge {

// What resolve_conflicts did with one file.
struct Resolution {
  enum class Outcome {
    resolved, // merged cleanly: written to the work tree and staged
    conflict, // merged with conflicts: written with its markers, still unmerged in the index
    skipped,  // left as it was: `why`
  };
  std::string path;
  Outcome outcome = Outcome::skipped;
  Method method = Method::line; // resolved: how
  std::string why;              // skipped: the reason, for the user
};

// Re-merges the conflicted files of `repo`'s index (`work_tree` its work tree) named in `paths`
// (repository-relative), or, when `paths` is empty, every conflicted file of a supported language.
// Skipped, with the reason: a path of `paths` that is not conflicted (these come first), a file added or
// deleted on one side, one that is not a regular file on both sides, and, without `force`, one whose
// work-tree copy is not as the merge left it (a hand edit). The others follow in the index's order.
// `on_file`, when given, hears of each file as soon as it is done (a later file may still throw).
// Throws git::Error (the index locked by git) or core::Error (a write failed) on the file concerned.
std::vector<Resolution> resolve_conflicts(const git::Repository& repo, const std::filesystem::path& work_tree,
                                          const std::vector<std::string>& paths, const Options& options, bool force,
                                          const std::function<void(const Resolution&)>& on_file = {});

} // namespace merge
