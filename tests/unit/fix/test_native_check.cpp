#include "../support/temp_repo.hpp"

#include "fix/native_check.hpp"

#include <sys/stat.h>

#include <cstdlib>

namespace {

using test_support::TempDir;
namespace fs = std::filesystem;

// Sets an environment variable for one scope (PATH for fake tools, a secret to look for).
class ScopedEnv {
public:
  ScopedEnv(const char* name, const std::string& value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (m_old) ::setenv(m_name, m_old->c_str(), 1);
    else ::unsetenv(m_name);
  }

private:
  const char* m_name;
  std::optional<std::string> m_old;
};

// An executable shell script `name` in `dir`.
void fake_tool(const TempDir& dir, const std::string& name, const std::string& body) {
  auto file = dir.write("bin/" + name, "#!/bin/sh\n" + body);
  ::chmod(file.c_str(), 0755);
}

bool contains(const std::vector<std::string>& v, const std::string& part) {
  for (const auto& s : v)
    if (s.find(part) != std::string::npos) return true;
  return false;
}

} // namespace

TEST_CASE("NativeChecker::compare", "[fix]") {
  fix::NativeChecker checker;
  // The toolchains CI builds and tests with: their absence is a failure here, not a skip.
  REQUIRE(checker.tool_for("python"));
  REQUIRE(checker.tool_for("javascript"));
  REQUIRE(checker.tool_for("c"));
  REQUIRE(checker.tool_for("cpp"));

  SECTION("python: a fix that breaks the syntax is refused, with the diagnostic") {
    auto v = checker.compare("python", "a.py", "def f():\n    return 1\n", "def f():\nreturn 1\n");
    REQUIRE(v.ran);
    CHECK_FALSE(v.ok);
    CHECK(v.gate_name() == "native-check(python)");
    CHECK(contains(v.added, "IndentationError"));
    CHECK(v.detail().find("IndentationError") != std::string::npos);
  }
  SECTION("python: compile-time errors tree-sitter accepts, and SyntaxWarnings") {
    auto outside = checker.compare("python", "a.py", "x = 1\n", "x = 1\nreturn x\n");
    REQUIRE(outside.ran);
    CHECK(contains(outside.added, "'return' outside function"));
    auto literal = checker.compare("python", "a.py", "if x == 1: pass\n", "if x is 1: pass\n");
    REQUIRE(literal.ran);
    CHECK(contains(literal.added, "SyntaxWarning"));
  }
  SECTION("python: a good fix passes; an error the original had already does not count") {
    auto good = checker.compare("python", "a.py", "if x == None: pass\n", "if x is None: pass\n");
    CHECK(good.ran);
    CHECK(good.ok);
    auto still = checker.compare("python", "a.py", "print 'hi'\nif x == None: pass\n", "print 'hi'\nif x is None: pass\n");
    CHECK(still.ran);
    CHECK(still.ok);
  }
  SECTION("javascript: a let redeclaration is refused (tree-sitter parses it)") {
    auto v = checker.compare("javascript", "a.js", "var x = 1;\nvar x = 2;\n", "let x = 1;\nlet x = 2;\n");
    REQUIRE(v.ran);
    CHECK_FALSE(v.ok);
    CHECK(contains(v.added, "SyntaxError"));
    CHECK(contains(v.added, "already been declared"));
  }
  SECTION("javascript: a module is checked as a module") {
    const std::string before = "import fs from 'fs';\nvar x = 1;\nexport default x;\n";
    const std::string after = "import fs from 'fs';\nconst x = 1;\nexport default x;\n";
    auto by_extension = checker.compare("javascript", "a.mjs", before, after);
    CHECK(by_extension.ran);
    CHECK(by_extension.ok);
    CHECK(by_extension.tool == "node (module)");
    // No package.json to say: the mode the original passes in.
    auto guessed = checker.compare("javascript", "lib/a.js", before, after);
    CHECK(guessed.ok);
    CHECK(guessed.tool == "node (module)");
    // package.json "type": "module" of the nearest directory decides.
    auto reader = [](const std::string& p) -> std::optional<std::string> {
      if (p == "lib/package.json") return std::string(R"({"type": "module"})");
      return std::nullopt;
    };
    auto typed = checker.compare("javascript", "lib/sub/a.js", "var x = 1;\n", "with (o) {}\nvar x = 1;\n", reader);
    REQUIRE(typed.ran);
    CHECK(typed.tool == "node (module)");
    CHECK_FALSE(typed.ok); // `with` is a syntax error in a module's strict mode, fine in a script
    auto script = checker.compare("javascript", "a.cjs", "var x = 1;\n", "with (o) {}\nvar x = 1;\n");
    CHECK(script.ok);
  }
  SECTION("c and c++: a fix that adds a compile error is refused; what the original had is not counted") {
    auto c = checker.compare("c", "a.c", "int f(void) { return 0; }\n", "int f(void) { return 0 }\n");
    REQUIRE(c.ran);
    CHECK_FALSE(c.ok);
    CHECK(contains(c.added, "error: expected"));
    auto cpp = checker.compare("cpp", "a.cpp", "void f() { undeclared(); int* p = 0; }\n",
                               "void f() { undeclared(); int* p = nullptr; }\n");
    CHECK(cpp.ran);
    CHECK(cpp.ok); // `undeclared` is an error before and after
    auto header = checker.compare("cpp", "a.h", "struct S { int x; };\n", "struct S { int x; } struct T {};\n");
    CHECK_FALSE(header.ok);
  }
  SECTION("languages without a check say so") {
    auto v = checker.compare("typescript", "a.ts", "var x = 1;\n", "let x = 1;\n");
    CHECK_FALSE(v.ran);
    CHECK(v.ok);
    CHECK(v.why_not == "no native check for typescript");
    auto jsx = checker.compare("javascript", "a.jsx", "var x = <b/>;\n", "let x = <b/>;\n");
    CHECK_FALSE(jsx.ran);
    CHECK(jsx.why_not.find("JSX") != std::string::npos);
  }
  SECTION("results are cached per content") {
    auto first = checker.compare("python", "a.py", "x = 1\n", "x = 2\n");
    const int runs = checker.tool_runs();
    auto second = checker.compare("python", "b.py", "x = 1\n", "x = 2\n");
    CHECK(checker.tool_runs() == runs);
    CHECK(checker.cache_hits() >= 2);
    CHECK(first.ok == second.ok);
  }
}

