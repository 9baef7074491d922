#include "merge/structured.hpp"

#include <catch2/catch.hpp>

#include "scan/language.hpp"

#include <optional>
#include <string>

namespace {

std::optional<merge::StructuredResult> run(const std::string& language, const std::string& base, const std::string& ours,
                                           const std::string& theirs, std::string& why) {
  merge::Options options;
  return merge::structured_merge(base, ours, theirs, *scan::language_by_name(language), options, why);
}

const std::string k_base = "def a():\n    return 1\n\n\ndef b():\n    return 2\n";

} // namespace

TEST_CASE("structured_merge") {
  std::string why;

  SECTION("changes to different declarations are both taken") {
    auto r = run("python", k_base, "def a():\n    return 10\n\n\ndef b():\n    return 2\n",
                 "def a():\n    return 1\n\n\ndef b():\n    return 20\n", why);
    REQUIRE(r);
    CHECK(r->clean);
    CHECK(r->text == "def a():\n    return 10\n\n\ndef b():\n    return 20\n");
  }

  SECTION("both sides' additions at the same place are kept, ours first") {
    auto r = run("python", k_base, k_base + "\n\ndef c():\n    return 3\n", k_base + "\n\ndef d():\n    return 4\n", why);
    REQUIRE(r);
    CHECK(r->clean);
    CHECK(r->text == k_base + "\n\ndef c():\n    return 3\n\n\ndef d():\n    return 4\n");
  }

  SECTION("import lists merge as ordered sets: shared additions once") {
    std::string base = "import a from \"a\";\n\nexport const x = a;\n";
    std::string ours = "import a from \"a\";\nimport b from \"b\";\nimport c from \"c\";\n\nexport const x = a;\n";
    std::string theirs = "import a from \"a\";\nimport c from \"c\";\nimport d from \"d\";\n\nexport const x = a;\n";
    auto r = run("javascript", base, ours, theirs, why);
    REQUIRE(r);
    CHECK(r->clean);
    CHECK(r->text ==
          "import a from \"a\";\nimport b from \"b\";\nimport c from \"c\";\nimport d from \"d\";\n\nexport const x = a;\n");
  }

  SECTION("their new import joins the end of the import list, even when ours removed its neighbour") {
    std::string base = "import os\nimport sys\nimport tempfile\n\nX = 1\n";
    std::string ours = "import os\nimport tempfile\n\nX = 2\n";
    std::string theirs = "import os\nimport sys\nimport shutil\nimport tempfile\n\nX = 3\n";
    auto r = run("python", base, ours, theirs, why);
    REQUIRE(r);
    CHECK(r->text.rfind("import os\nimport tempfile\nimport shutil\n\n", 0) == 0);
  }

  SECTION("a declaration both sides changed is line-merged alone; its conflict covers it only") {
    std::string base = "def a():\n    return 1\n\n\ndef b():\n    return 2\n";
    std::string ours = "def a():\n    return 10\n\n\ndef b():\n    return 2\n\n\ndef c():\n    return 3\n";
    std::string theirs = "def a():\n    return 11\n\n\ndef b():\n    return 2\n\n\ndef d():\n    return 4\n";
    auto r = run("python", base, ours, theirs, why);
    REQUIRE(r);
    CHECK_FALSE(r->clean);
    CHECK(r->text == "def a():\n<<<<<<< ours\n    return 10\n=======\n    return 11\n>>>>>>> theirs\n\n\ndef b():\n"
                     "    return 2\n\n\ndef c():\n    return 3\n\n\ndef d():\n    return 4\n");
  }

  SECTION("members of a class both sides changed are merged member by member") {
    std::string base = "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 2\n";
    std::string ours = "class A:\n    def f(self):\n        return 10\n\n    def g(self):\n        return 2\n";
    std::string theirs = "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 20\n";
    auto r = run("python", base, ours, theirs, why);
    REQUIRE(r);
    CHECK(r->text == "class A:\n    def f(self):\n        return 10\n\n    def g(self):\n        return 20\n");
  }

  SECTION("the side that reordered declarations gives the order; the other's edits follow them") {
    std::string theirs = "def b():\n    return 2\n\n\ndef a():\n    return 1\n";
    std::string ours = "def a():\n    return 10\n\n\ndef b():\n    return 2\n";
    auto r = run("python", k_base, ours, theirs, why);
    REQUIRE(r);
    CHECK(r->clean);
    CHECK(r->text == "def b():\n    return 2\n\n\ndef a():\n    return 10\n");
  }

  SECTION("a declaration deleted on one side and changed on the other does not apply") {
    auto r = run("python", k_base, "def b():\n    return 2\n", "def a():\n    return 11\n\n\ndef b():\n    return 2\n", why);
    CHECK_FALSE(r);
    CHECK_THAT(why, Catch::Contains("deleted"));
  }

  SECTION("both sides reordering differently does not apply") {
    std::string base = "def a():\n    pass\n\ndef b():\n    pass\n\ndef c():\n    pass\n";
    std::string ours = "def b():\n    pass\n\ndef a():\n    pass\n\ndef c():\n    pass\n";
    std::string theirs = "def a():\n    pass\n\ndef c():\n    pass\n\ndef b():\n    pass\n";
    CHECK_FALSE(run("python", base, ours, theirs, why));
    CHECK_THAT(why, Catch::Contains("reordered"));
  }

  SECTION("statements both sides changed at the same place do not apply") {
    std::string base = "import os\nprint(1)\n";
    CHECK_FALSE(run("python", base, "import os\nprint(2)\n", "import os\nprint(3)\n", why));
    CHECK_THAT(why, Catch::Contains("same place"));
  }

  SECTION("same-named members are matched by identity, not position: an impl block added above two others") {
    std::string base = "struct C;\n\nimpl C {\n    fn a() {}\n}\n\nimpl C {\n    fn b() {}\n}\n";
    std::string ours = "struct C;\n\nimpl C {\n    fn z() {}\n}\n\nimpl C {\n    fn a() {}\n}\n\nimpl C {\n    fn b() {}\n}\n";
    std::string theirs = "struct C;\n\nimpl C {\n    fn a() {}\n}\n\nimpl C {\n    fn b() { 1; }\n}\n";
    auto r = run("rust", base, ours, theirs, why);
    REQUIRE(r);
    CHECK(r->clean);
    CHECK(r->text ==
          "struct C;\n\nimpl C {\n    fn z() {}\n}\n\nimpl C {\n    fn a() {}\n}\n\nimpl C {\n    fn b() { 1; }\n}\n");
  }

  SECTION("each side deleting a different accessor of one property does not apply") {
    std::string base = "class T {\n  get c() {\n    return 1;\n  }\n\n  set c(v) {\n    this.v = v;\n  }\n}\n";
    std::string ours = "class T {\n  get c() {\n    return 1;\n  }\n}\n";
    std::string theirs = "class T {\n  set c(v) {\n    this.v = v;\n  }\n}\n";
    auto r = run("javascript", base, ours, theirs, why);
    CHECK_FALSE((r && r->clean));
  }

  SECTION("one side deleting the setter while the other edits the getter takes both changes") {
    std::string base = "class T:\n    @property\n    def c(self):\n        return 1\n\n    @c.setter\n    def c(self, v):\n        pass\n";
    std::string ours = "class T:\n    @property\n    def c(self):\n        return 1\n";
    std::string theirs = "class T:\n    @property\n    def c(self):\n        return 2\n\n    @c.setter\n    def c(self, v):\n        pass\n";
    auto r = run("python", base, ours, theirs, why);
    REQUIRE(r);
    CHECK(r->clean);
    CHECK(r->text == "class T:\n    @property\n    def c(self):\n        return 2\n");
  }

  SECTION("both sides rewriting one import entry conflict on it") {
    std::string base = "from os import path\n\nX = 1\n";
    auto r = run("python", base, "from os import path, sep\n\nX = 1\n", "from os import path, getcwd\n\nX = 1\n", why);
    CHECK_FALSE((r && r->clean));
    std::string c_base = "#include \"a.h\"\n\nint x;\n";
    auto c = run("c", c_base, "#include \"b.h\"\n\nint x;\n", "#include \"c.h\"\n\nint x;\n", why);
    CHECK_FALSE(c);
    CHECK_THAT(why, Catch::Contains("replaced the same declaration or import"));
  }

  SECTION("both sides renaming one declaration differently does not apply") {
    std::string base = "def a():\n    return 1\n\n\ndef b():\n    return 2\n";
    CHECK_FALSE(run("python", base, "def a1():\n    return 1\n\n\ndef b():\n    return 2\n",
                    "def a2():\n    return 1\n\n\ndef b():\n    return 2\n", why));
    CHECK_THAT(why, Catch::Contains("replaced the same declaration"));
  }

  SECTION("imports from one module added by both sides are two entries") {
    std::string base = "import java.util.List;\n\nclass A {}\n";
    std::string ours = "import java.util.List;\nimport java.util.Map;\n\nclass A {}\n";
    std::string theirs = "import java.util.List;\nimport java.util.Set;\n\nclass A {}\n";
    auto r = run("java", base, ours, theirs, why);
    REQUIRE(r);
    CHECK(r->clean);
    CHECK(r->text == "import java.util.List;\nimport java.util.Map;\nimport java.util.Set;\n\nclass A {}\n");
  }

  SECTION("a member the other side's new label would move to another section does not apply") {
    std::string base = "class A {\npublic:\n    int a();\n    int b();\n};\n";
    std::string ours = "class A {\npublic:\n    int a();\nprivate:\n    int b();\n};\n";
    std::string theirs = "class A {\npublic:\n    int a();\n    int n();\n    int b();\n};\n";
    auto r = run("cpp", base, ours, theirs, why); // the class alone falls back to its line merge
    REQUIRE(r);
    CHECK_FALSE(r->clean);
    CHECK_THAT(r->text, Catch::Contains("<<<<<<<"));
  }

  SECTION("one side moving declarations while the other adds one does not apply") {
    std::string base = "def a():\n    pass\n\n\ndef b():\n    pass\n";
    std::string ours = "def b():\n    pass\n\n\ndef a():\n    pass\n";
    std::string theirs = base + "\n\ndef c():\n    pass\n";
    CHECK_FALSE(run("python", base, ours, theirs, why));
    CHECK_THAT(why, Catch::Contains("moved declarations"));
  }

  SECTION("a top level that cannot be cut does not apply") {
    CHECK_FALSE(run("javascript", "let a = 1; let b = 2;\n", "let a = 3; let b = 2;\n", "let a = 1; let b = 4;\n", why));
    CHECK_FALSE(why.empty());
  }
}
