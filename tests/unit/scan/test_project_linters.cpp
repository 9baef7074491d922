#include "scan/project_linters.hpp"

#include "scan/rule.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>

using scan::LinterConfig;
using scan::LinterSetting;

namespace {

// "off@3", "on@5", or "none": what `config` says about `peer`.
std::string verdict(const LinterConfig& config, const std::string& peer) {
  auto s = scan::decide(config, peer);
  if (!s) return "none";
  return std::string(s->on ? "on" : "off") + "@" + std::to_string(s->line);
}

scan::Rule rule_with(const std::string& id, std::map<std::string, std::vector<std::string>> equivalents) {
  scan::Rule r;
  r.id = id;
  r.equivalents = std::move(equivalents);
  return r;
}

// A reader over an in-memory tree of root files; "!name" entries are files that exist but are refused.
scan::ReadRootFile files(std::map<std::string, std::string> tree) {
  return [tree](const std::string& path, std::string* error) -> std::optional<std::string> {
    if (tree.count("!" + path)) {
      *error = tree.at("!" + path);
      return std::nullopt;
    }
    auto it = tree.find(path);
    if (it == tree.end()) return std::nullopt;
    return it->second;
  };
}

} // namespace

TEST_CASE("parse_eslint_json") {
  SECTION("off, 0, [\"off\"] and [0, ...] at the top level turn rules off; warn/error/1/2 on") {
    auto c = scan::parse_eslint_json("{\n"
                                     "  // comments are allowed, as ESLint allows them\n"
                                     "  \"rules\": {\n"
                                     "    \"no-var\": \"off\",\n"
                                     "    \"eqeqeq\": 0,\n"
                                     "    \"no-console\": [\"off\"],\n"
                                     "    \"no-eval\": [0, {\"x\": 1}],\n"
                                     "    \"no-debugger\": \"error\",\n"
                                     "    \"@typescript-eslint/no-explicit-any\": [\"warn\"],\n"
                                     "    \"no-new-func\": 2,\n"
                                     "  },\n"
                                     "}\n",
                                     ".eslintrc.json");
    REQUIRE(c.error.empty());
    CHECK(verdict(c, "no-var") == "off@4");
    CHECK(verdict(c, "eqeqeq") == "off@5");
    CHECK(verdict(c, "no-console") == "off@6");
    CHECK(verdict(c, "no-eval") == "off@7");
    CHECK(verdict(c, "no-debugger") == "on@8");
    CHECK(verdict(c, "@typescript-eslint/no-explicit-any") == "on@9");
    CHECK(verdict(c, "no-new-func") == "on@10");
    CHECK(verdict(c, "no-implied-eval") == "none");
  }
  SECTION("overrides and extends are not followed, and say so") {
    auto c = scan::parse_eslint_json(R"({"extends": "eslint:recommended", "rules": {"eqeqeq": "error"},
      "overrides": [{"files": ["test/**"], "rules": {"no-var": "off"}}]})",
                                     ".eslintrc");
    REQUIRE(c.error.empty());
    CHECK(verdict(c, "no-var") == "none");
    CHECK(c.notes.size() == 2);
  }
  SECTION("malformed JSON is an error with its line, never a throw") {
    auto c = scan::parse_eslint_json("{\n  \"rules\": {\n    \"no-var\" \"off\"\n  }\n}\n", ".eslintrc.json");
    CHECK_THAT(c.error, Catch::StartsWith("line 3:"));
    CHECK(verdict(c, "no-var") == "none");
    CHECK_FALSE(scan::parse_eslint_json("[1, 2]", "x").error.empty());
    CHECK_FALSE(scan::parse_eslint_json("{\"rules\": {\"a\": \"unterminated}}", "x").error.empty());
    CHECK_FALSE(scan::parse_eslint_json("", "x").error.empty());
  }
  SECTION("deep nesting is refused, not recursed into") {
    std::string deep(100000, '[');
    auto c = scan::parse_eslint_json("{\"rules\": " + deep, "x");
    CHECK_THAT(c.error, Catch::Contains("nested"));
    std::string wide = "{\"rules\": {\"no-var\": \"off\"}, \"x\": [";
    for (int i = 0; i < 300000; ++i) wide += "0,";
    CHECK_THAT(scan::parse_eslint_json(wide + "]}", "x").error, Catch::Contains("values"));
  }
}

