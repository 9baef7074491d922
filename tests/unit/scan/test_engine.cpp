#include "scan/engine.hpp"

#include <catch2/catch.hpp>

#include "../support/scan_support.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using scan::Engine;
using scan::FileContext;
using scan::FileResult;
using scan::Finding;
using scan::Rule;

using test_support::digest;
using test_support::lang;

namespace {


Rule make_rule(const std::string& id, const std::string& language, const std::string& query,
               const std::string& message = "found") {
  Rule r;
  r.id = id;
  r.languages = {language};
  r.category = core::Category::code_quality;
  r.severity = "warning";
  r.safety = core::Safety::suggest;
  r.message = message;
  r.query = query;
  r.source = "test:" + id;
  return r;
}

// A python call rule: `(call function: (identifier) @fn) @match` plus `predicate`.
Rule call_rule(const std::string& predicate) {
  return make_rule("t/call", "python", "((call function: (identifier) @fn) @match " + predicate + ")");
}

// The text of capture `name` of a finding.
std::string capture_text(const Finding& f, const std::string& name, std::string_view source) {
  for (const auto& c : f.captures)
    if (c.name == name) return std::string(source.substr(c.start_byte, c.end_byte - c.start_byte));
  return "<no @" + name + ">";
}

// The called names a call rule reports, in source order.
std::vector<std::string> called(const Rule& rule, std::string_view source) {
  Engine engine({rule});
  std::vector<std::string> out;
  for (const auto& f : engine.scan(lang("python"), source).findings) out.push_back(capture_text(f, "fn", source));
  return out;
}

using Names = std::vector<std::string>;

const char* k_calls = "eval(a)\nevil(b)\nexec(c)\nprint(d)\n";

// Findings with their fingerprints for path `path`.
std::vector<Finding> fingerprinted(const Engine& engine, std::string_view source, const std::string& path = "a.py") {
  FileContext ctx;
  ctx.path = path;
  return scan::apply_context(engine.scan(lang("python"), source).findings, source, ctx);
}

const scan::FunctionMetric& function_named(const FileResult& r, const std::string& name) {
  for (const auto& f : r.functions)
    if (f.name == name) return f;
  FAIL("no function " << name);
  throw std::logic_error("unreachable");
}


} // namespace

