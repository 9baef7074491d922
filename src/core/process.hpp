#pragma once
// Running external programs: argv only (never a shell), optional stdin, captured output,
// a timeout after which the whole process group is killed.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace core {

struct ProcessOptions {
  std::optional<std::filesystem::path> cwd;
  std::optional<std::string> input;                          // written to the child's stdin
  std::map<std::string, std::optional<std::string>> env;     // set (value) or unset (nullopt) on top of ours
  bool scrub_env = false;                                    // start from a minimal environment (PATH, HOME, LANG)
  std::chrono::milliseconds timeout{0};                      // 0: none
  bool capture = true;                                       // false: inherit stdout/stderr
  std::size_t max_output = 0;                                // per stream; 0: no cap (the rest is read and dropped)
};

struct ProcessResult {
  int exit_code = -1;        // the exit status, or 128+signal
  bool timed_out = false;
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0 && !timed_out; }
};

// Runs argv[0] (looked up on PATH) with the rest as arguments. Throws core::Error only when the
// program cannot be started at all; a non-zero exit is reported in the result.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Unsets the variables git exports to hooks (GIT_DIR, GIT_WORK_TREE, ...) in `options`, so a git
// command started from a hook acts on the repository of its cwd, not the hook's.
void unset_git_environment(ProcessOptions& options);

// Options for a git child in `cwd`: the hook's git variables unset (unset_git_environment), `timeout`.
ProcessOptions git_process_options(const std::filesystem::path& cwd, std::chrono::milliseconds timeout);

// Runs `git args...` in `cwd` and returns trimmed stdout; nullopt when git exits non-zero.
std::optional<std::string> git_output(const std::filesystem::path& cwd, const std::vector<std::string>& args);

} // namespace core
