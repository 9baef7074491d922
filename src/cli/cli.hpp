#pragma once
// The command line: one table of subcommands (one file each in src/cli/), and the one place that
// catches broadly and turns errors into `git-autoloop: error: ...` and an exit code.

namespace cli {

// Runs `git-autoloop` with the process arguments; returns the exit code (cli/exit_codes.hpp).
int main(int argc, char** argv);

} // namespace cli
