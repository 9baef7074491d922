#include "fix/validate.hpp"

#include "git/repo.hpp"

#include <algorithm>

namespace fix {

std::string line_ending_style(const std::string& text) {
  size_t crlf = 0, lf = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') continue;
    if (i > 0 && text[i - 1] == '\r') ++crlf;
    else ++lf;
  }
  if (!crlf && !lf) return "none";
  if (crlf && lf) return "mixed";
  return crlf ? "crlf" : "lf";
}

GateResult check_change(const std::string& before, const std::string& after, uint32_t allowed_begin,
                        uint32_t allowed_end, int max_change_size) {
  GateResult r;
  if (before == after) {
    r.ok = false;
    r.outcome = core::Outcome::no_change;
    r.detail = "the fix changes nothing";
    return r;
  }
  // 1. Size: changed lines, as git counts them.
  git::LineStats stats = git::line_stats(before, after);
  r.lines_changed = stats.changed();
  if (r.lines_changed > max_change_size) {
    r.ok = false;
    r.outcome = core::Outcome::too_large;
    r.detail = std::to_string(r.lines_changed) + " changed lines > max_change_size " + std::to_string(max_change_size);
    return r;
  }
  // 2. Nothing touched outside the fix's own range: the text before and after it is unchanged.
  // (A minimal diff region could slide over equal characters at its edges; comparing the fixed
  // surroundings does not.)
  size_t tail = allowed_end <= before.size() ? before.size() - allowed_end : 0;
  bool head_kept = allowed_begin <= before.size() && allowed_begin <= after.size() &&
                   before.compare(0, allowed_begin, after, 0, allowed_begin) == 0;
  bool tail_kept = tail <= after.size() && after.size() - tail >= allowed_begin &&
                   before.compare(before.size() - tail, tail, after, after.size() - tail, tail) == 0;
  if (!head_kept || !tail_kept) {
    r.ok = false;
    r.outcome = core::Outcome::destructive;
    r.detail = "the change reaches outside the finding (bytes " + std::to_string(allowed_begin) + "-" +
               std::to_string(allowed_end) + ")";
    return r;
  }
  // Mostly deletion: more than half of the size cap removed net is a removal, not a fix (a limit the
  // size cap alone cannot give: it counts added and deleted lines together, so it is always reached
  // first at max_change_size).
  const int net_deleted = stats.deleted - stats.added;
  if (net_deleted > std::max(1, max_change_size / 2)) {
    r.ok = false;
    r.outcome = core::Outcome::destructive;
    r.detail = "net deletion of " + std::to_string(net_deleted) + " lines (more than half of max_change_size " +
               std::to_string(max_change_size) + ")";
    return r;
  }
  // 3. Line endings kept: a CRLF file stays CRLF.
  std::string was = line_ending_style(before), now = line_ending_style(after);
  if (was != now && now != "none" && !(was == "none")) {
    r.ok = false;
    r.outcome = core::Outcome::line_endings;
    r.detail = "line endings would change from " + was + " to " + now;
    return r;
  }
  return r;
}

double risk_estimate(int lines_changed, int churn, int dependents, core::Safety safety) {
  double size = std::min(1.0, lines_changed / 20.0);
  double busy = std::min(1.0, churn / 20.0);
  double reach = std::min(1.0, dependents / 20.0);
  double semantic = safety == core::Safety::safe ? 0.0 : 1.0;
  return std::min(1.0, 0.3 * size + 0.2 * busy + 0.2 * reach + 0.3 * semantic);
}

} // namespace fix
