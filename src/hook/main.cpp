// autoloop-hook: what git runs for post-commit, post-merge, post-rewrite and pre-push. `git autoloop
// install` copies this binary into the hooks directory (hookcore/hook_install.hpp) with the main
// binary's path written into its configuration block, so git starts it directly: no shell, no other
// process before the work. It links only the C++ standard library (statically) so that a commit pays
// about as much for it as for a one-line shell hook (docs/ARCHITECTURE.md §3): it runs the displaced hook, records
// what to scan in the spool, starts the detached worker, and exits. It never blocks a commit and never
// touches the work tree, index, HEAD or refs (docs/ARCHITECTURE.md §7.1); pre-push is the one hook that waits, for
// `git-autoloop hook pre-push`.
//
//   <hooks dir>/<hook> [hook args...]                            an installed copy (configured)
//   autoloop-hook --main <git-autoloop> --hooks-dir <dir> <hook> [hook args...]   (the shims of
//                                                                earlier versions; tests)
//   autoloop-hook --main <git-autoloop> --no-chained <hook> [hook args...]   (`git autoloop hook
//                                                                <hook>`, a line in a hook manager's script)

#include "core/fs.hpp"
#include "core/layout.hpp"
#include "core/printable.hpp"
#include "hookcore/hook_install.hpp"
#include "hookcore/lock.hpp"
#include "hookcore/repo_locate.hpp"
#include "hookcore/spawn.hpp"
#include "hookcore/spool.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <time.h>
#include <unistd.h>
#include <vector>

// The configuration block install fills in each copy: the magic, then the main binary's path. volatile:
// the bytes in the file are what counts, never what the compiler saw.
extern "C" {
__attribute__((used, section(".autoloop_hook"))) volatile char autoloop_hook_config[hookcore::k_hook_config_size] =
    AUTOLOOP_HOOK_MAGIC;
}

namespace fs = std::filesystem;
using namespace hookcore;

