#include "../support/temp_repo.hpp"

#include "providers/builtin.hpp"
#include "providers/provider.hpp"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

// These tests run the real Biome that `install.sh --provider biome` installs (install.sh --test does
// it), and stand-ins for a tool that crashes, hangs or prints garbage.

namespace {

namespace fs = std::filesystem;
using providers::Blob;
using providers::Diagnostic;
using providers::RunOptions;
using providers::RunResult;

// Where install.sh --provider biome puts the tool: $AUTOLOOP_PROVIDER_DIR, else the user's data directory.
fs::path real_tool_dir() {
  if (const char* dir = ::getenv("AUTOLOOP_PROVIDER_DIR"); dir && *dir) return fs::path(dir) / "biome";
  const char* data = ::getenv("XDG_DATA_HOME");
  const char* home = ::getenv("HOME");
  const fs::path base = data && *data ? fs::path(data) : fs::path(home ? home : "/") / ".local" / "share";
  return base / "git-autoloop" / "providers" / "biome";
}

RunOptions options_in(const test_support::TempDir& temp, const fs::path& tool_dir) {
  RunOptions options;
  options.work_dir = temp.path() / "work";
  fs::create_directories(options.work_dir);
  options.tool_dir = tool_dir;
  options.budget = std::chrono::seconds(60); // a loaded CI machine; the tool needs well under a second
  return options;
}

// Runs the real tool; fails the test (with install.sh's hint) when it is not installed.
RunResult run_real(const std::vector<Blob>& blobs, std::map<std::string, std::string> config_files = {}) {
  test_support::TempDir temp("biome");
  RunOptions options = options_in(temp, real_tool_dir());
  options.config_files = std::move(config_files);
  auto biome = providers::make_biome();
  std::string why;
  const auto version = biome->version(options, why);
  INFO("the real biome: " << why << " (AUTOLOOP_PROVIDER_DIR=" << real_tool_dir().parent_path().string() << ")");
  REQUIRE(version == std::optional<std::string>("biome 2.6.9"));
  RunResult result = biome->run(blobs, options);
  INFO("problem: " << result.problem);
  REQUIRE(result.problem.empty());
  return result;
}

std::vector<Diagnostic> diagnostics_of(const RunResult& result, const std::string& path) {
  for (const auto& file : result.files)
    if (file.path == path) return file.diagnostics;
  return {};
}

const Diagnostic* find_rule(const std::vector<Diagnostic>& diagnostics, const std::string& rule_id) {
  for (const Diagnostic& d : diagnostics)
    if (d.rule_id == rule_id) return &d;
  return nullptr;
}

// A stand-in tool at the place install.sh puts Biome's binary.
fs::path stand_in(const test_support::TempDir& temp, const std::string& script) {
  const fs::path tool_dir = temp.path() / "providers" / "biome";
  const fs::path binary = tool_dir / "node_modules" / "@biomejs" / "cli-linux-x64" / "biome";
  fs::create_directories(binary.parent_path());
  std::ofstream(binary) << "#!/bin/sh\n" << script << "\n";
  fs::permissions(binary, fs::perms::owner_all);
  return tool_dir;
}

// Non-ASCII text before the diagnostics (é: 2 bytes, ✓: 3, 😀: 4 and two UTF-16 units), on the line
// before and on the same line.
const std::string k_script = "// h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80 na\xc3\xafve\n"
                             "let count = 1;\n"
                             "if (\"\xc3\xa9\xf0\x9f\x98\x80\" == count) { console.log(count); }\n";

} // namespace

TEST_CASE("make_biome", "[biome]") {
  auto biome = providers::make_biome();
  CHECK(biome->name() == "biome");
  for (const char* path : {"a.js", "src/a.mjs", "a.cjs", "ui/App.jsx", "a.ts", "b.tsx", "c.mts", "d.cts"})
    CHECK(biome->handles(path));
  for (const char* path : {"package.json", "biome.json", "a.py", "a.css", "js", "a.js.orig", "README.md"})
    CHECK_FALSE(biome->handles(path));
  SECTION("it is a built-in provider") {
    CHECK(providers::make_provider("biome") != nullptr);
    const auto& names = providers::provider_names();
    CHECK(std::find(names.begin(), names.end(), "biome") != names.end());
  }
}

