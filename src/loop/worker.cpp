#include "loop/worker.hpp"

#include "core/fs.hpp"
#include "loop/notify.hpp"
#include "loop/provider_scan.hpp"
#include "metrics/coverage.hpp"
#include "core/layout.hpp"
#include "hookcore/git_state.hpp"
#include "hookcore/lock.hpp"
#include "hookcore/repo_locate.hpp"
#include "hookcore/spool.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <sys/resource.h>
#include <unistd.h>

namespace loop {

namespace {

using Clock = std::chrono::steady_clock;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Commits named by entries, oldest first, each once.
std::vector<std::string> commits_of(const Context& ctx, const std::vector<hookcore::SpoolEntry>& entries) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& e : entries) {
    // Deferred entries may name commits that an aborted rebase or cherry-pick left behind.
    auto add = [&](const std::string& c) {
      if (!ctx.repo.has_object(c) || (e.deferred && !ctx.repo.is_reachable(c))) return;
      if (seen.insert(c).second) out.push_back(c);
    };
    for (const auto& [from, to] : e.ranges) {
      if (!ctx.repo.has_object(to)) continue;
      for (const auto& c : ctx.repo.commit_range(ctx.repo.has_object(from) ? from : "", to, 1000)) add(c);
    }
    for (const auto& c : e.commits) add(c);
  }
  return out;
}

// Keeps `message` for the next hook to show, and notifies it (an `error` event) when it is new: a failure
// that repeats on every commit is sent once.
void write_last_error(Context& ctx, const std::string& message) {
  const auto previous = core::read_file(ctx.paths.last_error());
  try {
    core::write_file_atomic(ctx.paths.last_error(), message + "\n");
  } catch (const std::exception&) {
  }
  if (!previous || *previous != message + "\n")
    notify_error(ctx, message.rfind("rule ", 0) == 0 ? "rules" : "scan", message);
}

// Lines for the next hook to show (regressions, new security findings), appended: the hook takes the
// file away when it shows it.
void add_notices(const Context& ctx, const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  std::ofstream out(ctx.paths.notices(), std::ios::app);
  for (const auto& line : lines) out << line << '\n';
}

// What the hooks cost their commits, exec to exit (src/hook/main.cpp appends a line as each ends),
// recorded as runs `hook-commit:<hook>`: what `status` and `report` show as the hook's time. The file is
// taken by a rename, so a hook ending meanwhile starts a new one for the next worker.
void record_hook_latency(Context& ctx) {
  const auto layout = ctx.paths.layout();
  const auto taken = layout.hook_latency_taken(static_cast<long>(::getpid()));
  std::error_code ec;
  std::filesystem::rename(layout.hook_latency(), taken, ec);
  if (ec) return;
  const auto text = core::read_file(taken);
  std::filesystem::remove(taken, ec);
  if (!text) return;
  std::istringstream lines(*text);
  std::string hook;
  long long time_ns = 0, micros = 0;
  while (lines >> hook >> time_ns >> micros) {
    if (micros <= 0 || hook.size() > 32) continue;
    queue::Run run;
    run.kind = "hook-commit:" + hook;
    run.started_at = static_cast<double>(time_ns) / 1e9 - static_cast<double>(micros) / 1e6;
    run.duration_ms = static_cast<double>(micros) / 1000.0;
    try {
      ctx.store().record_run(run);
    } catch (const std::exception& e) {
      ctx.log.warn("cannot record hook latency: {}", e.what());
      return;
    }
  }
}

// The coverage report the repository's own tooling left in the work tree, recorded for HEAD after a scan.
void record_coverage(Context& ctx) {
  if (ctx.config.metrics.coverage_report.empty() || !ctx.paths.work_tree) return;
  auto head = ctx.repo.resolve_commit("HEAD");
  if (!head) return;
  // The report is the repository's data: read only inside the work tree, as a capped regular file. A
  // refusal (or a report that does not parse) is kept for `status` until the next read succeeds or finds none.
  const auto path = *ctx.paths.work_tree / ctx.config.metrics.coverage_report;
  try {
    if (auto coverage = metrics::read_coverage(path.string(), *ctx.paths.work_tree))
      ctx.store().put_coverage(*head, coverage->percent(), ctx.config.metrics.coverage_report);
    ctx.store().erase_state("coverage_error");
  } catch (const core::Error& e) {
    ctx.log.warn("coverage: {}", e.what());
    ctx.store().set_state("coverage_error", e.what());
  }
}