TEST_CASE("Engine::scan predicates") {
  SECTION("#eq? with a string") { CHECK(called(call_rule("(#eq? @fn \"eval\")"), k_calls) == Names{"eval"}); }

  SECTION("#not-eq? with a string") {
    CHECK(called(call_rule("(#not-eq? @fn \"eval\")"), k_calls) == Names{"evil", "exec", "print"});
  }

  SECTION("#match? with a regular expression") {
    CHECK(called(call_rule("(#match? @fn \"^e.*l$\")"), k_calls) == Names{"eval", "evil"});
  }

  SECTION("#not-match? with a regular expression") {
    CHECK(called(call_rule("(#not-match? @fn \"^e\")"), k_calls) == Names{"print"});
  }

  SECTION("#match? finds the pattern anywhere unless anchored") {
    CHECK(called(call_rule("(#match? @fn \"xe\")"), k_calls) == Names{"exec"});
  }

  SECTION("#any-of? with several strings") {
    CHECK(called(call_rule("(#any-of? @fn \"eval\" \"exec\")"), k_calls) == Names{"eval", "exec"});
  }

  SECTION("#not-any-of? with several strings") {
    CHECK(called(call_rule("(#not-any-of? @fn \"eval\" \"exec\")"), k_calls) == Names{"evil", "print"});
  }

  SECTION("several predicates must all hold") {
    CHECK(called(call_rule("(#match? @fn \"^e\") (#not-eq? @fn \"evil\")"), k_calls) == Names{"eval", "exec"});
  }

  SECTION("#eq? and #not-eq? between two captures") {
    std::string src = "x = x\ny = z\n";
    Rule same = make_rule("t/self", "python", "((assignment left: (identifier) @a right: (identifier) @b) @match (#eq? @a @b))");
    Rule diff = make_rule("t/other", "python", "((assignment left: (identifier) @a right: (identifier) @b) @match (#not-eq? @a @b))");
    Engine engine({same, diff});
    auto findings = engine.scan(lang("python"), src).findings;
    REQUIRE(findings.size() == 2);
    CHECK(findings[0].rule_id == "t/self");
    CHECK(findings[0].start_line == 1);
    CHECK(findings[1].rule_id == "t/other");
    CHECK(findings[1].start_line == 2);
  }

  SECTION("an unsupported predicate is a LocatedError naming the rule") {
    Engine engine({call_rule("(#frobnicate? @fn \"x\")")});
    try {
      engine.compile(lang("python"));
      FAIL("no LocatedError");
    } catch (const core::LocatedError& e) {
      CHECK(e.file() == "test:t/call");
      CHECK_THAT(e.what(), Catch::Contains("frobnicate"));
    }
  }

  SECTION("a bad regular expression is a LocatedError naming the rule") {
    Engine engine({call_rule("(#match? @fn \"(unclosed\")")});
    CHECK_THROWS_AS(engine.scan(lang("python"), k_calls), core::LocatedError);
  }

  SECTION("a backtracking #match? gives up at a limit: no finding either way, and the scan ends") {
    std::string src;
    for (int i = 0; i < 3000; ++i) src += std::string(50, 'a') + "b = " + std::to_string(i) + "\n";
    src += "aaaa = 0\n";
    Engine match({make_rule("t/redos", "python", "((identifier) @match (#match? @match \"^(a|aa)*$\"))")});
    Engine not_match({make_rule("t/redos", "python", "((identifier) @match (#not-match? @match \"^(a|aa)*$\"))")});
    const auto t0 = std::chrono::steady_clock::now();
    auto found = match.scan(lang("python"), src).findings;
    auto not_found = not_match.scan(lang("python"), src).findings;
    // A generous bound that only catches the exponential case (minutes before the limit).
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
    // The first 50-a identifier exhausts the expression for this file: nothing rests on it afterwards.
    CHECK(found.empty());
    CHECK(not_found.empty());
    // A cheap expression still matches as before.
    Engine cheap({make_rule("t/a", "python", "((identifier) @match (#match? @match \"^a+$\"))")});
    REQUIRE(cheap.scan(lang("python"), src).findings.size() == 1);
  }

  SECTION("a query nested 50,000 deep is a LocatedError, not a stack overflow in tree-sitter") {
    const std::string deep = std::string(50000, '(') + "identifier" + std::string(50000, ')') + " @match";
    Engine engine({make_rule("t/deep", "python", deep)});
    try {
      engine.compile(lang("python"));
      FAIL("no LocatedError");
    } catch (const core::LocatedError& e) {
      CHECK_THAT(e.what(), Catch::Contains("nests deeper than"));
    }
    // Brackets inside strings and comments do not count; 100 levels still compile.
    const std::string ok = std::string(99, '(') + "identifier" + std::string(99, ')') + " @match";
    CHECK_NOTHROW(Engine({make_rule("t/ok", "python", ok)}).compile(lang("python")));
    CHECK_NOTHROW(Engine({make_rule("t/str", "python", "((identifier) @match (#eq? @match \"" + std::string(500, '(') +
                                                           "\"))\n; " + std::string(500, '['))})
                      .compile(lang("python")));
  }
}

