#include "queue/store.hpp"

#include "queue/schema.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <system_error>
#include <utility>

namespace queue {
namespace {

// What identifies the database file's content cheaply: size, mtime (ns) and inode; "" when unknown.
std::string file_stamp(const std::filesystem::path& db_path) {
  struct stat st {};
  if (::stat(db_path.c_str(), &st) != 0)
    return "";
  return std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino);
}

// Hidden beside the database: `queue.db*` stays the database and its -wal/-shm.
std::filesystem::path stamp_path(const std::filesystem::path& db_path) {
  return db_path.parent_path() / ("." + db_path.filename().string() + ".checked");
}

std::string read_stamp(const std::filesystem::path& db_path) {
  std::FILE* f = std::fopen(stamp_path(db_path).c_str(), "r");
  if (!f)
    return "";
  char buf[128] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  return std::string(buf, n);
}

// Best effort: without the stamp the next open checks again.
void write_stamp(const std::filesystem::path& db_path, const std::string& stamp) {
  std::filesystem::path tmp = stamp_path(db_path);
  tmp += "." + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f)
    return;
  const bool ok = std::fwrite(stamp.data(), 1, stamp.size(), f) == stamp.size();
  if (std::fclose(f) == 0 && ok && std::rename(tmp.c_str(), stamp_path(db_path).c_str()) == 0)
    return;
  std::remove(tmp.c_str());
}

} // namespace

Store::Store(db::Connection db) : m_db(std::make_unique<db::Connection>(std::move(db))) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

Store::~Store() {
  if (!m_db || m_stamp_on_close.empty() || CorruptError::raised() != m_corruption_at_open)
    return;
  // Closing the last connection checkpoints the WAL into the file, which changes its mtime: stamp it after.
  m_db.reset();
  const std::string stamp = file_stamp(m_stamp_on_close);
  if (!stamp.empty())
    write_stamp(m_stamp_on_close, stamp);
}

int Store::latest_schema_version() noexcept { return schema::latest_version(); }

Store Store::open(const std::filesystem::path& db_path, Check check) {
  std::error_code ec;
  if (db_path.has_parent_path()) {
    std::filesystem::create_directories(db_path.parent_path(), ec);
    if (ec)
      throw Error(db::k_cantopen, db_path.parent_path().string() + ": cannot create directory: " + ec.message());
  }

  Store store(db::Connection::open(db_path));
  db::Connection& db = *store.m_db;
  // The first statement reads the header: this is where a garbage file shows up (SQLITE_NOTADB).
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  // The file as it is before the check: a change made during it shows as a different stamp next time.
  const std::string stamp = check == Check::changed ? file_stamp(db_path) : std::string();
  store.m_corruption_at_open = CorruptError::raised();
  if (check == Check::quick || (check == Check::changed && (stamp.empty() || read_stamp(db_path) != stamp))) {
    const std::string verdict = db.quick_check();
    if (verdict != "ok")
      throw CorruptError(db::k_corrupt, db_path, "quick_check: " + verdict);
    if (!stamp.empty())
      write_stamp(db_path, stamp);
  }
  schema::migrate(db);
  if (check == Check::changed && !stamp.empty())
    store.m_stamp_on_close = db_path;
  return store;
}

bool Store::quick_check() { return m_db->quick_check() == "ok"; }

int Store::schema_version() const { return schema::version_of(*m_db); }

Transaction Store::begin() { return m_db->begin(); }

std::filesystem::path Store::quarantine(const std::filesystem::path& db_path) {
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec))
    throw Error(db::k_cantopen, db_path.string() + ": nothing to quarantine: " +
                                (ec ? ec.message() : std::string("no such file")));

  // The WAL goes first: a fresh database must never meet the old WAL, which SQLite would replay.
  static constexpr const char* k_companions[] = {"-wal", "-shm", "-journal", ""};
  auto with_suffix = [](std::filesystem::path p, const char* suffix) { return p += suffix; };
  // Microseconds: each quarantine gets its own name (and so its own message, which hooks show once per text)
  // even when the previous one was removed in the same second.
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  char stamp_buf[48];
  std::snprintf(stamp_buf, sizeof stamp_buf, ".corrupt-%lld.%06lld", static_cast<long long>(us / 1000000),
                static_cast<long long>(us % 1000000));
  const std::string stamp = stamp_buf;
  std::filesystem::path target = with_suffix(db_path, stamp.c_str());
  for (int n = 1; std::filesystem::exists(target) || std::filesystem::exists(with_suffix(target, "-wal")); ++n)
    target = with_suffix(db_path, (stamp + "." + std::to_string(n)).c_str());

  for (const char* suffix : k_companions) {
    const auto from = with_suffix(db_path, suffix);
    if (!std::filesystem::exists(from, ec))
      continue;
    std::filesystem::rename(from, with_suffix(target, suffix), ec);
    if (ec)
      throw Error(db::k_ioerr, from.string() + ": cannot move aside: " + ec.message());
  }
  return target;
}

} // namespace queue
