#include "scan/rule_cache.hpp"

#include "../support/temp_repo.hpp"

#include "core/fs.hpp"

#include <fstream>
#include <string>
#include <vector>

using scan::Rule;
using test_support::TempDir;

namespace {

// Every field, so a field the encoding forgot shows up as a difference.
std::string describe(const Rule& r) {
  std::string out = r.id + "|" + std::string(core::to_string(r.category)) + "|" + r.severity + "|" +
                    std::string(core::to_string(r.safety)) + "|" + r.message + "|" +
                    r.description + "|" + r.query + "|" + r.check + "|" + r.source + "|" +
                    std::to_string(r.query_line) + ":" + std::to_string(r.query_column) + "|" +
                    (r.enabled ? "on" : "off") + "|" + scan::to_string(r.origin) + " " + r.file + " " +
                    (r.trusted ? "trusted" : "untrusted") + (r.mechanical ? "|mechanical" : "") +
                    (r.scope_sensitive ? "|scope-sensitive" : "");
  for (const auto& l : r.languages) out += "|lang " + l;
  for (const auto& e : r.fix) {
    out += "|fix " + std::to_string(static_cast<int>(e.op)) + " " + e.capture + " " + e.text;
    for (const auto& [k, v] : e.map) out += " " + k + "=" + v;
    out += " key " + e.key + " when " + e.when + " unless " + e.unless;
  }
  for (const auto& c : r.calls) out += "|call " + c;
  for (const auto& t : r.tests.valid) out += "|valid " + t;
  for (const auto& t : r.tests.invalid) out += "|invalid " + t;
  for (const auto& t : r.tests.fixed) out += "|fixed " + t;
  for (const auto& t : r.tests.suggested) out += "|suggested " + t;
  for (const auto& t : r.tests.refused) out += "|refused " + t;
  for (const auto& t : r.tests.valid_paths) out += "|valid path " + t;
  for (const auto& t : r.tests.invalid_paths) out += "|invalid path " + t;
  if (r.assumption)
    out += "|assumes " + r.assumption->text + " by " + r.assumption->established_by + " of " + r.assumption->subject;
  out += "|not in " + std::to_string(r.not_in) + " declared " + std::to_string(r.declared_not_in) + " " + r.not_in_note;
  for (const auto& [tool, ids] : r.equivalents)
    for (const auto& id : ids) out += "|equivalent " + tool + " " + id;
  return out;
}

std::vector<std::string> describe(const std::vector<Rule>& rules) {
  std::vector<std::string> out;
  for (const auto& r : rules) out.push_back(describe(r));
  return out;
}

} // namespace

TEST_CASE("built-in rules round-trip through the cache encoding") {
  auto rules = scan::builtin_rules();
  REQUIRE(rules.size() >= 10);
  // One rule exercising what the built-ins may not: a map fix, a disabled rule, odd bytes.
  Rule odd = rules.front();
  odd.id = "t/odd";
  odd.enabled = false;
  odd.message = std::string("nul \0 inside, and ünïcode", 26);
  odd.fix = {{scan::FixEdit::Op::insert_after, "x", "text", {{"a", "b"}, {"c", ""}}},
             {scan::FixEdit::Op::remove_item, "y", "", {{"== 1", "{{x}}"}}, "w", "u", "{{op}} {{lit}}"}};
  odd.calls = {"yaml.load", "m.f"};
  odd.assumption = scan::Assumption{"`{{obj}}` is a dict", "dict-literal", "obj"};
  odd.not_in = 5;
  odd.declared_not_in = 1;
  odd.not_in_note = "rules.contexts";
  odd.equivalents = {{"ruff", {"E711", "E712"}}, {"eslint", {}}};
  odd.tests.suggested = {"x = 1"};
  odd.tests.refused = {"y = 2", "z = 3"};
  odd.scope_sensitive = true;
  odd.tests.valid_paths = {"tests/test_x.py", ""};
  odd.tests.invalid_paths = {"src/x.py"};
  rules.push_back(odd);
  // And one of each origin the cache must keep apart.
  Rule repository = rules.front();
  repository.id = "repo:t/repository";
  repository.origin = scan::RuleOrigin::repository;
  repository.file = ".autoloop/rules/t.yml";
  repository.trusted = false;
  rules.push_back(repository);
  Rule local = rules.front();
  local.origin = scan::RuleOrigin::local;
  local.file = "/home/me/rules/t.yml";
  rules.push_back(local);
  const std::string key = scan::builtin_rules_key();
  auto decoded = scan::decode_rules(scan::encode_rules(rules, key), key);
  REQUIRE(decoded);
  CHECK(describe(*decoded) == describe(rules));
}

TEST_CASE("a cache blob for another build, or damaged, is refused") {
  auto rules = scan::builtin_rules();
  const std::string key = scan::builtin_rules_key();
  const std::string blob = scan::encode_rules(rules, key);
  CHECK_FALSE(scan::decode_rules(blob, "another-build"));
  CHECK_FALSE(scan::decode_rules(blob.substr(0, blob.size() / 2), key));
  CHECK_FALSE(scan::decode_rules("", key));
  std::string flipped = blob;
  flipped[flipped.size() - 10] ^= 0x20;
  CHECK_FALSE(scan::decode_rules(flipped, key));
  // The key depends on the embedded rule texts: stable within a build.
  CHECK(scan::builtin_rules_key() == key);
}

TEST_CASE("builtin_rules_cached writes the cache once and reads it back; a bad cache is replaced") {
  TempDir tmp;
  const auto file = tmp.path() / "cache" / "builtin-rules";
  const auto expected = describe(scan::builtin_rules());

  CHECK(describe(scan::builtin_rules_cached(file)) == expected);
  REQUIRE(std::filesystem::exists(file));
  const auto written = core::read_file(file);
  REQUIRE(written);

  // Read back: the same rules. A cache that says something else for this key would show here.
  CHECK(describe(scan::builtin_rules_cached(file)) == expected);

  // Garbled: parsed again and rewritten.
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << scan::builtin_rules_key() << "\nnot a digest\ngarbage";
  }
  CHECK(describe(scan::builtin_rules_cached(file)) == expected);
  CHECK(core::read_file(file) == written);

  // Unwritable place (its parent is a file): still the rules.
  const auto blocked = tmp.path() / "plain-file" / "cache" / "builtin-rules";
  { std::ofstream(tmp.path() / "plain-file") << "x"; }
  CHECK(describe(scan::builtin_rules_cached(blocked)) == expected);
}
