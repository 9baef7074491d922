#pragma once
// What a Python call's callee names through the file's imports (issue 13: rules missed
// `from yaml import load`, `import subprocess as sp`, `from hashlib import md5`). A rule lists the
// qualified names it means (`calls: [yaml.load, subprocess.run]`) and captures the call's function
// as @callee; the callee is resolved through `import m`, `import m.n as a`, `from m import f`,
// `from m import f as g` and `from m import *` statements at module level (inside if/try/with
// blocks too) and in the functions around the call.

#include <tree_sitter/api.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace scan {

// The names a file's imports bind. The module level is collected once per file (a scan asks for
// every candidate call of it); the blocks around each call are added per call.
class PythonImports {
public:
  explicit PythonImports(std::string_view source) : m_source(source) {}

  // The qualified names `callee` (an identifier or a chain of attributes on one) may stand for: each
  // import binding its first name gives one, and a first name no import binds stands for itself
  // (`yaml.load` in a snippet without imports is still yaml.load). Empty for any other expression.
  std::vector<std::string> callee_names(TSNode callee);

  // Whether one of callee_names(callee) is in `calls`.
  bool callee_is(TSNode callee, const std::vector<std::string>& calls);

  struct Bindings {
    std::multimap<std::string, std::string> names; // bound name -> qualified name
    std::vector<std::string> star_modules;         // `from m import *`
  };

private:
  // callee_names() of the chain `first` + `rest` (split_chain in the .cpp).
  std::vector<std::string> resolve(TSNode callee, const std::string& first, const std::string& rest);
  // Every import of the file of `node` (collected at the first call).
  const Bindings& all_imports(TSNode node);

  std::string_view m_source;
  bool m_module_done = false, m_all_done = false;
  Bindings m_module;                               // at module level (and its if/try/with blocks)
  Bindings m_all;                                  // anywhere in the file
  std::map<const void*, Bindings> m_blocks;        // a block's own imports, by node id
};

} // namespace scan
