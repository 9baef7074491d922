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
      CHECK_FALSE(l.loop_kinds.empty());
      CHECK_FALSE(l.merge.declarations.empty());
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
      check_kinds("scope_kinds", l.scope_kinds, true);
      check_kinds("loop_kinds", l.loop_kinds, true);
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

TEST_CASE("looks_like_cpp") {
  SECTION("each C++-only construct is recognised") {
    for (const char* text : {"namespace util {\nint f();\n}\n", "class Point {\n  int x;\n};\n",
                             "class Derived : Base {};\n", "class Leaf final {};\n", "template <typename T> T id(T);\n",
                             "struct S {\npublic:\n  int x;\n};\n", "int v = std::max(1, 2);\n",
                             "using namespace std;\n", "using Size = unsigned;\n", "int* p = nullptr;\n",
                             "constexpr int k = 3;\n", "struct B { virtual ~B(); };\n", "#include <iostream>\n",
                             "#include <vector>\nint f();\n", "extern \"C++\" {\nint f();\n}\n", "auto x = A::b;\n"}) {
      INFO(text);
      CHECK(scan::looks_like_cpp(text));
    }
  }

  SECTION("C, and C++ words in comments, strings and __cplusplus blocks, are not") {
    for (const char* text : {"#include <stdio.h>\nint main(void) { return 0; }\n",
                             "/* namespace class template<T> std::vector */\nint x;\n",
                             "// see Foo::bar and class Point {\nint y;\n",
                             "const char* s = \"std::string namespace x\";\n",
                             "#ifdef __cplusplus\nextern \"C\" {\n#endif\nint f(void);\n#ifdef __cplusplus\n}\n#endif\n",
                             "#if defined(__cplusplus)\nnamespace c { class K {}; }\n#endif\nint g(void);\n",
                             "int class_count;\nint public_api(void);\n", "struct flags { unsigned public : 1; };\n",
                             "[[gnu::always_inline]] static inline int h(void) { return 1; }\n",
                             "#define CAT(a, b) a::b\nint z;\n"}) {
      INFO(text);
      CHECK_FALSE(scan::looks_like_cpp(text));
    }
  }

  SECTION("the #else of a negated __cplusplus test is C++-only too; outside the blocks it counts again") {
    CHECK_FALSE(scan::looks_like_cpp("#ifndef __cplusplus\nint a;\n#else\nnamespace n {}\n#endif\n"));
    CHECK_FALSE(scan::looks_like_cpp("#if !defined(__cplusplus)\nint a;\n#else\nnamespace n {}\n#endif\n"));
    CHECK(scan::looks_like_cpp("#ifdef __cplusplus\nextern \"C\" {\n#endif\nint f(void);\n#ifdef __cplusplus\n}\n#endif\n"
                               "namespace after {}\n"));
    CHECK(scan::looks_like_cpp("#ifdef __cplusplus\nint a;\n#else\nint b;\n#endif\nclass K {};\n"));
  }
}

TEST_CASE("language_for_file") {
  auto name_of = [](std::string_view path, std::string_view content, bool repo_has_cpp) {
    const LanguageProfile* l = scan::language_for_file(path, content, repo_has_cpp);
    return l ? std::string(l->name) : std::string("none");
  };
  const char* c_header = "#ifndef UTIL_H\n#define UTIL_H\nint util_add(int a, int b);\n#endif\n";
  const char* cpp_header = "#pragma once\nnamespace util {\nclass Counter {\npublic:\n  int n = 0;\n};\n}\n";

  SECTION("a .h header is C in a C-only repository unless its text is C++") {
    CHECK(name_of("include/util.h", c_header, false) == "c");
    CHECK(name_of("include/util.h", cpp_header, false) == "cpp");
  }

  SECTION("a .h header is C++ in a repository with C++ sources") {
    CHECK(name_of("include/util.h", c_header, true) == "cpp");
    CHECK(name_of("INCLUDE/UTIL.H", c_header, true) == "cpp");
  }

  SECTION("other files go by their extension whatever the repository or text") {
    CHECK(name_of("src/util.c", cpp_header, true) == "c");
    CHECK(name_of("src/util.hpp", c_header, false) == "cpp");
    CHECK(name_of("app.py", cpp_header, true) == "python");
    CHECK(name_of("notes.txt", cpp_header, true) == "none");
  }

  SECTION("is_cpp_path and is_ambiguous_header") {
    CHECK(scan::is_cpp_path("a/b.cc"));
    CHECK(scan::is_cpp_path("b.hpp"));
    CHECK_FALSE(scan::is_cpp_path("b.h"));
    CHECK_FALSE(scan::is_cpp_path("b.c"));
    CHECK(scan::is_ambiguous_header("x/y.h"));
    CHECK_FALSE(scan::is_ambiguous_header("x/y.hh"));
  }
}
