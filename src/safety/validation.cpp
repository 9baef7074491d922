#include "safety/validation.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/glob.hpp"
#include "core/limits.hpp"
#include "core/process.hpp"

#include "git/repo.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <exception>

namespace safety {

namespace fs = std::filesystem;

namespace {

// Lockfiles are read to compare them with the commit's: bounded like any file of the repository.
constexpr std::size_t k_max_lockfile_bytes = std::size_t{64} << 20;

core::ProcessOptions git_options(const fs::path& cwd) {
  return core::git_process_options(cwd, std::chrono::minutes(5));
}

std::string env_value(const std::map<std::string, std::string>& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

// A directory of ours: a real directory (not a symlink), owned by this user, that nobody else may
// write to. Another user of a shared /var/tmp could otherwise choose where our worktrees go.
void check_own_directory(const fs::path& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) throw core::Error("cannot use " + dir.string() + ": it does not exist");
  if (!S_ISDIR(st.st_mode))
    throw core::Error("refusing to use " + dir.string() + " for validation worktrees: it is not a directory (a symlink?)");
  if (st.st_uid != ::getuid())
    throw core::Error("refusing to use " + dir.string() + " for validation worktrees: it belongs to another user");
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    throw core::Error("refusing to use " + dir.string() + " for validation worktrees: others may write to it");
}

void make_own_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw core::Error("cannot create " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  check_own_directory(dir);
}

// The repository's directory name, usable as a path component with no dot in front.
std::string tree_key(const fs::path& work_tree, const fs::path& common_dir) {
  std::string name = work_tree.filename().string();
  if (name.empty()) name = "repo";
  for (char& c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
  if (name.front() == '.') name.front() = '_';
  if (name.size() > 40) name.resize(40);
  return name + "-" + git::hash_blob(fs::weakly_canonical(common_dir).string()).substr(0, 12);
}

// `dir` (relative to `tree`) itself as a directory inside the tree, or nothing: its parent is the tree or
// lies inside it without a symlink on the way.
bool parent_inside(const fs::path& tree, const std::string& dir) {
  const fs::path parent = (tree / dir).parent_path();
  return parent.lexically_normal() == tree.lexically_normal() || core::is_inside(tree, parent);
}

// Removes the symlink `tree`/`dir` (a link a run made to the user's directory), never what it points to.
void unlink_link(const fs::path& tree, const std::string& dir) {
  std::error_code ec;
  if (parent_inside(tree, dir) && fs::is_symlink(fs::symlink_status(tree / dir, ec))) ::unlink((tree / dir).c_str());
}

// The modification times of the files that differ between the tree's checkout and `commit`, before the
// checkout rewrites them.
std::vector<std::pair<fs::path, struct timespec>> mtimes_of_changes(const fs::path& tree, const std::string& commit) {
  std::vector<std::pair<fs::path, struct timespec>> out;
  auto diff = core::run_process({"git", "diff", "--name-only", "-z", "--no-renames", "HEAD", commit, "--"}, git_options(tree));
  if (!diff.ok()) return out;
  for (size_t at = 0; at < diff.out.size();) {
    const size_t end = diff.out.find('\0', at);
    const std::string path = diff.out.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? diff.out.size() : end + 1;
    struct stat st {};
    if (!path.empty() && ::lstat((tree / path).c_str(), &st) == 0 && S_ISREG(st.st_mode)) out.push_back({tree / path, st.st_mtim});
  }
  return out;
}

// Caches keyed on a file's size and modification time in whole seconds (CPython's __pycache__, which a
// .gitignore keeps from `git clean`; make on coarse file systems) take a file rewritten within the same
// second, at the same size, for the old one: `x == None` and `x is None` are the same size (the validation
// suite caught a fix passing on the base's bytecode). So a file the checkout rewrote within the second of
// its old time is touched again once that second is over (a wait of at most about a second, and only when
// runs follow each other that fast).
void separate_mtimes(const fs::path& tree, const std::vector<std::pair<fs::path, struct timespec>>& before) {
  std::vector<fs::path> same_second;
  for (const auto& [path, old] : before) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_mtim.tv_sec <= old.tv_sec && core::is_inside(tree, path))
      same_second.push_back(path);
  }
  // File systems stamp times from the kernel's coarse clock, a tick behind the one we read: touch, look,
  // and go on until the stamp is in a later second (at most ~1.2 s).
  for (int tries = 0; !same_second.empty() && tries < 60; ++tries) {
    struct timespec pause {0, 20000000L};
    ::nanosleep(&pause, nullptr);
    std::vector<fs::path> again;
    for (const auto& path : same_second) {
      ::utimensat(AT_FDCWD, path.c_str(), nullptr, AT_SYMLINK_NOFOLLOW);
      struct stat st {};
      const auto old = std::find_if(before.begin(), before.end(), [&](const auto& b) { return b.first == path; });
      if (::lstat(path.c_str(), &st) == 0 && old != before.end() && st.st_mtim.tv_sec <= old->second.tv_sec)
        again.push_back(path);
    }
    same_second = std::move(again);
  }
}

std::string tail(const std::string& text, size_t n) { return text.size() > n ? text.substr(text.size() - n) : text; }

} // namespace

