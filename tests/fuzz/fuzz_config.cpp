// Fuzz target: configuration loading (core::load_config).
//
// Input: the shared .autoloop.yml text, then optionally "%%" and one `-c key.path=value` override per
// line, then optionally "%%" and one NAME=value environment variable per line.
//
// Checks: loading either succeeds or throws core::Error (never another exception, never a crash);
// every key of config_entries() has an origin; and the rendered entries (what `git autoloop config`
// prints) written back as a file load to the same entries.

#include "fuzz_input.hpp"

#include "core/config.hpp"
#include "core/error.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// The scratch directory of this target, and files written there (fuzz_input.hpp).
const fs::path& scratch() { return fuzz::scratch("fuzz-config"); }
fs::path write(const std::string& name, const std::string& text) {
  scratch();
  return fuzz::write_scratch(name, text);
}

// The entries as a YAML file: top-level keys as they are, "section.key" under its section.
std::string as_file(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::vector<std::string> order;
  std::map<std::string, std::string> body;
  std::string out;
  for (const auto& [path, value] : entries) {
    size_t dot = path.find('.');
    if (dot == std::string::npos) {
      out += path + ": " + value + "\n";
      continue;
    }
    std::string section = path.substr(0, dot);
    if (!body.count(section)) order.push_back(section);
    body[section] += "  " + path.substr(dot + 1) + ": " + value + "\n";
  }
  for (const auto& section : order) out += section + ":\n" + body[section];
  return out;
}

std::string show(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out;
  for (const auto& [path, value] : entries) out += path + " = " + value + "\n";
  return out;
}

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
    return 0; // a clear error is the expected outcome for most inputs
  }

  auto entries = core::config_entries(config);
  for (const auto& [path, value] : entries)
    if (!config.origin.count(path)) fuzz::broken("a config entry has no origin", path);

  // What `git autoloop config` shows must read back as the same configuration.
  core::ConfigSources again;
  std::string text = as_file(entries);
  again.repo_file = write("rendered.yml", text);
  try {
    auto reread = core::config_entries(core::load_config(again));
    if (reread != entries) fuzz::broken("rendered config reads back differently", text + "--- read back as:\n" + show(reread));
  } catch (const core::Error& e) {
    fuzz::broken("rendered config does not load", text + "--- error: " + e.what());
  }
  return 0;
}
