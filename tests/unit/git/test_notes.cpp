// git/notes: notes refs read as git lays them out (any fanout), written in one compare-and-swap commit.
#include "git/notes.hpp"

#include "../support/temp_repo.hpp"

#include <string>
#include <vector>

using test_support::TempRepo;

TEST_CASE("Notes::find, for_each and write_notes", "[git][notes]") {
  TempRepo repo("notes-git");
  repo.write("a.py", "x = 1\n");
  repo.commit("one");
  const std::string blob = repo.rev("HEAD:a.py");
  repo.git({"notes", "--ref=refs/notes/x", "add", "-m", "hello", blob});
  git::Repository r = git::Repository::open(repo.path());
  auto notes = git::Notes::open(r, "refs/notes/x");
  REQUIRE(notes);
  auto note = notes->find(blob);
  REQUIRE(note);
  CHECK(r.read_blob(*note) == "hello\n");
  CHECK_FALSE(notes->find(std::string(40, '0')));
  CHECK_FALSE(notes->find("not an id"));
  std::vector<std::string> seen;
  notes->for_each([&](const std::string& object, const std::string&) {
    seen.push_back(object);
    return true;
  });
  CHECK(seen == std::vector<std::string>{blob});
  CHECK_FALSE(git::Notes::open(r, "refs/notes/none"));

  // 300 notes make git fan the tree out (ab/cdef...): each is still found, and ours is added beside them.
  for (int i = 0; i < 300; ++i) {
    const std::string id = r.write_blob("content " + std::to_string(i) + "\n");
    repo.git({"notes", "--ref=refs/notes/x", "add", "-m", "n" + std::to_string(i), id});
  }
  notes = git::Notes::open(r, "refs/notes/x");
  int count = 0;
  notes->for_each([&](const std::string& object, const std::string& note_blob) {
    ++count;
    CHECK(notes->find(object) == note_blob);
    return true;
  });
  CHECK(count == 301);
  REQUIRE(notes->path_of(blob));
  CHECK(notes->path_of(blob)->find('/') != std::string::npos);
  const std::string note_blob = r.write_blob("updated\n");
  REQUIRE(git::write_notes(r, "refs/notes/x", &*notes, {{blob, note_blob}}, {"Test", "test@example.com"}, "update\n"));
  CHECK(repo.git({"notes", "--ref=refs/notes/x", "show", blob}) == "updated");
  CHECK(repo.git({"notes", "--ref=refs/notes/x", "list"}).size() == 301 * 82 - 1);
  // The ref moved under the old view: the write refuses.
  CHECK_FALSE(git::write_notes(r, "refs/notes/x", &*notes, {{blob, note_blob}}, {"Test", "test@example.com"}, "again\n"));
}
