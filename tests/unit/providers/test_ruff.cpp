#include "../support/temp_repo.hpp"

#include "providers/builtin.hpp"

#include <cstdlib>
#include <fstream>
#include <regex>

// The real tool: install.sh --provider ruff (install.sh --test runs it) puts it under the provider
// tool directory, which these tests read as git-autoloop does.

using providers::Blob;
using providers::Diagnostic;
using providers::RunOptions;
using providers::RunResult;
using test_support::EnvGuard;
using test_support::TempDir;

namespace {

namespace fs = std::filesystem;

fs::path installed_tool_dir() {
  if (const char* dir = std::getenv("AUTOLOOP_PROVIDER_DIR"); dir && *dir) return fs::path(dir) / "ruff";
  const char* data = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  const fs::path base = data && *data ? fs::path(data) : fs::path(home ? home : "/") / ".local" / "share";
  return base / "git-autoloop" / "providers" / "ruff";
}

// The version install.sh pins (its `ruff_version=` line).
std::string pinned_version() {
  std::ifstream in(std::string(AUTOLOOP_SOURCE_DIR) + "/install.sh");
  const std::regex pin("^ruff_version=([0-9.]+)$");
  std::smatch m;
  for (std::string line; std::getline(in, line);)
    if (std::regex_match(line, m, pin)) return m[1];
  return "";
}

RunOptions options_in(const TempDir& dir, const fs::path& tool_dir, std::chrono::milliseconds budget) {
  RunOptions o;
  o.work_dir = dir / "work";
  fs::create_directories(o.work_dir);
  o.tool_dir = tool_dir;
  o.budget = budget;
  return o;
}

// Real runs wait for a 10 MB WebAssembly module to load: slow on a loaded machine.
constexpr std::chrono::seconds k_real_budget{180};

const Diagnostic* find(const RunResult& result, const std::string& path, const std::string& rule) {
  for (const auto& file : result.files)
    if (file.path == path)
      for (const auto& d : file.diagnostics)
        if (d.rule_id == rule) return &d;
  return nullptr;
}

std::string text_of(const std::string& content, const Diagnostic& d) {
  return content.substr(d.start_byte, d.end_byte - d.start_byte);
}

// A stand-in for the npm package: its module runs `body` when the script loads it.
fs::path standin_package(const TempDir& dir, const std::string& body) {
  const fs::path tool = dir / "standin";
  dir.write("standin/node_modules/@astral-sh/ruff-wasm-nodejs/package.json",
            R"({"name": "@astral-sh/ruff-wasm-nodejs", "version": ")" + pinned_version() + R"(", "main": "ruff_wasm.js"})");
  dir.write("standin/node_modules/@astral-sh/ruff-wasm-nodejs/ruff_wasm.js", body);
  return tool;
}

// A stand-in for node itself, first on PATH: a shell script.
fs::path standin_node(const TempDir& dir, const std::string& script) {
  const fs::path bin = dir.write("bin/node", "#!/bin/sh\n" + script);
  fs::permissions(bin, fs::perms::owner_all);
  return bin.parent_path();
}

} // namespace

