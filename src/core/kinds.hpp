#pragma once
// The loop's closed vocabularies as enums: an opportunity's status, an attempt's outcome, a rule's
// category and safety, the configuration's safety level, and where an opportunity came from. Each has
// one spelling (to_string) and one reading (parse<E>), the names stored in the queue and shown to people;
// the queue converts at its boundary, code in between compares enums, never strings.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

// Where an opportunity stands.
enum class Status { open, applied, accepted, rejected, resolved, stale, failed, suppressed, reverted };

// What one attempt at a fix came to: the gates' refusals, the tests' verdicts, the cycle's record and
// the reviewer's verdict.
enum class Outcome {
  planned, applied, rolled_back, untested, resolved,                      // the cycle's record
  too_large, destructive, reparse_error, check_failed, line_endings,      // the gates
  no_change, no_fix, conflict, untrusted,
  tests_failed, timed_out, not_executed,                                  // the tests
  accepted, rejected, reverted, superseded,                               // the verdicts
  sweep_refused,  // a finding of a sweep the gates refused as a whole (fix/sweep.hpp, policy 3)
  swept_nothing   // a sweep none of whose findings had a fix: never stored, each went back to the queue
};

// A rule's category (improvement_priorities names the same).
enum class Category { security_fixes, performance_issues, code_quality, test_coverage };

// How far a rule's fix may be trusted: safe (semantics-preserving), unsafe (needs tests), suggest (never
// committed).
enum class Safety { safe, unsafe, suggest };

// The stricter of two safeties (suggest < unsafe < safe): a finding's safety is its rule's limited by
// what the code establishes.
constexpr Safety stricter(Safety a, Safety b) { return static_cast<int>(a) > static_cast<int>(b) ? a : b; }

// autonomous_loop.safety_level: which safeties a drain commits.
enum class SafetyLevel { high, medium, low };

// Where an opportunity came from: a rule (built-in or local), a repository's rule (`.autoloop/rules/`),
// a person's request to a generator (`git autoloop improve`), or a provider (an analyzer's finding).
enum class Origin { rule, repository_rule, generator_request, provider };

std::string_view to_string(Status status);
std::string_view to_string(Outcome outcome);
std::string_view to_string(Category category);
std::string_view to_string(Safety safety);
std::string_view to_string(SafetyLevel level);
std::string_view to_string(Origin origin);

// A category's short name, as `queue --category` and ci.block_on also take it: security, performance,
// quality, coverage.
std::string_view short_name(Category category);

// The category named `text`, by its name or its short name; nullopt for anything else.
std::optional<Category> category_named(std::string_view text);

// The value spelt `text` (exactly as to_string spells it), or nullopt for anything else. Does not throw.
template <class E> std::optional<E> parse(std::string_view text);
template <> std::optional<Status> parse<Status>(std::string_view text);
template <> std::optional<Outcome> parse<Outcome>(std::string_view text);
template <> std::optional<Category> parse<Category>(std::string_view text);
template <> std::optional<Safety> parse<Safety>(std::string_view text);
template <> std::optional<SafetyLevel> parse<SafetyLevel>(std::string_view text);
template <> std::optional<Origin> parse<Origin>(std::string_view text);

// nlohmann::json spells each by name through these (found by argument-dependent lookup; without them
// it would write the enum's number). Templates, so that this header needs no JSON library.
template <class Json> void to_json(Json& j, Status v) { j = std::string(to_string(v)); }
template <class Json> void to_json(Json& j, Outcome v) { j = std::string(to_string(v)); }
template <class Json> void to_json(Json& j, Category v) { j = std::string(to_string(v)); }
template <class Json> void to_json(Json& j, Safety v) { j = std::string(to_string(v)); }
template <class Json> void to_json(Json& j, SafetyLevel v) { j = std::string(to_string(v)); }
template <class Json> void to_json(Json& j, Origin v) { j = std::string(to_string(v)); }

// Every value of E, in declaration order (for messages that list them, and for tests).
template <class E> const std::vector<E>& all_values();
template <> const std::vector<Status>& all_values<Status>();
template <> const std::vector<Outcome>& all_values<Outcome>();
template <> const std::vector<Category>& all_values<Category>();
template <> const std::vector<Safety>& all_values<Safety>();
template <> const std::vector<SafetyLevel>& all_values<SafetyLevel>();
template <> const std::vector<Origin>& all_values<Origin>();

} // namespace core
