#include "hookcore/spawn.hpp"

#include "core/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace hookcore {

namespace {

// git exports these to hooks so that they act on the repository being committed to. A worker started
// with them would keep pointing at the hook's index or object quarantine after git moved on; it is
// given --git-dir instead.
constexpr const char* k_scrubbed_env[] = {
    "GIT_DIR",        "GIT_WORK_TREE",        "GIT_INDEX_FILE",
    "GIT_PREFIX",     "GIT_COMMON_DIR",       "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
};

constexpr int k_worker_niceness = 19;
// ioprio_set(2) has no glibc wrapper: IOPRIO_WHO_PROCESS, IOPRIO_CLASS_IDLE, IOPRIO_CLASS_SHIFT.
constexpr int k_ioprio_who_process = 1, k_ioprio_class_idle = 3, k_ioprio_class_shift = 13;

// Everything the child needs is built before fork(): between fork and exec only async-signal-safe
// calls are allowed (the caller may have threads).
std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& arg : argv) out.push_back(const_cast<char*>(arg.c_str()));
  out.push_back(nullptr);
  return out;
}

std::vector<char*> scrubbed_environment() {
  std::vector<char*> out;
  for (char** e = environ; e && *e; ++e) {
    bool keep = true;
    for (const char* name : k_scrubbed_env) {
      size_t len = std::strlen(name);
      if (std::strncmp(*e, name, len) == 0 && (*e)[len] == '=') keep = false;
    }
    if (keep) out.push_back(*e);
  }
  out.push_back(nullptr);
  return out;
}

// Signal dispositions set to "ignore" and blocked masks survive exec; git or a terminal may have set some.
void reset_signals() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr); // fails harmlessly for KILL/STOP
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

void close_fds_from_3() {
  if (::close_range(3, ~0U, 0) == 0) return;
  // Kernels before 5.9: close what the limit allows (capped; a huge RLIMIT_NOFILE would make this slow).
  struct rlimit limit {};
  rlim_t max = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 ? limit.rlim_cur : 1024;
  if (max == RLIM_INFINITY || max > 65536) max = 65536;
  for (rlim_t fd = 3; fd < max; ++fd) ::close(static_cast<int>(fd));
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 127;
}

} // namespace

bool spawn_detached(const std::vector<std::string>& argv, Reap reap) {
  if (argv.empty()) return false;
  std::vector<char*> args = c_argv(argv);
  std::vector<char*> env = scrubbed_environment();

  // Until the worker has its own session it is in the terminal's foreground process group: if git (the
  // session leader when run from a script, an IDE or `ssh host git commit`) exits meanwhile, the kernel
  // hangs the group up, and a Ctrl-C reaches it. Those signals are blocked across fork(), then ignored
  // (which discards one already pending) and unblocked: a blocked signal stays pending even when ignored,
  // and would kill the worker once reset_signals() restores the defaults after setsid().
  sigset_t terminal, previous;
  sigemptyset(&terminal);
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTSTP}) sigaddset(&terminal, sig);
  ::sigprocmask(SIG_BLOCK, &terminal, &previous);
  pid_t child = ::fork();
  if (child != 0) ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  if (child < 0) return false;
  if (child == 0) {
    for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTSTP}) ::signal(sig, SIG_IGN);
    ::sigprocmask(SIG_UNBLOCK, &terminal, nullptr); // whatever the caller blocked: see above
    // The intermediate child exits at once so the worker is re-parented to init: git, which waits for the
    // hook's process tree only through the hook itself, never waits for the worker, and nothing is left
    // unreaped.
    pid_t grandchild = ::fork();
    if (grandchild != 0) ::_exit(grandchild < 0 ? 1 : 0);

    ::setsid(); // no controlling terminal: Ctrl-C in the user's shell does not reach the worker
    // Lower priority before the exec, so that even loading the program (tens of ms of dynamic linking and
    // page faults for a 13 MB binary) yields to the user's next commit: nice +19, and the idle CPU and I/O
    // classes where the kernel allows them. A courtesy, not a requirement: failures are ignored.
    if (::nice(k_worker_niceness) == -1) { /* see above */ }
    sched_param idle{};
    ::sched_setscheduler(0, SCHED_IDLE, &idle);
    ::syscall(SYS_ioprio_set, k_ioprio_who_process, 0, k_ioprio_class_idle << k_ioprio_class_shift);
    reset_signals();
    int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      // Holding the terminal or a pipe of git's (or an IDE's) open would make them wait for EOF.
      ::dup2(null_fd, 0);
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
    }
    close_fds_from_3();
    ::execve(args[0], args.data(), env.data());
    ::_exit(127);
  }
  return reap == Reap::by_init || wait_for(child) == 0;
}

int run_and_wait(const std::vector<std::string>& argv, const std::optional<std::string_view>& input) {
  if (argv.empty()) throw core::Error("run_and_wait: empty command");
  std::vector<char*> args = c_argv(argv);
  std::vector<std::string> sh_argv_storage{"/bin/sh"};
  sh_argv_storage.insert(sh_argv_storage.end(), argv.begin(), argv.end());
  std::vector<char*> sh_args = c_argv(sh_argv_storage);

  int pipe_fds[2] = {-1, -1};
  if (input && ::pipe2(pipe_fds, O_CLOEXEC) != 0)
    throw core::Error("cannot create a pipe for " + argv[0] + ": " + std::strerror(errno));

  pid_t child = ::fork();
  if (child < 0) {
    int err = errno;
    if (input) {
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
    }
    throw core::Error("cannot start " + argv[0] + ": " + std::strerror(err));
  }
  if (child == 0) {
    if (input) ::dup2(pipe_fds[0], 0); // the duplicate does not inherit O_CLOEXEC
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ::sigaction(SIGPIPE, &dfl, nullptr);
    ::execv(args[0], args.data());
    if (errno == ENOEXEC) ::execv(sh_args[0], sh_args.data()); // a hook without a #! line, as git does
    ::_exit(127);
  }

  if (input) {
    ::close(pipe_fds[0]);
    // A child that does not read its stdin closes the pipe early: EPIPE, not a fatal SIGPIPE for us.
    struct sigaction ignore {}, previous {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGPIPE, &ignore, &previous);
    std::string_view rest = *input;
    while (!rest.empty()) {
      ssize_t n = ::write(pipe_fds[1], rest.data(), rest.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      rest.remove_prefix(static_cast<size_t>(n));
    }
    ::close(pipe_fds[1]);
    ::sigaction(SIGPIPE, &previous, nullptr);
  }
  return wait_for(child);
}

} // namespace hookcore
