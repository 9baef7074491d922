// git autoloop merge-driver %O %A %B %L %P: the merge driver git runs (merge.autoloop.driver);
// git autoloop resolve [PATH...]: the same merge for conflicts left by tools that ignore merge drivers.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/process.hpp"
#include "loop/context.hpp"
#include "merge/merge.hpp"
#include "scan/repo_language.hpp"
#include "schedule/repo_locate.hpp"

#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>

namespace cli {

namespace {

// The driver's exit codes, as git reads them: 0 merged, 1 conflicts left, anything else an error.
constexpr int k_merge_clean = 0;
constexpr int k_merge_conflicts = 1;
constexpr int k_merge_error = 2;

std::optional<git::ConflictStyle> parse_style(const std::string& name) {
  if (name == "merge") return git::ConflictStyle::merge;
  if (name == "diff3") return git::ConflictStyle::diff3;
  if (name == "zdiff3") return git::ConflictStyle::zdiff3;
  return std::nullopt;
}

// merge.conflictStyle of the repository the command runs in (git's view: -c, includes, global),
// or "merge" outside a repository.
git::ConflictStyle configured_style() {
  core::ProcessOptions o;
  o.timeout = std::chrono::seconds(10);
  try {
    // Inside a repository? Found without a process of its own (the driver runs once per file).
    std::map<std::string, std::string> env;
    for (const char* name : {"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR"})
      if (const char* v = std::getenv(name)) env[name] = v;
    if (!schedule::locate_repo(std::filesystem::current_path(), env)) return git::ConflictStyle::merge;
    auto r = core::run_process({"git", "config", "--get", "merge.conflictStyle"}, o);
    std::string value = r.ok() ? r.out.substr(0, r.out.find('\n')) : "";
    return parse_style(value).value_or(git::ConflictStyle::merge);
  } catch (const std::exception&) {
    return git::ConflictStyle::merge;
  }
}

// The language the driver merges `path` as: scan::language_at with HEAD of the repository it runs
// in (read only for a ".h" header, which is C or C++), else by `ours` alone. Never throws.
const scan::LanguageProfile* driver_language(const std::string& path, const std::string& ours) {
  if (!scan::is_ambiguous_header(path)) return scan::language_for_path(path);
  try {
    std::map<std::string, std::string> env;
    for (const char* name : {"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR"})
      if (const char* v = std::getenv(name)) env[name] = v;
    if (auto where = schedule::locate_repo(std::filesystem::current_path(), env))
      if (auto head = schedule::resolve_head(*where)) {
        git::Repository repo = git::Repository::open(where->git_dir);
        return scan::language_at(repo, *head, path, ours);
      }
  } catch (const std::exception&) {
  }
  return scan::language_for_file(path, ours, false);
}

// Options shared by merge-driver and resolve.
struct MergeArgs {
  std::string style;
  std::string labels;
};

void add_merge_options(CLI::App& sub, MergeArgs& a) {
  sub.add_option("--conflict-style", a.style, "How conflicts are written (default: merge.conflictStyle, else merge)")
      ->check(CLI::IsMember({"merge", "diff3", "zdiff3"}));
  sub.add_option("--labels", a.labels, "Conflict marker labels (default: ours,base,theirs)")->type_name("OURS,BASE,THEIRS");
}

merge::Options merge_options(const MergeArgs& a, int marker_size) {
  merge::Options o;
  o.line.style = a.style.empty() ? configured_style() : *parse_style(a.style);
  o.line.marker_size = marker_size;
  if (!a.labels.empty()) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t comma; (comma = a.labels.find(',', start)) != std::string::npos; start = comma + 1)
      parts.push_back(a.labels.substr(start, comma - start));
    parts.push_back(a.labels.substr(start));
    if (parts.size() != 3) throw core::Fatal("--labels needs three comma-separated labels: OURS,BASE,THEIRS", k_exit_usage);
    o.line.our_label = parts[0];
    o.line.base_label = parts[1];
    o.line.their_label = parts[2];
  }
  o.structured = !merge::structured_disabled_by_environment();
  return o;
}

std::string read_input(const std::string& path) {
  auto text = core::read_file(path);
  if (!text) throw core::Error("cannot read " + path);
  return *text;
}

// Writes `text` to the existing file `path` atomically, keeping its permission bits.
void replace_file(const std::filesystem::path& path, const std::string& text) {
  struct stat st{};
  std::optional<std::filesystem::perms> mode;
  if (::stat(path.c_str(), &st) == 0) mode = static_cast<std::filesystem::perms>(st.st_mode & 07777);
  core::write_file_atomic(path, text, mode);
}