TEST_CASE("parse_eslint_package_json") {
  auto c = scan::parse_eslint_package_json(R"({"name": "x", "eslintConfig": {"rules": {"no-var": 0}}})", "package.json");
  CHECK(verdict(c, "no-var") == "off@1");
  auto none = scan::parse_eslint_package_json(R"({"name": "x", "rules": {"no-var": 0}})", "package.json");
  CHECK(verdict(none, "no-var") == "none");
}

TEST_CASE("parse_eslint_yaml") {
  SECTION("block and flow styles, quoted or not") {
    auto c = scan::parse_eslint_yaml("env:\n  node: true\nrules:\n  no-var: off\n  eqeqeq: [0, smart]\n"
                                     "  'no-console': \"warn\"\n  no-eval: 2\n",
                                     ".eslintrc.yml");
    REQUIRE(c.error.empty());
    CHECK(verdict(c, "no-var") == "off@4");
    CHECK(verdict(c, "eqeqeq") == "off@5");
    CHECK(verdict(c, "no-console") == "on@6");
    CHECK(verdict(c, "no-eval") == "on@7");
  }
  SECTION("malformed YAML, deep flow nesting and alias bombs are errors") {
    CHECK_FALSE(scan::parse_eslint_yaml("rules: [a\n  b: c\n", "x").error.empty());
    CHECK_FALSE(scan::parse_eslint_yaml("rules: " + std::string(5000, '[') + std::string(5000, ']'), "x").error.empty());
    std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'h'; ++c)
      bomb += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
              char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + "]\n";
    CHECK_THAT(scan::parse_eslint_yaml(bomb, "x").error, Catch::Contains("values"));
  }
}

TEST_CASE("parse_eslint_js") {
  SECTION("a flat config: objects without `files` count, with `files` do not") {
    auto c = scan::parse_eslint_js("import js from '@eslint/js';\n"
                                   "const re = /rules: {'no-eval': 'off'}/g; // a regex is not a config\n"
                                   "export default [\n"
                                   "  js.configs.recommended,\n"
                                   "  {\n"
                                   "    rules: {\n"
                                   "      'no-var': 'off',\n"
                                   "      eqeqeq: [\"error\", \"always\"],\n"
                                   "      \"no-console\": 0,\n"
                                   "      'no-restricted-syntax': ['error', { selector: 'x', message: 'y' }],\n"
                                   "      /* 'no-debugger': 'off', */\n"
                                   "    },\n"
                                   "  },\n"
                                   "  {\n"
                                   "    rules: { 'no-new-func': 'off' },\n"
                                   "    files: ['test/**/*.js'],\n"
                                   "  },\n"
                                   "  { files: ['x.js'], rules: { 'no-implied-eval': 0 } },\n"
                                   "];\n",
                                   "eslint.config.js");
    REQUIRE(c.error.empty());
    CHECK(verdict(c, "no-var") == "off@7");
    CHECK(verdict(c, "eqeqeq") == "on@8");
    CHECK(verdict(c, "no-console") == "off@9");
    CHECK(verdict(c, "no-eval") == "none");
    CHECK(verdict(c, "no-debugger") == "none");
    CHECK(verdict(c, "no-new-func") == "none");
    CHECK(verdict(c, "no-implied-eval") == "none");
    CHECK(std::any_of(c.notes.begin(), c.notes.end(), [](const std::string& n) { return n.find("`files`") != std::string::npos; }));
  }
  SECTION("an .eslintrc.js: module.exports with overrides") {
    auto c = scan::parse_eslint_js("module.exports = {\n  rules: { \"no-var\": 0, quotes: ['error', `single`] },\n"
                                   "  overrides: [{ files: ['*.ts'], rules: { eqeqeq: 'off' } }],\n};\n",
                                   ".eslintrc.js");
    CHECK(verdict(c, "no-var") == "off@2");
    CHECK(verdict(c, "eqeqeq") == "none");
  }
  SECTION("strings and templates holding braces do not confuse the brackets") {
    auto c = scan::parse_eslint_js("const s = '{ rules: {';\nconst t = `}}} ${x} {`;\nexport default [{ rules: { 'no-var': 'off' } }];\n",
                                   "eslint.config.mjs");
    CHECK(verdict(c, "no-var") == "off@3");
  }
  SECTION("hostile text: deep nesting is refused, unterminated strings end the scan") {
    CHECK_THAT(scan::parse_eslint_js(std::string(100000, '{'), "x").error, Catch::Contains("nested"));
    auto c = scan::parse_eslint_js("export default [{ rules: { 'no-var': 'off', 'x': 'unterminated", "x");
    CHECK(c.error.empty());
    CHECK(verdict(c, "no-var") == "off@1");
  }
}

