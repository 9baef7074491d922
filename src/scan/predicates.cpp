#include "scan/predicates.hpp"

#include "core/error.hpp"
#include "scan/node_util.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <optional>

namespace scan {

class Regex {
public:
  explicit Regex(pcre2_code* compiled) : m_code(compiled) {}
  ~Regex() { pcre2_code_free(m_code); }
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  const pcre2_code* get() const { return m_code; }

private:
  pcre2_code* m_code;
};

namespace {

// A repository rule's #match? is untrusted: `^(a|aa)*$` backtracks exponentially, and PCRE2's default
// limit (10 million steps a match) times thousands of nodes kept one scan busy for minutes. This limit
// is far above what the built-in rules' patterns take on any node.
constexpr uint32_t k_regex_match_limit = 100000;
constexpr uint32_t k_regex_depth_limit = 10000;

// Whether `regex` matches `text`; nullopt when the match gave up at the limits above (the predicate
// then fails, for #match? and #not-match? alike: no finding rests on a regex that did not finish).
std::optional<bool> regex_matches(const Regex& regex, std::string_view text) {
  const pcre2_code* code = regex.get();
  static const std::unique_ptr<pcre2_match_context, void (*)(pcre2_match_context*)> context = [] {
    std::unique_ptr<pcre2_match_context, void (*)(pcre2_match_context*)> c(pcre2_match_context_create(nullptr),
                                                                           pcre2_match_context_free);
    pcre2_set_match_limit(c.get(), k_regex_match_limit);
    pcre2_set_depth_limit(c.get(), k_regex_depth_limit);
    return c;
  }();
  // Only whether it matches counts: one pair of offsets is enough (pcre2_match returns 0, a match,
  // when the vector is too short for the groups), and one block per thread is reused for every match.
  thread_local const std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> md(
      pcre2_match_data_create(1, nullptr), pcre2_match_data_free);
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, md.get(), context.get());
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  return std::nullopt;
}

} // namespace

std::vector<Predicate> read_predicates(const TSQuery* query, uint32_t pattern, const Rule& rule) {
  std::vector<Predicate> out;
  uint32_t steps_count = 0;
  const TSQueryPredicateStep* steps = ts_query_predicates_for_pattern(query, pattern, &steps_count);
  std::vector<const TSQueryPredicateStep*> current;
  auto string_of = [&](const TSQueryPredicateStep* s) {
    uint32_t len = 0;
    const char* v = ts_query_string_value_for_id(query, s->value_id, &len);
    return std::string(v, len);
  };
  auto finish = [&] {
    if (current.empty()) return;
    if (current[0]->type != TSQueryPredicateStepTypeString)
      throw core::Error("rule " + rule.id + ": malformed predicate");
    std::string name = string_of(current[0]);
    Predicate p;
    if (name == "eq?") p.kind = Predicate::Kind::eq;
    else if (name == "not-eq?") p.kind = Predicate::Kind::not_eq_;
    else if (name == "match?") p.kind = Predicate::Kind::match;
    else if (name == "not-match?") p.kind = Predicate::Kind::not_match;
    else if (name == "any-of?") p.kind = Predicate::Kind::any_of;
    else if (name == "not-any-of?") p.kind = Predicate::Kind::not_any_of;
    else throw core::LocatedError(rule.source, rule.query_line, rule.query_column,
                                  "rule " + rule.id + ": unsupported predicate #" + name +
                                      " (supported: #eq?, #not-eq?, #match?, #not-match?, #any-of?, #not-any-of?)");
    if (current.size() < 3 || current[1]->type != TSQueryPredicateStepTypeCapture)
      throw core::LocatedError(rule.source, rule.query_line, rule.query_column,
                               "rule " + rule.id + ": #" + name + " needs a capture and a value");
    p.capture = current[1]->value_id;
    if (p.kind == Predicate::Kind::eq || p.kind == Predicate::Kind::not_eq_) {
      if (current[2]->type == TSQueryPredicateStepTypeCapture) {
        p.other_is_capture = true;
        p.other_capture = current[2]->value_id;
      } else {
        p.values.push_back(string_of(current[2]));
      }
    } else {
      for (size_t i = 2; i < current.size(); ++i) {
        if (current[i]->type != TSQueryPredicateStepTypeString)
          throw core::LocatedError(rule.source, rule.query_line, rule.query_column,
                                   "rule " + rule.id + ": #" + name + " takes string arguments");
        p.values.push_back(string_of(current[i]));
      }
    }
    if (p.kind == Predicate::Kind::match || p.kind == Predicate::Kind::not_match) {
      int err = 0;
      PCRE2_SIZE err_off = 0;
      pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(p.values.at(0).c_str()), PCRE2_ZERO_TERMINATED, 0,
                                       &err, &err_off, nullptr);
      if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        throw core::LocatedError(rule.source, rule.query_line, rule.query_column,
                                 "rule " + rule.id + ": bad regular expression '" + p.values[0] + "': " +
                                     reinterpret_cast<const char*>(msg));
      }
      pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
      p.regex = std::make_shared<const Regex>(code);
    }
    out.push_back(std::move(p));
    current.clear();
  };
  for (uint32_t i = 0; i < steps_count; ++i) {
    if (steps[i].type == TSQueryPredicateStepTypeDone) finish();
    else current.push_back(&steps[i]);
  }
  finish();
  return out;
}

bool predicates_hold(const std::vector<Predicate>& predicates, const TSQueryMatch& match, std::string_view source,
                     ExhaustedRegexes& exhausted) {
  auto text_of = [&](uint32_t capture_id, bool& found) -> std::string_view {
    for (uint16_t i = 0; i < match.capture_count; ++i)
      if (match.captures[i].index == capture_id) {
        found = true;
        return node::text_of(match.captures[i].node, source);
      }
    found = false;
    return {};
  };
  for (const auto& p : predicates) {
    bool found = false;
    std::string_view text = text_of(p.capture, found);
    if (!found) continue; // an optional capture that did not match: the predicate does not apply
    bool ok = true;
    switch (p.kind) {
    case Predicate::Kind::eq:
    case Predicate::Kind::not_eq_: {
      std::string_view other;
      if (p.other_is_capture) {
        bool f2 = false;
        other = text_of(p.other_capture, f2);
        if (!f2) continue;
      } else {
        other = p.values[0];
      }
      ok = (text == other) == (p.kind == Predicate::Kind::eq);
      break;
    }
    case Predicate::Kind::match:
    case Predicate::Kind::not_match:
      if (exhausted.count(p.regex.get())) {
        ok = false;
      } else if (auto matched = regex_matches(*p.regex, text)) {
        ok = *matched == (p.kind == Predicate::Kind::match);
      } else {
        exhausted.insert(p.regex.get());
        ok = false;
      }
      break;
    case Predicate::Kind::any_of:
    case Predicate::Kind::not_any_of: {
      bool any = std::find(p.values.begin(), p.values.end(), text) != p.values.end();
      ok = any == (p.kind == Predicate::Kind::any_of);
      break;
    }
    }
    if (!ok) return false;
  }
  return true;
}

} // namespace scan
