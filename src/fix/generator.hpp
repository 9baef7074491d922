#pragma once
// Generators: any program (an LLM command line included) configured as a fixer, asked for what no fix
// template can do. Two kinds of request reach one:
//  - an instruction (`git autoloop improve "<what>" [PATH...]`): the instruction on stdin, the paths as
//    arguments; it may modify those paths (any tracked file when none were given);
//  - a finding the rules can only suggest (generator.fixer, generator.offer): an untested function, a
//    complexity regression, a security finding without a fix. The request is one JSON object on stdin
//    (to_json below: rule, message, explanation, path, range, the code around it, the test command,
//    what it may write), the finding's path the one argument. It may modify only the finding's file
//    and, for an untested function, add one new file under scan.test_paths.
// Either way it runs in a private worktree at the side branch's tip with the scrubbed environment plus
// generator.pass_env (the user's own layers only), and its result passes the gates of any fix (scope,
// size, line endings, re-parse, no function removed; then the tests) as one commit per request.

#include "core/config.hpp"
#include "fix/native_check.hpp"
#include "git/repo.hpp"
#include "queue/store.hpp"
#include "scan/engine.hpp"
#include "scan/rule.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fix {

// The rule id of an `improve` request is this prefix and its fixer's name ("improve/<fixer>"): how the
// queue, review and commit subjects name it. What it is, its origin says.
inline constexpr const char* k_improve_prefix = "improve/";

// Whether `o` is an `improve` request (its origin is core::Origin::generator_request).
bool is_improve_request(const queue::Opportunity& o);

// Which generator.offer kind the finding `o` (of `rule`, null for the loop's own complexity
// regressions or an unknown rule) is: "untested", "complexity", "security", "suggestions", or "" when
// it is nothing a generator is offered (a rule with a fix template that applies, a rule that is off or
// untrusted, an `improve` request). Does not throw.
std::string offer_kind(const queue::Opportunity& o, const scan::Rule* rule);

// Whether `config` offers the finding `o` to its generator (generator.fixer set, its kind in
// generator.offer). Does not throw.
bool offered(const core::Config& config, const queue::Opportunity& o, const scan::Rule* rule);

// What a generator is asked for.
struct Request {
  std::string kind;                    // "finding" or "instruction"
  std::string offer;                   // the finding's offer kind ("untested", ...); empty for instructions
  std::string rule, category, severity, message, explanation, instruction;
  std::string path, language;          // the finding's file (findings)
  int start_line = 0, end_line = 0;
  int64_t start_byte = 0, end_byte = 0;
  int code_start_line = 0;             // first line of `code`
  std::string code;                    // the lines around the finding, capped
  std::string test_command;
  std::vector<std::string> arguments;  // appended to the command (the paths)
  // Files it may modify (a directory admits every file below it); empty with an instruction that
  // named no path: any tracked file.
  std::vector<std::string> may_modify;
  std::vector<std::string> may_add;    // globs under which it may add one new file (untested: scan.test_paths)
};

// The request for the finding `o` as the file is at `commit`. Throws git::Error when the repository
// cannot be read.
Request finding_request(const git::Repository& repo, const core::Config& config, const std::string& commit,
                        const queue::Opportunity& o, const scan::Rule* rule);

// The request of an `improve` opportunity (its snippet lists the paths, one a line).
Request instruction_request(const queue::Opportunity& o);

// The JSON object a finding request sends on stdin (one line). Does not throw.
std::string to_json(const Request& request);

// The variables of `pass_env` that are set in this process's environment, for a generator's command.
std::map<std::string, std::optional<std::string>> passed_environment(const std::vector<std::string>& pass_env);

// A file a generator wrote: modified (before_blob its blob at the commit it ran at) or added (empty).
struct GeneratedFile {
  std::string path;
  std::string before_blob;
  unsigned mode = 0100644;
  std::string content;
};

