#include <catch2/catch.hpp>

#include "fix/destructive.hpp"

namespace {

const scan::LanguageProfile& lang(const char* name) { return *scan::language_by_name(name); }

std::vector<std::string> names(const std::string& language, const std::string& source) {
  std::vector<std::string> out;
  const auto found = fix::declarations(lang(language.c_str()), source);
  REQUIRE(found);
  for (const auto& d : *found) out.push_back(d.kind + " " + d.name);
  return out;
}

} // namespace

TEST_CASE("declarations", "[fix]") {
  SECTION("python: classes, methods, nested functions, qualified") {
    CHECK(names("python", "class A:\n    def run(self):\n        def inner(): pass\n\ndef top(): pass\nf = lambda: 1\n") ==
          std::vector<std::string>{"type A", "function A.run", "function A.run.inner", "function top"});
  }
  SECTION("javascript: declarations and functions bound to names; anonymous ones are not counted") {
    CHECK(names("javascript", "function a() {}\nconst b = () => 1;\nclass C { m() {} }\nobj.x = function () {};\n"
                              "[1].map(function () {});\n") ==
          std::vector<std::string>{"function a", "function b", "type C", "function C.m", "function obj.x"});
  }
  SECTION("c and c++: declarator names, scopes, definitions only") {
    CHECK(names("c", "struct s { int x; };\nstruct s *p;\nstatic int *make(void) { return 0; }\n") ==
          std::vector<std::string>{"type s", "function make"});
    CHECK(names("cpp", "namespace n { class W { void f(); }; int W::g() { return 1; } }\nint& ref() { static int x; return x; }\n") ==
          std::vector<std::string>{"type n", "type n::W", "function n::W::g", "function ref"});
  }
  SECTION("go: functions, methods and types") {
    CHECK(names("go", "package p\n\ntype T struct{}\n\nfunc (t T) M() {}\n\nfunc F() { _ = func() {} }\n") ==
          std::vector<std::string>{"type T", "function M", "function F"});
  }
}

TEST_CASE("check_declarations", "[fix]") {
  SECTION("removing a function is refused, naming it") {
    auto r = fix::check_declarations(lang("python"), "def keep(): pass\n\ndef gone():\n    return 1\n", "def keep(): pass\n");
    CHECK_FALSE(r.ok);
    CHECK(r.outcome == core::Outcome::destructive);
    CHECK(r.detail.find("the function `gone` (line 3)") != std::string::npos);
  }
  SECTION("removing a method or a class is refused") {
    CHECK_FALSE(fix::check_declarations(lang("javascript"), "class A { m() {} n() {} }\n", "class A { m() {} }\n").ok);
    auto r = fix::check_declarations(lang("cpp"), "class A {};\nclass B {};\n", "class A {};\n");
    CHECK_FALSE(r.ok);
    CHECK(r.detail.find("the type `B`") != std::string::npos);
  }
  SECTION("one of two definitions of a name is a removal too") {
    CHECK_FALSE(fix::check_declarations(lang("python"), "if a:\n    def f(): pass\nelse:\n    def f(): pass\n",
                                        "if a:\n    def f(): pass\n").ok);
  }
  SECTION("rewriting, moving, re-typing or adding is fine") {
    CHECK(fix::check_declarations(lang("python"), "def f(x=[]):\n    return x\n\ndef g(): pass\n",
                                  "def g(): pass\n\ndef f(x=None):\n    return x or []\n").ok);
    CHECK(fix::check_declarations(lang("cpp"), "void f(std::string s) {}\n", "void f(const std::string& s) {}\n").ok);
    CHECK(fix::check_declarations(lang("javascript"), "var f = function () {};\n", "const f = () => {};\nfunction h() {}\n").ok);
  }
}
