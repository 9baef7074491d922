#include "../support/temp_repo.hpp"

#include "queue/row.hpp"

#include <cstdint>
#include <string>

using test_support::TempDir;
namespace db = queue::db;

namespace {

// A record of every kind of member a RowMap reads.
struct Thing {
  int64_t id = 0;
  std::string name;
  int count = 0;
  double weight = 0;
  bool flag = false;
  core::Status status = core::Status::open;
};

const db::RowMap<Thing>& thing_row() {
  static const db::RowMap<Thing> map = db::RowMap<Thing>("thing", &Thing::id)
                                           .column("id", &Thing::id)
                                           .column("COALESCE(name, '')", &Thing::name)
                                           .column("count", &Thing::count)
                                           .column("weight", &Thing::weight)
                                           .column("flag", &Thing::flag)
                                           .column("status", &Thing::status);
  return map;
}

db::Connection things(const TempDir& tmp) {
  db::Connection db = db::Connection::open(tmp / "things.db");
  db.exec("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT, count INTEGER, weight REAL, flag INTEGER, "
          "status TEXT);"
          "INSERT INTO things VALUES (7, 'seven', 3, 0.5, 2, 'rejected');"
          "INSERT INTO things VALUES (9, NULL, -1, 2.25, 0, 'stale');");
  return db;
}

} // namespace

TEST_CASE("RowMap", "[queue]") {
  TempDir tmp;
  db::Connection db = things(tmp);

  SECTION("columns() is the select list, in the order the columns were added") {
    CHECK(thing_row().columns() == "id, COALESCE(name, ''), count, weight, flag, status");
  }

  SECTION("all() reads each row into its members: text, integers, reals, bools and kinds") {
    db::Statement q = db.query("SELECT " + thing_row().columns() + " FROM things ORDER BY id");
    const auto rows = thing_row().all(q);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].id == 7);
    CHECK(rows[0].name == "seven");
    CHECK(rows[0].count == 3);
    CHECK(rows[0].weight == 0.5);
    CHECK(rows[0].flag); // any non-zero value
    CHECK(rows[0].status == core::Status::rejected);
    CHECK(rows[1].id == 9);
    CHECK(rows[1].name.empty());
    CHECK(rows[1].count == -1);
    CHECK(rows[1].weight == 2.25);
    CHECK_FALSE(rows[1].flag);
    CHECK(rows[1].status == core::Status::stale);
  }

  SECTION("first() reads one row, or nothing when there is none") {
    db::Statement q = db.query("SELECT " + thing_row().columns() + " FROM things WHERE id = ?");
    q.bind(int64_t{9});
    const auto found = thing_row().first(q);
    REQUIRE(found);
    CHECK(found->count == -1);
    db::Statement none = db.query("SELECT " + thing_row().columns() + " FROM things WHERE id = 100");
    CHECK_FALSE(thing_row().first(none));
  }

  SECTION("a kind no build writes is refused, naming the row it was found in") {
    db.exec("UPDATE things SET status = 'bogus' WHERE id = 9");
    db::Statement q = db.query("SELECT " + thing_row().columns() + " FROM things ORDER BY id");
    CHECK_THROWS_WITH(thing_row().all(q), "queue: thing 9 holds an unknown value \"bogus\"");
  }
}
