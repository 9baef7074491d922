#include "fix/template.hpp"

#include <catch2/catch.hpp>

#include "core/error.hpp"

#include <string>
#include <vector>

using scan::Capture;
using scan::Finding;
using scan::FixEdit;
using scan::Rule;
using fix::TextEdit;

namespace {

// A capture named `name` over the first occurrence of `text` in `source` (at or after `from`).
Capture cap(const std::string& name, const std::string& source, const std::string& text, size_t from = 0) {
  auto at = source.find(text, from);
  REQUIRE(at != std::string::npos);
  return Capture{name, static_cast<uint32_t>(at), static_cast<uint32_t>(at + text.size())};
}

Finding finding(std::vector<Capture> captures) {
  Finding f;
  f.rule_id = "t/fix";
  f.captures = std::move(captures);
  for (const auto& c : f.captures)
    if (c.name == "match") {
      f.start_byte = c.start_byte;
      f.end_byte = c.end_byte;
    }
  return f;
}

FixEdit edit(FixEdit::Op op, const std::string& capture, const std::string& text = "",
             std::map<std::string, std::string> map = {}) {
  FixEdit e;
  e.op = op;
  e.capture = capture;
  e.text = text;
  e.map = std::move(map);
  return e;
}

Rule rule_with(std::vector<FixEdit> fix) {
  Rule r;
  r.id = "t/fix";
  r.languages = {"python"};
  r.safety = core::Safety::safe;
  r.fix = std::move(fix);
  return r;
}

// Applies the rule's edits for one finding.
std::string fixed(const Rule& rule, const Finding& f, const std::string& source) {
  auto edits = fix::fix_edits(rule, f, source);
  REQUIRE(edits);
  return fix::apply_edits(source, *edits);
}

const std::map<std::string, std::string> k_is = {{"==", "is"}, {"!=", "is not"}};

} // namespace

