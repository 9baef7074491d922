#include "../support/temp_repo.hpp"

#include "core/limits.hpp"
#include "fix/coverage_gate.hpp"

#include <set>

namespace {

using fix::Executed;

metrics::LineCoverage report_of(const std::string& path, std::vector<metrics::LineHits> lines) {
  metrics::LineCoverage c;
  c.files[path].lines = std::move(lines);
  return c;
}

// Lines "l1\n" .. "l<n>\n".
std::string numbered(int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) out += "l" + std::to_string(i) + "\n";
  return out;
}

// `text` with its line `line` (1-based) replaced by `with` (which may hold several lines, or none).
std::string replace_line(const std::string& text, int line, const std::string& with) {
  std::size_t at = 0;
  for (int i = 1; i < line; ++i) at = text.find('\n', at) + 1;
  const std::size_t end = text.find('\n', at) + 1;
  return text.substr(0, at) + with + text.substr(end);
}

} // namespace

TEST_CASE("check_executed", "[fix]") {
  const std::string parent = numbered(10);
  const std::string fixed = replace_line(parent, 5, "FIX5\n");

  SECTION("yes: a changed line ran") {
    auto e = fix::check_executed(report_of("a.py", {{4, 1}, {5, 3}, {6, 0}}), {"a.py", parent, fixed, fixed});
    CHECK(e.executed == Executed::yes);
    CHECK(e.changed == 1);
    CHECK(e.ran == 1);
    CHECK(fix::validated_tests(e) == "tests (executed: 1 changed line)");
  }
  SECTION("no: the instrumented changed lines never ran, even when lines around them did") {
    auto e = fix::check_executed(report_of("a.py", {{4, 9}, {5, 0}, {6, 9}}), {"a.py", parent, fixed, fixed});
    CHECK(e.executed == Executed::no);
    CHECK(e.instrumented == 1);
    CHECK_THAT(e.reason, Catch::Contains("line 5"));
    CHECK(fix::validated_tests(e) == "tests (not executed)");
  }
  SECTION("unknown: the file is not in the report") {
    auto e = fix::check_executed(report_of("b.py", {{5, 3}}), {"a.py", parent, fixed, fixed});
    CHECK(e.executed == Executed::unknown);
    CHECK_THAT(e.reason, Catch::Contains("a.py is not in the coverage report"));
    CHECK(fix::validated_tests(e) == "tests (coverage unknown)");
    CHECK(fix::executed(report_of("b.py", {{5, 3}}), {"a.py", parent, fixed, fixed}) == Executed::unknown);
  }
  SECTION("several changed lines: any of them that ran makes it yes, and the trailer counts them") {
    const std::string two = replace_line(replace_line(parent, 2, "FIX2\n"), 8, "FIX8a\nFIX8b\n");
    auto e = fix::check_executed(report_of("a.py", {{2, 0}, {8, 1}, {9, 2}}), {"a.py", parent, two, two});
    CHECK(e.executed == Executed::yes);
    CHECK(e.changed == 3);
    CHECK(e.ran == 2);
    CHECK(fix::validated_tests(e) == "tests (executed: 2 changed lines)");
  }
  SECTION("a later fix above it shifts the line: the tip's numbering is what the report uses") {
    // The fix changed line 5; a later fix in the chain turned line 2 into three lines, so it is line 7 at the tip.
    const std::string tip = replace_line(fixed, 2, "L2a\nL2b\nL2c\n");
    auto ran = fix::check_executed(report_of("a.py", {{5, 0}, {7, 4}}), {"a.py", parent, fixed, tip});
    CHECK(ran.executed == Executed::yes);
    auto not_ran = fix::check_executed(report_of("a.py", {{5, 4}, {7, 0}}), {"a.py", parent, fixed, tip});
    CHECK(not_ran.executed == Executed::no);
    // A later fix that deleted lines above shifts it up.
    const std::string shorter = replace_line(replace_line(fixed, 2, ""), 2, "");
    CHECK(fix::executed(report_of("a.py", {{3, 1}, {5, 0}}), {"a.py", parent, fixed, shorter}) == Executed::yes);
    // A later fix below it, or lines inserted right after it, move nothing.
    const std::string below = replace_line(fixed, 6, "X\nY\n");
    CHECK(fix::executed(report_of("a.py", {{5, 1}}), {"a.py", parent, fixed, below}) == Executed::yes);
  }
  SECTION("an earlier fix in the same file is already in the parent: only this fix's lines count") {
    const std::string earlier = replace_line(parent, 1, "E1a\nE1b\n"); // the previous commit in the chain
    const std::string mine = replace_line(earlier, 6, "FIX\n");         // l5, now line 6
    auto e = fix::check_executed(report_of("a.py", {{1, 5}, {2, 5}, {6, 0}}), {"a.py", earlier, mine, mine});
    CHECK(e.executed == Executed::no);
    CHECK(e.changed == 1);
  }
  SECTION("lines a later fix changed again are lost: unknown when none is left") {
    const std::string again = replace_line(fixed, 5, "LATER5\n");
    auto e = fix::check_executed(report_of("a.py", {{5, 1}}), {"a.py", parent, fixed, again});
    CHECK(e.executed == Executed::unknown);
    CHECK(e.changed == 1);
    CHECK(e.mapped == 0);
    CHECK_THAT(e.reason, Catch::Contains("changed again"));
    // With two changed lines and one changed again, the other still decides.
    const std::string both = replace_line(parent, 5, "F5\nF6\n");
    const std::string tip = replace_line(both, 5, "LATER\n");
    auto partly = fix::check_executed(report_of("a.py", {{5, 7}, {6, 0}}), {"a.py", parent, both, tip});
    CHECK(partly.mapped == 1);
    CHECK(partly.executed == Executed::no);
  }
  SECTION("a pure deletion marks the line after it") {
    const std::string deleted = replace_line(replace_line(parent, 4, ""), 4, ""); // l4 and l5 gone: l6 is line 4
    CHECK(fix::executed(report_of("a.py", {{3, 0}, {4, 2}}), {"a.py", parent, deleted, deleted}) == Executed::yes);
    CHECK(fix::executed(report_of("a.py", {{3, 2}, {4, 0}}), {"a.py", parent, deleted, deleted}) == Executed::no);
    // At the end of the file: the last line.
    const std::string tail = replace_line(parent, 10, "");
    auto e = fix::check_executed(report_of("a.py", {{9, 1}}), {"a.py", parent, tail, tail});
    CHECK(e.executed == Executed::yes);
    CHECK(e.changed == 1);
    // Everything deleted: no line to look at.
    CHECK(fix::executed(report_of("a.py", {{1, 1}}), {"a.py", parent, "", ""}) == Executed::unknown);
  }
  SECTION("a multi-line statement: the nearest instrumented line before the change decides") {
    const std::string call = "import os\nresult = compute(\n    first,\n    second,\n)\nprint(result)\n";
    const std::string changed = replace_line(call, 4, "    other,\n");
    // Python instruments the statement's first line (2), not its continuation lines.
    auto ran = fix::check_executed(report_of("m.py", {{1, 1}, {2, 1}, {6, 1}}), {"m.py", call, changed, changed});
    CHECK(ran.executed == Executed::yes);
    CHECK(ran.decided_by == 2);
    CHECK(fix::validated_tests(ran) == "tests (executed: the line before the change)");
    auto not_ran = fix::check_executed(report_of("m.py", {{1, 1}, {2, 0}, {6, 0}}), {"m.py", call, changed, changed});
    CHECK(not_ran.executed == Executed::no);
    CHECK(not_ran.decided_by == 2);
    CHECK(fix::validated_tests(not_ran) == "tests (not executed)");
  }
  SECTION("no instrumented line at or before the change: unknown") {
    const std::string top = replace_line(parent, 1, "FIX1\n");
    auto e = fix::check_executed(report_of("a.py", {{3, 1}}), {"a.py", parent, top, top});
    CHECK(e.executed == Executed::unknown);
    CHECK(fix::check_executed(report_of("a.py", {}), {"a.py", parent, fixed, fixed}).executed == Executed::unknown);
  }
  SECTION("texts with NUL bytes or without a final newline are still diffed") {
    const std::string binary("a\n\0b\nc", 6), changed("a\n\0B\nc", 6);
    CHECK(fix::executed(report_of("x.bin", {{2, 1}}), {"x.bin", binary, changed, changed}) == Executed::yes);
    CHECK(fix::executed(report_of("x.c", {{2, 0}}), {"x.c", "a\nb", "a\nB", "a\nB"}) == Executed::no);
  }
}

