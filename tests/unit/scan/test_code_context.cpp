#include "scan/code_context.hpp"

#include "../support/temp_repo.hpp"

#include <catch2/catch.hpp>

#include "../support/scan_support.hpp"

#include "core/error.hpp"
#include "scan/engine.hpp"
#include "scan/scanner.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

using scan::bit;
using scan::CodeContext;
using scan::ContextSet;
using scan::detected_path_contexts;
using test_support::lang;

namespace {

std::string contexts_of(const std::string& path, const std::set<std::string>& files = {}) {
  return scan::describe_contexts(
      detected_path_contexts(path, [&](const std::string& f) { return files.count(f) > 0; }));
}

scan::Rule rule_on(const std::string& language, const std::string& query, ContextSet not_in,
                   const std::string& category = "code_quality") {
  scan::Rule r;
  r.id = "t/rule";
  r.languages = {language};
  r.category = *core::parse<core::Category>(category);
  r.message = "m";
  r.query = query;
  r.source = "test";
  r.not_in = r.declared_not_in = not_in;
  return r;
}

// The region contexts of each finding of `query` in `code`, as "line:contexts".
std::vector<std::string> regions(const std::string& language, const std::string& query, const std::string& code) {
  scan::Engine engine({rule_on(language, query, 0)});
  std::vector<std::string> out;
  for (const auto& f : engine.scan(lang(language.c_str()), code).findings)
    out.push_back(std::to_string(f.start_line) + ":" + scan::describe_contexts(f.contexts));
  return out;
}

using Lines = std::vector<std::string>;

} // namespace

TEST_CASE("detected_path_contexts") {
  SECTION("test directories, in every spelling and case") {
    for (const char* p : {"tests/test_app.py", "test/app.js", "src/test/java/org/acme/Parser.java", "Tests/Unit/a.py",
                          "pkg/testing/helpers.py", "spec/models/user.js", "web/__tests__/Widget.jsx",
                          "src/__mocks__/fs.js", "pkg/testdata/input.go", "e2e/login.ts", "cypress/support/index.js",
                          "lib/unit_tests/a.cpp", "integration-tests/x.go"})
      CHECK(contexts_of(p) == "tests");
  }
  SECTION("test file names by language") {
    for (const char* p : {"pkg/test_models.py", "pkg/models_test.py", "pkg/models_tests.py", "app/tests.py",
                          "server_test.go", "src/widget.test.js", "src/widget.spec.ts", "src/widget.test.tsx",
                          "src/widget.spec.mjs", "cypress/login.cy.ts", "app/login.e2e-spec.ts",
                          "src/ParserTest.java", "src/ParserTests.java", "src/ParserIT.java", "src/TestParser.java",
                          "src/ParserTestCase.java", "src/parser_test.cc", "src/parser_unittest.cpp", "src/test_parser.c",
                          "src/tests.rs", "conftest.py"})
      CHECK(contexts_of(p) == "tests");
  }
  SECTION("names that only look like tests are not") {
    for (const char* p : {"src/latest.py", "src/contest.py", "src/Latest.java", "src/Testament.java", "src/attest.js",
                          "src/testimony.go", "src/protest_utils.py", "src/spectrum.ts", "src/testing_utils.js.map",
                          "src/manifest.test", "src/benchmarker.py", "src/examplar.py", "src/sampler.go"})
      CHECK(contexts_of(p).empty());
  }
  SECTION("conftest.py makes its directory tests, but not at the root") {
    const std::set<std::string> files = {"conftest.py", "qa/conftest.py", "qa/checks/helpers.py", "src/app.py"};
    CHECK(contexts_of("qa/checks/helpers.py", files) == "tests");
    CHECK(contexts_of("qa/runner.py", files) == "tests");
    CHECK(contexts_of("src/app.py", files).empty());
    CHECK(contexts_of("app.py", files).empty());
  }
  SECTION("examples and benchmarks") {
    for (const char* p : {"examples/server.js", "example/main.go", "docs/examples/quickstart.py", "_examples/a.go",
                          "demo/app.py", "Demos/app.ts", "samples/Hello.java", "sample/x.c", "tutorial/step1.py",
                          "src/example_usage.py", "scripts/plot_demo.py"})
      CHECK(contexts_of(p) == "examples");
    for (const char* p : {"bench/parse.rs", "benches/throughput.rs", "benchmarks/bench_json.py",
                          "asv_bench/benchmarks2/x.py", "src/bench_parse.py", "src/parse_benchmark.cc",
                          "src/ParseBenchmark.java", "src/parse.bench.ts"})
      CHECK(contexts_of(p) == "benchmarks");
  }
  SECTION("stub and declaration files are type-checking code") {
    CHECK(contexts_of("pkg/core.pyi") == "type_checking");
    CHECK(contexts_of("types/index.d.ts") == "type_checking");
    CHECK(contexts_of("lib/mod.d.mts") == "type_checking");
    CHECK(contexts_of("lib/mod.ts").empty());
  }
  SECTION("contexts add up") {
    CHECK(contexts_of("examples/tests/test_demo.py") == "tests, examples");
    CHECK(contexts_of("benchmarks/test/x.py") == "tests, benchmarks");
  }
}

