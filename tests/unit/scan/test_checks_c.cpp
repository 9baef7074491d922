#include "scan/checks_c.hpp"

#include <catch2/catch.hpp>

#include "../support/scan_support.hpp"

#include <string>
#include <vector>

using scan::Engine;
using scan::Finding;
using scan::Rule;

using test_support::checked_rule;
using test_support::lang;
using test_support::lines_of;

namespace {

const char* k_alloc_query = "((call_expression function: (_)) @match)";

std::vector<int> allocation_lines(const char* language, const std::string& src) {
  Engine engine({checked_rule(language, k_alloc_query, "unchecked-allocation")});
  return lines_of(engine.scan(lang(language), src).findings);
}

std::vector<int> cast_lines(const std::string& src) {
  Engine engine({checked_rule("cpp", "((cast_expression type: (type_descriptor) @type) @match (#not-eq? @type \"void\"))",
                              "real-cast")});
  return lines_of(engine.scan(lang("cpp"), src).findings);
}

std::vector<int> copy_lines(const char* language, const std::string& src) {
  Engine engine({checked_rule(language,
                              "((call_expression function: (identifier) @fn) @match (#any-of? @fn \"strcpy\" \"sprintf\" \"wcscpy\"))",
                              "unbounded-copy")});
  return lines_of(engine.scan(lang(language), src).findings);
}

} // namespace

TEST_CASE("c_literal_length") {
  SECTION("narrow literals: escapes count once") {
    CHECK(scan::c_literal_length("\"abc\"") == 3u);
    CHECK(scan::c_literal_length("\"\"") == 0u);
    CHECK(scan::c_literal_length("\"a\\n\\x41\\101\\\\\"") == 5u);
    CHECK(scan::c_literal_length("\"\\0\"") == 1u);
    CHECK(scan::c_literal_length("u8\"\xC3\xA9\"") == 2u); // é is two UTF-8 bytes
  }
  SECTION("wide literals count characters, a four-byte sequence as a UTF-16 pair") {
    CHECK(scan::c_literal_length("L\"wide\"") == 4u);
    CHECK(scan::c_literal_length("L\"\xC3\xA9t\xC3\xA9\"") == 3u);
    CHECK(scan::c_literal_length("u\"\xF0\x9F\x98\x80\"") == 2u);
  }
  SECTION("raw strings") {
    CHECK(scan::c_literal_length("R\"(a\"b)\"") == 3u);
    CHECK(scan::c_literal_length("R\"x(a)\"b)x\"") == 4u);
  }
  SECTION("not a literal, or malformed") {
    CHECK_FALSE(scan::c_literal_length("abc").has_value());
    CHECK_FALSE(scan::c_literal_length("\"abc\\\"").has_value());
    CHECK_FALSE(scan::c_literal_length("\"\\q\"").has_value());
    CHECK_FALSE(scan::c_literal_length("X\"abc\"").has_value());
  }
  SECTION("c_literal_value decodes narrow literals only") {
    CHECK(scan::c_literal_value("\"%d\\n\"") == std::string("%d\n"));
    CHECK_FALSE(scan::c_literal_value("L\"%d\"").has_value());
  }
}

