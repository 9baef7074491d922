#include "scan/function_identity.hpp"

#include <catch2/catch.hpp>

#include "../support/scan_support.hpp"

#include <string>
#include <vector>

using scan::Engine;
using scan::FileResult;

using test_support::lang;

namespace {

// The identities of a file's measured functions, in file order.
std::vector<std::string> keys(const Engine& engine, const char* language, const std::string& src) {
  FileResult r = engine.scan(lang(language), src);
  std::vector<std::string> out;
  for (const auto& f : r.functions) out.push_back(f.key);
  return out;
}

std::vector<std::string> labels(const Engine& engine, const char* language, const std::string& src) {
  FileResult r = engine.scan(lang(language), src);
  std::vector<std::string> out;
  for (const auto& f : r.functions) out.push_back(f.label);
  return out;
}

using Keys = std::vector<std::string>;

} // namespace

TEST_CASE("function identity: Python", "[scan]") {
  Engine engine({});
  SECTION("nested classes, nested functions and same names in different scopes") {
    const char* src =
        "class Outer:\n"
        "    class Inner:\n"
        "        def run(self):\n"
        "            pass\n"
        "    def run(self, x):\n"
        "        pass\n"
        "def run():\n"
        "    def helper(a, b=1, *args, **kw):\n"
        "        pass\n"
        "    return helper\n";
    CHECK(keys(engine, "python", src) == Keys{"Outer.Inner.run/1", "Outer.run/2", "run/0", "run.helper/4"});
    CHECK(labels(engine, "python", src) == Keys{"Outer.Inner.run", "Outer.run", "run", "run.helper"});
  }
  SECTION("keyword-only and positional-only markers are not parameters") {
    CHECK(keys(engine, "python", "def f(a, /, b, *, c):\n    pass\n") == Keys{"f/3"});
  }
  SECTION("a property's getter, setter and deleter, class and static methods are distinct") {
    const char* src =
        "class C:\n"
        "    @property\n"
        "    def x(self):\n"
        "        return 1\n"
        "    @x.setter\n"
        "    def x(self, v):\n"
        "        pass\n"
        "    @x.deleter\n"
        "    def x(self):\n"
        "        pass\n"
        "    @classmethod\n"
        "    def make(cls):\n"
        "        pass\n"
        "    @staticmethod\n"
        "    def util():\n"
        "        pass\n"
        "    @functools.cached_property\n"
        "    def y(self):\n"
        "        return 2\n";
    CHECK(keys(engine, "python", src) == Keys{"C.x/1 [getter]", "C.x/2 [setter]", "C.x/1 [deleter]",
                                              "C.make/1 [classmethod]", "C.util/0 [staticmethod]", "C.y/1 [getter]"});
    CHECK(labels(engine, "python", src) == Keys{"C.x (getter)", "C.x (setter)", "C.x (deleter)", "C.make", "C.util", "C.y"});
  }
  SECTION("@overload stubs fold into the implementation, which keeps its own measurements") {
    const char* src =
        "from typing import overload\n"
        "import typing\n"
        "@overload\n"
        "def parse(x: int) -> int: ...\n"
        "@typing.overload\n"
        "def parse(x: str) -> str:\n"
        "    ...\n"
        "def parse(x):\n"
        "    if x:\n"
        "        return x\n"
        "    return None\n"
        "class K:\n"
        "    @overload\n"
        "    def get(self, k: int) -> int: ...\n"
        "    @overload\n"
        "    def get(self, k: str, d: str) -> str: ...\n"
        "    def get(self, k, d=None):\n"
        "        return k or d\n";
    FileResult r = engine.scan(lang("python"), src);
    REQUIRE(r.functions.size() == 2);
    CHECK(r.functions[0].key == "parse/1");
    CHECK(r.functions[0].start_line == 8);
    CHECK(r.functions[0].complexity == 2);
    CHECK(r.functions[1].key == "K.get/3");
    CHECK(r.functions[1].start_line == 17);
    CHECK(r.functions[1].complexity == 2);
  }
  SECTION("stubs without an implementation (a .pyi file) are one function") {
    const char* src =
        "@overload\n"
        "def load(x: int) -> int: ...\n"
        "@overload\n"
        "def load(x: str, y: int) -> str: ...\n"
        "def other(): ...\n";
    FileResult r = engine.scan(lang("python"), src);
    REQUIRE(r.functions.size() == 2);
    CHECK(r.functions[0].key == "load/1");
    CHECK(r.functions[0].start_line == 2);
    CHECK(r.functions[1].key == "other/0");
  }
  SECTION("a function defined under both branches of an if is numbered in file order") {
    const char* src =
        "if PY2:\n"
        "    def compat(a):\n"
        "        return a\n"
        "else:\n"
        "    def compat(a):\n"
        "        return a or None\n";
    CHECK(keys(engine, "python", src) == Keys{"compat/1", "compat/1 #2"});
    CHECK(labels(engine, "python", src) == Keys{"compat/1", "compat/1 #2"});
  }
  SECTION("a renamed parameter keeps the identity; another arity changes it; moving the function keeps it") {
    CHECK(keys(engine, "python", "def f(a, b):\n    pass\n") == keys(engine, "python", "def f(x, y):\n    pass\n"));
    CHECK(keys(engine, "python", "def f(a, b):\n    pass\n") != keys(engine, "python", "def f(a):\n    pass\n"));
    CHECK(keys(engine, "python", "def f(a):\n    pass\n\ndef g():\n    pass\n") ==
          Keys{"f/1", "g/0"});
    CHECK(keys(engine, "python", "def g():\n    pass\n\n\n\ndef f(a):\n    pass\n") == Keys{"g/0", "f/1"});
  }
}