bool has_dot_directory(const fs::path& path) {
  for (const auto& part : path) {
    const std::string s = part.string();
    if (!s.empty() && s.front() == '.' && s != "." && s != "..") return true;
  }
  return false;
}

fs::path worktree_root(const core::Config& config, const std::map<std::string, std::string>& env) {
  if (!config.validation.worktree_dir.empty()) return config.validation.worktree_dir;
  const fs::path xdg = env_value(env, "XDG_CACHE_HOME");
  if (xdg.is_absolute() && !has_dot_directory(xdg)) return xdg / "git-autoloop" / "worktrees";
  fs::path tmp = env_value(env, "TMPDIR");
  if (!tmp.is_absolute() || has_dot_directory(tmp)) tmp = "/var/tmp";
  return tmp / ("git-autoloop-" + std::to_string(::getuid())) / "worktrees";
}

fs::path validation_home(const fs::path& root, const fs::path& work_tree, const fs::path& common_dir) {
  return root / tree_key(work_tree, common_dir);
}

bool remove_validation_tree(const fs::path& root, const fs::path& work_tree, const fs::path& common_dir) {
  const fs::path home = validation_home(root, work_tree, common_dir);
  struct stat st {};
  if (::lstat(home.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  const fs::path tree = home / "tree";
  std::error_code ec;
  if (fs::exists(fs::symlink_status(tree, ec)))
    core::run_process({"git", "worktree", "remove", "--force", "--force", tree.string()}, git_options(work_tree));
  core::remove_all_inside(root, home);
  core::run_process({"git", "worktree", "prune"}, git_options(work_tree));
  return true;
}

ValidationTree::ValidationTree(const git::Repository& repo, Options options)
    : m_repo(repo), m_options(std::move(options)), m_uncaught(std::uncaught_exceptions()) {
  if (!m_options.root.is_absolute()) throw core::Error("the validation worktree directory must be absolute");
  // The per-user directory of the default under a shared temporary directory is checked too.
  const fs::path parent = m_options.root.parent_path();
  if (parent.filename().string().rfind("git-autoloop", 0) == 0) make_own_directory(parent);
  make_own_directory(m_options.root);
  m_home = validation_home(m_options.root, m_options.work_tree, m_options.common_dir);
  make_own_directory(m_home);
  m_tree = m_home / "tree";
}

ValidationTree::~ValidationTree() {
  // Unwound (an interrupted drain, a failure half-way): leave nothing behind.
  if (std::uncaught_exceptions() > m_uncaught) {
    try {
      remove();
    } catch (...) {
    }
  }
}

void ValidationTree::remove() {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(m_tree, ec)))
    core::run_process({"git", "worktree", "remove", "--force", "--force", m_tree.string()}, git_options(m_options.work_tree));
  core::remove_all_inside(m_home, m_tree);
  core::remove_file_inside(m_home, m_home / "setup");
  core::run_process({"git", "worktree", "prune"}, git_options(m_options.work_tree));
}

std::string ValidationTree::lockfile_stamp(const std::string& commit) const {
  std::vector<std::string> lines;
  for (const auto& e : m_repo.list_files(commit))
    if (core::glob_any(m_options.lockfiles, e.path)) lines.push_back(e.path + " " + e.blob);
  std::sort(lines.begin(), lines.end());
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return text;
}

bool ValidationTree::lockfiles_match_user(const std::string& commit) const {
  for (const auto& e : m_repo.list_files(commit)) {
    if (!core::glob_any(m_options.lockfiles, e.path)) continue;
    std::optional<std::string> mine;
    try {
      mine = core::read_untrusted_file(m_options.work_tree / e.path, k_max_lockfile_bytes, m_options.work_tree, "lockfiles");
    } catch (const std::exception&) {
      return false;
    }
    if (!mine || git::hash_blob(*mine) != e.blob) return false;
  }
  return true;
}

std::string ValidationTree::environment(const std::string& commit) const {
  if (!m_options.test_setup.empty() || m_options.link_dirs.empty() || !lockfiles_match_user(commit)) return "";
  std::string linked;
  std::error_code ec;
  for (const auto& d : m_options.link_dirs)
    if (fs::is_directory(m_options.work_tree / d, ec)) linked += d + "\n";
  return linked;
}

