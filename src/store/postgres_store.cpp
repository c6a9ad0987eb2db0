#include "store/postgres_store.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "store/pg_connection.hpp"
#include "store/postgres_schema.hpp"
#include "store/series_text.hpp"

namespace voltpool::store {

namespace {

// A record type read from one table: its columns, named once, beside the mapping of a row of them.
template <class T>
struct Rows {
  const char* table;
  const char* columns;
  T (*at)(const PgResult& r, int i);

  // "SELECT <columns> FROM <table> <rest>".
  std::string select(std::string_view rest) const {
    return fmt::format("SELECT {} FROM {} {}", columns, table, rest);
  }
};

const Rows<StationRecord> kStations{
    "stations", "id, password_hash, max_power_kw, vendor, model", [](const PgResult& r, int i) {
      return StationRecord{r.text(i, 0), r.text(i, 1), r.real(i, 2), r.text(i, 3), r.text(i, 4)};
    }};

const Rows<TransactionRecord> kTransactions{
    "transactions",
    "seq, station_id, transaction_id, evse_id, connector_id, id_token, started, stopped, meter_start_wh, "
    "meter_stop_wh, last_energy_import_wh, stop_reason",
    [](const PgResult& r, int i) {
      return TransactionRecord{.session_id = r.integer(i, 0),
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
    }};

const Rows<VehicleRecord> kVehicles{
    "vehicles", "id, owner_id, id_token, name, battery_kwh, max_charge_kw, max_discharge_kw",
    [](const PgResult& r, int i) {
      return VehicleRecord{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3),
                           r.real(i, 4), r.real(i, 5), r.real(i, 6)};
    }};

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

// Ledger reads select session_id, then kEntryColumns.
constexpr const char* kEntryColumns = "account, amount_cents, memo";

settle::LedgerEntry entry_at(const PgResult& r, int i) {
  return {r.text(i, 1), r.integer(i, 2), r.text(i, 3)};
}

constexpr const char* kLinkIdToken =
    "INSERT INTO owner_id_tokens (id_token, owner_id) VALUES ($1, $2) "
    "ON CONFLICT (id_token) DO UPDATE SET owner_id = EXCLUDED.owner_id";

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& conninfo) {
  auto db = PgConnection::connect(conninfo);
  if (!db) return db.error();
  if (auto s = migrate(**db); !s)
    return Error{fmt::format("database {}: migrating the schema: {}", (*db)->describe(), s.error().message)};
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(*db)));
}

PostgresStore::PostgresStore(std::unique_ptr<PgConnection> db) : db_(std::move(db)) {}
PostgresStore::~PostgresStore() = default;

Status PostgresStore::put_station(const StationRecord& s) {
  return db_->write(
      "saving station " + s.id,
      "INSERT INTO stations (id, password_hash, max_power_kw) VALUES ($1, $2, $3) ON CONFLICT (id) "
      "DO UPDATE SET password_hash = EXCLUDED.password_hash, max_power_kw = EXCLUDED.max_power_kw",
      PgParams(s.id, s.password_hash, s.max_power_kw));
}

std::optional<StationRecord> PostgresStore::station(const std::string& id) {
  return db_->select_one("reading station " + id, kStations.select("WHERE id = $1").c_str(), PgParams(id),
                         kStations.at);
}

std::vector<StationRecord> PostgresStore::stations() {
  return db_->select_all("reading the stations", kStations.select("ORDER BY id").c_str(), PgParams(),
                         kStations.at);
}

Status PostgresStore::record_boot(const std::string& station_id, const ocpp::BootInfo& info, UtcTime time) {
  return db_->write("recording the boot of " + station_id,
                    "UPDATE stations SET vendor = $2, model = $3, last_boot = $4 WHERE id = $1",
                    PgParams(station_id, info.vendor, info.model, time));
}

Status PostgresStore::record_status(const std::string& station_id, int evse_id, int connector_id,
                                    const std::string& status, UtcTime time) {
  return db_->write("recording a status of " + station_id,
                    "INSERT INTO connector_status (station_id, evse_id, connector_id, status, time) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (station_id, evse_id, connector_id) "
                    "DO UPDATE SET status = EXCLUDED.status, time = EXCLUDED.time",
                    PgParams(station_id, evse_id, connector_id, status, time));
}

