#include "scan/language.hpp"

#include <algorithm>
#include <cctype>

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

const std::vector<std::string_view> k_js_functions = {
    "function_declaration", "function_expression", "arrow_function", "method_definition",
    "generator_function_declaration", "generator_function"};
const std::vector<std::string_view> k_js_branches = {
    "if_statement", "for_statement", "for_in_statement", "while_statement", "do_statement",
    "switch_case", "catch_clause", "ternary_expression"};
const std::vector<std::string_view> k_js_nesting = {
    "if_statement", "for_statement", "for_in_statement", "while_statement", "do_statement",
    "switch_statement", "try_statement"};
const std::vector<std::string_view> k_c_branches = {
    "if_statement", "for_statement", "while_statement", "do_statement", "case_statement",
    "conditional_expression"};
const std::vector<std::string_view> k_c_nesting = {
    "if_statement", "for_statement", "while_statement", "do_statement", "switch_statement"};
const std::vector<std::string_view> k_logical = {"&&", "||"};

std::vector<LanguageProfile> build() {
  std::vector<LanguageProfile> v;
  v.push_back({"python", tree_sitter_python, {".py", ".pyi"},
               {"function_definition"},
               {"if_statement", "elif_clause", "for_statement", "while_statement", "except_clause",
                "conditional_expression", "for_in_clause", "if_clause", "case_clause"},
               {"boolean_operator"}, {"and", "or"},
               {"if_statement", "for_statement", "while_statement", "try_statement", "with_statement",
                "match_statement"},
               {"comment"}});
  v.push_back({"javascript", tree_sitter_javascript, {".js", ".mjs", ".cjs", ".jsx"},
               k_js_functions, k_js_branches, {"binary_expression"}, {"&&", "||", "??"}, k_js_nesting,
               {"comment"}});
  v.push_back({"typescript", tree_sitter_typescript, {".ts", ".mts", ".cts"},
               k_js_functions, k_js_branches, {"binary_expression"}, {"&&", "||", "??"}, k_js_nesting,
               {"comment"}});
  v.push_back({"tsx", tree_sitter_tsx, {".tsx"},
               k_js_functions, k_js_branches, {"binary_expression"}, {"&&", "||", "??"}, k_js_nesting,
               {"comment"}});
  v.push_back({"c", tree_sitter_c, {".c", ".h"},
               {"function_definition"}, k_c_branches, {"binary_expression"}, k_logical, k_c_nesting,
               {"comment"}});
  auto cpp_branches = k_c_branches;
  cpp_branches.insert(cpp_branches.end(), {"for_range_loop", "catch_clause"});
  auto cpp_nesting = k_c_nesting;
  cpp_nesting.insert(cpp_nesting.end(), {"for_range_loop", "try_statement"});
  v.push_back({"cpp", tree_sitter_cpp, {".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp", ".tpp"},
               {"function_definition", "lambda_expression"}, cpp_branches, {"binary_expression"}, k_logical,
               cpp_nesting, {"comment"}});
  v.push_back({"java", tree_sitter_java, {".java"},
               {"method_declaration", "constructor_declaration", "lambda_expression"},
               {"if_statement", "for_statement", "enhanced_for_statement", "while_statement", "do_statement",
                "switch_label", "catch_clause", "ternary_expression"},
               {"binary_expression"}, k_logical,
               {"if_statement", "for_statement", "enhanced_for_statement", "while_statement", "do_statement",
                "switch_expression", "try_statement"},
               {"line_comment", "block_comment"}});
  v.push_back({"go", tree_sitter_go, {".go"},
               {"function_declaration", "method_declaration", "func_literal"},
               {"if_statement", "for_statement", "expression_case", "type_case", "communication_case"},
               {"binary_expression"}, k_logical,
               {"if_statement", "for_statement", "expression_switch_statement", "type_switch_statement",
                "select_statement"},
               {"comment"}});
  v.push_back({"rust", tree_sitter_rust, {".rs"},
               {"function_item", "closure_expression"},
               {"if_expression", "for_expression", "while_expression", "loop_expression", "match_arm"},
               {"binary_expression"}, k_logical,
               {"if_expression", "for_expression", "while_expression", "loop_expression", "match_expression"},
               {"line_comment", "block_comment"}});
  return v;
}

} // namespace

const std::vector<LanguageProfile>& languages() {
  static const std::vector<LanguageProfile> k_languages = build();
  return k_languages;
}

const LanguageProfile* language_by_name(std::string_view name) {
  for (const auto& l : languages())
    if (l.name == name) return &l;
  return nullptr;
}

const LanguageProfile* language_for_path(std::string_view path) {
  auto slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return nullptr;
  std::string ext(base.substr(dot));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& l : languages())
    for (auto e : l.extensions)
      if (e == ext) return &l;
  return nullptr;
}

bool contains(const std::vector<std::string_view>& kinds, std::string_view kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

} // namespace scan