TEST_CASE("file_contexts") {
  core::Config config = core::default_config();
  config.scan.test_paths = {"qa/**"};
  config.scan.example_paths = {"cookbook/**"};
  config.scan.benchmark_paths = {"perf/**"};
  SECTION("globs add to detection") {
    CHECK(scan::file_contexts(config, "qa/a.py", {}).all == bit(CodeContext::tests));
    CHECK(scan::file_contexts(config, "cookbook/a.py", {}).all == bit(CodeContext::examples));
    CHECK(scan::file_contexts(config, "perf/a.py", {}).all == bit(CodeContext::benchmarks));
    CHECK(scan::file_contexts(config, "tests/a.py", {}).all == bit(CodeContext::tests));
    CHECK(scan::file_contexts(config, "src/a.py", {}).all == 0);
  }
  SECTION("globs the repository's file gave do not count for security rules") {
    config.from_repository = {"scan.test_paths"};
    auto f = scan::file_contexts(config, "qa/a.py", {});
    CHECK(f.all == bit(CodeContext::tests));
    CHECK(f.for_security == 0);
    // Detection still counts.
    CHECK(scan::file_contexts(config, "tests/a.py", {}).for_security == bit(CodeContext::tests));
    scan::Rule quality = rule_on("python", "(call) @match", bit(CodeContext::tests));
    scan::Rule security = rule_on("python", "(call) @match", bit(CodeContext::tests), "security_fixes");
    CHECK(scan::skipped_context(quality, f, 0) == std::optional<std::string>("tests"));
    CHECK(!scan::skipped_context(security, f, 0));
  }
}

TEST_CASE("skipped_context") {
  scan::Rule r = rule_on("python", "(call) @match", bit(CodeContext::tests) | bit(CodeContext::codegen));
  scan::FileContexts none, tests{bit(CodeContext::tests), bit(CodeContext::tests)};
  CHECK(!scan::skipped_context(r, none, 0));
  CHECK(scan::skipped_context(r, tests, 0) == std::optional<std::string>("tests"));
  CHECK(scan::skipped_context(r, none, bit(CodeContext::codegen)) == std::optional<std::string>("codegen"));
  CHECK(!scan::skipped_context(r, none, bit(CodeContext::type_checking)));
}

TEST_CASE("apply_context_overrides") {
  core::Config config = core::default_config();
  std::vector<scan::Rule> rules = {rule_on("python", "(call) @match", bit(CodeContext::tests)),
                                   rule_on("python", "(call) @match", bit(CodeContext::tests), "security_fixes")};
  rules[0].id = "t/quality";
  rules[1].id = "t/security";
  SECTION("the user's layers set any contexts") {
    config.rules.contexts = {{"t/quality", {}}, {"t/security", {"tests", "examples"}}};
    scan::apply_context_overrides(rules, config);
    CHECK(rules[0].not_in == 0);
    CHECK(rules[0].declared_not_in == bit(CodeContext::tests));
    CHECK(rules[1].not_in == (bit(CodeContext::tests) | bit(CodeContext::examples)));
  }
  SECTION("the repository's file cannot add contexts to a security rule, only remove them") {
    config.rules.contexts = {{"t/quality", {"examples"}}, {"t/security", {"examples"}}};
    config.from_repository = {"rules.contexts.t/quality", "rules.contexts.t/security"};
    scan::apply_context_overrides(rules, config);
    CHECK(rules[0].not_in == bit(CodeContext::examples));
    CHECK(rules[1].not_in == 0);
    CHECK(rules[1].not_in_note.find("may not add examples to a security rule") != std::string::npos);
  }
}

