#include "core/git_config.hpp"
#include "core/process.hpp"
#include "../support/temp_repo.hpp"

#include <fstream>
#include <random>
#include <string>
#include <vector>

using test_support::TempRepo;

namespace {

// What `git config --get KEY` says with the global file `global` (no system file) in `repo`, plus
// `extra` arguments before `config` (`-c k=v`): nullopt when unset; throws when git refuses the file.
struct GitAnswer {
  bool failed = false;  // exit status other than 0 (found) and 1 (unset): git rejects the configuration
  std::optional<std::string> value;
};
GitAnswer ask_git(const TempRepo& repo, const std::filesystem::path& global, const std::string& key,
                  const std::vector<std::string>& extra = {}) {
  core::ProcessOptions o = test_support::git_options(repo.path());
  o.env["GIT_CONFIG_GLOBAL"] = global.string();
  o.env["HOME"] = repo.path().string();
  std::vector<std::string> argv{"git"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.insert(argv.end(), {"config", "--get", key});
  core::ProcessResult r = core::run_process(argv, o);
  if (r.exit_code == 1) return {};
  if (r.exit_code != 0) return {true, std::nullopt};
  if (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return {false, r.out};
}

core::GitConfigSources sources_for(const TempRepo& repo, const std::filesystem::path& global) {
  core::GitConfigSources s;
  s.common_dir = repo.git_dir();
  s.git_dir = repo.git_dir();
  s.env = {{"HOME", repo.path().string()}, {"GIT_CONFIG_NOSYSTEM", "1"}, {"GIT_CONFIG_GLOBAL", global.string()}};
  return s;
}

// One random spelling of a config file that may set merge.conflictStyle several times, among
// comments, blank lines, other sections and, now and then, syntax git rejects.
std::string random_config(std::mt19937& rng, bool allow_invalid) {
  auto pick = [&](const std::vector<std::string>& v) { return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)]; };
  const std::vector<std::string> headers{"[merge]", "[MERGE]", "[Merge]", "[merge]  ", "[merge] # c", "[merge];c"};
  const std::vector<std::string> keys{"conflictStyle", "conflictstyle", "CONFLICTSTYLE", "ConflictStyle"};
  const std::vector<std::string> equals{"=", " = ", "\t=\t", "  =", "= "};
  const std::vector<std::string> values{
      "diff3", "zdiff3", "merge", "\"diff3\"", "di\"ff\"3", "diff3 ; comment", "zdiff3# comment", "  diff3   ",
      "\"zdiff3\" # c", "diff\\\n3", "\"diff3 \"", "dif\\\"f3", "\"\"diff3", "merge\t", "\"a;b#c\"", "two  words\there"};
  const std::vector<std::string> noise{
      "# a comment", "; another", "", "   ", "[core]\n\tbare = false", "[merge \"autoloop\"]\n\tdriver = x %O",
      "[merge \"Sub\\\"q\"]\n\tconflictStyle = zdiff3", "[merge.sub]\n\tconflictStyle = merge",
      "[user]\n\tname = \"A ; B\"", "[merge] conflictStyle = zdiff3", "[diff]\n\tconflictStyle = diff3"};
  const std::vector<std::string> invalid{"[merge", "conflictStyle = diff3", "[merge]\n\tconflictStyle = \"diff3",
                                         "[merge]\n\tconflictStyle junk", "[ merge]", "[merge]\n\t1key = x",
                                         "[merge]\n\tconflictStyle = di\\ff3"};
  std::string out;
  const int lines = std::uniform_int_distribution<int>(1, 6)(rng);
  for (int i = 0; i < lines; ++i) {
    int kind = std::uniform_int_distribution<int>(0, 9)(rng);
    if (kind < 5) {
      out += pick(headers) + "\n";
      int n = std::uniform_int_distribution<int>(0, 2)(rng);
      for (int k = 0; k < n; ++k) out += "\t" + pick(keys) + pick(equals) + pick(values) + "\n";
    } else if (kind < 9 || !allow_invalid) {
      out += pick(noise) + "\n";
    } else {
      out += pick(invalid) + "\n";
    }
  }
  if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) { // CRLF line ends
    std::string crlf;
    for (char c : out) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    out = crlf;
  }
  return out;
}

} // namespace

TEST_CASE("parse_git_config") {
  SECTION("canonical keys: section and name lower-cased, subsection kept") {
    auto e = core::parse_git_config("[Merge \"Auto\"]\n\tDriver = x\n[Core.Sub]\nBare\n");
    REQUIRE(e);
    REQUIRE(e->size() == 2);
    CHECK((*e)[0].key == "merge.Auto.driver");
    CHECK((*e)[0].value == std::optional<std::string>("x"));
    CHECK((*e)[1].key == "core.sub.bare");
    CHECK_FALSE((*e)[1].value);
  }

  SECTION("quotes, escapes, comments and continuation lines") {
    auto e = core::parse_git_config("[a]\nb = \" x ; y \" # c\nc = one\\\n two\\tthree\n");
    REQUIRE(e);
    REQUIRE(e->size() == 2);
    CHECK((*e)[0].value == std::optional<std::string>(" x ; y "));
    CHECK((*e)[1].value == std::optional<std::string>("one two\tthree"));
  }

  SECTION("rejects what git rejects") {
    CHECK_FALSE(core::parse_git_config("key = before any section\n"));
    CHECK_FALSE(core::parse_git_config("[a]\nb = \"open\n"));
    CHECK_FALSE(core::parse_git_config("[a\nb = c\n"));
    CHECK_FALSE(core::parse_git_config("[a]\nb = \\q\n"));
  }
}