TEST_CASE("check_executed on parsed reports", "[fix]") {
  test_support::TempDir dir;
  const auto tree = dir.path() / "tree";
  const std::string parent = numbered(6);
  const std::string fixed = replace_line(parent, 3, "FIX\n");
  const fix::FixLines change{"src/a.py", parent, fixed, fixed};

  SECTION("lcov with absolute paths under the tree the tests ran in") {
    dir.write("tree/lcov.info", "SF:" + (tree / "src/a.py").string() + "\nDA:3,2\nend_of_record\n"
                                "SF:/usr/include/stdio.h\nDA:3,0\nend_of_record\n");
    auto r = fix::read_report(tree, "lcov.info", {"src/a.py"});
    REQUIRE(r.coverage);
    CHECK(r.coverage->files.size() == 1);
    CHECK(fix::executed(*r.coverage, change) == Executed::yes);
  }
  SECTION("Cobertura with names relative to a <source>") {
    dir.write("tree/coverage.xml", "<coverage><sources><source>" + (tree / "src").string() + "</source></sources>"
                                   "<packages><package><classes><class filename=\"a.py\"><lines><line number=\"3\" hits=\"0\"/>"
                                   "</lines></class></classes></package></packages></coverage>");
    auto r = fix::read_report(tree, "coverage.xml", {"src/a.py"});
    REQUIRE(r.coverage);
    CHECK(fix::executed(*r.coverage, change) == Executed::no);
  }
  SECTION("a report naming only files outside the tree: the fix's file is not in it") {
    dir.write("tree/lcov.info", "SF:/home/someone/project/src/a.py\nDA:3,2\nend_of_record\n");
    auto r = fix::read_report(tree, "lcov.info", {"src/a.py"});
    REQUIRE(r.coverage);
    CHECK(r.coverage->outside_root == 1);
    CHECK(fix::check_executed(*r.coverage, change).executed == Executed::unknown);
  }
  SECTION("no report configured, none written, malformed, oversized, or outside the tree: why, never a throw") {
    auto none = fix::read_report(tree, "", {"src/a.py"});
    CHECK_FALSE(none.coverage);
    CHECK_THAT(none.why_unknown, Catch::Contains("metrics.coverage_report"));
    std::filesystem::create_directories(tree);
    auto missing = fix::read_report(tree, "lcov.info", {"src/a.py"});
    CHECK_FALSE(missing.coverage);
    CHECK_THAT(missing.why_unknown, Catch::Contains("wrote no lcov.info"));
    dir.write("tree/bad.info", "SF:src/a.py\nDA:3,2\n");
    auto bad = fix::read_report(tree, "bad.info", {"src/a.py"});
    CHECK_FALSE(bad.coverage);
    CHECK_THAT(bad.why_unknown, Catch::Contains("bad.info") && Catch::Contains("end_of_record"));
    dir.write("tree/huge.xml", "");
    std::filesystem::resize_file(tree / "huge.xml", core::k_max_coverage_bytes + 1);
    auto huge = fix::read_report(tree, "huge.xml", {"src/a.py"});
    CHECK_FALSE(huge.coverage);
    CHECK_THAT(huge.why_unknown, Catch::Contains("limit"));
    dir.write("elsewhere.info", "SF:src/a.py\nDA:3,2\nend_of_record\n");
    auto outside = fix::read_report(tree, "../elsewhere.info", {"src/a.py"});
    CHECK_FALSE(outside.coverage);
    CHECK_THAT(outside.why_unknown, Catch::Contains("outside"));
  }
}

