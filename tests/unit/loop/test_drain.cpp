#include "loop/drain.hpp"

#include "../support/loop_context.hpp"
#include "../support/temp_repo.hpp"

#include "../support/hostile_prefixes.hpp"
#include "core/error.hpp"
#include "fix/trailers.hpp"
#include "loop/context.hpp"
#include "loop/worker.hpp"

#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using loop::Context;
using test_support::slurp;
using test_support::TempDir;
using test_support::open_ctx;
using test_support::TempRepo;

TEST_CASE("side_branch_ref") {
  core::Config config = core::default_config();

  SECTION("the prefix, then the branch, under refs/heads/") {
    CHECK(loop::side_branch_ref(config, "main") == "refs/heads/autoloop/main");
    CHECK(loop::side_branch_name(config, "feat/x") == "autoloop/feat/x");
    config.side_branch_prefix = "al-";
    CHECK(loop::side_branch_ref(config, "main") == "refs/heads/al-main");
  }

  SECTION("a hostile prefix that got past loading (set in code) is still never used") {
    for (const auto& [prefix, why] : test_support::k_hostile_prefixes) {
      INFO("prefix '" << prefix << "'");
      config.side_branch_prefix = prefix;
      CHECK_THROWS_AS(loop::side_branch_ref(config, "main"), core::Error);
      CHECK_THROWS_AS(loop::side_branch_name(config, "main"), core::Error);
    }
  }

  SECTION("a valid prefix and a valid branch that make an invalid ref together are refused") {
    config.side_branch_prefix = "a@";
    CHECK_THROWS_AS(loop::side_branch_ref(config, "{x"), core::Error);
    config.side_branch_prefix = "x.lo";
    CHECK_THROWS_AS(loop::side_branch_ref(config, "ck/y"), core::Error);
    config.side_branch_prefix = "autoloop/";
    CHECK_THROWS_AS(loop::side_branch_ref(config, ""), core::Error);
  }
}

TEST_CASE("split_failure") {
  SECTION("one line: the head alone") {
    const auto d = loop::split_failure("too_large: 12 lines > 10");
    CHECK(d.head == "too_large: 12 lines > 10");
    CHECK(d.tail.empty());
  }
  SECTION("the first line, then the last non-blank lines of the output") {
    const auto d = loop::split_failure("exit 1: test session starts\na\n\nb\r\nc\nd\ne\n", 3);
    CHECK(d.head == "exit 1: test session starts");
    CHECK(d.tail == std::vector<std::string>{"c", "d", "e"});
  }
}

