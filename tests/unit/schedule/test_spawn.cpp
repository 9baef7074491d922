#include "schedule/spawn.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// A fresh directory per test, removed on success and kept (and printed) when a REQUIRE fails.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "autoloop-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    if (std::uncaught_exceptions() > 0) {
      std::cerr << "test dir kept: " << path << "\n";
      return;
    }
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The detached worker writes `file` last via rename, so a complete file means it finished.
std::string wait_for_file(const fs::path& file, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(file)) return slurp(file);
    std::this_thread::sleep_for(10ms);
  }
  return "<timeout>";
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

} // namespace

TEST_CASE("spawn_detached") {
  TempDir tmp;
  INFO("test dir: " << tmp.path);
  const fs::path out = tmp.path / "out";
  // Every script writes to a temp name and renames, so the test never reads a half-written file.
  auto sh = [&](const std::string& body) {
    return std::vector<std::string>{"/bin/sh", "-c", body + " > '" + out.string() + ".tmp' && mv '" + out.string() +
                                                         ".tmp' '" + out.string() + "'"};
  };

  SECTION("returns at once while the worker keeps running, and leaves no zombie") {
    auto start = std::chrono::steady_clock::now();
    REQUIRE(schedule::spawn_detached(sh("sleep 1; echo $$")));
    auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(elapsed < 500ms);
    CHECK_FALSE(fs::exists(out));
    int status = 0;
    errno = 0;
    CHECK(::waitpid(-1, &status, WNOHANG) == -1); // the intermediate child was reaped, the worker is not ours
    CHECK(errno == ECHILD);
    std::string pid = trimmed(wait_for_file(out));
    CHECK(pid != "<timeout>");
    CHECK(pid != std::to_string(::getpid()));
  }

  SECTION("the worker runs in its own session with lower priority") {
    int base = ::getpriority(PRIO_PROCESS, 0);
    REQUIRE(schedule::spawn_detached(sh("echo $$ $(cut -d' ' -f6 /proc/$$/stat) $(nice)")));
    std::istringstream fields(wait_for_file(out));
    long pid = 0, session = 0;
    int niceness = 0;
    REQUIRE(fields >> pid >> session >> niceness);
    CHECK(session == pid);
    CHECK(niceness == std::min(base + 10, 19));
  }

  SECTION("git's repository variables are scrubbed, others kept") {
    ::setenv("GIT_DIR", "/somewhere/.git", 1);
    ::setenv("GIT_INDEX_FILE", "/somewhere/.git/index", 1);
    ::setenv("AUTOLOOP_TEST_KEEP", "kept", 1);
    bool ok = schedule::spawn_detached(sh("echo ${GIT_DIR-unset} ${GIT_INDEX_FILE-unset} ${AUTOLOOP_TEST_KEEP-unset}"));
    ::unsetenv("GIT_DIR");
    ::unsetenv("GIT_INDEX_FILE");
    ::unsetenv("AUTOLOOP_TEST_KEEP");
    REQUIRE(ok);
    CHECK(trimmed(wait_for_file(out)) == "unset unset kept");
  }

  SECTION("only stdin, stdout and stderr stay open, all on /dev/null") {
    int leaked = ::open("/dev/null", O_RDONLY); // no O_CLOEXEC: the spawn must close it anyway
    REQUIRE(leaked >= 3);
    bool ok = schedule::spawn_detached(
        {"/bin/sh", "-c",
         // Redirections inside subshells: the outer shell's own fds stay as the spawn left them while ls and
         // readlink look at them (dash saves fds in the shell itself when it redirects a plain command).
         "cd '" + tmp.path.string() + "' && p=$$ && (ls /proc/$p/fd > a) && "
         "(readlink /proc/$p/fd/0 /proc/$p/fd/1 /proc/$p/fd/2 > b) && (cat a b | tr '\\n' ' ' > out.tmp) && mv out.tmp out"});
    ::close(leaked);
    REQUIRE(ok);
    CHECK(trimmed(wait_for_file(out)) == "0 1 2 /dev/null /dev/null /dev/null");
  }

  SECTION("an empty argv is refused without forking") {
    CHECK_FALSE(schedule::spawn_detached({}));
  }
}

TEST_CASE("run_and_wait") {
  TempDir tmp;
  INFO("test dir: " << tmp.path);

  SECTION("returns the exit status") {
    CHECK(schedule::run_and_wait({"/bin/sh", "-c", "exit 0"}, std::nullopt) == 0);
    CHECK(schedule::run_and_wait({"/bin/sh", "-c", "exit 3"}, std::nullopt) == 3);
  }

  SECTION("a killed child reports 128+signal") {
    CHECK(schedule::run_and_wait({"/bin/sh", "-c", "kill -9 $$"}, std::nullopt) == 128 + 9);
  }

  SECTION("replays the input on stdin") {
    const fs::path out = tmp.path / "out";
    std::string input = "line one\nline two\n";
    CHECK(schedule::run_and_wait({"/bin/sh", "-c", "cat > '" + out.string() + "'"}, input) == 0);
    CHECK(slurp(out) == input);
  }

  SECTION("a child that ignores a large input does not hang or kill us") {
    std::string input(1 << 20, 'x');
    CHECK(schedule::run_and_wait({"/bin/sh", "-c", "exit 0"}, input) == 0);
  }

  SECTION("a script without #! runs under /bin/sh, with its arguments") {
    const fs::path script = tmp.path / "hook";
    const fs::path out = tmp.path / "out";
    std::ofstream(script) << "echo \"$1|$2\" > '" << out.string() << "'\n";
    fs::permissions(script, static_cast<fs::perms>(0755));
    CHECK(schedule::run_and_wait({script.string(), "a", "b c"}, std::nullopt) == 0);
    CHECK(slurp(out) == "a|b c\n");
  }

  SECTION("a missing program is 127") {
    CHECK(schedule::run_and_wait({(tmp.path / "missing").string()}, std::nullopt) == 127);
  }
}
