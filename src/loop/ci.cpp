#include "loop/ci.hpp"

#include "core/glob.hpp"
#include "scan/code_context.hpp"
#include "scan/repo_language.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_set>

namespace loop {

namespace {

const std::vector<std::string> k_severity_order = {"error", "warning", "info"};


int severity_rank(const std::string& severity) {
  if (severity == "error") return 2;
  if (severity == "warning") return 1;
  if (severity == "info") return 0;
  return -1;
}

bool overlaps(int a0, int a1, const std::vector<std::pair<int, int>>& ranges) {
  for (const auto& [b0, b1] : ranges)
    if (a0 <= b1 && b0 <= a1) return true;
  return false;
}

// Identifiers of one commit's test files, read on first use: the untested-public-function check
// asks whether a test mentions a function (as the commit scanner answers it).
class TestWords {
public:
  TestWords(const git::Repository& repo, const core::Config& config, std::string commit)
      : m_repo(repo), m_config(config), m_commit(std::move(commit)) {}

  // True when a test file names `name`, or when the commit has no test files at all (the check
  // stays silent rather than flag every function).
  bool referenced(const std::string& name) {
    std::call_once(m_once, [this] { load(); });
    return !m_words || m_words->count(name) > 0;
  }

private:
  void load() {
    std::unordered_set<std::string> words;
    bool any = false;
    for (const auto& e : m_repo.list_files(m_commit)) {
      if (!core::glob_any(m_config.scan.test_paths, e.path)) continue;
      any = true;
      if (m_repo.blob_size(e.blob) > static_cast<size_t>(m_config.scan.max_file_size)) continue;
      const std::string text = m_repo.read_blob(e.blob);
      for (size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        if (!(std::isalpha(c) || c == '_')) {
          ++i;
          continue;
        }
        size_t j = i + 1;
        while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
        words.emplace(text, i, j - i);
        i = j;
      }
    }
    if (any) m_words = std::move(words);
  }

  const git::Repository& m_repo;
  const core::Config& m_config;
  std::string m_commit;
  std::once_flag m_once;
  std::optional<std::unordered_set<std::string>> m_words;
};

// One file version to match.
struct Version {
  std::string path;
  std::string blob;
  const scan::LanguageProfile* language = nullptr;
  std::string content;
  scan::FileResult result;
};

// A file the range adds or modifies.
struct Changed {
  Version head;
  std::string blob;                 // head's blob id
  std::optional<Version> base;      // modified: the file at base (when it was scannable there)
  bool added = false;
  bool moved = false;               // added with the exact content of a file the range deleted
  std::vector<std::pair<int, int>> changed_lines;
};

// Matches every version with the engine, `threads` at a time (the engine is thread-safe), but those
// `cache` knows; tells `cache` what was parsed.
void match_all(const scan::Engine& engine, const std::vector<Version*>& todo, int threads, ResultCache* cache,
               RangeReport& report) {
  std::vector<Version*> parse;
  std::set<std::string> seen;
  for (Version* v : todo) {
    if (cache)
      if (auto known = cache->find(v->blob, *v->language, v->content)) {
        v->result = std::move(*known);
        ++report.versions_reused;
        continue;
      }
    parse.push_back(v);
  }
  std::vector<scan::ScanJob> jobs;
  for (const Version* v : parse) jobs.push_back({v->language, v->content});
  std::vector<scan::FileResult> results = engine.scan_many(jobs, static_cast<unsigned>(std::max(1, threads)));
  for (size_t i = 0; i < parse.size(); ++i) {
    parse[i]->result = std::move(results[i]);
    if (cache && seen.insert(parse[i]->blob).second) cache->parsed(parse[i]->blob, parse[i]->result);
  }
  report.versions_parsed += static_cast<int>(parse.size());
}

// A version's findings after the path and repository checks, with fingerprints.
std::vector<scan::Finding> in_context(const Version& v, const core::Config& config, TestWords& tests,
                                      bool all_changed, const std::vector<std::pair<int, int>>& changed) {
  if (v.result.timed_out) return {};
  scan::FileContext context;
  context.path = v.path;
  context.is_test_file = core::glob_any(config.scan.test_paths, v.path);
  context.all_lines_changed = all_changed;
  context.changed_lines = changed;
  context.referenced_by_tests = [&tests](const std::string& name) { return tests.referenced(name); };
  return scan::apply_context(v.result.findings, v.content, context);
}

// What moves preserve: a finding without its path.
std::string moved_key(const scan::Finding& f) { return f.rule_id + '\0' + f.node_hash; }

// Text for Markdown outside code spans: table pipes, HTML and line breaks neutralised.
std::string md_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '|': out += "\\|"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '\n':
    case '\r': out += ' '; break;
    default: out += c;
    }
  }
  return out;
}