TEST_CASE("fix_edits") {
  SECTION("replace by a map on the captured text") {
    std::string src = "if x == None and y != None: pass";
    Rule r = rule_with({edit(FixEdit::Op::replace, "op", "", k_is)});
    CHECK(fixed(r, finding({cap("op", src, "==")}), src) == "if x is None and y != None: pass");
    CHECK(fixed(r, finding({cap("op", src, "!=")}), src) == "if x == None and y is not None: pass");
  }

  SECTION("a map without an entry for the captured text gives nullopt") {
    std::string src = "if x < None: pass";
    Rule r = rule_with({edit(FixEdit::Op::replace, "op", "", k_is)});
    CHECK_FALSE(fix::fix_edits(r, finding({cap("op", src, "<")}), src));
  }

  SECTION("replace by a template with {{capture}} placeholders") {
    std::string src = "total = total + part\n";
    Rule r = rule_with({edit(FixEdit::Op::replace, "match", "{{acc}} += {{rhs}}")});
    Finding f = finding({cap("match", src, "total = total + part"), cap("acc", src, "total"), cap("rhs", src, "part")});
    auto edits = fix::fix_edits(r, f, src);
    REQUIRE(edits);
    REQUIRE(edits->size() == 1);
    CHECK((*edits)[0].start == 0);
    CHECK((*edits)[0].end == 20);
    CHECK((*edits)[0].text == "total += part");
    CHECK(fix::apply_edits(src, *edits) == "total += part\n");
  }

  SECTION("literal text without placeholders, and unmatched braces kept as text") {
    std::string src = "a = NULL;";
    CHECK(fixed(rule_with({edit(FixEdit::Op::replace, "v", "nullptr")}), finding({cap("v", src, "NULL")}), src) ==
          "a = nullptr;");
    CHECK(fixed(rule_with({edit(FixEdit::Op::replace, "v", "{{ x")}), finding({cap("v", src, "NULL")}), src) ==
          "a = {{ x;");
  }

  SECTION("delete removes the captured bytes") {
    std::string src = "import os, sys\n";
    Rule r = rule_with({edit(FixEdit::Op::remove, "gone")});
    CHECK(fixed(r, finding({cap("gone", src, ", sys")}), src) == "import os\n");
  }

  SECTION("insert_before and insert_after add text at the capture's edges") {
    std::string src = "print(x)\n";
    Rule r = rule_with({edit(FixEdit::Op::insert_before, "match", "log("), edit(FixEdit::Op::insert_after, "match", ")")});
    Finding f = finding({cap("match", src, "print(x)")});
    auto edits = fix::fix_edits(r, f, src);
    REQUIRE(edits);
    REQUIRE(edits->size() == 2);
    CHECK((*edits)[0].start == (*edits)[0].end);
    CHECK((*edits)[1].start == (*edits)[1].end);
    CHECK(fix::apply_edits(src, *edits) == "log(print(x))\n");
  }

  SECTION("several edits of one rule combine") {
    std::string src = "if a == None: pass";
    Rule r = rule_with({edit(FixEdit::Op::replace, "op", "", k_is), edit(FixEdit::Op::insert_before, "left", "(("),
                        edit(FixEdit::Op::insert_after, "left", "))")});
    CHECK(fixed(r, finding({cap("left", src, "a"), cap("op", src, "==")}), src) == "if ((a)) is None: pass");
  }

  SECTION("a capture the finding does not have gives nullopt") {
    std::string src = "x == None";
    CHECK_FALSE(fix::fix_edits(rule_with({edit(FixEdit::Op::replace, "op", "", k_is)}), finding({cap("other", src, "==")}), src));
    CHECK_FALSE(fix::fix_edits(rule_with({edit(FixEdit::Op::remove, "op")}), finding({}), src));
  }

  SECTION("a template naming an absent capture gives nullopt") {
    std::string src = "x == None";
    Rule r = rule_with({edit(FixEdit::Op::replace, "op", "{{missing}}")});
    CHECK_FALSE(fix::fix_edits(r, finding({cap("op", src, "==")}), src));
    Rule ins = rule_with({edit(FixEdit::Op::insert_after, "op", " {{missing}}")});
    CHECK_FALSE(fix::fix_edits(ins, finding({cap("op", src, "==")}), src));
  }

  SECTION("a capture beyond the end of the source gives nullopt") {
    std::string src = "x";
    Rule r = rule_with({edit(FixEdit::Op::remove, "op")});
    CHECK_FALSE(fix::fix_edits(r, finding({Capture{"op", 0, 5}}), src));
  }

  SECTION("when/unless pick the edits by the captures the match has") {
    // One rule, two alternatives of its query: `s == "x"` captures @eq, `s != "x"` captures @ne.
    FixEdit eq = edit(FixEdit::Op::replace, "match", "{{lit}}.equals({{other}})");
    eq.when = "eq";
    FixEdit ne = edit(FixEdit::Op::replace, "match", "!{{lit}}.equals({{other}})");
    ne.when = "ne";
    Rule r = rule_with({eq, ne});
    std::string a = "s == \"x\"";
    CHECK(fixed(r, finding({cap("match", a, a), cap("eq", a, a), cap("other", a, "s"), cap("lit", a, "\"x\"")}), a) ==
          "\"x\".equals(s)");
    std::string b = "\"y\" != t";
    CHECK(fixed(r, finding({cap("match", b, b), cap("ne", b, b), cap("other", b, "t"), cap("lit", b, "\"y\"")}), b) ==
          "!\"y\".equals(t)");
    // unless: the edit is skipped when the capture is there.
    FixEdit paren = edit(FixEdit::Op::insert_after, "v", ")");
    paren.unless = "bare";
    Rule u = rule_with({paren});
    std::string c = "f(v";
    CHECK(fixed(u, finding({cap("v", c, "v")}), c) == "f(v)");
    // Every edit skipped: the fix does not apply to this match (a fix needs one edit that is made),
    // so the finding is a suggestion, never an empty fix commit.
    CHECK_FALSE(fix::fix_edits(u, finding({cap("v", c, "v"), cap("bare", c, "f")}), c));
    CHECK_FALSE(fix::fix_edits(r, finding({cap("match", c, c)}), c));
  }

  SECTION("a map's replacement may use placeholders") {
    std::string src = "strcpy(buf, s)";
    Rule r = rule_with({edit(FixEdit::Op::replace, "fn", "", {{"strcpy", "snprintf"}}),
                        edit(FixEdit::Op::insert_after, "dest", ", sizeof {{dest}}, \"%s\"")});
    CHECK(fixed(r, finding({cap("fn", src, "strcpy"), cap("dest", src, "buf")}), src) ==
          "snprintf(buf, sizeof buf, \"%s\", s)");
    Rule m = rule_with({edit(FixEdit::Op::replace, "op", "", {{"==", "is {{rhs}} and"}})});
    std::string q = "a == b";
    CHECK(fixed(m, finding({cap("op", q, "=="), cap("rhs", q, "b")}), q) == "a is b and b");
  }

  SECTION("a rule without a fix gives nullopt") {
    std::string src = "x == None";
    CHECK_FALSE(fix::fix_edits(rule_with({}), finding({cap("op", src, "==")}), src));
  }
}

