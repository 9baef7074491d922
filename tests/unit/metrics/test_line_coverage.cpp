#include "../support/temp_repo.hpp"

#include "core/error.hpp"
#include "core/limits.hpp"
#include "metrics/line_coverage.hpp"

#include <climits>
#include <set>

namespace {

using Lines = std::vector<metrics::LineHits>;

Lines lines_of(const metrics::LineCoverage& c, const std::string& path) {
  const auto* f = c.file(path);
  return f ? f->lines : Lines{};
}

} // namespace

TEST_CASE("relative_to_root", "[metrics]") {
  test_support::TempDir dir;
  const auto root = dir.path() / "tree";
  std::filesystem::create_directories(root / "src");

  SECTION("absolute paths under the root, relative paths from it, ./ and .. folded") {
    CHECK(metrics::relative_to_root((root / "src/a.py").string(), root) == "src/a.py");
    CHECK(metrics::relative_to_root("src/a.py", root) == "src/a.py");
    CHECK(metrics::relative_to_root("./src/./a.py", root) == "src/a.py");
    CHECK(metrics::relative_to_root("src/../lib/b.js", root) == "lib/b.js");
    CHECK(metrics::relative_to_root((root / "src/../src/a.py").string(), root) == "src/a.py");
  }
  SECTION("the root with a trailing slash is the same root") {
    CHECK(metrics::relative_to_root((root / "a.c").string(), root.string() + "/") == "a.c");
  }
  SECTION("outside the root, or the root itself: nothing") {
    CHECK_FALSE(metrics::relative_to_root("/usr/include/stdio.h", root));
    CHECK_FALSE(metrics::relative_to_root("../outside.py", root));
    CHECK_FALSE(metrics::relative_to_root((dir.path() / "tree2/a.py").string(), root));
    CHECK_FALSE(metrics::relative_to_root(root.string(), root));
    CHECK_FALSE(metrics::relative_to_root(".", root));
    CHECK_FALSE(metrics::relative_to_root("", root));
  }
  SECTION("a root reached through a symlink matches paths the tool wrote resolved, and as given") {
    std::filesystem::create_directory_symlink(root, dir.path() / "link");
    CHECK(metrics::relative_to_root((root / "src/a.py").string(), dir.path() / "link") == "src/a.py");
    CHECK(metrics::relative_to_root((dir.path() / "link/src/a.py").string(), dir.path() / "link") == "src/a.py");
  }
}

