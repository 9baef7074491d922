#pragma once
// The errors that end a command, as cli::main sorts them into exit codes without knowing the folders
// that raise them (src/cli/ includes no queue/ or git/ header).

#include "core/error.hpp"

#include <optional>
#include <string>

namespace loop {

// Where an error came from.
enum class ErrorSource {
  repository, // git::Error: libgit2 refused (no repository, a broken object, a locked ref)
  queue,      // queue::Error: the SQLite queue
  other,
};
ErrorSource error_source(const core::Error& e);

// After a queue::CorruptError (damage a query met after the queue was opened) ended a command: moves the
// damaged queue aside, as opening it does, so that the next command and the worker start afresh instead
// of failing the same way. Call once the command's connection is closed. Returns why that failed, or
// nullopt (also when `e` is no such error, or names another file than a queue).
std::optional<std::string> set_aside_corrupt_queue_after(const core::Error& e);

} // namespace loop
