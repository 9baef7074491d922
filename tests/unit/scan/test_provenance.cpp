#include "scan/provenance.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using scan::Attributes;
using scan::classify_content;
using scan::classify_path;
using scan::Provenance;

namespace {

// The reason for a path, or "" when it is the project's own; `files` is the commit's tree.
std::string reason(const std::string& path, const std::set<std::string>& files = {}, const std::string& attributes = "",
                   bool detect = true) {
  Attributes a = Attributes::parse(attributes);
  auto p = classify_path(path, a, [&](const std::string& f) { return files.count(f) > 0; }, detect);
  return p ? p->reason : "";
}

std::string content_reason(const std::string& path, const std::string& text) {
  auto p = classify_content(path, text);
  return p ? p->reason : "";
}

} // namespace

TEST_CASE("classify_path") {
  SECTION(".gitattributes linguist-vendored, linguist-generated and -diff") {
    const std::string attrs =
        "# comment\n"
        "tests/unity/** linguist-vendored\n"
        "*.pb.go linguist-generated=true\n"
        "docs/api/*.js -diff\n"
        "assets/*.bin binary\n";
    CHECK(reason("tests/unity/src/unity.c", {}, attrs) == "vendored: .gitattributes linguist-vendored");
    CHECK(reason("api/v1/service.pb.go", {}, attrs) == "generated: .gitattributes linguist-generated");
    CHECK(reason("docs/api/search.js", {}, attrs) == "generated: .gitattributes -diff");
    CHECK(reason("assets/x.bin", {}, attrs) == "generated: .gitattributes -diff");
    // Near misses: another directory, a pattern anchored elsewhere, a comment line.
    CHECK(reason("tests/unit/test_main.c", {}, attrs) == "");
    CHECK(reason("src/docs/api/search.js", {}, attrs) == "");
    CHECK(reason("src/comment.c", {}, "# src/** linguist-vendored\n") == "");
  }

  SECTION("the last matching line wins, and =false forces a file to be scanned") {
    const std::string attrs = "lib/** linguist-vendored\nlib/ours/** linguist-vendored=false\n";
    CHECK(reason("lib/theirs/a.c", {}, attrs) == "vendored: .gitattributes linguist-vendored");
    bool forced = false;
    Attributes a = Attributes::parse(attrs + "vendor/x.c -linguist-vendored\n");
    CHECK_FALSE(classify_path("lib/ours/a.c", a, {}, true, &forced));
    CHECK(forced);
    CHECK_FALSE(classify_path("vendor/x.c", a, {}, true, &forced));
    CHECK(forced);
  }

  SECTION("detection off keeps only the .gitattributes marks") {
    CHECK(reason("third_party/zlib/inflate.c", {}, "", false) == "");
    CHECK(reason("gen.c", {}, "gen.c linguist-generated\n", false) == "generated: .gitattributes linguist-generated");
  }

  SECTION("vendored directories at any depth, whole segments only") {
    CHECK(reason("third_party/zlib/inflate.c") == "vendored: third_party/ directory");
    CHECK(reason("web/node_modules/left-pad/index.js") == "vendored: node_modules/ directory");
    CHECK(reason("src/vendor/lib.go") == "vendored: vendor/ directory");
    CHECK(reason("src/vendors.c") == "");
    CHECK(reason("src/my_vendor/lib.c") == "");
    CHECK(reason("vendor.py") == "");
  }

  SECTION("single-header libraries by name, the rest of their directory left alone") {
    CHECK(reason("test/catch.hpp") == "vendored: third-party single file catch.hpp");
    CHECK(reason("include/stb_image.h") == "vendored: third-party single file stb_image.h");
    CHECK(reason("src/sqlite3.c") == "vendored: third-party single file sqlite3.c");
    CHECK(reason("test/main.cpp", {"test/catch.hpp", "test/main.cpp"}) == "");
    CHECK(reason("src/stb.h") == "");
    CHECK(reason("src/mycatch.hpp") == "");
    // json.hpp is decided by its text (nlohmann's or the project's own).
    CHECK(reason("include/json.hpp") == "");
  }

  SECTION("a directory named after a library that holds it is vendored whole") {
    std::set<std::string> tree = {"tests/unity/src/unity.h", "tests/unity/auto/generate_test_runner.py"};
    CHECK(reason("tests/unity/auto/generate_test_runner.py", tree) == "vendored: copy of unity in tests/unity/");
    // A directory named unity that is not the Unity test framework (no unity.h in it).
    CHECK(reason("games/unity/player.cs", {"games/unity/player.cs"}) == "");
  }

  SECTION("documentation generators' output") {
    CHECK(reason("docs/_static/searchtools.js") == "generated: Sphinx output");
    CHECK(reason("docs/searchindex.js") == "generated: Sphinx output");
    std::set<std::string> doxygen = {"docs/doxygen.css", "docs/tabs.js", "docs/search/all_0.js"};
    CHECK(reason("docs/tabs.js", doxygen) == "generated: doxygen output");
    CHECK(reason("docs/search/all_0.js", doxygen) == "generated: doxygen output");
    CHECK(reason("html/navtreeindex3.js") == "generated: doxygen output");
    CHECK(reason("api/script.js", {"api/package-list"}) == "generated: javadoc output");
    // Near miss: a site's own scripts with no generator's files beside them.
    CHECK(reason("docs/tabs.js", {"docs/style.css"}) == "");
    CHECK(reason("src/search/index.js", {"src/index.css"}) == "");
  }

  SECTION("lockfiles") {
    CHECK(reason("package-lock.json") == "generated: lockfile package-lock.json");
    CHECK(reason("rust/Cargo.lock") == "generated: lockfile Cargo.lock");
    CHECK(reason("Cargo.toml") == "");
  }
}

