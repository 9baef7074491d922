#include "fix/sweep.hpp"

#include "../support/temp_repo.hpp"

#include "core/config.hpp"
#include "git/repo.hpp"
#include "scan/engine.hpp"
#include "scan/language.hpp"

#include <algorithm>
#include <string>
#include <vector>

using test_support::TempDir;
using test_support::TempRepo;

namespace {

queue::Opportunity finding(int64_t id, const std::string& rule, const std::string& path, int line, int lines = 1) {
  queue::Opportunity o;
  o.id = id;
  o.rule_id = rule;
  o.path = path;
  o.start_line = line;
  o.end_line = line + lines - 1;
  o.fingerprint = "fp" + std::to_string(id);
  return o;
}

std::vector<int64_t> ids_of(const fix::SweepGroup& g) {
  std::vector<int64_t> ids;
  for (const auto& o : g.findings) ids.push_back(o.id);
  return ids;
}

scan::Rule rule_named(const std::string& id) {
  for (const auto& r : scan::builtin_rules())
    if (r.id == id) return r;
  throw std::runtime_error("no built-in rule " + id);
}

// The queued findings of `rule` in `path` as the scanner would store them (fingerprints included).
std::vector<queue::Opportunity> queued(const scan::Engine& engine, const std::string& rule, const std::string& path,
                                       const std::string& text) {
  const scan::LanguageProfile* language = scan::language_for_path(path);
  scan::FileContext context;
  context.path = path;
  std::vector<queue::Opportunity> out;
  int64_t id = 1;
  for (const auto& f : scan::apply_context(engine.scan(*language, text).findings, text, context)) {
    if (f.rule_id != rule) continue;
    queue::Opportunity o = finding(id++, rule, path, f.start_line, f.end_line - f.start_line + 1);
    o.fingerprint = f.fingerprint;
    o.snippet = f.snippet;
    o.safety = f.safety;
    out.push_back(o);
  }
  return out;
}

} // namespace

TEST_CASE("parse_sweep_unit and sweep_scope") {
  SECTION("file and directory, nothing else") {
    CHECK(fix::parse_sweep_unit("file") == fix::SweepUnit::file);
    CHECK(fix::parse_sweep_unit("directory") == fix::SweepUnit::directory);
    CHECK_FALSE(fix::parse_sweep_unit("dir"));
  }
  SECTION("a file is its own scope; by directory, its directory (the top is empty)") {
    CHECK(fix::sweep_scope("src/a.js", fix::SweepUnit::file) == "src/a.js");
    CHECK(fix::sweep_scope("src/lib/a.js", fix::SweepUnit::directory) == "src/lib");
    CHECK(fix::sweep_scope("a.js", fix::SweepUnit::directory) == "");
  }
}

TEST_CASE("under_any") {
  SECTION("no paths take everything") { CHECK(fix::under_any("a/b.js", {})); }
  SECTION("the path itself or below a directory, never a mere prefix of a name") {
    CHECK(fix::under_any("src/a.js", {"src/a.js"}));
    CHECK(fix::under_any("src/lib/a.js", {"src"}));
    CHECK(fix::under_any("src/lib/a.js", {"src/"}));
    CHECK_FALSE(fix::under_any("srcx/a.js", {"src"}));
    CHECK_FALSE(fix::under_any("src/a.js", {"lib", "src/b.js"}));
  }
  SECTION("the top of the tree takes everything") { CHECK(fix::under_any("x/y.js", {"."})); }
}

TEST_CASE("group_for_sweep") {
  SECTION("one group per rule and file, in line order") {
    auto groups = fix::group_for_sweep({finding(3, "js/r", "b.js", 9), finding(1, "js/r", "a.js", 5),
                                        finding(2, "js/r", "a.js", 2), finding(4, "js/s", "a.js", 1)},
                                       fix::SweepUnit::file, 300);
    REQUIRE(groups.size() == 3);
    CHECK(groups[0].rule_id == "js/r");
    CHECK(groups[0].scope == "a.js");
    CHECK(ids_of(groups[0]) == std::vector<int64_t>{2, 1});
    CHECK(groups[1].scope == "b.js");
    CHECK(groups[2].rule_id == "js/s"); // never two rules in one commit
    CHECK(groups[0].estimated_lines == 4); // each line removed and added
  }
  SECTION("by directory, the files of one directory together, never those of its subdirectories") {
    auto groups = fix::group_for_sweep({finding(1, "r", "src/b.js", 1), finding(2, "r", "src/a.js", 7),
                                        finding(3, "r", "src/sub/c.js", 1), finding(4, "r", "top.js", 1)},
                                       fix::SweepUnit::directory, 300);
    REQUIRE(groups.size() == 3);
    CHECK(groups[0].scope == "");
    CHECK(ids_of(groups[0]) == std::vector<int64_t>{4});
    CHECK(groups[1].scope == "src");
    CHECK(ids_of(groups[1]) == std::vector<int64_t>{2, 1});
    CHECK(groups[2].scope == "src/sub");
  }
  SECTION("a group past the cap is split in order into groups of the same rule under it") {
    std::vector<queue::Opportunity> many;
    for (int i = 1; i <= 7; ++i) many.push_back(finding(i, "r", "a.js", i * 10)); // 2 changed lines each
    auto groups = fix::group_for_sweep(many, fix::SweepUnit::file, 5);
    REQUIRE(groups.size() == 4);
    CHECK(ids_of(groups[0]) == std::vector<int64_t>{1, 2});
    CHECK(ids_of(groups[3]) == std::vector<int64_t>{7});
    for (const auto& g : groups) {
      CHECK(g.estimated_lines <= 5);
      CHECK(g.rule_id == "r");
      CHECK(g.scope == "a.js");
    }
  }
  SECTION("a finding larger than the cap is a group of its own") {
    auto groups = fix::group_for_sweep({finding(1, "r", "a.js", 1, 1), finding(2, "r", "a.js", 5, 9),
                                        finding(3, "r", "a.js", 20, 1)},
                                       fix::SweepUnit::file, 4);
    REQUIRE(groups.size() == 3);
    CHECK(ids_of(groups[1]) == std::vector<int64_t>{2});
    CHECK(groups[1].estimated_lines == 18);
  }
}

