// Durable state of the service behind one interface: stations and their credentials, id tokens, transactions
// and every meter value. SQLite is the embedded default (sqlite_store.hpp); implementations are safe to call
// from several threads. A write that returns without error is on disk: the caller may acknowledge it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/series.hpp"
#include "core/time.hpp"
#include "ocpp/csms/backend.hpp"
#include "settle/settlement.hpp"

namespace voltpool::store {

struct StationRecord {
  std::string id;
  std::string password_hash;  // server/auth.hpp format; empty: the station may not connect
  double max_power_kw = 0;    // 0: unknown (the planner then uses its default)
  std::string vendor, model;  // from the last BootNotification
};

struct TransactionRecord {
  std::int64_t session_id = 0;  // voltpool's own id of the session (the REST API's /sessions/{id})
  std::string station_id;
  std::string transaction_id;
  int evse_id = 1;
  int connector_id = 1;
  std::string id_token;
  UtcTime started{};
  std::optional<UtcTime> stopped;
  std::optional<double> meter_start_wh, meter_stop_wh;
  std::optional<double> last_energy_import_wh;  // the latest register reading
  std::string stop_reason;
};

enum class ApiRole { operator_, owner };

struct ApiToken {
  ApiRole role = ApiRole::operator_;
  std::string owner_id;  // for owner tokens
};

// What an owner asks of the VPP for their car (REST: /api/owners/{id}/preferences). SoC figures need the
// vehicle's battery size (a vehicle record) and its state of charge (metered by the station).
struct OwnerPreferences {
  std::optional<int> departure_minute_utc;  // usual departure, minutes after 00:00 UTC, daily
  std::optional<double> target_energy_kwh;  // energy wanted per session
  std::optional<double> min_energy_kwh;     // energy the battery always keeps (stored, kWh): V2G stops there
  bool v2g_consent = false;                 // the car may discharge (when the EV offers it)
  std::optional<double> wear_budget_eur;    // battery wear from discharging allowed per year
  std::optional<double> target_soc_pct;     // state of charge wanted at departure
  std::optional<double> min_soc_pct;        // never discharged below this state of charge
  std::optional<double> weekly_discharge_cap_kwh;  // V2G throughput allowed per week (Monday 00:00 UTC on)
};

// An owner's vehicle (REST: /api/vehicles). Its id token (the EV's contract id or the owner's card) ties its
// sessions to it and to its owner.
struct VehicleRecord {
  std::string id;
  std::string owner_id;
  std::string id_token;         // empty: none
  std::string name;             // e.g. "Polestar 3"
  double battery_kwh = 0;       // usable capacity; 0: unknown
  double max_charge_kw = 0;     // 0: the station's
  double max_discharge_kw = 0;  // 0: none or unknown (the EV's own V2X offer still counts)
};

// A settled session as stored: the owner it was paid to, when, and the settlement (intervals, totals, entries).
struct SettlementRecord {
  std::int64_t session_id = 0;
  std::string owner_id;
  UtcTime settled_at{};
  settle::SessionSettlement settlement;
};

// One ledger entry with the session it settles.
struct LedgerRecord {
  std::int64_t session_id = 0;
  UtcTime time{};
  settle::LedgerEntry entry;
};

struct MeterRecord {
  std::string station_id;
  std::string transaction_id;  // empty outside a transaction
  int evse_id = 0;
  ocpp::MeterSample sample;
};

class Store {
 public:
  virtual ~Store() = default;

  // Adds a station, or replaces its password and power when it exists.
  virtual Status put_station(const StationRecord& station) = 0;
  virtual std::optional<StationRecord> station(const std::string& id) = 0;
  virtual std::vector<StationRecord> stations() = 0;
  virtual Status record_boot(const std::string& station_id, const ocpp::BootInfo& info, UtcTime time) = 0;
  virtual Status record_status(const std::string& station_id, int evse_id, int connector_id, const std::string& status,
                               UtcTime time) = 0;

  // The id-token allow-list (used when the server is started with one).
  virtual Status allow_id_token(const std::string& id_token) = 0;
  virtual bool id_token_allowed(const std::string& id_token) = 0;

