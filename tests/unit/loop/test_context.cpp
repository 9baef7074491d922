#include "loop/context.hpp"

#include "../support/loop_context.hpp"
#include "../support/temp_repo.hpp"

#include "core/error.hpp"
#include "safety/trust.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using loop::Context;
using loop::OpenOptions;
using test_support::EnvGuard;
using test_support::TempDir;
using test_support::open_ctx;
using test_support::TempRepo;

namespace {

const scan::Rule* find_rule(const std::vector<scan::Rule>& rules, const std::string& id) {
  for (const auto& r : rules)
    if (r.id == id) return &r;
  return nullptr;
}

} // namespace

TEST_CASE("Context::open") {
  TempRepo repo("context");
  repo.write("a.txt", "a\n");
  repo.commit();

  SECTION("finds the repository and puts the data dir under the common git dir") {
    Context ctx = open_ctx(repo);
    CHECK(fs::equivalent(ctx.paths.git_dir, repo.git_dir()));
    CHECK(fs::equivalent(ctx.paths.common_dir, repo.git_dir()));
    REQUIRE(ctx.paths.work_tree);
    CHECK(fs::equivalent(*ctx.paths.work_tree, repo.path()));
    CHECK(ctx.paths.data_dir == ctx.paths.common_dir / "autoloop");
    CHECK(ctx.paths.db() == ctx.paths.data_dir / "queue.db");
    CHECK(ctx.config.autonomous_loop.enabled);
    CHECK(ctx.config.scan.threads == core::default_config().scan.threads);
  }

  SECTION("a linked worktree shares the main repository's data dir") {
    repo.git({"worktree", "add", "-q", (repo.path() / "wt").string(), "-b", "wt-branch"});
    OpenOptions o;
    o.git_dir = repo.path() / "wt";
    Context ctx = Context::open(o);
    CHECK(fs::equivalent(ctx.paths.common_dir, repo.git_dir()));
    CHECK_FALSE(fs::equivalent(ctx.paths.git_dir, repo.git_dir()));
    CHECK(ctx.paths.data_dir == ctx.paths.common_dir / "autoloop");
  }

  SECTION("a malformed .autoloop.yml throws LocatedError with the file and line") {
    repo.write(".autoloop.yml", "autonomous_loop:\n  enabled: true\n  bogus_key: 3\n");
    try {
      open_ctx(repo);
      FAIL("no LocatedError");
    } catch (const core::LocatedError& e) {
      CHECK(fs::path(e.file()).filename() == ".autoloop.yml");
      CHECK(e.line() == 3);
      CHECK(e.column() == 3);
      CHECK_THAT(e.what(), Catch::Contains("bogus_key"));
    }
  }

  SECTION("YAML that does not parse is a LocatedError too") {
    repo.write(".autoloop.yml", "scan:\n  threads: [1, 2\n");
    CHECK_THROWS_AS(open_ctx(repo), core::LocatedError);
  }

  SECTION("load_config=false ignores a malformed file and keeps the defaults") {
    repo.write(".autoloop.yml", "nonsense: [\n");
    OpenOptions o;
    o.git_dir = repo.git_dir();
    o.load_config = false;
    Context ctx = Context::open(o);
    CHECK(ctx.config.scan.threads == core::default_config().scan.threads);
  }

  SECTION("layers: repo file, then local file, then overrides") {
    repo.write(".autoloop.yml", "scan:\n  threads: 3\n  max_file_size: 1000\n");
    fs::create_directories(repo.git_dir() / "autoloop");
    std::ofstream(repo.git_dir() / "autoloop" / "config.yml") << "scan:\n  threads: 5\n";
    Context ctx = open_ctx(repo, {"scan.max_file_size=2000"});
    CHECK(ctx.config.scan.threads == 5);
    CHECK(ctx.config.scan.max_file_size == 2000);
  }

  SECTION("outside a repository: git::Error") {
    test_support::TempDir plain("context");
    OpenOptions o;
    o.git_dir = plain.path();
    CHECK_THROWS_AS(Context::open(o), git::Error);
  }
}

