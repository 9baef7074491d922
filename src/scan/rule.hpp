#pragma once
// A rule is data (docs/ARCHITECTURE.md §5): YAML with a tree-sitter query, an optional named check, a fix
// template and its own valid/invalid/fixed cases. Built-in rules are compiled into the binary;
// a repository adds rules in `.autoloop/rules/`, in a namespace of their own (`repo:<id>`), and the
// user's own local rules add to or override the built-ins by id.

#include "core/kinds.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace scan {

// One byte-range edit on a capture. `with` is literal text with {{capture}} placeholders, or a map
// from the captured text to its replacement.
// Placeholders may name a capture that a pattern leaves out as {{name?}} (empty then) and pass the
// text through a filter, {{name|filter}} (fix/template.hpp lists them); a filter that does not
// apply to the captured text means no fix for that finding.
struct FixEdit {
  // remove_item: a capture that is one element of a comma-separated list (an argument, a keyword
  // argument), taken out with one of the commas around it. indent: a capture of whole lines, each
  // line that is not blank indented one level more (a tab where it is indented with tabs, else four
  // spaces): a body moved into a new block.
  enum class Op { replace, remove, insert_before, insert_after, remove_item, indent };
  Op op = Op::replace;
  std::string capture;                       // without '@'
  std::string text;                          // template (replace/insert)
  std::map<std::string, std::string> map;    // replace by lookup when non-empty; its values are templates
  // Conditions on the match (without '@'): the edit is made only when capture `when` is present and
  // `unless` is absent. A query whose alternatives capture different names picks its edits this way
  // (`s == "x"` -> `"x".equals(s)`, `s != "x"` -> `!"x".equals(s)`). A fix needs one edit that is made.
  std::string when{}, unless{};
  std::string key{};                         // template looked up in `map` (default: the captured text)
};

struct RuleCases {
  std::vector<std::string> valid;            // must not match
  std::vector<std::string> invalid;          // must match at least once
  // The path each valid/invalid case is scanned as ("" for the default `case.<ext>`): a case written
  // `{path: tests/test_x.py, code: "..."}` puts its code in that path's contexts (scan/code_context.hpp).
  std::vector<std::string> valid_paths, invalid_paths;
  std::vector<std::string> fixed;            // fixed[i] = invalid[i] with the fix applied
  std::vector<std::string> suggested;        // must match, and only as suggestions: the fix's assumption is
                                             // not established there, so it is never applied
  std::vector<std::string> refused;          // code of the shape the rule rewrites where the rewrite would change
                                             // meaning: no finding of it may be fixed (none, or suggestions only)
};

// A scope-sensitive rule proves its refusals with at least this many tests.suggested + tests.refused cases.
inline constexpr size_t k_min_scope_corpus = 15;

// What a rule's fix takes for granted about types (issue 11: `for k in E.keys()` -> `for k in E` is the
// same only for real dicts). A finding keeps the rule's safety only where the named analysis
// (scan/assumptions.hpp) establishes the assumption from the code; elsewhere it is a suggestion.
struct Assumption {
  std::string text;                          // one line, may use {{capture}}: "`{{obj}}` is a real dict"
  std::string established_by;                // an analysis of scan/assumptions.hpp
  std::string subject;                       // the capture it looks at (without '@')
};

// Where a rule comes from. It decides whether its fixes may apply (docs/ARCHITECTURE.md §6: rules are code):
// built-in and local rules are the user's; a repository's rules apply fixes only while `git autoloop
// trust` covers the content of their directory.
enum class RuleOrigin { builtin, repository, local };

// "builtin", "repository" or "local".
const char* to_string(RuleOrigin origin);

// Every repository rule's id starts with this: a repository's rule never stands in for a built-in or
// a local rule of the same name (its findings, fixes and verdicts are its own).
inline constexpr const char* k_repository_prefix = "repo:";

