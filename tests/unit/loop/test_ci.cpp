#include "loop/ci.hpp"

#include "../support/temp_repo.hpp"

#include <string>
#include <vector>

using loop::RangeReport;
using test_support::TempRepo;

namespace {

scan::Rule make_rule(const std::string& id, const std::string& query, const std::string& category,
                     const std::string& severity, const std::string& check = "") {
  scan::Rule r;
  r.id = id;
  r.languages = {"python"};
  r.category = *core::parse<core::Category>(category);
  r.severity = severity;
  r.safety = core::Safety::suggest;
  r.message = "found {{fn}}";
  r.query = query;
  r.check = check;
  r.source = "test:" + id;
  return r;
}

std::vector<scan::Rule> rules() {
  return {make_rule("t/eval", "((call function: (identifier) @fn) @match (#eq? @fn \"eval\"))", "security_fixes", "error"),
          make_rule("t/print", "((call function: (identifier) @fn) @match (#eq? @fn \"print\"))", "code_quality",
                    "warning"),
          make_rule("t/untested", "(module (function_definition name: (identifier) @name) @match)", "test_coverage",
                    "info", "untested-public-function")};
}

struct Fixture {
  TempRepo repo{"ci"};
  core::Config config = core::default_config();
  scan::Engine engine{rules()};

  RangeReport range(const std::string& base, const std::string& head = "HEAD") {
    git::Repository r = git::Repository::open(repo.path());
    return loop::scan_range(r, engine, config, repo.rev(base), repo.rev(head));
  }
};

// "rule path:line" per introduced finding, in report order.
std::vector<std::string> lines_of(const RangeReport& report) {
  std::vector<std::string> out;
  for (const auto& l : report.introduced)
    out.push_back(l.rule_id + " " + l.path + ":" + std::to_string(l.finding.start_line));
  return out;
}

scan::Located located(const std::string& path, int line, const std::string& rule, const std::string& category,
                      const std::string& severity, const std::string& message) {
  scan::Located l;
  l.path = path;
  l.rule_id = rule;
  l.category = *core::parse<core::Category>(category);
  l.severity = severity;
  l.finding.rule_id = rule;
  l.finding.start_line = l.finding.end_line = line;
  l.finding.message = message;
  l.is_new = true;
  l.status = "new";
  return l;
}

} // namespace

