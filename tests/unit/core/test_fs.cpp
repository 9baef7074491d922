#include "core/fs.hpp"

#include "../support/temp_repo.hpp"

#include "core/error.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using test_support::TempDir;

namespace {

// Names in `dir` (not recursive), sorted.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

fs::perms perms_of(const fs::path& p) { return fs::status(p).permissions() & fs::perms::all; }

// The process umask (read by setting it and putting it back).
fs::perms current_umask() {
  mode_t m = ::umask(0);
  ::umask(m);
  return static_cast<fs::perms>(m);
}

} // namespace

TEST_CASE("read_file") {
  TempDir tmp("fs");

  SECTION("returns the whole content, bytes as stored") {
    std::string content("line 1\r\n\0binary\xff\n", 18);
    content += std::string(200000, 'z'); // more than one read buffer
    tmp.write("f.bin", content);
    auto got = core::read_file(tmp / "f.bin");
    REQUIRE(got);
    CHECK(got->size() == content.size());
    CHECK(*got == content);
  }

  SECTION("an empty file is an empty string, not nullopt") {
    tmp.write("empty", "");
    auto got = core::read_file(tmp / "empty");
    REQUIRE(got);
    CHECK(got->empty());
  }

  SECTION("nullopt when the file or a parent does not exist") {
    CHECK_FALSE(core::read_file(tmp / "missing"));
    CHECK_FALSE(core::read_file(tmp / "missing-dir" / "file"));
    tmp.write("plain", "x");
    CHECK_FALSE(core::read_file(tmp / "plain" / "below-a-file"));
  }

  SECTION("other errors throw core::Error") {
    fs::create_directory(tmp / "dir");
    CHECK_THROWS_AS(core::read_file(tmp / "dir"), core::Error);
    if (::geteuid() != 0) {
      auto f = tmp.write("secret", "x");
      fs::permissions(f, fs::perms::none);
      CHECK_THROWS_AS(core::read_file(f), core::Error);
      fs::permissions(f, fs::perms::owner_all);
    }
  }
}

TEST_CASE("write_file_atomic") {
  TempDir tmp("fs");

  SECTION("creates a file with the content") {
    core::write_file_atomic(tmp / "new.txt", "hello\n");
    CHECK(test_support::slurp(tmp / "new.txt") == "hello\n");
    CHECK(names_in(tmp.path()) == std::vector<std::string>{"new.txt"});
  }

  SECTION("replaces an existing file whole and leaves no temp file") {
    tmp.write("f.txt", std::string(10000, 'o'));
    core::write_file_atomic(tmp / "f.txt", "short");
    CHECK(test_support::slurp(tmp / "f.txt") == "short");
    CHECK(names_in(tmp.path()) == std::vector<std::string>{"f.txt"});
  }

  SECTION("sets the mode when given") {
    core::write_file_atomic(tmp / "hook", "#!/bin/sh\n", fs::perms(0755));
    CHECK(perms_of(tmp / "hook") == fs::perms(0755));
    core::write_file_atomic(tmp / "hook", "#!/bin/sh\nexit 0\n", fs::perms(0700));
    CHECK(perms_of(tmp / "hook") == fs::perms(0700));
  }

  SECTION("without a mode, a new file gets the usual permissions (0666 less the umask)") {
    core::write_file_atomic(tmp / "config.yml", "a: 1\n");
    CHECK(perms_of(tmp / "config.yml") == (fs::perms(0666) & ~current_umask()));
  }

  SECTION("without a mode, replacing a file keeps its permissions") {
    auto f = tmp.write("shared.yml", "old\n");
    fs::permissions(f, fs::perms(0644));
    core::write_file_atomic(f, "new\n");
    CHECK(test_support::slurp(f) == "new\n");
    CHECK(perms_of(f) == fs::perms(0644));
  }

  SECTION("throws core::Error when the directory does not exist, creating nothing") {
    CHECK_THROWS_AS(core::write_file_atomic(tmp / "no-dir" / "f.txt", "x"), core::Error);
    CHECK(names_in(tmp.path()).empty());
  }

  SECTION("throws core::Error when the target is a directory; the directory is untouched") {
    fs::create_directory(tmp / "d");
    tmp.write("d/inside", "keep");
    CHECK_THROWS_AS(core::write_file_atomic(tmp / "d", "x"), core::Error);
    CHECK(test_support::slurp(tmp / "d" / "inside") == "keep");
    CHECK(names_in(tmp.path()) == std::vector<std::string>{"d"});
  }
}

