#include "merge/merge.hpp"

#include "merge/structured.hpp"

#include <cstdlib>
#include <cstring>

namespace merge {

namespace {

// Whether `text` is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool valid_utf8(const std::string& text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

} // namespace

ConflictSize conflict_size(const std::string& text, int marker_size) {
  ConflictSize out;
  std::string open(static_cast<size_t>(marker_size), '<'), close(static_cast<size_t>(marker_size), '>');
  auto is_marker = [](const std::string& t, size_t at, size_t end, const std::string& m) {
    return end - at >= m.size() && t.compare(at, m.size(), m) == 0 &&
           (end - at == m.size() || t[at + m.size()] == ' ' || t[at + m.size()] == '\r');
  };
  bool inside = false;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    size_t end = nl == std::string::npos ? text.size() : nl;
    if (!inside && is_marker(text, at, end, open)) {
      inside = true;
      ++out.hunks;
    } else if (inside && is_marker(text, at, end, close)) {
      inside = false;
    } else if (inside && text.find_first_not_of(" \t\r", at) < end &&
               !is_marker(text, at, end, std::string(static_cast<size_t>(marker_size), '=')) &&
               !is_marker(text, at, end, std::string(static_cast<size_t>(marker_size), '|'))) {
      ++out.lines;
    }
    at = nl == std::string::npos ? text.size() : nl + 1;
  }
  return out;
}

std::string unsuitable(const std::string& text, size_t max_size) {
  if (text.size() > max_size) return "larger than " + std::to_string(max_size) + " bytes";
  if (std::memchr(text.data(), '\0', text.size())) return "binary (NUL byte)";
  if (!valid_utf8(text)) return "not valid UTF-8";
  size_t crlf = 0, lf = 0;
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') ++(i > 0 && text[i - 1] == '\r' ? crlf : lf);
  if (crlf && lf) return "mixed line endings (CRLF and LF)";
  return "";
}

bool structured_disabled_by_environment() {
  const char* v = std::getenv("AUTOLOOP_MERGE");
  return v && (std::strcmp(v, "0") == 0 || std::strcmp(v, "false") == 0 || std::strcmp(v, "off") == 0);
}

const char* method_name(Method method) {
  switch (method) {
  case Method::line: return "line";
  case Method::structured: return "structured";
  case Method::fallback: return "fallback";
  }
  return "?";
}

Result three_way(const std::string& base, const std::string& ours, const std::string& theirs,
                 const scan::LanguageProfile* language, const Options& options) {
  // 1. git's line merge: when it is clean there is nothing to improve.
  git::MergeFileResult line = git::merge_file(base, ours, theirs, options.line);
  if (line.clean) return {true, std::move(line.text), Method::line, ""};
  Result fallback{false, std::move(line.text), Method::fallback, ""};
  if (!options.structured) {
    fallback.note = "structured merge turned off";
    return fallback;
  }
  if (!language) {
    fallback.note = "not a supported language";
    return fallback;
  }
  for (const std::string* side : {&base, &ours, &theirs}) {
    std::string why = unsuitable(*side, options.max_size);
    if (!why.empty()) {
      fallback.note = why;
      return fallback;
    }
  }
  // 2 and 3. The structured merge, verified; 4. otherwise git's conflict output.
  std::string why;
  if (auto s = structured_merge(base, ours, theirs, *language, options, why)) {
    if (s->clean) return {true, std::move(s->text), Method::structured, ""};
    // A conflicted structured result replaces git's only when its conflicts are smaller (fewer, or as
    // many over fewer non-blank lines): the same conflict written differently would only surprise.
    ConflictSize mine = conflict_size(s->text, options.line.marker_size);
    ConflictSize gits = conflict_size(fallback.text, options.line.marker_size);
    if (mine.hunks < gits.hunks || (mine.hunks == gits.hunks && mine.lines < gits.lines))
      return {false, std::move(s->text), Method::structured, ""};
    why = "the structured conflicts are no smaller than git's";
  }
  fallback.note = why;
  return fallback;
}

} // namespace merge
