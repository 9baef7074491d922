#include "../support/temp_repo.hpp"

#include "../support/fake_provider.hpp"
#include "fix/provider_fix.hpp"
#include "scan/fingerprint.hpp"
#include "scan/rule.hpp"

#include <algorithm>
#include <memory>
#include <string>

namespace {

using test_support::FakeProvider;
using test_support::TempRepo;

const std::string k_text = "def f(x):\n    if x == None:\n        print(x)\n";

scan::FileContext context_of(const std::string& path) {
  scan::FileContext c;
  c.path = path;
  return c;
}

// The fake provider's findings of `text` at a.py, as the scan computes them.
std::vector<fix::ProviderFinding> findings_of(const std::string& text) {
  FakeProvider fake;
  const auto r = fake.run({{"a.py", text}}, {});
  return fix::provider_findings(r.files.empty() ? std::vector<providers::Diagnostic>{} : r.files[0].diagnostics, text,
                                context_of("a.py"));
}

// The queued row of `rule` in `text`, as loop/provider_scan stores it.
queue::Opportunity queued(const std::string& text, const std::string& rule) {
  const auto found = findings_of(text);
  auto p = std::find_if(found.begin(), found.end(), [&](const fix::ProviderFinding& x) { return x.finding.rule_id == rule; });
  REQUIRE(p != found.end());
  queue::Opportunity o;
  o.id = 7;
  o.rule_id = rule;
  o.origin = core::Origin::provider;
  o.fingerprint = p->finding.fingerprint;
  o.path = "a.py";
  o.start_line = p->claim_first;
  o.end_line = p->claim_last;
  o.snippet = p->finding.snippet;
  o.safety = p->finding.safety;
  return o;
}

fix::ProviderLookup lookup_of(FakeProvider::Mode mode = FakeProvider::Mode::ok) {
  return [mode](const std::string& name) -> std::unique_ptr<providers::Provider> {
    return std::make_unique<FakeProvider>(name, mode);
  };
}

} // namespace

TEST_CASE("provider_findings", "[fix][providers]") {
  SECTION("fingerprints as for built-in findings: rule, path and the matched text, not the line") {
    const auto a = findings_of(k_text);
    const auto b = findings_of("import os\n\n" + k_text);
    REQUIRE(a.size() == 2);
    REQUIRE(b.size() == 2);
    CHECK(a[0].finding.fingerprint == b[0].finding.fingerprint);
    CHECK(a[0].finding.start_line == 2);
    CHECK(b[0].finding.start_line == 4);
    CHECK(a[0].finding.fingerprint == scan::fingerprint(a[0].finding, "a.py"));
    CHECK(a[0].finding.fingerprint != findings_of(k_text).at(1).finding.fingerprint);
  }
  SECTION("identical code twice gets two fingerprints; a suppressed one is left out") {
    const std::string twice = "a == None\nb = 1\na == None  # autoloop: ignore[fake/E711]\nd = 2\nc == None\n";
    const auto found = findings_of(twice);
    REQUIRE(found.size() == 2);
    CHECK(found[0].finding.start_line == 1);
    CHECK(found[1].finding.start_line == 5);
    CHECK(found[0].finding.fingerprint != found[1].finding.fingerprint);
  }
  SECTION("the safety is the fix's applicability, a suggestion without a fix; the claim covers the edits") {
    providers::Diagnostic d;
    d.rule_id = "fake/B006";
    d.start_byte = 0;
    d.end_byte = 5;
    d.start_line = d.end_line = 1;
    d.fix = providers::Fix{core::Safety::unsafe, {{0, 5, "def g"}, {20, 21, "\n    y = []\n"}}, ""};
    const std::string text = "def f(y=[]):\n    y.append(1)\n    return y\n";
    const auto found = fix::provider_findings({d}, text, context_of("a.py"));
    REQUIRE(found.size() == 1);
    CHECK(found[0].finding.safety == core::Safety::unsafe);
    CHECK(found[0].claim_first == 1);
    CHECK(found[0].claim_last == 2);
    d.fix.reset();
    CHECK(fix::provider_findings({d}, text, context_of("a.py")).at(0).finding.safety == core::Safety::suggest);
  }
  SECTION("an empty range takes its line's text") {
    providers::Diagnostic d;
    d.rule_id = "fake/W292";
    d.start_byte = d.end_byte = 10;
    d.start_line = d.end_line = 2;
    const auto found = fix::provider_findings({d}, "x = 1\ny = 22", context_of("a.py"));
    REQUIRE(found.size() == 1);
    CHECK(found[0].finding.snippet == "y = 22");
  }
}