TEST_CASE("recover") {
  TempRepo repo("recover");
  repo.write("a.txt", "a\n");
  repo.commit();
  Context ctx = open_ctx(repo);
  const fs::path heads = ctx.paths.common_dir / "refs" / "heads";
  TempDir outside("recover-outside");
  outside.write("Cargo.lock", "cargo\n");
  outside.write("sibling/x.lock", "sibling\n");
  outside.write("main.lock", "main\n");
  auto outside_intact = [&] {
    CHECK(slurp(outside / "Cargo.lock") == "cargo\n");
    CHECK(slurp(outside / "sibling" / "x.lock") == "sibling\n");
    CHECK(slurp(outside / "main.lock") == "main\n");
  };
  auto make = [](const fs::path& file) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << "stale\n";
  };

  SECTION("removes the stale locks of side refs, nothing else under refs/heads") {
    make(heads / "autoloop" / "main.lock");
    make(heads / "autoloop" / "feat" / "x.lock");
    make(heads / "autoloop" / "notes.txt");
    make(heads / "other.lock");
    loop::recover(ctx);
    CHECK_FALSE(fs::exists(heads / "autoloop" / "main.lock"));
    CHECK_FALSE(fs::exists(heads / "autoloop" / "feat" / "x.lock"));
    CHECK(fs::exists(heads / "autoloop" / "notes.txt"));
    CHECK(fs::exists(heads / "other.lock"));
    CHECK(fs::exists(heads / "main"));
  }

  SECTION("a prefix without '/' matches names in refs/heads itself") {
    ctx.config.side_branch_prefix = "al-";
    make(heads / "al-main.lock");
    make(heads / "al-feat" / "x.lock");
    make(heads / "alx.lock");
    make(heads / "main.lock");
    loop::recover(ctx);
    CHECK_FALSE(fs::exists(heads / "al-main.lock"));
    CHECK_FALSE(fs::exists(heads / "al-feat" / "x.lock"));
    CHECK(fs::exists(heads / "alx.lock"));
    CHECK(fs::exists(heads / "main.lock"));
  }

  SECTION("refs/heads/<prefix> a symlink to a directory outside: nothing there is touched") {
    fs::create_directory_symlink(outside.path(), heads / "autoloop");
    loop::recover(ctx);
    outside_intact();
    CHECK(fs::is_symlink(heads / "autoloop"));
  }

  SECTION("a symlinked directory or lock file below the prefix is not followed or removed") {
    fs::create_directories(heads / "autoloop");
    fs::create_directory_symlink(outside.path(), heads / "autoloop" / "feat");
    fs::create_symlink(outside / "main.lock", heads / "autoloop" / "main.lock");
    loop::recover(ctx);
    outside_intact();
    CHECK(fs::is_symlink(heads / "autoloop" / "main.lock"));
  }

  SECTION("a hostile prefix set past config loading reaches nothing outside refs/heads") {
    // .git/refs/heads/../../../ is the work tree: a prefix climbing there must not clean it.
    repo.write("Cargo.lock", "tracked\n");
    repo.write("sub/x.lock", "sub\n");
    ctx.config.side_branch_prefix = "../../../";
    loop::recover(ctx);
    CHECK(slurp(repo.path() / "Cargo.lock") == "tracked\n");
    CHECK(slurp(repo.path() / "sub" / "x.lock") == "sub\n");
  }

  SECTION("worktrees/ a symlink to outside: the link goes, what it points to stays") {
    fs::create_directories(ctx.paths.data_dir);
    fs::create_directory_symlink(outside.path(), ctx.paths.layout().worktrees());
    loop::recover(ctx);
    outside_intact();
    CHECK_FALSE(fs::exists(ctx.paths.layout().worktrees()));
  }

  SECTION("without cleanup (the loop is stopped) nothing on disk is removed") {
    make(heads / "autoloop" / "main.lock");
    make(ctx.paths.layout().worktrees() / "test-1-abc" / "file");
    loop::recover(ctx, false);
    CHECK(fs::exists(heads / "autoloop" / "main.lock"));
    CHECK(fs::exists(ctx.paths.layout().worktrees() / "test-1-abc" / "file"));
  }
}

TEST_CASE("recover records the cycles it finishes as interrupted") {
  TempRepo repo;
  repo.write("a.txt", "a\n");
  const std::string head = repo.commit();
  Context ctx = open_ctx(repo);
  queue::Store& store = ctx.store();
  queue::Opportunity o;
  o.fingerprint = "fp";
  o.rule_id = "python/compare-to-none";
  o.path = "a.py";
  store.upsert_opportunity(o);
  const int64_t cycle = store.begin_cycle("manual", "main", "");

  SECTION("a signal: the reason given, the planned fix rolled back and its finding still open") {
    store.record_attempt({0, o.id, cycle, head, core::Outcome::planned, "", "main", 1, 0, 0, 0});
    store.plan_cycle(cycle, head); // the side branch was never moved there
    auto recovered = loop::recover(ctx, false, "interrupted by SIGINT");
    REQUIRE(recovered.size() == 1);
    CHECK(recovered[0].id == cycle);
    CHECK_FALSE(recovered[0].published);
    auto c = store.cycles(1).at(0);
    CHECK(c.state == "done");
    CHECK(c.interrupted == "interrupted by SIGINT");
    CHECK(c.rolled_back);
    CHECK(c.failed == 0);
    CHECK(store.attempts_of(o.id).at(0).outcome == core::Outcome::rolled_back);
    CHECK(store.opportunity(o.id)->status == core::Status::open);
  }

  SECTION("a kill: said so, not \"0 applied, 0 failed\" alone") {
    auto recovered = loop::recover(ctx, false);
    REQUIRE(recovered.size() == 1);
    CHECK_FALSE(store.cycles(1).at(0).interrupted.empty());
    CHECK(loop::recover(ctx, false).empty()); // nothing left the second time
  }
}

