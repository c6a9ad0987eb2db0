// Settles the sessions that ended: each stopped session's stored meter readings are priced at the prices in use
// (settle/), paid to the owner of its id token, and recorded with their intervals and ledger entries in the store,
// once. A session that cannot be settled yet (no prices for its intervals) stays pending, with the reason, and is
// tried again the next time. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/series.hpp"
#include "settle/settlement.hpp"
#include "store/store.hpp"

namespace voltpool::server {

// A session's register readings, in time order: its meter start, every stored import reading (with the export
// register as last read) and its meter stop.
std::vector<settle::RegisterReading> session_readings(store::Store& store, const store::TransactionRecord& t);

// The owner a session is paid to: the owner of its id token, or "id-token:TOKEN" when nobody claimed it.
std::string settlement_owner(store::Store& store, const store::TransactionRecord& t);

class SessionSettler {
 public:
  // `default_max_power_kw`: the uncontrolled counterfactual's power at a station provisioned without one.
  SessionSettler(store::Store& store, settle::SettlementTerms terms, double default_max_power_kw);

  // Settles every stopped session not settled yet; returns how many it settled now.
  std::size_t settle_pending(const std::optional<TimeSeries>& prices_eur_per_kwh, UtcTime now);
  // Sessions that could not be settled, by session id, with the reason.
  std::map<std::int64_t, std::string> pending() const;
  const settle::SettlementTerms& terms() const { return terms_; }

 private:
  store::Store& store_;
  settle::SettlementTerms terms_;
  double default_max_power_kw_;
  mutable std::mutex mutex_;
  std::map<std::int64_t, std::string> pending_;
};

}  // namespace voltpool::server