Status PostgresStore::allow_id_token(const std::string& id_token) {
  return db_->write("adding an id token",
                    "INSERT INTO id_tokens (id_token) VALUES ($1) ON CONFLICT DO NOTHING",
                    PgParams(id_token));
}

bool PostgresStore::id_token_allowed(const std::string& id_token) {
  return db_
      ->select_one("reading the id-token allow-list", "SELECT 1 FROM id_tokens WHERE id_token = $1",
                   PgParams(id_token), [](const PgResult&, int) { return true; })
      .has_value();
}

Result<std::string> PostgresStore::start_transaction(const ocpp::TransactionStart& start) {
  std::optional<std::string> id;  // NULL for 1.6: the row's sequence number, as text
  if (!start.transaction_id.empty()) id = start.transaction_id;
  return db_->run_in_transaction("recording a transaction start", [&]() -> Result<std::string> {
    if (!id) {
      // 1.6: a StartTransaction sent again (its answer was lost) is the open transaction it already made.
      auto same = db_->exec(
          "SELECT transaction_id FROM transactions WHERE station_id = $1 AND connector_id = $2 AND id_token = $3 "
          "AND started = $4 AND meter_start_wh IS NOT DISTINCT FROM $5::double precision AND stopped IS NULL",
          PgParams(start.station_id, start.connector_id, start.id_token, start.time, start.meter_start_wh));
      if (!same) return same.error();
      if (same->rows() > 0) return same->text(0, 0);
    }
    // One statement names the transaction in its own write; a start that exists writes nothing, keeps its id.
    auto r = db_->exec(
        "WITH next AS (SELECT nextval(pg_get_serial_sequence('transactions', 'seq')) AS seq) "
        "INSERT INTO transactions (seq, station_id, transaction_id, evse_id, connector_id, id_token, "
        "started, meter_start_wh, last_energy_import_wh) "
        "SELECT seq, $1::text, COALESCE($2::text, seq::text), $3::integer, $4::integer, $5::text, "
        "$6::bigint, $7::double precision, $7::double precision FROM next "
        "ON CONFLICT (station_id, transaction_id) DO NOTHING RETURNING transaction_id",
        PgParams(start.station_id, id, start.evse_id, start.connector_id, start.id_token, start.time,
                 start.meter_start_wh));
    if (!r) return r.error();
    if (r->rows() == 1) return r->text(0, 0);
    if (id) return *id;
    return Error{"the new transaction's number is a transaction id the station already uses"};
  });
}

std::optional<TransactionRecord> PostgresStore::transaction(const std::string& station_id,
                                                            const std::string& transaction_id) {
  return db_->select_one("reading a transaction",
                         kTransactions.select("WHERE station_id = $1 AND transaction_id = $2").c_str(),
                         PgParams(station_id, transaction_id), kTransactions.at);
}

std::vector<TransactionRecord> PostgresStore::open_transactions() {
  return db_->select_all("reading the open transactions",
                         kTransactions.select("WHERE stopped IS NULL ORDER BY seq").c_str(), PgParams(),
                         kTransactions.at);
}

Result<bool> PostgresStore::stop_transaction(const ocpp::TransactionStop& stop) {
  // One statement that may be repeated: setting the same stop twice changes nothing.
  return db_->run("recording a transaction stop", [&]() -> Result<bool> {
    auto r = db_->exec(
        "UPDATE transactions SET stopped = $3, meter_stop_wh = $4, stop_reason = $5, "
        "last_energy_import_wh = COALESCE($4, last_energy_import_wh) "
        "WHERE station_id = $1 AND transaction_id = $2",
        PgParams(stop.station_id, stop.transaction_id, stop.time, stop.meter_stop_wh, stop.reason));
    if (!r) return r.error();
    return r->changed() > 0;
  });
}

