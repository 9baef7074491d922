#pragma once
// Function identity (issue 12 §6): how one function is known across versions of its file, so per-
// function metrics and complexity regressions follow the same function when code moves, when
// functions of one name live in different scopes, and when overloads or decorators come and go.
//
// An identity is the qualified name (enclosing classes, namespaces, impl targets, Go receiver types,
// enclosing functions), a signature and a decorator kind:
//   - signature: the parameter types where a language overloads on them (C++, Java; with C++'s
//     trailing `const`/`&` qualifiers), the parameter count elsewhere (Python, JavaScript,
//     TypeScript, C, Go, Rust have no overloading by type, so a count only separates redefinitions);
//   - kind: Python `@property` (getter) / `@x.setter` / `@x.deleter` / `@classmethod` /
//     `@staticmethod`; JavaScript/TypeScript `get` / `set` / `static` methods.
// Overload stubs are not functions of their own: Python `@overload` / `@typing.overload` stubs fold
// into the implementation that follows them (one function with the implementation's measurements;
// stubs without an implementation, as in a .pyi file, fold into the first stub). TypeScript overload
// signatures and C++ declarations without a body are never measured, so they need no folding.
// Functions that stay distinct under one qualified name (C++ overloads, a property's getter and
// setter) differ by signature or kind; a function defined twice with the same identity (under the
// branches of an `if`/`else`) is numbered in file order ("#2"), which is stable while the branches are.

#include "scan/function_metrics.hpp"
#include "scan/language.hpp"

#include <tree_sitter/api.h>

#include <string>
#include <string_view>
#include <vector>

namespace scan {

struct FunctionIdentity {
  std::string qualified;      // "Outer.Inner.run", "ns::Foo::bar", "Server.Run", "<Point as Display>::fmt"
  std::string signature;      // "(int,const std::string&) const" (typed languages) or "/2" (a count)
  std::string kind;           // "", "getter", "setter", "deleter", "classmethod", "staticmethod", "get", "set", "static"
  bool overload_stub = false; // a Python @overload stub
};

// The bare name of function node `fn`: its own name, the identifier of a C/C++ declarator, or for an
// anonymous function the name it is bound to; "<anonymous>" when there is none. At most 120 bytes.
std::string function_name(TSNode fn, std::string_view source);

// The identity of function node `fn` named `name`. `ancestors` are its ancestors from the root to its
// parent; `enclosing` is the qualified name of the nearest enclosing function ("" at top level).
// Throws nothing.
FunctionIdentity function_identity(const LanguageProfile& language, TSNode fn, std::string_view source,
                                   const std::string& name, const std::string& enclosing,
                                   const std::vector<TSNode>& ancestors);

// Whether Python function node `fn` is an `@overload` stub (any decorator spelled `overload` or
// `<module>.overload`, e.g. `@typing.overload`, `@typing_extensions.overload`).
bool is_overload_stub(TSNode fn, std::string_view source);

// Settles the identities of one file's functions (in file order): folds overload stubs, then sets
// each function's `key` (qualified name + signature + kind, numbered when repeated) and `label` (the
// qualified name, with signature or kind added only where the file has several of that name).
void settle_identities(std::vector<FunctionMetric>& functions);

} // namespace scan