TEST_CASE("region_contexts type_checking") {
  const std::string asserts = "(assert_statement) @match";
  SECTION("if TYPE_CHECKING: bodies, not their else") {
    const char* code =
        "if TYPE_CHECKING:\n"           // 1
        "    assert a\n"                // 2
        "else:\n"                       // 3
        "    assert b\n"                // 4
        "if typing.TYPE_CHECKING:\n"    // 5
        "    def f():\n"                // 6
        "        assert c\n"            // 7
        "if not TYPE_CHECKING:\n"       // 8
        "    assert d\n";               // 9
    CHECK(regions("python", asserts, code) == Lines{"2:type_checking", "4:", "7:type_checking", "9:"});
  }
  SECTION("asserts that narrow the function's own values") {
    const char* code =
        "class C:\n"                                   // 1
        "    def m(self, data):\n"                     // 2
        "        assert self.conn is not None\n"       // 3
        "        self.conn.send(data)\n"               // 4
        "        x = lookup(data)\n"                   // 5
        "        assert isinstance(x, Node)\n"         // 6
        "        return x.value\n";                    // 7
    CHECK(regions("python", asserts, code) == Lines{"3:type_checking", "6:type_checking"});
  }
  SECTION("asserts on what the caller passed, or of other forms, are validation") {
    const char* code =
        "def f(conn, node, n):\n"                       // 1
        "    assert conn is not None\n"                 // 2
        "    assert isinstance(node.value, Name)\n"     // 3
        "    assert n > 0\n"                            // 4
        "    y = g()\n"                                 // 5
        "    assert y is not None\n"                    // 6
        "    assert isinstance(conn, Conn) or n\n"      // 7
        "    z = h()\n"                                 // 8
        "    assert z is not None, 'call setup() first'\n"  // 9
        "    return conn.read(node.value, n, z)\n";     // 10
    // 6: narrowed but never used after the assert; 9: a message, for the person who misuses the code.
    CHECK(regions("python", asserts, code) == Lines{"2:", "3:", "4:", "6:", "7:", "9:"});
  }
  SECTION("a parameter reassigned before the assert is the function's own value") {
    const char* code =
        "def f(path):\n"
        "    path = os.fspath(path)\n"
        "    assert isinstance(path, str)\n"
        "    return path.lower()\n";
    CHECK(regions("python", asserts, code) == Lines{"3:type_checking"});
  }
}

TEST_CASE("region_contexts codegen") {
  const std::string py_calls = "((call function: (identifier) @f) @match (#any-of? @f \"exec\" \"eval\"))";
  SECTION("Python: compile() code objects of a template, or in a generator") {
    const char* code =
        "exec(compile(src, '<generated>', 'exec'), ns)\n"               // 1
        "def _create_fn(src):\n"                                        // 2
        "    code = compile(src, '<x>', 'eval')\n"                      // 3
        "    return eval(code)\n"                                       // 4
        "def run_script(path, ns):\n"                                   // 5
        "    code = compile(open(path).read(), path, 'exec')\n"         // 6
        "    exec(code, ns)\n"                                          // 7
        "exec(compile('x = %d' % n, '<gen>', 'exec'))\n";              // 8
    CHECK(regions("python", py_calls, code) == Lines{"1:", "4:codegen", "7:", "8:codegen"});
  }
  SECTION("Python: a template with a namespace, or in a function named for generating code") {
    const char* code =
        "def namedtuple(name, fields):\n"                          // 1
        "    src = TEMPLATE.format(name=name)\n"                   // 2
        "    ns = {}\n"                                            // 3
        "    exec(src, ns)\n"                                      // 4
        "def _make_repr(fields):\n"                                // 5
        "    body = 'return f\"' + ', '.join(fields) + '\"'\n"     // 6
        "    return eval(body)\n"                                  // 7
        "class CodeGenerator:\n"                                   // 8
        "    def emit(self, parts):\n"                             // 9
        "        src = ''\n"                                       // 10
        "        for p in parts:\n"                                // 11
        "            src += '%s = 1\\n' % p\n"                     // 12
        "        exec(src)\n";                                     // 13
    CHECK(regions("python", py_calls, code) == Lines{"4:codegen", "7:codegen", "13:codegen"});
  }
  SECTION("Python: input, files and parameters are not code generation") {
    const char* code =
        "def handler(request):\n"                   // 1
        "    exec(request.args['code'], {})\n"      // 2
        "def generate(expr):\n"                     // 3
        "    return eval(expr)\n"                   // 4
        "def run(expr):\n"                          // 5
        "    return eval('x = ' + expr)\n"          // 6
        "exec(open(path).read(), ns)\n";            // 7
    CHECK(regions("python", py_calls, code) == Lines{"2:", "4:", "6:", "7:"});
  }
  SECTION("JavaScript: Function and eval in template compilers") {
    const std::string js = "[(new_expression constructor: (identifier) @c) (call_expression function: (identifier) @c)] @match";
    const char* code =
        "function template(text) {\n"                                     // 1
        "  let source = \"__p += '\";\n"                                  // 2
        "  source += text;\n"                                             // 3
        "  return new Function('obj', source + 'return __p;');\n"         // 4
        "}\n"                                                             // 5
        "const compileView = (s) => new Function('d', `return ${s};`);\n" // 6
        "function run(body) { return new Function('a', 'return ' + body); }\n"  // 7
        "function compile(input) { return eval(input); }\n"               // 8
        "exports.generateGetter = function (n) { return eval('(o) => o.' + n); };\n";  // 9
    CHECK(regions("javascript", js, code) ==
          Lines{"4:codegen", "6:codegen", "7:", "8:", "9:codegen"});
  }
}

