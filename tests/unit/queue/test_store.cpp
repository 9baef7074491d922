#include "queue/store.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using queue::Opportunity;
using queue::OpportunityFilter;
using queue::Store;
using queue::UpsertResult;

namespace {

// A fresh directory per test, removed on success and kept (and printed) when a REQUIRE fails.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "autoloop-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
      throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    if (std::uncaught_exceptions() > 0) {
      std::cerr << "test dir kept: " << path << "\n";
      return;
    }
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

Opportunity finding(const std::string& fingerprint, const std::string& path = "src/a.py", int line = 10) {
  Opportunity o;
  o.fingerprint = fingerprint;
  o.rule_id = "py.unused-import";
  o.category = core::Category::code_quality;
  o.severity = "low";
  o.safety = core::Safety::safe;
  o.path = path;
  o.start_line = line;
  o.end_line = line + 1;
  o.start_byte = line * 10;
  o.end_byte = line * 10 + 15;
  o.blob = "blob1";
  o.commit_id = "c1";
  o.message = "unused import";
  o.snippet = "import os";
  return o;
}

// The status spelt `name` (a test's table of names).
core::Status status_named(const std::string& name) {
  auto status = core::parse<core::Status>(name);
  REQUIRE(status);
  return *status;
}

Store::Run run_of(const std::string& kind) {
  Store::Run run;
  run.kind = kind;
  return run;
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string random_bytes(size_t n) {
  std::mt19937 random(42);
  std::string bytes(n, '\0');
  for (auto& c : bytes)
    c = static_cast<char>(random() & 0xff);
  return bytes;
}

// Sets user_version behind the Store's back, as a newer build would.
void set_user_version(const fs::path& db_path, int version) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  const std::string sql = "PRAGMA user_version = " + std::to_string(version);
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

} // namespace

TEST_CASE("Store::open", "[queue]") {
  TempDir tmp;
  const fs::path db_path = tmp.path / "autoloop" / "nested" / "queue.db";

  SECTION("a fresh open creates the directories and the schema at the latest version") {
    Store store = Store::open(db_path);
    CHECK(fs::exists(db_path));
    CHECK(store.schema_version() == Store::latest_schema_version());
    CHECK(Store::latest_schema_version() >= 1);
    CHECK(store.quick_check());
    CHECK(store.count_by_status().empty());
    store.set_state("k", "v"); // a write puts the file in WAL mode
    CHECK(fs::exists(db_path.string() + "-wal"));
  }

  SECTION("reopening is idempotent and keeps the data") {
    {
      Store store = Store::open(db_path);
      Opportunity o = finding("fp1");
      store.upsert_opportunity(o);
    }
    Store again = Store::open(db_path);
    CHECK(again.schema_version() == Store::latest_schema_version());
    CHECK(again.opportunities({}).size() == 1);
    Store third = Store::open(db_path, Store::Check::none);
    CHECK(third.opportunities({}).size() == 1);
  }

  SECTION("a schema newer than this build is refused") {
    { Store::open(db_path); }
    set_user_version(db_path, Store::latest_schema_version() + 1);
    CHECK_THROWS_AS(Store::open(db_path), queue::Error);
  }

  SECTION("a moved Store keeps working") {
    Store first = Store::open(db_path);
    Store second = std::move(first);
    second.set_state("k", "v");
    CHECK(second.state("k") == "v");
    Store third = Store::open(tmp.path / "other.db");
    third = std::move(second);
    CHECK(third.state("k") == "v");
  }
}

TEST_CASE("Store::upsert_opportunity", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");

  Opportunity o = finding("fp1");
  o.first_seen = 1000;
  o.last_seen = 1000;
  o.score = 2.5;
  REQUIRE(store.upsert_opportunity(o) == UpsertResult::inserted);
  REQUIRE(o.id > 0);
  const int64_t id = o.id;

  SECTION("the origin is stored as a field, whatever the rule id") {
    Opportunity o = finding("origin1");
    o.rule_id = "python/anything";
    o.origin = core::Origin::generator_request;
    store.upsert_opportunity(o);
    auto back = store.opportunity(o.id);
    REQUIRE(back);
    CHECK(back->origin == core::Origin::generator_request);
    Opportunity plain = finding("origin2");
    store.upsert_opportunity(plain);
    CHECK(store.opportunity(plain.id)->origin == core::Origin::rule);
  }
  SECTION("an unknown fingerprint is inserted as open") {
    auto stored = store.opportunity(id);
    REQUIRE(stored);
    CHECK(stored->fingerprint == "fp1");
    CHECK(stored->status == core::Status::open);
    CHECK(stored->rule_id == "py.unused-import");
    CHECK(stored->category == core::Category::code_quality);
    CHECK(stored->severity == "low");
    CHECK(stored->safety == core::Safety::safe);
    CHECK(stored->path == "src/a.py");
    CHECK(stored->start_line == 10);
    CHECK(stored->end_line == 11);
    CHECK(stored->start_byte == 100);
    CHECK(stored->end_byte == 115);
    CHECK(stored->blob == "blob1");
    CHECK(stored->commit_id == "c1");
    CHECK(stored->message == "unused import");
    CHECK(stored->snippet == "import os");
    CHECK(stored->score == 2.5);
    CHECK(stored->first_seen == 1000);
    CHECK(stored->last_seen == 1000);
    CHECK(stored->resolved_in.empty());
    CHECK_FALSE(stored->is_new);
  }

  SECTION("timestamps default to now") {
    Opportunity other = finding("fp2");
    store.upsert_opportunity(other);
    CHECK(other.first_seen > 1600000000);
    CHECK(other.last_seen == other.first_seen);
  }

  SECTION("an open one is updated: new location, first_seen kept, is_new sticky") {
    Opportunity seen_new = finding("fp1", "src/a.py", 20);
    seen_new.is_new = true;
    seen_new.last_seen = 2000;
    CHECK(store.upsert_opportunity(seen_new) == UpsertResult::updated);
    CHECK(seen_new.id == id);

    Opportunity seen_again = finding("fp1", "src/a.py", 30);
    seen_again.blob = "blob2";
    seen_again.commit_id = "c3";
    seen_again.message = "still unused";
    seen_again.snippet = "import sys";
    seen_again.score = 7;
    seen_again.is_new = false;
    seen_again.last_seen = 3000;
    CHECK(store.upsert_opportunity(seen_again) == UpsertResult::updated);
    CHECK(seen_again.is_new);
    CHECK(seen_again.first_seen == 1000);

    auto stored = store.opportunity(id);
    REQUIRE(stored);
    CHECK(stored->status == core::Status::open);
    CHECK(stored->start_line == 30);
    CHECK(stored->start_byte == 300);
    CHECK(stored->blob == "blob2");
    CHECK(stored->commit_id == "c3");
    CHECK(stored->message == "still unused");
    CHECK(stored->snippet == "import sys");
    CHECK(stored->score == 7);
    CHECK(stored->first_seen == 1000);
    CHECK(stored->last_seen == 3000);
    CHECK(stored->is_new);
    CHECK(store.opportunities({}).size() == 1);
  }

  SECTION("a stale one seen again is current: updated to open") {
    REQUIRE(store.set_status(id, core::Status::stale));
    Opportunity again = finding("fp1");
    CHECK(store.upsert_opportunity(again) == UpsertResult::updated);
    CHECK(store.opportunity(id)->status == core::Status::open);
  }

  SECTION("a resolved one that comes back is reopened") {
    REQUIRE(store.resolve_absent("src/a.py", {}, "c2") == 1);
    REQUIRE(store.opportunity(id)->status == core::Status::resolved);
    Opportunity back = finding("fp1", "src/a.py", 40);
    back.is_new = true;
    back.last_seen = 4000;
    CHECK(store.upsert_opportunity(back) == UpsertResult::reopened);
    CHECK(back.id == id);
    auto stored = store.opportunity(id);
    CHECK(stored->status == core::Status::open);
    CHECK(stored->resolved_in.empty());
    CHECK(stored->is_new);
    CHECK(stored->start_line == 40);
    CHECK(stored->first_seen == 1000);
    CHECK(stored->last_seen == 4000);
  }

  SECTION("a decided one is kept untouched: rejected fingerprints never come back") {
    for (const char* decided : {"rejected", "suppressed", "accepted", "applied", "failed"}) {
      INFO(decided);
      REQUIRE(store.set_status(id, status_named(decided)));
      Opportunity again = finding("fp1", "src/b.py", 99);
      again.is_new = true;
      CHECK(store.upsert_opportunity(again) == UpsertResult::kept);
      CHECK(again.id == id);
      CHECK(again.status == status_named(decided));
      auto stored = store.opportunity(id);
      CHECK(stored->status == status_named(decided));
      CHECK(stored->path == "src/a.py");
      CHECK(stored->start_line == 10);
      CHECK(stored->last_seen == 1000);
      CHECK_FALSE(stored->is_new);
    }
    CHECK(store.opportunities({}).size() == 1);
  }
}

TEST_CASE("Store::resolve_absent", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");
  std::vector<int64_t> ids;
  for (const char* fp : {"a1", "a2", "a3", "a4"}) {
    Opportunity o = finding(fp, "src/a.py");
    store.upsert_opportunity(o);
    ids.push_back(o.id);
  }
  Opportunity other = finding("b1", "src/b.py");
  store.upsert_opportunity(other);

  SECTION("open and stale rows of the path that are absent become resolved") {
    REQUIRE(store.set_status(ids[2], core::Status::stale));
    REQUIRE(store.set_status(ids[3], core::Status::rejected));
    CHECK(store.resolve_absent("src/a.py", {"a1"}, "c9") == 2);
    CHECK(store.opportunity(ids[0])->status == core::Status::open);
    CHECK(store.opportunity(ids[1])->status == core::Status::resolved);
    CHECK(store.opportunity(ids[1])->resolved_in == "c9");
    CHECK(store.opportunity(ids[2])->status == core::Status::resolved);
    CHECK(store.opportunity(ids[3])->status == core::Status::rejected);
    CHECK(store.opportunity(other.id)->status == core::Status::open);
  }

  SECTION("nothing absent resolves nothing") {
    CHECK(store.resolve_absent("src/a.py", {"a1", "a2", "a3", "a4", "zz"}, "c9") == 0);
    CHECK(store.resolve_absent("src/none.py", {}, "c9") == 0);
    CHECK(store.count_by_status() == std::map<std::string, int64_t>{{"open", 5}});
  }

  SECTION("an already resolved row is not counted again") {
    CHECK(store.resolve_absent("src/a.py", {}, "c9") == 4);
    CHECK(store.resolve_absent("src/a.py", {}, "c10") == 0);
    CHECK(store.opportunity(ids[0])->resolved_in == "c9");
  }
}

TEST_CASE("Store sightings", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");
  auto sightings = [&](int64_t id) {
    std::map<std::string, bool> out;
    for (const auto& s : store.sightings(id)) out[s.commit_id] = s.present;
    return out;
  };
  Opportunity a = finding("a1");
  store.upsert_opportunity(a);

  SECTION("each upsert records the commit it was seen in") {
    Opportunity again = finding("a1");
    again.commit_id = "c2";
    store.upsert_opportunity(again);
    CHECK(sightings(a.id) == std::map<std::string, bool>{{"c1", true}, {"c2", true}});
  }
  SECTION("a finding without a commit (asked for with improve) has none") {
    Opportunity asked = finding("x1");
    asked.commit_id.clear();
    store.upsert_opportunity(asked);
    CHECK(store.sightings(asked.id).empty());
  }
  SECTION("resolve_absent records where it was found gone") {
    CHECK(store.resolve_absent("src/a.py", {}, "c3") == 1);
    CHECK(sightings(a.id) == std::map<std::string, bool>{{"c1", true}, {"c3", false}});
  }
  SECTION("resolve_absent leaves open what another line of history still has") {
    Opportunity b = finding("b1");
    store.upsert_opportunity(b);
    std::vector<int64_t> asked;
    auto elsewhere = [&](int64_t id) {
      asked.push_back(id);
      return id == b.id;
    };
    CHECK(store.resolve_absent("src/a.py", {}, "c3", elsewhere) == 1);
    CHECK(asked.size() == 2);
    CHECK(store.opportunity(a.id)->status == core::Status::resolved);
    CHECK(store.opportunity(b.id)->status == core::Status::open);
    CHECK(store.opportunity(b.id)->resolved_in.empty());
    // Found gone here all the same.
    CHECK(sightings(b.id) == std::map<std::string, bool>{{"c1", true}, {"c3", false}});
  }
  SECTION("a finding seen again at a commit where it was gone: the last word counts") {
    store.record_sighting(a.id, "c5", false);
    store.record_sighting(a.id, "c5", true);
    CHECK(sightings(a.id) == std::map<std::string, bool>{{"c1", true}, {"c5", true}});
  }
  SECTION("a queue from before sightings gets one per row: its commit, and where it was resolved") {
    Opportunity b = finding("b1");
    b.commit_id = "c7";
    store.upsert_opportunity(b);
    store.resolve_absent("src/a.py", {"b1"}, "c8");
    const fs::path db_path = tmp.path / "queue.db";
    {
      sqlite3* db = nullptr;
      REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
      const int rc = sqlite3_exec(db, "DROP TABLE sightings; ALTER TABLE cycles DROP COLUMN interrupted; ALTER TABLE function_metrics DROP COLUMN identity; ALTER TABLE opportunities DROP COLUMN origin; ALTER TABLE verdicts DROP COLUMN bulk; PRAGMA user_version = 3", nullptr, nullptr, nullptr);
      sqlite3_close(db);
      REQUIRE(rc == SQLITE_OK);
    }
    Store migrated = Store::open(db_path);
    CHECK(migrated.schema_version() == Store::latest_schema_version());
    auto of = [&](int64_t id) {
      std::map<std::string, bool> out;
      for (const auto& s : migrated.sightings(id)) out[s.commit_id] = s.present;
      return out;
    };
    CHECK(of(a.id) == std::map<std::string, bool>{{"c1", true}, {"c8", false}});
    CHECK(of(b.id) == std::map<std::string, bool>{{"c7", true}});
  }
}

TEST_CASE("Store::first_scan_time", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");
  CHECK_FALSE(store.first_scan_time());
  store.mark_commit_scanned("c1", 1, 0, 1.0);
  auto first = store.first_scan_time();
  REQUIRE(first);
  CHECK(*first > 1700000000);
  store.mark_commit_scanned("c2", 1, 0, 1.0);
  CHECK(store.first_scan_time() <= *first + 1);
}

TEST_CASE("Store::set_status", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");
  Opportunity o = finding("fp1");
  store.upsert_opportunity(o);

  SECTION("a known status is stored") {
    CHECK(store.set_status(o.id, core::Status::applied));
    CHECK(store.opportunity(o.id)->status == core::Status::applied);
  }
  SECTION("an unknown id is reported as false") { CHECK_FALSE(store.set_status(o.id + 100, core::Status::applied)); }
  SECTION("a status no build writes, found in the file, is refused when read") {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((tmp.path / "queue.db").c_str(), &db) == SQLITE_OK);
    const std::string sql = "UPDATE opportunities SET status = 'bogus' WHERE id = " + std::to_string(o.id);
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
    CHECK_THROWS_AS(store.opportunity(o.id), queue::Error);
  }
}

