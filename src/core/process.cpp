#include "core/process.hpp"

#include "core/error.hpp"
#include "core/interrupt.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <linux/close_range.h>
#include <unistd.h>

extern char** environ;

namespace core {

namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0) throw Error(std::string("pipe: ") + std::strerror(errno));
  }
  ~Pipe() { close_both(); }
  void close_read() { if (fd[0] >= 0) { ::close(fd[0]); fd[0] = -1; } }
  void close_write() { if (fd[1] >= 0) { ::close(fd[1]); fd[1] = -1; } }
  void close_both() { close_read(); close_write(); }
};

std::vector<std::string> build_env(const ProcessOptions& options) {
  std::map<std::string, std::string> vars;
  auto keep = [&](const char* name) {
    if (const char* v = std::getenv(name)) vars[name] = v;
  };
  if (options.scrub_env) {
    for (const char* name : {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER", "TERM"}) keep(name);
  } else {
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      auto eq = kv.find('=');
      if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  for (const auto& [k, v] : options.env) {
    if (v) vars[k] = *v;
    else vars.erase(k);
  }
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

// How often a wait under an InterruptGuard looks at the signal count, and how long an interrupted
// child's group has to end after SIGTERM before SIGKILL.
constexpr int k_interrupt_poll_ms = 100;
constexpr auto k_interrupt_grace = std::chrono::seconds(2);

// SIGINT, SIGTERM and SIGHUP blocked in this thread until restore() (or destruction).
class SignalsBlocked {
public:
  SignalsBlocked() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, s);
    ::pthread_sigmask(SIG_BLOCK, &set, &m_old);
  }
  ~SignalsBlocked() { restore(); }
  void restore() {
    if (m_blocked) ::pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    m_blocked = false;
  }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

private:
  sigset_t m_old;
  bool m_blocked = true;
};

// A child's process group, known to the interruption handler while we wait for it.
class Watched {
public:
  explicit Watched(pid_t group) : m_slot(interrupt_detail::watch(group)) {}
  ~Watched() { interrupt_detail::unwatch(m_slot); }
  Watched(const Watched&) = delete;
  Watched& operator=(const Watched&) = delete;

private:
  int m_slot;
};

// Ends an interrupted child's process group and reaps the child: SIGTERM to the group (the handler
// sent one already; a child registered late missed it), up to k_interrupt_grace for the child to exit,
// then SIGKILL to whatever is left of the group (its own children too, and those that ignore SIGTERM).
// The child is reaped last: until then its pid, the group's id, cannot be reused by another process.
void end_interrupted(pid_t pid, int& status) {
  ::kill(-pid, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + k_interrupt_grace;
  for (;;) {
    siginfo_t info{};
    int r = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (r == 0 && info.si_pid == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= until) break;
    ::usleep(10000);
  }
  ::kill(-pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

} // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw Error("run_process: empty command");
  // An interrupted operation starts nothing more, except the cleanups its unwinding runs (destructors).
  if (int signal = interruption(); signal && std::uncaught_exceptions() == 0) throw Interrupted(signal);
  const unsigned long signals_before = interrupt_detail::signal_count();
  auto interrupted = [&] { return interrupt_detail::signal_count() != signals_before; };
  // A child that stops reading its stdin must not kill us with SIGPIPE: the write fails with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  Pipe in, out, err;
  std::vector<std::string> env_strings = build_env(options);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& s : args) argp.push_back(s.data());
  argp.push_back(nullptr);

  Pipe exec_status; // the child writes errno here if exec fails
  // Until the child is in its own process group and watched, the interruption signals wait: the handler
  // then finds it (and the child never runs our handler between fork and exec).
  SignalsBlocked blocked;
  pid_t pid = ::fork();
  if (pid < 0) throw Error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    interrupt_detail::reset_in_child();
    blocked.restore();
    ::signal(SIGPIPE, SIG_DFL); // ignored signals survive exec: give the child the default back
    ::setpgid(0, 0);
    ::dup2(in.fd[0], 0);
    if (options.capture) {
      ::dup2(out.fd[1], 1);
      ::dup2(err.fd[1], 2);
    }
    // Nothing of ours leaks into the child (the log file, the database): only 0-2 and the exec
    // status pipe (close-on-exec) stay open.
    int keep = exec_status.fd[1];
    if (keep > 3) ::close_range(3, static_cast<unsigned>(keep - 1), 0);
    ::close_range(static_cast<unsigned>(keep + 1), ~0U, 0);
    if (options.cwd && ::chdir(options.cwd->c_str()) != 0) {
      int e = errno;
      [[maybe_unused]] auto w = ::write(exec_status.fd[1], &e, sizeof e);
      ::_exit(127);
    }
    ::execvpe(argp[0], argp.data(), envp.data());
    int e = errno;
    [[maybe_unused]] auto w = ::write(exec_status.fd[1], &e, sizeof e);
    ::_exit(127);
  }
  // Both sides set the group, so that it exists whichever runs first.
  ::setpgid(pid, pid);
  Watched watched(pid);
  blocked.restore();
  exec_status.close_write();
  in.close_read();
  out.close_write();
  err.close_write();
  int child_errno = 0;
  ssize_t got;
  do got = ::read(exec_status.fd[0], &child_errno, sizeof child_errno);
  while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    int status;
    ::waitpid(pid, &status, 0);
    throw Error("cannot run " + argv[0] + ": " + std::strerror(child_errno));
  }

  ProcessResult result;
  std::string input = options.input.value_or("");
  size_t written = 0;
  if (input.empty()) in.close_write();
  else ::fcntl(in.fd[1], F_SETFL, O_NONBLOCK);

  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  char buf[65536];
  for (;;) {
    std::vector<pollfd> fds;
    if (out.fd[0] >= 0) fds.push_back({out.fd[0], POLLIN, 0});
    if (err.fd[0] >= 0) fds.push_back({err.fd[0], POLLIN, 0});
    if (in.fd[1] >= 0) fds.push_back({in.fd[1], POLLOUT, 0});
    if (fds.empty()) break;
    int wait_ms = -1;
    if (interrupted()) break;
    if (options.timeout.count() > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
        break;
      }
      wait_ms = static_cast<int>(left.count());
    }
    // Under an InterruptGuard: a signal handled by another thread does not wake this poll.
    if (interrupt_detail::active() && (wait_ms < 0 || wait_ms > k_interrupt_poll_ms)) wait_ms = k_interrupt_poll_ms;
    int n = ::poll(fds.data(), fds.size(), wait_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (auto& p : fds) {
      if (!p.revents) continue;
      if (p.fd == in.fd[1]) {
        ssize_t w = ::write(p.fd, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) written = input.size();
        if (written >= input.size()) in.close_write();
        continue;
      }
      ssize_t r = ::read(p.fd, buf, sizeof buf);
      if (r > 0) {
        std::string& to = p.fd == out.fd[0] ? result.out : result.err;
        size_t take = static_cast<size_t>(r);
        if (options.max_output) take = std::min(take, options.max_output - std::min(options.max_output, to.size()));
        to.append(buf, take);
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        if (p.fd == out.fd[0]) out.close_read();
        else err.close_read();
      }
    }
  }
  in.close_write();
  int status = 0;
  if (interrupted()) {
    end_interrupted(pid, status);
    int signal = interruption();
    throw Interrupted(signal ? signal : SIGTERM);
  }
  // The child may have closed its output and still run: the deadline holds for the wait too, and so
  // does an interruption.
  const bool watch_wait = options.timeout.count() > 0 || interrupt_detail::active();
  for (;;) {
    pid_t w = ::waitpid(pid, &status, watch_wait ? WNOHANG : 0);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (w == 0) {
      if (interrupted()) {
        end_interrupted(pid, status);
        int signal = interruption();
        throw Interrupted(signal ? signal : SIGTERM);
      }
      if (options.timeout.count() > 0 && std::chrono::steady_clock::now() >= deadline) {
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      ::usleep(5000);
    }
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  return result;
}

void unset_git_environment(ProcessOptions& options) {
  for (const char* v : {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR"})
    options.env[v] = std::nullopt;
}

ProcessOptions git_process_options(const std::filesystem::path& cwd, std::chrono::milliseconds timeout) {
  ProcessOptions options;
  options.cwd = cwd;
  unset_git_environment(options);
  options.timeout = timeout;
  return options;
}

std::optional<std::string> git_output(const std::filesystem::path& cwd, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.cwd = cwd;
  unset_git_environment(options);
  ProcessResult r = run_process(argv, options);
  if (!r.ok()) return std::nullopt;
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  return r.out;
}

} // namespace core
