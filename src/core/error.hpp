#pragma once
// Error tiers (STYLE.md "Errors and resources"):
//  - core::Error: something a caller may recover from (bad input, a failed command).
//  - core::Fatal: only cli::main reports it; the process ends with its exit code.
// Ordinary "not found" is a value (std::optional), never an exception.

#include <stdexcept>
#include <string>

namespace core {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
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

class Fatal : public std::runtime_error {
public:
  Fatal(const std::string& message, int exit_code) : std::runtime_error(message), m_exit_code(exit_code) {}
  int exit_code() const noexcept { return m_exit_code; }

private:
  int m_exit_code;
};

} // namespace core