TEST_CASE("Engine::scan") {
  SECTION("@match is the reported node, whatever the capture order") {
    std::string src = "x = 1\nresult = eval(expr)\n";
    Engine engine({make_rule("t/m", "python", "(call function: (identifier) @fn arguments: (argument_list) @args) @match")});
    auto findings = engine.scan(lang("python"), src).findings;
    REQUIRE(findings.size() == 1);
    const Finding& f = findings[0];
    CHECK(src.substr(f.start_byte, f.end_byte - f.start_byte) == "eval(expr)");
    CHECK(f.snippet == "eval(expr)");
    CHECK(f.start_line == 2);
    CHECK(f.end_line == 2);
    CHECK(capture_text(f, "fn", src) == "eval");
    CHECK(capture_text(f, "args", src) == "(expr)");
    CHECK(capture_text(f, "match", src) == "eval(expr)");
  }

  SECTION("without @match the first capture is reported") {
    std::string src = "eval(expr)\n";
    Engine engine({make_rule("t/m", "python", "(call function: (identifier) @fn)")});
    auto findings = engine.scan(lang("python"), src).findings;
    REQUIRE(findings.size() == 1);
    CHECK(src.substr(findings[0].start_byte, findings[0].end_byte - findings[0].start_byte) == "eval");
  }

  SECTION("the message expands {{capture}} placeholders") {
    Engine engine({make_rule("t/m", "python", "(call function: (identifier) @fn) @match", "do not call {{fn}}() {{nope}}")});
    auto findings = engine.scan(lang("python"), "exec(x)\n").findings;
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].message == "do not call exec() ");
  }

  SECTION("a multi-line match spans its lines; the snippet is its first line, trimmed") {
    std::string src = "value = eval(\n    expr,\n)\n";
    Engine engine({make_rule("t/m", "python", "(call) @match")});
    auto findings = engine.scan(lang("python"), src).findings;
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].start_line == 1);
    CHECK(findings[0].end_line == 3);
    CHECK(findings[0].snippet == "eval(");
  }

  SECTION("the combined query maps each pattern to its own rule") {
    // Two rules for python with two patterns each, a javascript rule and a disabled python rule.
    Rule a = make_rule("t/a", "python",
                       "((call function: (identifier) @f) @match (#eq? @f \"eval\"))\n"
                       "((call function: (identifier) @f) @match (#eq? @f \"exec\"))");
    Rule b = make_rule("t/b", "python",
                       "((call function: (identifier) @g) @match (#eq? @g \"print\"))\n"
                       "((call function: (identifier) @g) @match (#eq? @g \"input\"))");
    Rule js = make_rule("t/js", "javascript", "(call_expression) @match");
    Rule off = make_rule("t/off", "python", "(identifier) @match");
    off.enabled = false;
    Rule c = make_rule("t/c", "python", "(integer) @match");
    Engine engine({a, js, b, off, c});
    std::string src = "eval(1)\nprint(2)\nexec(3)\ninput(4)\n";
    std::vector<std::pair<int, std::string>> got;
    for (const auto& f : engine.scan(lang("python"), src).findings) got.emplace_back(f.start_line, f.rule_id);
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::pair<int, std::string>>{{1, "t/a"}, {1, "t/c"}, {2, "t/b"}, {2, "t/c"},
                                                           {3, "t/a"}, {3, "t/c"}, {4, "t/b"}, {4, "t/c"}});
  }

  SECTION("one finding per rule and node, even when several patterns match it") {
    Rule r = make_rule("t/dup", "python", "(call) @match\n(call function: (identifier)) @match");
    Engine engine({r});
    CHECK(engine.scan(lang("python"), "f(x)\n").findings.size() == 1);
  }

  SECTION("a language without rules still parses and measures") {
    Engine engine({make_rule("t/py", "python", "(call) @match")});
    FileResult r = engine.scan(lang("go"), "package main\n\nfunc main() {\n}\n");
    CHECK(r.language == "go");
    CHECK(r.findings.empty());
    CHECK(r.functions.size() == 1);
  }

  SECTION("findings are sorted by position") {
    Engine engine({make_rule("t/z", "python", "(call) @match"), make_rule("t/a", "python", "(identifier) @match")});
    auto findings = engine.scan(lang("python"), "f(x)\ng(y)\n").findings;
    REQUIRE(findings.size() == 6);
    for (size_t i = 1; i < findings.size(); ++i) {
      INFO(i);
      CHECK(std::make_pair(findings[i - 1].start_byte, findings[i - 1].rule_id) <
            std::make_pair(findings[i].start_byte, findings[i].rule_id));
    }
  }

  SECTION("lines counts a last line without a newline") {
    Engine engine({});
    CHECK(engine.scan(lang("python"), "").lines == 0);
    CHECK(engine.scan(lang("python"), "a\nb\n").lines == 2);
    CHECK(engine.scan(lang("python"), "a\nb").lines == 2);
  }
}

