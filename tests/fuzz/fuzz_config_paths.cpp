// Fuzz target: configuration values that name refs and paths (side_branch_prefix, rules.directory,
// metrics.coverage_report), through core::load_config and the names the loop builds from them.
//
// Input: the shared .autoloop.yml text, then optionally "%%" and one `-c key.path=value` override per
// line, then optionally "%%" and one NAME=value environment variable per line (as fuzz_config).
//
// Checks: loading either throws core::Error (a located one for the file), or
//  - the side branch of every branch name below is refused by loop::side_branch_ref with core::Error, or
//    is a ref name git's rules accept as it is (libgit2's git_reference_normalize_name and core's own
//    check agree), lies under refs/heads/<side_branch_prefix>, and its file stays inside refs/heads/;
//    for "main" it is never refused (the prefix was checked at load);
//  - rules.directory and metrics.coverage_report resolve inside the work tree (lexically: what is on
//    disk is checked where the files are read).

#include "fuzz_input.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/refname.hpp"
#include "git/repo.hpp"
#include "loop/drain.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// The scratch directory of this target, and files written there (fuzz_input.hpp).
const fs::path& scratch() { return fuzz::scratch("fuzz-config-paths"); }
fs::path write(const std::string& name, const std::string& text) {
  scratch();
  return fuzz::write_scratch(name, text);
}

// Whether `value`, relative to `root`, names `root` or something below it (lexically).
bool stays_inside(const fs::path& root, const std::string& value) {
  const fs::path p(value);
  if (p.is_absolute() || p.has_root_name() || p.has_root_directory()) return false;
  const fs::path rel = (root / p).lexically_normal().lexically_relative(root);
  return !rel.empty() && (rel == "." || *rel.begin() != "..");
}

const std::vector<std::string> k_branches = {"main", "feat/x", "release-1.0", "a.b", "x", "user/topic/deep"};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> parts = fuzz::sections(data, size);
  core::ConfigSources sources;
  sources.repo_file = write("autoloop.yml", parts[0]);
  if (parts.size() > 1) sources.overrides = fuzz::lines(parts[1]);
  if (parts.size() > 2) {
    for (const std::string& line : fuzz::lines(parts[2])) {
      size_t equals = line.find('=');
      sources.env[line.substr(0, equals)] = equals == std::string::npos ? "" : line.substr(equals + 1);
    }
  }

  core::Config config;
  try {
    config = core::load_config(sources);
  } catch (const core::Error&) {
    return 0; // refused, with a message: the expected outcome for a hostile value
  }

  const std::string& prefix = config.side_branch_prefix;
  const fs::path heads = scratch() / "refs" / "heads";
  for (const std::string& branch : k_branches) {
    std::string ref;
    try {
      ref = loop::side_branch_ref(config, branch);
    } catch (const core::Error& e) {
      if (branch == "main") fuzz::broken("a prefix accepted at load makes no side branch for main", prefix + "\n" + e.what());
      continue;
    }
    const std::string detail = "prefix '" + prefix + "', branch '" + branch + "' -> '" + ref + "'";
    if (git::normalize_ref_name(ref) != std::optional<std::string>(ref)) fuzz::broken("libgit2 refuses or rewrites the side ref", detail);
    if (core::ref_name_problem(ref)) fuzz::broken("core's check refuses the side ref", detail);
    if (ref.rfind("refs/heads/" + prefix, 0) != 0) fuzz::broken("the side ref is not under refs/heads/<prefix>", detail);
    if (!core::is_inside(heads, heads / ref.substr(std::string("refs/heads/").size())))
      fuzz::broken("the side ref's file leaves refs/heads", detail);
  }

  const fs::path work_tree = scratch() / "work";
  for (const auto& [key, value] : {std::pair<const char*, const std::string&>{"rules.directory", config.rules.directory},
                                   {"metrics.coverage_report", config.metrics.coverage_report}}) {
    if (value.empty()) continue;
    if (!stays_inside(work_tree, value)) fuzz::broken("a path-valued key leaves the work tree", std::string(key) + ": '" + value + "'");
  }
  return 0;
}