TEST_CASE("drain") {
  TempRepo repo("drain");
  repo.write("a.py", "def f(x):\n    if x == None:\n        return 1\n    return 2\n");
  const std::string head = repo.commit("a finding");
  Context ctx = open_ctx(repo);
  loop::scan_now(ctx, {head}, "scan");
  queue::OpportunityFilter open;
  open.status = core::Status::open;
  open.rule_id = "python/compare-to-none";
  const auto found = ctx.store().opportunities(open);
  REQUIRE(found.size() == 1);
  const int64_t id = found.front().id;

  SECTION("a cycle: one fix commit on the side branch, its trailers naming the finding and the gates") {
    const loop::DrainResult r = loop::drain(ctx, {});
    CHECK_FALSE(r.skipped);
    CHECK(r.applied == 1);
    CHECK(r.side_ref == "refs/heads/autoloop/main");
    REQUIRE_FALSE(r.tip.empty());
    CHECK(repo.rev("autoloop/main") == r.tip);
    CHECK(repo.rev("autoloop/main~1") == head);
    const fix::Trailers t = fix::read_trailers(repo.git({"log", "-1", "--format=%B", r.tip}));
    CHECK(t.rule == "python/compare-to-none");
    CHECK(t.rule_source == "builtin");
    CHECK(t.opportunity == id);
    CHECK(t.fingerprint == found.front().fingerprint);
    CHECK(t.generator.empty());
    CHECK(t.validated.rfind("size<=", 0) == 0);
    CHECK(t.validated.find("reparse") != std::string::npos);
    CHECK(ctx.store().opportunity(id)->status == core::Status::applied);
    const auto attempts = ctx.store().attempts_of(id);
    REQUIRE_FALSE(attempts.empty());
    CHECK(attempts.back().outcome == core::Outcome::applied);
    CHECK(attempts.back().side_commit == r.tip);

    SECTION("the next cycle keeps the pending fix's commit as it is") {
      const loop::DrainResult again = loop::drain(ctx, {});
      CHECK(again.applied == 0);
      CHECK(again.kept == 1);
      CHECK(again.tip == r.tip);
    }
  }

  SECTION("max 0: nothing new, the side branch is not created") {
    loop::DrainOptions options;
    options.max = 0;
    const loop::DrainResult r = loop::drain(ctx, options);
    CHECK(r.applied == 0);
    CHECK(repo.git({"branch", "--list", "autoloop/*"}).empty());
    CHECK(ctx.store().opportunity(id)->status == core::Status::open);
    // ... and says why it proposed nothing, here and for `status`.
    REQUIRE(r.idle.size() == 1);
    CHECK(r.idle.front().find("--max is 0") != std::string::npos);
    CHECK(ctx.store().state("idle").value_or("").find("proposed nothing") != std::string::npos);
  }

  SECTION("skipped, said why, nothing written: paused, or a detached HEAD") {
    ctx.store().set_state("paused", "cycle 1: validated-success rate 0% < rollback_threshold 95%");
    loop::DrainResult r = loop::drain(ctx, {});
    CHECK(r.skipped);
    CHECK(r.why.rfind("paused: ", 0) == 0);
    ctx.store().erase_state("paused");
    repo.git({"checkout", "-q", "--detach", "HEAD"});
    r = loop::drain(ctx, {});
    CHECK(r.skipped);
    CHECK(r.why == "HEAD is detached or unborn");
    CHECK(r.next_step == "check out a branch");
    CHECK(repo.git({"branch", "--list", "autoloop/*"}).empty());
  }

  SECTION("a ref of the side branch's name the loop did not make is never overwritten") {
    repo.git({"branch", "autoloop/main", head});
    CHECK_THROWS_AS(loop::drain(ctx, {}), core::Error);
    CHECK(repo.rev("autoloop/main") == head);
  }
}