Result<bool> PostgresStore::add_meter_values(const std::string& station_id, const std::string& transaction_id,
                                             int evse_id, std::span<const ocpp::MeterSample> samples) {
  std::optional<double> latest_import;
  for (const auto& m : samples)
    if (m.energy_import_wh) latest_import = m.energy_import_wh;
  return db_->run_in_transaction("storing meter values", [&]() -> Result<bool> {
    if (!transaction_id.empty()) {  // the station's transaction, its register updated; or nothing written
      auto known = db_->exec(
          "UPDATE transactions SET last_energy_import_wh = "
          "COALESCE($3, last_energy_import_wh) WHERE station_id = $1 AND transaction_id = $2",
          PgParams(station_id, transaction_id, latest_import));
      if (!known) return known.error();
      if (known->changed() == 0) return false;
    }
    using Sample = ocpp::MeterSample;
    auto rows = db_->exec(
        "INSERT INTO meter_values (station_id, transaction_id, evse_id, time, energy_import_wh, "
        "energy_export_wh, power_w, soc_pct) SELECT $1::text, $2::text, $3::integer, u.* "
        "FROM unnest($4::bigint[], $5::double precision[], $6::double precision[], $7::double precision[], "
        "$8::double precision[]) AS u",
        PgParams(station_id, transaction_id, evse_id, pg_array(samples, &Sample::time),
                 pg_array(samples, &Sample::energy_import_wh), pg_array(samples, &Sample::energy_export_wh),
                 pg_array(samples, &Sample::power_w), pg_array(samples, &Sample::soc_pct)));
    if (!rows) return rows.error();
    auto count = db_->exec("UPDATE meter_value_count SET n = n + $1", PgParams(rows->changed()));
    if (!count) return count.error();
    return true;
  });
}

std::vector<MeterRecord> PostgresStore::meter_values(const std::string& station_id,
                                                     const std::string& transaction_id) {
  return db_->select_all(
      "reading meter values",
      "SELECT evse_id, time, energy_import_wh, energy_export_wh, power_w, soc_pct FROM meter_values "
      "WHERE station_id = $1 AND transaction_id = $2 ORDER BY time, seq",
      PgParams(station_id, transaction_id), [&](const PgResult& r, int i) {
        return MeterRecord{station_id,
                           transaction_id,
                           r.integer<int>(i, 0),
                           {r.time(i, 1), r.optional_real(i, 2), r.optional_real(i, 3), r.optional_real(i, 4),
                            r.optional_real(i, 5)}};
      });
}

std::size_t PostgresStore::meter_value_count() {
  auto n = db_->select_one("counting meter values", "SELECT n FROM meter_value_count", PgParams(),
                           [](const PgResult& r, int i) { return r.integer<std::size_t>(i, 0); });
  return n.value_or(0);
}

std::vector<TransactionRecord> PostgresStore::sessions(const std::optional<std::string>& owner_id,
                                                       const std::optional<std::string>& transaction_id,
                                                       std::size_t limit) {
  // $1 / $2 are NULL when not filtering on them.
  return db_->select_all(
      "reading sessions",
      kTransactions
          .select("WHERE ($1::text IS NULL OR id_token IN "
                  "(SELECT id_token FROM owner_id_tokens WHERE owner_id = $1)) "
                  "AND ($2::text IS NULL OR transaction_id = $2) ORDER BY seq DESC LIMIT $3")
          .c_str(),
      PgParams(owner_id, transaction_id, static_cast<std::int64_t>(limit)), kTransactions.at);
}

std::optional<TransactionRecord> PostgresStore::session(std::int64_t session_id) {
  return db_->select_one("reading a session", kTransactions.select("WHERE seq = $1").c_str(),
                         PgParams(session_id), kTransactions.at);
}

Status PostgresStore::add_api_token(const std::string& token_sha256, const ApiToken& token) {
  std::string role = token.role == ApiRole::owner ? "owner" : "operator";
  // A hash is one token: not a write to repeat.
  return db_->run_in_transaction("saving an API token", [&]() -> Status {
    auto r = db_->exec("INSERT INTO api_tokens (token_sha256, role, owner_id) VALUES ($1, $2, $3)",
                       PgParams(token_sha256, role, token.owner_id));
    if (!r) return r.error();
    return ok_status();
  });
}

std::optional<ApiToken> PostgresStore::api_token(const std::string& token_sha256) {
  return db_->select_one(
      "reading an API token", "SELECT role, owner_id FROM api_tokens WHERE token_sha256 = $1",
      PgParams(token_sha256), [](const PgResult& r, int i) {
        return ApiToken{r.text(i, 0) == "owner" ? ApiRole::owner : ApiRole::operator_, r.text(i, 1)};
      });
}