TEST_CASE("ruff: the real tool's findings, byte ranges and fixes", "[ruff]") {
  TempDir dir("ruff");
  const auto ruff = providers::make_ruff();
  RunOptions options = options_in(dir, installed_tool_dir(), k_real_budget);
  std::string why;
  REQUIRE(ruff->version(options, why) == std::optional<std::string>("ruff " + pinned_version()));

  // Non-ASCII text before the findings, on earlier lines and on E711's own line: byte offsets are
  // not character offsets.
  const std::string app =
      "# Grüße, 😀 — before the findings\n"
      "import os\n"
      "\n"
      "\n"
      "def append(item, bucket=[]):\n"
      "    bucket.append(item)\n"
      "    return bucket\n"
      "\n"
      "\n"
      "def label(value):\n"
      "    return \"ünï😀\" if value == None else \"ok\"\n"
      "\n"
      "\n"
      "def run(text):\n"
      "    return eval(text)\n";
  const std::vector<Blob> blobs = {{"pkg/app.py", app},
                                   {"pkg/latin1.py", "name = '\xe9t\xe9' == None\n"}, // not UTF-8: not sent
                                   {"pkg/readme.md", "x == None\n"},                   // not Python
                                   {"venv/lib/site.py", "import os\n"}};               // ruff's default exclude
  const RunResult result = ruff->run(blobs, options);
  INFO(result.problem);
  CHECK(result.problem.empty());
  CHECK_FALSE(result.timed_out);
  REQUIRE(result.files.size() == 1);
  CHECK(result.files[0].path == "pkg/app.py");

  const Diagnostic* b006 = find(result, "pkg/app.py", "ruff/B006");
  const Diagnostic* f401 = find(result, "pkg/app.py", "ruff/F401");
  const Diagnostic* e711 = find(result, "pkg/app.py", "ruff/E711");
  const Diagnostic* s307 = find(result, "pkg/app.py", "ruff/S307");
  REQUIRE(b006);
  REQUIRE(f401);
  REQUIRE(e711);
  REQUIRE(s307);

  // Ranges, as bytes of the content.
  CHECK(text_of(app, *b006) == "[]");
  CHECK(b006->start_line == 5);
  CHECK(text_of(app, *f401) == "os");
  CHECK(f401->start_line == 2);
  CHECK(text_of(app, *e711) == "None");
  CHECK(e711->start_line == 11);
  CHECK(text_of(app, *s307) == "eval(text)");

  // Categories and severities by family.
  CHECK(s307->category == core::Category::security_fixes);
  CHECK(b006->category == core::Category::code_quality);
  CHECK(f401->severity == "low");
  CHECK(b006->severity == "medium");
  CHECK(s307->severity == "medium");
  CHECK_FALSE(b006->message.empty());

  // Each fix, applied alone, with ruff's applicability.
  REQUIRE(f401->fix);
  CHECK(f401->fix->applicability == core::Safety::safe);
  std::string without_import = app;
  without_import.erase(without_import.find("import os\n"), 10);
  CHECK(providers::apply_fix(app, *f401->fix) == std::optional<std::string>(without_import));

  REQUIRE(b006->fix);
  CHECK(b006->fix->applicability == core::Safety::unsafe);
  std::string none_default = app;
  none_default.replace(none_default.find("def append(item, bucket=[]):\n"), 29,
                       "def append(item, bucket=None):\n    if bucket is None:\n        bucket = []\n");
  CHECK(providers::apply_fix(app, *b006->fix) == std::optional<std::string>(none_default));

  REQUIRE(e711->fix);
  CHECK(e711->fix->applicability == core::Safety::unsafe);
  std::string is_none = app;
  is_none.replace(is_none.find("value == None"), 13, "value is None");
  CHECK(providers::apply_fix(app, *e711->fix) == std::optional<std::string>(is_none));

  CHECK_FALSE(s307->fix);
}

TEST_CASE("ruff: the repository's configuration files", "[ruff]") {
  TempDir dir("ruff");
  const auto ruff = providers::make_ruff();
  RunOptions options = options_in(dir, installed_tool_dir(), k_real_budget);
  const std::string findings = "import os\n\n\ndef f(x=[]):\n    return x == None\n";
  options.config_files = {
      // At the root: B and F only, and not B006.
      {"ruff.toml", "# ours\n[lint]\nselect = [\"B\", \"F\"]\nignore = [\n  \"B006\",  # mutable defaults are fine here\n]\n"},
      // Nearer to sub/: it replaces the root's (ruff's own default selection, B006 among them), and
      // no F401 in legacy.py.
      {"sub/pyproject.toml", "[project]\nname = 'sub'\n\n[tool.ruff.lint.per-file-ignores]\n\"legacy.py\" = [\"F401\"]\n"},
      // A configuration that is not TOML: its files are not checked with anything else.
      {"broken/.ruff.toml", "[lint\nselect = [\"E\"]\n"},
      // Not a ruff configuration.
      {"setup.cfg", "[flake8]\nignore = F401\n"}};
  const std::vector<Blob> blobs = {
      {"app.py", findings}, {"sub/new.py", findings}, {"sub/legacy.py", findings}, {"broken/x.py", findings}};
  const RunResult result = ruff->run(blobs, options);
  INFO(result.problem);

  // ruff.toml: F401 stays, B006 is ignored, E711 is not selected (our defaults would select both).
  CHECK(find(result, "app.py", "ruff/F401"));
  CHECK_FALSE(find(result, "app.py", "ruff/B006"));
  CHECK_FALSE(find(result, "app.py", "ruff/E711"));
  // sub/pyproject.toml, not ruff.toml: B006 is back; per-file-ignores by file name.
  CHECK(find(result, "sub/new.py", "ruff/F401"));
  CHECK(find(result, "sub/new.py", "ruff/B006"));
  CHECK_FALSE(find(result, "sub/legacy.py", "ruff/F401"));
  CHECK(find(result, "sub/legacy.py", "ruff/B006"));
  // broken/.ruff.toml: said, and its file left alone.
  CHECK(result.problem.find("broken/.ruff.toml") != std::string::npos);
  for (const auto& file : result.files) CHECK(file.path != "broken/x.py");
}

