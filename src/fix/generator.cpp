#include "fix/generator.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/glob.hpp"
#include "core/layout.hpp"
#include "core/limits.hpp"
#include "core/process.hpp"
#include "fix/destructive.hpp"
#include "fix/trailers.hpp"
#include "fix/validate.hpp"
#include "scan/repo_language.hpp"
#include "safety/trust.hpp"
#include "scan/scanner.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>

namespace fix {

namespace {

// The code a request shows around its finding: this many lines either side, at most so many bytes.
constexpr int k_context_lines = 15;
constexpr size_t k_max_code_bytes = 32 << 10;
// A generator's file is read from the object database only up to this size (the scan cap's ceiling).
constexpr size_t k_max_generated_bytes = static_cast<size_t>(core::k_max_scan_file_size);

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    std::string line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    if (!line.empty()) out.push_back(line);
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  return out;
}

core::ProcessOptions git_options(const std::filesystem::path& dir) {
  return core::git_process_options(dir, std::chrono::minutes(2));
}

// Whether `path` is `allowed` or lies below it (an `improve` request may name a directory).
bool admitted_by(const std::string& allowed, const std::string& path) {
  if (allowed == path || allowed == "." || allowed.empty()) return true;
  std::string dir = allowed.back() == '/' ? allowed : allowed + "/";
  return path.compare(0, dir.size(), dir) == 0;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? "nothing" : out;
}

// The instruction of a finding request, in words (also AUTOLOOP_INSTRUCTION, for generators that read
// only text).
std::string instruction_for(const Request& r) {
  const std::string where = r.path + ":" + std::to_string(r.start_line) + "-" + std::to_string(r.end_line);
  if (r.offer == "untested")
    return "Write a new test file (under one of: " + quoted_list(r.may_add) + ") that tests the code at " + where +
           " (" + r.message + "). Do not change any other file; the tests must pass with: " +
           (r.test_command.empty() ? "(no test command)" : r.test_command);
  if (r.offer == "complexity")
    return "Simplify the function at " + where + " without changing its behaviour (" + r.message +
           "). Change only " + r.path + "; keep every function it declares.";
  return "Fix this finding at " + where + " without changing any other behaviour: " + r.message + ". Change only " +
         r.path + "; keep every function it declares.";
}

} // namespace

bool is_improve_request(const queue::Opportunity& o) { return o.origin == core::Origin::generator_request; }

std::string offer_kind(const queue::Opportunity& o, const scan::Rule* rule) {
  if (is_improve_request(o)) return "";
  if (o.rule_id == scan::k_regression_rule) return "complexity";
  if (!rule || !rule->enabled || !rule->trusted) return "";
  // A fix template that applies is the drain's own way; a finding whose template's assumption is not
  // established here is a suggestion again.
  if (!rule->fix.empty() && core::stricter(rule->safety, o.safety) != core::Safety::suggest) return "";
  if (rule->category == core::Category::test_coverage) return "untested";
  if (rule->category == core::Category::security_fixes) return "security";
  return "suggestions";
}

bool offered(const core::Config& config, const queue::Opportunity& o, const scan::Rule* rule) {
  if (config.generator.fixer.empty()) return false;
  const std::string kind = offer_kind(o, rule);
  if (kind.empty()) return false;
  const auto& offer = config.generator.offer;
  return std::find(offer.begin(), offer.end(), kind) != offer.end();
}