// A queue rebuilt after it was found corrupt knows nothing of the findings that were open: one scan of
// HEAD's whole tree brings them back. Runs under the scan lock; the mark is cleared once it succeeded.
void rescan_after_rebuild(Context& ctx) {
  if (!ctx.store().state("rebuild_needed")) return;
  if (auto head = ctx.repo.resolve_commit("HEAD")) {
    auto t0 = Clock::now();
    queue::Run run;
    run.kind = "scan-all";
    run.started_at = now_seconds();
    scan::CommitScanner scanner(ctx.repo, ctx.store(), ctx.engine(), ctx.config, ctx.log);
    auto stats = scanner.scan_all(*head);
    run.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    run.peak_rss_kb = peak_rss_kb();
    run.files = stats.files;
    run.detail = "rebuild after a corrupt queue: findings=" + std::to_string(stats.findings);
    ctx.store().record_run(run);
    ctx.log.info("rescanned HEAD after the queue was rebuilt: {} files, {} findings", stats.files, stats.findings);
  }
  ctx.store().erase_state("rebuild_needed");
}

// At most this many commits a worker run catches up on (the rest waits for the next run), looking at no
// more than k_catch_up_visits commits of a branch's history.
constexpr size_t k_catch_up_commits = 200;
constexpr size_t k_catch_up_visits = 2000;

// Commits on local branches that no hook recorded: made while the loop was stopped (STOP, AUTOLOOP=0,
// enabled: false), while .git/autoloop had no space, or while a binary was missing. Each branch is walked
// back from its tip to where the last catch-up left it (state `catch_up:<ref>`), and only commits above
// handled history count (a scanned commit, or that previous tip, among their ancestors): what lies below
// the first scan predates the loop. Fills `done` with the tips walked to the end.
std::vector<std::string> catch_up_commits(Context& ctx, std::vector<std::pair<std::string, std::string>>& done) {
  queue::Store& store = ctx.store();
  auto first_scan = store.first_scan_time();
  if (!first_scan) return {};
  constexpr int64_t k_clock_skew = 86400;
  const std::string side_refs = "refs/heads/" + ctx.config.side_branch_prefix;
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& ref : ctx.repo.list_refs("refs/heads/")) {
    if (ref.rfind(side_refs, 0) == 0) continue;
    auto tip = ctx.repo.read_ref(ref);
    if (!tip) continue;
    const std::string key = "catch_up:" + ref;
    auto last = store.state(key);
    if (last && *last == *tip) continue;
    if (out.size() >= k_catch_up_commits) break;
    auto walk = ctx.repo.commits_since(
        *tip, last.value_or(""), *first_scan - k_clock_skew,
        [&](const std::string& c) { return seen.count(c) || store.is_commit_scanned(c); },
        k_catch_up_commits - out.size(), k_catch_up_visits);
    std::vector<std::string> found = std::move(walk.commits);
    // Keep those above handled history: a parent scanned, caught up on before (the previous tip) or itself
    // kept (repeated until nothing changes: the walk is by date, which is not always parents-last).
    std::set<std::string> above;
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& c : found) {
        if (above.count(c)) continue;
        for (const auto& p : ctx.repo.parents(c))
          if (above.count(p) || seen.count(p) || (last && p == *last) || store.is_commit_scanned(p)) {
            above.insert(c);
            grew = true;
            break;
          }
      }
    }
    found.erase(std::remove_if(found.begin(), found.end(), [&](const std::string& c) { return !above.count(c); }),
                found.end());
    for (auto& c : found)
      if (seen.insert(c).second) out.push_back(std::move(c));
    // A walk cut short by the visit limit gives up on what lies further back (logged); one cut short by the
    // commit limit goes on in the next run.
    if (walk.complete || out.size() < k_catch_up_commits) {
      if (!walk.complete)
        ctx.log.warn("catch-up: stopped walking {} after {} commits; older unscanned ones are left", ref,
                     k_catch_up_visits);
      done.emplace_back(key, *tip);
    }
  }
  // Parents before children, as the hooks would have recorded them.
  std::vector<std::string> ordered;
  std::set<std::string> wanted(out.begin(), out.end()), placed;
  std::function<void(const std::string&)> place = [&](const std::string& c) {
    if (!wanted.count(c) || !placed.insert(c).second) return;
    for (const auto& p : ctx.repo.parents(c)) place(p);
    ordered.push_back(c);
  };
  for (auto it = out.rbegin(); it != out.rend(); ++it) place(*it);
  return ordered;
}

