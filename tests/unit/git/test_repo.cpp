#include "git/repo.hpp"

#include "../support/temp_repo.hpp"

#include "../support/hostile_prefixes.hpp"
#include "core/refname.hpp"

#include <git2/errors.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using git::Change;
using git::Repository;
using test_support::TempDir;
using test_support::TempRepo;

namespace {

using Kind = Change::Kind;

const char* kind_name(Kind k) {
  switch (k) {
  case Kind::added: return "added";
  case Kind::modified: return "modified";
  case Kind::deleted: return "deleted";
  }
  return "?";
}

// path -> change, failing the test on a path reported twice.
std::map<std::string, Change> by_path(const std::vector<Change>& changes) {
  std::map<std::string, Change> out;
  for (const auto& c : changes) {
    INFO("path " << c.path);
    CHECK(out.emplace(c.path, c).second);
  }
  return out;
}

// "kind path" lines, sorted: compact to compare and readable when a check fails.
std::vector<std::string> summary(const std::vector<Change>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(std::string(kind_name(c.kind)) + " " + c.path);
  std::sort(out.begin(), out.end());
  return out;
}

using Lines = std::vector<std::string>;

} // namespace

TEST_CASE("Repository::open") {
  TempRepo repo("git");
  repo.write("sub/dir/f.txt", "x\n");
  repo.commit();

  SECTION("opens from the work tree, a subdirectory or the git dir") {
    for (const fs::path& start : {repo.path(), repo.path() / "sub" / "dir", repo.git_dir()}) {
      INFO(start);
      Repository r = Repository::open(start);
      CHECK(fs::equivalent(r.git_dir(), repo.git_dir()));
      CHECK(fs::equivalent(r.common_dir(), repo.git_dir()));
      REQUIRE(r.work_tree());
      CHECK(fs::equivalent(*r.work_tree(), repo.path()));
      CHECK_FALSE(r.is_bare());
    }
  }

  SECTION("a bare repository has no work tree") {
    TempDir bare("git");
    test_support::run_git(bare.path(), {"init", "-q", "--bare", "."});
    Repository r = Repository::open(bare.path());
    CHECK(r.is_bare());
    CHECK_FALSE(r.work_tree());
  }

  SECTION("a directory outside any repository throws git::Error with libgit2's code") {
    TempDir plain("git");
    try {
      Repository::open(plain.path());
      FAIL("no git::Error");
    } catch (const git::Error& e) {
      CHECK(e.code() == GIT_ENOTFOUND);
      CHECK(std::string(e.what()).size() > 0);
    }
  }

  SECTION("current_branch names the branch, nullopt when detached") {
    Repository r = Repository::open(repo.path());
    CHECK(r.current_branch() == std::optional<std::string>("main"));
    repo.git({"checkout", "-q", "--detach"});
    CHECK_FALSE(r.current_branch());
  }
}

