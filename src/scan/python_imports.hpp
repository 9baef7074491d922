#pragma once
// What a Python call's callee names through the file's imports (issue 13: rules missed
// `from yaml import load`, `import subprocess as sp`, `from hashlib import md5`). A rule lists the
// qualified names it means (`calls: [yaml.load, subprocess.run]`) and captures the call's function
// as @callee; the callee is resolved through `import m`, `import m.n as a`, `from m import f`,
// `from m import f as g` and `from m import *` statements at module level (inside if/try/with
// blocks too) and in the functions around the call.

#include <tree_sitter/api.h>

#include <string>
#include <string_view>
#include <vector>

namespace scan {

// The qualified names `callee` (an identifier or a chain of attributes on one) may stand for: each
// import binding its first name gives one, and a first name no import binds stands for itself
// (`yaml.load` in a snippet without imports is still yaml.load). Empty for any other expression.
std::vector<std::string> python_callee_names(TSNode callee, std::string_view source);

// Whether one of python_callee_names(callee) is in `calls`.
bool python_callee_is(TSNode callee, std::string_view source, const std::vector<std::string>& calls);

} // namespace scan
