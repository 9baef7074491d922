#include "feedback/feedback.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace feedback {

const char* to_string(State state) {
  switch (state) {
  case State::trusted: return "trusted";
  case State::quarantined: return "quarantined";
  case State::learning: break;
  }
  return "learning";
}

namespace {

// The continued fraction of I_x(a, b), evaluated with the modified Lentz method; converges fast for
// x < (a + 1) / (a + b + 2).
double beta_fraction(double a, double b, double x) {
  constexpr double k_tiny = 1e-300, k_epsilon = 1e-14;
  constexpr int k_max_terms = 500;
  auto guard = [&](double v) { return std::fabs(v) < k_tiny ? k_tiny : v; };
  double c = 1.0;
  double d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
  double f = d;
  for (int m = 1; m <= k_max_terms; ++m) {
    // Even term: m (b - m) x / ((a + 2m - 1)(a + 2m)).
    double even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
    d = 1.0 / guard(1.0 + even * d);
    c = guard(1.0 + even / c);
    f *= d * c;
    // Odd term: -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    double odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
    d = 1.0 / guard(1.0 + odd * d);
    c = guard(1.0 + odd / c);
    double step = d * c;
    f *= step;
    if (std::fabs(step - 1.0) < k_epsilon) break;
  }
  return f;
}

} // namespace

double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  // x^a (1-x)^b / (a B(a, b)), in logs.
  double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1.0) / (a + b + 2.0)) return std::exp(log_front) * beta_fraction(a, b, x) / a;
  // The symmetry I_x(a, b) = 1 - I_{1-x}(b, a) keeps the fraction in its fast region.
  return 1.0 - std::exp(log_front) * beta_fraction(b, a, 1.0 - x) / b;
}

double Posterior::cdf(double x) const { return incomplete_beta(alpha, beta, x); }

double Learnt::score_factor(const std::string& rule_id, core::Category category) const {
  auto r = rules.find(rule_id);
  double weight = r == rules.end() ? prior.mean() : r->second.weight;
  auto c = category_multiplier.find(category);
  return weight * (c == category_multiplier.end() ? 1.0 : c->second);
}

bool Learnt::quarantined(const std::string& rule_id) const {
  auto r = rules.find(rule_id);
  return r != rules.end() && r->second.state == State::quarantined;
}

namespace {

std::string percent(double v) {
  char text[16];
  std::snprintf(text, sizeof text, "%.0f%%", v * 100);
  return text;
}

double bounded(double v, const core::FeedbackConfig& config) {
  double lo = std::min(config.category_min, config.category_max), hi = std::max(config.category_min, config.category_max);
  return std::min(hi, std::max(lo, v));
}

// Policy 2's trust without the bulk accepts (policy 5): the verdicts given fix by fix alone must reach
// min_verdicts and trusted_rate; bulk accepts still count everywhere else.
bool trusted_one_by_one(const queue::RuleFeedback& c, const core::FeedbackConfig& config) {
  const double good = std::max(0, c.accepted - c.bulk_accepted - c.reverted);
  const double bad = c.rejected + c.reverted;
  const Posterior individual{config.prior_accepted + good, config.prior_rejected + bad};
  return good + bad >= config.min_verdicts && individual.mean() >= config.trusted_rate;
}

} // namespace

Learnt evaluate(const std::vector<queue::RuleFeedback>& counts, const core::FeedbackConfig& config) {
  Learnt learnt;
  learnt.prior = {config.prior_accepted, config.prior_rejected};
  const double bar = 1.0 - config.max_false_positive_rate;
  struct Pool {
    double good = 0, bad = 0;
  };
  std::map<core::Category, Pool> by_category;
  for (const auto& c : counts) {
    RuleView v;
    v.counts = c;
    const double good = std::max(0, c.accepted - c.reverted);
    const double bad = c.rejected + c.reverted;
    v.verdicts = static_cast<int>(good + bad);
    v.posterior = {config.prior_accepted + good, config.prior_rejected + bad};
    const double below = v.posterior.cdf(bar);
    const bool enough = v.verdicts >= config.min_verdicts;
    if (c.state == "quarantined") {
      v.state = State::quarantined; // policy 2: it stays so until reset
      v.why = "quarantined: " + std::to_string(static_cast<int>(good)) + " of " + std::to_string(v.verdicts) +
              " fixes kept; reset with `git autoloop rules --reset " + c.rule_id + "`";
    } else if (enough && below >= config.confidence) {
      v.state = State::quarantined;
      v.why = "quarantined: " + std::to_string(static_cast<int>(good)) + " of " + std::to_string(v.verdicts) +
              " fixes kept; " + percent(below) + " sure acceptance is under " + percent(bar);
    } else if (enough && v.posterior.mean() >= config.trusted_rate && trusted_one_by_one(c, config)) {
      v.state = State::trusted;
      v.why = "trusted: " + std::to_string(static_cast<int>(good)) + " of " + std::to_string(v.verdicts) +
              " fixes kept (posterior " + percent(v.posterior.mean()) + ")";
    } else {
      v.state = State::learning;
      v.why = "learning: " + std::to_string(v.verdicts) + " verdict" + (v.verdicts == 1 ? "" : "s") +
              (enough ? "" : " of the " + std::to_string(config.min_verdicts) + " needed") + " (posterior " +
              percent(v.posterior.mean()) + ")";
      if (c.bulk_accepted > 0)
        v.why += "; " + std::to_string(c.bulk_accepted) + " accepted in bulk, which never make a rule trusted by themselves";
    }
    v.weight = v.state == State::quarantined ? 0.0
               : v.state == State::trusted   ? v.posterior.mean() * 1.5
                                             : v.posterior.mean();
    if (c.category) {
      by_category[*c.category].good += good;
      by_category[*c.category].bad += bad;
    }
    learnt.rules.emplace(c.rule_id, std::move(v));
  }
  for (const auto& [category, pool] : by_category) {
    if (pool.good + pool.bad == 0) continue;
    Posterior p{config.prior_accepted + pool.good, config.prior_rejected + pool.bad};
    learnt.category_acceptance[category] = p.mean();
    learnt.category_multiplier[category] = bounded(p.mean() / learnt.prior.mean(), config);
  }
  return learnt;
}

