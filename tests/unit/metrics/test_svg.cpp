#include "../support/temp_repo.hpp"

#include "metrics/svg.hpp"

#include <regex>
#include <string>

namespace svg = metrics::svg;

namespace {

// How many times `needle` occurs in `hay`.
size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + needle.size())) ++n;
  return n;
}

// Every chart is one <svg> element with a <title>, balanced.
void check_frame(const std::string& s, const std::string& title) {
  CHECK(s.rfind("<svg ", 0) == 0);
  CHECK(s.size() >= 6);
  CHECK(s.compare(s.size() - 6, 6, "</svg>") == 0);
  CHECK(count(s, "<svg") == 1);
  CHECK_THAT(s, Catch::Contains("<title>" + title + "</title>"));
  CHECK_THAT(s, !Catch::Contains("<script"));
  CHECK(count(s, "<text") == count(s, "</text>"));
}

} // namespace

TEST_CASE("escape") {
  SECTION("markup characters") {
    CHECK(svg::escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  }
  SECTION("control characters XML forbids become U+FFFD; tab and newline stay") {
    CHECK(svg::escape(std::string("x\x01y\tz\n")) == "x\xEF\xBF\xBDy\tz\n");
  }
  SECTION("UTF-8 passes through") {
    CHECK(svg::escape("größe → ok") == "größe → ok");
  }
}

TEST_CASE("format_number") {
  CHECK(svg::format_number(0) == "0");
  CHECK(svg::format_number(12) == "12");
  CHECK(svg::format_number(2.5) == "2.5");
  CHECK(svg::format_number(0.126) == "0.13");
  CHECK(svg::format_number(1234) == "1234");
  CHECK(svg::format_number(12500) == "12.5k");
  CHECK(svg::format_number(3000000) == "3M");
  CHECK(svg::format_number(-4) == "-4");
}

TEST_CASE("nice_ticks") {
  SECTION("round steps covering the range") {
    auto t = svg::nice_ticks(0, 48);
    REQUIRE(t.size() >= 3);
    CHECK(t.front() == 0);
    CHECK(t.back() >= 48);
    const double step = t[1] - t[0];
    CHECK((step == 10 || step == 20 || step == 25 || step == 5));
  }
  SECTION("counts get whole steps") {
    auto t = svg::nice_ticks(0, 1, 5, true);
    REQUIRE(t.size() == 2);
    CHECK(t[0] == 0);
    CHECK(t[1] == 1);
  }
  SECTION("an empty range still has two ticks") {
    auto t = svg::nice_ticks(0, 0);
    REQUIRE(t.size() >= 2);
    CHECK(t.front() == 0);
    CHECK(t.back() > 0);
  }
}

TEST_CASE("line_chart") {
  svg::LineChart c;
  c.title = "Quality <trend>";
  SECTION("no series: the no-data state, still a chart") {
    const std::string s = svg::line_chart(c);
    check_frame(s, "Quality &lt;trend&gt;");
    CHECK_THAT(s, Catch::Contains("no data yet"));
    CHECK(count(s, "class=\"mark\"") == 0);
  }
  SECTION("one path per series, a point per value, the right axis for one") {
    c.x_labels = {"a1", "b2", "c3"};
    c.series = {{"complexity", {1, 5, 3}, "", false}, {"lines & more", {100, 200, 150}, "", true}};
    const std::string s = svg::line_chart(c);
    check_frame(s, "Quality &lt;trend&gt;");
    CHECK(count(s, "<path class=\"mark\"") == 2);
    CHECK(count(s, "<circle class=\"mark\"") == 6);
    CHECK_THAT(s, Catch::Contains("lines &amp; more (right axis)"));
    CHECK_THAT(s, Catch::Contains(">b2</text>"));
    CHECK_THAT(s, !Catch::Contains("no data yet"));
    // The highest point of the left series sits at the top of its scale's range, not off the chart.
    const std::regex cy("cy=\"(-?[0-9.]+)\"");
    for (auto it = std::sregex_iterator(s.begin(), s.end(), cy); it != std::sregex_iterator(); ++it) {
      const double y = std::stod((*it)[1]);
      CHECK(y >= 0);
      CHECK(y <= 300);
    }
  }
}

TEST_CASE("stacked_bars") {
  svg::StackedBars c;
  c.title = "Findings";
  c.x_labels = {"one", "two"};
  SECTION("a rect per non-zero value, tooltips escaped") {
    c.series = {{"security", {1, 0}, "", false}, {"quality <q>", {2, 3}, "", false}};
    const std::string s = svg::stacked_bars(c);
    check_frame(s, "Findings");
    CHECK(count(s, "<rect class=\"mark\"") == 3);
    CHECK_THAT(s, Catch::Contains("<title>two: quality &lt;q&gt; 3</title>"));
  }
  SECTION("all zero: no data yet") {
    c.series = {{"security", {0, 0}, "", false}};
    const std::string s = svg::stacked_bars(c);
    CHECK_THAT(s, Catch::Contains("no data yet"));
    CHECK(count(s, "class=\"mark\"") == 0);
  }
}

TEST_CASE("histogram") {
  svg::Histogram c;
  c.title = "Hook latency";
  SECTION("bars for non-empty bins and labelled percentile markers") {
    c.bins = {{0, 1, 4}, {1, 2, 0}, {2, 3, 1}};
    c.markers = {{"p50 0.5 ms", 0.5, ""}, {"p99 2.9 ms", 2.9, ""}};
    const std::string s = svg::histogram(c);
    check_frame(s, "Hook latency");
    CHECK(count(s, "<rect class=\"mark\"") == 2);
    CHECK_THAT(s, Catch::Contains(">p50 0.5 ms</text>"));
    CHECK_THAT(s, Catch::Contains(">p99 2.9 ms</text>"));
  }
  SECTION("every value the same: one bar") {
    c.bins = {{3, 3, 5}};
    const std::string s = svg::histogram(c);
    CHECK(count(s, "<rect class=\"mark\"") == 1);
  }
  SECTION("no bins: no data yet") {
    CHECK_THAT(svg::histogram(c), Catch::Contains("no data yet"));
  }
}

TEST_CASE("bar_list") {
  svg::BarList c;
  c.title = "Most complex functions";
  SECTION("a bar and a label per entry; long labels keep their end") {
    c.bars = {{"parse  src/very/long/path/that/goes/on/and/on/forever/parser.py:10", "", 12}, {"<lambda>  a.py:3", "", 4}};
    const std::string s = svg::bar_list(c);
    check_frame(s, "Most complex functions");
    CHECK(count(s, "<rect class=\"mark\"") == 2);
    CHECK_THAT(s, Catch::Contains("parser.py:10</text>"));
    CHECK_THAT(s, Catch::Contains("&lt;lambda&gt;  a.py:3"));
  }
  SECTION("no bars: no data yet") {
    const std::string s = svg::bar_list(c);
    check_frame(s, "Most complex functions");
    CHECK_THAT(s, Catch::Contains("no data yet"));
  }
}