TEST_CASE("BiomeProvider::version", "[biome]") {
  test_support::TempDir temp("biome");
  auto biome = providers::make_biome();
  std::string why;
  SECTION("the installed tool") {
    const auto version = biome->version(options_in(temp, real_tool_dir()), why);
    INFO(why);
    CHECK(version == std::optional<std::string>("biome 2.6.9"));
  }
  SECTION("a missing tool says how to install it") {
    CHECK_FALSE(biome->version(options_in(temp, temp.path() / "nothing"), why));
    CHECK(why.find("install.sh --provider biome") != std::string::npos);
  }
  SECTION("another version is not ours") {
    CHECK_FALSE(biome->version(options_in(temp, stand_in(temp, "echo 'Version: 1.9.4'")), why));
    CHECK(why.find("1.9.4") != std::string::npos);
    CHECK(why.find("install.sh --provider biome") != std::string::npos);
  }
}

TEST_CASE("BiomeProvider::run", "[biome]") {
  SECTION("rule ids, categories, severities and byte ranges after non-ASCII text") {
    const RunResult result = run_real({Blob{"src/a.js", k_script}});
    const auto diagnostics = diagnostics_of(result, "src/a.js");
    const Diagnostic* use_const = find_rule(diagnostics, "biome/lint/style/useConst");
    REQUIRE(use_const);
    CHECK(use_const->category == core::Category::code_quality);
    CHECK(use_const->severity == "medium");
    CHECK(use_const->start_line == 2);
    CHECK(use_const->start_byte == k_script.find("let count"));
    CHECK(use_const->end_byte == k_script.find("let count") + 3);

    const Diagnostic* double_equals = find_rule(diagnostics, "biome/lint/suspicious/noDoubleEquals");
    REQUIRE(double_equals);
    CHECK(double_equals->severity == "high");
    CHECK(double_equals->start_line == 3);
    CHECK(double_equals->start_byte == k_script.find("=="));
    CHECK(double_equals->end_byte == k_script.find("==") + 2);
    CHECK(result.elapsed.count() > 0);
  }

  SECTION("fixes apply as byte edits, with Biome's applicability") {
    const auto diagnostics = diagnostics_of(run_real({Blob{"src/a.js", k_script}}), "src/a.js");
    const Diagnostic* use_const = find_rule(diagnostics, "biome/lint/style/useConst");
    REQUIRE(use_const);
    REQUIRE(use_const->fix);
    CHECK(use_const->fix->applicability == core::Safety::safe);
    CHECK(use_const->fix->message == "Use const instead.");
    std::string expected = k_script;
    expected.replace(expected.find("let count"), 3, "const");
    CHECK(providers::apply_fix(k_script, *use_const->fix) == std::optional<std::string>(expected));

    const Diagnostic* double_equals = find_rule(diagnostics, "biome/lint/suspicious/noDoubleEquals");
    REQUIRE(double_equals);
    REQUIRE(double_equals->fix);
    CHECK(double_equals->fix->applicability == core::Safety::unsafe);
    expected = k_script;
    expected.replace(expected.find("=="), 2, "===");
    CHECK(providers::apply_fix(k_script, *double_equals->fix) == std::optional<std::string>(expected));
  }

  SECTION("TypeScript, and the security and performance groups") {
    const std::string ts = "const n: any = 1;\n"
                           "export function f(items: number[]) {\n"
                           "  eval(\"1\");\n"
                           "  return items.reduce((acc: number[], x) => [...acc, x], [n]);\n"
                           "}\n";
    const auto diagnostics = diagnostics_of(run_real({Blob{"lib/f.ts", ts}}), "lib/f.ts");
    const Diagnostic* any = find_rule(diagnostics, "biome/lint/suspicious/noExplicitAny");
    REQUIRE(any);
    CHECK(any->start_byte == ts.find("any"));
    CHECK_FALSE(any->fix);
    const Diagnostic* eval = find_rule(diagnostics, "biome/lint/security/noGlobalEval");
    REQUIRE(eval);
    CHECK(eval->category == core::Category::security_fixes);
    const Diagnostic* spread = find_rule(diagnostics, "biome/lint/performance/noAccumulatingSpread");
    REQUIRE(spread);
    CHECK(spread->category == core::Category::performance_issues);
  }

  SECTION("a biome.json of the repository that turns a rule off removes it") {
    const std::string config = R"({ "linter": { "rules": { "style": { "useConst": "off" } } } })";
    const auto diagnostics = diagnostics_of(run_real({Blob{"src/a.js", k_script}}, {{"biome.json", config}}), "src/a.js");
    CHECK_FALSE(find_rule(diagnostics, "biome/lint/style/useConst"));
    CHECK(find_rule(diagnostics, "biome/lint/suspicious/noDoubleEquals"));
  }

  SECTION("a biome.json that makes a fix unsafe is honoured") {
    const std::string config =
        R"({ "linter": { "rules": { "style": { "useConst": { "level": "warn", "fix": "unsafe" } } } } })";
    const auto diagnostics = diagnostics_of(run_real({Blob{"src/a.js", k_script}}, {{"biome.json", config}}), "src/a.js");
    const Diagnostic* use_const = find_rule(diagnostics, "biome/lint/style/useConst");
    REQUIRE(use_const);
    REQUIRE(use_const->fix);
    CHECK(use_const->fix->applicability == core::Safety::unsafe);
  }

  SECTION("paths that leave the work directory or are not code are not written") {
    test_support::TempDir temp("biome");
    const RunOptions options = options_in(temp, real_tool_dir());
    const RunResult result = providers::make_biome()->run(
        {Blob{"../escape.js", k_script}, Blob{"notes.txt", "let x = 1;\n"}, Blob{"ok.js", k_script}}, options);
    CHECK(result.problem.empty());
    CHECK_FALSE(fs::exists(options.work_dir / "escape.js"));
    CHECK_FALSE(fs::exists(temp.path() / "escape.js"));
    CHECK_FALSE(fs::exists(options.work_dir / "tree" / "notes.txt"));
    REQUIRE(result.files.size() == 1);
    CHECK(result.files[0].path == "ok.js");
  }

  SECTION("a repository configuration Biome refuses is a problem") {
    test_support::TempDir temp("biome");
    RunOptions options = options_in(temp, real_tool_dir());
    options.config_files["biome.json"] = "{ \"linter\": [ not json";
    RunResult result;
    CHECK_NOTHROW(result = providers::make_biome()->run({Blob{"a.js", k_script}}, options));
    CHECK(result.problem.find("biome refused to run") != std::string::npos);
    CHECK(result.files.empty());
  }
}

