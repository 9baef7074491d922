#pragma once
// Help the way git gives it: an overview for `git autoloop` alone and `help`, examples at the end of
// each command's --help, a man page and a bash completion generated from the same CLI definitions (the
// build writes both with `git-autoloop help --man` / `--completion bash`), and "did you mean" for
// unknown commands and options.

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace cli {

// The examples of a command (lines of `git autoloop ...`), "" when it has none.
std::string_view examples_for(std::string_view command);

// Appends the command's examples to its footer (its --help ends with them).
void add_examples(CLI::App& sub);

// The commands a user runs, one line each, grouped as a day of use goes; what to run next.
std::string overview(const CLI::App& app);

// git-autoloop(1) in roff: synopsis, each visible command with its options and examples, exit status.
std::string man_page(const CLI::App& app);

// A bash completion script: `_git_autoloop` (git's completion calls it for `git autoloop ...`, and loads
// this file as completions/git-autoloop to find it) and `complete` for the `git-autoloop` binary.
std::string bash_completion(const CLI::App& app);

// The candidate closest to `word` (core::closest); "" when none is.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

// What to print for a command line CLI11 refused because of an unknown word: "'x' is not a
// git-autoloop command" or "unknown option '--x'", with the closest name; "" when the error is another.
std::string unknown_word_message(const CLI::App& app, int argc, char** argv);

} // namespace cli
