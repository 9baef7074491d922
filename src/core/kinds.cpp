#include "core/kinds.hpp"

#include <utility>

namespace core {

namespace {

template <class E> using Names = std::vector<std::pair<E, std::string_view>>;

// One table per enum: the only place a name is spelt.
const Names<Status>& names(Status) {
  static const Names<Status> t = {{Status::open, "open"},         {Status::applied, "applied"},
                                  {Status::accepted, "accepted"}, {Status::rejected, "rejected"},
                                  {Status::resolved, "resolved"}, {Status::stale, "stale"},
                                  {Status::failed, "failed"},     {Status::suppressed, "suppressed"},
                                  {Status::reverted, "reverted"}};
  return t;
}

const Names<Outcome>& names(Outcome) {
  static const Names<Outcome> t = {
      {Outcome::planned, "planned"},         {Outcome::applied, "applied"},
      {Outcome::rolled_back, "rolled_back"}, {Outcome::untested, "untested"},
      {Outcome::resolved, "resolved"},       {Outcome::too_large, "too_large"},
      {Outcome::destructive, "destructive"}, {Outcome::reparse_error, "reparse_error"},
      {Outcome::check_failed, "check_failed"}, {Outcome::line_endings, "line_endings"},
      {Outcome::no_change, "no_change"},     {Outcome::no_fix, "no_fix"},
      {Outcome::conflict, "conflict"},       {Outcome::untrusted, "untrusted"},
      {Outcome::tests_failed, "tests_failed"}, {Outcome::timed_out, "timed_out"},
      {Outcome::not_executed, "not_executed"}, {Outcome::accepted, "accepted"},
      {Outcome::rejected, "rejected"},       {Outcome::reverted, "reverted"},
      {Outcome::superseded, "superseded"},   {Outcome::sweep_refused, "sweep_refused"},
      {Outcome::swept_nothing, "swept_nothing"}};
  return t;
}

const Names<Category>& names(Category) {
  static const Names<Category> t = {{Category::security_fixes, "security_fixes"},
                                    {Category::performance_issues, "performance_issues"},
                                    {Category::code_quality, "code_quality"},
                                    {Category::test_coverage, "test_coverage"}};
  return t;
}

const Names<Safety>& names(Safety) {
  static const Names<Safety> t = {{Safety::safe, "safe"}, {Safety::unsafe, "unsafe"}, {Safety::suggest, "suggest"}};
  return t;
}

const Names<SafetyLevel>& names(SafetyLevel) {
  static const Names<SafetyLevel> t = {
      {SafetyLevel::high, "high"}, {SafetyLevel::medium, "medium"}, {SafetyLevel::low, "low"}};
  return t;
}

const Names<Origin>& names(Origin) {
  static const Names<Origin> t = {{Origin::rule, "rule"},
                                  {Origin::repository_rule, "repository_rule"},
                                  {Origin::generator_request, "generator_request"},
                                  {Origin::provider, "provider"}};
  return t;
}

template <class E> std::string_view name_of(E value) {
  for (const auto& [v, name] : names(E{}))
    if (v == value) return name;
  return "?"; // a value cast from an int out of range: never spelt as a real one
}

template <class E> std::optional<E> value_of(std::string_view text) {
  for (const auto& [v, name] : names(E{}))
    if (name == text) return v;
  return std::nullopt;
}

template <class E> std::vector<E> values() {
  std::vector<E> out;
  for (const auto& entry : names(E{})) out.push_back(entry.first);
  return out;
}

} // namespace

std::string_view to_string(Status v) { return name_of(v); }
std::string_view to_string(Outcome v) { return name_of(v); }
std::string_view to_string(Category v) { return name_of(v); }
std::string_view to_string(Safety v) { return name_of(v); }
std::string_view to_string(SafetyLevel v) { return name_of(v); }
std::string_view to_string(Origin v) { return name_of(v); }

template <> std::optional<Status> parse<Status>(std::string_view text) { return value_of<Status>(text); }
template <> std::optional<Outcome> parse<Outcome>(std::string_view text) { return value_of<Outcome>(text); }
template <> std::optional<Category> parse<Category>(std::string_view text) { return value_of<Category>(text); }
template <> std::optional<Safety> parse<Safety>(std::string_view text) { return value_of<Safety>(text); }
template <> std::optional<SafetyLevel> parse<SafetyLevel>(std::string_view text) { return value_of<SafetyLevel>(text); }
template <> std::optional<Origin> parse<Origin>(std::string_view text) { return value_of<Origin>(text); }

std::string_view short_name(Category category) {
  switch (category) {
  case Category::security_fixes: return "security";
  case Category::performance_issues: return "performance";
  case Category::code_quality: return "quality";
  case Category::test_coverage: return "coverage";
  }
  return "?";
}

std::optional<Category> category_named(std::string_view text) {
  if (std::optional<Category> full = parse<Category>(text)) return full;
  for (Category c : all_values<Category>())
    if (short_name(c) == text) return c;
  return std::nullopt;
}

template <> const std::vector<Status>& all_values<Status>() { static const auto v = values<Status>(); return v; }
template <> const std::vector<Outcome>& all_values<Outcome>() { static const auto v = values<Outcome>(); return v; }
template <> const std::vector<Category>& all_values<Category>() { static const auto v = values<Category>(); return v; }
template <> const std::vector<Safety>& all_values<Safety>() { static const auto v = values<Safety>(); return v; }
template <> const std::vector<SafetyLevel>& all_values<SafetyLevel>() { static const auto v = values<SafetyLevel>(); return v; }
template <> const std::vector<Origin>& all_values<Origin>() { static const auto v = values<Origin>(); return v; }

} // namespace core
