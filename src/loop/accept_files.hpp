#pragma once
// The pieces of an accept (loop/review.cpp) that finishing an interrupted one (loop/accept_journal.cpp)
// shares: the journal's state key, its files, temporary files written beside their targets, and git's
// index changed the way git changes it. Internal to those two files.

#include "hookcore/lock.hpp"
#include "loop/context.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loop {

// The accept journal (state key): what an accept is about to do, written before it creates anything
// (temporary files, git's index lock) and before the branch moves, so that whatever a kill leaves
// behind is named in it and is either finished or removed by the next review.
inline constexpr const char* k_accept_journal = "accepting";

// One file of an accept: its versions, the mode its index entry keeps, the permission bits its work-tree
// copy keeps, and the temporary file that holds the new content until the branch has moved.
struct AcceptFile {
  std::string path, old_blob, new_blob;
  unsigned index_mode = 0100644;
  unsigned perms = 0644;
  std::string tmp;
};

// The journal's record of a file.
nlohmann::json to_json(const AcceptFile& f);

// A name for the journal (a path, a branch): JSON text holds only UTF-8, names are the repository's bytes.
// Valid UTF-8 stays a string; anything else becomes {"hex": "<its bytes>"}.
nlohmann::json journal_name(const std::string& name);

// The name `journal_name` wrote under `key` of `j`, or `fallback` when there is none.
std::string journal_name_at(const nlohmann::json& j, const char* key, const std::string& fallback = "");

// 16 random hex digits: names the temporary files of one accept.
std::string random_nonce();

// Creates `path` (which must not exist) holding `content` with permission bits `perms`, synced.
// Throws core::Error; nothing is left behind then.
void create_file(const std::filesystem::path& path, const std::string& content, unsigned perms);

// Removes `path` when it is a regular file (never follows a symlink).
void remove_regular(const std::filesystem::path& path);

// Why `rel` cannot be reached below `root` by its name (a component past NAME_MAX, the path past
// PATH_MAX), or nullopt.
std::optional<std::string> name_beyond_limits(const std::filesystem::path& root, const std::string& rel);

// An entry of git's index: its blob, mode and stage.
struct IndexEntry {
  std::string blob;
  unsigned mode = 0;
  int stage = 0;
};

// `git <args>` in the work tree on the index file `index` (GIT_INDEX_FILE); throws core::Error when git fails.
std::string git_on_index(Context& ctx, const std::filesystem::path& index, std::vector<std::string> args,
                         std::optional<std::string> input = std::nullopt);

// The entries of `paths` in the index file `index`, every stage. Throws core::Error.
std::map<std::string, std::vector<IndexEntry>> index_entries(Context& ctx, const std::filesystem::path& index,
                                                              const std::vector<std::string>& paths);

// The index file's bytes; nullopt when there is none.
std::optional<std::string> read_index(const std::filesystem::path& git_dir);

// The outcome of taking the index lock: held (with the index it will install), or why not.
struct IndexLockResult {
  bool held = false;
  std::string why;
};

// Takes git's index lock as a file holding the index built in `scratch`, and checks that the index is
// still `original` (`sum`: the lock's blob id, for the journal). On failure nothing of ours is left.
IndexLockResult lock_index(const std::filesystem::path& git_dir, const std::filesystem::path& scratch,
                           const std::string& original, const std::string& sum);

// Installs the held lock as the index (git's commit of a lock file). Throws core::Error.
void commit_index_lock(const std::filesystem::path& git_dir);

// Puts `content` at `target` keeping `perms`: the prepared `tmp` renamed over it, else a new temporary
// file beside it. Throws core::Error.
void install_file(const std::filesystem::path& target, const std::string& tmp, const std::string& content,
                  unsigned perms);

// The permission bits of the regular file `path`, or nullopt when it is not one.
std::optional<unsigned> regular_file_perms(const std::filesystem::path& path);

// Where the accept's temporary copy of `target` goes: the loop's own directory when it is on the same
// file system, else beside the target.
std::string temp_path_for(Context& ctx, const std::filesystem::path& target, const std::string& nonce, size_t index);

// Records the verdict of an accept for each of the findings `ids` whose fixes `commit` holds, once each.
// Throws queue::Error.
void record_accept(Context& ctx, const std::vector<int64_t>& ids, const std::string& commit, const std::string& branch,
                   int lines, double risk, bool bulk);

// Removes what an accept that never moved the branch left (its temporary files, scratch index, own lock).
void discard_accept(const nlohmann::json& journal);

// finish_interrupted_accept with the accept lock held. Throws queue::Error.
std::optional<std::string> finish_accept_locked(Context& ctx, bool write_files);

// One accept (or its finishing) at a time, in every work tree of the repository: they share the journal.
std::optional<hookcore::FileLock> accept_lock(Context& ctx, std::chrono::milliseconds wait);

} // namespace loop