Status PostgresStore::link_id_token(const std::string& owner_id, const std::string& id_token) {
  return db_->write("linking an id token", kLinkIdToken, PgParams(id_token, owner_id));
}

std::optional<std::string> PostgresStore::owner_of_id_token(const std::string& id_token) {
  return db_->select_one("reading the owner of an id token",
                         "SELECT owner_id FROM owner_id_tokens WHERE id_token = $1", PgParams(id_token),
                         [](const PgResult& r, int i) { return r.text(i, 0); });
}

Status PostgresStore::put_preferences(const std::string& owner_id, const OwnerPreferences& p) {
  return db_->write(
      "saving preferences of " + owner_id,
      "INSERT INTO owner_preferences (owner_id, departure_minute_utc, target_energy_kwh, min_energy_kwh, "
      "v2g_consent, wear_budget_eur, target_soc_pct, min_soc_pct, weekly_discharge_cap_kwh) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
      "ON CONFLICT (owner_id) DO UPDATE SET departure_minute_utc = EXCLUDED.departure_minute_utc, "
      "target_energy_kwh = EXCLUDED.target_energy_kwh, min_energy_kwh = EXCLUDED.min_energy_kwh, "
      "v2g_consent = EXCLUDED.v2g_consent, wear_budget_eur = EXCLUDED.wear_budget_eur, "
      "target_soc_pct = EXCLUDED.target_soc_pct, min_soc_pct = EXCLUDED.min_soc_pct, "
      "weekly_discharge_cap_kwh = EXCLUDED.weekly_discharge_cap_kwh",
      PgParams(owner_id, p.departure_minute_utc, p.target_energy_kwh, p.min_energy_kwh, p.v2g_consent,
               p.wear_budget_eur, p.target_soc_pct, p.min_soc_pct, p.weekly_discharge_cap_kwh));
}

std::optional<OwnerPreferences> PostgresStore::preferences(const std::string& owner_id) {
  return db_->select_one(
      "reading preferences of " + owner_id,
      "SELECT departure_minute_utc, target_energy_kwh, min_energy_kwh, v2g_consent, wear_budget_eur, "
      "target_soc_pct, min_soc_pct, weekly_discharge_cap_kwh FROM owner_preferences WHERE owner_id = $1",
      PgParams(owner_id), [](const PgResult& r, int i) {
        OwnerPreferences p;
        if (!r.null(i, 0)) p.departure_minute_utc = r.integer<int>(i, 0);
        p.target_energy_kwh = r.optional_real(i, 1);
        p.min_energy_kwh = r.optional_real(i, 2);
        p.v2g_consent = r.boolean(i, 3);
        p.wear_budget_eur = r.optional_real(i, 4);
        p.target_soc_pct = r.optional_real(i, 5);
        p.min_soc_pct = r.optional_real(i, 6);
        p.weekly_discharge_cap_kwh = r.optional_real(i, 7);
        return p;
      });
}

Status PostgresStore::put_vehicle(const VehicleRecord& v) {
  return db_->run_in_transaction("saving vehicle " + v.id, [&]() -> Status {
    auto saved = db_->exec(
        "INSERT INTO vehicles (id, owner_id, id_token, name, battery_kwh, max_charge_kw, max_discharge_kw) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET owner_id = EXCLUDED.owner_id, "
        "id_token = EXCLUDED.id_token, name = EXCLUDED.name, battery_kwh = EXCLUDED.battery_kwh, "
        "max_charge_kw = EXCLUDED.max_charge_kw, max_discharge_kw = EXCLUDED.max_discharge_kw",
        PgParams(v.id, v.owner_id, v.id_token, v.name, v.battery_kwh, v.max_charge_kw, v.max_discharge_kw));
    if (!saved) return saved.error();
    if (!v.id_token.empty()) {
      if (auto linked = db_->exec(kLinkIdToken, PgParams(v.id_token, v.owner_id)); !linked)
        return linked.error();
    }
    return ok_status();
  });
}

std::optional<VehicleRecord> PostgresStore::vehicle(const std::string& id) {
  return db_->select_one("reading vehicle " + id, kVehicles.select("WHERE id = $1").c_str(), PgParams(id),
                         kVehicles.at);
}

