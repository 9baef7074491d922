#include "../support/temp_repo.hpp"

#include "../support/scan_support.hpp"
#include "fix/generator.hpp"
#include "scan/rule.hpp"
#include "scan/scanner.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

namespace {

using fix::Touched;
using test_support::EnvGuard;
using test_support::TempRepo;

fix::Request finding(const std::string& path, const std::vector<std::string>& may_add = {}) {
  fix::Request r;
  r.kind = "finding";
  r.path = path;
  r.may_modify = {path};
  r.arguments = {path};
  r.may_add = may_add;
  return r;
}

scan::Rule rule(const std::string& id, const std::string& category, const std::string& safety, bool with_fix) {
  scan::Rule r;
  r.id = id;
  r.category = *core::parse<core::Category>(category);
  r.safety = *core::parse<core::Safety>(safety);
  r.description = "why it matters";
  if (with_fix) r.fix.push_back(scan::FixEdit{});
  return r;
}

queue::Opportunity opportunity(const std::string& rule_id, const std::string& path = "a.py") {
  queue::Opportunity o;
  o.id = 7;
  o.rule_id = rule_id;
  o.path = path;
  o.safety = core::Safety::suggest;
  o.start_line = 20;
  o.end_line = 22;
  o.message = "Public function `parse` is not referenced by any test";
  return o;
}

// An executable script in `dir`.
std::string script(const test_support::TempDir& dir, const std::string& name, const std::string& body) {
  auto path = dir.write(name, "#!/bin/sh\n" + body);
  ::chmod(path.c_str(), 0755);
  return path.string();
}

} // namespace

TEST_CASE("check_scope", "[fix][generator]") {
  const auto modified = [](const std::string& p) { return Touched{Touched::Kind::modified, p, 0100644}; };
  const auto added = [](const std::string& p) { return Touched{Touched::Kind::added, p, 0100644}; };

  SECTION("the finding's own file may change") { CHECK_FALSE(fix::check_scope(finding("src/a.py"), {modified("src/a.py")})); }

  SECTION("another file is refused, naming it") {
    auto r = fix::check_scope(finding("src/a.py"), {modified("src/a.py"), modified("src/b.py")});
    REQUIRE(r);
    CHECK(r->outcome == core::Outcome::destructive);
    CHECK(r->detail.find("src/b.py") != std::string::npos);
    CHECK(r->detail.find("not given") != std::string::npos);
  }

  SECTION("a deleted file is refused, even the finding's own") {
    Touched gone{Touched::Kind::deleted, "src/a.py", 0100644};
    auto r = fix::check_scope(finding("src/a.py"), {gone});
    REQUIRE(r);
    CHECK(r->outcome == core::Outcome::destructive);
    CHECK(r->detail.find("deleted src/a.py") != std::string::npos);
  }

  SECTION("a file turned into a symlink or a type change is refused") {
    CHECK(fix::check_scope(finding("a.py"), {Touched{Touched::Kind::modified, "a.py", 0120000}}));
    CHECK(fix::check_scope(finding("a.py"), {Touched{Touched::Kind::other, "a.py", 0100644}}));
  }

  SECTION("one new file under the test paths, when the request admits one") {
    const std::vector<std::string> tests = {"tests/**", "**/test_*.py"};
    CHECK_FALSE(fix::check_scope(finding("src/a.py", tests), {added("tests/test_a.py")}));
    CHECK_FALSE(fix::check_scope(finding("src/a.py", tests), {added("src/test_a.py"), modified("src/a.py")}));
    auto two = fix::check_scope(finding("src/a.py", tests), {added("tests/test_a.py"), added("tests/test_b.py")});
    REQUIRE(two);
    CHECK(two->detail.find("tests/test_b.py") != std::string::npos);
    auto elsewhere = fix::check_scope(finding("src/a.py", tests), {added("src/helper.py")});
    REQUIRE(elsewhere);
    CHECK(elsewhere->outcome == core::Outcome::destructive);
    CHECK(elsewhere->detail.find("tests/**") != std::string::npos);
  }

  SECTION("no new file when the request admits none") {
    auto r = fix::check_scope(finding("src/a.py"), {added("tests/test_a.py")});
    REQUIRE(r);
    CHECK(r->detail.find("it may add no file") != std::string::npos);
  }

  SECTION("nothing changed is no change") {
    auto r = fix::check_scope(finding("a.py"), {});
    REQUIRE(r);
    CHECK(r->outcome == core::Outcome::no_change);
  }

  SECTION("an instruction: its paths (a directory admits what is below it), or any file when it named none") {
    fix::Request r;
    r.kind = "instruction";
    r.may_modify = {"src", "README"};
    CHECK_FALSE(fix::check_scope(r, {modified("src/deep/a.py"), modified("README")}));
    CHECK(fix::check_scope(r, {modified("srcx/a.py")}));
    CHECK(fix::check_scope(r, {modified("README.md")}));
    r.may_modify.clear();
    CHECK_FALSE(fix::check_scope(r, {modified("anything/at/all.c")}));
    CHECK(fix::check_scope(r, {added("new.c")}));
  }
}

