#include "scan/language.hpp"

#include <catch2/catch.hpp>

#include "scan/engine.hpp"

#include <tree_sitter/api.h>

#include <set>
#include <string>
#include <vector>

using scan::language_by_name;
using scan::language_for_path;
using scan::LanguageProfile;

namespace {

// Whether `grammar` has a node kind called `kind` (named, or anonymous for operators).
bool grammar_has(const TSLanguage* grammar, std::string_view kind, bool named) {
  return ts_language_symbol_for_name(grammar, kind.data(), static_cast<uint32_t>(kind.size()), named) != 0;
}

} // namespace

TEST_CASE("languages") {
  const auto& all = scan::languages();

  SECTION("the documented languages, each once, in a fixed order") {
    std::vector<std::string> names;
    for (const auto& l : all) names.emplace_back(l.name);
    CHECK(names == std::vector<std::string>{"python", "javascript", "typescript", "tsx", "c", "cpp", "java", "go", "rust"});
    CHECK(&scan::languages() == &all);
  }

  SECTION("every profile is complete and no extension belongs to two languages") {
    std::set<std::string> seen;
    for (const auto& l : all) {
      INFO(l.name);
      CHECK(l.grammar != nullptr);
      CHECK_FALSE(l.extensions.empty());
      CHECK_FALSE(l.function_kinds.empty());
      CHECK_FALSE(l.branch_kinds.empty());
      CHECK_FALSE(l.nesting_kinds.empty());
      CHECK_FALSE(l.comment_kinds.empty());
      for (auto e : l.extensions) {
        INFO(e);
        CHECK(e.size() > 1);
        CHECK(e[0] == '.');
        CHECK(seen.insert(std::string(e)).second);
      }
    }
  }

  SECTION("every grammar loads into a parser (ABI supported by the linked tree-sitter)") {
    scan::Engine engine({});
    for (const auto& l : all) {
      INFO(l.name);
      uint32_t abi = ts_language_version(l.grammar());
      CHECK(abi >= TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION);
      CHECK(abi <= TREE_SITTER_LANGUAGE_VERSION);
      CHECK(engine.syntax_errors(l, "") == 0);
    }
  }

  SECTION("every node kind in the tables exists in its grammar") {
    for (const auto& l : all) {
      const TSLanguage* g = l.grammar();
      auto check_kinds = [&](const char* table, const std::vector<std::string_view>& kinds, bool named) {
        for (auto k : kinds) {
          INFO(l.name << "." << table << ": " << k);
          CHECK(grammar_has(g, k, named));
        }
      };
      check_kinds("function_kinds", l.function_kinds, true);
      check_kinds("branch_kinds", l.branch_kinds, true);
      check_kinds("logical_kinds", l.logical_kinds, true);
      check_kinds("logical_operators", l.logical_operators, false);
      check_kinds("nesting_kinds", l.nesting_kinds, true);
      check_kinds("comment_kinds", l.comment_kinds, true);
    }
  }
}

TEST_CASE("language_by_name") {
  SECTION("finds each language by its name") {
    for (const auto& l : scan::languages()) CHECK(language_by_name(l.name) == &l);
  }
  SECTION("nullptr for an unknown or differently spelled name") {
    CHECK(language_by_name("cobol") == nullptr);
    CHECK(language_by_name("Python") == nullptr);
    CHECK(language_by_name("") == nullptr);
  }
}

TEST_CASE("language_for_path") {
  auto name_of = [](std::string_view path) -> std::string {
    const LanguageProfile* l = language_for_path(path);
    return l ? std::string(l->name) : std::string("none");
  };

  SECTION("by extension, at any depth") {
    CHECK(name_of("a.py") == "python");
    CHECK(name_of("pkg/stubs/a.pyi") == "python");
    CHECK(name_of("web/app.mjs") == "javascript");
    CHECK(name_of("web/app.ts") == "typescript");
    CHECK(name_of("web/App.tsx") == "tsx");
    CHECK(name_of("lib/x.c") == "c");
    CHECK(name_of("lib/x.h") == "c");
    CHECK(name_of("lib/x.cpp") == "cpp");
    CHECK(name_of("lib/x.hpp") == "cpp");
    CHECK(name_of("src/Main.java") == "java");
    CHECK(name_of("cmd/main.go") == "go");
    CHECK(name_of("src/lib.rs") == "rust");
  }

  SECTION("the extension is case-insensitive") {
    CHECK(name_of("A.PY") == "python");
    CHECK(name_of("X.Cpp") == "cpp");
  }

  SECTION("only the last extension of the basename counts") {
    CHECK(name_of("archive.py.orig") == "none");
    CHECK(name_of("dir.py/README") == "none");
    CHECK(name_of("a.min.js") == "javascript");
  }

  SECTION("nullptr without an extension, for dotfiles and unknown extensions") {
    CHECK(name_of("Makefile") == "none");
    CHECK(name_of(".py") == "none");
    CHECK(name_of("dir/.py") == "none");
    CHECK(name_of("notes.txt") == "none");
    CHECK(name_of("trailing.") == "none");
    CHECK(name_of("") == "none");
  }
}

TEST_CASE("contains") {
  std::vector<std::string_view> kinds{"if_statement", "for_statement"};
  CHECK(scan::contains(kinds, "for_statement"));
  CHECK_FALSE(scan::contains(kinds, "for"));
  CHECK_FALSE(scan::contains({}, "if_statement"));
}