TEST_CASE("fix_edits: delete_item, keys, optional captures and filters (issue 13)") {
  SECTION("delete_item takes an argument with the comma after it, or before it when it is last") {
    Rule r = rule_with({edit(FixEdit::Op::remove_item, "arg")});
    std::string mid = "run(cmd, shell=True, check=True)\n";
    CHECK(fixed(r, finding({cap("arg", mid, "shell=True")}), mid) == "run(cmd, check=True)\n");
    std::string last = "run(cmd, shell=True)\n";
    CHECK(fixed(r, finding({cap("arg", last, "shell=True")}), last) == "run(cmd)\n");
    std::string first = "get(verify=False, url)\n";
    CHECK(fixed(r, finding({cap("arg", first, "verify=False")}), first) == "get(url)\n");
    std::string lines = "get(\n    url,\n    verify=False,\n)\n";
    CHECK(fixed(r, finding({cap("arg", lines, "verify=False")}), lines) == "get(\n    url,\n)\n");
    std::string spaced = "P('x', shell = True,\n  stdout=PIPE)\n";
    CHECK(fixed(r, finding({cap("arg", spaced, "shell = True")}), spaced) == "P('x', stdout=PIPE)\n");
  }

  SECTION("delete_item without a comma next to it (an only argument, a comment in between) gives nullopt") {
    Rule r = rule_with({edit(FixEdit::Op::remove_item, "arg")});
    std::string only = "get(verify=False)\n";
    CHECK_FALSE(fix::fix_edits(r, finding({cap("arg", only, "verify=False")}), only));
    std::string comment = "get(url,  # why\n    verify=False)\n";
    CHECK_FALSE(fix::fix_edits(r, finding({cap("arg", comment, "verify=False")}), comment));
  }

  SECTION("a key template looks up a map whose values are templates") {
    FixEdit e = edit(FixEdit::Op::replace, "match", "",
                     {{"== True", "{{x}}"}, {"== False", "not {{x}}"}, {"!= True", "not {{x}}"}});
    e.key = "{{op}} {{lit}}";
    Rule r = rule_with({e});
    std::string src = "if a.ok == False: pass";
    Finding f = finding({cap("match", src, "a.ok == False"), cap("x", src, "a.ok"), cap("op", src, "=="),
                         cap("lit", src, "False")});
    CHECK(fixed(r, f, src) == "if not a.ok: pass");
    std::string other = "if a.ok < False: pass";
    Finding g = finding({cap("match", other, "a.ok < False"), cap("x", other, "a.ok"), cap("op", other, "<"),
                         cap("lit", other, "False")});
    CHECK_FALSE(fix::fix_edits(r, g, other));
  }

  SECTION("an edit is made only `when` its condition capture is there; a fix needs one edit that is made") {
    FixEdit fn = edit(FixEdit::Op::replace, "fn", "", {{"load", "safe_load"}});
    fn.when = "fn";
    FixEdit loader = edit(FixEdit::Op::replace, "loader", "", {{"Loader", "SafeLoader"}});
    loader.when = "loader";
    Rule r = rule_with({fn, loader});
    std::string a = "yaml.load(f)";
    CHECK(fixed(r, finding({cap("fn", a, "load")}), a) == "yaml.safe_load(f)");
    std::string b = "yaml.load(f, Loader=yaml.Loader)";
    CHECK(fixed(r, finding({cap("loader", b, "Loader", 25)}), b) == "yaml.load(f, Loader=yaml.SafeLoader)");
    CHECK_FALSE(fix::fix_edits(r, finding({}), b));
  }

  SECTION("{{name?}} is empty without its capture") {
    Rule r = rule_with({edit(FixEdit::Op::replace, "match", "raise AssertionError({{msg?}})")});
    std::string src = "assert x";
    CHECK(fixed(r, finding({cap("match", src, "assert x")}), src) == "raise AssertionError()");
    std::string with = "assert x, 'bad'";
    CHECK(fixed(r, finding({cap("match", with, with), cap("msg", with, "'bad'")}), with) == "raise AssertionError('bad')");
  }

  SECTION("indent, indent_in and eol follow the capture's line") {
    Rule r = rule_with({edit(FixEdit::Op::replace, "match", "if not {{c|paren}}:\n{{match|indent_in}}raise E{{match|eol}}")});
    std::string src = "def f(a):\n    assert a > 0  # positive\n";
    Finding f = finding({cap("match", src, "assert a > 0"), cap("c", src, "a > 0")});
    CHECK(fixed(r, f, src) == "def f(a):\n    if not (a > 0):\n        raise E  # positive\n");
    std::string tabs = "def f(a):\n\tassert ok(a)\n";
    Finding t = finding({cap("match", tabs, "assert ok(a)"), cap("c", tabs, "ok(a)")});
    CHECK(fixed(r, t, tabs) == "def f(a):\n\tif not ok(a):\n\t\traise E\n");
    // Code before the capture on its line, or after it: no fix.
    std::string before = "def f(a): assert a\n";
    CHECK_FALSE(fix::fix_edits(r, finding({cap("match", before, "assert a"), cap("c", before, "a", 12)}), before));
    std::string after = "def f(a):\n    assert a; g()\n";
    CHECK_FALSE(fix::fix_edits(r, finding({cap("match", after, "assert a"), cap("c", after, "a;")}), after));
  }

  SECTION("paren leaves names, attributes, calls and subscripts bare") {
    Rule r = rule_with({edit(FixEdit::Op::replace, "c", "{{c|paren}}")});
    auto p = [&](const std::string& text) { return fixed(r, finding({Capture{"c", 0, uint32_t(text.size())}}), text); };
    CHECK(p("x") == "x");
    CHECK(p("self.conn") == "self.conn");
    CHECK(p("isinstance(p, str)") == "isinstance(p, str)");
    CHECK(p("a.b(c)[0].d") == "a.b(c)[0].d");
    CHECK(p("a and b") == "(a and b)");
    CHECK(p("n > 0") == "(n > 0)");
    CHECK(p("f(x) + 1") == "(f(x) + 1)");
    CHECK(p("m.get(')')") == "(m.get(')'))");
  }

  SECTION("argv splits a plain constant command; shell syntax and builtins give nullopt") {
    Rule r = rule_with({edit(FixEdit::Op::replace, "cmd", "{{cmd|argv}}")});
    auto argv = [&](const std::string& text) {
      return fix::fix_edits(r, finding({Capture{"cmd", 0, uint32_t(text.size())}}), text);
    };
    auto as_text = [&](const std::string& text) {
      auto e = argv(text);
      REQUIRE(e);
      return fix::apply_edits(text, *e);
    };
    CHECK(as_text("'git rev-parse --short HEAD'") == "['git', 'rev-parse', '--short', 'HEAD']");
    CHECK(as_text("\"make  -j4\"") == "[\"make\", \"-j4\"]");
    CHECK(as_text("r'ls /var/log'") == "['ls', '/var/log']");
    CHECK(as_text("'pip install pkg==1.2 --index-url=https://x.org/simple'") ==
          "['pip', 'install', 'pkg==1.2', '--index-url=https://x.org/simple']");
    for (const char* refused : {"'ls | wc'", "'echo $HOME'", "'rm *.o'", "'a > b'", "'a; b'", "'cd /tmp'", "'FOO=1 make'",
                                "'ls ~'", "'echo \"x\"'", "''", "'   '", "f'ls {p}'", "b'ls'", "'''ls'''", "cmd",
                                "'ls' + x", "'exit 1'", "'a && b'", "'echo `id`'", "'ls #x'"})
      CHECK_FALSE(argv(refused));
  }

  SECTION("js_thunk turns a constant string of plain code into an arrow function") {
    Rule r = rule_with({edit(FixEdit::Op::replace, "code", "{{code|js_thunk}}")});
    auto thunk = [&](const std::string& text) {
      return fix::fix_edits(r, finding({Capture{"code", 0, uint32_t(text.size())}}), text);
    };
    auto as_text = [&](const std::string& text) {
      auto e = thunk(text);
      REQUIRE(e);
      return fix::apply_edits(text, *e);
    };
    CHECK(as_text("'tick()'") == "() => { tick(); }");
    CHECK(as_text("\"a(1); b();\"") == "() => { a(1); b(); }");
    for (const char* refused : {"'var x = 1'", "'this.close()'", "'return 1'", "'f(\\'x\\')'", "'a() // c'",
                                "`tick()`", "'f(arguments)'", "'}; evil(); {'", "''", "tick"})
      CHECK_FALSE(thunk(refused));
  }

  SECTION("filter names") {
    for (const char* name : {"indent", "indent_in", "eol", "paren", "argv", "js_thunk"}) CHECK(fix::is_fix_filter(name));
    CHECK_FALSE(fix::is_fix_filter("upper"));
    CHECK_FALSE(fix::is_fix_filter(""));
  }
}

