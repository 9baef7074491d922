#include "merge/driver.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/git_config.hpp"
#include "core/process.hpp"
#include "merge/merge.hpp"
#include "scan/repo_language.hpp"
#include "hookcore/repo_locate.hpp"

#include <cstdio>
#include <cstdlib>

namespace merge {

namespace {

// The repository git runs the driver in (cwd is its work tree's top; GIT_DIR may be set).
std::optional<hookcore::RepoLocation> current_repository() {
  std::map<std::string, std::string> env;
  for (const char* name : {"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR"})
    if (const char* v = std::getenv(name)) env[name] = v;
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  if (ec) return std::nullopt;
  return hookcore::locate_repo(cwd, env);
}

// merge.conflictStyle from `git config` itself: the slow path, for configurations the reader leaves to git.
std::string style_from_git() {
  core::ProcessOptions o;
  o.timeout = std::chrono::seconds(10);
  auto r = core::run_process({"git", "config", "--get", "merge.conflictStyle"}, o);
  return r.ok() ? r.out.substr(0, r.out.find('\n')) : "";
}

std::string read_input(const std::string& path) {
  auto text = core::read_file(path);
  if (!text) throw core::Fatal("cannot read " + path, k_driver_error);
  return *text;
}

// Writes `text` over %A atomically (keeping its permission bits), without an fsync: %A is git's
// temp file, read back as soon as the driver exits and then removed.
void replace_file(const std::filesystem::path& path, const std::string& text) {
  core::write_file_atomic(path, text, std::nullopt, core::Durability::unsynced);
}

int parse_marker_size(const std::string& text) {
  int size = 0;
  try {
    size = std::stoi(text);
  } catch (const std::exception&) {
  }
  if (size <= 0 || size > 1000) throw core::Fatal("marker size must be a positive number, not '" + text + "'", k_driver_error);
  return size;
}

} // namespace

std::optional<git::ConflictStyle> parse_style(std::string_view name) {
  if (name == "merge") return git::ConflictStyle::merge;
  if (name == "diff3") return git::ConflictStyle::diff3;
  if (name == "zdiff3") return git::ConflictStyle::zdiff3;
  return std::nullopt;
}

std::optional<std::array<std::string, 3>> parse_labels(const std::string& text) {
  std::array<std::string, 3> out;
  size_t start = 0;
  for (size_t i = 0; i < 3; ++i) {
    size_t comma = text.find(',', start);
    if ((i < 2) != (comma != std::string::npos)) return std::nullopt;
    out[i] = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma + 1;
  }
  return out;
}

git::ConflictStyle configured_style() {
  try {
    core::GitConfigSources sources;
    sources.env = core::git_config_environment();
    if (auto repo = current_repository()) {
      sources.common_dir = repo->common_dir;
      sources.git_dir = repo->git_dir;
    }
    core::GitConfigValue v = core::git_config_get("merge.conflictStyle", sources);
    std::string value = v.understood ? v.value.value_or("") : style_from_git();
    return parse_style(value).value_or(git::ConflictStyle::merge);
  } catch (const std::exception&) {
    return git::ConflictStyle::merge;
  }
}

const scan::LanguageProfile* driver_language(const std::string& path, const std::string& ours) {
  if (!scan::is_ambiguous_header(path)) return scan::language_for_path(path);
  try {
    if (auto where = current_repository())
      if (auto head = hookcore::resolve_head(*where)) {
        git::Repository repo = git::Repository::open(where->git_dir);
        return scan::language_at(repo, *head, path, ours);
      }
  } catch (const std::exception&) {
  }
  return scan::language_for_file(path, ours, false);
}

int run_driver(const DriverArgs& args) {
  const int marker_size = parse_marker_size(args.marker_size);
  const std::string base = read_input(args.base), ours = read_input(args.ours), theirs = read_input(args.theirs);
  Options options;
  options.line.style = args.style ? *args.style : configured_style();
  options.line.marker_size = marker_size;
  if (args.labels) {
    options.line.our_label = (*args.labels)[0];
    options.line.base_label = (*args.labels)[1];
    options.line.their_label = (*args.labels)[2];
  }
  options.structured = !structured_disabled_by_environment();
  Result result;
  try {
    result = three_way(base, ours, theirs, driver_language(args.path, ours), options);
  } catch (const std::exception& e) {
    // Leave git's own line merge in %A so nothing is lost, then report the error.
    try {
      replace_file(args.ours, git::merge_file(base, ours, theirs, options.line).text);
    } catch (const std::exception&) {
    }
    throw core::Fatal("merge of " + args.path + " failed: " + e.what(), k_driver_error);
  }
  try {
    replace_file(args.ours, result.text);
  } catch (const std::exception& e) {
    throw core::Fatal(e.what(), k_driver_error);
  }
  if (std::getenv("AUTOLOOP_MERGE_TRACE"))
    std::fprintf(stderr, "git-autoloop: merge %s: %s%s%s\n", args.path.c_str(), method_name(result.method),
                 result.note.empty() ? "" : ": ", result.note.c_str());
  return result.clean ? k_driver_clean : k_driver_conflicts;
}

} // namespace merge