TEST_CASE("NativeChecker runs tools privately and bounded", "[fix]") {
  TempDir dir("native");
  ScopedEnv path("PATH", (dir.path() / "bin").string() + ":" + std::string(std::getenv("PATH") ? std::getenv("PATH") : ""));
  ScopedEnv secret("AUTOLOOP_TEST_SECRET", "hunter2");
  fix::NativeCheckOptions o;
  o.work_tree = dir.path() / "tree";
  o.timeout = std::chrono::milliseconds(1500);

  SECTION("a scrubbed environment, a private directory outside the work tree, the file under its name") {
    // A fake gofmt that reports where it runs, what it sees and which file it got.
    fake_tool(dir, "gofmt",
              "echo \"$2:1:1: cwd $(pwd)\"\necho \"$2:1:1: secret [$AUTOLOOP_TEST_SECRET]\"\n"
              "grep -q BROKEN \"$2\" && echo \"$2:3:7: expected ';', found BROKEN\"\nexit 0\n");
    fix::NativeChecker checker(o);
    auto d = checker.diagnostics("go", "pkg/main.go", "package main\n");
    REQUIRE(d.ran);
    REQUIRE(d.messages.size() == 2);
    CHECK(d.messages[0].find("cwd " + fs::temp_directory_path().string()) == 0);
    CHECK(d.messages[0].find(o.work_tree.string()) == std::string::npos);
    CHECK(d.messages[1] == "secret []");
    // Its private directory is gone afterwards.
    CHECK_FALSE(fs::exists(d.messages[0].substr(4)));
    fake_tool(dir, "gofmt", "grep -q BROKEN \"$2\" && echo \"$2:3:7: expected ';', found BROKEN\"\nexit 0\n");
    auto v = checker.compare("go", "pkg/main.go", "package main\n", "package main\nBROKEN\n");
    REQUIRE(v.ran);
    CHECK_FALSE(v.ok);
    CHECK(v.added == std::vector<std::string>{"expected ';', found BROKEN"});
    CHECK(v.gate_name() == "native-check(go)");
  }
  SECTION("a tool that hangs is stopped; the gate says it did not run") {
    fake_tool(dir, "gofmt", "sleep 30\n");
    fix::NativeChecker checker(o);
    auto v = checker.compare("go", "main.go", "package main\n", "package main\n\n");
    CHECK_FALSE(v.ran);
    CHECK(v.ok);
    CHECK(v.why_not.find("timed out") != std::string::npos);
  }
  SECTION("a tool's output is bounded") {
    fake_tool(dir, "gofmt", "i=0\nwhile [ $i -lt 20000 ]; do echo \"$2:$i:1: error number $i\"; i=$((i+1)); done\n");
    o.max_output = 4096;
    fix::NativeChecker checker(o);
    auto d = checker.diagnostics("go", "main.go", "package main\n");
    REQUIRE(d.ran);
    CHECK(d.messages.size() < 200);
  }
}

