// The recover step of a drain cycle (loop/drain.hpp): finishing the records of cycles a kill or a signal
// interrupted, and removing what such a kill left on disk.
#include "core/fs.hpp"
#include "core/refname.hpp"
#include "loop/accept_journal.hpp"
#include "loop/drain.hpp"
#include "safety/sandbox.hpp"

#include <sys/stat.h>

namespace loop {

namespace {

// A drain killed inside a ref update leaves a .lock file that would wedge every later one. Only drains
// write side branches, and the caller holds the drain lock. Removed: regular files named <ref>.lock for
// a valid ref <ref> under refs/heads/<side_branch_prefix>, found below the prefix's directory, which must
// be a real directory inside refs/heads (a symlink there is never followed).
void remove_stale_ref_locks(Context& ctx) {
  namespace fs = std::filesystem;
  const std::string& prefix = ctx.config.side_branch_prefix;
  if (core::side_branch_prefix_problem(prefix)) return; // refused at load: never build a path from it
  const fs::path heads = ctx.paths.heads_dir();
  struct stat st {};
  if (::lstat(heads.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
  const size_t slash = prefix.rfind('/');
  const fs::path side_dir = slash == std::string::npos ? heads : heads / prefix.substr(0, slash);
  if (side_dir != heads && !core::is_inside(heads, side_dir)) {
    ctx.log.warn("not cleaning ref locks: {} leaves {}", side_dir.string(), heads.string());
    return;
  }
  if (::lstat(side_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return; // a symlink is not a directory here
  const std::string lock_suffix = ".lock";
  std::error_code ec;
  // The default options do not follow directory symlinks.
  for (auto it = fs::recursive_directory_iterator(side_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    const std::string rel = it->path().lexically_relative(heads).generic_string();
    if (rel.size() <= lock_suffix.size() || rel.compare(rel.size() - lock_suffix.size(), lock_suffix.size(), lock_suffix) != 0)
      continue;
    const std::string ref = "refs/heads/" + rel.substr(0, rel.size() - lock_suffix.size());
    if (rel.rfind(prefix, 0) != 0 || core::ref_name_problem(ref) || git::normalize_ref_name(ref) != ref) continue;
    if (core::remove_file_inside(heads, it->path())) ctx.log.warn("removed stale ref lock {}", it->path().string());
  }
}

} // namespace

std::vector<RecoveredCycle> recover(Context& ctx, bool cleanup, const std::string& reason) {
  queue::Store& store = ctx.store();
  std::vector<RecoveredCycle> recovered;
  // An accept killed after it moved the branch: its verdict counts (its files wait for the next review).
  if (auto finished = finish_interrupted_accept(ctx, false)) ctx.log.info("{}", *finished);
  for (const auto& cycle : store.unfinished_cycles()) {
    std::string tip;
    try {
      tip = ctx.repo.read_ref(side_branch_ref(ctx.config, cycle.branch)).value_or("");
    } catch (const core::Error& e) {
      ctx.log.warn("recovering cycle {}: {}", cycle.id, e.what()); // not published, then
    }
    bool published = cycle.state == "planned" && !cycle.planned_tip.empty() && tip == cycle.planned_tip;
    auto txn = store.begin();
    int applied = 0;
    for (const auto& a : store.attempts_of_cycle(cycle.id)) {
      if (a.outcome != core::Outcome::planned) continue;
      if (published) {
        store.set_attempt_outcome(a.id, core::Outcome::applied, "recovered after an interrupted drain");
        store.set_status(a.opportunity_id, core::Status::applied);
        ++applied;
      } else {
        // Not the fix's fault: the opportunity stays as it was (open) for the next drain.
        store.set_attempt_outcome(a.id, core::Outcome::rolled_back, "drain interrupted before publishing");
      }
    }
    store.end_interrupted_cycle(cycle.id, applied, !published,
                                published ? "recovered: published" : "recovered: interrupted before publishing",
                                reason.empty() ? "interrupted (the drain ended before its cycle did)" : reason);
    txn.commit();
    ctx.log.warn("recovered cycle {} of {}: {}", cycle.id, cycle.branch, published ? "published" : "not published");
    recovered.push_back({cycle.id, cycle.branch, published, applied});
  }
  // Stopped: the records above are the loop's own, but nothing on disk is removed.
  if (!cleanup) return recovered;
  if (ctx.paths.work_tree) safety::prune_worktrees(*ctx.paths.work_tree, ctx.paths.data_dir);
  remove_stale_ref_locks(ctx);
  return recovered;
}

} // namespace loop
