#include "cli/cli.hpp"

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/help.hpp"
#include "core/error.hpp"
#include "core/printable.hpp"
#include "loop/context.hpp"
#include "loop/drain.hpp"
#include "loop/errors.hpp"

#include <cstdio>
#include <map>

namespace cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> k_commands = {
      {"install", "Install the hooks into this repository (keeps and chains existing hooks)", define_install},
      {"uninstall", "Remove the hooks and restore what was there before", define_uninstall},
      {"scan", "Scan commits or files for improvement opportunities", define_scan},
      {"ci", "Report the findings a range of commits introduced (SARIF, Markdown); fail on ci.block_on", define_ci},
      {"notes", "Export or import scan results through a notes ref (refs/notes/autoloop) shared with fetch and push", define_notes},
      {"queue", "List the opportunities in the queue", define_queue},
      {"status", "Show whether the loop runs, the queue and the last runs", define_status},
      {"report", "Quality trend, fix acceptance, loop health and patterns (text, json, html, prometheus)", define_report},
      {"config", "Show the configuration (and where each value came from)", define_config},
      {"rules", "List, explain and test rules", define_rules},
      {"drain", "Turn queued opportunities into validated fix commits on autoloop/<branch>", define_drain},
      {"review", "Accept (cherry-pick) or reject the fixes on the side branch", define_review},
      {"retry", "Reopen refused fixes (failed tests, timeouts, gates) so that the next drain tries them again", define_retry},
      {"run", "Run the loop in the foreground: a scan and a drain cycle every DURATION, until stopped", define_run},
      {"improve", "Ask the configured generator (e.g. an LLM command line) for a change, validated and reviewed like any fix", define_improve},
      {"trust", "Allow the commands in the tracked .autoloop.yml (test_command, ...) to run and the repository's rules to fix", define_trust},
      {"stop", "Emergency stop: hooks and workers do nothing until `resume`", define_stop},
      {"resume", "Undo stop (and a paused loop); scans the commits made while stopped", define_resume},
      {"doctor", "Check that hooks, binaries, grammars, config and database work", define_doctor},
      {"resolve", "Re-merge conflicted files with the syntax-aware merge (stages them when clean)", define_resolve},
      {"help", "Show the commands, one command's options and examples, or the manual", define_help},
      {"merge-driver", "The syntax-aware merge driver git runs (%O %A %B %L %P)", define_merge_driver, true},
      {"worker", "Process recorded hook events (started by the hooks)", define_worker, true},
      {"hook", "Entry points used by the hook binary", define_hook, true},
  };
  return k_commands;
}

namespace {

void fail_line(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "git-autoloop: error: %s\n", core::printable(message).c_str());
}

} // namespace

// `given` (as typed: relative to the current directory, or absolute) as a path relative to the work
// tree `top`. It must exist and lie inside the work tree (symlinks resolved), else core::Fatal.
std::string repository_path(const std::filesystem::path& top, const std::string& given) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  const fs::path typed = fs::path(given).is_absolute() ? fs::path(given) : cwd / given;
  if (given.empty() || !fs::exists(fs::symlink_status(typed, ec)))
    throw core::Fatal(given + ": no such file or directory (paths are taken relative to the current directory, " +
                          cwd.string() + ")",
                      k_exit_usage);
  const fs::path resolved = fs::weakly_canonical(typed, ec);
  const fs::path root = fs::weakly_canonical(top, ec);
  const fs::path rel = resolved.lexically_relative(root);
  if (ec || rel.empty() || *rel.begin() == ".." || rel.is_absolute())
    throw core::Fatal(given + " is outside the repository's work tree (" + root.string() + ")", k_exit_usage);
  if (*rel.begin() == ".git")
    throw core::Fatal(given + " is inside .git, not a file of the work tree", k_exit_usage);
  return rel.generic_string();
}


int interrupted_drain_exit(loop::Context& ctx, int signal) {
  std::string line;
  try {
    line = loop::finish_interrupted_drain(ctx, signal);
  } catch (const std::exception& e) {
    line = "drain interrupted (" + core::Interrupted(signal).signal_name() + "); the next drain records the cycle (" +
           e.what() + ")";
  } catch (const core::Interrupted&) {
    line = "drain interrupted twice; the next drain records the cycle and cleans what was left";
  }
  std::fflush(stdout);
  std::fprintf(stderr, "git-autoloop: %s\n", line.c_str());
  return core::Interrupted(signal).exit_code();
}

int main(int argc, char** argv) {
  CLI::App app{"git-autoloop: a continuous, reviewable code-improvement loop for git repositories", "git-autoloop"};
  app.require_subcommand(1);
  app.fallthrough(); // --git-dir and -c may follow the subcommand (the hook binary passes them so)
  app.set_version_flag("--version", std::string("git-autoloop ") + AUTOLOOP_VERSION);
  Global global;
  app.add_option("-c", global.overrides, "Set a configuration value for this run (key.path=value)")->type_name("KEY=VALUE");
  app.add_option("--git-dir", global.git_dir, "Repository git directory (default: discovered from the current directory)");
  app.add_option("--color", global.colour,
                 "Colour the output: auto (on a terminal, unless NO_COLOR is set; git's color.ui decides), always, never")
      ->type_name("WHEN")
      ->check(one_of({"auto", "always", "never"}));
  app.add_flag("--no-pager", global.no_pager,
               "Do not pipe long output (queue, review --list, report, rules, help) into a pager on a terminal");
  std::map<CLI::App*, Runner> runners;
  for (const auto& c : commands()) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    if (c.hidden) sub->group("");
    runners[sub] = c.define(*sub);
    add_examples(*sub);
  }
  // `git autoloop` alone (or with only global options): what there is to run, as git does.
  bool has_command = false;
  for (int i = 1; i < argc && !has_command; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-c" || arg == "--git-dir" || arg == "--color") ++i;
    else has_command = !arg.empty() && arg[0] != '-';
    if (arg == "--help" || arg == "-h" || arg == "--version") has_command = true;
  }
  if (!has_command) {
    std::fputs(overview(app).c_str(), stdout);
    return k_exit_ok;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (std::string word = unknown_word_message(app, argc, argv); !word.empty() && e.get_exit_code() != 0) {
      fail_line(word);
      return k_exit_usage;
    }
    if (e.get_exit_code() == 0) return app.exit(e) == 0 ? k_exit_ok : k_exit_usage; // --help, --version
    fail_line(e.what());
    return k_exit_usage;
  }
  try {
    for (CLI::App* sub : app.get_subcommands()) return runners.at(sub)(global);
    return k_exit_usage;
  } catch (const core::LocatedError& e) {
    fail_line(e.what());
    return k_exit_config;
  } catch (const core::Fatal& e) {
    fail_line(e.what());
    return e.exit_code();
  } catch (const core::Error& e) {
    fail_line(e.what());
    switch (loop::error_source(e)) {
    case loop::ErrorSource::repository:
      return k_exit_repository;
    case loop::ErrorSource::queue:
      if (auto failed = loop::set_aside_corrupt_queue_after(e))
        fail_line("cannot move the corrupt queue aside: " + *failed);
      return k_exit_database;
    case loop::ErrorSource::other:
      break;
    }
    return k_exit_failed;
  } catch (const std::exception& e) {
    fail_line(std::string("internal error: ") + e.what());
    return k_exit_internal;
  } catch (const core::Interrupted& e) {
    // A command that ran under an InterruptGuard without handling the interruption itself.
    fail_line("interrupted by " + e.signal_name());
    return e.exit_code();
  }
}

} // namespace cli
