#include "loop/context.hpp"

#include "core/fs.hpp"
#include "core/process.hpp"
#include "providers/enabled.hpp"
#include "providers/provider.hpp"
#include "scan/code_context.hpp"
#include "scan/engine.hpp"
#include "scan/rule_cache.hpp"
#include "scan/rule_ids.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>

namespace loop {

Context Context::open(const OpenOptions& options) {
  std::filesystem::path start;
  if (options.git_dir) start = *options.git_dir;
  else if (const char* env = std::getenv("GIT_DIR"); env && *env) start = env;
  else start = std::filesystem::current_path();
  git::Repository repo = git::Repository::open(start);
  Paths paths;
  paths.git_dir = std::filesystem::weakly_canonical(repo.git_dir());
  paths.common_dir = std::filesystem::weakly_canonical(repo.common_dir());
  if (auto wt = repo.work_tree()) paths.work_tree = std::filesystem::weakly_canonical(*wt);
  paths.data_dir = core::Layout::of_common_dir(paths.common_dir).root();
  Context ctx(std::move(repo), std::move(paths));
  ctx.log = core::Logger(ctx.paths.log_dir());
  ctx.m_check_queue = options.check_queue;
  if (options.load_config) {
    core::ConfigSources sources;
    sources.repo_file = ctx.paths.repo_config();
    sources.local_file = ctx.paths.local_config();
    sources.env = core::environment_snapshot();
    sources.overrides = options.overrides;
    ctx.config = core::load_config(sources);
    providers::check_configured_providers(ctx.config); // a mistyped name is an error where it was written
  } else {
    ctx.config = core::default_config();
  }
  return ctx;
}

queue::Store& Context::store() {
  if (!m_store) {
    try {
      // Checked (quick_check) whenever the file changed since the last clean check: every command that opens
      // the queue finds damage anywhere in it, not only the queries that happen to read a damaged page.
      m_store = std::make_unique<queue::Store>(
          queue::Store::open(paths.db(), m_check_queue ? queue::Store::Check::changed : queue::Store::Check::none));
    } catch (const queue::CorruptError& e) {
      rebuild_store(e);
    }
  }
  return *m_store;
}

void Context::recover_corrupt_store(const queue::CorruptError& e) {
  m_store.reset();
  rebuild_store(e);
}

void Context::rebuild_store(const queue::CorruptError& e) {
  m_quarantined = set_aside_corrupt_queue(paths, e, &log);
  m_store = std::make_unique<queue::Store>(queue::Store::open(paths.db()));
}

std::filesystem::path set_aside_corrupt_queue(const Paths& paths, const queue::CorruptError& e, core::Logger* log) {
  auto moved = queue::Store::quarantine(paths.db());
  if (log) log->error("{}; moved aside to {}", e.what(), moved.string());
  core::warn(std::string(e.what()) + "; moved aside to " + moved.string() + " and starting afresh (a rescan rebuilds it)");
  queue::Store::open(paths.db()).set_state("rebuild_needed", moved.string());
  try {
    core::write_file_atomic(paths.last_error(), "the queue database was corrupt: moved aside to " + moved.string() +
                                                    " and rebuilt (its findings come back by a rescan of HEAD)\n");
  } catch (const std::exception&) {
  }
  return moved;
}

const scan::Engine& Context::engine() {
  if (!m_engine) m_engine = std::make_unique<scan::Engine>(rules(), static_cast<uint32_t>(config.scan.parse_timeout_ms));
  return *m_engine;
}

fix::NativeChecker& Context::native_checker() {
  if (!m_native_checker) {
    fix::NativeCheckOptions o;
    if (paths.work_tree) o.work_tree = *paths.work_tree;
    m_native_checker = std::make_unique<fix::NativeChecker>(std::move(o));
  }
  return *m_native_checker;
}

std::vector<std::filesystem::path> Context::local_rules_dirs() const { return {paths.layout().local_rules()}; }

Context::RepositoryRules Context::repository_rules() const {
  RepositoryRules out;
  if (!paths.work_tree || config.rules.directory.empty()) return out;
  std::filesystem::path dir = config.rules.directory;
  if (dir.is_relative()) dir = *paths.work_tree / dir;
  out.dir = dir;
  out.display = dir.lexically_relative(*paths.work_tree).generic_string();
  if (out.display.empty() || out.display.rfind("..", 0) == 0) out.display = dir.string();
  out.files = scan::read_rules_dir(dir, *paths.work_tree);
  std::vector<std::pair<std::string, std::string>> contents;
  for (const auto& f : out.files) contents.emplace_back(f.relative, f.text);
  out.digest = safety::rules_digest(std::move(contents));
  out.trusted = safety::rules_trusted(out.digest.id, paths.trust_file());
  return out;
}

std::vector<scan::Rule> Context::rules() const {
  std::vector<scan::Rule> extra;
  // The repository's: parsed from the very bytes the trust digest covers.
  RepositoryRules repository = repository_rules();
  for (auto& r : scan::parse_rule_files(repository.files, scan::RuleOrigin::repository)) {
    r.trusted = repository.trusted;
    if (auto rel = std::filesystem::path(r.file).lexically_relative(*paths.work_tree); !rel.empty() && *rel.begin() != "..")
      r.file = rel.generic_string();
    extra.push_back(std::move(r));
  }
  // The user's own come last: one may replace a built-in of the same id.
  for (const auto& dir : local_rules_dirs())
    for (auto& r : scan::load_rules_dir(dir, scan::RuleOrigin::local)) extra.push_back(std::move(r));
  // A rule whose query does not compile is off and says why; the others run.
  for (auto& r : extra)
    if (r.broken.empty())
      if (auto problem = scan::query_problem(r)) {
        r.broken = *problem;
        r.off_reason = "malformed: " + r.broken;
        r.enabled = false;
      }
  auto rules = scan::merge_rules(scan::builtin_rules_cached(paths.builtin_rules_cache()), extra, config.rules.disable,
                                 config.rules.enable, config.rules.severity);
  scan::check_configured_rule_ids(config, rules, providers::provider_names()); // a mistyped id is an error, not a switch that does nothing
  scan::apply_context_overrides(rules, config); // rules.contexts (scan/code_context.hpp)
  // The project's linters turn their equivalents off; the user's rules.enable wins over them.
  if (config.rules.follow_project_linters) scan::apply_project_linters(rules, project_linters(), config.rules.enable);
  return rules;
}

scan::ProjectLinters Context::project_linters() const {
  auto head = repo.resolve_commit("HEAD");
  return head ? scan::read_project_linters(repo, *head) : scan::ProjectLinters{};
}

std::optional<std::string> Context::stopped() const {
  if (const char* v = std::getenv("AUTOLOOP"); v && std::string(v) == "0") return "AUTOLOOP=0 is set";
  std::error_code ec;
  if (std::filesystem::exists(paths.stop_file(), ec)) return "stopped by `git autoloop stop` (" + paths.stop_file().string() + ")";
  if (!config.autonomous_loop.enabled) return "autonomous_loop.enabled is false";
  return std::nullopt;
}

std::filesystem::path Context::hooks_dir() const {
  std::filesystem::path cwd = paths.work_tree ? *paths.work_tree : paths.git_dir;
  std::vector<std::string> args;
  if (!paths.work_tree) args = {"--git-dir=" + paths.git_dir.string()};
  args.insert(args.end(), {"rev-parse", "--git-path", "hooks"});
  auto out = core::git_output(cwd, args);
  if (!out || out->empty()) throw core::Error("`git rev-parse --git-path hooks` failed in " + cwd.string());
  std::filesystem::path dir = *out;
  if (dir.is_relative()) dir = cwd / dir;
  return dir.lexically_normal();
}

Binaries locate_binaries() {
  Binaries b;
  std::error_code ec;
  b.main = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) b.main = "git-autoloop";
  auto dir = b.main.parent_path();
  auto beside = [&](const char* name) -> std::optional<std::filesystem::path> {
    for (const auto& candidate : {dir / name, dir.parent_path() / "libexec" / "git-autoloop" / name})
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.lexically_normal();
    return std::nullopt;
  };
  b.hook = beside("autoloop-hook");
  b.merge = beside("autoloop-merge");
  return b;
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

} // namespace loop
