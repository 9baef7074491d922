#pragma once
// Path globs as in .gitignore-style configs: `*` and `?` stay within a path segment, `**` spans
// segments; a pattern without '/' matches the basename anywhere.
//
// Exactly: `?` is one character but '/'; `*` any run without '/'; `**/` nothing or any run ending in
// '/' (zero or more whole segments); `**` elsewhere any run, '/' included; a leading '/' anchors (and
// is dropped); a trailing '/' means everything below (`dir/` is `dir/**`). Every other character,
// `[` and `\` included, matches itself: there are no classes and no escapes.
// Matching takes O(pattern length x path length) time whatever the pattern (no backtracking): the
// repository controls scan.exclude. Config loading caps pattern count and length (core/limits.hpp).

#include <string>
#include <string_view>
#include <vector>

namespace core {

// Whether `path` (relative, '/'-separated) matches `pattern`.
bool glob_match(std::string_view pattern, std::string_view path);

// Whether any of `patterns` matches `path`.
bool glob_any(const std::vector<std::string>& patterns, std::string_view path);

} // namespace core
