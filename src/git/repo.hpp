#pragma once
// The only code that includes git2.h. RAII handles, one checked-call helper, and the few
// repository operations the loop needs (read-only here: the scan never writes).

#include "core/error.hpp"

#include <filesystem>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct git_repository;
struct git_oid;

namespace git {

// A libgit2 failure: keeps libgit2's error code (GIT_ENOTFOUND, ...) and message.
class Error : public core::CodedError {
public:
  using core::CodedError::CodedError;
};

// Throws git::Error when `rc` < 0, with libgit2's last message (which may be absent on 1.5).
void check(int rc, const char* what);

// A changed file between two trees.
struct Change {
  enum class Kind { added, modified, deleted };
  Kind kind;
  std::string path;     // path at the new side (old side for deleted)
  std::string old_blob; // hex, empty when added
  std::string new_blob; // hex, empty when deleted
  unsigned mode = 0;    // new-side file mode (old for deleted)
};

// A file in a tree.
struct Entry {
  std::string path;
  std::string blob;
  unsigned mode = 0;
};

// Author or committer of a commit.
struct Signature {
  std::string name;
  std::string email;
};

// A commit's metadata.
struct CommitInfo {
  std::string id;
  std::string tree;
  std::vector<std::string> parents;
  std::string message;
  Signature author;
  int64_t time = 0;
};

// Line numbers (1-based, new side) that differ between two versions of a text.
std::vector<std::pair<int, int>> changed_line_ranges(const std::string& old_text, const std::string& new_text);

// One hunk of a line diff without context lines, numbered as git numbers them (1-based): a side with no
// lines (a pure insertion or deletion) starts at the line before the hunk, 0 at the top of the file.
struct LineHunk {
  int old_start = 0, old_lines = 0;
  int new_start = 0, new_lines = 0;
  bool operator==(const LineHunk& o) const {
    return old_start == o.old_start && old_lines == o.old_lines && new_start == o.new_start && new_lines == o.new_lines;
  }
};

// The hunks of a line diff from `old_text` to `new_text`, in order. Both are diffed as text even when
// they hold NUL bytes (where changed_line_ranges would see binary and report nothing).
std::vector<LineHunk> line_hunks(const std::string& old_text, const std::string& new_text);

// Lines added and deleted between two versions of a text (a line diff, as `git diff --numstat`).
struct LineStats {
  int added = 0;
  int deleted = 0;
  int changed() const { return added + deleted; }
};
LineStats line_stats(const std::string& old_text, const std::string& new_text);

// A unified diff of one file between two texts, for people (review). `path` names both sides.
std::string unified_diff(const std::string& path, const std::string& old_text, const std::string& new_text);

// A three-way line merge (libgit2's git_merge_file): `ours` with the change base → theirs applied;
// nullopt when they conflict.
std::optional<std::string> merge_texts(const std::string& base, const std::string& ours, const std::string& theirs);

// How a conflicted line merge is written (git's merge.conflictStyle).
enum class ConflictStyle { merge, diff3, zdiff3 };

// Labels and markers of a line merge's conflicts, as `git merge-file -L ours -L base -L theirs`.
struct MergeFileOptions {
  ConflictStyle style = ConflictStyle::merge;
  int marker_size = 7;
  std::string our_label = "ours";
  std::string base_label = "base";
  std::string their_label = "theirs";
};

// A line merge's outcome: the text (with conflict markers when not clean).
struct MergeFileResult {
  bool clean = false;
  std::string text;
};

// A three-way line merge (libgit2's git_merge_file, git's xdiff): the output `git merge-file -p`
// gives for the same options. Throws git::Error when libgit2 fails (e.g. out of memory).
MergeFileResult merge_file(const std::string& base, const std::string& ours, const std::string& theirs,
                           const MergeFileOptions& options);

// A conflicted path of the index: its stages 1 (base), 2 (ours) and 3 (theirs); a side is absent
// when that version of the file does not exist (added or deleted on one side).
struct ConflictEntry {
  std::string path;
  std::optional<Entry> base, ours, theirs;
};

// The blob id of `content` (what `git hash-object` prints), without writing it.
std::string hash_blob(const std::string& content);

// The normalised form of the full ref name `name` (libgit2's git_reference_normalize_name, git's
// check-ref-format rules), or nullopt when those rules refuse it. Does not throw.
std::optional<std::string> normalize_ref_name(const std::string& name);

// Initialises libgit2 once per process (it costs 6-10 ms: never on a hook's fast path).
void init_library();

class Repository {
public:
  // Opens the repository at `path` (a work tree or a git dir). Throws git::Error.
  static Repository open(const std::filesystem::path& path);

  Repository(Repository&&) noexcept = default;
  Repository& operator=(Repository&&) noexcept = default;
  ~Repository();

  std::filesystem::path git_dir() const;                    // per-worktree git dir
  std::filesystem::path common_dir() const;                 // shared git dir (data lives here)
  std::optional<std::filesystem::path> work_tree() const;   // nullopt when bare
  bool is_bare() const;