namespace {

const std::string k_multiplier_key = "category_multiplier.";

double stored_multiplier(const queue::Store& store, core::Category category) {
  auto v = store.state(k_multiplier_key + std::string(core::to_string(category)));
  if (!v) return 1.0;
  try {
    return std::stod(*v);
  } catch (const std::exception&) {
    return 1.0;
  }
}

} // namespace

Learnt current(const queue::Store& store, const core::FeedbackConfig& config) {
  Learnt learnt = evaluate(store.rule_feedback(), config);
  // The multipliers the drain last acted on, so `status` shows what is in force.
  for (auto& [category, multiplier] : learnt.category_multiplier) multiplier = stored_multiplier(store, category);
  return learnt;
}

Learnt update(queue::Store& store, const core::FeedbackConfig& config) {
  auto txn = store.begin();
  Learnt learnt = evaluate(store.rule_feedback(), config);
  for (const auto& [id, view] : learnt.rules) {
    const std::string state = to_string(view.state);
    if (view.counts.state == state) continue;
    store.set_rule_state(id, state);
    if (view.counts.state.empty() && view.state == State::learning) continue; // first sight: nothing changed
    store.record_strategy_change({0, "rule:" + id, view.state == State::quarantined ? 0.0 : 1.0,
                                  view.weight, view.why});
  }
  for (auto& [category, multiplier] : learnt.category_multiplier) {
    double old = stored_multiplier(store, category);
    if (std::fabs(multiplier - old) < 0.05) {
      multiplier = old; // small moves are noise: keep what is in force (and logged)
      continue;
    }
    char value[32];
    std::snprintf(value, sizeof value, "%.3f", multiplier);
    const std::string name(core::to_string(category));
    store.set_state(k_multiplier_key + name, value);
    char reason[160];
    std::snprintf(reason, sizeof reason, "%s: multiplier %.2f -> %.2f (acceptance by category %s vs prior %s)",
                  name.c_str(), old, multiplier, percent(learnt.category_acceptance[category]).c_str(),
                  percent(learnt.prior.mean()).c_str());
    store.record_strategy_change({0, "category:" + name, old, multiplier, reason});
  }
  txn.commit();
  return learnt;
}

std::string StyleMismatch::describe() const {
  return rule_id + ": " + std::to_string(open) + " open findings (" + std::to_string(most_in_one_commit) +
         " in one commit's scan), none fixed by hand nor accepted: a style the project does not follow? "
         "`rules.disable: [" + rule_id + "]` turns it off";
}

std::vector<StyleMismatch> style_mismatches(const std::map<std::string, queue::Store::OpenFindings>& open,
                                            const std::vector<queue::RuleFeedback>& feedback,
                                            const std::set<std::string>& enabled) {
  std::vector<StyleMismatch> out;
  for (const auto& [rule_id, f] : open) {
    if (f.most_in_one_commit < k_style_mismatch_findings || !enabled.count(rule_id)) continue;
    const std::string& id = rule_id;  // C++17 lambdas cannot capture a structured binding (clang refuses)
    auto fb = std::find_if(feedback.begin(), feedback.end(), [&](const queue::RuleFeedback& r) { return r.rule_id == id; });
    if (fb != feedback.end() && (fb->accepted > 0 || fb->fixed_by_human > 0)) continue;
    out.push_back({id, f.open, f.most_in_one_commit});
  }
  std::sort(out.begin(), out.end(), [](const StyleMismatch& a, const StyleMismatch& b) {
    return a.open != b.open ? a.open > b.open : a.rule_id < b.rule_id;
  });
  return out;
}

std::vector<StyleMismatch> style_mismatches(const queue::Store& store, const std::set<std::string>& enabled) {
  return style_mismatches(store.open_findings_by_rule(), store.rule_feedback(), enabled);
}

} // namespace feedback
