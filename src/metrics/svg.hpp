#pragma once
// Small SVG charts drawn by hand for the HTML report: no scripts, no fonts or images to fetch.
//
// Every chart is one `<svg>` element (viewBox, scales with its container) with a <title>, axes with
// tick labels, a legend when there are several series, and a "no data yet" state that still renders.
// Data marks (bars, lines, points) carry class="mark" and a <title> tooltip, so tests and people can
// tell data from decoration. All text is escaped.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace metrics::svg {

// Escapes text for XML content and attribute values (& < > " ') and replaces control characters XML
// does not allow with U+FFFD.
std::string escape(std::string_view text);

// A number for a label: integers as such, others with at most two decimals, large ones as 12.5k / 3.1M.
std::string format_number(double value);

// About `target` round tick values (1, 2, 2.5, 5 × 10^k steps) covering [lo, hi], from a multiple of the step
// at or below lo; with `integers`, steps are whole numbers (for counts).
std::vector<double> nice_ticks(double lo, double hi, int target = 5, bool integers = false);

// One named sequence of values; `color` is any CSS color (a palette one when empty).
struct Series {
  std::string name;
  std::vector<double> values;
  std::string color;
  bool right_axis = false; // line charts: plotted against a second scale on the right
};

struct LineChart {
  std::string title, x_label, y_label, y2_label;
  std::vector<std::string> x_labels; // one per point; a few are printed
  std::vector<Series> series;
};

struct StackedBars {
  std::string title, x_label, y_label;
  std::vector<std::string> x_labels; // one per bar
  std::vector<Series> series;        // bottom first
};

struct Bin {
  double lo = 0, hi = 0;
  int64_t count = 0;
};
// A vertical line at `value` (e.g. a percentile), labelled.
struct Marker {
  std::string label;
  double value = 0;
  std::string color;
};
struct Histogram {
  std::string title, x_label, y_label;
  std::vector<Bin> bins;
  std::vector<Marker> markers;
};

struct Bar {
  std::string label, note; // note: the tooltip (e.g. a path and line)
  double value = 0;
};
struct BarList {
  std::string title, value_label;
  std::vector<Bar> bars; // drawn in this order, top first
  std::string color;
};

std::string line_chart(const LineChart& chart);
std::string stacked_bars(const StackedBars& chart);
std::string histogram(const Histogram& chart);
std::string bar_list(const BarList& chart);

} // namespace metrics::svg
