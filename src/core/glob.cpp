#include "core/glob.hpp"

#include <algorithm>
#include <cstdint>

namespace core {

namespace {

// A pattern compiles to a sequence of tokens, each a small regular language; the path must be one
// string of the concatenation. Matching simulates the automaton with one set of live positions per
// character of the path (Thompson's construction): O(tokens x path length), with no backtracking,
// whatever the pattern. (The recursive matcher before it took exponential time on `**/**/.../x`.)
enum class Kind : std::uint8_t {
  literal,  // the character itself
  one,      // `?`: one character but '/'
  star,     // `*`: any run of characters without '/'
  any,      // `**` not followed by '/': any run of characters, '/' included
  dirs,     // `**/`: takes no character itself; it is followed by an `any` and the '/', and either
            // goes through them (any run ending in '/') or skips both (nothing): zero or more segments
};

struct Token {
  Kind kind;
  char c;
};

void compile(std::string_view p, std::vector<Token>& tokens) {
  tokens.clear();
  for (size_t i = 0; i < p.size();) {
    if (p.compare(i, 2, "**") == 0) {
      i += 2;
      // `**/` at the very end matches everything below, as a trailing `**` does.
      if (i < p.size() && p[i] == '/' && i + 1 < p.size()) {
        tokens.push_back({Kind::dirs, 0});
        tokens.push_back({Kind::any, 0});
        tokens.push_back({Kind::literal, '/'});
        ++i;
      } else {
        tokens.push_back({Kind::any, 0});
        if (i + 1 == p.size() && p[i] == '/') ++i; // the '/' of a final `**/`
      }
    } else if (p[i] == '*') {
      tokens.push_back({Kind::star, 0});
      ++i;
    } else if (p[i] == '?') {
      tokens.push_back({Kind::one, 0});
      ++i;
    } else {
      tokens.push_back({Kind::literal, p[i]});
      ++i;
    }
  }
}

// Adds to `live` every position reachable without reading a character. Empty-matching edges only
// go forward, so one pass in order reaches the closure.
void close_over_empty(const std::vector<Token>& tokens, std::vector<std::uint8_t>& live) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!live[i]) continue;
    switch (tokens[i].kind) {
    case Kind::star:
    case Kind::any: live[i + 1] = 1; break;
    case Kind::dirs:
      live[i + 1] = 1; // into the run that ends in '/'
      live[i + 3] = 1; // or no segments at all
      break;
    default: break;
    }
  }
}

// Per thread and reused: every scanned path is matched against every pattern, so no allocation per match.
struct Scratch {
  std::vector<Token> tokens;
  std::vector<std::uint8_t> live, next;
};

bool match(std::string_view pattern, std::string_view s) {
  thread_local Scratch scratch;
  std::vector<Token>& tokens = scratch.tokens;
  compile(pattern, tokens);
  const size_t n = tokens.size();
  // live[i]: the path read so far can be matched by tokens[0, i), and tokens[i] may take the next
  // character (for a repeating token: it is inside its run).
  std::vector<std::uint8_t>& live = scratch.live;
  std::vector<std::uint8_t>& next = scratch.next;
  live.assign(n + 1, 0);
  next.assign(n + 1, 0);
  live[0] = 1;
  close_over_empty(tokens, live);
  for (char c : s) {
    std::fill(next.begin(), next.end(), 0);
    for (size_t i = 0; i < n; ++i) {
      if (!live[i]) continue;
      const Token& t = tokens[i];
      switch (t.kind) {
      case Kind::literal:
        if (c == t.c) next[i + 1] = 1;
        break;
      case Kind::one:
        if (c != '/') next[i + 1] = 1;
        break;
      case Kind::star:
        if (c != '/') next[i] = 1;
        break;
      case Kind::any:
        // A trailing `**` takes the rest of the path, whatever it is.
        if (i + 1 == n) return true;
        next[i] = 1;
        break;
      case Kind::dirs: break; // takes no character: its successors are live already
      }
    }
    live.swap(next);
    if (std::find(live.begin(), live.end(), 1) == live.end()) return false;
    close_over_empty(tokens, live);
  }
  return live[n] != 0;
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
