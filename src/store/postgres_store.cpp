#include "store/postgres_store.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace voltpool::store {

namespace {

// Schema versions, applied in order, each in its own transaction; schema_version has a row per version
// applied. The tables are SQLite's (sqlite_store.cpp) plus meter_value_count: the writes of meter values keep
// that count in their own transaction, where a sequence's last value would overcount (it skips values after a
// rollback or a crash) and COUNT(*) would scan the table at every /metrics scrape.
const char* const kMigrations[] = {
    R"sql(
    CREATE TABLE stations (
      id TEXT PRIMARY KEY, password_hash TEXT NOT NULL, max_power_kw DOUBLE PRECISION NOT NULL DEFAULT 0,
      vendor TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '', last_boot BIGINT);
    CREATE TABLE connector_status (
      station_id TEXT NOT NULL, evse_id INTEGER NOT NULL, connector_id INTEGER NOT NULL,
      status TEXT NOT NULL, time BIGINT NOT NULL, PRIMARY KEY (station_id, evse_id, connector_id));
    CREATE TABLE id_tokens (id_token TEXT PRIMARY KEY);
    CREATE TABLE transactions (
      seq BIGSERIAL PRIMARY KEY, station_id TEXT NOT NULL, transaction_id TEXT NOT NULL,
      evse_id INTEGER NOT NULL, connector_id INTEGER NOT NULL, id_token TEXT NOT NULL,
      started BIGINT NOT NULL, stopped BIGINT, meter_start_wh DOUBLE PRECISION, meter_stop_wh DOUBLE PRECISION,
      last_energy_import_wh DOUBLE PRECISION, stop_reason TEXT NOT NULL DEFAULT '',
      UNIQUE (station_id, transaction_id));
    CREATE INDEX transactions_by_id_token ON transactions (id_token);
    CREATE INDEX transactions_by_transaction_id ON transactions (transaction_id);
    CREATE TABLE meter_values (
      seq BIGSERIAL PRIMARY KEY, station_id TEXT NOT NULL, transaction_id TEXT NOT NULL, evse_id INTEGER NOT NULL,
      time BIGINT NOT NULL, energy_import_wh DOUBLE PRECISION, energy_export_wh DOUBLE PRECISION,
      power_w DOUBLE PRECISION, soc_pct DOUBLE PRECISION);
    CREATE INDEX meter_values_by_transaction ON meter_values (station_id, transaction_id, time);
    CREATE TABLE meter_value_count (n BIGINT NOT NULL);
    INSERT INTO meter_value_count (n) VALUES (0);
    CREATE TABLE api_tokens (token_sha256 TEXT PRIMARY KEY, role TEXT NOT NULL, owner_id TEXT NOT NULL DEFAULT '');
    CREATE TABLE owner_id_tokens (id_token TEXT PRIMARY KEY, owner_id TEXT NOT NULL);
    CREATE TABLE owner_preferences (
      owner_id TEXT PRIMARY KEY, departure_minute_utc INTEGER, target_energy_kwh DOUBLE PRECISION,
      min_energy_kwh DOUBLE PRECISION, v2g_consent BOOLEAN NOT NULL DEFAULT FALSE, wear_budget_eur DOUBLE PRECISION,
      target_soc_pct DOUBLE PRECISION, min_soc_pct DOUBLE PRECISION);
    CREATE TABLE vehicles (
      id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, id_token TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',
      battery_kwh DOUBLE PRECISION NOT NULL DEFAULT 0, max_charge_kw DOUBLE PRECISION NOT NULL DEFAULT 0,
      max_discharge_kw DOUBLE PRECISION NOT NULL DEFAULT 0);
    CREATE INDEX vehicles_by_owner ON vehicles (owner_id);
    CREATE INDEX vehicles_by_id_token ON vehicles (id_token);
    CREATE TABLE settlements (
      session_id BIGINT PRIMARY KEY REFERENCES transactions (seq), owner_id TEXT NOT NULL,
      settled_at BIGINT NOT NULL, import_kwh DOUBLE PRECISION NOT NULL, export_kwh DOUBLE PRECISION NOT NULL,
      import_cost_cents BIGINT NOT NULL, export_revenue_cents BIGINT NOT NULL,
      uncontrolled_cost_cents BIGINT NOT NULL, savings_cents BIGINT NOT NULL, platform_fee_cents BIGINT NOT NULL,
      owner_earnings_cents BIGINT NOT NULL);
    CREATE INDEX settlements_by_owner ON settlements (owner_id);
    CREATE TABLE settlement_intervals (
      session_id BIGINT NOT NULL REFERENCES settlements (session_id), start BIGINT NOT NULL,
      import_kwh DOUBLE PRECISION NOT NULL, export_kwh DOUBLE PRECISION NOT NULL,
      price_eur_per_kwh DOUBLE PRECISION NOT NULL, import_cost_cents BIGINT NOT NULL,
      export_revenue_cents BIGINT NOT NULL, PRIMARY KEY (session_id, start));
    CREATE TABLE ledger (
      seq BIGSERIAL PRIMARY KEY, session_id BIGINT NOT NULL REFERENCES settlements (session_id),
      time BIGINT NOT NULL, account TEXT NOT NULL, amount_cents BIGINT NOT NULL, memo TEXT NOT NULL);
    CREATE INDEX ledger_by_session ON ledger (session_id);
    )sql",
};