TEST_CASE("AtomicFile") {
  TempDir tmp("fs");

  SECTION("the target is untouched until commit") {
    tmp.write("f.txt", "before");
    {
      core::AtomicFile file(tmp / "f.txt");
      file.write("after");
      CHECK(test_support::slurp(tmp / "f.txt") == "before");
      CHECK(names_in(tmp.path()).size() == 2); // the target and one temp file beside it
      file.commit();
      CHECK(test_support::slurp(tmp / "f.txt") == "after");
    }
    CHECK(names_in(tmp.path()) == std::vector<std::string>{"f.txt"});
  }

  SECTION("several writes are concatenated") {
    {
      core::AtomicFile file(tmp / "f.txt");
      file.write("a");
      file.write(std::string(100000, 'b'));
      file.write("c");
      file.commit();
    }
    std::string got = test_support::slurp(tmp / "f.txt");
    CHECK(got.size() == 100002);
    CHECK(got.front() == 'a');
    CHECK(got.back() == 'c');
  }

  SECTION("destroyed without commit: the temp file is removed and the target untouched") {
    tmp.write("f.txt", "before");
    {
      core::AtomicFile file(tmp / "f.txt");
      file.write("discarded");
    }
    CHECK(test_support::slurp(tmp / "f.txt") == "before");
    CHECK(names_in(tmp.path()) == std::vector<std::string>{"f.txt"});
  }

  SECTION("destroyed without commit when there was no target: nothing is created") {
    {
      core::AtomicFile file(tmp / "new.txt");
      file.write("discarded");
    }
    CHECK(names_in(tmp.path()).empty());
  }

  SECTION("a directory that does not exist throws core::Error at construction") {
    CHECK_THROWS_AS(core::AtomicFile(tmp / "missing" / "f"), core::Error);
  }
}

TEST_CASE("is_inside") {
  TempDir tmp("fs-inside");
  const fs::path root = tmp / "root";
  fs::create_directories(root / "a" / "b");
  fs::create_directories(tmp / "outside");
  tmp.write("outside/Cargo.lock", "keep\n");

  SECTION("paths below the root, existing or not yet") {
    CHECK(core::is_inside(root, root / "a"));
    CHECK(core::is_inside(root, root / "a" / "b" / "x.lock"));
    CHECK(core::is_inside(root, root / "new" / "deeper"));
    CHECK(core::is_inside(root, "a/b"));
    CHECK(core::is_inside(root, root / "a" / "." / "b"));
  }

  SECTION("the root itself, or anything '..' could take outside, is not inside") {
    CHECK_FALSE(core::is_inside(root, root));
    CHECK_FALSE(core::is_inside(root, root / "."));
    CHECK_FALSE(core::is_inside(root, root / ".." / "outside" / "Cargo.lock"));
    CHECK_FALSE(core::is_inside(root, root / "a" / ".." / "a")); // lexically inside, but ".." is refused outright
    CHECK_FALSE(core::is_inside(root, "../outside"));
    CHECK_FALSE(core::is_inside(root, tmp / "outside" / "Cargo.lock"));
    CHECK_FALSE(core::is_inside(root, "/etc/passwd"));
    CHECK_FALSE(core::is_inside(root, tmp / "rootless")); // a sibling sharing the root's name as a prefix
  }

  SECTION("a symlink on the way, or the path itself a symlink, escapes") {
    fs::create_directory_symlink(tmp / "outside", root / "a" / "link");
    fs::create_symlink(tmp / "outside" / "Cargo.lock", root / "a" / "file-link");
    CHECK_FALSE(core::is_inside(root, root / "a" / "link"));
    CHECK_FALSE(core::is_inside(root, root / "a" / "link" / "Cargo.lock"));
    CHECK_FALSE(core::is_inside(root, root / "a" / "file-link"));
    CHECK(core::is_inside(root, root / "a" / "b"));
  }

  SECTION("a regular file on the way is not a directory to be inside of") {
    tmp.write("root/plain", "x");
    CHECK_FALSE(core::is_inside(root, root / "plain" / "below"));
  }
}

