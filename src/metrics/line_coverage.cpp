#include "metrics/line_coverage.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/limits.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <system_error>
#include <utility>

namespace metrics {

namespace fs = std::filesystem;

namespace {

// <source> elements considered per Cobertura report: every relative class name is tried against each,
// so the count multiplies the work per class. Real reports have one to a few.
constexpr std::size_t k_max_sources = 16;

// The tree the tests ran in, as given and with its symlinks resolved: a tool may write either (coverage.py
// and gcov use the resolved working directory; a tool given the path on its command line keeps it).
struct Roots {
  fs::path given, resolved;
  explicit Roots(const fs::path& root) {
    given = fs::absolute(root).lexically_normal();
    if (!given.has_filename()) given = given.parent_path();
    std::error_code ec;
    resolved = fs::weakly_canonical(given, ec);
    if (ec || resolved.empty()) resolved = given;
    if (!resolved.has_filename()) resolved = resolved.parent_path();
  }
};

std::optional<std::string> inside(const fs::path& normal, const fs::path& base) {
  fs::path rel = normal.lexically_relative(base);
  if (rel.empty()) return std::nullopt;
  const fs::path first = *rel.begin();
  if (first == ".." || first == ".") return std::nullopt;
  return rel.generic_string();
}

std::optional<std::string> relative(const fs::path& reported, const Roots& roots) {
  if (reported.empty()) return std::nullopt;
  const fs::path normal = (reported.is_absolute() ? reported : roots.given / reported).lexically_normal();
  if (auto rel = inside(normal, roots.given)) return rel;
  if (roots.resolved != roots.given) return inside(normal, roots.resolved);
  return std::nullopt;
}

// Sorts each file's lines and keeps one entry per line, with its highest count.
LineCoverage finish(std::map<std::string, std::vector<LineHits>>&& raw, std::size_t outside) {
  LineCoverage out;
  out.outside_root = outside;
  for (auto& [path, lines] : raw) {
    std::sort(lines.begin(), lines.end(), [](const LineHits& a, const LineHits& b) { return a.line < b.line; });
    std::vector<LineHits> merged;
    merged.reserve(lines.size());
    for (const auto& l : lines) {
      if (!merged.empty() && merged.back().line == l.line) merged.back().hits = std::max(merged.back().hits, l.hits);
      else merged.push_back(l);
    }
    out.files[path].lines = std::move(merged);
  }
  return out;
}

// A line number (0..INT_MAX) or nullopt. Line 0 is no line, but coverage.py writes "DA:0,1" for an empty
// module: callers skip it rather than refuse the whole report.
std::optional<int> to_line(std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// A hit count (>= 0; counts beyond long long saturate: only "ran or not" matters) or nullopt.
std::optional<long long> to_hits(std::string_view s) {
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range && !s.empty() && s[0] != '-') {
    for (char c : s)
      if (c < '0' || c > '9') return std::nullopt;
    return LLONG_MAX;
  }
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

[[noreturn]] void fail(std::string_view format, int line, const std::string& what) {
  throw core::Error(std::string(format) + " line " + std::to_string(line) + ": " + what);
}

// An error in a Cobertura report at byte `pos`: its line is counted only when there is one.
[[noreturn]] void fail_in(std::string_view text, std::size_t pos, const std::string& what) {
  const auto end = text.begin() + static_cast<std::ptrdiff_t>(std::min(pos, text.size()));
  fail("Cobertura", 1 + static_cast<int>(std::count(text.begin(), end, '\n')), what);
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Appends `cp` as UTF-8; false for code points XML does not allow as a character reference.
bool append_utf8(std::string& out, unsigned long cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return true;
}

// XML text with its five named entities and character references replaced; anything else kept as written.
std::string decode_xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '&') {
      out += s[i++];
      continue;
    }
    const std::size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      out += s[i++];
      continue;
    }
    const std::string_view entity = s.substr(i + 1, semi - i - 1);
    bool done = true;
    if (entity == "amp") out += '&';
    else if (entity == "lt") out += '<';
    else if (entity == "gt") out += '>';
    else if (entity == "quot") out += '"';
    else if (entity == "apos") out += '\'';
    else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      const std::string_view digits = entity.substr(hex ? 2 : 1);
      unsigned long cp = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      done = !digits.empty() && ec == std::errc() && end == digits.data() + digits.size() && append_utf8(out, cp);
    } else {
      done = false;
    }
    if (done) i = semi + 1;
    else out += s[i++];
  }
  return out;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

} // namespace

std::optional<long long> FileCoverage::hits(int line) const {
  auto it = std::lower_bound(lines.begin(), lines.end(), line, [](const LineHits& l, int n) { return l.line < n; });
  if (it == lines.end() || it->line != line) return std::nullopt;
  return it->hits;
}

const LineHits* FileCoverage::instrumented_before(int line) const {
  auto it = std::lower_bound(lines.begin(), lines.end(), line, [](const LineHits& l, int n) { return l.line < n; });
  return it == lines.begin() ? nullptr : &*std::prev(it);
}

