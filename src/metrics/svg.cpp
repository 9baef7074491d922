#include "metrics/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace metrics::svg {

namespace {

constexpr double k_width = 720;
constexpr const char* k_palette[] = {"#2f6fb0", "#d9822b", "#3a9a5b", "#c0392b", "#8e6bb8", "#7f8c8d", "#b8a13a"};
constexpr const char* k_axis = "#555";
constexpr const char* k_grid = "#e3e3e3";

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

const std::string& color_of(const Series& s, size_t i, std::string& scratch) {
  if (!s.color.empty()) return s.color;
  scratch = k_palette[i % std::size(k_palette)];
  return scratch;
}

// The plot area inside the margins.
struct Frame {
  double left, top, right, bottom; // pixel edges
  double width() const { return right - left; }
  double height() const { return bottom - top; }
};

// Maps values to pixels on one axis.
struct Scale {
  double lo = 0, hi = 1, from = 0, to = 1;
  double operator()(double v) const { return hi == lo ? (from + to) / 2 : from + (v - lo) / (hi - lo) * (to - from); }
};

std::string open_svg(double height, const std::string& title) {
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(k_width) + " " + num(height) +
                    "\" width=\"100%\" role=\"img\" aria-label=\"" + escape(title) +
                    "\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" font-size=\"11\">";
  out += "<title>" + escape(title) + "</title>";
  out += "<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"600\" fill=\"#222\">" + escape(title) + "</text>";
  return out;
}

std::string empty_state(double height, const std::string& title) {
  std::string out = open_svg(height, title);
  out += "<rect x=\"8\" y=\"30\" width=\"" + num(k_width - 16) + "\" height=\"" + num(height - 38) +
         "\" fill=\"#fafafa\" stroke=\"" + k_grid + "\"/>";
  out += "<text class=\"empty\" x=\"" + num(k_width / 2) + "\" y=\"" + num(height / 2 + 8) +
         "\" text-anchor=\"middle\" font-size=\"14\" fill=\"#888\">no data yet</text></svg>";
  return out;
}

std::string text(double x, double y, const std::string& content, const char* anchor = "start",
                 const std::string& extra = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\" fill=\"#333\"" +
         (extra.empty() ? "" : " " + extra) + ">" + escape(content) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& stroke, const std::string& extra = "") {
  return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) +
         "\" stroke=\"" + stroke + "\"" + (extra.empty() ? "" : " " + extra) + "/>";
}

// Horizontal grid lines with tick labels on the left (or right) edge.
std::string y_axis(const Frame& f, const Scale& s, const std::vector<double>& ticks, bool right, const std::string& label) {
  std::string out;
  for (double t : ticks) {
    const double y = s(t);
    if (!right) out += line(f.left, y, f.right, y, k_grid);
    out += text(right ? f.right + 6 : f.left - 6, y + 4, format_number(t), right ? "start" : "end");
  }
  out += line(right ? f.right : f.left, f.top, right ? f.right : f.left, f.bottom, k_axis);
  if (!label.empty()) {
    const double x = right ? k_width - 6 : 12, y = (f.top + f.bottom) / 2;
    out += text(x, y, label, "middle", "transform=\"rotate(" + std::string(right ? "90 " : "-90 ") + num(x) + " " + num(y) + ")\"");
  }
  return out;
}

// At most `max_labels` x labels, evenly spread, under the axis.
std::string x_axis(const Frame& f, const std::vector<std::string>& labels, const std::vector<double>& xs,
                   const std::string& label, size_t max_labels = 8) {
  std::string out = line(f.left, f.bottom, f.right, f.bottom, k_axis);
  if (!labels.empty()) {
    const size_t step = std::max<size_t>(1, (labels.size() + max_labels - 1) / max_labels);
    for (size_t i = 0; i < labels.size(); i += step) {
      out += line(xs[i], f.bottom, xs[i], f.bottom + 4, k_axis);
      out += text(xs[i], f.bottom + 16, labels[i], "middle");
    }
  }
  if (!label.empty()) out += text((f.left + f.right) / 2, f.bottom + 32, label, "middle", "fill-opacity=\"0.8\"");
  return out;
}

