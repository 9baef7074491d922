// scan_throughput: the scan engine's speed on real files, without git or SQLite around it.
// A benchmark, not a test: it prints figures (and JSON with --json) and asserts nothing.
//
//   scan_throughput [--threads N] [--repeat R] [--mode all|parse|metrics|full] [--json PATH]
//                   [--max-file-size BYTES] [--no-compile-breakdown] [--rule-costs] [--rules DIR]
//                   [--dump PATH] (--list FILE | PATH...)
//
// --rules DIR    overlays the rules under DIR on the built-in ones (as .autoloop/rules does), to
//                measure a rewritten rule before it lands
// --dump PATH    also writes every file's findings and function metrics from the full engine, one
//                line each, to PATH: two builds' dumps diffed prove that a change to the engine kept
//                its results
// --rule-costs   also measures each rule alone (one thread, CPU time) on up to 2 MB per language:
//                its compile time and its matching cost over a no-rule scan, slowest first
//
// Files are chosen the way the scanner chooses them (language by extension, the default
// max_file_size, binary/generated/minified content skipped), read into memory once, and scanned
// on N threads (one parser and cursor per thread, as scan::CommitScanner does) in three modes:
//   parse    Engine::syntax_errors(): the tree-sitter parse (+ an ERROR count that only descends
//            into subtrees with errors)
//   metrics  Engine::scan() with no rules: parse + error count + the query cursor with the metrics
//            pattern alone (the per-function metrics)
//   full     Engine::scan() with every built-in rule enabled: the above + the combined query,
//            predicates, checks and finding construction
// Queries are compiled before timing (reported separately: the worker pays it once per process).
// Each mode runs R times; the median is reported, as wall time (what a user waits, on this machine
// as loaded as it is) and as CPU time (what the work costs; per-file and per-language figures use
// thread CPU time). Files are taken largest first so the threads finish together.

#include "scan/engine.hpp"
#include "scan/language.hpp"
#include "scan/rule.hpp"
#include "scan/scanner.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct File {
  std::string path;
  const scan::LanguageProfile* language = nullptr;
  std::string content;
};

struct Options {
  unsigned threads = 2;
  int repeat = 3;
  std::string mode = "all";
  std::string json;
  size_t max_file_size = 1048576;
  std::string list;
  bool compile_breakdown = true;
  bool rule_costs = false;
  std::string rules_dir;
  std::string dump;
  std::vector<std::string> paths;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "scan_throughput: %s\n"
                       "usage: scan_throughput [--threads N] [--repeat R] [--mode all|parse|metrics|full] "
                       "[--json PATH] [--max-file-size BYTES] [--no-compile-breakdown] [--rule-costs] [--rules DIR] "
                       "[--dump PATH] (--list FILE | PATH...)\n", why);
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--threads") o.threads = static_cast<unsigned>(std::max(1, std::atoi(value().c_str())));
    else if (a == "--repeat") o.repeat = std::max(1, std::atoi(value().c_str()));
    else if (a == "--mode") o.mode = value();
    else if (a == "--json") o.json = value();
    else if (a == "--max-file-size") o.max_file_size = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--list") o.list = value();
    else if (a == "--no-compile-breakdown") o.compile_breakdown = false;
    else if (a == "--rule-costs") o.rule_costs = true;
    else if (a == "--rules") o.rules_dir = value();
    else if (a == "--dump") o.dump = value();
    else if (a == "-h" || a == "--help") usage("help");
    else if (!a.empty() && a[0] == '-') usage(("unknown option " + a).c_str());
    else o.paths.push_back(a);
  }
  if (o.list.empty() && o.paths.empty()) usage("no files");
  if (o.mode != "all" && o.mode != "parse" && o.mode != "metrics" && o.mode != "full") usage("bad --mode");
  return o;
}

