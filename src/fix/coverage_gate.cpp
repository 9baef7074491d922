#include "fix/coverage_gate.hpp"

#include "git/repo.hpp"

#include <algorithm>
#include <exception>
#include <set>
#include <vector>

namespace fix {

namespace {

int count_lines(const std::string& text) {
  int n = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  return !text.empty() && text.back() != '\n' ? n + 1 : n;
}

// Rule 1: the fix's changed lines, in fix_text's numbering.
std::set<int> changed_lines(const std::string& parent_text, const std::string& fix_text) {
  std::set<int> out;
  const int last = count_lines(fix_text);
  for (const auto& h : git::line_hunks(parent_text, fix_text)) {
    if (h.new_lines > 0) {
      for (int l = h.new_start; l < h.new_start + h.new_lines; ++l) out.insert(l);
    } else if (last > 0) {
      // A pure deletion: git numbers it after the line before it; the line after it is what now runs
      // where the deleted lines did (the last line when the end of the file went).
      out.insert(std::min(h.new_start + 1, last));
    }
  }
  return out;
}

// Rule 2: `lines` (ascending, fix_text's numbering) at the tip; lines changed again there are dropped.
std::vector<int> map_to_tip(const std::set<int>& lines, const std::string& fix_text, const std::string& tip_text) {
  if (fix_text == tip_text) return {lines.begin(), lines.end()};
  const auto hunks = git::line_hunks(fix_text, tip_text);
  std::vector<int> out;
  std::size_t h = 0;
  long long offset = 0;
  for (int line : lines) {
    // Hunks wholly before `line` shift it; an insertion numbered at `line` comes after it.
    while (h < hunks.size()) {
      const auto& t = hunks[h];
      const bool before = t.old_lines > 0 ? t.old_start + t.old_lines - 1 < line : t.old_start < line;
      if (!before) break;
      offset += t.new_lines - t.old_lines;
      ++h;
    }
    if (h < hunks.size() && hunks[h].old_lines > 0 && hunks[h].old_start <= line) continue; // changed again
    out.push_back(static_cast<int>(line + offset));
  }
  return out;
}

std::string line_list(const std::vector<int>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < 5; ++i) out += (i ? ", " : "") + std::to_string(lines[i]);
  if (lines.size() > 5) out += ", ...";
  return out;
}

std::string plural(int n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

} // namespace

Execution check_executed(const metrics::LineCoverage& report, const FixLines& fix) {
  Execution e;
  const metrics::FileCoverage* file = report.file(fix.path);
  std::vector<int> mapped;
  try {
    const auto changed = changed_lines(fix.parent_text, fix.fix_text);
    e.changed = static_cast<int>(changed.size());
    mapped = map_to_tip(changed, fix.fix_text, fix.tip_text);
  } catch (const std::exception& error) {
    e.reason = fix.path + ": no line diff (" + error.what() + ")";
    return e;
  }
  e.mapped = static_cast<int>(mapped.size());
  if (!file) {
    e.reason = fix.path + " is not in the coverage report";
    return e;
  }
  if (e.changed == 0) {
    e.reason = fix.path + ": the fix changes no line";
    return e;
  }
  if (mapped.empty()) {
    e.reason = fix.path + ": every changed line was changed again by a later fix";
    return e;
  }
  std::vector<int> unrun;
  for (int line : mapped) {
    auto hits = file->hits(line);
    if (!hits) continue;
    ++e.instrumented;
    if (*hits > 0) ++e.ran;
    else unrun.push_back(line);
  }
  if (e.instrumented > 0) {
    e.executed = e.ran > 0 ? Executed::yes : Executed::no;
    e.reason = e.ran > 0 ? fix.path + ": the tests run " + std::to_string(e.ran) + " of its " + plural(e.changed, "changed line")
                         : fix.path + ": the tests run none of its changed lines (line " + line_list(unrun) + " at the tip)";
    return e;
  }
  const metrics::LineHits* before = file->instrumented_before(mapped.front());
  if (!before) {
    e.reason = fix.path + ": no changed line is instrumented, nor any line before line " + std::to_string(mapped.front());
    return e;
  }
  e.decided_by = before->line;
  e.executed = before->hits > 0 ? Executed::yes : Executed::no;
  e.reason = fix.path + ": no changed line is instrumented; line " + std::to_string(before->line) + " before them " +
             (before->hits > 0 ? "ran" : "never ran");
  return e;
}

Execution combine(const std::vector<Execution>& files) {
  Execution out;
  bool all_no = !files.empty();
  for (const auto& f : files) {
    out.changed += f.changed;
    out.mapped += f.mapped;
    out.instrumented += f.instrumented;
    out.ran += f.ran;
    if (f.executed == Executed::yes) {
      out.executed = Executed::yes;
      if (!out.decided_by && f.ran == 0) out.decided_by = f.decided_by;
    }
    if (f.executed != Executed::no) all_no = false;
    out.reason += (out.reason.empty() ? "" : "; ") + f.reason;
  }
  if (out.executed != Executed::yes && all_no) out.executed = Executed::no;
  if (out.executed == Executed::yes && out.ran > 0) out.decided_by = 0;
  if (files.empty()) out.reason = "the fix changes no file";
  return out;
}

Report read_report(const std::filesystem::path& tree, const std::string& report, const std::set<std::string>& paths) {
  Report r;
  if (report.empty()) {
    r.why_unknown = "no metrics.coverage_report is configured";
    return r;
  }
  try {
    r.coverage = metrics::read_line_coverage(tree / report, tree, &paths);
    if (!r.coverage) r.why_unknown = "the tests wrote no " + report;
  } catch (const std::exception& e) {
    r.coverage.reset();
    r.why_unknown = e.what();
  }
  return r;
}

std::set<std::string> changed_paths(const git::Repository& repo, const std::string& base, const std::string& tip) {
  std::set<std::string> out;
  for (const auto& change : repo.diff_commits(base, tip)) out.insert(change.path);
  return out;
}

Execution check_commit(const git::Repository& repo, const Report& report, const std::string& commit, const std::string& tip) {
  auto unknown = [](std::string reason) {
    Execution e;
    e.reason = std::move(reason);
    return e;
  };
  if (!report.coverage) return unknown(report.why_unknown.empty() ? "no coverage report" : report.why_unknown);
  const auto info = repo.commit_info(commit);
  std::vector<Execution> files;
  for (const auto& change : repo.diff_commits(info.parents.empty() ? "" : info.parents.front(), commit)) {
    if (change.kind == git::Change::Kind::deleted) {
      files.push_back(unknown(change.path + ": the fix deletes the file"));
      continue;
    }
    auto at_tip = repo.entry_at(tip, change.path);
    if (!at_tip) {
      files.push_back(unknown(change.path + ": gone at the tested commit"));
      continue;
    }
    files.push_back(check_executed(*report.coverage, {change.path, change.old_blob.empty() ? "" : repo.read_blob(change.old_blob),
                                                      repo.read_blob(change.new_blob), repo.read_blob(at_tip->blob)}));
  }
  return combine(files);
}

std::string validated_tests(const Execution& e) {
  switch (e.executed) {
  case Executed::yes:
    if (e.ran > 0) return "tests (executed: " + plural(e.ran, "changed line") + ")";
    return "tests (executed: the line before the change)";
  case Executed::no:
    return std::string(k_tests_not_executed);
  case Executed::unknown:
    break;
  }
  return std::string(k_tests_coverage_unknown);
}

std::string tests_caveat(std::string_view validated_trailer) {
  if (validated_trailer.find(k_tests_coverage_unknown) != std::string_view::npos)
    return "tests ran, but coverage is unknown: no sign that they execute this change";
  if (validated_trailer.find(k_tests_not_executed) != std::string_view::npos)
    return "tests ran, but the coverage report shows they never execute this change";
  return "";
}

} // namespace fix