TEST_CASE("function identity: JavaScript and TypeScript", "[scan]") {
  Engine engine({});
  SECTION("accessors and static methods, bound object literals, nested functions") {
    const char* src =
        "class Store {\n"
        "  get size() { return 1; }\n"
        "  set size(v) {}\n"
        "  static create() {}\n"
        "  create() {}\n"
        "}\n"
        "const api = { fetch(url) {}, parse: (s) => s };\n"
        "register({ handle(evt) {} });\n"
        "function outer(a, b) { const inner = x => x; return inner; }\n"
        "const Widget = class { render() {} };\n";
    for (const char* language : {"javascript", "typescript"})
      CHECK(keys(engine, language, src) == Keys{"Store.size/0 [get]", "Store.size/1 [set]", "Store.create/0 [static]",
                                                 "Store.create/0", "api.fetch/1", "api.parse/1", "handle/1", "outer/2",
                                                 "outer.inner/1", "Widget.render/0"});
  }
  SECTION("TypeScript overload signatures are not functions; namespaces qualify") {
    const char* src =
        "export function parse(x: number): number;\n"
        "export function parse(x: string): string;\n"
        "export function parse(x: any): any {\n"
        "  if (x) { return x; }\n"
        "  return x;\n"
        "}\n"
        "class A {\n"
        "  m(x: number): void;\n"
        "  m(x: string): void;\n"
        "  m(x: any) {}\n"
        "}\n"
        "namespace NS { export function f() {} }\n";
    FileResult r = engine.scan(lang("typescript"), src);
    REQUIRE(r.functions.size() == 3);
    CHECK(r.functions[0].key == "parse/1");
    CHECK(r.functions[0].complexity == 2);
    CHECK(r.functions[1].key == "A.m/1");
    CHECK(r.functions[2].key == "NS.f/0");
  }
}

TEST_CASE("function identity: C and C++", "[scan]") {
  Engine engine({});
  SECTION("namespaces, classes, overloads by parameter types and qualifiers; declarations are not measured") {
    const char* src =
        "namespace ns {\n"
        "class Foo {\n"
        " public:\n"
        "  void run(int a);\n"
        "  virtual void stop() = 0;\n"
        "  void run(int a) const {}\n"
        "  void run(const std::string &s, int n = 3) {}\n"
        "  struct Inner { void run() {} };\n"
        "};\n"
        "void Foo::run(int a) {}\n"
        "namespace { int helper(char *p, unsigned   long n) { return 0; } }\n"
        "}\n";
    CHECK(keys(engine, "cpp", src) == Keys{"ns::Foo::run(int) const", "ns::Foo::run(const std::string&,int)",
                                           "ns::Foo::Inner::run()", "ns::Foo::run(int)",
                                           "ns::(anonymous namespace)::helper(char*,unsigned long)"});
    CHECK(labels(engine, "cpp", src) == Keys{"ns::Foo::run(int) const", "ns::Foo::run(const std::string&,int)",
                                             "ns::Foo::Inner::run", "ns::Foo::run(int)",
                                             "ns::(anonymous namespace)::helper"});
  }
  SECTION("a renamed parameter keeps the identity, another type changes it") {
    CHECK(keys(engine, "cpp", "void f(int a) {}\n") == keys(engine, "cpp", "void f(int count) {}\n"));
    CHECK(keys(engine, "cpp", "void f(int a) {}\n") != keys(engine, "cpp", "void f(long a) {}\n"));
    CHECK(keys(engine, "cpp", "int log(const char *fmt, ...) { return 0; }\n") == Keys{"log(const char*,...)"});
    CHECK(keys(engine, "cpp", "void f(int &a, char *const *b, int c[]) {}\n") == Keys{"f(int&,char*const*,int[])"});
    CHECK(keys(engine, "cpp", "char *Foo::name(void) const & { auto g = [](int x, long) { return x; }; return 0; }\n") ==
          Keys{"Foo::name() const &", "Foo::name::<anonymous>(int,long)"});
  }
  SECTION("C counts parameters") {
    CHECK(keys(engine, "c", "static int f(int a, char *b) { return a; }\nvoid g(void) {}\n") ==
          Keys{"f/2", "g/0"});
  }
}

