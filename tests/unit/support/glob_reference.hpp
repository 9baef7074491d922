#pragma once
// The recursive backtracking matcher core::glob_match used before its linear-time rewrite (exponential on
// `**/**/.../x`): the reference its semantics are checked against, by the unit test and the fuzz target,
// on inputs small enough for it. Kept exactly as it was.

#include <string>
#include <string_view>

namespace test_support {

inline bool reference_match(std::string_view p, std::string_view s) {
  while (!p.empty()) {
    if (p.substr(0, 2) == "**") {
      p.remove_prefix(2);
      bool slash = !p.empty() && p[0] == '/';
      if (slash) p.remove_prefix(1);
      if (p.empty()) return true;
      for (size_t i = 0; i <= s.size(); ++i)
        if (i == 0 || !slash || s[i - 1] == '/')
          if (reference_match(p, s.substr(i))) return true;
      return false;
    }
    char c = p[0];
    if (c == '*') {
      p.remove_prefix(1);
      for (size_t i = 0; i <= s.size(); ++i) {
        if (reference_match(p, s.substr(i))) return true;
        if (i < s.size() && s[i] == '/') break;
      }
      return false;
    }
    if (s.empty()) return false;
    if (c == '?') {
      if (s[0] == '/') return false;
    } else if (c != s[0]) {
      return false;
    }
    p.remove_prefix(1);
    s.remove_prefix(1);
  }
  return s.empty();
}

inline bool reference_glob(std::string_view pattern, std::string_view path) {
  if (!pattern.empty() && pattern.back() == '/') return reference_glob(std::string(pattern) + "**", path);
  if (pattern.find('/') == std::string_view::npos) {
    auto slash = path.rfind('/');
    return reference_match(pattern, slash == std::string_view::npos ? path : path.substr(slash + 1));
  }
  if (!pattern.empty() && pattern[0] == '/') pattern.remove_prefix(1);
  return reference_match(pattern, path);
}

} // namespace test_support