// Peak resident memory of the largest child process this process has waited for so far, in KiB (in a
// worker: the providers' tools).
long children_peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return usage.ru_maxrss;
}

// The enabled providers on `commits` after the built-in rules (loop/provider_scan.hpp): within the
// hook's budget, and never a failure of the worker (a provider's own trouble is its run's problem, and a
// failure here is logged: the built-in findings are in already). Recorded as a run of kind `providers`:
// its duration, the worker's peak RSS and, in its detail, the largest tool process's
// (`children_peak_rss_kb=`): the tools are separate processes, so the worker's own figure leaves them out.
void run_providers(Context& ctx, const std::vector<std::string>& commits) {
  if (ctx.config.providers.empty() || commits.empty()) return;
  const auto t0 = Clock::now();
  queue::Run run;
  run.kind = "providers";
  run.started_at = now_seconds();
  run.commits = static_cast<int>(commits.size());
  try {
    const ProviderScanStats s = scan_with_providers(ctx, commits, ProviderPass::hook);
    ctx.log.info("providers: {} runs, {} findings, {} new, {} resolved, {} deferred, {} with a problem", s.runs,
                 s.findings, s.inserted, s.resolved, s.deferred, s.problems);
    run.detail = "runs=" + std::to_string(s.runs) + " findings=" + std::to_string(s.findings) +
                 " new_rows=" + std::to_string(s.inserted) + " resolved=" + std::to_string(s.resolved) +
                 " deferred=" + std::to_string(s.deferred) + " problems=" + std::to_string(s.problems);
  } catch (const std::exception& e) {
    ctx.log.error("providers: {}", e.what());
    run.error = e.what();
  }
  run.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  run.peak_rss_kb = peak_rss_kb();
  run.detail += (run.detail.empty() ? "" : " ") + std::string("children_peak_rss_kb=") +
                std::to_string(children_peak_rss_kb());
  try {
    ctx.store().record_run(run);
  } catch (const std::exception& e) {
    ctx.log.warn("cannot record the providers' run: {}", e.what());
  }
}

// Scans what catch_up_commits finds, then remembers how far each branch was caught up.
void catch_up(Context& ctx, WorkerResult& result) {
  // While a rebase, cherry-pick, merge or bisect is under way the events wait (deferred), and so does this.
  if (!hookcore::spool_empty(ctx.paths.spool()) ||
      hookcore::detect_git_state(ctx.paths.git_dir) != hookcore::GitState::normal)
    return;
  std::vector<std::pair<std::string, std::string>> done;
  auto commits = catch_up_commits(ctx, done);
  if (!commits.empty()) {
    auto stats = scan_now(ctx, commits, "catch-up");
    run_providers(ctx, commits);
    add_notices(ctx, stats.notices);
    ctx.log.info("caught up on {} commits no hook recorded", stats.commits);
    result.caught_up += stats.commits;
    result.stats.commits += stats.commits;
    result.stats.files += stats.files;
    result.stats.findings += stats.findings;
    result.stats.inserted += stats.inserted;
    result.stats.resolved += stats.resolved;
  }
  for (const auto& [key, tip] : done) ctx.store().set_state(key, tip);
}

} // namespace

scan::ScanStats scan_now(Context& ctx, const std::vector<std::string>& commits, const std::string& kind, bool force,
                         std::vector<scan::Located>* out) {
  auto t0 = Clock::now();
  double started = now_seconds();
  queue::Store& store = ctx.store();
  queue::Run run;
  run.kind = kind;
  run.started_at = started;
  scan::ScanStats stats;
  try {
    scan::CommitScanner scanner(ctx.repo, store, ctx.engine(), ctx.config, ctx.log);
    stats = scanner.scan_commits(commits, force, out);
  } catch (const std::exception& e) {
    run.error = e.what();
    run.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    run.peak_rss_kb = peak_rss_kb();
    try {
      store.record_run(run);
    } catch (const std::exception&) {
    }
    throw;
  }
  run.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  run.peak_rss_kb = peak_rss_kb();
  run.commits = stats.commits;
  run.files = stats.files;
  run.detail = "findings=" + std::to_string(stats.findings) + " new_rows=" + std::to_string(stats.inserted) +
               " resolved=" + std::to_string(stats.resolved) + " cached=" + std::to_string(stats.cached) +
               " skipped=" + std::to_string(stats.skipped) + " vendored=" + std::to_string(stats.vendored);
  store.record_run(run);
  ctx.log.info("{}: {} commits, {} files ({} cached), {} findings, {} new, {} resolved in {:.1f} ms", kind,
               stats.commits, stats.files, stats.cached, stats.findings, stats.inserted, stats.resolved,
               run.duration_ms);
  return stats;
}

