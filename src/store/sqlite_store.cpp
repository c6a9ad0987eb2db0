#include "store/sqlite_store.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include "store/series_text.hpp"
#include "store/sqlite_schema.hpp"
#include "store/sqlite_statement.hpp"

namespace voltpool::store {

namespace {

TransactionRecord transaction_row(const Statement& s) {
  TransactionRecord t;
  t.session_id = s.integer(11);
  t.station_id = s.text(0);
  t.transaction_id = s.text(1);
  t.evse_id = static_cast<int>(s.integer(2));
  t.connector_id = static_cast<int>(s.integer(3));
  t.id_token = s.text(4);
  t.started = s.time(5);
  if (!s.null(6)) t.stopped = s.time(6);
  t.meter_start_wh = s.optional_real(7);
  t.meter_stop_wh = s.optional_real(8);
  t.last_energy_import_wh = s.optional_real(9);
  t.stop_reason = s.text(10);
  return t;
}

constexpr const char* kTransactionColumns =
    "station_id, transaction_id, evse_id, connector_id, id_token, started, stopped, meter_start_wh, meter_stop_wh, "
    "last_energy_import_wh, stop_reason, seq";

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Error e{fmt::format("database {}: {}", path, db ? sqlite3_errmsg(db) : "cannot open")};
    sqlite3_close(db);
    return e;
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  sqlite3_busy_timeout(db, 5000);
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (auto s = exec(db, pragma); !s) return Error{fmt::format("database {}: {}", path, s.error().message)};
  }
  if (auto s = store->migrate(); !s) return Error{fmt::format("database {}: {}", path, s.error().message)};
  return store;
}

SqliteStore::~SqliteStore() { sqlite3_close(db_); }

Status SqliteStore::migrate() {
  std::size_t applied = 0;
  {
    // Scoped: a statement left open holds a read transaction, which could not become the migration's write.
    Statement version(db_, "PRAGMA user_version");
    if (!version.ok() || version.step() != SQLITE_ROW) return sqlite_error(db_, "reading the schema version");
    applied = static_cast<std::size_t>(version.integer(0));
  }
  const auto migrations = sqlite_migrations();
  const std::size_t known = migrations.size();
  if (applied > known)
    return Error{fmt::format("schema version {} is newer than this voltpool ({}); upgrade voltpool", applied, known)};
  for (std::size_t i = applied; i < known; ++i) {
    WriteTransaction tx(db_);
    if (!tx.begun()) return sqlite_error(db_, "starting a migration");
    // Another process may have migrated while this one waited for the write lock.
    Statement again(db_, "PRAGMA user_version");
    if (again.step() == SQLITE_ROW && static_cast<std::size_t>(again.integer(0)) > i) continue;
    if (auto s = exec(db_, migrations[i]); !s) return s;
    if (auto s = exec(db_, fmt::format("PRAGMA user_version={}", i + 1).c_str()); !s) return s;
    if (auto s = tx.commit(); !s) return s;
  }
  return ok_status();
}

Status SqliteStore::put_station(const StationRecord& station) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "INSERT INTO stations (id, password_hash, max_power_kw) VALUES (?1, ?2, ?3) "
              "ON CONFLICT(id) DO UPDATE SET password_hash = ?2, max_power_kw = ?3");
  s.bind(1, station.id).bind(2, station.password_hash).bind(3, station.max_power_kw);
  if (s.step() != SQLITE_DONE) return sqlite_error(db_, "saving station " + station.id);
  return ok_status();
}

std::optional<StationRecord> SqliteStore::station(const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT id, password_hash, max_power_kw, vendor, model FROM stations WHERE id = ?1");
  s.bind(1, id);
  if (s.step() != SQLITE_ROW) return std::nullopt;
  return StationRecord{s.text(0), s.text(1), s.real(2), s.text(3), s.text(4)};
}

std::vector<StationRecord> SqliteStore::stations() {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT id, password_hash, max_power_kw, vendor, model FROM stations ORDER BY id");
  std::vector<StationRecord> out;
  while (s.step() == SQLITE_ROW) out.push_back({s.text(0), s.text(1), s.real(2), s.text(3), s.text(4)});
  return out;
}

