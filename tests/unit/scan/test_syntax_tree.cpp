#include "scan/syntax_tree.hpp"

#include <catch2/catch.hpp>

#include <string>

using scan::parse_syntax_tree;

TEST_CASE("parse_syntax_tree") {
  const scan::LanguageProfile& python = *scan::language_by_name("python");

  SECTION("every node with kind, field, byte range, rows and contiguous children") {
    std::string src = "import os\n\nclass A:\n    def f(self):\n        return 1\n";
    auto tree = parse_syntax_tree(python, src);
    REQUIRE(tree);
    CHECK(tree->error_count == 0);
    const auto& root = tree->root();
    CHECK(root.kind == "module");
    REQUIRE(root.child_count == 2);
    const auto& cls = tree->at(root.first_child + 1);
    CHECK(cls.kind == "class_definition");
    CHECK(cls.start_row == 2);
    CHECK(cls.parent == 0);
    const auto* name = tree->child_by_field(cls, "name");
    REQUIRE(name);
    CHECK(src.substr(name->start_byte, name->end_byte - name->start_byte) == "A");
    CHECK(name->field == "name");
    const auto* body = tree->child_by_field(cls, "body");
    REQUIRE(body);
    const auto* method = tree->named_child(*body, 0);
    REQUIRE(method);
    CHECK(method->kind == "function_definition");
    CHECK(method->start_row == 3);
    CHECK(method->end_row == 4);
  }

  SECTION("syntax errors are counted, comments are extras") {
    auto tree = parse_syntax_tree(python, "# note\ndef f(:\n    pass\n");
    REQUIRE(tree);
    CHECK(tree->error_count > 0);
    CHECK(tree->at(tree->root().first_child).extra);
  }

  SECTION("a tree over the node budget gives nothing") {
    scan::ParseOptions small;
    small.max_nodes = 5;
    CHECK_FALSE(parse_syntax_tree(python, "a = 1\nb = 2\nc = 3\n", small));
  }
}

TEST_CASE("has_node_kind") {
  const scan::LanguageProfile& rust = *scan::language_by_name("rust");

  SECTION("named kinds of the grammar are known, others are not") {
    CHECK(scan::has_node_kind(rust, "function_item"));
    CHECK_FALSE(scan::has_node_kind(rust, "function_definition"));
  }

  SECTION("anonymous tokens are asked for as such") {
    CHECK(scan::has_node_kind(rust, ";", false));
  }
}