TEST_CASE("parse_biome") {
  SECTION("rule levels, {level: off}, groups off, comments and trailing commas (biome.jsonc)") {
    auto c = scan::parse_biome("{\n"
                               "  // Biome 1 and 2 spellings\n"
                               "  \"linter\": {\n"
                               "    \"rules\": {\n"
                               "      \"recommended\": true,\n"
                               "      \"style\": { \"noVar\": \"off\", },\n"
                               "      \"suspicious\": {\n"
                               "        \"noDoubleEquals\": { \"level\": \"off\", \"options\": {} },\n"
                               "        \"noConsole\": \"error\",\n"
                               "      },\n"
                               "      \"security\": { \"all\": false },\n"
                               "      \"complexity\": \"off\",\n"
                               "    },\n"
                               "  },\n"
                               "}\n",
                               "biome.jsonc");
    REQUIRE(c.error.empty());
    CHECK(verdict(c, "style/noVar") == "off@6");
    CHECK(verdict(c, "suspicious/noVar") == "off@6"); // the same rule after Biome 2 moved it
    CHECK(verdict(c, "suspicious/noDoubleEquals") == "off@8");
    CHECK(verdict(c, "suspicious/noConsole") == "on@9");
    CHECK(verdict(c, "security/noGlobalEval") == "off@11");
    CHECK(verdict(c, "complexity/noUselessThing") == "off@12");
    CHECK(verdict(c, "suspicious/noDebugger") == "none");
  }
  SECTION("a rule's own level wins over its group's") {
    auto c = scan::parse_biome(R"({"linter": {"rules": {"security": {"all": false, "noGlobalEval": "error"}}}})", "biome.json");
    CHECK(verdict(c, "security/noGlobalEval") == "on@1");
  }
  SECTION("recommended: false and a disabled linter turn nothing off") {
    auto c = scan::parse_biome(R"({"linter": {"enabled": false, "rules": {"recommended": false}}})", "biome.json");
    CHECK(c.settings.empty());
  }
  SECTION("malformed") { CHECK_FALSE(scan::parse_biome("{\"linter\": }", "biome.json").error.empty()); }
}

