#include "../support/temp_repo.hpp"

#include "providers/builtin.hpp"
#include "providers/clang_tidy.hpp"
#include "providers/provider.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using providers::Blob;
using providers::Diagnostic;
using providers::RunOptions;
using providers::RunResult;
using test_support::TempDir;

namespace {

// A run of the real clang-tidy (on PATH; the tool directory is empty) or of the stand-in in `tools`.
struct Run {
  TempDir dir{"clang-tidy"};
  RunOptions options;

  Run() {
    options.work_dir = dir / "work";
    fs::create_directories(options.work_dir);
    options.tool_dir = dir / "providers" / "clang-tidy";
    fs::create_directories(options.tool_dir);
  }

  // Makes tool_dir/clang-tidy a shell script (a stand-in for the tool).
  void stand_in(const std::string& script) const {
    const fs::path tool = dir.write("providers/clang-tidy/clang-tidy", "#!/bin/sh\n" + script);
    fs::permissions(tool, fs::perms::owner_all);
  }

  RunResult operator()(const std::vector<Blob>& blobs) const {
    return providers::make_clang_tidy()->run(blobs, options);
  }
};

std::vector<Diagnostic> diagnostics_of(const RunResult& result, const std::string& path, const std::string& rule) {
  std::vector<Diagnostic> found;
  for (const auto& file : result.files)
    if (file.path == path)
      std::copy_if(file.diagnostics.begin(), file.diagnostics.end(), std::back_inserter(found),
                   [&](const Diagnostic& d) { return d.rule_id == rule; });
  return found;
}

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string k_nullptr = "clang-tidy/modernize-use-nullptr";
const std::string k_override = "clang-tidy/modernize-use-override";

} // namespace

TEST_CASE("safe_arguments", "[clang-tidy]") {
  auto inside = [](const std::string& dir) -> std::optional<std::string> {
    if (dir.rfind("inc", 0) != 0) return std::nullopt;
    return "/private/" + dir;
  };
  SECTION("arguments that load, run, read or write anything are dropped") {
    const std::vector<std::string> hostile = {
        "-fplugin=/tmp/evil.so", "-fpass-plugin=/tmp/evil.so", "-Xclang", "-load", "-Xclang", "/tmp/evil.so",
        "@/tmp/args.rsp", "-B/tmp/bin", "-B", "/tmp/bin", "--config", "evil.cfg", "--config=evil.cfg",
        "-Wl,-rpath,/tmp", "-Wp,-MD,/tmp/deps", "-Wa,-o,/tmp/x", "-MF", "/tmp/deps", "-MD", "-o", "/tmp/out.o",
        "-o/tmp/out.o", "-include", "/etc/passwd", "-fsanitize-ignorelist=/etc/shadow", "-save-temps",
        "-fmodules-cache-path=/tmp/m", "-mllvm", "-debug-pass=Structure", "-c", "src/a.cpp", "-x", "ir"};
    CHECK(providers::clang_tidy::safe_arguments(hostile, inside).empty());
  }
  SECTION("macros, the language, its standard, warnings and parse flags are kept") {
    const std::vector<std::string> args = {"-DFOO=1", "-D", "BAR", "-UBAZ", "-std=c++20", "-x", "c++", "-Wall",
                                           "-Wno-unused", "-Werror=format", "-fno-exceptions", "-fvisibility=hidden",
                                           "-w", "-pthread"};
    CHECK(providers::clang_tidy::safe_arguments(args, inside) == args);
  }
  SECTION("include directories are rewritten inside the copy, the others dropped") {
    const std::vector<std::string> args = {"-Iinc/a", "-I", "inc/b", "-isystem", "inc/c", "-iquoteinc/d",
                                           "-I/usr/include/evil", "-isystem", "/opt/x", "-I"};
    CHECK(providers::clang_tidy::safe_arguments(args, inside) ==
          std::vector<std::string>{"-I", "/private/inc/a", "-I", "/private/inc/b", "-isystem", "/private/inc/c",
                                   "-iquote", "/private/inc/d"});
    CHECK(providers::clang_tidy::safe_arguments({"-Iinc/a"}, nullptr).empty());
  }
  SECTION("a kept option takes its value along, whatever the value looks like") {
    CHECK(providers::clang_tidy::safe_arguments({"-D", "-fplugin=/tmp/evil.so", "-DX"}, inside) ==
          std::vector<std::string>{"-D", "-fplugin=/tmp/evil.so", "-DX"});
    CHECK(providers::clang_tidy::safe_arguments({"-D"}, inside).empty());
  }
}

