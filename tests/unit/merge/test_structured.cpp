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

  SECTION("a top level that cannot be cut does not apply") {
    CHECK_FALSE(run("javascript", "let a = 1; let b = 2;\n", "let a = 3; let b = 2;\n", "let a = 1; let b = 4;\n", why));
    CHECK_FALSE(why.empty());
  }
}