TEST_CASE("rules_to_sweep") {
  std::vector<scan::Rule> rules{rule_named("javascript/no-var"), rule_named("python/compare-to-none"),
                                rule_named("python/bare-except")};
  REQUIRE(rules[0].mechanical);
  REQUIRE_FALSE(rules[2].mechanical);
  std::vector<std::string> problems;

  SECTION("named mechanical rules are swept; others are said, not swept") {
    auto swept = fix::rules_to_sweep({"javascript/no-var", "python/bare-except", "no/such"}, rules, &problems);
    CHECK(swept == std::set<std::string>{"javascript/no-var"});
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].find("python/bare-except is not a mechanical rule") != std::string::npos);
    CHECK(problems[1].find("no rule no/such") != std::string::npos);
  }
  SECTION("'mechanical' stands for every enabled mechanical rule") {
    rules[1].enabled = false;
    auto swept = fix::rules_to_sweep({"mechanical"}, rules, &problems);
    CHECK(swept == std::set<std::string>{"javascript/no-var"});
    CHECK(problems.empty());
  }
}

TEST_CASE("sweep_validated") {
  CHECK(fix::sweep_validated("size<=100, no-destruction, reparse, line-endings, tests", 300) ==
        "sweep-size<=300, no-destruction, reparse, line-endings, tests");
}

TEST_CASE("take_sweeps") {
  TempDir dir("sweep-take");
  queue::Store store = queue::Store::open(dir / "q.db");
  auto add = [&](const std::string& rule, const std::string& path, int line) {
    queue::Opportunity o = finding(0, rule, path, line);
    o.fingerprint = rule + path + std::to_string(line);
    o.category = core::Category::code_quality;
    o.severity = "warning";
    o.safety = core::Safety::safe;
    store.upsert_opportunity(o);
    return o;
  };
  std::vector<queue::Opportunity> eligible{add("r", "a.js", 1), add("r", "a.js", 2), add("r", "lib/b.js", 1),
                                           add("other", "a.js", 3)};
  fix::SweepRequest request;
  request.rules = {"r"};

  SECTION("the rule's findings leave the eligible ones, grouped; the rest stay") {
    auto groups = fix::take_sweeps(eligible, request, store);
    REQUIRE(groups.size() == 2);
    CHECK(groups[0].findings.size() == 2);
    REQUIRE(eligible.size() == 1);
    CHECK(eligible[0].rule_id == "other");
  }
  SECTION("under the paths asked for only; `only` leaves nothing else eligible") {
    request.paths = {"lib"};
    request.only = true;
    auto groups = fix::take_sweeps(eligible, request, store);
    REQUIRE(groups.size() == 1);
    CHECK(groups[0].scope == "lib/b.js");
    CHECK(eligible.empty());
  }
  SECTION("a finding a sweep was refused with goes alone from then on") {
    store.record_attempt({0, eligible[0].id, 0, "", core::Outcome::sweep_refused, "check_failed: x", "main", 0, 0, 0, 0});
    auto groups = fix::take_sweeps(eligible, request, store);
    REQUIRE(groups.size() == 2);
    CHECK(groups[0].findings.size() == 1);
    CHECK(eligible.size() == 2); // the refused one and the other rule's
  }
  SECTION("no rules, no sweep") {
    request.rules.clear();
    CHECK(fix::take_sweeps(eligible, request, store).empty());
    CHECK(eligible.size() == 4);
  }
}