// A gate's refusal: the attempt's outcome and the reason shown by `queue` and `review`.
struct Refusal {
  core::Outcome outcome = core::Outcome::no_fix;
  std::string detail;
};

struct Generated {
  std::optional<Refusal> refused;      // set when the run yields nothing to commit
  std::vector<GeneratedFile> files;
};

// Runs `fixer` for `request` in a private worktree (under data_dir's worktrees/) at `commit`: argv
// (never a shell) is the fixer's command plus request.arguments; stdin is the JSON request (findings)
// or the instruction; AUTOLOOP_INSTRUCTION holds the instruction; the environment is scrubbed but for
// `pass_env`. Collects what it changed (added, modified, deleted or retyped files), refused by
// check_scope before anything is read. Does not throw for the command's failures (they are refusals).
Generated run_generator(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir,
                        const git::Repository& repo, const std::string& commit, const core::FixerConfig& fixer,
                        const Request& request, const std::vector<std::string>& pass_env);

// A change to one path in a generator's result, as git reported it.
struct Touched {
  enum class Kind { modified, added, deleted, other } kind = Kind::modified;
  std::string path;
  unsigned mode = 0100644;
};

// The scope gate: a generator writes only what it was given. Refused ("destructive"): a deleted file,
// a changed type or a symlink, a file outside `may_modify`, an added file unless `may_add` admits it
// (one at most), nothing changed at all ("no_change"). Does not throw.
std::optional<Refusal> check_scope(const Request& request, const std::vector<Touched>& touched);

// The cheap gates on a generator's files applied onto `tip` (each must be as it was when the generator
// ran): size (all files together within max_change_size), line endings, re-parse (a new file must parse
// without errors), no function removed. `lines_changed` gets the total. Throws git::Error when the
// repository cannot be read.
// The language's own check (fix/native_check.hpp) for each changed file, when a checker is given: a
// result that adds a diagnostic is refused as check_failed, the diagnostic kept in the detail. The
// checks that ran are added to `gates` when given ("native-check(python)", each name once).
struct NativeGate {
  NativeChecker* checker = nullptr;
  NativeChecker::RepoFileReader read_repo_file;
};

std::optional<Refusal> check_generated(const git::Repository& repo, const scan::Engine& engine,
                                       const core::Config& config, const std::string& tip,
                                       const std::vector<GeneratedFile>& files, int& lines_changed,
                                       const NativeGate& native = {}, std::vector<std::string>* gates = nullptr);

// Where generators run and what decides whether their commands may.
struct Place {
  std::filesystem::path repo_dir;                    // the work tree
  std::filesystem::path data_dir;                    // <git-common-dir>/autoloop
  std::optional<std::filesystem::path> repo_config;  // the tracked .autoloop.yml
  std::filesystem::path trust_file;
};

// The fixer that answers `o`: improve/<name>'s, else generator.fixer. nullptr with `why` set when there
// is none by that name ("no_fix") or its command comes from an untrusted .autoloop.yml ("untrusted").
const core::FixerConfig* generator_for(const core::Config& config, const Place& place, const queue::Opportunity& o,
                                       Refusal& why);

struct Applied {
  std::string commit;                  // the new tip; empty when refused
  std::optional<Refusal> refused;
  int lines_changed = 0;
  double risk = 0;
  std::vector<std::string> gates;      // the native checks its files passed ("native-check(python)")
};

// One generator fix on `tip`: runs the generator once (when `files` is empty, filling it; a fix carried
// over from an earlier cycle keeps its files), then check_generated, then one commit with the Autoloop-*
// trailers (`validated` the cycle's gates for Autoloop-Validated, the native checks that ran added). Throws git::Error when the repository cannot
// be read or written.
Applied apply_generated(const git::Repository& repo, const scan::Engine& engine, const core::Config& config,
                        const Place& place, const std::string& tip, const queue::Opportunity& o,
                        const scan::Rule* rule, std::vector<GeneratedFile>& files, const std::string& validated,
                        const NativeGate& native = {});

} // namespace fix