TEST_CASE("Engine::scan rules gated by a word") {
  // Every match of t/gated needs the word `danger` in the file: it runs as a query of its own, only on
  // files that hold it. t/short's word is too short to gate; t/optional's capture may be absent, and
  // then its predicate does not apply, so a file without `secret` still has its matches.
  Rule gated = make_rule("t/gated", "python", "((call function: (identifier) @fn) @match (#eq? @fn \"danger\"))");
  Rule short_word = make_rule("t/short", "python", "((call function: (identifier) @fn) @match (#eq? @fn \"ok\"))");
  Rule optional = make_rule("t/optional", "python",
                            "((call function: (identifier) @fn arguments: (argument_list (identifier)? @arg)) @match "
                            "(#eq? @arg \"secret\"))");
  Engine engine({gated, short_word, optional});
  auto found = [&](std::string_view source) {
    std::vector<std::string> out;
    for (const auto& f : engine.scan(lang("python"), source).findings)
      out.push_back(f.rule_id + " " + capture_text(f, "fn", source));
    return out;
  };
  auto by_rule = [&](std::string_view source) {
    std::vector<std::string> out;
    for (const Rule& r : engine.rules())
      for (const auto& f : engine.match_rule(r, lang("python"), source))
        out.push_back(f.rule_id + " " + capture_text(f, "fn", source));
    std::sort(out.begin(), out.end());
    return out;
  };
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  const char* with_word = "danger(x)\nok(y)\nf()\ng(secret)\nh(other)\n";
  // t/optional: `f()` has no @arg (the predicate does not apply), `g(secret)` passes it.
  CHECK(sorted(found(with_word)) == Names{"t/gated danger", "t/optional f", "t/optional g", "t/short ok"});
  CHECK(by_rule(with_word) == sorted(found(with_word)));
  // Without the word: the gated rule is not run, the others are.
  const char* without = "ok(y)\nf()\nh(other)\n";
  CHECK(sorted(found(without)) == Names{"t/optional f", "t/short ok"});
  CHECK(by_rule(without) == sorted(found(without)));
  // The word in a comment runs the gated query, which finds nothing.
  CHECK(found("# danger\nok(y)\n") == Names{"t/short ok"});
}

TEST_CASE("Engine::compile") {
  SECTION("a bad query is a LocatedError at its line in the rule file") {
    const std::string text =
        "id: t/bad\n"
        "language: python\n"
        "category: code_quality\n"
        "message: m\n"
        "query: |\n"
        "  (call function: (identifier) @fn) @match\n"
        "  (no_such_node) @match\n";
    Rule bad = scan::parse_rule(text, "rules/bad.yml");
    Engine engine({make_rule("t/good", "python", "(call) @match"), bad});
    try {
      engine.compile(lang("python"));
      FAIL("no LocatedError");
    } catch (const core::LocatedError& e) {
      CHECK(e.file() == "rules/bad.yml");
      CHECK(e.line() == 7);
      CHECK_THAT(e.what(), Catch::Contains("t/bad"));
      // The column in the file, where `no_such_node` starts (after the block's two-space indent and '(').
      CHECK(e.column() == 4);
    }
  }

  SECTION("scan throws the same LocatedError") {
    Rule bad = make_rule("t/bad", "python", "(call function: @oops");
    Engine engine({bad});
    CHECK_THROWS_AS(engine.scan(lang("python"), "f()\n"), core::LocatedError);
  }

  SECTION("a bad rule for one language does not affect another") {
    Engine engine({make_rule("t/bad", "python", "(no_such_node) @match"), make_rule("t/js", "javascript", "(call_expression) @match")});
    CHECK_THROWS_AS(engine.compile(lang("python")), core::LocatedError);
    CHECK(engine.scan(lang("javascript"), "f();\n").findings.size() == 1);
  }

  SECTION("a query valid alone but for another grammar's node names fails in this one") {
    Engine engine({make_rule("t/wrong", "javascript", "(function_definition) @match")});
    CHECK_THROWS_AS(engine.compile(lang("javascript")), core::LocatedError);
  }
}

TEST_CASE("Engine::match_rule") {
  Rule a = make_rule("t/a", "python", "(call) @match");
  Rule b = make_rule("t/b", "python", "(identifier) @match");
  Engine engine({a, b});

  SECTION("only the named rule's findings") {
    auto found = engine.match_rule(a, lang("python"), "f(x)\n");
    REQUIRE(found.size() == 1);
    CHECK(found[0].rule_id == "t/a");
    CHECK(engine.match_rule(b, lang("python"), "f(x)\n").size() == 2);
  }

  SECTION("a rule the engine does not have: nothing") {
    CHECK(engine.match_rule(make_rule("t/zzz", "python", "(call) @match"), lang("python"), "f(x)\n").empty());
  }
}

