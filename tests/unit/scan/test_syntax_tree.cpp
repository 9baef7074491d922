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
    CHECK(tree->error_count() == 0);
    const auto& root = tree->root();
    CHECK(root.kind == "module");
    REQUIRE(tree->child_count(root) == 2);
    const auto& cls = tree->child(root, 1);
    CHECK(cls.kind == "class_definition");
    CHECK(cls.start_row == 2);
    CHECK(cls.parent == 0);
    CHECK(&tree->at(cls.index) == &cls);
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
    CHECK(tree->error_count() > 0);
    CHECK(tree->child(tree->root(), 0).extra);
  }

  SECTION("errors deep inside the tree are counted without describing its nodes") {
    auto tree = parse_syntax_tree(python, "def f():\n    if x:\n        y = (1 +\n    return 2\n");
    REQUIRE(tree);
    CHECK(tree->error_count() >= 1);
  }

  SECTION("children read later keep earlier references valid") {
    std::string src;
    for (int i = 0; i < 200; ++i) src += "def f" + std::to_string(i) + "():\n    return " + std::to_string(i) + "\n";
    auto tree = parse_syntax_tree(python, src);
    REQUIRE(tree);
    const auto& first = tree->child(tree->root(), 0);
    for (uint32_t i = 0; i < tree->child_count(tree->root()); ++i) tree->child_by_field(tree->child(tree->root(), i), "body");
    CHECK(first.kind == "function_definition");
    CHECK(first.start_row == 0);
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