TEST_CASE("c_format_max_length") {
  using V = std::vector<std::optional<uint64_t>>;
  SECTION("integers by length modifier, with sign, width, precision and #") {
    CHECK(scan::c_format_max_length("%d", {}) == 11u);
    CHECK(scan::c_format_max_length("%i", {}) == 11u);
    CHECK(scan::c_format_max_length("%hhd", {}) == 4u);
    CHECK(scan::c_format_max_length("%hd", {}) == 6u);
    CHECK(scan::c_format_max_length("%ld", {}) == 20u);
    CHECK(scan::c_format_max_length("%lld", {}) == 20u);
    CHECK(scan::c_format_max_length("%zu", {}) == 20u);
    CHECK(scan::c_format_max_length("%u", {}) == 10u);
    CHECK(scan::c_format_max_length("%hhu", {}) == 3u);
    CHECK(scan::c_format_max_length("%x", {}) == 8u);
    CHECK(scan::c_format_max_length("%#x", {}) == 10u);
    CHECK(scan::c_format_max_length("%02hhX", {}) == 2u);
    CHECK(scan::c_format_max_length("%llx", {}) == 16u);
    CHECK(scan::c_format_max_length("%o", {}) == 11u);
    CHECK(scan::c_format_max_length("%#o", {}) == 12u);
    CHECK(scan::c_format_max_length("%+d", {}) == 11u);
    CHECK(scan::c_format_max_length("%-30d|", {}) == 31u);
    CHECK(scan::c_format_max_length("%.15d", {}) == 16u);
  }
  SECTION("text, %%, %c, %p") {
    CHECK(scan::c_format_max_length("", {}) == 0u);
    CHECK(scan::c_format_max_length("abc", {}) == 3u);
    CHECK(scan::c_format_max_length("100%%", {}) == 4u);
    CHECK(scan::c_format_max_length("%c%c", {}) == 2u);
    CHECK(scan::c_format_max_length("%p", {}) == 18u);
    CHECK(scan::c_format_max_length("/tmp/%d.log", {}) == 20u);
  }
  SECTION("%s: a literal argument, or a precision, bounds it; arguments are counted in order") {
    CHECK(scan::c_format_max_length("%s", V{5}) == 5u);
    CHECK(scan::c_format_max_length("%d %s", V{std::nullopt, 7}) == 19u);
    CHECK(scan::c_format_max_length("%.3s", V{std::nullopt}) == 3u);
    CHECK(scan::c_format_max_length("%.3s", V{10}) == 3u);
    CHECK(scan::c_format_max_length("%10s", V{2}) == 10u);
    CHECK_FALSE(scan::c_format_max_length("%s", V{std::nullopt}).has_value());
    CHECK_FALSE(scan::c_format_max_length("%s", V{}).has_value());
    CHECK_FALSE(scan::c_format_max_length("%d %s", V{5}).has_value()); // the 5 belongs to %d
  }
  SECTION("%e and %g: sign, precision digits, point, exponent") {
    CHECK(scan::c_format_max_length("%e", {}) == 14u);    // -1.000000e+308
    CHECK(scan::c_format_max_length("%g", {}) == 14u);
    CHECK(scan::c_format_max_length("%1.15g", {}) == 23u); // cJSON's number format
    CHECK(scan::c_format_max_length("%.0e", {}) == 9u);
    CHECK(scan::c_format_max_length("%Le", {}) == 16u);
    CHECK(scan::c_format_max_length("%30g", {}) == 30u);
  }
  SECTION("%f: up to 309 integer digits for a double, 4933 for a long double") {
    CHECK(scan::c_format_max_length("%f", {}) == 317u);
    CHECK(scan::c_format_max_length("%.3f", {}) == 314u);
    CHECK(scan::c_format_max_length("%lf", {}) == 317u);
    CHECK(scan::c_format_max_length("%.0Lf", {}) == 4935u);
  }
  SECTION("an argument the code shows to be an unsigned byte bounds an unmodified integer conversion as hh") {
    using B = std::vector<bool>;
    CHECK(scan::c_format_max_length("%02x", V{}, B{true}) == 2u);
    CHECK(scan::c_format_max_length("%02x", V{}, B{false}) == 8u);
    CHECK(scan::c_format_max_length("%u", V{}, B{true}) == 3u);
    CHECK(scan::c_format_max_length("%d", V{}, B{true}) == 4u);
    CHECK(scan::c_format_max_length("%lx", V{}, B{true}) == 16u); // an explicit modifier is the writer's word
    CHECK(scan::c_format_max_length("%d:%x", V{}, B{false, true}) == 14u); // in argument order
    CHECK(scan::c_format_max_length("%c", V{}, B{true}) == 1u);
  }
  SECTION("no bound") {
    for (const char* f : {"%a", "%*d", "%.*s", "%n", "%ls", "%lc", "%", "%5", "%q", "%m"})
      CHECK_FALSE(scan::c_format_max_length(f, V{3}).has_value());
  }
}