TEST_CASE("Store::reopen", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");
  std::map<std::string, int64_t> id;
  for (const char* status : {"failed", "stale", "open", "applied", "rejected", "accepted", "resolved", "suppressed"}) {
    Opportunity o = finding(std::string("fp-") + status, std::string("src/") + status + ".py");
    store.upsert_opportunity(o);
    REQUIRE(store.set_status(o.id, status_named(status)));
    id[status] = o.id;
  }
  const int64_t cycle = store.begin_cycle("manual", "main", "");
  store.record_attempt({0, id["failed"], cycle, "", core::Outcome::tests_failed, "exit 1: boom", "main", 1, 0, 0, 0});

  SECTION("failed and stale become open; their attempts stay") {
    auto reopened = store.reopen({id["stale"], id["failed"]});
    CHECK(reopened == std::vector<int64_t>{id["stale"], id["failed"]});
    CHECK(store.opportunity(id["failed"])->status == core::Status::open);
    CHECK(store.opportunity(id["stale"])->status == core::Status::open);
    auto attempts = store.attempts_of(id["failed"]);
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].outcome == core::Outcome::tests_failed);
    CHECK(attempts[0].detail == "exit 1: boom");
  }

  SECTION("any other status, and unknown ids, are left as they are") {
    std::vector<int64_t> others;
    for (const char* status : {"open", "applied", "rejected", "accepted", "resolved", "suppressed"}) others.push_back(id[status]);
    others.push_back(id["failed"] + 1000);
    CHECK(store.reopen(others).empty());
    for (const char* status : {"open", "applied", "rejected", "accepted", "resolved", "suppressed"})
      CHECK(store.opportunity(id[status])->status == status_named(status));
  }

  SECTION("reopened twice: the second time there is nothing to do") {
    CHECK(store.reopen({id["failed"]}).size() == 1);
    CHECK(store.reopen({id["failed"]}).empty());
  }
}