TEST_CASE("parse_ruff") {
  SECTION("pyproject.toml: [tool.ruff] and [tool.ruff.lint], prefixes, multi-line arrays with comments") {
    auto c = scan::parse_ruff("[project]\n"
                              "name = \"x\"\n"
                              "ignore = [\"E711\"]  # not ruff's\n"
                              "\n"
                              "[tool.ruff]\n"
                              "line-length = 100\n"
                              "extend-ignore = ['E72']\n"
                              "\n"
                              "[tool.ruff.lint]\n"
                              "select = [\"E\", \"F\", \"B\"]\n"
                              "ignore = [\n"
                              "    \"E711\",  # comparisons to None are fine here\n"
                              "    \"S1\",\n"
                              "]\n"
                              "\n"
                              "[tool.ruff.lint.per-file-ignores]\n"
                              "\"tests/*\" = [\"B006\"]\n",
                              "pyproject.toml");
    REQUIRE(c.error.empty());
    CHECK(verdict(c, "E711") == "off@12");
    CHECK(verdict(c, "E722") == "off@7");   // E72 is more specific than select's E
    CHECK(verdict(c, "E712") == "on@10");
    CHECK(verdict(c, "S101") == "off@13");
    CHECK(verdict(c, "B006") == "on@10");   // per-file-ignores are not followed
    CHECK(verdict(c, "SIM118") == "none");  // not selected is not off
    CHECK(std::find(c.notes.begin(), c.notes.end(), "`per-file-ignores` are not followed") != c.notes.end());
  }
  SECTION("ruff.toml: top level and [lint]; more specific select wins; ties go to ignore") {
    auto c = scan::parse_ruff("ignore = [\"E\"]\n[lint]\nextend-select = [\"E711\"]\nselect = [\"B006\"]\nignore = [\"B006\"]\n",
                              "ruff.toml");
    CHECK(verdict(c, "E711") == "on@3");
    CHECK(verdict(c, "E722") == "off@1");
    CHECK(verdict(c, "B006") == "off@5");
  }
  SECTION("dotted keys, ignore ALL is a reset, select ALL is on") {
    auto c = scan::parse_ruff("[tool.ruff]\nlint.ignore = [\"ALL\"]\nlint.select = [\"ALL\"]\n", "pyproject.toml");
    CHECK(verdict(c, "E711") == "on@3");
  }
  SECTION("a ruff selector names a linter by its letters: S is bandit, not SIM; PL covers PLR") {
    auto c = scan::parse_ruff("ignore = [\"S\", \"PL\"]\n", "ruff.toml");
    CHECK(verdict(c, "S101") == "off@1");
    CHECK(verdict(c, "SIM118") == "none");
    CHECK(verdict(c, "PLR0913") == "off@1");
    // flake8 compares plain prefixes.
    CHECK(verdict(scan::parse_flake8("[flake8]\nignore = S\n", ".flake8"), "SIM118") == "off@2");
  }
  SECTION("malformed TOML is an error") {
    CHECK_FALSE(scan::parse_ruff("[tool.ruff\nignore = [\"E711\"]\n", "ruff.toml").error.empty());
    CHECK_FALSE(scan::parse_ruff("ignore = [\"E711\"\n", "ruff.toml").error.empty());
    CHECK_FALSE(scan::parse_ruff("just words\n", "ruff.toml").error.empty());
  }
}

TEST_CASE("parse_flake8") {
  auto c = scan::parse_flake8("[metadata]\nignore = E711\n\n[flake8]\nmax-line-length = 100\n"
                              "extend_ignore =\n    E722,  # bare except is fine\n    B006\nselect = E,F\n",
                              "setup.cfg");
  CHECK(verdict(c, "E711") == "on@9");
  CHECK(verdict(c, "E722") == "off@7");
  CHECK(verdict(c, "B006") == "off@8");
  CHECK(scan::equivalents_tool(c.tool) == "ruff");
}

TEST_CASE("parse_clang_tidy") {
  SECTION("globs in order, the last match decides; -* resets") {
    auto c = scan::parse_clang_tidy("---\nChecks: >\n  -*,\n  modernize-*,\n  -modernize-use-nullptr,\n"
                                    "  cppcoreguidelines-*,\n  -cppcoreguidelines-pro-type-cstyle-cast\n"
                                    "WarningsAsErrors: ''\n",
                                    ".clang-tidy");
    REQUIRE(c.error.empty());
    CHECK(verdict(c, "modernize-use-nullptr") == "off@5");
    CHECK(verdict(c, "modernize-use-using") == "on@4");
    CHECK(verdict(c, "cppcoreguidelines-pro-type-cstyle-cast") == "off@7");
    CHECK(verdict(c, "google-readability-casting") == "none"); // only -* covers it
  }
  SECTION("one quoted line, and a later positive glob turns a check back on") {
    auto c = scan::parse_clang_tidy("Checks: '-modernize-*,modernize-use-using,*'\n", ".clang-tidy");
    CHECK(verdict(c, "modernize-use-nullptr") == "on@1");
    auto d = scan::parse_clang_tidy("Checks: '*,-modernize-*,modernize-use-using'\n", ".clang-tidy");
    CHECK(verdict(d, "modernize-use-nullptr") == "off@1");
    CHECK(verdict(d, "modernize-use-using") == "on@1");
  }
  SECTION("a list of checks") {
    auto c = scan::parse_clang_tidy("Checks:\n  - '-*'\n  - 'readability-*'\n  - '-readability-container-size-empty'\n", ".clang-tidy");
    CHECK(verdict(c, "readability-container-size-empty") == "off@4");
  }
  SECTION("malformed") {
    CHECK_FALSE(scan::parse_clang_tidy("Checks: [unterminated\n", ".clang-tidy").error.empty());
    CHECK_FALSE(scan::parse_clang_tidy("- a\n- b\n", ".clang-tidy").error.empty());
    CHECK(scan::parse_clang_tidy("", ".clang-tidy").error.empty());
  }
}

