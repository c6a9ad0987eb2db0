#include "store/sqlite_schema.hpp"

namespace voltpool::store {

namespace {

// Schema versions, applied in order; user_version records how many ran.
const char* const kMigrations[] = {
    R"sql(
    CREATE TABLE stations (
      id TEXT PRIMARY KEY,
      password_hash TEXT NOT NULL,
      max_power_kw REAL NOT NULL DEFAULT 0,
      vendor TEXT NOT NULL DEFAULT '',
      model TEXT NOT NULL DEFAULT '',
      last_boot INTEGER);
    CREATE TABLE connector_status (
      station_id TEXT NOT NULL, evse_id INTEGER NOT NULL, connector_id INTEGER NOT NULL,
      status TEXT NOT NULL, time INTEGER NOT NULL,
      PRIMARY KEY (station_id, evse_id, connector_id));
    CREATE TABLE id_tokens (id_token TEXT PRIMARY KEY);
    CREATE TABLE transactions (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      station_id TEXT NOT NULL, transaction_id TEXT NOT NULL,
      evse_id INTEGER NOT NULL, connector_id INTEGER NOT NULL, id_token TEXT NOT NULL,
      started INTEGER NOT NULL, stopped INTEGER, meter_start_wh REAL, meter_stop_wh REAL,
      last_energy_import_wh REAL, stop_reason TEXT NOT NULL DEFAULT '',
      UNIQUE (station_id, transaction_id));
    CREATE TABLE meter_values (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      station_id TEXT NOT NULL, transaction_id TEXT NOT NULL, evse_id INTEGER NOT NULL, time INTEGER NOT NULL,
      energy_import_wh REAL, energy_export_wh REAL, power_w REAL, soc_pct REAL);
    CREATE INDEX meter_values_by_transaction ON meter_values (station_id, transaction_id, time);
    )sql",
    R"sql(
    CREATE TABLE api_tokens (token_sha256 TEXT PRIMARY KEY, role TEXT NOT NULL, owner_id TEXT NOT NULL DEFAULT '');
    CREATE TABLE owner_id_tokens (id_token TEXT PRIMARY KEY, owner_id TEXT NOT NULL);
    CREATE INDEX transactions_by_id_token ON transactions (id_token);
    )sql",
    R"sql(
    CREATE TABLE owner_preferences (
      owner_id TEXT PRIMARY KEY, departure_minute_utc INTEGER, target_energy_kwh REAL, min_energy_kwh REAL,
      v2g_consent INTEGER NOT NULL DEFAULT 0, wear_budget_eur REAL);
    )sql",
    R"sql(
    CREATE INDEX transactions_by_transaction_id ON transactions (transaction_id);
    )sql",
    R"sql(
    ALTER TABLE owner_preferences ADD COLUMN target_soc_pct REAL;
    ALTER TABLE owner_preferences ADD COLUMN min_soc_pct REAL;
    CREATE TABLE vehicles (
      id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, id_token TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',
      battery_kwh REAL NOT NULL DEFAULT 0, max_charge_kw REAL NOT NULL DEFAULT 0,
      max_discharge_kw REAL NOT NULL DEFAULT 0);
    CREATE INDEX vehicles_by_owner ON vehicles (owner_id);
    CREATE INDEX vehicles_by_id_token ON vehicles (id_token);
    CREATE TABLE settlements (
      session_id INTEGER PRIMARY KEY REFERENCES transactions (seq), owner_id TEXT NOT NULL,
      settled_at INTEGER NOT NULL, import_kwh REAL NOT NULL, export_kwh REAL NOT NULL,
      import_cost_cents INTEGER NOT NULL, export_revenue_cents INTEGER NOT NULL,
      uncontrolled_cost_cents INTEGER NOT NULL, savings_cents INTEGER NOT NULL, platform_fee_cents INTEGER NOT NULL,
      owner_earnings_cents INTEGER NOT NULL);
    CREATE INDEX settlements_by_owner ON settlements (owner_id);
    CREATE TABLE settlement_intervals (
      session_id INTEGER NOT NULL REFERENCES settlements (session_id), start INTEGER NOT NULL,
      import_kwh REAL NOT NULL, export_kwh REAL NOT NULL, price_eur_per_kwh REAL NOT NULL,
      import_cost_cents INTEGER NOT NULL, export_revenue_cents INTEGER NOT NULL, PRIMARY KEY (session_id, start));
    CREATE TABLE ledger (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id INTEGER NOT NULL REFERENCES settlements (session_id),
      time INTEGER NOT NULL, account TEXT NOT NULL, amount_cents INTEGER NOT NULL, memo TEXT NOT NULL);
    CREATE INDEX ledger_by_session ON ledger (session_id);
    )sql",
    R"sql(
    CREATE TABLE signals (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, start INTEGER NOT NULL, step_s INTEGER NOT NULL,
      series_values TEXT NOT NULL, accepted_at INTEGER NOT NULL);
    CREATE INDEX signals_by_kind ON signals (kind, seq);
    )sql",
    R"sql(
    CREATE TABLE service_values (key TEXT PRIMARY KEY, text TEXT NOT NULL);
    )sql",
    R"sql(
    ALTER TABLE owner_preferences ADD COLUMN weekly_discharge_cap_kwh REAL;
    )sql",
};

}  // namespace

std::span<const char* const> sqlite_migrations() { return kMigrations; }

}  // namespace voltpool::store