TEST_CASE("build_sweep") {
  TempRepo repo("sweep-build");
  const std::string text = "function f(n) {\n  var a = 1;\n  var b = a + n;\n  var c = b * 2;\n  return a + b + c;\n}\n"
                           "module.exports = f;\n";
  repo.write("lib/f.js", text);
  const std::string base = repo.commit("f");
  git::Repository git = git::Repository::open(repo.path());
  const scan::Engine engine({rule_named("javascript/no-var")});
  core::Config config = core::default_config();
  const fix::SweepEnv env{git, engine, config, nullptr, git::Signature{"autoloop", "autoloop@example.invalid"}};
  auto findings = queued(engine, "javascript/no-var", "lib/f.js", text);
  REQUIRE(findings.size() == 3);

  SECTION("every finding's fix in one commit on the tip, one rule, with the sweep's trailers") {
    fix::Sweep s = fix::build_sweep(env, base, findings);
    CHECK_FALSE(s.outcome);
    REQUIRE(s.files.size() == 1);
    const std::string commit = fix::commit_sweep(env, base, s, "sweep-size<=300, reparse");
    CHECK(s.fixed.size() == 3);
    CHECK(s.left_out.empty());
    CHECK(s.lines_changed == 6); // three lines removed, three added
    CHECK(git.commit_info(commit).parents == std::vector<std::string>{base});
    const std::string after = git.read_blob(git.entry_at(commit, "lib/f.js")->blob);
    CHECK(after.find("var ") == std::string::npos);
    CHECK(after.find("  let a = 1;\n  let b = a + n;\n  let c = b * 2;\n") != std::string::npos);
    const std::string message = git.commit_info(commit).message;
    CHECK(message.rfind("autoloop(javascript/no-var): sweep of 3 findings in lib/f.js\n", 0) == 0);
    CHECK(message.find("\nAutoloop-Rule: javascript/no-var\n") != std::string::npos);
    CHECK(message.find("\nAutoloop-Sweep: 3\n") != std::string::npos);
    CHECK(message.find("\nAutoloop-Sweep-Opportunities: 1 2 3\n") != std::string::npos);
    CHECK(message.find("\nAutoloop-Sweep-Fingerprints: " + findings[0].fingerprint + " " + findings[1].fingerprint +
                       " " + findings[2].fingerprint + "\n") != std::string::npos);
    CHECK(message.find("\nAutoloop-Validated: sweep-size<=300, reparse\n") != std::string::npos);
  }
  SECTION("past sweep.max_change_size the sweep is refused, nothing committed") {
    config.sweep.max_change_size = 5;
    fix::Sweep s = fix::build_sweep(env, base, findings);
    for (const auto& l : s.left_out) UNSCOPED_INFO("left out #" << l.finding.id << " " << core::to_string(l.outcome) << " " << l.detail);
    CHECK(s.files.empty());
    CHECK(s.outcome == core::Outcome::too_large);
    CHECK(s.detail.find("6 lines, more than sweep.max_change_size (5)") != std::string::npos);
  }
  SECTION("a finding gone from the file is left out; the others are swept") {
    repo.write("lib/f.js", "function f(n) {\n  let a = 1;\n  var b = a + n;\n  var c = b * 2;\n  return a + b + c;\n}\n"
                           "module.exports = f;\n");
    const std::string moved = repo.commit("a is let already");
    fix::Sweep s = fix::build_sweep(env, moved, findings);
    CHECK_FALSE(s.outcome);
    CHECK(s.fixed.size() == 2);
    REQUIRE(s.left_out.size() == 1);
    CHECK(s.left_out[0].finding.id == 1);
    CHECK(s.left_out[0].gone);
  }
  SECTION("nothing to fix: refused as no_fix, every finding left out") {
    repo.write("lib/f.js", "module.exports = 1;\n");
    const std::string moved = repo.commit("gone");
    fix::Sweep s = fix::build_sweep(env, moved, findings);
    CHECK(s.outcome == core::Outcome::no_fix);
    CHECK(s.fixed.empty());
    CHECK(s.left_out.size() == 3);
  }
}

TEST_CASE("findings_of_commit") {
  TempDir dir("sweep-commit");
  queue::Store store = queue::Store::open(dir / "q.db");
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    queue::Opportunity o = finding(0, "r", "a.js", i + 1);
    o.fingerprint = "commit" + std::to_string(i);
    o.category = core::Category::code_quality;
    o.severity = "warning";
    o.safety = core::Safety::safe;
    store.upsert_opportunity(o);
    ids.push_back(o.id);
  }
  const std::string sweep(40, 'a'), single(40, 'b');
  for (int64_t id : {ids[0], ids[1]}) store.record_attempt({0, id, 0, sweep, core::Outcome::applied, "", "main", 2, 0, 0, 0});
  store.record_attempt({0, ids[2], 0, single, core::Outcome::applied, "", "main", 1, 0, 0, 0});
  store.set_status(ids[0], core::Status::applied);
  store.set_status(ids[2], core::Status::applied);

  SECTION("every finding whose attempt names the commit, in order, once") {
    store.record_attempt({0, ids[0], 0, sweep, core::Outcome::accepted, "", "main", 2, 0, 0, 0});
    CHECK(fix::findings_of_commit(store, sweep) == std::vector<int64_t>{ids[0], ids[1]});
    CHECK(fix::findings_of_commit(store, single) == std::vector<int64_t>{ids[2]});
  }
  SECTION("only those of a status when asked") {
    CHECK(fix::findings_of_commit(store, sweep, core::Status::applied) == std::vector<int64_t>{ids[0]});
  }
}