std::optional<VehicleRecord> PostgresStore::vehicle_of_id_token(const std::string& id_token) {
  if (id_token.empty()) return std::nullopt;
  return db_->select_one("reading the vehicle of an id token",
                         kVehicles.select("WHERE id_token = $1 ORDER BY id LIMIT 1").c_str(),
                         PgParams(id_token), kVehicles.at);
}

std::vector<VehicleRecord> PostgresStore::vehicles(const std::optional<std::string>& owner_id) {
  return db_->select_all("reading vehicles",
                         kVehicles.select("WHERE $1::text IS NULL OR owner_id = $1 ORDER BY id").c_str(),
                         PgParams(owner_id), kVehicles.at);
}

Result<bool> PostgresStore::record_settlement(const SettlementRecord& r) {
  const settle::SessionSettlement& m = r.settlement;
  return db_->run_in_transaction("recording a settlement", [&]() -> Result<bool> {
    auto head = db_->exec(
        "INSERT INTO settlements (session_id, owner_id, settled_at, import_kwh, export_kwh, "
        "import_cost_cents, export_revenue_cents, uncontrolled_cost_cents, savings_cents, "
        "platform_fee_cents, owner_earnings_cents) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (session_id) DO NOTHING",
        PgParams(r.session_id, r.owner_id, r.settled_at, m.import_kwh, m.export_kwh, m.import_cost,
                 m.export_revenue, m.uncontrolled_cost, m.savings, m.platform_fee, m.owner_earnings));
    if (!head) return head.error();
    if (head->changed() == 0) return false;  // settled already
    using Interval = settle::SettledInterval;
    auto intervals = db_->exec(
        "INSERT INTO settlement_intervals (session_id, start, import_kwh, export_kwh, price_eur_per_kwh, "
        "import_cost_cents, export_revenue_cents) SELECT $1::bigint, u.* FROM unnest($2::bigint[], "
        "$3::double precision[], $4::double precision[], $5::double precision[], $6::bigint[], "
        "$7::bigint[]) AS u",
        PgParams(r.session_id, pg_array(m.intervals, &Interval::start),
                 pg_array(m.intervals, &Interval::import_kwh), pg_array(m.intervals, &Interval::export_kwh),
                 pg_array(m.intervals, &Interval::price_eur_per_kwh),
                 pg_array(m.intervals, &Interval::import_cost),
                 pg_array(m.intervals, &Interval::export_revenue)));
    if (!intervals) return intervals.error();
    using Entry = settle::LedgerEntry;
    auto entries = db_->exec(
        "INSERT INTO ledger (session_id, time, account, amount_cents, memo) "
        "SELECT $1::bigint, $2::bigint, u.* FROM unnest($3::text[], $4::bigint[], $5::text[]) AS u",
        PgParams(r.session_id, r.settled_at, pg_array(m.entries, &Entry::account),
                 pg_array(m.entries, &Entry::amount), pg_array(m.entries, &Entry::memo)));
    if (!entries) return entries.error();
    return true;
  });
}

std::vector<TransactionRecord> PostgresStore::unsettled_sessions(std::size_t limit) {
  return db_->select_all(
      "reading unsettled sessions",
      kTransactions
          .select("WHERE stopped IS NOT NULL AND NOT EXISTS "
                  "(SELECT 1 FROM settlements s WHERE s.session_id = seq) ORDER BY seq LIMIT $1")
          .c_str(),
      PgParams(static_cast<std::int64_t>(limit)), kTransactions.at);
}

