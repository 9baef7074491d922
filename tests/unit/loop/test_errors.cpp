#include "loop/errors.hpp"

#include "../support/temp_repo.hpp"

#include "git/repo.hpp"
#include "queue/store.hpp"

#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using loop::ErrorSource;
using test_support::TempDir;

TEST_CASE("error_source") {
  SECTION("libgit2's errors come from the repository, SQLite's from the queue") {
    CHECK(loop::error_source(git::Error(-3, "reference 'HEAD' not found")) == ErrorSource::repository);
    CHECK(loop::error_source(queue::Error(5, "database is locked")) == ErrorSource::queue);
    CHECK(loop::error_source(queue::CorruptError(11, "/tmp/queue.db", "malformed")) == ErrorSource::queue);
  }

  SECTION("any other error is neither") {
    CHECK(loop::error_source(core::Error("a test command failed")) == ErrorSource::other);
    CHECK(loop::error_source(core::LocatedError(".autoloop.yml", 1, 1, "bad key")) == ErrorSource::other);
  }
}

TEST_CASE("set_aside_corrupt_queue_after") {
  TempDir data("corrupt-queue");
  const fs::path db = data / "queue.db";
  data.write("queue.db", "this is not a database, it is a damaged one");

  SECTION("a corrupt queue is moved aside and a fresh one takes its place") {
    CHECK_FALSE(loop::set_aside_corrupt_queue_after(queue::CorruptError(11, db, "file is not a database")));
    bool moved_aside = false;
    for (const auto& entry : fs::directory_iterator(data.path()))
      moved_aside |= entry.path().filename().string().rfind("queue.db.corrupt-", 0) == 0;
    CHECK(moved_aside);
    CHECK(test_support::slurp(db).rfind("SQLite format 3", 0) == 0);
  }

  SECTION("other errors, or a file that is not a queue, are left alone") {
    CHECK_FALSE(loop::set_aside_corrupt_queue_after(queue::Error(5, "database is locked")));
    const fs::path other = data.write("other.db", "damaged too");
    CHECK_FALSE(loop::set_aside_corrupt_queue_after(queue::CorruptError(11, other, "file is not a database")));
    CHECK(test_support::slurp(db) == "this is not a database, it is a damaged one");
    CHECK(test_support::slurp(other) == "damaged too");
  }
}