TEST_CASE("Store::end_interrupted_cycle", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");
  const int64_t finished = store.begin_cycle("manual", "main", "");
  store.end_cycle(finished, 2, 1, false, "");
  const int64_t cut = store.begin_cycle("schedule", "main", "abc");
  REQUIRE(store.unfinished_cycles().size() == 1);

  store.end_interrupted_cycle(cut, 0, true, "recovered: interrupted before publishing", "interrupted by SIGINT");
  CHECK(store.unfinished_cycles().empty());
  auto cycles = store.cycles(0);
  REQUIRE(cycles.size() == 2);
  CHECK(cycles[0].id == cut);
  CHECK(cycles[0].state == "done");
  CHECK(cycles[0].interrupted == "interrupted by SIGINT");
  CHECK(cycles[0].detail == "recovered: interrupted before publishing");
  CHECK(cycles[0].rolled_back);
  CHECK(cycles[0].failed == 0);
  CHECK(cycles[0].ended_at >= cycles[0].started_at);
  // A cycle that ran to its end says nothing of an interruption.
  CHECK(cycles[1].interrupted.empty());
  CHECK(cycles[1].applied == 2);
}

TEST_CASE("Store migration 5: cycles of an older queue were not interrupted", "[queue]") {
  TempDir tmp;
  const fs::path db_path = tmp.path / "queue.db";
  {
    Store store = Store::open(db_path);
    store.end_cycle(store.begin_cycle("manual", "main", ""), 1, 0, false, "");
  }
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
    const int rc = sqlite3_exec(db, "ALTER TABLE cycles DROP COLUMN interrupted; ALTER TABLE function_metrics DROP COLUMN identity; ALTER TABLE opportunities DROP COLUMN origin; ALTER TABLE verdicts DROP COLUMN bulk; PRAGMA user_version = 4", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  }
  Store migrated = Store::open(db_path);
  CHECK(migrated.schema_version() == Store::latest_schema_version());
  auto cycles = migrated.cycles(0);
  REQUIRE(cycles.size() == 1);
  CHECK(cycles[0].interrupted.empty());
  CHECK(cycles[0].applied == 1);
}