TEST_CASE("run_check unchecked-allocation") {
  SECTION("the first thing done with the pointer decides, across statements and blocks") {
    const char* src =
        "void f(size_t n) {\n"             // 1
        "  char *a = malloc(n);\n"         // 2: checked later, not used before
        "  char *b = malloc(n);\n"         // 3: used before its check
        "  log_size(n);\n"                 // 4
        "  b[0] = 0;\n"                    // 5
        "  if (!a || !b) return;\n"        // 6
        "  {\n"                            // 7
        "    char *c = calloc(n, 1);\n"    // 8: used after the block closes
        "  }\n"                            // 9
        "  c[1] = 1;\n"                    // 10 (another c, but the text is what is followed)
        "}\n";
    CHECK(allocation_lines("c", src) == std::vector<int>{3, 8});
  }

  SECTION("allocator hooks: ->allocate in C; in C++ allocate() throws, malloc members still count") {
    const char* src =
        "static item *make(const hooks_t *hooks) {\n"              // 1
        "  item *node = (item *)hooks->allocate(sizeof(item));\n"  // 2
        "  memset(node, 0, sizeof(item));\n"                       // 3
        "  char *s = global_hooks.reallocate(old, 8);\n"           // 4
        "  s[0] = 0;\n"                                            // 5
        "  char *t = pool->malloc(8);\n"                           // 6
        "  t[0] = 0;\n"                                            // 7
        "  return node;\n"
        "}\n";
    CHECK(allocation_lines("c", src) == std::vector<int>{2, 4, 6});
    CHECK(allocation_lines("cpp", src) == std::vector<int>{6});
  }

  SECTION("C++: std::malloc and casts of every kind") {
    const char* src =
        "void f(std::size_t n) {\n"                                        // 1
        "  auto *p = static_cast<char *>(std::malloc(n));\n"               // 2
        "  p[0] = 0;\n"                                                    // 3
        "  auto *q = reinterpret_cast<int *>(std::calloc(n, 4));\n"        // 4
        "  if (q == nullptr) throw std::bad_alloc();\n"                    // 5
        "  q[0] = 0;\n"                                                    // 6
        "}\n";
    // static_cast<...>(x) is a call-like expression: the value reaches `p` through it.
    CHECK(allocation_lines("cpp", src) == std::vector<int>{2});
  }

  SECTION("a same-file wrapper is followed one level; one that checks is not a wrapper") {
    const char* src =
        "static void *raw(size_t n) { return (void *)malloc(n); }\n"                     // 1
        "static void *safe(size_t n) { void *p = malloc(n); if (!p) abort(); return p; }\n" // 2
        "void f(size_t n) {\n"                                                           // 3
        "  char *a = raw(n);\n"                                                          // 4
        "  a[0] = 0;\n"                                                                  // 5
        "  char *b = safe(n);\n"                                                         // 6
        "  b[0] = 0;\n"                                                                  // 7
        "}\n";
    CHECK(allocation_lines("c", src) == std::vector<int>{4});
  }

  SECTION("a helper of the same file that checks its parameter counts as a check; one that uses it as a use") {
    const char* src =
        "static void ensure(void *p) { if (p == NULL) exit(1); }\n"  // 1
        "static void clear(char *p) { p[0] = 0; }\n"                 // 2
        "void f(size_t n) {\n"                                      // 3
        "  char *a = malloc(n);\n"                                  // 4
        "  ensure(a);\n"                                            // 5
        "  a[0] = 0;\n"                                             // 6
        "  char *b = malloc(n);\n"                                  // 7
        "  clear(b);\n"                                             // 8: a helper that dereferences is no check
        "  b[1] = 0;\n"                                             // 9
        "}\n";
    CHECK(allocation_lines("c", src) == std::vector<int>{7});
  }

  SECTION("a long function stays linear and decides") {
    std::string src = "void f(void) {\n  char *p = malloc(8);\n";
    for (int i = 0; i < 3000; ++i) src += "  x += " + std::to_string(i) + ";\n";
    src += "  p[0] = 0;\n}\n";
    CHECK(allocation_lines("c", src) == std::vector<int>{2});
  }
}

TEST_CASE("run_check real-cast") {
  SECTION("casts are kept; the min/max idiom and comma operands are not casts") {
    const char* src =
        "int a = (int)d;\n"                                           // 1
        "int b = (std::min)(x, y);\n"                                 // 2
        "auto c = (std::numeric_limits<T>::max)();\n"                 // 3
        "auto e = (std::size_t)(x);\n"                                // 4
        "auto g = (Pair)(x, y);\n"                                    // 5
        "auto h = (std::max<long>)(x, y);\n"                          // 6
        "auto i = (const char *)p;\n"                                 // 7
        "auto j = (std::abs)(x) + (std::string)s;\n"                // 8: std::string is a type
        "auto k = (std::uint8_t)(x);\n";                             // 9
    CHECK(cast_lines(src) == std::vector<int>{1, 4, 7, 8, 9});
  }

  SECTION("a single plain name in parentheses is a call or an operand to the parser, never a cast") {
    const char* src =
        "int f(int len, void (*cb)(int), int *p) {\n"               // 1
        "  (cb)(len);\n"                                             // 2
        "  int a = (len)-1 + (len)*p[0];\n"                          // 3
        "  return (Size)(len) + (Size)len;\n"                        // 4: only the second is a cast
        "}\n";
    CHECK(cast_lines(src) == std::vector<int>{4});
  }
}

