#include "hookcore/repo_locate.hpp"

#include "core/fs.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <system_error>

namespace hookcore {

namespace fs = std::filesystem;

namespace {

// Symbolic refs pointing at symbolic refs are legal; git itself gives up after 5 hops.
constexpr int k_max_symref_depth = 5;

// Absolute and lexically normal, without the trailing separator lexically_normal() keeps for "a/b/".
fs::path normal_absolute(const fs::path& base, const fs::path& p) {
  fs::path out = (p.is_absolute() ? p : base / p).lexically_normal();
  if (!out.has_filename() && out != out.root_path()) out = out.parent_path();
  return out;
}

// The hook must never fail because a file vanished or is unreadable mid-operation: "no answer" instead.
std::optional<std::string> read_quietly(const fs::path& path) {
  try {
    return core::read_file(path);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string first_line(std::string_view text) {
  return std::string(trim(text.substr(0, text.find('\n'))));
}

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Only core.bare and core.worktree matter here; a full config parser belongs to libgit2 in the worker.
struct CoreConfig {
  std::optional<bool> bare;
  std::optional<std::string> worktree;
};

CoreConfig read_core_config(const fs::path& config_file) {
  CoreConfig out;
  auto text = read_quietly(config_file);
  if (!text) return out;
  bool in_core = false;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string_view line = trim(std::string_view(*text).substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      size_t close = line.find(']');
      in_core = close != std::string_view::npos && lower(trim(line.substr(1, close - 1))) == "core";
      continue;
    }
    if (!in_core) continue;
    size_t eq = line.find('=');
    std::string key = lower(trim(line.substr(0, eq)));
    std::string_view value = eq == std::string_view::npos ? std::string_view("true") : trim(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (key == "bare") {
      std::string v = lower(value);
      if (v == "true" || v == "yes" || v == "on" || v == "1") out.bare = true;
      else if (v == "false" || v == "no" || v == "off" || v == "0") out.bare = false;
    } else if (key == "worktree") {
      out.worktree = std::string(value);
    }
  }
  return out;
}

// A directory that is itself a repository: HEAD plus objects/ and refs/, or a linked worktree's
// private dir (HEAD plus commondir).
bool looks_like_git_dir(const fs::path& d) {
  if (!is_file(d / "HEAD")) return false;
  if (is_file(d / "commondir")) return true;
  return is_dir(d / "objects") && is_dir(d / "refs");
}

fs::path find_common_dir(const fs::path& git_dir, const std::map<std::string, std::string>& env,
                         const fs::path& cwd) {
  if (auto it = env.find("GIT_COMMON_DIR"); it != env.end() && !it->second.empty())
    return normal_absolute(cwd, it->second);
  if (auto text = read_quietly(git_dir / "commondir")) {
    std::string rel = first_line(*text);
    if (!rel.empty()) return normal_absolute(git_dir, rel);
  }
  return git_dir;
}

// Completes a location from its git dir; the work tree is decided by the caller's discovery path.
RepoLocation make_location(const fs::path& git_dir, std::optional<fs::path> work_tree,
                           const std::map<std::string, std::string>& env, const fs::path& cwd) {
  RepoLocation loc;
  loc.git_dir = git_dir;
  loc.common_dir = find_common_dir(git_dir, env, cwd);
  loc.work_tree = std::move(work_tree);
  loc.bare = !loc.work_tree.has_value();
  return loc;
}

// Per-worktree refs live in the worktree's own git dir (gitrepository-layout(5), "worktrees").
bool is_per_worktree_ref(std::string_view name) {
  if (name.rfind("refs/", 0) != 0) return true; // HEAD, ORIG_HEAD, MERGE_HEAD...
  return name.rfind("refs/bisect/", 0) == 0 || name.rfind("refs/worktree/", 0) == 0 ||
         name.rfind("refs/rewritten/", 0) == 0;
}

std::optional<std::string> lookup_packed(const fs::path& common_dir, std::string_view refname) {
  auto text = read_quietly(common_dir / "packed-refs");
  if (!text) return std::nullopt;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string_view line = std::string_view(*text).substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line.front() == '#' || line.front() == '^') continue;
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    if (trim(line.substr(space + 1)) == refname && is_object_id(line.substr(0, space)))
      return std::string(line.substr(0, space));
  }
  return std::nullopt;
}

} // namespace

bool is_object_id(std::string_view text) {
  if (text.size() != 40 && text.size() != 64) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::optional<RepoLocation> locate_repo(const fs::path& cwd_in, const std::map<std::string, std::string>& env) {
  const fs::path cwd = normal_absolute(fs::path("/"), cwd_in);

  // 1. An explicit GIT_DIR wins; git then takes the work tree from GIT_WORK_TREE, core.worktree or cwd.
  if (auto it = env.find("GIT_DIR"); it != env.end() && !it->second.empty()) {
    fs::path git_dir = normal_absolute(cwd, it->second);
    if (!is_file(git_dir / "HEAD")) return std::nullopt;
    std::optional<fs::path> work_tree;
    CoreConfig config = read_core_config(find_common_dir(git_dir, env, cwd) / "config");
    if (auto wt = env.find("GIT_WORK_TREE"); wt != env.end() && !wt->second.empty())
      work_tree = normal_absolute(cwd, wt->second);
    else if (config.worktree)
      work_tree = normal_absolute(git_dir, *config.worktree);
    else if (!config.bare.value_or(false))
      work_tree = cwd;
    return make_location(git_dir, std::move(work_tree), env, cwd);
  }

  // 2. Discovery, one directory at a time towards the root.
  for (fs::path dir = cwd;; dir = dir.parent_path()) {
    fs::path dot_git = dir / ".git";
    if (is_dir(dot_git) && is_file(dot_git / "HEAD")) return make_location(dot_git, dir, env, cwd);
    if (is_file(dot_git)) {
      if (auto text = read_quietly(dot_git)) {
        std::string line = first_line(*text);
        constexpr std::string_view k_prefix = "gitdir:";
        if (line.rfind(k_prefix, 0) == 0) {
          fs::path git_dir = normal_absolute(dir, std::string(trim(std::string_view(line).substr(k_prefix.size()))));
          if (is_file(git_dir / "HEAD")) return make_location(git_dir, dir, env, cwd);
        }
      }
    }
    if (looks_like_git_dir(dir)) {
      fs::path common = find_common_dir(dir, env, cwd);
      CoreConfig config = read_core_config(common / "config");
      bool bare = config.bare.value_or(dir.filename() != ".git");
      std::optional<fs::path> work_tree;
      if (!bare) work_tree = config.worktree ? normal_absolute(dir, *config.worktree) : dir.parent_path();
      return make_location(dir, std::move(work_tree), env, cwd);
    }
    if (dir == dir.root_path()) break;
  }
  return std::nullopt;
}

std::optional<std::string> read_ref_file(const fs::path& path) {
  auto text = read_quietly(path);
  if (!text) return std::nullopt;
  std::string line = first_line(*text);
  if (!is_object_id(line)) return std::nullopt;
  return line;
}

std::optional<std::string> resolve_ref(const RepoLocation& repo, std::string_view refname_in) {
  std::string refname(refname_in);
  for (int depth = 0; depth < k_max_symref_depth; ++depth) {
    if (refname.empty() || refname.find("..") != std::string::npos) return std::nullopt;
    const fs::path& base = is_per_worktree_ref(refname) ? repo.git_dir : repo.common_dir;
    auto text = read_quietly(base / refname);
    if (text) {
      std::string line = first_line(*text);
      if (is_object_id(line)) return line;
      constexpr std::string_view k_symref = "ref:";
      if (line.rfind(k_symref, 0) != 0) return std::nullopt;
      refname = std::string(trim(std::string_view(line).substr(k_symref.size())));
      continue;
    }
    if (refname.rfind("refs/", 0) != 0) return std::nullopt; // pseudo refs are never packed
    return lookup_packed(repo.common_dir, refname);
  }
  return std::nullopt;
}

std::optional<std::string> resolve_head(const RepoLocation& repo) {
  return resolve_ref(repo, "HEAD");
}

} // namespace hookcore
