#pragma once
// The project's own choices (issue 12 item 4): when the repository's linter configuration turns off
// the equivalent of one of our rules (the rule's `equivalents:` map, scan/rule.hpp), ours is off too,
// with the reason in `status`, `rules` and `rules --explain`. `rules.follow_project_linters: false`
// ignores these files; a rule in `rules.enable` stays on whatever they say.
//
// Which files: at the root of the commit (HEAD for the rule set of a process), read from its tree like
// .gitattributes (scan/provenance.hpp): only blobs of at most k_max_linter_config_bytes, symlinks not
// followed, nothing the repository names runs. Configs in subdirectories, `extends`/`extend` chains,
// shared configs and plugins are not followed: only explicit offs in the files themselves count.
//  - ESLint: the first of eslint.config.{js,mjs,cjs,ts,mts,cts} (flat config, preferred as ESLint 9
//    does); else the first of .eslintrc.{js,cjs,yaml,yml,json}, .eslintrc (JSON or YAML), package.json
//    "eslintConfig" (ESLint's own order). A rule is off when its value is "off", 0, ["off", ...] or
//    [0, ...] in the top-level `rules`; "warn"/"error"/1/2 turn it on. `overrides` (eslintrc) and flat
//    config objects with `files` apply to some files only: not followed (one note says so), as are
//    `ignores`. JavaScript configs are never run: a bounded linear tokenizer reads the object literals
//    in the text (strings, comments, templates and regex literals skipped) and takes `rules: {...}`
//    entries whose key and value are literals; computed values, spreads and imported configs are not
//    seen. The object that holds `rules` must not hold `files` to count.
//  - Biome: biome.json, else biome.jsonc (comments and trailing commas allowed). A rule is off when
//    linter.rules.<group>.<rule> is "off" or {"level": "off"}; a group is off when it is "off" or
//    has `"all": false` (Biome 1). `recommended: false`, `linter.enabled: false` and `overrides` turn
//    nothing off by themselves (they reset or scope the set; see "selections" below).
//  - Ruff: .ruff.toml, else ruff.toml, else pyproject.toml with a [tool.ruff] table. `ignore` and
//    `extend-ignore` (top level or under `lint`) turn codes off by prefix (`E7` covers E711, `ALL` is
//    a reset); `select`/`extend-select` turn them on. As ruff resolves them: the most specific
//    matching prefix wins, and at equal length ignore wins. `per-file-ignores` is not followed.
//  - flake8: .flake8, else setup.cfg or tox.ini with a [flake8] section: `ignore`/`extend-ignore`
//    codes and prefixes (off), `select`/`extend-select` (on). Codes are ruff's (`equivalents: ruff`),
//    which flake8 and its plugins (bugbear, bandit, simplify) share.
//  - clang-tidy: .clang-tidy `Checks` (a string, or a list): globs in order, the last matching one
//    decides; `-check` or `-group-*` turns off, `check`/`*` turns on. The bare `-*` is a reset that
//    precedes a selection: it turns nothing off by itself.
// Selections are not offs: ruff's `select` without our code, clang-tidy's `-*,bugprone-*`, Biome's
// `recommended: false` say which of that tool's checks run, not that the project does not want the
// finding; counting them would silence most of our rules in every project that runs a few checks
// (ruff's default selection has no B or S codes). Only a rule or group named as off counts.
// An option can allow what one of our rules reports while the rule stays on: ESLint's `eqeqeq` with
// "smart" allows `typeof` comparisons, so javascript/eqeqeq-typeof is off (k_option_offs lists these).
// A tool turns one of our rules off when at least one of its equivalents there is off and none is
// on; our rule is off when some tool turns it off and no tool has an equivalent on (linters that
// disagree keep it on). Malformed, oversized or unreadable files are ignored, with the reason
// shown by `status` and `doctor`.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace git {
class Repository;
}

