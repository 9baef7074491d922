// Fuzz target: the merge driver's engine (merge::three_way), as `git autoloop merge` calls it.
//
// Input: a first line "LANGUAGE [merge|diff3|zdiff3] [MARKER_SIZE]" (LANGUAGE "text" or unknown: no
// language, line merge only), then base, "%%", ours, "%%", theirs.
//
// Checks: the merge never crashes and throws nothing (a libgit2 failure is the only allowed
// exception, and these inputs are small); for text inputs, identical sides merge cleanly to that side
// and a side equal to the base gives the other side (libgit2 takes NUL bytes or many control characters
// for binary and leaves a conflict, as git's binary driver does); a fallback is never clean; a clean
// result holds no conflict marker that none of the inputs had.

#include "fuzz_input.hpp"

#include "merge/merge.hpp"
#include "scan/language.hpp"

#include <sstream>
#include <string>
#include <vector>

namespace {

bool has_markers(const std::string& text, int size) {
  const std::string open = std::string(size, '<') + " ", close = std::string(size, '>') + " ";
  return text.rfind(open, 0) == 0 || text.find("\n" + open) != std::string::npos ||
         text.rfind(close, 0) == 0 || text.find("\n" + close) != std::string::npos;
}

// Whether libgit2 could take `text` for binary (NUL bytes or control characters): its line merge then
// reports a conflict whatever the sides are.
bool maybe_binary(const std::string& text) {
  for (unsigned char c : text)
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return true;
  return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> parts = fuzz::sections(data, size);
  if (parts.size() < 3) return 0;
  std::istringstream header(fuzz::take_line(parts[0]));
  std::string language_name, style;
  int marker_size = 7;
  header >> language_name >> style >> marker_size;

  merge::Options options;
  options.parse_timeout_ms = 200;
  if (style == "diff3") options.line.style = git::ConflictStyle::diff3;
  if (style == "zdiff3") options.line.style = git::ConflictStyle::zdiff3;
  if (marker_size >= 1 && marker_size <= 32) options.line.marker_size = marker_size;
  const scan::LanguageProfile* language = scan::language_by_name(language_name);
  const std::string& base = parts[0];
  const std::string& ours = parts[1];
  const std::string& theirs = parts[2];

  merge::Result r = merge::three_way(base, ours, theirs, language, options);
  if (r.method == merge::Method::fallback && r.clean) fuzz::broken("a fallback result is marked clean");
  const bool text = !maybe_binary(base) && !maybe_binary(ours) && !maybe_binary(theirs);
  if (text && ours == theirs && (!r.clean || r.text != ours)) fuzz::broken("identical sides did not merge to themselves");
  if (text && base == ours && (!r.clean || r.text != theirs)) fuzz::broken("an unchanged side did not give the other side");
  if (text && base == theirs && (!r.clean || r.text != ours)) fuzz::broken("an unchanged side did not give the other side");
  const int m = options.line.marker_size;
  if (r.clean && has_markers(r.text, m) && !has_markers(base, m) && !has_markers(ours, m) && !has_markers(theirs, m))
    fuzz::broken("a clean merge holds conflict markers", r.text);
  return 0;
}
