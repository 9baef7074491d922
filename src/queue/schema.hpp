#pragma once
// The queue's schema: numbered migrations, one file each in src/queue/schema/NNN_name.sql, embedded at
// build time (cmake/EmbedSchema.cmake). Migration N takes a database from PRAGMA user_version N - 1 to N.
// Append only: never edit a migration that has shipped, since files already at its version never run it
// again. To change the schema, add the next number (009_what_it_does.sql, a `-- why` comment first): the
// build picks it up (configure fails on a gap or a bad name), latest_version() follows, and a test in
// tests/unit/queue/test_store.cpp shows what it does to the rows of an older file.

#include "queue/db.hpp"

#include <string_view>
#include <vector>

namespace queue::schema {

// One migration: its number (the schema version it leads to), the name of its file, and its SQL.
struct Migration {
  int version = 0;
  std::string_view name;
  std::string_view sql;
};

// Every migration, by version: 1, 2, 3, ... (defined in the generated embedded/queue_schema.cpp).
const std::vector<Migration>& migrations();

// The schema version this build migrates to.
int latest_version() noexcept;

// The schema version of the open file (PRAGMA user_version). Throws queue::Error.
int version_of(const db::Connection& db);

// Brings the file to version `target` (the latest unless a test asks for less), one migration per
// transaction; a process that finds another one migrating waits for it and goes on from where it left.
// Throws queue::Error, also when the file's schema is newer than this build knows.
void migrate(db::Connection& db, int target = latest_version());

} // namespace queue::schema
