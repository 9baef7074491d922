#pragma once
// Finding the repository and reading refs without libgit2 or a git subprocess: the hook binary
// must start, decide and exit in about a millisecond, so it reads the few files it needs itself.
// Anything unusual (reftable, a missing file) comes back as nullopt and the caller falls back.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hookcore {

struct RepoLocation {
  std::filesystem::path git_dir;                        // per-worktree git dir (HEAD, MERGE_HEAD, rebase-merge/)
  std::filesystem::path common_dir;                     // shared by all worktrees (objects, refs, autoloop/)
  std::optional<std::filesystem::path> work_tree;       // none for a bare repository
  bool bare = false;
};

// Locates the repository for `cwd` the way git does, in this order:
//  1. GIT_DIR from `env` (relative to cwd); GIT_WORK_TREE, core.worktree or else cwd is the work tree,
//     unless core.bare is true;
//  2. walking up from cwd: a `.git` directory, or a `.git` file saying `gitdir: <path>` (linked worktree,
//     submodule), or the directory itself being a git dir (bare unless it is named `.git`).
// The common dir is GIT_COMMON_DIR, else `<git_dir>/commondir` (relative to git_dir), else git_dir.
// All paths are absolute and lexically normal. Reads only `GIT_DIR`, `GIT_WORK_TREE` and `GIT_COMMON_DIR`
// from `env`. Returns nullopt outside a repository; never throws for unreadable files.
std::optional<RepoLocation> locate_repo(const std::filesystem::path& cwd,
                                        const std::map<std::string, std::string>& env);

// Reads a file holding one object id (ORIG_HEAD, a loose ref); nullopt when missing or not an id. Never throws.
std::optional<std::string> read_ref_file(const std::filesystem::path& path);

// Resolves a full ref name (`refs/heads/main`, `ORIG_HEAD`) to an object id: symbolic refs are followed,
// per-worktree refs (HEAD, pseudo refs, refs/bisect/, refs/worktree/, refs/rewritten/) are read from
// git_dir, the others from common_dir, then `packed-refs`. nullopt when it does not resolve. Never throws.
std::optional<std::string> resolve_ref(const RepoLocation& repo, std::string_view refname);

// The object id HEAD points at; nullopt on an unborn branch or an unreadable HEAD. Never throws.
std::optional<std::string> resolve_head(const RepoLocation& repo);

// True for a full hexadecimal object id (40 hex digits for SHA-1, 64 for SHA-256).
bool is_object_id(std::string_view text);

} // namespace hookcore