// One row of colour keys under the title.
std::string legend(const std::vector<Series>& series, double y) {
  std::string out, scratch;
  double x = k_width - 8;
  // Right-aligned: lay out from the right edge.
  for (size_t i = series.size(); i-- > 0;) {
    const std::string name = series[i].name + (series[i].right_axis ? " (right axis)" : "");
    x -= 18 + 6.2 * static_cast<double>(name.size());
    out += "<rect x=\"" + num(x) + "\" y=\"" + num(y - 9) + "\" width=\"10\" height=\"10\" fill=\"" +
           color_of(series[i], i, scratch) + "\"/>";
    out += text(x + 14, y, name);
    x -= 10;
  }
  return out;
}

double max_of(const std::vector<Series>& series, bool right) {
  double m = 0;
  for (const auto& s : series)
    if (s.right_axis == right)
      for (double v : s.values) m = std::max(m, v);
  return m;
}

std::vector<double> x_positions(const Frame& f, size_t n, bool centred_bands) {
  std::vector<double> xs(n);
  for (size_t i = 0; i < n; ++i) {
    if (centred_bands) xs[i] = f.left + f.width() * (static_cast<double>(i) + 0.5) / static_cast<double>(n);
    else xs[i] = n == 1 ? (f.left + f.right) / 2 : f.left + f.width() * static_cast<double>(i) / static_cast<double>(n - 1);
  }
  return xs;
}

bool has_values(const std::vector<Series>& series) {
  return std::any_of(series.begin(), series.end(), [](const Series& s) { return !s.values.empty(); });
}

} // namespace

std::string escape(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (const char c : in) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += "\xEF\xBF\xBD";
      else out += c;
    }
  }
  return out;
}

std::string format_number(double v) {
  char buf[32];
  const double a = std::fabs(v);
  if (a >= 1e6) std::snprintf(buf, sizeof buf, "%.1fM", v / 1e6);
  else if (a >= 1e4) std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
  else if (std::fabs(v - std::round(v)) < 1e-9) std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (a >= 100) std::snprintf(buf, sizeof buf, "%.1f", v);
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  // 12.50 → 12.5, 3.0k → 3k
  const auto dot = s.find('.');
  if (dot != std::string::npos) {
    size_t end = s.find_first_not_of("0123456789", dot + 1);
    if (end == std::string::npos) end = s.size();
    std::string digits = s.substr(dot + 1, end - dot - 1);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    s = s.substr(0, dot) + (digits.empty() ? "" : "." + digits) + s.substr(end);
  }
  return s == "-0" ? "0" : s;
}

std::vector<double> nice_ticks(double lo, double hi, int target, bool integers) {
  if (!(hi > lo)) hi = lo + 1;
  target = std::max(target, 1);
  const double raw = (hi - lo) / target;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  if (integers) step = std::max(1.0, std::round(step));
  std::vector<double> ticks;
  const double first = std::floor(lo / step) * step;
  for (double t = first; t <= hi + step * 0.999 && ticks.size() < 50; t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
    if (t >= hi) break;
  }
  return ticks;
}