TEST_CASE("Store migration 6: functions measured before identities are known by their name", "[queue]") {
  TempDir tmp;
  const fs::path db_path = tmp.path / "queue.db";
  {
    Store store = Store::open(db_path);
    store.put_function_metrics({{"c1", "a.py", "run", 3, 9, 4, 7, 1, "A.run/2"}});
  }
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
    const int rc = sqlite3_exec(db, "ALTER TABLE function_metrics DROP COLUMN identity; ALTER TABLE opportunities DROP COLUMN origin; ALTER TABLE verdicts DROP COLUMN bulk; PRAGMA user_version = 5", nullptr,
                                nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  }
  Store migrated = Store::open(db_path);
  CHECK(migrated.schema_version() == Store::latest_schema_version());
  auto old_rows = migrated.function_metrics("c1", "a.py");
  REQUIRE(old_rows.size() == 1);
  CHECK(old_rows[0].identity == "run");
  CHECK(old_rows[0].complexity == 4);
  migrated.put_function_metrics({{"c2", "a.py", "A.run", 3, 9, 5, 7, 1, "A.run/2"}});
  CHECK(migrated.function_metrics("c2", "a.py")[0].identity == "A.run/2");
}

TEST_CASE("Store migration 7: an opportunity's origin is told by its rule id's prefix then", "[queue]") {
  TempDir tmp;
  const fs::path db_path = tmp.path / "queue.db";
  {
    Store store = Store::open(db_path);
    for (const auto& [fingerprint, rule] : std::map<std::string, std::string>{
             {"f1", "py.unused-import"}, {"f2", "improve/llm"}, {"f3", "repo:team/no-print"}}) {
      Opportunity o = finding(fingerprint);
      o.rule_id = rule;
      store.upsert_opportunity(o);
    }
  }
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
    const int rc = sqlite3_exec(db, "ALTER TABLE opportunities DROP COLUMN origin; ALTER TABLE verdicts DROP COLUMN bulk; PRAGMA user_version = 6", nullptr,
                                nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  }
  Store migrated = Store::open(db_path);
  CHECK(migrated.schema_version() == Store::latest_schema_version());
  std::map<std::string, core::Origin> origins;
  for (const auto& o : migrated.opportunities({})) origins[o.rule_id] = o.origin;
  CHECK(origins == std::map<std::string, core::Origin>{{"py.unused-import", core::Origin::rule},
                                                       {"improve/llm", core::Origin::generator_request},
                                                       {"repo:team/no-print", core::Origin::repository_rule}});
}

