#include "scan/repo_language.hpp"

#include "../support/temp_repo.hpp"
#include "scan/scanner.hpp"

#include <set>
#include <string>

using test_support::TempRepo;

namespace {

// A header C and C++ both parse, with a cast and a NULL that only C++ rules report.
const char* k_plain_header =
    "#ifndef BUF_H\n#define BUF_H\nstatic inline int to_int(double d) { return (int)d; }\n"
    "static inline char* none(void) { return NULL; }\n#endif\n";
// A header with C++-only syntax and the same two findings.
const char* k_cpp_header =
    "#pragma once\nnamespace buf {\nclass Reader {\npublic:\n  int to_int(double d) { return (int)d; }\n"
    "  char* none() { return NULL; }\n};\n}\n";

// Rule ids found in `path` by a scan of HEAD with the built-in rules, and the file's language and
// syntax error count from the metrics.
struct HeaderScan {
  std::set<std::string> rules;
  std::string language;
  int syntax_errors = -1;
};

HeaderScan scan_head(TempRepo& repo, const std::string& path, bool all = false) {
  git::Repository r = git::Repository::open(repo.path());
  core::Config config = core::default_config();
  core::Logger log;
  queue::Store store = queue::Store::open(repo.git_dir() / "autoloop" / "queue.db");
  scan::Engine engine(scan::builtin_rules());
  scan::CommitScanner scanner(r, store, engine, config, log);
  std::vector<scan::Located> found;
  if (all) scanner.scan_all(repo.head(), &found);
  else scanner.scan_commits({repo.head()}, true, &found);
  HeaderScan out;
  for (const auto& l : found)
    if (l.path == path) out.rules.insert(l.rule_id);
  auto language = scan::language_at(r, repo.head(), path, repo.git({"show", "HEAD:" + path}));
  REQUIRE(language != nullptr);
  out.language = std::string(language->name);
  out.syntax_errors = engine.scan(*language, repo.git({"show", "HEAD:" + path}) + "\n").syntax_errors;
  return out;
}

} // namespace

TEST_CASE("RepoLanguages") {
  TempRepo repo("repo_language");

  SECTION("a header in a repository with C++ sources is C++: C++ rules, no parse errors") {
    repo.write("src/main.cpp", "int main() { return 0; }\n");
    repo.write("include/buf.h", k_plain_header);
    repo.commit("c++ project");
    auto scan = scan_head(repo, "include/buf.h");
    CHECK(scan.language == "cpp");
    CHECK(scan.syntax_errors == 0);
    CHECK(scan.rules.count("cpp/c-style-cast") == 1);
    // No C++ in it: it may be a C header of a mixed project, which nullptr would break (the rule
    // says so); a header that shows C++ gets it (below).
    CHECK(scan.rules.count("cpp/null-to-nullptr") == 0);
  }

  SECTION("a plain header in a C-only repository stays C: no C++ rules") {
    repo.write("src/main.c", "int main(void) { return 0; }\n");
    repo.write("include/buf.h", k_plain_header);
    repo.commit("c project");
    auto scan = scan_head(repo, "include/buf.h");
    CHECK(scan.language == "c");
    CHECK(scan.syntax_errors == 0);
    CHECK(scan.rules.count("cpp/c-style-cast") == 0);
    CHECK(scan.rules.count("cpp/null-to-nullptr") == 0);
  }

  SECTION("a header with C++ syntax in a repository without C++ sources is C++") {
    repo.write("src/main.c", "int main(void) { return 0; }\n");
    repo.write("include/buf.h", k_cpp_header);
    repo.commit("c++ header only");
    auto scan = scan_head(repo, "include/buf.h");
    CHECK(scan.language == "cpp");
    CHECK(scan.syntax_errors == 0);
    CHECK(scan.rules.count("cpp/c-style-cast") == 1);
    CHECK(scan.rules.count("cpp/null-to-nullptr") == 1);
  }

  SECTION("a header cached as C is parsed again once the repository gains C++ sources") {
    repo.write("include/buf.h", k_plain_header);
    std::string c_only = repo.commit("c header");
    CHECK(scan_head(repo, "include/buf.h").rules.count("cpp/c-style-cast") == 0);
    repo.write("src/main.cpp", "int main() { return 0; }\n");
    repo.commit("now c++");
    // The same blob, from the blob cache if the cache did not know the language it was parsed as.
    auto scan = scan_head(repo, "include/buf.h", true);
    CHECK(scan.rules.count("cpp/c-style-cast") == 1);
    git::Repository r = git::Repository::open(repo.path());
    scan::RepoLanguages languages(r);
    CHECK_FALSE(languages.has_cpp_sources(c_only));
    CHECK(languages.has_cpp_sources(repo.head()));
    CHECK_FALSE(languages.has_cpp_sources(""));
  }
}