TEST_CASE("scan_range") {
  Fixture f;
  f.repo.write("app.py", "def load(text):\n    return eval(text)\n");
  f.repo.write("README.md", "# readme\n");
  f.repo.commit("base");

  SECTION("reports what the range added, not what the base already had") {
    f.repo.write("app.py", "# moved down\n\ndef load(text):\n    return eval(text)\n\nprint(eval('1'))\n");
    f.repo.write("new.py", "print(1)\n");
    f.repo.write("README.md", "# changed, not scanned\n");
    f.repo.commit("change");
    RangeReport report = f.range("HEAD~1");
    CHECK(lines_of(report) ==
          std::vector<std::string>{"t/eval app.py:6", "t/print app.py:6", "t/print new.py:1"});
    CHECK(report.files_changed == 3);
    CHECK(report.files_scanned == 2);
    CHECK(report.base == f.repo.rev("HEAD~1"));
    CHECK(report.head == f.repo.rev("HEAD"));
    for (const auto& l : report.introduced) {
      CHECK(l.is_new);
      CHECK(l.id == 0);
      CHECK(l.status == "new");
      CHECK(l.commit == report.head);
      CHECK(l.finding.fingerprint.size() == 32);
    }
    CHECK(report.introduced[0].category == core::Category::security_fixes);
    CHECK(report.introduced[0].severity == "error");
  }

  SECTION("compares the ends only: a finding added and removed inside the range is no finding") {
    f.repo.write("app.py", "def load(text):\n    return eval(text)\nprint(2)\n");
    f.repo.commit("add");
    f.repo.write("app.py", "def load(text):\n    return eval(text)\n");
    f.repo.commit("remove");
    CHECK(f.range("HEAD~2").introduced.empty());
    CHECK(f.range("HEAD~2").files_changed == 0);
    CHECK(lines_of(f.range("HEAD~2", "HEAD~1")) == std::vector<std::string>{"t/print app.py:3"});
  }

  SECTION("a moved file introduces nothing; what an edited move adds is reported") {
    f.repo.git({"mv", "app.py", "pkg_app.py"});
    f.repo.commit("move");
    CHECK(f.range("HEAD~1").introduced.empty());
    f.repo.remove("pkg_app.py");
    f.repo.write("lib/app.py", "def load(text):\n    return eval(text)\nprint(3)\n");
    f.repo.commit("move and edit");
    CHECK(lines_of(f.range("HEAD~1")) == std::vector<std::string>{"t/print lib/app.py:3"});
  }

  SECTION("holds the line: a renamed function reports nothing, a duplicate in it reports one") {
    f.repo.write("app.py", "def parse(text):\n    return eval(text)\n");
    f.repo.commit("rename");
    CHECK(f.range("HEAD~1").introduced.empty());
    f.repo.write("app.py", "def parse(text):\n    eval(text)\n    return eval(text)\n");
    f.repo.commit("duplicate");
    RangeReport report = f.range("HEAD~1");
    REQUIRE(report.introduced.size() == 1);
    CHECK(report.introduced[0].rule_id == "t/eval");
  }

  SECTION("deleted, excluded and unsupported files are not scanned") {
    f.config.scan.exclude = {"vendor/**"};
    f.repo.remove("app.py");
    f.repo.write("vendor/lib.py", "eval(x)\n");
    f.repo.write("notes.txt", "eval(x)\n");
    f.repo.commit("delete and add");
    RangeReport report = f.range("HEAD~1");
    CHECK(report.introduced.empty());
    CHECK(report.files_changed == 2);
    CHECK(report.files_scanned == 0);
  }

  SECTION("a base version over scan.max_file_size is not read: the file counts as added") {
    f.config.scan.max_file_size = 64;
    f.repo.write("big.py", "print(1)\n" + std::string(80, '#') + "\n");
    f.repo.commit("big");
    f.repo.write("big.py", "print(1)\n");
    f.repo.commit("small");
    CHECK(lines_of(f.range("HEAD~1")) == std::vector<std::string>{"t/print big.py:1"});
    CHECK(f.range("HEAD~2", "HEAD~1").files_scanned == 0);
  }

  SECTION("path checks run against head: a changed public function no test mentions") {
    f.repo.write("tests/test_app.py", "from app import load\n");
    f.repo.commit("tests");
    f.repo.write("app.py", "def load(text):\n    return eval(text)\n\ndef helper(x):\n    return x\n");
    f.repo.commit("helper");
    CHECK(lines_of(f.range("HEAD~1")) == std::vector<std::string>{"t/untested app.py:4"});
  }
}

TEST_CASE("blocks") {
  SECTION("a category by its full or short name") {
    CHECK(loop::blocks({"security"}, core::Category::security_fixes, "info"));
    CHECK(loop::blocks({"security_fixes"}, core::Category::security_fixes, "info"));
    CHECK(loop::blocks({"quality"}, core::Category::code_quality, "warning"));
    CHECK(loop::blocks({"performance"}, core::Category::performance_issues, "info"));
    CHECK(loop::blocks({"coverage"}, core::Category::test_coverage, "info"));
    CHECK_FALSE(loop::blocks({"security"}, core::Category::code_quality, "error"));
    CHECK_FALSE(loop::blocks({"quality"}, core::Category::security_fixes, "error"));
  }

  SECTION("a severity stands for itself and worse") {
    CHECK(loop::blocks({"error"}, core::Category::code_quality, "error"));
    CHECK_FALSE(loop::blocks({"error"}, core::Category::code_quality, "warning"));
    CHECK(loop::blocks({"warning"}, core::Category::code_quality, "error"));
    CHECK(loop::blocks({"warning"}, core::Category::code_quality, "warning"));
    CHECK_FALSE(loop::blocks({"warning"}, core::Category::code_quality, "info"));
    CHECK(loop::blocks({"info"}, core::Category::test_coverage, "info"));
  }

  SECTION("any entry matches; an empty list never does") {
    CHECK(loop::blocks({"security", "error"}, core::Category::code_quality, "error"));
    CHECK(loop::blocks({"security", "error"}, core::Category::security_fixes, "info"));
    CHECK_FALSE(loop::blocks({"security", "error"}, core::Category::code_quality, "warning"));
    CHECK_FALSE(loop::blocks({}, core::Category::security_fixes, "error"));
  }

  SECTION("blocking() picks the matching findings of a report") {
    RangeReport report;
    report.introduced = {located("a.py", 1, "t/eval", "security_fixes", "error", "m"),
                         located("a.py", 2, "t/print", "code_quality", "warning", "m")};
    auto failing = loop::blocking(report, {"security"});
    REQUIRE(failing.size() == 1);
    CHECK(failing[0]->rule_id == "t/eval");
    CHECK(loop::blocking(report, {"warning"}).size() == 2);
  }
}