std::string line_chart(const LineChart& chart) {
  constexpr double height = 300;
  if (!has_values(chart.series)) return empty_state(height, chart.title);
  const bool right = std::any_of(chart.series.begin(), chart.series.end(), [](const Series& s) { return s.right_axis; });
  const Frame f{64, 44, k_width - (right ? 64 : 20), height - 48};
  size_t n = 0;
  for (const auto& s : chart.series) n = std::max(n, s.values.size());
  const auto xs = x_positions(f, n, false);
  const auto ticks = nice_ticks(0, max_of(chart.series, false));
  const Scale ys{ticks.front(), ticks.back(), f.bottom, f.top};
  std::string out = open_svg(height, chart.title);
  out += y_axis(f, ys, ticks, false, chart.y_label);
  Scale ys2 = ys;
  if (right) {
    const auto ticks2 = nice_ticks(0, max_of(chart.series, true));
    ys2 = Scale{ticks2.front(), ticks2.back(), f.bottom, f.top};
    out += y_axis(f, ys2, ticks2, true, chart.y2_label);
  }
  out += x_axis(f, chart.x_labels, xs, chart.x_label);
  out += legend(chart.series, 34);
  std::string scratch;
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const Series& s = chart.series[i];
    if (s.values.empty()) continue;
    const Scale& sc = s.right_axis ? ys2 : ys;
    const std::string& color = color_of(s, i, scratch);
    std::string d;
    for (size_t k = 0; k < s.values.size(); ++k) d += (k ? " L" : "M") + num(xs[k]) + " " + num(sc(s.values[k]));
    out += "<path class=\"mark\" d=\"" + d + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"" +
           (s.right_axis ? " stroke-dasharray=\"6 3\"" : "") + "><title>" + escape(s.name) + "</title></path>";
    if (s.values.size() <= 60) {
      for (size_t k = 0; k < s.values.size(); ++k) {
        const std::string label = k < chart.x_labels.size() ? chart.x_labels[k] : std::to_string(k + 1);
        out += "<circle class=\"mark\" cx=\"" + num(xs[k]) + "\" cy=\"" + num(sc(s.values[k])) + "\" r=\"2.5\" fill=\"" +
               color + "\"><title>" + escape(label + ": " + s.name + " " + format_number(s.values[k])) + "</title></circle>";
      }
    }
  }
  return out + "</svg>";
}

std::string stacked_bars(const StackedBars& chart) {
  constexpr double height = 300;
  size_t n = chart.x_labels.size();
  for (const auto& s : chart.series) n = std::max(n, s.values.size());
  std::vector<double> totals(n, 0);
  for (const auto& s : chart.series)
    for (size_t i = 0; i < s.values.size(); ++i) totals[i] += std::max(0.0, s.values[i]);
  if (n == 0 || *std::max_element(totals.begin(), totals.end()) <= 0) return empty_state(height, chart.title);
  const Frame f{64, 44, k_width - 20, height - 48};
  const auto xs = x_positions(f, n, true);
  const auto ticks = nice_ticks(0, *std::max_element(totals.begin(), totals.end()), 5, true);
  const Scale ys{ticks.front(), ticks.back(), f.bottom, f.top};
  std::string out = open_svg(height, chart.title);
  out += y_axis(f, ys, ticks, false, chart.y_label);
  const double band = f.width() / static_cast<double>(n);
  const double w = std::max(0.5, band * 0.75);
  std::vector<double> base(n, 0);
  std::string scratch;
  for (size_t k = 0; k < chart.series.size(); ++k) {
    const Series& s = chart.series[k];
    const std::string& color = color_of(s, k, scratch);
    for (size_t i = 0; i < s.values.size() && i < n; ++i) {
      const double v = std::max(0.0, s.values[i]);
      if (v <= 0) continue;
      const double y0 = ys(base[i]), y1 = ys(base[i] + v);
      base[i] += v;
      const std::string label = i < chart.x_labels.size() ? chart.x_labels[i] : std::to_string(i + 1);
      out += "<rect class=\"mark\" x=\"" + num(xs[i] - w / 2) + "\" y=\"" + num(y1) + "\" width=\"" + num(w) +
             "\" height=\"" + num(std::max(0.5, y0 - y1)) + "\" fill=\"" + color + "\"><title>" +
             escape(label + ": " + s.name + " " + format_number(v)) + "</title></rect>";
    }
  }
  out += x_axis(f, chart.x_labels, xs, chart.x_label);
  out += legend(chart.series, 34);
  return out + "</svg>";
}