Status SqliteStore::record_boot(const std::string& station_id, const ocpp::BootInfo& info, UtcTime time) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE stations SET vendor = ?2, model = ?3, last_boot = ?4 WHERE id = ?1");
  s.bind(1, station_id).bind(2, info.vendor).bind(3, info.model).bind(4, time);
  if (s.step() != SQLITE_DONE) return sqlite_error(db_, "recording the boot of " + station_id);
  return ok_status();
}

Status SqliteStore::record_status(const std::string& station_id, int evse_id, int connector_id,
                                  const std::string& status, UtcTime time) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "INSERT INTO connector_status (station_id, evse_id, connector_id, status, time) VALUES (?1,?2,?3,?4,?5) "
              "ON CONFLICT(station_id, evse_id, connector_id) DO UPDATE SET status = ?4, time = ?5");
  s.bind(1, station_id).bind(2, evse_id).bind(3, connector_id).bind(4, status).bind(5, time);
  if (s.step() != SQLITE_DONE) return sqlite_error(db_, "recording a status of " + station_id);
  return ok_status();
}

Status SqliteStore::allow_id_token(const std::string& id_token) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "INSERT OR IGNORE INTO id_tokens (id_token) VALUES (?1)");
  s.bind(1, id_token);
  if (s.step() != SQLITE_DONE) return sqlite_error(db_, "adding an id token");
  return ok_status();
}

bool SqliteStore::id_token_allowed(const std::string& id_token) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT 1 FROM id_tokens WHERE id_token = ?1");
  s.bind(1, id_token);
  return s.step() == SQLITE_ROW;
}

Result<std::string> SqliteStore::start_transaction(const ocpp::TransactionStart& start) {
  std::lock_guard lock(mutex_);
  WriteTransaction tx(db_);
  if (!tx.begun()) return sqlite_error(db_, "starting a transaction");
  std::string id = start.transaction_id;
  if (!id.empty()) {
    Statement existing(db_, "SELECT 1 FROM transactions WHERE station_id = ?1 AND transaction_id = ?2");
    existing.bind(1, start.station_id).bind(2, id);
    if (existing.step() == SQLITE_ROW) return id;
  } else {
    // 1.6: a StartTransaction sent again (its answer was lost) is the open transaction it already made.
    Statement same(db_, "SELECT transaction_id FROM transactions WHERE station_id = ?1 AND connector_id = ?2 AND "
                        "id_token = ?3 AND started = ?4 AND meter_start_wh IS ?5 AND stopped IS NULL");
    same.bind(1, start.station_id).bind(2, start.connector_id).bind(3, start.id_token).bind(4, start.time);
    same.bind(5, start.meter_start_wh);
    if (same.step() == SQLITE_ROW) return same.text(0);
  }
  Statement insert(db_,
                   "INSERT INTO transactions (station_id, transaction_id, evse_id, connector_id, id_token, started, "
                   "meter_start_wh, last_energy_import_wh) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
  // 1.6 ids are the row's sequence number (unique across stations), named inside this same transaction.
  insert.bind(1, start.station_id).bind(2, id.empty() ? std::string("pending") : id).bind(3, start.evse_id);
  insert.bind(4, start.connector_id).bind(5, start.id_token).bind(6, start.time).bind(7, start.meter_start_wh);
  if (insert.step() != SQLITE_DONE) return sqlite_error(db_, "recording a transaction start");
  if (id.empty()) {
    std::int64_t seq = sqlite3_last_insert_rowid(db_);
    id = std::to_string(seq);
    Statement name(db_, "UPDATE transactions SET transaction_id = ?1 WHERE seq = ?2");
    name.bind(1, id).bind(2, seq);
    if (name.step() != SQLITE_DONE) return sqlite_error(db_, "naming a transaction");
  }
  if (auto s = tx.commit(); !s) return s.error();
  return id;
}

std::optional<TransactionRecord> SqliteStore::transaction(const std::string& station_id,
                                                          const std::string& transaction_id) {
  std::lock_guard lock(mutex_);
  Statement s(db_, fmt::format("SELECT {} FROM transactions WHERE station_id = ?1 AND transaction_id = ?2",
                               kTransactionColumns).c_str());
  s.bind(1, station_id).bind(2, transaction_id);
  if (s.step() != SQLITE_ROW) return std::nullopt;
  return transaction_row(s);
}

std::vector<TransactionRecord> SqliteStore::open_transactions() {
  std::lock_guard lock(mutex_);
  Statement s(db_, fmt::format("SELECT {} FROM transactions WHERE stopped IS NULL ORDER BY seq", kTransactionColumns).c_str());
  std::vector<TransactionRecord> out;
  while (s.step() == SQLITE_ROW) out.push_back(transaction_row(s));
  return out;
}

Result<bool> SqliteStore::stop_transaction(const ocpp::TransactionStop& stop) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "UPDATE transactions SET stopped = ?3, meter_stop_wh = ?4, stop_reason = ?5, "
              "last_energy_import_wh = COALESCE(?4, last_energy_import_wh) "
              "WHERE station_id = ?1 AND transaction_id = ?2");
  s.bind(1, stop.station_id).bind(2, stop.transaction_id).bind(3, stop.time).bind(4, stop.meter_stop_wh);
  s.bind(5, stop.reason);
  if (s.step() != SQLITE_DONE) return sqlite_error(db_, "recording a transaction stop");
  return sqlite3_changes(db_) > 0;
}