TEST_CASE("format_markdown") {
  RangeReport report;
  report.base = "1111111111111111111111111111111111111111";
  report.head = "2222222222222222222222222222222222222222";
  report.files_changed = 3;
  report.files_scanned = 2;

  SECTION("no findings: a headline and the range") {
    const std::string md = loop::format_markdown(report, {"security"});
    CHECK(md == "### git-autoloop: no new findings\n\n"
                "`111111111111..222222222222`: 3 changed files, 2 scanned. Fails on: `security`.\n");
  }

  SECTION("a table by category and severity, then each finding, blocking ones marked") {
    report.introduced = {located("src/a.py", 4, "t/eval", "security_fixes", "error", "`eval()` is dangerous"),
                         located("src/a.py", 9, "t/print", "code_quality", "warning", "print"),
                         located("src/b.py", 1, "t/print", "code_quality", "warning", "print")};
    const std::string md = loop::format_markdown(report, {"security"});
    CHECK(md == "### git-autoloop: 3 new findings, 1 blocking\n\n"
                "`111111111111..222222222222`: 3 changed files, 2 scanned. Fails on: `security`.\n"
                "\n| category | error | warning | info | total |\n|:--|--:|--:|--:|--:|\n"
                "| security_fixes | 1 | 0 | 0 | 1 |\n"
                "| code_quality | 0 | 2 | 0 | 2 |\n"
                "\n"
                "- **blocking** error `src/a.py:4` `t/eval`: `eval()` is dangerous\n"
                "- warning `src/a.py:9` `t/print`: print\n"
                "- warning `src/b.py:1` `t/print`: print\n");
  }

  SECTION("text that would break the Markdown is neutralised") {
    report.introduced = {located("we`ird|path.py", 2, "t/x", "code_quality", "info", "a | b <script>\nnext")};
    const std::string md = loop::format_markdown(report, {});
    CHECK_THAT(md, Catch::Contains("Fails on: nothing."));
    CHECK_THAT(md, Catch::Contains("- info `` we`ird|path.py:2 `` `t/x`: a \\| b &lt;script&gt; next\n"));
    CHECK_THAT(md, Catch::Contains("### git-autoloop: 1 new finding\n"));
  }
}

TEST_CASE("ci.block_on configuration") {
  const test_support::TempDir tmp("ci-config");
  auto load = [&](const std::string& yaml) {
    core::ConfigSources sources;
    sources.repo_file = tmp.write(".autoloop.yml", yaml);
    return core::load_config(sources);
  };

  SECTION("defaults to security; a file sets categories and severities") {
    CHECK(core::default_config().ci.block_on == std::vector<std::string>{"security"});
    CHECK(load("ci:\n  block_on: [quality, error]\n").ci.block_on == std::vector<std::string>{"quality", "error"});
    CHECK(load("ci:\n  block_on: []\n").ci.block_on.empty());
  }

  SECTION("a wrong value or key is an error at its file, line and column") {
    const std::string file = (tmp / ".autoloop.yml").string();
    auto error_of = [&](const std::string& yaml) -> std::string {
      try {
        load(yaml);
      } catch (const core::LocatedError& e) {
        return e.what();
      }
      return "no error";
    };
    CHECK_THAT(error_of("ci:\n  block_on: [security, eror]\n"),
               Catch::StartsWith(file + ":2:24: expected one of security,") && Catch::Contains("did you mean 'error'?"));
    CHECK_THAT(error_of("ci:\n  block_on: error\n"), Catch::StartsWith(file + ":2:13: expected a list"));
    CHECK_THAT(error_of("ci:\n  fail_on: [error]\n"), Catch::StartsWith(file + ":2:3: unknown key 'fail_on'"));
  }
}
