#pragma once
// The built-in rules, parsed once per build rather than once per process. yaml-cpp takes ~13 ms for the
// 50 built-in rule files, a third of a no-op rescan; reading them back from a cache file written by the
// first process takes about 1 ms. The cache is keyed by the embedded rule texts, the Rule layout and
// the executable file (size, mtime, inode): a new build, or a cache file that is damaged, truncated or
// foreign, means a parse (and a fresh cache), never a wrong rule.

#include "scan/rule.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scan {

// The key of the current build's built-in rules: a digest of every embedded rule file, the format and
// the running executable's identity.
std::string builtin_rules_key();

// Rules as one self-checking blob, and back; nullopt when the blob is not for `key` or not readable.
std::string encode_rules(const std::vector<Rule>& rules, std::string_view key);
std::optional<std::vector<Rule>> decode_rules(std::string_view blob, std::string_view key);

// builtin_rules(), read from `cache_file` when it holds this build's, else parsed and written there
// (atomically, creating its directory but not the one above; a cache that cannot be written is
// only a slower next start). Throws what
// builtin_rules() throws.
std::vector<Rule> builtin_rules_cached(const std::filesystem::path& cache_file);

} // namespace scan
