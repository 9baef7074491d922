#pragma once
// Notifications (issue 16 §8): `notify_command` receives one JSON object on stdin per event, each with
// an `event` field and the fields every event shares (schema_version, time, repository, branch,
// pending, reasons), described by tests/schemas/notification.schema.json:
//   cycle         a drain cycle ended (its fixes with id, rule, file, commit; what it refused and why)
//   push_blocked  pre-push refused a push (block_push_on): the new findings that blocked it
//   regression    a scan of new commits found complexity regressions or new security findings
//   error         a background scan or drain failed, or a rule was switched off (once per message)
// The command runs only when trusted (safety/trust.hpp), with a scrubbed environment and a 30 s
// timeout; its failure is logged and never fails what it reports on.

#include "loop/context.hpp"
#include "loop/drain.hpp"

#include <string>
#include <vector>

namespace loop {

// Bumped when a field changes meaning or goes away (adding a field keeps it).
constexpr int k_notification_schema_version = 1;

// The notifications as JSON text (one line, no trailing newline). They read the queue for the pending
// count and the fixes; they throw queue::Error / git::Error when that fails.
std::string cycle_notification(Context& ctx, const DrainResult& result);
// `blocking`: the block_push_on categories with new findings; `findings`: the new findings of the
// pushed commits; `commits`: how many commits the push carried.
std::string push_blocked_notification(Context& ctx, const std::vector<std::string>& blocking,
                                      const std::vector<queue::Opportunity>& findings, size_t commits);
// The regressions and new security findings the scans recorded for `commits` (metric events); "" when
// there are none (nothing to send).
std::string regression_notification(Context& ctx, const std::vector<std::string>& commits);
// `source`: what failed ("scan", "drain", "rules", ...).
std::string error_notification(Context& ctx, const std::string& source, const std::string& message);

// Runs notify_command with `json` on stdin when it is set and trusted. Never throws.
void send_notification(Context& ctx, const std::string& json);

// Build and send; never throw (a notification that cannot be built is logged).
void notify_cycle(Context& ctx, const DrainResult& result);
void notify_push_blocked(Context& ctx, const std::vector<std::string>& blocking,
                         const std::vector<queue::Opportunity>& findings, size_t commits);
void notify_regressions(Context& ctx, const std::vector<std::string>& commits);
void notify_error(Context& ctx, const std::string& source, const std::string& message);

} // namespace loop
