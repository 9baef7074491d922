// git autoloop scan [--all | --commit REV... | PATH...] [--format text|json|sarif] [--force] [--exit-code]
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/terminal.hpp"
#include "core/fs.hpp"
#include "core/glob.hpp"
#include "core/log.hpp"
#include "loop/provider_scan.hpp"
#include "loop/worker.hpp"
#include "scan/code_context.hpp"
#include "scan/repo_language.hpp"
#include "hookcore/lock.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace cli {

namespace {

struct ScanOptions {
  bool all = false;
  std::vector<std::string> commits;
  std::vector<std::string> paths;
  std::string format = "text";
  bool exit_code = false;
};

// --exit-code: as linters do (eslint, ruff, clang-tidy's -warnings-as-errors), findings of severity
// "error" fail the run; warnings and infos are reported and do not. Findings not reported in their
// context (status "skipped") never count.
bool has_error_findings(const std::vector<Row>& reported) {
  return std::any_of(reported.begin(), reported.end(), [](const Row& r) { return r.severity == "error"; });
}

// Files given on the command line are read from disk and reported only: the queue holds what
// was committed.
// Outside a repository (ctx == nullptr) the built-in rules and default configuration apply.
std::vector<Row> scan_paths(const loop::Context* ctx, const std::vector<std::string>& paths,
                            std::vector<scan::Rule>& rules_out) {
  const core::Config config = ctx ? ctx->config : core::default_config();
  rules_out = ctx ? ctx->rules() : scan::builtin_rules();
  scan::Engine engine(rules_out, static_cast<uint32_t>(config.scan.parse_timeout_ms));
  std::vector<Row> rows;
  for (const auto& p : paths) {
    std::filesystem::path path = p;
    auto content = core::read_file(path);
    if (!content) throw core::Error(p + ": no such file");
    std::string rel = p;
    if (ctx && ctx->paths.work_tree) {
      std::error_code ec;
      auto r = std::filesystem::relative(std::filesystem::absolute(path), *ctx->paths.work_tree, ec);
      if (!ec && !r.empty() && r.native().rfind("..", 0) != 0) rel = r.generic_string();
    }
    // A ".h" header is C++ when HEAD has C++ sources or its text is C++.
    std::optional<std::string> head;
    if (ctx && scan::is_ambiguous_header(rel)) head = ctx->repo.resolve_commit("HEAD");
    const scan::LanguageProfile* lang =
        head ? scan::language_at(ctx->repo, *head, rel, *content) : scan::language_for_file(rel, *content, false);
    if (!lang) {
      core::warn(p + ": not a supported language; skipped");
      continue;
    }
    if (auto why = scan::content_skip_reason(*content)) {
      core::warn(p + ": " + *why + "; skipped");
      continue;
    }
    scan::FileResult result = engine.scan(*lang, *content);
    scan::FileContext fc;
    fc.path = rel;
    // The file's contexts as the work tree has it (conftest.py on disk).
    std::filesystem::path root = ctx && ctx->paths.work_tree ? *ctx->paths.work_tree : std::filesystem::path(".");
    scan::PathExists on_disk = [&](const std::string& q) {
      std::error_code ec;
      return std::filesystem::is_regular_file(root / q, ec);
    };
    const scan::FileContexts contexts = scan::file_contexts(config, rel, on_disk);
    fc.is_test_file = (contexts.all & scan::bit(scan::CodeContext::tests)) != 0;
    for (auto& f : scan::apply_context(result.findings, *content, fc)) {
      auto rule = std::find_if(rules_out.begin(), rules_out.end(), [&](const scan::Rule& r) { return r.id == f.rule_id; });
      scan::Located l = scan::locate(f, *rule, rel, "", "unqueued");
      if (auto where = scan::skipped_context(*rule, contexts, f.contexts)) {
        l.status = "skipped";
        l.skipped_context = *where;
      }
      rows.push_back(row_of(l));
    }
  }
  return rows;
}

} // namespace

