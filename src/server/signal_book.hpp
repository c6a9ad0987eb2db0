// The prices and the carbon signal the service plans and settles with: what the files given at start say
// (reloaded on SIGHUP) overlaid by every series accepted through the REST API, the later over the earlier. The
// accepted series are stored before they are answered, so a restarted service (even after kill -9) plans with
// them again. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/series.hpp"
#include "server/fleet_bridge.hpp"
#include "store/store.hpp"

namespace voltpool::server {

enum class SignalKind { prices, carbon };
const char* signal_name(SignalKind kind);  // "prices", "carbon": the store's kind

class SignalBook {
 public:
  // Puts the stored series of every kind (over nothing yet) in force.
  SignalBook(store::Store& store, FleetBridge& bridge);

  // The series from a file (at start, on SIGHUP); the accepted ones stay over it.
  Status set_file(SignalKind kind, std::optional<TimeSeries> series);
  // Whether `series` can be laid over the signal in force (steps and starts line up).
  Status acceptable(SignalKind kind, const TimeSeries& series) const;
  // A series accepted through the API: stored, then in force. On an error nothing changed.
  Status post(SignalKind kind, const TimeSeries& series, UtcTime now);
  std::optional<TimeSeries> current(SignalKind kind) const;

 private:
  Result<std::optional<TimeSeries>> merged(SignalKind kind, const std::optional<TimeSeries>& extra) const;
  void put_in_force(SignalKind kind, std::optional<TimeSeries> series);

  store::Store& store_;
  FleetBridge& bridge_;
  mutable std::mutex mutex_;
  std::map<SignalKind, std::optional<TimeSeries>> file_;
  std::map<SignalKind, std::vector<TimeSeries>> accepted_;
};

}  // namespace voltpool::server
