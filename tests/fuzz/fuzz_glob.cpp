// Fuzz target: path globs (core::glob_match), which a cloned repository controls through scan.exclude.
//
// Input: a pattern, then optionally "%%" and a path (without one, the pattern is matched against itself).
//
// Checks: every match finishes within k_time_limit (1 s) (the backtracking matcher this replaced took minutes
// on `**/**/.../x`); on inputs small enough for it, the result agrees with that old matcher
// (tests/unit/support/glob_reference.hpp), which defines the semantics; a pattern without metacharacters
// matches its own text; glob_any agrees with glob_match.

#include "fuzz_input.hpp"

#include "../unit/support/glob_reference.hpp"

#include "core/glob.hpp"
#include "core/limits.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace {

// Far above the linear matcher's worst case (18-60 ms under ASan with a loaded machine for a
// 150-character pattern of `*a` runs), far below the backtracking one's minutes: load cannot trip it.
constexpr auto k_time_limit = std::chrono::milliseconds(1000);
// Beyond these the reference may take exponential time.
constexpr size_t k_reference_pattern = 12;
constexpr size_t k_reference_path = 24;
constexpr size_t k_max_path = 4096; // PATH_MAX; longer paths are not a glob's problem

std::string quoted(const std::string& pattern, const std::string& path) {
  return "pattern '" + pattern + "' path '" + path + "'";
}

bool timed_match(const std::string& pattern, const std::string& path) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool result = core::glob_match(pattern, path);
  if (std::chrono::steady_clock::now() - t0 > k_time_limit)
    fuzz::broken("glob_match took longer than 1 s", quoted(pattern, path));
  return result;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> parts = fuzz::sections(data, size);
  // The config loader refuses longer patterns (core/limits.hpp): the time bound holds up to the cap.
  std::string pattern = parts[0].substr(0, core::k_max_glob_length);
  std::string path = parts.size() > 1 ? parts[1].substr(0, k_max_path) : pattern;

  const bool result = timed_match(pattern, path);
  if (pattern.size() <= k_reference_pattern && path.size() <= k_reference_path &&
      result != test_support::reference_glob(pattern, path))
    fuzz::broken(result ? "glob_match matched where the reference does not" : "glob_match missed a reference match",
                 quoted(pattern, path));
  if (core::glob_any({pattern}, path) != result) fuzz::broken("glob_any disagrees with glob_match", quoted(pattern, path));

  // Literal text matches itself (a leading '/' anchors and is not part of the path; a trailing '/'
  // means "below", so it is left out).
  if (pattern.find_first_of("*?") == std::string::npos && (pattern.empty() || pattern.back() != '/')) {
    const std::string self = !pattern.empty() && pattern[0] == '/' ? pattern.substr(1) : pattern;
    if (!timed_match(pattern, self)) fuzz::broken("a literal pattern does not match its own text", quoted(pattern, self));
  }
  return 0;
}
