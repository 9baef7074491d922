#include "scan/scanner.hpp"

#include "../support/temp_repo.hpp"
#include "../support/scan_support.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using scan::CommitScanner;
using scan::FileResult;
using scan::Located;
using scan::Rule;
using scan::ScanStats;
using test_support::TempRepo;

using test_support::digest;
using test_support::lang;

namespace {

Rule make_rule(const std::string& id, const std::string& query, const std::string& check = "",
               const std::string& category = "security_fixes") {
  Rule r;
  r.id = id;
  r.languages = {"python"};
  r.category = *core::parse<core::Category>(category);
  r.severity = "error";
  r.safety = core::Safety::suggest;
  r.message = "call to {{fn}}";
  r.query = query;
  r.check = check;
  r.source = "test:" + id;
  return r;
}

std::vector<Rule> default_rules() {
  return {make_rule("t/eval", "((call function: (identifier) @fn) @match (#eq? @fn \"eval\"))"),
          make_rule("t/untested", "(module (function_definition name: (identifier) @name) @match)",
                    "untested-public-function", "test_coverage"),
          make_rule("t/assert", "(assert_statement) @match", "outside-tests", "code_quality")};
}

// A repository, its queue (inside .git, so never committed) and an engine.
struct Fixture {
  TempRepo repo{"scanner"};
  core::Config config = core::default_config();
  core::Logger log;
  queue::Store store = queue::Store::open(repo.git_dir() / "autoloop" / "queue.db");
  scan::Engine engine{default_rules()};

  ScanStats scan(const std::vector<std::string>& commits, std::vector<Located>* out = nullptr, bool force = false) {
    git::Repository r = git::Repository::open(repo.path());
    CommitScanner scanner(r, store, engine, config, log);
    return scanner.scan_commits(commits, force, out);
  }

  ScanStats scan_all(const std::string& commit, std::vector<Located>* out = nullptr) {
    git::Repository r = git::Repository::open(repo.path());
    CommitScanner scanner(r, store, engine, config, log);
    return scanner.scan_all(commit, out);
  }

  std::vector<queue::Opportunity> rows(const std::string& path, const std::string& rule = "t/eval") const {
    queue::OpportunityFilter f;
    f.path = path;
    f.rule_id = rule;
    auto out = store.opportunities(f);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
  }

  std::vector<queue::Opportunity> rows_with_status(const std::string& path, core::Status status) const {
    std::vector<queue::Opportunity> out;
    for (auto& o : rows(path))
      if (o.status == status) out.push_back(o);
    return out;
  }
};

std::string describe(const ScanStats& s) {
  std::ostringstream out;
  out << "commits=" << s.commits << " files=" << s.files << " cached=" << s.cached << " skipped=" << s.skipped
      << " findings=" << s.findings << " inserted=" << s.inserted << " reopened=" << s.reopened
      << " resolved=" << s.resolved;
  return out.str();
}


} // namespace