Result<bool> SqliteStore::add_meter_values(const std::string& station_id, const std::string& transaction_id,
                                           int evse_id, std::span<const ocpp::MeterSample> samples) {
  std::lock_guard lock(mutex_);
  WriteTransaction tx(db_);
  if (!tx.begun()) return sqlite_error(db_, "storing meter values");
  if (!transaction_id.empty()) {
    Statement known(db_, "SELECT 1 FROM transactions WHERE station_id = ?1 AND transaction_id = ?2");
    known.bind(1, station_id).bind(2, transaction_id);
    if (known.step() != SQLITE_ROW) return false;
  }
  Statement insert(db_,
                   "INSERT INTO meter_values (station_id, transaction_id, evse_id, time, energy_import_wh, "
                   "energy_export_wh, power_w, soc_pct) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  std::optional<double> latest_import;
  for (const auto& m : samples) {
    Statement& row = insert;
    row.reset();
    row.bind(1, station_id).bind(2, transaction_id).bind(3, evse_id).bind(4, m.time).bind(5, m.energy_import_wh);
    row.bind(6, m.energy_export_wh).bind(7, m.power_w).bind(8, m.soc_pct);
    if (row.step() != SQLITE_DONE) return sqlite_error(db_, "storing a meter value");
    if (m.energy_import_wh) latest_import = m.energy_import_wh;
  }
  if (latest_import && !transaction_id.empty()) {
    Statement update(db_, "UPDATE transactions SET last_energy_import_wh = ?3 WHERE station_id = ?1 AND transaction_id = ?2");
    update.bind(1, station_id).bind(2, transaction_id).bind(3, latest_import);
    if (update.step() != SQLITE_DONE) return sqlite_error(db_, "updating a transaction's meter");
  }
  if (auto s = tx.commit(); !s) return s.error();
  return true;
}

std::vector<MeterRecord> SqliteStore::meter_values(const std::string& station_id, const std::string& transaction_id) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "SELECT evse_id, time, energy_import_wh, energy_export_wh, power_w, soc_pct FROM meter_values "
              "WHERE station_id = ?1 AND transaction_id = ?2 ORDER BY time, seq");
  s.bind(1, station_id).bind(2, transaction_id);
  std::vector<MeterRecord> out;
  while (s.step() == SQLITE_ROW) {
    MeterRecord r;
    r.station_id = station_id;
    r.transaction_id = transaction_id;
    r.evse_id = static_cast<int>(s.integer(0));
    r.sample = {s.time(1), s.optional_real(2), s.optional_real(3), s.optional_real(4), s.optional_real(5)};
    out.push_back(r);
  }
  return out;
}

