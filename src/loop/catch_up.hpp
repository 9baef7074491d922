#pragma once
// Before a drain: what the hooks recorded and no scan has taken yet. A commit's hook only spools its
// event and starts a background worker; a drain run right after the commit would otherwise miss the
// commit's findings. The drain scans them first, and waits for a worker that is scanning already rather
// than racing it (one scan at a time: the scan lock, schedule/lock.hpp).

#include "loop/context.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace loop {

// Scans the spooled hook events not scanned yet (loop::run_worker under the scan lock), after waiting up
// to `wait` for a scan under way. Does nothing while the loop is stopped. Returns a line for the user
// when the drain goes on without them (the wait ran out), else nullopt; a failed scan is recorded as the
// worker records it (`status` shows it). Throws core::Error when the lock file cannot be made.
std::optional<std::string> scan_pending_events(Context& ctx, std::chrono::seconds wait = std::chrono::seconds(60));

} // namespace loop