TEST_CASE("split_command", "[clang-tidy]") {
  CHECK(providers::clang_tidy::split_command("  g++ -DNAME=\"a b\" 'x  y' a\\ b -I\"inc \\\"q\\\"\"  -c\tf.cpp ") ==
        std::vector<std::string>{"g++", "-DNAME=a b", "x  y", "a b", "-Iinc \"q\"", "-c", "f.cpp"});
  CHECK(providers::clang_tidy::split_command("").empty());
  CHECK(providers::clang_tidy::split_command("cc ''") == std::vector<std::string>{"cc", ""});
}

TEST_CASE("safe_config", "[clang-tidy]") {
  const std::string hostile = "Checks: '-*,modernize-use-nullptr'\n"
                              "ExtraArgs: ['-Xclang', '-load', '-Xclang', '/tmp/evil.so', '-fplugin=/tmp/e.so', '-DX']\n"
                              "ExtraArgsBefore: ['@/tmp/args.rsp']\n"
                              "FormatStyle: file\n"
                              "HeaderFilterRegex: '.*'\n"
                              "WarningsAsErrors: '*'\n"
                              "InheritParentConfig: true\n"
                              "CheckOptions:\n  - key: readability-identifier-naming.ClassCase\n    value: CamelCase\n";
  std::string why;
  SECTION("only keys that select and configure checks are kept") {
    const std::optional<std::string> root = providers::clang_tidy::safe_config(hostile, true, why);
    REQUIRE(root);
    const YAML::Node config = YAML::Load(*root);
    CHECK(config["Checks"].as<std::string>() == "-*,modernize-use-nullptr");
    CHECK(config["ExtraArgs"].as<std::vector<std::string>>() == std::vector<std::string>{"-DX"});
    CHECK_FALSE(config["ExtraArgsBefore"]);
    CHECK(config["CheckOptions"][0]["key"].as<std::string>() == "readability-identifier-naming.ClassCase");
    CHECK(config["CheckOptions"][0]["value"].as<std::string>() == "CamelCase");
    for (const char* dropped : {"FormatStyle", "HeaderFilterRegex", "WarningsAsErrors", "InheritParentConfig"})
      CHECK_FALSE(config[dropped]);
  }
  SECTION("a nested file may inherit its parent's configuration, the root one may not") {
    const std::optional<std::string> nested = providers::clang_tidy::safe_config(hostile, false, why);
    REQUIRE(nested);
    CHECK(YAML::Load(*nested)["InheritParentConfig"].as<bool>());
  }
  SECTION("CheckOptions as a map, and Checks as a list") {
    const auto config = providers::clang_tidy::safe_config("Checks: [a-*, -a-b]\nCheckOptions: {k: v}\n", true, why);
    REQUIRE(config);
    CHECK(YAML::Load(*config)["Checks"].as<std::string>() == "a-*,-a-b");
    CHECK(YAML::Load(*config)["CheckOptions"][0]["value"].as<std::string>() == "v");
  }
  SECTION("what is not a configuration is refused with a reason") {
    CHECK_FALSE(providers::clang_tidy::safe_config("- a\n- b\n", true, why));
    CHECK(why == "it is not a YAML map");
    CHECK_FALSE(providers::clang_tidy::safe_config("Checks: {a: b}\n", true, why));
    CHECK_FALSE(providers::clang_tidy::safe_config("CheckOptions: [{key: a, value: [1]}]\n", true, why));
    CHECK_FALSE(providers::clang_tidy::safe_config("Checks: '" + std::string(70000, 'a') + "'\n", true, why));
    CHECK(why == "Checks is not a list of check patterns");
    CHECK_FALSE(providers::clang_tidy::safe_config(std::string(100000, '['), true, why)); // nesting: no crash
    CHECK(why.find("not YAML") != std::string::npos);
  }
}

