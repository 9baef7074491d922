#pragma once
// Named checks of the Python rules that need more than the query: decided from the syntax tree of
// the file alone. checks.cpp and assumptions.cpp dispatch to them.

#include "scan/engine.hpp"

#include <tree_sitter/api.h>

#include <string_view>
#include <vector>

namespace scan {

// "closed-in-block" (@match: an assignment `name = open(...)`). The captures that turn
//     f = open(p)            with open(p) as f:
//     body...          ->        body...
//     f.close()
// into a `with` block, when that changes nothing on the paths that reach the close and closes the
// file on the others: the assignment is a statement of its own lines in a block (or the module),
// without a type annotation; a later statement of the same block, on lines of its own, is
// `name.close()` with no arguments (the first one); at least one statement lies between; between them
// nothing rebinds or deletes the name (an assignment, augmented assignment, `del`, `for`/`with ... as`
// target, walrus, `global`/`nonlocal`), nothing leaves the block early without raising (`return`,
// `yield`, `await`-free generators aside; `break`/`continue` outside a loop of their own), and no
// string spans lines (re-indenting the body would change it).
//   with_body   the lines between (from the start of the line after the assignment's statement
//               to the start of the close's line), indented one level by the fix
//   with_close  the close statement
// Empty when any condition fails: the finding is then reported without a fix. Throws nothing.
std::vector<Capture> python_with_block_captures(TSNode assignment, std::string_view source);

} // namespace scan