TEST_CASE("parse_lcov_lines", "[metrics]") {
  const std::filesystem::path root = "/work/tree";

  SECTION("per-file lines and counts, absolute and relative SF paths, checksums ignored") {
    auto c = metrics::parse_lcov_lines("TN:\nSF:/work/tree/src/a.c\nFN:1,main\nDA:1,4\nDA:2,0\nDA:3,1,abcdef\nLF:3\nLH:2\n"
                                       "end_of_record\nSF:lib/b.js\r\nDA:7,2\r\nend_of_record\r\n",
                                       root);
    CHECK(c.files.size() == 2);
    CHECK(lines_of(c, "src/a.c") == Lines{{1, 4}, {2, 0}, {3, 1}});
    CHECK(lines_of(c, "lib/b.js") == Lines{{7, 2}});
    CHECK(c.outside_root == 0);
  }
  SECTION("records of the same file merge, each line keeping its highest count, in line order") {
    auto c = metrics::parse_lcov_lines("SF:a.py\nDA:5,0\nDA:2,1\nend_of_record\nSF:./a.py\nDA:5,3\nDA:1,0\nend_of_record\n", root);
    CHECK(lines_of(c, "a.py") == Lines{{1, 0}, {2, 1}, {5, 3}});
  }
  SECTION("files outside the root are left out and counted") {
    auto c = metrics::parse_lcov_lines("SF:/usr/include/stdio.h\nDA:1,1\nend_of_record\nSF:../x.c\nDA:1,1\nend_of_record\n"
                                       "SF:/work/tree/x.c\nDA:1,1\nend_of_record\n",
                                       root);
    CHECK(c.files.size() == 1);
    CHECK(c.file("x.c"));
    CHECK(c.outside_root == 2);
  }
  SECTION("a filter keeps only the files asked for") {
    const std::set<std::string> keep{"b.c"};
    auto c = metrics::parse_lcov_lines("SF:a.c\nDA:1,1\nend_of_record\nSF:b.c\nDA:2,1\nend_of_record\n", root, &keep);
    CHECK(c.files.size() == 1);
    CHECK(lines_of(c, "b.c") == Lines{{2, 1}});
  }
  SECTION("a count beyond long long saturates instead of failing") {
    auto c = metrics::parse_lcov_lines("SF:a.c\nDA:1,99999999999999999999999\nend_of_record\n", root);
    CHECK(lines_of(c, "a.c") == Lines{{1, LLONG_MAX}});
  }
  SECTION("malformed tracefiles are errors naming the line") {
    CHECK_THROWS_WITH(metrics::parse_lcov_lines("", root), Catch::Contains("no SF:"));
    CHECK_THROWS_WITH(metrics::parse_lcov_lines("hello\n", root), Catch::Contains("line 1"));
    CHECK_THROWS_WITH(metrics::parse_lcov_lines("DA:1,1\n", root), Catch::Contains("line 1") && Catch::Contains("outside a record"));
    CHECK_THROWS_WITH(metrics::parse_lcov_lines("SF:a\nDA:1\nend_of_record\n", root), Catch::Contains("line 2"));
    CHECK_THROWS_WITH(metrics::parse_lcov_lines("SF:a\nDA:-1,1\nend_of_record\n", root), Catch::Contains("bad line number"));
    CHECK_THROWS_WITH(metrics::parse_lcov_lines("SF:a\nDA:x,1\nend_of_record\n", root), Catch::Contains("bad line number"));
    CHECK_THROWS_WITH(metrics::parse_lcov_lines("SF:a\nDA:99999999999,1\nend_of_record\n", root), Catch::Contains("bad line number"));
    CHECK_THROWS_WITH(metrics::parse_lcov_lines("SF:a\nDA:1,-1\nend_of_record\n", root), Catch::Contains("bad count"));
    CHECK_THROWS_WITH(metrics::parse_lcov_lines("SF:a\nDA:1,2x\nend_of_record\n", root), Catch::Contains("bad count"));
    CHECK_THROWS_WITH(metrics::parse_lcov_lines("SF:a\nend_of_record\nend_of_record\n", root), Catch::Contains("line 3"));
    CHECK_THROWS_WITH(metrics::parse_lcov_lines("SF:a\nDA:1,1\nSF:b\nend_of_record\n", root), Catch::Contains("line 3"));
  }
  SECTION("a truncated tracefile (no end_of_record) is an error, not a partial answer") {
    CHECK_THROWS_WITH(metrics::parse_lcov_lines("SF:a.c\nDA:1,1\nend_of_record\nSF:b.c\nDA:1,0\n", root),
                      Catch::Contains("line 4") && Catch::Contains("end_of_record"));
  }
}