Runner define_scan(CLI::App& sub) {
  auto o = std::make_shared<ScanOptions>();
  auto* all = sub.add_flag("--all", o->all, "Scan every file of HEAD");
  sub.add_option("--commit", o->commits, "Scan these commits (again)")->excludes(all);
  sub.add_option("--format", o->format, "Output: text, json or sarif")->capture_default_str();
  sub.add_flag("--exit-code", o->exit_code,
               "Exit with 1 when a finding of severity error is reported (warnings and infos do not count)");
  sub.add_option("paths", o->paths, "Files to scan from disk (reported, not queued)")->excludes(all);
  return [o](const Global& g) {
    Format format = parse_format(o->format, true);
    loop::OpenOptions oo = open_options(g);
    std::vector<Row> rows;
    std::vector<scan::Rule> rules;
    // The rules the output names: `rules`, or the engine's own set when the scan used the context's
    // engine (kept alive for it: copying 50 rules was 5% of a no-op rescan).
    const std::vector<scan::Rule>* used = &rules;
    std::optional<loop::Context> repo_ctx;
    scan::ScanStats stats;
    if (!o->paths.empty()) {
      std::optional<loop::Context> ctx;
      try {
        ctx.emplace(loop::Context::open(oo));
      } catch (const git::Error&) {
        // not in a repository: files can still be scanned
      }
      rows = scan_paths(ctx ? &*ctx : nullptr, o->paths, rules);
    } else {
      loop::Context& ctx = repo_ctx.emplace(loop::Context::open(oo));
      std::vector<scan::Located> found;
      auto head = ctx.repo.resolve_commit("HEAD");
      if (o->all) {
        if (!head) throw core::Error("HEAD has no commit yet: nothing to scan");
        auto lock = hookcore::FileLock::acquire(ctx.paths.scan_lock(), std::chrono::minutes(5));
        rules = ctx.rules();
        scan::Engine engine(rules, static_cast<uint32_t>(ctx.config.scan.parse_timeout_ms));
        scan::CommitScanner scanner(ctx.repo, ctx.store(), engine, ctx.config, ctx.log);
        auto t0 = std::chrono::steady_clock::now();
        Progress progress("scanning", stderr_is_tty());
        stats = scanner.scan_all(*head, &found, [&](size_t done, size_t total) { progress.update(done, total); });
        queue::Run run;
        run.kind = "scan-all";
        run.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        run.peak_rss_kb = loop::peak_rss_kb();
        run.files = stats.files;
        run.detail = "bytes=" + std::to_string(stats.bytes) + " parse_ms=" + std::to_string(stats.parse_ms);
        ctx.store().record_run(run);
        for (auto& l : found) rows.push_back(row_of(l));
      } else {
        std::vector<std::string> commits;
        for (const auto& rev : o->commits) {
          auto c = ctx.repo.resolve_commit(rev);
          if (!c) throw core::Error("unknown revision '" + rev + "'");
          commits.push_back(*c);
        }
        if (commits.empty()) {
          if (!head) throw core::Error("HEAD has no commit yet: nothing to scan");
          commits.push_back(*head);
        }
        auto lock = hookcore::FileLock::acquire(ctx.paths.scan_lock(), std::chrono::minutes(5));
        // Asked for explicitly: rescan even if the worker already did (blob results still come from the cache).
        stats = loop::scan_now(ctx, commits, "scan", true, &found);
        used = &ctx.engine().rules(); // the set scan_now used: loading it again costs as much as the scan
        // The enabled providers too, without the hook's budget (a person is waiting for this, not a commit);
        // their findings go to the queue (`git autoloop queue` lists them), a summary goes to stderr.
        if (!ctx.config.providers.empty()) {
          const loop::ProviderScanStats p = loop::scan_with_providers(ctx, commits, loop::ProviderPass::drain);
          std::fprintf(stderr, "providers: %s, %s (%d new in the queue, %d resolved)%s\n",
                       counted(p.runs, "run").c_str(), counted(p.findings, "finding").c_str(), p.inserted, p.resolved,
                       p.problems ? "; a run had a problem: `git autoloop status` says which" : "");
        }

        for (auto& l : found) rows.push_back(row_of(l));
      }
    }
    // A malformed rule is off and the others ran: said on every scan, so it does not go unnoticed.
    for (const auto& r : *used)
      if (!r.broken.empty())
        std::fprintf(stderr, "git-autoloop: warning: rule %s is off: %s\n", cli::printable(r.id).c_str(),
                     cli::printable(r.broken).c_str());
    // Findings not reported in their context: JSON lists them (status "skipped", with the context and
    // why), text counts them, SARIF leaves them out.
    std::vector<Row> reported;
    std::map<std::string, int> by_context;
    for (const auto& r : rows) {
      if (r.context.empty()) reported.push_back(r);
      else ++by_context[r.rule + " in " + r.context];
    }
    switch (format) {
    case Format::json: std::fputs(format_json(rows).c_str(), stdout); break;
    case Format::sarif: std::fputs(format_sarif(reported, *used).c_str(), stdout); break;
    case Format::text:
      std::fputs(format_text(reported).c_str(), stdout);
      if (o->paths.empty()) {
        std::fprintf(stdout, "%s scanned (%d from cache, %d skipped), %s, %d new in the queue, %d resolved\n",
                     counted(stats.files, "file").c_str(), stats.cached, stats.skipped,
                     counted(static_cast<long long>(reported.size()), "finding").c_str(), stats.inserted, stats.resolved);
        if (auto skipped = scan::provenance_summary(stats.provenance); !skipped.empty())
          std::fprintf(stdout, "%s\n", skipped.c_str());
        std::string off;
        for (const auto& r : *used)
          if (!r.off_reason.empty() && r.broken.empty()) off += (off.empty() ? "" : ", ") + r.id;
        if (!off.empty()) std::fprintf(stdout, "off by the project's linters: %s (`git autoloop rules` says why)\n", off.c_str());
      } else {
        std::fprintf(stdout, "%s\n", counted(static_cast<long long>(reported.size()), "finding").c_str());
      }
      if (auto skipped = scan::context_summary(o->paths.empty() ? stats.contexts : by_context); !skipped.empty())
        std::fprintf(stdout, "%s; `rules.contexts` changes where a rule applies\n", skipped.c_str());
      break;
    }
    return o->exit_code && has_error_findings(reported) ? k_exit_findings : k_exit_ok;
  };
}

} // namespace cli