TEST_CASE("git_config_get") {
  TempRepo repo("git-config");
  const auto global = repo.dir().path() / "global.gitconfig";

  SECTION("agrees with `git config --get merge.conflictStyle` on generated files, or leaves it to git") {
    std::mt19937 rng(20261202);
    int compared = 0, left_to_git = 0;
    for (int i = 0; i < 150; ++i) {
      const bool in_repo = i % 2 == 1;
      std::string text = random_config(rng, true);
      std::ofstream(global, std::ios::binary | std::ios::trunc) << (in_repo ? "" : text);
      // The repository's own file: git init's sections, then the generated text when it goes there.
      std::string base = test_support::slurp(repo.git_dir() / "config");
      base = base.substr(0, base.find("# generated"));
      std::ofstream(repo.git_dir() / "config", std::ios::binary | std::ios::trunc)
          << base << "# generated\n" << (in_repo ? text : "");
      GitAnswer git = ask_git(repo, global, "merge.conflictStyle");
      core::GitConfigValue ours = core::git_config_get("merge.conflictStyle", sources_for(repo, global));
      INFO("config:\n" << text);
      if (git.failed) {
        CHECK_FALSE(ours.understood); // never a guess where git refuses the file
        ++left_to_git;
        continue;
      }
      REQUIRE(ours.understood);
      CHECK(ours.value == git.value);
      ++compared;
    }
    CHECK(compared > 100);
    CHECK(left_to_git > 0);
  }

  SECTION("follows include.path (relative to the including file) and lets later files win") {
    repo.write("inc/styles", "[merge]\n\tconflictStyle = zdiff3\n");
    std::ofstream(global, std::ios::binary) << "[merge]\n\tconflictStyle = merge\n[include]\n\tpath = " +
                                                   (repo.path() / "inc" / "styles").string() + "\n";
    CHECK(core::git_config_get("merge.conflictStyle", sources_for(repo, global)).value == std::optional<std::string>("zdiff3"));
    repo.git({"config", "include.path", "../inc/styles"});
    repo.git({"config", "merge.conflictStyle", "diff3"});
    auto ours = core::git_config_get("merge.conflictStyle", sources_for(repo, global));
    CHECK(ours.value == ask_git(repo, global, "merge.conflictStyle").value);
    CHECK(ours.value == std::optional<std::string>("diff3"));
  }

  SECTION("config.worktree counts only when extensions.worktreeConfig is on") {
    std::ofstream(global, std::ios::binary) << "";
    std::ofstream(repo.git_dir() / "config.worktree", std::ios::binary) << "[merge]\n\tconflictStyle = zdiff3\n";
    CHECK_FALSE(core::git_config_get("merge.conflictStyle", sources_for(repo, global)).value);
    repo.git({"config", "extensions.worktreeConfig", "true"});
    CHECK(core::git_config_get("merge.conflictStyle", sources_for(repo, global)).value == std::optional<std::string>("zdiff3"));
    CHECK(ask_git(repo, global, "merge.conflictStyle").value == std::optional<std::string>("zdiff3"));
  }

  SECTION("includeIf is left to git") {
    std::ofstream(global, std::ios::binary) << "[includeIf \"gitdir:/nowhere/\"]\n\tpath = x\n";
    CHECK_FALSE(core::git_config_get("merge.conflictStyle", sources_for(repo, global)).understood);
  }

  SECTION("`git -c` as git passes it to its children (GIT_CONFIG_PARAMETERS) wins over the files") {
    std::ofstream(global, std::ios::binary) << "[merge]\n\tconflictStyle = merge\n";
    const std::vector<std::string> given{"-c", "x.y=it's ! a b", "-c", "Merge.ConflictStyle=zdiff3", "-c", "bare.key"};
    // What git exports: an alias running a shell prints it.
    std::vector<std::string> show{"-c", "alias.show-params=!printf %s \"$GIT_CONFIG_PARAMETERS\""};
    show.insert(show.end(), given.begin(), given.end());
    show.push_back("show-params");
    core::ProcessOptions o = test_support::git_options(repo.path());
    std::vector<std::string> argv{"git"};
    argv.insert(argv.end(), show.begin(), show.end());
    auto r = core::run_process(argv, o);
    REQUIRE(r.ok());
    auto sources = sources_for(repo, global);
    sources.env["GIT_CONFIG_PARAMETERS"] = r.out;
    auto ours = core::git_config_get("merge.conflictStyle", sources);
    REQUIRE(ours.understood);
    CHECK(ours.value == std::optional<std::string>("zdiff3"));
    CHECK(ours.value == ask_git(repo, global, "merge.conflictStyle", given).value);
    CHECK(core::git_config_get("x.y", sources).value == std::optional<std::string>("it's ! a b"));
  }

  SECTION("GIT_CONFIG_COUNT entries, and GIT_CONFIG_NOSYSTEM spelled as git reads booleans") {
    std::ofstream(global, std::ios::binary) << "";
    auto sources = sources_for(repo, global);
    sources.env["GIT_CONFIG_COUNT"] = "1";
    sources.env["GIT_CONFIG_KEY_0"] = "merge.conflictstyle";
    sources.env["GIT_CONFIG_VALUE_0"] = "diff3";
    sources.env["GIT_CONFIG_NOSYSTEM"] = "yes";
    CHECK(core::git_config_get("merge.conflictStyle", sources).value == std::optional<std::string>("diff3"));
    sources.env["GIT_CONFIG_COUNT"] = "2"; // a key missing: git refuses
    CHECK_FALSE(core::git_config_get("merge.conflictStyle", sources).understood);
  }
}
