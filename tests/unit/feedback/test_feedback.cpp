#include "../support/temp_repo.hpp"

#include "feedback/feedback.hpp"

#include <cmath>
#include <map>

using test_support::TempDir;

namespace {

// I_x(a, b) for whole a, b: the binomial tail sum_{j=a}^{a+b-1} C(a+b-1, j) x^j (1-x)^(a+b-1-j).
double binomial_tail(int a, int b, double x) {
  const int n = a + b - 1;
  double sum = 0;
  for (int j = a; j <= n; ++j) {
    double c = std::exp(std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0));
    sum += c * std::pow(x, j) * std::pow(1 - x, n - j);
  }
  return sum;
}

queue::RuleFeedback counts(const std::string& id, int accepted, int rejected, int reverted = 0,
                           const std::string& category = "quality") {
  queue::RuleFeedback f;
  f.rule_id = id;
  f.category = core::category_named(category);
  f.accepted = accepted;
  f.rejected = rejected;
  f.reverted = reverted;
  return f;
}

// One opportunity of `rule` and a verdict on it, through the Store's own API.
void verdict(queue::Store& store, const std::string& rule, const std::string& category, const std::string& fingerprint,
             const std::string& what) {
  queue::Opportunity o;
  o.fingerprint = fingerprint;
  o.rule_id = rule;
  o.category = *core::category_named(category);
  o.severity = "warning";
  o.safety = core::Safety::safe;
  o.path = "a.py";
  o.start_line = o.end_line = 1;
  store.upsert_opportunity(o);
  store.record_attempt({0, o.id, 0, "c0ffee" + fingerprint, core::Outcome::applied, "", "main", 1, 0, 0, 0});
  store.record_verdict(o.id, what, what == "rejected" ? "not wanted" : "", "");
  if (what == "reverted") store.record_verdict(o.id, "accepted", "", ""); // accepted first, then reverted
}

} // namespace

TEST_CASE("incomplete_beta", "[feedback]") {
  SECTION("matches the binomial tail for whole parameters") {
    for (int a : {1, 2, 5, 11})
      for (int b : {1, 3, 9})
        for (double x : {0.05, 0.3, 0.5, 0.9, 0.99}) CHECK(feedback::incomplete_beta(a, b, x) == Approx(binomial_tail(a, b, x)).margin(1e-9));
  }
  SECTION("is symmetric and bounded") {
    CHECK(feedback::incomplete_beta(3.5, 3.5, 0.5) == Approx(0.5));
    CHECK(feedback::incomplete_beta(2, 3, 0) == 0);
    CHECK(feedback::incomplete_beta(2, 3, 1) == 1);
    CHECK(feedback::incomplete_beta(0.5, 0.5, 0.25) == Approx(1.0 / 3).margin(1e-9)); // arcsine law
  }
}