  // Resolves a revision ("HEAD", "main~2", a sha) to a commit id; nullopt when it does not exist.
  std::optional<std::string> resolve_commit(const std::string& rev) const;
  // The current branch's short name (nullopt when detached or unborn).
  std::optional<std::string> current_branch() const;
  // Parent ids of a commit. Throws git::Error when the commit is missing.
  std::vector<std::string> parents(const std::string& commit) const;
  // Commits reachable from `to` but not from `from` (all of `to`'s history when `from` is empty),
  // oldest first, at most `limit`.
  std::vector<std::string> commit_range(const std::string& from, const std::string& to, size_t limit = 100000) const;
  // Commits reachable from `to` but from no remote-tracking branch, oldest first, at most `limit`.
  std::vector<std::string> commits_not_on_remotes(const std::string& to, size_t limit = 100000) const;
  // Whether `commit` is HEAD or an ancestor of HEAD or of a local branch (false for commits an aborted
  // rebase left behind).
  bool is_reachable(const std::string& commit) const;
  // Which of `targets` are `tip` or its ancestors, in the order a walk back from `tip` by commit date meets
  // them (newest first; on equal dates the one reached first), stopping after `stop_after` of them. The walk
  // ends once every target is met, or a day past the oldest target's date (a parent is not newer than its
  // child, but for clock skew); a history cut short (shallow clone, missing objects) ends it too. Targets
  // that are not commits of this repository are never met.
  std::vector<std::string> ancestors_among(const std::string& tip, const std::vector<std::string>& targets,
                                           size_t stop_after = SIZE_MAX) const;
  // Commits reachable from `tip`, newest first by commit date (a child before its parents on equal dates),
  // not going past `hide` (the previous tip of a walk: it and what lies behind it through it are left out),
  // leaving out those `skip` accepts; the walk ends at commits dated before `since` (unix seconds), after
  // `limit` commits kept or `max_visit` looked at. `complete` is false when a limit ended it.
  struct CommitWalk {
    std::vector<std::string> commits;
    bool complete = true;
  };
  CommitWalk commits_since(const std::string& tip, const std::string& hide, int64_t since,
                           const std::function<bool(const std::string&)>& skip, size_t limit, size_t max_visit) const;
  // Whether the object exists in the object database.
  bool has_object(const std::string& id) const;

  // Files that differ between the trees of two commits (`from` empty = the empty tree). Skips
  // subtrees whose ids are equal, so unchanged directories cost nothing. Blobs and symlinks only.
  std::vector<Change> diff_commits(const std::string& from, const std::string& to) const;
  // Every blob in a commit's tree.
  std::vector<Entry> list_files(const std::string& commit) const;
  // Blob id of `path` at `commit`, or nullopt.
  std::optional<Entry> entry_at(const std::string& commit, const std::string& path) const;
  // Content of a blob. Throws git::Error when missing.
  std::string read_blob(const std::string& blob) const;
  // Size of a blob without loading it (it may still be read from a pack).
  size_t blob_size(const std::string& blob) const;

  // --- writing objects (the drain builds fix commits in memory; never the work tree or index) ---

  // Stores `content` as a blob; returns its id.
  std::string write_blob(const std::string& content) const;
  // The tree of `commit` with `path` set to `blob` (mode kept by the caller); returns the new tree id.
  std::string tree_with_file(const std::string& commit, const std::string& path, const std::string& blob,
                             unsigned mode) const;
  // The tree of `commit` with each of `files` set (path, blob, mode); returns the new tree id.
  std::string tree_with_files(const std::string& commit, const std::vector<Entry>& files) const;
  // Creates a commit object (no ref moves); returns its id.
  std::string create_commit(const std::string& tree, const std::vector<std::string>& parents,
                            const Signature& author, const Signature& committer, const std::string& message) const;
  // The user's identity from git config (user.name/user.email), as git would commit with it.
  Signature default_signature() const;
  // Metadata of a commit. Throws git::Error when missing.
  CommitInfo commit_info(const std::string& commit) const;
  // The id a ref points to, or nullopt when it does not exist.
  std::optional<std::string> read_ref(const std::string& name) const;
  // Moves (or creates) `name` to `id` only if it still points at `expected` (empty: must not exist).
  // Returns false when someone else moved it. Throws git::Error otherwise.
  bool update_ref(const std::string& name, const std::string& id, const std::string& expected,
                  const std::string& log_message) const;
  // Deletes `name` if it points at `expected`; false when it moved. Missing is success.
  bool delete_ref(const std::string& name, const std::string& expected) const;
  // The message of the oldest entry of `name`'s reflog (who created the ref), or nullopt when the ref
  // has no reflog (bare repositories by default, core.logAllRefUpdates=false). Throws git::Error.
  std::optional<std::string> first_reflog_message(const std::string& name) const;
  // Full names of refs under a prefix ("refs/heads/autoloop/").
  std::vector<std::string> list_refs(const std::string& prefix) const;

  // --- the index (only `git autoloop resolve` writes it) ---

  // Every conflicted path of the index (re-read from disk), sorted by path.
  std::vector<ConflictEntry> index_conflicts() const;
  // Resolves `path` in the index: its conflict stages are removed and `blob` (mode `mode`) staged at
  // stage 0, written under the index lock. Throws git::Error (e.g. the index is locked by git).
  void stage_resolved(const std::string& path, const std::string& blob, unsigned mode) const;

  git_repository* raw() const { return m_repo.get(); }

private:
  struct Free {
    void operator()(git_repository* r) const;
  };
  explicit Repository(git_repository* repo) : m_repo(repo) {}
  std::unique_ptr<git_repository, Free> m_repo;
};

} // namespace git
