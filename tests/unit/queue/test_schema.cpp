#include "../support/temp_repo.hpp"

#include "queue/schema.hpp"
#include "queue/store.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using queue::Store;
using test_support::TempDir;
namespace db = queue::db;
namespace schema = queue::schema;

namespace {

const fs::path k_source_dir = AUTOLOOP_SOURCE_DIR;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// sqlite_master in rowid order, in the format of tests/unit/queue/data/make_schema_history.py: a line
// "--- <type> <name> <table>" per entry, then its SQL when it has one.
std::string schema_dump(const db::Connection& db) {
  db::Statement q = db.query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid");
  std::string dump;
  while (q.next()) {
    dump += "--- " + q.text(0) + " " + q.text(1) + " " + q.text(2) + "\n";
    if (!q.is_null(3))
      dump += q.text(3) + "\n";
  }
  return dump;
}

// tests/unit/queue/data/schema_history.txt: the schema after each migration, as git-autoloop made it
// before its migrations moved to src/queue/schema/*.sql. Version -> dump.
std::map<int, std::string> schema_history() {
  std::istringstream in(read_file(k_source_dir / "tests/unit/queue/data/schema_history.txt"));
  std::map<int, std::string> history;
  std::string line;
  std::string* current = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("=== version ", 0) == 0)
      current = &history[std::stoi(line.substr(12))];
    else if (current)
      *current += line + "\n";
  }
  return history;
}

// The entries of a dump: (header line, SQL).
std::vector<std::pair<std::string, std::string>> dump_entries(const std::string& dump) {
  std::vector<std::pair<std::string, std::string>> entries;
  std::istringstream in(dump);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("--- ", 0) == 0)
      entries.emplace_back(line, "");
    else
      entries.back().second += (entries.back().second.empty() ? "" : "\n") + line;
  }
  return entries;
}

// A database as an older build left it at `version`: the CREATE statements of the history, in order.
void create_at_version(db::Connection& db, const std::string& dump, int version) {
  for (const auto& [header, sql] : dump_entries(dump))
    if (!sql.empty())
      db.exec(sql);
  db.exec("PRAGMA user_version = " + std::to_string(version));
}

} // namespace

TEST_CASE("schema::migrations", "[queue][schema]") {
  const auto& migrations = schema::migrations();

  SECTION("one per file of src/queue/schema, numbered from 1 without gaps, the file's text as it is") {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(k_source_dir / "src/queue/schema"))
      if (entry.path().extension() == ".sql")
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE(migrations.size() == files.size());
    CHECK(schema::latest_version() == static_cast<int>(files.size()));
    for (size_t i = 0; i < files.size(); ++i) {
      std::string prefix = std::to_string(i + 1) + "_";
      prefix.insert(0, 4 - prefix.size(), '0'); // "7_" -> "007_"
      CHECK(migrations[i].version == static_cast<int>(i + 1));
      CHECK(files[i].filename().string() == prefix + std::string(migrations[i].name) + ".sql");
      CHECK(std::string(migrations[i].sql) == read_file(files[i]));
    }
  }
}

TEST_CASE("schema::migrate", "[queue][schema]") {
  TempDir tmp;
  const std::map<int, std::string> history = schema_history();
  REQUIRE(history.size() == 8);
  REQUIRE(history.rbegin()->first == 8);
  REQUIRE(schema::latest_version() >= 8);

  SECTION("each migration leaves the schema exactly as the migrations before src/queue/schema/ did") {
    for (const auto& [version, expected] : history) {
      db::Connection db = db::Connection::open(tmp / ("v" + std::to_string(version) + ".db"));
      schema::migrate(db, version);
      CHECK(schema::version_of(db) == version);
      CHECK(schema_dump(db) == expected);
    }
  }

  SECTION("a database an older build left at any version migrates to the same schema as before") {
    for (const auto& [version, dump] : history) {
      db::Connection db = db::Connection::open(tmp / ("old" + std::to_string(version) + ".db"));
      create_at_version(db, dump, version);
      REQUIRE(schema_dump(db) == dump); // the copy is faithful
      schema::migrate(db, 8);
      CHECK(schema::version_of(db) == 8);
      CHECK(schema_dump(db) == history.at(8));
    }
  }

  SECTION("Store::open migrates a fresh file and an old one to the same schema") {
    const std::string fresh = [&] {
      Store::open(tmp / "fresh.db");
      return schema_dump(db::Connection::open(tmp / "fresh.db"));
    }();
    {
      db::Connection old = db::Connection::open(tmp / "old.db");
      create_at_version(old, history.at(1), 1);
    }
    Store migrated = Store::open(tmp / "old.db");
    CHECK(migrated.schema_version() == schema::latest_version());
    CHECK(schema_dump(db::Connection::open(tmp / "old.db")) == fresh);
  }

  SECTION("rows an older build left without a category or a safety read as what they meant then") {
    {
      db::Connection old = db::Connection::open(tmp / "kinds.db");
      create_at_version(old, history.at(8), 8);
      old.exec("INSERT INTO opportunities (fingerprint, rule_id, path, first_seen, last_seen, origin) VALUES "
               "('a', 'py/x', 'a.py', 1, 1, 'rule'), ('b', 'ruff/F401', 'b.py', 1, 1, 'provider')");
      old.exec("INSERT INTO opportunities (fingerprint, rule_id, category, safety, path, first_seen, last_seen) "
               "VALUES ('c', 'py/y', 'security_fixes', 'unsafe', 'c.py', 1, 1)");
    }
    Store store = Store::open(tmp / "kinds.db");
    std::map<std::string, std::pair<core::Category, core::Safety>> read;
    for (const auto& o : store.opportunities({})) read[o.fingerprint] = {o.category, o.safety};
    CHECK(read.at("a") == std::make_pair(core::Category::code_quality, core::Safety::safe));
    CHECK(read.at("b") == std::make_pair(core::Category::code_quality, core::Safety::suggest));
    CHECK(read.at("c") == std::make_pair(core::Category::security_fixes, core::Safety::unsafe)); // known names kept
  }

  SECTION("a file newer than this build is refused, naming both versions") {
    db::Connection db = db::Connection::open(tmp / "new.db");
    const int newer = schema::latest_version() + 1;
    db.exec("PRAGMA user_version = " + std::to_string(newer));
    CHECK_THROWS_WITH(schema::migrate(db), Catch::Contains("the queue schema is version " + std::to_string(newer)) &&
                                               Catch::Contains("upgrade git-autoloop"));
    CHECK(schema::version_of(db) == newer);
  }
}
