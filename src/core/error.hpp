#pragma once
// Error tiers:
//  - core::Error: something a caller may recover from (bad input, a failed command).
//  - core::Fatal: only cli::main reports it; the process ends with its exit code.
// Ordinary "not found" is a value (std::optional), never an exception.

#include <csignal>
#include <stdexcept>
#include <string>

namespace core {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// A failure of a library that reports numeric codes (libgit2, SQLite): its message and that code.
// Each library's folder derives its own type (git::Error, queue::Error) so callers can tell them apart.
class CodedError : public Error {
public:
  CodedError(int code, const std::string& message) : Error(message), m_code(code) {}
  int code() const noexcept { return m_code; }

private:
  int m_code;
};

// An error located in a user-supplied file; what() is "file:line:column: message".
class LocatedError : public Error {
public:
  LocatedError(std::string file, int line, int column, const std::string& message)
      : Error(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message),
        m_file(std::move(file)), m_line(line), m_column(column) {}
  const std::string& file() const noexcept { return m_file; }
  int line() const noexcept { return m_line; }
  int column() const noexcept { return m_column; }

private:
  std::string m_file;
  int m_line;
  int m_column;
};

// A drain (or another long operation under a core::InterruptGuard) was interrupted by SIGINT, SIGTERM or
// SIGHUP. Deliberately not a std::exception: the loop catches std::exception in many places to go on
// after one failure ("one failure never stops the loop"), and an interruption must never be taken for
// such a failure and swallowed. Only the commands that install a guard catch it (cli::main too, last).
class Interrupted {
public:
  explicit Interrupted(int signal) noexcept : m_signal(signal) {}
  int signal() const noexcept { return m_signal; }
  // "SIGINT", "SIGTERM", "SIGHUP" (or "signal N").
  std::string signal_name() const {
    switch (m_signal) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "signal " + std::to_string(m_signal);
    }
  }
  // The conventional exit status of a process ended by the signal (130 for SIGINT, 143 for SIGTERM).
  int exit_code() const noexcept { return 128 + m_signal; }

private:
  int m_signal;
};

class Fatal : public std::runtime_error {
public:
  Fatal(const std::string& message, int exit_code) : std::runtime_error(message), m_exit_code(exit_code) {}
  int exit_code() const noexcept { return m_exit_code; }

private:
  int m_exit_code;
};

} // namespace core