std::size_t SqliteStore::meter_value_count() {
  std::lock_guard lock(mutex_);
  // Meter values are never deleted, so their AUTOINCREMENT sequence is their count: O(1), where COUNT(*) would
  // scan the table under the store's lock at every /metrics scrape.
  Statement s(db_, "SELECT seq FROM sqlite_sequence WHERE name = 'meter_values'");
  return s.step() == SQLITE_ROW ? static_cast<std::size_t>(s.integer(0)) : 0;
}

std::vector<TransactionRecord> SqliteStore::sessions(const std::optional<std::string>& owner_id,
                                                     const std::optional<std::string>& transaction_id,
                                                     std::size_t limit) {
  std::lock_guard lock(mutex_);
  // ?1 / ?3 are NULL when not filtering on them.
  Statement s(db_, fmt::format("SELECT {} FROM transactions WHERE "
                               "(?1 IS NULL OR id_token IN (SELECT id_token FROM owner_id_tokens WHERE owner_id = ?1)) "
                               "AND (?3 IS NULL OR transaction_id = ?3) ORDER BY seq DESC LIMIT ?2",
                               kTransactionColumns).c_str());
  s.bind(1, owner_id).bind(2, static_cast<std::int64_t>(limit)).bind(3, transaction_id);
  std::vector<TransactionRecord> out;
  while (s.step() == SQLITE_ROW) out.push_back(transaction_row(s));
  return out;
}

std::optional<TransactionRecord> SqliteStore::session(std::int64_t session_id) {
  std::lock_guard lock(mutex_);
  Statement s(db_, fmt::format("SELECT {} FROM transactions WHERE seq = ?1", kTransactionColumns).c_str());
  s.bind(1, session_id);
  if (s.step() != SQLITE_ROW) return std::nullopt;
  return transaction_row(s);
}

Status SqliteStore::add_api_token(const std::string& token_sha256, const ApiToken& token) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "INSERT INTO api_tokens (token_sha256, role, owner_id) VALUES (?1, ?2, ?3)");
  s.bind(1, token_sha256).bind(2, std::string(token.role == ApiRole::owner ? "owner" : "operator")).bind(3, token.owner_id);
  if (s.step() != SQLITE_DONE) return sqlite_error(db_, "saving an API token");
  return ok_status();
}

std::optional<ApiToken> SqliteStore::api_token(const std::string& token_sha256) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT role, owner_id FROM api_tokens WHERE token_sha256 = ?1");
  s.bind(1, token_sha256);
  if (s.step() != SQLITE_ROW) return std::nullopt;
  return ApiToken{s.text(0) == "owner" ? ApiRole::owner : ApiRole::operator_, s.text(1)};
}

Status SqliteStore::link_id_token(const std::string& owner_id, const std::string& id_token) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "INSERT INTO owner_id_tokens (id_token, owner_id) VALUES (?1, ?2) "
                   "ON CONFLICT(id_token) DO UPDATE SET owner_id = ?2");
  s.bind(1, id_token).bind(2, owner_id);
  if (s.step() != SQLITE_DONE) return sqlite_error(db_, "linking an id token");
  return ok_status();
}

std::optional<std::string> SqliteStore::owner_of_id_token(const std::string& id_token) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT owner_id FROM owner_id_tokens WHERE id_token = ?1");
  s.bind(1, id_token);
  if (s.step() != SQLITE_ROW) return std::nullopt;
  return s.text(0);
}

Status SqliteStore::put_preferences(const std::string& owner_id, const OwnerPreferences& p) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "INSERT INTO owner_preferences (owner_id, departure_minute_utc, target_energy_kwh, min_energy_kwh, "
              "v2g_consent, wear_budget_eur, target_soc_pct, min_soc_pct, weekly_discharge_cap_kwh) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
              "ON CONFLICT(owner_id) DO UPDATE SET departure_minute_utc = ?2, target_energy_kwh = ?3, "
              "min_energy_kwh = ?4, v2g_consent = ?5, wear_budget_eur = ?6, target_soc_pct = ?7, min_soc_pct = ?8, "
              "weekly_discharge_cap_kwh = ?9");
  std::optional<std::int64_t> minute;
  if (p.departure_minute_utc) minute = *p.departure_minute_utc;
  s.bind(1, owner_id).bind(2, minute).bind(3, p.target_energy_kwh).bind(4, p.min_energy_kwh);
  s.bind(5, p.v2g_consent ? 1 : 0).bind(6, p.wear_budget_eur).bind(7, p.target_soc_pct).bind(8, p.min_soc_pct);
  s.bind(9, p.weekly_discharge_cap_kwh);
  if (s.step() != SQLITE_DONE) return sqlite_error(db_, "saving preferences of " + owner_id);
  return ok_status();
}

