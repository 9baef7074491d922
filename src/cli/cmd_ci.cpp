// git autoloop ci --base REV [--head REV] [--sarif FILE] [--markdown FILE] [--format text|json|sarif]
//                  [--notes-ref REF] [--export-notes]
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "core/process.hpp"
#include "loop/ci.hpp"
#include "loop/notes.hpp"

#include <cstdio>
#include <fstream>

namespace cli {

namespace {

struct CiOptions {
  std::string base;
  std::string head = "HEAD";
  std::string sarif;
  std::string markdown;
  std::string format = "text";
  std::string notes_ref;
  bool export_notes = false;
};

// Whether `ancestor` is `commit` or one of its ancestors. Asks git, which knows the shallow
// boundary (libgit2 1.5 does not). Throws core::Error when git cannot tell.
bool is_ancestor(const loop::Context& ctx, const std::string& ancestor, const std::string& commit) {
  core::ProcessOptions options;
  options.cwd = ctx.paths.work_tree ? *ctx.paths.work_tree : ctx.paths.git_dir;
  core::unset_git_environment(options);
  options.timeout = std::chrono::seconds(120);
  auto r = core::run_process({"git", "--git-dir=" + ctx.paths.git_dir.string(), "merge-base", "--is-ancestor",
                              ancestor, commit},
                             options);
  if (r.exit_code == 0 && !r.timed_out) return true;
  if (r.exit_code == 1 && !r.timed_out) return false;
  throw core::Error("`git merge-base --is-ancestor` failed: " + (r.timed_out ? std::string("timed out") : r.err));
}

// Appends (as $GITHUB_STEP_SUMMARY expects: other steps' text stays) and creates the file when missing.
void append_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
  out.flush();
  if (!out) throw core::Error("cannot write the Markdown summary to " + path);
}

// The notes ref's cache when ci.import_notes is on and the ref exists (a broken one is passed over with a
// warning: the run parses instead), else an empty one when exporting, else none.
std::optional<loop::NotesCache> open_notes(loop::Context& ctx, const scan::Engine& engine, const std::string& ref,
                                           bool exporting) {
  if (ctx.config.ci.import_notes) {
    try {
      if (auto cache = loop::NotesCache::open(ctx.repo, engine, ref, exporting)) return cache;
    } catch (const git::Error& e) {
      core::warn(ref + " cannot be read, its results are not used: " + e.what());
    }
  }
  if (exporting) return loop::NotesCache(ctx.repo, engine);
  return std::nullopt;
}

} // namespace

