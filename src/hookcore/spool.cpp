#include "hookcore/spool.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/layout.hpp"
#include "hookcore/git_state.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

namespace hookcore {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_header = "autoloop-spool 1";
constexpr std::string_view k_extension = ".ev";
constexpr std::uintmax_t k_max_error_log = 1 << 20;

long long now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
      out += s[i] == 'n' ? '\n' : s[i];
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<long long> parse_number(std::string_view s) {
  long long value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

bool is_entry_name(const std::string& name) {
  return !name.empty() && name.front() != '.' && name.size() > k_extension.size() &&
         name.compare(name.size() - k_extension.size(), k_extension.size(), k_extension) == 0;
}

// Plain open/write/rename: core::AtomicFile fsyncs, which alone can cost more than the hook's whole budget.
void write_then_rename(const fs::path& tmp, const fs::path& target, std::string_view content) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw core::Error("cannot create " + tmp.string() + ": " + std::strerror(errno));
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw core::Error("cannot write " + tmp.string() + ": " + std::strerror(err));
    }
    content.remove_prefix(static_cast<size_t>(n));
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw core::Error("cannot write " + target.string() + ": " + std::strerror(err));
  }
}

void append_line(const fs::path& file, std::string_view line) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw core::Error("cannot open " + file.string() + ": " + std::strerror(errno));
  // One write() on an O_APPEND file: concurrent hooks do not interleave within a line.
  ssize_t n = ::write(fd, line.data(), line.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) throw core::Error("cannot append to " + file.string() + ": " + std::strerror(err));
}

std::string one_line(std::string_view message) {
  std::string out(message);
  std::replace(out.begin(), out.end(), '\n', ' ');
  std::replace(out.begin(), out.end(), '\r', ' ');
  return out;
}

std::string utc_timestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

} // namespace

fs::path autoloop_dir(const RepoLocation& repo) {
  return core::Layout::of_common_dir(repo.common_dir).root();
}

std::string format_spool_entry(const SpoolEntry& entry) {
  std::string out;
  out.append(k_header).append("\n");
  out.append("event ").append(escape(entry.event)).append("\n");
  for (const auto& commit : entry.commits) out.append("commit ").append(commit).append("\n");
  for (const auto& [from, to] : entry.ranges) out.append("range ").append(from).append(" ").append(to).append("\n");
  out.append("deferred ").append(entry.deferred ? "1" : "0").append("\n");
  out.append("git_dir ").append(escape(entry.git_dir)).append("\n");
  out.append("time_ns ").append(std::to_string(entry.time_ns)).append("\n");
  out.append("hook_us ").append(std::to_string(entry.hook_us)).append("\n");
  out.append("end\n");
  return out;
}

std::optional<SpoolEntry> parse_spool_entry(std::string_view text) {
  auto lines = split_lines(text);
  if (lines.size() < 3 || lines.front() != k_header || lines.back() != "end") return std::nullopt;
  SpoolEntry entry;
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    std::string_view line = lines[i];
    size_t space = line.find(' ');
    std::string_view key = line.substr(0, space);
    std::string_view value = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    if (key == "event") {
      entry.event = unescape(value);
    } else if (key == "commit") {
      if (!is_object_id(value)) return std::nullopt;
      entry.commits.emplace_back(value);
    } else if (key == "range") {
      size_t sep = value.find(' ');
      if (sep == std::string_view::npos) return std::nullopt;
      std::string_view from = value.substr(0, sep), to = value.substr(sep + 1);
      if (!is_object_id(from) || !is_object_id(to)) return std::nullopt;
      entry.ranges.emplace_back(std::string(from), std::string(to));
    } else if (key == "deferred") {
      entry.deferred = value == "1";
    } else if (key == "git_dir") {
      entry.git_dir = unescape(value);
    } else if (key == "time_ns" || key == "hook_us") {
      auto number = parse_number(value);
      if (!number) return std::nullopt;
      (key == "time_ns" ? entry.time_ns : entry.hook_us) = *number;
    }
  }
  if (entry.event.empty()) return std::nullopt;
  return entry;
}

fs::path spool_append(const fs::path& spool_dir, SpoolEntry entry) {
  // Distinguishes two entries of one process recorded within the same clock tick.
  static std::atomic<unsigned> counter{0};
  if (entry.time_ns == 0) entry.time_ns = now_ns();
  std::error_code ec;
  fs::create_directories(spool_dir, ec);
  if (ec) throw core::Error("cannot create " + spool_dir.string() + ": " + ec.message());

  char name[80];
  std::snprintf(name, sizeof name, "%020lld-%ld-%u", entry.time_ns, static_cast<long>(::getpid()), counter++);
  fs::path target = spool_dir / (std::string(name) + std::string(k_extension));
  entry.file = target.string();
  write_then_rename(spool_dir / ("." + std::string(name) + ".tmp"), target, format_spool_entry(entry));
  return target;
}

