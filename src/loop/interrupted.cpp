// Putting in order what a drain ended by a signal (core::Interrupted) left: see loop/drain.hpp.
#include "core/error.hpp"
#include "loop/drain.hpp"
#include "hookcore/lock.hpp"

namespace loop {

std::string finish_interrupted_drain(Context& ctx, int signal) {
  const std::string name = core::Interrupted(signal).signal_name();
  const std::string head = "drain interrupted (" + name + ")";
  // The drain let go of its lock while unwinding. A drain that took it since then has recovered the
  // cycle already (recorded as interrupted too).
  auto lock = hookcore::FileLock::acquire(ctx.paths.drain_lock(), std::chrono::seconds(3));
  if (!lock) return head + "; another drain is running and finishes the record of the interrupted cycle";
  auto recovered = recover(ctx, !ctx.stopped(), "interrupted by " + name);
  if (recovered.empty()) return head + " outside a cycle; no cycle was left unfinished";
  std::string line = head + ":";
  for (const auto& c : recovered) {
    line += (&c == &recovered.front() ? " cycle " : "; cycle ") + std::to_string(c.id) + " recorded as interrupted; ";
    line += c.published ? "it had published " + side_branch_name(ctx.config, c.branch) + " already (" +
                              std::to_string(c.applied) + " fix" + (c.applied == 1 ? "" : "es") + " applied)"
                        : "nothing was published";
  }
  return line;
}

} // namespace loop