TEST_CASE("run_check unbounded-copy") {
  SECTION("the array's size from the closest declaration before the call") {
    const char* src =
        "#define SMALL 4\n"                        // 1
        "enum { BIG = SMALL * 4 };\n"              // 2
        "static char g[BIG];\n"                    // 3
        "void f(int i) {\n"                        // 4
        "  strcpy(g, \"fifteen chars..\");\n"       // 5: 15 + 1 fits 16
        "  strcpy(g, \"sixteen chars...\");\n"      // 6: 16 + 1 does not
        "  {\n"                                    // 7
        "    char g[SMALL];\n"                     // 8
        "    strcpy(g, \"abc\");\n"                // 9: fits the inner g
        "    strcpy(g, \"abcd\");\n"               // 10
        "  }\n"                                    // 11
        "  sprintf(g, \"%d\", i);\n"                 // 12: 11 + 1 fits 16
        "  sprintf(g, \"%d%d\", i, i);\n"            // 13
        "}\n";
    CHECK(copy_lines("c", src) == std::vector<int>{6, 10, 13});
  }

  SECTION("C++: constexpr sizes and wide copies") {
    const char* src =
        "constexpr std::size_t k_len = 8;\n"       // 1
        "void f() {\n"                             // 2
        "  wchar_t w[k_len];\n"                    // 3
        "  wcscpy(w, L\"seven..\");\n"              // 4
        "  wcscpy(w, L\"eight...\");\n"             // 5
        "}\n";
    CHECK(copy_lines("cpp", src) == std::vector<int>{5});
  }
}

TEST_CASE("compiled_as_c_too") {
  SECTION("the C-linkage guard in its spellings") {
    CHECK(scan::compiled_as_c_too("#ifdef __cplusplus\nextern \"C\" {\n#endif\nint f(void);\n"));
    CHECK(scan::compiled_as_c_too("#if defined(__cplusplus)\nextern \"C\"\n{\n#endif\n"));
    CHECK(scan::compiled_as_c_too("  #  if defined __cplusplus\n  extern \"C\" {\n  # endif\n"));
    CHECK(scan::compiled_as_c_too("#ifdef __cplusplus\n/* C linkage */\nextern \"C\" {\n#endif\n"));
  }
  SECTION("a version test, a mention elsewhere, or extern \"C\" alone are not that guard") {
    CHECK_FALSE(scan::compiled_as_c_too("#if __cplusplus >= 201703L\nextern \"C\" int f();\n#endif\n"));
    CHECK_FALSE(scan::compiled_as_c_too("// works with __cplusplus compilers\nextern \"C\" int f();\n"));
    CHECK_FALSE(scan::compiled_as_c_too("extern \"C\" {\nint f();\n}\n"));
    CHECK_FALSE(scan::compiled_as_c_too("#ifdef __cplusplus\n#include <cstdio>\n#endif\n\n\n\nextern \"C\" int f();\n"));
    CHECK_FALSE(scan::compiled_as_c_too(""));
  }
}

TEST_CASE("shows_cpp_syntax") {
  CHECK(scan::shows_cpp_syntax("std::string s;"));
  CHECK(scan::shows_cpp_syntax("template <class T> T f();"));
  CHECK(scan::shows_cpp_syntax("int *p = nullptr;"));
  CHECK(scan::shows_cpp_syntax("class A {};"));
  CHECK_FALSE(scan::shows_cpp_syntax("typedef unsigned char png_byte;\nint *p = NULL;\n"));
  CHECK_FALSE(scan::shows_cpp_syntax("/* a C++ class:: template */\n// namespace std::\nconst char *s = \"a::b class\";\nchar c = ':';\n"));
  CHECK_FALSE(scan::shows_cpp_syntax("int classes, templates; int my_template_count;"));
  CHECK_FALSE(scan::shows_cpp_syntax("/* unterminated"));
  CHECK_FALSE(scan::shows_cpp_syntax(""));
}

