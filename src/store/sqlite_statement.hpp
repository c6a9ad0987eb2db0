// Small RAII helpers over the SQLite C API for the SQLite store: a prepared statement with typed binds and
// column reads, BEGIN IMMEDIATE ... COMMIT rolled back unless committed, and errors that name what failed.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/result.hpp"
#include "core/time.hpp"

namespace voltpool::store {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK; }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return ok_; }
  Statement& bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  Statement& bind(int i, UtcTime t) { return bind(i, static_cast<std::int64_t>(t.time_since_epoch().count())); }
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    if (v) return bind(i, *v);
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  // Ready to step again with new bindings.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::string text(int col) const {
    auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<double> optional_real(int col) const { return null(col) ? std::nullopt : std::optional(real(col)); }
  UtcTime time(int col) const { return UtcTime{std::chrono::seconds(integer(col))}; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool ok_ = false;
};

inline Error sqlite_error(sqlite3* db, std::string_view what) {
  return Error{fmt::format("database: {}: {}", what, sqlite3_errmsg(db))};
}

inline Status exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    Error e{fmt::format("database: {}", message ? message : "error")};
    sqlite3_free(message);
    return e;
  }
  return ok_status();
}

// BEGIN IMMEDIATE ... COMMIT, rolled back unless committed.
class WriteTransaction {
 public:
  explicit WriteTransaction(sqlite3* db) : db_(db) { begun_ = exec(db, "BEGIN IMMEDIATE").ok(); }
  ~WriteTransaction() {
    if (begun_ && !committed_) (void)exec(db_, "ROLLBACK");  // nothing more to do if even that fails
  }
  bool begun() const { return begun_; }
  Status commit() {
    auto s = exec(db_, "COMMIT");
    committed_ = s.ok();
    return s;
  }

 private:
  sqlite3* db_;
  bool begun_ = false;
  bool committed_ = false;
};

}  // namespace voltpool::store