TEST_CASE("diff_commits") {
  TempRepo repo("git");

  SECTION("a root commit against the empty tree: every file added") {
    repo.write("a.txt", "a\n");
    repo.write("src/b.py", "b = 1\n");
    std::string c1 = repo.commit();
    Repository r = Repository::open(repo.path());
    auto changes = r.diff_commits("", c1);
    CHECK(summary(changes) == Lines{"added a.txt", "added src/b.py"});
    auto m = by_path(changes);
    CHECK(m.at("a.txt").new_blob == repo.rev(c1 + ":a.txt"));
    CHECK(m.at("a.txt").old_blob.empty());
    CHECK(m.at("a.txt").mode == 0100644);
    CHECK(m.at("src/b.py").new_blob == repo.rev(c1 + ":src/b.py"));
  }

  SECTION("added, modified and deleted files with their blob ids") {
    repo.write("keep.txt", "same\n");
    repo.write("mod.txt", "v1\n");
    repo.write("gone.txt", "bye\n");
    std::string c1 = repo.commit();
    repo.write("mod.txt", "v2\n");
    repo.remove("gone.txt");
    repo.write("new.txt", "hi\n");
    std::string c2 = repo.commit();
    Repository r = Repository::open(repo.path());
    auto changes = r.diff_commits(c1, c2);
    CHECK(summary(changes) == Lines{"added new.txt", "deleted gone.txt", "modified mod.txt"});
    auto m = by_path(changes);
    CHECK(m.at("mod.txt").old_blob == repo.rev(c1 + ":mod.txt"));
    CHECK(m.at("mod.txt").new_blob == repo.rev(c2 + ":mod.txt"));
    CHECK(m.at("gone.txt").old_blob == repo.rev(c1 + ":gone.txt"));
    CHECK(m.at("gone.txt").new_blob.empty());
    CHECK(m.at("gone.txt").mode == 0100644);
    CHECK(m.at("new.txt").old_blob.empty());
    CHECK(m.at("new.txt").new_blob == repo.rev(c2 + ":new.txt"));
  }

  SECTION("the same commit on both sides: no changes") {
    repo.write("a.txt", "a\n");
    std::string c1 = repo.commit();
    CHECK(Repository::open(repo.path()).diff_commits(c1, c1).empty());
  }

  SECTION("nested directories give full paths") {
    repo.write("a/b/c/d.txt", "1\n");
    repo.write("a/b/e.txt", "1\n");
    std::string c1 = repo.commit();
    repo.write("a/b/c/d.txt", "2\n");
    repo.write("a/b/c/new/f.txt", "1\n");
    std::string c2 = repo.commit();
    auto changes = Repository::open(repo.path()).diff_commits(c1, c2);
    CHECK(summary(changes) == Lines{"added a/b/c/new/f.txt", "modified a/b/c/d.txt"});
  }

  SECTION("a whole directory added or deleted lists each file") {
    repo.write("top.txt", "t\n");
    std::string c1 = repo.commit();
    repo.write("dir/x.txt", "x\n");
    repo.write("dir/sub/y.txt", "y\n");
    std::string c2 = repo.commit();
    repo.remove("dir");
    std::string c3 = repo.commit();
    Repository r = Repository::open(repo.path());
    CHECK(summary(r.diff_commits(c1, c2)) == Lines{"added dir/sub/y.txt", "added dir/x.txt"});
    CHECK(summary(r.diff_commits(c2, c3)) == Lines{"deleted dir/sub/y.txt", "deleted dir/x.txt"});
  }

  SECTION("unchanged subtrees are skipped without being read") {
    repo.write("big/one.txt", "1\n");
    repo.write("big/deeper/two.txt", "2\n");
    repo.write("work.txt", "v1\n");
    std::string c1 = repo.commit();
    repo.write("work.txt", "v2\n");
    std::string c2 = repo.commit();
    // Delete the unchanged subtree's object: a diff that opened it would fail.
    std::string tree = repo.rev(c1 + ":big");
    REQUIRE(repo.rev(c2 + ":big") == tree);
    fs::path object = repo.git_dir() / "objects" / tree.substr(0, 2) / tree.substr(2);
    REQUIRE(fs::exists(object));
    fs::permissions(object, fs::perms::owner_all, fs::perm_options::add);
    fs::remove(object);
    Repository r = Repository::open(repo.path());
    std::vector<Change> changes;
    REQUIRE_NOTHROW(changes = r.diff_commits(c1, c2));
    CHECK(summary(changes) == Lines{"modified work.txt"});
  }

  SECTION("a file that becomes a directory, and back") {
    repo.write("x", "file\n");
    repo.write("x.txt", "neighbour sorts between x and x/\n");
    repo.write("x-y", "neighbour too\n");
    std::string c1 = repo.commit();
    repo.remove("x");
    repo.write("x/inner.txt", "in a dir\n");
    repo.write("x/deep/more.txt", "deeper\n");
    std::string c2 = repo.commit();
    repo.remove("x");
    repo.write("x", "file again\n");
    std::string c3 = repo.commit();
    Repository r = Repository::open(repo.path());
    auto to_dir = r.diff_commits(c1, c2);
    CHECK(summary(to_dir) == Lines{"added x/deep/more.txt", "added x/inner.txt", "deleted x"});
    CHECK(by_path(to_dir).at("x").old_blob == repo.rev(c1 + ":x"));
    CHECK(summary(r.diff_commits(c2, c3)) == Lines{"added x", "deleted x/deep/more.txt", "deleted x/inner.txt"});
    CHECK(summary(r.diff_commits(c1, c3)) == Lines{"modified x"});
  }

  SECTION("a file/dir swap with no neighbours") {
    repo.write("only", "file\n");
    std::string c1 = repo.commit();
    repo.remove("only");
    repo.write("only/f.txt", "f\n");
    std::string c2 = repo.commit();
    Repository r = Repository::open(repo.path());
    CHECK(summary(r.diff_commits(c1, c2)) == Lines{"added only/f.txt", "deleted only"});
    CHECK(summary(r.diff_commits(c2, c1)) == Lines{"added only", "deleted only/f.txt"});
  }

  SECTION("a symlink is reported with the link mode") {
    repo.write("target.txt", "t\n");
    std::string c1 = repo.commit();
    fs::create_symlink("target.txt", repo.path() / "link");
    std::string c2 = repo.commit();
    auto m = by_path(Repository::open(repo.path()).diff_commits(c1, c2));
    REQUIRE(m.count("link"));
    CHECK(m.at("link").kind == Kind::added);
    CHECK(m.at("link").mode == 0120000);
    CHECK(m.size() == 1);
  }

  SECTION("an executable-bit change is a modification with the new mode and the same blob") {
    repo.write("run.sh", "echo hi\n");
    std::string c1 = repo.commit();
    fs::permissions(repo.path() / "run.sh", fs::perms(0755));
    std::string c2 = repo.commit();
    REQUIRE(repo.git({"ls-tree", c2, "run.sh"}).rfind("100755", 0) == 0);
    auto changes = Repository::open(repo.path()).diff_commits(c1, c2);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].kind == Kind::modified);
    CHECK(changes[0].path == "run.sh");
    CHECK(changes[0].mode == 0100755);
    CHECK(changes[0].old_blob == changes[0].new_blob);
  }

  SECTION("submodule entries (gitlinks) are not files") {
    repo.write("a.txt", "a\n");
    std::string c1 = repo.commit();
    // Committed straight from the index: `add -A` would drop the gitlink (no sub/ in the work tree).
    repo.git({"update-index", "--add", "--cacheinfo", "160000," + c1 + ",sub"});
    repo.git({"commit", "-q", "-m", "submodule"});
    std::string c2 = repo.head();
    REQUIRE(repo.git({"ls-tree", c2, "sub"}).rfind("160000", 0) == 0);
    Repository r = Repository::open(repo.path());
    CHECK(r.diff_commits(c1, c2).empty());
    CHECK(summary(r.diff_commits("", c2)) == Lines{"added a.txt"});
  }

  SECTION("a missing commit throws git::Error") {
    repo.write("a.txt", "a\n");
    std::string c1 = repo.commit();
    Repository r = Repository::open(repo.path());
    CHECK_THROWS_AS(r.diff_commits(c1, std::string(40, '1')), git::Error);
  }
}