TEST_CASE("parse_cobertura_lines", "[metrics]") {
  test_support::TempDir dir;
  const auto root = dir.path() / "tree";
  std::filesystem::create_directories(root / "src/pkg");
  dir.write("tree/src/pkg/mod.py", "x = 1\n");

  SECTION("coverage.py: an absolute <source>, names relative to it, comments and the XML declaration skipped") {
    const std::string xml = "<?xml version=\"1.0\" ?>\n<coverage version=\"7.4.0\" line-rate=\"0.5\">\n"
                            "\t<!-- Generated by coverage.py: https://coverage.readthedocs.io/ -->\n"
                            "\t<sources>\n\t\t<source>" + (root / "src").string() + "</source>\n\t</sources>\n"
                            "\t<packages><package name=\"pkg\"><classes>\n"
                            "\t\t<class name=\"mod.py\" filename=\"pkg/mod.py\" complexity=\"0\" line-rate=\"0.5\">\n"
                            "\t\t\t<methods/>\n\t\t\t<lines>\n\t\t\t\t<line number=\"1\" hits=\"1\"/>\n"
                            "\t\t\t\t<line number=\"3\" hits=\"0\"/>\n\t\t\t</lines>\n\t\t</class>\n"
                            "\t</classes></package></packages>\n</coverage>\n";
    auto c = metrics::parse_cobertura_lines(xml, root);
    CHECK(c.files.size() == 1);
    CHECK(lines_of(c, "src/pkg/mod.py") == Lines{{1, 1}, {3, 0}});
  }
  SECTION("gcovr: a DOCTYPE, <source>. and names relative to the root; attributes in any order and quote") {
    const std::string xml = "<?xml version='1.0' encoding='UTF-8'?>\n"
                            "<!DOCTYPE coverage SYSTEM 'http://cobertura.sourceforge.net/xml/coverage-04.dtd'>\n"
                            "<coverage line-rate='0.5'><sources><source>.</source></sources><packages><package name=''>"
                            "<classes><class name='a_c' filename='src/a.c' line-rate='0.5'><methods/><lines>"
                            "<line hits='0' branch='false' number='10'/><line number = '2' hits = '7' branch='false'/>"
                            "</lines></class></classes></package></packages></coverage>";
    auto c = metrics::parse_cobertura_lines(xml, root);
    CHECK(lines_of(c, "src/a.c") == Lines{{2, 7}, {10, 0}});
  }
  SECTION("Istanbul: the same line under <methods> and <lines> counts once, with its highest hits") {
    const std::string xml = "<coverage><sources><source>" + root.string() + "</source></sources><packages><package>"
                            "<classes><class name=\"index.js\" filename=\"lib/index.js\"><methods><method name=\"f\">"
                            "<lines><line number=\"4\" hits=\"2\"/></lines></method></methods><lines>"
                            "<line number=\"4\" hits=\"2\" branch=\"false\"/><line number=\"5\" hits=\"0\"/>"
                            "</lines></class></classes></package></packages></coverage>";
    auto c = metrics::parse_cobertura_lines(xml, root);
    CHECK(lines_of(c, "lib/index.js") == Lines{{4, 2}, {5, 0}});
  }
  SECTION("several sources: the one under which the file exists wins") {
    const std::string xml = "<coverage><sources><source>" + root.string() + "</source><source>" + (root / "src").string() +
                            "</source></sources><packages><package><classes>"
                            "<class filename=\"pkg/mod.py\"><lines><line number=\"1\" hits=\"1\"/></lines></class>"
                            "</classes></package></packages></coverage>";
    auto c = metrics::parse_cobertura_lines(xml, root);
    CHECK(c.file("src/pkg/mod.py"));
    CHECK_FALSE(c.file("pkg/mod.py"));
  }
  SECTION("sources may come after the classes; entities in names are decoded") {
    const std::string xml = "<coverage><packages><package><classes><class filename=\"a&amp;b&#46;py\"><lines>"
                            "<line number=\"2\" hits=\"1\"/></lines></class></classes></package></packages>"
                            "<sources><source><![CDATA[" + (root / "src").string() + "]]></source></sources></coverage>";
    auto c = metrics::parse_cobertura_lines(xml, root);
    CHECK(lines_of(c, "src/a&b.py") == Lines{{2, 1}});
  }
  SECTION("files outside the root are left out; absolute filenames are taken as they are") {
    const std::string xml = "<coverage><sources><source>/elsewhere</source></sources><packages><package><classes>"
                            "<class filename=\"/usr/lib/python3/x.py\"><lines><line number=\"1\" hits=\"1\"/></lines></class>"
                            "<class filename=\"" + (root / "in.py").string() + "\"><lines><line number=\"1\" hits=\"1\"/></lines></class>"
                            "<class filename=\"../../up.py\"><lines><line number=\"1\" hits=\"1\"/></lines></class>"
                            "</classes></package></packages></coverage>";
    auto c = metrics::parse_cobertura_lines(xml, root);
    CHECK(c.files.size() == 1);
    CHECK(c.file("in.py"));
    CHECK(c.outside_root == 2);
  }
  SECTION("a '>' inside an attribute value does not end the tag") {
    auto c = metrics::parse_cobertura_lines("<coverage><class name=\"a>b\" filename=\"x.py\"><line number=\"3\" hits=\"1\"/></class></coverage>", root);
    CHECK(lines_of(c, "x.py") == Lines{{3, 1}});
  }
  SECTION("malformed reports are errors naming the line") {
    CHECK_THROWS_WITH(metrics::parse_cobertura_lines("", root), Catch::Contains("no <coverage>"));
    CHECK_THROWS_WITH(metrics::parse_cobertura_lines("<html><body/></html>", root), Catch::Contains("root element is <html>"));
    CHECK_THROWS_WITH(metrics::parse_cobertura_lines("<coverage>\n<class filename=\"a\">\n<line number=\"x\" hits=\"1\"/></class></coverage>", root),
                      Catch::Contains("line 3") && Catch::Contains("number"));
    CHECK_THROWS_WITH(metrics::parse_cobertura_lines("<coverage><class filename=\"a\"><line number=\"1\"/></class></coverage>", root),
                      Catch::Contains("hits"));
    CHECK_THROWS_WITH(metrics::parse_cobertura_lines("<coverage><class filename=\"a\"><line number=\"1\" hits=\"-2\"/></class></coverage>", root),
                      Catch::Contains("hits"));
    CHECK_THROWS_WITH(metrics::parse_cobertura_lines("<coverage>\n<!-- never closed", root), Catch::Contains("line 2") && Catch::Contains("comment"));
    CHECK_THROWS_WITH(metrics::parse_cobertura_lines("<coverage><class filename=\"a", root), Catch::Contains("unterminated"));
    CHECK_THROWS_WITH(metrics::parse_cobertura_lines("<coverage><class filename=a>", root), Catch::Contains("unquoted"));
    CHECK_THROWS_WITH(metrics::parse_cobertura_lines("<coverage>< class>", root), Catch::Contains("starts no tag"));
  }
  SECTION("a truncated report (no </coverage>) is an error, not a partial answer") {
    CHECK_THROWS_WITH(metrics::parse_cobertura_lines("<coverage><class filename=\"a\"><line number=\"1\" hits=\"1\"/>", root),
                      Catch::Contains("</coverage>"));
  }
  SECTION("too many <source> elements are refused (each multiplies the work per class)") {
    std::string xml = "<coverage><sources>";
    for (int i = 0; i < 17; ++i) xml += "<source>/s" + std::to_string(i) + "</source>";
    CHECK_THROWS_WITH(metrics::parse_cobertura_lines(xml + "</sources></coverage>", root), Catch::Contains("<source>"));
  }
  SECTION("megabytes in one attribute or of unclosed tags parse in one pass") {
    const std::string big(4 << 20, 'a');
    auto c = metrics::parse_cobertura_lines("<coverage x=\"" + big + "\"><class filename=\"a.py\"><line number=\"1\" hits=\"1\"/></class></coverage>", root);
    CHECK(c.file("a.py"));
    std::string many = "<coverage>";
    for (int i = 0; i < 200000; ++i) many += "<lines>";
    CHECK_THROWS_WITH(metrics::parse_cobertura_lines(many, root), Catch::Contains("</coverage>"));
  }
}