namespace scan {

struct Rule;

inline constexpr size_t k_max_linter_config_bytes = size_t{1} << 20;
inline constexpr size_t k_max_linter_config_depth = 64;   // nesting of objects and arrays
inline constexpr size_t k_max_linter_settings = 5000;     // entries kept per file
inline constexpr size_t k_max_linter_yaml_nodes = 200000; // values in a JSON or YAML file (YAML aliases expanded)

// One entry of a linter's configuration about a rule, a group or a prefix, as written.
struct LinterSetting {
  std::string pattern;   // eslint "no-var"; biome "style/noVar" or "style/*" (a group); ruff/flake8 a
                         // code or prefix ("E7", "ALL"); clang-tidy a glob without its '-' ("modernize-*")
  bool on = false;
  int line = 0;          // 1-based line in the file
  std::string option;    // eslint: the first option when it is a string (`eqeqeq: ["error", "smart"]`)
};

// One configuration file of the project's linters, as understood.
struct LinterConfig {
  std::string tool;                     // eslint | biome | ruff | flake8 | clang-tidy
  std::string file;                     // path in the repository (".eslintrc.json")
  std::vector<LinterSetting> settings;  // in file order
  std::vector<std::string> notes;       // parts not followed ("overrides: per-file settings are not followed")
  std::string error;                    // not empty: the file was not understood and is ignored ("line 3: ...")
};

// The parsers: text in, settings out. None throws; malformed text sets `error`.
LinterConfig parse_eslint_json(std::string_view text, const std::string& file);   // .eslintrc.json, .eslintrc
LinterConfig parse_eslint_package_json(std::string_view text, const std::string& file); // "eslintConfig"
LinterConfig parse_eslint_yaml(std::string_view text, const std::string& file);   // .eslintrc.y(a)ml, .eslintrc
LinterConfig parse_eslint_js(std::string_view text, const std::string& file);     // eslint.config.*, .eslintrc.js
LinterConfig parse_biome(std::string_view text, const std::string& file);
LinterConfig parse_ruff(std::string_view text, const std::string& file);          // ruff.toml, pyproject.toml
LinterConfig parse_flake8(std::string_view text, const std::string& file);        // .flake8, setup.cfg, tox.ini
LinterConfig parse_clang_tidy(std::string_view text, const std::string& file);

// Which equivalents list a config's tool reads: flake8 shares ruff's codes.
std::string equivalents_tool(const std::string& tool);

// The setting that decides `peer` (one rule id of the tool) in `config`, by the tool's semantics
// above; nullopt when the file says nothing about it.
std::optional<LinterSetting> decide(const LinterConfig& config, const std::string& peer);

// Why the project's linters turn a rule off.
struct ProjectOff {
  std::string tool, file, peer, pattern;
  int line = 0;
  std::string option;   // set when an option of an enabled peer allows it (k_option_offs)
  // "the project's .eslintrc.json turns off no-var (line 3)"
  std::string describe() const;
};

struct ProjectLinters {
  std::vector<LinterConfig> configs;   // those found, in the order above, understood or not
  // Why `rule` is off by the project's choice, or nullopt (no equivalent off, or one on).
  std::optional<ProjectOff> turns_off(const Rule& rule) const;
  // One line per file that is ignored or partly followed, for `status` and `doctor`.
  std::vector<std::string> problems() const;
};

// Reads one root file: its text, nullopt when there is none; sets `*error` (and returns nullopt) when
// it exists but is not read (too large, a symlink, not a regular file).
using ReadRootFile = std::function<std::optional<std::string>(const std::string& path, std::string* error)>;

// Finds and parses the configuration files through `read`.
ProjectLinters read_project_linters(const ReadRootFile& read);

// The same on the tree of `commit` (an empty commit or a repository without one: none). Never throws
// for the repository's content; git errors propagate.
ProjectLinters read_project_linters(const git::Repository& repo, const std::string& commit);

// Turns off each enabled rule the project's linters turn off, unless `enable` names it, and says why
// in the rule's `off_reason`.
void apply_project_linters(std::vector<Rule>& rules, const ProjectLinters& linters, const std::vector<std::string>& enable);

} // namespace scan