TEST_CASE("list_files") {
  TempRepo repo("git");
  repo.write("a.txt", "a\n");
  repo.write("d/e/f.py", "f\n");
  repo.write("d/g.sh", "g\n");
  fs::permissions(repo.path() / "d" / "g.sh", fs::perms(0755));
  fs::create_symlink("a.txt", repo.path() / "ln");
  std::string c1 = repo.commit();
  repo.git({"update-index", "--add", "--cacheinfo", "160000," + c1 + ",sub"});
  repo.git({"commit", "-q", "-m", "submodule"}); // not commit(): `add -A` would drop the gitlink
  std::string c2 = repo.head();
  REQUIRE(repo.git({"ls-tree", c2, "sub"}).rfind("160000", 0) == 0);
  Repository r = Repository::open(repo.path());

  SECTION("every blob and symlink with its id and mode, recursively; no trees or gitlinks") {
    std::map<std::string, git::Entry> files;
    for (const auto& e : r.list_files(c2)) files[e.path] = e;
    std::vector<std::string> paths;
    for (const auto& [p, e] : files) paths.push_back(p);
    CHECK(paths == Lines{"a.txt", "d/e/f.py", "d/g.sh", "ln"});
    CHECK(files["d/e/f.py"].blob == repo.rev(c2 + ":d/e/f.py"));
    CHECK(files["a.txt"].mode == 0100644);
    CHECK(files["d/g.sh"].mode == 0100755);
    CHECK(files["ln"].mode == 0120000);
  }

  SECTION("an empty tree lists nothing") {
    std::string empty_tree = repo.git({"hash-object", "-t", "tree", "-w", "/dev/null"});
    std::string c = repo.git({"commit-tree", empty_tree, "-m", "empty"});
    CHECK(r.list_files(c).empty());
  }
}

TEST_CASE("entry_at") {
  TempRepo repo("git");
  repo.write("a.txt", "a\n");
  repo.write("d/e/f.py", "f\n");
  std::string c1 = repo.commit();
  Repository r = Repository::open(repo.path());

  SECTION("a file at the root or nested") {
    auto e = r.entry_at(c1, "d/e/f.py");
    REQUIRE(e);
    CHECK(e->path == "d/e/f.py");
    CHECK(e->blob == repo.rev(c1 + ":d/e/f.py"));
    CHECK(e->mode == 0100644);
    REQUIRE(r.entry_at(c1, "a.txt"));
  }

  SECTION("nullopt for a missing path or a directory") {
    CHECK_FALSE(r.entry_at(c1, "nope.txt"));
    CHECK_FALSE(r.entry_at(c1, "d/e/nope.py"));
    CHECK_FALSE(r.entry_at(c1, "d"));
    CHECK_FALSE(r.entry_at(c1, "d/e"));
  }

  SECTION("an older commit gives the older blob") {
    repo.write("a.txt", "changed\n");
    std::string c2 = repo.commit();
    CHECK(r.entry_at(c1, "a.txt")->blob != r.entry_at(c2, "a.txt")->blob);
    CHECK(r.read_blob(r.entry_at(c1, "a.txt")->blob) == "a\n");
  }
}

TEST_CASE("read_blob") {
  TempRepo repo("git");
  std::string binary("\0\x01\xff text\r\n", 10);
  repo.write("bin.dat", binary);
  repo.write("text.txt", "hello\nworld\n");
  std::string c1 = repo.commit();
  Repository r = Repository::open(repo.path());

  SECTION("returns the bytes as stored, binary included") {
    CHECK(r.read_blob(repo.rev(c1 + ":text.txt")) == "hello\nworld\n");
    CHECK(r.read_blob(repo.rev(c1 + ":bin.dat")) == binary);
  }

  SECTION("reads from a pack after gc") {
    repo.git({"gc", "-q", "--prune=now"});
    Repository packed = Repository::open(repo.path());
    CHECK(packed.read_blob(repo.rev(c1 + ":text.txt")) == "hello\nworld\n");
  }

  SECTION("a missing blob throws git::Error") {
    CHECK_THROWS_AS(r.read_blob(std::string(40, 'e')), git::Error);
  }
}

TEST_CASE("blob_size") {
  TempRepo repo("git");
  repo.write("big.txt", std::string(123457, 'q'));
  repo.write("empty.txt", "");
  std::string c1 = repo.commit();
  Repository r = Repository::open(repo.path());

  SECTION("the size of the content, loose or packed") {
    CHECK(r.blob_size(repo.rev(c1 + ":big.txt")) == 123457);
    CHECK(r.blob_size(repo.rev(c1 + ":empty.txt")) == 0);
    repo.git({"gc", "-q", "--prune=now"});
    CHECK(Repository::open(repo.path()).blob_size(repo.rev(c1 + ":big.txt")) == 123457);
  }

  SECTION("a missing blob throws git::Error") { CHECK_THROWS_AS(r.blob_size(std::string(40, 'e')), git::Error); }
}

