#include "merge/regions.hpp"

#include <catch2/catch.hpp>

#include "scan/language.hpp"

#include <string>
#include <vector>

namespace {

// The keys of `source`'s members, nested ones as "outer/inner" (member_paths), and the region.
std::optional<merge::Region> cut(const std::string& language, const std::string& source, std::string& why) {
  const auto& lang = *scan::language_by_name(language);
  auto tree = scan::parse_syntax_tree(lang, source);
  REQUIRE(tree);
  return merge::decompose(*tree, source, *merge::merge_profile(language), why);
}

std::vector<std::string> paths(const std::string& language, const std::string& source) {
  std::string why;
  auto region = cut(language, source, why);
  INFO(why);
  REQUIRE(region);
  return merge::member_paths(*region, *merge::merge_profile(language));
}

using V = std::vector<std::string>;

} // namespace

TEST_CASE("decompose") {
  SECTION("python: imports are set members, definitions are named, class bodies nest") {
    std::string src = "import os\nfrom a import b\n\nX = 1\n\n@dec\nclass A:\n    def f(self):\n        pass\n\n"
                      "    def g(self):\n        pass\n\nprint(X)\n";
    CHECK(paths("python", src) == V{"set:import os", "set:from a import b", "var:X", "def:A", "def:A/def:f",
                                    "def:A/def:g", "text:expression_statement:print(X)"});
  }

  SECTION("chunks are whole lines and carry the blank lines and comments above them") {
    std::string src = "import os\n\n# the answer\ndef f():\n    return 42\n";
    std::string why;
    auto region = cut("python", src, why);
    REQUIRE(region);
    REQUIRE(region->members.size() == 2);
    const auto& f = region->members[1];
    CHECK(src.substr(f.begin, f.end - f.begin) == "\n# the answer\ndef f():\n    return 42\n");
    CHECK(region->members_end == src.size());
  }

  SECTION("same-named members share an identity and are told apart by their detail") {
    std::string src = "class A:\n    @property\n    def x(self):\n        return 1\n\n    @x.setter\n    def x(self, v):\n        pass\n";
    std::string why;
    auto region = cut("python", src, why);
    REQUIRE(region);
    const auto& inner = *region->members[0].region;
    REQUIRE(inner.members.size() == 2);
    CHECK(inner.members[0].identity == "def:x");
    CHECK(inner.members[1].identity == "def:x");
    CHECK(inner.members[0].detail == "@property (self)");
    CHECK(inner.members[1].detail == "@x.setter (self, v)");
  }

  SECTION("JavaScript: a getter and a setter of one name share the identity, not the detail") {
    std::string src = "class T {\n  get c() { return 1; }\n  set c(v) {}\n  static get c() { return 2; }\n}\n";
    std::string why;
    auto region = cut("javascript", src, why);
    REQUIRE(region);
    const auto& inner = *region->members[0].region;
    REQUIRE(inner.members.size() == 3);
    CHECK(inner.members[0].identity == "member:c");
    CHECK(inner.members[1].identity == "member:c");
    CHECK(inner.members[0].detail == "get ()");
    CHECK(inner.members[1].detail == "set (v)");
    CHECK(inner.members[2].detail == "static get ()");
  }

  SECTION("imports are identified by their source, C++ members carry their section") {
    std::string why;
    auto py = cut("python", "from a.b import c\nimport os\n", why);
    REQUIRE(py);
    CHECK(py->members[0].identity == "set:a.b");
    CHECK(py->members[0].detail == "from a.b import c");
    CHECK(py->members[1].identity == "set:os");
    std::string src = "class C {\n  int a;\npublic:\n  int b;\n};\n";
    auto cpp = cut("cpp", src, why);
    REQUIRE(cpp);
    const auto& inner = *cpp->members[0].region;
    REQUIRE(inner.members.size() == 3);
    CHECK(inner.members[0].section == "");
    CHECK(inner.members[1].is_label);
    CHECK(inner.members[2].section == "public");
  }

  SECTION("C++: overloads are told apart by their parameters, prototypes from definitions") {
    std::string src = "#include <string>\nint f(int a);\nint f(int a) { return a; }\nint f(double d) { return 0; }\n"
                      "namespace n {\nclass C {\npublic:\n    void m() const;\n    int k = 0;\n};\n}\n";
    CHECK(paths("cpp", src) == V{"set:#include <string>", "decl:f(int a)", "def:f(int a)", "def:f(double d)",
                                 "namespace:n", "namespace:n/type:C", "namespace:n/type:C/text:access_specifier:public",
                                 "namespace:n/type:C/member:m()", "namespace:n/type:C/member:k"});
  }

  SECTION("JavaScript: exports keep the name of what they export; class members nest") {
    std::string src = "import { a } from \"a\";\nexport function f() {}\nexport const x = 1;\n"
                      "export class K {\n  m() {}\n  static z = 1;\n}\n";
    CHECK(paths("javascript", src) == V{"set:import { a } from \"a\";", "def:f", "def:x", "def:K", "def:K/member:m",
                                        "def:K/member:z"});
  }

  SECTION("Go: methods are keyed by receiver and name, import blocks hold set members") {
    std::string src = "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc (t *T) M() {}\nfunc M() {}\n";
    CHECK(paths("go", src) == V{"text:package_clause:package main", "import:<import_declaration>",
                                "import:<import_declaration>/set:\"fmt\"", "import:<import_declaration>/set:\"os\"",
                                "def:*T M", "def:M"});
  }

  SECTION("Rust: attributes glue to the item below, impls are keyed by trait and type") {
    std::string src = "use std::io;\n#[derive(Debug)]\nstruct S;\nimpl Display for S {\n    fn fmt(&self) {}\n}\n";
    std::string why;
    auto region = cut("rust", src, why);
    REQUIRE(region);
    CHECK(merge::member_paths(*region, *merge::merge_profile("rust")) == V{"set:use std::io;", "type:S", "impl:Display S", "impl:Display S/def:fmt"});
    const auto& s = region->members[1];
    CHECK(src.substr(s.begin, s.end - s.begin) == "#[derive(Debug)]\nstruct S;\n");
  }

  SECTION("Java: methods with their parameters, fields by declarator") {
    std::string src = "import a.B;\nclass A {\n  int x = 1;\n  void f(int a) {}\n  void f() {}\n}\n";
    CHECK(paths("java", src) == V{"set:import a.B;", "type:A", "type:A/var:x", "type:A/def:f(int a)", "type:A/def:f()"});
  }

  SECTION("two top-level members on one line cannot be cut") {
    std::string why;
    CHECK_FALSE(cut("javascript", "let a = 1; let b = 2;\n", why));
    CHECK_FALSE(why.empty());
  }

  SECTION("a class whose members share a line stays whole") {
    std::string why;
    auto region = cut("javascript", "class A { f() {} g() {} }\n", why);
    REQUIRE(region);
    REQUIRE(region->members.size() == 1);
    CHECK(region->members[0].region == nullptr);
  }
}

TEST_CASE("normalise_space") {
  SECTION("runs of whitespace become one space, ends are trimmed") {
    CHECK(merge::normalise_space("  a \n\t b  ") == "a b");
    CHECK(merge::normalise_space("") == "");
  }
}
