#include "merge/resolve.hpp"

#include "core/fs.hpp"
#include "scan/repo_language.hpp"

#include <algorithm>
#include <optional>

namespace merge {

namespace {

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
                          const std::string& theirs, const scan::LanguageProfile* lang, const Options& options) {
  if (on_disk == ours) return true;
  auto labels = marker_labels(on_disk, options.line.marker_size);
  if (!labels) return false;
  std::vector<git::ConflictStyle> styles{git::ConflictStyle::merge};
  if (labels->has_base) styles = {git::ConflictStyle::diff3, git::ConflictStyle::zdiff3};
  for (auto style : styles) {
    Options o = options;
    o.line.style = style;
    o.line.our_label = labels->ours;
    o.line.base_label = labels->base;
    o.line.their_label = labels->theirs;
    try {
      if (git::merge_file(base, ours, theirs, o.line).text == on_disk) return true;
      if (three_way(base, ours, theirs, lang, o).text == on_disk) return true;
    } catch (const std::exception&) {
    }
  }
  return false;
}

Resolution skipped(const std::string& path, std::string why) {
  Resolution r;
  r.path = path;
  r.why = std::move(why);
  return r;
}

bool regular_file(const git::Entry& entry) { return (entry.mode & 0170000) == 0100000; }

// Merges one conflicted file, or says why not.
Resolution resolve_one(const git::Repository& repo, const std::filesystem::path& work_tree,
                       const git::ConflictEntry& c, const scan::LanguageProfile* lang, const Options& options,
                       bool force) {
  if (!c.base || !c.ours || !c.theirs) return skipped(c.path, "added or deleted on one side (resolve it by hand)");
  if (!regular_file(*c.ours) || !regular_file(*c.theirs)) return skipped(c.path, "not a regular file on both sides");
  std::string base = repo.read_blob(c.base->blob), ours = repo.read_blob(c.ours->blob),
              theirs = repo.read_blob(c.theirs->blob);
  if (lang) {
    auto head = repo.resolve_commit("HEAD");
    lang = scan::language_at(repo, head.value_or(""), c.path, ours);
  }
  auto on_disk = core::read_file(work_tree / c.path);
  // A hand edit (one conflict of two resolved, a line added) is the user's: never merged over.
  bool untouched = on_disk && as_the_merge_left_it(*on_disk, base, ours, theirs, lang, options);
  if (!untouched && !force)
    return skipped(c.path, "the work-tree file was edited since the conflict (--force merges anyway)");
  Result merged = three_way(base, ours, theirs, lang, options);
  unsigned mode = c.ours->mode == c.base->mode ? c.theirs->mode : c.ours->mode;
  core::write_file_atomic(work_tree / c.path, merged.text, std::filesystem::perms(mode == 0100755 ? 0755 : 0644));
  Resolution r;
  r.path = c.path;
  if (merged.clean) {
    repo.stage_resolved(c.path, repo.write_blob(merged.text), mode);
    r.outcome = Resolution::Outcome::resolved;
    r.method = merged.method;
  } else {
    r.outcome = Resolution::Outcome::conflict;
  }
  return r;
}

} // namespace

std::vector<Resolution> resolve_conflicts(const git::Repository& repo, const std::filesystem::path& work_tree,
                                          const std::vector<std::string>& paths, const Options& options, bool force,
                                          const std::function<void(const Resolution&)>& on_file) {
  std::vector<Resolution> out;
  auto done = [&](Resolution r) {
    if (on_file) on_file(r);
    out.push_back(std::move(r));
  };
  const auto conflicts = repo.index_conflicts();
  for (const auto& p : paths) {
    bool found = std::any_of(conflicts.begin(), conflicts.end(), [&](const git::ConflictEntry& c) { return c.path == p; });
    if (!found) done(skipped(p, "not conflicted"));
  }
  for (const auto& c : conflicts) {
    const scan::LanguageProfile* lang = scan::language_for_path(c.path);
    if (!paths.empty()) {
      if (std::find(paths.begin(), paths.end(), c.path) == paths.end()) continue;
    } else if (!lang) {
      continue;
    }
    done(resolve_one(repo, work_tree, c, lang, options, force));
  }
  return out;
}

} // namespace merge
