#include "core/glob.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using core::glob_any;
using core::glob_match;

TEST_CASE("glob_match") {
  SECTION("a pattern without '/' matches the basename at any depth") {
    CHECK(glob_match("*.py", "a.py"));
    CHECK(glob_match("*.py", "src/deep/a.py"));
    CHECK(glob_match("test_*.py", "tests/unit/test_x.py"));
    CHECK_FALSE(glob_match("*.py", "a.pyc"));
    CHECK_FALSE(glob_match("*.py", "a.py/readme"));
    CHECK_FALSE(glob_match("test_*.py", "test_dir/x.py"));
  }

  SECTION("a pattern with '/' is anchored at the root") {
    CHECK(glob_match("src/*.c", "src/a.c"));
    CHECK_FALSE(glob_match("src/*.c", "lib/src/a.c"));
    CHECK(glob_match("vendor/**", "vendor/a/b/c.go"));
    CHECK_FALSE(glob_match("vendor/**", "src/vendor/a.go"));
  }

  SECTION("a leading '/' anchors explicitly and is not part of the path") {
    CHECK(glob_match("/build/**", "build/out/a.o"));
    CHECK_FALSE(glob_match("/build/**", "src/build/a.o"));
  }

  SECTION("'*' stays within one segment") {
    CHECK_FALSE(glob_match("src/*.c", "src/sub/a.c"));
    CHECK_FALSE(glob_match("src/*", "src/a/b"));
    CHECK(glob_match("src/*", "src/a"));
    CHECK(glob_match("src/a*", "src/a"));
  }

  SECTION("'?' matches exactly one character, never '/'") {
    CHECK(glob_match("src/a?c", "src/abc"));
    CHECK_FALSE(glob_match("src/a?c", "src/ac"));
    CHECK_FALSE(glob_match("src/a?c", "src/abbc"));
    CHECK_FALSE(glob_match("src/a?c", "src/a/c"));
  }

  SECTION("'**/' matches zero or more whole segments") {
    CHECK(glob_match("**/*.min.js", "a.min.js"));
    CHECK(glob_match("**/*.min.js", "x/y/a.min.js"));
    CHECK(glob_match("a/**/b", "a/b"));
    CHECK(glob_match("a/**/b", "a/x/b"));
    CHECK(glob_match("a/**/b", "a/x/y/b"));
    CHECK_FALSE(glob_match("a/**/b", "a/xb"));
    CHECK_FALSE(glob_match("**/b", "ab"));
    CHECK_FALSE(glob_match("**/b", "x/ab"));
  }

  SECTION("a trailing '**' matches everything below, not the directory name alone") {
    CHECK(glob_match("dist/**", "dist/x"));
    CHECK_FALSE(glob_match("dist/**", "dist"));
    CHECK_FALSE(glob_match("dist/**", "distx/y"));
    CHECK(glob_match("**", "any/path/at/all.txt"));
  }

  SECTION("a trailing '/' names a directory: everything below it matches, as in .gitignore") {
    CHECK(glob_match("generated/", "generated/a.py"));
    CHECK(glob_match("generated/", "generated/sub/b.py"));
    CHECK_FALSE(glob_match("generated/", "src/generated.py"));
  }

  SECTION("literal text must match exactly") {
    CHECK(glob_match("Makefile", "sub/Makefile"));
    CHECK_FALSE(glob_match("Makefile", "sub/makefile"));
    CHECK_FALSE(glob_match("src/a.c", "src/a.cc"));
    CHECK_FALSE(glob_match("src/a.cc", "src/a.c"));
  }

  SECTION("the default test_paths and exclude patterns behave as documented") {
    CHECK(glob_match("**/*_test.go", "pkg/x_test.go"));
    CHECK(glob_match("**/*Test.java", "src/main/FooTest.java"));
    CHECK_FALSE(glob_match("**/*Test.java", "src/main/Foo.java"));
    CHECK(glob_match("node_modules/**", "node_modules/a/index.js"));
    CHECK_FALSE(glob_match("node_modules/**", "web/node_modules/a/index.js"));
  }
}

TEST_CASE("glob_any") {
  SECTION("no patterns match nothing") { CHECK_FALSE(glob_any({}, "a.py")); }

  SECTION("true when any one pattern matches") {
    std::vector<std::string> patterns{"vendor/**", "*.min.js"};
    CHECK(glob_any(patterns, "vendor/x.c"));
    CHECK(glob_any(patterns, "web/app.min.js"));
    CHECK_FALSE(glob_any(patterns, "src/app.js"));
  }
}
