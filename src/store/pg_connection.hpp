// The libpq plumbing under the PostgreSQL store (postgres_store.hpp): one connection, values as query
// parameters in PostgreSQL's text format, results read back by row and column, and operations that run one at
// a time, reconnect when the connection is found lost, and say when a lost commit leaves a write in doubt.
// Knows no table: the SQL is the store's.
#pragma once

#include <charconv>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

struct pg_conn;    // libpq's PGconn
struct pg_result;  // libpq's PGresult

namespace voltpool::store {

// Values as query parameters, in PostgreSQL's text format; nullopt is NULL.
std::optional<std::string> pg_text(const std::string& s);
std::optional<std::string> pg_text(const char*) = delete;  // would be taken for a bool
std::optional<std::string> pg_text(std::int64_t v);
std::optional<std::string> pg_text(int v);
std::optional<std::string> pg_text(double v);  // shortest exact: round-trips
std::optional<std::string> pg_text(bool v);
std::optional<std::string> pg_text(UtcTime t);  // seconds since the epoch
template <class T>
std::optional<std::string> pg_text(const std::optional<T>& v) {
  return v ? pg_text(*v) : std::nullopt;
}

// An array literal of one field of each item, '{"1.5",NULL,"a \"b\""}', for unnest($n::type[]) and ANY: a
// batch travels as one parameter.
template <class Range, class Field>
std::string pg_array(const Range& items, Field field) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    auto text = pg_text(std::invoke(field, item));
    if (!text) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : *text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// A statement's parameters, $1, $2, ... in order.
class PgParams {
 public:
  template <class... T>
  explicit PgParams(const T&... values) : values_{pg_text(values)...} {}

  // For PQexecParams: a C string per value, null for NULL; valid while this lives.
  std::vector<const char*> pointers() const;
  // PostgreSQL text cannot hold a NUL byte, and libpq would cut the value there: such a value is refused.
  bool has_nul() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

// Owns one PGresult; reads its values, text-format, by row and column.
class PgResult {
 public:
  explicit PgResult(pg_result* r) : r_(r) {}

  int rows() const;
  std::int64_t changed() const;  // rows an INSERT/UPDATE wrote
  bool null(int row, int col) const;
  std::string text(int row, int col) const;
  template <class T = std::int64_t>
  T integer(int row, int col) const {
    return parse<T>(row, col);
  }
  double real(int row, int col) const { return parse<double>(row, col); }
  bool boolean(int row, int col) const;
  UtcTime time(int row, int col) const { return UtcTime{Seconds(integer(row, col))}; }
  std::optional<double> optional_real(int row, int col) const {
    return null(row, col) ? std::nullopt : std::optional(real(row, col));
  }
  std::optional<UtcTime> optional_time(int row, int col) const {
    return null(row, col) ? std::nullopt : std::optional(time(row, col));
  }

 private:
  std::string_view raw(int row, int col) const;
  template <class T>
  T parse(int row, int col) const {
    std::string_view s = raw(row, col);
    T v{};
    std::from_chars(s.data(), s.data() + s.size(), v);  // the server's own output: well formed
    return v;
  }

  struct Clear {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Clear> r_;
};

// One connection to the server. Operations (run, and what is built on it) are serialised on its mutex, so one
// connection may be shared by threads; exec and in_transaction are for the bodies of operations (and for the
// schema migration, before the connection is shared).
class PgConnection {
 public:
  // Connects to `conninfo` (libpq keywords or a URI) and sets the session up; an error names the server
  // (never the password) and libpq's reason, on one line.
  static Result<std::unique_ptr<PgConnection>> connect(const std::string& conninfo);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // One statement; an error is libpq's message (or the refusal of a parameter with a NUL byte).
  Result<PgResult> exec(const char* sql, const PgParams& params = PgParams());
  // Several statements without parameters (a migration).
  Result<PgResult> exec_script(const char* sql);

  // "user@host:port/dbname", for errors (never the password).
  std::string describe() const;

