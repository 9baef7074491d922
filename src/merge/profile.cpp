#include "merge/profile.hpp"

namespace merge {

namespace {

// An export's members: only when it exports a class or an interface (a function's body is not a list of
// declarations).
constexpr std::string_view k_js_wrapped_body =
    "declaration/=class_declaration/body|declaration/=abstract_class_declaration/body|"
    "declaration/=interface_declaration/body|declaration/=class/body|value/=class/body";

// A getter, a setter and a static method of one name are told apart by these keywords.
std::vector<std::string_view> js_detail_kinds() { return {"static", "get", "set"}; }

// JavaScript, TypeScript and TSX share their declarations; TypeScript adds its own.
std::vector<DeclarationRule> js_declarations(bool typescript) {
  std::vector<DeclarationRule> v = {
      {"function_declaration", "def", "name"},
      {"generator_function_declaration", "def", "name"},
      {"class_declaration", "def", "name", "body"},
      {"class", "def", "name", "body"},
      {"lexical_declaration", "def", "#0/name"},
      {"variable_declaration", "def", "#0/name"},
      {"export_statement", "def", "declaration/name|declaration/#0/name|value/name", k_js_wrapped_body},
      {"method_definition", "member", "name"},
  };
  if (!typescript) v.push_back({"field_definition", "member", "property"});
  if (typescript) {
    v.insert(v.end(), {
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
  }
  return v;
}

// C and C++: names sit at the end of a chain of declarators (pointer, function, init, reference).
std::vector<DeclarationRule> c_declarations(bool cpp) {
  std::vector<DeclarationRule> v = {
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
  if (cpp) {
    v.insert(v.end(), {
                          {"class_specifier", "type", "name", "body"},
                          {"namespace_definition", "namespace", "name", "body"},
                          {"template_declaration", "def", "#1/declarator*|#1/name|#1/type/name",
                           "#1/=class_specifier/body|#1/=struct_specifier/body"},
                          {"alias_declaration", "type", "name"},
                          {"concept_definition", "type", "name"},
                      });
  }
  return v;
}

std::vector<MergeProfile> build() {
  std::vector<MergeProfile> v;
  v.push_back({"python",
               {
                   {"function_definition", "def", "name"},
                   {"class_definition", "def", "name", "body"},
                   {"decorated_definition", "def", "definition/name", "definition/=class_definition/body"},
                   {"expression_statement", "var", "#0/left"},
               },
               {{"import_statement", "name"}, {"import_from_statement", "module_name"}, {"future_import_statement"}},
               {},
               {"decorator"},
               {},
               false,
               true});
  v.push_back({"javascript", js_declarations(false), {{"import_statement", "source"}}, {}, js_detail_kinds()});
  v.push_back({"typescript", js_declarations(true), {{"import_statement", "source"}}, {}, js_detail_kinds(), {}, true});
  v.push_back({"tsx", js_declarations(true), {{"import_statement", "source"}}, {}, js_detail_kinds(), {}, true});
  v.push_back({"c", c_declarations(false), {{"preproc_include", "path"}}, {}});
  v.push_back({"cpp", c_declarations(true), {{"preproc_include", "path"}, {"using_declaration"}}, {}, {},
               {"access_specifier"}, true});
  v.push_back({"java",
               {
                   {"class_declaration", "type", "name", "body"},
                   {"interface_declaration", "type", "name", "body"},
                   {"record_declaration", "type", "name", "body"},
                   {"enum_declaration", "type", "name"},
                   {"annotation_type_declaration", "type", "name"},
                   {"method_declaration", "def", "name", ""},
                   {"constructor_declaration", "def", "name", ""},
                   {"field_declaration", "var", "declarator/name"},
                   {"constant_declaration", "var", "declarator/name"},
               },
               {{"import_declaration", "#0/scope|#0"}},
               {},
               {},
               {},
               true});
  v.push_back({"go",
               {
                   {"function_declaration", "def", "name"},
                   {"method_declaration", "def", "receiver/#0/type+name"},
                   {"type_declaration", "type", "#0/name"},
                   {"const_declaration", "def", "#0/name", "."},
                   {"var_declaration", "def", "#0/name", "."},
                   {"const_spec", "def", "name"},
                   {"var_spec", "def", "name"},
                   {"import_declaration", "import", "", "@import_spec_list"},
               },
               {{"import_spec", "path"}},
               {}});
  v.push_back({"rust",
               {
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
               },
               {{"use_declaration", "argument/path|argument"}, {"extern_crate_declaration", "name"}},
               {"attribute_item"}});
  return v;
}

} // namespace

const std::vector<MergeProfile>& merge_profiles() {
  static const std::vector<MergeProfile> k_profiles = build();
  return k_profiles;
}

const MergeProfile* merge_profile(std::string_view language) {
  for (const auto& p : merge_profiles())
    if (p.language == language) return &p;
  return nullptr;
}

} // namespace merge
