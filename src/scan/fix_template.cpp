#include "scan/fix_template.hpp"

#include "core/error.hpp"

#include <algorithm>

namespace scan {

namespace {

const Capture* find_capture(const Finding& finding, const std::string& name) {
  for (const auto& c : finding.captures)
    if (c.name == name) return &c;
  return nullptr;
}

// Expands {{name}} with the captured text; nullopt when a placeholder names an absent capture.
std::optional<std::string> expand(const std::string& tmpl, const Finding& finding, std::string_view source) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find("{{", i);
    if (open == std::string::npos) break;
    size_t close = tmpl.find("}}", open + 2);
    if (close == std::string::npos) break;
    out.append(tmpl, i, open - i);
    const Capture* c = find_capture(finding, tmpl.substr(open + 2, close - open - 2));
    if (!c) return std::nullopt;
    out.append(source.substr(c->start_byte, c->end_byte - c->start_byte));
    i = close + 2;
  }
  out.append(tmpl, i, std::string::npos);
  return out;
}

} // namespace

std::optional<std::vector<TextEdit>> fix_edits(const Rule& rule, const Finding& finding, std::string_view source) {
  if (rule.fix.empty()) return std::nullopt;
  std::vector<TextEdit> edits;
  for (const auto& e : rule.fix) {
    if (!e.when.empty() && !find_capture(finding, e.when)) continue;
    if (!e.unless.empty() && find_capture(finding, e.unless)) continue;
    const Capture* c = find_capture(finding, e.capture);
    if (!c || c->end_byte > source.size()) return std::nullopt;
    TextEdit t;
    switch (e.op) {
    case FixEdit::Op::replace: {
      t.start = c->start_byte;
      t.end = c->end_byte;
      if (!e.map.empty()) {
        auto it = e.map.find(std::string(source.substr(c->start_byte, c->end_byte - c->start_byte)));
        if (it == e.map.end()) return std::nullopt;
        auto x = expand(it->second, finding, source); // a map's replacement may use {{capture}} too
        if (!x) return std::nullopt;
        t.text = *x;
      } else {
        auto x = expand(e.text, finding, source);
        if (!x) return std::nullopt;
        t.text = *x;
      }
      break;
    }
    case FixEdit::Op::remove: {
      t.start = c->start_byte;
      t.end = c->end_byte;
      // A node alone on its line takes the whole line with it, not leaving a blank line behind.
      size_t line_begin = source.rfind('\n', t.start == 0 ? 0 : t.start - 1);
      line_begin = (t.start == 0 || line_begin == std::string_view::npos) ? 0 : line_begin + 1;
      size_t line_end = source.find('\n', t.end);
      auto blank = [&](size_t from, size_t to) {
        for (size_t i = from; i < to; ++i)
          if (source[i] != ' ' && source[i] != '\t' && source[i] != '\r') return false;
        return true;
      };
      size_t stop = line_end == std::string_view::npos ? source.size() : line_end;
      if (blank(line_begin, t.start) && blank(t.end, stop)) {
        t.start = static_cast<uint32_t>(line_begin);
        t.end = static_cast<uint32_t>(line_end == std::string_view::npos ? source.size() : line_end + 1);
      }
      break;
    }
    case FixEdit::Op::insert_before:
    case FixEdit::Op::insert_after: {
      t.start = t.end = e.op == FixEdit::Op::insert_before ? c->start_byte : c->end_byte;
      auto x = expand(e.text, finding, source);
      if (!x) return std::nullopt;
      t.text = *x;
      break;
    }
    }
    edits.push_back(std::move(t));
  }
  return edits;
}

std::string apply_edits(std::string_view source, std::vector<TextEdit> edits) {
  std::stable_sort(edits.begin(), edits.end(), [](const TextEdit& a, const TextEdit& b) { return a.start < b.start; });
  std::string out;
  out.reserve(source.size());
  uint32_t at = 0;
  for (const auto& e : edits) {
    if (e.start < at || e.end < e.start || e.end > source.size())
      throw core::Error("fix edits overlap or fall outside the file");
    out.append(source.substr(at, e.start - at));
    out += e.text;
    at = e.end;
  }
  out.append(source.substr(at));
  return out;
}

std::string apply_fixes(const Rule& rule, const std::vector<Finding>& findings, std::string_view source) {
  std::vector<TextEdit> all;
  uint32_t covered_until = 0;
  std::vector<const Finding*> ordered;
  for (const auto& f : findings) ordered.push_back(&f);
  std::sort(ordered.begin(), ordered.end(), [](const Finding* a, const Finding* b) { return a->start_byte < b->start_byte; });
  for (const Finding* f : ordered) {
    auto edits = fix_edits(rule, *f, source);
    if (!edits || edits->empty()) continue;
    uint32_t lo = UINT32_MAX, hi = 0;
    for (const auto& e : *edits) {
      lo = std::min(lo, e.start);
      hi = std::max(hi, e.end);
    }
    if (lo < covered_until) continue; // overlaps an earlier fix: leave it for the next pass
    covered_until = std::max(hi, lo + 1);
    all.insert(all.end(), edits->begin(), edits->end());
  }
  return apply_edits(source, std::move(all));
}

} // namespace scan