TEST_CASE("function identity: Java, Go and Rust", "[scan]") {
  Engine engine({});
  SECTION("Java: classes, overloads by parameter types, anonymous classes") {
    const char* src =
        "class Svc {\n"
        "  void run(int a) {}\n"
        "  void run(final String s, int... rest) {}\n"
        "  class Inner { void run() {} }\n"
        "  Runnable r = new Runnable() { public void run() {} };\n"
        "  Svc(int n) { java.util.function.BinaryOperator<Integer> add = (a, b) -> a + b; }\n"
        "}\n";
    CHECK(keys(engine, "java", src) ==
          Keys{"Svc.run(int)", "Svc.run(String,int...)", "Svc.Inner.run()", "Svc.new Runnable.run()", "Svc.Svc(int)",
               "Svc.Svc.add(_,_)"});
  }
  SECTION("Go: methods take their receiver type, pointer or not") {
    const char* src =
        "package p\n"
        "func (s *Server) Run(ctx context.Context) error { return nil }\n"
        "func (s Server) Stop() {}\n"
        "func (c *Cache[K, V]) Get(k K) V { var v V; return v }\n"
        "func Run(a, b int) {}\n";
    CHECK(keys(engine, "go", src) == Keys{"Server.Run/1", "Server.Stop/0", "Cache.Get/1", "Run/2"});
  }
  SECTION("Rust: impl blocks, trait impls, traits and modules") {
    const char* src =
        "struct P;\n"
        "impl<T> P<T> { fn new() -> Self { P } fn run(&self) {} }\n"
        "impl std::fmt::Display for P { fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result { Ok(()) } }\n"
        "trait T { fn run(&self) {} }\n"
        "mod m { fn run() {} }\n";
    CHECK(keys(engine, "rust", src) ==
          Keys{"P::new/0", "P::run/1", "<P as std::fmt::Display>::fmt/2", "T::run/1", "m::run/0"});
  }
}

namespace {

// The lines the built-in rule `id` reports in `src`, as in a changed file of a repository whose tests
// reference nothing.
std::vector<int> untested_lines(const char* id, const char* language, const std::string& src) {
  std::vector<scan::Rule> rules;
  for (auto& r : scan::builtin_rules())
    if (r.id == id) rules.push_back(r);
  REQUIRE(rules.size() == 1);
  rules.front().enabled = true; // off by default (its precision), on for those who turn it on
  Engine engine(rules);
  scan::FileContext context;
  context.path = "lib" + std::string(lang(language).extensions.front());
  context.referenced_by_tests = [](const std::string&) { return false; };
  std::vector<int> lines;
  for (const auto& f : scan::apply_context(engine.scan(lang(language), src).findings, src, context))
    lines.push_back(f.start_line);
  return lines;
}

} // namespace

TEST_CASE("untested-function rules: overloads are one function", "[scan]") {
  SECTION("Python: @overload stubs are not reported, their implementation once") {
    const char* src =
        "import typing\n"
        "from typing import overload\n"
        "@overload\n"
        "def parse(x: int) -> int: ...\n"
        "@typing.overload\n"
        "def parse(x: str) -> str: ...\n"
        "def parse(x):\n"
        "    return x\n";
    CHECK(untested_lines("python/untested-function", "python", src) == std::vector<int>{7});
    CHECK(untested_lines("python/untested-function", "python",
                         "@overload\ndef parse(x: int) -> int: ...\n@overload\ndef parse(x: str) -> str: ...\n")
              .empty());
  }
  SECTION("TypeScript: overload signatures are not reported, the implementation once") {
    const char* src =
        "export function parse(x: number): number;\n"
        "export function parse(x: string): string;\n"
        "export function parse(x: any): any {\n"
        "  return x;\n"
        "}\n";
    CHECK(untested_lines("javascript/untested-function", "typescript", src) == std::vector<int>{3});
  }
}
