#include "scan/rule.hpp"

#include "../support/temp_repo.hpp"

#include "core/error.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

using scan::FixEdit;
using scan::Rule;
using test_support::TempDir;

namespace {

// A minimal valid rule; `extra` lines are appended (they may override nothing: keys must be new).
std::string rule_text(const std::string& extra = "", const std::string& id = "t/rule") {
  return "id: " + id +
         "\n"
         "language: python\n"
         "category: code_quality\n"
         "message: \"m\"\n"
         "query: \"(identifier) @match\"\n" +
         extra;
}

// The LocatedError parse_rule throws for `text` (named "rules/r.yml"); fails the test when none.
core::LocatedError parse_error(const std::string& text) {
  try {
    scan::parse_rule(text, "rules/r.yml");
  } catch (const core::LocatedError& e) {
    return e;
  }
  FAIL("no core::LocatedError for:\n" << text);
  throw std::logic_error("unreachable");
}

std::vector<std::string> ids(const std::vector<Rule>& rules) {
  std::vector<std::string> out;
  for (const auto& r : rules) out.push_back(r.id);
  return out;
}

Rule simple(const std::string& id, const std::string& severity = "warning", bool enabled = true) {
  Rule r = scan::parse_rule(rule_text("", id), "builtin:" + id);
  r.severity = severity;
  r.enabled = enabled;
  return r;
}

} // namespace

TEST_CASE("parse_rule placeholders") {
  SECTION("a placeholder or fixed capture the query lacks is an error") {
    std::string text = "id: python/y\nlanguage: python\ncategory: code_quality\nsafety: suggest\n"
                       "message: \"bad {{nothere}}\"\nquery: |\n  (identifier) @match\n";
    CHECK_THROWS_WITH(scan::parse_rule(text, "y.yml"), Catch::Contains("{{nothere}}"));
  }
}