TEST_CASE("clang_tidy categories and applicability", "[clang-tidy]") {
  using namespace providers::clang_tidy;
  CHECK(category_of("cert-err34-c") == core::Category::security_fixes);
  CHECK(category_of("bugprone-not-null-terminated-result") == core::Category::security_fixes);
  CHECK(category_of("clang-analyzer-security.insecureAPI.strcpy") == core::Category::security_fixes);
  CHECK(category_of("performance-for-range-copy") == core::Category::performance_issues);
  CHECK(category_of("bugprone-branch-clone") == core::Category::code_quality);
  CHECK(category_of("modernize-use-nullptr") == core::Category::code_quality);
  CHECK(fix_applicability_of("modernize-use-nullptr") == core::Safety::safe);
  CHECK(fix_applicability_of("modernize-loop-convert") == core::Safety::unsafe);
  CHECK(severity_of("readability-else-after-return", false) == "low");
  CHECK(severity_of("readability-else-after-return", true) == "high");
  CHECK(severity_of("bugprone-branch-clone", false) == "medium");
  CHECK(severity_of("cert-err34-c", false) == "high");
}

TEST_CASE("clang_tidy handles and version", "[clang-tidy]") {
  const auto provider = providers::make_provider("clang-tidy");
  REQUIRE(provider);
  CHECK(provider->name() == "clang-tidy");
  for (const char* path : {"a.c", "src/a.cc", "a.cpp", "a.cxx", "a.h", "a.hh", "inc/a.hpp", "a.hxx"})
    CHECK(provider->handles(path));
  for (const char* path : {"a.py", "a.cpp.orig", "Makefile", "c", "dir.cpp/readme"}) CHECK_FALSE(provider->handles(path));

  Run run;
  std::string why;
  SECTION("the real tool") {
    const std::optional<std::string> version = provider->version(run.options, why);
    REQUIRE(version);
    CHECK(version->rfind("clang-tidy ", 0) == 0);
    CHECK(version->find_first_of("0123456789") == 11);
  }
  SECTION("a stand-in in the tool directory comes first") {
    run.stand_in("echo 'Stand-in LLVM version 99.1.2'\n");
    CHECK(provider->version(run.options, why) == std::optional<std::string>("clang-tidy 99.1.2"));
    run.stand_in("echo garbage\n");
    CHECK_FALSE(provider->version(run.options, why));
    CHECK(why.find("did not print a version") != std::string::npos);
  }
  SECTION("missing") {
    test_support::EnvGuard path("PATH", (run.dir / "empty").string());
    CHECK_FALSE(provider->version(run.options, why));
    CHECK(why == "clang-tidy is not installed (run install.sh --provider clang-tidy)");
    const RunResult result = run({Blob{"a.cpp", "int* p = 0;\n"}});
    CHECK(result.problem == why);
    CHECK(result.files.empty());
  }
}

