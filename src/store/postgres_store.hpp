// The store on a PostgreSQL server, for a database several voltpool processes share or one run by the
// operator: one libpq connection per store, schema versions migrated on open (the schema_version table, under
// an advisory lock, so processes opening at once migrate once), every write committed with synchronous_commit
// at least on.
#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

namespace voltpool::store {

class PgConnection;  // pg_connection.hpp

class PostgresStore final : public Store {
 public:
  // Connects to `conninfo` (libpq keywords, "host=... dbname=...", or a URI, postgresql://user@host:port/db)
  // and migrates the schema; an error names the server and libpq's reason.
  //
  // Calls are serialised on the one connection. When it is found lost, a call reconnects and runs once more;
  // but when it was lost while a commit was on its way, the call fails instead, saying the write may or may
  // not be stored (running it again could write it twice).
  static Result<std::unique_ptr<PostgresStore>> open(const std::string& conninfo);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // Reads that fail (the server is gone) log the error and return nothing: the interface has no error for
  // them.
  Status put_station(const StationRecord& station) override;
  std::optional<StationRecord> station(const std::string& id) override;
  std::vector<StationRecord> stations() override;
  Status record_boot(const std::string& station_id, const ocpp::BootInfo& info, UtcTime time) override;
  Status record_status(const std::string& station_id, int evse_id, int connector_id,
                       const std::string& status, UtcTime time) override;
  Status allow_id_token(const std::string& id_token) override;
  bool id_token_allowed(const std::string& id_token) override;
  Result<std::string> start_transaction(const ocpp::TransactionStart& start) override;
  std::optional<TransactionRecord> transaction(const std::string& station_id,
                                               const std::string& transaction_id) override;
  std::vector<TransactionRecord> open_transactions() override;
  Result<bool> stop_transaction(const ocpp::TransactionStop& stop) override;
  Result<bool> add_meter_values(const std::string& station_id, const std::string& transaction_id, int evse_id,
                                std::span<const ocpp::MeterSample> samples) override;
  std::vector<MeterRecord> meter_values(const std::string& station_id,
                                        const std::string& transaction_id) override;
  std::size_t meter_value_count() override;
  std::vector<TransactionRecord> sessions(const std::optional<std::string>& owner_id,
                                          const std::optional<std::string>& transaction_id,
                                          std::size_t limit) override;
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
  std::vector<SettlementRecord> settlements(const std::optional<std::string>& owner_id,
                                            std::optional<UtcTime> from, std::optional<UtcTime> to) override;
  std::vector<LedgerRecord> ledger() override;
  Status add_signal(const std::string& kind, const TimeSeries& series, UtcTime accepted_at) override;
  std::vector<TimeSeries> signals(const std::string& kind) override;
  Status put_value(const std::string& key, const std::string& text) override;
  std::optional<std::string> value(const std::string& key) override;
  Status erase_value(const std::string& key) override;

 private:
  explicit PostgresStore(std::unique_ptr<PgConnection> db);

  std::unique_ptr<PgConnection> db_;  // with its mutex: one operation at a time
};

}  // namespace voltpool::store