TEST_CASE("parse_rule") {
  SECTION("reads every field") {
    Rule r = scan::parse_rule(
        "id: python/x\n"
        "languages: [python, javascript]\n"
        "category: security_fixes\n"
        "severity: error\n"
        "safety: safe\n"
        "message: \"Use `{{op}}`\"\n"
        "description: why\n"
        "query: |\n"
        "  (comparison_operator operators: _ @op (_) @extra) @match\n"
        "fix:\n"
        "  - replace: \"@op\"\n"
        "    with: {\"==\": \"is\", \"!=\": \"is not\"}\n"
        "  - insert_before: \"@match\"\n"
        "    with: \"(\"\n"
        "  - insert_after: \"@match\"\n"
        "    text: \"){{op}}\"\n"
        "  - delete: \"@extra\"\n"
        "tests:\n"
        "  valid: [\"a\"]\n"
        "  invalid: [\"b\", \"c\"]\n"
        "  fixed: [\"B\", \"C\"]\n",
        "config/rules/python/x.yml");
    CHECK(r.id == "python/x");
    CHECK(r.languages == std::vector<std::string>{"python", "javascript"});
    CHECK(r.category == core::Category::security_fixes);
    CHECK(r.severity == "error");
    CHECK(r.safety == core::Safety::safe);
    CHECK(r.message == "Use `{{op}}`");
    CHECK(r.description == "why");
    CHECK(r.query == "(comparison_operator operators: _ @op (_) @extra) @match\n");
    CHECK(r.source == "config/rules/python/x.yml");
    CHECK(r.enabled);
    REQUIRE(r.fix.size() == 4);
    CHECK(r.fix[0].op == FixEdit::Op::replace);
    CHECK(r.fix[0].capture == "op");
    CHECK(r.fix[0].map == std::map<std::string, std::string>{{"==", "is"}, {"!=", "is not"}});
    CHECK(r.fix[1].op == FixEdit::Op::insert_before);
    CHECK(r.fix[1].capture == "match");
    CHECK(r.fix[1].text == "(");
    CHECK(r.fix[2].op == FixEdit::Op::insert_after);
    CHECK(r.fix[2].text == "){{op}}");
    CHECK(r.fix[3].op == FixEdit::Op::remove);
    CHECK(r.fix[3].capture == "extra");
    CHECK(r.tests.valid == std::vector<std::string>{"a"});
    CHECK(r.tests.invalid == std::vector<std::string>{"b", "c"});
    CHECK(r.tests.fixed == std::vector<std::string>{"B", "C"});
  }

  SECTION("defaults: severity warning, safety suggest, enabled") {
    Rule r = scan::parse_rule(rule_text(), "r.yml");
    CHECK(r.severity == "warning");
    CHECK(r.safety == core::Safety::suggest);
    CHECK(r.enabled);
    CHECK(r.check.empty());
    CHECK(r.fix.empty());
  }

  SECTION("a single string is a one-element list") {
    Rule r = scan::parse_rule(rule_text("tests:\n  valid: \"ok\"\n  invalid: \"bad\"\n"), "r.yml");
    CHECK(r.languages == std::vector<std::string>{"python"});
    CHECK(r.tests.valid == std::vector<std::string>{"ok"});
    CHECK(r.tests.invalid == std::vector<std::string>{"bad"});
  }

  SECTION("mechanical: only a safe rule with a fix may be swept") {
    const std::string fix = "fix:\n  - replace: \"@match\"\n    with: \"y\"\n";
    CHECK_FALSE(scan::parse_rule(rule_text("safety: safe\n" + fix), "r.yml").mechanical);
    CHECK(scan::parse_rule(rule_text("safety: safe\nmechanical: true\n" + fix), "r.yml").mechanical);
    CHECK_THAT(parse_error(rule_text("safety: unsafe\nmechanical: true\n" + fix)).what(),
               Catch::Contains("'mechanical: true' needs a safe fix"));
    CHECK_THAT(parse_error(rule_text("mechanical: true\n")).what(), Catch::Contains("needs a safe fix"));
    CHECK_THAT(parse_error(rule_text("mechanical: yes\n")).what(), Catch::Contains("'mechanical' must be true or false"));
  }

  SECTION("enabled: false and a known check") {
    Rule r = scan::parse_rule(rule_text("enabled: false\ncheck: inside-loop\n"), "r.yml");
    CHECK_FALSE(r.enabled);
    CHECK(r.check == "inside-loop");
  }

  SECTION("a block-scalar query starts on the line after `query:`") {
    Rule r = scan::parse_rule(
        "id: t/q\nlanguage: python\ncategory: code_quality\nmessage: m\nquery: |\n  (identifier) @match\n", "r.yml");
    CHECK(r.query_line == 6);
  }

  SECTION("a sibling .scm supplies the query and becomes the source of its positions") {
    std::string text = "id: t/scm\nlanguage: python\ncategory: code_quality\nmessage: m\n";
    Rule r = scan::parse_rule(text, "rules/t/scm.yml", std::string("(identifier) @match\n"));
    CHECK(r.query == "(identifier) @match\n");
    CHECK(r.source == "rules/t/scm.scm");
    CHECK(r.query_line == 1);
    CHECK(r.query_column == 1);
  }

  SECTION("a query in the YAML wins over a sibling .scm") {
    Rule r = scan::parse_rule(rule_text(), "rules/r.yml", std::string("(string) @match\n"));
    CHECK(r.query == "(identifier) @match");
    CHECK(r.source == "rules/r.yml");
  }

  SECTION("malformed YAML: file:line:column of the syntax error") {
    auto e = parse_error("id: t/x\nlanguage: python\nmessage: [unclosed\ncategory: code_quality\n");
    CHECK(e.file() == "rules/r.yml");
    CHECK(e.line() >= 3);
    CHECK(e.line() <= 5);
    CHECK(std::string(e.what()).rfind("rules/r.yml:" + std::to_string(e.line()) + ":", 0) == 0);
  }

  SECTION("not a map") {
    auto e = parse_error("- just\n- a list\n");
    CHECK(e.line() == 1);
    CHECK(e.column() == 1);
  }

  SECTION("an unknown key points at the key") {
    auto e = parse_error(rule_text("  \nbogus: 1\n"));
    CHECK(e.line() == 7);
    CHECK(e.column() == 1);
    CHECK_THAT(e.what(), Catch::Contains("unknown key 'bogus'"));
  }

  SECTION("an unknown key in tests or in a fix edit") {
    auto e = parse_error(rule_text("tests:\n  valid: [a]\n  wrong: [b]\n"));
    CHECK(e.line() == 8);
    CHECK(e.column() == 3);
    CHECK_THAT(e.what(), Catch::Contains("wrong"));
    auto f = parse_error(rule_text("fix:\n  - replace: \"@m\"\n    width: x\n"));
    CHECK(f.line() == 8);
    CHECK(f.column() == 5);
    CHECK_THAT(f.what(), Catch::Contains("width"));
  }

  SECTION("a bad category points at the value and lists the allowed ones") {
    auto e = parse_error("id: t/x\nlanguage: python\ncategory:   speed\nmessage: m\nquery: \"(identifier) @match\"\n");
    CHECK(e.line() == 3);
    CHECK(e.column() == 13);
    CHECK_THAT(e.what(), Catch::Contains("speed") && Catch::Contains("performance_issues"));
  }

  SECTION("a bad language points at the value and lists the supported ones") {
    auto e = parse_error("id: t/x\nlanguage: [python, cobol]\ncategory: code_quality\nmessage: m\nquery: \"(x) @match\"\n");
    CHECK(e.line() == 2);
    CHECK_THAT(e.what(), Catch::Contains("cobol") && Catch::Contains("rust"));
  }

  SECTION("bad severity or safety") {
    auto e = parse_error(rule_text("severity: fatal\n"));
    CHECK(e.line() == 6);
    CHECK(e.column() == 11);
    CHECK_THAT(e.what(), Catch::Contains("fatal"));
    auto f = parse_error(rule_text("safety: maybe\n"));
    CHECK(f.line() == 6);
    CHECK_THAT(f.what(), Catch::Contains("maybe"));
  }

  SECTION("an unknown check points at its value") {
    auto e = parse_error(rule_text("check: no-such-check\n"));
    CHECK(e.line() == 6);
    CHECK(e.column() == 8);
    CHECK_THAT(e.what(), Catch::Contains("no-such-check"));
  }

  SECTION("a wrong type") {
    auto e = parse_error("id: [a, b]\nlanguage: python\ncategory: code_quality\nmessage: m\nquery: q\n");
    CHECK(e.line() == 1);
    CHECK(e.column() == 5);
    auto f = parse_error(rule_text("enabled: maybe\n"));
    CHECK(f.line() == 6);
    auto g = parse_error(rule_text("fix: \"@m\"\n"));
    CHECK(g.line() == 6);
  }

  SECTION("fixed and invalid cases must pair up") {
    auto e = parse_error(rule_text("tests:\n  invalid: [a, b]\n  fixed: [A]\n"));
    CHECK(e.file() == "rules/r.yml");
    CHECK_THAT(e.what(), Catch::Contains("tests.fixed"));
  }

  SECTION("a safe or unsafe rule needs a fix") {
    auto e = parse_error(rule_text("safety: safe\n"));
    CHECK_THAT(e.what(), Catch::Contains("t/rule") && Catch::Contains("fix"));
    auto f = parse_error(rule_text("safety: unsafe\n"));
    CHECK_THAT(f.what(), Catch::Contains("unsafe"));
  }

  SECTION("malformed fix edits") {
    auto no_at = parse_error(rule_text("safety: safe\nfix:\n  - replace: op\n    with: x\n"));
    CHECK(no_at.line() == 8);
    CHECK_THAT(no_at.what(), Catch::Contains("@op"));
    auto two_ops = parse_error(rule_text("safety: safe\nfix:\n  - replace: \"@a\"\n    delete: \"@b\"\n"));
    CHECK(two_ops.line() == 9);
    auto no_op = parse_error(rule_text("safety: safe\nfix:\n  - with: x\n"));
    CHECK(no_op.line() == 8);
    auto not_map = parse_error(rule_text("safety: safe\nfix:\n  - \"@a\"\n"));
    CHECK(not_map.line() == 8);
  }

  SECTION("required keys") {
    const std::string all[] = {"id: t/x\n", "language: python\n", "category: code_quality\n", "message: m\n",
                               "query: \"(x) @match\"\n"};
    const char* names[] = {"'id'", "'language'", "'category'", "'message'", "'query'"};
    for (int skip = 0; skip < 5; ++skip) {
      std::string text;
      for (int i = 0; i < 5; ++i)
        if (i != skip) text += all[i];
      INFO("without " << names[skip]);
      auto e = parse_error(text);
      CHECK_THAT(e.what(), Catch::Contains(names[skip]));
    }
  }
}