TEST_CASE("remove_file_inside") {
  TempDir tmp("fs-remove");
  const fs::path root = tmp / "root";
  fs::create_directories(root / "d");
  tmp.write("root/d/x.lock", "lock\n");
  tmp.write("outside/Cargo.lock", "keep\n");
  fs::create_symlink(tmp / "outside" / "Cargo.lock", root / "d" / "link.lock");
  fs::create_directory_symlink(tmp / "outside", root / "escape");

  SECTION("removes a regular file inside") {
    CHECK(core::remove_file_inside(root, root / "d" / "x.lock"));
    CHECK_FALSE(fs::exists(root / "d" / "x.lock"));
  }

  SECTION("leaves files outside, symlinks, directories and paths through symlinks alone") {
    CHECK_FALSE(core::remove_file_inside(root, root / ".." / "outside" / "Cargo.lock"));
    CHECK_FALSE(core::remove_file_inside(root, tmp / "outside" / "Cargo.lock"));
    CHECK_FALSE(core::remove_file_inside(root, root / "escape" / "Cargo.lock"));
    CHECK_FALSE(core::remove_file_inside(root, root / "d" / "link.lock"));
    CHECK_FALSE(core::remove_file_inside(root, root / "d"));
    CHECK_FALSE(core::remove_file_inside(root, root / "d" / "missing.lock"));
    CHECK(test_support::slurp(tmp / "outside" / "Cargo.lock") == "keep\n");
    CHECK(fs::is_symlink(root / "d" / "link.lock"));
    CHECK(fs::is_directory(root / "d"));
  }
}

TEST_CASE("remove_all_inside") {
  TempDir tmp("fs-remove-all");
  const fs::path root = tmp / "root";
  tmp.write("root/worktrees/t1/file", "x");
  tmp.write("outside/keep/Cargo.lock", "keep\n");
  fs::create_directory_symlink(tmp / "outside", root / "worktrees" / "link");

  SECTION("removes the tree, a symlink in it as a link only") {
    CHECK(core::remove_all_inside(root, root / "worktrees"));
    CHECK_FALSE(fs::exists(root / "worktrees"));
    CHECK(test_support::slurp(tmp / "outside" / "keep" / "Cargo.lock") == "keep\n");
  }

  SECTION("a symlink in place of the tree is removed as a link, what it points to stays") {
    fs::create_directory_symlink(tmp / "outside", root / "worktrees-link");
    CHECK(core::remove_all_inside(root, root / "worktrees-link"));
    CHECK_FALSE(fs::is_symlink(root / "worktrees-link"));
    CHECK(test_support::slurp(tmp / "outside" / "keep" / "Cargo.lock") == "keep\n");
  }

  SECTION("a missing tree counts as removed") {
    CHECK(core::remove_all_inside(root, root / "nothing-here"));
  }

  SECTION("refuses the root, '..', an outside path and a symlinked tree") {
    fs::create_directory_symlink(tmp / "outside", root / "worktrees-link");
    CHECK_FALSE(core::remove_all_inside(root, root));
    CHECK_FALSE(core::remove_all_inside(root, root / ".." / "outside"));
    CHECK_FALSE(core::remove_all_inside(root, tmp / "outside"));
    CHECK_FALSE(core::remove_all_inside(root, root / "worktrees-link" / "keep"));
    CHECK(test_support::slurp(tmp / "outside" / "keep" / "Cargo.lock") == "keep\n");
    CHECK(fs::exists(root / "worktrees" / "t1" / "file"));
  }
}