  // Records a transaction start; for an empty transaction id assigns a new decimal one (OCPP 1.6). Starting a
  // transaction that already exists returns its id unchanged (a repeated message is not a new transaction).
  virtual Result<std::string> start_transaction(const ocpp::TransactionStart& start) = 0;
  virtual std::optional<TransactionRecord> transaction(const std::string& station_id,
                                                       const std::string& transaction_id) = 0;
  virtual std::vector<TransactionRecord> open_transactions() = 0;
  // Returns false when the transaction is not the station's.
  virtual Result<bool> stop_transaction(const ocpp::TransactionStop& stop) = 0;
  // Appends meter values (all or none); false when the transaction id is given and is not the station's.
  virtual Result<bool> add_meter_values(const std::string& station_id, const std::string& transaction_id, int evse_id,
                                        std::span<const ocpp::MeterSample> samples) = 0;
  virtual std::vector<MeterRecord> meter_values(const std::string& station_id, const std::string& transaction_id) = 0;
  virtual std::size_t meter_value_count() = 0;  // cheap: for /metrics

  // Sessions for the REST API, newest first: all, or only those whose id token belongs to `owner_id`, and only
  // those with OCPP transaction id `transaction_id` when given.
  virtual std::vector<TransactionRecord> sessions(const std::optional<std::string>& owner_id,
                                                  const std::optional<std::string>& transaction_id,
                                                  std::size_t limit) = 0;
  virtual std::optional<TransactionRecord> session(std::int64_t session_id) = 0;

  // API bearer tokens, kept as SHA-256 hashes; owners and the id tokens (cards, EVs) that are theirs.
  virtual Status add_api_token(const std::string& token_sha256, const ApiToken& token) = 0;
  virtual std::optional<ApiToken> api_token(const std::string& token_sha256) = 0;
  virtual Status link_id_token(const std::string& owner_id, const std::string& id_token) = 0;
  virtual std::optional<std::string> owner_of_id_token(const std::string& id_token) = 0;
  virtual Status put_preferences(const std::string& owner_id, const OwnerPreferences& preferences) = 0;
  virtual std::optional<OwnerPreferences> preferences(const std::string& owner_id) = 0;

  // Vehicles: adding or replacing one also links its id token to its owner (owner_of_id_token), in one write.
  virtual Status put_vehicle(const VehicleRecord& vehicle) = 0;
  virtual std::optional<VehicleRecord> vehicle(const std::string& id) = 0;
  virtual std::optional<VehicleRecord> vehicle_of_id_token(const std::string& id_token) = 0;
  // All vehicles, or an owner's, by id.
  virtual std::vector<VehicleRecord> vehicles(const std::optional<std::string>& owner_id) = 0;

  // Settlement: a stopped session is settled once. Records the settlement with its intervals and ledger entries
  // in one write; false (and nothing written) when the session was already settled.
  virtual Result<bool> record_settlement(const SettlementRecord& settlement) = 0;
  // Stopped sessions not settled yet, oldest first.
  virtual std::vector<TransactionRecord> unsettled_sessions(std::size_t limit) = 0;
  // Settlements (with their intervals and entries) of one owner or all, whose sessions overlap [from, to) when
  // given, oldest session first.
  virtual std::vector<SettlementRecord> settlements(const std::optional<std::string>& owner_id,
                                                    std::optional<UtcTime> from, std::optional<UtcTime> to) = 0;
  // Every ledger entry, in the order written, with its session: the whole ledger (the operator's view).
  virtual std::vector<LedgerRecord> ledger() = 0;

  // Signals accepted through the API (kind "prices" in EUR/kWh, "carbon" in kg CO2/kWh), kept so that a restart
  // uses them again; read back in the order accepted (a later one overrides an earlier one where they overlap).
  virtual Status add_signal(const std::string& kind, const TimeSeries& series, UtcTime accepted_at) = 0;
  virtual std::vector<TimeSeries> signals(const std::string& kind) = 0;

  // Small named state the service must keep across restarts (an EV's last charging needs, the active dispatch
  // signal): text under a key, replaced whole; erasing a missing key is no error.
  virtual Status put_value(const std::string& key, const std::string& text) = 0;
  virtual std::optional<std::string> value(const std::string& key) = 0;
  virtual Status erase_value(const std::string& key) = 0;
};

}  // namespace voltpool::store
