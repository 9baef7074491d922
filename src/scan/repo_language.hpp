#pragma once
// The language of a repository's file at a commit: scan::language_for_file with the repository fact
// it needs ("has C++ sources") read from the commit's tree only when a ".h" header asks, and cached.

#include "git/repo.hpp"
#include "scan/language.hpp"

#include <map>
#include <string>
#include <string_view>

namespace scan {

class RepoLanguages {
public:
  explicit RepoLanguages(const git::Repository& repo) : m_repo(repo) {}

  // The language of `path` with `content` at `commit` (empty: no commit, the content alone decides a
  // header). Throws git::Error when the commit cannot be read.
  const LanguageProfile* of(const std::string& commit, std::string_view path, std::string_view content);

  // Whether the tree of `commit` holds a C++ file (by extension: sources and C++-only headers).
  bool has_cpp_sources(const std::string& commit);

private:
  const git::Repository& m_repo;
  std::map<std::string, bool> m_has_cpp;   // by commit
};

// One-shot RepoLanguages::of, for callers that decide one file (drain's re-parse gate, derive, review).
const LanguageProfile* language_at(const git::Repository& repo, const std::string& commit, std::string_view path,
                                   std::string_view content);

} // namespace scan