Runner define_ci(CLI::App& sub) {
  auto o = std::make_shared<CiOptions>();
  sub.add_option("--base", o->base, "The range's base (e.g. origin/main): findings already there are not reported")
      ->required();
  sub.add_option("--head", o->head, "The range's tip")->capture_default_str();
  sub.add_option("--sarif", o->sarif, "Also write the new findings as SARIF 2.1.0 to FILE")->type_name("FILE");
  sub.add_option("--markdown", o->markdown, "Also append a Markdown summary to FILE (e.g. \"$GITHUB_STEP_SUMMARY\")")
      ->type_name("FILE");
  sub.add_option("--format", o->format, "Standard output: text, json or sarif")->capture_default_str();
  sub.add_option("--notes-ref", o->notes_ref,
                 std::string("The notes ref of shared scan results, read when it exists and ci.import_notes is on "
                             "(default ") + loop::k_notes_ref + ")")
      ->type_name("REF");
  sub.add_flag("--export-notes", o->export_notes,
               "Afterwards, write the results this run parsed to the notes ref (push it to share them)");
  sub.footer("Scans the files changed in BASE..HEAD without hooks or queue and reports the findings the range "
             "introduced. Exits 1 when one matches ci.block_on (default [security]), 0 otherwise.");
  return [o](const Global& g) {
    const Format format = parse_format(o->format, true);
    const std::string notes_ref = usage_notes_ref(o->notes_ref);
    loop::Context ctx = loop::Context::open(open_options(g));

    // 1. Both ends, with errors that say what to do; a shallow clone is the usual cause in CI.
    std::error_code ec;
    const bool shallow = std::filesystem::exists(ctx.paths.common_dir / "shallow", ec);
    const std::string hint = shallow ? "; this is a shallow clone: fetch more history (`git fetch --unshallow`, or "
                                       "`fetch-depth: 0` with actions/checkout)"
                                     : "";
    auto base = ctx.repo.resolve_commit(o->base);
    if (!base) throw core::Error("unknown revision '" + o->base + "' given to --base" + hint);
    auto head = ctx.repo.resolve_commit(o->head);
    if (!head) {
      if (o->head == "HEAD") throw core::Error("HEAD has no commit yet: nothing to check");
      throw core::Error("unknown revision '" + o->head + "' given to --head" + hint);
    }
    if (!is_ancestor(ctx, *base, *head))
      throw core::Error("--base " + o->base + " (" + base->substr(0, 12) + ") is not an ancestor of " + o->head +
                        " (" + head->substr(0, 12) + "): pass their merge base, `git merge-base " + o->base + " " +
                        o->head + "`" + hint);

    // 2. The range: no queue, no hooks, nothing written to the repository (but the notes ref, when asked).
    // Versions scanned elsewhere come from the notes ref (loop/notes.hpp).
    const scan::Engine& engine = ctx.engine();
    std::optional<loop::NotesCache> notes = open_notes(ctx, engine, notes_ref, o->export_notes);
    loop::RangeReport report;
    try {
      report = loop::scan_range(ctx.repo, engine, ctx.config, *base, *head, notes ? &*notes : nullptr);
    } catch (const git::Error& e) {
      if (!shallow) throw;
      throw core::Error(std::string(e.what()) + hint);
    }
    std::vector<Row> rows;
    for (const auto& l : report.introduced) rows.push_back(row_of(l));
    SarifOptions sarif;
    sarif.automation_id = "git-autoloop/ci/";
    sarif.baseline_new = true;
    sarif.properties = {{"base", *base}, {"head", *head}};
    const auto& block_on = ctx.config.ci.block_on;
    const size_t failing = loop::blocking(report, block_on).size();

    // 3. The shared results: what was reused (the proof that nothing was parsed twice), what was written.
    if (notes) {
      std::fprintf(stderr, "%s: %d file version%s reused, %d parsed%s\n", notes_ref.c_str(), report.versions_reused,
                   report.versions_reused == 1 ? "" : "s", report.versions_parsed,
                   notes->rejected() ? (", " + std::to_string(notes->rejected()) + " notes rejected").c_str() : "");
    }
    // A refused export (someone else's ref) does not change the verdict on the range: it is said, not fatal.
    if (o->export_notes) {
      try {
        const loop::NotesExport written = loop::export_results(ctx.repo, notes_ref, engine.ruleset_hash(),
                                                               notes->collected(),
                                                               loop::notes_signature(ctx.repo, ctx.config));
        std::fprintf(stderr, "%s: %d note%s written (push it: git push origin %s)\n", notes_ref.c_str(),
                     written.written, written.written == 1 ? "" : "s", notes_ref.c_str());
      } catch (const core::Error& e) {
        core::warn(std::string("the results were not exported: ") + e.what());
      }
    }

    // 4. Reports, then the verdict.
    if (!o->sarif.empty()) core::write_file_atomic(o->sarif, format_sarif(rows, engine.rules(), sarif));
    if (!o->markdown.empty()) append_file(o->markdown, loop::format_markdown(report, block_on));
    switch (format) {
    case Format::json: std::fputs(format_json(rows).c_str(), stdout); break;
    case Format::sarif: std::fputs(format_sarif(rows, engine.rules(), sarif).c_str(), stdout); break;
    case Format::text: {
      std::fputs(format_text(rows).c_str(), stdout);
      std::string on;
      for (const auto& b : block_on) on += (on.empty() ? "" : ", ") + b;
      std::fprintf(stdout, "%s..%s: %zu new finding%s in %d changed file%s (%d scanned); %zu blocking (ci.block_on: [%s])\n",
                   base->substr(0, 12).c_str(), head->substr(0, 12).c_str(), rows.size(), rows.size() == 1 ? "" : "s",
                   report.files_changed, report.files_changed == 1 ? "" : "s", report.files_scanned, failing,
                   on.c_str());
      break;
    }
    }
    std::fflush(stdout);
    return failing ? k_exit_findings : k_exit_ok;
  };
}

} // namespace cli
