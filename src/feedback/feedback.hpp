#pragma once
// The FeedbackLoop (docs/ARCHITECTURE.md §8): what people's verdicts teach the loop.
//
// Policy:
//  1. Each rule's acceptance is a Beta posterior: prior pseudo-counts from `feedback.prior_*`, plus
//     accepted fixes that stayed (accepted - reverted) as successes and rejected + reverted fixes as
//     failures. A revert counts against the rule twice over: the acceptance it undoes, and a failure.
//  2. With at least `feedback.min_verdicts` verdicts, a rule is
//       quarantined when P(acceptance < 1 - max_false_positive_rate) >= confidence: it still scans and
//         reports, but the drain never applies it (until `git autoloop rules --reset`);
//       trusted when the posterior mean reaches trusted_rate: ranked ahead of the rest;
//     and learning otherwise. A quarantined rule stays so: it gets no new verdicts to argue otherwise.
//  3. The drain ranks fixes by the posterior mean of their rule times a per-category multiplier: the
//     category's pooled posterior mean over the prior mean, bounded by category_min..category_max.
//     A multiplier that moves by 0.05 or more is logged as a strategy change, with its reason.
//  4. Rejected and reverted findings never come back (the queue keeps their fingerprints), and an
//     inline `autoloop: ignore[rule-id]` comment hides a finding at its source.
//  5. A bulk accept (many fixes of one rule accepted by one action: a sweep commit, `review
//     --accept-all`) counts as one verdict per fix in policies 1-3, but never makes a rule trusted by
//     itself: trust needs min_verdicts and trusted_rate from the verdicts given fix by fix.

#include "core/config.hpp"
#include "queue/store.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace feedback {

enum class State { learning, trusted, quarantined };
const char* to_string(State state);

// A Beta(alpha, beta) distribution over a rule's acceptance rate.
struct Posterior {
  double alpha = 1, beta = 1;
  double mean() const { return alpha / (alpha + beta); }
  // P(acceptance < x), the regularised incomplete beta function I_x(alpha, beta).
  double cdf(double x) const;
};

// Regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1. Does not throw.
double incomplete_beta(double a, double b, double x);

// What the loop knows about one rule.
struct RuleView {
  queue::RuleFeedback counts;
  Posterior posterior;
  State state = State::learning;
  int verdicts = 0;          // accepted + rejected + reverted... counted as in policy 1
  double weight = 0;         // the drain's multiplier: posterior mean, x1.5 when trusted, 0 when quarantined
  std::string why;           // one line explaining the state
};

struct Learnt {
  std::map<std::string, RuleView> rules;            // by rule id; rules with no history are absent
  std::map<core::Category, double> category_multiplier; // by category; absent = 1
  std::map<core::Category, double> category_acceptance; // pooled posterior mean by category
  // The weight of a rule (the prior mean for a rule with no history) times its category's multiplier.
  double score_factor(const std::string& rule_id, core::Category category) const;
  bool quarantined(const std::string& rule_id) const;
  Posterior prior;
};

// Computes every rule's posterior and state from the counts (pure; for tests and read-only views).
Learnt evaluate(const std::vector<queue::RuleFeedback>& counts, const core::FeedbackConfig& config);

// Reads the counts, evaluates them, stores state changes and multiplier moves (each logged as a
// strategy change with its reason) and returns the result. The drain calls it before choosing fixes,
// review after each verdict. Throws queue::Error.
Learnt update(queue::Store& store, const core::FeedbackConfig& config);

// The stored view without writing anything (for `rules`, `status`, `report`). Throws queue::Error.
Learnt current(const queue::Store& store, const core::FeedbackConfig& config);

// A style mismatch (issue 12): a rule the project's code breaks everywhere on purpose. Flagged when
// one commit's scan found at least k_style_mismatch_findings of its findings still open, and the
// project has never fixed one of them by hand (no finding resolved by a commit autoloop did not
// make) nor accepted one of its fixes. `status` and `report` suggest `rules.disable: [<id>]`.
inline constexpr int64_t k_style_mismatch_findings = 200;
struct StyleMismatch {
  std::string rule_id;
  int64_t open = 0;                // open findings now
  int64_t most_in_one_commit = 0;  // the most found by one commit's scan
  std::string describe() const;    // "javascript/no-var: 1734 open findings (1734 in one commit's scan), none ..."
};

// The enabled rules (ids in `enabled`) that look like a style mismatch, most findings first (pure).
std::vector<StyleMismatch> style_mismatches(const std::map<std::string, queue::Store::OpenFindings>& open,
                                            const std::vector<queue::RuleFeedback>& feedback,
                                            const std::set<std::string>& enabled);

// The same from the store. Throws queue::Error.
std::vector<StyleMismatch> style_mismatches(const queue::Store& store, const std::set<std::string>& enabled);

} // namespace feedback
