#pragma once
// Is the machine busy? Scheduled drains (never a person's own command) wait while it is.

#include <optional>
#include <string>

namespace schedule {

struct Load {
  double one_minute = 0; // load average
  int cpus = 1;
  double per_cpu() const { return one_minute / (cpus > 0 ? cpus : 1); }
};

// The 1-minute load average and the number of online CPUs; nullopt when the system cannot tell.
std::optional<Load> current_load();

// Why a scheduled drain should wait ("load 3.10 on 2 CPUs is above 1.5 per CPU"), or nullopt when it
// may run: `max_per_cpu` 0 never waits, and neither does a system that cannot report its load.
std::optional<std::string> busy_reason(double max_per_cpu, const std::optional<Load>& load);

} // namespace schedule