TEST_CASE("builtin_rules") {
  auto rules = scan::builtin_rules();

  SECTION("every embedded rule parses, ids unique and sorted") {
    REQUIRE(rules.size() >= 10);
    auto list = ids(rules);
    CHECK(std::is_sorted(list.begin(), list.end()));
    CHECK(std::set<std::string>(list.begin(), list.end()).size() == list.size());
  }

  SECTION("each rule lives under its language's folder and names it in its id") {
    for (const auto& r : rules) {
      INFO(r.id << " from " << r.source);
      CHECK(r.source.rfind("builtin:config/rules/", 0) == 0);
      REQUIRE_FALSE(r.languages.empty());
      std::string prefix = r.id.substr(0, r.id.find('/'));
      CHECK(std::find(r.languages.begin(), r.languages.end(), prefix) != r.languages.end());
      CHECK_FALSE(r.query.empty());
    }
  }
}

TEST_CASE("known_checks") {
  const auto& checks = scan::known_checks();
  for (const char* name : {"inside-loop", "outside-tests", "untested-public-function"})
    CHECK(std::find(checks.begin(), checks.end(), name) != checks.end());
}

TEST_CASE("merge_rules") {
  std::vector<Rule> builtin{simple("b/two"), simple("a/one"), simple("c/three")};

  SECTION("no extra and no switches: the same rules, sorted by id") {
    auto merged = scan::merge_rules(builtin, {}, {}, {}, {});
    CHECK(ids(merged) == std::vector<std::string>{"a/one", "b/two", "c/three"});
    for (const auto& r : merged) CHECK(r.enabled);
  }

  SECTION("a repository rule never replaces a built-in: it keeps to the repo: namespace") {
    Rule hostile = simple("b/two");
    hostile.message = "repo version";
    hostile.origin = scan::RuleOrigin::repository;
    auto merged = scan::merge_rules(builtin, {hostile}, {}, {}, {});
    CHECK(ids(merged) == std::vector<std::string>{"a/one", "b/two", "c/three", "repo:b/two"});
    CHECK(merged[1].message == "m");
    CHECK(merged[1].origin == scan::RuleOrigin::builtin);
    CHECK(merged[3].message == "repo version");
    CHECK(merged[3].origin == scan::RuleOrigin::repository);
  }

  SECTION("an extra (local) rule with a built-in id replaces it; a new id is added") {
    Rule override_rule = simple("b/two");
    override_rule.origin = scan::RuleOrigin::local;
    override_rule.message = "repo version";
    override_rule.source = ".autoloop/rules/b/two.yml";
    auto merged = scan::merge_rules(builtin, {override_rule, simple("d/four")}, {}, {}, {});
    CHECK(ids(merged) == std::vector<std::string>{"a/one", "b/two", "c/three", "d/four"});
    CHECK(merged[1].message == "repo version");
    CHECK(merged[1].source == ".autoloop/rules/b/two.yml");
  }

  SECTION("disable switches rules off; unknown ids are ignored") {
    auto merged = scan::merge_rules(builtin, {}, {"a/one", "zzz/none"}, {}, {});
    REQUIRE(merged.size() == 3);
    CHECK_FALSE(merged[0].enabled);
    CHECK(merged[1].enabled);
    CHECK(merged[2].enabled);
  }

  SECTION("enable switches on a rule that is off by default") {
    builtin[0].enabled = false; // b/two
    auto merged = scan::merge_rules(builtin, {}, {}, {"b/two"}, {});
    CHECK(merged[1].id == "b/two");
    CHECK(merged[1].enabled);
  }

  SECTION("enable also reaches a repository rule that ships disabled") {
    Rule extra = simple("d/four", "warning", false);
    auto merged = scan::merge_rules(builtin, {extra}, {}, {"d/four"}, {});
    CHECK(merged.back().id == "d/four");
    CHECK(merged.back().enabled);
  }

  SECTION("severity overrides per id") {
    auto merged = scan::merge_rules(builtin, {}, {}, {}, {{"c/three", "error"}, {"nope", "info"}});
    CHECK(merged[0].severity == "warning");
    CHECK(merged[2].severity == "error");
  }
}

