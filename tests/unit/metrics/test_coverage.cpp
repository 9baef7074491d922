#include "../support/temp_repo.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "metrics/coverage.hpp"

TEST_CASE("parse_lcov", "[metrics]") {
  SECTION("sums LF/LH over records") {
    auto c = metrics::parse_lcov("TN:\nSF:a.c\nDA:1,1\nLF:10\nLH:7\nend_of_record\nSF:b.c\nLF:30\nLH:3\nend_of_record\n");
    CHECK(c.lines_found == 40);
    CHECK(c.lines_hit == 10);
    CHECK(c.percent() == Approx(25.0));
  }
  SECTION("counts DA lines when a record has no totals") {
    auto c = metrics::parse_lcov("SF:a.py\r\nDA:1,3\r\nDA:2,0\r\nDA:3,1,abc\r\nend_of_record\r\n");
    CHECK(c.lines_found == 3);
    CHECK(c.lines_hit == 2);
  }
  SECTION("refuses what is not a tracefile, naming the line") {
    CHECK_THROWS_WITH(metrics::parse_lcov("hello world\n"), Catch::Contains("line 1"));
    CHECK_THROWS_WITH(metrics::parse_lcov("SF:a\nLF:x\n"), Catch::Contains("line 2"));
    CHECK_THROWS_AS(metrics::parse_lcov(""), core::Error);
  }
}

TEST_CASE("parse_cobertura", "[metrics]") {
  SECTION("lines-covered / lines-valid") {
    auto c = metrics::parse_cobertura(R"(<?xml version="1.0" ?><coverage version="7.2" lines-valid="200" lines-covered="150" line-rate="0.75"><packages/></coverage>)");
    CHECK(c.percent() == Approx(75.0));
  }
  SECTION("line-rate alone") {
    CHECK(metrics::parse_cobertura(R"(<coverage line-rate="0.5" branch-rate="0">)").percent() == Approx(50.0));
  }
  SECTION("refuses other XML") {
    CHECK_THROWS_AS(metrics::parse_cobertura("<html></html>"), core::Error);
    CHECK_THROWS_AS(metrics::parse_cobertura(R"(<coverage line-rate="1.5">)"), core::Error);
  }
}

TEST_CASE("read_coverage", "[metrics]") {
  test_support::TempDir dir;
  SECTION("picks the parser by content; a missing file is nullopt") {
    core::write_file_atomic(dir.path() / "lcov.info", "SF:x\nLF:4\nLH:1\nend_of_record\n");
    core::write_file_atomic(dir.path() / "coverage.xml", "\n<coverage lines-valid=\"4\" lines-covered=\"3\">");
    CHECK(metrics::read_coverage((dir.path() / "lcov.info").string())->percent() == Approx(25.0));
    CHECK(metrics::read_coverage((dir.path() / "coverage.xml").string())->percent() == Approx(75.0));
    CHECK_FALSE(metrics::read_coverage((dir.path() / "none.info").string()));
  }
  SECTION("a broken report names the file") {
    core::write_file_atomic(dir.path() / "bad.info", "garbage\n");
    CHECK_THROWS_WITH(metrics::read_coverage((dir.path() / "bad.info").string()), Catch::Contains("bad.info"));
  }
}

TEST_CASE("read_coverage of the repository's report", "[metrics]") {
  test_support::TempDir dir;
  const auto work = dir.path() / "work";
  std::filesystem::create_directories(work);
  core::write_file_atomic(dir.path() / "outside.info", "SF:x\nLF:4\nLH:1\nend_of_record\n");

  SECTION("inside the work tree it is read") {
    core::write_file_atomic(work / "lcov.info", "SF:x\nLF:4\nLH:1\nend_of_record\n");
    CHECK(metrics::read_coverage((work / "lcov.info").string(), work)->percent() == Approx(25.0));
  }
  SECTION("coverage_report: /dev/zero is refused without reading it") {
    CHECK_THROWS_WITH(metrics::read_coverage((work / "/dev/zero").string(), work),
                      Catch::Contains("/dev/zero") && Catch::Contains("outside"));
    std::filesystem::create_symlink("/dev/zero", work / "zero.info");
    CHECK_THROWS_WITH(metrics::read_coverage((work / "zero.info").string(), work), Catch::Contains("character device"));
  }
  SECTION("coverage_report: ../outside.info is refused") {
    CHECK_THROWS_WITH(metrics::read_coverage((work / "../outside.info").string(), work), Catch::Contains("outside"));
  }
  SECTION("a Cobertura root element with megabytes of attributes parses without deep recursion") {
    std::string xml = "<coverage " + std::string(4 << 20, 'a') + " line-rate=\"0.5\">";
    CHECK(metrics::parse_cobertura(xml).percent() == Approx(50.0));
    CHECK_THROWS_AS(metrics::parse_cobertura("<coverage " + std::string(4 << 20, 'a')), core::Error);
  }
}
