// The embedded store: one SQLite file in WAL mode with synchronous=FULL (a committed write survives kill -9 and
// power loss), schema versions migrated on open (PRAGMA user_version).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/store.hpp"

struct sqlite3;

namespace voltpool::store {

class SqliteStore final : public Store {
 public:
  // Opens (creating and migrating) the database at `path`; an error names the file and SQLite's reason.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Status put_station(const StationRecord& station) override;
  std::optional<StationRecord> station(const std::string& id) override;
  std::vector<StationRecord> stations() override;
  Status record_boot(const std::string& station_id, const ocpp::BootInfo& info, UtcTime time) override;
  Status record_status(const std::string& station_id, int evse_id, int connector_id, const std::string& status,
                       UtcTime time) override;
  Status allow_id_token(const std::string& id_token) override;
  bool id_token_allowed(const std::string& id_token) override;
  Result<std::string> start_transaction(const ocpp::TransactionStart& start) override;
  std::optional<TransactionRecord> transaction(const std::string& station_id, const std::string& transaction_id) override;
  std::vector<TransactionRecord> open_transactions() override;
  Result<bool> stop_transaction(const ocpp::TransactionStop& stop) override;
  Result<bool> add_meter_values(const std::string& station_id, const std::string& transaction_id, int evse_id,
                                std::span<const ocpp::MeterSample> samples) override;
  std::vector<MeterRecord> meter_values(const std::string& station_id, const std::string& transaction_id) override;
  std::size_t meter_value_count() override;
  std::vector<TransactionRecord> sessions(const std::optional<std::string>& owner_id,
                                          const std::optional<std::string>& transaction_id, std::size_t limit) override;
  std::optional<TransactionRecord> session(std::int64_t session_id) override;
  Status add_api_token(const std::string& token_sha256, const ApiToken& token) override;
  std::optional<ApiToken> api_token(const std::string& token_sha256) override;
  Status link_id_token(const std::string& owner_id, const std::string& id_token) override;
  std::optional<std::string> owner_of_id_token(const std::string& id_token) override;
  Status put_preferences(const std::string& owner_id, const OwnerPreferences& preferences) override;
  std::optional<OwnerPreferences> preferences(const std::string& owner_id) override;
  Status put_vehicle(const VehicleRecord& vehicle) override;
  std::optional<VehicleRecord> vehicle(const std::string& id) override;
  std::optional<VehicleRecord> vehicle_of_id_token(const std::string& id_token) override;
  std::vector<VehicleRecord> vehicles(const std::optional<std::string>& owner_id) override;
  Result<bool> record_settlement(const SettlementRecord& settlement) override;
  std::vector<TransactionRecord> unsettled_sessions(std::size_t limit) override;
  std::vector<SettlementRecord> settlements(const std::optional<std::string>& owner_id, std::optional<UtcTime> from,
                                            std::optional<UtcTime> to) override;
  std::vector<LedgerRecord> ledger() override;
  Status add_signal(const std::string& kind, const TimeSeries& series, UtcTime accepted_at) override;
  std::vector<TimeSeries> signals(const std::string& kind) override;
  Status put_value(const std::string& key, const std::string& text) override;
  std::optional<std::string> value(const std::string& key) override;
  Status erase_value(const std::string& key) override;

 private:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  Status migrate();

  sqlite3* db_;
  std::mutex mutex_;  // one writer at a time; statements of one operation run under it
};

}  // namespace voltpool::store
