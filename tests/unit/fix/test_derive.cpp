#include "../support/temp_repo.hpp"

#include "../support/scan_support.hpp"
#include "fix/derive.hpp"
#include "scan/rule.hpp"

#include <algorithm>
#include <string>

namespace {

using test_support::TempRepo;

const std::string k_text = "def f(x):\n    if x == None:\n        return 1\n    return 2\n";

// The queued finding of `rule_id` in `text` at a.py, as the scan would have stored it.
queue::Opportunity queued(const scan::Engine& engine, const std::string& text,
                          const std::string& rule_id = "python/compare-to-none") {
  scan::FileContext context;
  context.path = "a.py";
  const auto findings = scan::apply_context(engine.scan(test_support::lang("python"), text).findings, text, context);
  auto f = std::find_if(findings.begin(), findings.end(),
                        [&](const scan::Finding& x) { return x.rule_id == rule_id; });
  REQUIRE(f != findings.end());
  queue::Opportunity o;
  o.id = 1;
  o.rule_id = f->rule_id;
  o.fingerprint = f->fingerprint;
  o.path = "a.py";
  o.start_line = f->start_line;
  o.end_line = f->end_line;
  o.snippet = f->snippet;
  o.safety = f->safety;
  return o;
}

} // namespace

TEST_CASE("derive_fix", "[fix]") {
  TempRepo repo("derive");
  repo.write("a.py", k_text);
  const std::string head = repo.commit();
  const git::Repository r = git::Repository::open(repo.path());
  const scan::Engine engine(scan::builtin_rules());
  core::Config config = core::default_config();
  const queue::Opportunity o = queued(engine, k_text);

  SECTION("the rule's fix on the file as it is at the commit, through the cheap gates") {
    const fix::Derived d = fix::derive_fix(engine, r, config, head, o);
    REQUIRE(d.status == fix::Derived::Status::ok);
    CHECK(d.before == k_text);
    CHECK(d.after == "def f(x):\n    if x is None:\n        return 1\n    return 2\n");
    CHECK(d.lines_changed == 2); // one line out, one in
    CHECK(d.line == 2);
    CHECK(d.mode == 0100644);
    CHECK(d.gates.empty()); // no native checker given
  }

  SECTION("found again after the lines moved: the fingerprint, not the line, finds it") {
    repo.write("a.py", "import os\n\n" + k_text);
    const std::string moved = repo.commit();
    const fix::Derived d = fix::derive_fix(engine, r, config, moved, o);
    REQUIRE(d.status == fix::Derived::Status::ok);
    CHECK(d.line == 4);
    CHECK(d.after.find("if x is None:") != std::string::npos);
  }

  SECTION("gone: fixed by hand, or the file removed") {
    repo.write("a.py", "def f(x):\n    if x is None:\n        return 1\n    return 2\n");
    const std::string fixed = repo.commit();
    CHECK(fix::derive_fix(engine, r, config, fixed, o).status == fix::Derived::Status::gone);
    repo.remove("a.py");
    repo.write("b.py", "x = 1\n");
    const std::string removed = repo.commit();
    const fix::Derived d = fix::derive_fix(engine, r, config, removed, o);
    CHECK(d.status == fix::Derived::Status::gone);
    CHECK(d.detail == "a.py no longer exists");
  }

  SECTION("refused with an outcome: a rule that is not active, a change over the size cap") {
    queue::Opportunity unknown = o;
    unknown.rule_id = "python/no-such-rule";
    const fix::Derived none = fix::derive_fix(engine, r, config, head, unknown);
    CHECK(none.status == fix::Derived::Status::no_fix);
    CHECK(none.outcome == core::Outcome::no_fix);
    config.safety_settings.max_change_size = 1;
    const fix::Derived large = fix::derive_fix(engine, r, config, head, o);
    CHECK(large.status == fix::Derived::Status::rejected_by_gate);
    CHECK(large.outcome == core::Outcome::too_large);
  }

  SECTION("refused by the re-parse gate: a template fix whose text leaves the file with a syntax error") {
    // The same finding as python/compare-to-none, with a fix template that writes an unclosed parenthesis.
    const scan::Rule unbalanced = scan::parse_rule("id: t/unbalanced\n"
                                                   "language: python\n"
                                                   "category: code_quality\n"
                                                   "safety: safe\n"
                                                   "message: \"use is\"\n"
                                                   "query: |\n"
                                                   "  (comparison_operator (_) operators: \"==\" @op (none)) @match\n"
                                                   "fix:\n"
                                                   "  - replace: \"@op\"\n"
                                                   "    with: \"is (\"\n",
                                                   "rules/unbalanced.yml");
    const scan::Engine unbalanced_engine({unbalanced});
    const queue::Opportunity finding = queued(unbalanced_engine, k_text, "t/unbalanced");
    const fix::Derived d = fix::derive_fix(unbalanced_engine, r, config, head, finding);
    CHECK(d.status == fix::Derived::Status::rejected_by_gate);
    CHECK(d.outcome == core::Outcome::reparse_error);
    CHECK_THAT(d.detail, Catch::Contains("syntax errors (was 0)"));
    CHECK(d.after == "def f(x):\n    if x is ( None:\n        return 1\n    return 2\n"); // what was refused
  }
}
