// Fuzz target: fix-template expansion and application (fix::fix_edits, apply_fixes, apply_edits).
//
// Input: a first line naming the language (python when unknown), then one fix edit per line:
//   replace @CAPTURE TEXT | insert_before @CAPTURE TEXT | insert_after @CAPTURE TEXT | remove @CAPTURE
//   map @CAPTURE FROM=>TO|FROM=>TO...
// where TEXT may hold {{capture}} placeholders and "\n"; then "%%" and the source text; then optionally
// "%%" and raw edits for apply_edits, one "START END TEXT" per line.
// The findings are real: a rule whose query is `(_ (identifier) @id) @match` run on the source.
//
// Checks: expansion and application never crash and throw nothing but core::Error; every edit lies
// inside the source; the result has the length the edits imply; a fix replacing each capture by
// itself leaves the source unchanged.

#include "fuzz_input.hpp"

#include "core/error.hpp"
#include "scan/engine.hpp"
#include "fix/template.hpp"
#include "scan/language.hpp"
#include "scan/rule.hpp"

#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr size_t k_max_findings = 64;

scan::Rule base_rule(std::string_view language) {
  scan::Rule rule;
  rule.id = "fuzz/identifier";
  rule.languages = {std::string(language)};
  rule.category = core::Category::code_quality;
  rule.severity = "info";
  rule.safety = core::Safety::safe;
  rule.message = "{{id}}";
  rule.query = "(_ (identifier) @id) @match";
  return rule;
}

// One engine per language, its query compiled once.
const scan::Engine& engine_for(const scan::LanguageProfile& language) {
  static std::map<std::string_view, std::unique_ptr<scan::Engine>> engines;
  auto& slot = engines[language.name];
  if (!slot) {
    slot = std::make_unique<scan::Engine>(std::vector<scan::Rule>{base_rule(language.name)}, 200);
    slot->compile(language);
  }
  return *slot;
}

std::string unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
      out += '\n';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<scan::FixEdit> parse_edits(const std::vector<std::string>& lines) {
  static const std::map<std::string, scan::FixEdit::Op> k_ops = {
      {"replace", scan::FixEdit::Op::replace},          {"map", scan::FixEdit::Op::replace},
      {"remove", scan::FixEdit::Op::remove},            {"insert_before", scan::FixEdit::Op::insert_before},
      {"insert_after", scan::FixEdit::Op::insert_after}, {"delete_item", scan::FixEdit::Op::remove_item}};
  std::vector<scan::FixEdit> edits;
  for (const std::string& line : lines) {
    size_t space = line.find(' ');
    auto op = k_ops.find(line.substr(0, space));
    if (op == k_ops.end() || space == std::string::npos || line.compare(space + 1, 1, "@") != 0) continue;
    size_t end = line.find(' ', space + 1);
    scan::FixEdit edit;
    edit.op = op->second;
    edit.capture = line.substr(space + 2, end == std::string::npos ? std::string::npos : end - space - 2);
    std::string rest = end == std::string::npos ? "" : unescape(line.substr(end + 1));
    if (op->first == "map") {
      for (size_t at = 0; at <= rest.size();) {
        size_t bar = rest.find('|', at);
        if (bar == std::string::npos) bar = rest.size();
        std::string pair = rest.substr(at, bar - at);
        size_t arrow = pair.find("=>");
        if (arrow != std::string::npos) edit.map[pair.substr(0, arrow)] = pair.substr(arrow + 2);
        at = bar + 1;
      }
    } else {
      edit.text = rest;
    }
    edits.push_back(std::move(edit));
  }
  return edits;
}

size_t expected_size(const std::string& source, const std::vector<fix::TextEdit>& edits) {
  size_t size = source.size();
  for (const auto& e : edits) size = size - (e.end - e.start) + e.text.size();
  return size;
}

// apply_edits either refuses (core::Error) or gives a text of the implied size.
void check_apply(const std::string& source, const std::vector<fix::TextEdit>& edits) {
  for (const auto& e : edits)
    if (e.start > e.end || e.end > source.size()) {
      try {
        (void)fix::apply_edits(source, edits);
      } catch (const core::Error&) {
        return;
      }
      fuzz::broken("apply_edits accepted an edit outside the source");
    }
  try {
    std::string out = fix::apply_edits(source, edits);
    if (out.size() != expected_size(source, edits)) fuzz::broken("apply_edits result has the wrong size");
  } catch (const core::Error&) {
    // overlapping edits
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> parts = fuzz::sections(data, size);
  std::string header = fuzz::take_line(parts[0]);
  const scan::LanguageProfile* language = scan::language_by_name(header);
  if (!language) language = scan::language_by_name("python");
  const std::string source = parts.size() > 1 ? parts[1] : "";

  scan::Rule rule = base_rule(language->name);
  rule.fix = parse_edits(fuzz::lines(parts[0]));

  std::vector<scan::Finding> found = engine_for(*language).match_rule(rule, *language, source);
  if (found.size() > k_max_findings) found.resize(k_max_findings);
  scan::FileContext context;
  context.path = "fuzz" + std::string(language->extensions.front());
  found = scan::apply_context(std::move(found), source, context);

  for (const auto& f : found) {
    auto edits = fix::fix_edits(rule, f, source);
    if (!edits) continue;
    for (const auto& e : *edits)
      if (e.start > e.end || e.end > source.size()) fuzz::broken("fix_edits made an edit outside the source");
    check_apply(source, *edits);
  }
  try {
    (void)fix::apply_fixes(rule, found, source);
  } catch (const core::Error&) {
    // one fix's own edits overlap
  }

  // Replacing every capture the fix names by itself changes nothing.
  scan::Rule identity = rule;
  identity.fix.clear();
  std::set<std::string> named;
  for (const auto& e : rule.fix)
    if (named.insert(e.capture).second) {
      scan::FixEdit same;
      same.capture = e.capture;
      same.text = "{{" + e.capture + "}}";
      identity.fix.push_back(same);
    }
  try {
    if (fix::apply_fixes(identity, found, source) != source) fuzz::broken("an identity fix changed the source", source);
  } catch (const core::Error&) {
  }

  // Raw edits straight into apply_edits.
  if (parts.size() > 2) {
    std::vector<fix::TextEdit> raw;
    for (const std::string& line : fuzz::lines(parts[2])) {
      char* rest = nullptr;
      unsigned long start = std::strtoul(line.c_str(), &rest, 10);
      unsigned long end = std::strtoul(rest, &rest, 10);
      fix::TextEdit e;
      e.start = static_cast<uint32_t>(start);
      e.end = static_cast<uint32_t>(end);
      e.text = *rest == ' ' ? unescape(rest + 1) : "";
      raw.push_back(std::move(e));
    }
    check_apply(source, raw);
  }
  return 0;
}