TEST_CASE("Context::stopped") {
  TempRepo repo("context");
  EnvGuard no_switch("AUTOLOOP", std::nullopt);

  SECTION("running by default") { CHECK_FALSE(open_ctx(repo).stopped()); }

  SECTION("the STOP file stops it, and removing it resumes") {
    Context ctx = open_ctx(repo);
    fs::create_directories(ctx.paths.data_dir);
    std::ofstream(ctx.paths.stop_file()) << "stopped\n";
    auto why = ctx.stopped();
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains(ctx.paths.stop_file().string()));
    fs::remove(ctx.paths.stop_file());
    CHECK_FALSE(ctx.stopped());
  }

  SECTION("AUTOLOOP=0 in the environment stops it; other values do not") {
    Context ctx = open_ctx(repo);
    {
      EnvGuard off("AUTOLOOP", std::string("0"));
      auto why = ctx.stopped();
      REQUIRE(why);
      CHECK_THAT(*why, Catch::Contains("AUTOLOOP=0"));
    }
    CHECK_FALSE(ctx.stopped());
    EnvGuard on("AUTOLOOP", std::string("1"));
    CHECK_FALSE(ctx.stopped());
  }

  SECTION("autonomous_loop.enabled: false stops it") {
    auto why = open_ctx(repo, {"autonomous_loop.enabled=false"}).stopped();
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("enabled"));
  }
}

TEST_CASE("Context::store") {
  TempRepo repo("context");

  SECTION("opens (creating) the queue once and returns the same store") {
    Context ctx = open_ctx(repo);
    queue::Store& a = ctx.store();
    queue::Store& b = ctx.store();
    CHECK(&a == &b);
    CHECK(fs::exists(ctx.paths.db()));
    CHECK_FALSE(ctx.quarantined());
  }

  SECTION("a corrupt queue.db is moved aside and a fresh one is created") {
    Context ctx = open_ctx(repo);
    fs::create_directories(ctx.paths.data_dir);
    std::string garbage;
    while (garbage.size() < 16384) garbage += "this is not an SQLite database. ";
    std::ofstream(ctx.paths.db(), std::ios::binary) << garbage;

    queue::Store* store = nullptr;
    REQUIRE_NOTHROW(store = &ctx.store());
    REQUIRE(ctx.quarantined());
    const fs::path moved = *ctx.quarantined();
    CHECK(moved != ctx.paths.db());
    CHECK(moved.parent_path() == ctx.paths.data_dir);
    CHECK(test_support::slurp(moved) == garbage); // nothing lost
    CHECK(store->quick_check());
    CHECK(store->state("rebuild_needed") == std::optional<std::string>(moved.string()));
    store->set_state("k", "v");
    CHECK(store->state("k") == std::optional<std::string>("v"));
    // The user hears about it through last-error (the worker has no terminal).
    REQUIRE(fs::exists(ctx.paths.last_error()));
    CHECK_THAT(test_support::slurp(ctx.paths.last_error()), Catch::Contains(moved.string()));
  }

  SECTION("a later Context opens the fresh queue without quarantining again") {
    {
      Context ctx = open_ctx(repo);
      fs::create_directories(ctx.paths.data_dir);
      std::ofstream(ctx.paths.db(), std::ios::binary) << std::string(8192, 'x');
      ctx.store();
      REQUIRE(ctx.quarantined());
    }
    Context again = open_ctx(repo);
    again.store();
    CHECK_FALSE(again.quarantined());
    size_t aside = 0;
    for (const auto& e : fs::directory_iterator(again.paths.data_dir))
      if (e.path().filename().string().find("corrupt") != std::string::npos) ++aside;
    CHECK(aside == 1);
  }
}

TEST_CASE("Context::store checks the queue when it changed") {
  TempRepo repo("context");
  // A queue with enough rows that the middle of the file holds table pages.
  auto populate = [&](Context& ctx) {
    auto txn = ctx.store().begin();
    for (int i = 0; i < 1500; ++i) {
      queue::Opportunity o;
      o.fingerprint = "fp" + std::to_string(i);
      o.rule_id = "t/rule";
      o.path = "a.py";
      o.snippet = std::string(200, 'x');
      ctx.store().upsert_opportunity(o);
    }
    txn.commit();
  };
  auto damage_middle = [](const fs::path& db) {
    const auto size = fs::file_size(db);
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.write(std::string(4 * 4096, '\x5a').data(), 4 * 4096);
  };
  {
    Context ctx = open_ctx(repo);
    populate(ctx);
  } // checkpointed into the file

  SECTION("bytes damaged in the middle are found at open, by any command") {
    Context first = open_ctx(repo);
    first.store();
    REQUIRE_FALSE(first.quarantined());
    damage_middle(first.paths.db());
    Context ctx = open_ctx(repo);
    ctx.store();
    CHECK(ctx.quarantined());
  }
  SECTION("the worker leaves the open-time check to the commands") {
    damage_middle(open_ctx(repo).paths.db());
    OpenOptions o;
    o.git_dir = repo.git_dir();
    o.check_queue = false;
    Context worker = Context::open(o);
    worker.store();
    CHECK_FALSE(worker.quarantined());
  }
}