TEST_CASE("clang_tidy run", "[clang-tidy]") {
  Run run;
  SECTION("a literal 0 and NULL become nullptr, a safe fix that applies") {
    const std::string content = "#include <cstddef>\nint* p = 0;\nint* q = NULL;\n";
    const RunResult result = run({Blob{"src/a.cpp", content}});
    CHECK(result.problem.empty());
    const auto found = diagnostics_of(result, "src/a.cpp", k_nullptr);
    REQUIRE(found.size() == 2);
    CHECK(found[0].start_byte == content.find("0;"));
    CHECK(found[0].end_byte == found[0].start_byte + 1);
    CHECK(found[0].start_line == 2);
    CHECK(found[1].start_byte == content.find("NULL"));
    CHECK(found[1].end_byte == found[1].start_byte + 4);
    CHECK(found[0].category == core::Category::code_quality);
    CHECK(found[0].severity == "low");
    CHECK(found[0].message == "use nullptr");
    REQUIRE(found[0].fix);
    CHECK(found[0].fix->applicability == core::Safety::safe);
    CHECK(providers::apply_fix(content, *found[0].fix) ==
          std::optional<std::string>("#include <cstddef>\nint* p = nullptr;\nint* q = NULL;\n"));
    REQUIRE(found[1].fix);
    CHECK(providers::apply_fix(content, *found[1].fix) ==
          std::optional<std::string>("#include <cstddef>\nint* p = 0;\nint* q = nullptr;\n"));
  }
  SECTION("a missing override") {
    const std::string content = "struct Base { virtual void f(); virtual ~Base(); };\n"
                                "struct Derived : Base { virtual void f(); };\n";
    const RunResult result = run({Blob{"lib/shape.hpp", content}});
    CHECK(result.problem.empty());
    const auto found = diagnostics_of(result, "lib/shape.hpp", k_override);
    REQUIRE(found.size() == 1);
    CHECK(found[0].start_line == 2);
    REQUIRE(found[0].fix);
    CHECK(found[0].fix->applicability == core::Safety::safe);
    CHECK(providers::apply_fix(content, *found[0].fix) ==
          std::optional<std::string>("struct Base { virtual void f(); virtual ~Base(); };\n"
                                     "struct Derived : Base { void f() override; };\n"));
  }
  SECTION("byte offsets after a comment that is not ASCII") {
    const std::string content = "// Grüße, naïve café — ✓ 😀\nint* p = 0;\n";
    const RunResult result = run({Blob{"a.cc", content}});
    const auto found = diagnostics_of(result, "a.cc", k_nullptr);
    REQUIRE(found.size() == 1);
    CHECK(found[0].start_byte == content.find("0;"));
    CHECK(found[0].start_line == 2);
    REQUIRE(found[0].fix);
    CHECK(providers::apply_fix(content, *found[0].fix) ==
          std::optional<std::string>("// Grüße, naïve café — ✓ 😀\nint* p = nullptr;\n"));
  }
  SECTION("C sources are analysed as C, without the C++ standard") {
    const std::string content = "#include <stddef.h>\nint f(char *s) { if (s == NULL) return 0; return 1; }\n"
                                "void g(void) { int new = 1; (void)new; return; }\n"; // `new` is no keyword in C
    const RunResult result = run({Blob{"c/util.c", content}});
    CHECK(result.problem.empty());
    CHECK(diagnostics_of(result, "c/util.c", k_nullptr).empty()); // no nullptr in C17
    const auto found = diagnostics_of(result, "c/util.c", "clang-tidy/readability-redundant-control-flow");
    REQUIRE(found.size() == 1);
    CHECK(found[0].start_line == 3);
  }
}

