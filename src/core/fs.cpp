#include "core/fs.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace core {

namespace fs = std::filesystem;

bool is_contained_path(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  for (size_t at = 0;;) {
    size_t slash = path.find('/', at);
    std::string_view part = path.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at);
    if (part.empty() || part == "." || part == ".." || part == ".git") return false;
    if (slash == std::string_view::npos) return true;
    at = slash + 1;
  }
}

bool crosses_symlink(const fs::path& root, std::string_view path) {
  if (!is_contained_path(path)) return true;
  fs::path at = root;
  for (size_t from = 0;;) {
    size_t slash = path.find('/', from);
    at /= std::string(path.substr(from, slash == std::string_view::npos ? std::string_view::npos : slash - from));
    struct stat st {};
    if (::lstat(at.c_str(), &st) != 0) return false; // what does not exist yet cannot redirect a write
    if (S_ISLNK(st.st_mode)) return true;
    if (slash == std::string_view::npos) return false;
    from = slash + 1;
  }
}

std::optional<std::string> read_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw Error("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      throw Error("cannot read " + path.string() + ": " + std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

AtomicFile::AtomicFile(fs::path path) : m_path(std::move(path)) {
  std::string tmpl = m_path.string() + ".tmp.XXXXXX";
  m_fd = ::mkstemp(tmpl.data());
  if (m_fd < 0) throw Error("cannot create a temporary file beside " + m_path.string() + ": " + std::strerror(errno));
  m_tmp = tmpl;
}

AtomicFile::~AtomicFile() {
  if (m_fd >= 0) ::close(m_fd);
  if (!m_tmp.empty()) ::unlink(m_tmp.c_str());
}

void AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(m_fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot write " + m_tmp.string() + ": " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void AtomicFile::commit(std::optional<fs::perms> mode, Durability durability) {
  if (!mode) {
    // mkstemp makes 0600: keep the replaced file's mode, or what a plain create would give.
    struct stat st {};
    if (::stat(m_path.c_str(), &st) == 0) {
      mode = static_cast<fs::perms>(st.st_mode & 07777);
    } else {
      mode_t mask = ::umask(0);
      ::umask(mask);
      mode = static_cast<fs::perms>(0666 & ~mask);
    }
  }
  if (mode && ::fchmod(m_fd, static_cast<mode_t>(*mode)) != 0)
    throw Error("cannot chmod " + m_tmp.string() + ": " + std::strerror(errno));
  if (durability == Durability::synced && ::fsync(m_fd) != 0) throw Error("cannot sync " + m_tmp.string() + ": " + std::strerror(errno));
  ::close(m_fd);
  m_fd = -1;
  if (::rename(m_tmp.c_str(), m_path.c_str()) != 0)
    throw Error("cannot replace " + m_path.string() + ": " + std::strerror(errno));
  m_tmp.clear();
}

void write_file_atomic(const fs::path& path, std::string_view content, std::optional<fs::perms> mode,
                       Durability durability) {
  AtomicFile file(path);
  file.write(content);
  file.commit(mode, durability);
}

namespace {

// The lexical half of is_inside(): no ".." at all, and strictly below `root` once normalised.
bool is_inside_lexically(const fs::path& root, const fs::path& path) {
  for (const auto& part : path)
    if (part == "..") return false;
  const fs::path rel = (path.is_absolute() ? path : root / path).lexically_normal().lexically_relative(root.lexically_normal());
  return !rel.empty() && rel != "." && *rel.begin() != "..";
}

} // namespace

bool is_inside(const fs::path& root, const fs::path& path) {
  if (!is_inside_lexically(root, path)) return false;
  const fs::path base = root.lexically_normal();
  const fs::path rel = (path.is_absolute() ? path : root / path).lexically_normal().lexically_relative(base);
  fs::path at = base;
  for (const auto& part : rel) {
    if (part.empty() || part == ".") continue;
    at /= part;
    struct stat st {};
    if (::lstat(at.c_str(), &st) != 0) return errno == ENOENT;
    if (S_ISLNK(st.st_mode)) return false;
  }
  return true;
}

bool remove_file_inside(const fs::path& root, const fs::path& path) {
  if (!is_inside(root, path)) return false;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  return ::unlink(path.c_str()) == 0;
}

bool remove_all_inside(const fs::path& root, const fs::path& path) {
  const fs::path full = path.is_absolute() ? path : root / path;
  // The directory holding `path` must be `root` or resolve inside it; `path` itself may be a symlink,
  // which remove_all removes as a link.
  const fs::path parent = full.parent_path();
  const bool parent_ok = parent.lexically_normal().lexically_relative(root.lexically_normal()) == "." ||
                         is_inside(root, parent);
  const fs::path name = full.filename();
  if (!parent_ok || name.empty() || name == "." || name == ".." || !is_inside_lexically(root, full)) return false;
  std::error_code ec;
  fs::remove_all(full, ec); // does not follow symlinks: a link is removed as a link
  struct stat st {};
  return ::lstat(full.c_str(), &st) != 0 && errno == ENOENT;
}

} // namespace core