TEST_CASE("resolve_commit") {
  TempRepo repo("git");
  repo.write("a.txt", "1\n");
  std::string c1 = repo.commit();
  repo.write("a.txt", "2\n");
  std::string c2 = repo.commit();
  repo.git({"tag", "-a", "-m", "annotated", "v1", c1});
  repo.git({"tag", "light", c2});
  Repository r = Repository::open(repo.path());

  SECTION("HEAD, branch names, relative revisions and ids") {
    CHECK(r.resolve_commit("HEAD") == c2);
    CHECK(r.resolve_commit("main") == c2);
    CHECK(r.resolve_commit("HEAD~1") == c1);
    CHECK(r.resolve_commit(c1) == c1);
    CHECK(r.resolve_commit(c1.substr(0, 10)) == c1);
  }

  SECTION("tags peel to their commit") {
    CHECK(r.resolve_commit("v1") == c1);
    CHECK(r.resolve_commit("light") == c2);
  }

  SECTION("nullopt for what does not name a commit") {
    CHECK_FALSE(r.resolve_commit("no-such-branch"));
    CHECK_FALSE(r.resolve_commit("HEAD~5"));
    CHECK_FALSE(r.resolve_commit(std::string(40, '7')));
    CHECK_FALSE(r.resolve_commit(repo.rev(c1 + ":a.txt"))); // a blob
    CHECK_FALSE(r.resolve_commit("bad..spec^^{"));
  }

  SECTION("nullopt on an unborn branch") {
    TempRepo empty("git");
    CHECK_FALSE(Repository::open(empty.path()).resolve_commit("HEAD"));
  }
}

TEST_CASE("parents") {
  TempRepo repo("git");
  repo.write("a.txt", "1\n");
  std::string c1 = repo.commit();
  repo.write("a.txt", "2\n");
  std::string c2 = repo.commit();
  repo.git({"checkout", "-q", "-b", "side", c1});
  repo.write("b.txt", "side\n");
  std::string side = repo.commit();
  repo.git({"checkout", "-q", "main"});
  repo.git({"merge", "-q", "--no-ff", "--no-edit", "side"});
  std::string merge = repo.head();
  Repository r = Repository::open(repo.path());

  SECTION("none for the root commit") { CHECK(r.parents(c1).empty()); }
  SECTION("one for an ordinary commit") { CHECK(r.parents(c2) == Lines{c1}); }
  SECTION("first parent first for a merge") { CHECK(r.parents(merge) == Lines{c2, side}); }
  SECTION("a missing commit throws git::Error") { CHECK_THROWS_AS(r.parents(std::string(40, '3')), git::Error); }
}

TEST_CASE("commit_range") {
  TempRepo repo("git");
  std::vector<std::string> c;
  for (int i = 0; i < 4; ++i) {
    repo.write("a.txt", std::to_string(i) + "\n");
    c.push_back(repo.commit("c" + std::to_string(i)));
  }
  Repository r = Repository::open(repo.path());

  SECTION("from empty: the whole history, oldest first") { CHECK(r.commit_range("", c[3]) == c); }
  SECTION("from..to excludes from and its ancestors") { CHECK(r.commit_range(c[1], c[3]) == Lines{c[2], c[3]}); }
  SECTION("from == to is empty") { CHECK(r.commit_range(c[3], c[3]).empty()); }
  SECTION("at most limit commits, the oldest") { CHECK(r.commit_range("", c[3], 2) == Lines{c[0], c[1]}); }
  SECTION("an unknown from hides nothing") { CHECK(r.commit_range(std::string(40, '5'), c[3]) == c); }

  SECTION("a shallow clone: the commits it has (libgit2 alone found none; the sanitizer run saw its leak)") {
    const fs::path clone = repo.path() / "shallow";
    repo.git({"clone", "-q", "--depth", "2", "file://" + repo.path().string(), clone.string()});
    Repository s = Repository::open(clone);
    CHECK(s.commit_range("", c[3]) == Lines{c[2], c[3]});
    CHECK(s.commit_range(c[2], c[3]) == Lines{c[3]});
    CHECK(s.commit_range("", c[3], 1) == Lines{c[2]});
    CHECK(s.commits_not_on_remotes(c[3]).empty());
    test_support::run_git(clone, {"commit", "-q", "--allow-empty", "--no-verify", "-m", "local"});
    const std::string local = test_support::run_git(clone, {"rev-parse", "HEAD"});
    CHECK(s.commits_not_on_remotes(local) == Lines{local});
    CHECK(s.commit_range(c[3], local) == Lines{local});
  }

  SECTION("a merged side branch is included, parents before children") {
    repo.git({"checkout", "-q", "-b", "side", c[1]});
    repo.write("b.txt", "side\n");
    std::string side = repo.commit();
    repo.git({"checkout", "-q", "main"});
    repo.git({"merge", "-q", "--no-ff", "--no-edit", "side"});
    std::string merge = repo.head();
    Repository r2 = Repository::open(repo.path());
    auto range = r2.commit_range(c[1], merge);
    CHECK(range.size() == 4);
    auto pos = [&](const std::string& id) { return std::find(range.begin(), range.end(), id) - range.begin(); };
    CHECK(pos(c[2]) < pos(c[3]));
    CHECK(pos(side) < 3);
    CHECK(range.back() == merge);
  }
}