TEST_CASE("clang_tidy compile_commands.json", "[clang-tidy]") {
  Run run;
  const std::string source = "#include \"config.h\"\n"
                             "#ifdef FOO\nint* from_foo = 0;\n#endif\n"
                             "#ifdef FROM_HEADER\nint* from_header = 0;\n#endif\n"
                             "#ifdef BAR\nint* from_rsp = 0;\n#endif\n";
  const std::vector<Blob> blobs = {Blob{"src/a.cpp", source}, Blob{"include/config.h", "#define FROM_HEADER 1\n"}};
  auto lines_found = [&](const RunResult& result) {
    std::vector<int> lines;
    for (const Diagnostic& d : diagnostics_of(result, "src/a.cpp", k_nullptr)) lines.push_back(d.start_line);
    return lines;
  };
  SECTION("without one, the configured flags: FOO unset, the include directory unknown") {
    const RunResult result = run(blobs);
    CHECK(result.problem.empty());
    CHECK(lines_found(result).empty());
  }
  SECTION("its macros and include directories are honoured, its hostile arguments are not") {
    const fs::path rsp = run.dir.write("args.rsp", "-DBAR\n");
    nlohmann::json database = nlohmann::json::array();
    database.push_back({{"directory", "/home/alice/proj/build"},
                        {"file", "../src/a.cpp"},
                        {"arguments",
                         {"/usr/bin/g++", "-DFOO", "-I/home/alice/proj/include", "-std=c++17", "-fplugin=/tmp/evil.so",
                          "-Xclang", "-load", "-Xclang", "/tmp/evil.so", "@" + rsp.string(), "-c", "-o", "a.o",
                          "../src/a.cpp"}}});
    run.options.config_files["build/compile_commands.json"] = database.dump();
    const RunResult result = run(blobs);
    CHECK(result.problem.empty());
    CHECK(lines_found(result) == std::vector<int>{3, 6}); // FOO from -D, FROM_HEADER through -I; not BAR from @rsp
    const std::string written = read(run.options.work_dir / "db" / "compile_commands.json");
    CHECK(written.find("-DFOO") != std::string::npos);
    for (const char* hostile : {"-fplugin", "-load", "-Xclang", "@", "evil", "a.o", "/home/alice"})
      CHECK(written.find(hostile) == std::string::npos);
  }
  SECTION("a command string relative to the database, the header given the flags of its neighbour") {
    nlohmann::json database = nlohmann::json::array();
    database.push_back({{"directory", "."}, {"file", "src/a.cpp"}, {"command", "c++ -DFOO -Iinclude -DFROM_DB src/a.cpp"}});
    run.options.config_files["compile_commands.json"] = database.dump();
    const std::string header = "#ifdef FROM_DB\nint* in_header = 0;\n#endif\n";
    const RunResult result = run({blobs[0], blobs[1], Blob{"src/b.h", header}});
    CHECK(result.problem.empty());
    CHECK(lines_found(result) == std::vector<int>{3, 6});
    CHECK(diagnostics_of(result, "src/b.h", k_nullptr).size() == 1);
  }
  SECTION("one that is not JSON is a problem") {
    run.options.config_files["compile_commands.json"] = "[{\"directory\": ";
    const RunResult result = run(blobs);
    CHECK(result.problem == "the repository's compile_commands.json is not a JSON list of compile commands");
    CHECK(result.files.empty());
  }
}

TEST_CASE("clang_tidy .clang-tidy", "[clang-tidy]") {
  Run run;
  const std::string content = "struct Base { virtual void f(); virtual ~Base(); };\n"
                              "struct Derived : Base { virtual void f(); };\n"
                              "int* p = 0;\n";
  SECTION("our default checks find both") {
    const RunResult result = run({Blob{"a.cpp", content}});
    CHECK(diagnostics_of(result, "a.cpp", k_nullptr).size() == 1);
    CHECK(diagnostics_of(result, "a.cpp", k_override).size() == 1);
  }
  SECTION("the repository's configuration disables a check") {
    run.options.config_files[".clang-tidy"] = "Checks: 'modernize-*,-modernize-use-nullptr'\n";
    const RunResult result = run({Blob{"a.cpp", content}});
    CHECK(result.problem.empty());
    CHECK(diagnostics_of(result, "a.cpp", k_nullptr).empty());
    CHECK(diagnostics_of(result, "a.cpp", k_override).size() == 1);
  }
  SECTION("a nested one applies below its directory") {
    run.options.config_files["legacy/.clang-tidy"] = "Checks: '-*,modernize-use-override'\n";
    const RunResult result = run({Blob{"a.cpp", content}, Blob{"legacy/b.cpp", content}});
    CHECK(diagnostics_of(result, "a.cpp", k_nullptr).size() == 1);
    CHECK(diagnostics_of(result, "legacy/b.cpp", k_nullptr).empty());
    CHECK(diagnostics_of(result, "legacy/b.cpp", k_override).size() == 1);
  }
  SECTION("one that is not a configuration is a problem, and nothing is reported") {
    run.options.config_files[".clang-tidy"] = "- just\n- a list\n";
    const RunResult result = run({Blob{"a.cpp", content}});
    CHECK(result.problem == "the repository's .clang-tidy cannot be used (it is not a YAML map)");
    CHECK(result.files.empty());
  }
}