TEST_CASE("parse_rule ids") {
  SECTION("an id that could forge a trailer or a subject is an error at its position") {
    auto e = parse_error("language: python\nid: \"x\\nAutoloop-Rule-Source: builtin\"\ncategory: code_quality\nmessage: m\nquery: q\n");
    CHECK(e.line() == 2);
    CHECK_THAT(std::string(e.what()), Catch::Contains("'id' may hold only"));
    CHECK_THROWS_AS(scan::parse_rule(rule_text("", "has space"), "r.yml"), core::LocatedError);
    CHECK_THROWS_AS(scan::parse_rule(rule_text("", "\"\""), "r.yml"), core::LocatedError);
  }
  SECTION("letters, digits, - _ . / : are fine") {
    CHECK(scan::parse_rule(rule_text("", "repo:My_rules/x-1.2"), "r.yml").id == "repo:My_rules/x-1.2");
  }
}

TEST_CASE("describe_origin") {
  Rule r = simple("a/one");
  r.file = "config/rules/a/one.yml";
  CHECK(scan::describe_origin(r) == "builtin");
  r.origin = scan::RuleOrigin::repository;
  r.file = ".autoloop/rules/a/one.yml";
  CHECK(scan::describe_origin(r) == "repository (.autoloop/rules/a/one.yml)");
  r.origin = scan::RuleOrigin::local;
  r.file = "/home/me/rules/one.yml";
  CHECK(scan::describe_origin(r) == "local (/home/me/rules/one.yml)");
}

