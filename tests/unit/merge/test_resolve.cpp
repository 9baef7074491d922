#include "merge/resolve.hpp"

#include "../support/temp_repo.hpp"

#include <string>
#include <vector>

using merge::Resolution;
using test_support::EnvGuard;
using test_support::slurp;
using test_support::TempRepo;

namespace {

const std::string k_base = "def a():\n    return 1\n";
const std::string k_ours = "def a():\n    return 1\n\n\ndef b():\n    return 2\n";
const std::string k_theirs = "def a():\n    return 1\n\n\ndef c():\n    return 3\n";

// A repository in the middle of a merge that git's line merge left conflicted: a.py (both sides added a
// function at the end, which the structured merge reconciles) and n.py (both sides changed one line).
struct ConflictedRepo {
  TempRepo repo{"resolve"};
  EnvGuard structured{"AUTOLOOP_MERGE", std::nullopt};
  ConflictedRepo() {
    repo.write("a.py", k_base);
    repo.write("n.py", "limit = 1\n");
    repo.commit("base");
    repo.git({"checkout", "-q", "-b", "topic"});
    repo.write("a.py", k_theirs);
    repo.write("n.py", "limit = 2\n");
    repo.commit("theirs");
    repo.git({"checkout", "-q", "main"});
    repo.write("a.py", k_ours);
    repo.write("n.py", "limit = 3\n");
    repo.commit("ours");
    CHECK_THROWS(repo.git({"merge", "-q", "--no-edit", "topic"})); // exit 1: conflicts
  }
  git::Repository open() const { return git::Repository::open(repo.path()); }
  std::string unmerged(const std::string& path) const { return repo.git({"ls-files", "-u", "--", path}); }
};

merge::Options options() {
  merge::Options o;
  o.line.marker_size = 7;
  return o;
}

const Resolution* find(const std::vector<Resolution>& all, const std::string& path) {
  for (const auto& r : all)
    if (r.path == path) return &r;
  return nullptr;
}

} // namespace

TEST_CASE("resolve_conflicts") {
  ConflictedRepo c;
  const git::Repository repo = c.open();

  SECTION("every conflicted file of a supported language: merged, the clean one staged") {
    std::vector<std::string> heard;
    const auto all = merge::resolve_conflicts(repo, c.repo.path(), {}, options(), false,
                                              [&](const Resolution& r) { heard.push_back(r.path); });
    REQUIRE(all.size() == 2);
    CHECK(heard == std::vector<std::string>{"a.py", "n.py"});
    const Resolution* a = find(all, "a.py");
    REQUIRE(a);
    CHECK(a->outcome == Resolution::Outcome::resolved);
    CHECK(a->method == merge::Method::structured);
    CHECK(slurp(c.repo.path() / "a.py").find("def b():") != std::string::npos);
    CHECK(slurp(c.repo.path() / "a.py").find("def c():") != std::string::npos);
    CHECK(c.unmerged("a.py").empty());
    const Resolution* n = find(all, "n.py");
    REQUIRE(n);
    CHECK(n->outcome == Resolution::Outcome::conflict);
    CHECK(slurp(c.repo.path() / "n.py").find("<<<<<<<") != std::string::npos);
    CHECK_FALSE(c.unmerged("n.py").empty());
  }

  SECTION("named paths only; a path that is not conflicted comes first, skipped") {
    const auto all = merge::resolve_conflicts(repo, c.repo.path(), {"n.py", "other.py"}, options(), false);
    REQUIRE(all.size() == 2);
    CHECK(all[0].path == "other.py");
    CHECK(all[0].outcome == Resolution::Outcome::skipped);
    CHECK(all[0].why == "not conflicted");
    CHECK(all[1].path == "n.py");
    CHECK_FALSE(c.unmerged("a.py").empty()); // not named: left to the user
  }

  SECTION("a file edited since the conflict is the user's, unless forced") {
    c.repo.write("a.py", k_ours + "# resolved by hand, half way\n");
    auto all = merge::resolve_conflicts(repo, c.repo.path(), {"a.py"}, options(), false);
    REQUIRE(all.size() == 1);
    CHECK(all[0].outcome == Resolution::Outcome::skipped);
    CHECK(all[0].why.find("--force") != std::string::npos);
    CHECK(slurp(c.repo.path() / "a.py") == k_ours + "# resolved by hand, half way\n");
    CHECK_FALSE(c.unmerged("a.py").empty());

    all = merge::resolve_conflicts(repo, c.repo.path(), {"a.py"}, options(), true);
    REQUIRE(all.size() == 1);
    CHECK(all[0].outcome == Resolution::Outcome::resolved);
    CHECK(c.unmerged("a.py").empty());
  }
}