namespace {

struct Invocation {
  std::string main_binary;
  fs::path hooks_dir;
  std::string hook;
  std::vector<std::string> args;
};

// The main binary written into this copy by install; empty in the binary as built.
std::string configured_main_binary() {
  std::string out;
  for (size_t i = k_hook_magic.size(); i < k_hook_config_size && autoloop_hook_config[i] != '\0'; ++i)
    out += autoloop_hook_config[i];
  return out;
}

std::optional<Invocation> parse_args(int argc, char** argv) {
  Invocation inv;
  // An installed copy: git runs it as <hooks dir>/<hook>, with the hook's own arguments only.
  inv.main_binary = configured_main_binary();
  if (!inv.main_binary.empty() && argc >= 1) {
    const fs::path self = argv[0];
    inv.hook = self.filename().string();
    inv.hooks_dir = self.has_parent_path() ? self.parent_path() : fs::path(".");
    if (std::find(std::begin(k_autoloop_hooks), std::end(k_autoloop_hooks), inv.hook) == std::end(k_autoloop_hooks))
      return std::nullopt;
    inv.args.assign(argv + 1, argv + argc);
    return inv;
  }
  int i = 1;
  bool chain = true;
  while (i < argc && argv[i][0] == '-') {
    const std::string flag = argv[i];
    if (flag == "--no-chained") { // `git autoloop hook`, called from a line in someone's script: nothing to chain
      chain = false;
      ++i;
      continue;
    }
    if (i + 1 >= argc) return std::nullopt;
    if (flag == "--main") inv.main_binary = argv[i + 1];
    else if (flag == "--hooks-dir") inv.hooks_dir = argv[i + 1];
    else return std::nullopt;
    i += 2;
  }
  if (i >= argc || inv.main_binary.empty() || (chain && inv.hooks_dir.empty())) return std::nullopt;
  inv.hook = argv[i];
  inv.args.assign(argv + i + 1, argv + argc);
  return inv;
}

std::string read_stdin() {
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(0, buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Terminal output stays short and appears once per distinct problem; the log keeps every occurrence.
void report(const std::optional<RepoLocation>& repo, const std::string& hook, const std::string& message) {
  if (!repo) {
    std::fprintf(stderr, "git-autoloop: hook %s: %s\n", hook.c_str(), core::printable(message).c_str());
    return;
  }
  fs::path log_dir = core::Layout::of_common_dir(repo->common_dir).log_dir();
  if (record_hook_error(log_dir, hook, message))
    std::fprintf(stderr, "git-autoloop: hook %s: %s (details in %s)\n", hook.c_str(), core::printable(message).c_str(),
                 (log_dir / "hook-errors.log").c_str());
}

// CPU time this process used before main: git's fork child, the exec and the C++ runtime's start. It
// is spent before anything can read a clock, and it is CPU-bound (no I/O once the binary is cached), so
// its CPU time stands for its wall time.
std::chrono::microseconds time_before_main() {
  timespec ts{};
  if (::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return std::chrono::microseconds(0);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::nanoseconds(ts.tv_nsec));
}

// Appends what this hook cost its commit, exec to exit ("<hook> <unix ns> <µs>"), for the worker to
// record (`status` and `report` show it). One write(2) of a short line to an O_APPEND file: hooks
// running at once never interleave. Best effort: a hook never fails for its statistics.
void record_latency(const core::Layout& layout, const std::string& hook, std::chrono::microseconds before_main,
                    std::chrono::steady_clock::time_point start) {
  const auto total = before_main + std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch());
  const std::string line = hook + " " + std::to_string(now_ns.count()) + " " + std::to_string(total.count()) + "\n";
  const int fd = ::open(layout.hook_latency().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return;
  ssize_t written = ::write(fd, line.data(), line.size());
  (void)written;
  ::close(fd);
}

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::optional<std::string>(value) : std::nullopt;
}

} // namespace

int main(int argc, char** argv) {
  const auto before_main = time_before_main();
  const auto start = std::chrono::steady_clock::now();
  auto inv = parse_args(argc, argv);
  if (!inv) {
    if (configured_main_binary().empty())
      std::fprintf(stderr, "git-autoloop: usage: autoloop-hook --main PATH (--hooks-dir DIR | --no-chained) HOOK [ARGS...]\n");
    else
      std::fprintf(stderr, "git-autoloop: %s is not a hook git-autoloop handles; run `git autoloop install` again\n",
                   argc > 0 ? argv[0] : "?");
    return 0;
  }
  const bool pre_push = inv->hook == "pre-push";
  std::optional<std::string> input;
  if (pre_push || inv->hook == "post-rewrite") input = read_stdin();

  // 1. The hook we displaced runs first and unconditionally: it is the user's, not ours to skip.
  int chained_status = 0;
  std::optional<std::string> chained_error;
  fs::path chained = inv->hooks_dir.empty() ? fs::path() : inv->hooks_dir / (inv->hook + ".autoloop-chained");
  if (!chained.empty() && ::access(chained.c_str(), X_OK) == 0) {
    std::vector<std::string> chained_argv{chained.string()};
    chained_argv.insert(chained_argv.end(), inv->args.begin(), inv->args.end());
    try {
      chained_status = run_and_wait(chained_argv, input);
    } catch (const std::exception& e) {
      chained_status = 1; // a pre-push check that could not run must not pass silently
      chained_error = e.what();
    }
  }
  const int final_status = pre_push ? chained_status : 0;

  std::optional<RepoLocation> repo;
  try {
    std::map<std::string, std::string> git_env;
    for (const char* name : {"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR"})
      if (auto value = env(name)) git_env[name] = *value;
    repo = locate_repo(fs::current_path(), git_env);
    if (chained_error) report(repo, inv->hook, "cannot run " + chained.string() + ": " + *chained_error);

    // 2. Switched off, or nowhere to work: only the chained hook counted.
    if (env("AUTOLOOP") == std::optional<std::string>("0") || !repo || repo->bare) return final_status;
    // Stopped: nothing runs, but pre-push still refuses to push side branches (`hook pre-push` checks that
    // before it honours the stop).
    const core::Layout layout = core::Layout::of_common_dir(repo->common_dir);
    const bool stopped = fs::exists(layout.stop_file());
    if (stopped && !pre_push) return final_status;
    // A background scan that failed (a malformed .autoloop.yml, say) is shown here, once per message.
    if (auto last = stopped ? std::nullopt : core::read_file(layout.last_error())) {
      std::string message = *last;
      while (!message.empty() && message.back() == '\n') message.pop_back();
      if (!message.empty()) report(repo, inv->hook, message);
    }
    // What the last scans found worth saying (complexity regressions, new security findings): shown
    // once. Taken away by a rename first, so lines a worker appends meanwhile wait for the next hook.
    if (!stopped) {
      const fs::path notices = layout.notices();
      const fs::path taken = layout.notices_taken(static_cast<long>(::getpid()));
      if (::rename(notices.c_str(), taken.c_str()) == 0) {
        if (auto text = core::read_file(taken)) {
          for (size_t at = 0; at < text->size();) {
            size_t nl = text->find('\n', at);
            std::string line = text->substr(at, nl == std::string::npos ? std::string::npos : nl - at);
            if (!line.empty()) std::fprintf(stderr, "git-autoloop: %s\n", core::printable(line).c_str());
            if (nl == std::string::npos) break;
            at = nl + 1;
          }
        }
        std::error_code ec;
        fs::remove(taken, ec);
      }
    }
    const std::string git_dir = repo->git_dir.string();
    if (::access(inv->main_binary.c_str(), X_OK) != 0)
      throw std::runtime_error(inv->main_binary + " is missing or not executable; run `git autoloop install` again");

    // 3. pre-push waits for the scan; only a deliberate block (exit 1) stops the push. When the user's own
    //    hook already refused the push, the scan would be wasted waiting.
    if (pre_push && chained_status != 0) return chained_status;
    if (pre_push) {
      std::vector<std::string> check{inv->main_binary, "hook", "pre-push", "--git-dir", git_dir};
      check.insert(check.end(), inv->args.begin(), inv->args.end());
      int status = run_and_wait(check, input);
      if (status != 0 && status != 1)
        report(repo, inv->hook, inv->main_binary + " hook pre-push exited with status " + std::to_string(status));
      return status == 1 ? 1 : 0;
    }

    // 4. Record, then start the worker unless a rebase/merge/... is still in progress, or a worker is
    //    alive: one worker per repository consumes the spool. The order matters: the entry is in the
    //    spool before we look, and a worker lets go of its lock before it looks at the spool one last
    //    time (loop::run_worker), so whichever of us looks second sees the other, and no entry is stranded.
    auto entry = hook_entry(inv->hook, inv->args, input.value_or(""), *repo);
    if (!entry) return final_status;
    entry->deferred = hook_should_defer(inv->hook, inv->args, *repo);
    entry->hook_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start)
                         .count();
    spool_append(layout.spool(), *entry);
    if (!entry->deferred && !FileLock::held_elsewhere(layout.worker_lock()) &&
        !spawn_detached({inv->main_binary, "worker", "--git-dir", git_dir}, Reap::by_init))
      throw std::runtime_error("cannot start the background worker (fork failed)");
    record_latency(layout, inv->hook, before_main, start);
  } catch (const std::exception& e) {
    report(repo, inv->hook, e.what());
  }
  return final_status;
}