constexpr std::int64_t kMigrationLock = 0x766f6c74706f6f6c;  // "voltpool": the advisory lock migrations take

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

// Values as query parameters, in PostgreSQL's text format; nullopt is NULL.
std::optional<std::string> to_text(const std::string& s) { return s; }
std::optional<std::string> to_text(const char*) = delete;  // would be taken for a bool
std::optional<std::string> to_text(std::int64_t v) { return std::to_string(v); }
std::optional<std::string> to_text(int v) { return std::to_string(v); }
std::optional<std::string> to_text(double v) { return fmt::format("{}", v); }  // shortest exact: round-trips
std::optional<std::string> to_text(bool v) { return v ? "true" : "false"; }
std::optional<std::string> to_text(UtcTime t) { return std::to_string(t.time_since_epoch().count()); }
template <class T>
std::optional<std::string> to_text(const std::optional<T>& v) {
  return v ? to_text(*v) : std::nullopt;
}

// An array literal of one field of each item, '{"1.5",NULL,"a \"b\""}', for unnest($n::type[]).
template <class Range, class Field>
std::string array_of(const Range& items, Field field) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    auto text = to_text(std::invoke(field, item));
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

class Params {
 public:
  template <class... T>
  explicit Params(const T&... values) : values_{to_text(values)...} {}

  // For PQexecParams: a C string per value, null for NULL; valid while this lives.
  std::vector<const char*> pointers() const {
    std::vector<const char*> out;
    for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
    return out;
  }

 private:
  std::vector<std::optional<std::string>> values_;
};

// Owns one PGresult; reads its values, text-format, by row and column.
class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r, &PQclear) {}

  int rows() const { return PQntuples(r_.get()); }
  std::int64_t changed() const { return std::atoll(PQcmdTuples(r_.get())); }  // rows an INSERT/UPDATE wrote
  bool null(int row, int col) const { return PQgetisnull(r_.get(), row, col); }
  std::string text(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
  }
  template <class T = std::int64_t>
  T integer(int row, int col) const {
    return parse<T>(row, col);
  }
  double real(int row, int col) const { return parse<double>(row, col); }
  bool boolean(int row, int col) const { return *PQgetvalue(r_.get(), row, col) == 't'; }
  UtcTime time(int row, int col) const { return UtcTime{Seconds(integer(row, col))}; }
  std::optional<double> optional_real(int row, int col) const {
    return null(row, col) ? std::nullopt : std::optional(real(row, col));
  }
  std::optional<UtcTime> optional_time(int row, int col) const {
    return null(row, col) ? std::nullopt : std::optional(time(row, col));
  }

 private:
  template <class T>
  T parse(int row, int col) const {
    const char* p = PQgetvalue(r_.get(), row, col);
    T v{};
    std::from_chars(p, p + PQgetlength(r_.get(), row, col), v);  // the server's own output: well formed
    return v;
  }

  std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

// Notices ("relation exists, skipping" and the like) would go to stderr.
void ignore_notice(void*, const char*) {}

}  // namespace

// The store's connection and what one operation on it needs to know.
class PgConnection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) { PQsetNoticeProcessor(conn_, ignore_notice, nullptr); }
  ~PgConnection() { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // One statement; an error is libpq's message.
  Result<PgResult> exec(const char* sql, const Params& params = Params()) {
    auto values = params.pointers();
    return checked(PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                                nullptr, 0));
  }
  // Several statements without parameters (a migration).
  Result<PgResult> exec_script(const char* sql) { return checked(PQexec(conn_, sql)); }

  bool connected() const { return PQstatus(conn_) == CONNECTION_OK; }
  bool lost() const { return PQstatus(conn_) == CONNECTION_BAD; }
  std::string error() const { return one_line(PQerrorMessage(conn_)); }
  // "user@host:port/dbname", for errors (never the password).
  std::string describe() const {
    auto s = [](const char* p) { return std::string(p ? p : ""); };
    return fmt::format("{}@{}:{}/{}", s(PQuser(conn_)), s(PQhost(conn_)), s(PQport(conn_)), s(PQdb(conn_)));
  }

  // Session settings, after each connect: commits wait for the disk (the server's synchronous_commit may only
  // be stronger), text is UTF-8.
  Status set_up() {
    auto r = exec(
        "SELECT set_config('client_encoding', 'UTF8', false), set_config('synchronous_commit', "
        "CASE current_setting('synchronous_commit') WHEN 'off' THEN 'on' "
        "ELSE current_setting('synchronous_commit') END, false)");
    if (!r) return r.error();
    return ok_status();
  }
  Status reconnect() {
    PQreset(conn_);
    if (!connected()) return Error{fmt::format("reconnecting to {}: {}", describe(), error())};
    return set_up();
  }

  // Held by run(): one operation at a time.
  std::mutex mutex;
  // The operation has sent a commit: if the connection is lost now, the outcome is unknown.
  bool commit_in_flight = false;

 private:
  Result<PgResult> checked(PGresult* raw) {
    PgResult r(raw);
    auto status = PQresultStatus(raw);  // PGRES_FATAL_ERROR for a null result
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    return Error{one_line(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_))};
  }

  PGconn* conn_;
};