TEST_CASE("clang_tidy stand-ins", "[clang-tidy]") {
  Run run;
  const std::vector<Blob> blobs = {Blob{"a.cpp", "int* p = 0;\n"}};
  // A shell fragment that sets $fixes to the --export-fixes file and $file to the last argument.
  const std::string args = "for a in \"$@\"; do case $a in --export-fixes=*) fixes=${a#--export-fixes=};; esac; "
                           "file=$a; done\n";
  SECTION("a crash") {
    run.stand_in("kill -SEGV $$\n");
    const RunResult result = run(blobs);
    CHECK(result.problem == "clang-tidy crashed (signal 11)");
    CHECK(result.files.empty());
  }
  SECTION("a failure") {
    run.stand_in("echo 'something broke' >&2\nexit 3\n");
    CHECK(run(blobs).problem == "clang-tidy failed (exit status 3): something broke");
  }
  SECTION("a hang, past a short budget") {
    run.stand_in("sleep 30\n");
    run.options.budget = 300ms;
    const RunResult result = run(blobs);
    CHECK(result.timed_out);
    CHECK(result.problem == "clang-tidy timed out after 0.3 s");
    CHECK(result.elapsed < 10s);
  }
  SECTION("garbage instead of YAML") {
    run.stand_in(args + "printf '{{{ [[[ this is not: yaml: at all' > \"$fixes\"\n");
    const RunResult result = run(blobs);
    CHECK(result.problem.find("clang-tidy wrote fixes that are not YAML") == 0);
    CHECK(result.files.empty());
  }
  SECTION("YAML of another shape") {
    run.stand_in(args + "printf 'Diagnostics: 7\\n' > \"$fixes\"\n");
    CHECK(run(blobs).problem == "clang-tidy wrote fixes without a list of diagnostics");
  }
  SECTION("diagnostics outside the file, and a fix that edits another file") {
    run.stand_in(args + "cat > \"$fixes\" <<EOF\n"
                        "Diagnostics:\n"
                        "  - DiagnosticName: modernize-use-nullptr\n"
                        "    DiagnosticMessage: {Message: far, FilePath: '$file', FileOffset: 99999}\n"
                        "  - DiagnosticName: '../../etc'\n"
                        "    DiagnosticMessage: {Message: odd, FilePath: '$file', FileOffset: 0}\n"
                        "  - DiagnosticName: modernize-use-nullptr\n"
                        "    DiagnosticMessage:\n"
                        "      Message: use nullptr\n"
                        "      FilePath: '$file'\n"
                        "      FileOffset: 9\n"
                        "      Replacements:\n"
                        "        - {FilePath: '$file', Offset: 9, Length: 1, ReplacementText: nullptr}\n"
                        "        - {FilePath: '$file.other', Offset: 0, Length: 0, ReplacementText: x}\n"
                        "  - DiagnosticName: readability-else-after-return\n"
                        "    DiagnosticMessage:\n"
                        "      Message: within\n"
                        "      FilePath: '$file'\n"
                        "      FileOffset: 0\n"
                        "      Replacements: [{FilePath: '$file', Offset: 0, Length: 3, ReplacementText: long}]\n"
                        "  - DiagnosticName: clang-diagnostic-error\n"
                        "    DiagnosticMessage: {Message: oops, FilePath: '$file', FileOffset: 0}\n"
                        "  - DiagnosticName: modernize-use-nullptr\n"
                        "    DiagnosticMessage: {Message: elsewhere, FilePath: '/etc/passwd', FileOffset: 0}\n"
                        "EOF\n");
    const RunResult result = run(blobs);
    CHECK(result.problem == "2 of clang-tidy's diagnostics were malformed and skipped");
    REQUIRE(result.files.size() == 1);
    const auto& found = result.files[0].diagnostics;
    REQUIRE(found.size() == 2);
    CHECK(found[0].rule_id == "clang-tidy/readability-else-after-return");
    REQUIRE(found[0].fix);
    CHECK(found[0].fix->applicability == core::Safety::unsafe);
    CHECK(providers::apply_fix(blobs[0].content, *found[0].fix) == std::optional<std::string>("long* p = 0;\n"));
    CHECK(found[1].rule_id == k_nullptr);
    CHECK(found[1].start_byte == 9);
    CHECK_FALSE(found[1].fix); // one of its edits is in another file
  }
}
