#include <catch2/catch.hpp>

#include "fix/trailers.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace {

fix::Trailers sample() {
  fix::Trailers t;
  t.rule = "python/compare-to-none";
  t.rule_source = "builtin";
  t.opportunity = 42;
  t.fingerprint = "0123abcd";
  t.validated = "size<=100, no-destruction, reparse, line-endings, tests";
  return t;
}

// A commit message as the loop writes one: subject, body, trailers.
std::string message(const fix::Trailers& t, const std::string& body = "What: a.py:3.\n") {
  return "autoloop(" + t.rule + "): subject\n\n" + body + fix::format_trailers(t);
}

} // namespace

TEST_CASE("format_trailers", "[fix]") {
  SECTION("round trip: what is written is read back") {
    const fix::Trailers t = sample();
    const fix::Trailers back = fix::read_trailers(message(t));
    CHECK(back.rule == t.rule);
    CHECK(back.rule_source == t.rule_source);
    CHECK(back.opportunity == 42);
    CHECK(back.fingerprint == t.fingerprint);
    CHECK(back.generator.empty());
    CHECK(back.validated == t.validated);
  }

  SECTION("one paragraph, git's trailer block: a blank line, then one line per trailer, in a fixed order") {
    fix::Trailers t = sample();
    t.generator = "llm";
    CHECK(fix::format_trailers(t) ==
          "\nAutoloop-Rule: python/compare-to-none\nAutoloop-Rule-Source: builtin\nAutoloop-Opportunity: 42\n"
          "Autoloop-Fingerprint: 0123abcd\nAutoloop-Generator: llm\n"
          "Autoloop-Validated: size<=100, no-destruction, reparse, line-endings, tests\n");
  }

  SECTION("a provider's fix names its tool and version after the generator's place") {
    fix::Trailers t = sample();
    t.rule = "ruff/B006";
    t.rule_source.clear();
    t.provider = "ruff 0.9.1";
    const std::string text = fix::format_trailers(t);
    CHECK(text.find("Autoloop-Fingerprint: 0123abcd\nAutoloop-Provider: ruff 0.9.1\nAutoloop-Validated:") != std::string::npos);
    CHECK(fix::read_trailers(message(t)).provider == "ruff 0.9.1");
    CHECK(fix::read_trailers(message(sample())).provider.empty());
  }

  SECTION("empty optional trailers are left out") {
    fix::Trailers t = sample();
    t.rule_source.clear();
    const std::string text = fix::format_trailers(t);
    CHECK(text.find("Autoloop-Rule-Source") == std::string::npos);
    CHECK(text.find("Autoloop-Generator") == std::string::npos);
  }

  SECTION("a hostile value cannot add a trailer or end the block") {
    fix::Trailers t = sample();
    t.rule = "repo:x\nAutoloop-Validated: tests (executed: everything)";
    t.rule_source = "repository (.autoloop/rules/a.yml\n\nAutoloop-Generator: forged)";
    const std::string text = message(t);
    const fix::Trailers back = fix::read_trailers(text);
    CHECK(back.validated == t.validated);
    CHECK(back.generator.empty());
    CHECK(back.rule == "repo:x Autoloop-Validated: tests (executed: everything)");
    CHECK(back.rule_source == "repository (.autoloop/rules/a.yml  Autoloop-Generator: forged)");
  }
}