namespace {

// Runs one operation, body() -> Result<T>, under the connection's lock, naming `what` in its error. A
// connection found lost is re-established, and an operation that lost it runs once more, unless a commit was
// in flight.
template <class F>
auto run(PgConnection& db, std::string_view what, F body) -> decltype(body()) {
  std::lock_guard lock(db.mutex);
  for (int attempt = 1;; ++attempt) {
    if (db.lost()) {
      if (auto s = db.reconnect(); !s) return Error{fmt::format("database: {}: {}", what, s.error().message)};
    }
    db.commit_in_flight = false;
    auto result = body();
    if (result) return result;
    bool in_doubt = db.commit_in_flight && db.lost();
    if (attempt == 1 && db.lost() && !in_doubt) continue;
    std::string_view doubt =
        in_doubt ? "the connection was lost while committing, so it may be stored or not: " : "";
    return Error{fmt::format("database: {}: {}{}", what, doubt, result.error().message)};
  }
}

// body() -> Result<T> in BEGIN ... COMMIT, rolled back when it fails.
template <class F>
auto in_transaction(PgConnection& db, F body) -> decltype(body()) {
  if (auto r = db.exec("BEGIN"); !r) return r.error();
  auto result = body();
  if (!result) {
    (void)db.exec("ROLLBACK");  // nothing more to do if even that fails: the server rolls back on disconnect
    return result;
  }
  db.commit_in_flight = true;
  if (auto r = db.exec("COMMIT"); !r) return r.error();
  return result;
}

// A write of one statement that may be repeated (an upsert): it commits on its own. (A write that must not be
// repeated runs in_transaction: BEGIN finds a lost connection before anything is sent that could write.)
Status write(PgConnection& db, std::string_view what, const char* sql, const Params& params) {
  return run(db, what, [&]() -> Status {
    if (auto r = db.exec(sql, params); !r) return r.error();
    return ok_status();
  });
}

// A read's value, or, when it failed, the error logged and an empty value: reads have no error in Store.
template <class T>
T logged(Result<T> r) {
  if (r) return std::move(r).value();
  spdlog::error("{}", r.error().message);
  return T{};
}

// The rows of one read, each mapped by row(result, i).
template <class Row>
auto select_all(PgConnection& db, std::string_view what, const char* sql, const Params& params, Row row) {
  using T = decltype(row(std::declval<const PgResult&>(), 0));
  return logged(run(db, what, [&]() -> Result<std::vector<T>> {
    auto r = db.exec(sql, params);
    if (!r) return r.error();
    std::vector<T> out;
    for (int i = 0; i < r->rows(); ++i) out.push_back(row(*r, i));
    return out;
  }));
}

template <class Row>
auto select_one(PgConnection& db, std::string_view what, const char* sql, const Params& params, Row row) {
  auto all = select_all(db, what, sql, params, row);
  return all.empty() ? std::nullopt : std::optional(std::move(all.front()));
}

Status migrate(PgConnection& db) {
  constexpr std::int64_t known = std::size(kMigrations);
  for (bool more = true; more;) {
    // Under the lock, one version at a time: a process that waited sees what the other applied.
    auto step = in_transaction(db, [&]() -> Result<bool> {
      if (auto r = db.exec("SELECT pg_advisory_xact_lock($1)", Params(kMigrationLock)); !r) return r.error();
      if (auto r = db.exec("CREATE TABLE IF NOT EXISTS schema_version ("
                           "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
          !r)
        return r.error();
      auto version = db.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version");
      if (!version) return version.error();
      std::int64_t applied = version->integer(0, 0);
      if (applied > known)
        return Error{fmt::format("schema version {} is newer than this voltpool ({}); upgrade voltpool",
                                 applied, known)};
      if (applied == known) return false;
      if (auto r = db.exec_script(kMigrations[applied]); !r) return r.error();
      if (auto r = db.exec("INSERT INTO schema_version (version) VALUES ($1)", Params(applied + 1)); !r)
        return r.error();
      return true;
    });
    if (!step) return step.error();
    more = *step;
  }
  return ok_status();
}

StationRecord station_at(const PgResult& r, int i) {
  return {r.text(i, 0), r.text(i, 1), r.real(i, 2), r.text(i, 3), r.text(i, 4)};
}

constexpr const char* kTransactionColumns =
    "seq, station_id, transaction_id, evse_id, connector_id, id_token, started, stopped, meter_start_wh, "
    "meter_stop_wh, last_energy_import_wh, stop_reason";

TransactionRecord transaction_at(const PgResult& r, int i) {
  return {.session_id = r.integer(i, 0),
          .station_id = r.text(i, 1),
          .transaction_id = r.text(i, 2),
          .evse_id = r.integer<int>(i, 3),
          .connector_id = r.integer<int>(i, 4),
          .id_token = r.text(i, 5),
          .started = r.time(i, 6),
          .stopped = r.optional_time(i, 7),
          .meter_start_wh = r.optional_real(i, 8),
          .meter_stop_wh = r.optional_real(i, 9),
          .last_energy_import_wh = r.optional_real(i, 10),
          .stop_reason = r.text(i, 11)};
}

// The transaction queries: kTransactionColumns, then the rest.
std::string transactions_where(std::string_view rest) {
  return fmt::format("SELECT {} FROM transactions {}", kTransactionColumns, rest);
}

constexpr const char* kVehicleColumns =
    "id, owner_id, id_token, name, battery_kwh, max_charge_kw, max_discharge_kw";

VehicleRecord vehicle_at(const PgResult& r, int i) {
  return {r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.real(i, 4), r.real(i, 5), r.real(i, 6)};
}

std::string vehicles_where(std::string_view rest) {
  return fmt::format("SELECT {} FROM vehicles {}", kVehicleColumns, rest);
}

SettlementRecord settlement_at(const PgResult& r, int i) {
  return {.session_id = r.integer(i, 0),
          .owner_id = r.text(i, 1),
          .settled_at = r.time(i, 2),
          .settlement = {.intervals = {},  // read apart
                         .import_kwh = r.real(i, 3),
                         .export_kwh = r.real(i, 4),
                         .import_cost = r.integer(i, 5),
                         .export_revenue = r.integer(i, 6),
                         .uncontrolled_cost = r.integer(i, 7),
                         .savings = r.integer(i, 8),
                         .platform_fee = r.integer(i, 9),
                         .owner_earnings = r.integer(i, 10),
                         .entries = {}}};
}

constexpr const char* kLinkIdToken =
    "INSERT INTO owner_id_tokens (id_token, owner_id) VALUES ($1, $2) "
    "ON CONFLICT (id_token) DO UPDATE SET owner_id = EXCLUDED.owner_id";

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& conninfo) {
  auto db = std::make_unique<PgConnection>(PQconnectdb(conninfo.c_str()));
  if (!db->connected())
    return Error{fmt::format("database: connecting to {}: {}", db->describe(), db->error())};
  if (auto s = db->set_up(); !s)
    return Error{fmt::format("database {}: {}", db->describe(), s.error().message)};
  if (auto s = migrate(*db); !s)
    return Error{fmt::format("database {}: migrating the schema: {}", db->describe(), s.error().message)};
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(db)));
}