Request finding_request(const git::Repository& repo, const core::Config& config, const std::string& commit,
                        const queue::Opportunity& o, const scan::Rule* rule) {
  Request r;
  r.kind = "finding";
  r.offer = offer_kind(o, rule);
  r.rule = o.rule_id;
  r.category = std::string(core::to_string(o.category));
  r.severity = o.severity;
  r.message = o.message;
  r.path = o.path;
  r.start_line = o.start_line;
  r.end_line = std::max(o.start_line, o.end_line);
  r.start_byte = o.start_byte;
  r.end_byte = o.end_byte;
  r.test_command = config.test_command;
  if (rule) r.explanation = rule->description;
  else if (o.rule_id == scan::k_regression_rule)
    r.explanation = "The function's cyclomatic complexity rose past metrics.complexity_threshold (" +
                    std::to_string(config.metrics.complexity_threshold) +
                    "): split it into smaller functions or flatten its branches, keeping its behaviour.";
  r.arguments = {o.path};
  r.may_modify = {o.path};
  if (r.offer == "untested") r.may_add = config.scan.test_paths;
  if (auto entry = repo.entry_at(commit, o.path)) {
    std::string text;
    if (repo.blob_size(entry->blob) <= static_cast<size_t>(config.scan.max_file_size)) text = repo.read_blob(entry->blob);
    if (const scan::LanguageProfile* language = scan::language_at(repo, commit, o.path, text))
      r.language = std::string(language->name);
    // The lines around the finding (whole lines, within the byte cap).
    const int first = std::max(1, r.start_line - k_context_lines), last = r.end_line + k_context_lines;
    int line = 1;
    size_t at = 0;
    while (at < text.size() && line <= last) {
      size_t nl = text.find('\n', at);
      size_t end = nl == std::string::npos ? text.size() : nl + 1;
      if (line >= first) {
        if (r.code.size() + (end - at) > k_max_code_bytes) break;
        if (r.code.empty()) r.code_start_line = line;
        r.code.append(text, at, end - at);
      }
      at = end;
      ++line;
    }
  }
  r.instruction = instruction_for(r);
  return r;
}

Request instruction_request(const queue::Opportunity& o) {
  Request r;
  r.kind = "instruction";
  r.rule = o.rule_id;
  r.message = o.message;
  r.instruction = o.message;
  r.arguments = split_lines(o.snippet);
  r.may_modify = r.arguments;
  return r;
}

std::string to_json(const Request& r) {
  nlohmann::json j = {
      {"version", 1},
      {"kind", r.kind},
      {"rule", r.rule},
      {"category", r.category},
      {"severity", r.severity},
      {"message", r.message},
      {"explanation", r.explanation},
      {"instruction", r.instruction},
      {"path", r.path},
      {"language", r.language},
      {"range", {{"start_line", r.start_line}, {"end_line", r.end_line}, {"start_byte", r.start_byte}, {"end_byte", r.end_byte}}},
      {"code", {{"start_line", r.code_start_line}, {"text", r.code}}},
      {"test_command", r.test_command},
      {"may_modify", r.may_modify},
      {"may_add", r.may_add},
  };
  if (!r.offer.empty()) j["offer"] = r.offer;
  // Invalid UTF-8 in the code (a Latin-1 file) is replaced rather than refused.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::map<std::string, std::optional<std::string>> passed_environment(const std::vector<std::string>& pass_env) {
  std::map<std::string, std::optional<std::string>> env;
  for (const auto& name : pass_env)
    if (const char* value = std::getenv(name.c_str())) env[name] = std::string(value);
  return env;
}

std::optional<Refusal> check_scope(const Request& request, const std::vector<Touched>& touched) {
  if (touched.empty()) return Refusal{core::Outcome::no_change, "the generator changed nothing"};
  int added = 0;
  for (const auto& t : touched) {
    if (t.kind == Touched::Kind::deleted) return Refusal{core::Outcome::destructive, "the generator deleted " + t.path};
    if (t.kind == Touched::Kind::other || t.mode == 0120000 || t.mode == 0160000)
      return Refusal{core::Outcome::destructive, "the generator turned " + t.path + " into something other than a file"};
    if (t.kind == Touched::Kind::added) {
      const bool admitted = core::is_contained_path(t.path) && core::glob_any(request.may_add, t.path);
      if (!admitted || ++added > 1) {
        std::string may = request.may_add.empty() ? "it may add no file"
                                                  : "it may add one new file under " + quoted_list(request.may_add);
        return Refusal{core::Outcome::destructive, "the generator added " + t.path + ", which it was not asked for (" + may + ")"};
      }
      continue;
    }
    // An instruction that named no path leaves every tracked file to the generator.
    if (request.kind == "instruction" && request.may_modify.empty()) continue;
    const bool admitted = std::any_of(request.may_modify.begin(), request.may_modify.end(),
                                      [&](const std::string& allowed) { return admitted_by(allowed, t.path); });
    if (!admitted)
      return Refusal{core::Outcome::destructive, "the generator changed " + t.path + ", a file it was not given (it may change " +
                                        quoted_list(request.may_modify) + ")"};
  }
  return std::nullopt;
}

