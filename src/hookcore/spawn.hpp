#pragma once
// Starting processes from the hook binary with nothing but POSIX: the detached background worker, and
// the chained hook / pre-push check that the hook waits for. (core::run_process captures output and
// supports timeouts; the hook needs neither, and must not link anything heavier.)

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hookcore {

// Who reaps the short-lived intermediate child of spawn_detached.
enum class Reap {
  wait,    // the caller waits for it: nothing is left behind, whatever the caller does next
  by_init, // the caller is about to exit (the hook): not waiting saves a scheduler round trip, which costs
           // 0.3-5 ms on a busy machine; the child is a zombie until the caller exits, then init reaps it
};

// Starts argv (argv[0] an absolute path) fully detached: double fork so git never waits and no zombie
// remains; the worker gets its own session, nice +19 and the idle CPU and I/O classes (from before its
// exec), /dev/null on stdin/stdout/stderr, no other fds,
// default signal handling, and no GIT_DIR / GIT_WORK_TREE / GIT_INDEX_FILE / GIT_PREFIX / GIT_COMMON_DIR /
// GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES. Returns false when it could not fork (with
// Reap::wait also when the second fork failed); whether the exec succeeds is not observable from here.
// Never throws.
bool spawn_detached(const std::vector<std::string>& argv, Reap reap = Reap::wait);

// Runs argv and waits for it. The child inherits our environment, cwd, stdout and stderr (the user sees
// its output); stdin is our own when `input` is nullopt, else a pipe fed with `input`. A script without a
// `#!` line is run by /bin/sh, as git does for hooks. Returns the exit status, 128+signal when killed,
// 127 when it could not be executed. Throws core::Error when no process could be created.
int run_and_wait(const std::vector<std::string>& argv, const std::optional<std::string_view>& input);

} // namespace hookcore