TEST_CASE("CommitScanner::scan_commits") {
  Fixture fx;

  SECTION("a commit with findings inserts open rows with the finding's details") {
    fx.repo.write("a.py", "x = eval(a)\ny = eval(b)\n");
    std::string c1 = fx.repo.commit();
    std::vector<Located> out;
    ScanStats s = fx.scan({c1}, &out);
    INFO(describe(s));
    CHECK(s.commits == 1);
    CHECK(s.files == 1);
    CHECK(s.findings == 2);
    CHECK(s.inserted == 2);
    CHECK(s.cached == 0);
    auto rows = fx.rows("a.py");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].status == core::Status::open);
    CHECK(rows[0].start_line == 1);
    CHECK(rows[1].start_line == 2);
    CHECK(rows[0].commit_id == c1);
    CHECK(rows[0].blob == fx.repo.rev(c1 + ":a.py"));
    CHECK(rows[0].category == core::Category::security_fixes);
    CHECK(rows[0].severity == "error");
    CHECK(rows[0].message == "call to eval");
    CHECK(rows[0].snippet == "eval(a)");
    CHECK(rows[0].is_new);
    CHECK(rows[0].score > 0);
    CHECK(rows[0].fingerprint != rows[1].fingerprint);
    CHECK(fx.store.is_commit_scanned(c1));
    REQUIRE(out.size() == 2);
    CHECK(out[0].path == "a.py");
    CHECK(out[0].commit == c1);
    CHECK(out[0].rule_id == "t/eval");
    CHECK(out[0].id == rows[0].id);
    CHECK(out[0].is_new);
  }

  SECTION("a regression suggestion queued under a function's bare name (before identities) stays its own") {
    auto branchy = [](int n) {
      std::string src = "class A:\n    def route(self, x):\n";
      for (int i = 1; i < n; ++i) src += "        if x == " + std::to_string(i) + ":\n            return 0\n";
      return src + "        return 1\n";
    };
    fx.repo.write("r.py", branchy(12));
    fx.scan({fx.repo.commit()});
    queue::Opportunity legacy;
    legacy.fingerprint = scan::hash_hex(std::string(scan::k_regression_rule) + '\0' + "r.py" + '\0' + "route");
    legacy.rule_id = scan::k_regression_rule;
    legacy.path = "r.py";
    legacy.safety = core::Safety::suggest;
    legacy.message = "queued by an older version";
    fx.store.upsert_opportunity(legacy);
    // Still over the threshold: kept open.
    fx.repo.write("r.py", branchy(13));
    fx.scan({fx.repo.commit()});
    auto rows = fx.rows("r.py", scan::k_regression_rule);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].status == core::Status::open);
    // Rising again: the same suggestion, not a second one.
    fx.repo.write("r.py", branchy(20));
    ScanStats s = fx.scan({fx.repo.commit()});
    CHECK(s.regressions == 1);
    rows = fx.rows("r.py", scan::k_regression_rule);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].fingerprint == legacy.fingerprint);
    CHECK(rows[0].message.find("A.route rose from 13 to 20") != std::string::npos);
    // Falling under the threshold resolves it.
    fx.repo.write("r.py", branchy(3));
    fx.scan({fx.repo.commit()});
    rows = fx.rows("r.py", scan::k_regression_rule);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].status == core::Status::resolved);
  }

  SECTION("file and function metrics are stored per commit") {
    fx.repo.write("m.py", "def f(x):\n    # TODO later\n    if x:\n        return eval(x)\n    return 0\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    auto fm = fx.store.file_metrics(c1, "m.py");
    REQUIRE(fm);
    CHECK(fm->language == "python");
    CHECK(fm->lines == 5);
    CHECK(fm->functions == 1);
    CHECK(fm->complexity_max == 2);
    CHECK(fm->debt_markers == 1);
    CHECK(fm->findings_security == 1);
    auto fns = fx.store.function_metrics(c1, "m.py");
    REQUIRE(fns.size() == 1);
    CHECK(fns[0].name == "f");
    CHECK(fns[0].identity == "f/1");
    CHECK(fns[0].complexity == 2);
    CHECK(fns[0].nesting == 1);
  }

  SECTION("an already scanned commit is skipped unless forced") {
    fx.repo.write("a.py", "eval(a)\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    ScanStats again = fx.scan({c1});
    CHECK(again.commits == 0);
    CHECK(again.files == 0);
    ScanStats forced = fx.scan({c1}, nullptr, true);
    CHECK(forced.commits == 1);
    CHECK(forced.findings == 1);
    CHECK(forced.inserted == 0);
    CHECK(fx.rows("a.py").size() == 1);
  }

  SECTION("a second commit that fixes one finding resolves its row") {
    fx.repo.write("a.py", "x = eval(a)\ny = eval(b)\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    fx.repo.write("a.py", "x = eval(a)\ny = 2\n");
    std::string c2 = fx.repo.commit();
    ScanStats s = fx.scan({c2});
    INFO(describe(s));
    CHECK(s.resolved == 1);
    CHECK(s.inserted == 0);
    auto resolved = fx.rows_with_status("a.py", core::Status::resolved);
    REQUIRE(resolved.size() == 1);
    CHECK(resolved[0].snippet == "eval(b)");
    CHECK(resolved[0].resolved_in == c2);
    auto open = fx.rows_with_status("a.py", core::Status::open);
    REQUIRE(open.size() == 1);
    CHECK(open[0].snippet == "eval(a)");
  }

  SECTION("moved lines keep their fingerprints: rows are updated, not replaced") {
    fx.repo.write("a.py", "x = eval(a)\ny = eval(b)\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    auto before = fx.rows("a.py");
    fx.repo.write("a.py", "import os\n\n# moved down\nx = eval(a)\ny = eval(b)\n");
    std::string c2 = fx.repo.commit();
    ScanStats s = fx.scan({c2});
    INFO(describe(s));
    CHECK(s.inserted == 0);
    CHECK(s.resolved == 0);
    auto after = fx.rows("a.py");
    REQUIRE(after.size() == 2);
    REQUIRE(before.size() == 2);
    for (size_t i = 0; i < 2; ++i) {
      CHECK(after[i].id == before[i].id);
      CHECK(after[i].fingerprint == before[i].fingerprint);
      CHECK(after[i].status == core::Status::open);
      CHECK(after[i].start_line == before[i].start_line + 3);
      CHECK(after[i].commit_id == c2);
    }
  }

  SECTION("hold the line: only findings on lines the commit touched are new") {
    fx.repo.write("a.py", "x = eval(a)\n\n\n\nz = 1\n");
    fx.repo.commit(); // not scanned: its finding predates what we look at
    fx.repo.write("a.py", "x = eval(a)\n\n\n\nz = 1\ny = eval(b)\n");
    std::string c2 = fx.repo.commit();
    std::vector<Located> out;
    fx.scan({c2}, &out);
    REQUIRE(out.size() == 2);
    std::map<std::string, bool> is_new;
    for (const auto& l : out) is_new[l.finding.snippet] = l.is_new;
    CHECK_FALSE(is_new.at("eval(a)"));
    CHECK(is_new.at("eval(b)"));
    for (const auto& row : fx.rows("a.py")) CHECK(row.is_new == (row.snippet == "eval(b)"));
  }

  SECTION("a rescan served from the cache judges the commit's lines as the first scan did") {
    // The changed lines are diffed only for files with findings, after the cache lookup: a cached
    // result must still see them (is_new), and a file without findings is not diffed at all.
    fx.repo.write("a.py", "x = eval(a)\n\n\n\nz = 1\n");
    fx.repo.write("b.py", "z = 1\n");
    fx.repo.commit();
    fx.repo.write("a.py", "x = eval(a)\n\n\n\nz = 1\ny = eval(b)\n");
    fx.repo.write("b.py", "z = 2\n");
    std::string c2 = fx.repo.commit();
    auto flags = [](const std::vector<Located>& out) {
      std::map<std::string, bool> is_new;
      for (const auto& l : out) is_new[l.finding.snippet] = l.is_new;
      return is_new;
    };
    std::vector<Located> first, again;
    ScanStats parsed = fx.scan({c2}, &first);
    CHECK(parsed.cached == 0);
    ScanStats cached = fx.scan({c2}, &again, true);
    CHECK(cached.cached == 2);
    CHECK(cached.files == 2);
    CHECK(flags(again) == flags(first));
    CHECK(flags(again) == std::map<std::string, bool>{{"eval(a)", false}, {"eval(b)", true}});
    for (const auto& row : fx.rows("a.py")) CHECK(row.is_new == (row.snippet == "eval(b)"));
  }

  SECTION("scope changed_lines: only findings on the commit's own lines are queued; the others stay") {
    fx.repo.write("a.py", "x = eval(a)\n");
    fx.repo.write("b.py", "p = eval(p)\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    REQUIRE(fx.rows("a.py").size() == 1);
    fx.config.scope = "changed_lines";
    fx.repo.write("a.py", "x = eval(a)\ny = eval(b)\n");
    fx.repo.write("b.py", "q = eval(q)\n\n\n\np = eval(p)\n");
    std::string c2 = fx.repo.commit();
    ScanStats s = fx.scan({c2});
    INFO(describe(s));
    CHECK(s.inserted == 2);
    CHECK(s.resolved == 0);
    CHECK(fx.rows_with_status("a.py", core::Status::open).size() == 2);
    CHECK(fx.rows_with_status("b.py", core::Status::open).size() == 2);
  }

  SECTION("scope changed_lines: pre-existing findings of an unscanned history are not queued") {
    fx.config.scope = "changed_lines";
    fx.repo.write("a.py", "x = eval(a)\n");
    fx.repo.commit(); // never scanned
    fx.repo.write("a.py", "x = eval(a)\ny = eval(b)\n");
    std::string c2 = fx.repo.commit();
    fx.scan({c2});
    auto rows = fx.rows("a.py");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].snippet == "eval(b)");
  }

  SECTION("a finding removed on one branch stays open while another branch still has it") {
    fx.repo.write("a.py", "x = eval(a)\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    fx.repo.git({"checkout", "-q", "-b", "feat"});
    fx.repo.write("a.py", "x = 1\n");
    std::string f1 = fx.repo.commit();
    ScanStats on_feat = fx.scan({f1});
    CHECK(on_feat.resolved == 0);
    REQUIRE(fx.rows_with_status("a.py", core::Status::open).size() == 1); // main still has it
    fx.repo.git({"checkout", "-q", "main"});
    fx.repo.write("a.py", "x = 2\n");
    std::string c2 = fx.repo.commit();
    ScanStats on_main = fx.scan({c2});
    CHECK(on_main.resolved == 1); // gone from every branch now
    CHECK(fx.rows_with_status("a.py", core::Status::resolved).size() == 1);
  }

  SECTION("a finding only another branch has is not resolved by a commit on this one") {
    fx.repo.write("a.py", "x = 1\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    fx.repo.git({"checkout", "-q", "-b", "feat"});
    fx.repo.write("a.py", "x = eval(a)\n");
    std::string f1 = fx.repo.commit();
    fx.scan({f1});
    fx.repo.git({"checkout", "-q", "main"});
    fx.repo.write("a.py", "x = 2\n");
    std::string c2 = fx.repo.commit();
    CHECK(fx.scan({c2}).resolved == 0);
    CHECK(fx.rows_with_status("a.py", core::Status::open).size() == 1);
  }

  SECTION("a deleted file resolves its rows") {
    fx.repo.write("a.py", "x = eval(a)\ny = eval(b)\n");
    fx.repo.write("keep.py", "eval(k)\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    fx.repo.remove("a.py");
    std::string c2 = fx.repo.commit();
    ScanStats s = fx.scan({c2});
    INFO(describe(s));
    CHECK(s.resolved == 2);
    for (const auto& row : fx.rows("a.py")) {
      CHECK(row.status == core::Status::resolved);
      CHECK(row.resolved_in == c2);
    }
    REQUIRE(fx.rows("keep.py").size() == 1);
    CHECK(fx.rows("keep.py")[0].status == core::Status::open);
  }

  SECTION("a file moved into a directory: old rows resolved, new rows for the new path") {
    fx.repo.write("a.py", "eval(a)\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    fx.repo.remove("a.py");
    fx.repo.write("a.py/inner.py", "eval(a)\n");
    std::string c2 = fx.repo.commit();
    ScanStats s = fx.scan({c2});
    INFO(describe(s));
    CHECK(s.resolved == 1);
    CHECK(s.inserted == 1);
    CHECK(fx.rows("a.py")[0].status == core::Status::resolved);
    CHECK(fx.rows("a.py/inner.py").size() == 1);
  }

  SECTION("binary, oversized, excluded, generated, minified, unsupported files and symlinks are skipped") {
    fx.config.scan.max_file_size = 300;
    fx.repo.write("ok.py", "eval(ok)\n");
    fx.repo.write("bin.py", std::string("eval(bin)\n\0\x01\x02\n", 14));
    fx.repo.write("big.py", "eval(big)\n" + std::string(400, '#') + "\n");
    fx.repo.write("vendor/lib.py", "eval(vendored)\n");
    fx.repo.write("gen.py", "# @generated by a tool\neval(gen)\n");
    fx.repo.write("notes.txt", "eval(text)\n");
    fs::create_symlink("ok.py", fx.repo.path() / "link.py");
    std::string c1 = fx.repo.commit();
    ScanStats s = fx.scan({c1});
    INFO(describe(s));
    CHECK(s.files == 1);
    CHECK(s.skipped == 6);
    CHECK(s.findings == 1);
    queue::OpportunityFilter all;
    auto rows = fx.store.opportunities(all);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].path == "ok.py");
  }

  SECTION("a minified file is skipped") {
    std::string line = "x = [";
    while (line.size() < 6000) line += "eval(a), ";
    fx.repo.write("min.py", line + "]\n");
    std::string c1 = fx.repo.commit();
    ScanStats s = fx.scan({c1});
    INFO(describe(s));
    CHECK(s.skipped == 1);
    CHECK(s.files == 0);
    CHECK(fx.rows("min.py").empty());
  }

  SECTION("the blob cache serves a reverted file without parsing it again") {
    fx.repo.write("a.py", "x = eval(a)\n");
    std::string c1 = fx.repo.commit();
    fx.repo.write("a.py", "x = 1\n");
    std::string c2 = fx.repo.commit();
    ScanStats first = fx.scan({c1, c2});
    INFO(describe(first));
    CHECK(first.cached == 0);
    CHECK(first.resolved == 1);
    fx.repo.git({"revert", "--no-edit", "HEAD"});
    std::string c3 = fx.repo.head();
    REQUIRE(fx.repo.rev(c3 + ":a.py") == fx.repo.rev(c1 + ":a.py"));
    ScanStats s = fx.scan({c3});
    INFO(describe(s));
    CHECK(s.cached == 1);
    CHECK(s.files == 1);
    CHECK(s.findings == 1);
    CHECK(s.reopened == 1);
    auto rows = fx.rows("a.py");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].status == core::Status::open);
  }

  SECTION("the cache is keyed by the rule set: other rules parse again") {
    fx.repo.write("a.py", "x = eval(a)\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    scan::Engine other({make_rule("t/eval2", "((call function: (identifier) @fn) @match (#eq? @fn \"eval\"))")});
    git::Repository r = git::Repository::open(fx.repo.path());
    CommitScanner scanner(r, fx.store, other, fx.config, fx.log);
    ScanStats s = scanner.scan_commits({c1}, true);
    CHECK(s.cached == 0);
    CHECK(s.findings == 1);
    CHECK(fx.rows("a.py", "t/eval2").size() == 1);
  }

  SECTION("untested public functions: judged against the test files of the commit") {
    fx.repo.write("tests/test_a.py", "from a import parse\n\ndef test_parse():\n    assert parse('x')\n");
    fx.repo.write("a.py", "def parse(x):\n    return x\n\ndef helper(y):\n    return y\n\ndef _hidden():\n    pass\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    auto rows = fx.rows("a.py", "t/untested");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].snippet == "def helper(y):");
    CHECK(rows[0].category == core::Category::test_coverage);
    CHECK(fx.rows("tests/test_a.py", "t/untested").empty());
  }

  SECTION("untested public functions: silent in a repository without tests") {
    fx.repo.write("a.py", "def parse(x):\n    return x\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    CHECK(fx.rows("a.py", "t/untested").empty());
  }

  SECTION("outside-tests: reported in code, not in test files") {
    fx.repo.write("a.py", "assert x\n");
    fx.repo.write("tests/test_b.py", "assert y\n");
    std::string c1 = fx.repo.commit();
    fx.scan({c1});
    CHECK(fx.rows("a.py", "t/assert").size() == 1);
    CHECK(fx.rows("tests/test_b.py", "t/assert").empty());
  }

  SECTION("a merge commit is scanned against its first parent") {
    fx.repo.write("a.py", "x = 1\n");
    std::string base = fx.repo.commit();
    fx.repo.git({"checkout", "-q", "-b", "side"});
    fx.repo.write("side.py", "eval(side)\n");
    fx.repo.commit();
    fx.repo.git({"checkout", "-q", "main"});
    fx.repo.write("main.py", "eval(main)\n");
    fx.repo.commit();
    fx.repo.git({"merge", "-q", "--no-ff", "--no-edit", "side"});
    std::string merge = fx.repo.head();
    ScanStats s = fx.scan({merge});
    INFO(describe(s));
    CHECK(s.files == 1);
    CHECK(fx.rows("side.py").size() == 1);
    CHECK(fx.rows("main.py").empty());
  }
}

TEST_CASE("CommitScanner::scan_all") {
  Fixture fx;
  fx.repo.write("a.py", "x = eval(a)\n");
  fx.repo.write("pkg/b.py", "y = eval(b)\n");
  fx.repo.write("README.md", "eval(md)\n");
  std::string c1 = fx.repo.commit();

  SECTION("every file of the tree; findings are pre-existing, not new") {
    std::vector<Located> out;
    ScanStats s = fx.scan_all(c1, &out);
    INFO(describe(s));
    CHECK(s.files == 2);
    CHECK(s.skipped == 1);
    CHECK(s.inserted == 2);
    REQUIRE(out.size() == 2);
    for (const auto& l : out) CHECK_FALSE(l.is_new);
    for (const auto& row : fx.rows("a.py")) CHECK_FALSE(row.is_new);
  }
}

TEST_CASE("skip_reason") {
  core::Config config = core::default_config();

  SECTION("eligible source files") {
    CHECK_FALSE(scan::skip_reason(config, "src/a.py", 100));
    CHECK_FALSE(scan::skip_reason(config, "lib/x.cpp", static_cast<size_t>(config.scan.max_file_size)));
  }
  SECTION("unsupported language") { CHECK(scan::skip_reason(config, "notes.txt", 10) == std::string("unsupported language")); }
  SECTION("excluded by scan.exclude") {
    CHECK(scan::skip_reason(config, "vendor/a.py", 10) == std::string("excluded"));
    CHECK(scan::skip_reason(config, "web/app.min.js", 10) == std::string("excluded"));
  }
  SECTION("larger than scan.max_file_size") {
    auto why = scan::skip_reason(config, "a.py", static_cast<size_t>(config.scan.max_file_size) + 1);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("larger than"));
  }
  SECTION("a language not in `languages`") {
    config.languages = {"javascript"};
    CHECK(scan::skip_reason(config, "a.py", 10) == std::string("language not enabled"));
    CHECK_FALSE(scan::skip_reason(config, "a.js", 10));
  }
}

TEST_CASE("content_skip_reason") {
  SECTION("ordinary source is eligible") {
    CHECK_FALSE(scan::content_skip_reason("def f():\n    return 1\n"));
    CHECK_FALSE(scan::content_skip_reason(""));
    CHECK_FALSE(scan::content_skip_reason("s = 'caf\xc3\xa9 \xff not utf-8'\n"));
  }
  SECTION("a NUL byte near the start means binary") {
    CHECK(scan::content_skip_reason(std::string("ab\0cd", 5)) == std::string("binary"));
  }
  SECTION("generated-file markers in the head") {
    CHECK(scan::content_skip_reason("// Code generated by protoc. DO NOT EDIT.\npackage x\n") == std::string("generated"));
    CHECK(scan::content_skip_reason("# @generated\nx = 1\n") == std::string("generated"));
    std::string late(2000, '\n');
    CHECK_FALSE(scan::content_skip_reason(late + "# @generated\n"));
  }
  SECTION("very long lines mean minified") {
    CHECK(scan::content_skip_reason(std::string(5000, 'x') + "\n") == std::string("minified"));
    std::string normal;
    while (normal.size() < 10000) normal += "x = 1  # a line of ordinary length\n";
    CHECK_FALSE(scan::content_skip_reason(normal));
  }
}

TEST_CASE("to_payload") {
  scan::Engine engine(default_rules());
  const std::string src =
      "def parse(x):\n    # TODO\n    if x and x.y:\n        return eval(x)\n    return 0\n\nassert parse(1)\n";
  FileResult result = engine.scan(*scan::language_by_name("python"), src);
  REQUIRE(result.findings.size() >= 3);
  REQUIRE(result.functions.size() == 1);

  SECTION("from_payload(to_payload(r)) gives r back") {
    auto back = scan::from_payload(scan::to_payload(result));
    REQUIRE(back);
    CHECK(digest(*back) == digest(result));
  }

  SECTION("a timed-out result round-trips") {
    FileResult t;
    t.language = "cpp";
    t.timed_out = true;
    t.lines = 7;
    auto back = scan::from_payload(scan::to_payload(t));
    REQUIRE(back);
    CHECK(back->timed_out);
    CHECK(back->lines == 7);
    CHECK(back->language == "cpp");
  }

  SECTION("text that is not UTF-8 does not break the payload") {
    FileResult r = result;
    r.findings[0].snippet = "caf\xe9 \xff";
    std::string payload;
    REQUIRE_NOTHROW(payload = scan::to_payload(r));
    auto back = scan::from_payload(payload);
    REQUIRE(back);
    CHECK(back->findings.size() == r.findings.size());
    CHECK(back->findings[0].start_byte == r.findings[0].start_byte);
  }
}

TEST_CASE("from_payload") {
  SECTION("nullopt for text that is not a payload") {
    CHECK_FALSE(scan::from_payload(""));
    CHECK_FALSE(scan::from_payload("not json"));
    CHECK_FALSE(scan::from_payload("[]"));
    CHECK_FALSE(scan::from_payload("{\"v\": 1}"));
  }
  SECTION("nullopt for another format version") {
    FileResult r;
    r.language = "python";
    std::string payload = scan::to_payload(r);
    REQUIRE(scan::from_payload(payload));
    auto at = payload.find("\"v\":4");
    REQUIRE(at != std::string::npos);
    payload.replace(at, 5, "\"v\":3"); // before region contexts
    CHECK_FALSE(scan::from_payload(payload));
  }
  SECTION("nullopt for fields of the wrong type") {
    FileResult r;
    r.language = "python";
    std::string payload = scan::to_payload(r);
    auto at = payload.find("\"lines\":0");
    REQUIRE(at != std::string::npos);
    payload.replace(at, 9, "\"lines\":\"zero\"");
    CHECK_FALSE(scan::from_payload(payload));
  }

  // One finding with a capture and one function, every field set, for the edits below.
  FileResult r;
  r.language = "python";
  r.lines = 12;
  r.debt_markers = 1;
  r.syntax_errors = 2;
  scan::Finding f;
  f.rule_id = "python/x";
  f.start_line = 3;
  f.end_line = 4;
  f.start_byte = 30;
  f.end_byte = 45;
  f.message = "msg";
  f.safety = core::Safety::safe;
  f.snippet = "x == None";
  f.node_hash = "abc";
  f.deferred_check = "outside-tests";
  f.subject = "s";
  f.subject_start_line = 1;
  f.subject_end_line = 9;
  f.captures = {{"match", 30, 45}};
  f.contexts = 6;
  r.findings = {f};
  r.functions = {{"parse", 1, 9, 4, 9, 2, "Mod.parse", "/1", "", "Mod.parse/1", "Mod.parse"}};
  const std::string payload = scan::to_payload(r);
  REQUIRE(scan::from_payload(payload));
  auto edited = [&](const std::string& from, const std::string& to) {
    std::string out = payload;
    const auto at = out.find(from);
    REQUIRE(at != std::string::npos);
    return out.replace(at, from.size(), to);
  };

  SECTION("every field comes back") {
    auto back = scan::from_payload(payload);
    REQUIRE(back);
    CHECK(back->language == "python");
    CHECK(back->lines == 12);
    CHECK(back->debt_markers == 1);
    CHECK(back->syntax_errors == 2);
    CHECK_FALSE(back->timed_out);
    REQUIRE(back->findings.size() == 1);
    const scan::Finding& g = back->findings[0];
    CHECK(g.rule_id == f.rule_id);
    CHECK(std::make_pair(g.start_line, g.end_line) == std::make_pair(3, 4));
    CHECK(std::make_pair(g.start_byte, g.end_byte) == std::make_pair(30u, 45u));
    CHECK(g.safety == f.safety);
    CHECK(g.message + g.snippet + g.node_hash + g.deferred_check + g.subject ==
          f.message + f.snippet + f.node_hash + f.deferred_check + f.subject);
    CHECK(std::make_pair(g.subject_start_line, g.subject_end_line) == std::make_pair(1, 9));
    REQUIRE(g.captures.size() == 1);
    CHECK(g.captures[0].name == "match");
    CHECK(g.captures[0].start_byte == 30);
    CHECK(g.captures[0].end_byte == 45);
    CHECK(g.contexts == 6);
    REQUIRE(back->functions.size() == 1);
    const auto& m = back->functions[0];
    CHECK(m.name + m.qualified + m.signature + m.kind + m.key + m.label == "parseMod.parse/1Mod.parse/1Mod.parse");
    CHECK(std::vector<int>{m.start_line, m.end_line, m.complexity, m.length, m.nesting} == std::vector<int>{1, 9, 4, 9, 2});
  }

  SECTION("keys it does not know are skipped, whatever their value") {
    auto back = scan::from_payload(edited("{\"debt\"", "{\"later\":{\"a\":[1,{\"b\":null}],\"v\":3},\"debt\""));
    REQUIRE(back);
    CHECK(back->lines == 12);
    back = scan::from_payload(edited("\"chk\"", "\"new\":[[\"x\"],2.5],\"chk\""));
    REQUIRE(back);
    CHECK(back->findings.at(0).deferred_check == "outside-tests");
  }

  SECTION("nullopt for a missing, repeated or misshapen field") {
    CHECK_FALSE(scan::from_payload(edited("\"debt\":1,", "")));                    // missing at the top
    CHECK_FALSE(scan::from_payload(edited("\"ctx\":6", "\"other\":6")));           // missing in a finding
    CHECK_FALSE(scan::from_payload(edited("\"debt\":1,", "\"debt\":1,\"debt\":1,"))); // repeated
    CHECK_FALSE(scan::from_payload(edited("\"l\":[3,4]", "\"l\":[3]")));           // a pair of one
    CHECK_FALSE(scan::from_payload(edited("\"l\":[3,4]", "\"l\":[3,4,5]")));       // ... of three
    CHECK_FALSE(scan::from_payload(edited("\"l\":[3,4]", "\"l\":[3,[4]]")));       // nested
    CHECK_FALSE(scan::from_payload(edited("\"l\":[3,4]", "\"l\":{\"a\":3}")));     // an object
    CHECK_FALSE(scan::from_payload(edited("[\"match\",30,45]", "[\"match\",30]")));
    CHECK_FALSE(scan::from_payload(edited("\"Mod.parse\"]", "\"Mod.parse\",1]")));   // a function of 12
    CHECK_FALSE(scan::from_payload(edited("\"findings\":[{", "\"findings\":[7,{")));  // not an object
    CHECK_FALSE(scan::from_payload(edited("\"functions\":[[", "\"functions\":[\"f\",[")));
    CHECK_FALSE(scan::from_payload(edited("\"timed_out\":false", "\"timed_out\":0")));
    CHECK_FALSE(scan::from_payload(edited("\"v\":4", "\"v\":\"4\"")));
    CHECK_FALSE(scan::from_payload(payload + " {}"));
    CHECK_FALSE(scan::from_payload(payload.substr(0, payload.size() - 1)));
  }

  SECTION("nullopt for an integer out of its field's range") {
    CHECK_FALSE(scan::from_payload(edited("\"lines\":12", "\"lines\":2147483648")));
    CHECK_FALSE(scan::from_payload(edited("\"lines\":12", "\"lines\":1e3")));
    CHECK_FALSE(scan::from_payload(edited("[\"match\",30,45]", "[\"match\",-1,45]")));
    CHECK_FALSE(scan::from_payload(edited("[\"match\",30,45]", "[\"match\",30,4294967296]")));
    CHECK_FALSE(scan::from_payload(edited("\"ctx\":6", "\"ctx\":-6")));
    CHECK_FALSE(scan::from_payload(edited("\"b\":[30,45]", "\"b\":[30,18446744073709551616]")));
    auto low = scan::from_payload(edited("\"lines\":12", "\"lines\":-2147483648"));
    REQUIRE(low);
    CHECK(low->lines == -2147483648LL);
    CHECK_FALSE(scan::from_payload(edited("\"lines\":12", "\"lines\":-2147483649")));
  }
}
