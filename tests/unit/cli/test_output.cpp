// Text output of repository-controlled strings (cli/output): nothing reaches the terminal as a control sequence.
#include "cli/output.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

TEST_CASE("printable") {
  CHECK(cli::printable("plain text, tabs\tand UTF-8 caf\xc3\xa9") == "plain text, tabs\tand UTF-8 caf\xc3\xa9");
  CHECK(cli::printable("a\033]52;c;cHduZWQ=\007b") == "a\\x1b]52;c;cHduZWQ=\\x07b");
  CHECK(cli::printable("line\nbreak\r") == "line\\x0abreak\\x0d");
  CHECK(cli::printable(std::string("nul\0del\x7f", 8)) == "nul\\x00del\\x7f");
  CHECK(cli::printable("c1 \xc2\x9b" "2J") == "c1 \\x9b2J");
  CHECK(cli::printable("\xc2") == "\xc2"); // a truncated sequence is left as it is
}

TEST_CASE("format_text escapes control characters in paths, messages and snippets") {
  cli::Row r;
  r.id = 3;
  r.rule = "repo/esc";
  r.severity = "info";
  r.status = "open";
  r.path = "esc\033[2Jname.py";
  r.line = 1;
  r.message = "ok\033]52;c;eA==\007";
  r.snippet = "x = '\033[31m'";
  const std::string text = cli::format_text({r});
  CHECK(text.find('\033') == std::string::npos);
  CHECK(text.find("esc\\x1b[2Jname.py:1: info [repo/esc] ok\\x1b]52;c;eA==\\x07") != std::string::npos);
}

TEST_CASE("refusal_line") {
  SECTION("outcome and detail on one line") {
    CHECK(cli::refusal_line(core::Outcome::tests_failed, "exit 1:\nFAILED test_a\r\n\tFAILED test_b\n") ==
          "tests_failed: exit 1: / FAILED test_a / FAILED test_b");
    CHECK(cli::refusal_line(core::Outcome::too_large, "") == "too_large");
  }

  SECTION("long details are cut, never inside a UTF-8 sequence") {
    std::string detail(181, 'x'); // "tests_failed: " + 181 bytes: the cut at 200 falls inside an é
    for (int i = 0; i < 20; ++i) detail += "\xc3\xa9"; // é
    std::string line = cli::refusal_line(core::Outcome::tests_failed, detail);
    REQUIRE(line.size() > 3);
    CHECK(line.substr(line.size() - 3) == "...");
    const std::string kept = line.substr(0, line.size() - 3);
    CHECK(kept.size() == 14 + 181 + 4); // two whole é, not half of the third
    CHECK(kept.substr(kept.size() - 2) == "\xc3\xa9");
  }
}