TEST_CASE("evaluate", "[feedback]") {
  core::FeedbackConfig config;
  SECTION("a rule rejected most of the time is quarantined once it has enough verdicts") {
    auto few = feedback::evaluate({counts("r/b", 1, 7)}, config);
    CHECK(few.rules.at("r/b").state == feedback::State::learning); // 8 verdicts < 10
    auto enough = feedback::evaluate({counts("r/b", 2, 8)}, config);
    CHECK(enough.rules.at("r/b").state == feedback::State::quarantined);
    CHECK(enough.quarantined("r/b"));
    CHECK(enough.rules.at("r/b").weight == 0);
    CHECK_THAT(enough.rules.at("r/b").why, Catch::Contains("2 of 10"));
  }
  SECTION("a rule accepted almost always is trusted, and ranks above the prior") {
    auto l = feedback::evaluate({counts("r/a", 19, 1)}, config);
    CHECK(l.rules.at("r/a").state == feedback::State::trusted);
    CHECK(l.score_factor("r/a", core::Category::code_quality) > l.score_factor("r/unknown", core::Category::performance_issues));
  }
  SECTION("with the defaults, a rule people mostly keep is never quarantined, however many verdicts") {
    // 70% and 80% acceptance: useful rules (the old bar of 90% quarantined them).
    for (int verdicts : {10, 20, 50, 200}) {
      for (double rate : {0.7, 0.8}) {
        const int accepted = static_cast<int>(verdicts * rate + 0.5);
        INFO(accepted << " of " << verdicts << " accepted");
        CHECK(feedback::evaluate({counts("r/a", accepted, verdicts - accepted)}, config).rules.at("r/a").state !=
              feedback::State::quarantined);
      }
    }
    // Even a coin flip over many verdicts is not "mostly rejected".
    CHECK_FALSE(feedback::evaluate({counts("r/a", 100, 100)}, config).quarantined("r/a"));
  }
  SECTION("with the defaults, a rule people mostly reject is quarantined once the verdicts say so") {
    CHECK(feedback::evaluate({counts("r/b", 6, 14)}, config).quarantined("r/b"));  // 30% of 20
    CHECK(feedback::evaluate({counts("r/b", 2, 8)}, config).quarantined("r/b"));   // 20% of 10
    CHECK(feedback::evaluate({counts("r/b", 40, 60)}, config).quarantined("r/b")); // 40% of 100: surely under half
    CHECK_FALSE(feedback::evaluate({counts("r/b", 4, 6)}, config).quarantined("r/b")); // 40% of 10: not sure yet
  }
  SECTION("one rejection in ten is not enough to quarantine a good rule") {
    auto l = feedback::evaluate({counts("r/a", 9, 1)}, config);
    CHECK(l.rules.at("r/a").state != feedback::State::quarantined);
  }
  SECTION("a revert counts against the rule") {
    auto kept = feedback::evaluate({counts("r/a", 6, 0)}, config);
    auto reverted = feedback::evaluate({counts("r/a", 6, 0, 2)}, config);
    CHECK(reverted.rules.at("r/a").posterior.mean() < kept.rules.at("r/a").posterior.mean());
    CHECK(reverted.rules.at("r/a").posterior.beta == Approx(config.prior_rejected + 2));
    CHECK(reverted.rules.at("r/a").posterior.alpha == Approx(config.prior_accepted + 4));
  }
  SECTION("bulk accepts count as verdicts but never make a rule trusted by themselves") {
    auto bulk = counts("r/a", 19, 1);
    bulk.bulk_accepted = 19;
    auto l = feedback::evaluate({bulk}, config);
    CHECK(l.rules.at("r/a").state == feedback::State::learning);
    CHECK(l.rules.at("r/a").verdicts == 20);                                   // one verdict per fix
    CHECK(l.rules.at("r/a").posterior.alpha == Approx(config.prior_accepted + 19)); // in the acceptance too
    CHECK_THAT(l.rules.at("r/a").why, Catch::Contains("19 accepted in bulk"));
    // Enough fixes accepted one by one make it trusted, bulk or not beside them.
    bulk.bulk_accepted = 2; // 17 of 18 one by one: posterior 19/21
    CHECK(feedback::evaluate({bulk}, config).rules.at("r/a").state == feedback::State::trusted);
  }
  SECTION("a stored quarantine stays until reset") {
    auto c = counts("r/b", 3, 0);
    c.state = "quarantined";
    CHECK(feedback::evaluate({c}, config).rules.at("r/b").state == feedback::State::quarantined);
  }
  SECTION("category multipliers follow acceptance and stay within bounds") {
    auto l = feedback::evaluate({counts("q/a", 0, 40, 0, "quality"), counts("s/a", 40, 0, 0, "security")}, config);
    CHECK(l.category_multiplier.at(core::Category::code_quality) == Approx(config.category_min));
    CHECK(l.category_multiplier.at(core::Category::security_fixes) > 1.0);
    CHECK(l.category_multiplier.at(core::Category::security_fixes) <= config.category_max);
  }
}

