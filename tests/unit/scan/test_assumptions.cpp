#include "scan/assumptions.hpp"

#include <catch2/catch.hpp>

#include "../support/scan_support.hpp"
#include "scan/rule_test.hpp"

#include <string>
#include <vector>

using scan::Engine;
using scan::Rule;

using test_support::lang;

namespace {

// An unsafe rule whose findings depend on analysis `analysis` looking at capture @s.
Rule assuming(const std::string& language, const std::string& query, const std::string& analysis) {
  Rule r;
  r.id = "t/" + analysis;
  r.languages = {language};
  r.category = core::Category::code_quality;
  r.safety = core::Safety::unsafe;
  r.message = "m";
  r.query = query;
  r.source = "test";
  r.assumption = scan::Assumption{"`{{s}}` has the type", analysis, "s"};
  return r;
}

// The safety of each finding of `rule` in `code`, in order.
std::vector<std::string> safeties(const Rule& rule, const std::string& code) {
  Engine engine({rule});
  std::vector<std::string> out;
  for (const auto& f : engine.match_rule(rule, lang(rule.languages.front().c_str()), code)) out.emplace_back(core::to_string(f.safety));
  return out;
}

// Whether the only finding of `rule` in `code` keeps the rule's safety (fails unless there is one).
bool established(const Rule& rule, const std::string& code) {
  auto s = safeties(rule, code);
  INFO(code);
  REQUIRE(s.size() == 1);
  return s[0] == core::to_string(rule.safety);
}

const Rule& python_dict() {
  static const Rule r = assuming(
      "python", "((call function: (attribute object: (_) @s attribute: (identifier) @m)) @match (#eq? @m \"keys\"))",
      "python-dict");
  return r;
}

const Rule& truth_value() {
  static const Rule r = assuming("python", "(comparison_operator (_) (none)) @match @s", "python-truth-value");
  return r;
}

const Rule& cpp_container() {
  static const Rule r = assuming(
      "cpp",
      "((call_expression function: (field_expression argument: (_) @s field: (field_identifier) @m)) @match "
      "(#eq? @m \"size\"))",
      "cpp-std-container");
  return r;
}

const Rule& js_same_type() {
  static const Rule r = assuming("javascript", "(binary_expression operator: \"==\") @match @s", "js-same-primitive-type");
  return r;
}

} // namespace

