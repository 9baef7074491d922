#include "scan/checks.hpp"

#include "scan/checks_c.hpp"
#include "scan/function_identity.hpp"

#include <cstring>

namespace scan {

namespace {

const char* const k_loop_kinds[] = {"for_statement", "for_range_loop", "while_statement", "do_statement",
                                    "for_in_statement", "enhanced_for_statement", "for_expression",
                                    "while_expression", "loop_expression"};
const char* const k_function_kinds[] = {"function_definition", "function_declaration", "method_definition",
                                        "lambda_expression", "arrow_function", "function_expression",
                                        "method_declaration", "function_item", "func_literal"};

bool kind_in(const char* kind, const char* const* begin, const char* const* end) {
  for (auto it = begin; it != end; ++it)
    if (!std::strcmp(kind, *it)) return true;
  return false;
}

// A loop encloses the node before any function boundary does.
bool inside_loop(TSNode node) {
  for (TSNode a = ts_node_parent(node); !ts_node_is_null(a); a = ts_node_parent(a)) {
    const char* t = ts_node_type(a);
    if (kind_in(t, std::begin(k_loop_kinds), std::end(k_loop_kinds))) return true;
    if (kind_in(t, std::begin(k_function_kinds), std::end(k_function_kinds))) return false;
  }
  return false;
}

bool overlaps(int a0, int a1, const std::vector<std::pair<int, int>>& ranges) {
  for (const auto& [b0, b1] : ranges)
    if (a0 <= b1 && b0 <= a1) return true;
  return false;
}

} // namespace

CheckOutcome run_check(const std::string& name, const CheckInput& input) {
  CheckOutcome out;
  if (name.empty()) return out;
  if (name == "inside-loop") {
    out.keep = inside_loop(input.node);
  } else if (name == "unchecked-allocation") {
    out.keep = allocation_unchecked(input);
  } else if (name == "real-cast") {
    out.keep = is_real_cast(input);
  } else if (name == "unbounded-copy") {
    out.keep = copy_may_overflow(input);
  } else if (name == "parameter-only-read") {
    out.keep = parameter_only_read(input);
  } else if (name == "cpp-only-code") {
    out.keep = !compiled_as_c_too(input.source);
    // Which file it is is known only with the context: a .h that shows no C++ may be C.
    if (out.keep && !shows_cpp_syntax(input.source)) out.deferred_check = name;
  } else if (name == "outside-tests") {
    out.deferred_check = name;
  } else if (name == "untested-public-function") {
    // @name is the function's name; the function is the reported node.
    for (const auto& c : input.captures)
      if (c.name == "name") out.subject = std::string(input.source.substr(c.start_byte, c.end_byte - c.start_byte));
    // An @overload stub is no function of its own: the implementation after it is the one reported.
    if (out.subject.empty() || out.subject[0] == '_' || is_overload_stub(input.node, input.source)) {
      out.keep = false;
      return out;
    }
    out.deferred_check = name;
    out.subject_start_line = static_cast<int>(ts_node_start_point(input.node).row) + 1;
    out.subject_end_line = static_cast<int>(ts_node_end_point(input.node).row) + 1;
  }
  return out;
}

bool apply_deferred_check(const Finding& finding, const FileContext& context) {
  if (finding.deferred_check.empty()) return true;
  if (finding.deferred_check == "outside-tests") return !context.is_test_file;
  if (finding.deferred_check == "cpp-only-code") {
    // A C-looking header: C++-only spellings would break the C files that include it. (`.H` is C++.)
    const std::string& p = context.path;
    return !(p.size() >= 2 && p.compare(p.size() - 2, 2, ".h") == 0);
  }
  if (finding.deferred_check == "untested-public-function") {
    if (context.is_test_file || !context.referenced_by_tests) return false;
    if (!context.all_lines_changed &&
        !overlaps(finding.subject_start_line, finding.subject_end_line, context.changed_lines))
      return false;
    return !context.referenced_by_tests(finding.subject);
  }
  return true;
}

} // namespace scan