TEST_CASE("Store::opportunities", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");
  auto add = [&](const std::string& fp, const std::string& path, const std::string& rule, const std::string& category,
                 double score) {
    Opportunity o = finding(fp, path);
    o.rule_id = rule;
    o.category = *core::category_named(category);
    o.score = score;
    store.upsert_opportunity(o);
    return o.id;
  };
  const int64_t a = add("a", "x.py", "r1", "quality", 1);
  const int64_t b = add("b", "x.py", "r2", "security", 5);
  const int64_t c = add("c", "y.py", "r1", "quality", 5);
  const int64_t d = add("d", "y.py", "r2", "performance", 3);
  REQUIRE(store.set_status(d, core::Status::rejected));

  auto ids_of = [](const std::vector<Opportunity>& list) {
    std::vector<int64_t> ids;
    for (const auto& o : list)
      ids.push_back(o.id);
    return ids;
  };

  SECTION("no filter lists everything by score, then id") {
    CHECK(ids_of(store.opportunities({})) == std::vector<int64_t>{b, c, d, a});
  }
  SECTION("each filter narrows the list") {
    OpportunityFilter f;
    f.status = core::Status::open;
    CHECK(ids_of(store.opportunities(f)) == std::vector<int64_t>{b, c, a});
    f.path = "x.py";
    CHECK(ids_of(store.opportunities(f)) == std::vector<int64_t>{b, a});
    f.rule_id = "r1";
    CHECK(ids_of(store.opportunities(f)) == std::vector<int64_t>{a});
    f.category = core::Category::security_fixes;
    CHECK(store.opportunities(f).empty());

    OpportunityFilter by_category;
    by_category.category = core::Category::code_quality;
    CHECK(ids_of(store.opportunities(by_category)) == std::vector<int64_t>{c, a});
  }
  SECTION("limit keeps the best") {
    OpportunityFilter f;
    f.limit = 2;
    CHECK(ids_of(store.opportunities(f)) == std::vector<int64_t>{b, c});
  }
  SECTION("opportunity finds one by id") {
    CHECK(store.opportunity(c)->fingerprint == "c");
    CHECK_FALSE(store.opportunity(12345));
  }
  SECTION("count_by_status counts each status") {
    CHECK(store.count_by_status() == std::map<std::string, int64_t>{{"open", 3}, {"rejected", 1}});
  }
}

TEST_CASE("Store::cached_payload", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");

  SECTION("a payload round-trips per blob and ruleset") {
    CHECK_FALSE(store.cached_payload("b1", "rs1"));
    const std::string payload = std::string("{\"findings\":[]}\0tail", 20);
    store.put_cached_payload("b1", "rs1", payload);
    CHECK(store.cached_payload("b1", "rs1") == payload);
    CHECK_FALSE(store.cached_payload("b1", "rs2"));
    CHECK_FALSE(store.cached_payload("b2", "rs1"));
  }
  SECTION("putting again replaces") {
    store.put_cached_payload("b1", "rs1", "old");
    store.put_cached_payload("b1", "rs1", "new");
    CHECK(store.cached_payload("b1", "rs1") == "new");
  }
}

TEST_CASE("Store::mark_commit_scanned", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");

  SECTION("a commit is scanned once marked, again without error") {
    CHECK_FALSE(store.is_commit_scanned("c1"));
    store.mark_commit_scanned("c1", 10, 3, 12.5);
    CHECK(store.is_commit_scanned("c1"));
    CHECK_FALSE(store.is_commit_scanned("c2"));
    store.mark_commit_scanned("c1", 11, 4, 13.5);
    CHECK(store.is_commit_scanned("c1"));
  }
}

TEST_CASE("Store::put_file_metrics", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");

  SECTION("file metrics are inserted, then replaced") {
    queue::FileMetrics m;
    m.commit_id = "c1";
    m.path = "a.py";
    m.language = "python";
    m.lines = 100;
    m.functions = 4;
    m.complexity_total = 12;
    m.complexity_max = 5;
    m.nesting_max = 3;
    m.debt_markers = 2;
    m.findings_security = 1;
    m.findings_performance = 2;
    m.findings_quality = 3;
    m.findings_tests = 4;
    store.put_file_metrics(m);
    auto stored = store.file_metrics("c1", "a.py");
    REQUIRE(stored);
    CHECK(stored->language == "python");
    CHECK(stored->lines == 100);
    CHECK(stored->functions == 4);
    CHECK(stored->complexity_total == 12);
    CHECK(stored->complexity_max == 5);
    CHECK(stored->nesting_max == 3);
    CHECK(stored->debt_markers == 2);
    CHECK(stored->findings_security == 1);
    CHECK(stored->findings_performance == 2);
    CHECK(stored->findings_quality == 3);
    CHECK(stored->findings_tests == 4);

    m.lines = 120;
    store.put_file_metrics(m);
    CHECK(store.file_metrics("c1", "a.py")->lines == 120);
    CHECK_FALSE(store.file_metrics("c2", "a.py"));
  }
}