std::vector<std::string> candidate_paths(const Options& o) {
  std::vector<std::string> out;
  if (!o.list.empty()) {
    std::ifstream in(o.list);
    if (!in) usage(("cannot read " + o.list).c_str());
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(line);
  }
  for (const auto& p : o.paths) {
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied))
        if (e.is_regular_file()) out.push_back(e.path().string());
    } else {
      out.push_back(p);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Skipped {
  int language = 0, size = 0, content = 0, unreadable = 0;
};

std::vector<File> load(const Options& o, Skipped& skipped) {
  std::vector<File> files;
  for (const auto& p : candidate_paths(o)) {
    const scan::LanguageProfile* lang = scan::language_for_path(p);
    if (!lang) {
      ++skipped.language;
      continue;
    }
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    if (ec) {
      ++skipped.unreadable;
      continue;
    }
    if (size > o.max_file_size) {
      ++skipped.size;
      continue;
    }
    // Read straight into the string (a stringstream copies it twice, which the whole-process timing
    // of astgrep.py counted against the engine).
    File f{p, lang, std::string(size, '\0')};
    std::ifstream in(p, std::ios::binary);
    if (!in.read(f.content.data(), static_cast<std::streamsize>(size))) {
      ++skipped.unreadable;
      continue;
    }
    if (scan::content_skip_reason(f.content)) {
      ++skipped.content;
      continue;
    }
    files.push_back(std::move(f));
  }
  std::stable_sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.content.size() > b.content.size(); });
  return files;
}

long vm_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::strlen(field) + 1);
  return 0;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// CPU time of the calling thread: per-file figures that other processes' load does not inflate.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct LangTotals {
  uint64_t bytes = 0;
  int files = 0;
  double seconds = 0;   // summed per-file thread CPU time
};

struct PassResult {
  double wall = 0;
  double cpu = 0;       // process CPU time of the pass (all threads)
  std::map<std::string, LangTotals> by_language;
  long findings = 0, functions = 0, syntax_errors = 0, timeouts = 0;
};

// One pass over every file on `threads` threads. `kind`: 0 parse, 1 metrics (no-rule engine), 2 full.
PassResult run_pass(const std::vector<File>& files, const scan::Engine& engine, int kind, unsigned threads) {
  struct PerThread {
    std::map<std::string, LangTotals> by_language;
    long findings = 0, functions = 0, syntax_errors = 0, timeouts = 0;
  };
  std::vector<PerThread> per(threads);
  std::atomic<size_t> next{0};
  auto work = [&](PerThread& me) {
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      const File& f = files[i];
      double t0 = thread_cpu_seconds();
      if (kind == 0) {
        int e = engine.syntax_errors(*f.language, f.content);
        if (e < 0) ++me.timeouts;
        else me.syntax_errors += e;
      } else {
        scan::FileResult r = engine.scan(*f.language, f.content);
        me.findings += static_cast<long>(r.findings.size());
        me.functions += static_cast<long>(r.functions.size());
        me.syntax_errors += r.syntax_errors;
        me.timeouts += r.timed_out;
      }
      auto& lt = me.by_language[std::string(f.language->name)];
      lt.seconds += thread_cpu_seconds() - t0;
      lt.bytes += f.content.size();
      ++lt.files;
    }
  };
  auto t0 = Clock::now();
  double c0 = process_cpu_seconds();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work, std::ref(per[t]));
  for (auto& t : pool) t.join();
  PassResult out;
  out.wall = seconds_since(t0);
  out.cpu = process_cpu_seconds() - c0;
  for (const auto& p : per) {
    for (const auto& [name, lt] : p.by_language) {
      auto& o = out.by_language[name];
      o.bytes += lt.bytes;
      o.files += lt.files;
      o.seconds += lt.seconds;
    }
    out.findings += p.findings;
    out.functions += p.functions;
    out.syntax_errors += p.syntax_errors;
    out.timeouts += p.timeouts;
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// Everything the engine says about each file, one line per finding or function, in the files' order.
void dump_results(const std::vector<File>& files, const scan::Engine& engine, const std::string& path) {
  std::ofstream out(path);
  if (!out) usage(("cannot write " + path).c_str());
  for (const File& f : files) {
    scan::FileResult r = engine.scan(*f.language, f.content);
    out << "file " << f.path << " lines " << r.lines << " errors " << r.syntax_errors << " debt " << r.debt_markers
        << " timed_out " << r.timed_out << "\n";
    for (const auto& x : r.findings) {
      out << "  finding " << x.rule_id << " " << x.start_line << "-" << x.end_line << " [" << x.start_byte << ","
          << x.end_byte << ") " << core::to_string(x.safety) << " " << x.node_hash << " contexts " << x.contexts << " deferred '"
          << x.deferred_check << "' subject '" << x.subject << "' " << x.subject_start_line << "-"
          << x.subject_end_line << " message '" << x.message << "' snippet '" << x.snippet << "'";
      for (const auto& c : x.captures) out << " @" << c.name << "[" << c.start_byte << "," << c.end_byte << ")";
      out << "\n";
    }
    for (const auto& m : r.functions)
      out << "  function " << m.key << " " << m.start_line << "-" << m.end_line << " complexity " << m.complexity
          << " length " << m.length << " nesting " << m.nesting << " label '" << m.label << "'\n";
  }
}

} // namespace

