#include "scan/scanner.hpp"

#include "core/fs.hpp"
#include "core/glob.hpp"
#include "core/score.hpp"
#include "metrics/regression.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <exception>
#include <limits>
#include <stdexcept>
#include <set>

namespace scan {

namespace {

// Files read, matched and written together at most (scan_commits, scan_all): memory stays flat.
constexpr size_t k_batch_files = 256;
constexpr size_t k_batch_bytes = 16u << 20;

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

bool overlaps(int a0, int a1, const std::vector<std::pair<int, int>>& ranges) {
  for (const auto& [b0, b1] : ranges)
    if (a0 <= b1 && b0 <= a1) return true;
  return false;
}

void tokenize(std::string_view text, std::unordered_set<std::string>& words) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isalpha(c) || c == '_') {
      size_t j = i + 1;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
      words.emplace(text.substr(i, j - i));
      i = j;
    } else {
      ++i;
    }
  }
}

// The fingerprint of the regression suggestion of one function.
std::string regression_fingerprint(const std::string& path, const std::string& function) {
  return hash_hex(std::string(k_regression_rule) + '\0' + path + '\0' + function);
}

} // namespace

struct CommitScanner::FileJob {
  std::string path;
  std::string blob;
  const LanguageProfile* language = nullptr;
  std::string content;
  bool all_changed = true;
  bool mark_new = true;                   // false for whole-tree scans: nothing there is "new"
  std::vector<std::pair<int, int>> changed;  // when !all_changed: filled by write() for files with findings
  std::optional<FileResult> result;
  bool from_cache = false;
  std::string old_blob;                   // the previous version, for a modified file
};

std::optional<std::string> skip_reason(const core::Config& config, const std::string& path, size_t size) {
  const LanguageProfile* lang = language_for_path(path);
  if (!lang) return "unsupported language";
  auto enabled = [&](std::string_view name) {
    return config.languages.empty() ||
           std::find(config.languages.begin(), config.languages.end(), name) != config.languages.end();
  };
  // A ".h" header may turn out C or C++ once read: it is eligible when either is enabled.
  if (!enabled(lang->name) && !(is_ambiguous_header(path) && enabled("cpp"))) return "language not enabled";
  if (core::glob_any(config.scan.exclude, path)) return "excluded";
  if (size > static_cast<size_t>(config.scan.max_file_size))
    return "larger than " + std::to_string(config.scan.max_file_size) + " bytes";
  return std::nullopt;
}

std::optional<std::string> content_skip_reason(std::string_view content) {
  if (std::memchr(content.data(), '\0', std::min<size_t>(content.size(), 8000))) return "binary";
  if (auto p = classify_content("", content))
    return p->reason.rfind("generated: minified", 0) == 0 ? "minified" : "generated";
  return std::nullopt;
}

namespace {

// "<total> <noun> <what> (<key>: <n>; ...)", the five largest counts first; "" when there are none.
std::string largest_first(const std::map<std::string, int>& by_key, const char* one, const char* many,
                          const char* what) {
  int total = 0;
  std::vector<std::pair<int, std::string>> order;
  for (const auto& [key, n] : by_key) {
    total += n;
    order.emplace_back(-n, key);
  }
  if (total == 0) return "";
  std::sort(order.begin(), order.end());
  std::string out = std::to_string(total) + " " + (total == 1 ? one : many) + " " + what + " (";
  for (size_t i = 0; i < order.size(); ++i) {
    if (i == 5) {
      out += "; ...";
      break;
    }
    out += (i ? "; " : "") + order[i].second + ": " + std::to_string(-order[i].first);
  }
  return out + ")";
}

// The JSON object the store keeps under `key`; an empty object when there is none or it is not one.
nlohmann::json state_object(const queue::Store& store, const char* key) {
  if (auto saved = store.state(key)) {
    try {
      auto j = nlohmann::json::parse(*saved);
      if (j.is_object()) return j;
    } catch (const std::exception&) {
    }
  }
  return nlohmann::json::object();
}

} // namespace

std::string provenance_summary(const std::map<std::string, int>& by_reason) {
  return largest_first(by_reason, "file", "files", "skipped as vendored or generated");
}

std::map<std::string, int> saved_provenance(const queue::Store& store) {
  std::map<std::string, int> out;
  const nlohmann::json saved = state_object(store, k_provenance_state);
  for (const auto& [path, reason] : saved.items())
    if (reason.is_string()) ++out[reason.get<std::string>()];
  return out;
}

