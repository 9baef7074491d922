#include "scan/node_util.hpp"

#include <catch2/catch.hpp>

#include "../support/scan_support.hpp"

#include "scan/ts_handle.hpp"

#include <string>
#include <vector>

using test_support::lang;

namespace {

// `source` parsed as `language` with a parser of its own.
scan::ts::Tree parse(const char* language, const std::string& source) {
  scan::ts::Parser parser(ts_parser_new());
  return scan::ts::parse(parser.get(), lang(language), source, 1000);
}

} // namespace

TEST_CASE("node::walk") {
  const std::string source = "def f(x):\n    return g(x)\n";
  scan::ts::Tree tree = parse("python", source);
  REQUIRE(tree);

  SECTION("visits the descendants in source order, entering where the visitor says") {
    std::vector<std::string> named;
    scan::node::walk(ts_tree_root_node(tree.get()), [&](TSNode n) {
      if (ts_node_is_named(n)) named.emplace_back(ts_node_type(n));
      return !scan::node::is(n, "parameters");
    });
    CHECK(named == std::vector<std::string>{"function_definition", "identifier", "parameters", "block",
                                            "return_statement", "call", "identifier", "argument_list", "identifier"});
  }

  SECTION("a missing root (an absent field) has no descendants") {
    TSNode function = ts_node_named_child(ts_tree_root_node(tree.get()), 0);
    TSNode absent = scan::node::field(function, "return_type");
    REQUIRE(ts_node_is_null(absent));
    int visited = 0;
    scan::node::walk(absent, [&](TSNode) { return ++visited > 0; });
    CHECK(visited == 0);
  }
}

TEST_CASE("ts::parse") {
  SECTION("a tree of the language, its errors counted") {
    scan::ts::Tree good = parse("c", "int main(void) { return 0; }\n");
    REQUIRE(good);
    CHECK(std::string(ts_node_type(ts_tree_root_node(good.get()))) == "translation_unit");
    CHECK(scan::ts::count_errors(ts_tree_root_node(good.get())) == 0);
    scan::ts::Tree bad = parse("c", "int main(void) { return 0 }\nint f( {\n");
    REQUIRE(bad);
    CHECK(scan::ts::count_errors(ts_tree_root_node(bad.get())) > 0);
  }

  SECTION("null when the budget runs out; the parser is ready for the next file") {
    std::string huge;
    for (int i = 0; i < 200000; ++i) huge += "x = [1, 2, (3, {4: 5})]\n";
    scan::ts::Parser parser(ts_parser_new());
    CHECK_FALSE(scan::ts::parse(parser.get(), lang("python"), huge, 1));
    CHECK(scan::ts::parse(parser.get(), lang("python"), "x = 1\n", 1000));
  }
}