TEST_CASE("ruff: a tool that is missing, crashes, hangs or prints garbage", "[ruff]") {
  TempDir dir("ruff");
  const auto ruff = providers::make_ruff();
  const std::vector<Blob> blobs = {{"a.py", "import os\n"}};
  std::string why;

  SECTION("the package is not installed") {
    const RunOptions options = options_in(dir, dir / "empty", std::chrono::seconds(20));
    CHECK_FALSE(ruff->version(options, why));
    CHECK(why.find("install.sh --provider ruff") != std::string::npos);
    const RunResult result = ruff->run(blobs, options);
    CHECK(result.problem == why);
    CHECK(result.files.empty());
  }
  SECTION("another version is installed") {
    const fs::path tool = standin_package(dir, "");
    dir.write("standin/node_modules/@astral-sh/ruff-wasm-nodejs/package.json", R"({"version": "0.0.1"})");
    CHECK_FALSE(ruff->version(options_in(dir, tool, std::chrono::seconds(20)), why));
    CHECK(why.find("ruff 0.0.1 is installed") != std::string::npos);
  }
  SECTION("node is not on PATH") {
    fs::create_directories(dir / "nothing");
    EnvGuard path("PATH", (dir / "nothing").string());
    const RunOptions options = options_in(dir, installed_tool_dir(), std::chrono::seconds(20));
    CHECK_FALSE(ruff->version(options, why));
    CHECK(why.find("node") != std::string::npos);
    CHECK(ruff->run(blobs, options).problem == why);
  }
  SECTION("the tool crashes") {
    const RunOptions options = options_in(dir, standin_package(dir, "process.abort();\n"), std::chrono::seconds(60));
    REQUIRE(ruff->version(options, why));
    const RunResult result = ruff->run(blobs, options);
    CHECK(result.problem.find("ruff failed (exit status") != std::string::npos);
    CHECK_FALSE(result.timed_out);
    CHECK(result.files.empty());
  }
  SECTION("the tool hangs past its budget") {
    const RunOptions options = options_in(dir, standin_package(dir, "for (;;) {}\n"), std::chrono::milliseconds(1500));
    const RunResult result = ruff->run(blobs, options);
    CHECK(result.timed_out);
    CHECK(result.problem == "ruff timed out after 1.5 s");
    CHECK(result.elapsed < std::chrono::seconds(30));
    CHECK(result.files.empty());
  }
  SECTION("the tool prints garbage") {
    const RunOptions options = options_in(dir, standin_package(dir, ""), std::chrono::seconds(20));
    const std::string report_of_another_file =
        R"({"version": "0", "problems": [], "files": [{"path": "b.py", "diagnostics": []}]})";
    const std::string positions_that_are_not =
        R"({"version": "0", "problems": [], "files": [{"path": "a.py", "diagnostics": [{"code": "F401",)"
        R"( "message": "m", "start": {"row": "one", "column": 1}, "end": {"row": 1, "column": 2}, "fix": null}]}]})";
    for (const std::string& garbage : {std::string("this is not JSON {"), std::string("[1, 2, 3]"), report_of_another_file,
                                       positions_that_are_not}) {
      INFO(garbage);
      EnvGuard path("PATH", standin_node(dir, "cat >/dev/null\ncat <<'EOF'\n" + garbage + "\nEOF\n").string() + ":" +
                                std::getenv("PATH"));
      const RunResult result = ruff->run(blobs, options);
      CHECK(result.problem.find("ruff printed output that is not its report") == 0);
      CHECK(result.files.empty());
    }
  }
}

TEST_CASE("ruff: which files it handles", "[ruff]") {
  const auto ruff = providers::make_ruff();
  CHECK(ruff->name() == "ruff");
  CHECK(ruff->handles("pkg/app.py"));
  CHECK(ruff->handles("stubs/app.pyi"));
  CHECK_FALSE(ruff->handles("app.js"));
  CHECK_FALSE(ruff->handles("py"));
  CHECK(providers::make_provider("ruff"));
}
