// Colour, pager and progress decisions (cli/terminal): git's order, NO_COLOR, and nothing on a pipe.
#include "cli/output.hpp"
#include "cli/terminal.hpp"

#include <catch2/catch.hpp>

namespace {

cli::ColourInputs on_terminal() {
  cli::ColourInputs in;
  in.is_tty = true;
  in.term = "xterm-256color";
  return in;
}

} // namespace

TEST_CASE("parse_colour_when") {
  CHECK(cli::parse_colour_when("auto") == cli::ColourWhen::automatic);
  CHECK(cli::parse_colour_when("true") == cli::ColourWhen::automatic);
  CHECK(cli::parse_colour_when("always") == cli::ColourWhen::always);
  CHECK(cli::parse_colour_when("never") == cli::ColourWhen::never);
  CHECK(cli::parse_colour_when("false") == cli::ColourWhen::never);
  CHECK_FALSE(cli::parse_colour_when("sometimes").has_value());
}

TEST_CASE("colour_decision") {
  SECTION("auto colours a terminal, not a pipe, not a dumb terminal") {
    CHECK(cli::colour_decision(on_terminal()));
    cli::ColourInputs pipe = on_terminal();
    pipe.is_tty = false;
    CHECK_FALSE(cli::colour_decision(pipe));
    cli::ColourInputs dumb = on_terminal();
    dumb.term = "dumb";
    CHECK_FALSE(cli::colour_decision(dumb));
  }
  SECTION("NO_COLOR set and non-empty turns colour off; empty is unset") {
    cli::ColourInputs in = on_terminal();
    in.no_color = "1";
    CHECK_FALSE(cli::colour_decision(in));
    in.no_color = "";
    CHECK(cli::colour_decision(in));
  }
  SECTION("NO_COLOR outweighs color.ui") {
    cli::ColourInputs in = on_terminal();
    in.colour_ui = "always";
    in.no_color = "yes";
    CHECK_FALSE(cli::colour_decision(in));
  }
  SECTION("color.ui decides when nothing else does") {
    cli::ColourInputs in = on_terminal();
    in.colour_ui = "never";
    CHECK_FALSE(cli::colour_decision(in));
    in.colour_ui = "false";
    CHECK_FALSE(cli::colour_decision(in));
    in.is_tty = false;
    in.colour_ui = "always";
    CHECK(cli::colour_decision(in));
  }
  SECTION("--color outweighs NO_COLOR and color.ui") {
    cli::ColourInputs in = on_terminal();
    in.is_tty = false;
    in.no_color = "1";
    in.colour_ui = "never";
    in.option = "always";
    CHECK(cli::colour_decision(in));
    in = on_terminal();
    in.option = "never";
    CHECK_FALSE(cli::colour_decision(in));
  }
  SECTION("--color=auto outweighs color.ui, not NO_COLOR") {
    cli::ColourInputs in = on_terminal();
    in.option = "auto";
    in.colour_ui = "never";
    CHECK(cli::colour_decision(in));
    in.is_tty = false;
    in.colour_ui = "always";
    CHECK_FALSE(cli::colour_decision(in));
    in.is_tty = true;
    in.no_color = "1";
    CHECK_FALSE(cli::colour_decision(in));
  }
}

TEST_CASE("pager_command") {
  cli::PagerInputs in;
  in.is_tty = true;
  SECTION("less when nothing is set") { CHECK(cli::pager_command(in) == "less"); }
  SECTION("git's order: GIT_PAGER, core.pager, PAGER") {
    in.pager = "more";
    CHECK(cli::pager_command(in) == "more");
    in.core_pager = "less -S";
    CHECK(cli::pager_command(in) == "less -S");
    in.git_pager = "most";
    CHECK(cli::pager_command(in) == "most");
  }
  SECTION("an empty choice or cat means no pager") {
    in.git_pager = "";
    in.pager = "more";
    CHECK_FALSE(cli::pager_command(in).has_value());
    in.git_pager = "cat";
    CHECK_FALSE(cli::pager_command(in).has_value());
  }
  SECTION("never on a pipe or with --no-pager") {
    in.pager = "more";
    in.is_tty = false;
    CHECK_FALSE(cli::pager_command(in).has_value());
    in.is_tty = true;
    in.no_pager = true;
    CHECK_FALSE(cli::pager_command(in).has_value());
  }
}

TEST_CASE("progress_text") {
  CHECK(cli::progress_text("scanning", 0, 200) == "scanning: 0% (0/200)");
  CHECK(cli::progress_text("scanning", 50, 200) == "scanning: 25% (50/200)");
  CHECK(cli::progress_text("scanning", 200, 200) == "scanning: 100% (200/200)");
  CHECK(cli::progress_text("scanning", 3, 0) == "scanning: 3");
}

TEST_CASE("counted") {
  CHECK(cli::counted(0, "finding") == "0 findings");
  CHECK(cli::counted(1, "finding") == "1 finding");
  CHECK(cli::counted(2, "finding") == "2 findings");
  CHECK(cli::counted(1, "fix", "fixes") == "1 fix");
  CHECK(cli::counted(3, "fix", "fixes") == "3 fixes");
}
