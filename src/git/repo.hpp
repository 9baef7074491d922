#pragma once
// The only code that includes git2.h. RAII handles, one checked-call helper, and the few
// repository operations the loop needs (read-only here: the scan never writes).

#include "core/error.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct git_repository;
struct git_oid;

namespace git {

// A libgit2 failure: keeps libgit2's error code (GIT_ENOTFOUND, ...) and message.
class Error : public core::Error {
public:
  Error(int code, const std::string& message) : core::Error(message), m_code(code) {}
  int code() const noexcept { return m_code; }

private:
  int m_code;
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

// Line numbers (1-based, new side) that differ between two versions of a text.
std::vector<std::pair<int, int>> changed_line_ranges(const std::string& old_text, const std::string& new_text);

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

  git_repository* raw() const { return m_repo.get(); }

private:
  struct Free {
    void operator()(git_repository* r) const;
  };
  explicit Repository(git_repository* repo) : m_repo(repo) {}
  std::unique_ptr<git_repository, Free> m_repo;
};

} // namespace git
