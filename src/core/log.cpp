#include "core/log.hpp"

#include "core/printable.hpp"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <unistd.h>

namespace core {

Logger::Logger() = default;
Logger::~Logger() = default;
Logger::Logger(Logger&&) noexcept = default;
Logger& Logger::operator=(Logger&&) noexcept = default;

Logger::Logger(const std::filesystem::path& dir, std::string_view name) {
  try {
    std::filesystem::create_directories(dir);
    auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>((dir / "autoloop.log").string(), 5 * 1024 * 1024, 3);
    m_logger = std::make_shared<spdlog::logger>(std::string(name), sink);
    m_logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %P %^%l%$ %v");
    m_logger->set_level(spdlog::level::debug);
    m_logger->flush_on(spdlog::level::info);
  } catch (const std::exception&) {
    m_logger.reset();
  }
}

void Logger::write(int level, fmt::string_view format, fmt::format_args args) {
  if (!m_logger) return;
  static const spdlog::level::level_enum k_levels[] = {spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
                                                       spdlog::level::err};
  try {
    m_logger->log(k_levels[level], fmt::vformat(format, args));
  } catch (const std::exception&) {
    // a full disk must not break the caller
  }
}

void say(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

void warn(std::string_view line) {
  std::fflush(stdout);
  std::fprintf(stderr, "git-autoloop: warning: %s\n", printable(line).c_str());
}

} // namespace core