// Reports as the tools write them (coverage.py 6.5, gcovr 5.2, trimmed), on files with multi-line statements.
TEST_CASE("check_executed on real tools' reports", "[fix]") {
  test_support::TempDir dir;
  const auto tree = dir.path() / "tree";
  std::filesystem::create_directories(tree);
  const std::string mod = "def used(x):\n    total = compute(\n        x,\n        2,\n    )\n    return total\n\n\n"
                          "def compute(a, b):\n    return a + b\n\n\ndef unused(y):\n    if y:\n        return 1\n    return 2\n";
  const std::string mod_call_changed = replace_line(mod, 4, "        3,\n");   // inside a statement that ran
  const std::string mod_unused_changed = replace_line(mod, 15, "        return 0\n"); // in a function never called

  SECTION("coverage.py lcov: relative SF paths, checksums, DA:0 for an empty module, files outside the tree") {
    dir.write("tree/lcov.info",
              "TN:\nSF:pkg/__init__.py\nDA:0,1,1B2M2Y8AsgTpgAmY7PhCfg\nLF:0\nLH:1\nend_of_record\n"
              "TN:\nSF:pkg/mod.py\nDA:1,1,oJWzpG1XntQ29eaHH5F/kQ\nDA:2,1,76LqYo1XPHqErw2nSEwypw\nDA:6,1,1scISq1C9IiG13gyGfpz9w\n"
              "DA:9,1,QOQdqFzy/2GWuWhW2daFPA\nDA:10,1,Ro176RhJvDYGuBP1DF9bzA\nDA:13,1,lD+JA1G/vk8xcKJVybabqA\n"
              "DA:14,0,+9uLfk/aSnL+rZDHHBLcHQ\nDA:15,0,ZWyNsuiFu+GjJsYxSC4GFw\nDA:16,0,z8LVRRJyAyhv45fqovpCcw\nLF:9\nLH:6\n"
              "end_of_record\nTN:\nSF:/usr/lib/python3/dist-packages/_distutils_hack/__init__.py\nDA:92,1,9un/cx0qmLXmxYDwdOJ1rA\n"
              "LF:1\nLH:1\nend_of_record\n");
    auto r = fix::read_report(tree, "lcov.info", {"pkg/mod.py", "pkg/__init__.py"});
    REQUIRE(r.coverage);
    CHECK(r.coverage->outside_root == 1);
    CHECK(r.coverage->file("pkg/__init__.py")->lines.empty());
    auto in_call = fix::check_executed(*r.coverage, {"pkg/mod.py", mod, mod_call_changed, mod_call_changed});
    CHECK(in_call.executed == Executed::yes);
    CHECK(in_call.decided_by == 2);
    CHECK(fix::executed(*r.coverage, {"pkg/mod.py", mod, mod_unused_changed, mod_unused_changed}) == Executed::no);
  }
  SECTION("coverage.py XML: an empty <source>, the tree as a source, a class outside it") {
    dir.write("tree/coverage.xml",
              "<?xml version=\"1.0\" ?>\n<coverage version=\"6.5.0\" timestamp=\"1796164893401\" lines-valid=\"109\" "
              "lines-covered=\"13\" line-rate=\"0.1193\" branches-covered=\"0\" branches-valid=\"0\" branch-rate=\"0\" "
              "complexity=\"0\">\n\t<!-- Generated by coverage.py: https://coverage.readthedocs.io -->\n\t<sources>\n"
              "\t\t<source></source>\n\t\t<source>" + tree.string() + "</source>\n\t</sources>\n\t<packages>\n"
              "\t\t<package name=\".usr.lib.python3.dist-packages._distutils_hack\" line-rate=\"0.05102\">\n\t\t\t<classes>\n"
              "\t\t\t\t<class name=\"__init__.py\" filename=\"/usr/lib/python3/dist-packages/_distutils_hack/__init__.py\" "
              "complexity=\"0\" line-rate=\"0.05102\" branch-rate=\"0\">\n\t\t\t\t\t<methods/>\n\t\t\t\t\t<lines>\n"
              "\t\t\t\t\t\t<line number=\"2\" hits=\"0\"/>\n\t\t\t\t\t</lines>\n\t\t\t\t</class>\n\t\t\t</classes>\n\t\t</package>\n"
              "\t\t<package name=\"pkg\" line-rate=\"0.6667\" branch-rate=\"0\" complexity=\"0\">\n\t\t\t<classes>\n"
              "\t\t\t\t<class name=\"__init__.py\" filename=\"pkg/__init__.py\" complexity=\"0\" line-rate=\"1\" branch-rate=\"0\">\n"
              "\t\t\t\t\t<methods/>\n\t\t\t\t\t<lines/>\n\t\t\t\t</class>\n"
              "\t\t\t\t<class name=\"mod.py\" filename=\"pkg/mod.py\" complexity=\"0\" line-rate=\"0.6667\" branch-rate=\"0\">\n"
              "\t\t\t\t\t<methods/>\n\t\t\t\t\t<lines>\n\t\t\t\t\t\t<line number=\"1\" hits=\"1\"/>\n"
              "\t\t\t\t\t\t<line number=\"2\" hits=\"1\"/>\n\t\t\t\t\t\t<line number=\"6\" hits=\"1\"/>\n"
              "\t\t\t\t\t\t<line number=\"9\" hits=\"1\"/>\n\t\t\t\t\t\t<line number=\"10\" hits=\"1\"/>\n"
              "\t\t\t\t\t\t<line number=\"13\" hits=\"1\"/>\n\t\t\t\t\t\t<line number=\"14\" hits=\"0\"/>\n"
              "\t\t\t\t\t\t<line number=\"15\" hits=\"0\"/>\n\t\t\t\t\t\t<line number=\"16\" hits=\"0\"/>\n"
              "\t\t\t\t\t</lines>\n\t\t\t\t</class>\n\t\t\t</classes>\n\t\t</package>\n\t</packages>\n</coverage>\n");
    auto r = fix::read_report(tree, "coverage.xml", {"pkg/mod.py"});
    REQUIRE(r.coverage);
    CHECK(r.coverage->files.size() == 1);
    CHECK(r.coverage->outside_root == 1);
    CHECK(fix::executed(*r.coverage, {"pkg/mod.py", mod, mod_call_changed, mod_call_changed}) == Executed::yes);
    CHECK(fix::executed(*r.coverage, {"pkg/mod.py", mod, mod_unused_changed, mod_unused_changed}) == Executed::no);
  }
  SECTION("gcovr Cobertura: <source>., <condition> elements with a number of their own") {
    const std::string c = "#include <stdio.h>\n\nstatic int twice(int x) {\n  return 2 * x;\n}\n\nstatic int never(int y) {\n"
                          "  return y +\n         1;\n}\n\nint main(void) {\n  int v = twice(\n      3);\n  printf(\"%d\\n\", v);\n"
                          "  if (v > 100)\n    return never(v);\n  return 0;\n}\n";
    dir.write("tree/cov.xml",
              "<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE coverage SYSTEM 'http://cobertura.sourceforge.net/xml/coverage-04.dtd'>\n"
              "<coverage line-rate=\"0.7\" function-rate=\"0.6666666666666666\" branch-rate=\"0.5\" lines-covered=\"7\" "
              "lines-valid=\"10\" functions-covered=\"2\" functions-valid=\"3\" branches-covered=\"1\" branches-valid=\"2\" "
              "complexity=\"0.0\" timestamp=\"1796164899\" version=\"gcovr 5.2\"><sources><source>.</source></sources><packages>"
              "<package name=\"src\" line-rate=\"0.7\" function-rate=\"0.6666666666666666\" branch-rate=\"0.5\" complexity=\"0.0\">"
              "<classes><class name=\"a_c\" filename=\"src/a.c\" line-rate=\"0.7\" branch-rate=\"0.5\" complexity=\"0.0\"><methods/>"
              "<lines><line number=\"3\" hits=\"1\" branch=\"false\"/><line number=\"4\" hits=\"1\" branch=\"false\"/>"
              "<line number=\"7\" hits=\"0\" branch=\"false\"/><line number=\"8\" hits=\"0\" branch=\"false\"/>"
              "<line number=\"12\" hits=\"1\" branch=\"false\"/><line number=\"13\" hits=\"1\" branch=\"false\"/>"
              "<line number=\"15\" hits=\"1\" branch=\"false\"/><line number=\"16\" hits=\"1\" branch=\"true\" "
              "condition-coverage=\"50% (1/2)\"><conditions><condition number=\"0\" type=\"jump\" coverage=\"50%\"/></conditions>"
              "</line><line number=\"17\" hits=\"0\" branch=\"false\"/><line number=\"18\" hits=\"1\" branch=\"false\"/></lines>"
              "</class></classes></package></packages></coverage>");
    auto r = fix::read_report(tree, "cov.xml", {"src/a.c"});
    REQUIRE(r.coverage);
    CHECK(r.coverage->file("src/a.c")->lines.size() == 10);
    const std::string arg = replace_line(c, 14, "      4);\n");  // a continuation line of a statement that ran
    const std::string tail = replace_line(c, 9, "         2;\n"); // one of a function never called
    CHECK(fix::executed(*r.coverage, {"src/a.c", c, arg, arg}) == Executed::yes);
    CHECK(fix::executed(*r.coverage, {"src/a.c", c, tail, tail}) == Executed::no);
  }
}

