#include "store/postgres_schema.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <iterator>

#include "store/pg_connection.hpp"

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
    R"sql(
    CREATE TABLE signals (
      seq BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, start BIGINT NOT NULL, step_s BIGINT NOT NULL,
      series_values TEXT NOT NULL, accepted_at BIGINT NOT NULL);
    CREATE INDEX signals_by_kind ON signals (kind, seq);
    )sql",
    R"sql(
    CREATE TABLE service_values (key TEXT PRIMARY KEY, text TEXT NOT NULL);
    )sql",
    R"sql(
    ALTER TABLE owner_preferences ADD COLUMN weekly_discharge_cap_kwh DOUBLE PRECISION;
    )sql",
};

constexpr std::int64_t kMigrationLock = 0x766f6c74706f6f6c;  // "voltpool": the advisory lock migrations take

}  // namespace

Status migrate(PgConnection& db) {
  constexpr std::int64_t known = std::size(kMigrations);
  for (bool more = true; more;) {
    // Under the lock, one version at a time: a process that waited sees what the other applied.
    auto step = db.in_transaction([&]() -> Result<bool> {
      if (auto r = db.exec("SELECT pg_advisory_xact_lock($1)", PgParams(kMigrationLock)); !r)
        return r.error();
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
      if (auto r = db.exec("INSERT INTO schema_version (version) VALUES ($1)", PgParams(applied + 1)); !r)
        return r.error();
      return true;
    });
    if (!step) return step.error();
    more = *step;
  }
  return ok_status();
}

}  // namespace voltpool::store