// The labels of the conflict markers in a file as git wrote them (the text after the first "<<<<<<<",
// "|||||||" and ">>>>>>>" of `size` characters); nullopt when the file holds no complete conflict.
struct MarkerLabels {
  std::string ours, base, theirs;
  bool has_base = false;
};
std::optional<MarkerLabels> marker_labels(const std::string& text, int size) {
  MarkerLabels m;
  bool ours = false, theirs = false;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    std::string line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    at = nl == std::string::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() < static_cast<size_t>(size) || (line.size() > static_cast<size_t>(size) && line[size] != ' ')) continue;
    const char c = line[0];
    if ((c != '<' && c != '|' && c != '>') || line.find_first_not_of(c) < static_cast<size_t>(size)) continue;
    std::string label = line.size() > static_cast<size_t>(size) ? line.substr(size + 1) : "";
    if (c == '<' && !ours) ours = true, m.ours = label;
    if (c == '|' && !m.has_base) m.has_base = true, m.base = label;
    if (c == '>' && !theirs) theirs = true, m.theirs = label;
  }
  if (!ours || !theirs) return std::nullopt;
  return m;
}

// Whether `on_disk` is what a conflicted merge of base/ours/theirs wrote and nobody touched since: ours
// itself (git leaves it for some conflicts), or the line merge (git's own, xdiff) or this tool's merge with
// the labels and conflict style the file's own markers show. A half-resolved file matches none of them.
bool as_the_merge_left_it(const std::string& on_disk, const std::string& base, const std::string& ours,
                          const std::string& theirs, const scan::LanguageProfile* lang, const merge::Options& options) {
  if (on_disk == ours) return true;
  auto labels = marker_labels(on_disk, options.line.marker_size);
  if (!labels) return false;
  std::vector<git::ConflictStyle> styles{git::ConflictStyle::merge};
  if (labels->has_base) styles = {git::ConflictStyle::diff3, git::ConflictStyle::zdiff3};
  for (auto style : styles) {
    merge::Options o = options;
    o.line.style = style;
    o.line.our_label = labels->ours;
    o.line.base_label = labels->base;
    o.line.their_label = labels->theirs;
    try {
      if (git::merge_file(base, ours, theirs, o.line).text == on_disk) return true;
      if (merge::three_way(base, ours, theirs, lang, o).text == on_disk) return true;
    } catch (const std::exception&) {
    }
  }
  return false;
}

} // namespace

Runner define_merge_driver(CLI::App& sub) {
  auto args = std::make_shared<MergeArgs>();
  auto files = std::make_shared<std::vector<std::string>>();
  add_merge_options(sub, *args);
  sub.add_option("files", *files, "%O %A %B %L %P: base, ours (result written here), theirs, marker size, path")
      ->expected(5)
      ->required();
  return [args, files](const Global&) {
    const std::string &base_path = (*files)[0], &ours_path = (*files)[1], &theirs_path = (*files)[2];
    const std::string& path = (*files)[4];
    int marker_size = 0;
    try {
      marker_size = std::stoi((*files)[3]);
    } catch (const std::exception&) {
    }
    if (marker_size <= 0 || marker_size > 1000)
      throw core::Fatal("marker size must be a positive number, not '" + (*files)[3] + "'", k_merge_error);
    std::string base, ours, theirs;
    try {
      base = read_input(base_path);
      ours = read_input(ours_path);
      theirs = read_input(theirs_path);
    } catch (const core::Error& e) {
      throw core::Fatal(e.what(), k_merge_error); // nothing was touched
    }
    merge::Options options = merge_options(*args, marker_size);
    merge::Result result;
    try {
      result = merge::three_way(base, ours, theirs, driver_language(path, ours), options);
    } catch (const std::exception& e) {
      // Leave git's own line merge in %A so nothing is lost, then report the error.
      try {
        replace_file(ours_path, git::merge_file(base, ours, theirs, options.line).text);
      } catch (const std::exception&) {
      }
      throw core::Fatal(std::string("merge of ") + path + " failed: " + e.what(), k_merge_error);
    }
    try {
      replace_file(ours_path, result.text);
    } catch (const std::exception& e) {
      throw core::Fatal(e.what(), k_merge_error);
    }
    if (std::getenv("AUTOLOOP_MERGE_TRACE"))
      std::fprintf(stderr, "git-autoloop: merge %s: %s%s%s\n", path.c_str(), merge::method_name(result.method),
                   result.note.empty() ? "" : ": ", result.note.c_str());
    return result.clean ? k_merge_clean : k_merge_conflicts;
  };
}

