#pragma once
// Trust of what a repository brings that acts (docs/ARCHITECTURE.md §6): a command that comes from a tracked file
// (test_command, fixers, notify_command in .autoloop.yml) runs, and a repository rule's fix applies,
// only after `git autoloop trust` recorded the content it trusted: the hash of .autoloop.yml, and a
// digest of the repository's rules directory. Any change to either revokes that part. Local config and
// local rules are the user's and trusted.
//
// The trust file (.git/autoloop/trust), one record per line:
//   <blob id of .autoloop.yml> <path>           (absent when there is no .autoloop.yml)
//   rules <digest> <files> <rules directory>
// A file written before rules were covered has only the first line: its commands stay trusted, the
// repository's rules are not (they need `git autoloop trust` once more).

#include "core/config.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace safety {

// The git blob id of `content` (what `git hash-object` prints).
std::string content_id(const std::string& content);

// Whether the value of `key` ("test_command", "notify_command", "fixers") may run: it is empty, or
// it comes from somewhere other than `repo_config`, or `repo_config`'s current content is trusted.
bool command_trusted(const core::Config& config, const std::string& key,
                     const std::optional<std::filesystem::path>& repo_config, const std::filesystem::path& trust_file);

// The first of the commands a test run executes (test_command; test_setup before it; coverage_command in
// its place) that may not run, by key, or nullopt when all may: a trusted test_command from the local
// config does not let a repository's test_setup or coverage_command run with it. Throws core::Error when
// .autoloop.yml cannot be read.
std::optional<std::string> untrusted_test_command(const core::Config& config,
                                                  const std::optional<std::filesystem::path>& repo_config,
                                                  const std::filesystem::path& trust_file);

// What trust covers of a rules directory: one digest over every rule file's path (relative to the
// directory) and bytes, in path order, so adding, removing, renaming or editing a file changes it.
struct RulesDigest {
  std::string id;
  size_t files = 0;
};

// The digest of `files`, (relative path, content) pairs in any order. Does not throw.
RulesDigest rules_digest(std::vector<std::pair<std::string, std::string>> files);

// Whether `trust_file` records `digest` for the repository's rules. Does not throw.
bool rules_trusted(const std::string& digest, const std::filesystem::path& trust_file);

struct Trusted {
  std::string config_id;     // empty: there is no .autoloop.yml
  RulesDigest rules;
};

// Records the current content of `repo_config` (when the file exists) and `rules` (the digest of the
// directory `rules_dir`) as trusted, replacing what was trusted before. Throws core::Error when the
// trust file cannot be written.
Trusted trust(const std::optional<std::filesystem::path>& repo_config, const RulesDigest& rules,
              const std::string& rules_dir, const std::filesystem::path& trust_file);

// Forgets any trust: commands and repository rules alike.
void revoke(const std::filesystem::path& trust_file);

} // namespace safety