TEST_CASE("Engine::ruleset_hash") {
  Rule a = make_rule("t/a", "python", "(call) @match");

  SECTION("equal rules, equal hashes") { CHECK(Engine({a}).ruleset_hash() == Engine({a}).ruleset_hash()); }

  SECTION("a changed query, message or severity changes it") {
    Rule q = a;
    q.query = "(identifier) @match";
    Rule m = a;
    m.message = "other";
    Rule s = a;
    s.severity = "error";
    std::set<std::string> hashes{Engine({a}).ruleset_hash(), Engine({q}).ruleset_hash(), Engine({m}).ruleset_hash(),
                                 Engine({s}).ruleset_hash()};
    CHECK(hashes.size() == 4);
  }

  SECTION("disabled rules do not count") {
    Rule off = make_rule("t/off", "python", "(identifier) @match");
    off.enabled = false;
    CHECK(Engine({a, off}).ruleset_hash() == Engine({a}).ruleset_hash());
  }
}

TEST_CASE("fingerprint") {
  Engine engine({make_rule("t/eval", "python", "((call function: (identifier) @fn) @match (#eq? @fn \"eval\"))")});

  SECTION("stable when lines are inserted above") {
    auto before = fingerprinted(engine, "x = 1\neval(a)\n");
    auto after = fingerprinted(engine, "import os\n\n# comment\nx = 1\neval(a)\n");
    REQUIRE(before.size() == 1);
    REQUIRE(after.size() == 1);
    CHECK(before[0].start_line == 2);
    CHECK(after[0].start_line == 5);
    CHECK(before[0].fingerprint == after[0].fingerprint);
    CHECK_FALSE(before[0].fingerprint.empty());
  }

  SECTION("stable under whitespace-only changes inside the match") {
    auto a = fingerprinted(engine, "eval(a, b)\n");
    auto b = fingerprinted(engine, "eval(a,   b)\n");
    REQUIRE(a.size() == 1);
    REQUIRE(b.size() == 1);
    CHECK(a[0].fingerprint == b[0].fingerprint);
  }

  SECTION("different for different code") {
    auto a = fingerprinted(engine, "eval(a)\n");
    auto b = fingerprinted(engine, "eval(b)\n");
    REQUIRE(a.size() == 1);
    REQUIRE(b.size() == 1);
    CHECK(a[0].fingerprint != b[0].fingerprint);
  }

  SECTION("different for the same code in another context") {
    auto top = fingerprinted(engine, "eval(a)\n");
    auto nested = fingerprinted(engine, "def f():\n    eval(a)\n");
    REQUIRE(top.size() == 1);
    REQUIRE(nested.size() == 1);
    CHECK(top[0].fingerprint != nested[0].fingerprint);
  }

  SECTION("different for the same code in another file") {
    auto a = fingerprinted(engine, "eval(a)\n", "a.py");
    auto b = fingerprinted(engine, "eval(a)\n", "b.py");
    REQUIRE(a.size() == 1);
    REQUIRE(b.size() == 1);
    CHECK(a[0].fingerprint != b[0].fingerprint);
  }

  SECTION("distinct for identical duplicated code, and still stable when lines move") {
    auto twice = fingerprinted(engine, "eval(a)\neval(a)\neval(a)\n");
    REQUIRE(twice.size() == 3);
    std::set<std::string> fps;
    for (const auto& f : twice) fps.insert(f.fingerprint);
    CHECK(fps.size() == 3);
    auto shifted = fingerprinted(engine, "# new first line\n\neval(a)\neval(a)\neval(a)\n");
    REQUIRE(shifted.size() == 3);
    std::set<std::string> shifted_fps;
    for (const auto& f : shifted) shifted_fps.insert(f.fingerprint);
    CHECK(shifted_fps == fps);
  }
}

