#include "merge/verify.hpp"

#include <catch2/catch.hpp>

#include "scan/language.hpp"

#include <string>

namespace {
merge::Facts facts(const std::string& source) {
  auto f = merge::facts_of(*scan::language_by_name("python"), *merge::merge_profile("python"), source, 1000);
  REQUIRE(f);
  return *f;
}
} // namespace

TEST_CASE("facts_of") {
  SECTION("counts syntax errors and every declaration path") {
    merge::Facts f = facts("def f():\n    pass\n\nclass A:\n    def f(self):\n        pass\n\ndef f():\n    pass\n");
    CHECK(f.errors == 0);
    CHECK(f.declarations["def:f"] == 2);
    CHECK(f.declarations["def:A/def:f"] == 1);
  }

  SECTION("a file whose top level cannot be cut has no facts") {
    CHECK_FALSE(merge::facts_of(*scan::language_by_name("javascript"), *merge::merge_profile("javascript"),
                                "let a = 1; let b = 2;\n", 1000));
  }
}

TEST_CASE("verify") {
  merge::Facts base = facts("");
  merge::Facts ours = facts("def f():\n    pass\n");
  merge::Facts theirs = facts("def g():\n    pass\n");

  SECTION("a result with what both sides declare passes") {
    CHECK(merge::verify(facts("def f():\n    pass\n\ndef g():\n    pass\n"), base, ours, theirs) == "");
  }

  SECTION("new syntax errors fail") {
    CHECK_THAT(merge::verify(facts("def f(:\n    pass\n"), base, ours, theirs), Catch::Contains("syntax errors"));
  }

  SECTION("a declaration more often than on either side fails") {
    CHECK_THAT(merge::verify(facts("def f():\n    pass\n\ndef f():\n    return 1\n"), base, ours, theirs),
               Catch::Contains("def:f 2 times"));
  }

  SECTION("errors the sides already had are allowed") {
    merge::Facts broken = facts("def f(:\n    pass\n");
    CHECK(merge::verify(broken, base, broken, theirs) == "");
  }
}

TEST_CASE("verify: a declaration no input has") {
  merge::Facts base = facts("def f():\n    pass\n");
  merge::Facts ours = facts("def f():\n    return 1\n");
  merge::Facts theirs = facts("def f():\n    return 2\n");
  CHECK_THAT(merge::verify(facts("def h():\n    pass\n"), base, ours, theirs), Catch::Contains("def:h, which no side"));
  // A declaration only base has is no invention (a conflict may keep it).
  CHECK(merge::verify(facts("def f():\n    pass\n"), base, facts(""), theirs) == "");
}

TEST_CASE("verify_lines: counts each line against the composition of both sides' changes") {
  const std::string base = "class T:\n    @property\n    def c(self):\n        return self._c\n\n"
                           "    @c.setter\n    def c(self, v):\n        self._c = v\n";
  // Ours deletes the setter, theirs the getter: git conflicts; a result that brings either back is wrong.
  const std::string ours = "class T:\n    @property\n    def c(self):\n        return self._c\n";
  const std::string theirs = "class T:\n    @c.setter\n    def c(self, v):\n        self._c = v\n";
  CHECK(merge::verify_lines(base, ours, theirs, "class T:\n") == "");
  CHECK_THAT(merge::verify_lines(base, ours, theirs, ours), Catch::Contains("`return self._c` 1 times"));
  CHECK_THAT(merge::verify_lines(base, ours, theirs, theirs), Catch::Contains("`self._c = v` 1 times"));

  SECTION("both sides' additions, each kept once; the same addition on both sides once or twice") {
    const std::string b = "a = 1\n";
    CHECK(merge::verify_lines(b, "a = 1\nb = 2\n", "a = 1\nc = 3\n", "a = 1\nb = 2\nc = 3\n") == "");
    CHECK(merge::verify_lines(b, "a = 1\nb = 2\n", "a = 1\nb = 2\n", "a = 1\nb = 2\n") == "");
    CHECK(merge::verify_lines(b, "a = 1\nb = 2\n", "b = 2\na = 1\n", "b = 2\na = 1\nb = 2\n") == "");
    CHECK_THAT(merge::verify_lines(b, "a = 1\nb = 2\n", "a = 1\nc = 3\n", "a = 1\nb = 2\n"),
               Catch::Contains("`c = 3` 0 times"));
  }

  SECTION("a method kept in both sides' versions doubles its unchanged body") {
    const std::string b = "def f(a):\n    x = a\n    return x\n";
    const std::string o = "def f(a, b):\n    x = a\n    return x\n";
    const std::string t = "def f(a, c):\n    x = a\n    return x\n";
    CHECK_THAT(merge::verify_lines(b, o, t, o + "\n" + t), Catch::Contains("2 times"));
  }

  SECTION("blank lines and indentation do not count") {
    CHECK(merge::verify_lines("a\n", "a\n\n\nb\n", "  a\n", "a\n\nb\n") == "");
  }
}

