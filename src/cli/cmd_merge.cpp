// git autoloop merge-driver %O %A %B %L %P: the merge driver (merge/driver.hpp) as a subcommand, for drivers
// registered before `autoloop-merge` was (git autoloop install now registers that lean binary);
// git autoloop resolve [PATH...]: the same merge for conflicts left by tools that ignore merge drivers.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "loop/context.hpp"
#include "merge/driver.hpp"
#include "merge/merge.hpp"
#include "scan/repo_language.hpp"
#include "hookcore/repo_locate.hpp"

#include <cstdio>
#include <cstdlib>

namespace cli {

namespace {

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
  o.line.style = a.style.empty() ? merge::configured_style() : *merge::parse_style(a.style);
  o.line.marker_size = marker_size;
  if (!a.labels.empty()) {
    auto labels = merge::parse_labels(a.labels);
    if (!labels) throw core::Fatal("--labels needs three comma-separated labels: OURS,BASE,THEIRS", k_exit_usage);
    o.line.our_label = (*labels)[0];
    o.line.base_label = (*labels)[1];
    o.line.their_label = (*labels)[2];
  }
  o.structured = !merge::structured_disabled_by_environment();
  return o;
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
    merge::DriverArgs d{(*files)[0], (*files)[1], (*files)[2], (*files)[3], (*files)[4], std::nullopt, std::nullopt};
    if (!args->style.empty()) d.style = merge::parse_style(args->style);
    if (!args->labels.empty()) {
      d.labels = merge::parse_labels(args->labels);
      if (!d.labels) throw core::Fatal("--labels needs three comma-separated labels: OURS,BASE,THEIRS", k_exit_usage);
    }
    return merge::run_driver(d);
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
