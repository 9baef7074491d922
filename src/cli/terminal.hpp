#pragma once
// What a terminal gets that a pipe does not, decided as git decides it: colour (--color, NO_COLOR,
// color.ui), the pager (--no-pager, GIT_PAGER, core.pager, PAGER) and progress lines. When stdout is
// not a terminal, nothing here changes the output (but an explicit --color=always).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cli {

struct Global;

enum class ColourWhen { automatic, always, never };

// "auto" | "always" | "never", and git's spellings of color.ui ("true" is auto, "false" and "" never);
// nullopt for anything else.
std::optional<ColourWhen> parse_colour_when(std::string_view value);

// What decides colour, read from the process by colour_inputs().
struct ColourInputs {
  std::optional<std::string> option;    // --color=WHEN as given (already validated)
  std::optional<std::string> no_color;  // $NO_COLOR
  std::optional<std::string> colour_ui; // git config color.ui
  std::optional<std::string> term;      // $TERM
  bool is_tty = false;                  // the output stream is a terminal
};

// Whether to colour, in this order: --color=always|never; NO_COLOR set and non-empty (no-color.org)
// means never; color.ui (unless --color=auto was given); else auto. Auto colours a terminal unless TERM
// is "dumb", as git does.
bool colour_decision(const ColourInputs& in);

// Whether stdout gets colour for this run. Reads git's configuration files without running git (a
// configuration the reader does not follow counts as unset). Never throws.
bool use_colour(const Global& g);

// What decides the pager, read from the process by pager_inputs().
struct PagerInputs {
  bool no_pager = false;                 // --no-pager
  bool is_tty = false;                   // stdout is a terminal
  std::optional<std::string> git_pager;  // $GIT_PAGER
  std::optional<std::string> core_pager; // git config core.pager
  std::optional<std::string> pager;      // $PAGER
};

// The pager command line, as git chooses it: GIT_PAGER, core.pager, PAGER, then "less"; nullopt when
// stdout is not a terminal, with --no-pager, or when the choice is empty or "cat" (git's "no pager").
std::optional<std::string> pager_command(const PagerInputs& in);

// A pager that stdout is piped into for the life of the object (git's `setup_pager`): started with
// `sh -c COMMAND`, LESS=FRX and LV=-c unless set (quit if one screen, keep colours), and waited for
// by the destructor, which flushes and closes stdout's end first. No pager when pager_command() says
// none or the pager cannot start (the output then goes to the terminal as before).
class Pager {
public:
  static Pager start(const Global& g);
  Pager(Pager&& other) noexcept;
  Pager& operator=(Pager&&) = delete;
  Pager(const Pager&) = delete;
  Pager& operator=(const Pager&) = delete;
  ~Pager();
  bool active() const { return m_pid > 0; }

private:
  Pager() = default;
  int m_pid = -1;           // the pager's process
  int m_saved_stdout = -1;  // stdout before it was redirected into the pager
};

// A progress line on stderr ("scanning: 120/5000 files"), redrawn in place on a terminal and silent
// otherwise, as git's progress meter. Throttled to a few updates per second; the destructor clears it.
class Progress {
public:
  Progress(std::string title, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void update(size_t done, size_t total);
  // A step of work whose size is not known ahead ("drain: testing 3 fixes"), drawn at once.
  void step(const std::string& what);

private:
  std::string m_title;
  bool m_enabled;
  bool m_drawn = false;
  long long m_last_ms = 0;
};

// The text of a progress line: "scanning: 45% (120/5000)".
std::string progress_text(const std::string& title, size_t done, size_t total);

// Whether stderr is a terminal (progress lines go there).
bool stderr_is_tty();

} // namespace cli
