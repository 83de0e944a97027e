// Thin RAII wrappers over the SQLite C API for the SQLite backend (private to
// src/store). Statements are prepared once and cached per connection; errors become
// core::Error values with "store.sql" or "store.busy" codes.
//
//   SKM_TRY_ASSIGN(Stmt* s, db.prepare("SELECT id FROM runs WHERE status = ?1"));
//   s->bind(1, "running");
//   SKM_TRY(s->each_row([&](const Stmt& r) { ids.push_back(r.int64(0)); }));
//
// Thread-safety: one Db per thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sekimori::store::internal {

class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  void bind(int i, int64_t v);
  void bind(int i, int v) { bind(i, static_cast<int64_t>(v)); }
  void bind(int i, std::string_view v);
  void bind(int i, const char* v) { bind(i, std::string_view(v)); }
  void bind(int i, const std::string& v) { bind(i, std::string_view(v)); }
  void bind(int i, std::optional<int64_t> v);
  void bind_null(int i);
  // Binds the values to ?first, ?first + 1, ... in order.
  template <typename... Values>
  void bind_from(int first, const Values&... values) {
    int i = first;
    (bind(i++, values), ...);
  }
  // true: a row is available; false: done. Resets itself when done or on error.
  core::Result<bool> step();
  // Runs to completion (for statements that return no rows).
  core::Status exec();
  void reset();
  // Steps through every row, calling on_row(*this) for each; stops at the first error.
  template <typename OnRow>
  core::Status each_row(OnRow&& on_row) {
    while (true) {
      SKM_TRY_ASSIGN(bool row, step());
      if (!row) return {};
      on_row(static_cast<const Stmt&>(*this));
    }
  }

  [[nodiscard]] int64_t int64(int col) const;
  [[nodiscard]] std::optional<int64_t> opt_int64(int col) const;
  [[nodiscard]] std::string text(int col) const;
  [[nodiscard]] bool is_null(int col) const;

 private:
  sqlite3_stmt* s_;
  bool done_ = true;
};

class Db {
 public:
  Db() = default;
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  core::Status open(const std::string& path, bool create, int busy_timeout_ms);
  // Runs SQL text (may hold several statements); no results.
  core::Status exec(const std::string& sql);
  // A cached prepared statement (reset and cleared of bindings).
  core::Result<Stmt*> prepare(const std::string& sql);
  [[nodiscard]] int64_t last_insert_id() const;
  [[nodiscard]] int64_t changes() const;

  // BEGIN IMMEDIATE (takes the write lock at once, so busy waits happen here and not in
  // the middle of a transaction) / COMMIT / ROLLBACK.
  core::Status begin_write();
  core::Status commit();
  void rollback();

  core::Error error(std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Stmt>> cache_;
};

// Rolls back on scope exit unless committed.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) {}
  ~Transaction() {
    if (open_) db_.rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  core::Status begin() {
    SKM_TRY(db_.begin_write());
    open_ = true;
    return {};
  }
  core::Status commit() {
    SKM_TRY(db_.commit());
    open_ = false;
    return {};
  }

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace sekimori::store::internal