TEST_CASE("Store::put_function_metrics", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");

  SECTION("function metrics are upserted and listed by start line") {
    Store::FunctionMetrics f{"c1", "a.py", "g", 20, 30, 2, 11, 1};
    Store::FunctionMetrics e{"c1", "a.py", "f", 1, 10, 3, 10, 2};
    Store::FunctionMetrics other{"c1", "b.py", "f", 1, 10, 3, 10, 2};
    store.put_function_metrics({f, e, other});
    auto listed = store.function_metrics("c1", "a.py");
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].name == "f");
    CHECK(listed[0].end_line == 10);
    CHECK(listed[0].complexity == 3);
    CHECK(listed[0].length == 10);
    CHECK(listed[0].nesting == 2);
    CHECK(listed[1].name == "g");

    f.complexity = 9;
    store.put_function_metrics({f});
    listed = store.function_metrics("c1", "a.py");
    REQUIRE(listed.size() == 2);
    CHECK(listed[1].complexity == 9);
    CHECK(store.function_metrics("c2", "a.py").empty());
  }
}

TEST_CASE("Store::record_run", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");

  SECTION("runs are listed newest first, by kind, with a limit") {
    for (int i = 0; i < 5; ++i) {
      Store::Run run;
      run.kind = i % 2 ? "scan" : "hook";
      run.started_at = 1000.5 + i;
      run.duration_ms = 2.25 * i;
      run.peak_rss_kb = 1000 + i;
      run.commits = i;
      run.files = 10 * i;
      if (i == 4)
        run.error = "boom";
      run.detail = "d" + std::to_string(i);
      store.record_run(run);
    }
    CHECK(store.count_runs("hook") == 3);
    CHECK(store.count_runs("scan") == 2);
    CHECK(store.count_runs("review") == 0);
    CHECK(store.count_runs("") == 5);

    auto hooks = store.runs("hook", 0);
    REQUIRE(hooks.size() == 3);
    CHECK(hooks[0].started_at == 1004.5);
    CHECK(hooks[0].duration_ms == 9);
    CHECK(hooks[0].peak_rss_kb == 1004);
    CHECK(hooks[0].commits == 4);
    CHECK(hooks[0].files == 40);
    CHECK(hooks[0].error == "boom");
    CHECK(hooks[0].detail == "d4");
    CHECK(hooks[1].error.empty());
    CHECK(hooks[2].started_at == 1000.5);

    CHECK(store.runs("hook", 1).size() == 1);
    CHECK(store.runs("", 0).size() == 5);
    CHECK(store.runs("", 2)[0].kind == "hook");
  }

  SECTION("started_at defaults to now") {
    store.record_run(run_of("drain"));
    CHECK(store.runs("drain", 1).at(0).started_at > 1600000000);
  }
}

TEST_CASE("Store::state", "[queue]") {
  TempDir tmp;
  Store store = Store::open(tmp.path / "queue.db");

  SECTION("values are set, replaced and erased") {
    CHECK_FALSE(store.state("last_scanned"));
    store.set_state("last_scanned", "abc");
    CHECK(store.state("last_scanned") == "abc");
    store.set_state("last_scanned", "def");
    CHECK(store.state("last_scanned") == "def");
    store.erase_state("last_scanned");
    CHECK_FALSE(store.state("last_scanned"));
    store.erase_state("never_set");
  }
}

TEST_CASE("Store::begin", "[queue]") {
  TempDir tmp;
  const fs::path db_path = tmp.path / "queue.db";
  Store store = Store::open(db_path);

  SECTION("without commit everything rolls back") {
    {
      auto transaction = store.begin();
      Opportunity o = finding("fp1");
      store.upsert_opportunity(o);
      store.set_state("k", "v");
      store.put_function_metrics({{"c1", "a.py", "f", 1, 2, 1, 2, 0}});
      CHECK(store.opportunities({}).size() == 1); // visible inside the transaction
    }
    CHECK(store.opportunities({}).empty());
    CHECK_FALSE(store.state("k"));
    CHECK(store.function_metrics("c1", "a.py").empty());
  }

  SECTION("a commit keeps everything, also for another connection") {
    {
      auto transaction = store.begin();
      Opportunity o = finding("fp1");
      store.upsert_opportunity(o);
      store.set_state("k", "v");
      transaction.commit();
    }
    CHECK(store.opportunities({}).size() == 1);
    Store other = Store::open(db_path);
    CHECK(other.state("k") == "v");
  }

  SECTION("an exception unwinds to a rollback") {
    try {
      auto transaction = store.begin();
      store.set_state("k", "v");
      throw std::runtime_error("fail");
    } catch (const std::runtime_error&) {
    }
    CHECK_FALSE(store.state("k"));
    // The Store is usable afterwards.
    auto transaction = store.begin();
    store.set_state("k", "w");
    transaction.commit();
    CHECK(store.state("k") == "w");
  }

  SECTION("a moved transaction commits once") {
    auto first = store.begin();
    store.set_state("k", "v");
    auto second = std::move(first);
    second.commit();
    CHECK_THROWS_AS(second.commit(), queue::Error);
    CHECK(store.state("k") == "v");
  }

  SECTION("a nested begin throws, the outer transaction goes on") {
    auto transaction = store.begin();
    CHECK_THROWS_AS(store.begin(), queue::Error);
    store.set_state("k", "v");
    transaction.commit();
    CHECK(store.state("k") == "v");
  }
}