namespace {
merge::Facts facts_in(const char* language, const std::string& source) {
  auto f = merge::facts_of(*scan::language_by_name(language), *merge::merge_profile(language), source, 1000);
  REQUIRE(f);
  return *f;
}

using Names = std::vector<std::string>;
} // namespace

TEST_CASE("verify: a name declared twice, whatever its parameters are called") {
  merge::Facts base = facts_in("java", "class A {\n}\n");
  merge::Facts ours = facts_in("java", "class A {\n    int f(int a) { return a; }\n}\n");
  merge::Facts theirs = facts_in("java", "class A {\n    int f(int b) { return 2; }\n}\n");
  merge::Facts both = facts_in("java", "class A {\n    int f(int a) { return a; }\n    int f(int b) { return 2; }\n}\n");
  CHECK_THAT(merge::verify(both, base, ours, theirs), Catch::Contains("declares the name type:A/f(int) 2 times"));

  SECTION("overloads of different parameter types pass") {
    merge::Facts other = facts_in("java", "class A {\n    int f(long b) { return 2; }\n}\n");
    merge::Facts overloads = facts_in("java", "class A {\n    int f(int a) { return a; }\n    int f(long b) { return 2; }\n}\n");
    CHECK(merge::verify(overloads, base, ours, other) == "");
  }

  SECTION("Go's value and pointer receivers are one method set") {
    merge::Facts go_base = facts_in("go", "package p\n\ntype T struct{}\n");
    merge::Facts value = facts_in("go", "package p\n\ntype T struct{}\n\nfunc (t T) S() string { return \"\" }\n");
    merge::Facts pointer = facts_in("go", "package p\n\ntype T struct{}\n\nfunc (t *T) S() string { return \"\" }\n");
    merge::Facts go_both = facts_in("go", "package p\n\ntype T struct{}\n\nfunc (t T) S() string { return \"\" }\n\n"
                                          "func (t *T) S() string { return \"\" }\n");
    CHECK_THAT(merge::verify(go_both, go_base, value, pointer), Catch::Contains("declares the name T S 2 times"));
  }
}

TEST_CASE("verify: a C++ member keeps a section and signature some input gives it") {
  const std::string base = "class C {\npublic:\n    void add(int n) {\n        t += n;\n    }\n\nprivate:\n    int t = 0;\n};\n";
  const std::string moved = "class C {\npublic:\nprivate:\n    void add(int n) {\n        t += n;\n    }\n\n    int t = 0;\n};\n";
  const std::string resigned = "class C {\npublic:\n    void add(long n) {\n        t += n;\n    }\n\nprivate:\n    int t = 0;\n};\n";
  SECTION("moved to private: by one side, its parameters changed by the other: refused") {
    const std::string both = "class C {\npublic:\nprivate:\n    void add(long n) {\n        t += n;\n    }\n\n    int t = 0;\n};\n";
    CHECK_THAT(merge::verify(facts_in("cpp", both), facts_in("cpp", base), facts_in("cpp", moved), facts_in("cpp", resigned)),
               Catch::Contains("has under its label the member type:C/def:add [private] void add(long n)"));
  }
  SECTION("moved to private: with a body the other side changed: passes") {
    const std::string body = "class C {\npublic:\n    void add(int n) {\n        t += 2 * n;\n    }\n\nprivate:\n    int t = 0;\n};\n";
    const std::string both = "class C {\npublic:\nprivate:\n    void add(int n) {\n        t += 2 * n;\n    }\n\n    int t = 0;\n};\n";
    CHECK(merge::verify(facts_in("cpp", both), facts_in("cpp", base), facts_in("cpp", moved), facts_in("cpp", body)) == "");
  }
}