std::optional<Refusal> check_generated(const git::Repository& repo, const scan::Engine& engine,
                                       const core::Config& config, const std::string& tip,
                                       const std::vector<GeneratedFile>& files, int& lines_changed,
                                       const NativeGate& native, std::vector<std::string>* gates) {
  lines_changed = 0;
  const int cap = config.safety_settings.max_change_size;
  for (const auto& f : files) {
    auto now = repo.entry_at(tip, f.path);
    if (f.before_blob.empty() ? now.has_value() : (!now || now->blob != f.before_blob))
      return Refusal{core::Outcome::conflict, f.path + " changed since the generator ran"};
    const std::string before = f.before_blob.empty() ? std::string() : repo.read_blob(f.before_blob);
    if (before == f.content) continue;
    GateResult gate = check_change(before, f.content, 0, static_cast<uint32_t>(before.size()), cap);
    lines_changed += gate.lines_changed;
    // A new file has no line endings of its own to keep.
    if (!gate.ok) return Refusal{gate.outcome, f.path + ": " + gate.detail};
    if (lines_changed > cap)
      return Refusal{core::Outcome::too_large, std::to_string(lines_changed) + " changed lines (safety_settings.max_change_size " +
                                      std::to_string(cap) + ")"};
    const scan::LanguageProfile* language = scan::language_at(repo, tip, f.path, f.content);
    if (!language) continue;
    const int errors_before = f.before_blob.empty() ? 0 : engine.syntax_errors(*language, before);
    const int errors_after = engine.syntax_errors(*language, f.content);
    if (errors_after > errors_before)
      return Refusal{core::Outcome::reparse_error, f.path + " has " + std::to_string(errors_after) + " syntax errors after the change (was " +
                                          std::to_string(errors_before) + ")"};
    if (!f.before_blob.empty()) {
      // No function, method, class or other named declaration removed (fix/destructive.hpp), as for any fix.
      GateResult kept = check_declarations(*language, before, f.content);
      if (!kept.ok) return Refusal{kept.outcome, f.path + ": " + kept.detail};
    }
    if (native.checker) {
      NativeVerdict v = native.checker->compare(std::string(language->name), f.path, before, f.content, native.read_repo_file);
      if (v.ran && !v.ok) return Refusal{core::Outcome::check_failed, f.path + ": " + v.detail()};
      if (v.ran && gates && std::find(gates->begin(), gates->end(), v.gate_name()) == gates->end())
        gates->push_back(v.gate_name());
    }
  }
  return std::nullopt;
}