TEST_CASE("builtin_rules carry their origin and resource name") {
  for (const auto& r : scan::builtin_rules()) {
    INFO(r.id);
    CHECK(r.origin == scan::RuleOrigin::builtin);
    CHECK(r.trusted);
    CHECK(r.file.rfind("config/rules/", 0) == 0);
    CHECK(r.id.rfind(scan::k_repository_prefix, 0) != 0);
  }
}

TEST_CASE("parse_rule_files") {
  TempDir tmp("rules");

  SECTION("repository rules get the repo: prefix, their origin and their file; one written with it keeps one") {
    tmp.write("python/compare-to-none.yml", rule_text("", "python/compare-to-none"));
    tmp.write("python/already.yml", rule_text("", "repo:t/already"));
    auto rules = scan::parse_rule_files(scan::read_rules_dir(tmp.path()), scan::RuleOrigin::repository);
    CHECK(ids(rules) == std::vector<std::string>{"repo:t/already", "repo:python/compare-to-none"});
    for (const auto& r : rules) {
      CHECK(r.origin == scan::RuleOrigin::repository);
      CHECK(r.trusted); // trust is the caller's to decide (loop::Context)
    }
    CHECK(rules[1].file == (tmp / "python/compare-to-none.yml").string());
  }

  SECTION("local rules keep their ids; the repo: prefix is reserved (file:line:col)") {
    tmp.write("a.yml", rule_text("", "python/compare-to-none"));
    auto rules = scan::parse_rule_files(scan::read_rules_dir(tmp.path()), scan::RuleOrigin::local);
    REQUIRE(rules.size() == 1);
    CHECK(rules[0].id == "python/compare-to-none");
    CHECK(rules[0].origin == scan::RuleOrigin::local);
    auto bad = tmp.write("b.yml", "language: python\nid: repo:x/y\ncategory: code_quality\nmessage: m\nquery: \"(identifier) @match\"\n");
    auto loaded = scan::load_rules_dir(tmp.path(), scan::RuleOrigin::local);
    REQUIRE(loaded.size() == 2);
    CHECK(loaded[1].id == "repo:x/y");
    CHECK_FALSE(loaded[1].enabled);
    CHECK_THAT(loaded[1].broken, Catch::StartsWith(bad.string() + ":2:1:") && Catch::Contains("reserved"));
  }
}