TEST_CASE("parse_rule not_in") {
  const std::string head = "id: t/x\nlanguage: python\ncategory: code_quality\nmessage: m\nquery: \"(call) @match\"\n";
  SECTION("known contexts") {
    auto r = scan::parse_rule(head + "not_in: [tests, codegen]\n", "x.yml");
    CHECK(r.not_in == (bit(CodeContext::tests) | bit(CodeContext::codegen)));
    CHECK(r.declared_not_in == r.not_in);
  }
  SECTION("an unknown context is a located error") {
    try {
      scan::parse_rule(head + "not_in: [tests, fixtures]\n", "x.yml");
      FAIL("no error");
    } catch (const core::LocatedError& e) {
      CHECK(std::string(e.what()).find("x.yml:6:17") != std::string::npos);
      CHECK(std::string(e.what()).find("unknown context 'fixtures'") != std::string::npos);
    }
  }
  SECTION("cases with a path") {
    auto r = scan::parse_rule(head + "tests:\n  valid:\n    - {path: tests/test_a.py, code: \"f()\\n\"}\n    - \"x\\n\"\n"
                                     "  invalid: [\"f()\\n\"]\n",
                              "x.yml");
    CHECK(r.tests.valid == std::vector<std::string>{"f()\n", "x\n"});
    CHECK(r.tests.valid_paths == std::vector<std::string>{"tests/test_a.py", ""});
    CHECK_THROWS_AS(scan::parse_rule(head + "tests:\n  valid:\n    - {path: ../a.py, code: x}\n", "x.yml"),
                    core::LocatedError);
  }
}

