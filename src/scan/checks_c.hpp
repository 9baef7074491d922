#pragma once
// Named checks of the C and C++ rules (c/malloc-without-check, cpp/c-style-cast, c/strcpy,
// c/sprintf): what a careful reviewer would ask before reporting, decided from the syntax tree of
// the file alone. checks.cpp dispatches to them; each keeps the finding only when the code shows
// the problem, so what cannot be proven either way follows each check's documented default.

#include "scan/checks.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace scan {

// "unchecked-allocation" (@match: a call). Whether the call allocates (malloc, calloc, realloc,
// strdup, strndup, their std:: spellings, allocator hooks called through a struct field in C, and
// functions of the same file that return such a call directly) and its result reaches a use
// (dereference, indexing, a string/memory function) before any null check. Throws nothing.
bool allocation_unchecked(const CheckInput& input);

// "real-cast" (@match: a cast_expression). False for what tree-sitter-cpp parses as a cast but is a
// call of a parenthesised function name: `(std::min)(a, b)`, `(std::max<long>)(x, y)`,
// `(std::abs)(x)`, and parentheses around a comma expression. (`(name)(x)` and `(len)-1` with a
// single plain name are already parsed as a call and a subtraction.) Throws nothing.
bool is_real_cast(const CheckInput& input);

// "unbounded-copy" (@match: a call to strcpy/wcscpy/stpcpy/sprintf/...). False when the destination
// is an array whose size the file declares and what is written provably fits (a string literal,
// or a format whose conversions all have a maximum length), and for an unqualified call of a function
// the file declares itself in a namespace or, in C++, defines (fmt's `vsprintf`). Throws nothing.
bool copy_may_overflow(const CheckInput& input);

// "cpp-only-code": whether the file guards C linkage with `#ifdef __cplusplus` / `extern "C"`, the
// mark of a header also compiled as C, where C++-only spellings (nullptr, `using X = Y;`) would
// break the C build. Linear in the file. Throws nothing.
bool compiled_as_c_too(std::string_view source);

// "parameter-only-read" (captures @pname, the parameter's name; @match inside its function). False
// when the function body changes the parameter (assigns it or an element, ++/--, a mutating member
// such as erase/append/push_back, an algorithm such as std::transform over it), returns it or takes
// its address: the copy is then the function's own and a const reference would not do. Throws nothing.
bool parameter_only_read(const CheckInput& input);

// Whether the code (outside comments and literals) uses anything C does not have: `::`, template,
// namespace, class, nullptr, constexpr, operator, typename, the named casts, decltype, noexcept.
// A `.h` without any is taken to be C compiled with a C++ project ("cpp-only-code"). Linear. Throws nothing.
bool shows_cpp_syntax(std::string_view source);

// The number of characters (not counting the terminator) a C string or character-array literal
// denotes, `"..."`, `L"..."`, `u8"..."` and raw strings included; nullopt when it is not a literal.
// Escapes count as one character; for wide literals, each UTF-8 sequence counts as one.
std::optional<uint64_t> c_literal_length(std::string_view literal);

// The decoded bytes of a narrow string literal (nullopt for wide ones or non-literals).
std::optional<std::string> c_literal_value(std::string_view literal);

// The most characters printf writes for `format` (no terminator), given for each argument after
// the format the length of its value when it is a string literal (nullopt otherwise). nullopt when
// the output has no bound: %s of a non-literal without precision, %f/%e/%g/%a, `*` widths, %n,
// anything unknown.
// Fixes' preconditions (scan/assumptions.cpp names them):
// sprintf/vsprintf/gets/strcpy/strcat whose destination is a plain name of a one-dimensional char array
// declared in this file (so `sizeof dest` is its room); strcpy also as a statement of its own, in a file
// that includes <stdio.h> (it becomes snprintf).
bool char_array_destination(TSNode call, std::string_view source);

// `type` (a type_descriptor or a type) is one arithmetic type: a primitive, a sized specifier, or a
// standard integer name (size_t, std::uint8_t, int_fast32_t, ...). No const, pointer or reference.
bool cpp_arithmetic_type(TSNode type, std::string_view source);

// A typedef as its alias declaration's parts: alias_name, alias_type (what precedes the name) and
// alias_type_tail (what follows it in its declarator); for a second and third declarator alias_nameN,
// alias_preN, alias_tailN with alias_base (the shared specifiers) and alias_indent. Empty when the
// typedef cannot be rewritten textually (a struct body, attributes, comments, `(A)`, > 3 names).
std::vector<Capture> typedef_alias_captures(TSNode definition, std::string_view source);

// Where an unchecked allocation's result can be checked right after it is stored: alloc_target (the
// name or field it is stored in), alloc_statement (the declaration or assignment, a statement of a block
// on lines of its own) and alloc_indent; empty when not (used at once, stored in a subscript or inside a
// condition, a statement sharing its line, or a file that does not include <stdlib.h>, which declares abort).
std::vector<Capture> allocation_check_captures(TSNode call, std::string_view source);

// A C-style cast's operand as capture `cast_operand`, without the parentheses around it if any.
std::vector<Capture> cast_operand_capture(TSNode cast);

// Whether a null constant reported by cpp/null-to-nullptr stands for a pointer: NULL always (the query
// chose its places); a literal 0 only where the code shows a pointer (a `T *p` initialiser, default or
// member, a comparison with or assignment to a name declared as a pointer, a return from a function
// declared to return one).
bool null_literal_is_pointer(TSNode literal, std::string_view source);

// byte_args[k]: the k-th argument is visibly an unsigned byte (`(unsigned char)c`, an element of a
// `uint8_t` array): an integer conversion of it without a length modifier is bounded as `hh` (`%02x`: 2).
std::optional<uint64_t> c_format_max_length(std::string_view format, const std::vector<std::optional<uint64_t>>& string_args,
                                            const std::vector<bool>& byte_args = {});

// "cpp-own-declaration" (a function_definition): whether the definition declares the function itself
// (`void f(...) {...}`, in a class body or at namespace scope) rather than defining out of line a member
// declared elsewhere (`void A::f(...) {...}`), whose signature a fix would have to change in two
// places. Throws nothing.
bool declares_itself(TSNode function);

} // namespace scan