std::string histogram(const Histogram& chart) {
  constexpr double height = 300;
  int64_t top = 0;
  for (const auto& b : chart.bins) top = std::max(top, b.count);
  if (chart.bins.empty() || top == 0) return empty_state(height, chart.title);
  const Frame f{64, 64, k_width - 20, height - 48};
  double lo = chart.bins.front().lo, hi = chart.bins.back().hi;
  if (hi <= lo) { // every value the same: one bar around it
    const double pad = std::max(0.5, std::fabs(lo) * 0.1);
    lo -= pad;
    hi += pad;
  }
  const auto xticks = nice_ticks(lo, hi, 6);
  const Scale xs{std::min(lo, xticks.front()), std::max(hi, xticks.back()), f.left, f.right};
  const auto ticks = nice_ticks(0, static_cast<double>(top), 4, true);
  const Scale ys{ticks.front(), ticks.back(), f.bottom, f.top};
  std::string out = open_svg(height, chart.title);
  out += y_axis(f, ys, ticks, false, chart.y_label);
  out += line(f.left, f.bottom, f.right, f.bottom, k_axis);
  for (double t : xticks) {
    out += line(xs(t), f.bottom, xs(t), f.bottom + 4, k_axis);
    out += text(xs(t), f.bottom + 16, format_number(t), "middle");
  }
  if (!chart.x_label.empty()) out += text((f.left + f.right) / 2, f.bottom + 32, chart.x_label, "middle");
  for (const auto& b : chart.bins) {
    if (b.count == 0) continue;
    double x0 = xs(b.lo), x1 = xs(b.hi);
    if (b.hi <= b.lo) { // the single-value case
      x0 = xs(lo + (hi - lo) * 0.4);
      x1 = xs(lo + (hi - lo) * 0.6);
    }
    const double y = ys(static_cast<double>(b.count));
    out += "<rect class=\"mark\" x=\"" + num(x0 + 0.5) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(1.0, x1 - x0 - 1)) +
           "\" height=\"" + num(f.bottom - y) + "\" fill=\"" + k_palette[0] + "\"><title>" +
           escape(format_number(b.lo) + "–" + format_number(b.hi) + ": " + std::to_string(b.count)) + "</title></rect>";
  }
  // Percentile labels sit on three staggered rows: p95 and p99 are often a few pixels apart.
  for (size_t i = 0; i < chart.markers.size(); ++i) {
    const Marker& m = chart.markers[i];
    const double x = xs(std::clamp(m.value, xs.lo, xs.hi));
    const std::string color = m.color.empty() ? k_palette[(i + 1) % std::size(k_palette)] : m.color;
    out += line(x, f.top - 12.0 * static_cast<double>(i % 3), x, f.bottom, color, "stroke-width=\"1.5\" stroke-dasharray=\"4 3\"");
    const bool near_right = x > f.right - 90; // the label goes left of the line there
    out += text(near_right ? x - 3 : x + 3, f.top - 4 - 12.0 * static_cast<double>(i % 3), m.label,
                near_right ? "end" : "start", "fill=\"" + color + "\"");
  }
  return out + "</svg>";
}

std::string bar_list(const BarList& chart) {
  const double row = 22;
  const double height = 44 + row * static_cast<double>(std::max<size_t>(chart.bars.size(), 1)) + 24;
  double top = 0;
  for (const auto& b : chart.bars) top = std::max(top, b.value);
  if (chart.bars.empty() || top <= 0) return empty_state(std::max(height, 140.0), chart.title);
  const Frame f{280, 40, k_width - 60, height - 24};
  const Scale xs{0, top, f.left, f.right};
  std::string out = open_svg(height, chart.title);
  const std::string color = chart.color.empty() ? k_palette[1] : chart.color;
  for (size_t i = 0; i < chart.bars.size(); ++i) {
    const Bar& b = chart.bars[i];
    const double y = f.top + row * static_cast<double>(i);
    std::string label = b.label;
    if (label.size() > 44) label = "…" + label.substr(label.size() - 43);
    out += text(f.left - 8, y + row / 2 + 4, label, "end");
    out += "<rect class=\"mark\" x=\"" + num(f.left) + "\" y=\"" + num(y + 3) + "\" width=\"" +
           num(std::max(1.0, xs(b.value) - f.left)) + "\" height=\"" + num(row - 6) + "\" fill=\"" + color +
           "\"><title>" + escape((b.note.empty() ? b.label : b.note) + ": " + format_number(b.value)) + "</title></rect>";
    out += text(xs(b.value) + 4, y + row / 2 + 4, format_number(b.value));
  }
  out += line(f.left, f.top, f.left, f.top + row * static_cast<double>(chart.bars.size()), k_axis);
  if (!chart.value_label.empty())
    out += text((f.left + f.right) / 2, height - 8, chart.value_label, "middle", "fill-opacity=\"0.8\"");
  return out + "</svg>";
}

} // namespace metrics::svg