TEST_CASE("check_commit", "[fix]") {
  test_support::TempRepo repo;
  const std::string base_text = numbered(10);
  repo.write("a.py", base_text);
  repo.write("b.py", "x = 1\n");
  const std::string base = repo.commit("base");
  repo.write("a.py", replace_line(base_text, 5, "FIX5\n"));
  const std::string fix1 = repo.commit("fix 1: line 5");
  repo.write("a.py", replace_line(replace_line(base_text, 5, "FIX5\n"), 2, "L2a\nL2b\nL2c\n"));
  repo.write("c.py", "new = 1\n");
  const std::string tip = repo.commit("fix 2: line 2 becomes three, a new file");
  auto git_repo = git::Repository::open(repo.path());

  SECTION("the paths the chain changed") {
    CHECK(fix::changed_paths(git_repo, base, tip) == std::set<std::string>{"a.py", "c.py"});
  }
  SECTION("a fix's lines are looked up where they are at the tip") {
    fix::Report report;
    report.coverage = metrics::LineCoverage{};
    report.coverage->files["a.py"].lines = {{5, 0}, {7, 3}};
    auto e = fix::check_commit(git_repo, report, fix1, tip);
    CHECK(e.executed == Executed::yes);
    CHECK(fix::validated_tests(e) == "tests (executed: 1 changed line)");
    report.coverage->files["a.py"].lines = {{5, 3}, {7, 0}};
    CHECK(fix::check_commit(git_repo, report, fix1, tip).executed == Executed::no);
  }
  SECTION("an added file: every line is changed") {
    fix::Report report;
    report.coverage = metrics::LineCoverage{};
    report.coverage->files["c.py"].lines = {{1, 1}};
    report.coverage->files["a.py"].lines = {{1, 0}, {2, 0}, {3, 0}, {4, 0}};
    auto e = fix::check_commit(git_repo, report, tip, tip);
    CHECK(e.executed == Executed::yes); // c.py ran; a.py's new lines 2-4 did not
    CHECK(e.ran == 1);
  }
  SECTION("without a report: unknown, saying why") {
    fix::Report report;
    report.why_unknown = "the tests wrote no coverage/lcov.info";
    auto e = fix::check_commit(git_repo, report, fix1, tip);
    CHECK(e.executed == Executed::unknown);
    CHECK(e.reason == report.why_unknown);
    CHECK(fix::validated_tests(e) == "tests (coverage unknown)");
  }
}