// ---------------------------------------------------------------------------------------------
// Bounded reads of repository-controlled files

namespace core {

namespace {

// The path with every symlink resolved: realpath() when it exists, else as far as it does.
fs::path resolved(const fs::path& path) {
  if (char* real = ::realpath(path.c_str(), nullptr)) {
    fs::path out = real;
    std::free(real);
    return out;
  }
  std::error_code ec;
  fs::path out = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return ec ? path.lexically_normal() : out;
}

bool inside(const fs::path& target, const fs::path& root) {
  const std::string t = target.string(), r = root.string();
  if (r == "/") return !t.empty() && t[0] == '/';
  return t == r || (t.size() > r.size() && t.compare(0, r.size(), r) == 0 && t[r.size()] == '/');
}

const char* kind_of(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symlink";
  return "not a regular file";
}

// Closes a descriptor on every way out.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

} // namespace

std::string describe_size(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (std::size_t{1} << 10) && bytes % (std::size_t{1} << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

bool resolves_within(const fs::path& path, const fs::path& root) { return inside(resolved(path), resolved(root)); }

std::optional<std::string> read_untrusted_file(const fs::path& path, std::size_t max_bytes, const fs::path& confine_root,
                                               std::string_view what) {
  auto refuse = [&](const std::string& why) { return LocatedError(path.string(), 1, 1, why + ": not read"); };
  auto too_large = [&] {
    return refuse("larger than the " + describe_size(max_bytes) + " limit for " + std::string(what));
  };
  struct stat lst {};
  if (::lstat(path.c_str(), &lst) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw Error("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  // 1. Where it leads: every symlink resolved, in any component of the path.
  fs::path target = path;
  if (S_ISLNK(lst.st_mode) || !confine_root.empty()) {
    char* real = ::realpath(path.c_str(), nullptr);
    if (!real) {
      if (errno == ENOENT || errno == ENOTDIR) return std::nullopt; // a dangling symlink
      if (errno == ELOOP) throw refuse("a symlink loop");
      throw Error("cannot read " + path.string() + ": " + std::strerror(errno));
    }
    target = real;
    std::free(real);
  }
  // 2. What it is, from stat() alone: a device or FIFO is never opened.
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw Error("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  if (!confine_root.empty()) {
    const fs::path root = resolved(confine_root);
    if (!inside(target, root))
      throw refuse("resolves to " + target.string() + (S_ISREG(st.st_mode) ? "" : std::string(" (") + kind_of(st.st_mode) + ")") +
                   ", outside " + root.string());
  }
  const std::string via = S_ISLNK(lst.st_mode) ? " (through a symlink to " + target.string() + ")" : "";
  if (!S_ISREG(st.st_mode)) throw refuse(std::string(kind_of(st.st_mode)) + via + ", not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) throw too_large();
  // 3. Open what was checked; O_NOFOLLOW and O_NONBLOCK so that a swap since then cannot redirect or block.
  FdCloser fd{::open(target.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW)};
  if (fd.fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    if (errno == ELOOP) throw refuse("replaced by a symlink while being read");
    throw Error("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  if (::fstat(fd.fd, &st) != 0) throw Error("cannot read " + path.string() + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw refuse(std::string(kind_of(st.st_mode)) + via + ", not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) throw too_large();
  // 4. At most max_bytes + 1 bytes, whatever st_size said.
  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size) + 1);
  char buf[65536];
  while (out.size() <= max_bytes) {
    const std::size_t want = std::min(sizeof buf, max_bytes + 1 - out.size());
    ssize_t n = ::read(fd.fd, buf, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot read " + path.string() + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  if (out.size() > max_bytes) throw too_large();
  return out;
}

} // namespace core