TEST_CASE("run_check cpp-only-code") {
  Engine engine({checked_rule("cpp", "((null) @match)", "cpp-only-code")});
  SECTION("a C-looking file: deferred to its path; a .h is dropped, a .cpp kept") {
    const std::string src = "int *p = NULL;\n";
    auto findings = engine.scan(lang("cpp"), src).findings;
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].deferred_check == "cpp-only-code");
    scan::FileContext header;
    header.path = "include/png_like.h";
    CHECK(scan::apply_context(findings, src, header).empty());
    scan::FileContext source;
    source.path = "src/main.cpp";
    CHECK(scan::apply_context(findings, src, source).size() == 1);
    source.path = "include/util.hpp";
    CHECK(scan::apply_context(findings, src, source).size() == 1);
  }
  SECTION("a header that shows C++ is C++; one guarded for C linkage is not") {
    auto cpp = engine.scan(lang("cpp"), "namespace n { int *p = NULL; }\n").findings;
    REQUIRE(cpp.size() == 1);
    CHECK(cpp[0].deferred_check.empty());
    CHECK(engine.scan(lang("cpp"), "#ifdef __cplusplus\nextern \"C\" {\n#endif\nint *p = NULL;\n").findings.empty());
  }
}

TEST_CASE("run_check parameter-only-read") {
  Engine engine({checked_rule("cpp",
                              "((function_definition declarator: (function_declarator parameters: (parameter_list "
                              "(parameter_declaration declarator: (identifier) @pname) @match))))",
                              "parameter-only-read")});
  auto reported = [&](const std::string& src) {
    std::vector<std::string> names;
    for (const auto& f : engine.scan(lang("cpp"), src).findings)
      for (const auto& c : f.captures)
        if (c.name == "pname") names.push_back(src.substr(c.start_byte, c.end_byte - c.start_byte));
    return names;
  };
  SECTION("read-only parameters are kept, changed or returned ones dropped") {
    CHECK(reported("int f(std::string a, std::string b, std::string c) {\n"
                   "  b += a;\n"
                   "  return c.size() + a[0];\n"
                   "}\n") == std::vector<std::string>{"a", "c"});
    CHECK(reported("void use(const std::string& text);\n"
                   "std::string f(std::string a, std::string b) { use(a); return b; }\n") == std::vector<std::string>{"a"});
    CHECK(reported("void f(std::vector<int> v, std::vector<int> w) { v.push_back(1); w.size(); }\n") ==
          std::vector<std::string>{"w"});
    CHECK(reported("void f(std::string s, std::string t) { std::getline(in, s); take(&t); }\n").empty());
    CHECK(reported("void f(std::string s) { s[0] = 'x'; }\n").empty());
    CHECK(reported("void f(int n) { ++n; }\n").empty());
    CHECK(reported("void f(std::string s) { std::sort(s.begin(), s.end()); print(s); }\n").empty());
  }
  SECTION("an element returned is a read") {
    CHECK(reported("char f(std::string s) { return s[0]; }\n") == std::vector<std::string>{"s"});
  }
  SECTION("changed where the tree shows no assignment: a macro of the file, a range-for by reference, >>") {
    CHECK(reported("#define RESET(x) (x).clear()\nvoid f(std::string s) { RESET(s); use(s); }\n").empty());
    CHECK(reported("void use(const std::string&);\nvoid f(std::string s) { use(s); }\n") ==
          std::vector<std::string>{"s"}); // use() is no macro
    CHECK(reported("void f(std::string s) { for (auto& c : s) c = 'x'; use(s); }\n").empty());
    CHECK(reported("void f(std::string s) { for (const auto& c : s) use(c); }\n") == std::vector<std::string>{"s"});
    CHECK(reported("void f(std::string s) { in >> s; use(s); }\n").empty());
    CHECK(reported("void f(std::string s) { out << s; }\n") == std::vector<std::string>{"s"});
  }
  SECTION("handed whole to a free function the file does not declare: it may take a reference that is not const") {
    // cli11's split_program_name(std::string commandline) calls trim(commandline), trim(std::string&) of another header.
    CHECK(reported("void f(std::string s) { trim(s); }\n").empty());
    CHECK(reported("void f(std::string s) { detail::trim(s); }\n").empty());
    // The standard library's are known (those that change an argument are listed), and members read.
    CHECK(reported("int f(std::string s) { return std::stoi(s); }\n") == std::vector<std::string>{"s"});
    CHECK(reported("void f(std::string s) { use(s.c_str()); }\n") == std::vector<std::string>{"s"});
    CHECK(reported("void trim(const std::string&);\nvoid f(std::string s) { trim(s); }\n") ==
          std::vector<std::string>{"s"});
  }
  SECTION("another reference or pointer parameter of the type may alias it") {
    // (The references themselves are not plain-name declarators: this query does not report them.)
    CHECK(reported("void f(std::string s, std::string& out) { out = \"x\"; use(s); }\n").empty());
    CHECK(reported("void f(std::string s, std::vector<std::string>* all) { all->clear(); use(s); }\n").empty());
    CHECK(reported("void f(std::string s, const std::string& t, int& n) { n = t.size() + s.size(); }\n") ==
          std::vector<std::string>{"s"});
  }
}

