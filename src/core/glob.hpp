#pragma once
// Path globs as in .gitignore-style configs: `*` and `?` stay within a path segment, `**` spans
// segments; a pattern without '/' matches the basename anywhere.

#include <string>
#include <string_view>
#include <vector>

namespace core {

// Whether `path` (relative, '/'-separated) matches `pattern`.
bool glob_match(std::string_view pattern, std::string_view path);

// Whether any of `patterns` matches `path`.
bool glob_any(const std::vector<std::string>& patterns, std::string_view path);

} // namespace core
