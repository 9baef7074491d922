// git autoloop report [--format text|json|html|prometheus] [--output FILE] [--since REV]
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/terminal.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"
#include "loop/context.hpp"
#include "metrics/report.hpp"

#include <cstdio>
#include <set>

namespace cli {

namespace {
struct ReportOptions {
  std::string format = "text";
  std::string output;
  std::string since;
  size_t top = 10;
};
} // namespace

Runner define_report(CLI::App& sub) {
  auto o = std::make_shared<ReportOptions>();
  sub.add_option("--format", o->format, "Output: text, json, html or prometheus")
      ->capture_default_str()
      ->check(one_of({"text", "json", "html", "prometheus"}));
  sub.add_option("--output,-o", o->output, "Write to FILE (atomically) instead of standard output")->type_name("FILE");
  sub.add_option("--since", o->since, "Only commits after REV (default: all the history the queue knows)")->type_name("REV");
  sub.add_option("--top", o->top, "How many of the most complex functions to list")->capture_default_str();
  return [o](const Global& g) {
    loop::Context ctx = loop::Context::open(open_options(g, false));
    metrics::ReportOptions options;
    options.since = o->since;
    options.top_functions = o->top;
    options.feedback = ctx.config.feedback;
    try {
      std::set<std::string> enabled, fixable;
      for (const auto& r : ctx.rules()) {
        if (r.enabled) enabled.insert(r.id);
        // A rule fixes its findings with a template, or with its check (its cases then show fixed code).
        if (r.safety != core::Safety::suggest && (!r.fix.empty() || !r.tests.fixed.empty())) fixable.insert(r.id);
        if (r.mechanical) options.mechanical_rules.insert(r.id);
      }
      options.enabled_rules = std::move(enabled);
      options.fixable_rules = std::move(fixable);
    } catch (const std::exception&) {
      // A malformed rule file: `status` and `rules` say so; the report goes on without the style check.
    }
    options.repository = (ctx.paths.work_tree ? *ctx.paths.work_tree : ctx.paths.git_dir).string();
    const metrics::Report report = metrics::build_report(ctx.repo, ctx.store(), options);
    std::string text;
    if (o->format == "json") text = metrics::render_json(report);
    else if (o->format == "html") text = metrics::render_html(report);
    else if (o->format == "prometheus") text = metrics::render_prometheus(report);
    else text = metrics::render_text(report);
    if (o->output.empty()) {
      // Text is read on the terminal; the other formats are for programs and browsers.
      std::optional<Pager> pager;
      if (o->format == "text") pager.emplace(Pager::start(g));
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
      core::write_file_atomic(o->output, text);
      core::say("report written to " + o->output);
    }
    return k_exit_ok;
  };
}

} // namespace cli
