#include "hookcore/lock.hpp"

#include "../support/temp_repo.hpp"

#include <csignal>
#include <filesystem>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using hookcore::FileLock;
using test_support::TempDir;

TEST_CASE("FileLock::held_elsewhere") {
  TempDir dir("lock");
  const fs::path path = dir.path() / "worker.lock";

  SECTION("a missing lock file is not held, and looking does not create it") {
    CHECK_FALSE(FileLock::held_elsewhere(path));
    CHECK_FALSE(fs::exists(path));
  }

  SECTION("held while an owner has it, free once the owner lets go") {
    auto owner = FileLock::try_acquire(path);
    REQUIRE(owner);
    CHECK(FileLock::held_elsewhere(path));
    owner.reset();
    CHECK_FALSE(FileLock::held_elsewhere(path));
    CHECK(FileLock::try_acquire(path));
  }

  SECTION("held by another process; released by the kernel when that process dies") {
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      auto lock = FileLock::try_acquire(path);
      char c = lock ? 'y' : 'n';
      (void)!::write(ready[1], &c, 1);
      ::pause(); // until killed: no destructors run
      ::_exit(0);
    }
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    CHECK(c == 'y');
    CHECK(FileLock::held_elsewhere(path));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK_FALSE(FileLock::held_elsewhere(path));
    ::close(ready[0]);
    ::close(ready[1]);
  }

  SECTION("a look never keeps the lock: an exclusive taker right after it succeeds") {
    auto owner = FileLock::try_acquire(path);
    REQUIRE(owner);
    owner.reset();
    for (int i = 0; i < 100; ++i) {
      CHECK_FALSE(FileLock::held_elsewhere(path));
      CHECK(FileLock::try_acquire(path));
    }
  }
}
