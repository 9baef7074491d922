#include "cli/terminal.hpp"

#include "cli/command.hpp"
#include "core/git_config.hpp"
#include "hookcore/repo_locate.hpp"

#include <cerrno>
#include <chrono>
#include <map>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

namespace cli {

namespace {

std::optional<std::string> env(const char* name) {
  if (const char* v = std::getenv(name)) return std::string(v);
  return std::nullopt;
}

// A value of git's configuration for this repository (--git-dir, else GIT_DIR or the current
// directory), read from the files git reads; nullopt when unset or not understood (git is not run:
// colour and pager are not worth a child process).
std::optional<std::string> git_config_value(const Global& g, std::string_view key) {
  try {
    core::GitConfigSources sources;
    sources.env = core::git_config_environment();
    std::map<std::string, std::string> locate_env;
    for (const char* name : {"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR"})
      if (auto v = env(name)) locate_env[name] = *v;
    if (!g.git_dir.empty()) locate_env["GIT_DIR"] = g.git_dir;
    std::error_code ec;
    const auto cwd = std::filesystem::current_path(ec);
    if (!ec)
      if (auto repo = hookcore::locate_repo(cwd, locate_env)) {
        sources.common_dir = repo->common_dir;
        sources.git_dir = repo->git_dir;
      }
    core::GitConfigValue v = core::git_config_get(key, sources);
    if (!v.understood) return std::nullopt;
    return v.value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

long long now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

} // namespace

std::optional<ColourWhen> parse_colour_when(std::string_view value) {
  if (value == "auto" || value == "true") return ColourWhen::automatic;
  if (value == "always") return ColourWhen::always;
  if (value == "never" || value == "false" || value.empty()) return ColourWhen::never;
  return std::nullopt;
}

bool colour_decision(const ColourInputs& in) {
  const std::optional<ColourWhen> option = in.option ? parse_colour_when(*in.option) : std::nullopt;
  std::optional<ColourWhen> when;
  if (option && option != ColourWhen::automatic) when = option;
  if (!when && in.no_color && !in.no_color->empty()) when = ColourWhen::never;
  // An explicit --color=auto outweighs color.ui, as `git diff --color=auto` does.
  if (!when && !option && in.colour_ui) when = parse_colour_when(*in.colour_ui);
  switch (when.value_or(ColourWhen::automatic)) {
  case ColourWhen::always: return true;
  case ColourWhen::never: return false;
  case ColourWhen::automatic: break;
  }
  return in.is_tty && in.term.value_or("") != "dumb";
}

bool use_colour(const Global& g) {
  ColourInputs in;
  if (!g.colour.empty()) in.option = g.colour;
  in.no_color = env("NO_COLOR");
  in.term = env("TERM");
  in.is_tty = isatty(STDOUT_FILENO) != 0;
  // Only read when it can matter: files on disk are cheap, but not free.
  if (!in.option && !(in.no_color && !in.no_color->empty())) in.colour_ui = git_config_value(g, "color.ui");
  return colour_decision(in);
}

std::optional<std::string> pager_command(const PagerInputs& in) {
  if (in.no_pager || !in.is_tty) return std::nullopt;
  std::string chosen = "less";
  if (in.git_pager) chosen = *in.git_pager;
  else if (in.core_pager) chosen = *in.core_pager;
  else if (in.pager) chosen = *in.pager;
  if (chosen.empty() || chosen == "cat") return std::nullopt;
  return chosen;
}

Pager Pager::start(const Global& g) {
  Pager p;
  PagerInputs in;
  in.no_pager = g.no_pager;
  in.is_tty = isatty(STDOUT_FILENO) != 0;
  if (in.no_pager || !in.is_tty) return p;
  in.git_pager = env("GIT_PAGER");
  if (!in.git_pager) in.core_pager = git_config_value(g, "core.pager");
  in.pager = env("PAGER");
  auto command = pager_command(in);
  if (!command) return p;
  int fds[2];
  if (pipe(fds) != 0) return p;
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return p;
  }
  if (pid == 0) {
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    close(fds[1]);
    setenv("LESS", "FRX", 0);
    setenv("LV", "-c", 0);
    execl("/bin/sh", "sh", "-c", command->c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[0]);
  p.m_saved_stdout = dup(STDOUT_FILENO);
  dup2(fds[1], STDOUT_FILENO);
  close(fds[1]);
  // The user quitting the pager early must not kill us mid-write with SIGPIPE: writes then fail quietly.
  std::signal(SIGPIPE, SIG_IGN);
  p.m_pid = pid;
  return p;
}

Pager::Pager(Pager&& other) noexcept : m_pid(other.m_pid), m_saved_stdout(other.m_saved_stdout) {
  other.m_pid = -1;
  other.m_saved_stdout = -1;
}

Pager::~Pager() {
  if (m_pid <= 0) return;
  std::fflush(stdout);
  // Back to the terminal: the pager sees end of input, and later output (an error line) is not lost.
  dup2(m_saved_stdout, STDOUT_FILENO);
  close(m_saved_stdout);
  int status = 0;
  while (waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
}

std::string progress_text(const std::string& title, size_t done, size_t total) {
  if (total == 0) return title + ": " + std::to_string(done);
  const size_t percent = done >= total ? 100 : done * 100 / total;
  return title + ": " + std::to_string(percent) + "% (" + std::to_string(done) + "/" + std::to_string(total) + ")";
}

bool stderr_is_tty() { return isatty(STDERR_FILENO) != 0; }

Progress::Progress(std::string title, bool enabled) : m_title(std::move(title)), m_enabled(enabled) {}

Progress::~Progress() {
  if (m_drawn) std::fputs("\r\033[K", stderr);
}

void Progress::update(size_t done, size_t total) {
  if (!m_enabled) return;
  const long long now = now_ms();
  if (m_drawn && done < total && now - m_last_ms < 100) return;
  m_last_ms = now;
  m_drawn = true;
  std::fprintf(stderr, "\r%s\033[K", progress_text(m_title, done, total).c_str());
  std::fflush(stderr);
}

void Progress::step(const std::string& what) {
  if (!m_enabled) return;
  m_drawn = true;
  std::fprintf(stderr, "\r%s: %s\033[K", m_title.c_str(), what.c_str());
  std::fflush(stderr);
}

} // namespace cli