namespace {

// Rounds of "consume the spool, let go, look again" one worker does at most (each finds new entries).
constexpr int k_max_rounds = 1000;

// The files of the entries in the spool now, or nullopt when it cannot be read.
std::optional<std::set<std::string>> spool_files(const std::filesystem::path& spool_dir) {
  try {
    std::set<std::string> out;
    for (const auto& e : hookcore::spool_read(spool_dir)) out.insert(e.file);
    return out;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// 2. of run_worker: takes what the spool holds, batch after batch, until a read finds nothing to take;
// `left` ends as the entries that wait (deferred). Then the rebuild rescan and the catch-up.
void consume_spool(Context& ctx, WorkerResult& result, bool& blocked, bool& recovered, std::set<std::string>& left) {
  const auto spool_dir = ctx.paths.spool();
  for (;;) {
    left.clear();
    auto entries = hookcore::spool_read(spool_dir);
    if (entries.empty()) break;
    // Each entry waits for its own worktree: a rebase stopped in one worktree holds back only its events.
    auto settled = [&](const hookcore::SpoolEntry& e) {
      std::filesystem::path dir = e.git_dir.empty() ? ctx.paths.git_dir : std::filesystem::path(e.git_dir);
      return hookcore::detect_git_state(dir) == hookcore::GitState::normal;
    };
    // git runs post-rewrite while rebase-merge/ still exists: its entry lists every rewritten
    // commit, so the deferred entries recorded before it in that worktree are settled by it.
    std::map<std::string, long long> rewritten_at;
    for (const auto& e : entries)
      if (e.event == "post-rewrite" && !e.deferred)
        rewritten_at[e.git_dir] = std::max(rewritten_at[e.git_dir], e.time_ns);
    auto superseded = [&](const hookcore::SpoolEntry& e) {
      auto it = rewritten_at.find(e.git_dir);
      return it != rewritten_at.end() && e.time_ns <= it->second;
    };
    std::vector<hookcore::SpoolEntry> take, corrupt;
    for (auto& e : entries) {
      if (e.event == "corrupt") corrupt.push_back(e);
      else if (!e.deferred || settled(e) || superseded(e)) take.push_back(e);
      else left.insert(e.file);
    }
    hookcore::spool_remove(corrupt);
    if (take.empty()) break;
    record_hook_latency(ctx);
    for (const auto& e : take) {
      if (e.hook_us <= 0) continue;
      queue::Run hook_run;
      hook_run.kind = "hook:" + e.event;
      hook_run.started_at = static_cast<double>(e.time_ns) / 1e9;
      hook_run.duration_ms = static_cast<double>(e.hook_us) / 1000.0;
      try {
        ctx.store().record_run(hook_run);
      } catch (const std::exception& ex) {
        ctx.log.warn("cannot record hook run: {}", ex.what());
      }
    }
    try {
      auto commits = commits_of(ctx, take);
      // The providers run on what this scan is the first to see (a rewritten commit seen before is not
      // run again).
      std::vector<std::string> fresh;
      for (const auto& c : commits)
        if (!ctx.store().is_commit_scanned(c)) fresh.push_back(c);
      auto stats = scan_now(ctx, commits, "scan");
      run_providers(ctx, fresh);
      add_notices(ctx, stats.notices);
      if (!stats.notices.empty()) notify_regressions(ctx, commits);
      record_coverage(ctx);
      result.stats.commits += stats.commits;
      result.stats.files += stats.files;
      result.stats.findings += stats.findings;
      result.stats.inserted += stats.inserted;
      result.stats.resolved += stats.resolved;
      // A malformed rule is off and the others ran: the next hook says so, as it says a failed scan.
      std::string broken;
      for (const auto& r : ctx.engine().rules()) // the set the scan used: not loaded a second time
        if (!r.broken.empty())
          broken += (broken.empty() ? "" : "\n") + ("rule " + r.id + " is off (the others ran): " + r.broken);
      auto last = core::read_file(ctx.paths.last_error());
      if (!broken.empty()) {
        write_last_error(ctx, broken);
      } else if (last && last->rfind("the queue database was corrupt", 0) != 0) {
        std::error_code ec;
        std::filesystem::remove(ctx.paths.last_error(), ec);
      }
    } catch (const queue::CorruptError& e) {
      // Damage found after the queue was opened: move it aside, start afresh and take these entries
      // again (the rescan of HEAD below brings back the rest). Once: a second failure is an error.
      if (!recovered) {
        recovered = true;
        ctx.recover_corrupt_store(e);
        continue;
      }
      ctx.log.error("scan failed: {}", e.what());
      write_last_error(ctx, std::string("scan failed: ") + e.what());
    } catch (const core::LocatedError& e) {
      // A malformed rule or config file: keep the events for after the fix, nothing is lost.
      ctx.log.error("scan failed: {}", e.what());
      write_last_error(ctx, std::string("scan failed: ") + e.what());
      blocked = true;
      break;
    } catch (const std::exception& e) {
      ctx.log.error("scan failed: {}", e.what());
      write_last_error(ctx, std::string("scan failed: ") + e.what());
    }
    // Other failures consume the entries: recorded in runs and last-error, not retried forever.
    hookcore::spool_remove(take);
    result.entries += static_cast<int>(take.size());
    ++result.batches;
  }
  if (!blocked) {
    try {
      rescan_after_rebuild(ctx);
    } catch (const std::exception& e) {
      ctx.log.error("rescan after the queue was rebuilt failed: {}", e.what());
    }
    try {
      catch_up(ctx, result);
    } catch (const std::exception& e) {
      ctx.log.error("catch-up scan failed: {}", e.what());
      write_last_error(ctx, std::string("scan failed: ") + e.what());
    }
  }
}

} // namespace

WorkerResult run_worker(Context& ctx, std::chrono::milliseconds scan_lock_wait) {
  WorkerResult result;
  const auto spool_dir = ctx.paths.spool();
  bool blocked = false; // a rule or config error: the events wait for the fix
  bool recovered = false; // the queue was found damaged mid-use once already
  // One worker per repository consumes the spool: worker.lock says one is alive (a hook starts no
  // other meanwhile), the scan lock keeps it from scanning beside `scan` or a pre-push check.
  //   1. take worker.lock, or leave: its holder (or the hook whose look holds it for a moment, which
  //      then starts a worker) sees our entries;
  //   2. consume the spool until a read finds nothing to take;
  //   3. let go of both locks, then look at the spool once more: an entry whose hook looked while we
  //      held the lock (and so started no worker) is there by now; new entries mean another round.
  std::set<std::string> left; // entries the last round left waiting (deferred)
  for (int round = 0; round < k_max_rounds; ++round) {
    {
      auto alive = hookcore::FileLock::try_acquire(ctx.paths.layout().worker_lock());
      if (!alive) {
        result.lock_busy = true;
        return result;
      }
      // A `scan --all` or a pre-push check holds it for a while: the spool waits meanwhile.
      auto lock = hookcore::FileLock::acquire(ctx.paths.scan_lock(), scan_lock_wait);
      if (!lock) {
        ctx.log.warn("worker: the scan lock stayed busy for {} ms; the spool waits for the next worker",
                     scan_lock_wait.count());
        result.lock_busy = true;
        return result;
      }
      consume_spool(ctx, result, blocked, recovered, left);
    }
    // 3. Both locks are released here.
    if (blocked) break;
    const auto now = spool_files(spool_dir);
    if (!now || std::all_of(now->begin(), now->end(), [&](const std::string& f) { return left.count(f) > 0; })) break;
  }
  return result;
}

void record_open_failure(const std::string& git_dir, const std::string& message) {
  if (git_dir.empty()) return;
  try {
    auto repo = hookcore::locate_repo(std::filesystem::current_path(), {{"GIT_DIR", git_dir}});
    if (!repo) return;
    const core::Layout layout = core::Layout::of_common_dir(repo->common_dir);
    std::error_code ec;
    std::filesystem::create_directories(layout.root(), ec);
    core::write_file_atomic(layout.last_error(), message + "\n");
  } catch (const std::exception&) {
  }
}

} // namespace loop
