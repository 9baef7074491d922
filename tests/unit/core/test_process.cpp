#include "core/process.hpp"

#include "../support/temp_repo.hpp"

#include "core/error.hpp"
#include "core/interrupt.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

using core::InterruptGuard;
using core::ProcessOptions;
using core::ProcessResult;
using core::run_process;
using test_support::TempDir;
using test_support::TempRepo;

namespace {

using Clock = std::chrono::steady_clock;

// Whether process `pid` still exists (a zombie counts as gone: it no longer runs).
bool process_running(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno != ESRCH;
  std::string stat = test_support::slurp("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z';
}

// Whether `pid` is gone within `limit`: a SIGKILLed process still runs until the kernel schedules its
// exit, which on a loaded machine takes a moment (a bound against a hang, not a timing check).
bool ends_within(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (process_running(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return !process_running(pid);
}

// Runs `body` in a forked child and returns its wait status: isolates a test from a signal that
// would otherwise end the whole test run.
template <class F>
int in_child(F body) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int code = 1;
    try {
      code = body() ? 0 : 1;
    } catch (...) {
      code = 2;
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

// The pid a child wrote to `file` (decimal), or 0 once `deadline` passed without it.
pid_t wait_for_pid_file(const std::filesystem::path& file, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    std::string text = test_support::slurp(file);
    if (!text.empty() && text.back() == '\n') return static_cast<pid_t>(std::stol(text));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

// A check inside in_child: says which one failed on stderr (the child has no Catch of its own).
bool expect(bool ok, const char* what) {
  if (!ok) std::fprintf(stderr, "in the child: expected %s\n", what);
  return ok;
}

// The handler now installed for `signal`.
void (*handler_of(int signal))(int) {
  struct sigaction current {};
  ::sigaction(signal, nullptr, &current);
  return current.sa_handler;
}

extern "C" void test_handler(int) {}

} // namespace

TEST_CASE("run_process") {
  SECTION("reports the exit code; ok() only for 0") {
    ProcessResult r = run_process({"sh", "-c", "exit 3"});
    CHECK(r.exit_code == 3);
    CHECK_FALSE(r.timed_out);
    CHECK_FALSE(r.ok());
    CHECK(run_process({"true"}).ok());
  }

  SECTION("captures stdout and stderr separately") {
    ProcessResult r = run_process({"sh", "-c", "printf out; printf err >&2"});
    CHECK(r.ok());
    CHECK(r.out == "out");
    CHECK(r.err == "err");
  }

  SECTION("passes arguments verbatim, without a shell") {
    ProcessResult r = run_process({"printf", "%s|", "a b", "$HOME", "*", "'q'"});
    CHECK(r.out == "a b|$HOME|*|'q'|");
  }

  SECTION("feeds input to stdin") {
    ProcessOptions o;
    o.input = "hello\nworld\n";
    ProcessResult r = run_process({"cat"}, o);
    CHECK(r.ok());
    CHECK(r.out == "hello\nworld\n");
  }

  SECTION("streams large input and output without deadlock") {
    std::string big;
    for (int i = 0; big.size() < 3 * 1024 * 1024; ++i) big += "line " + std::to_string(i) + "\n";
    ProcessOptions o;
    o.input = big;
    o.timeout = std::chrono::seconds(60);
    ProcessResult r = run_process({"cat"}, o);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(r.out.size() == big.size());
    CHECK(r.out == big);
  }

  SECTION("stdin is at end of file when there is no input") {
    ProcessOptions o;
    o.timeout = std::chrono::seconds(20);
    ProcessResult r = run_process({"cat"}, o);
    CHECK_FALSE(r.timed_out);
    CHECK(r.ok());
    CHECK(r.out.empty());
  }

  SECTION("a child that ignores a large input does not kill the caller with SIGPIPE") {
    int status = in_child([] {
      ::signal(SIGPIPE, SIG_DFL); // as in a process started by a shell: the default disposition
      ProcessOptions o;
      o.input = std::string(8 * 1024 * 1024, 'x');
      o.timeout = std::chrono::seconds(30);
      ProcessResult r = run_process({"true"}, o);
      return r.exit_code == 0 && !r.timed_out;
    });
    INFO("wait status " << status << (WIFSIGNALED(status) ? " (killed by signal " + std::to_string(WTERMSIG(status)) + ")" : ""));
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  SECTION("runs in the given working directory") {
    TempDir tmp("process");
    ProcessOptions o;
    o.cwd = tmp.path();
    ProcessResult r = run_process({"pwd", "-P"}, o);
    CHECK(r.out == tmp.path().string() + "\n");
  }

  SECTION("sets and unsets environment variables on top of ours") {
    test_support::EnvGuard keep("AUTOLOOP_TEST_INHERITED", std::string("inherited"));
    test_support::EnvGuard drop("AUTOLOOP_TEST_DROPPED", std::string("dropped"));
    ProcessOptions o;
    o.env["AUTOLOOP_TEST_SET"] = "set";
    o.env["AUTOLOOP_TEST_DROPPED"] = std::nullopt;
    ProcessResult r = run_process(
        {"sh", "-c", "printf '%s,%s,%s' \"$AUTOLOOP_TEST_INHERITED\" \"$AUTOLOOP_TEST_SET\" \"${AUTOLOOP_TEST_DROPPED-unset}\""},
        o);
    CHECK(r.out == "inherited,set,unset");
  }

  SECTION("scrub_env starts from a minimal environment but keeps PATH") {
    test_support::EnvGuard secret("AUTOLOOP_TEST_SECRET", std::string("s3cret"));
    ProcessOptions o;
    o.scrub_env = true;
    o.env["AUTOLOOP_TEST_ADDED"] = "added";
    ProcessResult r =
        run_process({"sh", "-c", "printf '%s,%s,%s' \"${AUTOLOOP_TEST_SECRET-none}\" \"$AUTOLOOP_TEST_ADDED\" \"$PATH\""}, o);
    CHECK(r.ok());
    CHECK(r.out == std::string("none,added,") + ::getenv("PATH"));
  }

  SECTION("a timeout kills the child and reports it") {
    ProcessOptions o;
    o.timeout = std::chrono::milliseconds(300);
    auto t0 = Clock::now();
    ProcessResult r = run_process({"sleep", "30"}, o);
    auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    CHECK(r.timed_out);
    CHECK_FALSE(r.ok());
    CHECK(r.exit_code == 128 + SIGKILL);
    CHECK(elapsed_ms < 10000);
  }

  SECTION("a timeout kills the whole process group, grandchildren included") {
    ProcessOptions o;
    o.timeout = std::chrono::milliseconds(500);
    ProcessResult r = run_process({"sh", "-c", "sleep 60 & echo $!; wait"}, o);
    REQUIRE(r.timed_out);
    pid_t grandchild = static_cast<pid_t>(std::stol(r.out));
    REQUIRE(grandchild > 1);
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (process_running(grandchild) && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK_FALSE(process_running(grandchild));
  }

  SECTION("a timeout holds even when the child closes its output and keeps running") {
    ProcessOptions o;
    o.timeout = std::chrono::milliseconds(300);
    auto t0 = Clock::now();
    ProcessResult r = run_process({"sh", "-c", "exec >/dev/null 2>&1 </dev/null; sleep 8"}, o);
    auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    CHECK(r.timed_out);
    CHECK(elapsed_ms < 5000);
  }

  SECTION("a child killed by a signal reports 128 + the signal") {
    ProcessResult r = run_process({"sh", "-c", "kill -TERM $$"});
    CHECK(r.exit_code == 128 + SIGTERM);
    CHECK_FALSE(r.timed_out);
  }

  SECTION("capture=false lets the child write to our own stdout") {
    TempDir tmp("process");
    auto file = tmp.path() / "stdout.txt";
    std::fflush(nullptr);
    int saved = ::dup(1);
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(saved >= 0);
    REQUIRE(fd >= 0);
    ::dup2(fd, 1);
    ::close(fd);
    ProcessOptions o;
    o.capture = false;
    ProcessResult r = run_process({"sh", "-c", "printf inherited"}, o);
    ::dup2(saved, 1);
    ::close(saved);
    CHECK(r.ok());
    CHECK(r.out.empty());
    CHECK(test_support::slurp(file) == "inherited");
  }

  SECTION("a program that cannot be started throws core::Error") {
    CHECK_THROWS_AS(run_process({"autoloop-no-such-program-xyz"}), core::Error);
    CHECK_THROWS_WITH(run_process({"autoloop-no-such-program-xyz"}), Catch::Contains("autoloop-no-such-program-xyz"));
  }

  SECTION("an empty command throws core::Error") { CHECK_THROWS_AS(run_process({}), core::Error); }

  SECTION("a missing working directory throws core::Error") {
    TempDir tmp("process");
    ProcessOptions o;
    o.cwd = tmp.path() / "missing";
    CHECK_THROWS_AS(run_process({"true"}, o), core::Error);
  }
}

TEST_CASE("git_output") {
  TempRepo repo("process");
  repo.write("a.txt", "a\n");
  std::string head = repo.commit();

  SECTION("returns stdout without the trailing newline") {
    auto out = core::git_output(repo.path(), {"rev-parse", "HEAD"});
    REQUIRE(out);
    CHECK(*out == head);
  }

  SECTION("nullopt when git fails") {
    CHECK_FALSE(core::git_output(repo.path(), {"rev-parse", "--verify", "no-such-branch"}));
  }

  SECTION("ignores GIT_DIR and GIT_WORK_TREE inherited from a hook") {
    TempDir other("process");
    test_support::EnvGuard dir("GIT_DIR", (other.path() / "nowhere").string());
    test_support::EnvGuard tree("GIT_WORK_TREE", other.path().string());
    auto out = core::git_output(repo.path(), {"rev-parse", "HEAD"});
    REQUIRE(out);
    CHECK(*out == head);
  }
}

TEST_CASE("run_process under an InterruptGuard") {
  TempDir tmp("interrupt");

  SECTION("a signal ends the child's whole group, even what ignores SIGTERM, and throws core::Interrupted") {
    const auto parent_pid = tmp / "parent.pid";
    const auto child_pid = tmp / "child.pid";
    int status = in_child([&] {
      InterruptGuard guard;
      // The signal comes from another thread, as a terminal's Ctrl-C may land on any thread.
      std::thread signaller([&] {
        if (wait_for_pid_file(parent_pid, Clock::now() + std::chrono::seconds(20))) ::kill(::getpid(), SIGINT);
      });
      bool thrown = false;
      int signal = 0;
      auto t0 = Clock::now();
      try {
        run_process({"sh", "-c", "trap '' TERM; sleep 60 & echo $! >" + child_pid.string() + "; echo $$ >" +
                                     parent_pid.string() + "; wait"});
      } catch (const core::Interrupted& e) {
        thrown = true;
        signal = e.signal();
      }
      signaller.join();
      const bool in_time = Clock::now() - t0 < std::chrono::seconds(30); // a hang, not a timing check
      pid_t shell = wait_for_pid_file(parent_pid, Clock::now() + std::chrono::seconds(1));
      pid_t sleeper = wait_for_pid_file(child_pid, Clock::now() + std::chrono::seconds(1));
      return expect(thrown, "core::Interrupted") && expect(signal == SIGINT, "SIGINT") && expect(in_time, "no hang") &&
             expect(shell > 1 && ends_within(shell, std::chrono::seconds(10)), "the shell gone") &&
             expect(sleeper > 1 && ends_within(sleeper, std::chrono::seconds(10)), "its child gone");
    });
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  SECTION("after a signal, run_process throws at once and starts nothing") {
    const auto marker = tmp / "ran";
    int status = in_child([&] {
      InterruptGuard guard;
      ::kill(::getpid(), SIGTERM);
      const bool flagged = core::interruption() == SIGTERM;
      bool thrown = false;
      try {
        run_process({"sh", "-c", "touch " + marker.string()});
      } catch (const core::Interrupted& e) {
        thrown = e.signal() == SIGTERM && e.exit_code() == 143 && e.signal_name() == "SIGTERM";
      }
      bool again = false;
      try {
        core::throw_if_interrupted();
      } catch (const core::Interrupted&) {
        again = true;
      }
      return expect(flagged, "interruption() == SIGTERM") && expect(thrown, "core::Interrupted(SIGTERM)") &&
             expect(!std::filesystem::exists(marker), "nothing started") && expect(again, "throw_if_interrupted throws");
    });
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  SECTION("cleanups that run while the interruption unwinds (destructors) may still run programs") {
    const auto marker = tmp / "cleaned";
    int status = in_child([&] {
      struct Cleanup {
        std::filesystem::path file;
        ~Cleanup() { run_process({"sh", "-c", "touch " + file.string()}); }
      };
      InterruptGuard guard;
      ::kill(::getpid(), SIGHUP);
      bool thrown = false;
      try {
        Cleanup cleanup{marker};
        run_process({"true"});
      } catch (const core::Interrupted& e) {
        thrown = e.signal() == SIGHUP;
      }
      return expect(thrown, "core::Interrupted(SIGHUP)") && expect(std::filesystem::exists(marker), "the cleanup ran");
    });
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  SECTION("without a signal, programs run as usual under a guard") {
    InterruptGuard guard;
    ProcessResult r = run_process({"sh", "-c", "sleep 0.3; echo done"});
    CHECK(r.ok());
    CHECK(r.out == "done\n");
    CHECK(core::interruption() == 0);
  }
}

TEST_CASE("InterruptGuard") {
  SECTION("installs its handler and gives back the previous ones; the signal is forgotten") {
    int status = in_child([] {
      ::signal(SIGINT, test_handler);
      ::signal(SIGTERM, SIG_DFL);
      bool ours = false, nested_kept = false;
      {
        InterruptGuard guard;
        ours = handler_of(SIGINT) != test_handler && handler_of(SIGINT) != SIG_DFL && handler_of(SIGTERM) != SIG_DFL;
        {
          InterruptGuard inner;
        }
        nested_kept = handler_of(SIGINT) != test_handler;
        ::kill(::getpid(), SIGINT);
      }
      return expect(ours, "the guard's handlers") && expect(nested_kept, "an inner guard leaves them") &&
             expect(handler_of(SIGINT) == test_handler, "SIGINT's handler back") &&
             expect(handler_of(SIGTERM) == SIG_DFL, "SIGTERM's default back") &&
             expect(core::interruption() == 0, "the signal forgotten");
    });
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  SECTION("a signal ignored before (nohup) stays ignored") {
    int status = in_child([] {
      ::signal(SIGHUP, SIG_IGN);
      InterruptGuard guard;
      ::kill(::getpid(), SIGHUP);
      return expect(handler_of(SIGHUP) == SIG_IGN, "SIGHUP still ignored") &&
             expect(core::interruption() == 0, "no interruption");
    });
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
}