TEST_CASE("apply_edits") {
  SECTION("no edits: the source unchanged") { CHECK(fix::apply_edits("abc", {}) == "abc"); }

  SECTION("edits in any order are applied by position") {
    std::vector<TextEdit> edits{{6, 7, "Z"}, {0, 1, "A"}, {3, 3, "-"}};
    CHECK(fix::apply_edits("abcdefg", edits) == "Abc-defZ");
  }

  SECTION("adjacent edits and two insertions at one point are fine") {
    CHECK(fix::apply_edits("abcd", {{0, 2, "X"}, {2, 4, "Y"}}) == "XY");
    CHECK(fix::apply_edits("ab", {{1, 1, "1"}, {1, 1, "2"}}) == "a12b");
  }

  SECTION("an edit at the very end appends") { CHECK(fix::apply_edits("ab", {{2, 2, "c"}}) == "abc"); }

  SECTION("overlapping edits throw core::Error") {
    CHECK_THROWS_AS(fix::apply_edits("abcdef", {{0, 3, "x"}, {2, 4, "y"}}), core::Error);
    CHECK_THROWS_AS(fix::apply_edits("abcdef", {{1, 5, "x"}, {2, 2, "y"}}), core::Error);
  }

  SECTION("an edit outside the text or reversed throws core::Error") {
    CHECK_THROWS_AS(fix::apply_edits("abc", {{2, 9, "x"}}), core::Error);
    CHECK_THROWS_AS(fix::apply_edits("abc", {{4, 4, "x"}}), core::Error);
    CHECK_THROWS_AS(fix::apply_edits("abc", {{2, 1, "x"}}), core::Error);
  }
}

