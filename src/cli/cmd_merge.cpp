// git autoloop merge-driver %O %A %B %L %P: the merge driver (merge/driver.hpp) as a subcommand, for drivers
// registered before `autoloop-merge` was (git autoloop install now registers that lean binary);
// git autoloop resolve [PATH...]: the same merge for conflicts left by tools that ignore merge drivers.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/error.hpp"
#include "loop/context.hpp"
#include "merge/driver.hpp"
#include "merge/merge.hpp"
#include "merge/resolve.hpp"

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
      ->check(one_of({"merge", "diff3", "zdiff3"}));
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

// `given` paths as typed (relative to the current directory, as in git) made relative to the work tree
// `top`; a path outside it is kept as typed (and then reported as not conflicted).
std::vector<std::string> work_tree_paths(std::vector<std::string> given, const std::filesystem::path& top) {
  for (auto& w : given) {
    std::error_code ec;
    auto abs = std::filesystem::weakly_canonical(std::filesystem::absolute(w), ec);
    auto rel = abs.lexically_relative(std::filesystem::weakly_canonical(top, ec));
    if (!ec && !rel.empty() && rel.native().rfind("..", 0) != 0) w = rel.generic_string();
  }
  return given;
}

// One line per file, as resolve_conflicts hears of it.
void print_resolution(const merge::Resolution& r) {
  switch (r.outcome) {
  case merge::Resolution::Outcome::resolved:
    std::printf("  resolved   %s (%s merge)\n", r.path.c_str(), merge::method_name(r.method));
    break;
  case merge::Resolution::Outcome::conflict:
    std::printf("  conflict   %s: markers left in the file, still unmerged\n", r.path.c_str());
    break;
  case merge::Resolution::Outcome::skipped:
    std::printf("  skipped    %s: %s\n", r.path.c_str(), r.why.c_str());
    break;
  }
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
    const merge::Options options = merge_options(*args, 7);
    int resolved = 0, left = 0;
    merge::resolve_conflicts(ctx.repo, top, work_tree_paths(*paths, top), options, *force,
                             [&](const merge::Resolution& r) {
                               print_resolution(r);
                               ++(r.outcome == merge::Resolution::Outcome::resolved ? resolved : left);
                             });
    if (resolved == 0 && left == 0) std::printf("no conflicted files to resolve\n");
    else std::printf("%d resolved, %d left\n", resolved, left);
    return left ? k_exit_findings : k_exit_ok;
  };
}

} // namespace cli
