#include "core/glob.hpp"

namespace core {

namespace {

bool match(std::string_view p, std::string_view s) {
  while (!p.empty()) {
    if (p.substr(0, 2) == "**") {
      p.remove_prefix(2);
      bool slash = !p.empty() && p[0] == '/';
      if (slash) p.remove_prefix(1);
      // `**/` matches zero or more whole segments; a trailing `**` matches everything.
      if (p.empty()) return true;
      for (size_t i = 0; i <= s.size(); ++i) {
        if (i == 0 || !slash || s[i - 1] == '/')
          if (match(p, s.substr(i))) return true;
      }
      return false;
    }
    char c = p[0];
    if (c == '*') {
      p.remove_prefix(1);
      for (size_t i = 0; i <= s.size(); ++i) {
        if (match(p, s.substr(i))) return true;
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

} // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  // "dir/" means everything under dir, as in .gitignore.
  if (!pattern.empty() && pattern.back() == '/') {
    std::string all = std::string(pattern) + "**";
    return glob_match(all, path);
  }
  if (pattern.find('/') == std::string_view::npos) {
    auto slash = path.rfind('/');
    return match(pattern, slash == std::string_view::npos ? path : path.substr(slash + 1));
  }
  if (!pattern.empty() && pattern[0] == '/') pattern.remove_prefix(1);
  return match(pattern, path);
}

bool glob_any(const std::vector<std::string>& patterns, std::string_view path) {
  for (const auto& p : patterns)
    if (glob_match(p, path)) return true;
  return false;
}

} // namespace core