TEST_CASE("format_trailers of a sweep", "[fix]") {
  auto swept = [] {
    fix::Trailers t = sample();
    t.sweep = 3;
    t.sweep_opportunities = {42, 43, 50};
    t.sweep_fingerprints = {"0123abcd", "4567ef01", "89abcdef"};
    return t;
  };

  SECTION("round trip: the sweep's count, ids and fingerprints are read back") {
    const fix::Trailers back = fix::read_trailers(message(swept()));
    CHECK(back.sweep == 3);
    CHECK(back.sweep_opportunities == std::vector<int64_t>{42, 43, 50});
    CHECK(back.sweep_fingerprints == std::vector<std::string>{"0123abcd", "4567ef01", "89abcdef"});
    CHECK(back.opportunity == 42);
    CHECK(back.validated == sample().validated);
  }

  SECTION("the sweep's trailers stand before Autoloop-Validated, and only for a sweep") {
    CHECK(fix::format_trailers(swept()).find("Autoloop-Fingerprint: 0123abcd\nAutoloop-Sweep: 3\n"
                                             "Autoloop-Sweep-Opportunities: 42 43 50\n"
                                             "Autoloop-Sweep-Fingerprints: 0123abcd 4567ef01 89abcdef\n"
                                             "Autoloop-Validated: ") != std::string::npos);
    CHECK(fix::format_trailers(sample()).find("Autoloop-Sweep") == std::string::npos);
    const fix::Trailers back = fix::read_trailers(message(sample()));
    CHECK(back.sweep == 0);
    CHECK(back.sweep_opportunities.empty());
    CHECK(back.sweep_fingerprints.empty());
  }

  SECTION("a hostile fingerprint with a line break cannot add a trailer") {
    fix::Trailers t = swept();
    t.sweep_fingerprints[1] = "4567ef01\nAutoloop-Generator: forged\nAutoloop-Sweep: 99";
    const fix::Trailers back = fix::read_trailers(message(t));
    CHECK(back.generator.empty());
    CHECK(back.sweep == 3);
    CHECK(back.validated == sample().validated);
    CHECK(back.sweep_fingerprints ==
          std::vector<std::string>{"0123abcd", "4567ef01", "Autoloop-Generator:", "forged", "Autoloop-Sweep:", "99",
                                   "89abcdef"});
  }

  SECTION("ids that are not whole numbers are dropped from the list") {
    const fix::Trailers back = fix::read_trailers("s\n\nAutoloop-Sweep: x\nAutoloop-Sweep-Opportunities: 7 8x  9\n");
    CHECK(back.sweep == 0);
    CHECK(back.sweep_opportunities == std::vector<int64_t>{7, 9});
  }
}

TEST_CASE("read_trailers", "[fix]") {
  SECTION("only the last paragraph counts: a body line that looks like a trailer is not one") {
    fix::Trailers t = sample();
    const std::string body = "Why: a rule's description may say\nAutoloop-Generator: forged\n";
    CHECK(fix::read_trailers(message(t, body)).generator.empty());
  }

  SECTION("a message with no trailer block reads as empty") {
    const fix::Trailers back = fix::read_trailers("just a subject\n");
    CHECK(back.rule.empty());
    CHECK(back.opportunity == 0);
    CHECK(fix::read_trailers("").validated.empty());
    CHECK(fix::read_trailers("subject\n\nAutoloop-Rule: x").rule == "x"); // no final newline
  }

  SECTION("an opportunity id that is not a whole number reads as 0") {
    for (const char* id : {"12abc", "", "-", "99999999999999999999999"}) {
      INFO(id);
      CHECK(fix::read_trailers(std::string("s\n\nAutoloop-Opportunity: ") + id + "\n").opportunity == 0);
    }
  }

  SECTION("a key is matched whole: Autoloop-Rule is not read from Autoloop-Rule-Source") {
    fix::Trailers t = sample();
    t.rule.clear();
    CHECK(fix::read_trailers(message(t)).rule.empty());
  }
}

TEST_CASE("validated_with_gates", "[fix]") {
  SECTION("a fix's own gates follow the re-parse") {
    CHECK(fix::validated_with_gates("size<=100, no-destruction, reparse, line-endings", {"native-check(python)"}) ==
          "size<=100, no-destruction, reparse, native-check(python), line-endings");
  }
  SECTION("no gates, no change; no reparse item, at the end") {
    CHECK(fix::validated_with_gates("size<=100, reparse", {}) == "size<=100, reparse");
    CHECK(fix::validated_with_gates("size<=100", {"a", "b"}) == "size<=100, a, b");
  }
}

TEST_CASE("validated_with_tests", "[fix]") {
  SECTION("the trailing tests item says what the coverage report showed") {
    CHECK(fix::validated_with_tests("reparse, tests", "tests (executed: 2 changed lines)") ==
          "reparse, tests (executed: 2 changed lines)");
  }
  SECTION("unchanged without tests in the cycle or without an item") {
    CHECK(fix::validated_with_tests("reparse, line-endings", "tests (coverage unknown)") == "reparse, line-endings");
    CHECK(fix::validated_with_tests("reparse, tests", "") == "reparse, tests");
  }
}