TEST_CASE("classify_content") {
  SECTION("generator banners in the first lines") {
    CHECK(content_reason("a.go", "// Code generated by protoc-gen-go. DO NOT EDIT.\npackage a\n").rfind("generated: banner", 0) == 0);
    CHECK(content_reason("a.js", "/* Generated by Doxygen 1.9.1 */\nvar x = 1;\n") == "generated: banner \"Generated by\"");
    CHECK(content_reason("a.py", "# This file is AUTOGENERATED by tools/gen.py\nx = 1\n") ==
          "generated: banner \"autogenerated\"");
    CHECK(content_reason("A.java", "/* Generated by javadoc (17) */\nclass A {}\n") == "generated: banner \"Generated by\"");
    // testify's assert/require forwarding files (found by the precision benchmark: 16 of 30 sampled
    // go/untested-function findings were in them).
    CHECK(content_reason("assertion_format.go",
                         "/*\n* CODE GENERATED AUTOMATICALLY WITH github.com/stretchr/testify/_codegen\n"
                         "* THIS FILE MUST NOT BE EDITED BY HAND\n */\n\npackage assert\n") ==
          "generated: banner \"generated automatically\"");
  }

  SECTION("a project's own file that mentions generated code further down is not generated") {
    std::string own = "# parser.py: the hand-written parser\n";
    for (int i = 0; i < 20; ++i) own += "x = " + std::to_string(i) + "\n";
    own += "# the tables below were generated by hand; DO NOT EDIT them without the spec\n";
    CHECK(content_reason("parser.py", own) == "");
    CHECK(content_reason("gen.py", "def generate():\n    \"\"\"Returns generated code.\"\"\"\n") == "");
  }

  SECTION("minified code: a very long line, or long lines on average") {
    CHECK(content_reason("app.js", "var a=1;" + std::string(2100, 'x') + "\n").rfind("generated: minified", 0) == 0);
    std::string dense;
    while (dense.size() < 8000) dense += std::string(300, 'y') + "\n";
    CHECK(content_reason("bundle.js", dense) == "generated: minified (long lines)");
    // Near miss: one long-ish line (a data table row, a URL) in ordinary code.
    std::string normal = "const url = '" + std::string(400, 'u') + "';\n";
    while (normal.size() < 10000) normal += "function f() { return 1; }\n";
    CHECK(content_reason("app.js", normal) == "");
  }

  SECTION("nlohmann's json.hpp by its banner, another json.hpp is the project's") {
    CHECK(content_reason("include/nlohmann/json.hpp", "/*\n    __ _____ _____ _____\n JSON for Modern C++\n"
                                                      " https://github.com/nlohmann/json\n*/\n") ==
          "vendored: third-party single file json.hpp (nlohmann)");
    CHECK(content_reason("src/json.hpp", "#pragma once\nstruct Json {};\n") == "");
  }
}

TEST_CASE("Attributes::parse") {
  SECTION("lines past the caps, quoted and directory patterns are ignored") {
    std::string many;
    for (size_t i = 0; i < scan::k_max_attribute_lines; ++i) many += "nothing" + std::to_string(i) + " linguist-vendored\n";
    many += "late.c linguist-vendored\n";
    CHECK_FALSE(Attributes::parse(many).marks("late.c").vendored);
    CHECK(Attributes::parse("\"q.c\" linguist-vendored\ndocs/ linguist-generated\n").empty());
    CHECK(Attributes::parse(std::string(300, 'a') + " linguist-vendored\n").empty());
  }
}
