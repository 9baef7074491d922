#pragma once
// Small filesystem helpers: whole-file reads and atomic writes (temp file + rename).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace core {

// Reads a whole file; nullopt when it does not exist. Throws core::Error on other I/O errors.
std::optional<std::string> read_file(const std::filesystem::path& path);

// Writes `content` to `path` atomically: a temp file beside it, fsync, rename. Keeps `mode`
// when given (e.g. 0755 for hooks). Throws core::Error on failure; the target is untouched then.
void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       std::optional<std::filesystem::perms> mode = std::nullopt);

// A file written atomically: content goes to a temp file, which becomes `path` on commit();
// destroyed without commit(), the temp file is removed and `path` is untouched.
class AtomicFile {
public:
  explicit AtomicFile(std::filesystem::path path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view data);
  void commit(std::optional<std::filesystem::perms> mode = std::nullopt);

private:
  std::filesystem::path m_path;
  std::filesystem::path m_tmp;
  int m_fd = -1;
};

} // namespace core