std::string to_payload(const FileResult& r) {
  nlohmann::json j;
  j["v"] = 4; // 2: per-finding safety; 3: function identity; 4: region contexts
  j["language"] = r.language;
  j["lines"] = r.lines;
  j["debt"] = r.debt_markers;
  j["errors"] = r.syntax_errors;
  j["timed_out"] = r.timed_out;
  auto& fs = j["findings"] = nlohmann::json::array();
  for (const auto& f : r.findings) {
    nlohmann::json caps = nlohmann::json::array();
    for (const auto& c : f.captures) caps.push_back({c.name, c.start_byte, c.end_byte});
    fs.push_back({{"rule", f.rule_id}, {"l", {f.start_line, f.end_line}}, {"b", {f.start_byte, f.end_byte}},
                  {"msg", f.message}, {"safety", core::to_string(f.safety)}, {"snip", f.snippet}, {"h", f.node_hash}, {"chk", f.deferred_check},
                  {"subj", f.subject}, {"sl", {f.subject_start_line, f.subject_end_line}}, {"caps", caps},
                  {"ctx", f.contexts}});
  }
  auto& fn = j["functions"] = nlohmann::json::array();
  for (const auto& m : r.functions)
    fn.push_back({m.name, m.start_line, m.end_line, m.complexity, m.length, m.nesting, m.qualified, m.signature, m.kind,
                  m.key, m.label});
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

// Reads a payload (to_payload's JSON) straight into a FileResult through nlohmann's SAX interface: the
// same lexer and the same refusals as building the document first, at half the instructions (the
// document and its lookups were a fifth of a no-op rescan of ten files). Payloads may be hostile (the
// notes ref, loop/notes.hpp): every field is required once, typed, integers within their type's range;
// anything else makes the payload unreadable. Keys it does not know are skipped.
class PayloadReader : public nlohmann::json_sax<nlohmann::json> {
public:
  // The result once the whole text was read and was a complete payload of this version.
  std::optional<FileResult> take() {
    if (!m_done) return std::nullopt;
    return std::move(m_result);
  }

  bool null() override { return scalar(Scalar{}); }
  bool boolean(bool v) override {
    Scalar x;
    x.type = Scalar::boolean;
    x.flag = v;
    return scalar(x);
  }
  bool number_integer(number_integer_t v) override {
    Scalar x;
    x.type = Scalar::integer;
    x.negative = v < 0;
    if (x.negative) x.value = v;
    else x.unsigned_value = static_cast<uint64_t>(v);
    return scalar(x);
  }
  bool number_unsigned(number_unsigned_t v) override {
    Scalar x;
    x.type = Scalar::integer;
    x.unsigned_value = v;
    return scalar(x);
  }
  bool number_float(number_float_t, const string_t&) override {
    Scalar x;
    x.type = Scalar::floating;
    return scalar(x);
  }
  bool string(string_t& v) override {
    Scalar x;
    x.type = Scalar::string;
    x.chars = &v;
    return scalar(x);
  }
  bool binary(binary_t&) override { return false; }
  bool key(string_t& k) override {
    Frame& f = m_stack.back();
    if (f.in != In::root && f.in != In::finding) return true; // inside a skipped value
    f.field = field_of(f.in, k);
    if (f.field < 0) return true;
    const unsigned bit = 1u << f.field;
    if (f.seen & bit) return false; // to_payload writes each key once
    f.seen |= bit;
    return true;
  }
  bool start_object(std::size_t) override { return open(false); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
  enum class In { root, findings, finding, pair, caps, cap, functions, function, skip };
  // The fields of the root object and of a finding, by bit; all are required.
  enum RootField { r_v, r_language, r_lines, r_debt, r_errors, r_timed_out, r_findings, r_functions, r_count };
  enum FindingField { f_rule, f_l, f_b, f_msg, f_safety, f_snip, f_h, f_chk, f_subj, f_sl, f_caps, f_ctx, f_count };
  struct Frame {
    In in;
    int field = -1;      // root, finding: the key being read (-1: one it does not know)
    unsigned seen = 0;   // root, finding: the keys read
    size_t index = 0;    // pair, cap, function: the element being read
  };
  struct Scalar {
    enum Type { null, boolean, integer, floating, string } type = null;
    bool flag = false;
    bool negative = false;      // integer: `value` holds it; else `unsigned_value`
    int64_t value = 0;
    uint64_t unsigned_value = 0;
    std::string* chars = nullptr;  // string: the lexer's, taken by the field that reads it
  };

  static int field_of(In in, const std::string& k) {
    static const char* const root[] = {"v", "language", "lines", "debt", "errors", "timed_out", "findings", "functions"};
    static const char* const finding[] = {"rule", "l", "b", "msg", "safety", "snip", "h", "chk", "subj", "sl", "caps", "ctx"};
    const auto* names = in == In::root ? root : finding;
    const int n = in == In::root ? static_cast<int>(r_count) : static_cast<int>(f_count);
    for (int i = 0; i < n; ++i)
      if (k == names[i]) return i;
    return -1;
  }

  // An integer within T's range (a cast of an out-of-range value would be undefined).
  template <class T> static bool integer(const Scalar& x, T& out) {
    if (x.type != Scalar::integer) return false;
    if (x.negative) {
      if (x.value < static_cast<int64_t>(std::numeric_limits<T>::min())) return false;
      out = static_cast<T>(x.value);
      return true;
    }
    if (x.unsigned_value > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
    out = static_cast<T>(x.unsigned_value);
    return true;
  }
  static bool text(const Scalar& x, std::string& out) {
    if (x.type != Scalar::string) return false;
    out = std::move(*x.chars);
    return true;
  }

  template <class Kind> static bool kind(const Scalar& x, Kind& out) {
    if (x.type != Scalar::string) return false;
    std::optional<Kind> value = core::parse<Kind>(*x.chars);
    if (value) out = *value;
    return value.has_value();
  }

  bool scalar(const Scalar& x) {
    if (m_stack.empty()) return false; // the payload is an object
    Frame& f = m_stack.back();
    switch (f.in) {
    case In::skip: return true;
    case In::root: return root_scalar(f.field, x);
    case In::finding: return finding_scalar(f.field, x);
    case In::pair: {
      if (f.index >= 2) return false;
      Finding& g = m_result.findings.back();
      const int which = m_stack[m_stack.size() - 2].field;
      const size_t i = f.index++;
      if (which == f_b) return integer(x, i == 0 ? g.start_byte : g.end_byte);
      if (which == f_l) return integer(x, i == 0 ? g.start_line : g.end_line);
      return integer(x, i == 0 ? g.subject_start_line : g.subject_end_line);
    }
    case In::cap: {
      Capture& c = m_result.findings.back().captures.back();
      switch (f.index++) {
      case 0: return text(x, c.name);
      case 1: return integer(x, c.start_byte);
      case 2: return integer(x, c.end_byte);
      default: return false;
      }
    }
    case In::function: {
      FunctionMetric& m = m_result.functions.back();
      switch (f.index++) {
      case 0: return text(x, m.name);
      case 1: return integer(x, m.start_line);
      case 2: return integer(x, m.end_line);
      case 3: return integer(x, m.complexity);
      case 4: return integer(x, m.length);
      case 5: return integer(x, m.nesting);
      case 6: return text(x, m.qualified);
      case 7: return text(x, m.signature);
      case 8: return text(x, m.kind);
      case 9: return text(x, m.key);
      case 10: return text(x, m.label);
      default: return false;
      }
    }
    default: return false; // a list of objects or tuples holding a bare value
    }
  }

  bool root_scalar(int field, const Scalar& x) {
    int version = 0;
    switch (field) {
    case r_v: return integer(x, version) && version == 4;
    case r_language: return text(x, m_result.language);
    case r_lines: return integer(x, m_result.lines);
    case r_debt: return integer(x, m_result.debt_markers);
    case r_errors: return integer(x, m_result.syntax_errors);
    case r_timed_out:
      m_result.timed_out = x.flag;
      return x.type == Scalar::boolean;
    case -1: return true;
    default: return false; // findings, functions: lists
    }
  }

  bool finding_scalar(int field, const Scalar& x) {
    Finding& g = m_result.findings.back();
    switch (field) {
    case f_rule: return text(x, g.rule_id);
    case f_msg: return text(x, g.message);
    case f_safety: return kind(x, g.safety);
    case f_snip: return text(x, g.snippet);
    case f_h: return text(x, g.node_hash);
    case f_chk: return text(x, g.deferred_check);
    case f_subj: return text(x, g.subject);
    case f_ctx: return integer(x, g.contexts);
    case -1: return true;
    default: return false; // l, b, sl, caps: lists
    }
  }

  bool open(bool is_array) {
    if (m_stack.empty()) {
      if (is_array || m_done) return false;
      m_stack.push_back({In::root});
      return true;
    }
    Frame& f = m_stack.back();
    In next = In::skip;
    switch (f.in) {
    case In::skip: break;
    case In::root:
      if (f.field == r_findings && is_array) next = In::findings;
      else if (f.field == r_functions && is_array) next = In::functions;
      else if (f.field != -1) return false;
      break;
    case In::finding:
      if ((f.field == f_l || f.field == f_b || f.field == f_sl) && is_array) next = In::pair;
      else if (f.field == f_caps && is_array) next = In::caps;
      else if (f.field != -1) return false;
      break;
    case In::findings:
      if (is_array) return false;
      m_result.findings.emplace_back();
      next = In::finding;
      break;
    case In::caps:
      if (!is_array) return false;
      m_result.findings.back().captures.emplace_back();
      next = In::cap;
      break;
    case In::functions:
      if (!is_array) return false;
      m_result.functions.emplace_back();
      next = In::function;
      break;
    default: return false; // tuples hold no lists or objects
    }
    m_stack.push_back({next});
    return true;
  }

  bool close() {
    const Frame f = m_stack.back();
    m_stack.pop_back();
    switch (f.in) {
    case In::root:
      m_done = f.seen == (1u << r_count) - 1;
      return m_done;
    case In::finding: return f.seen == (1u << f_count) - 1;
    case In::pair: return f.index == 2;
    case In::cap: return f.index == 3;
    case In::function: return f.index == 11;
    default: return true;
    }
  }

  std::vector<Frame> m_stack;
  FileResult m_result;
  bool m_done = false;
};

} // namespace

std::optional<FileResult> from_payload(const std::string& payload) {
  PayloadReader reader;
  try {
    if (!nlohmann::json::sax_parse(payload, &reader)) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return reader.take();
}

CommitScanner::CommitScanner(const git::Repository& repo, queue::Store& store, const Engine& engine,
                             const core::Config& config, core::Logger& log)
    : m_repo(repo), m_store(store), m_engine(engine), m_config(config), m_log(log), m_languages(repo),
      m_provenance(repo, config, log) {
  for (const auto& r : engine.rules()) m_rules_by_id[r.id] = &r;
}

void CommitScanner::scan_files(const std::string& commit, std::vector<FileJob>& jobs, ScanStats& stats) {
  (void)commit;
  // The batch's blobs and their previous versions, looked up in one query.
  std::vector<std::string> blobs;
  for (const auto& job : jobs) {
    blobs.push_back(job.blob);
    if (!job.old_blob.empty()) blobs.push_back(job.old_blob);
  }
  std::map<std::string, std::string> cached = m_store.cached_payloads(blobs, m_engine.ruleset_hash());
  m_old_payloads.clear();
  for (const auto& job : jobs)
    if (auto it = cached.find(job.old_blob); !job.old_blob.empty() && it != cached.end())
      m_old_payloads.emplace(job.old_blob, it->second);
  std::vector<FileJob*> todo;
  for (auto& job : jobs) {
    if (auto payload = cached.find(job.blob); payload != cached.end()) {
      // A header parsed as the other language before (the repository gained C++ sources) is parsed again.
      if ((job.result = from_payload(payload->second)) && job.result->language == job.language->name) {
        job.from_cache = true;
        ++stats.cached;
        continue;
      }
    }
    job.result.reset();
    todo.push_back(&job);
  }
  if (todo.empty()) return;
  std::vector<ScanJob> scans;
  for (const FileJob* job : todo) scans.push_back({job->language, job->content});
  auto t0 = Clock::now();
  std::vector<FileResult> results = m_engine.scan_many(scans, static_cast<unsigned>(m_config.scan.threads));
  stats.parse_ms += ms_since(t0);
  for (size_t i = 0; i < todo.size(); ++i) todo[i]->result = std::move(results[i]);
}

bool CommitScanner::referenced_by_tests(const std::string& commit, const std::string& name) {
  if (m_tests_commit != commit) {
    m_tests_commit = commit;
    m_test_words.reset();
    std::unordered_set<std::string> words;
    bool any = false;
    for (const auto& e : m_repo.list_files(commit)) {
      if (!core::glob_any(m_config.scan.test_paths, e.path)) continue;
      any = true;
      auto it = m_words_by_blob.find(e.blob);
      if (it == m_words_by_blob.end()) {
        std::unordered_set<std::string> w;
        if (m_repo.blob_size(e.blob) <= static_cast<size_t>(m_config.scan.max_file_size)) tokenize(m_repo.read_blob(e.blob), w);
        it = m_words_by_blob.emplace(e.blob, std::move(w)).first;
      }
      words.insert(it->second.begin(), it->second.end());
    }
    if (any) m_test_words = std::move(words);
  }
  // No tests at all: the coverage check stays silent rather than flag every function.
  if (!m_test_words) return true;
  return m_test_words->count(name) > 0;
}

void CommitScanner::write(const std::string& commit, std::vector<FileJob>& jobs, const std::vector<std::string>& deleted,
                          ScanStats& stats, std::vector<Located>* out) {
  auto now = static_cast<int64_t>(std::time(nullptr));
  queue::Transaction txn = m_store.begin();
  for (auto& job : jobs) {
    if (!job.result) continue;
    const FileResult& result = *job.result;
    ++stats.files;
    stats.bytes += job.content.size();
    if (!job.from_cache) m_store.put_cached_payload(job.blob, m_engine.ruleset_hash(), to_payload(result));
    if (result.timed_out) {
      m_log.warn("{}: parse timed out; not scanned", job.path);
      continue;
    }
    // Which lines the commit changed matters only to findings (is_new, the coverage check): a file
    // without any (most of a no-op rescan) is not diffed, and its previous version not read.
    if (!job.all_changed && !result.findings.empty())
      job.changed = git::changed_line_ranges(m_repo.read_blob(job.old_blob), job.content);
    FileContext context;
    context.path = job.path;
    const FileContexts file_contexts = contexts_of(commit, job.path);
    context.is_test_file = (file_contexts.all & bit(CodeContext::tests)) != 0;
    context.all_lines_changed = job.all_changed;
    context.changed_lines = job.changed;
    bool needs_tests = std::any_of(result.findings.begin(), result.findings.end(),
                                   [](const Finding& f) { return f.deferred_check == "untested-public-function"; });
    if (needs_tests && !context.is_test_file)
      context.referenced_by_tests = [this, &commit](const std::string& name) { return referenced_by_tests(commit, name); };
    std::vector<Finding> findings = apply_context(result.findings, job.content, context);
    std::vector<std::string> present;
    int counts[4] = {0, 0, 0, 0};
    int new_security = 0;
    std::set<std::string> new_security_rules;
    auto& context_skips = m_context_seen[job.path];
    context_skips.clear();
    for (auto& f : findings) {
      auto rit = m_rules_by_id.find(f.rule_id);
      if (rit == m_rules_by_id.end()) continue; // cached result of a rule that is gone (cannot happen: hash)
      const Rule& rule = *rit->second;
      // Where the rule does not apply: not queued, not present (a row queued before is resolved), counted.
      if (auto where = skipped_context(rule, file_contexts, f.contexts)) {
        const std::string label = rule.id + " in " + *where;
        ++stats.context_skipped;
        ++stats.contexts[label];
        ++context_skips[label];
        m_log.debug("{}:{}: {} not reported in {}", job.path, f.start_line, rule.id, *where);
        if (out) {
          out->push_back(locate(f, rule, job.path, commit, "skipped"));
          out->back().skipped_context = *where;
        }
        continue;
      }
      queue::Opportunity o;
      o.fingerprint = f.fingerprint;
      o.rule_id = rule.id;
      o.origin = rule.origin == RuleOrigin::repository ? core::Origin::repository_rule : core::Origin::rule;
      o.category = rule.category;
      o.severity = rule.severity;
      o.safety = core::stricter(rule.safety, f.safety); // suggest where the rule's assumption is not established
      o.path = job.path;
      o.start_line = f.start_line;
      o.end_line = f.end_line;
      o.start_byte = f.start_byte;
      o.end_byte = f.end_byte;
      o.blob = job.blob;
      o.commit_id = commit;
      o.message = f.message;
      o.snippet = f.snippet;
      o.is_new = job.mark_new && (job.all_changed || overlaps(f.start_line, f.end_line, job.changed));
      o.score = core::base_score(m_config.improvement_priorities, rule.category, rule.severity);
      o.first_seen = o.last_seen = now;
      present.push_back(f.fingerprint);
      // scope: changed_lines queues only what the commit's own lines introduced; the rest stays
      // "present" so existing rows are not resolved by the narrower view.
      if (m_config.scope == "changed_lines" && job.mark_new && !o.is_new) continue;
      switch (m_store.upsert_opportunity(o)) {
      case queue::UpsertResult::inserted:
        ++stats.inserted;
        if (o.is_new && rule.category == core::Category::security_fixes) {
          ++new_security;
          new_security_rules.insert(rule.id);
        }
        break;
      case queue::UpsertResult::reopened: ++stats.reopened; break;
      default: break;
      }
      ++stats.findings;
      ++counts[static_cast<size_t>(rule.category)];
      if (out) {
        out->push_back(locate(f, rule, job.path, commit, std::string(core::to_string(o.status))));
        out->back().is_new = o.is_new;
        out->back().id = o.id;
      }
    }
    // A regression suggestion stays open while its function is over the threshold. Suggestions queued
    // before functions had identities (issue 12 §6) are keyed by the bare name: kept open the same way.
    for (const auto& fn : result.functions)
      if (fn.complexity > m_config.metrics.complexity_threshold) {
        present.push_back(regression_fingerprint(job.path, fn.key));
        present.push_back(regression_fingerprint(job.path, fn.name));
      }
    if (!job.old_blob.empty() && job.mark_new) record_complexity(commit, job, present, stats);
    if (new_security) {
      std::string rules;
      for (const auto& id : new_security_rules) rules += (rules.empty() ? "" : ", ") + id;
      stats.notices.push_back(commit.substr(0, 7) + ": " + std::to_string(new_security) + " new security finding" +
                              (new_security == 1 ? "" : "s") + " in " + job.path + " (" + rules + ")");
      m_store.record_metric_event({commit, "security", job.path, rules, 0, static_cast<double>(new_security), "", 0});
    }
    // Providers' rows are judged by their own runs (loop/provider_scan.hpp), not by the rules' view.
    stats.resolved += m_store.resolve_absent(job.path, present, commit, [this](int64_t id) { return alive_elsewhere(id); },
                                             {queue::ResolveScope::Kind::not_providers, ""});

    queue::Store::FileMetrics fm;
    fm.commit_id = commit;
    fm.path = job.path;
    fm.language = result.language;
    fm.lines = result.lines;
    fm.functions = static_cast<int>(result.functions.size());
    for (const auto& fn : result.functions) {
      fm.complexity_total += fn.complexity;
      fm.complexity_max = std::max(fm.complexity_max, fn.complexity);
      fm.nesting_max = std::max(fm.nesting_max, fn.nesting);
    }
    fm.debt_markers = result.debt_markers;
    auto of = [&](core::Category c) { return counts[static_cast<size_t>(c)]; };
    fm.findings_security = of(core::Category::security_fixes);
    fm.findings_performance = of(core::Category::performance_issues);
    fm.findings_quality = of(core::Category::code_quality);
    fm.findings_tests = of(core::Category::test_coverage);
    m_store.put_file_metrics(fm);
    std::vector<queue::Store::FunctionMetrics> fms;
    for (const auto& fn : result.functions)
      fms.push_back({commit, job.path, fn.label, fn.start_line, fn.end_line, fn.complexity, fn.length, fn.nesting, fn.key});
    m_store.put_function_metrics(fms);
  }
  for (const auto& path : deleted)
    stats.resolved += m_store.resolve_absent(path, {}, commit, [this](int64_t id) { return alive_elsewhere(id); });
  txn.commit();
}

bool CommitScanner::alive_elsewhere(int64_t id) {
  if (!m_lineage) m_lineage = std::make_unique<Lineage>(m_repo, m_store, m_config.side_branch_prefix);
  return m_lineage->alive_on_a_branch(id);
}

std::optional<std::vector<FunctionMetric>> CommitScanner::functions_of(const std::string& blob,
                                                                        const LanguageProfile& language) {
  std::optional<std::string> payload;
  if (auto it = m_old_payloads.find(blob); it != m_old_payloads.end()) payload = it->second;
  else payload = m_store.cached_payload(blob, m_engine.ruleset_hash());
  if (payload)
    if (auto cached = from_payload(*payload); cached && cached->language == language.name) return cached->functions;
  if (m_repo.blob_size(blob) > static_cast<size_t>(m_config.scan.max_file_size)) return std::nullopt;
  std::string content = m_repo.read_blob(blob);
  if (content_skip_reason(content)) return std::nullopt;
  FileResult result = m_engine.scan(language, content);
  if (result.timed_out) return std::nullopt;
  m_store.put_cached_payload(blob, m_engine.ruleset_hash(), to_payload(result));
  return result.functions;
}

void CommitScanner::record_complexity(const std::string& commit, const FileJob& job, std::vector<std::string>& present,
                                      ScanStats& stats) {
  const FileResult& result = *job.result;
  auto old = functions_of(job.old_blob, *job.language);
  if (!old) return;
  auto samples = [](const std::vector<FunctionMetric>& fns) {
    std::vector<metrics::FunctionSample> out;
    for (const auto& f : fns) out.push_back({f.label, f.start_line, f.end_line, f.complexity, f.key, f.qualified, f.name});
    return out;
  };
  const int threshold = m_config.metrics.complexity_threshold;
  const auto now = static_cast<int64_t>(std::time(nullptr));
  for (const auto& c : metrics::complexity_changes(samples(*old), samples(result.functions), threshold,
                                                   m_config.metrics.complexity_delta)) {
    const bool regression = c.kind == metrics::ComplexityChange::Kind::regression;
    // A function without a counterpart in the old version is new: it did not rise from 0.
    std::string detail = c.before == 0 ? "new function " + c.name + " has complexity " + std::to_string(c.after)
                                       : "complexity of " + c.name + " " + (regression ? "rose" : "fell") + " from " +
                                             std::to_string(c.before) + " to " + std::to_string(c.after);
    m_store.record_metric_event({commit, regression ? "regression" : "improvement", job.path, c.name,
                                 static_cast<double>(c.before), static_cast<double>(c.after), detail, 0});
    if (!regression) {
      ++stats.improvements;
      continue;
    }
    ++stats.regressions;
    queue::Opportunity o;
    o.fingerprint = regression_fingerprint(job.path, c.key);
    // A suggestion queued before functions had identities is keyed by the bare name: that row (open,
    // or rejected, which must stay so) goes on standing for the function.
    for (const auto& fn : result.functions) {
      if (fn.key != c.key) continue;
      const std::string legacy = regression_fingerprint(job.path, fn.name);
      queue::OpportunityFilter filter;
      filter.path = job.path;
      filter.rule_id = k_regression_rule;
      for (const auto& old : m_store.opportunities(filter))
        if (old.fingerprint == legacy) o.fingerprint = legacy;
      break;
    }
    o.rule_id = k_regression_rule;
    o.category = core::Category::code_quality;
    o.severity = "warning";
    o.safety = core::Safety::suggest;
    o.path = job.path;
    o.start_line = c.start_line;
    o.end_line = c.end_line;
    o.blob = job.blob;
    o.commit_id = commit;
    o.message = (c.before == 0 ? "New function " + c.name + " has cyclomatic complexity " + std::to_string(c.after)
                               : "The cyclomatic " + detail) +
                " (threshold " + std::to_string(threshold) +
                "): consider splitting it into smaller functions";
    o.is_new = true;
    o.score = core::base_score(m_config.improvement_priorities, o.category, o.severity);
    o.first_seen = o.last_seen = now;
    m_store.upsert_opportunity(o);
    present.push_back(o.fingerprint);
    stats.notices.push_back(commit.substr(0, 7) + ": " + detail + " (" + job.path + ":" + std::to_string(c.start_line) +
                            "); queued as suggestion #" + std::to_string(o.id));
  }
}

std::optional<CommitScanner::FileJob> CommitScanner::make_job(const std::string& commit, const std::string& path, const std::string& blob,
                                                             unsigned mode, ScanStats& stats) {
  // Symlinks are not source; then the cheap checks (name, size) before reading the blob.
  std::optional<std::string> why;
  if (mode == 0120000) why = "symlink";
  else if (!core::is_contained_path(path)) why = "path outside the work tree";
  else why = skip_reason(m_config, path, m_repo.blob_size(blob));
  FileJob job;
  std::optional<Provenance> provenance;
  if (!why) provenance = m_provenance.of(commit, path, nullptr);
  if (!why && !provenance) {
    job.path = path;
    job.blob = blob;
    job.content = m_repo.read_blob(blob);
    job.language = m_languages.of(commit, path, job.content);
    if (std::memchr(job.content.data(), '\0', std::min<size_t>(job.content.size(), 8000))) why = "binary";
    else provenance = m_provenance.of(commit, path, &job.content);
    if (!why && !provenance && !m_config.languages.empty() &&
        std::find(m_config.languages.begin(), m_config.languages.end(), job.language->name) == m_config.languages.end())
      why = "language not enabled";
  }
  if (provenance) {
    ++stats.skipped;
    ++stats.vendored;
    ++stats.provenance[provenance->reason];
    m_provenance_seen[path] = provenance->reason;
    m_log.debug("skip {}: {}", path, provenance->reason);
    return std::nullopt;
  }
  if (why) {
    ++stats.skipped;
    m_log.debug("skip {}: {}", path, *why);
    return std::nullopt;
  }
  m_provenance_seen[path] = std::nullopt;
  return job;
}

const Attributes& RepoProvenance::attributes_of(const std::string& commit) {
  if (commit == m_attributes_commit) return m_attributes;
  m_attributes_commit = commit;
  auto entry = m_repo.entry_at(commit, ".gitattributes");
  std::string blob = entry && entry->mode != 0120000 ? entry->blob : "";
  if (blob == m_attributes_blob) return m_attributes;
  m_attributes_blob = blob;
  m_attributes = Attributes();
  if (blob.empty()) return m_attributes;
  // Repository data: read only when small (a huge blob is not inflated), parsed within caps.
  if (m_repo.blob_size(blob) > k_max_attributes_bytes) {
    m_log.warn(".gitattributes at {} is larger than {} bytes; its linguist marks are ignored", commit.substr(0, 12),
               k_max_attributes_bytes);
    return m_attributes;
  }
  m_attributes = Attributes::parse(m_repo.read_blob(blob));
  return m_attributes;
}

std::optional<Provenance> RepoProvenance::of(const std::string& commit, const std::string& path,
                                             const std::string* content) {
  if (core::glob_any(m_config.scan.include_vendored, path)) return std::nullopt;
  const bool detect = m_config.scan.vendored != "off";
  bool forced = false;
  if (!content) {
    PathExists exists = [&](const std::string& p) { return m_repo.entry_at(commit, p).has_value(); };
    return classify_path(path, attributes_of(commit), exists, detect, &forced);
  }
  // The text checks, unless .gitattributes says the file is the project's own.
  classify_path(path, attributes_of(commit), {}, false, &forced);
  if (forced || !detect) return std::nullopt;
  return classify_content(path, *content);
}

void CommitScanner::save_provenance(bool replace) {
  if (m_provenance_seen.empty() && !replace) return;
  nlohmann::json known = replace ? nlohmann::json::object() : state_object(m_store, k_provenance_state);
  for (const auto& [path, reason] : m_provenance_seen) {
    if (reason && known.size() < k_max_provenance_paths) known[path] = *reason;
    else if (!reason) known.erase(path);
  }
  m_provenance_seen.clear();
  m_store.set_state(k_provenance_state, known.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

FileContexts CommitScanner::contexts_of(const std::string& commit, const std::string& path) {
  if (commit != m_conftest_commit) {
    m_conftest_commit = commit;
    m_conftest_dirs.clear();
  }
  PathExists exists = [&](const std::string& p) {
    auto [it, added] = m_conftest_dirs.emplace(p, false);
    if (added) it->second = m_repo.entry_at(commit, p).has_value();
    return it->second;
  };
  return file_contexts(m_config, path, exists);
}

void CommitScanner::save_contexts(bool replace) {
  if (m_context_seen.empty() && !replace) return;
  nlohmann::json known = replace ? nlohmann::json::object() : state_object(m_store, k_context_state);
  for (const auto& [path, counts] : m_context_seen) {
    if (counts.empty()) known.erase(path);
    else if (known.size() < k_max_provenance_paths) known[path] = counts;
  }
  m_context_seen.clear();
  m_store.set_state(k_context_state, known.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string context_summary(const std::map<std::string, int>& by_label) {
  return largest_first(by_label, "finding", "findings", "not reported in their context");
}

std::map<std::string, int> saved_contexts(const queue::Store& store) {
  std::map<std::string, int> out;
  const nlohmann::json saved = state_object(store, k_context_state);
  for (const auto& [path, counts] : saved.items())
    if (counts.is_object())
      for (const auto& [label, n] : counts.items())
        if (n.is_number_integer()) out[label] += n.get<int>();
  return out;
}

void CommitScanner::record_reverts(const std::string& commit) {
  // `git revert` writes "This reverts commit <sha>." into the message.
  const std::string marker = "This reverts commit ";
  std::string message = m_repo.commit_info(commit).message;
  for (size_t at = message.find(marker); at != std::string::npos; at = message.find(marker, at + 1)) {
    std::string sha = message.substr(at + marker.size(), 40);
    // Every fix the reverted commit holds: one, or a sweep's (fix/sweep.hpp), each reverted once.
    for (const auto& accepted : m_store.attempts_by_commit(sha)) {
      if (accepted.outcome != core::Outcome::accepted) continue;
      auto o = m_store.opportunity(accepted.opportunity_id);
      if (!o || o->status == core::Status::reverted) continue;
      auto txn = m_store.begin();
      m_store.set_status(accepted.opportunity_id, core::Status::reverted);
      m_store.record_verdict(accepted.opportunity_id, "reverted", "reverted by " + commit.substr(0, 12), commit);
      queue::Attempt a;
      a.opportunity_id = accepted.opportunity_id;
      a.side_commit = commit;
      a.outcome = core::Outcome::reverted;
      a.branch = accepted.branch;
      m_store.record_attempt(a);
      txn.commit();
      m_log.info("commit {} reverts the accepted fix #{}", commit.substr(0, 12), accepted.opportunity_id);
    }
  }
}

ScanStats CommitScanner::scan_commits(const std::vector<std::string>& commits, bool force, std::vector<Located>* out) {
  ScanStats stats;
  for (const auto& commit : commits) {
    if (!force && m_store.is_commit_scanned(commit)) continue;
    auto t0 = Clock::now();
    auto parents = m_repo.parents(commit);
    std::string parent = parents.empty() ? std::string() : parents.front();
    std::vector<FileJob> jobs;
    std::vector<std::string> deleted;
    // Big commits are read, matched and written in bounded batches so memory stays flat.
    size_t batch_bytes = 0;
    int files_in_commit = 0;
    auto flush = [&] {
      scan_files(commit, jobs, stats);
      write(commit, jobs, deleted, stats, out);
      files_in_commit += static_cast<int>(jobs.size());
      jobs.clear();
      deleted.clear();
      batch_bytes = 0;
    };
    for (const auto& change : m_repo.diff_commits(parent, commit)) {
      if (jobs.size() >= k_batch_files || batch_bytes >= k_batch_bytes) flush();
      if (change.kind == git::Change::Kind::deleted) {
        if (language_for_path(change.path)) deleted.push_back(change.path);
        m_provenance_seen[change.path] = std::nullopt;
        m_context_seen[change.path].clear();
        continue;
      }
      auto made = make_job(commit, change.path, change.new_blob, change.mode, stats);
      if (!made) continue;
      FileJob& job = *made;
      // The previous version is read only under the same size cap (a huge old blob, say 4 GiB of zeros
      // that compress to 4 MiB, must not be inflated): over it, the file counts as added.
      // The changed lines are diffed in write(), only when the file has findings to judge by them.
      if (change.kind == git::Change::Kind::modified &&
          m_repo.blob_size(change.old_blob) <= static_cast<size_t>(m_config.scan.max_file_size)) {
        job.all_changed = false;
        job.old_blob = change.old_blob;
      }
      batch_bytes += job.content.size();
      jobs.push_back(std::move(*made));
    }
    flush();
    record_reverts(commit);
    m_store.mark_commit_scanned(commit, files_in_commit, stats.findings, ms_since(t0));
    ++stats.commits;
  }
  save_provenance(false);
  save_contexts(false);
  return stats;
}

ScanStats CommitScanner::scan_all(const std::string& commit, std::vector<Located>* out, const Progress& progress) {
  ScanStats stats;
  auto files = m_repo.list_files(commit);
  // Bounded batches (files and bytes, as scan_commits) keep memory flat on large trees.
  std::vector<FileJob> jobs;
  size_t batch_bytes = 0, done = 0;
  auto flush = [&] {
    scan_files(commit, jobs, stats);
    // Whole-tree findings are pre-existing, not new; the coverage check still considers every function.
    for (auto& job : jobs) job.mark_new = false;
    write(commit, jobs, {}, stats, out);
    jobs.clear();
    batch_bytes = 0;
    if (progress) progress(done, files.size());
  };
  for (const auto& e : files) {
    if (jobs.size() >= k_batch_files || batch_bytes >= k_batch_bytes) flush();
    ++done;
    if (auto job = make_job(commit, e.path, e.blob, e.mode, stats)) {
      batch_bytes += job->content.size();
      jobs.push_back(std::move(*job));
    }
  }
  flush();
  save_provenance(true);
  save_contexts(true);
  ++stats.commits;
  return stats;
}

} // namespace scan