TEST_CASE("bound_names: what an import binds") {
  CHECK(merge::bound_names("javascript", "import def, { a, b as c } from \"m\";") == Names{"a", "c", "def"});
  CHECK(merge::bound_names("typescript", "import * as ns from \"m\";") == Names{"ns"});
  CHECK(merge::bound_names("javascript", "import \"side-effect\";").empty());
  CHECK(merge::bound_names("python", "import os.path, json as j") == Names{"os", "j"});
  CHECK(merge::bound_names("python", "from m import (x, y as z)") == Names{"x", "z"});
  CHECK(merge::bound_names("java", "import static java.util.Collections.sort;") == Names{"sort"});
  CHECK(merge::bound_names("rust", "use std::{io::Result as IoResult, fmt};") == Names{"IoResult", "fmt"});
  CHECK(merge::bound_names("go", "r \"crypto/rand\"") == Names{"r"});
  CHECK(merge::bound_names("go", "\"math/rand\"") == Names{"rand"});
  CHECK(merge::bound_names("cpp", "using std::string;") == Names{"string"});
}

TEST_CASE("verify: one name imported from two modules") {
  merge::Facts base = facts_in("python", "import os\n");
  merge::Facts ours = facts_in("python", "import os\nfrom json import loads\n");
  merge::Facts theirs = facts_in("python", "import os\nfrom tomllib import loads\n");
  merge::Facts both = facts_in("python", "import os\nfrom json import loads\nfrom tomllib import loads\n");
  CHECK_THAT(merge::verify(both, base, ours, theirs), Catch::Contains("imports loads 2 times"));
}

TEST_CASE("verify: a side's move is kept") {
  merge::Facts base = facts("def a():\n    pass\n\ndef b():\n    pass\n\ndef c():\n    pass\n");
  merge::Facts ours = facts("def b():\n    pass\n\ndef c():\n    pass\n\ndef a():\n    pass\n");
  merge::Facts theirs = facts("def a():\n    pass\n\ndef b():\n    return 1\n\ndef c():\n    pass\n");
  SECTION("a result in base's order drops it") {
    merge::Facts lost = facts("def a():\n    pass\n\ndef b():\n    return 1\n\ndef c():\n    pass\n");
    CHECK_THAT(merge::verify(lost, base, ours, theirs), Catch::Contains("drops a side's move of def:a"));
  }
  SECTION("the moved order passes") {
    merge::Facts kept = facts("def b():\n    return 1\n\ndef c():\n    pass\n\ndef a():\n    pass\n");
    CHECK(merge::verify(kept, base, ours, theirs) == "");
  }
  SECTION("a statement one side moved and the other changed is refused") {
    merge::Facts b2 = facts("run()\n\ndef a():\n    pass\n");
    merge::Facts moved = facts("def a():\n    pass\n\nrun()\n");
    merge::Facts changed = facts("main(run())\n\ndef a():\n    pass\n");
    CHECK_THAT(merge::verify(changed, b2, moved, changed), Catch::Contains("the other changed one of them"));
  }
}

TEST_CASE("verify_order and verify_lines: by lines") {
  const std::string base = "one\ntwo\nthree\nfour\n";
  CHECK_THAT(merge::verify_order(base, "two\nthree\nfour\none\n", "one\ntwo\nthree\nfour!\n", "one\ntwo\nthree\nfour!\n"),
             Catch::Contains("drops a side's move of one"));
  CHECK(merge::verify_order(base, "two\nthree\nfour\none\n", "one\ntwo\nthree\nfour!\n", "two\nthree\nfour!\none\n") == "");
  // Both sides' blank lines above their inserts are kept, unless one change of both was taken once.
  CHECK_THAT(merge::verify_lines("a\n", "a\n\n\nb\n", "a\n\n\nc\n", "a\n\n\nb\nc\n"), Catch::Contains("blank lines"));
  CHECK(merge::verify_lines("a\n", "a\n\n\nb\n", "a\n\n\nc\n", "a\n\n\nb\n\n\nc\n") == "");
}