TEST_CASE("set_aside_corrupt_queue") {
  TempRepo repo("context");
  loop::Paths paths;
  {
    Context ctx = open_ctx(repo);
    ctx.store().set_state("k", "v");
    paths = ctx.paths;
  } // no connection left open on the file
  const fs::path moved = loop::set_aside_corrupt_queue(paths, queue::CorruptError(11, paths.db(), "test"), nullptr);
  CHECK(fs::exists(moved));
  queue::Store fresh = queue::Store::open(paths.db());
  CHECK_FALSE(fresh.state("k"));
  CHECK(fresh.state("rebuild_needed") == std::optional<std::string>(moved.string()));
  REQUIRE(fs::exists(paths.last_error()));
  CHECK_THAT(test_support::slurp(paths.last_error()), Catch::Contains(moved.string()));
}

TEST_CASE("Context::rules") {
  TempRepo repo("context");

  SECTION("the built-in rules, all enabled by default") {
    auto rules = open_ctx(repo).rules();
    CHECK(rules.size() == scan::builtin_rules().size());
    REQUIRE(find_rule(rules, "python/eval-exec"));
  }

  SECTION("repository rules are added as repo:<id>, never replacing a built-in; config switches apply") {
    repo.write(".autoloop/rules/python/eval-exec.yml",
               "id: python/eval-exec\nlanguage: python\ncategory: security_fixes\nmessage: repo version\n"
               "query: \"(call) @match\"\n");
    repo.write(".autoloop/rules/python/local.yml",
               "id: local/rule\nlanguage: python\ncategory: code_quality\nmessage: m\nquery: \"(call) @match\"\n");
    auto rules = open_ctx(repo, {"rules.disable=[python/bare-except]", "rules.severity.repo:local/rule=error"}).rules();
    REQUIRE(find_rule(rules, "python/eval-exec"));
    CHECK(find_rule(rules, "python/eval-exec")->message != "repo version");
    CHECK(find_rule(rules, "python/eval-exec")->origin == scan::RuleOrigin::builtin);
    REQUIRE(find_rule(rules, "repo:python/eval-exec"));
    const scan::Rule& shadow = *find_rule(rules, "repo:python/eval-exec");
    CHECK(shadow.message == "repo version");
    CHECK(shadow.origin == scan::RuleOrigin::repository);
    CHECK(shadow.file == ".autoloop/rules/python/eval-exec.yml");
    REQUIRE(find_rule(rules, "repo:local/rule"));
    CHECK(find_rule(rules, "repo:local/rule")->severity == "error");
    CHECK_FALSE(find_rule(rules, "local/rule"));
    REQUIRE(find_rule(rules, "python/bare-except"));
    CHECK_FALSE(find_rule(rules, "python/bare-except")->enabled);
  }

  SECTION("the project's linter configs at HEAD turn equivalents off; rules.enable and the switch win") {
    repo.write(".clang-tidy", "Checks: '*,-modernize-use-nullptr'\n");
    repo.write("ruff.toml", "[lint]\nignore = [\"E7\"]\n");
    CHECK(find_rule(open_ctx(repo).rules(), "cpp/null-to-nullptr")->enabled); // not committed yet: HEAD decides
    repo.commit("linter configs");
    auto rules = open_ctx(repo).rules();
    CHECK_FALSE(find_rule(rules, "cpp/null-to-nullptr")->enabled);
    CHECK(find_rule(rules, "cpp/null-to-nullptr")->off_reason ==
          "the project's .clang-tidy turns off modernize-use-nullptr (line 1)");
    CHECK_FALSE(find_rule(rules, "python/compare-to-none")->enabled);
    CHECK_FALSE(find_rule(rules, "python/type-comparison")->enabled); // E721, by the same prefix
    CHECK(find_rule(rules, "python/mutable-default-argument")->enabled);
    CHECK(find_rule(open_ctx(repo, {"rules.enable=[cpp/null-to-nullptr]"}).rules(), "cpp/null-to-nullptr")->enabled);
    auto ignored = open_ctx(repo, {"rules.follow_project_linters=false"}).rules();
    CHECK(find_rule(ignored, "cpp/null-to-nullptr")->enabled);
    CHECK(find_rule(ignored, "cpp/null-to-nullptr")->off_reason.empty());
  }

  SECTION("repository rules are trusted only while the trust file records their directory's content") {
    repo.write(".autoloop/rules/r.yml", "id: t/r\nlanguage: python\ncategory: code_quality\nmessage: m\nquery: \"(call) @match\"\n");
    Context ctx = open_ctx(repo);
    CHECK_FALSE(find_rule(ctx.rules(), "repo:t/r")->trusted);
    auto dir = ctx.repository_rules();
    REQUIRE(dir.dir);
    CHECK(dir.display == ".autoloop/rules");
    CHECK(dir.files.size() == 1);
    CHECK_FALSE(dir.trusted);
    safety::trust(ctx.paths.repo_config(), dir.digest, dir.display, ctx.paths.data_dir / "trust");
    CHECK(ctx.repository_rules().trusted);
    CHECK(find_rule(ctx.rules(), "repo:t/r")->trusted);
    // A new file (even one that is not a rule of its own) revokes it; so does an edit.
    repo.write(".autoloop/rules/r.scm", "(string) @match\n");
    CHECK_FALSE(find_rule(ctx.rules(), "repo:t/r")->trusted);
    fs::remove(repo.path() / ".autoloop/rules/r.scm");
    CHECK(find_rule(ctx.rules(), "repo:t/r")->trusted);
    repo.write(".autoloop/rules/r.yml", "id: t/r\nlanguage: python\ncategory: code_quality\nmessage: m2\nquery: \"(call) @match\"\n");
    CHECK_FALSE(find_rule(ctx.rules(), "repo:t/r")->trusted);
    // Built-ins are trusted whatever the trust file says.
    CHECK(find_rule(ctx.rules(), "python/eval-exec")->trusted);
  }

  SECTION("local rules: .git/autoloop/rules/, trusted, may replace a built-in; a rules.directory is never outside") {
    repo.write(".git/autoloop/rules/eval.yml", "id: python/eval-exec\nlanguage: python\ncategory: security_fixes\n"
                                               "message: my version\nquery: \"(call) @match\"\n");
    auto rules = open_ctx(repo).rules();
    REQUIRE(find_rule(rules, "python/eval-exec"));
    CHECK(find_rule(rules, "python/eval-exec")->message == "my version");
    CHECK(find_rule(rules, "python/eval-exec")->origin == scan::RuleOrigin::local);
    CHECK(find_rule(rules, "python/eval-exec")->trusted);
    TempDir mine("my-rules");
    CHECK_THROWS_WITH(open_ctx(repo, {"rules.directory=" + mine.path().string()}), Catch::Contains("not absolute"));

    repo.write(".git/autoloop/rules/x.yml", "id: mine/x\nlanguage: python\ncategory: code_quality\nmessage: m\nquery: \"(call) @match\"\n");
    REQUIRE(find_rule(open_ctx(repo).rules(), "mine/x"));
    CHECK(find_rule(open_ctx(repo).rules(), "mine/x")->origin == scan::RuleOrigin::local);
  }

  SECTION("a rules.directory stays the repository's, whoever set it") {
    repo.write("myrules/r.yml", "id: t/r\nlanguage: python\ncategory: code_quality\nmessage: m\nquery: \"(call) @match\"\n");
    auto rules = open_ctx(repo, {"rules.directory=myrules"}).rules();
    REQUIRE(find_rule(rules, "repo:t/r"));
    CHECK_FALSE(find_rule(rules, "repo:t/r")->trusted);
    repo.write(".autoloop.yml", "rules: {directory: myrules}\n");
    auto from_tracked = open_ctx(repo).rules();
    REQUIRE(find_rule(from_tracked, "repo:t/r"));
    CHECK_FALSE(find_rule(from_tracked, "repo:t/r")->trusted);
  }

  SECTION("a malformed repository rule is off and says why (file:line), the others stay") {
    repo.write(".autoloop/rules/bad.yml", "id: x/bad\nlanguage: klingon\n");
    repo.write(".autoloop/rules/query.yml",
               "id: x/query\nlanguage: python\ncategory: code_quality\nmessage: m\nquery: \"(no_such_kind) @match\"\n");
    auto rules = open_ctx(repo).rules();
    const scan::Rule* bad = find_rule(rules, "repo:x/bad");
    REQUIRE(bad);
    CHECK_FALSE(bad->enabled);
    CHECK_THAT(bad->broken, Catch::Contains("bad.yml:2:"));
    const scan::Rule* query = find_rule(rules, "repo:x/query");
    REQUIRE(query);
    CHECK_FALSE(query->enabled);
    CHECK_THAT(query->broken, Catch::Contains("unknown node type in query 'no_such_kind'"));
    CHECK(find_rule(rules, "python/compare-to-none"));
    CHECK(find_rule(rules, "python/compare-to-none")->enabled);
  }
}