TEST_CASE("NativeChecker uses compile_commands.json", "[fix]") {
  TempDir dir("compdb");
  const fs::path tree = dir.path();
  dir.write("include/config.h", "#define FEATURE 1\n");
  const std::string source = "#include \"config.h\"\n#if !FEATURE || !LEVEL\n#error flags missing\n#endif\nint x;\n";
  dir.write("src/a.c", source);
  fix::NativeCheckOptions o;
  o.work_tree = tree;

  SECTION("without a compile database: a plain check, the file's own directory for its includes") {
    fix::NativeChecker checker(o);
    auto d = checker.diagnostics("c", "src/a.c", source);
    REQUIRE(d.ran);
    CHECK(contains(d.messages, "config.h"));
  }
  SECTION("the entry's -I and -D flags are used; flags that would run code are not") {
    dir.write("build/compile_commands.json",
              R"([{"directory": ")" + (tree / "build").string() +
                  R"(", "file": "../src/a.c", "command": "cc -I../include -DLEVEL=2 -fplugin=./evil.so -c ../src/a.c -o a.o"}])");
    fix::NativeChecker checker(o);
    auto d = checker.diagnostics("c", "src/a.c", source);
    REQUIRE(d.ran);
    CHECK(d.messages.empty());
  }
}

TEST_CASE("allowed_compile_flags", "[fix]") {
  auto flags = fix::allowed_compile_flags({"g++", "-I", "inc", "-isystem/usr/x", "-DA=1", "-D", "B", "-UC", "-std=c++17",
                                           "-fplugin=evil.so", "-B/tmp/evil", "-specs=x", "-o", "a.o", "a.cpp"},
                                          "/work/build");
  CHECK(flags == std::vector<std::string>{"-I", "/work/build/inc", "-isystem", "/usr/x", "-DA=1", "-DB", "-UC", "-std=c++17"});
  CHECK(fix::split_command("cc -DX=\"a b\" 'c d' e\\ f") == std::vector<std::string>{"cc", "-DX=a b", "c d", "e f"});
}

TEST_CASE("added_diagnostics", "[fix]") {
  CHECK(fix::added_diagnostics({"a", "b"}, {"b", "a"}).empty());
  CHECK(fix::added_diagnostics({"a"}, {"a", "a"}) == std::vector<std::string>{"a"});
  CHECK(fix::added_diagnostics({"a", "b"}, {"c"}) == std::vector<std::string>{"c"});
}
