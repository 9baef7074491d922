#include "scan/python_imports.hpp"

#include <catch2/catch.hpp>

#include "../support/scan_support.hpp"
#include "scan/engine.hpp"

#include <string>

using scan::Engine;
using scan::Rule;
using test_support::lang;

namespace {

// How many calls of `code` a rule with `calls: [yaml.load, os.path.join]` reports.
size_t reported(const std::string& code) {
  Rule r;
  r.id = "t/calls";
  r.languages = {"python"};
  r.category = core::Category::security_fixes;
  r.safety = core::Safety::suggest;
  r.message = "m";
  r.query = "(call function: (_) @callee) @match";
  r.source = "test";
  r.calls = {"yaml.load", "os.path.join"};
  Engine engine({r});
  INFO(code);
  return engine.match_rule(r, lang("python"), code).size();
}

} // namespace

TEST_CASE("a rule's calls are resolved through the file's imports") {
  SECTION("import m, import m as n, from m import f (as g), from m import *") {
    CHECK(reported("import yaml\nyaml.load(f)\n") == 1);
    CHECK(reported("import yaml as y\ny.load(f)\n") == 1);
    CHECK(reported("from yaml import load\nload(f)\n") == 1);
    CHECK(reported("from yaml import (\n    dump,\n    load as yl,\n)\nyl(f)\n") == 1);
    CHECK(reported("from yaml import *\nload(f)\n") == 1);
    CHECK(reported("import os\nos.path.join(a, b)\n") == 1);
    CHECK(reported("from os import path\npath.join(a, b)\n") == 1);
    CHECK(reported("import os.path as p\np.join(a, b)\n") == 1);
    CHECK(reported("import os.path\nos.path.join(a, b)\n") == 1);
    CHECK(reported("from os import *\npath.join(a, b)\n") == 1);
    CHECK(reported("from yaml import *\nother.load(f)\n") == 0);
  }

  SECTION("a first name no import binds stands for itself") {
    CHECK(reported("yaml.load(f)\n") == 1);
    CHECK(reported("load(f)\n") == 0);
    CHECK(reported("self.yaml.load(f)\n") == 0);
  }

  SECTION("an import that binds the name to something else") {
    CHECK(reported("from json import load\nload(f)\n") == 0);
    CHECK(reported("import json as yaml\nyaml.load(f)\n") == 0);
    CHECK(reported("from . import yaml\nyaml.load(f)\n") == 0);
    CHECK(reported("from .compat import load\nload(f)\n") == 0);
  }

  SECTION("imports in the blocks around the call, and at module level inside if/try") {
    CHECK(reported("def f(s):\n    import yaml as y\n    return y.load(s)\n") == 1);
    CHECK(reported("class C:\n    def f(self, s):\n        from yaml import load\n        if s:\n            return load(s)\n") == 1);
    CHECK(reported("try:\n    from yaml import CLoader as L, load\nexcept ImportError:\n    from yaml import load\nload(f)\n") == 1);
    CHECK(reported("if TYPE_CHECKING:\n    pass\nelse:\n    import yaml as y\ny.load(f)\n") == 1);
    // Another function's import binds nothing here.
    CHECK(reported("def f():\n    import yaml as y\n\ndef g(s):\n    return y.load(s)\n") == 0);
  }

  SECTION("two imports of one name: either may be meant") {
    CHECK(reported("try:\n    import cyaml as yaml\nexcept ImportError:\n    import yaml\nyaml.load(f)\n") == 1);
  }
}