TEST_CASE("commits_not_on_remotes") {
  TempRepo repo("git");
  std::vector<std::string> c;
  for (int i = 0; i < 3; ++i) {
    repo.write("a.txt", std::to_string(i) + "\n");
    c.push_back(repo.commit());
  }

  SECTION("without remote-tracking branches: the whole history") {
    CHECK(Repository::open(repo.path()).commits_not_on_remotes(c[2]) == c);
  }

  SECTION("commits reachable from a remote-tracking branch are excluded") {
    repo.git({"update-ref", "refs/remotes/origin/main", c[0]});
    Repository r = Repository::open(repo.path());
    CHECK(r.commits_not_on_remotes(c[2]) == Lines{c[1], c[2]});
    CHECK(r.commits_not_on_remotes(c[2], 1) == Lines{c[1]});
  }

  SECTION("a local branch or a tag does not count as a remote") {
    repo.git({"branch", "old", c[1]});
    repo.git({"tag", "t0", c[0]});
    CHECK(Repository::open(repo.path()).commits_not_on_remotes(c[2]) == c);
  }
}

TEST_CASE("changed_line_ranges") {
  using Ranges = std::vector<std::pair<int, int>>;

  SECTION("identical texts: nothing") { CHECK(git::changed_line_ranges("a\nb\n", "a\nb\n").empty()); }

  SECTION("one modified line") { CHECK(git::changed_line_ranges("a\nb\nc\n", "a\nB\nc\n") == Ranges{{2, 2}}); }

  SECTION("lines inserted at the top shift nothing else") {
    CHECK(git::changed_line_ranges("a\nb\n", "x\ny\na\nb\n") == Ranges{{1, 2}});
  }

  SECTION("lines appended at the end") {
    CHECK(git::changed_line_ranges("a\nb\nc\n", "a\nb\nc\nd\ne\n") == Ranges{{4, 5}});
  }

  SECTION("separate hunks, new-side numbers") {
    std::string old_text = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    std::string new_text = "1\nTWO\n3\n4\n5\n6\n7\nEIGHT\nEIGHT-B\n9\n";
    CHECK(git::changed_line_ranges(old_text, new_text) == Ranges{{2, 2}, {8, 9}});
  }

  SECTION("pure deletions have no new-side lines") {
    CHECK(git::changed_line_ranges("a\nb\nc\n", "a\nc\n").empty());
  }

  SECTION("a new text: every line") { CHECK(git::changed_line_ranges("", "a\nb\nc\n") == Ranges{{1, 3}}); }

  SECTION("a last line without a newline that gains one counts as changed") {
    CHECK(git::changed_line_ranges("a\nb", "a\nb\n") == Ranges{{2, 2}});
  }
}

TEST_CASE("is_reachable") {
  TempRepo repo("git");
  repo.write("a.txt", "1\n");
  std::string c1 = repo.commit();
  repo.write("a.txt", "2\n");
  std::string c2 = repo.commit();
  repo.git({"checkout", "-q", "-b", "side", c1});
  repo.write("b.txt", "side\n");
  std::string side = repo.commit();
  repo.git({"checkout", "-q", "-b", "doomed"});
  repo.write("c.txt", "doomed\n");
  std::string doomed = repo.commit();
  repo.git({"checkout", "-q", "main"});
  repo.git({"branch", "-q", "-D", "doomed"});
  Repository r = Repository::open(repo.path());

  SECTION("HEAD and its ancestors") {
    CHECK(r.is_reachable(c2));
    CHECK(r.is_reachable(c1));
  }
  SECTION("the tip of another local branch") { CHECK(r.is_reachable(side)); }
  SECTION("not a commit only a deleted branch reached") {
    REQUIRE(r.has_object(doomed));
    CHECK_FALSE(r.is_reachable(doomed));
  }
  SECTION("not a commit only a remote-tracking branch or a tag reaches") {
    repo.git({"update-ref", "refs/remotes/origin/x", doomed});
    repo.git({"tag", "t", doomed});
    CHECK_FALSE(Repository::open(repo.path()).is_reachable(doomed));
  }
}

TEST_CASE("ancestors_among") {
  // main: c1 - c2 - c3; feat: c1 - f1 - f2 (all within one second: the walk's order must not need dates).
  TempRepo repo("git");
  repo.write("a.txt", "1\n");
  std::string c1 = repo.commit();
  repo.write("a.txt", "2\n");
  std::string c2 = repo.commit();
  repo.write("a.txt", "3\n");
  std::string c3 = repo.commit();
  repo.git({"checkout", "-q", "-b", "feat", c1});
  repo.write("f.txt", "1\n");
  std::string f1 = repo.commit();
  repo.write("f.txt", "2\n");
  std::string f2 = repo.commit();
  Repository r = Repository::open(repo.path());

  SECTION("the targets in the tip's history, newest first") {
    CHECK(r.ancestors_among(c3, {c1, c2, f1}) == Lines{c2, c1});
    CHECK(r.ancestors_among(f2, {c1, c2, c3, f1, f2}) == Lines{f2, f1, c1});
  }
  SECTION("the tip itself counts") { CHECK(r.ancestors_among(c2, {c2}) == Lines{c2}); }
  SECTION("stop_after ends the walk at the first met") { CHECK(r.ancestors_among(c3, {c1, c2}, 1) == Lines{c2}); }
  SECTION("another line's commits, unknown ids and non-commits are never met") {
    CHECK(r.ancestors_among(c3, {f1, f2, std::string(40, 'e'), "nonsense"}).empty());
    CHECK(r.ancestors_among(c3, {}).empty());
  }
  SECTION("after a merge both lines are in the history") {
    repo.git({"checkout", "-q", "main"});
    repo.git({"merge", "-q", "--no-edit", "feat"});
    std::string merge = repo.head();
    auto met = Repository::open(repo.path()).ancestors_among(merge, {c1, c3, f2});
    CHECK(met.size() == 3);
    CHECK(met.back() == c1);
  }
}