std::vector<SpoolEntry> spool_read(const fs::path& spool_dir) {
  std::vector<SpoolEntry> entries;
  std::error_code ec;
  fs::directory_iterator it(spool_dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return entries;
    throw core::Error("cannot list " + spool_dir.string() + ": " + ec.message());
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) throw core::Error("cannot list " + spool_dir.string() + ": " + ec.message());
    std::string name = it->path().filename().string();
    if (!is_entry_name(name)) continue;
    std::optional<std::string> text;
    try {
      text = core::read_file(it->path());
    } catch (const std::exception&) {
    }
    if (!text) {
      // Removed by a concurrent worker between listing and reading: not ours any more.
      if (!fs::exists(it->path(), ec)) continue;
    }
    std::optional<SpoolEntry> entry = text ? parse_spool_entry(*text) : std::nullopt;
    if (!entry) {
      entry = SpoolEntry{};
      entry->event = "corrupt";
      entry->time_ns = parse_number(std::string_view(name).substr(0, name.find('-'))).value_or(0);
    }
    entry->file = it->path().string();
    entries.push_back(std::move(*entry));
  }
  std::sort(entries.begin(), entries.end(), [](const SpoolEntry& a, const SpoolEntry& b) {
    return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.file < b.file;
  });
  return entries;
}

void spool_remove(const std::vector<SpoolEntry>& entries) {
  for (const auto& entry : entries) {
    if (entry.file.empty()) continue;
    std::error_code ec;
    fs::remove(entry.file, ec);
  }
}

bool spool_empty(const fs::path& spool_dir) {
  std::error_code ec;
  for (fs::directory_iterator it(spool_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    if (is_entry_name(it->path().filename().string())) return false;
  return true;
}

std::optional<SpoolEntry> hook_entry(std::string_view hook, const std::vector<std::string>& args,
                                     std::string_view stdin_bytes, const RepoLocation& repo) {
  SpoolEntry entry;
  entry.event = std::string(hook);
  entry.git_dir = repo.git_dir.string();
  if (hook == "post-commit" || hook == "post-merge") {
    auto head = resolve_head(repo);
    if (!head) throw core::Error("cannot resolve HEAD in " + repo.git_dir.string());
    if (hook == "post-merge") {
      auto orig = read_ref_file(repo.git_dir / "ORIG_HEAD");
      if (orig && *orig != *head) entry.ranges.emplace_back(*orig, *head);
    }
    entry.commits.push_back(*head);
    return entry;
  }
  if (hook == "post-rewrite") {
    (void)args; // "amend" or "rebase": both list rewritten commits the same way
    for (std::string_view line : split_lines(stdin_bytes)) {
      size_t first = line.find(' ');
      if (first == std::string_view::npos) continue;
      std::string_view rest = line.substr(first + 1);
      std::string_view new_id = rest.substr(0, rest.find(' '));
      if (!is_object_id(new_id)) continue;
      if (std::find(entry.commits.begin(), entry.commits.end(), new_id) == entry.commits.end())
        entry.commits.emplace_back(new_id);
    }
    return entry;
  }
  return std::nullopt;
}

bool hook_should_defer(std::string_view hook, const std::vector<std::string>& args, const RepoLocation& repo) {
  if (hook == "post-rewrite" && !args.empty() && args.front() == "rebase") return false;
  return detect_git_state(repo.git_dir) != GitState::normal;
}

bool record_hook_error(const fs::path& log_dir, std::string_view hook, std::string_view message) {
  const std::string text = one_line(message);
  try {
    std::error_code ec;
    fs::create_directories(log_dir, ec);
    fs::path log = log_dir / "hook-errors.log";
    if (fs::file_size(log, ec) > k_max_error_log && !ec) fs::rename(log, log_dir / "hook-errors.log.1", ec);
    append_line(log, utc_timestamp() + " " + std::string(hook) + " pid " + std::to_string(::getpid()) + ": " +
                         text + "\n");

    fs::path warned = log_dir / "warned";
    if (auto seen = core::read_file(warned)) {
      for (std::string_view line : split_lines(*seen))
        if (line == text) return false;
    }
    append_line(warned, text + "\n");
  } catch (const std::exception&) {
    // Nothing could be recorded: better to show the message every time than never.
  }
  return true;
}

} // namespace hookcore
