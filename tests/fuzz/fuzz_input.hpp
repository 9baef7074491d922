#pragma once
// Helpers shared by the libFuzzer targets: a readable input layout, so that seed files can be written
// and read by hand. An input is sections separated by a line holding only "%%"; a target gives each
// section its meaning (see the comment at the top of each fuzz_*.cpp).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

inline constexpr std::string_view k_separator = "\n%%\n";

// `data` cut at each separator; always at least one section.
inline std::vector<std::string> sections(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> out;
  for (;;) {
    size_t at = text.find(k_separator);
    if (at == std::string_view::npos) break;
    out.emplace_back(text.substr(0, at));
    text.remove_prefix(at + k_separator.size());
  }
  out.emplace_back(text);
  return out;
}

// The first line of `text` (without its newline); `text` keeps the rest.
inline std::string take_line(std::string& text) {
  size_t end = text.find('\n');
  std::string line = text.substr(0, end);
  text.erase(0, end == std::string::npos ? text.size() : end + 1);
  return line;
}

// `text` cut into lines (a last line without newline included, an empty text gives none).
inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

// An invariant the code under test broke: report it and abort, so libFuzzer saves the input.
[[noreturn]] inline void broken(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz: invariant broken: %s\n%s\n", what, detail.c_str());
  std::abort();
}

// One scratch directory per process (under the temp dir, named after `tag`), removed at exit. The first
// call's tag names it.
inline const std::filesystem::path& scratch(const char* tag = "fuzz") {
  static const std::filesystem::path dir = [tag] {
    std::string pattern = (std::filesystem::temp_directory_path() / ("autoloop-" + std::string(tag) + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) broken("mkdtemp failed");
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(scratch(), ignored);
    });
    return std::filesystem::path(pattern);
  }();
  return dir;
}

// Writes `text` to `name` in the scratch directory; returns its path.
inline std::filesystem::path write_scratch(const std::string& name, const std::string& text) {
  std::filesystem::path file = scratch() / name;
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  return file;
}

} // namespace fuzz