Runner define_resolve(CLI::App& sub) {
  auto args = std::make_shared<MergeArgs>();
  auto paths = std::make_shared<std::vector<std::string>>();
  auto force = std::make_shared<bool>(false);
  add_merge_options(sub, *args);
  sub.add_flag("--force", *force, "Merge even files whose work-tree copy was edited since the conflict");
  sub.add_option("paths", *paths, "Conflicted files (default: every conflicted file of a supported language)");
  return [args, paths, force](const Global& g) {
    loop::Context ctx = loop::Context::open(open_options(g, false));
    if (!ctx.paths.work_tree) throw core::Error("resolve needs a work tree");
    const auto& top = *ctx.paths.work_tree;
    auto conflicts = ctx.repo.index_conflicts();
    merge::Options options = merge_options(*args, 7);
    int resolved = 0, left = 0;
    std::vector<std::string> wanted = *paths;
    for (auto& w : wanted) {
      // Paths are relative to the current directory, as in git.
      std::error_code ec;
      auto abs = std::filesystem::weakly_canonical(std::filesystem::absolute(w), ec);
      auto rel = abs.lexically_relative(std::filesystem::weakly_canonical(top, ec));
      if (!ec && !rel.empty() && rel.native().rfind("..", 0) != 0) w = rel.generic_string();
    }
    for (const auto& w : wanted) {
      bool found = std::any_of(conflicts.begin(), conflicts.end(), [&](const git::ConflictEntry& c) { return c.path == w; });
      if (!found) {
        std::printf("  skipped    %s: not conflicted\n", w.c_str());
        ++left;
      }
    }
    for (const auto& c : conflicts) {
      const scan::LanguageProfile* lang = scan::language_for_path(c.path);
      if (!wanted.empty()) {
        if (std::find(wanted.begin(), wanted.end(), c.path) == wanted.end()) continue;
      } else if (!lang) {
        continue;
      }
      if (!c.base || !c.ours || !c.theirs) {
        std::printf("  skipped    %s: added or deleted on one side (resolve it by hand)\n", c.path.c_str());
        ++left;
        continue;
      }
      if ((c.ours->mode & 0170000) != 0100000 || (c.theirs->mode & 0170000) != 0100000) {
        std::printf("  skipped    %s: not a regular file on both sides\n", c.path.c_str());
        ++left;
        continue;
      }
      std::string base = ctx.repo.read_blob(c.base->blob), ours = ctx.repo.read_blob(c.ours->blob),
                  theirs = ctx.repo.read_blob(c.theirs->blob);
      if (lang) {
        auto head = ctx.repo.resolve_commit("HEAD");
        lang = scan::language_at(ctx.repo, head.value_or(""), c.path, ours);
      }
      auto on_disk = core::read_file(top / c.path);
      // A hand edit (one conflict of two resolved, a line added) is the user's: never merged over.
      bool untouched = on_disk && as_the_merge_left_it(*on_disk, base, ours, theirs, lang, options);
      if (!untouched && !*force) {
        std::printf("  skipped    %s: the work-tree file was edited since the conflict (--force merges anyway)\n",
                    c.path.c_str());
        ++left;
        continue;
      }
      merge::Result r = merge::three_way(base, ours, theirs, lang, options);
      unsigned mode = c.ours->mode == c.base->mode ? c.theirs->mode : c.ours->mode;
      core::write_file_atomic(top / c.path, r.text, std::filesystem::perms(mode == 0100755 ? 0755 : 0644));
      if (r.clean) {
        ctx.repo.stage_resolved(c.path, ctx.repo.write_blob(r.text), mode);
        std::printf("  resolved   %s (%s merge)\n", c.path.c_str(), merge::method_name(r.method));
        ++resolved;
      } else {
        std::printf("  conflict   %s: markers left in the file, still unmerged\n", c.path.c_str());
        ++left;
      }
    }
    if (resolved == 0 && left == 0) std::printf("no conflicted files to resolve\n");
    else std::printf("%d resolved, %d left\n", resolved, left);
    return left ? k_exit_findings : k_exit_ok;
  };
}

} // namespace cli