TEST_CASE("python-dict") {
  const Rule& r = python_dict();
  SECTION("a dict display, comprehension or constructor call is a real dict") {
    CHECK(established(r, "{'a': 1}.keys()\n"));
    CHECK(established(r, "{k: 1 for k in ks}.keys()\n"));
    CHECK(established(r, "dict(pairs).keys()\n"));
    CHECK(established(r, "import collections\ncollections.OrderedDict().keys()\n"));
    CHECK(established(r, "from collections import Counter\nCounter(words).keys()\n"));
  }
  SECTION("a name bound once to one, in its function or at module level") {
    CHECK(established(r, "def f():\n    d = {}\n    return d.keys()\n"));
    CHECK(established(r, "D = dict()\ndef f():\n    return D.keys()\n"));
    CHECK(established(r, "a = b = {}\nb.keys()\n"));
    CHECK(established(r, "a = {}\nb = a\nb.keys()\n"));
  }
  SECTION("an annotation naming a dict type, on a parameter or a variable, and **kwargs") {
    CHECK(established(r, "def f(d: dict[str, int]):\n    return d.keys()\n"));
    CHECK(established(r, "def f(d: typing.Dict[str, int] = None):\n    return d.keys()\n"));
    CHECK(established(r, "def f():\n    d: OrderedDict = load()\n    return d.keys()\n"));
    CHECK(established(r, "def f(**kw):\n    return kw.keys()\n"));
    CHECK(established(r, "def f(**kw: int):\n    return kw.keys()\n"));
  }
  SECTION("the dict.update protocol: a parameter without annotation is not established") {
    CHECK_FALSE(established(r, "class S(dict):\n    def update(self, E=None, **F):\n        for k in E.keys():\n"
                               "            self[k] = E[k]\n"));
  }
  SECTION("attributes, call results, rebound names, other annotations are not established") {
    CHECK_FALSE(established(r, "self.registry.keys()\n"));
    CHECK_FALSE(established(r, "get_map().keys()\n"));
    CHECK_FALSE(established(r, "d = {}\nd = load()\nd.keys()\n"));
    CHECK_FALSE(established(r, "d = {}\nfor d in ds:\n    pass\nd.keys()\n"));
    CHECK_FALSE(established(r, "def f(m: Mapping[str, int]):\n    return m.keys()\n"));
    CHECK_FALSE(established(r, "def f(m: dict, n):\n    return n.keys()\n"));
    CHECK_FALSE(established(r, "d = {}\ndef f():\n    global d\n    d = load()\ndef g():\n    return d.keys()\n"));
    CHECK_FALSE(established(r, "def f():\n    d = {}\n    def g():\n        nonlocal d\n        d = x\n    return d.keys()\n"));
  }
  SECTION("a bare Counter is collections' only when imported from there") {
    CHECK_FALSE(established(r, "from prometheus_client import Counter\nCounter('n', 'h').keys()\n"));
    CHECK_FALSE(established(r, "Counter(words).keys()\n"));
  }
  SECTION("a name's binding is looked up in its own scope first") {
    // The function binds d itself (a parameter): the module's dict does not count.
    CHECK_FALSE(established(r, "d = {}\ndef f(d):\n    return d.keys()\n"));
    // A comprehension variable belongs to the comprehension.
    CHECK_FALSE(established(r, "d = {}\n[x for d in ds for x in d.keys()]\n"));
    // ... but its first iterable is evaluated outside it.
    CHECK(established(r, "d = {}\n[x for x in d.keys()]\n"));
    // A class body is not a scope for its methods.
    CHECK_FALSE(established(r, "class C:\n    d = {}\n    def f(self):\n        return d.keys()\n"));
  }
}

TEST_CASE("python-truth-value") {
  const Rule& r = truth_value();
  SECTION("tests of if, elif, while, assert, conditional expressions and comprehension filters") {
    CHECK(established(r, "if x == None:\n    pass\n"));
    CHECK(established(r, "if a:\n    pass\nelif x != None:\n    pass\n"));
    CHECK(established(r, "while x != None:\n    x = x.next\n"));
    CHECK(established(r, "assert x != None, 'msg'\n"));
    CHECK(established(r, "y = 1 if x == None else 2\n"));
    CHECK(established(r, "ys = [v for v in vs if v != None]\n"));
  }
  SECTION("through parentheses, not, and, or") {
    CHECK(established(r, "if not (x == None):\n    pass\n"));
    CHECK(established(r, "if a and (b or x == None):\n    pass\n"));
  }
  SECTION("values: call arguments, assignments, returns, lambdas, the branches of a conditional") {
    CHECK_FALSE(established(r, "q.filter(User.name == None)\n"));
    CHECK_FALSE(established(r, "mask = a == None\n"));
    CHECK_FALSE(established(r, "def f(c):\n    return c == None\n"));
    CHECK_FALSE(established(r, "key = lambda r: r.parent == None\n"));
    CHECK_FALSE(established(r, "ok = a and x == None\n"));
    CHECK_FALSE(established(r, "y = (x == None) if a else b\n"));
  }
}

