#include "scan/repo_language.hpp"

namespace scan {

namespace {

// Commits remembered at most: a scan of a long range keeps memory flat.
constexpr size_t k_cached_commits = 1024;

} // namespace

bool RepoLanguages::has_cpp_sources(const std::string& commit) {
  if (commit.empty()) return false;
  auto it = m_has_cpp.find(commit);
  if (it != m_has_cpp.end()) return it->second;
  bool any = false;
  for (const auto& e : m_repo.list_files(commit))
    if (is_cpp_path(e.path)) {
      any = true;
      break;
    }
  if (m_has_cpp.size() >= k_cached_commits) m_has_cpp.clear();
  m_has_cpp.emplace(commit, any);
  return any;
}

const LanguageProfile* RepoLanguages::of(const std::string& commit, std::string_view path, std::string_view content) {
  // Only a header needs the repository fact; everything else is decided by its extension.
  if (!is_ambiguous_header(path)) return language_for_path(path);
  return language_for_file(path, content, has_cpp_sources(commit));
}

const LanguageProfile* language_at(const git::Repository& repo, const std::string& commit, std::string_view path,
                                   std::string_view content) {
  return RepoLanguages(repo).of(commit, path, content);
}

} // namespace scan