std::optional<OwnerPreferences> SqliteStore::preferences(const std::string& owner_id) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT departure_minute_utc, target_energy_kwh, min_energy_kwh, v2g_consent, wear_budget_eur, "
                   "target_soc_pct, min_soc_pct, weekly_discharge_cap_kwh FROM owner_preferences WHERE owner_id = ?1");
  s.bind(1, owner_id);
  if (s.step() != SQLITE_ROW) return std::nullopt;
  OwnerPreferences p;
  if (!s.null(0)) p.departure_minute_utc = static_cast<int>(s.integer(0));
  p.target_energy_kwh = s.optional_real(1);
  p.min_energy_kwh = s.optional_real(2);
  p.v2g_consent = s.integer(3) != 0;
  p.wear_budget_eur = s.optional_real(4);
  p.target_soc_pct = s.optional_real(5);
  p.min_soc_pct = s.optional_real(6);
  p.weekly_discharge_cap_kwh = s.optional_real(7);
  return p;
}

namespace {

constexpr const char* kVehicleColumns = "id, owner_id, id_token, name, battery_kwh, max_charge_kw, max_discharge_kw";

VehicleRecord vehicle_row(const Statement& s) {
  return {s.text(0), s.text(1), s.text(2), s.text(3), s.real(4), s.real(5), s.real(6)};
}

}  // namespace

Status SqliteStore::put_vehicle(const VehicleRecord& v) {
  std::lock_guard lock(mutex_);
  WriteTransaction tx(db_);
  if (!tx.begun()) return sqlite_error(db_, "saving vehicle " + v.id);
  Statement s(db_,
              "INSERT INTO vehicles (id, owner_id, id_token, name, battery_kwh, max_charge_kw, max_discharge_kw) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO UPDATE SET owner_id = ?2, id_token = ?3, "
              "name = ?4, battery_kwh = ?5, max_charge_kw = ?6, max_discharge_kw = ?7");
  s.bind(1, v.id).bind(2, v.owner_id).bind(3, v.id_token).bind(4, v.name).bind(5, v.battery_kwh);
  s.bind(6, v.max_charge_kw).bind(7, v.max_discharge_kw);
  if (s.step() != SQLITE_DONE) return sqlite_error(db_, "saving vehicle " + v.id);
  if (!v.id_token.empty()) {
    Statement link(db_, "INSERT INTO owner_id_tokens (id_token, owner_id) VALUES (?1, ?2) "
                        "ON CONFLICT(id_token) DO UPDATE SET owner_id = ?2");
    link.bind(1, v.id_token).bind(2, v.owner_id);
    if (link.step() != SQLITE_DONE) return sqlite_error(db_, "linking the id token of vehicle " + v.id);
  }
  return tx.commit();
}

std::optional<VehicleRecord> SqliteStore::vehicle(const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement s(db_, fmt::format("SELECT {} FROM vehicles WHERE id = ?1", kVehicleColumns).c_str());
  s.bind(1, id);
  if (s.step() != SQLITE_ROW) return std::nullopt;
  return vehicle_row(s);
}

