#pragma once
// A finding, in the two shapes the scanner hands out: what the matcher found in a file's content
// (Finding: content only, so it is cached by blob id), and the same finding placed in a repository
// (Located: a Finding plus its path, commit, its rule's labels and its queue row). Printing and the
// queue keep views of their own: cli::Row (one printed line, made from a Located or a queue row) and
// queue::Opportunity (the row the queue stores).

#include "scan/rule.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace scan {

struct Capture {
  std::string name;
  uint32_t start_byte = 0, end_byte = 0;
};

struct Finding {
  std::string rule_id;
  int start_line = 0, end_line = 0;       // 1-based, inclusive
  uint32_t start_byte = 0, end_byte = 0;
  std::string message;
  core::Safety safety = core::Safety::safe; // the rule's, or suggest where the code does not establish the
                                            // rule's type assumption (Rule::assumption) or the fix does not
                                            // cover the match; safe sets no limit beyond the rule's
  std::string snippet;                    // the matched text's first line, trimmed
  std::string node_hash;                  // normalised text + ancestor kinds (+ occurrence): stable across line shifts
  std::string deferred_check;             // a path/repository check still to run (apply_context)
  std::string subject;                    // what the deferred check looks at (e.g. a function name)
  int subject_start_line = 0, subject_end_line = 0;
  std::vector<Capture> captures;
  unsigned contexts = 0;                  // contexts the syntax tree puts it in (scan/code_context.hpp:
                                          // type_checking, codegen); the path's are the scanner's
  std::string fingerprint;                // set by apply_context (adds rule and path)
};

// A finding with where it was found, for printing (scan command output, ci reports).
struct Located {
  std::string path;
  std::string commit;
  std::string rule_id, severity;            // copied: the engine may be gone when this is read
  core::Category category = core::Category::code_quality;
  core::Safety safety = core::Safety::suggest;
  Finding finding;
  bool is_new = false;
  int64_t id = 0;            // the queue row
  std::string status;        // the queue row's status
  std::string skipped_context; // not reported: the context its rule skips (status "skipped"), else empty
};

// `finding` of `rule` at `path` in `commit` ("" for the work tree), with status `status`: the rule's
// labels, and the stricter of the rule's safety and the finding's (a suggestion where the fix's
// assumption is not established). Not new, not queued: the caller sets is_new, id, skipped_context.
inline Located locate(const Finding& finding, const Rule& rule, std::string path, std::string commit,
                      std::string status) {
  Located l;
  l.path = std::move(path);
  l.commit = std::move(commit);
  l.rule_id = rule.id;
  l.category = rule.category;
  l.severity = rule.severity;
  l.safety = core::stricter(rule.safety, finding.safety);
  l.finding = finding;
  l.status = std::move(status);
  return l;
}

} // namespace scan
