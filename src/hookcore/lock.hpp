#pragma once
// An advisory lock file (flock): held while the object lives, released by the kernel if the process
// dies (kill -9 included), so a crash never leaves a stale lock behind.

#include <chrono>
#include <filesystem>
#include <optional>

namespace hookcore {

class FileLock {
public:
  // Takes the lock without waiting; nullopt when another process holds it. Throws core::Error when
  // the lock file cannot be created.
  static std::optional<FileLock> try_acquire(const std::filesystem::path& path);
  // Waits up to `timeout` for the lock; nullopt on timeout.
  static std::optional<FileLock> acquire(const std::filesystem::path& path, std::chrono::milliseconds timeout);
  // Whether another process holds the lock now, without creating the file or waiting: the hook's cheap
  // look (an open and a shared flock, released at once) for a live worker. A shared probe never turns
  // another prober away; an exclusive taker that meets one fails as if the lock were held. Never throws
  // (a file that cannot be opened is not held).
  static bool held_elsewhere(const std::filesystem::path& path);

  FileLock(FileLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

private:
  explicit FileLock(int fd) : m_fd(fd) {}
  int m_fd;
};

} // namespace hookcore