TEST_CASE("apply_fixes") {
  Rule r = rule_with({edit(FixEdit::Op::replace, "op", "", k_is)});

  SECTION("fixes every finding, whatever their order") {
    std::string src = "a == None\nb != None\nc == None\n";
    std::vector<Finding> fs{finding({cap("op", src, "==", 12)}), finding({cap("op", src, "==")}),
                            finding({cap("op", src, "!=")})};
    for (auto& f : fs) f.start_byte = f.captures[0].start_byte;
    CHECK(fix::apply_fixes(r, fs, src) == "a is None\nb is not None\nc is None\n");
  }

  SECTION("a finding whose edits overlap an earlier one is skipped, not thrown") {
    std::string src = "x = a + b + c\n";
    Rule wrap = rule_with({edit(FixEdit::Op::replace, "match", "({{match}})")});
    Finding outer = finding({cap("match", src, "a + b + c")});
    Finding inner = finding({cap("match", src, "b + c")});
    std::string out;
    REQUIRE_NOTHROW(out = fix::apply_fixes(wrap, {inner, outer}, src));
    CHECK(out == "x = (a + b + c)\n");
  }

  SECTION("findings the fix cannot handle are left alone") {
    std::string src = "a == None\nb < None\n";
    std::vector<Finding> fs{finding({cap("op", src, "==")}), finding({cap("op", src, "<")})};
    fs[0].start_byte = fs[0].captures[0].start_byte;
    fs[1].start_byte = fs[1].captures[0].start_byte;
    CHECK(fix::apply_fixes(r, fs, src) == "a is None\nb < None\n");
  }

  SECTION("no findings: the source unchanged") { CHECK(fix::apply_fixes(r, {}, "x == None") == "x == None"); }
}

TEST_CASE("indent: whole lines one level deeper, tabs where the line has them, blank lines left alone", "[fix]") {
  const std::string src = "def f():\n    a = 1\n\n\tb = 2\n    c = 3\n";
  Rule r = rule_with({edit(FixEdit::Op::indent, "body")});
  Capture body = cap("body", src, "    a = 1\n\n\tb = 2\n");
  CHECK(fixed(r, finding({body}), src) == "def f():\n        a = 1\n\n\t\tb = 2\n    c = 3\n");
}

TEST_CASE("indent: a capture that is not whole lines gives no fix", "[fix]") {
  const std::string src = "x = 1\ny = 2\n";
  Rule r = rule_with({edit(FixEdit::Op::indent, "body")});
  CHECK_FALSE(fix::fix_edits(r, finding({cap("body", src, "= 1\n")}), src));
  CHECK_FALSE(fix::fix_edits(r, finding({cap("body", src, "x = 1")}), src));
}