PostgresStore::PostgresStore(std::unique_ptr<PgConnection> db) : db_(std::move(db)) {}
PostgresStore::~PostgresStore() = default;

Status PostgresStore::put_station(const StationRecord& s) {
  return write(*db_, "saving station " + s.id,
               "INSERT INTO stations (id, password_hash, max_power_kw) VALUES ($1, $2, $3) ON CONFLICT (id) "
               "DO UPDATE SET password_hash = EXCLUDED.password_hash, max_power_kw = EXCLUDED.max_power_kw",
               Params(s.id, s.password_hash, s.max_power_kw));
}

std::optional<StationRecord> PostgresStore::station(const std::string& id) {
  return select_one(*db_, "reading station " + id,
                    "SELECT id, password_hash, max_power_kw, vendor, model FROM stations WHERE id = $1",
                    Params(id), station_at);
}

std::vector<StationRecord> PostgresStore::stations() {
  return select_all(*db_, "reading the stations",
                    "SELECT id, password_hash, max_power_kw, vendor, model FROM stations ORDER BY id",
                    Params(), station_at);
}

Status PostgresStore::record_boot(const std::string& station_id, const ocpp::BootInfo& info, UtcTime time) {
  return write(*db_, "recording the boot of " + station_id,
               "UPDATE stations SET vendor = $2, model = $3, last_boot = $4 WHERE id = $1",
               Params(station_id, info.vendor, info.model, time));
}