TEST_CASE("offer_kind", "[fix][generator]") {
  const scan::Rule untested = rule("python/untested-function", "test_coverage", "suggest", false);
  const scan::Rule security_without_fix = rule("python/pickle-load", "security_fixes", "suggest", false);
  const scan::Rule with_fix = rule("python/compare-to-none", "code_quality", "safe", true);
  const scan::Rule quality_suggestion = rule("python/bare-except", "code_quality", "suggest", false);

  SECTION("the three kinds the issue names, and other suggestions") {
    CHECK(fix::offer_kind(opportunity(untested.id), &untested) == "untested");
    CHECK(fix::offer_kind(opportunity(security_without_fix.id), &security_without_fix) == "security");
    CHECK(fix::offer_kind(opportunity(scan::k_regression_rule), nullptr) == "complexity");
    CHECK(fix::offer_kind(opportunity(quality_suggestion.id), &quality_suggestion) == "suggestions");
  }

  SECTION("a template that applies is the drain's; one whose assumption fails here is a suggestion again") {
    auto o = opportunity(with_fix.id);
    o.safety = core::Safety::safe;
    CHECK(fix::offer_kind(o, &with_fix).empty());
    o.safety = core::Safety::suggest;
    CHECK(fix::offer_kind(o, &with_fix) == "suggestions");
  }

  SECTION("nothing for improve requests, unknown, disabled or untrusted rules") {
    queue::Opportunity request = opportunity(untested.id); // an improve request is told by its origin
    request.origin = core::Origin::generator_request;
    CHECK(fix::offer_kind(request, &untested).empty());
    CHECK(fix::is_improve_request(request));
    CHECK_FALSE(fix::is_improve_request(opportunity("improve/llm"))); // a rule id alone says nothing
    CHECK(fix::offer_kind(opportunity("python/gone"), nullptr).empty());
    scan::Rule off = untested;
    off.enabled = false;
    CHECK(fix::offer_kind(opportunity(off.id), &off).empty());
    scan::Rule repo = untested;
    repo.trusted = false;
    CHECK(fix::offer_kind(opportunity(repo.id), &repo).empty());
  }

  SECTION("offered: only with generator.fixer set, and only the kinds in generator.offer") {
    core::Config config;
    CHECK_FALSE(fix::offered(config, opportunity(untested.id), &untested));
    config.generator.fixer = "llm";
    CHECK(fix::offered(config, opportunity(untested.id), &untested));
    CHECK_FALSE(fix::offered(config, opportunity(quality_suggestion.id), &quality_suggestion)); // not in the default
    config.generator.offer = {"complexity"};
    CHECK_FALSE(fix::offered(config, opportunity(untested.id), &untested));
    CHECK(fix::offered(config, opportunity(scan::k_regression_rule), nullptr));
  }
}

