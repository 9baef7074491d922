#pragma once
// Scope analysis for JavaScript and TypeScript (issue 13 item 3): whether turning a `var`
// declaration into `let` keeps the program's meaning. `var` is function-scoped, hoisted and shared by
// every loop iteration; `let` is block-scoped, in its temporal dead zone until declared, and fresh per
// iteration. The rewrite is equivalent when, for every name the declaration binds:
//  - no other binding of that name in the same function conflicts: no parameter, function
//    declaration, import or enclosing lexical/catch binding of it, and every other `var` of it lives in
//    a block disjoint from this one;
//  - every use that means this variable lies in the declaration's block (its `case` for a `switch`,
//    the whole statement for a `for` head) and after its declarator: none before it (hoisting, TDZ),
//    none after the block; a use elsewhere in the function must sit after another `var` of the
//    same name that initialises it;
//  - no closure captures it inside a loop (per-iteration binding), no closure reads it from outside
//    the block, and no hoisted function declaration that reads it can run before it (the function
//    is neither exported nor named anywhere before the declaration);
//  - a declarator without an initialiser sits in the function's own body (a block in a loop would
//    reset it to undefined each time round);
//  - the function has no `eval` and no `with`; at the top level the file is a module (ES `import`/
//    `export`, or CommonJS `require`/`module.exports`/`exports.`), where a top-level `var` is no global.
// Uses inside nested functions that bind the name themselves (parameter, `var`, own name), and inside
// blocks with a `let`/`const`/`class` of it, belong to those bindings and are left out. Everything
// else, including any construct the analysis does not know, answers "not equivalent": the finding
// is then a suggestion, never an automatic fix.

#include <tree_sitter/api.h>

#include <string_view>

namespace scan {

// Whether `declaration` (a `variable_declaration` node of a tree parsed from `source`) may become
// `let` without changing what the program does. Per-file work is cached for the thread (one walk of
// the tree serves every declaration of the file). Throws nothing.
bool js_var_block_local(TSNode declaration, std::string_view source);

} // namespace scan