TEST_CASE("Store concurrency", "[queue]") {
  TempDir tmp;
  const fs::path db_path = tmp.path / "queue.db";

  SECTION("two Stores on one file write alternately inside transactions") {
    Store first = Store::open(db_path);
    Store second = Store::open(db_path);
    for (int i = 0; i < 20; ++i) {
      Store& writer = i % 2 ? second : first;
      Store& reader = i % 2 ? first : second;
      auto transaction = writer.begin();
      Opportunity o = finding("fp" + std::to_string(i));
      REQUIRE(writer.upsert_opportunity(o) == UpsertResult::inserted);
      // A reader is not blocked by the writer (WAL) and sees only committed rows.
      CHECK(reader.opportunities({}).size() == static_cast<size_t>(i));
      transaction.commit();
      CHECK(reader.opportunities({}).size() == static_cast<size_t>(i + 1));
    }
  }

  SECTION("threads, each with its own Store, insert all their rows") {
    constexpr int k_threads = 4;
    constexpr int k_rows = 200;
    constexpr int k_batch = 5;
    std::mutex mutex;
    std::vector<std::string> errors;
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
      threads.emplace_back([&, t] {
        try {
          Store store = Store::open(db_path); // concurrent first opens race on creation and migration
          for (int i = 0; i < k_rows; i += k_batch) {
            auto transaction = store.begin();
            for (int j = i; j < i + k_batch; ++j) {
              Opportunity o = finding("t" + std::to_string(t) + "-" + std::to_string(j));
              store.upsert_opportunity(o);
            }
            transaction.commit();
            store.record_run(run_of("scan")); // an autocommit write between transactions
          }
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(mutex);
          errors.push_back(e.what());
        }
      });
    }
    for (auto& thread : threads)
      thread.join();
    CHECK(errors == std::vector<std::string>{});
    Store store = Store::open(db_path);
    CHECK(store.opportunities({}).size() == size_t{k_threads * k_rows});
    CHECK(store.count_runs("scan") == k_threads * k_rows / k_batch);
  }

  SECTION("processes, each with its own Store, insert all their rows") {
    constexpr int k_processes = 3;
    constexpr int k_rows = 150;
    std::vector<pid_t> children;
    std::fflush(nullptr); // children must not print the parent's buffered output again
    for (int p = 0; p < k_processes; ++p) {
      const pid_t pid = ::fork();
      REQUIRE(pid >= 0);
      if (pid == 0) {
        int status = 0;
        try {
          Store store = Store::open(db_path);
          for (int i = 0; i < k_rows; i += 3) {
            auto transaction = store.begin();
            for (int j = i; j < i + 3; ++j) {
              Opportunity o = finding("p" + std::to_string(p) + "-" + std::to_string(j));
              store.upsert_opportunity(o);
            }
            transaction.commit();
          }
        } catch (const std::exception& e) {
          std::cerr << "child " << p << ": " << e.what() << "\n";
          status = 1;
        }
        ::_exit(status);
      }
      children.push_back(pid);
    }
    for (const pid_t pid : children) {
      int status = 0;
      REQUIRE(::waitpid(pid, &status, 0) == pid);
      CHECK(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
    }
    Store store = Store::open(db_path);
    CHECK(store.opportunities({}).size() == size_t{k_processes * k_rows});
  }
}

TEST_CASE("Store::open on a corrupt file", "[queue]") {
  TempDir tmp;
  const fs::path db_path = tmp.path / "queue.db";

  SECTION("random bytes throw CorruptError naming the path") {
    write_bytes(db_path, random_bytes(64 * 1024));
    try {
      Store::open(db_path);
      FAIL("no exception");
    } catch (const queue::CorruptError& e) {
      CHECK(e.path() == db_path);
      CHECK_THAT(e.what(), Catch::Contains(db_path.string()) && Catch::Contains("corrupt"));
    }
    // It is a core::Error for callers that only know that.
    CHECK_THROWS_AS(Store::open(db_path, Store::Check::none), core::Error);
  }

  SECTION("a truncated database throws CorruptError") {
    {
      Store store = Store::open(db_path);
      auto transaction = store.begin();
      for (int i = 0; i < 2000; ++i) {
        Opportunity o = finding("fp" + std::to_string(i));
        o.snippet = std::string(300, 'x');
        store.upsert_opportunity(o);
      }
      transaction.commit();
    } // the last connection checkpoints the WAL into the file and removes it
    REQUIRE_FALSE(fs::exists(db_path.string() + "-wal"));
    const auto size = fs::file_size(db_path);
    REQUIRE(size > 100 * 1024);
    fs::resize_file(db_path, size / 2);
    CHECK_THROWS_AS(Store::open(db_path), queue::CorruptError);
  }

  SECTION("a header cut short throws CorruptError") {
    { Store::open(db_path).set_state("k", "v"); }
    fs::resize_file(db_path, 50);
    CHECK_THROWS_AS(Store::open(db_path), queue::CorruptError);
  }
}

