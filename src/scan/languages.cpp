// The language tables: one function per language, holding everything git-autoloop knows about it
// (scan/language.hpp says what each field is for). Data only; the code that reads it lives with the
// scanner (metrics, identity, checks) and the merge driver (merge/structured.hpp).

#include "scan/language.hpp"

#include <utility>

extern "C" {
const TSLanguage* tree_sitter_python(void);
const TSLanguage* tree_sitter_javascript(void);
const TSLanguage* tree_sitter_typescript(void);
const TSLanguage* tree_sitter_tsx(void);
const TSLanguage* tree_sitter_c(void);
const TSLanguage* tree_sitter_cpp(void);
const TSLanguage* tree_sitter_java(void);
const TSLanguage* tree_sitter_go(void);
const TSLanguage* tree_sitter_rust(void);
}

namespace scan {

namespace {

using Kinds = std::vector<std::string_view>;

const Kinds k_logical = {"&&", "||"};

LanguageProfile python() {
  LanguageProfile l;
  l.name = "python";
  l.grammar = tree_sitter_python;
  l.extensions = {".py", ".pyi"};
  l.function_kinds = {"function_definition"};
  l.branch_kinds = {"if_statement", "elif_clause", "for_statement", "while_statement", "except_clause",
                    "conditional_expression", "for_in_clause", "if_clause", "case_clause"};
  l.logical_kinds = {"boolean_operator"};
  l.logical_operators = {"and", "or"};
  l.nesting_kinds = {"if_statement", "for_statement", "while_statement", "try_statement", "with_statement",
                     "match_statement"};
  l.comment_kinds = {"comment"};
  l.scope_kinds = {"class_definition"};
  l.loop_kinds = {"for_statement", "while_statement"};
  l.merge.declarations = {
      {"function_definition", "def", "name"},
      {"class_definition", "def", "name", "body"},
      {"decorated_definition", "def", "definition/name", "definition/=class_definition/body"},
      {"expression_statement", "var", "#0/left"},
  };
  l.merge.set_kinds = {{"import_statement", "name"}, {"import_from_statement", "module_name"}, {"future_import_statement"}};
  l.merge.detail_kinds = {"decorator"};
  l.merge.indentation_scopes = true;
  return l;
}

// JavaScript, TypeScript and TSX: one grammar family. TypeScript adds declarations of its own.
LanguageProfile javascript_family(std::string_view name, const TSLanguage* (*grammar)(), Kinds extensions,
                                  bool typescript) {
  LanguageProfile l;
  l.name = name;
  l.grammar = grammar;
  l.extensions = std::move(extensions);
  l.function_kinds = {"function_declaration", "function_expression", "arrow_function", "method_definition",
                      "generator_function_declaration", "generator_function"};
  l.branch_kinds = {"if_statement", "for_statement", "for_in_statement", "while_statement", "do_statement",
                    "switch_case", "catch_clause", "ternary_expression"};
  l.logical_kinds = {"binary_expression"};
  l.logical_operators = {"&&", "||", "??"};
  l.nesting_kinds = {"if_statement", "for_statement", "for_in_statement", "while_statement", "do_statement",
                     "switch_statement", "try_statement"};
  l.comment_kinds = {"comment"};
  // An object literal is a scope only where it is bound to a name (`const api = { get() {} }`).
  l.scope_kinds = typescript ? Kinds{"class_declaration", "class", "abstract_class_declaration", "object",
                                     "internal_module", "module"}
                             : Kinds{"class_declaration", "class", "object"};
  l.loop_kinds = {"for_statement", "for_in_statement", "while_statement", "do_statement"};

  // An export's members: only when it exports a class or an interface (a function's body is not a
  // list of declarations).
  constexpr std::string_view wrapped_body =
      "declaration/=class_declaration/body|declaration/=abstract_class_declaration/body|"
      "declaration/=interface_declaration/body|declaration/=class/body|value/=class/body";
  l.merge.declarations = {
      {"function_declaration", "def", "name"},
      {"generator_function_declaration", "def", "name"},
      {"class_declaration", "def", "name", "body"},
      {"class", "def", "name", "body"},
      {"lexical_declaration", "def", "#0/name"},
      {"variable_declaration", "def", "#0/name"},
      {"export_statement", "def", "declaration/name|declaration/#0/name|value/name", wrapped_body},
      {"method_definition", "member", "name"},
  };
  if (!typescript) l.merge.declarations.push_back({"field_definition", "member", "property"});
  if (typescript)
    l.merge.declarations.insert(l.merge.declarations.end(), {
        {"abstract_class_declaration", "def", "name", "body"},
        {"interface_declaration", "type", "name", "body"},
        {"type_alias_declaration", "type", "name"},
        {"enum_declaration", "def", "name"},
        {"function_signature", "def", "name"},
        {"ambient_declaration", "def", "#0/name", "#0/=module/body|#0/=internal_module/body"},
        {"internal_module", "def", "name", "body"},
        {"module", "def", "name", "body"},
        {"public_field_definition", "member", "name"},
        {"abstract_method_signature", "member", "name"},
        {"method_signature", "member", "name"},
        {"property_signature", "member", "name"},
        {"index_signature", "member", ""},
    });
  l.merge.set_kinds = {{"import_statement", "source"}};
  // A getter, a setter and a static method of one name are told apart by these keywords.
  l.merge.detail_kinds = {"static", "get", "set"};
  l.merge.overloads = typescript;
  return l;
}

// C and C++: C++ adds to C's kinds. Names sit at the end of a chain of declarators (pointer,
// function, init, reference).
LanguageProfile c_family(bool cpp) {
  LanguageProfile l;
  l.name = cpp ? "cpp" : "c";
  l.grammar = cpp ? tree_sitter_cpp : tree_sitter_c;
  l.extensions = cpp ? Kinds{".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp", ".tpp"}
                     : Kinds{".c", ".h"};
  l.function_kinds = {"function_definition"};
  l.branch_kinds = {"if_statement", "for_statement", "while_statement", "do_statement", "case_statement",
                    "conditional_expression"};
  l.logical_kinds = {"binary_expression"};
  l.logical_operators = k_logical;
  l.nesting_kinds = {"if_statement", "for_statement", "while_statement", "do_statement", "switch_statement"};
  l.comment_kinds = {"comment"};
  l.loop_kinds = {"for_statement", "while_statement", "do_statement"};
  l.merge.declarations = {
      {"function_definition", "def", "declarator*"},
      {"declaration", "decl", "declarator*|type/name", "type/body"},  // prototypes apart from definitions
      {"type_definition", "type", "declarator*"},
      {"struct_specifier", "type", "name", "body"},
      {"union_specifier", "type", "name", "body"},
      {"enum_specifier", "type", "name"},
      {"preproc_def", "macro", "name"},
      {"preproc_function_def", "macro", "name"},
      {"preproc_ifdef", "cond", "name", "."},
      {"field_declaration", "member", "declarator*"},
  };
  l.merge.set_kinds = {{"preproc_include", "path"}};
  if (!cpp) return l;

  l.function_kinds.push_back("lambda_expression");
  l.branch_kinds.insert(l.branch_kinds.end(), {"for_range_loop", "catch_clause"});
  l.nesting_kinds.insert(l.nesting_kinds.end(), {"for_range_loop", "try_statement"});
  l.scope_kinds = {"namespace_definition", "class_specifier", "struct_specifier", "union_specifier"};
  l.scope_separator = "::";
  l.typed_signatures = true;
  l.loop_kinds.push_back("for_range_loop");
  l.merge.declarations.insert(l.merge.declarations.end(), {
      {"class_specifier", "type", "name", "body"},
      {"namespace_definition", "namespace", "name", "body"},
      {"template_declaration", "def", "#1/declarator*|#1/name|#1/type/name",
       "#1/=class_specifier/body|#1/=struct_specifier/body"},
      {"alias_declaration", "type", "name"},
      {"concept_definition", "type", "name"},
  });
  l.merge.set_kinds.push_back({"using_declaration"});
  l.merge.section_kinds = {"access_specifier"};
  l.merge.overloads = true;
  return l;
}

LanguageProfile java() {
  LanguageProfile l;
  l.name = "java";
  l.grammar = tree_sitter_java;
  l.extensions = {".java"};
  l.function_kinds = {"method_declaration", "constructor_declaration", "lambda_expression"};
  l.branch_kinds = {"if_statement", "for_statement", "enhanced_for_statement", "while_statement", "do_statement",
                    "switch_label", "catch_clause", "ternary_expression"};
  l.logical_kinds = {"binary_expression"};
  l.logical_operators = k_logical;
  l.nesting_kinds = {"if_statement", "for_statement", "enhanced_for_statement", "while_statement", "do_statement",
                     "switch_expression", "try_statement"};
  l.comment_kinds = {"line_comment", "block_comment"};
  l.scope_kinds = {"class_declaration", "interface_declaration", "enum_declaration", "record_declaration",
                   "annotation_type_declaration", "object_creation_expression"};
  l.typed_signatures = true;
  l.loop_kinds = {"for_statement", "enhanced_for_statement", "while_statement", "do_statement"};
  l.merge.declarations = {
      {"class_declaration", "type", "name", "body"},
      {"interface_declaration", "type", "name", "body"},
      {"record_declaration", "type", "name", "body"},
      {"enum_declaration", "type", "name"},
      {"annotation_type_declaration", "type", "name"},
      {"method_declaration", "def", "name", ""},
      {"constructor_declaration", "def", "name", ""},
      {"field_declaration", "var", "declarator/name"},
      {"constant_declaration", "var", "declarator/name"},
  };
  l.merge.set_kinds = {{"import_declaration", "#0/scope|#0"}};
  l.merge.overloads = true;
  return l;
}

LanguageProfile go() {
  LanguageProfile l;
  l.name = "go";
  l.grammar = tree_sitter_go;
  l.extensions = {".go"};
  l.function_kinds = {"function_declaration", "method_declaration", "func_literal"};
  l.branch_kinds = {"if_statement", "for_statement", "expression_case", "type_case", "communication_case"};
  l.logical_kinds = {"binary_expression"};
  l.logical_operators = k_logical;
  l.nesting_kinds = {"if_statement", "for_statement", "expression_switch_statement", "type_switch_statement",
                     "select_statement"};
  l.comment_kinds = {"comment"};
  l.loop_kinds = {"for_statement"};
  l.merge.declarations = {
      {"function_declaration", "def", "name"},
      {"method_declaration", "def", "receiver/#0/type+name"},
      {"type_declaration", "type", "#0/name"},
      {"const_declaration", "def", "#0/name", "."},
      {"var_declaration", "def", "#0/name", "."},
      {"const_spec", "def", "name"},
      {"var_spec", "def", "name"},
      {"import_declaration", "import", "", "@import_spec_list"},
  };
  l.merge.set_kinds = {{"import_spec", "path"}};
  return l;
}

LanguageProfile rust() {
  LanguageProfile l;
  l.name = "rust";
  l.grammar = tree_sitter_rust;
  l.extensions = {".rs"};
  l.function_kinds = {"function_item", "closure_expression"};
  l.branch_kinds = {"if_expression", "for_expression", "while_expression", "loop_expression", "match_arm"};
  l.logical_kinds = {"binary_expression"};
  l.logical_operators = k_logical;
  l.nesting_kinds = {"if_expression", "for_expression", "while_expression", "loop_expression", "match_expression"};
  l.comment_kinds = {"line_comment", "block_comment"};
  l.scope_kinds = {"impl_item", "trait_item", "mod_item"};
  l.scope_separator = "::";
  l.loop_kinds = {"for_expression", "while_expression", "loop_expression"};
  l.merge.declarations = {
      {"function_item", "def", "name"},
      {"function_signature_item", "def", "name"},
      {"struct_item", "type", "name"},
      {"enum_item", "type", "name"},
      {"union_item", "type", "name"},
      {"type_item", "type", "name"},
      {"trait_item", "type", "name", "body"},
      {"impl_item", "impl", "trait+type", "body"},
      {"mod_item", "mod", "name", "body"},
      {"const_item", "def", "name"},
      {"static_item", "def", "name"},
      {"macro_definition", "macro", "name"},
      {"associated_type", "type", "name"},
  };
  l.merge.set_kinds = {{"use_declaration", "argument/path|argument"}, {"extern_crate_declaration", "name"}};
  l.merge.glue_kinds = {"attribute_item"};
  return l;
}

} // namespace

const std::vector<LanguageProfile>& languages() {
  static const std::vector<LanguageProfile> k_languages = {
      python(),
      javascript_family("javascript", tree_sitter_javascript, {".js", ".mjs", ".cjs", ".jsx"}, false),
      javascript_family("typescript", tree_sitter_typescript, {".ts", ".mts", ".cts"}, true),
      javascript_family("tsx", tree_sitter_tsx, {".tsx"}, true),
      c_family(false),
      c_family(true),
      java(),
      go(),
      rust(),
  };
  return k_languages;
}

} // namespace scan
