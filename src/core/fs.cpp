#include "core/fs.hpp"

#include "core/error.hpp"

#include <cerrno>
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

void AtomicFile::commit(std::optional<fs::perms> mode) {
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
  if (::fsync(m_fd) != 0) throw Error("cannot sync " + m_tmp.string() + ": " + std::strerror(errno));
  ::close(m_fd);
  m_fd = -1;
  if (::rename(m_tmp.c_str(), m_path.c_str()) != 0)
    throw Error("cannot replace " + m_path.string() + ": " + std::strerror(errno));
  m_tmp.clear();
}

void write_file_atomic(const fs::path& path, std::string_view content, std::optional<fs::perms> mode) {
  AtomicFile file(path);
  file.write(content);
  file.commit(mode);
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
