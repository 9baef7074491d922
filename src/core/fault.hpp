#pragma once
// Fault points for the crash tests: `AUTOLOOP_FAULT=<name>` in the environment makes the process die
// there as if killed with SIGKILL (no destructors, no flushing), so a test can stop an operation at an
// exact step instead of hoping a timed kill lands in a window of microseconds.

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace core {

inline void fault_point(const char* name) {
  const char* wanted = std::getenv("AUTOLOOP_FAULT");
  if (wanted && std::strcmp(wanted, name) == 0) std::raise(SIGKILL);
}

} // namespace core