TEST_CASE("BiomeProvider::run with a tool that fails", "[biome]") {
  test_support::TempDir temp("biome");
  auto biome = providers::make_biome();
  const std::vector<Blob> blobs = {Blob{"a.js", k_script}};
  RunResult result;

  SECTION("missing") {
    CHECK_NOTHROW(result = biome->run(blobs, options_in(temp, temp.path() / "nothing")));
    CHECK(result.problem.find("biome is not installed") != std::string::npos);
  }
  SECTION("crashes") {
    CHECK_NOTHROW(result = biome->run(blobs, options_in(temp, stand_in(temp, "kill -SEGV $$"))));
    CHECK(result.problem == "biome crashed (signal 11)");
    CHECK(result.files.empty());
  }
  SECTION("hangs past its budget") {
    RunOptions options = options_in(temp, stand_in(temp, "exec sleep 60"));
    options.budget = std::chrono::milliseconds(300);
    const auto started = std::chrono::steady_clock::now();
    CHECK_NOTHROW(result = biome->run(blobs, options));
    CHECK(result.timed_out);
    CHECK(result.problem == "biome timed out after 300 ms");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  }
  SECTION("prints garbage") {
    CHECK_NOTHROW(result = biome->run(blobs, options_in(temp, stand_in(temp, "echo '{{{ not json'; exit 1"))));
    CHECK(result.problem.find("not its rdjson report") != std::string::npos);
    CHECK(result.files.empty());
  }
  SECTION("prints JSON of another shape") {
    const char* odd = R"(echo '{"diagnostics": [7, {"code": 5}, {"code": {"value": "lint/a/b"}, "location": )"
                      R"({"path": "a.js", "range": {"start": {"line": -1, "column": "x"}}}}, )"
                      R"({"code": {"value": "lint/a/b"}, "location": {"path": "a.js", "range": {"start": )"
                      R"({"line": 1, "column": 1}, "end": {"line": 99, "column": 99}}}, "suggestions": )"
                      R"([{"range": {"start": {"line": 1, "column": 5}, "end": {"line": 1, "column": 2}}, "text": "x"}]}]}')";
    CHECK_NOTHROW(result = biome->run(blobs, options_in(temp, stand_in(temp, odd))));
    CHECK(result.problem.empty());
    REQUIRE(result.files.size() == 1);
    REQUIRE(result.files[0].diagnostics.size() == 1);       // only the readable one
    const Diagnostic& d = result.files[0].diagnostics[0];
    CHECK(d.end_byte == k_script.size());                    // clamped to the content
    CHECK_FALSE(d.fix);                                      // an edit that ends before it starts
  }
}
