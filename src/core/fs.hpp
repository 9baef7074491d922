#pragma once
// Small filesystem helpers: whole-file reads and atomic writes (temp file + rename).

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace core {

// Reads a whole file; nullopt when it does not exist. Throws core::Error on other I/O errors.
std::optional<std::string> read_file(const std::filesystem::path& path);

// How far an atomic write goes before its rename. `synced`: the content reaches the disk first, so a
// crash of the machine leaves the old or the new file, never an empty one. `unsynced`: atomic for other
// processes only, for a file another process reads at once and throws away (the merge driver's %A, a
// temp file of git's: an fsync there cost more than the whole merge).
enum class Durability { synced, unsynced };

// Writes `content` to `path` atomically: a temp file beside it, fsync (see Durability), rename. Keeps
// `mode` when given (e.g. 0755 for hooks). Throws core::Error on failure; the target is untouched then.
void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       std::optional<std::filesystem::perms> mode = std::nullopt,
                       Durability durability = Durability::synced);

// Whether `path` (relative, '/'-separated, as in a git tree) stays inside the work tree: not absolute,
// no empty, ".", ".." or ".git" component. A crafted tree may hold such names; git refuses to check them out.
bool is_contained_path(std::string_view path);

// Whether a directory on the way from `root` to `root/path` (or the file itself) is a symlink, or
// `path` is not contained: writing there could land outside `root`.
bool crosses_symlink(const std::filesystem::path& root, std::string_view path);

// A file written atomically: content goes to a temp file, which becomes `path` on commit();
// destroyed without commit(), the temp file is removed and `path` is untouched.
class AtomicFile {
public:
  explicit AtomicFile(std::filesystem::path path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view data);
  void commit(std::optional<std::filesystem::perms> mode = std::nullopt, Durability durability = Durability::synced);

private:
  std::filesystem::path m_path;
  std::filesystem::path m_tmp;
  int m_fd = -1;
};

// Whether `path` lies strictly below `root` and stays there on disk: lexically (no ".." component, and
// after normalisation it is below `root`, not `root` itself) and through the file system (no component
// from `root` down to `path`, `path` included, is a symlink; components that do not exist yet are fine:
// nothing there can redirect a write). `root` itself is taken as given; a relative `path` is relative to
// `root`. Never throws.
bool is_inside(const std::filesystem::path& root, const std::filesystem::path& path);

// Removes `path` when is_inside(root, path) and it is a regular file (a symlink, a directory or a device
// there is left alone). Returns whether it removed something. Never throws.
bool remove_file_inside(const std::filesystem::path& root, const std::filesystem::path& path);

// Removes the tree at `path` when it lies below `root` and the directory holding it resolves inside
// `root` (is_inside); `path` itself, or anything below it, that is a symlink is removed as a link, never
// followed. Returns whether `path` is gone afterwards, or was never there. Never throws.
bool remove_all_inside(const std::filesystem::path& root, const std::filesystem::path& path);
// Reads a file that the repository controls (a hostile clone's .autoloop.yml, rules, coverage report)
// without letting it make the read unbounded or reach outside the work tree. nullopt when `path` does not
// exist (a dangling symlink counts as missing). Refused with core::LocatedError("<path>:1:1: <reason>"),
// so that callers treat it like a malformed file:
//  - `path` resolving (through symlinks, in any component) outside `confine_root`; an empty
//    `confine_root` confines nothing (files the user named). A symlink that stays inside `confine_root`
//    and ends at a regular file is followed: a repository may link one config file to another.
//  - anything but a regular file at the end: devices (/dev/zero), FIFOs (opening one would block),
//    sockets, directories. Devices are never opened: the type is checked with stat() first, and again
//    on the opened descriptor (O_NONBLOCK, O_NOFOLLOW), so a file swapped meanwhile is refused too.
//  - more than `max_bytes` bytes: "larger than the 1 MiB limit for <what>". Reading stops at
//    max_bytes + 1 even when st_size is wrong (procfs, a growing file).
// Other I/O errors throw core::Error.
std::optional<std::string> read_untrusted_file(const std::filesystem::path& path, std::size_t max_bytes,
                                               const std::filesystem::path& confine_root,
                                               std::string_view what = "files from the repository");

// A byte count as people say it: "1 MiB", "256 KiB", "1000 bytes".
std::string describe_size(std::size_t bytes);

// Whether `path`, with every symlink on the way resolved (as far as it exists), lies inside `root`
// (also resolved) or is `root` itself. Does not throw.
bool resolves_within(const std::filesystem::path& path, const std::filesystem::path& root);

} // namespace core
