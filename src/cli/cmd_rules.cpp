// git autoloop rules [--explain ID] [--test [DIR]] [--reset ID] [--format text|json]
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/terminal.hpp"
#include "cli/output.hpp"
#include "core/printable.hpp"
#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/limits.hpp"
#include "core/log.hpp"
#include "feedback/feedback.hpp"
#include "fix/native_check.hpp"
#include "loop/context.hpp"
#include "loop/provider_scan.hpp"
#include "providers/enabled.hpp"
#include "providers/provider.hpp"
#include "scan/assumptions.hpp"
#include "scan/code_context.hpp"
#include "scan/engine.hpp"
#include "scan/rule_ids.hpp"
#include "scan/rule_test.hpp"
#include "scan/syntax_tree.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

namespace cli {

namespace {

struct RulesOptions {
  std::string explain;
  bool test = false;
  bool native_check = false;
  std::string test_dir;
  std::string reset;
  std::string format = "text";
  std::string tree;            // --tree FILE
  int line = 0;                // --line N (with --tree)
  std::string language;        // --language NAME (with --tree)
};

// The repository, when the command runs inside one.
std::optional<loop::Context> open_repository(const Global& g) {
  try {
    return loop::Context::open(open_options(g));
  } catch (const git::Error&) {
    return std::nullopt;
  }
}

// Rules for listing: the repository's view when inside one, else the built-in set.
std::vector<scan::Rule> current_rules(const Global& g) {
  auto ctx = open_repository(g);
  return ctx ? ctx->rules() : scan::builtin_rules();
}

// A provider's rule as the queue knows it (no rule file: the tool's own), for the listing.
struct ProviderRule {
  std::string id, provider;
  core::Category category = core::Category::code_quality;
  std::string severity;
  core::Safety safety = core::Safety::suggest;
  bool enabled = true;
  int open = 0, fixable = 0; // open findings, and of them those with a fix the tool offers
};

// The provider rules with findings in the queue, by id: each finding's category, severity and the
// fix's applicability as queued (the most permissive one when they differ).
std::vector<ProviderRule> provider_rules(loop::Context& ctx) {
  std::map<std::string, ProviderRule> by_id;
  for (const auto& o : ctx.store().opportunities({})) {
    if (o.origin != core::Origin::provider) continue;
    auto [it, added] = by_id.try_emplace(o.rule_id);
    ProviderRule& r = it->second;
    if (added) {
      r = {o.rule_id, o.rule_id.substr(0, o.rule_id.find('/')), o.category, o.severity, o.safety, true, 0, 0};
      const auto& on = ctx.config.providers;
      r.enabled = std::find(on.begin(), on.end(), r.provider) != on.end() &&
                  providers::provider_rule_enabled(ctx.config, r.id);
    }
    r.safety = core::stricter(r.safety, o.safety) == r.safety ? o.safety : r.safety; // the more permissive
    if (o.status == core::Status::open) {
      ++r.open;
      if (o.safety != core::Safety::suggest) ++r.fixable;
    }
  }
  std::vector<ProviderRule> out;
  for (auto& [id, r] : by_id) out.push_back(std::move(r));
  return out;
}

// `rules --explain ruff/F401`: a provider's rule has no rule file (the tool is its definition), so
// this says what the loop knows of it: its provider and the tool's version, whether it is on and what
// decides that, what the queue holds of it, and which built-in rule is kept where both find the same.
void explain_provider_rule(const std::string& id, loop::Context* ctx, const std::vector<scan::Rule>& rules) {
  const std::string provider = providers::provider_of_rule(id);
  std::printf("%s\n  provider:  %s (its tool defines the rule; git-autoloop queues its findings and fixes)\n",
              id.c_str(), provider.c_str());
  std::string why;
  providers::RunOptions options;
  options.tool_dir = providers::tool_dir_of(provider);
  const auto made = providers::make_provider(provider);
  const auto version = made ? made->version(options, why) : std::nullopt;
  std::printf("  tool:      %s\n", version ? version->c_str() : ("not installed: " + why).c_str());
  if (ctx) {
    const auto& on = ctx->config.providers;
    std::string enabled;
    if (std::find(on.begin(), on.end(), provider) == on.end())
      enabled = "no (the provider is not enabled: `providers: [" + provider + "]` in the configuration)";
    else if (!providers::provider_rule_enabled(ctx->config, id))
      enabled = "no (switched off by rules.disable; `rules.enable: [" + id + "]` turns it back on)";
    else
      enabled = "yes";
    std::printf("  enabled:   %s\n", enabled.c_str());
    const auto seen = provider_rules(*ctx);
    auto r = std::find_if(seen.begin(), seen.end(), [&](const ProviderRule& x) { return x.id == id; });
    if (r == seen.end()) {
      std::printf("  queue:     no findings of this rule yet\n");
    } else {
      std::printf("  category:  %s\n  severity:  %s\n  safety:    %s (the tool's applicability%s)\n"
                  "  queue:     %d open, %d of them with a fix\n",
                  std::string(core::to_string(r->category)).c_str(), r->severity.c_str(),
                  std::string(core::to_string(r->safety)).c_str(),
                  r->safety == core::Safety::suggest ? ": reported, never fixed" : ", as queued", r->open, r->fixable);
    }
  }
  const auto builtins = loop::equivalent_builtins(rules);
  if (auto b = builtins.find(id); b != builtins.end()) {
    std::string list;
    for (const auto& rule : b->second) list += (list.empty() ? "" : ", ") + rule;
    std::printf("  built-in:  %s finds the same; where both find the same lines, the built-in finding is kept\n",
                list.c_str());
  }
}

std::string percent(double v) {
  char text[16];
  std::snprintf(text, sizeof text, "%.0f%%", v * 100);
  return text;
}

int run_tests(const std::vector<scan::Rule>& rules) {
  auto results = scan::test_rules(rules);
  int failures = 0, cases = 0;
  for (const auto& r : results) {
    cases += r.cases;
    for (const auto& f : r.failures) {
      std::printf("FAIL %s (%s): %s\n", r.rule_id.c_str(), r.source.c_str(), f.c_str());
      ++failures;
    }
  }
  std::printf("%s, %s, %s\n", counted(static_cast<long long>(results.size()), "rule").c_str(), counted(cases, "case").c_str(),
              counted(failures, "failure").c_str());
  return failures ? k_exit_findings : k_exit_ok;
}

// What a fix of a C or C++ case may name without its includes: the cases are fragments, and a fragment
// that uses `stdin` or `std::set` is judged with the headers a real file would have (only those it names:
// <iostream> alone costs most of a second per check).
std::string prelude_of(const std::string& language, const std::string& code) {
  if (language != "c" && language != "cpp") return "";
  static const std::vector<std::pair<const char*, const char*>> c_headers = {
      {"printf", "stdio.h"}, {"FILE", "stdio.h"}, {"stdin", "stdio.h"}, {"NULL", "stddef.h"}, {"size_t", "stddef.h"},
      {"malloc", "stdlib.h"}, {"free", "stdlib.h"}, {"str", "string.h"}, {"mem", "string.h"}};
  static const std::vector<std::pair<const char*, const char*>> cpp_headers = {
      {"std::string", "string"}, {"std::vector", "vector"}, {"std::map", "map"}, {"std::set", "set"},
      {"std::unordered_map", "unordered_map"}, {"std::unordered_set", "unordered_set"}, {"std::list", "list"},
      {"std::deque", "deque"}, {"std::cout", "iostream"}, {"std::cerr", "iostream"}, {"std::endl", "iostream"},
      {"std::ostream", "ostream"}, {"std::istream", "istream"}, {"_ptr", "memory"}, {"std::exception", "exception"},
      {"std::runtime_error", "stdexcept"}, {"std::pair", "utility"}, {"std::function", "functional"}};
  std::string out;
  auto add = [&](const std::vector<std::pair<const char*, const char*>>& table) {
    for (const auto& [token, header] : table) {
      const std::string line = std::string("#include <") + header + ">\n";
      if (code.find(token) != std::string::npos && out.find(line) == std::string::npos) out += line;
    }
  };
  add(c_headers);
  if (language == "cpp") add(cpp_headers);
  return out;
}

// The fix-validity run: every fixable invalid case, fixed, through the native check of its language.
int run_fix_validity(const std::vector<scan::Rule>& rules) {
  fix::NativeChecker checker;
  auto v = scan::check_fixes(rules, [&](const std::string& language, const std::string& path, const std::string& before,
                                        const std::string& after) {
    const std::string prelude = prelude_of(language, before + after);
    fix::NativeVerdict n = checker.compare(language, path, prelude + before, prelude + after);
    scan::FixCheckOutcome o;
    o.ran = n.ran;
    o.ok = n.ok;
    o.original_clean = n.ran && n.original_diagnostics == 0;
    o.detail = n.ran ? n.detail() : n.why_not;
    return o;
  });
  for (const auto& f : v.failures) std::printf("FAIL %s\n", f.c_str());
  std::string by_language;
  for (const auto& [language, n] : v.checked_by_language)
    by_language += (by_language.empty() ? "" : ", ") + language + " " + std::to_string(n);
  std::printf("%s: %d natively checked (%s), %d of them from an original without diagnostics; %s\n",
              counted(v.fixed, "fixed case").c_str(), v.checked, by_language.c_str(), v.clean,
              counted(static_cast<long long>(v.failures.size()), "failure").c_str());
  for (const auto& [why, n] : v.unchecked) std::printf("not checked: %d case%s (%s)\n", n, n == 1 ? "" : "s", why.c_str());
  return v.failures.empty() ? k_exit_ok : k_exit_findings;
}

// `[row, column]` of a byte offset, 0-based like tree-sitter's own output.
std::string point(std::string_view source, uint32_t byte, uint32_t row) {
  size_t line_start = byte == 0 ? 0 : source.rfind('\n', byte - 1);
  line_start = line_start == std::string_view::npos || byte == 0 ? 0 : line_start + 1;
  return "[" + std::to_string(row) + ", " + std::to_string(byte - line_start) + "]";
}

// The named nodes of the tree as S-expressions with their ranges and fields (what a query's patterns
// match), one a line; with `line` (1-based) only the nodes that span it. Anonymous tokens are left out,
// as `tree-sitter parse` does; ERROR and MISSING nodes are shown.
void print_tree(const scan::SyntaxTree& tree, std::string_view source, int line) {
  auto spans = [&](const scan::SyntaxNode& n) {
    return line <= 0 || (n.start_row + 1 <= static_cast<uint32_t>(line) && n.end_row + 1 >= static_cast<uint32_t>(line));
  };
  std::string out;
  auto visit = [&](const scan::SyntaxNode& n, int depth, auto&& self) -> void {
    if (depth > 0) out += "\n" + std::string(depth * 2, ' ');
    out += (n.field.empty() ? "" : std::string(n.field) + ": ") + "(" + std::string(n.kind) + " " +
           point(source, n.start_byte, n.start_row) + " - " + point(source, n.end_byte, n.end_row);
    for (uint32_t i = 0; i < tree.child_count(n); ++i) {
      const scan::SyntaxNode& c = tree.child(n, i);
      if ((c.named || c.error) && spans(c)) self(c, depth + 1, self);
    }
    out += ")";
  };
  visit(tree.root(), 0, visit);
  std::printf("%s\n", out.c_str()); // grammar names and numbers only: nothing of the file's text
}

int run_tree(const RulesOptions& o) {
  auto content = core::read_untrusted_file(o.tree, static_cast<std::size_t>(core::k_max_scan_file_size), {}, "--tree");
  if (!content) throw core::Error(o.tree + ": no such file");
  const scan::LanguageProfile* language =
      o.language.empty() ? scan::language_for_file(o.tree, *content, false) : scan::language_by_name(o.language);
  if (!language) {
    std::string names;
    for (const auto& l : scan::languages()) names += (names.empty() ? "" : ", ") + std::string(l.name);
    throw core::Fatal(o.language.empty() ? o.tree + ": not a supported language by its name (--language NAME: " + names + ")"
                                         : "no language '" + o.language + "' (one of " + names + ")",
                      k_exit_usage);
  }
  auto tree = scan::parse_syntax_tree(*language, *content);
  if (!tree) throw core::Error(o.tree + ": the parse took longer than its budget");
  std::printf("; %s as %s%s\n", cli::printable(o.tree).c_str(), std::string(language->name).c_str(),
              tree->error_count() ? (", " + std::to_string(tree->error_count()) + " syntax errors").c_str() : "");
  print_tree(*tree, *content, o.line);
  return k_exit_ok;
}

} // namespace

Runner define_rules(CLI::App& sub) {
  auto o = std::make_shared<RulesOptions>();
  sub.add_option("--explain", o->explain, "Show one rule in full");
  auto* test = sub.add_flag("--test", o->test, "Run rules' valid/invalid/fixed cases (built-in and the repository's)");
  sub.add_option("dir", o->test_dir, "With --test: a directory of rule files to test instead")->needs(test);
  sub.add_flag("--native-check", o->native_check,
               "With --test: fix every fixable invalid case and check the result with the language's own tools")
      ->needs(test);
  sub.add_option("--reset", o->reset, "Forget what a rule learnt from verdicts (lifts a quarantine)")->type_name("ID");
  sub.add_option("--format", o->format, "Output format of the list")->check(one_of({"text", "json"}));
  auto* tree = sub.add_option("--tree", o->tree, "Print FILE's syntax tree, as a rule's query sees it")->type_name("FILE");
  sub.add_option("--line", o->line, "With --tree: only the nodes that span line N")->needs(tree)->check(CLI::PositiveNumber);
  sub.add_option("--language", o->language, "With --tree: parse as this language (default: by the file's name)")
      ->needs(tree);
  return [o](const Global& g) {
    if (!o->tree.empty()) return run_tree(*o);
    if (o->test) {
      if (!o->test_dir.empty()) {
        if (!std::filesystem::is_directory(o->test_dir)) throw core::Error(o->test_dir + ": not a directory");
        auto rules = scan::load_rules_dir(o->test_dir);
        if (rules.empty()) throw core::Error(o->test_dir + ": no *.yml rule files");
        return o->native_check ? run_fix_validity(rules) : run_tests(rules);
      }
      return o->native_check ? run_fix_validity(current_rules(g)) : run_tests(current_rules(g));
    }
    auto ctx = open_repository(g);
    if (!o->reset.empty()) {
      if (!ctx) throw core::Fatal("--reset needs a repository (run it inside one)", k_exit_repository);
      auto rules = ctx->rules();
      auto known = std::any_of(rules.begin(), rules.end(), [&](const scan::Rule& r) { return r.id == o->reset; });
      auto fb = ctx->store().rule_feedback();
      auto seen = std::any_of(fb.begin(), fb.end(), [&](const queue::RuleFeedback& f) { return f.rule_id == o->reset; });
      if (!known && !seen) throw core::Error("no rule '" + o->reset + "'" + scan::rule_id_hint(o->reset, rules));
      ctx->store().reset_rule(o->reset);
      ctx->store().record_strategy_change({0, "rule:" + o->reset, 0, 1, o->reset + ": reset by a person (`rules --reset`)"});
      std::printf("%s: learnt numbers cleared; the rule is learning again\n", o->reset.c_str());
      return k_exit_ok;
    }
    auto rules = ctx ? ctx->rules() : scan::builtin_rules();
    std::optional<feedback::Learnt> learnt;
    if (ctx) learnt = feedback::current(ctx->store(), ctx->config.feedback);
    if (!o->explain.empty()) {
      // What verdicts taught of the rule, first: it is what a person asking usually wants to know.
      auto print_learning = [&](const std::string& id) {
        if (!learnt || !learnt->rules.count(id)) return;
        const auto& v = learnt->rules.at(id);
        std::printf("state: %s\n  proposed %d, accepted %d, rejected %d, reverted %d, validation failures %d, fixed by hand %d\n",
                    v.why.c_str(), v.counts.proposed, v.counts.accepted, v.counts.rejected, v.counts.reverted,
                    v.counts.validation_failures, v.counts.fixed_by_human);
        for (const auto& [reason, n] : v.counts.reject_reasons) std::printf("  rejected %dx: %s\n", n, reason.c_str());
        std::printf("\n");
      };
      auto it = std::find_if(rules.begin(), rules.end(), [&](const scan::Rule& r) { return r.id == o->explain; });
      if (it == rules.end() && !providers::provider_of_rule(o->explain).empty()) {
        print_learning(o->explain);
        explain_provider_rule(o->explain, ctx ? &*ctx : nullptr, rules);
        return k_exit_ok;
      }
      if (it == rules.end()) throw core::Error("no rule '" + o->explain + "'" + scan::rule_id_hint(o->explain, rules));
      print_learning(it->id);
      const scan::Rule& r = *it;
      std::string langs;
      for (const auto& l : r.languages) langs += (langs.empty() ? "" : ", ") + l;
      std::string origin = scan::describe_origin(r);
      if (!r.trusted) origin += ", not trusted: scanned and reported, never fixed until `git autoloop trust`";
      std::string enabled = r.enabled ? "yes" : "no";
      if (!r.off_reason.empty())
        enabled += " (off: " + r.off_reason + "; `rules.enable: [" + r.id + "]` turns it back on)";
      // A repository's rule is its text: printed without the control characters it may hold.
      std::printf("%s\n  languages: %s\n  category:  %s\n  severity:  %s\n  safety:    %s%s\n  enabled:   %s\n  origin:    %s\n  source:    %s\n\n%s\n",
                  printable(r.id).c_str(), langs.c_str(), std::string(core::to_string(r.category)).c_str(), r.severity.c_str(),
                  std::string(core::to_string(r.safety)).c_str(),
                  r.mechanical ? " (mechanical: may be swept, one commit per file)" : "", printable(enabled).c_str(),
                  printable(origin).c_str(), printable(r.source).c_str(), core::printable(r.message, true).c_str());
      if (!r.description.empty()) std::printf("\n%s\n", core::printable(r.description, true).c_str());
      std::printf("\nquery:\n%s\n", core::printable(r.query, true).c_str());
      if (!r.check.empty()) std::printf("check: %s\n", r.check.c_str());
      if (!r.calls.empty()) {
        std::string list;
        for (const auto& c : r.calls) list += (list.empty() ? "" : ", ") + c;
        std::printf("calls:    %s (@callee, through the file's imports)\n", list.c_str());
      }
      {
        // Where it is not reported (scan/code_context.hpp), and where that comes from.
        std::string where = r.not_in ? scan::describe_contexts(r.not_in) : "none (reported everywhere)";
        std::string from = r.not_in_note.empty() ? "the rule's not_in" : r.not_in_note;
        if (r.not_in != r.declared_not_in)
          from += "; the rule says " + (r.declared_not_in ? scan::describe_contexts(r.declared_not_in) : std::string("none"));
        std::printf("not in:   %s (%s)\n", where.c_str(), from.c_str());
      }
      for (const auto& [tool, ids] : r.equivalents) {
        std::string list;
        for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
        std::printf("equivalent in %s: %s\n", tool.c_str(), list.c_str());
      }
      if (r.assumption)
        std::printf("assumes:  %s\n  established by %s on @%s (otherwise each finding is a suggestion, never fixed):\n  %s\n",
                    r.assumption->text.c_str(), r.assumption->established_by.c_str(), r.assumption->subject.c_str(),
                    scan::establishment_by_name(r.assumption->established_by)->description.c_str());
      if (!r.tests.invalid.empty()) std::printf("\nexample:  %s\n", core::printable(r.tests.invalid.front(), true).c_str());
      if (!r.tests.fixed.empty()) std::printf("fixed:    %s\n", core::printable(r.tests.fixed.front(), true).c_str());
      if (!r.tests.suggested.empty())
        std::printf("not fixed (%s):\n          %s\n",
                    r.assumption ? "assumption not established" : "the fix does not cover this form",
                    core::printable(r.tests.suggested.front(), true).c_str());
      return k_exit_ok;
    }
    // Compile every language's queries so a broken rule is reported here, with its location.
    {
      scan::Engine engine(rules);
      for (const auto& lang : scan::languages()) engine.compile(lang);
    }
    auto view_of = [&](const std::string& id) -> const feedback::RuleView* {
      if (!learnt) return nullptr;
      auto it = learnt->rules.find(id);
      return it == learnt->rules.end() ? nullptr : &it->second;
    };
    // What verdicts taught of rule `id`, when anything: its state, why, acceptance and counts.
    auto add_learning = [&](nlohmann::json& j, const std::string& id) {
      const auto* v = view_of(id);
      if (!v) return;
      j["state"] = feedback::to_string(v->state);
      j["why"] = v->why;
      j["acceptance"] = v->posterior.mean();
      j["counts"] = {{"proposed", v->counts.proposed},   {"pending", v->counts.pending},
                     {"accepted", v->counts.accepted},   {"rejected", v->counts.rejected},
                     {"reverted", v->counts.reverted},   {"validation_failures", v->counts.validation_failures},
                     {"fixed_by_human", v->counts.fixed_by_human}, {"reject_reasons", v->counts.reject_reasons},
                     {"bulk_accepted", v->counts.bulk_accepted}};
    };
    if (o->format == "json") {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : rules) {
        nlohmann::json j = {{"id", r.id},         {"languages", r.languages}, {"category", r.category},
                            {"severity", r.severity}, {"safety", r.safety},   {"enabled", r.enabled},
                            {"state", "learning"}, {"source", scan::to_string(r.origin)},
                            {"file", r.file},         {"trusted", r.trusted},
                            {"fix", !r.fix.empty()},  {"mechanical", r.mechanical}};
        // Where it is not reported (scan/code_context.hpp): a list of context names.
        nlohmann::json not_in = nlohmann::json::array();
        for (const auto& name : scan::context_names())
          if (r.not_in & *scan::context_by_name(name)) not_in.push_back(name);
        j["not_in"] = not_in;
        if (!r.equivalents.empty()) j["equivalents"] = r.equivalents;
        if (!r.off_reason.empty()) j["off_reason"] = r.off_reason;
        if (r.assumption)
          j["assumption"] = {{"text", r.assumption->text},
                             {"established_by", r.assumption->established_by},
                             {"subject", r.assumption->subject}};
        add_learning(j, r.id);
        out.push_back(std::move(j));
      }
      for (const auto& r : ctx ? provider_rules(*ctx) : std::vector<ProviderRule>{}) {
        nlohmann::json j = {{"id", r.id},         {"languages", nlohmann::json::array()}, {"category", r.category},
                            {"severity", r.severity}, {"safety", r.safety}, {"enabled", r.enabled},
                            {"state", "learning"}, {"source", "provider"}, {"file", ""}, {"trusted", true},
                            {"fix", r.safety != core::Safety::suggest}, {"mechanical", false}, {"not_in", nlohmann::json::array()},
                            {"provider", r.provider}, {"open", r.open}};
        add_learning(j, r.id);
        out.push_back(std::move(j));
      }
      std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      return k_exit_ok;
    }
    Pager pager = Pager::start(g);
    std::printf("%-36s %-18s %-12s %-8s %-10s %-7s %-16s %-12s %s\n", "RULE", "LANGUAGES", "CATEGORY", "SEVERITY",
                "SAFETY", "ENABLED", "SOURCE", "STATE", "KEPT/VERDICTS (ACCEPTANCE)");
    size_t repository = 0, untrusted = 0;
    for (const auto& r : rules) {
      std::string langs;
      for (const auto& l : r.languages) langs += (langs.empty() ? "" : ",") + l;
      std::string state = r.broken.empty() ? "learning" : "broken", numbers = "-";
      if (const auto* v = r.broken.empty() ? view_of(r.id) : nullptr) {
        state = feedback::to_string(v->state);
        numbers = std::to_string(std::max(0, v->counts.accepted - v->counts.reverted)) + "/" +
                  std::to_string(v->verdicts) + " (" + percent(v->posterior.mean()) + ")";
      }
      std::string source = scan::to_string(r.origin);
      if (r.origin == scan::RuleOrigin::repository) {
        ++repository;
        if (!r.trusted) {
          ++untrusted;
          source += " (untrusted)";
        }
      }
      // "safe+mech": a mechanical rule, whose findings the drain may sweep (one commit per file).
      const std::string safety = std::string(core::to_string(r.safety)) + (r.mechanical ? "+mech" : "");
      std::printf("%-36s %-18s %-12s %-8s %-10s %-7s %-16s %-12s %s\n", printable(r.id).c_str(), langs.c_str(),
                  std::string(core::to_string(r.category)).c_str(),
                  r.severity.c_str(), safety.c_str(), r.enabled ? "yes" : "no", source.c_str(), state.c_str(), numbers.c_str());
    }
    // Provider rules seen in the queue: the tool names its rules, the verdicts teach them as any rule's.
    const std::vector<ProviderRule> seen = ctx ? provider_rules(*ctx) : std::vector<ProviderRule>{};
    for (const auto& r : seen) {
      std::string state = "learning", numbers = "-";
      if (const auto* v = view_of(r.id)) {
        state = feedback::to_string(v->state);
        numbers = std::to_string(std::max(0, v->counts.accepted - v->counts.reverted)) + "/" +
                  std::to_string(v->verdicts) + " (" + percent(v->posterior.mean()) + ")";
      }
      std::printf("%-36s %-18s %-12s %-8s %-10s %-7s %-16s %-12s %s\n", r.id.c_str(), r.provider.c_str(),
                  std::string(core::to_string(r.category)).c_str(), r.severity.c_str(),
                  std::string(core::to_string(r.safety)).c_str(), r.enabled ? "yes" : "no", "provider",
                  state.c_str(), numbers.c_str());
    }
    std::printf("%s\n", counted(static_cast<long long>(rules.size()), "rule").c_str());
    if (!seen.empty())
      std::printf("%s seen in the queue (`rules.disable: [ruff/E501]` or a prefix `ruff/E` turns them off)\n",
                  counted(static_cast<long long>(seen.size()), "provider rule").c_str());
    if (std::any_of(rules.begin(), rules.end(), [](const scan::Rule& r) { return r.mechanical; }))
      std::printf("safe+mech: a mechanical fix, which `git autoloop drain --sweep RULE` applies one commit per file\n");
    for (const auto& r : rules)
      if (!r.off_reason.empty()) std::printf("off: %s: %s\n", printable(r.id).c_str(), printable(r.off_reason).c_str());
    if (repository)
      std::printf("%zu from the repository (ids repo:<id>)%s\n", repository,
                  untrusted ? ", not trusted: scanned and reported, never fixed; read them, then `git autoloop trust`" : ", trusted");
    return k_exit_ok;
  };
}

} // namespace cli