TEST_CASE("Engine::scan metrics") {
  Engine engine({});

  SECTION("a Python function: complexity, nesting, length and name") {
    const char* src =
        "import os\n"
        "\n"
        "def f(x, y):\n"
        "    if x and y:\n"
        "        for i in range(3):\n"
        "            while i:\n"
        "                i -= 1\n"
        "    elif x:\n"
        "        pass\n"
        "    return 0\n";
    FileResult r = engine.scan(lang("python"), src);
    REQUIRE(r.functions.size() == 1);
    const auto& f = r.functions[0];
    CHECK(f.name == "f");
    CHECK(f.start_line == 3);
    CHECK(f.end_line == 10);
    CHECK(f.length == 8);
    CHECK(f.complexity == 6); // 1 + if + and + for + while + elif
    CHECK(f.nesting == 3);    // if > for > while
    CHECK(r.lines == 10);
  }

  SECTION("a nested Python function is measured on its own, not in its parent") {
    const char* src =
        "def outer(v):\n"
        "    def inner(a):\n"
        "        if a or v:\n"
        "            return 1\n"
        "        return 0\n"
        "    return inner\n";
    FileResult r = engine.scan(lang("python"), src);
    REQUIRE(r.functions.size() == 2);
    CHECK(function_named(r, "outer").complexity == 1);
    CHECK(function_named(r, "outer").nesting == 0);
    CHECK(function_named(r, "outer").length == 6);
    CHECK(function_named(r, "inner").complexity == 3);
    CHECK(function_named(r, "inner").nesting == 1);
    CHECK(function_named(r, "inner").start_line == 2);
  }

  SECTION("a C++ function: complexity, nesting, length and name") {
    const char* src =
        "int g(int a, int b) {\n"
        "  if (a > 0 || b > 0) {\n"
        "    for (int i = 0; i < a; ++i) {\n"
        "      if (i % 2) {\n"
        "        b++;\n"
        "      }\n"
        "    }\n"
        "  }\n"
        "  switch (a) {\n"
        "    case 1: return 1;\n"
        "    case 2: return 2;\n"
        "  }\n"
        "  return b > 0 ? b : 0;\n"
        "}\n";
    FileResult r = engine.scan(lang("cpp"), src);
    REQUIRE(r.functions.size() == 1);
    const auto& f = r.functions[0];
    CHECK(f.name == "g");
    CHECK(f.start_line == 1);
    CHECK(f.end_line == 14);
    CHECK(f.length == 14);
    CHECK(f.complexity == 8); // 1 + if + || + for + if + case + case + ?:
    CHECK(f.nesting == 3);    // if > for > if
  }

  SECTION("a C++ method takes its qualified name; a lambda is measured on its own") {
    const char* src =
        "int Foo::bar() {\n"
        "  auto twice = [](int x) { return x && 1; };\n"
        "  return twice(1);\n"
        "}\n";
    FileResult r = engine.scan(lang("cpp"), src);
    REQUIRE(r.functions.size() == 2);
    CHECK(r.functions[0].name == "Foo::bar");
    CHECK(r.functions[0].complexity == 1);
    CHECK(r.functions[0].length == 4);
    CHECK(r.functions[1].start_line == 2);
    CHECK(r.functions[1].complexity == 2);
  }

  SECTION("C++: an else-if chain does not deepen nesting") {
    const char* src =
        "int h(int a) {\n"
        "  if (a == 1) {\n"
        "    return 1;\n"
        "  } else if (a == 2) {\n"
        "    return 2;\n"
        "  } else if (a == 3) {\n"
        "    return 3;\n"
        "  }\n"
        "  return 0;\n"
        "}\n";
    FileResult r = engine.scan(lang("cpp"), src);
    REQUIRE(r.functions.size() == 1);
    CHECK(r.functions[0].complexity == 4); // 1 + 3 ifs
    CHECK(r.functions[0].nesting == 1);    // a flat chain, as Python's elif
  }

  SECTION("C++: `default:` is not a decision") {
    const char* src =
        "int k(int a) {\n"
        "  switch (a) {\n"
        "    case 4: return 4;\n"
        "    case 5: return 5;\n"
        "    default: return 0;\n"
        "  }\n"
        "}\n";
    FileResult r = engine.scan(lang("cpp"), src);
    REQUIRE(r.functions.size() == 1);
    CHECK(r.functions[0].complexity == 3); // 1 + 2 cases: three paths
    CHECK(r.functions[0].nesting == 1);
  }

  SECTION("debt markers are counted in comments only") {
    const char* src =
        "# TODO: one\n"
        "x = 'TODO: not a comment'\n"
        "def f():\n"
        "    # FIXME and HACK here\n"
        "    return 1  # XXX\n";
    CHECK(engine.scan(lang("python"), src).debt_markers == 4);
    CHECK(engine.scan(lang("cpp"), "// TODO a\n/* FIXME\n   TODO b */\nint x; // nothing\n").debt_markers == 3);
  }

  SECTION("syntax errors are counted; a valid file has none") {
    CHECK(engine.scan(lang("python"), "x = 1\n").syntax_errors == 0);
    FileResult bad = engine.scan(lang("python"), "def f(:\n    pass\n");
    CHECK(bad.syntax_errors > 0);
    CHECK(engine.syntax_errors(lang("python"), "def f(:\n    pass\n") == bad.syntax_errors);
    CHECK(engine.syntax_errors(lang("cpp"), "int main() { return 0 }\n") > 0);
    CHECK(engine.syntax_errors(lang("cpp"), "int main() { return 0; }\n") == 0);
  }
}

