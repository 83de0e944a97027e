#include "store/internal/sqlite.h"

#include <sqlite3.h>

#include <chrono>
#include <thread>

namespace sekimori::store::internal {

Stmt::~Stmt() { sqlite3_finalize(s_); }

void Stmt::bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
void Stmt::bind(int i, std::string_view v) {
  sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
void Stmt::bind(int i, std::optional<int64_t> v) {
  if (v)
    bind(i, *v);
  else
    bind_null(i);
}
void Stmt::bind_null(int i) { sqlite3_bind_null(s_, i); }

core::Result<bool> Stmt::step() {
  done_ = false;
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  std::string msg;
  if (rc != SQLITE_DONE) {
    sqlite3* db = sqlite3_db_handle(s_);
    msg = sqlite3_errmsg(db);
  }
  sqlite3_reset(s_);
  done_ = true;
  if (rc == SQLITE_DONE) return false;
  std::string code = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? "store.busy" : "store.sql";
  if ((rc & 0xff) == SQLITE_CONSTRAINT) code = "store.conflict";
  return core::make_error(code, "database: " + msg);
}

core::Status Stmt::exec() {
  while (true) {
    SKM_TRY_ASSIGN(bool row, step());
    if (!row) return {};
  }
}

void Stmt::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
  done_ = true;
}

int64_t Stmt::int64(int col) const { return sqlite3_column_int64(s_, col); }
std::optional<int64_t> Stmt::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}
std::string Stmt::text(int col) const {
  const unsigned char* t = sqlite3_column_text(s_, col);
  int n = sqlite3_column_bytes(s_, col);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(n)) : std::string();
}
bool Stmt::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

Db::~Db() {
  cache_.clear();
  if (db_) sqlite3_close(db_);
}

core::Status Db::open(const std::string& path, bool create, int busy_timeout_ms) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    return core::make_error("store.open", "cannot open database '" + path + "': " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  // Switching to WAL needs a lock; retry through the busy timeout when a first-time
  // creation races with another process.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  while (true) {
    core::Status st = exec("PRAGMA journal_mode=WAL");
    if (st.ok()) break;
    if (std::chrono::steady_clock::now() > deadline) {
      return core::make_error("store.open", "cannot open database '" + path + "': " + st.error().message);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  SKM_TRY(exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL"));
  return {};
}

core::Status Db::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return {};
  std::string msg = err ? err : sqlite3_errmsg(db_);
  sqlite3_free(err);
  return core::make_error((rc & 0xff) == SQLITE_BUSY ? "store.busy" : "store.sql", "database: " + msg);
}

core::Result<Stmt*> Db::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->reset();
    return it->second.get();
  }
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s,
                              nullptr);
  if (rc != SQLITE_OK) return error("prepare");
  auto owned = std::make_unique<Stmt>(s);
  Stmt* raw = owned.get();
  cache_.emplace(sql, std::move(owned));
  return raw;
}

int64_t Db::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int64_t Db::changes() const { return sqlite3_changes64(db_); }

core::Status Db::begin_write() { return exec("BEGIN IMMEDIATE"); }
core::Status Db::commit() { return exec("COMMIT"); }
void Db::rollback() {
  if (!sqlite3_get_autocommit(db_)) (void)exec("ROLLBACK");
}

core::Error Db::error(std::string_view what) const {
  int rc = sqlite3_errcode(db_);
  return core::make_error((rc & 0xff) == SQLITE_BUSY ? "store.busy" : "store.sql",
                          "database " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

}  // namespace sekimori::store::internal
