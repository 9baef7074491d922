#include "scan/rule_test.hpp"

#include "core/error.hpp"
#include "scan/code_context.hpp"
#include "fix/template.hpp"

#include <algorithm>

namespace scan {

namespace {

std::string show(const std::string& code) {
  std::string out;
  for (char c : code) {
    if (c == '\n') out += "\\n";
    else out += c;
  }
  if (out.size() > 120) out = out.substr(0, 117) + "...";
  return "`" + out + "`";
}

// The findings of `rule` a scan reports in `code`. Cases behave like a changed file of a repository whose
// tests reference nothing, at `path` (default: `case.<ext>`, in no context), under the default globs;
// findings in a context the rule's own file skips (not_in) are not reported.
std::vector<Finding> findings_in(const Engine& engine, const Rule& rule, const LanguageProfile& lang, const std::string& code,
                                 const std::string& path = "") {
  static const core::Config defaults = core::default_config();
  FileContext context;
  context.path = path.empty() ? std::string("case") + std::string(lang.extensions.front()) : path;
  const FileContexts file = file_contexts(defaults, context.path, {});
  context.is_test_file = (file.all & bit(CodeContext::tests)) != 0;
  context.referenced_by_tests = [](const std::string&) { return false; };
  Rule declared = rule;
  declared.not_in = rule.declared_not_in;
  std::vector<Finding> out;
  for (auto& f : apply_context(engine.match_rule(rule, lang, code), code, context))
    if (!skipped_context(declared, file, f.contexts)) out.push_back(std::move(f));
  return out;
}

const std::string& path_of(const std::vector<std::string>& paths, size_t i) {
  static const std::string none;
  return i < paths.size() ? paths[i] : none;
}

// A case written with a path of one language (`{path: src/fmt.cc, ...}` in a rule for C and C++)
// is that language's code only; a path of no language or of an ambiguous header runs for all.
bool case_is_for(const std::string& path, const LanguageProfile& lang) {
  if (path.empty() || is_ambiguous_header(path)) return true;
  const LanguageProfile* of_path = language_for_path(path);
  return !of_path || of_path == &lang;
}

std::string shown_path(const std::string& path) { return path.empty() ? "" : " (as " + path + ")"; }

} // namespace

std::vector<RuleTestResult> test_rules(const std::vector<Rule>& rules) {
  std::vector<RuleTestResult> results;
  Engine engine(rules);
  for (const auto& rule : rules) {
    if (!rule.broken.empty()) {
      // Its own failure; the other rules are tested (the engine leaves it out, as it is off).
      RuleTestResult r;
      r.rule_id = rule.id;
      r.source = rule.source;
      r.failures.push_back("malformed: " + rule.broken);
      results.push_back(std::move(r));
      continue;
    }
    if (!rule.enabled) continue;
    RuleTestResult r;
    r.rule_id = rule.id;
    r.source = rule.source;
    if (rule.tests.invalid.empty() || rule.tests.valid.empty())
      r.failures.push_back("needs at least one valid and one invalid case");
    if (rule.safety != core::Safety::suggest && rule.tests.fixed.empty())
      r.failures.push_back("has a fix but no tests.fixed cases");
    // A type assumption is proven both ways: where it is established the fix applies (tests.fixed),
    // where it is not the finding is reported and never fixed (tests.suggested).
    if (rule.assumption && rule.safety != core::Safety::suggest && rule.tests.suggested.empty())
      r.failures.push_back("states an assumption but has no tests.suggested cases");
    // A scope-sensitive fix proves where it refuses: shadowed names, rebinding, closures, macros, templates.
    if (rule.scope_sensitive && rule.tests.suggested.size() + rule.tests.refused.size() < k_min_scope_corpus)
      r.failures.push_back("is scope_sensitive but has " +
                           std::to_string(rule.tests.suggested.size() + rule.tests.refused.size()) +
                           " tests.suggested + tests.refused cases (at least " + std::to_string(k_min_scope_corpus) +
                           " needed)");
    if (rule.scope_sensitive && rule.fix.empty())
      r.failures.push_back("is scope_sensitive but has no fix to refuse");
    for (const auto& lang_name : rule.languages) {
      const LanguageProfile* lang = language_by_name(lang_name);
      try {
        engine.compile(*lang);
      } catch (const core::Error& e) {
        r.failures.push_back(e.what());
        continue;
      }
      std::string where = rule.languages.size() > 1 ? " [" + lang_name + "]" : "";
      for (size_t i = 0; i < rule.tests.valid.size(); ++i) {
        const std::string& code = rule.tests.valid[i];
        const std::string& path = path_of(rule.tests.valid_paths, i);
        if (!case_is_for(path, *lang)) continue;
        ++r.cases;
        auto found = findings_in(engine, rule, *lang, code, path);
        if (!found.empty())
          r.failures.push_back("valid case " + show(code) + where + shown_path(path) + " matched at line " +
                               std::to_string(found.front().start_line) + ": " + show(found.front().snippet));
        // A case placed in a context proves the context only if the code is reported elsewhere.
        else if (!path.empty() && file_contexts(core::default_config(), path, {}).all != 0 &&
                 findings_in(engine, rule, *lang, code).empty())
          r.failures.push_back("valid case " + show(code) + where + shown_path(path) +
                               " does not match outside that path either: it does not test the rule's not_in");
      }
      for (size_t i = 0; i < rule.tests.invalid.size(); ++i) {
        const std::string& code = rule.tests.invalid[i];
        const std::string& path = path_of(rule.tests.invalid_paths, i);
        if (!case_is_for(path, *lang)) continue;
        ++r.cases;
        auto found = findings_in(engine, rule, *lang, code, path);
        if (found.empty()) {
          r.failures.push_back("invalid case " + show(code) + where + shown_path(path) + " did not match");
          continue;
        }
        if (i < rule.tests.fixed.size()) {
          ++r.cases;
          // Only what the drain could apply: findings whose assumption the code establishes.
          std::vector<Finding> fixable;
          for (const auto& f : found)
            if (f.safety != core::Safety::suggest) fixable.push_back(f);
          if (fixable.empty()) {
            r.failures.push_back("invalid case " + show(code) + where + " has a fixed entry but is only a suggestion: " +
                                 show(found.front().message));
            continue;
          }
          std::string fixed;
          try {
            fixed = fix::apply_fixes(rule, fixable, code);
          } catch (const core::Error& e) {
            r.failures.push_back("fix of " + show(code) + where + " failed: " + e.what());
            continue;
          }
          if (fixed != rule.tests.fixed[i]) {
            r.failures.push_back("fix of " + show(code) + where + " gave " + show(fixed) + ", expected " +
                                 show(rule.tests.fixed[i]));
            continue;
          }
          int before = engine.syntax_errors(*lang, code), after = engine.syntax_errors(*lang, fixed);
          if (after > before)
            r.failures.push_back("fix of " + show(code) + where + " introduced syntax errors: " + show(fixed));
          auto left = findings_in(engine, rule, *lang, fixed);
          if (std::any_of(left.begin(), left.end(), [](const Finding& f) { return f.safety != core::Safety::suggest; }))
            r.failures.push_back("fixed case " + show(fixed) + where + " still matches");
        }
      }
      for (const auto& code : rule.tests.suggested) {
        ++r.cases;
        auto found = findings_in(engine, rule, *lang, code);
        if (found.empty()) {
          r.failures.push_back("suggested case " + show(code) + where + " did not match");
          continue;
        }
        for (const auto& f : found)
          if (f.safety != core::Safety::suggest)
            r.failures.push_back("suggested case " + show(code) + where + " would be fixed at line " +
                                 std::to_string(f.start_line) + " (" + std::string(core::to_string(f.safety)) + "): " + show(f.snippet));
      }
      for (const auto& code : rule.tests.refused) {
        ++r.cases;
        for (const auto& f : findings_in(engine, rule, *lang, code))
          if (f.safety != core::Safety::suggest)
            r.failures.push_back("refused case " + show(code) + where + " would be fixed at line " +
                                 std::to_string(f.start_line) + " (" + std::string(core::to_string(f.safety)) + "): " + show(f.snippet));
      }
    }
    results.push_back(std::move(r));
  }
  return results;
}

FixValidity check_fixes(const std::vector<Rule>& rules, const FixCheck& check) {
  FixValidity v;
  Engine engine(rules);
  for (const auto& rule : rules) {
    if (!rule.enabled || rule.safety == core::Safety::suggest || rule.fix.empty()) continue;
    for (const auto& lang_name : rule.languages) {
      const LanguageProfile* lang = language_by_name(lang_name);
      try {
        engine.compile(*lang);
      } catch (const core::Error& e) {
        v.failures.push_back(rule.id + " [" + lang_name + "]: " + e.what());
        continue;
      }
      for (size_t i = 0; i < rule.tests.invalid.size(); ++i) {
        const std::string& code = rule.tests.invalid[i];
        const std::string& given = path_of(rule.tests.invalid_paths, i);
        const std::string path = given.empty() ? std::string("case") + std::string(lang->extensions.front()) : given;
        std::vector<Finding> fixable;
        for (auto& f : findings_in(engine, rule, *lang, code, given))
          if (f.safety != core::Safety::suggest) fixable.push_back(std::move(f));
        if (fixable.empty()) continue;
        std::string fixed;
        try {
          fixed = fix::apply_fixes(rule, fixable, code);
        } catch (const core::Error&) {
          continue; // a fix that does not apply is refused by the drain; rules --test reports it
        }
        if (fixed == code) continue;
        ++v.fixed;
        FixCheckOutcome o = check(lang_name, path, code, fixed);
        if (!o.ran) {
          ++v.unchecked[lang_name + ": " + o.detail];
          continue;
        }
        ++v.checked;
        ++v.checked_by_language[lang_name];
        if (o.original_clean) ++v.clean;
        if (!o.ok) v.failures.push_back(rule.id + " [" + lang_name + "]: " + show(code) + " -> " + show(fixed) + ": " + o.detail);
      }
    }
  }
  return v;
}

} // namespace scan
