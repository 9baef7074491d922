#include "loop/notify.hpp"

#include "../support/loop_context.hpp"
#include "../support/temp_repo.hpp"

#include "loop/context.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using loop::Context;
using nlohmann::json;
using test_support::slurp;
using test_support::open_ctx;
using test_support::TempRepo;

namespace {

queue::Opportunity finding(const std::string& fingerprint, const std::string& path, int line) {
  queue::Opportunity o;
  o.fingerprint = fingerprint;
  o.rule_id = "python/compare-to-none";
  o.category = core::Category::security_fixes;
  o.severity = "error";
  o.safety = core::Safety::safe;
  o.path = path;
  o.start_line = o.end_line = line;
  o.message = "use is";
  return o;
}

// The common fields of every event, as the schema (tests/schemas/notification.schema.json) requires.
void check_envelope(const json& j, const std::string& event, const TempRepo& repo) {
  CHECK(j.at("schema_version") == loop::k_notification_schema_version);
  CHECK(j.at("event") == event);
  CHECK(j.at("repository").get<std::string>().back() != '/');
  CHECK(fs::equivalent(j.at("repository").get<std::string>(), repo.path()));
  CHECK(j.at("branch") == "main");
  CHECK(j.at("time").get<double>() > 1e9);
  CHECK(j.at("reasons").is_array());
}

} // namespace

TEST_CASE("notifications") {
  TempRepo repo("notify");
  repo.write("a.py", "if x == None: pass\n");
  const std::string base = repo.commit("base");
  Context ctx = open_ctx(repo);
  queue::Store& store = ctx.store();
  auto fixed = finding("fp1", "a.py", 1), refused = finding("fp2", "b.py", 7);
  store.upsert_opportunity(fixed);
  store.upsert_opportunity(refused);

  SECTION("cycle: each fix with id, rule, file and commit, the pending count, the refusals as reasons") {
    const int64_t cycle = store.begin_cycle("manual", "main", "");
    store.record_attempt({0, fixed.id, cycle, base, core::Outcome::applied, "", "main", 1, 0, 0, 0});
    store.record_attempt({0, refused.id, cycle, "", core::Outcome::tests_failed, "test_a failed", "main", 1, 0, 0, 0});
    store.end_cycle(cycle, 1, 1, false, "");
    store.set_status(fixed.id, core::Status::applied);
    loop::DrainResult r;
    r.cycle = cycle;
    r.branch = "main";
    r.side_ref = "refs/heads/autoloop/main";
    r.tip = base;
    r.applied = 1;
    r.failed = 1;
    const json j = json::parse(loop::cycle_notification(ctx, r));
    check_envelope(j, "cycle", repo);
    CHECK(j.at("cycle") == cycle);
    CHECK(j.at("pending") == 1);
    REQUIRE(j.at("fixes").size() == 1);
    CHECK(j["fixes"][0] == json({{"id", fixed.id}, {"rule", "python/compare-to-none"}, {"file", "a.py"}, {"line", 1}, {"commit", base}}));
    REQUIRE(j.at("refused").size() == 1);
    CHECK(j["refused"][0].at("outcome") == "tests_failed");
    CHECK(j["refused"][0].at("detail") == "test_a failed");
    REQUIRE(j.at("reasons").size() == 1);
    CHECK(j["reasons"][0] == "#" + std::to_string(refused.id) + " python/compare-to-none b.py:7: tests_failed: test_a failed");
    CHECK(j.at("applied") == 1); // the first notifications' counters stay
    CHECK(j.at("failed") == 1);
  }

  SECTION("a skipped cycle says why") {
    loop::DrainResult r;
    r.skipped = true;
    r.why = "paused: the last cycle was rolled back";
    const json j = json::parse(loop::cycle_notification(ctx, r));
    CHECK(j.at("skipped") == true);
    CHECK(j.at("reasons") == json::array({"paused: the last cycle was rolled back"}));
    CHECK(j.at("fixes").empty());
  }

  SECTION("push_blocked: the categories and the findings that blocked it") {
    fixed.commit_id = base;
    const json j = json::parse(loop::push_blocked_notification(ctx, {"security_fixes"}, {fixed}, 3));
    check_envelope(j, "push_blocked", repo);
    CHECK(j.at("blocking") == json::array({"security_fixes"}));
    CHECK(j.at("commits") == 3);
    REQUIRE(j.at("findings").size() == 1);
    CHECK(j["findings"][0].at("commit") == base);
    CHECK(j["findings"][0].at("category") == "security_fixes");
    CHECK(j.at("reasons") == json::array({"new security_fixes findings (block_push_on)"}));
  }

  SECTION("regression: the regressions and new security findings of the commits; nothing when there are none") {
    CHECK(loop::regression_notification(ctx, {base}).empty());
    store.record_metric_event({base, "regression", "a.py", "run", 4, 12, "complexity of run rose from 4 to 12", 0});
    store.record_metric_event({base, "improvement", "a.py", "other", 12, 4, "complexity of other fell", 0});
    const json j = json::parse(loop::regression_notification(ctx, {base}));
    check_envelope(j, "regression", repo);
    REQUIRE(j.at("changes").size() == 1);
    CHECK(j["changes"][0].at("name") == "run");
    CHECK(j["changes"][0].at("after") == 12);
    CHECK(j.at("reasons") == json::array({base.substr(0, 7) + " a.py: complexity of run rose from 4 to 12"}));
  }

  SECTION("error") {
    const json j = json::parse(loop::error_notification(ctx, "scan", "scan failed: boom"));
    check_envelope(j, "error", repo);
    CHECK(j.at("source") == "scan");
    CHECK(j.at("message") == "scan failed: boom");
    CHECK(j.at("reasons") == json::array({"scan failed: boom"}));
  }
}

TEST_CASE("send_notification") {
  TempRepo repo("notify-send");
  repo.write("a.py", "x = 1\n");
  repo.commit("base");
  test_support::TempDir notes("notify-out");
  const fs::path out = notes.path() / "notification.json";

  SECTION("runs notify_command with the JSON on stdin (local config: trusted)") {
    fs::create_directories(repo.git_dir() / "autoloop");
    std::ofstream(repo.git_dir() / "autoloop" / "config.yml") << "notify_command: cat > '" << out.string() << "'\n";
    Context ctx = open_ctx(repo);
    loop::notify_error(ctx, "scan", "scan failed: boom");
    const json j = json::parse(slurp(out));
    CHECK(j.at("event") == "error");
  }
  SECTION("a notify_command of the tracked .autoloop.yml runs only once trusted") {
    repo.write(".autoloop.yml", "notify_command: cat > '" + out.string() + "'\n");
    Context ctx = open_ctx(repo);
    loop::notify_error(ctx, "scan", "scan failed: boom");
    CHECK_FALSE(fs::exists(out));
  }
}