TEST_CASE("verify_order: a line one side inserted keeps its neighbour when the other side moved lines") {
  // Ours moves h() to the top; theirs writes a comment after h()'s `}`. Every function ends in `}`: the
  // lines above the brace tell which one the comment belongs to.
  const std::string base = "f() {\n  a\n}\n\ng() {\n  b\n}\n\nh() {\n  c\n}\n";
  const std::string ours = "h() {\n  c\n}\n\nf() {\n  a\n}\n\ng() {\n  b\n}\n";
  const std::string theirs = "f() {\n  a\n}\n\ng() {\n  b\n}\n\nh() {\n  c\n}\n// note\n";
  SECTION("after another function's brace, at the end of the file, it is refused") {
    CHECK_THAT(merge::verify_order(base, ours, theirs, "h() {\n  c\n}\n\nf() {\n  a\n}\n\ng() {\n  b\n}\n// note\n"),
               Catch::Contains("theirs: the result moves `// note`"));
  }
  SECTION("moved with h() it passes") {
    CHECK(merge::verify_order(base, ours, theirs, "h() {\n  c\n}\n// note\n\nf() {\n  a\n}\n\ng() {\n  b\n}\n") == "");
  }
  SECTION("a changed line of the moved paragraph keeps its new neighbour") {
    const std::string changed = "f() {\n  a\n}\n\ng() {\n  b\n}\n\nh(x) {\n  c(x)\n}\n";
    CHECK(merge::verify_order(base, ours, changed, "h(x) {\n  c(x)\n}\n\nf() {\n  a\n}\n\ng() {\n  b\n}\n") == "");
  }
  SECTION("without a move nothing is checked") {
    CHECK(merge::verify_order(base, base, theirs, "f() {\n  a\n}\n\ng() {\n  b\n}\n// note\n\nh() {\n  c\n}\n") == "");
  }
}

TEST_CASE("verify_order: a block one side inserted keeps the lines around it when the other side moved lines") {
  // Ours moves f() to the end; theirs writes a three-line comment right below g(), the last function.
  const std::string base = "f() {\n  a\n}\n\ng() {\n  b\n}\n";
  const std::string ours = "g() {\n  b\n}\n\nf() {\n  a\n}\n";
  const std::string theirs = "f() {\n  a\n}\n\ng() {\n  b\n}\n// one\n// two\n// three\n";
  SECTION("behind the moved function, at the end of the file, it is refused (each of its lines keeps one of its own)") {
    CHECK_THAT(merge::verify_order(base, ours, theirs, "g() {\n  b\n}\n\nf() {\n  a\n}\n// one\n// two\n// three\n"),
               Catch::Contains("theirs: the result moves `// one` and the lines below it"));
  }
  SECTION("below g() it passes") {
    CHECK(merge::verify_order(base, ours, theirs, "g() {\n  b\n}\n// one\n// two\n// three\n\nf() {\n  a\n}\n") == "");
  }
  SECTION("lines rewritten inside a moved function keep their paragraph, not the `}` above it") {
    const std::string rewritten = "f(x) {\n  a(x)\n}\n\ng() {\n  b\n}\n";
    CHECK(merge::verify_order(base, ours, rewritten, "g() {\n  b\n}\n\nf(x) {\n  a(x)\n}\n") == "");
  }
  SECTION("in the other copy of a repeated paragraph it is refused") {
    const std::string twice = "// x\n// y\n\nf() {\n  a\n}\n\n// x\n// y\n\ng() {\n  b\n}\n";
    const std::string moved = "// x\n// y\n\ng() {\n  b\n}\n\n// x\n// y\n\nf() {\n  a\n}\n";
    const std::string block = "// x\n// y\n\nf() {\n  a\n  // one\n  // two\n}\n\n// x\n// y\n\ng() {\n  b\n}\n";
    CHECK_THAT(merge::verify_order(twice, moved, block,
                                   "// x\n// y\n\ng() {\n  b\n  // one\n  // two\n}\n\n// x\n// y\n\nf() {\n  a\n}\n"),
               Catch::Contains("the result moves `// one`"));
  }
}
