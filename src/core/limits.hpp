#pragma once
// Limits on what a repository may make the loop read or match. A cloned repository is hostile input
// (docs/ARCHITECTURE.md §7.8): every file it names is read through core::read_untrusted_file with one of these caps,
// and every glob list it configures is capped at load. Named here, in one place, so that a reviewer sees
// them together. None is a config key: each is far above what a real repository needs.

#include <cstddef>
#include <cstdint>

namespace core {

// .autoloop.yml and .git/autoloop/config.yml. config/autoloop.yml with every key is about 6 KiB.
inline constexpr std::size_t k_max_config_bytes = std::size_t{1} << 20;

// One repository rule file (.yml) or its query (.scm). Built-in rules are under 4 KiB each.
inline constexpr std::size_t k_max_rule_file_bytes = std::size_t{256} << 10;

// Repository rule files (.yml) under rules.directory, and entries walked there to find them.
inline constexpr std::size_t k_max_rule_files = 500;
inline constexpr std::size_t k_max_rule_dir_entries = 20000;

// All repository rule files (.yml and .scm) together.
inline constexpr std::size_t k_max_rules_total_bytes = std::size_t{16} << 20;

// metrics.coverage_report: lcov tracefiles of large projects reach tens of MiB.
inline constexpr std::size_t k_max_coverage_bytes = std::size_t{64} << 20;

// scan.exclude and scan.test_paths: patterns per list and characters per pattern. Matching costs
// O(pattern length x path length) per pattern, so together these bound the cost per path.
inline constexpr std::size_t k_max_globs = 200;
inline constexpr std::size_t k_max_glob_length = 256;

// The largest scan.max_file_size a configuration may set: a blob is read whole before it is parsed.
inline constexpr std::int64_t k_max_scan_file_size = std::int64_t{64} << 20;

} // namespace core