std::vector<SettlementRecord> PostgresStore::settlements(const std::optional<std::string>& owner_id,
                                                         std::optional<UtcTime> from,
                                                         std::optional<UtcTime> to) {
  return db_->read("reading settlements", [&]() -> Result<std::vector<SettlementRecord>> {
    // Three reads, not one per settlement. A settlement's intervals and entries were committed with it.
    auto heads = db_->exec(
        "SELECT s.session_id, s.owner_id, s.settled_at, s.import_kwh, s.export_kwh, s.import_cost_cents, "
        "s.export_revenue_cents, s.uncontrolled_cost_cents, s.savings_cents, s.platform_fee_cents, "
        "s.owner_earnings_cents FROM settlements s JOIN transactions t ON t.seq = s.session_id "
        "WHERE ($1::text IS NULL OR s.owner_id = $1) AND ($2::bigint IS NULL OR t.stopped > $2) "
        "AND ($3::bigint IS NULL OR t.started < $3) ORDER BY t.started, s.session_id",
        PgParams(owner_id, from, to));
    if (!heads) return heads.error();
    std::vector<SettlementRecord> out;
    for (int i = 0; i < heads->rows(); ++i) out.push_back(settlement_at(*heads, i));
    if (out.empty()) return out;
    std::unordered_map<std::int64_t, settle::SessionSettlement*> of_session;
    for (auto& s : out) of_session[s.session_id] = &s.settlement;
    PgParams sessions(pg_array(out, &SettlementRecord::session_id));
    auto intervals = db_->exec(
        "SELECT session_id, start, import_kwh, export_kwh, price_eur_per_kwh, "
        "import_cost_cents, export_revenue_cents FROM settlement_intervals "
        "WHERE session_id = ANY($1::bigint[]) ORDER BY session_id, start",
        sessions);
    if (!intervals) return intervals.error();
    for (int i = 0; i < intervals->rows(); ++i) {
      const PgResult& v = *intervals;
      of_session.at(v.integer(i, 0))
          ->intervals.push_back(
              {v.time(i, 1), v.real(i, 2), v.real(i, 3), v.real(i, 4), v.integer(i, 5), v.integer(i, 6)});
    }
    auto entries = db_->exec(
        fmt::format("SELECT session_id, {} FROM ledger WHERE session_id = ANY($1::bigint[]) ORDER BY seq",
                    kEntryColumns)
            .c_str(),
        sessions);
    if (!entries) return entries.error();
    for (int i = 0; i < entries->rows(); ++i)
      of_session.at(entries->integer(i, 0))->entries.push_back(entry_at(*entries, i));
    return out;
  });
}

std::vector<LedgerRecord> PostgresStore::ledger() {
  return db_->select_all(
      "reading the ledger",
      fmt::format("SELECT session_id, {}, time FROM ledger ORDER BY seq", kEntryColumns).c_str(), PgParams(),
      [](const PgResult& r, int i) {
        return LedgerRecord{r.integer(i, 0), r.time(i, 4), entry_at(r, i)};
      });
}

Status PostgresStore::add_signal(const std::string& kind, const TimeSeries& series, UtcTime accepted_at) {
  return db_->write("saving a " + kind + " series",
                    "INSERT INTO signals (kind, start, step_s, series_values, accepted_at) VALUES ($1, $2, $3, $4, $5)",
                    PgParams(kind, series.start, static_cast<std::int64_t>(series.step.count()),
                             values_text(series.values), accepted_at));
}

std::vector<TimeSeries> PostgresStore::signals(const std::string& kind) {
  auto rows = db_->select_all("reading the " + kind + " series",
                              "SELECT start, step_s, series_values FROM signals WHERE kind = $1 ORDER BY seq",
                              PgParams(kind), [](const PgResult& r, int i) {
                                auto values = values_from_text(r.text(i, 2));
                                return TimeSeries{r.time(i, 0), Seconds(r.integer(i, 1)),
                                                  values ? std::move(values).value() : std::vector<double>{}};
                              });
  std::vector<TimeSeries> out;
  for (auto& series : rows)
    if (!series.values.empty()) out.push_back(std::move(series));
  return out;
}

Status PostgresStore::put_value(const std::string& key, const std::string& text) {
  return db_->write("saving " + key,
                    "INSERT INTO service_values (key, text) VALUES ($1, $2) "
                    "ON CONFLICT (key) DO UPDATE SET text = EXCLUDED.text",
                    PgParams(key, text));
}

std::optional<std::string> PostgresStore::value(const std::string& key) {
  return db_->select_one("reading " + key, "SELECT text FROM service_values WHERE key = $1", PgParams(key),
                         [](const PgResult& r, int i) { return r.text(i, 0); });
}

Status PostgresStore::erase_value(const std::string& key) {
  return db_->write("erasing " + key, "DELETE FROM service_values WHERE key = $1", PgParams(key));
}

}  // namespace voltpool::store
