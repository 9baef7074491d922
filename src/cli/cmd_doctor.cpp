// git autoloop doctor: will git run our hooks? are they this build's, and is their binary there? do the grammars
// load and the rules compile? is the configuration valid and the database healthy?
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/fs.hpp"
#include "core/process.hpp"
#include "loop/context.hpp"
#include "loop/provider_scan.hpp"
#include "providers/enabled.hpp"
#include "providers/provider.hpp"
#include "merge/install.hpp"
#include "scan/engine.hpp"
#include "hookcore/hook_install.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <unistd.h>

namespace cli {

namespace {

// The checks, printed as they run (text), or collected for one JSON object at the end
// (tests/schemas/doctor.schema.json: sections, each with checks of status ok, fail or note).
struct Report {
  explicit Report(bool json) : m_json(json) {}
  int problems = 0;
  void section(const std::string& name) {
    if (!m_json) std::printf("%s\n", name.c_str());
    m_sections.push_back({{"name", name}, {"checks", nlohmann::json::array()}});
  }
  void ok(const std::string& what) { add("ok", what, ""); }
  void bad(const std::string& what, const std::string& fix = "") {
    ++problems;
    add("fail", what, fix);
  }
  void note(const std::string& what) { add("note", what, ""); }
  bool json() const { return m_json; }
  // The last line (text) or the whole object (JSON).
  void finish(const std::string& repository) const {
    if (!m_json) {
      if (problems) std::printf("%s found\n", counted(problems, "problem").c_str());
      else std::printf("all good\n");
      return;
    }
    const nlohmann::json out = {{"repository", repository}, {"problems", problems}, {"sections", m_sections}};
    std::puts(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }

private:
  void add(const char* status, const std::string& what, const std::string& fix) {
    if (!m_json) {
      std::printf("  %-5s %s\n", status == std::string("fail") ? "FAIL" : status, printable(what).c_str());
      if (!fix.empty()) std::printf("        -> %s\n", printable(fix).c_str());
    }
    if (m_sections.empty()) section("general");
    nlohmann::json check = {{"status", status}, {"what", what}};
    if (!fix.empty()) check["fix"] = fix;
    m_sections.back()["checks"].push_back(std::move(check));
  }
  bool m_json;
  nlohmann::json m_sections = nlohmann::json::array();
};

// A hooks directory inside the work tree holds a hook manager's scripts, each with a line calling
// `git autoloop hook <name>` (cmd_install): is it still there? husky rewrites its scripts on every
// `npm install`, lefthook and pre-commit theirs on `install`.
void check_hook_line(Report& r, const std::filesystem::path& dir, const std::string& hook) {
  const auto path = dir / hook;
  const bool husky = dir.filename() == "_" && std::filesystem::exists(dir / "h");
  const std::string keep = husky ? "; to keep it across `npm install`, add `git autoloop hook " + hook +
                                       " \"$@\"` to .husky/" + hook + " (README: Hook managers)"
                                 : "";
  if (!hookcore::hook_reaches_autoloop(dir, hook)) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      r.bad(hook + ": " + path.string() + " is missing (removed by another hook manager?)",
            "run `git autoloop install` again" + keep);
    else
      r.bad(hook + ": " + path.string() + " no longer calls `git autoloop hook " + hook +
                "` (another hook manager replaced the script?)",
            "run `git autoloop install` again" + keep);
    return;
  }
  if (::access(path.c_str(), X_OK) != 0) {
    r.bad(hook + ": " + path.string() + " is not executable, git will skip it", "chmod +x " + path.string());
    return;
  }
  const std::string script = core::read_file(path).value_or("");
  if (script.find("git autoloop hook") != std::string::npos && !hookcore::find_on_path("git-autoloop")) {
    r.bad(hook + ": the script calls `git autoloop`, but git-autoloop is not on PATH",
          "put the directory of git-autoloop on PATH (or run `install` from there)");
    return;
  }
  r.ok(hook + ": " + path.string() + " calls `git autoloop hook " + hook + "`");
}

// Each enabled provider with its tool's version or why it cannot run, and what its last run met.
void check_providers(Report& r, loop::Context& ctx) {
  r.section("providers");
  for (const auto& name : ctx.config.providers) {
    auto provider = providers::make_provider(name);
    if (!provider) continue; // the configuration section said so
    providers::RunOptions options;
    options.tool_dir = providers::tool_dir_of(name);
    std::string why;
    if (auto version = provider->version(options, why))
      r.ok(name + ": " + *version + " (" + options.tool_dir.string() + ")");
    else
      r.bad(name + ": " + (why.empty() ? "its tool is not installed" : why) + "; its findings are skipped",
            "install.sh --provider " + name);
  }
  std::error_code ec;
  if (!std::filesystem::exists(ctx.paths.db(), ec)) return;
  try {
    for (const auto& line : loop::provider_status_lines(ctx.store(), ctx.config.providers)) r.note("last run: " + line);
  } catch (const std::exception&) {
    // the database section reports a queue that cannot be read
  }
}

} // namespace

Runner define_doctor(CLI::App& sub) {
  auto format = std::make_shared<std::string>("text");
  sub.add_option("--format", *format, "Output: text or json (one object; tests/schemas/doctor.schema.json)")
      ->capture_default_str();
  return [format](const Global& g) {
    Report r(parse_format(*format, false) == Format::json);
    loop::OpenOptions oo = open_options(g, false);
    loop::Context ctx = loop::Context::open(oo);
    const std::string repository = (ctx.paths.work_tree ? *ctx.paths.work_tree : ctx.paths.git_dir).string();
    if (!r.json()) std::printf("git-autoloop doctor: %s\n", repository.c_str());

    r.section("hooks");
    try {
      auto dir = ctx.hooks_dir();
      // This build's hook binary, to compare the installed copies with.
      std::optional<std::string> current_hook;
      if (auto bin = loop::locate_binaries().hook) current_hook = core::read_file(*bin);
      const bool lines = ctx.paths.work_tree && hookcore::hooks_dir_in_work_tree(dir, *ctx.paths.work_tree, ctx.paths.common_dir);
      for (std::string_view hv : hookcore::k_autoloop_hooks) {
        const std::string h(hv);
        auto path = dir / h;
        if (!hookcore::is_autoloop_hook(path) && lines) {
          check_hook_line(r, dir, h);
          continue;
        }
        if (!hookcore::is_autoloop_hook(path)) {
          r.bad(h + ": not installed in " + dir.string(), "run `git autoloop install`");
          continue;
        }
        if (::access(path.c_str(), X_OK) != 0) {
          r.bad(std::string(h) + ": not executable, git will skip it", "chmod +x " + path.string());
          continue;
        }
        const std::string bytes = core::read_file(path).value_or("");
        auto main = hookcore::configured_main(bytes);
        if (!main) {
          r.bad(std::string(h) + ": a shell shim of an earlier version", "run `git autoloop install` again");
          continue;
        }
        if (::access(main->c_str(), X_OK) != 0) {
          r.bad(std::string(h) + ": the binary it runs, " + *main + ", is missing", "run `git autoloop install` again");
          continue;
        }
        // A copy of another build keeps working, but misses what this one fixed.
        std::optional<std::string> expected;
        try {
          if (current_hook) expected = hookcore::configured_hook(*current_hook, *main);
        } catch (const std::exception&) {
          // not a hook binary beside git-autoloop: nothing to compare with
        }
        if (expected && *expected != bytes) {
          r.bad(std::string(h) + ": from another build of git-autoloop", "run `git autoloop install` again");
          continue;
        }
        r.ok(std::string(h) + " installed; git runs it; it runs " + *main);
        auto chained = dir / (std::string(h) + ".autoloop-chained");
        if (std::filesystem::exists(chained)) r.ok(std::string(h) + ": chains the previous hook " + chained.string());
      }
    } catch (const std::exception& e) {
      r.bad(std::string("cannot find the hooks directory: ") + e.what());
    }

    r.section("merge driver");
    if (ctx.paths.work_tree) {
      auto driver = core::git_output(*ctx.paths.work_tree, {"config", "--get", "merge.autoloop.driver"});
      if (!driver) {
        r.bad("merge.autoloop.driver is not set: git merges with its line merge only", "run `git autoloop install`");
      } else {
        // The first word of the command line is the (shell-quoted) binary.
        std::string bin = *driver;
        if (!bin.empty() && bin[0] == '\'') bin = bin.substr(1, bin.find('\'', 1) - 1);
        else bin = bin.substr(0, bin.find(' '));
        if (::access(bin.c_str(), X_OK) != 0)
          r.bad("merge.autoloop.driver runs " + bin + ", which is missing", "run `git autoloop install` again");
        else r.ok("merge.autoloop.driver runs " + bin);
      }
      auto attr = core::git_output(*ctx.paths.work_tree, {"check-attr", "merge", "--", "autoloop-doctor-probe.py"});
      if (attr && attr->find(": merge: autoloop") != std::string::npos)
        r.ok("attributes send supported files (*.py, ...) to the driver");
      else
        r.bad("no attributes route files to the merge driver (merge=autoloop)",
              "run `git autoloop install` (or `install --attributes` to share them in .gitattributes)");
    }

    r.section("configuration");
    try {
      oo.load_config = true;
      loop::Context loaded = loop::Context::open(oo);
      (void)loaded.rules(); // the rule ids it names must exist (a typo is an error, not a no-op)
      ctx.config = loaded.config;
      r.ok("configuration valid");
    } catch (const std::exception& e) {
      r.bad(e.what(), "fix the file; `git autoloop config --show-origin` shows every value");
    }
    if (auto why = ctx.stopped()) r.note("loop stopped: " + *why);

    r.section("grammars and rules");
    try {
      auto rules = ctx.rules();
      scan::Engine engine(rules);
      for (const auto& lang : scan::languages()) {
        try {
          engine.compile(lang);
          int errors = engine.syntax_errors(lang, "");
          if (errors < 0) r.bad(std::string(lang.name) + ": parser timed out on an empty file");
          else r.ok(std::string(lang.name) + ": grammar loads, rules compile");
        } catch (const std::exception& e) {
          r.bad(std::string(lang.name) + ": " + e.what());
        }
      }
      // The project's linter configs: what they turn off, and files not (fully) followed. Notes, not
      // failures: the files are the project's, and a malformed one only means it is not followed.
      for (const auto& rule : rules)
        if (!rule.off_reason.empty()) r.note(rule.id + " off: " + rule.off_reason);
      if (ctx.config.rules.follow_project_linters)
        for (const auto& p : ctx.project_linters().problems()) r.note("linters: " + p);
    } catch (const std::exception& e) {
      r.bad(std::string("rules: ") + e.what());
    }

    if (!ctx.config.providers.empty()) check_providers(r, ctx);

    r.section("database");
    try {
      auto store = queue::Store::open(ctx.paths.db(), queue::Store::Check::quick);
      r.ok(ctx.paths.db().string() + ": healthy (schema " + std::to_string(store.schema_version()) + ")");
    } catch (const std::exception& e) {
      r.bad(e.what(), "it is moved aside and rebuilt by the next scan; or remove it");
    }
    r.finish(repository);
    return r.problems ? k_exit_findings : k_exit_ok;
  };
}

} // namespace cli
