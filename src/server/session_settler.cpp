#include "server/session_settler.hpp"

#include <spdlog/spdlog.h>

namespace voltpool::server {

std::vector<settle::RegisterReading> session_readings(store::Store& store, const store::TransactionRecord& t) {
  const auto samples = store.meter_values(t.station_id, t.transaction_id);
  // The export register is a lifetime total too: the session's export counts from its first reading.
  double export_wh = 0;
  for (const auto& m : samples)
    if (m.sample.energy_export_wh) {
      export_wh = *m.sample.energy_export_wh;
      break;
    }
  std::vector<settle::RegisterReading> readings;
  if (t.meter_start_wh) readings.push_back({t.started, *t.meter_start_wh, export_wh});
  std::optional<double> import_wh = t.meter_start_wh;  // readings count from the first import register known
  for (const auto& m : samples) {
    // A sample may carry one register: the other stands where it was last read.
    if (m.sample.energy_export_wh) export_wh = *m.sample.energy_export_wh;
    if (m.sample.energy_import_wh) import_wh = *m.sample.energy_import_wh;
    if (import_wh && (m.sample.energy_import_wh || m.sample.energy_export_wh))
      readings.push_back({m.sample.time, *import_wh, export_wh});
  }
  if (t.stopped && (t.meter_stop_wh || import_wh))
    readings.push_back({*t.stopped, t.meter_stop_wh ? *t.meter_stop_wh : *import_wh, export_wh});
  return readings;
}

std::string settlement_owner(store::Store& store, const store::TransactionRecord& t) {
  if (auto owner = store.owner_of_id_token(t.id_token)) return *owner;
  return "id-token:" + t.id_token;
}

SessionSettler::SessionSettler(store::Store& store, settle::SettlementTerms terms, double default_max_power_kw)
    : store_(store), terms_(terms), default_max_power_kw_(default_max_power_kw) {}

std::size_t SessionSettler::settle_pending(const std::optional<TimeSeries>& prices, UtcTime now) {
  std::lock_guard lock(mutex_);
  std::size_t settled = 0;
  constexpr std::size_t kBatch = 1000;
  std::map<std::int64_t, std::string> still_pending;
  for (std::int64_t after = -1;;) {
    auto batch = store_.unsettled_sessions(kBatch + still_pending.size());
    std::size_t fresh = 0;
    for (const auto& t : batch) {
      if (still_pending.count(t.session_id) || t.session_id <= after) continue;
      ++fresh;
      after = std::max(after, t.session_id);
      if (!prices) {
        still_pending[t.session_id] = "no prices loaded";
        continue;
      }
      std::string owner = settlement_owner(store_, t);
      auto station = store_.station(t.station_id);
      double power_kw = station && station->max_power_kw > 0 ? station->max_power_kw : default_max_power_kw_;
      auto s = settle::settle_session(owner, session_readings(store_, t), power_kw, *prices, terms_);
      if (!s) {
        still_pending[t.session_id] = s.error().message;
        continue;
      }
      auto recorded = store_.record_settlement({t.session_id, owner, now, std::move(s).value()});
      if (!recorded) {
        spdlog::error("settling session {}: {}", t.session_id, recorded.error().message);
        still_pending[t.session_id] = recorded.error().message;
        continue;
      }
      settled += *recorded ? 1 : 0;
    }
    if (fresh == 0) break;
  }
  pending_ = std::move(still_pending);
  return settled;
}

std::map<std::int64_t, std::string> SessionSettler::pending() const {
  std::lock_guard lock(mutex_);
  return pending_;
}

}  // namespace voltpool::server