TEST_CASE("Store::open with Check::changed", "[queue]") {
  TempDir tmp;
  const fs::path db_path = tmp.path / "queue.db";
  {
    Store store = Store::open(db_path);
    auto transaction = store.begin();
    for (int i = 0; i < 2000; ++i) {
      Opportunity o = finding("fp" + std::to_string(i));
      o.snippet = std::string(300, 'x');
      store.upsert_opportunity(o);
    }
    transaction.commit();
  } // checkpointed into the file
  const fs::path stamp = tmp.path / ".queue.db.checked";
  // Random bytes over four pages in the middle of the file, as a disk or another program would leave them.
  const auto damage_the_middle = [&] {
    const auto size = fs::file_size(db_path);
    std::fstream f(db_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    const std::string noise = random_bytes(4 * 4096);
    f.write(noise.data(), static_cast<std::streamsize>(noise.size()));
  };

  SECTION("a healthy file is checked once and its stamp kept") {
    REQUIRE_NOTHROW(Store::open(db_path, Store::Check::changed));
    CHECK(fs::exists(stamp));
    REQUIRE_NOTHROW(Store::open(db_path, Store::Check::changed));
  }
  SECTION("random bytes in the middle of the file are found at open, even after a clean check") {
    REQUIRE_NOTHROW(Store::open(db_path, Store::Check::changed));
    damage_the_middle();
    CHECK_THROWS_AS(Store::open(db_path, Store::Check::changed), queue::CorruptError);
  }
  SECTION("our own writes are recorded at close, so the next open does not check them again") {
    const auto read_all = [](const fs::path& p) {
      std::ifstream in(p);
      return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const auto stamp_of_file = [&] {
      struct stat st {};
      REQUIRE(::stat(db_path.c_str(), &st) == 0);
      return std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
             std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino);
    };
    {
      Store store = Store::open(db_path, Store::Check::changed);
      const std::string at_open = read_all(stamp);
      auto transaction = store.begin();
      for (int i = 0; i < 500; ++i) {
        Opportunity o = finding("late" + std::to_string(i));
        store.upsert_opportunity(o);
      }
      transaction.commit();
      CHECK(read_all(stamp) == at_open);
    } // the last connection closes: the WAL is checkpointed into the file, then the file is stamped
    CHECK(read_all(stamp) == stamp_of_file());

    // Damage made by anyone else afterwards changes the file's mtime: still found at the next open.
    damage_the_middle();
    CHECK_THROWS_AS(Store::open(db_path, Store::Check::changed), queue::CorruptError);
  }
  SECTION("a store opened without Check::changed records nothing") {
    { Store store = Store::open(db_path, Store::Check::none); }
    CHECK_FALSE(fs::exists(stamp));
  }
}

TEST_CASE("Store::quarantine", "[queue]") {
  TempDir tmp;
  const fs::path db_path = tmp.path / "queue.db";

  SECTION("the corrupt file and its companions move aside and a new open works") {
    write_bytes(db_path, random_bytes(4096));
    REQUIRE_THROWS_AS(Store::open(db_path), queue::CorruptError);
    // As a crashed process would leave them (the failed open above removed its own).
    write_bytes(db_path.string() + "-wal", "old wal");
    write_bytes(db_path.string() + "-shm", "old shm");

    const fs::path moved = Store::quarantine(db_path);
    CHECK(moved.parent_path() == db_path.parent_path());
    CHECK(moved.filename().string().rfind("queue.db.corrupt-", 0) == 0);
    CHECK(fs::file_size(moved) == 4096);
    CHECK(fs::exists(moved.string() + "-wal"));
    CHECK(fs::exists(moved.string() + "-shm"));
    CHECK_FALSE(fs::exists(db_path));
    CHECK_FALSE(fs::exists(db_path.string() + "-wal"));
    CHECK_FALSE(fs::exists(db_path.string() + "-shm"));

    Store store = Store::open(db_path);
    CHECK(store.schema_version() == Store::latest_schema_version());
    CHECK(store.opportunities({}).empty());
  }

  SECTION("two quarantines in the same second get distinct names") {
    write_bytes(db_path, "garbage 1");
    const fs::path first = Store::quarantine(db_path);
    write_bytes(db_path, "garbage 2");
    const fs::path second = Store::quarantine(db_path);
    CHECK(first != second);
    CHECK(fs::exists(first));
    CHECK(fs::exists(second));
  }

  SECTION("a missing file throws") { CHECK_THROWS_AS(Store::quarantine(db_path), queue::Error); }
}

TEST_CASE("Store::open_findings_by_rule", "[queue]") {
  TempDir dir;
  Store store = Store::open(dir.path / "q.db");
  auto add = [&](const std::string& fp, const std::string& rule, const std::string& commit) {
    Opportunity o = finding(fp);
    o.rule_id = rule;
    o.commit_id = commit;
    store.upsert_opportunity(o);
    return o.id;
  };
  add("a1", "r/a", "c1");
  add("a2", "r/a", "c1");
  add("a3", "r/a", "c2");
  const int64_t stale = add("a4", "r/a", "c2");
  const int64_t gone = add("b1", "r/b", "c1");
  REQUIRE(store.set_status(stale, core::Status::stale));
  REQUIRE(store.set_status(gone, core::Status::resolved));
  auto counts = store.open_findings_by_rule();
  REQUIRE(counts.count("r/a"));
  CHECK(counts.at("r/a").open == 4);               // open and stale
  CHECK(counts.at("r/a").most_in_one_commit == 2); // c1 and c2 found two each
  CHECK_FALSE(counts.count("r/b"));                // resolved findings are not open
}