// A Markdown code span (shown verbatim, on one line) that survives backticks in `text`.
std::string md_code(const std::string& text) {
  std::string flat = text;
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  std::replace(flat.begin(), flat.end(), '\r', ' ');
  if (flat.find('`') == std::string::npos) return "`" + flat + "`";
  return "`` " + flat + " ``";
}

std::string plural(size_t n, const std::string& word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

} // namespace

RangeReport scan_range(const git::Repository& repo, const scan::Engine& engine, const core::Config& config,
                       const std::string& base, const std::string& head, ResultCache* cache) {
  RangeReport report;
  report.base = base;
  report.head = head;

  // 1. What the range changed: scannable head versions, their base versions, and deleted files.
  std::vector<Changed> files;
  std::vector<Version> deleted;
  std::set<std::string> deleted_blobs;
  scan::RepoLanguages languages(repo);
  core::Logger quiet;
  scan::RepoProvenance provenance(repo, config, quiet);
  auto eligible = [&](const std::string& path, const std::string& blob, unsigned mode) -> std::optional<Version> {
    if (mode == 0120000 || scan::skip_reason(config, path, repo.blob_size(blob))) return std::nullopt;
    // Vendored and generated files as the scanner sees them at head (scan/provenance.hpp).
    if (provenance.of(head, path, nullptr)) return std::nullopt;
    Version v;
    v.path = path;
    v.blob = blob;
    v.content = repo.read_blob(blob);
    v.language = languages.of(head, path, v.content);
    if (scan::content_skip_reason(v.content) == std::optional<std::string>("binary") || provenance.of(head, path, &v.content))
      return std::nullopt;
    return v;
  };
  for (const auto& change : repo.diff_commits(base, head)) {
    if (change.kind == git::Change::Kind::deleted) {
      deleted_blobs.insert(change.old_blob);
      if (auto v = eligible(change.path, change.old_blob, change.mode)) deleted.push_back(std::move(*v));
      continue;
    }
    ++report.files_changed;
    auto v = eligible(change.path, change.new_blob, change.mode);
    if (!v) continue;
    ++report.files_scanned;
    Changed c;
    c.head = std::move(*v);
    c.added = change.kind == git::Change::Kind::added;
    c.blob = change.new_blob;
    // A base version too large to scan counts as absent: the file is compared as if added.
    if (!c.added && repo.blob_size(change.old_blob) > static_cast<size_t>(config.scan.max_file_size)) c.added = true;
    if (!c.added) {
      std::string old_content = repo.read_blob(change.old_blob);
      c.changed_lines = git::changed_line_ranges(old_content, c.head.content);
      if (!scan::content_skip_reason(old_content)) {
        Version b;
        b.path = change.path;
        b.blob = change.old_blob;
        b.language = c.head.language;
        b.content = std::move(old_content);
        c.base = std::move(b);
      }
    }
    files.push_back(std::move(c));
  }
  for (auto& c : files) c.moved = c.added && deleted_blobs.count(c.blob) > 0;

  // 2. Match head, base and (for added files of the same language) deleted versions.
  std::set<const scan::LanguageProfile*> added_languages;
  std::vector<Version*> todo;
  for (auto& c : files) {
    if (c.moved) continue;
    todo.push_back(&c.head);
    if (c.base) todo.push_back(&*c.base);
    if (c.added) added_languages.insert(c.head.language);
  }
  std::vector<Version*> sources;
  for (auto& d : deleted)
    if (added_languages.count(d.language)) sources.push_back(&d);
  todo.insert(todo.end(), sources.begin(), sources.end());
  match_all(engine, todo, config.scan.threads, cache, report);

  // 3. Compare.
  TestWords head_tests(repo, config, head), base_tests(repo, config, base);
  std::map<const scan::LanguageProfile*, std::set<std::string>> moved_keys;
  for (const Version* d : sources)
    for (const auto& f : in_context(*d, config, base_tests, true, {})) moved_keys[d->language].insert(moved_key(f));
  std::map<std::string, const scan::Rule*> rules;
  for (const auto& r : engine.rules()) rules[r.id] = &r;

  scan::PathExists at_head = [&](const std::string& p) { return repo.entry_at(head, p).has_value(); };
  for (auto& c : files) {
    if (c.moved) continue;
    const auto now = in_context(c.head, config, head_tests, c.added, c.changed_lines);
    // Where a rule does not apply (tests, examples, ...: scan/code_context.hpp) nothing is introduced.
    const scan::FileContexts head_contexts = scan::file_contexts(config, c.head.path, at_head);
    std::set<std::string> before;
    std::map<std::string, int> count_before, count_now;
    if (c.base)
      for (const auto& f : in_context(*c.base, config, base_tests, true, {})) {
        before.insert(f.fingerprint);
        ++count_before[f.rule_id];
      }
    for (const auto& f : now) ++count_now[f.rule_id];
    const auto& keys = moved_keys[c.head.language];
    for (const auto& f : now) {
      if (before.count(f.fingerprint)) continue;
      if (c.added && keys.count(moved_key(f))) continue;
      bool on_changed_lines = c.added || overlaps(f.start_line, f.end_line, c.changed_lines);
      if (!on_changed_lines && count_now[f.rule_id] <= count_before[f.rule_id]) continue;
      auto rule = rules.find(f.rule_id);
      if (rule == rules.end()) continue;
      const scan::Rule& r = *rule->second;
      if (scan::skipped_context(r, head_contexts, f.contexts)) continue;
      report.introduced.push_back(scan::locate(f, r, c.head.path, head, "new"));
      report.introduced.back().is_new = true;
    }
  }
  std::sort(report.introduced.begin(), report.introduced.end(), [](const scan::Located& a, const scan::Located& b) {
    if (a.path != b.path) return a.path < b.path;
    if (a.finding.start_line != b.finding.start_line) return a.finding.start_line < b.finding.start_line;
    return a.rule_id < b.rule_id;
  });
  return report;
}