  // Runs one operation, body() -> Result<T>, under the connection's lock, naming `what` in its error. A
  // connection found lost is re-established, and an operation that lost it runs once more, unless a commit
  // was in flight: then the error says the write may or may not be stored. The lock is not recursive: a body
  // calls exec and in_transaction, never run or what is built on it.
  template <class F>
  auto run(std::string_view what, F body) -> decltype(body());

  // body() -> Result<T> in BEGIN ... COMMIT, rolled back when it fails. Inside run(), or before the
  // connection is shared.
  template <class F>
  auto in_transaction(F body) -> decltype(body());

  // A write that must not be repeated: body() in a transaction, as one operation. BEGIN finds a lost
  // connection before anything is sent that could write.
  template <class F>
  auto run_in_transaction(std::string_view what, F body) -> decltype(body()) {
    return run(what, [&] { return in_transaction(body); });
  }

  // A write of one statement that may be repeated (an upsert): it commits on its own.
  Status write(std::string_view what, const char* sql, const PgParams& params);

  // A read as one operation: its value, or, when it failed, the error logged and an empty value (reads have
  // no error in Store).
  template <class F>
  auto read(std::string_view what, F body) {
    return logged(run(what, body));
  }

  // The rows of one read, each mapped by row(result, i); the first such row.
  template <class Row>
  auto select_all(std::string_view what, const char* sql, const PgParams& params, Row row);
  template <class Row>
  auto select_one(std::string_view what, const char* sql, const PgParams& params, Row row) {
    auto all = select_all(what, sql, params, row);
    return all.empty() ? std::nullopt : std::optional(std::move(all.front()));
  }

 private:
  explicit PgConnection(pg_conn* conn);

  bool connected() const;
  bool lost() const;
  std::string error() const;
  // Session settings, after each connect.
  Status set_up();
  Status reconnect();
  Result<PgResult> checked(pg_result* raw);
  static void log_error(const Error& error);

  template <class T>
  static T logged(Result<T> r) {
    if (r) return std::move(r).value();
    log_error(r.error());
    return T{};
  }

  pg_conn* conn_;
  std::mutex mutex_;  // held by run(): one operation at a time
  // The operation has sent a commit: if the connection is lost now, the outcome is unknown.
  bool commit_in_flight_ = false;
};

template <class F>
auto PgConnection::run(std::string_view what, F body) -> decltype(body()) {
  std::lock_guard lock(mutex_);
  for (int attempt = 1;; ++attempt) {
    if (lost()) {
      if (auto s = reconnect(); !s) return Error{"database: " + std::string(what) + ": " + s.error().message};
    }
    commit_in_flight_ = false;
    auto result = body();
    if (result) return result;
    bool in_doubt = commit_in_flight_ && lost();
    if (attempt == 1 && lost() && !in_doubt) continue;
    std::string_view doubt =
        in_doubt ? "the connection was lost while committing, so it may be stored or not: " : "";
    return Error{"database: " + std::string(what) + ": " + std::string(doubt) + result.error().message};
  }
}

template <class F>
auto PgConnection::in_transaction(F body) -> decltype(body()) {
  if (auto r = exec("BEGIN"); !r) return r.error();
  auto result = body();
  if (!result) {
    (void)exec("ROLLBACK");  // nothing more to do if even that fails: the server rolls back on disconnect
    return result;
  }
  commit_in_flight_ = true;
  if (auto r = exec("COMMIT"); !r) return r.error();
  return result;
}

template <class Row>
auto PgConnection::select_all(std::string_view what, const char* sql, const PgParams& params, Row row) {
  using T = decltype(row(std::declval<const PgResult&>(), 0));
  return read(what, [&]() -> Result<std::vector<T>> {
    auto r = exec(sql, params);
    if (!r) return r.error();
    std::vector<T> out;
    for (int i = 0; i < r->rows(); ++i) out.push_back(row(*r, i));
    return out;
  });
}

}  // namespace voltpool::store
