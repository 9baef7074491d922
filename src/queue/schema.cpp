#include "queue/schema.hpp"

#include <string>

namespace queue::schema {

int latest_version() noexcept { return static_cast<int>(migrations().size()); }

int version_of(const db::Connection& db) {
  db::Statement q = db.query("PRAGMA user_version");
  return q.next() ? q.integer(0) : 0;
}

void migrate(db::Connection& db, int target) {
  const int latest = latest_version();
  for (;;) {
    int version = version_of(db);
    if (version > latest)
      throw Error(db::k_error, db.path() + ": the queue schema is version " + std::to_string(version) +
                                         ", newer than this build knows (" + std::to_string(latest) +
                                         "); upgrade git-autoloop");
    if (version >= target)
      return;
    Transaction transaction = db.begin();
    // Another process may have migrated while we waited for the write lock.
    version = version_of(db);
    if (version < target) {
      db.exec(std::string(migrations()[static_cast<size_t>(version)].sql));
      db.exec("PRAGMA user_version = " + std::to_string(version + 1));
    }
    transaction.commit();
  }
}

} // namespace queue::schema