TEST_CASE("commits_since") {
  TempRepo repo("git");
  repo.write("a.txt", "1\n");
  std::string c1 = repo.commit();
  repo.write("a.txt", "2\n");
  std::string c2 = repo.commit();
  repo.write("a.txt", "3\n");
  std::string c3 = repo.commit();
  repo.write("a.txt", "4\n");
  std::string c4 = repo.commit();
  Repository r = Repository::open(repo.path());
  auto none = [](const std::string&) { return false; };

  SECTION("everything back to the root, newest first") {
    auto w = r.commits_since(c4, "", 0, none, 100, 100);
    CHECK(w.commits == Lines{c4, c3, c2, c1});
    CHECK(w.complete);
  }
  SECTION("not past the hidden commit") {
    CHECK(r.commits_since(c4, c2, 0, none, 100, 100).commits == Lines{c4, c3});
    CHECK(r.commits_since(c4, c4, 0, none, 100, 100).commits.empty());
  }
  SECTION("a hidden commit that does not exist hides nothing") {
    CHECK(r.commits_since(c4, std::string(40, 'e'), 0, none, 100, 100).commits.size() == 4);
  }
  SECTION("skipped commits are left out, the walk goes on past them") {
    auto w = r.commits_since(c4, "", 0, [&](const std::string& c) { return c == c3 || c == c4; }, 100, 100);
    CHECK(w.commits == Lines{c2, c1});
  }
  SECTION("commits dated before `since` end the walk") {
    CHECK(r.commits_since(c4, "", r.commit_info(c4).time + 1, none, 100, 100).commits.empty());
  }
  SECTION("limits end it, incomplete") {
    auto kept = r.commits_since(c4, "", 0, none, 2, 100);
    CHECK(kept.commits == Lines{c4, c3});
    CHECK_FALSE(kept.complete);
    auto looked = r.commits_since(c4, "", 0, [&](const std::string& c) { return c == c4; }, 100, 2);
    CHECK(looked.commits == Lines{c3});
    CHECK_FALSE(looked.complete);
  }
}