TEST_CASE("read_rules_dir") {
  TempDir tmp("rules");
  tmp.write("b/r.yml", "x");
  tmp.write("b/r.scm", "(call) @match");
  tmp.write("a.yml", "y");
  tmp.write("notes.md", "not read");
  auto files = scan::read_rules_dir(tmp.path());
  REQUIRE(files.size() == 3);
  CHECK(files[0].relative == "a.yml");
  CHECK(files[1].relative == "b/r.scm");
  CHECK(files[2].relative == "b/r.yml");
  CHECK(files[1].text == "(call) @match");
  CHECK(scan::read_rules_dir(tmp / "absent").empty());
}

TEST_CASE("load_rules_dir") {
  TempDir tmp("rules");

  SECTION("a missing directory has no rules") { CHECK(scan::load_rules_dir(tmp / "absent").empty()); }

  SECTION("every .yml below, recursively, sorted by path; other files ignored") {
    tmp.write("z/last.yml", rule_text("", "t/last"));
    tmp.write("a/first.yml", rule_text("", "t/first"));
    tmp.write("a/deep/mid.yml", rule_text("", "t/mid"));
    tmp.write("a/notes.md", "not a rule");
    tmp.write("a/backup.yml~", "not: [a rule");
    auto rules = scan::load_rules_dir(tmp.path());
    CHECK(ids(rules) == std::vector<std::string>{"t/mid", "t/first", "t/last"});
    CHECK(rules[0].source == (tmp / "a/deep/mid.yml").string());
  }

  SECTION("a sibling .scm file provides the query") {
    tmp.write("py/q.yml", "id: t/q\nlanguage: python\ncategory: code_quality\nmessage: m\n");
    tmp.write("py/q.scm", "(string) @match\n");
    auto rules = scan::load_rules_dir(tmp.path());
    REQUIRE(rules.size() == 1);
    CHECK(rules[0].query == "(string) @match\n");
    CHECK(rules[0].source == (tmp / "py/q.scm").string());
  }

  SECTION("a malformed rule is off, says why (file:line) and leaves the others") {
    tmp.write("good.yml", rule_text("", "t/good"));
    auto bad = tmp.write("sub/bad.yml", rule_text("colour: red\n", "t/bad"));
    auto rules = scan::load_rules_dir(tmp.path());
    REQUIRE(rules.size() == 2);
    CHECK(rules[0].id == "t/good");
    CHECK(rules[0].enabled);
    CHECK(rules[0].broken.empty());
    CHECK(rules[1].id == "t/bad");
    CHECK_FALSE(rules[1].enabled);
    CHECK_THAT(rules[1].broken, Catch::StartsWith(bad.string() + ":6:"));
    // Turning it on by configuration does not run it.
    auto merged = scan::merge_rules({}, rules, {}, {"t/bad"}, {});
    CHECK_FALSE(merged[0].enabled);
  }
}

