#include "schedule/load.hpp"

#include <cstdio>
#include <cstdlib>

#include <unistd.h>

namespace schedule {

std::optional<Load> current_load() {
  double averages[1];
  if (::getloadavg(averages, 1) != 1) return std::nullopt;
  long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  return Load{averages[0], cpus > 0 ? static_cast<int>(cpus) : 1};
}

std::optional<std::string> busy_reason(double max_per_cpu, const std::optional<Load>& load) {
  if (max_per_cpu <= 0 || !load || load->per_cpu() <= max_per_cpu) return std::nullopt;
  char text[128];
  std::snprintf(text, sizeof text, "load %.2f on %d CPU%s is above %.2f per CPU", load->one_minute, load->cpus,
                load->cpus == 1 ? "" : "s", max_per_cpu);
  return std::string(text);
}

} // namespace schedule
