#pragma once
// Trust of repository-controlled commands (DESIGN.md §6): a command that comes from a tracked file
// (test_command, fixers, notify_command in .autoloop.yml) runs only after `git autoloop trust`
// recorded that file's content hash; any change to the file revokes it. Local config is trusted.

#include "core/config.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace safety {

// The git blob id of `content` (what `git hash-object` prints).
std::string content_id(const std::string& content);

// Whether the value of `key` ("test_command", "notify_command", "fixers") may run: it is empty, or
// it comes from somewhere other than `repo_config`, or `repo_config`'s current content is trusted.
bool command_trusted(const core::Config& config, const std::string& key,
                     const std::optional<std::filesystem::path>& repo_config, const std::filesystem::path& trust_file);

// Records the current content of `repo_config` as trusted. Throws core::Error when it cannot be read.
std::string trust(const std::filesystem::path& repo_config, const std::filesystem::path& trust_file);

// Forgets any trust.
void revoke(const std::filesystem::path& trust_file);

} // namespace safety
