#pragma once
// The shape of a subcommand: a function that declares its options on a CLI11 subcommand and
// returns the function that runs it once the command line is parsed.

#include "loop/context.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace cli {

// Options every subcommand understands.
struct Global {
  std::vector<std::string> overrides;   // -c key.path=value
  std::string git_dir;                  // --git-dir (the worker and hooks pass it)
  std::string colour;                   // --color=WHEN (auto, always, never); empty: not given (cli/terminal.hpp)
  bool no_pager = false;                // --no-pager
};

using Runner = std::function<int(const Global&)>;

// An option's check that its value is one of `names`; the refusal names them and the closest
// (core::did_you_mean): "unknown value 'htm' (expected text, json, html); did you mean 'html'?".
CLI::Validator one_of(std::vector<std::string> names);

// How a subcommand opens the repository: -c overrides and --git-dir from the command line.
inline loop::OpenOptions open_options(const Global& g, bool load_config = true) {
  loop::OpenOptions options;
  options.overrides = g.overrides;
  options.load_config = load_config;
  if (!g.git_dir.empty()) options.git_dir = g.git_dir;
  return options;
}

struct Command {
  const char* name;
  const char* help;
  Runner (*define)(CLI::App& sub);
  bool hidden = false;
};

// `given` (as typed: relative to the current directory, or absolute) as a path relative to the work
// tree `top`. It must exist and lie inside the work tree (symlinks resolved), else core::Fatal (usage).
std::string repository_path(const std::filesystem::path& top, const std::string& given);

// The notes ref given on the command line (`notes --ref`, `ci --notes-ref`), checked by loop::notes_ref;
// a bad one is a usage error (core::Fatal). Defined in cmd_notes.cpp.
std::string usage_notes_ref(const std::string& given);

// After core::Interrupted left a drain: records the interrupted cycle (loop::finish_interrupted_drain),
// says so on stderr and returns the exit code (128 + signal: 130 for SIGINT, 143 for SIGTERM).
int interrupted_drain_exit(loop::Context& ctx, int signal);

// The table (cli.cpp), in help order.
const std::vector<Command>& commands();

Runner define_scan(CLI::App& sub);
Runner define_ci(CLI::App& sub);
Runner define_notes(CLI::App& sub);
Runner define_queue(CLI::App& sub);
Runner define_status(CLI::App& sub);
Runner define_report(CLI::App& sub);
Runner define_config(CLI::App& sub);
Runner define_rules(CLI::App& sub);
Runner define_stop(CLI::App& sub);
Runner define_resume(CLI::App& sub);
Runner define_doctor(CLI::App& sub);
Runner define_install(CLI::App& sub);
Runner define_uninstall(CLI::App& sub);
Runner define_worker(CLI::App& sub);
Runner define_drain(CLI::App& sub);
Runner define_review(CLI::App& sub);
Runner define_run(CLI::App& sub);
Runner define_trust(CLI::App& sub);
Runner define_improve(CLI::App& sub);
Runner define_hook(CLI::App& sub);
Runner define_merge_driver(CLI::App& sub);
Runner define_resolve(CLI::App& sub);
Runner define_retry(CLI::App& sub);
Runner define_help(CLI::App& sub);

} // namespace cli