std::optional<VehicleRecord> SqliteStore::vehicle_of_id_token(const std::string& id_token) {
  if (id_token.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  Statement s(db_, fmt::format("SELECT {} FROM vehicles WHERE id_token = ?1 ORDER BY id LIMIT 1", kVehicleColumns).c_str());
  s.bind(1, id_token);
  if (s.step() != SQLITE_ROW) return std::nullopt;
  return vehicle_row(s);
}

std::vector<VehicleRecord> SqliteStore::vehicles(const std::optional<std::string>& owner_id) {
  std::lock_guard lock(mutex_);
  Statement s(db_, fmt::format("SELECT {} FROM vehicles WHERE ?1 IS NULL OR owner_id = ?1 ORDER BY id",
                               kVehicleColumns).c_str());
  s.bind(1, owner_id);
  std::vector<VehicleRecord> out;
  while (s.step() == SQLITE_ROW) out.push_back(vehicle_row(s));
  return out;
}

Result<bool> SqliteStore::record_settlement(const SettlementRecord& r) {
  std::lock_guard lock(mutex_);
  WriteTransaction tx(db_);
  if (!tx.begun()) return sqlite_error(db_, "recording a settlement");
  {
    Statement done(db_, "SELECT 1 FROM settlements WHERE session_id = ?1");
    done.bind(1, r.session_id);
    if (done.step() == SQLITE_ROW) return false;
  }
  const settle::SessionSettlement& m = r.settlement;
  Statement head(db_,
                 "INSERT INTO settlements (session_id, owner_id, settled_at, import_kwh, export_kwh, import_cost_cents, "
                 "export_revenue_cents, uncontrolled_cost_cents, savings_cents, platform_fee_cents, "
                 "owner_earnings_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  head.bind(1, r.session_id).bind(2, r.owner_id).bind(3, r.settled_at).bind(4, m.import_kwh).bind(5, m.export_kwh);
  head.bind(6, m.import_cost).bind(7, m.export_revenue).bind(8, m.uncontrolled_cost).bind(9, m.savings);
  head.bind(10, m.platform_fee).bind(11, m.owner_earnings);
  if (head.step() != SQLITE_DONE) return sqlite_error(db_, "recording a settlement");
  Statement interval(db_,
                     "INSERT INTO settlement_intervals (session_id, start, import_kwh, export_kwh, price_eur_per_kwh, "
                     "import_cost_cents, export_revenue_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (const auto& iv : m.intervals) {
    interval.reset();
    interval.bind(1, r.session_id).bind(2, iv.start).bind(3, iv.import_kwh).bind(4, iv.export_kwh);
    interval.bind(5, iv.price_eur_per_kwh).bind(6, iv.import_cost).bind(7, iv.export_revenue);
    if (interval.step() != SQLITE_DONE) return sqlite_error(db_, "recording a settlement interval");
  }
  Statement entry(db_, "INSERT INTO ledger (session_id, time, account, amount_cents, memo) VALUES (?1, ?2, ?3, ?4, ?5)");
  for (const auto& e : m.entries) {
    entry.reset();
    entry.bind(1, r.session_id).bind(2, r.settled_at).bind(3, e.account).bind(4, e.amount).bind(5, e.memo);
    if (entry.step() != SQLITE_DONE) return sqlite_error(db_, "recording a ledger entry");
  }
  if (auto s = tx.commit(); !s) return s.error();
  return true;
}

std::vector<TransactionRecord> SqliteStore::unsettled_sessions(std::size_t limit) {
  std::lock_guard lock(mutex_);
  Statement s(db_, fmt::format("SELECT {} FROM transactions WHERE stopped IS NOT NULL AND seq NOT IN "
                               "(SELECT session_id FROM settlements) ORDER BY seq LIMIT ?1",
                               kTransactionColumns).c_str());
  s.bind(1, static_cast<std::int64_t>(limit));
  std::vector<TransactionRecord> out;
  while (s.step() == SQLITE_ROW) out.push_back(transaction_row(s));
  return out;
}

std::vector<SettlementRecord> SqliteStore::settlements(const std::optional<std::string>& owner_id,
                                                       std::optional<UtcTime> from, std::optional<UtcTime> to) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "SELECT s.session_id, s.owner_id, s.settled_at, s.import_kwh, s.export_kwh, s.import_cost_cents, "
              "s.export_revenue_cents, s.uncontrolled_cost_cents, s.savings_cents, s.platform_fee_cents, "
              "s.owner_earnings_cents FROM settlements s JOIN transactions t ON t.seq = s.session_id "
              "WHERE (?1 IS NULL OR s.owner_id = ?1) AND (?2 IS NULL OR t.stopped > ?2) AND (?3 IS NULL OR t.started < ?3) "
              "ORDER BY t.started, s.session_id");
  s.bind(1, owner_id).bind(2, from).bind(3, to);
  std::vector<SettlementRecord> out;
  while (s.step() == SQLITE_ROW) {
    SettlementRecord r;
    r.session_id = s.integer(0);
    r.owner_id = s.text(1);
    r.settled_at = s.time(2);
    auto& m = r.settlement;
    m.import_kwh = s.real(3);
    m.export_kwh = s.real(4);
    m.import_cost = s.integer(5);
    m.export_revenue = s.integer(6);
    m.uncontrolled_cost = s.integer(7);
    m.savings = s.integer(8);
    m.platform_fee = s.integer(9);
    m.owner_earnings = s.integer(10);
    out.push_back(std::move(r));
  }
  Statement interval(db_, "SELECT start, import_kwh, export_kwh, price_eur_per_kwh, import_cost_cents, "
                          "export_revenue_cents FROM settlement_intervals WHERE session_id = ?1 ORDER BY start");
  Statement entry(db_, "SELECT account, amount_cents, memo FROM ledger WHERE session_id = ?1 ORDER BY seq");
  for (auto& r : out) {
    interval.reset();
    interval.bind(1, r.session_id);
    while (interval.step() == SQLITE_ROW)
      r.settlement.intervals.push_back({interval.time(0), interval.real(1), interval.real(2), interval.real(3),
                                        interval.integer(4), interval.integer(5)});
    entry.reset();
    entry.bind(1, r.session_id);
    while (entry.step() == SQLITE_ROW) r.settlement.entries.push_back({entry.text(0), entry.integer(1), entry.text(2)});
  }
  return out;
}

