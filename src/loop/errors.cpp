#include "loop/errors.hpp"

#include "git/repo.hpp"
#include "loop/context.hpp"
#include "queue/store.hpp"

namespace loop {

ErrorSource error_source(const core::Error& e) {
  if (dynamic_cast<const git::Error*>(&e)) return ErrorSource::repository;
  if (dynamic_cast<const queue::Error*>(&e)) return ErrorSource::queue;
  return ErrorSource::other;
}

std::optional<std::string> set_aside_corrupt_queue_after(const core::Error& e) {
  const auto* corrupt = dynamic_cast<const queue::CorruptError*>(&e);
  if (!corrupt) return std::nullopt;
  Paths paths;
  paths.data_dir = corrupt->path().parent_path();
  try {
    if (!corrupt->path().empty() && paths.db() == corrupt->path()) set_aside_corrupt_queue(paths, *corrupt, nullptr);
  } catch (const std::exception& again) {
    return std::string(again.what());
  }
  return std::nullopt;
}

} // namespace loop