Status PostgresStore::record_status(const std::string& station_id, int evse_id, int connector_id,
                                    const std::string& status, UtcTime time) {
  return write(*db_, "recording a status of " + station_id,
               "INSERT INTO connector_status (station_id, evse_id, connector_id, status, time) "
               "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (station_id, evse_id, connector_id) "
               "DO UPDATE SET status = EXCLUDED.status, time = EXCLUDED.time",
               Params(station_id, evse_id, connector_id, status, time));
}

Status PostgresStore::allow_id_token(const std::string& id_token) {
  return write(*db_, "adding an id token",
               "INSERT INTO id_tokens (id_token) VALUES ($1) ON CONFLICT DO NOTHING", Params(id_token));
}

bool PostgresStore::id_token_allowed(const std::string& id_token) {
  return select_one(*db_, "reading the id-token allow-list", "SELECT 1 FROM id_tokens WHERE id_token = $1",
                    Params(id_token), [](const PgResult&, int) { return true; })
      .has_value();
}

Result<std::string> PostgresStore::start_transaction(const ocpp::TransactionStart& start) {
  std::optional<std::string> id;  // NULL for 1.6: the row's sequence number, as text
  if (!start.transaction_id.empty()) id = start.transaction_id;
  return run(*db_, "recording a transaction start", [&]() -> Result<std::string> {
    return in_transaction(*db_, [&]() -> Result<std::string> {
      // One statement names the transaction in its own write; a start that exists writes nothing, keeps its
      // id.
      auto r = db_->exec(
          "WITH next AS (SELECT nextval(pg_get_serial_sequence('transactions', 'seq')) AS seq) "
          "INSERT INTO transactions (seq, station_id, transaction_id, evse_id, connector_id, id_token, "
          "started, meter_start_wh, last_energy_import_wh) "
          "SELECT seq, $1::text, COALESCE($2::text, seq::text), $3::integer, $4::integer, $5::text, "
          "$6::bigint, $7::double precision, $7::double precision FROM next "
          "ON CONFLICT (station_id, transaction_id) DO NOTHING RETURNING transaction_id",
          Params(start.station_id, id, start.evse_id, start.connector_id, start.id_token, start.time,
                 start.meter_start_wh));
      if (!r) return r.error();
      if (r->rows() == 1) return r->text(0, 0);
      if (id) return *id;
      return Error{"the new transaction's number is a transaction id the station already uses"};
    });
  });
}

std::optional<TransactionRecord> PostgresStore::transaction(const std::string& station_id,
                                                            const std::string& transaction_id) {
  return select_one(*db_, "reading a transaction",
                    transactions_where("WHERE station_id = $1 AND transaction_id = $2").c_str(),
                    Params(station_id, transaction_id), transaction_at);
}

std::vector<TransactionRecord> PostgresStore::open_transactions() {
  return select_all(*db_, "reading the open transactions",
                    transactions_where("WHERE stopped IS NULL ORDER BY seq").c_str(), Params(),
                    transaction_at);
}

Result<bool> PostgresStore::stop_transaction(const ocpp::TransactionStop& stop) {
  return run(*db_, "recording a transaction stop", [&]() -> Result<bool> {
    auto r = db_->exec(
        "UPDATE transactions SET stopped = $3, meter_stop_wh = $4, stop_reason = $5, "
        "last_energy_import_wh = COALESCE($4, last_energy_import_wh) "
        "WHERE station_id = $1 AND transaction_id = $2",
        Params(stop.station_id, stop.transaction_id, stop.time, stop.meter_stop_wh, stop.reason));
    if (!r) return r.error();
    return r->changed() > 0;
  });
}

Result<bool> PostgresStore::add_meter_values(const std::string& station_id, const std::string& transaction_id,
                                             int evse_id, std::span<const ocpp::MeterSample> samples) {
  std::optional<double> latest_import;
  for (const auto& m : samples)
    if (m.energy_import_wh) latest_import = m.energy_import_wh;
  return run(*db_, "storing meter values", [&]() -> Result<bool> {
    return in_transaction(*db_, [&]() -> Result<bool> {
      if (!transaction_id.empty()) {  // the station's transaction, its register updated; or nothing written
        auto known = db_->exec(
            "UPDATE transactions SET last_energy_import_wh = "
            "COALESCE($3, last_energy_import_wh) WHERE station_id = $1 AND transaction_id = $2",
            Params(station_id, transaction_id, latest_import));
        if (!known) return known.error();
        if (known->changed() == 0) return false;
      }
      using Sample = ocpp::MeterSample;
      auto rows = db_->exec(
          "INSERT INTO meter_values (station_id, transaction_id, evse_id, time, energy_import_wh, "
          "energy_export_wh, power_w, soc_pct) SELECT $1::text, $2::text, $3::integer, u.* "
          "FROM unnest($4::bigint[], $5::double precision[], $6::double precision[], $7::double precision[], "
          "$8::double precision[]) AS u",
          Params(station_id, transaction_id, evse_id, array_of(samples, &Sample::time),
                 array_of(samples, &Sample::energy_import_wh), array_of(samples, &Sample::energy_export_wh),
                 array_of(samples, &Sample::power_w), array_of(samples, &Sample::soc_pct)));
      if (!rows) return rows.error();
      auto count = db_->exec("UPDATE meter_value_count SET n = n + $1", Params(rows->changed()));
      if (!count) return count.error();
      return true;
    });
  });
}