TEST_CASE("ProjectLinters::turns_off") {
  auto no_var = rule_with("javascript/no-var", {{"eslint", {"no-var"}}, {"biome", {"style/noVar", "suspicious/noVar"}}});
  SECTION("one tool off, none on: off, with the file and line") {
    scan::ProjectLinters p;
    p.configs.push_back(scan::parse_eslint_json("{\"rules\": {\n\"no-var\": \"off\"}}", ".eslintrc.json"));
    auto off = p.turns_off(no_var);
    REQUIRE(off);
    CHECK(off->describe() == "the project's .eslintrc.json turns off no-var (line 2)");
  }
  SECTION("a prefix says how") {
    scan::ProjectLinters p;
    p.configs.push_back(scan::parse_ruff("[lint]\nignore = [\"E7\"]\n", "ruff.toml"));
    auto off = p.turns_off(rule_with("python/compare-to-none", {{"ruff", {"E711"}}}));
    REQUIRE(off);
    CHECK(off->describe() == "the project's ruff.toml turns off E711 (by `E7`, line 2)");
  }
  SECTION("another linter running an equivalent keeps it on") {
    scan::ProjectLinters p;
    p.configs.push_back(scan::parse_eslint_json("{\"rules\": {\"no-var\": \"off\"}}", ".eslintrc.json"));
    p.configs.push_back(scan::parse_biome(R"({"linter": {"rules": {"style": {"noVar": "error"}}}})", "biome.json"));
    CHECK_FALSE(p.turns_off(no_var));
  }
  SECTION("of two equivalents in one tool, one on keeps it on") {
    scan::ProjectLinters p;
    p.configs.push_back(scan::parse_clang_tidy("Checks: '*,-cppcoreguidelines-*'\n", ".clang-tidy"));
    CHECK_FALSE(p.turns_off(rule_with("cpp/c-style-cast", {{"clang-tidy", {"cppcoreguidelines-pro-type-cstyle-cast",
                                                                            "google-readability-casting"}}})));
    p.configs.back() = scan::parse_clang_tidy("Checks: '*,-cppcoreguidelines-*,-google-*'\n", ".clang-tidy");
    CHECK(p.turns_off(rule_with("cpp/c-style-cast", {{"clang-tidy", {"cppcoreguidelines-pro-type-cstyle-cast",
                                                                      "google-readability-casting"}}})));
  }
  SECTION("eqeqeq \"smart\" allows typeof comparisons: eqeqeq-typeof is off, eqeqeq stays on") {
    auto typeof_rule = rule_with("javascript/eqeqeq-typeof", {{"eslint", {"eqeqeq"}}, {"biome", {"suspicious/noDoubleEquals"}}});
    auto strict_rule = rule_with("javascript/eqeqeq", {{"eslint", {"eqeqeq"}}});
    for (const auto& config : {scan::parse_eslint_json("{\"rules\": {\n\"eqeqeq\": [2, \"smart\"]}}", ".eslintrc.json"),
                               scan::parse_eslint_js("export default [{\nrules: { eqeqeq: ['error', 'smart'] } }];", "eslint.config.js")}) {
      scan::ProjectLinters p;
      p.configs.push_back(config);
      auto off = p.turns_off(typeof_rule);
      REQUIRE(off);
      CHECK(off->describe() == "the project's " + config.file + " sets eqeqeq to \"smart\", which allows it (line 2)");
      CHECK_FALSE(p.turns_off(strict_rule));
    }
    scan::ProjectLinters always;
    always.configs.push_back(scan::parse_eslint_json(R"({"rules": {"eqeqeq": ["error", "always", {"null": "ignore"}]}})", "x"));
    CHECK_FALSE(always.turns_off(typeof_rule));
  }
  SECTION("flake8 reads the ruff codes; a malformed file says nothing") {
    scan::ProjectLinters p;
    p.configs.push_back(scan::parse_flake8("[flake8]\nignore = E722\n", ".flake8"));
    p.configs.push_back(scan::parse_eslint_json("{", ".eslintrc.json"));
    CHECK(p.turns_off(rule_with("python/bare-except", {{"ruff", {"E722"}}})));
    CHECK_FALSE(p.turns_off(no_var));
    auto problems = p.problems();
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Catch::StartsWith(".eslintrc.json: ignored (line 1:"));
  }
}

