#pragma once
// Text safe to print on a terminal. Paths, rule ids and messages, config keys and the errors quoting them
// come from the repository; an escape sequence in them would act on the user's terminal (OSC 52 writes
// the clipboard, others retitle or clear the screen). Standard library only: the hook binary prints
// through it too.

#include <cstdio>
#include <string>
#include <string_view>

namespace core {

// `text` with control characters (C0 but tab, DEL, C1 as UTF-8) written as \xNN; line breaks too unless
// `keep_lines` (a query, a description). Idempotent.
inline std::string printable(std::string_view text, bool keep_lines = false) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // C1 controls as UTF-8 are 0xC2 0x80..0x9F (0x9B is a one-byte CSI to some terminals).
    const bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    if ((c < 0x20 && c != '\t' && !(keep_lines && c == '\n')) || c == 0x7F || c1) {
      const unsigned char shown = c1 ? static_cast<unsigned char>(text[++i]) : c;
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", shown);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

} // namespace core