std::vector<MeterRecord> PostgresStore::meter_values(const std::string& station_id,
                                                     const std::string& transaction_id) {
  return select_all(
      *db_, "reading meter values",
      "SELECT evse_id, time, energy_import_wh, energy_export_wh, power_w, soc_pct FROM meter_values "
      "WHERE station_id = $1 AND transaction_id = $2 ORDER BY time, seq",
      Params(station_id, transaction_id), [&](const PgResult& r, int i) {
        return MeterRecord{station_id,
                           transaction_id,
                           r.integer<int>(i, 0),
                           {r.time(i, 1), r.optional_real(i, 2), r.optional_real(i, 3), r.optional_real(i, 4),
                            r.optional_real(i, 5)}};
      });
}

std::size_t PostgresStore::meter_value_count() {
  auto n = select_one(*db_, "counting meter values", "SELECT n FROM meter_value_count", Params(),
                      [](const PgResult& r, int i) { return r.integer<std::size_t>(i, 0); });
  return n.value_or(0);
}

std::vector<TransactionRecord> PostgresStore::sessions(const std::optional<std::string>& owner_id,
                                                       const std::optional<std::string>& transaction_id,
                                                       std::size_t limit) {
  // $1 / $2 are NULL when not filtering on them.
  return select_all(
      *db_, "reading sessions",
      transactions_where("WHERE ($1::text IS NULL OR id_token IN "
                         "(SELECT id_token FROM owner_id_tokens WHERE owner_id = $1)) "
                         "AND ($2::text IS NULL OR transaction_id = $2) ORDER BY seq DESC LIMIT $3")
          .c_str(),
      Params(owner_id, transaction_id, static_cast<std::int64_t>(limit)), transaction_at);
}

std::optional<TransactionRecord> PostgresStore::session(std::int64_t session_id) {
  return select_one(*db_, "reading a session", transactions_where("WHERE seq = $1").c_str(),
                    Params(session_id), transaction_at);
}

Status PostgresStore::add_api_token(const std::string& token_sha256, const ApiToken& token) {
  std::string role = token.role == ApiRole::owner ? "owner" : "operator";
  return run(*db_, "saving an API token", [&]() -> Status {
    return in_transaction(*db_, [&]() -> Status {  // a hash is one token: not a write to repeat
      auto r = db_->exec("INSERT INTO api_tokens (token_sha256, role, owner_id) VALUES ($1, $2, $3)",
                         Params(token_sha256, role, token.owner_id));
      if (!r) return r.error();
      return ok_status();
    });
  });
}

std::optional<ApiToken> PostgresStore::api_token(const std::string& token_sha256) {
  return select_one(
      *db_, "reading an API token", "SELECT role, owner_id FROM api_tokens WHERE token_sha256 = $1",
      Params(token_sha256), [](const PgResult& r, int i) {
        return ApiToken{r.text(i, 0) == "owner" ? ApiRole::owner : ApiRole::operator_, r.text(i, 1)};
      });
}

Status PostgresStore::link_id_token(const std::string& owner_id, const std::string& id_token) {
  return write(*db_, "linking an id token", kLinkIdToken, Params(id_token, owner_id));
}

std::optional<std::string> PostgresStore::owner_of_id_token(const std::string& id_token) {
  return select_one(*db_, "reading the owner of an id token",
                    "SELECT owner_id FROM owner_id_tokens WHERE id_token = $1", Params(id_token),
                    [](const PgResult& r, int i) { return r.text(i, 0); });
}

