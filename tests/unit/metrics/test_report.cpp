#include "../support/temp_repo.hpp"

#include "git/repo.hpp"
#include "metrics/report.hpp"
#include "queue/store.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using metrics::build_report;
using metrics::Report;
using metrics::ReportOptions;
using test_support::EnvGuard;
using test_support::TempDir;
using test_support::TempRepo;

namespace {

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

queue::FileMetrics file(const std::string& commit, const std::string& path, int lines, int complexity, int debt,
                        int quality = 0, int security = 0) {
  queue::FileMetrics m;
  m.commit_id = commit;
  m.path = path;
  m.language = "python";
  m.lines = lines;
  m.functions = 1;
  m.complexity_total = complexity;
  m.complexity_max = complexity;
  m.debt_markers = debt;
  m.findings_quality = quality;
  m.findings_security = security;
  return m;
}

queue::Opportunity finding(const std::string& fingerprint, const std::string& rule, const std::string& path,
                           int64_t first_seen = 0) {
  queue::Opportunity o;
  o.fingerprint = fingerprint;
  o.rule_id = rule;
  o.category = core::Category::code_quality;
  o.severity = "warning";
  o.safety = core::Safety::safe;
  o.path = path;
  o.start_line = 1;
  o.end_line = 1;
  o.first_seen = o.last_seen = first_seen;
  return o;
}

// A repository with a store beside it (not inside .git: the report only needs the two handles).
struct Fixture {
  TempRepo repo{"report"};
  TempDir data{"report-db"};
  queue::Store store = queue::Store::open(data / "queue.db");
  git::Repository open() const { return git::Repository::open(repo.path()); }
  Report report(const ReportOptions& options = {}) const {
    git::Repository r = open();
    return build_report(r, store, options);
  }
};

} // namespace

TEST_CASE("quantile") {
  SECTION("interpolates between closest ranks") {
    std::vector<double> v;
    for (int i = 1; i <= 100; ++i) v.push_back(i);
    std::reverse(v.begin(), v.end()); // order does not matter
    CHECK(*metrics::quantile(v, 0.5) == Approx(50.5));
    CHECK(*metrics::quantile(v, 0.95) == Approx(95.05));
    CHECK(*metrics::quantile(v, 0.99) == Approx(99.01));
    CHECK(*metrics::quantile(v, 0.0) == Approx(1));
    CHECK(*metrics::quantile(v, 1.0) == Approx(100));
  }
  SECTION("small and empty inputs") {
    CHECK(*metrics::quantile({1, 2, 3, 4}, 0.5) == Approx(2.5));
    CHECK(*metrics::quantile({7}, 0.99) == Approx(7));
    CHECK_FALSE(metrics::quantile({}, 0.5));
  }
}