TEST_CASE("read_untrusted_file") {
  TempDir tmp("untrusted");
  const fs::path root = tmp.path() / "work";
  fs::create_directories(root);
  auto write = [](const fs::path& p, const std::string& text) { core::write_file_atomic(p, text); };
  // The message of the refusal, which must be a core::LocatedError naming the file.
  auto refusal = [&](const fs::path& p, std::size_t cap = 1024) -> std::string {
    try {
      core::read_untrusted_file(p, cap, root, "test files");
    } catch (const core::LocatedError& e) {
      CHECK(e.file() == p.string());
      return e.what();
    }
    FAIL("no refusal for " << p.string());
    return {};
  };

  SECTION("a regular file inside the root is read whole") {
    write(root / "a.yml", "key: value\n");
    CHECK(core::read_untrusted_file(root / "a.yml", 1024, root) == std::optional<std::string>("key: value\n"));
  }

  SECTION("a missing file, or a dangling symlink, is nullopt") {
    CHECK_FALSE(core::read_untrusted_file(root / "none.yml", 1024, root));
    fs::create_symlink(root / "gone", root / "dangling.yml");
    CHECK_FALSE(core::read_untrusted_file(root / "dangling.yml", 1024, root));
  }

  SECTION("a symlink to /dev/zero is refused without reading it") {
    fs::create_symlink("/dev/zero", root / "zero.yml");
    const std::string why = refusal(root / "zero.yml");
    CHECK_THAT(why, Catch::Contains("/dev/zero") && Catch::Contains("character device"));
    // Unconfined (a file the user named), a device is still not a regular file.
    CHECK_THROWS_WITH(core::read_untrusted_file(root / "zero.yml", 1024, {}),
                      Catch::Contains("a character device") && Catch::Contains("not a regular file"));
    CHECK_THROWS_AS(core::read_untrusted_file("/dev/zero", 1024, {}), core::LocatedError);
  }

  SECTION("a FIFO is refused at once: opening it would block") {
    REQUIRE(::mkfifo((root / "fifo.yml").c_str(), 0600) == 0);
    // Were it opened for reading, with no writer this call would never return and the test would hang.
    CHECK_THAT(refusal(root / "fifo.yml"), Catch::Contains("a FIFO, not a regular file"));
    fs::create_symlink("fifo.yml", root / "to-fifo.yml");
    CHECK_THAT(refusal(root / "to-fifo.yml"), Catch::Contains("a FIFO (through a symlink"));
  }

  SECTION("a directory is refused") {
    fs::create_directories(root / "dir.yml");
    CHECK_THAT(refusal(root / "dir.yml"), Catch::Contains("a directory, not a regular file"));
  }

  SECTION("a symlink out of the root is refused, even to a harmless regular file") {
    write(tmp.path() / "outside.yml", "key: value\n");
    fs::create_symlink(tmp.path() / "outside.yml", root / "out.yml");
    fs::create_symlink("../outside.yml", root / "relative-out.yml");
    CHECK_THAT(refusal(root / "out.yml"), Catch::Contains("outside " + root.string()));
    CHECK_THAT(refusal(root / "relative-out.yml"), Catch::Contains("outside"));
    // A path through `..` or a symlinked directory is resolved the same way.
    CHECK_THAT(refusal(root / ".." / "outside.yml"), Catch::Contains("outside"));
    fs::create_directory_symlink(tmp.path(), root / "up");
    CHECK_THAT(refusal(root / "up" / "outside.yml"), Catch::Contains("outside"));
    // Without a root (a file the user named) it is read.
    CHECK(core::read_untrusted_file(root / "out.yml", 1024, {}) == std::optional<std::string>("key: value\n"));
  }

  SECTION("a symlink that stays inside the root to a regular file is followed") {
    fs::create_directories(root / "conf");
    write(root / "conf" / "shared.yml", "a: 1\n");
    fs::create_symlink("conf/shared.yml", root / "link.yml");
    CHECK(core::read_untrusted_file(root / "link.yml", 1024, root) == std::optional<std::string>("a: 1\n"));
  }

  SECTION("a file over the cap is refused, naming the cap; exactly at the cap is read") {
    write(root / "at.yml", std::string(1024, 'x'));
    write(root / "over.yml", std::string(1025, 'x'));
    CHECK(core::read_untrusted_file(root / "at.yml", 1024, root)->size() == 1024);
    CHECK_THAT(refusal(root / "over.yml"), Catch::Contains("larger than the 1 KiB limit for test files"));
    write(root / "big.yml", std::string((1 << 20) + 1, 'x'));
    CHECK_THAT(refusal(root / "big.yml", std::size_t{1} << 20), Catch::EndsWith("larger than the 1 MiB limit for test files: not read"));
  }

  SECTION("reading stops past the cap even when st_size says 0 (procfs)") {
    // /proc/self/maps has st_size 0 and many more bytes than 16.
    CHECK_THROWS_WITH(core::read_untrusted_file("/proc/self/maps", 16, {}), Catch::Contains("larger than the 16 bytes limit"));
  }
}

TEST_CASE("resolves_within") {
  TempDir tmp("within");
  fs::create_directories(tmp.path() / "root" / "sub");
  fs::create_directory_symlink("/", tmp.path() / "root" / "slash");
  CHECK(core::resolves_within(tmp.path() / "root" / "sub", tmp.path() / "root"));
  CHECK(core::resolves_within(tmp.path() / "root" / "sub" / "not-yet", tmp.path() / "root"));
  CHECK(core::resolves_within(tmp.path() / "root", tmp.path() / "root"));
  CHECK_FALSE(core::resolves_within(tmp.path() / "root" / "slash", tmp.path() / "root"));
  CHECK_FALSE(core::resolves_within(tmp.path() / "root" / ".." , tmp.path() / "root"));
  CHECK_FALSE(core::resolves_within(tmp.path() / "rootx", tmp.path() / "root"));
}
