#include "loop/provider_scan.hpp"

#include "../support/loop_context.hpp"
#include "../support/temp_repo.hpp"
#include "../support/fake_provider.hpp"

#include "loop/worker.hpp"

#include <memory>
#include <string>
#include <vector>

using loop::Context;
using loop::ProviderPass;
using test_support::EnvGuard;
using test_support::FakeProvider;
using test_support::open_ctx;
using test_support::TempRepo;

namespace {

std::vector<queue::Opportunity> rows(Context& ctx, const std::string& rule) {
  queue::OpportunityFilter f;
  f.rule_id = rule;
  return ctx.store().opportunities(f);
}

// A context whose configuration enables the test's providers (names the registry does not know, so set
// after loading, as the registry's check would refuse them).
Context ctx_with(const TempRepo& repo, std::vector<std::string> enabled) {
  Context ctx = open_ctx(repo);
  ctx.config.providers = std::move(enabled);
  ctx.config.provider_budget_ms = 1000;
  return ctx;
}

} // namespace

TEST_CASE("scan_with_providers", "[providers]") {
  TempRepo repo("provider-scan");
  EnvGuard no_switch("AUTOLOOP", std::nullopt);
  repo.write("a.py", "def f(x):\n    if x == None:\n        print(x)\n");
  repo.write("notes.txt", "x == None\n");
  const std::string c1 = repo.commit();
  Context ctx = ctx_with(repo, {"fake"});
  FakeProvider fake;

  SECTION("queues each diagnostic as a row of origin provider, with the rule id as given") {
    auto s = loop::scan_with_providers(ctx, {c1}, {&fake}, ProviderPass::hook);
    CHECK(s.runs == 1);
    CHECK(fake.runs == 1);
    CHECK(fake.last_budget == std::chrono::milliseconds(1000)); // the hook's budget
    CHECK(s.inserted == 2);
    auto e711 = rows(ctx, "fake/E711");
    REQUIRE(e711.size() == 1);
    CHECK(e711[0].origin == core::Origin::provider);
    CHECK(e711[0].path == "a.py"); // notes.txt is not the provider's
    CHECK(e711[0].start_line == 2);
    CHECK(e711[0].safety == core::Safety::safe);
    CHECK(e711[0].severity == "warning");
    CHECK(e711[0].is_new);
    CHECK(e711[0].snippet == "== None");
    auto t201 = rows(ctx, "fake/T201");
    REQUIRE(t201.size() == 1);
    CHECK(t201[0].safety == core::Safety::suggest); // no fix offered: never committed
    CHECK(loop::provider_status_lines(ctx.store(), ctx.config.providers).empty());
  }

  SECTION("a finding keeps its fingerprint (and its row) when code above it moves") {
    loop::scan_with_providers(ctx, {c1}, {&fake}, ProviderPass::hook);
    const std::string before = rows(ctx, "fake/E711").at(0).fingerprint;
    repo.write("a.py", "import os\n\ndef f(x):\n    if x == None:\n        print(x)\n");
    const std::string c2 = repo.commit();
    auto s = loop::scan_with_providers(ctx, {c2}, {&fake}, ProviderPass::hook);
    CHECK(s.inserted == 0);
    auto e711 = rows(ctx, "fake/E711");
    REQUIRE(e711.size() == 1);
    CHECK(e711[0].fingerprint == before);
    CHECK(e711[0].start_line == 4);
    CHECK(e711[0].status == core::Status::open);
  }

  SECTION("hold the line: a finding on lines the commit did not touch is not new") {
    repo.write("a.py", "def f(x):\n    if x == None:\n        print(x)\n\n\ndef g(y):\n    print(y)\n");
    const std::string c2 = repo.commit();
    loop::scan_with_providers(ctx, {c2}, {&fake}, ProviderPass::hook);
    CHECK_FALSE(rows(ctx, "fake/E711").at(0).is_new);
    auto t201 = rows(ctx, "fake/T201");
    REQUIRE(t201.size() == 2);
    CHECK(t201[0].is_new != t201[1].is_new); // print(y) is the commit's, print(x) was there
  }

  SECTION("a finding gone from the file is resolved; the built-in scan leaves provider rows alone") {
    loop::scan_with_providers(ctx, {c1}, {&fake}, ProviderPass::hook);
    repo.write("a.py", "def f(x):\n    if x is None:\n        print(x)\n");
    const std::string c2 = repo.commit();
    loop::scan_now(ctx, {c2}, "scan"); // the rules' view of a.py knows nothing of fake/E711
    CHECK(rows(ctx, "fake/E711").at(0).status == core::Status::open);
    auto s = loop::scan_with_providers(ctx, {c2}, {&fake}, ProviderPass::hook);
    CHECK(s.resolved == 1);
    CHECK(rows(ctx, "fake/E711").at(0).status == core::Status::resolved);
    CHECK(rows(ctx, "fake/T201").at(0).status == core::Status::open);
  }

  SECTION("an inline suppression comment hides a provider's finding") {
    repo.write("a.py", "def f(x):\n    print(x)  # autoloop: ignore[fake/T201]\n");
    const std::string c2 = repo.commit();
    loop::scan_with_providers(ctx, {c2}, {&fake}, ProviderPass::hook);
    CHECK(rows(ctx, "fake/T201").empty());
  }

  SECTION("rules.disable takes provider ids and prefixes; rules.enable a narrower one back") {
    (void)ctx.engine(); // the rules' own check knows the registry's providers only, not this fake
    ctx.config.rules.disable = {"fake/T"};
    loop::scan_with_providers(ctx, {c1}, {&fake}, ProviderPass::hook);
    CHECK(rows(ctx, "fake/T201").empty());
    CHECK(rows(ctx, "fake/E711").size() == 1);
    ctx.config.rules.enable = {"fake/T201"};
    loop::scan_with_providers(ctx, {c1}, {&fake}, ProviderPass::hook);
    CHECK(rows(ctx, "fake/T201").size() == 1);
  }

  SECTION("where a built-in rule found the same place, the built-in finding is kept") {
    FakeProvider ruff("ruff");
    ctx.config.providers = {"ruff"};
    loop::scan_now(ctx, {c1}, "scan");
    REQUIRE(rows(ctx, "python/compare-to-none").size() == 1);
    loop::scan_with_providers(ctx, {c1}, {&ruff}, ProviderPass::hook);
    CHECK(rows(ctx, "ruff/E711").empty()); // ruff/E711 <-> python/compare-to-none
    CHECK(rows(ctx, "ruff/T201").size() == 1);
  }

  SECTION("a tool with a problem leaves the queue as it was and says why in status") {
    loop::scan_with_providers(ctx, {c1}, {&fake}, ProviderPass::hook);
    repo.write("a.py", "def f(x):\n    return x\n");
    const std::string c2 = repo.commit();
    FakeProvider broken("fake", FakeProvider::Mode::problem);
    auto s = loop::scan_with_providers(ctx, {c2}, {&broken}, ProviderPass::hook);
    CHECK(s.problems == 1);
    CHECK(s.resolved == 0);
    CHECK(rows(ctx, "fake/E711").at(0).status == core::Status::open); // nothing is judged by a run that failed
    auto lines = loop::provider_status_lines(ctx.store(), ctx.config.providers);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "fake: fake printed output that is not JSON");
    CHECK(loop::provider_status_lines(ctx.store(), {"other"}).empty()); // only enabled providers are shown
  }

  SECTION("a provider that throws is a problem of its run, not an error of the scan") {
    FakeProvider throwing("fake", FakeProvider::Mode::throws);
    loop::ProviderScanStats s;
    REQUIRE_NOTHROW(s = loop::scan_with_providers(ctx, {c1}, {&throwing}, ProviderPass::hook));
    CHECK(s.problems == 1);
    auto lines = loop::provider_status_lines(ctx.store(), ctx.config.providers);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("a provider that throws") != std::string::npos);
  }

  SECTION("a run over its budget in the hook is deferred to the drain, which runs it without the budget") {
    FakeProvider slow("fake", FakeProvider::Mode::timeout);
    auto s = loop::scan_with_providers(ctx, {c1}, {&slow}, ProviderPass::hook);
    CHECK(s.deferred == 1);
    CHECK(rows(ctx, "fake/E711").empty());
    auto lines = loop::provider_status_lines(ctx.store(), ctx.config.providers);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "fake: deferred to the drain (1.2 s > 1 s budget)");
    auto made = std::make_shared<int>(0);
    auto lookup = [made](const std::string& name) -> std::unique_ptr<providers::Provider> {
      ++*made;
      return name == "fake" ? std::make_unique<FakeProvider>() : nullptr;
    };
    auto d = loop::run_deferred_providers(ctx, lookup);
    CHECK(*made == 1);
    CHECK(d.runs == 1);
    CHECK(d.inserted == 2);
    CHECK(rows(ctx, "fake/E711").size() == 1);
    CHECK(loop::provider_status_lines(ctx.store(), ctx.config.providers).empty());
    CHECK(loop::run_deferred_providers(ctx, lookup).runs == 0); // done once
  }

  SECTION("scope changed_lines queues only what the commit's lines brought, without resolving the rest") {
    loop::scan_with_providers(ctx, {c1}, {&fake}, ProviderPass::hook);
    ctx.config.scope = "changed_lines";
    repo.write("a.py", "def f(x):\n    if x == None:\n        print(x)\n    print(1)\n");
    const std::string c2 = repo.commit();
    auto s = loop::scan_with_providers(ctx, {c2}, {&fake}, ProviderPass::hook);
    CHECK(s.inserted == 1);
    CHECK(s.resolved == 0);
    auto t201 = rows(ctx, "fake/T201");
    REQUIRE(t201.size() == 2);
  }
}

TEST_CASE("equivalent_builtins", "[providers]") {
  const auto table = loop::equivalent_builtins(scan::builtin_rules());
  CHECK(table.at("ruff/E711") == std::vector<std::string>{"python/compare-to-none"});
  CHECK(table.at("ruff/S102") == std::vector<std::string>{"python/eval-exec"});
  CHECK(table.at("clang-tidy/modernize-use-nullptr") == std::vector<std::string>{"cpp/null-to-nullptr"});
  CHECK(table.at("clang-tidy/readability-container-size-empty").size() == 2);
  CHECK(table.count("eslint/no-var") == 0); // eslint is no provider
  scan::Rule biome_rule;
  biome_rule.id = "javascript/x";
  biome_rule.equivalents = {{"biome", {"style/noVar"}}};
  CHECK(loop::equivalent_builtins({biome_rule}).at("biome/lint/style/noVar") == std::vector<std::string>{"javascript/x"});
}