Generated run_generator(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir,
                        const git::Repository& repo, const std::string& commit, const core::FixerConfig& fixer,
                        const Request& request, const std::vector<std::string>& pass_env) {
  Generated out;
  auto refuse = [&](core::Outcome outcome, const std::string& detail) {
    out.refused = Refusal{outcome, detail};
    out.files.clear();
    return out;
  };
  const std::filesystem::path root = core::Layout(data_dir).worktrees();
  const std::filesystem::path dir = root / ("gen-" + std::to_string(::getpid()) + "-" + commit.substr(0, 12));
  // A private worktree is made inside the data dir, never through a symlink out of it.
  if (!core::is_inside(data_dir, dir)) return refuse(core::Outcome::no_fix, dir.string() + " leaves " + data_dir.string());
  std::filesystem::create_directories(root);
  auto add = core::run_process({"git", "worktree", "add", "--detach", "--force", "--quiet", dir.string(), commit},
                               git_options(repo_dir));
  if (!add.ok()) return refuse(core::Outcome::no_fix, "cannot create a private worktree: " + add.err.substr(0, 300));
  struct Cleanup {
    const std::filesystem::path& repo_dir;
    const std::filesystem::path& root;
    const std::filesystem::path& dir;
    ~Cleanup() {
      try {
        core::run_process({"git", "worktree", "remove", "--force", dir.string()}, git_options(repo_dir));
        core::remove_all_inside(root, dir);
      } catch (...) {
        // Left for prune_worktrees at the next drain.
      }
    }
  } cleanup{repo_dir, root, dir};

  std::vector<std::string> argv = fixer.command;
  argv.insert(argv.end(), request.arguments.begin(), request.arguments.end());
  core::ProcessOptions o;
  o.cwd = dir;
  o.scrub_env = true;
  o.env = passed_environment(pass_env);
  o.env["AUTOLOOP_INSTRUCTION"] = request.instruction;
  o.env["AUTOLOOP_REQUEST_KIND"] = request.kind;
  o.input = (request.kind == "finding" ? to_json(request) : request.instruction) + "\n";
  o.timeout = std::chrono::seconds(fixer.timeout);
  core::ProcessResult r;
  try {
    r = core::run_process(argv, o);
  } catch (const core::Error& e) {
    return refuse(core::Outcome::no_fix, std::string("the generator could not start: ") + e.what());
  }
  if (!r.ok())
    return refuse(core::Outcome::no_fix, r.timed_out ? "the generator timed out after " + std::to_string(fixer.timeout) + " s"
                                        : "the generator exited " + std::to_string(r.exit_code) + ": " + r.err.substr(0, 300));
  // What it changed, as git sees it (ignored files are not part of a change): staged into the private
  // worktree's index, whose objects land in the repository's object database, read from there by id.
  auto staged = core::run_process({"git", "add", "-A", "--", "."}, git_options(dir));
  if (!staged.ok()) return refuse(core::Outcome::no_fix, "cannot collect the generator's changes: " + staged.err.substr(0, 300));
  auto diff = core::run_process({"git", "diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev", "HEAD"},
                                git_options(dir));
  if (!diff.ok()) return refuse(core::Outcome::no_fix, "cannot collect the generator's changes: " + diff.err.substr(0, 300));
  // Records: ":<old mode> <new mode> <old id> <new id> <status>\0<path>\0".
  struct Raw {
    Touched touched;
    std::string old_blob, new_blob;
  };
  std::vector<Raw> raws;
  for (size_t at = 0; at < diff.out.size();) {
    size_t meta_end = diff.out.find('\0', at);
    if (meta_end == std::string::npos) break;
    size_t path_end = diff.out.find('\0', meta_end + 1);
    if (path_end == std::string::npos) break;
    const std::string meta = diff.out.substr(at, meta_end - at);
    Raw raw;
    raw.touched.path = diff.out.substr(meta_end + 1, path_end - meta_end - 1);
    at = path_end + 1;
    char old_mode[16] = {}, new_mode[16] = {}, old_id[72] = {}, new_id[72] = {}, status[8] = {};
    if (std::sscanf(meta.c_str(), ":%15s %15s %71s %71s %7s", old_mode, new_mode, old_id, new_id, status) != 5)
      return refuse(core::Outcome::no_fix, "cannot read git's report of the generator's changes");
    raw.touched.mode = static_cast<unsigned>(std::strtoul(new_mode, nullptr, 8));
    switch (status[0]) {
    case 'M': raw.touched.kind = Touched::Kind::modified; break;
    case 'A': raw.touched.kind = Touched::Kind::added; break;
    case 'D': raw.touched.kind = Touched::Kind::deleted; break;
    default: raw.touched.kind = Touched::Kind::other; break;
    }
    raw.old_blob = old_id;
    raw.new_blob = new_id;
    raws.push_back(std::move(raw));
  }
  std::vector<Touched> touched;
  for (const auto& raw : raws) touched.push_back(raw.touched);
  if (auto refusal = check_scope(request, touched)) return refuse(refusal->outcome, refusal->detail);
  for (const auto& raw : raws) {
    if (repo.blob_size(raw.new_blob) > k_max_generated_bytes)
      return refuse(core::Outcome::too_large, raw.touched.path + " is larger than " + core::describe_size(k_max_generated_bytes));
    GeneratedFile f;
    f.path = raw.touched.path;
    f.before_blob = raw.touched.kind == Touched::Kind::added ? "" : raw.old_blob;
    f.mode = raw.touched.mode == 0100755 ? 0100755u : 0100644u;
    f.content = repo.read_blob(raw.new_blob);
    out.files.push_back(std::move(f));
  }
  return out;
}