TEST_CASE("hash_blob") {
  TempRepo repo("git");
  std::string content("some\0bytes\n", 11);
  repo.write("f.bin", content);
  std::string c1 = repo.commit();

  SECTION("the id git gives the content, without writing it") {
    CHECK(git::hash_blob(content) == repo.rev(c1 + ":f.bin"));
    CHECK(git::hash_blob("") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    Repository r = Repository::open(repo.path());
    CHECK_FALSE(r.has_object(git::hash_blob("never written\n")));
  }
}

TEST_CASE("line_hunks") {
  using Hunks = std::vector<git::LineHunk>;

  SECTION("identical texts: no hunk") { CHECK(git::line_hunks("a\nb\n", "a\nb\n").empty()); }

  SECTION("a modified line: both sides at that line") {
    CHECK(git::line_hunks("a\nb\nc\n", "a\nB\nc\n") == Hunks{{2, 1, 2, 1}});
  }

  SECTION("a pure deletion: the new side starts at the line before it") {
    CHECK(git::line_hunks("a\nb\nc\nd\n", "a\nd\n") == Hunks{{2, 2, 1, 0}});
    CHECK(git::line_hunks("a\nb\n", "b\n") == Hunks{{1, 1, 0, 0}});
  }

  SECTION("a pure insertion: the old side starts at the line before it") {
    CHECK(git::line_hunks("a\nb\n", "a\nx\ny\nb\n") == Hunks{{1, 0, 2, 2}});
    CHECK(git::line_hunks("a\n", "x\na\n") == Hunks{{0, 0, 1, 1}});
  }

  SECTION("texts with NUL bytes are still diffed line by line") {
    const std::string old_text("a\nb\0c\nd\n", 9), new_text("a\nB\0c\nd\n", 9);
    CHECK(git::line_hunks(old_text, new_text) == Hunks{{2, 1, 2, 1}});
  }
}

TEST_CASE("line_stats") {
  SECTION("identical: nothing") { CHECK(git::line_stats("a\nb\n", "a\nb\n").changed() == 0); }
  SECTION("a changed line is one deletion and one addition") {
    auto s = git::line_stats("a\nb\nc\n", "a\nB\nc\n");
    CHECK(s.added == 1);
    CHECK(s.deleted == 1);
    CHECK(s.changed() == 2);
  }
  SECTION("additions and deletions counted separately") {
    auto s = git::line_stats("1\n2\n3\n4\n", "1\n4\nx\ny\nz\n");
    CHECK(s.added == 3);
    CHECK(s.deleted == 2);
  }
  SECTION("text with NUL bytes is still diffed as text") {
    auto s = git::line_stats(std::string("a\0\nb\n", 5), std::string("a\0\nc\n", 5));
    CHECK(s.added == 1);
    CHECK(s.deleted == 1);
  }
}

TEST_CASE("unified_diff") {
  SECTION("headers, hunk header and +/- lines") {
    std::string d = git::unified_diff("src/a.py", "x = 1\ny = 2\n", "x = 1\ny = 3\n");
    CHECK(d.rfind("--- a/src/a.py\n+++ b/src/a.py\n", 0) == 0);
    CHECK_THAT(d, Catch::Contains("@@ -1,2 +1,2 @@"));
    CHECK_THAT(d, Catch::Contains("\n x = 1\n-y = 2\n+y = 3\n"));
  }
  SECTION("a missing final newline is marked") {
    std::string d = git::unified_diff("a", "x\n", "x\ny");
    CHECK_THAT(d, Catch::Contains("+y\n\\ No newline at end of file\n"));
  }
  SECTION("identical texts: headers only") {
    CHECK(git::unified_diff("a", "same\n", "same\n") == "--- a/a\n+++ b/a\n");
  }
}

TEST_CASE("Repository object writing") {
  TempRepo repo("git");
  repo.write("a.txt", "a\n");
  repo.write("dir/run.sh", "echo\n");
  fs::permissions(repo.path() / "dir" / "run.sh", fs::perms(0755));
  std::string c1 = repo.commit();
  std::string status_before = repo.git({"status", "--porcelain", "--ignored"});
  std::string index_before = repo.git({"ls-files", "--stage"});
  Repository r = Repository::open(repo.path());

  SECTION("write_blob stores content under its hash") {
    std::string id = r.write_blob("new content\n");
    CHECK(id == git::hash_blob("new content\n"));
    CHECK(r.read_blob(id) == "new content\n");
  }

  SECTION("tree_with_file replaces or adds one path and keeps the rest") {
    std::string blob = r.write_blob("changed\n");
    std::string tree = r.tree_with_file(c1, "dir/run.sh", blob, 0100755);
    CHECK(repo.git({"ls-tree", "-r", tree}) ==
          "100644 blob " + repo.rev(c1 + ":a.txt") + "\ta.txt\n100755 blob " + blob + "\tdir/run.sh");
    std::string added = r.tree_with_file(c1, "new/deep/f.py", blob, 0100644);
    CHECK(repo.rev(added + ":new/deep/f.py") == blob);
    CHECK(repo.rev(added + ":a.txt") == repo.rev(c1 + ":a.txt"));
  }

  SECTION("create_commit, commit_info, refs: objects and autoloop refs only, never the work tree, index or HEAD") {
    std::string blob = r.write_blob("fixed\n");
    std::string tree = r.tree_with_file(c1, "a.txt", blob, 0100644);
    std::string fix = r.create_commit(tree, {c1}, {"Author", "author@example.com"}, {"Bot", "bot@example.com"},
                                      "Fix a\n\nAutoloop-Rule: t/x\n");
    git::CommitInfo info = r.commit_info(fix);
    CHECK(info.id == fix);
    CHECK(info.tree == tree);
    CHECK(info.parents == Lines{c1});
    CHECK(info.message == "Fix a\n\nAutoloop-Rule: t/x\n");
    CHECK(info.author.name == "Author");
    CHECK(info.author.email == "author@example.com");
    CHECK(info.time > 0);
    CHECK(repo.git({"log", "-1", "--format=%cn <%ce>", fix}) == "Bot <bot@example.com>");

    CHECK(r.update_ref("refs/heads/autoloop/main", fix, "", "autoloop: fix"));
    CHECK(r.read_ref("refs/heads/autoloop/main") == fix);
    CHECK(r.list_refs("refs/heads/autoloop/") == Lines{"refs/heads/autoloop/main"});

    CHECK(repo.head() == c1);
    CHECK(repo.git({"symbolic-ref", "HEAD"}) == "refs/heads/main");
    CHECK(repo.git({"status", "--porcelain", "--ignored"}) == status_before);
    CHECK(repo.git({"ls-files", "--stage"}) == index_before);
    CHECK(test_support::slurp(repo.path() / "a.txt") == "a\n");
  }

  SECTION("create_commit refuses an identity with a line break (a header line of the config's choosing)") {
    const std::string tree = repo.rev(c1 + "^{tree}");
    const std::string forged = "Bot\nparent 1111111111111111111111111111111111111111\nx";
    CHECK_THROWS_AS(r.create_commit(tree, {c1}, {forged, "a@x"}, {"A", "a@x"}, "m\n"), git::Error);
    CHECK_THROWS_AS(r.create_commit(tree, {c1}, {"A", "a@x"}, {"A", "a@x\ncommitter F <f@x> 0 +0000"}, "m\n"), git::Error);
    CHECK_THROWS_AS(r.create_commit(tree, {c1}, {"A", "a@x"}, {std::string("A\0B", 3), "a@x"}, "m\n"), git::Error);
  }

  SECTION("update_ref moves a ref only from the expected id") {
    std::string c2 = r.create_commit(repo.rev(c1 + "^{tree}"), {c1}, {"A", "a@x"}, {"A", "a@x"}, "second\n");
    CHECK(r.update_ref("refs/heads/autoloop/x", c1, "", "create"));
    CHECK_FALSE(r.update_ref("refs/heads/autoloop/x", c2, "", "create again"));
    CHECK_FALSE(r.update_ref("refs/heads/autoloop/x", c2, c2, "wrong expectation"));
    CHECK(r.read_ref("refs/heads/autoloop/x") == c1);
    CHECK(r.update_ref("refs/heads/autoloop/x", c2, c1, "move"));
    CHECK(r.read_ref("refs/heads/autoloop/x") == c2);
    CHECK_FALSE(r.update_ref("refs/heads/autoloop/missing", c2, c1, "not there"));
    CHECK_FALSE(r.read_ref("refs/heads/autoloop/missing"));
  }

  SECTION("delete_ref only from the expected id; a missing ref is success") {
    CHECK(r.update_ref("refs/heads/autoloop/y", c1, "", "create"));
    CHECK_FALSE(r.delete_ref("refs/heads/autoloop/y", std::string(40, 'a')));
    CHECK(r.read_ref("refs/heads/autoloop/y") == c1);
    CHECK(r.delete_ref("refs/heads/autoloop/y", c1));
    CHECK_FALSE(r.read_ref("refs/heads/autoloop/y"));
    CHECK(r.delete_ref("refs/heads/autoloop/y", c1));
  }

  SECTION("first_reflog_message names who created a ref, whatever moved it since") {
    std::string c2 = r.create_commit(repo.rev(c1 + "^{tree}"), {c1}, {"A", "a@x"}, {"A", "a@x"}, "second\n");
    CHECK(r.update_ref("refs/heads/autoloop/z", c1, "", "autoloop: cycle 1"));
    CHECK(r.update_ref("refs/heads/autoloop/z", c2, c1, "autoloop: cycle 2"));
    CHECK(r.first_reflog_message("refs/heads/autoloop/z") == std::string("autoloop: cycle 1"));
    repo.git({"branch", "release/main", c2});
    auto created = r.first_reflog_message("refs/heads/release/main");
    REQUIRE(created);
    CHECK(created->rfind("branch: Created from", 0) == 0);
    CHECK_FALSE(r.first_reflog_message("refs/heads/never-made"));
  }

  SECTION("read_ref: nullopt for a missing or malformed name") {
    CHECK(r.read_ref("refs/heads/main") == c1);
    CHECK_FALSE(r.read_ref("refs/heads/nope"));
    CHECK_FALSE(r.read_ref("refs/heads/bad..name"));
  }

  SECTION("default_signature reads user.name and user.email") {
    repo.git({"config", "user.name", "Configured Name"});
    repo.git({"config", "user.email", "configured@example.com"});
    git::Signature s = Repository::open(repo.path()).default_signature();
    CHECK(s.name == "Configured Name");
    CHECK(s.email == "configured@example.com");
  }
}

TEST_CASE("normalize_ref_name") {
  SECTION("valid names come back as they are") {
    for (const char* name : {"refs/heads/main", "refs/heads/autoloop/main", "refs/heads/bots/autoloop/feat/x",
                             "refs/heads/al-main"})
      CHECK(git::normalize_ref_name(name) == std::optional<std::string>(name));
  }

  SECTION("names git refuses give nothing") {
    for (const std::string& name : std::vector<std::string>{"refs/heads/../../x/main", "refs/heads/a/../b/main", "refs/heads/.hidden/main",
                                   "refs/heads/x.lock/main", "refs/heads/a b/main", "refs/heads/a~b/main",
                                   "refs/heads/a^/main", "refs/heads/a:b/main", "refs/heads/a?/main",
                                   "refs/heads/a*/main", "refs/heads/a[/main", "refs/heads/a\\b/main",
                                   "refs/heads/@{/main", "refs/heads/a/./b/main", "refs/heads/a\x01/main",
                                   "refs/heads/main/", "refs/heads/main.", std::string("refs/heads/a\0b", 14)}) {
      INFO(name);
      CHECK_FALSE(git::normalize_ref_name(name));
    }
  }

  SECTION("a name libgit2 would tidy up is not the name asked for: callers compare") {
    auto tidied = git::normalize_ref_name("refs/heads/a//b/main");
    CHECK((!tidied || *tidied != "refs/heads/a//b/main"));
  }

  SECTION("core's std-only check (config load, the hook) refuses whatever libgit2 refuses") {
    std::vector<std::string> names = {"refs/heads/a//b/main", "refs/heads/main/", "refs/heads/main.",
                                      "refs/heads/a.lock", "refs/heads/@", "refs/heads/-x", "refs/heads/x@{y",
                                      "refs/heads/x{y", "refs/heads/ünï", "refs/heads/a\x7f" "b"};
    for (const auto& [prefix, why] : test_support::k_hostile_prefixes) names.push_back("refs/heads/" + prefix + "main");
    for (const auto& name : names) {
      INFO("'" << name << "'");
      if (git::normalize_ref_name(name) != std::optional<std::string>(name)) CHECK(core::ref_name_problem(name));
    }
    // And the hostile prefixes themselves are all refused by core, whatever libgit2 says of them.
    for (const auto& [prefix, why] : test_support::k_hostile_prefixes) CHECK(core::side_branch_prefix_problem(prefix));
  }
}