TEST_CASE("combine", "[fix]") {
  fix::Execution yes{Executed::yes, 2, 2, 2, 1, 0, "a: ran"}, no{Executed::no, 1, 1, 1, 0, 0, "b: not"},
      unknown{Executed::unknown, 1, 1, 0, 0, 0, "c: unknown"};
  SECTION("yes when any file's change ran") {
    auto c = fix::combine({no, yes, unknown});
    CHECK(c.executed == Executed::yes);
    CHECK(c.ran == 1);
    CHECK(c.reason == "b: not; a: ran; c: unknown");
  }
  SECTION("no only when every file says no") {
    CHECK(fix::combine({no, no}).executed == Executed::no);
    CHECK(fix::combine({no, unknown}).executed == Executed::unknown);
  }
  SECTION("no file: unknown") { CHECK(fix::combine({}).executed == Executed::unknown); }
}

TEST_CASE("tests_caveat", "[fix]") {
  const std::string gates = "size<=20, no-destruction, reparse, line-endings, ";
  CHECK_THAT(fix::tests_caveat(gates + "tests (coverage unknown)"), Catch::Contains("coverage is unknown"));
  CHECK_THAT(fix::tests_caveat(gates + "tests (not executed)"), Catch::Contains("never execute"));
  CHECK(fix::tests_caveat(gates + "tests (executed: 2 changed lines)").empty());
  CHECK(fix::tests_caveat(gates + "tests").empty()); // made before the coverage gate
  CHECK(fix::tests_caveat("size<=20, no-destruction, reparse, line-endings").empty());
  CHECK(fix::tests_caveat("").empty());
}