const core::FixerConfig* generator_for(const core::Config& config, const Place& place, const queue::Opportunity& o,
                                       Refusal& why) {
  const bool improve = is_improve_request(o);
  const std::string name = improve ? o.rule_id.substr(std::string(k_improve_prefix).size()) : config.generator.fixer;
  auto fixer = std::find_if(config.fixers.begin(), config.fixers.end(),
                            [&](const core::FixerConfig& f) { return f.name == name; });
  if (name.empty() || fixer == config.fixers.end()) {
    why = {core::Outcome::no_fix, "no fixer named '" + name + "' in the configuration" + (improve ? "" : " (generator.fixer)")};
    return nullptr;
  }
  // The command runs only when neither it nor the choice to offer findings to it is an untrusted
  // repository's.
  for (const char* key : {"fixers", "generator.fixer"}) {
    if (improve && std::string(key) == "generator.fixer") continue;
    if (!safety::command_trusted(config, key, place.repo_config, place.trust_file)) {
      why = {core::Outcome::untrusted, std::string(key) + " in .autoloop.yml is not trusted: run `git autoloop trust`"};
      return nullptr;
    }
  }
  return &*fixer;
}

Applied apply_generated(const git::Repository& repo, const scan::Engine& engine, const core::Config& config,
                        const Place& place, const std::string& tip, const queue::Opportunity& o,
                        const scan::Rule* rule, std::vector<GeneratedFile>& files, const std::string& validated,
                        const NativeGate& native) {
  Applied a;
  const bool improve = is_improve_request(o);
  const std::string name = improve ? o.rule_id.substr(std::string(k_improve_prefix).size()) : config.generator.fixer;
  if (files.empty()) {
    Refusal why;
    const core::FixerConfig* fixer = generator_for(config, place, o, why);
    if (!fixer) {
      a.refused = why;
      return a;
    }
    if (!improve && !fixer->languages.empty()) {
      const scan::LanguageProfile* language = scan::language_for_path(o.path);
      if (!language || std::find(fixer->languages.begin(), fixer->languages.end(), std::string(language->name)) ==
                           fixer->languages.end()) {
        a.refused = Refusal{core::Outcome::no_fix, "the generator " + name + " does not take " + o.path + " (its languages)"};
        return a;
      }
    }
    const Request request = improve ? instruction_request(o) : finding_request(repo, config, tip, o, rule);
    Generated run = run_generator(place.repo_dir, place.data_dir, repo, tip, *fixer, request, config.generator.pass_env);
    if (run.refused) {
      a.refused = run.refused;
      return a;
    }
    files = std::move(run.files);
  }
  if (auto refusal = check_generated(repo, engine, config, tip, files, a.lines_changed, native, &a.gates)) {
    a.refused = refusal;
    return a;
  }
  std::vector<git::Entry> updates;
  std::string paths;
  for (const auto& f : files) {
    updates.push_back({f.path, repo.write_blob(f.content), f.mode});
    paths += (paths.empty() ? "" : ", ") + f.path + (f.before_blob.empty() ? " (new)" : "");
  }
  a.risk = risk_estimate(a.lines_changed, 0, 0, core::Safety::unsafe);
  const std::string lines = std::to_string(a.lines_changed) + " changed line" + (a.lines_changed == 1 ? "" : "s");
  std::string message;
  if (improve) {
    message = "autoloop(" + o.rule_id + "): " + o.message.substr(0, 80) + "\n\nWhat: " + paths + " (" + lines +
              "), by the external fixer " + name + ".\nWhy: asked for with `git autoloop improve`: " + o.message + "\n";
  } else {
    const std::string subject = fix_subject(o.rule_id, o.message);
    const std::string why = rule && !rule->description.empty() ? rule->description : o.message;
    message = subject + "\n\nWhat: " + paths + " (" + lines + "), by the generator " + name + " for " + o.path + ":" +
              std::to_string(o.start_line) + ".\nWhy: " + why + "\n";
  }
  Trailers t;
  t.rule = o.rule_id;
  if (rule) t.rule_source = scan::describe_origin(*rule);
  t.opportunity = o.id;
  t.fingerprint = o.fingerprint;
  t.generator = name;
  t.validated = validated_with_gates(validated, a.gates);
  message += format_trailers(t);
  git::Signature who{config.identity.name, config.identity.email};
  a.commit = repo.create_commit(repo.tree_with_files(tip, updates), {tip}, who, who, message);
  return a;
}

} // namespace fix