TEST_CASE("finding_request", "[fix][generator]") {
  TempRepo repo;
  std::string text;
  for (int i = 1; i <= 60; ++i) text += "x" + std::to_string(i) + " = " + std::to_string(i) + "\n";
  repo.write("pkg/a.py", text);
  const std::string commit = repo.commit();
  const git::Repository r = git::Repository::open(repo.path());
  core::Config config;
  config.test_command = "python3 -m pytest -q";
  const scan::Rule untested = rule("python/untested-function", "test_coverage", "suggest", false);
  auto o = opportunity(untested.id, "pkg/a.py");

  const fix::Request req = fix::finding_request(r, config, commit, o, &untested);
  const auto j = nlohmann::json::parse(fix::to_json(req));

  SECTION("carries what the issue lists: rule, message, explanation, path, range, code, test command") {
    CHECK(j["kind"] == "finding");
    CHECK(j["offer"] == "untested");
    CHECK(j["rule"] == "python/untested-function");
    CHECK(j["message"] == o.message);
    CHECK(j["explanation"] == "why it matters");
    CHECK(j["path"] == "pkg/a.py");
    CHECK(j["language"] == "python");
    CHECK(j["range"]["start_line"] == 20);
    CHECK(j["range"]["end_line"] == 22);
    CHECK(j["test_command"] == "python3 -m pytest -q");
  }

  SECTION("the code is whole lines around the finding, with its first line number") {
    CHECK(j["code"]["start_line"] == 5);
    const std::string code = j["code"]["text"];
    CHECK(code.rfind("x5 = 5\n", 0) == 0);
    CHECK(code.find("x37 = 37\n") != std::string::npos);
    CHECK(code.find("x38 =") == std::string::npos);
    CHECK(code.find("x4 =") == std::string::npos);
  }

  SECTION("it may change the finding's file and, for an untested function, add a test file") {
    CHECK(j["may_modify"] == nlohmann::json::array({"pkg/a.py"}));
    CHECK(j["may_add"] == nlohmann::json(config.scan.test_paths));
    CHECK(req.arguments == std::vector<std::string>{"pkg/a.py"});
    const scan::Rule security = rule("python/pickle-load", "security_fixes", "suggest", false);
    CHECK(fix::finding_request(r, config, commit, opportunity(security.id, "pkg/a.py"), &security).may_add.empty());
  }
}

TEST_CASE("passed_environment", "[fix][generator]") {
  EnvGuard key("AUTOLOOP_TEST_API_KEY", std::string("sk-123"));
  EnvGuard unset("AUTOLOOP_TEST_UNSET", std::nullopt);
  auto env = fix::passed_environment({"AUTOLOOP_TEST_API_KEY", "AUTOLOOP_TEST_UNSET"});
  CHECK(env.size() == 1);
  CHECK(env.at("AUTOLOOP_TEST_API_KEY") == std::optional<std::string>("sk-123"));
}