TEST_CASE("Engine parse budget") {
  Rule r = make_rule("t/eval", "python", "((call function: (identifier) @fn) @match (#eq? @fn \"eval\"))");

  SECTION("not hit on normal input") {
    std::string src;
    for (int i = 0; i < 3000; ++i)
      src += "def f" + std::to_string(i) + "(x):\n    if x:\n        return eval(x)\n    return 0\n\n";
    Engine engine({r});
    FileResult result = engine.scan(lang("python"), src);
    CHECK_FALSE(result.timed_out);
    CHECK(result.functions.size() == 3000);
    CHECK(result.findings.size() == 3000);
  }

  SECTION("an exceeded budget gives no findings and no metrics") {
    std::string src;
    while (src.size() < 8 * 1024 * 1024) src += "def f(x):\n    if x:\n        return eval(x)\n    return [i for i in x if i]\n";
    Engine engine({r}, 1);
    FileResult result = engine.scan(lang("python"), src);
    CHECK(result.timed_out);
    CHECK(result.findings.empty());
    CHECK(result.functions.empty());
    CHECK(engine.syntax_errors(lang("python"), src) == -1);
    // The thread's parser is reused: the next file is parsed afresh, not resumed from the abandoned one.
    Engine normal({r});
    FileResult next = normal.scan(lang("python"), "x = eval(y)\n");
    CHECK_FALSE(next.timed_out);
    CHECK(next.syntax_errors == 0);
    REQUIRE(next.findings.size() == 1);
    CHECK(next.findings[0].start_line == 1);
    CHECK(next.lines == 1);
  }
}

TEST_CASE("apply_context") {
  Engine engine({make_rule("t/eval", "python", "((call function: (identifier) @fn) @match (#eq? @fn \"eval\"))"),
                 make_rule("t/print", "python", "((call function: (identifier) @fn) @match (#eq? @fn \"print\"))")});
  FileContext ctx;
  ctx.path = "a.py";
  auto kept_lines = [&](const std::string& src) {
    std::vector<std::pair<int, std::string>> out;
    for (const auto& f : scan::apply_context(engine.scan(lang("python"), src).findings, src, ctx))
      out.emplace_back(f.start_line, f.rule_id);
    return out;
  };
  using Kept = std::vector<std::pair<int, std::string>>;

  SECTION("`autoloop: ignore[rule]` on the same line suppresses that rule only") {
    CHECK(kept_lines("eval(a); print(a)  # autoloop: ignore[t/eval]\n") == Kept{{1, "t/print"}});
  }

  SECTION("on the previous line") {
    CHECK(kept_lines("# autoloop: ignore[t/eval]\neval(b)\n").empty());
  }

  SECTION("not from two lines above, and not for another rule") {
    CHECK(kept_lines("# autoloop: ignore[t/eval]\n\neval(c)\n") == Kept{{3, "t/eval"}});
    CHECK(kept_lines("eval(d)  # autoloop: ignore[t/other]\n") == Kept{{1, "t/eval"}});
  }

  SECTION("a list of rules, with spaces") {
    CHECK(kept_lines("eval(e); print(e)  # autoloop: ignore[t/x, t/print ,t/eval]\n").empty());
  }

  SECTION("a bare `autoloop: ignore` suppresses every rule") {
    CHECK(kept_lines("eval(f); print(f)  # autoloop: ignore\n").empty());
  }

  SECTION("sets a fingerprint on every kept finding") {
    auto out = scan::apply_context(engine.scan(lang("python"), "eval(a)\nprint(a)\n").findings, "eval(a)\nprint(a)\n", ctx);
    REQUIRE(out.size() == 2);
    CHECK(out[0].fingerprint.size() == 32);
    CHECK(out[0].fingerprint != out[1].fingerprint);
  }
}