TEST_CASE("drain with tests") {
  TempRepo repo("drain-tests");
  TempDir trees("drain-trees");
  repo.write("a.py", "def f(x):\n    if x == None:\n        return 1\n    return 2\n");
  const std::string head = repo.commit("a finding");
  Context ctx = open_ctx(repo);
  ctx.config.validation.worktree_dir = trees.path().string();
  loop::scan_now(ctx, {head}, "scan");
  queue::OpportunityFilter open;
  open.rule_id = "python/compare-to-none";
  const auto found = ctx.store().opportunities(open);
  REQUIRE(found.size() == 1);
  const int64_t id = found.front().id;
  // Tests that pass on the base and fail on the fix (it writes `is None`).
  ctx.config.test_command = "! grep -q 'is None' a.py";

  SECTION("one fix the tests refuse is failed; the loop goes on (fewer attempts than rollback_min_attempts)") {
    const loop::DrainResult r = loop::drain(ctx, {});
    CHECK_FALSE(r.rolled_back);
    CHECK_FALSE(r.paused);
    CHECK(r.failed == 1);
    CHECK_FALSE(ctx.store().state("paused"));
    CHECK(ctx.store().opportunity(id)->status == core::Status::failed);
    REQUIRE(loop::recent_refusals(ctx, "main").size() == 1);
    CHECK(loop::recent_refusals(ctx, "main").front().find("tests_failed: exit 1") != std::string::npos);
  }

  SECTION("one refused fix with enough attempts does not pause; a second failure in the window does, after publishing") {
    ctx.config.safety_settings.rollback_min_attempts = 1;
    const loop::DrainResult first = loop::drain(ctx, {});
    CHECK(first.failed == 1);
    CHECK_FALSE(first.paused);
    CHECK_FALSE(ctx.store().state("paused"));
    // Retried, refused again: two failures in the window, over the 1 that 95% of 20 allows.
    ctx.store().set_status(id, core::Status::open);
    const loop::DrainResult r = loop::drain(ctx, {});
    CHECK(r.paused);
    CHECK(r.why.find("2 of the last 2 attempts failed; rollback_threshold 95% allows 1 in rollback_window 20") !=
          std::string::npos);
    CHECK_FALSE(r.rolled_back); // nothing passed to take back; what passes is published (e2e drain.sh)
    CHECK(r.applied == 0);
    CHECK(r.failed == 1);
    CHECK(r.test_runs >= 2); // the batch, the confirming rerun (the base's result is cached)
    CHECK(repo.git({"branch", "--list", "autoloop/*"}).empty());
    CHECK(ctx.store().state("paused"));
    CHECK(ctx.store().opportunity(id)->status == core::Status::failed);
    CHECK(ctx.store().attempts_of(id).back().outcome == core::Outcome::tests_failed);
    // Paused: the next drain says so, and what to run, and does nothing.
    const loop::DrainResult next = loop::drain(ctx, {});
    CHECK(next.skipped);
    CHECK(next.paused);
    CHECK(next.why.rfind("paused: ", 0) == 0);
    CHECK(next.next_step.find("`git autoloop resume`") != std::string::npos);
  }

  SECTION("below no threshold: the refusal is recorded and the cycle publishes what is left (nothing)") {
    ctx.config.safety_settings.rollback_threshold = 0;
    const loop::DrainResult r = loop::drain(ctx, {});
    CHECK_FALSE(r.rolled_back);
    CHECK(r.failed == 1);
    CHECK_FALSE(ctx.store().state("paused"));
    CHECK(ctx.store().opportunity(id)->status == core::Status::failed);
    CHECK(loop::recent_refusals(ctx, "main").size() == 1);
  }

  SECTION("tests that fail on the base block the cycle; no fix is blamed") {
    ctx.config.test_command = "false";
    const loop::DrainResult r = loop::drain(ctx, {});
    CHECK(r.tests_blocked);
    CHECK(r.applied == 0);
    CHECK(r.failed == 0);
    CHECK(ctx.store().opportunity(id)->status == core::Status::open);
    CHECK(ctx.store().attempts_of(id).empty());
  }

  SECTION("tests that pass: the fix is applied and its trailer says the tests ran") {
    ctx.config.test_command = "true";
    const loop::DrainResult r = loop::drain(ctx, {});
    CHECK(r.applied == 1);
    const fix::Trailers t = fix::read_trailers(repo.git({"log", "-1", "--format=%B", r.tip}));
    CHECK(t.validated.find(", tests") != std::string::npos);
  }
}