Status PostgresStore::put_preferences(const std::string& owner_id, const OwnerPreferences& p) {
  return write(
      *db_, "saving preferences of " + owner_id,
      "INSERT INTO owner_preferences (owner_id, departure_minute_utc, target_energy_kwh, min_energy_kwh, "
      "v2g_consent, wear_budget_eur, target_soc_pct, min_soc_pct) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (owner_id) DO UPDATE SET departure_minute_utc = EXCLUDED.departure_minute_utc, "
      "target_energy_kwh = EXCLUDED.target_energy_kwh, min_energy_kwh = EXCLUDED.min_energy_kwh, "
      "v2g_consent = EXCLUDED.v2g_consent, wear_budget_eur = EXCLUDED.wear_budget_eur, "
      "target_soc_pct = EXCLUDED.target_soc_pct, min_soc_pct = EXCLUDED.min_soc_pct",
      Params(owner_id, p.departure_minute_utc, p.target_energy_kwh, p.min_energy_kwh, p.v2g_consent,
             p.wear_budget_eur, p.target_soc_pct, p.min_soc_pct));
}

std::optional<OwnerPreferences> PostgresStore::preferences(const std::string& owner_id) {
  return select_one(
      *db_, "reading preferences of " + owner_id,
      "SELECT departure_minute_utc, target_energy_kwh, min_energy_kwh, v2g_consent, wear_budget_eur, "
      "target_soc_pct, min_soc_pct FROM owner_preferences WHERE owner_id = $1",
      Params(owner_id), [](const PgResult& r, int i) {
        OwnerPreferences p;
        if (!r.null(i, 0)) p.departure_minute_utc = r.integer<int>(i, 0);
        p.target_energy_kwh = r.optional_real(i, 1);
        p.min_energy_kwh = r.optional_real(i, 2);
        p.v2g_consent = r.boolean(i, 3);
        p.wear_budget_eur = r.optional_real(i, 4);
        p.target_soc_pct = r.optional_real(i, 5);
        p.min_soc_pct = r.optional_real(i, 6);
        return p;
      });
}

Status PostgresStore::put_vehicle(const VehicleRecord& v) {
  return run(*db_, "saving vehicle " + v.id, [&]() -> Status {
    return in_transaction(*db_, [&]() -> Status {
      auto saved = db_->exec(
          "INSERT INTO vehicles (id, owner_id, id_token, name, battery_kwh, max_charge_kw, max_discharge_kw) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET owner_id = EXCLUDED.owner_id, "
          "id_token = EXCLUDED.id_token, name = EXCLUDED.name, battery_kwh = EXCLUDED.battery_kwh, "
          "max_charge_kw = EXCLUDED.max_charge_kw, max_discharge_kw = EXCLUDED.max_discharge_kw",
          Params(v.id, v.owner_id, v.id_token, v.name, v.battery_kwh, v.max_charge_kw, v.max_discharge_kw));
      if (!saved) return saved.error();
      if (!v.id_token.empty()) {
        if (auto linked = db_->exec(kLinkIdToken, Params(v.id_token, v.owner_id)); !linked)
          return linked.error();
      }
      return ok_status();
    });
  });
}

std::optional<VehicleRecord> PostgresStore::vehicle(const std::string& id) {
  return select_one(*db_, "reading vehicle " + id, vehicles_where("WHERE id = $1").c_str(), Params(id),
                    vehicle_at);
}

std::optional<VehicleRecord> PostgresStore::vehicle_of_id_token(const std::string& id_token) {
  if (id_token.empty()) return std::nullopt;
  return select_one(*db_, "reading the vehicle of an id token",
                    vehicles_where("WHERE id_token = $1 ORDER BY id LIMIT 1").c_str(), Params(id_token),
                    vehicle_at);
}

std::vector<VehicleRecord> PostgresStore::vehicles(const std::optional<std::string>& owner_id) {
  return select_all(*db_, "reading vehicles",
                    vehicles_where("WHERE $1::text IS NULL OR owner_id = $1 ORDER BY id").c_str(),
                    Params(owner_id), vehicle_at);
}