TEST_CASE("cpp-std-container") {
  const Rule& r = cpp_container();
  SECTION("parameters, locals, range-for variables and members with a std:: container type") {
    CHECK(established(r, "void f(const std::vector<int>& v) { v.size(); }\n"));
    CHECK(established(r, "void f(std::string s) { s.size(); }\n"));
    CHECK(established(r, "void f(const std::map<int, int>* p) { p->size(); }\n"));
    CHECK(established(r, "void f() { std::deque<int> q; q.size(); }\n"));
    CHECK(established(r, "void f() { std::string a, b = \"x\"; b.size(); }\n"));
    CHECK(established(r, "void f(const std::vector<std::string>& all) { for (const std::string& s : all) s.size(); }\n"));
    CHECK(established(r, "struct S {\n  std::set<int> items_;\n  bool f() { return items_.size(); }\n};\n"));
  }
  SECTION("templates, your own types, unknown or ambiguous declarations are not established") {
    CHECK_FALSE(established(r, "template <class C> bool f(const C& c) { return c.size(); }\n"));
    CHECK_FALSE(established(r, "struct Ring { int size() const; };\nvoid f(const Ring& r) { r.size(); }\n"));
    CHECK_FALSE(established(r, "void f() { v.size(); }\n"));
    CHECK_FALSE(established(r, "void W::f() { items_.size(); }\n"));
    CHECK_FALSE(established(r, "void f(std::vector<int> v) { { Ring v; v.size(); } }\n"));
    CHECK_FALSE(established(r, "void f(const std::vector<int>* p) { p.size(); }\n"));
    CHECK_FALSE(established(r, "void f(std::bitset<8> b) { b.size(); }\n"));
    CHECK_FALSE(established(r, "using namespace std;\nvoid f(vector<int> v) { v.size(); }\n"));
  }
}

TEST_CASE("js-same-primitive-type") {
  const Rule& r = js_same_type();
  SECTION("literals, typeof, !, comparisons, string concatenation of one type") {
    CHECK(established(r, "'a' == \"b\";\n"));
    CHECK(established(r, "1 == -2.5;\n"));
    CHECK(established(r, "!a == !b;\n"));
    CHECK(established(r, "(a < b) == true;\n"));
    CHECK(established(r, "`${a}` == 'x' + y;\n"));
  }
  SECTION("a const bound once to such a value") {
    CHECK(established(r, "const mode = 'fast';\nif (mode == 'slow') {}\n"));
    CHECK(established(r, "const a = 1, b = a;\nb == 2;\n"));
    // An anonymous function (no `name` field) in the file is looked at while the binding is searched
    // (lodash's core.js crashed the scan here).
    CHECK(established(r, "var f = function() { return 1; };\nconst a = 'x';\nif (a == 'y') {}\n"));
    CHECK(established(r, "const a = 'x';\nsetTimeout(function () {}, 1);\nclass {};\na == 'y';\n"));
  }
  SECTION("different or unknown types are not established") {
    CHECK_FALSE(established(r, "x == 0;\n"));
    CHECK_FALSE(established(r, "'1' == 1;\n"));
    CHECK_FALSE(established(r, "1n == 1;\n"));
    CHECK_FALSE(established(r, "let n = 0;\nn == 1;\n"));
    CHECK_FALSE(established(r, "const n = 0;\nfunction f(n) { return n == 1; }\n"));
    CHECK_FALSE(established(r, "const n = read();\nn == 1;\n"));
    CHECK_FALSE(established(r, "const {n} = o;\nn == 1;\n"));
  }
}

TEST_CASE("known_establishments") {
  for (const char* name : {"python-dict", "python-truth-value", "cpp-std-container", "js-same-primitive-type"}) {
    const auto* e = scan::establishment_by_name(name);
    REQUIRE(e != nullptr);
    CHECK_FALSE(e->languages.empty());
    CHECK_FALSE(e->description.empty());
  }
  CHECK(scan::establishment_by_name("nope") == nullptr);
}

TEST_CASE("a finding whose assumption is not established") {
  SECTION("says why in its message and keeps its rule's safety otherwise") {
    Engine engine({python_dict()});
    auto found = engine.match_rule(python_dict(), lang("python"), "d = {}\nd.keys()\nself.m.keys()\n");
    REQUIRE(found.size() == 2);
    CHECK(found[0].safety == core::Safety::unsafe);
    CHECK(found[0].message == "m");
    CHECK(found[1].safety == core::Safety::suggest);
    CHECK(found[1].message == "m (suggestion only: the fix assumes `self.m` has the type, which the code here does not establish)");
  }
  SECTION("a rule without an assumption gives every finding its own safety") {
    Rule plain = python_dict();
    plain.assumption.reset();
    plain.safety = core::Safety::safe;
    CHECK(safeties(plain, "self.m.keys()\n") == std::vector<std::string>{"safe"});
  }
}