TEST_CASE("load_rules_dir reads the repository's rules as untrusted data") {
  TempDir tmp("rules-hostile");
  const auto work = tmp / "work";
  const auto rules_dir = work / ".autoloop" / "rules";
  std::filesystem::create_directories(rules_dir / "py");
  // The refusal's message; it must be a LocatedError naming `file`.
  auto refusal = [&](const std::filesystem::path& dir, const std::filesystem::path& file) -> std::string {
    try {
      scan::load_rules_dir(dir, scan::RuleOrigin::local, work);
    } catch (const core::LocatedError& e) {
      CHECK(e.file() == file.string());
      return e.what();
    }
    FAIL("no LocatedError");
    return {};
  };

  SECTION("a query file symlinked to /dev/zero is refused, not read") {
    tmp.write("work/.autoloop/rules/py/q.yml", "id: t/q\nlanguage: python\ncategory: code_quality\nmessage: m\n");
    std::filesystem::create_symlink("/dev/zero", rules_dir / "py" / "q.scm");
    CHECK_THAT(refusal(rules_dir, rules_dir / "py" / "q.scm"), Catch::Contains("/dev/zero"));
    // Not confined (`rules --test DIR`, a directory the user named), still not a regular file.
    CHECK_THROWS_WITH(scan::load_rules_dir(rules_dir), Catch::Contains("a character device"));
  }

  SECTION("a rule file that is a FIFO is refused without blocking") {
    REQUIRE(::mkfifo((rules_dir / "py" / "r.yml").c_str(), 0600) == 0);
    CHECK_THAT(refusal(rules_dir, rules_dir / "py" / "r.yml"), Catch::Contains("a FIFO"));
  }

  SECTION("a rules directory that leads out of the work tree is refused") {
    tmp.write("elsewhere/x.yml", rule_text("", "t/x"));
    std::filesystem::remove_all(rules_dir);
    std::filesystem::create_directory_symlink(tmp / "elsewhere", rules_dir);
    CHECK_THAT(refusal(rules_dir, rules_dir), Catch::Contains("outside"));
    // A symlinked directory below the rules directory is not followed at all.
    std::filesystem::remove(rules_dir);
    std::filesystem::create_directories(rules_dir);
    std::filesystem::create_directory_symlink(tmp / "elsewhere", rules_dir / "linked");
    CHECK(scan::load_rules_dir(rules_dir, scan::RuleOrigin::local, work).empty());
  }

  SECTION("a rule file over 256 KiB is refused, naming the limit") {
    auto big = tmp.write("work/.autoloop/rules/py/big.yml", rule_text("description: \"" + std::string(300 << 10, 'x') + "\"\n"));
    CHECK_THAT(refusal(rules_dir, big), Catch::Contains("larger than the 256 KiB limit for rule files"));
  }

  SECTION("more than 500 rule files are refused") {
    for (int i = 0; i < 501; ++i) tmp.write("work/.autoloop/rules/py/r" + std::to_string(i) + ".yml", rule_text("", "t/r" + std::to_string(i)));
    CHECK_THAT(refusal(rules_dir, rules_dir), Catch::Contains("501 rule files (at most 500)"));
  }

  SECTION("rules inside the work tree load as before, a symlink staying inside included") {
    tmp.write("work/shared/q.scm", "(string) @match\n");
    tmp.write("work/.autoloop/rules/py/q.yml", "id: t/q\nlanguage: python\ncategory: code_quality\nmessage: m\n");
    std::filesystem::create_symlink(work / "shared" / "q.scm", rules_dir / "py" / "q.scm");
    auto rules = scan::load_rules_dir(rules_dir, scan::RuleOrigin::local, work);
    REQUIRE(rules.size() == 1);
    CHECK(rules[0].query == "(string) @match\n");
  }
}