TEST_CASE("read_line_coverage", "[metrics]") {
  test_support::TempDir dir;
  const auto root = dir.path() / "tree";
  std::filesystem::create_directories(root);

  SECTION("picks the parser by content; a missing report is nullopt") {
    dir.write("tree/lcov.info", "SF:" + (root / "a.c").string() + "\nDA:1,1\nend_of_record\n");
    dir.write("tree/coverage.xml", "\xEF\xBB\xBF  <coverage><class filename=\"b.py\"><line number=\"2\" hits=\"0\"/></class></coverage>");
    auto lcov = metrics::read_line_coverage(root / "lcov.info", root);
    REQUIRE(lcov);
    CHECK(lines_of(*lcov, "a.c") == Lines{{1, 1}});
    auto xml = metrics::read_line_coverage(root / "coverage.xml", root);
    REQUIRE(xml);
    CHECK(lines_of(*xml, "b.py") == Lines{{2, 0}});
    CHECK_FALSE(metrics::read_line_coverage(root / "none.info", root));
  }
  SECTION("a malformed report names the file") {
    dir.write("tree/bad.info", "SF:a\nDA:1\n");
    CHECK_THROWS_WITH(metrics::read_line_coverage(root / "bad.info", root), Catch::StartsWith((root / "bad.info").string()));
  }
  SECTION("an oversized report is refused without being parsed") {
    dir.write("tree/huge.info", "");
    std::filesystem::resize_file(root / "huge.info", core::k_max_coverage_bytes + 1);
    CHECK_THROWS_WITH(metrics::read_line_coverage(root / "huge.info", root), Catch::Contains("limit"));
  }
  SECTION("a report outside the tree, or linked out of it, is refused") {
    dir.write("outside.info", "SF:a\nDA:1,1\nend_of_record\n");
    CHECK_THROWS_WITH(metrics::read_line_coverage(root / "../outside.info", root), Catch::Contains("outside"));
    std::filesystem::create_symlink(dir.path() / "outside.info", root / "link.info");
    CHECK_THROWS_WITH(metrics::read_line_coverage(root / "link.info", root), Catch::Contains("outside"));
  }
}