TEST_CASE("CommitScanner skips findings in their rule's contexts") {
  test_support::TempRepo repo{"contexts"};
  core::Config config = core::default_config();
  core::Logger log;
  queue::Store store = queue::Store::open(repo.git_dir() / "autoloop" / "queue.db");
  scan::Rule eval = rule_on("python", "((call function: (identifier) @f) @match (#any-of? @f \"eval\" \"exec\"))",
                            bit(CodeContext::tests) | bit(CodeContext::codegen), "security_fixes");
  eval.id = "t/eval";
  scan::Rule assert_rule = rule_on("python", "(assert_statement) @match",
                                   bit(CodeContext::tests) | bit(CodeContext::type_checking));
  assert_rule.id = "t/assert";
  scan::Engine engine({eval, assert_rule});
  auto scan_commit = [&](const std::string& commit, std::vector<scan::Located>* out = nullptr) {
    git::Repository r = git::Repository::open(repo.path());
    scan::CommitScanner scanner(r, store, engine, config, log);
    return scanner.scan_commits({commit}, true, out);
  };
  auto rows = [&](const std::string& path) {
    queue::OpportunityFilter f;
    f.path = path;
    std::vector<std::string> out;
    for (const auto& o : store.opportunities(f)) out.push_back(o.rule_id + ":" + std::to_string(o.start_line));
    std::sort(out.begin(), out.end());
    return out;
  };
  const std::string code = "eval(x)\ndef f(p):\n    assert p\n    return p\n";
  repo.write("src/a.py", code);
  repo.write("tests/test_a.py", code);
  repo.write("qa/conftest.py", "");
  repo.write("qa/check.py", code);
  repo.write("src/gen.py", "def _make_init(src):\n    exec(compile(src, '<generated>', 'exec'))\n");
  repo.write("src/narrow.py", "def g():\n    m = find()\n    assert m is not None\n    return m.group(0)\n");
  const std::string c1 = repo.commit();
  std::vector<scan::Located> out;
  scan::ScanStats s = scan_commit(c1, &out);

  SECTION("only the product's code is queued; the rest is counted by rule and context") {
    CHECK(rows("src/a.py") == Lines{"t/assert:3", "t/eval:1"});
    CHECK(rows("tests/test_a.py").empty());
    CHECK(rows("qa/check.py").empty());
    CHECK(rows("src/gen.py").empty());
    CHECK(rows("src/narrow.py").empty());
    CHECK(s.context_skipped == 6);
    CHECK(s.contexts == std::map<std::string, int>{{"t/assert in tests", 2}, {"t/assert in type_checking", 1},
                                                   {"t/eval in codegen", 1}, {"t/eval in tests", 2}});
    CHECK(std::count_if(out.begin(), out.end(), [](const scan::Located& l) { return l.status == "skipped"; }) == 6);
    CHECK(scan::saved_contexts(store) == s.contexts);
    CHECK(scan::context_summary(s.contexts) ==
          "6 findings not reported in their context (t/assert in tests: 2; t/eval in tests: 2; "
          "t/assert in type_checking: 1; t/eval in codegen: 1)");
  }
  SECTION("a deleted file leaves the saved counts") {
    repo.remove("tests/test_a.py");
    scan_commit(repo.commit());
    CHECK(scan::saved_contexts(store) == std::map<std::string, int>{{"t/assert in tests", 1}, {"t/assert in type_checking", 1},
                                                                    {"t/eval in codegen", 1}, {"t/eval in tests", 1}});
  }
  SECTION("globs from the repository's .autoloop.yml do not hide security findings") {
    config.scan.test_paths = {"**"};
    config.from_repository = {"scan.test_paths"};
    repo.write("src/a.py", code + "\n");
    scan_commit(repo.commit());
    CHECK(rows("src/a.py") == Lines{"t/assert:3", "t/eval:1"});
    // ... the code-quality finding follows the project's globs: it is resolved, no longer open.
    queue::OpportunityFilter f;
    f.path = "src/a.py";
    f.rule_id = "t/assert";
    auto assert_rows = store.opportunities(f);
    REQUIRE(assert_rows.size() == 1);
    CHECK(assert_rows.front().status == core::Status::resolved);
  }
}

TEST_CASE("load_config rules.contexts and the context globs") {
  test_support::TempDir dir{"contexts-config"};
  SECTION("per rule id, merged across layers; the tracked file's entries and globs are marked") {
    auto repo_file = dir.write(".autoloop.yml",
                               "rules:\n  contexts: {python/pickle-load: [tests, examples], javascript/console-log: []}\n"
                               "scan:\n  example_paths: [\"cookbook/**\"]\n  test_paths: [\"qa/**\"]\n");
    auto local_file = dir.write("local.yml", "rules:\n  contexts: {javascript/console-log: [tests]}\nscan:\n  test_paths: [\"t/**\"]\n");
    core::ConfigSources sources;
    sources.repo_file = repo_file;
    sources.local_file = local_file;
    core::Config c = core::load_config(sources);
    CHECK(c.rules.contexts.at("python/pickle-load") == std::vector<std::string>{"tests", "examples"});
    CHECK(c.rules.contexts.at("javascript/console-log") == std::vector<std::string>{"tests"});
    CHECK(c.scan.example_paths == std::vector<std::string>{"cookbook/**"});
    CHECK(c.from_repository ==
          std::set<std::string>{"rules.contexts.python/pickle-load", "scan.example_paths"});
  }
  SECTION("an unknown context is an error at its position") {
    auto file = dir.write("bad.yml", "rules:\n  contexts:\n    python/x: [tests, fixtures]\n");
    core::ConfigSources sources;
    sources.local_file = file;
    try {
      core::load_config(sources);
      FAIL("no error");
    } catch (const core::LocatedError& e) {
      CHECK(std::string(e.what()).find("bad.yml:3:") != std::string::npos);
      CHECK(std::string(e.what()).find("fixtures") != std::string::npos);
    }
  }
  SECTION("-c rules.contexts.<id>=[...]") {
    core::ConfigSources sources;
    sources.overrides = {"rules.contexts.python/eval-exec=[codegen]"};
    core::Config c = core::load_config(sources);
    CHECK(c.rules.contexts.at("python/eval-exec") == std::vector<std::string>{"codegen"});
  }
}
