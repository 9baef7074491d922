#pragma once
// Logging: details go to a rotating file under <common-git-dir>/autoloop/log/ (silent by default on
// the terminal); messages for the user go through core::say/warn, one short line each.

#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace core {

class Logger {
public:
  // A logger that discards everything (tests, or before the repository is known).
  Logger();
  // Logs to <dir>/autoloop.log, rotated at 5 MiB x 3. Falls back to discarding when the directory
  // cannot be created (logging must never break a hook).
  explicit Logger(const std::filesystem::path& dir, std::string_view name = "autoloop");
  ~Logger();
  Logger(Logger&&) noexcept;
  Logger& operator=(Logger&&) noexcept;

  template <class... A> void debug(fmt::format_string<A...> f, A&&... a) { write(0, f, fmt::make_format_args(a...)); }
  template <class... A> void info(fmt::format_string<A...> f, A&&... a) { write(1, f, fmt::make_format_args(a...)); }
  template <class... A> void warn(fmt::format_string<A...> f, A&&... a) { write(2, f, fmt::make_format_args(a...)); }
  template <class... A> void error(fmt::format_string<A...> f, A&&... a) { write(3, f, fmt::make_format_args(a...)); }

private:
  // Formats (only when logging) and writes. Out of line: fmt's compiled part is in log.cpp alone (CMakeLists.txt).
  void write(int level, fmt::string_view format, fmt::format_args args);
  std::shared_ptr<spdlog::logger> m_logger;
};

// One line to stdout.
void say(std::string_view line);
// "git-autoloop: warning: <line>" to stderr.
void warn(std::string_view line);

} // namespace core