namespace {

// The captures check `typedef-alias` adds to the one typedef of `src`, as "name=text" lines.
std::vector<std::string> alias_parts(const std::string& src) {
  Engine engine({checked_rule("cpp", "((type_definition) @match)", "typedef-alias")});
  auto found = engine.scan(lang("cpp"), src).findings;
  REQUIRE(found.size() == 1);
  std::vector<std::string> out;
  for (const auto& c : found[0].captures)
    if (c.name != "match") out.push_back(c.name + "=" + src.substr(c.start_byte, c.end_byte - c.start_byte));
  return out;
}

} // namespace

TEST_CASE("typedef-alias captures a typedef's alias declaration parts") {
  using V = std::vector<std::string>;
  SECTION("the type before the name and what follows it in the declarator") {
    CHECK(alias_parts("typedef const char* cstr;\n") == V{"alias_name=cstr", "alias_type=const char*", "alias_type_tail="});
    CHECK(alias_parts("typedef int (*Callback)(void*);\n") ==
          V{"alias_name=Callback", "alias_type=int (*", "alias_type_tail=)(void*)"});
    CHECK(alias_parts("typedef char const *const Names[4];\n") ==
          V{"alias_name=Names", "alias_type=char const *const", "alias_type_tail=[4]"});
  }
  SECTION("further declarators with the shared specifiers and the indentation") {
    CHECK(alias_parts("  typedef int A, *B;\n") == V{"alias_name=A", "alias_type=int", "alias_type_tail=", "alias_name2=B",
                                                     "alias_pre2=*", "alias_tail2=", "alias_base=int", "alias_indent=  "});
  }
  SECTION("no parts where the rewrite is not textual") {
    CHECK(alias_parts("typedef struct { int x; } Point;\n").empty());
    CHECK(alias_parts("typedef int /* legacy */ Handle;\n").empty());
    CHECK(alias_parts("typedef int A, B, C, D;\n").empty());
    CHECK(alias_parts("int x; typedef int A, *B;\n").empty());
  }
}

TEST_CASE("null-pointer-constant keeps a literal 0 only where the code shows a pointer") {
  Engine engine({checked_rule("cpp",
                              "([(init_declarator value: (number_literal) @match) (binary_expression right: (number_literal) @match)"
                              " (assignment_expression right: (number_literal) @match) (return_statement (number_literal) @match)]"
                              " (#eq? @match \"0\"))",
                              "null-pointer-constant")});
  auto lines = [&](const std::string& src) { return lines_of(engine.scan(lang("cpp"), src).findings); };
  CHECK(lines("int* p = 0;\nint n = 0;\n") == std::vector<int>{1});
  CHECK(lines("void f(char* s, int k) {\n  if (s == 0) s = 0;\n  if (k == 0) k = 0;\n}\n") == std::vector<int>{2, 2});
  CHECK(lines("int* f(int k) {\n  if (k) return 0;\n  auto g = [] { return 0; };\n  return 0;\n}\nint h() { return 0; }\n") ==
        std::vector<int>{2, 4});
  // A later declaration in an inner block shadows the pointer.
  CHECK(lines("void f(int* p) {\n  {\n    int p = 1;\n    if (p == 0) return;\n  }\n}\n").empty());
}
