#pragma once
// The native-check gate (issue 13 §2): after the re-parse, the language's own front end looks at the
// fixed file, when its toolchain is on this machine. tree-sitter accepts much that the language refuses
// (a `let` declared twice, `return` outside a function, `x is 1`); the compiler does not.
//
// A fix is refused when the fixed file has a diagnostic the original did not have (compared as
// multisets of messages without file names and positions, since the fix shifts lines): a file that was
// already broken stays comparable, and only what the fix adds counts.
//
// The tools, per language (first found on PATH):
//   python      python3 -I: compile() of the source (SyntaxError, and SyntaxWarning such as `is` with a
//               literal), never run
//   javascript  node --check, as a module or a script: `.mjs`/`.cjs`, else the nearest package.json's
//               "type", else whichever of the two the original passes (script first)
//   c, cpp      gcc/g++ (else clang/clang++) -fsyntax-only, errors only, with -I/-D/-U/-std flags of the
//               file's entry in compile_commands.json (work tree root or build/) when there is one
//   go          gofmt -e
//   java        javac -proc:none into a private directory
// Others (typescript, rust): no check, said as such.
//
// Every tool runs with the scrubbed environment, in a private temporary directory (the file is written
// there under its own base name; never in the user's tree), with a timeout and capped output. Results are
// cached per content for the checker's lifetime (the drain rebuilds its chain several times per cycle).

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fix {

// What the language's front end says about one text.
struct Diagnostics {
  bool ran = false;                    // false: no tool (why_not says why)
  std::string tool;                    // "python3", "node (module)", "g++", ...
  std::string why_not;
  std::vector<std::string> messages;   // normalised: no file name, line or column
};

// The gate's verdict on a fix.
struct NativeVerdict {
  bool ran = false;                    // a tool looked at both texts
  bool ok = true;                      // false: the fix adds `added`
  std::string language;
  std::string tool;
  std::string why_not;                 // when !ran: "no python3 on PATH", "no native check for rust"
  std::vector<std::string> added;      // diagnostics the fixed text has and the original had not
  int original_diagnostics = 0;        // how many the original had
  std::string detail() const;          // one line for attempts and review: what the fix adds
  std::string gate_name() const;       // "native-check(python)" for Autoloop-Validated
};

struct NativeCheckOptions {
  // Where the private directories are made (the system's temporary directory when empty).
  std::filesystem::path temp_root;
  // The user's work tree: compile_commands.json and C/C++ include directories are read from it
  // (never written; nothing in it runs). Empty: none.
  std::filesystem::path work_tree;
  std::chrono::milliseconds timeout{20000};
  std::size_t max_output = 64 * 1024;
};

class NativeChecker {
public:
  explicit NativeChecker(NativeCheckOptions options = {});

  // Reads a repository file at the commit being fixed (package.json), bounded; nullopt when absent.
  using RepoFileReader = std::function<std::optional<std::string>(const std::string& path)>;

  // Compares the fixed text with the original, `path` being the repository-relative path (its
  // extension and directory matter) and `language` a scan language name. Throws nothing but
  // core::Interrupted.
  NativeVerdict compare(const std::string& language, const std::string& path, const std::string& before,
                        const std::string& after, const RepoFileReader& read_repo_file = {});

  // The diagnostics of one text (cached). `mode` is "module" or "script" for JavaScript, else empty.
  Diagnostics diagnostics(const std::string& language, const std::string& path, const std::string& text,
                          const std::string& mode = "");

  // Whether `language` has a tool here; its name, or why not.
  std::optional<std::string> tool_for(const std::string& language, std::string* why_not = nullptr) const;

  // Runs that were answered from the cache (for tests and logs).
  int cache_hits() const { return m_cache_hits; }
  int tool_runs() const { return m_tool_runs; }

private:
  std::string javascript_mode(const std::string& path, const RepoFileReader& read_repo_file) const;
  std::vector<std::string> compile_flags(const std::string& path);

  NativeCheckOptions m_options;
  std::map<std::string, Diagnostics> m_cache;
  std::optional<std::map<std::string, std::vector<std::string>>> m_compile_db; // absolute file -> flags
  int m_cache_hits = 0;
  int m_tool_runs = 0;
};

// The diagnostics `after` has beyond those of `before` (multiset difference, in `after`'s order).
std::vector<std::string> added_diagnostics(const std::vector<std::string>& before, const std::vector<std::string>& after);

// The allowed compile flags of `arguments` (one compile_commands.json entry's argv, without the compiler
// and the file): -I/-isystem/-iquote/-idirafter (relative ones made absolute against `directory`), -D,
// -U and -std=. Everything else is dropped: a flag such as -fplugin= or -B would run code the
// repository names.
std::vector<std::string> allowed_compile_flags(const std::vector<std::string>& arguments,
                                               const std::filesystem::path& directory);

// Splits a compile_commands.json "command" string like a POSIX shell would for plain words, quotes and
// backslashes (no expansion of any kind).
std::vector<std::string> split_command(const std::string& command);

} // namespace fix