int main(int argc, char** argv) {
  Options o = parse_options(argc, argv);

  // Issue 18: rules and metrics together cost at most this much over the parse.
  constexpr double k_overhead_target_pct = 20;

  // 1. The files, as the scanner would pick them.
  Skipped skipped;
  std::vector<File> files = load(o, skipped);
  if (files.empty()) usage("no scannable files");
  uint64_t total_bytes = 0;
  std::map<std::string, std::pair<int, uint64_t>> corpus; // language -> files, bytes
  for (const auto& f : files) {
    total_bytes += f.content.size();
    auto& c = corpus[std::string(f.language->name)];
    ++c.first;
    c.second += f.content.size();
  }
  long rss_loaded_kb = vm_kb("VmRSS:");

  // 2. Engines: every built-in rule on, and none. Query compile time (CPU) is measured per language,
  //    and per rule (each alone in an engine) to name the rules that are expensive to compile.
  std::vector<scan::Rule> rules = scan::builtin_rules();
  if (!o.rules_dir.empty()) rules = scan::merge_rules(std::move(rules), scan::load_rules_dir(o.rules_dir), {}, {}, {});
  std::map<std::string, int> rules_per_language;
  for (auto& r : rules) {
    r.enabled = true;
    for (const auto& l : r.languages) ++rules_per_language[l];
  }
  size_t rule_count = rules.size();
  std::map<std::string, double> compile_ms;
  std::vector<std::pair<double, std::string>> rule_ms;
  if (o.compile_breakdown) {
    for (const auto& r : rules)
      for (const auto& l : r.languages) {
        if (!corpus.count(l)) continue;
        double best = 1e9;
        for (int attempt = 0; attempt < 2; ++attempt) { // the first compile of a language also pays page faults
          scan::Engine one({r});
          double t0 = thread_cpu_seconds();
          one.compile(*scan::language_by_name(l));
          best = std::min(best, (thread_cpu_seconds() - t0) * 1000);
        }
        rule_ms.emplace_back(best, r.id + (r.languages.size() > 1 ? " (" + l + ")" : ""));
      }
    std::sort(rule_ms.rbegin(), rule_ms.rend());
  }
  // The languages compile on the pass's threads at once, as the worker's scan threads compile them
  // when they meet their first file of each; the no-rule engine only when its pass runs.
  scan::Engine full(rules);
  scan::Engine bare({});
  const bool need_bare = o.mode == "all" || o.mode == "metrics" || o.rule_costs;
  {
    std::vector<std::string> names;
    for (const auto& [name, c] : corpus) names.push_back(name);
    std::vector<double> ms(names.size());
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < names.size();) {
        double t0 = thread_cpu_seconds();
        full.compile(*scan::language_by_name(names[i]));
        ms[i] = (thread_cpu_seconds() - t0) * 1000;
        if (need_bare) bare.compile(*scan::language_by_name(names[i]));
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < std::min<size_t>(o.threads, names.size()); ++t) pool.emplace_back(work);
    for (auto& t : pool) t.join();
    for (size_t i = 0; i < names.size(); ++i) compile_ms[names[i]] = ms[i];
  }

  std::printf("scan_throughput: %zu files, %.2f MB, %zu rules, %u threads, %d repeats\n", files.size(),
              total_bytes / 1e6, rule_count, o.threads, o.repeat);
  std::printf("  skipped: %d unsupported language, %d over %zu bytes, %d binary/generated/minified, %d unreadable\n",
              skipped.language, skipped.size, o.max_file_size, skipped.content, skipped.unreadable);
  for (const auto& [name, c] : corpus)
    std::printf("  %-11s %5d files %8.2f MB  %2d rules  query compile %6.1f ms CPU\n", name.c_str(), c.first,
                c.second / 1e6, rules_per_language[name], compile_ms[name]);
  if (!rule_ms.empty()) {
    std::printf("  slowest rules to compile alone:");
    for (size_t i = 0; i < rule_ms.size() && i < 5; ++i)
      std::printf("%s %s %.1f ms", i ? "," : "", rule_ms[i].second.c_str(), rule_ms[i].first);
    std::printf("\n");
  }

  // 3. The passes, interleaved so that drift (thermal, neighbours) hits every mode alike.
  const char* names[3] = {"parse", "metrics", "full"};
  std::vector<int> kinds;
  for (int k = 0; k < 3; ++k)
    if (o.mode == "all" || o.mode == names[k]) kinds.push_back(k);
  std::vector<std::vector<double>> walls(3), cpus(3);
  std::vector<PassResult> last(3);
  std::vector<std::map<std::string, LangTotals>> lang_sum(3);
  for (int r = 0; r < o.repeat; ++r) {
    for (int k : kinds) {
      PassResult p = run_pass(files, k == 1 ? bare : full, k, o.threads);
      walls[k].push_back(p.wall);
      cpus[k].push_back(p.cpu);
      for (const auto& [name, lt] : p.by_language) {
        auto& s = lang_sum[k][name];
        s.bytes += lt.bytes;
        s.files += lt.files;
        s.seconds += lt.seconds;
      }
      last[k] = std::move(p);
    }
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  long peak_kb = usage.ru_maxrss;

  // 4. Figures. Wall time is what a user waits on this machine as loaded as it is; CPU time is
  //    what the work costs (MB per CPU-second), which other processes' load does not change.
  const double mb = total_bytes / 1e6;
  std::printf("\n  %-8s %8s %8s %9s %8s %10s %9s %9s\n", "mode", "wall s", "MB/s", "files/s", "CPU s", "MB/CPU-s",
              "findings", "functions");
  double wall[3] = {0, 0, 0}, cpu[3] = {0, 0, 0};
  for (int k : kinds) {
    wall[k] = median(walls[k]);
    cpu[k] = median(cpus[k]);
    std::printf("  %-8s %8.3f %8.2f %9.0f %8.3f %10.2f %9ld %9ld\n", names[k], wall[k], mb / wall[k],
                files.size() / wall[k], cpu[k], mb / cpu[k], last[k].findings, last[k].functions);
  }
  bool have_all = kinds.size() == 3;
  auto pct = [](double a, double b) { return (a - b) / b * 100; };
  if (have_all) {
    std::printf("\n  overhead over parse (CPU): full %+.1f%% = metrics (the cursor with the metrics pattern alone) %+.1f%% + rules (their patterns, predicates, checks, findings) %+.1f%%\n",
                pct(cpu[2], cpu[0]), pct(cpu[1], cpu[0]), (cpu[2] - cpu[1]) / cpu[0] * 100);
    std::printf("  overhead over parse (wall): full %+.1f%% = metrics %+.1f%% + rules %+.1f%%\n",
                pct(wall[2], wall[0]), pct(wall[1], wall[0]), (wall[2] - wall[1]) / wall[0] * 100);
    std::printf("  rules + metrics over parse: %+.1f%% CPU (target <= %.0f%%): %s\n", pct(cpu[2], cpu[0]),
                k_overhead_target_pct, pct(cpu[2], cpu[0]) <= k_overhead_target_pct ? "met" : "missed");
    std::printf("  %u threads uncontended (%u x MB/CPU-s): parse %.2f MB/s, full %.2f MB/s\n", o.threads, o.threads,
                o.threads * mb / cpu[0], o.threads * mb / cpu[2]);
    std::printf("\n  per language (thread CPU time summed over files, per pass):\n");
    std::printf("  %-11s %9s %9s %9s %10s %10s %9s %8s\n", "language", "parse s", "metrics s", "full s", "parse MB/s",
                "full MB/s", "metrics %", "rules %");
    for (const auto& [name, c] : corpus) {
      double p = lang_sum[0][name].seconds / o.repeat, m = lang_sum[1][name].seconds / o.repeat,
             f = lang_sum[2][name].seconds / o.repeat;
      std::printf("  %-11s %9.3f %9.3f %9.3f %10.2f %10.2f %8.1f%% %7.1f%%\n", name.c_str(), p, m, f, c.second / 1e6 / p,
                  c.second / 1e6 / f, (m - p) / p * 100, (f - m) / p * 100);
    }
  }
  std::printf("\n  memory: VmRSS %.1f MB after loading the files (%.1f MB of content), peak %.1f MB\n",
              rss_loaded_kb / 1024.0, total_bytes / 1048576.0, peak_kb / 1024.0);

  // 5. Each rule alone: what it adds to a no-rule scan of (a sample of) its languages' files.
  struct RuleCost {
    std::string id;
    double ms_per_mb = 0, compile_ms = 0;
    long findings = 0;
  };
  std::vector<RuleCost> costs;
  if (o.rule_costs) {
    std::map<std::string, std::vector<const File*>> sample;
    std::map<std::string, uint64_t> sample_bytes;
    for (size_t i = files.size(); i-- > 0;) { // smallest first, so the sample has many files
      const File& f = files[i];
      std::string l(f.language->name);
      if (sample_bytes[l] >= 2000000) continue;
      sample[l].push_back(&f);
      sample_bytes[l] += f.content.size();
    }
    auto cpu_over = [&](const scan::Engine& engine, const std::string& lang, long* findings) {
      double best = 1e9;
      for (int attempt = 0; attempt < 2; ++attempt) {
        long n = 0;
        double t0 = thread_cpu_seconds();
        for (const File* f : sample[lang]) n += static_cast<long>(engine.scan(*f->language, f->content).findings.size());
        best = std::min(best, thread_cpu_seconds() - t0);
        if (findings) *findings = n;
      }
      return best;
    };
    std::map<std::string, double> baseline;
    for (const auto& [lang, v] : sample) baseline[lang] = cpu_over(bare, lang, nullptr);
    for (const auto& r : rules) {
      for (const auto& l : r.languages) {
        if (!sample.count(l)) continue;
        scan::Engine one({r});
        double t0 = thread_cpu_seconds();
        one.compile(*scan::language_by_name(l));
        RuleCost c;
        c.compile_ms = (thread_cpu_seconds() - t0) * 1000;
        c.id = r.id + (r.languages.size() > 1 ? " (" + l + ")" : "");
        c.ms_per_mb = (cpu_over(one, l, &c.findings) - baseline[l]) * 1000 / (sample_bytes[l] / 1e6);
        costs.push_back(c);
      }
    }
    std::sort(costs.begin(), costs.end(), [](const RuleCost& a, const RuleCost& b) { return a.ms_per_mb > b.ms_per_mb; });
    std::printf("\n  each rule alone, one thread, up to 2 MB per language (matching cost over a no-rule scan):\n");
    std::printf("  %-44s %12s %11s %9s\n", "rule", "ms per MB", "compile ms", "findings");
    for (const auto& [lang, v] : sample)
      std::printf("  %-44s %12.1f %11s %9s\n", ("(no-rule scan, " + lang + ")").c_str(),
                  baseline[lang] * 1000 / (sample_bytes[lang] / 1e6), "", "");
    for (const auto& c : costs)
      std::printf("  %-44s %12.1f %11.1f %9ld\n", c.id.c_str(), c.ms_per_mb, c.compile_ms, c.findings);
  }

  if (!o.dump.empty()) dump_results(files, full, o.dump);

  if (!o.json.empty()) {
    std::ofstream out(o.json);
    out << "{\n  \"threads\": " << o.threads << ",\n  \"repeat\": " << o.repeat << ",\n  \"files\": " << files.size()
        << ",\n  \"bytes\": " << total_bytes << ",\n  \"rules\": " << rule_count << ",\n  \"modes\": {";
    bool first = true;
    for (int k : kinds) {
      out << (first ? "" : ",") << "\n    \"" << names[k] << "\": {\"wall_s\": " << wall[k] << ", \"cpu_s\": " << cpu[k]
          << ", \"mb_per_s\": " << mb / wall[k] << ", \"files_per_s\": " << files.size() / wall[k]
          << ", \"mb_per_cpu_s\": " << mb / cpu[k] << ", \"files_per_cpu_s\": " << files.size() / cpu[k]
          << ", \"findings\": " << last[k].findings << ", \"walls\": [";
      for (size_t i = 0; i < walls[k].size(); ++i) out << (i ? ", " : "") << walls[k][i];
      out << "], \"cpus\": [";
      for (size_t i = 0; i < cpus[k].size(); ++i) out << (i ? ", " : "") << cpus[k][i];
      out << "]}";
      first = false;
    }
    out << "\n  }";
    if (have_all)
      out << ",\n  \"overhead_pct\": " << pct(cpu[2], cpu[0]) << ",\n  \"metrics_overhead_pct\": " << pct(cpu[1], cpu[0])
          << ",\n  \"rules_overhead_pct\": " << (cpu[2] - cpu[1]) / cpu[0] * 100
          << ",\n  \"overhead_wall_pct\": " << pct(wall[2], wall[0])
          << ",\n  \"uncontended_parse_mb_per_s\": " << o.threads * mb / cpu[0]
          << ",\n  \"uncontended_full_mb_per_s\": " << o.threads * mb / cpu[2];
    out << ",\n  \"languages\": {";
    first = true;
    for (const auto& [name, c] : corpus) {
      out << (first ? "" : ",") << "\n    \"" << json_escape(name) << "\": {\"files\": " << c.first
          << ", \"bytes\": " << c.second << ", \"rules\": " << rules_per_language[name]
          << ", \"compile_ms\": " << compile_ms[name];
      if (have_all)
        out << ", \"parse_s\": " << lang_sum[0][name].seconds / o.repeat << ", \"metrics_s\": "
            << lang_sum[1][name].seconds / o.repeat << ", \"full_s\": " << lang_sum[2][name].seconds / o.repeat;
      out << "}";
      first = false;
    }
    out << "\n  },\n  \"slowest_rule_compiles_ms\": {";
    for (size_t i = 0; i < rule_ms.size() && i < 5; ++i)
      out << (i ? ", " : "") << "\"" << json_escape(rule_ms[i].second) << "\": " << rule_ms[i].first;
    out << "}";
    if (!costs.empty()) {
      out << ",\n  \"rule_costs\": [";
      for (size_t i = 0; i < costs.size(); ++i)
        out << (i ? "," : "") << "\n    {\"rule\": \"" << json_escape(costs[i].id) << "\", \"ms_per_mb\": " << costs[i].ms_per_mb
            << ", \"compile_ms\": " << costs[i].compile_ms << ", \"findings\": " << costs[i].findings << "}";
      out << "\n  ]";
    }
    out << ",\n  \"rss_loaded_kb\": " << rss_loaded_kb << ",\n  \"content_kb\": " << total_bytes / 1024
        << ",\n  \"peak_rss_kb\": " << peak_kb << "\n}\n";
  }
  return 0;
}