void ValidationTree::checkout(const std::string& commit) {
  const fs::path common = fs::weakly_canonical(m_options.common_dir);
  bool usable = false;
  std::error_code ec;
  if (fs::is_directory(fs::symlink_status(m_tree, ec)) && fs::is_regular_file(fs::symlink_status(m_tree / ".git", ec))) {
    auto theirs = core::git_output(m_tree, {"rev-parse", "--path-format=absolute", "--git-common-dir"});
    usable = theirs && fs::weakly_canonical(*theirs) == common;
  }
  if (usable) {
    // Our links first: `git clean` would only unlink them, but they are made again below anyway.
    for (const auto& d : m_options.link_dirs) unlink_link(m_tree, d);
    const auto before = mtimes_of_changes(m_tree, commit);
    auto co = core::run_process({"git", "checkout", "--detach", "--force", "--quiet", commit}, git_options(m_tree));
    auto clean = co.ok() ? core::run_process({"git", "clean", "-ffdq"}, git_options(m_tree)) : co;
    if (co.ok() && clean.ok()) {
      separate_mtimes(m_tree, before);
      return;
    }
    // A tree a kill left half-way (an index.lock, say): made again.
  }
  core::remove_all_inside(m_home, m_tree);
  core::run_process({"git", "worktree", "prune"}, git_options(m_options.work_tree));
  auto add = core::run_process({"git", "worktree", "add", "--detach", "--force", "--quiet", m_tree.string(), commit},
                               git_options(m_options.work_tree));
  if (!add.ok()) throw core::Error("cannot create the validation worktree " + m_tree.string() + ": " + add.err);
  // A new tree has none of what the setup made.
  core::remove_file_inside(m_home, m_home / "setup");
}

std::optional<SetupFailure> ValidationTree::prepare(const std::string& commit) {
  m_linked.clear();
  m_prepared.clear();
  std::error_code ec;
  if (!m_options.test_setup.empty()) {
    const std::string stamp = git::hash_blob("test_setup " + m_options.test_setup + "\n" + lockfile_stamp(commit));
    const fs::path stamp_file = m_home / "setup";
    if (core::read_file(stamp_file).value_or("") == stamp) {
      m_prepared = "test_setup cached";
      return std::nullopt;
    }
    core::remove_file_inside(m_home, stamp_file);
    core::ProcessOptions o;
    o.cwd = m_tree;
    o.scrub_env = true;
    o.timeout = m_options.timeout;
    auto r = core::run_process({"/bin/sh", "-c", m_options.test_setup}, o);
    if (!r.ok()) {
      SetupFailure f;
      f.what = "test_setup " + std::string(r.timed_out ? "times out" : "fails") + " at " + commit.substr(0, 12) +
               (r.timed_out ? " (after " + std::to_string(m_options.timeout.count()) + " s)"
                            : " (exit " + std::to_string(r.exit_code) + ")");
      f.output_tail = tail(r.out + r.err, 2000);
      return f;
    }
    core::write_file_atomic(stamp_file, stamp);
    m_prepared = "test_setup ran";
    return std::nullopt;
  }
  if (m_options.link_dirs.empty() || !lockfiles_match_user(commit)) return std::nullopt;
  for (const auto& d : m_options.link_dirs) {
    const fs::path mine = m_options.work_tree / d, theirs = m_tree / d;
    if (!fs::is_directory(mine, ec)) continue;                      // the user has none (a link to one counts)
    if (fs::exists(fs::symlink_status(theirs, ec))) continue;      // tracked at this commit: not ours to shadow
    if (!parent_inside(m_tree, d)) continue;
    fs::create_directories(theirs.parent_path(), ec);
    if (ec || !parent_inside(m_tree, d)) continue;
    fs::create_directory_symlink(mine, theirs, ec);
    if (!ec) m_linked.push_back(d);
  }
  if (!m_linked.empty()) {
    m_prepared = "linked";
    for (const auto& d : m_linked) m_prepared += " " + d;
  }
  return std::nullopt;
}

ValidationTree::Outcome ValidationTree::run_tests(const std::string& commit) {
  Outcome outcome;
  checkout(commit);
  if (auto failed = prepare(commit)) {
    outcome.setup_failed = std::move(failed);
    return outcome;
  }
  const fs::path report = m_options.coverage_report.empty() ? fs::path() : m_tree / m_options.coverage_report;
  // A report an earlier run left (coverage/ is usually ignored, so `git clean` keeps it) is not this run's.
  if (!report.empty() && core::is_inside(m_tree, report)) core::remove_file_inside(m_tree, report);
  TestRun run;
  core::ProcessOptions o;
  o.cwd = m_tree;
  o.scrub_env = true;
  o.timeout = m_options.timeout;
  auto t0 = std::chrono::steady_clock::now();
  core::ProcessResult r = core::run_process({"/bin/sh", "-c", m_options.test_command}, o);
  run.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  run.exit_code = r.exit_code;
  run.timed_out = r.timed_out;
  run.passed = r.ok();
  run.output_tail = tail(r.out + r.err, 2000);
  outcome.run = std::move(run);
  return outcome;
}

} // namespace safety
