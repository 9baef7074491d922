#pragma once
// Per-line test coverage from the report a repository's own tooling writes after its tests: which lines
// of which files the report instruments, and how often each ran. The same two formats as coverage.hpp:
// lcov tracefiles (SF:/DA:/end_of_record: gcov/lcov, c8, nyc, Istanbul, coverage.py's `coverage lcov`)
// and Cobertura XML (coverage.py, gcovr, Istanbul's cobertura reporter: <class filename="..."> with
// <line number="N" hits="H"/>, <sources><source> as the roots of relative file names).
//
// A report is the repository's output, so it is hostile input: read through core::read_untrusted_file
// (core::k_max_coverage_bytes), parsed in one linear pass without recursion or regular expressions, and
// anything malformed or truncated (a report still being written) is a core::Error naming the line, never
// a guess. Files the report names outside the tree the tests ran in (system headers, site-packages) are
// left out, not an error.

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace metrics {

// One instrumented line of a file and how many times the tests ran it.
struct LineHits {
  int line = 0; // 1-based
  long long hits = 0;
  bool operator==(const LineHits& o) const { return line == o.line && hits == o.hits; }
};

// The instrumented lines of one file, ascending by line, each once (a line the report lists more than
// once, in several records or classes, keeps its highest count).
struct FileCoverage {
  std::vector<LineHits> lines;
  // How often `line` ran; nullopt when the report does not instrument it.
  std::optional<long long> hits(int line) const;
  // The instrumented line nearest before `line` (not `line` itself), or nullptr.
  const LineHits* instrumented_before(int line) const;
};

// A report's coverage by repository-relative path ("src/a.py", '/'-separated, as git names files).
struct LineCoverage {
  std::map<std::string, FileCoverage> files;
  std::size_t outside_root = 0; // file entries naming a path outside the tree (left out)
  const FileCoverage* file(const std::string& path) const;
};

// The repository-relative path of a file a report names, given `root`, the top of the tree the tests
// ran in: absolute paths under `root` (as given or with its symlinks resolved, whichever the tool
// wrote), relative paths taken from `root`, "./" and ".." folded. nullopt when it lies outside `root`
// or is `root` itself.
std::optional<std::string> relative_to_root(std::string_view reported, const std::filesystem::path& root);

// The files of a parse, by the repository-relative path: nullptr keeps all of them; else only these
// (the drain asks for the files its fixes changed, which keeps memory small on a large report).
using PathFilter = const std::set<std::string>*;

// Per-line coverage of an lcov tracefile. Throws core::Error naming the line when the text is not a
// tracefile, a DA: line is malformed or outside a record, or the last record has no end_of_record.
LineCoverage parse_lcov_lines(std::string_view text, const std::filesystem::path& root, PathFilter keep = nullptr);

// Per-line coverage of a Cobertura report. A class's relative filename is taken from each <source> in
// turn, then from `root`: the first candidate inside `root` that exists there wins (else the first
// inside `root`). Throws core::Error naming the line when the root element is not <coverage>, a tag or
// comment is unterminated, a <line> lacks a valid number or hits, or </coverage> never comes.
LineCoverage parse_cobertura_lines(std::string_view text, const std::filesystem::path& root, PathFilter keep = nullptr);

// Reads the report at `path` (inside `root`, a regular file within core::k_max_coverage_bytes) and picks
// the parser by content like read_coverage. nullopt when the file does not exist; throws core::Error
// (message starting with `path`) when it cannot be read, is refused, or does not parse.
std::optional<LineCoverage> read_line_coverage(const std::filesystem::path& path, const std::filesystem::path& root,
                                               PathFilter keep = nullptr);

} // namespace metrics