TEST_CASE("Context::hooks_dir") {
  TempRepo repo("context");

  SECTION("the repository's hooks directory by default") {
    CHECK(open_ctx(repo).hooks_dir() == (repo.git_dir() / "hooks").lexically_normal());
  }

  SECTION("honours core.hooksPath") {
    repo.git({"config", "core.hooksPath", (repo.path() / "my-hooks").string()});
    CHECK(open_ctx(repo).hooks_dir() == (repo.path() / "my-hooks").lexically_normal());
  }
}

TEST_CASE("Context::rules: rule ids the configuration names must exist") {
  TempRepo repo("context-rule-ids");

  SECTION("a typo in .autoloop.yml is an error at its line and column, with the rule meant") {
    repo.write(".autoloop.yml", "rules:\n  disable:\n    - python/bare-except\n    - python/compare-to-nune\n");
    Context ctx = open_ctx(repo); // the file itself is well-formed
    try {
      (void)ctx.rules();
      FAIL("no error");
    } catch (const core::LocatedError& e) {
      CHECK(fs::path(e.file()).filename() == ".autoloop.yml");
      CHECK(e.line() == 4);
      CHECK(e.column() == 7);
      CHECK_THAT(std::string(e.what()), Catch::EndsWith("rules.disable: unknown rule id 'python/compare-to-nune' "
                                           "(did you mean 'python/compare-to-none'?)"));
    }
  }
  SECTION("the repository's rules add valid ids") {
    repo.write(".autoloop/rules/python/no-print.yml",
               "id: team/no-print\nlanguage: python\ncategory: code_quality\nmessage: m\nquery: \"(call) @match\"\n");
    CHECK_NOTHROW(open_ctx(repo, {"rules.severity.repo:team/no-print=error"}).rules());
    CHECK_THROWS_WITH(open_ctx(repo, {"rules.disable=[team/no-print]"}).rules(),
                      Catch::Contains("did you mean 'repo:team/no-print'?"));
  }
  SECTION("a broken rule's id is known; an id none has names the broken files") {
    repo.write(".autoloop/rules/python/bad.yml", "id: team/bad\nlanguage: python\ncategory: [\n");
    CHECK_NOTHROW(open_ctx(repo, {"rules.enable=[repo:team/bad]"}).rules());
    CHECK_THROWS_WITH(open_ctx(repo, {"rules.enable=[repo:team/other-thing]"}).rules(),
                      Catch::Contains("a rule file is broken and may be the one meant"));
  }
  SECTION("from the environment or the command line, the error names it") {
    CHECK_THROWS_WITH(open_ctx(repo, {"rules.severity.python/nope=error"}).rules(),
                      Catch::StartsWith("-c (command line): rules.severity: unknown rule id 'python/nope'"));
    EnvGuard env("AUTOLOOP_RULES__ENABLE", "[python/bare-exept]");
    CHECK_THROWS_WITH(open_ctx(repo).rules(), Catch::StartsWith("environment variable AUTOLOOP_RULES__ENABLE: rules.enable: "
                                                                "unknown rule id 'python/bare-exept' (did you mean 'python/bare-except'?)"));
  }
}
