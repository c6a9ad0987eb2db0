#include "store/pg_connection.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

namespace voltpool::store {

namespace {

// libpq's messages span lines ("...failed\n\tIs the server running...?\n"); ours are one line.
std::string one_line(const char* message) {
  std::string out;
  for (const char* p = message ? message : ""; *p; ++p) {
    bool space = *p == '\n' || *p == '\t' || *p == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : *p;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Notices ("relation exists, skipping" and the like) would go to stderr.
void ignore_notice(void*, const char*) {}

}  // namespace

std::optional<std::string> pg_text(const std::string& s) { return s; }
std::optional<std::string> pg_text(std::int64_t v) { return std::to_string(v); }
std::optional<std::string> pg_text(int v) { return std::to_string(v); }
std::optional<std::string> pg_text(double v) { return fmt::format("{}", v); }
std::optional<std::string> pg_text(bool v) { return v ? "true" : "false"; }
std::optional<std::string> pg_text(UtcTime t) { return std::to_string(t.time_since_epoch().count()); }

std::vector<const char*> PgParams::pointers() const {
  std::vector<const char*> out;
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

bool PgParams::has_nul() const {
  return std::any_of(values_.begin(), values_.end(),
                     [](const auto& v) { return v && v->find('\0') != std::string::npos; });
}

void PgResult::Clear::operator()(pg_result* r) const { PQclear(r); }

int PgResult::rows() const { return PQntuples(r_.get()); }
std::int64_t PgResult::changed() const { return std::atoll(PQcmdTuples(r_.get())); }
bool PgResult::null(int row, int col) const { return PQgetisnull(r_.get(), row, col); }
std::string PgResult::text(int row, int col) const { return std::string(raw(row, col)); }
bool PgResult::boolean(int row, int col) const { return *PQgetvalue(r_.get(), row, col) == 't'; }
std::string_view PgResult::raw(int row, int col) const {
  return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
}

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const std::string& conninfo) {
  // Defaults first, so the conninfo's own settings (expanded from "dbname") override them: a server that stops
  // answering fails a call within half a minute instead of holding the store's lock for ever.
  const char* keys[] = {"connect_timeout", "keepalives_idle", "tcp_user_timeout", "dbname", nullptr};
  const char* values[] = {"10", "15", "30000", conninfo.c_str(), nullptr};
  std::unique_ptr<PgConnection> db(new PgConnection(PQconnectdbParams(keys, values, 1)));
  if (!db->connected())
    return Error{fmt::format("database: connecting to {}: {}", db->describe(), db->error())};
  if (auto s = db->set_up(); !s)
    return Error{fmt::format("database {}: {}", db->describe(), s.error().message)};
  return db;
}

PgConnection::PgConnection(pg_conn* conn) : conn_(conn) {
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
}
PgConnection::~PgConnection() { PQfinish(conn_); }

Result<PgResult> PgConnection::exec(const char* sql, const PgParams& params) {
  if (params.has_nul()) return Error{"a text value holds a NUL byte, which PostgreSQL cannot store"};
  auto values = params.pointers();
  return checked(
      PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
}

Result<PgResult> PgConnection::exec_script(const char* sql) { return checked(PQexec(conn_, sql)); }

std::string PgConnection::describe() const {
  auto s = [](const char* p) { return std::string(p ? p : ""); };
  return fmt::format("{}@{}:{}/{}", s(PQuser(conn_)), s(PQhost(conn_)), s(PQport(conn_)), s(PQdb(conn_)));
}

Status PgConnection::write(std::string_view what, const char* sql, const PgParams& params) {
  return run(what, [&]() -> Status {
    if (auto r = exec(sql, params); !r) return r.error();
    return ok_status();
  });
}

bool PgConnection::connected() const { return PQstatus(conn_) == CONNECTION_OK; }
bool PgConnection::lost() const { return PQstatus(conn_) == CONNECTION_BAD; }
std::string PgConnection::error() const { return one_line(PQerrorMessage(conn_)); }

// Commits wait for the disk (the server's synchronous_commit may only be stronger), text is UTF-8, and
// doubles are sent back with every digit (a server or role set to extra_float_digits <= 0 would round them).
Status PgConnection::set_up() {
  auto r = exec(
      "SELECT set_config('client_encoding', 'UTF8', false), set_config('synchronous_commit', "
      "CASE current_setting('synchronous_commit') WHEN 'off' THEN 'on' "
      "ELSE current_setting('synchronous_commit') END, false), set_config('extra_float_digits', '3', false)");
  if (!r) return r.error();
  return ok_status();
}

Status PgConnection::reconnect() {
  PQreset(conn_);
  if (!connected()) return Error{fmt::format("reconnecting to {}: {}", describe(), error())};
  return set_up();
}

Result<PgResult> PgConnection::checked(pg_result* raw) {
  PgResult r(raw);
  auto status = PQresultStatus(raw);  // PGRES_FATAL_ERROR for a null result
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
  return Error{one_line(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_))};
}

void PgConnection::log_error(const Error& error) { spdlog::error("{}", error.message); }

}  // namespace voltpool::store