Result<bool> PostgresStore::record_settlement(const SettlementRecord& r) {
  const settle::SessionSettlement& m = r.settlement;
  return run(*db_, "recording a settlement", [&]() -> Result<bool> {
    return in_transaction(*db_, [&]() -> Result<bool> {
      auto head = db_->exec(
          "INSERT INTO settlements (session_id, owner_id, settled_at, import_kwh, export_kwh, "
          "import_cost_cents, export_revenue_cents, uncontrolled_cost_cents, savings_cents, "
          "platform_fee_cents, owner_earnings_cents) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (session_id) DO NOTHING",
          Params(r.session_id, r.owner_id, r.settled_at, m.import_kwh, m.export_kwh, m.import_cost,
                 m.export_revenue, m.uncontrolled_cost, m.savings, m.platform_fee, m.owner_earnings));
      if (!head) return head.error();
      if (head->changed() == 0) return false;  // settled already
      using Interval = settle::SettledInterval;
      auto intervals = db_->exec(
          "INSERT INTO settlement_intervals (session_id, start, import_kwh, export_kwh, price_eur_per_kwh, "
          "import_cost_cents, export_revenue_cents) SELECT $1::bigint, u.* FROM unnest($2::bigint[], "
          "$3::double precision[], $4::double precision[], $5::double precision[], $6::bigint[], "
          "$7::bigint[]) AS u",
          Params(r.session_id, array_of(m.intervals, &Interval::start),
                 array_of(m.intervals, &Interval::import_kwh), array_of(m.intervals, &Interval::export_kwh),
                 array_of(m.intervals, &Interval::price_eur_per_kwh),
                 array_of(m.intervals, &Interval::import_cost),
                 array_of(m.intervals, &Interval::export_revenue)));
      if (!intervals) return intervals.error();
      using Entry = settle::LedgerEntry;
      auto entries = db_->exec(
          "INSERT INTO ledger (session_id, time, account, amount_cents, memo) "
          "SELECT $1::bigint, $2::bigint, u.* FROM unnest($3::text[], $4::bigint[], $5::text[]) AS u",
          Params(r.session_id, r.settled_at, array_of(m.entries, &Entry::account),
                 array_of(m.entries, &Entry::amount), array_of(m.entries, &Entry::memo)));
      if (!entries) return entries.error();
      return true;
    });
  });
}

std::vector<TransactionRecord> PostgresStore::unsettled_sessions(std::size_t limit) {
  return select_all(
      *db_, "reading unsettled sessions",
      transactions_where("WHERE stopped IS NOT NULL AND NOT EXISTS "
                         "(SELECT 1 FROM settlements s WHERE s.session_id = seq) ORDER BY seq LIMIT $1")
          .c_str(),
      Params(static_cast<std::int64_t>(limit)), transaction_at);
}

std::vector<SettlementRecord> PostgresStore::settlements(const std::optional<std::string>& owner_id,
                                                         std::optional<UtcTime> from,
                                                         std::optional<UtcTime> to) {
  return logged(run(*db_, "reading settlements", [&]() -> Result<std::vector<SettlementRecord>> {
    // Three reads, not one per settlement. A settlement's intervals and entries were committed with it.
    auto heads = db_->exec(
        "SELECT s.session_id, s.owner_id, s.settled_at, s.import_kwh, s.export_kwh, s.import_cost_cents, "
        "s.export_revenue_cents, s.uncontrolled_cost_cents, s.savings_cents, s.platform_fee_cents, "
        "s.owner_earnings_cents FROM settlements s JOIN transactions t ON t.seq = s.session_id "
        "WHERE ($1::text IS NULL OR s.owner_id = $1) AND ($2::bigint IS NULL OR t.stopped >= $2) "
        "AND ($3::bigint IS NULL OR t.started < $3) ORDER BY t.started, s.session_id",
        Params(owner_id, from, to));
    if (!heads) return heads.error();
    std::vector<SettlementRecord> out;
    for (int i = 0; i < heads->rows(); ++i) out.push_back(settlement_at(*heads, i));
    if (out.empty()) return out;
    std::unordered_map<std::int64_t, settle::SessionSettlement*> of_session;
    for (auto& s : out) of_session[s.session_id] = &s.settlement;
    Params sessions(array_of(out, &SettlementRecord::session_id));
    auto intervals = db_->exec(
        "SELECT session_id, start, import_kwh, export_kwh, price_eur_per_kwh, "
        "import_cost_cents, export_revenue_cents FROM settlement_intervals "
        "WHERE session_id = ANY($1::bigint[]) ORDER BY session_id, start",
        sessions);
    if (!intervals) return intervals.error();
    for (int i = 0; i < intervals->rows(); ++i) {
      const PgResult& v = *intervals;
      of_session[v.integer(i, 0)]->intervals.push_back(
          {v.time(i, 1), v.real(i, 2), v.real(i, 3), v.real(i, 4), v.integer(i, 5), v.integer(i, 6)});
    }
    auto entries = db_->exec(
        "SELECT session_id, account, amount_cents, memo FROM ledger "
        "WHERE session_id = ANY($1::bigint[]) ORDER BY seq",
        sessions);
    if (!entries) return entries.error();
    for (int i = 0; i < entries->rows(); ++i) {
      const PgResult& e = *entries;
      of_session[e.integer(i, 0)]->entries.push_back({e.text(i, 1), e.integer(i, 2), e.text(i, 3)});
    }
    return out;
  }));
}

std::vector<LedgerRecord> PostgresStore::ledger() {
  return select_all(
      *db_, "reading the ledger",
      "SELECT session_id, time, account, amount_cents, memo FROM ledger ORDER BY seq", Params(),
      [](const PgResult& r, int i) {
        return LedgerRecord{r.integer(i, 0), r.time(i, 1), {r.text(i, 2), r.integer(i, 3), r.text(i, 4)}};
      });
}

}  // namespace voltpool::store