TEST_CASE("Engine::scan thread safety") {
  std::string src;
  for (int i = 0; i < 200; ++i)
    src += "def f" + std::to_string(i) + "(x, y):\n    # TODO " + std::to_string(i) +
           "\n    if x and y:\n        return eval(x)\n    for k in y:\n        print(k)\n    return 0\n";
  Rule a = make_rule("t/eval", "python", "((call function: (identifier) @fn) @match (#eq? @fn \"eval\"))", "no {{fn}}");
  Rule b = make_rule("t/print", "python", "((call function: (identifier) @fn) @match (#match? @fn \"^pr\"))");
  const std::string expected = digest(Engine({a, b}).scan(lang("python"), src));
  REQUIRE(expected.size() > 1000);

  SECTION("four threads scanning one engine (compiled on first use) get identical results") {
    Engine shared({a, b}); // not compiled yet: the threads race to compile it
    std::vector<std::string> results(4);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < results.size(); ++t)
      threads.emplace_back([&, t] {
        std::string all;
        for (int round = 0; round < 5; ++round) {
          std::string d = digest(shared.scan(lang("python"), src));
          if (d != expected) {
            all = d;
            return;
          }
          all = d;
        }
        results[t] = all;
      });
    for (auto& t : threads) t.join();
    for (size_t t = 0; t < results.size(); ++t) {
      INFO("thread " << t);
      CHECK(results[t] == expected);
    }
  }
}

TEST_CASE("Engine::scan_many") {
  Rule eval_rule = make_rule("t/eval", "python", "((call function: (identifier) @fn) @match (#eq? @fn \"eval\"))");
  Rule var_rule = make_rule("t/var", "javascript", "(variable_declaration) @match");
  Engine engine({eval_rule, var_rule});
  std::vector<std::string> sources;
  for (int i = 0; i < 12; ++i)
    sources.push_back(i % 2 ? "var a" + std::to_string(i) + " = 1;\n"
                            : std::string(static_cast<size_t>(i), '\n') + "eval(x)\n");
  std::vector<scan::ScanJob> jobs;
  for (size_t i = 0; i < sources.size(); ++i) jobs.push_back({&lang(i % 2 ? "javascript" : "python"), sources[i]});

  SECTION("one result per job, in the jobs' order, as scan() gives it, on any number of threads") {
    for (unsigned threads : {0u, 1u, 3u, 64u}) {
      INFO("threads " << threads);
      std::vector<FileResult> results = engine.scan_many(jobs, threads);
      REQUIRE(results.size() == jobs.size());
      for (size_t i = 0; i < jobs.size(); ++i) {
        INFO("job " << i);
        CHECK(digest(results[i]) == digest(engine.scan(*jobs[i].language, jobs[i].source)));
        REQUIRE(results[i].findings.size() == 1);
        CHECK(results[i].findings[0].rule_id == (i % 2 ? "t/var" : "t/eval"));
        CHECK(results[i].findings[0].start_line == (i % 2 ? 1 : static_cast<int>(i) + 1));
      }
    }
    CHECK(engine.scan_many({}, 2).empty());
  }

  SECTION("the error of a failing job is rethrown once the threads are done; other languages still scan") {
    Engine broken({eval_rule, make_rule("t/bad", "javascript", "(no_such_node) @match")});
    CHECK_THROWS_AS(broken.scan_many(jobs, 2), core::LocatedError);
    std::vector<scan::ScanJob> python_only;
    for (const auto& job : jobs)
      if (job.language->name == "python") python_only.push_back(job);
    CHECK(broken.scan_many(python_only, 2).size() == 6);
  }
}

TEST_CASE("hash_hex") {
  SECTION("32 lowercase hex digits, deterministic") {
    std::string h = scan::hash_hex("abc");
    CHECK(h.size() == 32);
    CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(h == scan::hash_hex("abc"));
  }
  SECTION("different inputs, different digests") {
    CHECK(scan::hash_hex("abc") != scan::hash_hex("abd"));
    CHECK(scan::hash_hex("") != scan::hash_hex(std::string(1, '\0')));
  }
}