TEST_CASE("update", "[feedback]") {
  TempDir dir;
  auto store = queue::Store::open(dir.path() / "q.db");
  core::FeedbackConfig config;
  for (int i = 0; i < 10; ++i) verdict(store, "r/b", "quality", "b" + std::to_string(i), i < 1 ? "accepted" : "rejected");
  for (int i = 0; i < 4; ++i) verdict(store, "r/a", "security", "a" + std::to_string(i), "accepted");

  SECTION("counts come from the queue's attempts and verdicts") {
    auto fb = store.rule_feedback();
    REQUIRE(fb.size() == 2);
    const auto& b = fb[1].rule_id == "r/b" ? fb[1] : fb[0];
    CHECK(b.accepted == 1);
    CHECK(b.rejected == 9);
    CHECK(b.proposed == 10);
    CHECK(b.reject_reasons.at("not wanted") == 9);
  }
  SECTION("stores states and logs each change with its reason") {
    auto learnt = feedback::update(store, config);
    CHECK(learnt.quarantined("r/b"));
    auto log = store.strategy_changes(0);
    bool rule_logged = false, category_logged = false;
    for (const auto& c : log) {
      if (c.subject == "rule:r/b") rule_logged = c.reason.find("quarantined") != std::string::npos;
      if (c.subject == "category:code_quality") category_logged = c.new_value < 1.0 && !c.reason.empty();
    }
    CHECK(rule_logged);
    CHECK(category_logged);
    // Nothing new: a second update logs nothing more.
    feedback::update(store, config);
    CHECK(store.strategy_changes(0).size() == log.size());
    CHECK(feedback::current(store, config).quarantined("r/b"));
  }
  SECTION("a reset forgets the numbers and the quarantine") {
    feedback::update(store, config);
    store.reset_rule("r/b");
    auto learnt = feedback::current(store, config);
    CHECK_FALSE(learnt.quarantined("r/b"));
    CHECK(learnt.rules.at("r/b").counts.rejected == 0);
  }
  SECTION("bulk verdicts are counted apart from the others") {
    queue::Opportunity o;
    o.fingerprint = "bulk";
    o.rule_id = "r/a";
    o.category = core::Category::security_fixes;
    o.severity = "warning";
    o.safety = core::Safety::safe;
    o.path = "a.py";
    store.upsert_opportunity(o);
    store.record_verdict(o.id, "accepted", "", "", true);
    auto fb = store.rule_feedback();
    const auto& a = fb[0].rule_id == "r/a" ? fb[0] : fb[1];
    CHECK(a.accepted == 5);
    CHECK(a.bulk_accepted == 1);
    CHECK(store.verdicts().back().bulk);
  }
  SECTION("a revert is counted for the rule") {
    verdict(store, "r/a", "security", "a-rev", "reverted");
    auto fb = store.rule_feedback();
    const auto& a = fb[0].rule_id == "r/a" ? fb[0] : fb[1];
    CHECK(a.reverted == 1);
    CHECK(a.accepted == 5);
  }
}

TEST_CASE("style_mismatches", "[feedback]") {
  using Open = queue::Store::OpenFindings;
  std::map<std::string, Open> open = {{"js/no-var", {1734, 1734}},
                                      {"js/spread", {900, 150}},    // many, but never 200 in one commit
                                      {"py/fixed", {300, 300}},     // a person fixed one by hand
                                      {"py/accepted", {250, 250}},  // a fix of it was accepted
                                      {"js/off", {400, 400}},       // not enabled
                                      {"js/edge", {200, 200}}};
  std::vector<queue::RuleFeedback> fb = {counts("py/accepted", 1, 0), counts("js/no-var", 0, 3)};
  queue::RuleFeedback fixed;
  fixed.rule_id = "py/fixed";
  fixed.fixed_by_human = 1;
  fb.push_back(fixed);
  auto found = feedback::style_mismatches(open, fb, {"js/no-var", "js/spread", "py/fixed", "py/accepted", "js/edge"});
  REQUIRE(found.size() == 2);
  CHECK(found[0].rule_id == "js/no-var"); // most findings first
  CHECK(found[1].rule_id == "js/edge");   // the threshold counts (>= 200)
  CHECK_THAT(found[0].describe(), Catch::StartsWith("js/no-var: 1734 open findings (1734 in one commit's scan)"));
  CHECK_THAT(found[0].describe(), Catch::Contains("`rules.disable: [js/no-var]`"));
}
