#include "core/refname.hpp"

#include <cstdio>

namespace core {

namespace {

// A byte git refuses anywhere in a ref name, described for the message; nullptr when it is allowed.
const char* bad_byte(unsigned char c) {
  if (c < 0x20 || c == 0x7f) return "a control character";
  switch (c) {
  case ' ': return "a space";
  case '~': return "'~'";
  case '^': return "'^'";
  case ':': return "':'";
  case '?': return "'?'";
  case '*': return "'*'";
  case '[': return "'['";
  case '\\': return "a backslash";
  default: return nullptr;
  }
}

// The problems git-check-ref-format(1) lists, in the order it lists them, for a name or a prefix of one.
// `complete` is false for a prefix: its last component may go on (no ".lock" or trailing-dot check
// there is final, though a component already ending in ".lock" is refused either way).
std::optional<std::string> name_problem(std::string_view name, bool complete) {
  if (name.empty()) return std::string("it is empty");
  for (unsigned char c : name)
    if (const char* what = bad_byte(c)) {
      if (c < 0x20 || c == 0x7f) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "it holds a control character (0x%02x)", c);
        return std::string(buf);
      }
      return std::string("it holds ") + what;
    }
  if (name.find("..") != std::string_view::npos) return std::string("it holds \"..\"");
  if (name.find("@{") != std::string_view::npos) return std::string("it holds \"@{\"");
  if (name.front() == '/') return std::string("it starts with '/'");
  if (name.find("//") != std::string_view::npos) return std::string("it holds \"//\"");
  if (complete && name.back() == '/') return std::string("it ends with '/'");
  if (complete && name.back() == '.') return std::string("it ends with '.'");
  if (complete && name == "@") return std::string("it is \"@\"");
  for (size_t at = 0; at < name.size();) {
    size_t slash = name.find('/', at);
    std::string_view part = name.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at);
    if (!part.empty() && part.front() == '.') return "its component \"" + std::string(part) + "\" starts with '.'";
    constexpr std::string_view k_lock = ".lock";
    if (part.size() >= k_lock.size() && part.substr(part.size() - k_lock.size()) == k_lock)
      return "its component \"" + std::string(part) + "\" ends with \".lock\"";
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> ref_name_problem(std::string_view name) {
  if (auto problem = name_problem(name, true)) return problem;
  if (name.find('/') == std::string_view::npos) return std::string("it has one level only");
  return std::nullopt;
}

std::optional<std::string> side_branch_prefix_problem(std::string_view prefix) {
  if (prefix.empty()) return std::string("it is empty");
  if (prefix.size() > k_max_side_branch_prefix)
    return "it is " + std::to_string(prefix.size()) + " bytes long (at most " +
           std::to_string(k_max_side_branch_prefix) + ")";
  if (prefix.front() == '-') return std::string("it starts with '-' (git would read the branch as an option)");
  if (auto problem = name_problem(prefix, false)) return problem;
  // The prefix with a branch name after it must still be a ref name ("a/" + "main", "al-" + "main").
  if (auto problem = ref_name_problem("refs/heads/" + std::string(prefix) + "main")) return problem;
  return std::nullopt;
}

} // namespace core