const FileCoverage* LineCoverage::file(const std::string& path) const {
  auto it = files.find(path);
  return it == files.end() ? nullptr : &it->second;
}

std::optional<std::string> relative_to_root(std::string_view reported, const fs::path& root) {
  return relative(fs::path(reported), Roots(root));
}

LineCoverage parse_lcov_lines(std::string_view text, const fs::path& root, PathFilter keep) {
  const Roots roots(root);
  std::map<std::string, std::vector<LineHits>> raw;
  std::vector<LineHits>* current = nullptr;
  std::size_t outside = 0;
  int record_line = 0; // the line of the open record's SF:, 0 outside a record
  bool records = false;
  int line_no = 0;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t nl = text.find('\n', at);
    std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (starts_with(line, "SF:")) {
      if (record_line) fail("lcov", line_no, "SF: before the record of line " + std::to_string(record_line) + " ended");
      record_line = line_no;
      records = true;
      current = nullptr;
      auto rel = relative(fs::path(line.substr(3)), roots);
      if (!rel) ++outside;
      else if (!keep || keep->count(*rel)) current = &raw[*rel];
    } else if (starts_with(line, "DA:")) {
      if (!record_line) fail("lcov", line_no, "DA: outside a record (no SF: before it)");
      const std::string_view rest = line.substr(3);
      const std::size_t comma = rest.find(',');
      if (comma == std::string_view::npos) fail("lcov", line_no, "DA without a count");
      const std::string_view count = rest.substr(comma + 1, rest.find(',', comma + 1) - comma - 1);
      const int number = to_line(rest.substr(0, comma)).value_or(-1);
      const long long hits = to_hits(count).value_or(-1);
      if (number < 0) fail("lcov", line_no, "bad line number '" + std::string(rest.substr(0, comma)) + "'");
      if (hits < 0) fail("lcov", line_no, "bad count '" + std::string(count) + "'");
      if (current && number > 0) current->push_back({number, hits});
    } else if (line == "end_of_record") {
      if (!record_line) fail("lcov", line_no, "end_of_record without SF:");
      record_line = 0;
      current = nullptr;
    } else if (line.find(':') == std::string_view::npos) {
      fail("lcov", line_no, "not a tracefile record");
    }
  }
  if (!records) throw core::Error("not an lcov tracefile (no SF: record)");
  if (record_line)
    fail("lcov", record_line, "the record has no end_of_record (a truncated tracefile, or one still being written)");
  return finish(std::move(raw), outside);
}

