#include "hookcore/spawn.hpp"

#include "../support/temp_repo.hpp"

#include <cerrno>
#include <csignal>
#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sched.h>
#include <sys/resource.h>
#include <sched.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_support::slurp;
using test_support::TempDir;

namespace {

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
  const fs::path out = tmp.path() / "out";
  // Every script writes to a temp name and renames, so the test never reads a half-written file.
  auto sh = [&](const std::string& body) {
    return std::vector<std::string>{"/bin/sh", "-c", body + " > '" + out.string() + ".tmp' && mv '" + out.string() +
                                                         ".tmp' '" + out.string() + "'"};
  };

  SECTION("returns at once while the worker keeps running, and leaves no zombie") {
    auto start = std::chrono::steady_clock::now();
    REQUIRE(hookcore::spawn_detached(sh("sleep 1; echo $$")));
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

  SECTION("a hangup of the caller's process group (git exiting on a terminal) does not reach the worker") {
    // git, when it leads the terminal's session (run by a script, an IDE, `ssh host git commit`), exits
    // right after the hook: the kernel hangs up the foreground group, which the worker is in until
    // setsid(). A helper in a group of its own plays the hook and hangs its group up at once; with the
    // signal blocked by the caller too, one that arrives before setsid() must not be delivered after it.
    for (bool caller_blocks : {false, true}) {
      for (int round = 0; round < 5; ++round) {
        fs::remove(out);
        pid_t helper = ::fork();
        REQUIRE(helper >= 0);
        if (helper == 0) {
          ::setpgid(0, 0);
          sigset_t hup;
          sigemptyset(&hup);
          sigaddset(&hup, SIGHUP);
          ::sigprocmask(caller_blocks ? SIG_BLOCK : SIG_UNBLOCK, &hup, nullptr);
          ::signal(SIGHUP, SIG_DFL);
          bool started = hookcore::spawn_detached(sh("sleep 0.2; echo alive"), hookcore::Reap::by_init);
          ::kill(0, SIGHUP);
          ::_exit(started ? 0 : 1);
        }
        int status = 0;
        REQUIRE(::waitpid(helper, &status, 0) == helper);
        INFO("caller blocks SIGHUP: " << caller_blocks << ", round " << round);
        CHECK(trimmed(wait_for_file(out, 5s)) == "alive");
      }
    }
  }

  SECTION("the worker runs in its own session with lower priority") {
    int base = ::getpriority(PRIO_PROCESS, 0);
    // stat field 41 is the scheduling policy (SCHED_IDLE is 5); ionice prints the I/O class.
    REQUIRE(hookcore::spawn_detached(
        sh("echo $$ $(cut -d' ' -f6 /proc/$$/stat) $(nice) $(cut -d' ' -f41 /proc/$$/stat) $(ionice -p $$)")));
    std::istringstream fields(wait_for_file(out));
    long pid = 0, session = 0;
    int niceness = 0, policy = -1;
    std::string io_class;
    REQUIRE(fields >> pid >> session >> niceness >> policy >> io_class);
    CHECK(io_class == "idle");
    CHECK(session == pid);
    CHECK(niceness == std::min(base + 19, 19));
    CHECK(policy == SCHED_IDLE);
  }

  SECTION("git's repository variables are scrubbed, others kept") {
    bool ok = false;
    {
      test_support::EnvGuard git_dir("GIT_DIR", "/somewhere/.git");
      test_support::EnvGuard index("GIT_INDEX_FILE", "/somewhere/.git/index");
      test_support::EnvGuard keep("AUTOLOOP_TEST_KEEP", "kept");
      ok = hookcore::spawn_detached(sh("echo ${GIT_DIR-unset} ${GIT_INDEX_FILE-unset} ${AUTOLOOP_TEST_KEEP-unset}"));
    }
    REQUIRE(ok);
    CHECK(trimmed(wait_for_file(out)) == "unset unset kept");
  }

  SECTION("only stdin, stdout and stderr stay open, all on /dev/null") {
    int leaked = ::open("/dev/null", O_RDONLY); // no O_CLOEXEC: the spawn must close it anyway
    REQUIRE(leaked >= 3);
    bool ok = hookcore::spawn_detached(
        {"/bin/sh", "-c",
         // Redirections inside subshells: the outer shell's own fds stay as the spawn left them while ls and
         // readlink look at them (dash saves fds in the shell itself when it redirects a plain command).
         "cd '" + tmp.path().string() + "' && p=$$ && (ls /proc/$p/fd > a) && "
         "(readlink /proc/$p/fd/0 /proc/$p/fd/1 /proc/$p/fd/2 > b) && (cat a b | tr '\\n' ' ' > out.tmp) && mv out.tmp out"});
    ::close(leaked);
    REQUIRE(ok);
    CHECK(trimmed(wait_for_file(out)) == "0 1 2 /dev/null /dev/null /dev/null");
  }

  SECTION("Reap::by_init returns without waiting; the caller's exit would hand the child to init") {
    REQUIRE(hookcore::spawn_detached(sh("echo $$"), hookcore::Reap::by_init));
    CHECK(trimmed(wait_for_file(out)) != "<timeout>");
    // This process lives on, so the intermediate child is ours to reap: exactly one, and not the worker.
    int status = 0;
    pid_t reaped = ::waitpid(-1, &status, 0);
    CHECK(reaped > 0);
    CHECK(std::to_string(reaped) != trimmed(slurp(out)));
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    CHECK(::waitpid(-1, &status, WNOHANG) == -1);
  }

  SECTION("an empty argv is refused without forking") {
    CHECK_FALSE(hookcore::spawn_detached({}));
  }
}

TEST_CASE("run_and_wait") {
  TempDir tmp;

  SECTION("returns the exit status") {
    CHECK(hookcore::run_and_wait({"/bin/sh", "-c", "exit 0"}, std::nullopt) == 0);
    CHECK(hookcore::run_and_wait({"/bin/sh", "-c", "exit 3"}, std::nullopt) == 3);
  }

  SECTION("a killed child reports 128+signal") {
    CHECK(hookcore::run_and_wait({"/bin/sh", "-c", "kill -9 $$"}, std::nullopt) == 128 + 9);
  }

  SECTION("replays the input on stdin") {
    const fs::path out = tmp.path() / "out";
    std::string input = "line one\nline two\n";
    CHECK(hookcore::run_and_wait({"/bin/sh", "-c", "cat > '" + out.string() + "'"}, input) == 0);
    CHECK(slurp(out) == input);
  }

  SECTION("a child that ignores a large input does not hang or kill us") {
    std::string input(1 << 20, 'x');
    CHECK(hookcore::run_and_wait({"/bin/sh", "-c", "exit 0"}, input) == 0);
  }

  SECTION("a script without #! runs under /bin/sh, with its arguments") {
    const fs::path script = tmp.path() / "hook";
    const fs::path out = tmp.path() / "out";
    std::ofstream(script) << "echo \"$1|$2\" > '" << out.string() << "'\n";
    fs::permissions(script, static_cast<fs::perms>(0755));
    CHECK(hookcore::run_and_wait({script.string(), "a", "b c"}, std::nullopt) == 0);
    CHECK(slurp(out) == "a|b c\n");
  }

  SECTION("a missing program is 127") {
    CHECK(hookcore::run_and_wait({(tmp.path() / "missing").string()}, std::nullopt) == 127);
  }
}