TEST_CASE("summarize and histogram") {
  SECTION("summary figures") {
    auto s = metrics::summarize({4, 1, 3, 2});
    CHECK(s.count == 4);
    CHECK(s.min == 1);
    CHECK(s.max == 4);
    CHECK(s.sum == 10);
    CHECK(s.mean == Approx(2.5));
    CHECK(s.p50 == Approx(2.5));
    CHECK(metrics::summarize({}).count == 0);
  }
  SECTION("equal-width buckets hold every value, the maximum in the last") {
    auto bins = metrics::histogram({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5);
    REQUIRE(bins.size() == 5);
    CHECK(bins.front().lo == 0);
    CHECK(bins.back().hi == 10);
    int64_t total = 0;
    for (const auto& b : bins) total += b.count;
    CHECK(total == 11);
    CHECK(bins.back().count == 3); // 8, 9, 10
  }
  SECTION("one value, or none") {
    auto bins = metrics::histogram({5, 5, 5}, 12);
    REQUIRE(bins.size() == 1);
    CHECK(bins[0].count == 3);
    CHECK(metrics::histogram({}, 12).empty());
  }
}

TEST_CASE("build_report") {
  Fixture f;

  SECTION("an empty queue is an empty report, not an error") {
    f.repo.write("README", "hello\n");
    f.repo.commit("base");
    Report r = f.report();
    CHECK(r.empty());
    CHECK(r.range.commits == 1);
    CHECK(r.range.scanned == 0);
    CHECK(r.commits.size() == 1);
    CHECK(r.cycles.empty());
    CHECK(r.patterns.empty());
    CHECK(r.improvement.acceptance_trend == "unknown");
    CHECK_FALSE(r.improvement.success_rate);
  }

  SECTION("an unborn branch has no commits") {
    Report r = f.report();
    CHECK(r.empty());
    CHECK(r.range.head.empty());
    CHECK(r.commits.empty());
  }

  SECTION("carries each file's latest metrics forward and drops deleted files") {
    f.repo.write("a.py", "a\n");
    f.repo.write("b.py", "b\n");
    const std::string c1 = f.repo.commit("one");
    f.repo.write("a.py", "a2\n");
    const std::string c2 = f.repo.commit("two");
    f.repo.remove("b.py");
    const std::string c3 = f.repo.commit("three");
    f.repo.write("src/api/x.py", "x\n");
    const std::string c4 = f.repo.commit("four");
    f.store.put_file_metrics(file(c1, "a.py", 10, 5, 1, 1));
    f.store.put_file_metrics(file(c1, "b.py", 20, 3, 0, 0, 2));
    f.store.put_file_metrics(file(c2, "a.py", 12, 2, 1, 0)); // simpler: an improvement
    f.store.put_file_metrics(file(c4, "src/api/x.py", 7, 4, 2, 3));
    for (const auto& c : {c1, c2, c4}) f.store.mark_commit_scanned(c, 1, 0, 1.0);

    Report r = f.report();
    REQUIRE(r.commits.size() == 4);
    CHECK(r.range.scanned == 3);
    CHECK(r.commits[0].id == c1);
    CHECK(r.commits[0].subject == "one");
    CHECK(r.commits[0].complexity_total == 8);
    CHECK(r.commits[0].lines == 30);
    CHECK(r.commits[0].files == 2);
    CHECK(r.commits[0].findings_security == 2);
    CHECK(r.commits[1].complexity_total == 5); // a.py re-measured, b.py carried
    CHECK(r.commits[1].lines == 32);
    CHECK(r.commits[1].improvements == 1);
    CHECK(r.commits[1].regressions == 0);
    CHECK(r.commits[2].complexity_total == 2); // b.py deleted: out of the totals
    CHECK(r.commits[2].files == 1);
    CHECK_FALSE(r.commits[2].scanned);
    CHECK(r.commits[3].complexity_total == 6);
    CHECK(r.commits[3].debt_markers == 3);
    CHECK(r.commits[3].findings_total() == 3);
    CHECK(r.commits[3].complexity_max == 4);
    CHECK(r.improvement.improvements == 1);

    SECTION("--since keeps the carried figures of the commits before it") {
      ReportOptions options;
      options.since = c2;
      Report since = f.report(options);
      REQUIRE(since.commits.size() == 2);
      CHECK(since.range.since_commit == c2);
      CHECK(since.commits[0].id == c3);
      CHECK(since.commits[0].complexity_total == 2);
      CHECK(since.commits[1].complexity_total == 6);
      CHECK(since.range.scanned == 1);
    }
    SECTION("a bad --since is an error") {
      ReportOptions options;
      options.since = "no-such-revision";
      CHECK_THROWS_WITH(f.report(options), Catch::Contains("--since no-such-revision: not a commit"));
    }
  }

  SECTION("the most complex functions come from each file's latest measurement") {
    f.repo.write("a.py", "a\n");
    const std::string c1 = f.repo.commit("one");
    f.repo.write("a.py", "a2\n");
    const std::string c2 = f.repo.commit("two");
    f.store.put_file_metrics(file(c1, "a.py", 10, 30, 0));
    f.store.put_function_metrics({{c1, "a.py", "old_monster", 1, 40, 30, 40, 5}});
    f.store.put_file_metrics(file(c2, "a.py", 10, 12, 0));
    f.store.put_function_metrics({{c2, "a.py", "tamed", 1, 20, 9, 20, 2}, {c2, "a.py", "helper", 22, 25, 3, 4, 1}});
    ReportOptions options;
    options.top_functions = 1;
    Report r = f.report(options);
    REQUIRE(r.top_functions.size() == 1);
    CHECK(r.top_functions[0].name == "tamed");
    CHECK(r.top_functions[0].complexity == 9);
    CHECK(r.top_functions[0].commit == c2);
  }

  SECTION("acceptance per cycle: each fix counts in the cycle that first published it") {
    f.repo.write("a.py", "a\n");
    f.repo.commit("one");
    std::vector<int64_t> ids;
    const int64_t now = now_unix();
    for (int i = 0; i < 6; ++i) {
      auto o = finding("fp" + std::to_string(i), "python/compare-to-none", "f" + std::to_string(i) + ".py", now - 3600);
      f.store.upsert_opportunity(o);
      ids.push_back(o.id);
    }
    const int64_t c1 = f.store.begin_cycle("manual", "main", "");
    for (int i = 0; i < 4; ++i) f.store.record_attempt({0, ids[i], c1, "side" + std::to_string(i), core::Outcome::applied, "", "main", 2, 0, 0, 0});
    f.store.record_attempt({0, ids[5], c1, "", core::Outcome::tests_failed, "", "main", 0, 0, 0, 0});
    f.store.end_cycle(c1, 4, 1, false, "");
    const int64_t c2 = f.store.begin_cycle("manual", "main", "");
    // The pending fix of cycle 1 is re-published (kept) by cycle 2: it still counts in cycle 1.
    f.store.record_attempt({0, ids[3], c2, "side3", core::Outcome::applied, "", "main", 2, 0, 0, 0});
    f.store.record_attempt({0, ids[4], c2, "side4", core::Outcome::applied, "", "main", 2, 0, 0, 0});
    f.store.end_cycle(c2, 1, 0, false, "");
    for (int i : {0, 1, 3, 4}) f.store.set_status(ids[i], core::Status::applied);
    f.store.set_status(ids[0], core::Status::accepted);
    f.store.record_verdict(ids[0], "accepted", "", "c0ffee");
    f.store.set_status(ids[1], core::Status::rejected);
    f.store.record_verdict(ids[1], "rejected", "no", "");
    f.store.set_status(ids[2], core::Status::resolved); // the code changed before anyone decided
    f.store.set_status(ids[4], core::Status::accepted);
    f.store.record_verdict(ids[4], "accepted", "", "c0ffee");

    Report r = f.report();
    REQUIRE(r.cycles.size() == 2);
    const auto& one = r.cycles[0];
    CHECK(one.id == c1);
    CHECK(one.proposed == 4);
    CHECK(one.accepted == 1);
    CHECK(one.rejected == 1);
    CHECK(one.pending == 1);
    CHECK(one.dropped == 1);
    CHECK(one.failed == 1);
    REQUIRE(one.acceptance);
    CHECK(*one.acceptance == Approx(0.5));
    const auto& two = r.cycles[1];
    CHECK(two.proposed == 1);
    CHECK(two.accepted == 1);
    CHECK(*two.acceptance == Approx(1.0));

    const auto& m = r.improvement;
    CHECK(m.fixes_applied == 5);
    CHECK(m.accepted == 2);
    CHECK(m.rejected == 1);
    CHECK(m.pending == 1);
    CHECK(m.fixes_per_cycle == Approx(2.5));
    REQUIRE(m.success_rate);
    CHECK(*m.success_rate == Approx(2.0 / 3));
    REQUIRE(m.median_time_to_accept_s);
    CHECK(*m.median_time_to_accept_s >= 3600);
    CHECK(*m.median_time_to_accept_s < 3660);
    CHECK(*m.acceptance_first_half == Approx(0.5));
    CHECK(*m.acceptance_second_half == Approx(1.0));
    CHECK(m.acceptance_trend == "up");
    CHECK(r.health.drain_ms.count == 2);
  }

  SECTION("health: hook percentiles, errors, peak memory") {
    f.repo.write("a.py", "a\n");
    f.repo.commit("one");
    for (int i = 1; i <= 100; ++i) {
      queue::Run run;
      run.kind = "hook:post-commit";
      run.duration_ms = i;
      f.store.record_run(run);
    }
    queue::Run scan;
    scan.kind = "scan";
    scan.duration_ms = 40;
    scan.peak_rss_kb = 51200;
    scan.error = "tree-sitter: timeout";
    f.store.record_run(scan);
    Report r = f.report();
    CHECK_FALSE(r.empty());
    CHECK(r.health.hook_ms.count == 100);
    CHECK(r.health.hook_ms.p50 == Approx(50.5));
    CHECK(r.health.hook_ms.p95 == Approx(95.05));
    CHECK(r.health.hook_ms.p99 == Approx(99.01));
    int64_t binned = 0;
    for (const auto& b : r.health.hook_histogram) binned += b.count;
    CHECK(binned == 100);
    CHECK(r.health.runs == 101);
    CHECK(r.health.errors == 1);
    CHECK(r.health.error_rate == Approx(1.0 / 101));
    REQUIRE(r.health.last_error);
    CHECK(r.health.last_error->kind == "scan");
    CHECK(r.health.last_error->message == "tree-sitter: timeout");
    CHECK(r.health.peak_rss_kb == 51200);
    CHECK(r.health.scan_ms.count == 1);
  }

  SECTION("patterns: a sweep, a rule to disable, a rising rule") {
    // Commit times an hour apart; the queue never scanned them, so they place the findings in time.
    const int64_t t0 = now_unix() - 10 * 3600;
    std::vector<std::string> commits;
    for (int i = 0; i < 4; ++i) {
      EnvGuard date("GIT_COMMITTER_DATE", "@" + std::to_string(t0 + i * 3600) + " +0000");
      f.repo.write("n" + std::to_string(i) + ".txt", "x\n");
      commits.push_back(f.repo.commit("c" + std::to_string(i)));
    }
    // Sweep: three open findings of one rule in src/api/, two elsewhere.
    int n = 0;
    for (const char* path : {"src/api/a.py", "src/api/b.py", "src/api/c.py", "src/d.py", "e.py"}) {
      auto o = finding("sweep" + std::to_string(n++), "python/bare-except", path, t0 - 100);
      f.store.upsert_opportunity(o);
    }
    // Disable: two rejected fixes, none accepted.
    for (int i = 0; i < 2; ++i) {
      auto o = finding("rej" + std::to_string(i), "python/f-string", "x" + std::to_string(i) + ".py", t0 - 100);
      f.store.upsert_opportunity(o);
      f.store.set_status(o.id, core::Status::rejected);
      f.store.record_verdict(o.id, "rejected", "", "");
    }
    // Rising: one finding before the middle, three first seen in the last commit's hour.
    for (int i = 0; i < 4; ++i) {
      auto o = finding("rise" + std::to_string(i), "js/no-var", "web" + std::to_string(i) + "/x.js",
                       i == 0 ? t0 : t0 + 3 * 3600 - 10);
      f.store.upsert_opportunity(o);
    }
    Report r = f.report();
    auto of_kind = [&](const std::string& kind) {
      std::vector<metrics::Pattern> out;
      for (const auto& p : r.patterns)
        if (p.kind == kind) out.push_back(p);
      return out;
    };
    const auto sweeps = of_kind("sweep");
    REQUIRE(sweeps.size() == 1);
    CHECK(sweeps[0].rule == "python/bare-except");
    CHECK(sweeps[0].directory == "src/api/");
    CHECK(sweeps[0].count == 3);
    CHECK(sweeps[0].summary == "python/bare-except: 3 open in src/api/");
    CHECK_THAT(sweeps[0].suggestion, Catch::Contains("--rule python/bare-except"));
    const auto disables = of_kind("disable");
    REQUIRE(disables.size() == 1);
    CHECK(disables[0].rule == "python/f-string");
    CHECK(disables[0].count == 2);
    CHECK_THAT(disables[0].suggestion, Catch::Contains("rules.disable"));
    const auto rising = of_kind("rising");
    REQUIRE(rising.size() == 1);
    CHECK(rising[0].rule == "js/no-var");
    CHECK(rising[0].before == 1);
    CHECK(rising[0].count == 4);

    SECTION("a resolved finding stops counting at the commit that resolved it") {
      for (int i = 1; i < 4; ++i) f.store.resolve_absent("web" + std::to_string(i) + "/x.js", {}, commits[3]);
      Report again = f.report();
      CHECK(std::none_of(again.patterns.begin(), again.patterns.end(), [](const metrics::Pattern& p) { return p.kind == "rising"; }));
    }
  }
}

TEST_CASE("render_prometheus") {
  Fixture f;
  f.repo.write("a.py", "a\n");
  f.repo.commit("one");
  auto o = finding("fp", "python/compare-to-none", "a.py");
  f.store.upsert_opportunity(o);
  queue::Run run;
  run.kind = "hook:post-commit";
  run.duration_ms = 2;
  f.store.record_run(run);
  ReportOptions options;
  options.repository = "/tmp/we\"ird\\repo\nname";
  const std::string text = metrics::render_prometheus(f.report(options));

  SECTION("every line is HELP, TYPE or a sample of a declared family") {
    const std::regex sample(R"(^(autoloop_[a-z_]+)(\{([a-z_]+="([^"\\\n]|\\[\\"n])*",?)*\})? ([-+]?[0-9.eE+-]+|NaN|[+-]Inf)$)");
    const std::regex help(R"(^# HELP (autoloop_[a-z_]+) .+$)");
    const std::regex type(R"(^# TYPE (autoloop_[a-z_]+) (counter|gauge|summary|histogram)$)");
    std::set<std::string> helps, types;
    std::istringstream in(text);
    std::string line;
    int samples = 0;
    while (std::getline(in, line)) {
      std::smatch m;
      if (std::regex_match(line, m, help)) {
        helps.insert(m[1]);
      } else if (std::regex_match(line, m, type)) {
        types.insert(m[1]);
      } else {
        INFO(line);
        REQUIRE(std::regex_match(line, m, sample));
        std::string family = m[1];
        for (const char* suffix : {"_sum", "_count"})
          if (family.size() > std::strlen(suffix) && family.compare(family.size() - std::strlen(suffix), std::string::npos, suffix) == 0 &&
              types.count(family.substr(0, family.size() - std::strlen(suffix))))
            family = family.substr(0, family.size() - std::strlen(suffix));
        CHECK(helps.count(family));
        CHECK(types.count(family));
        ++samples;
      }
    }
    CHECK(samples > 20);
  }
  SECTION("label values are escaped") {
    CHECK_THAT(text, Catch::Contains(R"(repository="/tmp/we\"ird\\repo\nname")"));
  }
  SECTION("the figures") {
    CHECK_THAT(text, Catch::Contains("autoloop_findings_open{category=\"code_quality\",severity=\"warning\"} 1\n"));
    CHECK_THAT(text, Catch::Contains("autoloop_queue_size 1\n"));
    CHECK_THAT(text, Catch::Contains("autoloop_hook_duration_seconds{quantile=\"0.5\"} 0.002"));
    CHECK_THAT(text, Catch::Contains("autoloop_hook_duration_seconds_count 1\n"));
    CHECK_THAT(text, Catch::Contains("autoloop_fix_acceptance_ratio NaN\n"));
    CHECK_THAT(text, Catch::Contains("autoloop_fixes_total{outcome=\"applied\"} 0\n"));
  }
}

TEST_CASE("render_text, render_json and render_html of an empty report") {
  Fixture f;
  Report r = f.report();
  CHECK_THAT(metrics::render_text(r), Catch::Contains("nothing recorded yet"));
  const std::string json = metrics::render_json(r);
  CHECK_THAT(json, Catch::Contains("\"empty\": true"));
  CHECK_THAT(json, Catch::Contains("\"schema_version\": 1"));
  const std::string html = metrics::render_html(r);
  for (const char* id : {"chart-quality", "chart-findings", "chart-acceptance", "chart-hook-latency", "chart-complex-functions"})
    CHECK_THAT(html, Catch::Contains(std::string("<figure id=\"") + id + "\"><svg"));
  CHECK_THAT(html, Catch::Contains("no data yet"));
  CHECK_THAT(html, !Catch::Contains("class=\"mark\""));
  CHECK_THAT(html, !Catch::Contains("<script"));
}

TEST_CASE("build_report: an honest range") {
  Fixture f;
  // Five commits of history; the queue scanned only the last two (a long history scanned in its end).
  std::vector<std::string> c;
  for (int i = 0; i < 5; ++i) {
    f.repo.write("old" + std::to_string(i) + ".py", "x\n");
    c.push_back(f.repo.commit("c" + std::to_string(i)));
  }
  f.store.put_file_metrics(file(c[3], "old3.py", 10, 4, 0));
  f.store.put_file_metrics(file(c[4], "old4.py", 20, 6, 0));
  f.store.mark_commit_scanned(c[3], 1, 0, 1.0);
  f.store.mark_commit_scanned(c[4], 1, 0, 1.0);

  SECTION("the range starts where scanning started, not at the root commit") {
    Report r = f.report();
    CHECK(r.range.start == "first_scan");
    CHECK(r.range.first_commit == c[3]);
    CHECK(r.range.history == 5);
    CHECK(r.range.commits == 2);
    REQUIRE(r.commits.size() == 2);
    CHECK(r.commits.front().id == c[3]);
    CHECK_THAT(metrics::render_text(r), Catch::Contains("2 commits (2 scanned), from the first scanned commit " +
                                                        c[3].substr(0, 10) + " (5 in the history"));
  }
  SECTION("--since still wins") {
    ReportOptions options;
    options.since = c[0];
    Report r = f.report(options);
    CHECK(r.range.start == "since");
    CHECK(r.range.commits == 4);
    CHECK(r.commits.front().id == c[1]);
  }
  SECTION("nothing scanned: all of the history") {
    Fixture empty;
    empty.repo.write("a.py", "a\n");
    empty.repo.commit("one");
    empty.repo.write("b.py", "b\n");
    empty.repo.commit("two");
    Report r = empty.report();
    CHECK(r.range.start == "history");
    CHECK(r.range.commits == 2);
  }
}

TEST_CASE("build_report: totals like for like") {
  Fixture f;
  f.repo.write("a.py", "a\n");
  f.repo.write("b.py", "b\n");
  f.repo.write("gone.py", "g\n");
  const std::string c1 = f.repo.commit("one");
  f.repo.write("a.py", "a2\n");
  f.repo.write("new.py", "n\n");
  f.repo.remove("gone.py");
  const std::string c2 = f.repo.commit("two");
  f.repo.write("late.py", "l\n");
  const std::string c3 = f.repo.commit("three");
  // c1's scan measured a.py and gone.py; b.py (unchanged since c1) was first measured by c3's scan of
  // the whole tree, new.py was added by c2, late.py by c3.
  f.store.put_file_metrics(file(c1, "a.py", 10, 5, 1));
  f.store.put_file_metrics(file(c1, "gone.py", 50, 40, 0));
  f.store.put_file_metrics(file(c2, "a.py", 12, 7, 1));
  f.store.put_file_metrics(file(c2, "new.py", 100, 30, 0));
  f.store.put_file_metrics(file(c3, "b.py", 20, 3, 0));
  f.store.put_file_metrics(file(c3, "late.py", 200, 60, 0));
  for (const auto& c : {c1, c2, c3}) f.store.mark_commit_scanned(c, 1, 0, 1.0);
  Report r = f.report();
  REQUIRE(r.comparison);
  const metrics::Comparison& cmp = *r.comparison;
  SECTION("only files measured at both ends count; a later measurement of the same content counts at the start") {
    CHECK(cmp.before.id == c1);
    CHECK(cmp.after.id == c3);
    CHECK(cmp.files == 2);                         // a.py, and b.py (same blob at c1 as measured at c3)
    CHECK(cmp.before.complexity_total == 5 + 3);
    CHECK(cmp.after.complexity_total == 7 + 3);
    CHECK(cmp.before.lines == 30);
    CHECK(cmp.after.lines == 32);
    CHECK(cmp.only_after == 2);                    // new.py, late.py
    CHECK(cmp.only_before == 1);                   // gone.py
  }
  SECTION("the series still carries everything measured (the charts), but the text compares like for like") {
    CHECK(r.commits.front().complexity_total == 45);
    CHECK(r.commits.back().complexity_total == 7 + 30 + 3 + 60);
    const std::string text = metrics::render_text(r);
    CHECK_THAT(text, Catch::Contains("complexity total            8         10   ↑ +2"));
    CHECK_THAT(text, Catch::Contains("like for like: the 2 files measured at both commits (left out: 2 measured only at " +
                                     c3.substr(0, 10) + ", 1 gone since " + c1.substr(0, 10) + ")"));
  }
  SECTION("a file changed after its first measurement stays compared, with its latest figures") {
    f.repo.write("b.py", "b2\n");
    const std::string c4 = f.repo.commit("four");
    f.store.put_file_metrics(file(c4, "b.py", 21, 9, 0));
    f.store.mark_commit_scanned(c4, 1, 0, 1.0);
    Report again = f.report();
    REQUIRE(again.comparison);
    // b.py's first measurement in range is still c3's, whose content was c1's: it stays compared.
    CHECK(again.comparison->files == 2);
    CHECK(again.comparison->after.complexity_total == 7 + 9);
  }
}

TEST_CASE("count_function_changes") {
  auto change = [](const std::string& commit, const std::string& kind, const std::string& path, const std::string& name) {
    return metrics::MetricChange{commit, kind, path, name, "", 0, 0, 0};
  };
  SECTION("a function made worse by three commits is one regressed function, three regressions") {
    const auto counts = metrics::count_function_changes({change("c1", "regression", "a.py", "Parser.run"),
                                                         change("c2", "regression", "a.py", "Parser.run"),
                                                         change("c3", "regression", "a.py", "Parser.run"),
                                                         change("c3", "regression", "b.py", "Parser.run"),
                                                         change("c3", "regression", "a.py", "helper"),
                                                         change("c4", "improvement", "a.py", "Parser.run"),
                                                         change("c4", "security", "a.py", "python/eval")});
    CHECK(counts.regressed == 3); // a.py Parser.run, b.py Parser.run, a.py helper
    CHECK(counts.regression_events == 5);
    CHECK(counts.improved == 1);
  }
  SECTION("none") {
    const auto counts = metrics::count_function_changes({});
    CHECK(counts.regressed == 0);
    CHECK(counts.improved == 0);
  }
  SECTION("in the report: the events of the commits in range") {
    Fixture f;
    f.repo.write("a.py", "a\n");
    const std::string c1 = f.repo.commit("one");
    f.repo.write("a.py", "a2\n");
    const std::string c2 = f.repo.commit("two");
    f.store.mark_commit_scanned(c1, 1, 0, 1.0);
    f.store.mark_commit_scanned(c2, 1, 0, 1.0);
    f.store.record_metric_event({c1, "regression", "a.py", "run", 5, 11, "complexity of run rose from 5 to 11", 0});
    f.store.record_metric_event({c2, "regression", "a.py", "run", 11, 16, "complexity of run rose from 11 to 16", 0});
    f.store.record_metric_event({"0000000000000000000000000000000000000000", "regression", "x.py", "other", 1, 20, "", 0});
    Report r = f.report();
    CHECK(r.improvement.regressed_functions == 1);
    CHECK(r.improvement.regression_events == 2);
    CHECK_THAT(metrics::render_text(r), Catch::Contains("1 function regressed (2 times), 0 improved"));
  }
}

TEST_CASE("build_report: sweeps only for findings a drain can fix") {
  Fixture f;
  f.repo.write("a.py", "a\n");
  f.repo.commit("one");
  int n = 0;
  auto add = [&](const std::string& rule, const std::string& safety) {
    for (int i = 0; i < 3; ++i, ++n) {
      auto o = finding("f" + std::to_string(n), rule, "src/f" + std::to_string(n) + ".py");
      o.safety = *core::parse<core::Safety>(safety);
      f.store.upsert_opportunity(o);
    }
  };
  add("python/fixable", "safe");
  add("python/mechanical", "safe");
  add("python/no-fix", "safe");           // a rule without a fix
  add("python/fixable-but-suggested", "suggest"); // findings demoted to suggestions
  add("metrics/complexity-regression", "suggest");
  ReportOptions options;
  options.fixable_rules = std::set<std::string>{"python/fixable", "python/mechanical", "python/fixable-but-suggested"};
  options.mechanical_rules = {"python/mechanical"};
  Report r = f.report(options);
  std::map<std::string, std::string> sweeps;
  for (const auto& p : r.patterns)
    if (p.kind == "sweep") sweeps[p.rule] = p.suggestion;
  CHECK(sweeps.size() == 2);
  REQUIRE(sweeps.count("python/fixable"));
  REQUIRE(sweeps.count("python/mechanical"));
  CHECK_THAT(sweeps["python/mechanical"], Catch::Contains("git autoloop drain --sweep python/mechanical src/"));
  CHECK_THAT(sweeps["python/fixable"], Catch::Contains("drain --now --max 3"));

  SECTION("without the rule list, suggestions still never make a sweep") {
    Report all = f.report();
    int count = 0;
    for (const auto& p : all.patterns)
      if (p.kind == "sweep") {
        ++count;
        CHECK(p.rule != "python/fixable-but-suggested");
        CHECK(p.rule != "metrics/complexity-regression");
      }
    CHECK(count == 3);
  }
}

TEST_CASE("hook_time and the hook's cost per commit") {
  Fixture f;
  f.repo.write("a.py", "a\n");
  f.repo.commit("one");
  SECTION("nothing recorded: no line") { CHECK_FALSE(metrics::hook_time(f.store)); }
  auto record = [&](const std::string& kind, double ms) {
    queue::Run run;
    run.kind = kind;
    run.duration_ms = ms;
    f.store.record_run(run);
  };
  for (double ms : {0.10, 0.12, 0.09}) record("hook:post-commit", ms);
  SECTION("only the hook's own work: labelled as such") {
    const auto line = metrics::hook_time(f.store);
    REQUIRE(line);
    CHECK_THAT(*line, Catch::StartsWith("median 0.10 ms of the hook's own work over the last 3 commits (not what a commit pays"));
  }
  SECTION("what commits paid, exec to exit, is what status and report show") {
    for (double ms : {0.8, 0.9, 1.4}) record("hook-commit:post-commit", ms);
    const auto line = metrics::hook_time(f.store);
    REQUIRE(line);
    CHECK_THAT(*line, Catch::StartsWith("median 0.90 ms per commit over the last 3 (the hook from exec to exit, its own work 0.10 ms"));
    Report r = f.report();
    CHECK(r.health.hook_commit_ms.count == 3);
    CHECK(r.health.hook_commit_ms.p50 == Approx(0.9));
    CHECK(r.health.hook_ms.count == 3);
    CHECK(r.health.runs == 3); // measurements are not runs
    CHECK_THAT(metrics::render_text(r), Catch::Contains("per commit p50 0.90 ms"));
    CHECK_THAT(metrics::render_prometheus(r), Catch::Contains("autoloop_hook_commit_duration_seconds_count 3\n"));
  }
}