struct Rule {
  std::string id;                            // "python/compare-to-none"
  std::vector<std::string> languages;        // language names (scan::languages())
  core::Category category = core::Category::code_quality;
  std::string severity;                      // info | warning | error
  core::Safety safety = core::Safety::suggest;
  // A fix that needs no judgement (safe, the same rewrite wherever it applies): the drain may apply
  // many of its findings as one commit per file or directory (`drain --sweep`, fix/sweep.hpp).
  bool mechanical = false;
  // The fix changes declarations or bindings, or moves code where names resolve differently: whether it
  // is right depends on scope (shadowing, rebinding, closures, the name used as something else), so the
  // rule's tests must show it refusing (README: Fixes that assume a type (or a scope)).
  bool scope_sensitive = false;
  std::string message;                       // may use {{capture}}
  std::string description;                   // why it matters (for `rules --explain`)
  std::string query;                         // tree-sitter query; @match is the reported node
  std::string check;                         // named check from the registry, or empty
  // Python: the qualified names (`yaml.load`) a match's @callee must stand for through the file's
  // imports (scan/python_imports.hpp); a match without @callee is not filtered. Empty: no filter.
  std::vector<std::string> calls;
  std::vector<FixEdit> fix;
  std::optional<Assumption> assumption;      // none: the fix holds whatever the types
  RuleCases tests;
  std::string source;                        // file it came from ("builtin:config/rules/..." or a path)
  int query_line = 1;                        // line in `source` where the query text starts
  int query_column = 1;
  bool enabled = true;
  // Why the rule cannot run (its file or its query is malformed): it is off whatever the configuration
  // says, and `rules`, `rules --test` and `scan` say why; the other rules run.
  std::string broken{};
  RuleOrigin origin = RuleOrigin::builtin;
  std::string file;                          // the rule file as people know it: the resource name (builtin),
                                             // relative to the work tree (repository), absolute (local)
  bool trusted = true;                       // false: a repository rule whose directory's content `git
                                             // autoloop trust` does not cover; scanned, never fixed
  // Contexts (scan/code_context.hpp's ContextSet bits) where the rule is not reported: `not_in:` of its
  // file, then `rules.contexts` of the configuration; `declared_not_in` stays the file's (its cases test it).
  unsigned not_in = 0;
  unsigned declared_not_in = 0;
  std::string not_in_note;                   // where a changed not_in comes from, or why a change was refused
  // The same check in the field's linters, by tool (k_linter_tools): {"eslint": {"no-var"}, "biome":
  // {"style/noVar"}}. The project's own configuration of those tools may turn ours off
  // (scan/project_linters.hpp); the precision benchmark runs the peer rule on the same code.
  std::map<std::string, std::vector<std::string>> equivalents;
  std::string off_reason;                    // why a rule is off by someone else's choice ("the project's
                                             // .eslintrc.json turns off no-var (line 3)"); not cached
};

// The tools an `equivalents` entry may name: eslint rule ids (plugin rules with their prefix,
// "@typescript-eslint/no-explicit-any"), biome "<group>/<rule>", ruff codes (also flake8's, which
// share them: "E711", "B006", "S307"), clang-tidy check names.
inline constexpr const char* k_linter_tools[] = {"eslint", "biome", "ruff", "clang-tidy"};

// How a commit trailer and `review` name a rule's origin: "builtin", "repository (<file>)", "local (<file>)".
std::string describe_origin(const Rule& rule);

// One file of a rules directory, as read once: the parse and the trust digest see the same bytes.
struct RuleFile {
  std::filesystem::path path;                // as found (dir / relative)
  std::string relative;                      // below the directory, '/'-separated
  std::string text;
};

// Parses one rule file's text. `source` names it in errors. `query_file_text` is the content of a
// sibling `.scm` file, if any. Throws core::LocatedError (file:line:column) on malformed YAML,
// unknown keys, wrong types, unknown languages, categories, severities, safeties or checks.
Rule parse_rule(const std::string& text, const std::string& source,
                const std::optional<std::string>& query_file_text = std::nullopt);

// The rules compiled into the binary. Throws core::LocatedError if one is malformed (a build bug).
std::vector<Rule> builtin_rules();

// Every `*.yml` and `*.scm` file under `dir` (recursively; symlinked directories are not followed),
// sorted by relative path. A missing directory has none. With a `confine_root` (the work tree, for the
// repository's rules), `dir` and every file must resolve inside it. Files are read as untrusted data
// (core::read_untrusted_file): regular files only, capped in size, count and total (core/limits.hpp).
// Throws core::LocatedError for any of these refusals (naming the file or directory), core::Error when
// the directory cannot be read.
std::vector<RuleFile> read_rules_dir(const std::filesystem::path& dir, const std::filesystem::path& confine_root = {});

// The rules of `files` (each `*.yml`, with its sibling `.scm` as the query when it has none), in
// path order, marked with `origin`; a repository rule's id gets k_repository_prefix (an id written
// with it already keeps one). Throws core::LocatedError (a local rule may not use the prefix).
std::vector<Rule> parse_rule_files(const std::vector<RuleFile>& files, RuleOrigin origin);

// parse_rule_files(read_rules_dir(dir, confine_root), origin). Throws core::LocatedError.
std::vector<Rule> load_rules_dir(const std::filesystem::path& dir, RuleOrigin origin = RuleOrigin::local,
                                 const std::filesystem::path& confine_root = {});

// Built-in rules overlaid with `extra` (same id replaces: only a local rule can share a built-in's
// id, repository ids are prefixed), then `disable`/`enable`/severity overrides from the config applied.
std::vector<Rule> merge_rules(std::vector<Rule> builtin, const std::vector<Rule>& extra,
                              const std::vector<std::string>& disable, const std::vector<std::string>& enable,
                              const std::map<std::string, std::string>& severity);

// Names of the checks the registry knows (for validation and `rules --explain`).
const std::vector<std::string>& known_checks();

// The captures check `name` adds to a finding besides the query's (byte ranges it computes from the
// tree, for fix templates: `typedef-alias` gives a typedef's type-id around its name). Empty for most.
const std::vector<std::string>& check_captures(const std::string& name);

} // namespace scan