TEST_CASE("parse_rule assumption") {
  auto text = [](const std::string& assumption, const std::string& language = "python") {
    return "id: python/k\nlanguage: " + language + "\ncategory: code_quality\nsafety: unsafe\nmessage: m\n"
           "query: |\n  (call function: (attribute object: (_) @obj)) @match\n"
           "fix:\n  - replace: \"@match\"\n    with: \"{{obj}}\"\n" + assumption +
           "tests:\n  valid: [\"a\"]\n  invalid: [\"b\"]\n  fixed: [\"c\"]\n  suggested: [\"d\", \"e\"]\n";
  };
  SECTION("reads text, analysis, subject and the suggested cases") {
    Rule r = scan::parse_rule(
        text("assumption:\n  text: \"`{{obj}}` is a dict\"\n  established_by: python-dict\n  subject: \"@obj\"\n"), "k.yml");
    REQUIRE(r.assumption);
    CHECK(r.assumption->text == "`{{obj}}` is a dict");
    CHECK(r.assumption->established_by == "python-dict");
    CHECK(r.assumption->subject == "obj");
    CHECK(r.tests.suggested == std::vector<std::string>{"d", "e"});
  }
  SECTION("no assumption: none") {
    CHECK_FALSE(scan::parse_rule(text(""), "k.yml").assumption);
  }
  SECTION("mistakes are errors with a location") {
    CHECK_THROWS_WITH(scan::parse_rule(text("assumption: a dict\n"), "k.yml"), Catch::Contains("must be a map"));
    CHECK_THROWS_WITH(
        scan::parse_rule(text("assumption:\n  text: t\n  established_by: magic\n  subject: \"@obj\"\n"), "k.yml"),
        Catch::Contains("unknown analysis 'magic'") && Catch::Contains("python-dict"));
    CHECK_THROWS_WITH(
        scan::parse_rule(text("assumption:\n  text: t\n  established_by: python-dict\n  subject: \"@nope\"\n"), "k.yml"),
        Catch::Contains("@nope is not a capture"));
    CHECK_THROWS_WITH(scan::parse_rule(text("assumption:\n  text: t\n  established_by: python-dict\n"), "k.yml"),
                      Catch::Contains("needs text, established_by and subject"));
    CHECK_THROWS_WITH(
        scan::parse_rule(text("assumption:\n  text: t\n  established_by: python-dict\n  subject: \"@obj\"\n  why: x\n"), "k.yml"),
        Catch::Contains("unknown key 'why' in assumption"));
    CHECK_THROWS_WITH(
        scan::parse_rule(text("assumption:\n  text: \"{{nothere}}\"\n  established_by: python-dict\n  subject: \"@obj\"\n"),
                         "k.yml"),
        Catch::Contains("{{nothere}}"));
    CHECK_THROWS_WITH(
        scan::parse_rule(text("assumption:\n  text: t\n  established_by: cpp-std-container\n  subject: \"@obj\"\n"), "k.yml"),
        Catch::Contains("does not understand python"));
  }
}

TEST_CASE("parse_rule equivalents") {
  SECTION("a map from each tool to its rule ids") {
    Rule r = scan::parse_rule(rule_text("equivalents:\n  ruff: [E711]\n  eslint: [no-var, \"@typescript-eslint/x\"]\n"
                                        "  biome: style/noVar\n  clang-tidy: [modernize-use-nullptr]\n"),
                              "r.yml");
    CHECK(r.equivalents.at("ruff") == std::vector<std::string>{"E711"});
    CHECK(r.equivalents.at("eslint") == std::vector<std::string>{"no-var", "@typescript-eslint/x"});
    CHECK(r.equivalents.at("biome") == std::vector<std::string>{"style/noVar"});
    CHECK(r.equivalents.at("clang-tidy") == std::vector<std::string>{"modernize-use-nullptr"});
  }
  SECTION("none by default") { CHECK(scan::parse_rule(rule_text(), "r.yml").equivalents.empty()); }
  SECTION("an unknown tool, a glob or a list in one string is an error with its place") {
    auto e = parse_error(rule_text("equivalents:\n  pylint: [C0121]\n"));
    CHECK(e.line() == 7);
    CHECK_THAT(e.what(), Catch::Contains("unknown tool 'pylint'"));
    CHECK_THAT(parse_error(rule_text("equivalents:\n  clang-tidy: [modernize-*]\n")).what(), Catch::Contains("globs"));
    CHECK_THAT(parse_error(rule_text("equivalents:\n  ruff: \"E711, E712\"\n")).what(), Catch::Contains("commas"));
    CHECK_THAT(parse_error(rule_text("equivalents: [E711]\n")).what(), Catch::Contains("must be a map"));
  }
  SECTION("the built-in map: rules with a peer name it (the benchmark and project_linters read it)") {
    auto rules = scan::builtin_rules();
    auto find = [&](const std::string& id) {
      return *std::find_if(rules.begin(), rules.end(), [&](const Rule& r) { return r.id == id; });
    };
    CHECK(find("javascript/no-var").equivalents.at("eslint") == std::vector<std::string>{"no-var"});
    CHECK(find("python/compare-to-none").equivalents.at("ruff") == std::vector<std::string>{"E711"});
    CHECK(find("cpp/null-to-nullptr").equivalents.at("clang-tidy") == std::vector<std::string>{"modernize-use-nullptr"});
    size_t mapped = std::count_if(rules.begin(), rules.end(), [](const Rule& r) { return !r.equivalents.empty(); });
    CHECK(mapped >= 35);
  }
}