std::vector<LedgerRecord> SqliteStore::ledger() {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT session_id, time, account, amount_cents, memo FROM ledger ORDER BY seq");
  std::vector<LedgerRecord> out;
  while (s.step() == SQLITE_ROW) out.push_back({s.integer(0), s.time(1), {s.text(2), s.integer(3), s.text(4)}});
  return out;
}

Status SqliteStore::add_signal(const std::string& kind, const TimeSeries& series, UtcTime accepted_at) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "INSERT INTO signals (kind, start, step_s, series_values, accepted_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, kind).bind(2, series.start).bind(3, static_cast<std::int64_t>(series.step.count()));
  s.bind(4, values_text(series.values)).bind(5, accepted_at);
  if (s.step() != SQLITE_DONE) return sqlite_error(db_, "saving a " + kind + " series");
  return ok_status();
}

std::vector<TimeSeries> SqliteStore::signals(const std::string& kind) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT start, step_s, series_values FROM signals WHERE kind = ?1 ORDER BY seq");
  s.bind(1, kind);
  std::vector<TimeSeries> out;
  while (s.step() == SQLITE_ROW) {
    auto values = values_from_text(s.text(2));
    if (!values) continue;  // written by values_text: cannot happen unless the file was edited by hand
    out.push_back({s.time(0), Seconds(s.integer(1)), std::move(values).value()});
  }
  return out;
}

Status SqliteStore::put_value(const std::string& key, const std::string& text) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "INSERT INTO service_values (key, text) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET text = ?2");
  s.bind(1, key).bind(2, text);
  if (s.step() != SQLITE_DONE) return sqlite_error(db_, "saving " + key);
  return ok_status();
}

std::optional<std::string> SqliteStore::value(const std::string& key) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT text FROM service_values WHERE key = ?1");
  s.bind(1, key);
  if (s.step() != SQLITE_ROW) return std::nullopt;
  return s.text(0);
}

Status SqliteStore::erase_value(const std::string& key) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "DELETE FROM service_values WHERE key = ?1");
  s.bind(1, key);
  if (s.step() != SQLITE_DONE) return sqlite_error(db_, "erasing " + key);
  return ok_status();
}

}  // namespace voltpool::store
