#include "scan/provenance.hpp"

#include "core/glob.hpp"
#include "core/limits.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace scan {

namespace {

constexpr std::array<std::string_view, 11> k_vendored_dirs = {
    "vendor", "vendors", "third_party", "third-party", "thirdparty", "3rdparty",
    "external", "extern", "deps", "node_modules", "bower_components"};

// Single headers and amalgamations of libraries projects copy in whole.
constexpr std::array<std::string_view, 14> k_library_files = {
    "catch.hpp", "catch_amalgamated.hpp", "catch_amalgamated.cpp", "doctest.h", "unity.c", "unity.h",
    "unity_internals.h", "sqlite3.c", "sqlite3.h", "sqlite3ext.h", "miniz.c", "miniz.h", "picojson.h", "json.hpp"};

// A directory named after a library, and the files (relative to it) that show it is a copy of it.
struct LibraryDir {
  std::string_view name;
  std::vector<std::string_view> markers;
};
const std::vector<LibraryDir>& library_dirs() {
  static const std::vector<LibraryDir> k = {
      {"unity", {"unity.h", "src/unity.h"}},
      {"catch", {"catch.hpp", "single_include/catch.hpp"}},
      {"catch2", {"catch.hpp", "single_include/catch2/catch.hpp", "src/catch2/catch_all.hpp", "catch_amalgamated.hpp"}},
      {"doctest", {"doctest.h", "doctest/doctest.h"}},
      {"googletest", {"include/gtest/gtest.h", "googletest/include/gtest/gtest.h"}},
      {"gtest", {"include/gtest/gtest.h", "gtest.h"}},
      {"miniz", {"miniz.h"}},
      {"sqlite", {"sqlite3.h"}},
      {"sqlite3", {"sqlite3.h"}},
  };
  return k;
}

// Doxygen's script names no project picks for its own (resize.js, menu.js are left to the doxygen.css test).
constexpr std::array<std::string_view, 4> k_doxygen_scripts = {"dynsections.js", "menudata.js", "navtreedata.js",
                                                               "searchdata.js"};

constexpr std::array<std::string_view, 12> k_lockfiles = {
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "Cargo.lock",
    "poetry.lock", "Pipfile.lock", "composer.lock", "Gemfile.lock", "go.sum", "uv.lock"};

template <class List> bool in(const List& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

std::string_view basename(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dirname(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string join(std::string_view dir, std::string_view name) {
  return dir.empty() ? std::string(name) : std::string(dir) + "/" + std::string(name);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Provenance vendored(std::string reason) { return {Provenance::Kind::vendored, "vendored: " + reason}; }
Provenance generated(std::string reason) { return {Provenance::Kind::generated, "generated: " + reason}; }

// One attribute token of a .gitattributes line: `name`, `-name`, `name=value`.
void apply_token(std::string_view token, std::optional<bool>& vendored, std::optional<bool>& generated, bool& no_diff) {
  bool unset = !token.empty() && token.front() == '-';
  if (unset) token.remove_prefix(1);
  std::string_view name = token, value;
  if (auto eq = token.find('='); eq != std::string_view::npos) {
    name = token.substr(0, eq);
    value = token.substr(eq + 1);
  }
  bool on = !unset && value != "false";
  if (name == "linguist-vendored") vendored = on;
  else if (name == "linguist-generated") generated = on;
  else if ((name == "diff" && unset) || (name == "binary" && !unset && value.empty())) no_diff = true;
}

} // namespace

Attributes Attributes::parse(std::string_view text) {
  Attributes a;
  text = text.substr(0, k_max_attributes_bytes);
  size_t at = 0;
  while (at < text.size() && a.m_lines.size() < k_max_attribute_lines) {
    size_t nl = text.find('\n', at);
    std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? text.size() : nl + 1;
    // Split on blanks: the pattern, then its attributes.
    std::vector<std::string_view> words;
    for (size_t i = 0; i < line.size();) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
      if (j > i) words.push_back(line.substr(i, j - i));
      i = j;
    }
    if (words.size() < 2 || words[0].front() == '#' || words[0].front() == '"' || words[0].front() == '!') continue;
    if (words[0].size() > core::k_max_glob_length) continue;
    Line l;
    for (size_t w = 1; w < words.size(); ++w) apply_token(words[w], l.vendored, l.generated, l.no_diff);
    if (!l.vendored && !l.generated && !l.no_diff) continue;
    l.pattern = std::string(words[0]);
    // A directory pattern (`docs/`) matches no file in git's attributes.
    if (l.pattern.back() == '/') continue;
    a.m_lines.push_back(std::move(l));
  }
  return a;
}

Attributes::Marks Attributes::marks(std::string_view path) const {
  Marks m;
  for (const auto& l : m_lines) {
    if (!core::glob_match(l.pattern, path)) continue;
    if (l.vendored) m.vendored = l.vendored;
    if (l.generated) m.generated = l.generated;
    if (l.no_diff) m.no_diff = true;
  }
  return m;
}

std::optional<Provenance> classify_path(std::string_view path, const Attributes& attributes, const PathExists& exists,
                                        bool detect, bool* forced) {
  if (forced) *forced = false;
  // 1. The repository's own word first.
  if (!attributes.empty()) {
    auto m = attributes.marks(path);
    if (m.vendored == true) return vendored(".gitattributes linguist-vendored");
    if (m.generated == true) return generated(".gitattributes linguist-generated");
    if (m.vendored == false || m.generated == false) {
      if (forced) *forced = true;
      return std::nullopt;
    }
    if (m.no_diff) return generated(".gitattributes -diff");
  }
  if (!detect) return std::nullopt;
  auto has = [&](const std::string& p) { return exists && exists(p); };
  const std::string_view base = basename(path), dir = dirname(path);
  // 2. Vendored directories, and 3. library directories (each a tree lookup, only when the name fits).
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) break;
    std::string_view segment = path.substr(start, slash - start);
    if (in(k_vendored_dirs, segment)) return vendored(std::string(segment) + "/ directory");
    std::string seg = lower(segment);
    for (const auto& lib : library_dirs()) {
      if (seg != lib.name) continue;
      std::string root(path.substr(0, slash));
      for (auto marker : lib.markers)
        if (has(root + "/" + std::string(marker))) return vendored("copy of " + std::string(lib.name) + " in " + root + "/");
    }
    start = slash + 1;
  }
  // 3. Single headers and amalgamations (json.hpp only when it is nlohmann's: its text decides).
  if (base != "json.hpp" && (in(k_library_files, base) || (base.substr(0, 4) == "stb_" && ends_with(base, ".h")) ||
                            (base.substr(0, 13) == "unity_fixture" && (ends_with(base, ".c") || ends_with(base, ".h")))))
    return vendored("third-party single file " + std::string(base));
  // 4. Documentation generators' output.
  if (path.find("_static/") != std::string_view::npos || path.find("_build/") != std::string_view::npos ||
      base == "searchindex.js")
    return generated("Sphinx output");
  if (base == "package-list" || base == "element-list") return generated("javadoc output");
  if (ends_with(base, ".js") || ends_with(base, ".css")) {
    if (has(join(dir, "doxygen.css")) ||
        (basename(dir) == "search" && has(join(dirname(dir), "doxygen.css"))) || in(k_doxygen_scripts, base) ||
        base.substr(0, 12) == "navtreeindex")
      return generated("doxygen output");
    if (ends_with(base, ".js") && (has(join(dir, "package-list")) || has(join(dir, "element-list"))))
      return generated("javadoc output");
  }
  // 5. Lockfiles.
  if (in(k_lockfiles, base)) return generated("lockfile " + std::string(base));
  return std::nullopt;
}

std::optional<Provenance> classify_content(std::string_view path, std::string_view content) {
  // 3. nlohmann's json.hpp says so in its banner.
  if (basename(path) == "json.hpp" && content.substr(0, 4096).find("nlohmann") != std::string_view::npos)
    return vendored("third-party single file json.hpp (nlohmann)");
  // 6. Generator banners: in the first lines only, so a comment far down that mentions generated
  // code does not count.
  size_t head_end = 0;
  for (int line = 0; line < 10 && head_end < content.size() && head_end < 2048; ++line) {
    size_t nl = content.find('\n', head_end);
    head_end = nl == std::string_view::npos ? content.size() : nl + 1;
  }
  std::string_view head = content.substr(0, std::min<size_t>(head_end, 2048));
  for (std::string_view marker : {"@generated", "DO NOT EDIT", "Code generated by", "<auto-generated", "Generated by"})
    if (head.find(marker) != std::string_view::npos) return generated("banner \"" + std::string(marker) + "\"");
  std::string low = lower(head);
  for (std::string_view marker : {"autogenerated", "auto-generated", "automatically generated", "generated automatically"})
    if (low.find(marker) != std::string_view::npos) return generated("banner \"" + std::string(marker) + "\"");
  // 7. Minified or bundled: very long lines.
  std::string_view sample = content.substr(0, 64u << 10);
  size_t lines = 0, longest = 0;
  for (size_t at = 0; at < sample.size();) {
    size_t nl = sample.find('\n', at);
    size_t end = nl == std::string_view::npos ? sample.size() : nl;
    longest = std::max(longest, end - at);
    ++lines;
    at = end + 1;
  }
  if (longest > 2000) return generated("minified (a line of " + std::to_string(longest) + " characters)");
  if (sample.size() > 4096 && lines && sample.size() / lines > 250) return generated("minified (long lines)");
  return std::nullopt;
}

} // namespace scan
