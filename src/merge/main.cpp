// autoloop-merge: the merge driver git runs once per conflicted file (merge.autoloop.driver, registered
// by `git autoloop install`). It holds the merge (merge/driver.hpp), the parser and the grammars, and
// nothing of the rest of git-autoloop (no queue, no YAML, no logging, no command-line library), linked
// statically: a file then costs about what `git merge-file` costs instead of paying for the dynamic
// loading of two dozen libraries first.
//
//   autoloop-merge [--conflict-style merge|diff3|zdiff3] [--labels OURS,BASE,THEIRS] %O %A %B %L %P
//
// Exit codes as git reads them: 0 merged, 1 conflicts left in %A, 2 an error (message on stderr).

#include "core/error.hpp"
#include "merge/driver.hpp"

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

constexpr const char* k_usage =
    "usage: autoloop-merge [--conflict-style merge|diff3|zdiff3] [--labels OURS,BASE,THEIRS] %O %A %B %L %P\n";

// The value of `--name VALUE` or `--name=VALUE` at argv[i] (advancing i past it); nullopt when argv[i] is not it.
std::optional<std::string> option_value(const std::vector<std::string>& argv, size_t& i, const std::string& name) {
  const std::string& arg = argv[i];
  if (arg.rfind(name + "=", 0) == 0) return arg.substr(name.size() + 1);
  if (arg != name) return std::nullopt;
  if (i + 1 >= argv.size()) throw core::Fatal(name + " needs a value", merge::k_driver_error);
  return argv[++i];
}

merge::DriverArgs parse_arguments(const std::vector<std::string>& argv) {
  merge::DriverArgs out;
  std::vector<std::string> files;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (auto style = option_value(argv, i, "--conflict-style")) {
      out.style = merge::parse_style(*style);
      if (!out.style) throw core::Fatal("--conflict-style must be merge, diff3 or zdiff3, not '" + *style + "'", merge::k_driver_error);
    } else if (auto labels = option_value(argv, i, "--labels")) {
      out.labels = merge::parse_labels(*labels);
      if (!out.labels) throw core::Fatal("--labels needs three comma-separated labels: OURS,BASE,THEIRS", merge::k_driver_error);
    } else if (argv[i] == "--") {
      files.insert(files.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
      break;
    } else if (argv[i].size() > 1 && argv[i][0] == '-') {
      throw core::Fatal("unknown option " + argv[i] + "\n" + k_usage, merge::k_driver_error);
    } else {
      files.push_back(argv[i]);
    }
  }
  if (files.size() != 5) throw core::Fatal(std::string("expected 5 arguments, got ") + std::to_string(files.size()) + "\n" + k_usage, merge::k_driver_error);
  out.base = files[0];
  out.ours = files[1];
  out.theirs = files[2];
  out.marker_size = files[3];
  out.path = files[4];
  return out;
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(k_usage, stdout);
    return 0;
  }
  if (args.size() == 1 && args[0] == "--version") {
    std::printf("autoloop-merge %s\n", AUTOLOOP_VERSION);
    return 0;
  }
  try {
    return merge::run_driver(parse_arguments(args));
  } catch (const core::Fatal& e) {
    std::fprintf(stderr, "autoloop-merge: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "autoloop-merge: error: %s\n", e.what());
    return merge::k_driver_error;
  }
}