LineCoverage parse_cobertura_lines(std::string_view text, const fs::path& root, PathFilter keep) {
  const Roots roots(root);
  std::vector<std::string> sources;
  std::map<std::string, std::vector<LineHits>> by_name; // by the class's filename as written
  std::vector<LineHits>* current = nullptr;             // the open <class>'s lines
  bool root_seen = false, closed = false, in_source = false;
  std::string source_text;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t lt = text.find('<', pos);
    if (in_source) source_text.append(text.substr(pos, lt == std::string_view::npos ? std::string_view::npos : lt - pos));
    if (lt == std::string_view::npos) break;
    const std::string_view rest = text.substr(lt);
    auto skip_to = [&](std::string_view end, const char* what) {
      const std::size_t e = text.find(end, lt);
      if (e == std::string_view::npos) fail_in(text, lt, std::string("unterminated ") + what);
      return e + end.size();
    };
    if (starts_with(rest, "<!--")) {
      pos = skip_to("-->", "comment");
    } else if (starts_with(rest, "<![CDATA[")) {
      pos = skip_to("]]>", "CDATA section");
      if (in_source) source_text.append(text.substr(lt + 9, pos - 3 - lt - 9));
    } else if (starts_with(rest, "<?")) {
      pos = skip_to("?>", "processing instruction");
    } else if (starts_with(rest, "<!")) {
      pos = skip_to(">", "declaration");
    } else if (starts_with(rest, "</")) {
      pos = skip_to(">", "end tag");
      const std::string_view name = trim(text.substr(lt + 2, pos - 1 - lt - 2));
      if (name == "coverage") {
        closed = true;
        break;
      }
      if (name == "class") current = nullptr;
      if (name == "source" && in_source) {
        in_source = false;
        std::string decoded = decode_xml(trim(source_text));
        if (!decoded.empty()) {
          if (sources.size() >= k_max_sources)
            fail_in(text, lt, "more than " + std::to_string(k_max_sources) + " <source> elements");
          sources.push_back(std::move(decoded));
        }
      }
    } else {
      // A start tag: its name, then attributes up to '>' or "/>" (values may hold '>').
      std::size_t i = lt + 1;
      while (i < text.size() && !space(text[i]) && text[i] != '/' && text[i] != '>') ++i;
      const std::string_view name = text.substr(lt + 1, i - lt - 1);
      if (name.empty()) fail_in(text, lt, "a '<' that starts no tag");
      std::string_view filename, number, hits;
      bool has_filename = false, has_number = false, has_hits = false, self_closing = false;
      for (;;) {
        while (i < text.size() && space(text[i])) ++i;
        if (i >= text.size()) fail_in(text, lt, "unterminated <" + std::string(name) + "> tag");
        if (text[i] == '>') {
          ++i;
          break;
        }
        if (text[i] == '/' && i + 1 < text.size() && text[i + 1] == '>') {
          self_closing = true;
          i += 2;
          break;
        }
        const std::size_t name_at = i;
        while (i < text.size() && !space(text[i]) && text[i] != '=' && text[i] != '/' && text[i] != '>') ++i;
        const std::string_view attribute = text.substr(name_at, i - name_at);
        while (i < text.size() && space(text[i])) ++i;
        if (attribute.empty() || i >= text.size() || text[i] != '=')
          fail_in(text, lt, "malformed attribute in <" + std::string(name) + ">");
        ++i;
        while (i < text.size() && space(text[i])) ++i;
        if (i >= text.size() || (text[i] != '"' && text[i] != '\''))
          fail_in(text, lt, "unquoted attribute value in <" + std::string(name) + ">");
        const std::size_t end = text.find(text[i], i + 1);
        if (end == std::string_view::npos) fail_in(text, lt, "unterminated attribute value in <" + std::string(name) + ">");
        const std::string_view value = text.substr(i + 1, end - i - 1);
        i = end + 1;
        if (attribute == "filename") filename = value, has_filename = true;
        else if (attribute == "number") number = value, has_number = true;
        else if (attribute == "hits") hits = value, has_hits = true;
      }
      pos = i;
      if (!root_seen) {
        if (name != "coverage") fail_in(text, lt, "not a Cobertura report (the root element is <" + std::string(name) + ">)");
        root_seen = true;
        if (self_closing) {
          closed = true;
          break;
        }
        continue;
      }
      if (name == "source" && !self_closing) {
        in_source = true;
        source_text.clear();
      } else if (name == "class") {
        current = has_filename && !self_closing ? &by_name[decode_xml(filename)] : nullptr;
      } else if (name == "line" && current) {
        const int n = has_number ? to_line(trim(number)).value_or(-1) : -1;
        const long long h = has_hits ? to_hits(trim(hits)).value_or(-1) : -1;
        if (n < 0) fail_in(text, lt, "<line> without a valid number");
        if (h < 0) fail_in(text, lt, "<line> without a valid hits count");
        if (n > 0) current->push_back({n, h});
      }
    }
  }
  if (!root_seen) throw core::Error("not a Cobertura report (no <coverage> element)");
  if (!closed) fail_in(text, text.size(), "no </coverage> (a truncated report, or one still being written)");

  // Each class's file: relative names from each <source> in turn, then from the root.
  std::vector<fs::path> bases;
  for (const auto& s : sources) {
    fs::path base(s);
    bases.push_back(base.is_absolute() ? base : roots.given / base);
  }
  bases.push_back(roots.given);
  std::map<std::string, std::vector<LineHits>> raw;
  std::size_t outside = 0;
  for (auto& [name, lines] : by_name) {
    const fs::path written(name);
    std::vector<std::string> candidates;
    if (written.is_absolute()) {
      if (auto rel = relative(written, roots)) candidates.push_back(*rel);
    } else {
      for (const auto& base : bases)
        if (auto rel = relative(base / written, roots); rel && std::find(candidates.begin(), candidates.end(), *rel) == candidates.end())
          candidates.push_back(*rel);
    }
    if (candidates.empty()) {
      ++outside;
      continue;
    }
    std::string chosen = candidates.front();
    if (candidates.size() > 1) {
      for (const auto& c : candidates) {
        std::error_code ec;
        if (fs::exists(roots.given / c, ec)) {
          chosen = c;
          break;
        }
      }
    }
    if (keep && !keep->count(chosen)) continue;
    auto& into = raw[chosen];
    into.insert(into.end(), lines.begin(), lines.end());
  }
  return finish(std::move(raw), outside);
}

std::optional<LineCoverage> read_line_coverage(const fs::path& path, const fs::path& root, PathFilter keep) {
  auto text = core::read_untrusted_file(path, core::k_max_coverage_bytes, root, "coverage reports");
  if (!text) return std::nullopt;
  std::string_view body(*text);
  if (starts_with(body, "\xEF\xBB\xBF")) body.remove_prefix(3); // a UTF-8 byte order mark
  const std::size_t first = body.find_first_not_of(" \t\r\n");
  const bool xml = first != std::string_view::npos && body[first] == '<';
  try {
    return xml ? parse_cobertura_lines(body, root, keep) : parse_lcov_lines(body, root, keep);
  } catch (const core::Error& e) {
    throw core::Error(path.string() + ": " + e.what());
  }
}

} // namespace metrics