TEST_CASE("run_generator", "[fix][generator]") {
  TempRepo repo;
  repo.write("src/a.py", "def parse(x):\n    return x\n");
  repo.write("src/b.py", "def other():\n    return 1\n");
  repo.write("tests/test_other.py", "from src.b import other\n");
  const std::string commit = repo.commit();
  const git::Repository r = git::Repository::open(repo.path());
  const auto data_dir = repo.git_dir() / "autoloop";
  std::filesystem::create_directories(data_dir);
  core::FixerConfig fixer;
  fixer.name = "fake";
  fixer.timeout = 20;
  fix::Request request = finding("src/a.py", {"tests/**"});
  request.instruction = "write a test";
  const test_support::TempDir scratch("gen");

  SECTION("stdin holds the JSON request, argv the path, the environment only what pass_env names") {
    const std::string seen = (scratch / "seen").string();
    fixer.command = {script(scratch, "g.sh",
                            "cat >'" + seen + ".stdin'\nprintf '%s\\n' \"$@\" >'" + seen + ".argv'\nenv >'" + seen +
                                ".env'\nprintf 'def test_parse():\\n    assert True\\n' >tests/test_a.py\n")};
    EnvGuard passed("AUTOLOOP_TEST_PASSED", std::string("yes"));
    EnvGuard secret("AUTOLOOP_TEST_SECRET", std::string("hunter2"));
    auto g = fix::run_generator(repo.path(), data_dir, r, commit, fixer, request, {"AUTOLOOP_TEST_PASSED"});
    REQUIRE_FALSE(g.refused);
    REQUIRE(g.files.size() == 1);
    CHECK(g.files[0].path == "tests/test_a.py");
    CHECK(g.files[0].before_blob.empty());
    CHECK(g.files[0].content == "def test_parse():\n    assert True\n");
    CHECK(nlohmann::json::parse(test_support::slurp(seen + ".stdin"))["path"] == "src/a.py");
    CHECK(test_support::slurp(seen + ".argv") == "src/a.py\n");
    const std::string env = test_support::slurp(seen + ".env");
    CHECK(env.find("AUTOLOOP_TEST_PASSED=yes") != std::string::npos);
    CHECK(env.find("hunter2") == std::string::npos);
    CHECK(env.find("AUTOLOOP_INSTRUCTION=write a test") != std::string::npos);
    // Its private worktree is gone; the user's work tree is untouched.
    CHECK_FALSE(std::filesystem::exists(repo.path() / "tests/test_a.py"));
    CHECK(repo.git({"worktree", "list", "--porcelain"}).find("gen-") == std::string::npos);
  }

  SECTION("touching another file is refused before anything is read") {
    fixer.command = {script(scratch, "g.sh", "echo '# x' >>src/b.py\necho '# y' >>src/a.py\n")};
    auto g = fix::run_generator(repo.path(), data_dir, r, commit, fixer, request, {});
    REQUIRE(g.refused);
    CHECK(g.refused->outcome == core::Outcome::destructive);
    CHECK(g.refused->detail.find("src/b.py") != std::string::npos);
    CHECK(g.files.empty());
  }

  SECTION("deleting the file, failing or timing out are refusals with their reason") {
    fixer.command = {script(scratch, "g.sh", "rm src/a.py\n")};
    auto deleted = fix::run_generator(repo.path(), data_dir, r, commit, fixer, request, {});
    REQUIRE(deleted.refused);
    CHECK(deleted.refused->detail.find("deleted src/a.py") != std::string::npos);
    fixer.command = {script(scratch, "g.sh", "echo broken >&2\nexit 3\n")};
    auto failed = fix::run_generator(repo.path(), data_dir, r, commit, fixer, request, {});
    REQUIRE(failed.refused);
    CHECK(failed.refused->detail.find("exited 3: broken") != std::string::npos);
  }
}

TEST_CASE("check_generated", "[fix][generator]") {
  TempRepo repo;
  repo.write("a.py", "def parse(x):\n    return x\n\n\ndef keep():\n    return 1\n");
  const std::string commit = repo.commit();
  const git::Repository r = git::Repository::open(repo.path());
  scan::Engine engine{{}};
  core::Config config;
  const std::string blob = r.entry_at(commit, "a.py")->blob;
  int lines = 0;

  SECTION("a new test file and a change that keeps every function pass, counted together") {
    std::vector<fix::GeneratedFile> files = {
        {"a.py", blob, 0100644, "def parse(x):\n    return x or None\n\n\ndef keep():\n    return 1\n"},
        {"tests/test_a.py", "", 0100644, "from a import parse\n\n\ndef test_parse():\n    assert parse(1) == 1\n"}};
    CHECK_FALSE(fix::check_generated(r, engine, config, commit, files, lines));
    CHECK(lines == 7); // one line replaced (2) and five added
  }

  SECTION("a removed function, a new file that does not parse, too many lines, a moved file") {
    auto removed = fix::check_generated(r, engine, config, commit, {{"a.py", blob, 0100644, "def parse(x):\n    return x\n"}}, lines);
    REQUIRE(removed);
    CHECK(removed->detail.find("`keep`") != std::string::npos);
    auto broken = fix::check_generated(r, engine, config, commit, {{"tests/test_a.py", "", 0100644, "def (:\n"}}, lines);
    REQUIRE(broken);
    CHECK(broken->outcome == core::Outcome::reparse_error);
    config.safety_settings.max_change_size = 1;
    auto large = fix::check_generated(r, engine, config, commit, {{"t.py", "", 0100644, "a = 1\nb = 2\n"}}, lines);
    REQUIRE(large);
    CHECK(large->outcome == core::Outcome::too_large);
    auto moved = fix::check_generated(r, engine, config, commit, {{"a.py", "0000000000000000000000000000000000000001", 0100644, "x"}}, lines);
    REQUIRE(moved);
    CHECK(moved->outcome == core::Outcome::conflict);
  }
}