bool blocks(const std::vector<std::string>& block_on, core::Category category, const std::string& severity) {
  for (const auto& entry : block_on) {
    if (core::category_named(entry) == category) return true;
    int threshold = severity_rank(entry);
    if (threshold >= 0 && severity_rank(severity) >= threshold) return true;
  }
  return false;
}

std::vector<const scan::Located*> blocking(const RangeReport& report, const std::vector<std::string>& block_on) {
  std::vector<const scan::Located*> out;
  for (const auto& l : report.introduced)
    if (blocks(block_on, l.category, l.severity)) out.push_back(&l);
  return out;
}

std::string format_markdown(const RangeReport& report, const std::vector<std::string>& block_on) {
  const size_t n = report.introduced.size();
  const size_t failing = blocking(report, block_on).size();
  std::string out = "### git-autoloop: ";
  if (n == 0) out += "no new findings\n\n";
  else out += plural(n, "new finding") + (failing ? ", " + std::to_string(failing) + " blocking" : "") + "\n\n";

  std::string on;
  for (const auto& b : block_on) on += (on.empty() ? "" : ", ") + md_code(b);
  out += md_code(report.base.substr(0, 12) + ".." + report.head.substr(0, 12)) + ": " +
         plural(static_cast<size_t>(report.files_changed), "changed file") + ", " +
         std::to_string(report.files_scanned) + " scanned. Fails on: " + (on.empty() ? "nothing" : on) + ".\n";
  if (n == 0) return out;

  // Counts by category and severity, in a fixed order; categories without findings are left out.
  std::map<std::pair<core::Category, std::string>, int> counts;
  for (const auto& l : report.introduced) ++counts[{l.category, l.severity}];
  out += "\n| category | error | warning | info | total |\n|:--|--:|--:|--:|--:|\n";
  for (core::Category category : core::all_values<core::Category>()) {
    int total = 0;
    std::string cells;
    for (const auto& severity : k_severity_order) {
      int c = counts.count({category, severity}) ? counts.at({category, severity}) : 0;
      total += c;
      cells += " " + std::to_string(c) + " |";
    }
    if (total == 0) continue;
    out += "| " + md_text(std::string(core::to_string(category))) + " |" + cells + " " + std::to_string(total) + " |\n";
  }

  out += "\n";
  for (const auto& l : report.introduced) {
    out += "- ";
    if (blocks(block_on, l.category, l.severity)) out += "**blocking** ";
    out += md_text(l.severity) + " " + md_code(l.path + ":" + std::to_string(l.finding.start_line)) + " " +
           md_code(l.rule_id) + ": " + md_text(l.finding.message) + "\n";
  }
  return out;
}

} // namespace loop