TEST_CASE("read_project_linters") {
  SECTION("a flat config wins over .eslintrc files; ruff.toml over pyproject; flake8 in setup.cfg") {
    auto p = scan::read_project_linters(files({{"eslint.config.js", "export default [{rules: {'no-var': 'off'}}];"},
                                               {".eslintrc.json", "{\"rules\": {\"eqeqeq\": \"off\"}}"},
                                               {"ruff.toml", "ignore = [\"E711\"]\n"},
                                               {"pyproject.toml", "[tool.ruff]\nignore = [\"E722\"]\n"},
                                               {"setup.cfg", "[flake8]\nignore = B006\n"},
                                               {".clang-tidy", "Checks: '-modernize-use-nullptr'\n"}}));
    std::vector<std::string> found;
    for (const auto& c : p.configs) found.push_back(c.tool + ":" + c.file);
    CHECK(found == std::vector<std::string>{"eslint:eslint.config.js", "ruff:ruff.toml", "flake8:setup.cfg",
                                            "clang-tidy:.clang-tidy"});
  }
  SECTION(".eslintrc without extension: JSON, else YAML; package.json only with eslintConfig") {
    auto json = scan::read_project_linters(files({{".eslintrc", "{\"rules\": {\"no-var\": 0}}"}}));
    REQUIRE(json.configs.size() == 1);
    CHECK(verdict(json.configs[0], "no-var") == "off@1");
    auto yaml = scan::read_project_linters(files({{".eslintrc", "rules:\n  no-var: off\n"}}));
    REQUIRE(yaml.configs.size() == 1);
    CHECK(verdict(yaml.configs[0], "no-var") == "off@2");
    auto package = scan::read_project_linters(files({{"package.json", R"({"eslintConfig": {"rules": {"no-var": "off"}}})"}}));
    REQUIRE(package.configs.size() == 1);
    CHECK(package.configs[0].file == "package.json");
    CHECK(scan::read_project_linters(files({{"package.json", R"({"name": "x"})"}})).configs.empty());
    CHECK(scan::read_project_linters(files({{"pyproject.toml", "[project]\nname = 'x'\n"}})).configs.empty());
  }
  SECTION("a refused file (too large, a symlink) is listed with its reason, and followed no further") {
    auto p = scan::read_project_linters(files({{"!.eslintrc.json", "larger than the 1 MiB limit"}, {"package.json", "{}"}}));
    REQUIRE(p.configs.size() == 1);
    CHECK(p.problems() == std::vector<std::string>{".eslintrc.json: ignored (larger than the 1 MiB limit)"});
  }
}

TEST_CASE("apply_project_linters") {
  std::vector<scan::Rule> rules = {rule_with("javascript/no-var", {{"eslint", {"no-var"}}}),
                                   rule_with("javascript/eqeqeq", {{"eslint", {"eqeqeq"}}}),
                                   rule_with("python/untested-function", {})};
  scan::ProjectLinters p;
  p.configs.push_back(scan::parse_eslint_json(R"({"rules": {"no-var": "off", "eqeqeq": "off"}})", ".eslintrc.json"));
  scan::apply_project_linters(rules, p, {"javascript/eqeqeq"});
  CHECK_FALSE(rules[0].enabled);
  CHECK(rules[0].off_reason == "the project's .eslintrc.json turns off no-var (line 1)");
  CHECK(rules[1].enabled); // rules.enable wins
  CHECK(rules[1].off_reason.empty());
  CHECK(rules[2].enabled);
}