TEST_CASE("derive_provider_fix", "[fix][providers]") {
  TempRepo repo("provider-derive");
  repo.write("a.py", k_text);
  const std::string head = repo.commit();
  const git::Repository r = git::Repository::open(repo.path());
  const scan::Engine engine(scan::builtin_rules());
  core::Config config = core::default_config();
  config.providers = {"fake"};
  const queue::Opportunity o = queued(k_text, "fake/E711");

  SECTION("the provider runs again on the file at the commit; its edits pass the gates") {
    const fix::Derived d = fix::derive_provider_fix(engine, r, config, head, o, nullptr, lookup_of());
    REQUIRE(d.status == fix::Derived::Status::ok);
    CHECK(d.after == "def f(x):\n    if x is None:\n        print(x)\n");
    CHECK(d.line == 2);
    CHECK(d.provider == "fake 1.2.3");
    CHECK(d.lines_changed == 2);
  }
  SECTION("re-derived on new content: found by fingerprint after the lines moved") {
    repo.write("a.py", "import os\n\n" + k_text);
    const std::string moved = repo.commit();
    const fix::Derived d = fix::derive_provider_fix(engine, r, config, moved, o, nullptr, lookup_of());
    REQUIRE(d.status == fix::Derived::Status::ok);
    CHECK(d.line == 4);
    CHECK(d.after == "import os\n\ndef f(x):\n    if x is None:\n        print(x)\n");
  }
  SECTION("gone when the code no longer has it") {
    repo.write("a.py", "def f(x):\n    return x\n");
    const std::string fixed = repo.commit();
    CHECK(fix::derive_provider_fix(engine, r, config, fixed, o, nullptr, lookup_of()).status ==
          fix::Derived::Status::gone);
  }
  SECTION("no fix: a finding the tool offers none for, a provider not enabled, a rule switched off, a broken tool") {
    const auto t201 = queued(k_text, "fake/T201");
    fix::Derived d = fix::derive_provider_fix(engine, r, config, head, t201, nullptr, lookup_of());
    CHECK(d.status == fix::Derived::Status::no_fix);
    CHECK(d.detail == "fake offers no fix for this finding");
    core::Config off = config;
    off.providers.clear();
    CHECK(fix::derive_provider_fix(engine, r, off, head, o, nullptr, lookup_of()).detail ==
          "provider fake is not enabled (providers:)");
    off = config;
    off.rules.disable = {"fake/E"};
    CHECK(fix::derive_provider_fix(engine, r, off, head, o, nullptr, lookup_of()).status == fix::Derived::Status::no_fix);
    d = fix::derive_provider_fix(engine, r, config, head, o, nullptr, lookup_of(FakeProvider::Mode::problem));
    CHECK(d.status == fix::Derived::Status::no_fix);
    CHECK(d.detail == "fake printed output that is not JSON");
  }
  SECTION("the gates refuse what they refuse for any fix: here, a change larger than max_change_size") {
    config.safety_settings.max_change_size = 1;
    const fix::Derived d = fix::derive_provider_fix(engine, r, config, head, o, nullptr, lookup_of());
    CHECK(d.status == fix::Derived::Status::rejected_by_gate);
    CHECK(d.outcome == core::Outcome::too_large);
  }
  SECTION("derive_fix hands a provider's finding to its provider") {
    // The built-in registry has no provider named fake: the dispatch says so rather than trying a rule.
    const fix::Derived d = fix::derive_fix(engine, r, config, head, o);
    CHECK(d.status == fix::Derived::Status::no_fix);
    CHECK(d.detail == "provider fake is not enabled (providers:)");
  }
}
